//! The console's words, Italian and English: keys of the one [`Text`] type, kept in a table apart
//! from the citizens' (`i18n`, `area_texts`) so that only the console's bundle links them (ADR
//! 0008, 0010). The
//! application's questions keep the area's words: the operator asks the citizen the same ones.

#[cfg(test)]
use crate::i18n::Text;
use crate::i18n::bilingual_texts;

bilingual_texts! {
    /// The console's own texts.
    CONSOLE_TEXTS {
        // ——— Frame ———
        ConsoleServiceName => ("Sportello — Contact Center INPS", "Sportello — INPS Contact Center"),
        Tagline => ("Console degli operatori", "Operators' console"),
        /// `{name}` is the operator's full name, `{username}` their username.
        ConsoleLoggedInAs => ("Operatore: {name} ({username})", "Operator: {name} ({username})"),
        Footer => (
            "Ogni azione nella console è registrata con il tuo nome utente, insieme al cittadino a cui si riferisce.",
            "Every action in the console is recorded with your username, together with the citizen it concerns."
        ),
        ConsoleLoading => ("Caricamento in corso…", "Loading…"),
        ConsoleNotFoundTitle => ("Pagina non trovata — Contact Center", "Page not found — Contact Center"),
        NotFoundText => (
            "Questa pagina della console non esiste. Riparti dalla ricerca del cittadino.",
            "This console page does not exist. Start again from finding the citizen."
        ),

        // ——— Login ———
        ConsoleLoginTitle => ("Accesso operatori — Contact Center", "Operator login — Contact Center"),
        ConsoleLoginHeading => ("Accesso operatori", "Operator login"),
        ConsoleLoginIntro => (
            "Accedi con il tuo nome utente, la password e il codice temporaneo di 6 cifre che mostra l'app di autenticazione.",
            "Log in with your username, your password and the 6-digit one-time code your authenticator app shows."
        ),
        UsernameLabel => ("Nome utente", "Username"),
        PasswordLabel => ("Password", "Password"),
        TotpLabel => ("Codice temporaneo", "One-time code"),
        TotpHint => (
            "Le 6 cifre che l'app di autenticazione mostra adesso: cambiano ogni 30 secondi.",
            "The 6 digits your authenticator app shows now: they change every 30 seconds."
        ),
        ConsoleLoginSubmit => ("Accedi", "Log in"),
        UsernameMissing => ("Inserisci il nome utente.", "Enter your username."),
        PasswordMissing => ("Inserisci la password.", "Enter your password."),
        TotpMissing => ("Inserisci il codice temporaneo di 6 cifre.", "Enter the 6-digit one-time code."),
        /// On the login page after a session ended on a call's page.
        SessionEndedOnCall => (
            "Le risposte della chiamata sono conservate in questa scheda: dopo l'accesso torni alla stessa pagina della chiamata, con tutte le risposte.",
            "The call's answers are kept in this tab: after logging in you are back on the same page of the call, with every answer."
        ),
        ConsoleTimeoutHeading => ("La sessione sta per scadere", "Your session is about to end"),
        /// `{time}` is the time left in words ("2 minuti").
        ConsoleTimeoutText => (
            "Per sicurezza, senza attività la sessione termina tra {time}.",
            "For security, without activity your session ends in {time}."
        ),
        ConsoleTimeoutKept => (
            "Le risposte inserite finora restano conservate anche se la sessione termina. Per continuare la chiamata premi «Resta connesso».",
            "The answers entered so far are kept even if the session ends. To carry on with the call, press “Stay connected”."
        ),
        StayConnected => ("Resta connesso", "Stay connected"),
        SessionEnded => (
            "La sessione è terminata dopo 10 minuti di inattività o alla fine del turno: accedi di nuovo.",
            "Your session ended after 10 minutes of inactivity or at the end of the shift: log in again."
        ),

        // ——— Finding the citizen ———
        StartTitle => ("Trova il cittadino — Contact Center", "Find the citizen — Contact Center"),
        StartHeading => ("Trova il cittadino", "Find the citizen"),
        ConsoleStartIntro => (
            "Chiedi al cittadino il suo codice fiscale: si apre una chiamata, e vedrai solo ciò che serve per aiutarlo.",
            "Ask the citizen for their codice fiscale: a call opens, and you will see only what you need to help them."
        ),
        ConsoleCfLabel => ("Codice fiscale", "Codice fiscale"),
        ConsoleCfHint => ("16 caratteri, lettere e numeri, come sulla tessera sanitaria.", "16 characters, letters and digits, as on the health card."),
        CfMissing => ("Inserisci il codice fiscale del cittadino.", "Enter the citizen's codice fiscale."),
        OpenCall => ("Apri la chiamata", "Open the call"),

        // ——— The call ———
        CallTitle => ("Chiamata — Contact Center", "Call — Contact Center"),
        /// `{cf}` is the citizen's codice fiscale.
        CallHeading => ("Chiamata con {cf}", "Call with {cf}"),
        NewCall => ("Nuova chiamata", "New call"),
        CallNotFound => (
            "Questa chiamata non è tua o è stata aperta più di un'ora fa: apri una nuova chiamata.",
            "This call is not yours or was opened more than an hour ago: open a new call."
        ),
        PinHeading => ("Richiesta del PIN", "PIN request"),
        NoPinRequest => (
            "Il cittadino non ha richiesto il PIN: può farlo sul sito, da «Richiedi il PIN».",
            "The citizen has not requested a PIN: they can do so on the website, from “Request your PIN”."
        ),
        StateLabel => ("Stato", "Status"),
        RequestedLabel => ("Richiesta il", "Requested on"),
        /// `{date}` is day/month/year, `{time}` hours:minutes, Italian time.
        DateAtTime => ("{date} alle {time}", "{date} at {time}"),
        PinPending => ("In attesa di consegna: i primi 8 caratteri non sono ancora stati usati", "Pending delivery: the first 8 characters have not been used yet"),
        PinDelivered => ("Consegnata: il cittadino ha già usato il PIN", "Delivered: the citizen has already used the PIN"),
        PinValidated => ("Convalidata dal Contact Center", "Validated by the Contact Center"),
        PinExpired => ("Scaduta: il cittadino deve richiedere un nuovo PIN", "Expired: the citizen must request a new PIN"),
        PinRevoked => ("Revocata: segnalata come non fatta dal cittadino", "Revoked: reported as not made by the citizen"),
        MayValidate => (
            "I primi 8 caratteri non sono arrivati entro 12 ore: puoi convalidare la richiesta. Ne invieremo di nuovi ai recapiti della richiesta (SMS, e-mail e PEC); la seconda parte, nella lettera, resta valida.",
            "The first 8 characters did not arrive within 12 hours: you can validate the request. New ones will be sent to the request's contacts (SMS, e-mail and PEC); the second part, in the letter, stays valid."
        ),
        /// `{when}` is a date and time, Italian time.
        TooEarly => (
            "Non puoi ancora convalidarla: la convalida è possibile solo se i primi 8 caratteri non arrivano entro 12 ore dalla richiesta, cioè dal {when}. Invita il cittadino a controllare SMS, e-mail e PEC e a richiamare dopo.",
            "You cannot validate it yet: validation is possible only if the first 8 characters have not arrived within 12 hours of the request, that is from {when}. Ask the citizen to check SMS, e-mail and PEC and to call back later."
        ),
        ValidateButton => ("Convalida e invia i nuovi primi 8 caratteri", "Validate and send new first 8 characters"),
        /// `{to}` lists the masked contacts.
        ValidatedNotice => (
            "Richiesta convalidata. I nuovi primi 8 caratteri del PIN sono stati inviati a: {to}.",
            "Request validated. The new first 8 characters of the PIN were sent to: {to}."
        ),
        ConsoleApplicationHeading => ("Domanda di indennità", "Indemnity application"),
        NoApplication => ("Il cittadino non ha ancora presentato la domanda.", "The citizen has not submitted an application yet."),
        SubmittedLabel => ("Presentata il", "Submitted on"),
        ChannelLabel => ("Presentata da", "Filed by"),
        ChannelWeb => ("Il cittadino, online", "The citizen, online"),
        ChannelContactCenter => ("Il Contact Center, per conto del cittadino", "The Contact Center, on the citizen's behalf"),
        PinCheckHeading => ("Verifica dell'identità", "Identity check"),
        PinCheckIntro => (
            "Per compilare la domanda per conto del cittadino, chiedigli di leggerti i primi 8 caratteri del suo PIN. Non annotarli. Se sbaglia, ti diremo quante verifiche restano prima di dover attendere: l'attesa riguarda solo la tua utenza, l'accesso del cittadino non viene bloccato.",
            "To fill in the application on the citizen's behalf, ask them to read you the first 8 characters of their PIN. Do not write them down. If they are wrong, you are told how many checks are left before you have to wait: the wait is only your account's, the citizen's own access is not blocked."
        ),
        PinFirst8Label => ("Primi 8 caratteri del PIN", "First 8 characters of the PIN"),
        PinFirst8Hint => ("Lettere e cifre come le legge il cittadino; gli spazi non contano.", "Letters and digits as the citizen reads them; spaces do not matter."),
        PinFirst8Missing => ("Inserisci gli 8 caratteri che ti legge il cittadino.", "Enter the 8 characters the citizen reads you."),
        PinCheckSubmit => ("Verifica", "Check"),
        // ——— "Non sono stato io" on the call ———
        ReportHeading => ("«Non sono stato io»", "\"It was not me\""),
        ReportIntro => (
            "Se il cittadino dice che la richiesta di PIN o la domanda a suo nome non sono sue, chiedigli di leggerti gli 8 caratteri della lettera arrivata al suo indirizzo di residenza: chi ha fatto la richiesta al suo posto non li ha. La segnalazione revoca il PIN e sospende la domanda fatta con il PIN semplificato, se non è già stata pagata; poi il cittadino può chiedere un nuovo PIN.",
            "If the citizen says the PIN request or the application in their name is not theirs, ask them to read you the 8 characters of the letter that reached their home address: whoever made the request in their place does not have them. The report revokes the PIN and suspends an application made with the simplified PIN, unless it was paid; the citizen can then request a new PIN."
        ),
        LetterLabel => ("Caratteri della lettera", "Characters of the letter"),
        LetterHint => ("Gli 8 caratteri stampati nella lettera, come li legge il cittadino.", "The 8 characters printed in the letter, as the citizen reads them."),
        LetterMissing => ("Inserisci gli 8 caratteri della lettera.", "Enter the 8 characters of the letter."),
        ReportSubmit => ("Segnala: non è stato il cittadino", "Report: it was not the citizen"),
        ReportSending => ("Invio della segnalazione…", "Sending the report…"),
        /// `{protocol}`: the application suspended.
        ReportDoneSuspended => ("Segnalazione registrata: PIN revocato, domanda {protocol} sospesa.", "Report recorded: PIN revoked, application {protocol} suspended."),
        ReportDonePin => ("Segnalazione registrata: PIN revocato. Il cittadino può chiederne uno nuovo.", "Report recorded: PIN revoked. The citizen can request a new one."),
        PinChecked => ("Identità verificata su questa chiamata: puoi compilare la domanda.", "Identity checked on this call: you can fill in the application."),
        FileApplication => ("Compila la domanda per il cittadino", "Fill in the application for the citizen"),

        // ——— The call's banner ———
        BannerTitle => ("Chiamata in corso", "Call in progress"),
        BannerName => ("Cittadino", "Citizen"),
        BannerNameUnchecked => (
            "nome dopo la verifica dei primi 8 caratteri del PIN",
            "name after the check of the first 8 PIN characters"
        ),
        /// `{reason}` is the API's or the network's problem.
        DraftSaveFailed => (
            "Le ultime risposte non sono state salvate sul server: {reason} Restano in questa scheda, non chiuderla: saranno salvate alla prossima modifica o con Avanti.",
            "The latest answers were not saved on the server: {reason} They are kept in this tab, do not close it: they will be saved at the next change or with Continue."
        ),

        // ——— The citizen's messages ———
        MessagesHeading => ("Messaggi inviati", "Messages sent"),
        MessagesIntro => (
            "I messaggi preparati per il cittadino e come sono andati: se dice che un messaggio non gli è arrivato, qui vedi se è partito e quando.",
            "The messages prepared for the citizen and how they went: if they say a message never arrived, here you see whether and when it left."
        ),
        /// `{n}` is how many messages.
        MessagesCaption => ("Messaggi al cittadino, dal più recente: {n}", "Messages to the citizen, newest first: {n}"),
        MessagesNone => ("Nessun messaggio per questo cittadino.", "No messages for this citizen."),
        MessageChannel => ("Canale", "Channel"),
        MessageWhat => ("Contenuto", "Content"),
        MessageTo => ("Destinatario", "Recipient"),
        MessageState => ("Stato", "State"),
        MessageCreated => ("Preparato il", "Prepared on"),
        MessageSentAt => ("Consegnato al gestore il", "Handed to the carrier on"),
        MessageAttempts => ("Tentativi", "Attempts"),
        /// In the "handed to the carrier" column of a message that has not been.
        MessageNotYet => ("Non ancora", "Not yet"),
        ChannelSms => ("SMS", "Text message"),
        ChannelEmail => ("E-mail", "E-mail"),
        ChannelPec => ("PEC", "PEC"),
        ChannelPost => ("Lettera", "Letter"),
        KindPinFirstHalf => ("PIN, prima parte", "PIN, first part"),
        KindPinSecondHalf => ("PIN, seconda parte (lettera)", "PIN, second part (letter)"),
        KindPinValidated => ("PIN, nuova prima parte", "PIN, new first part"),
        KindReceipt => ("Ricevuta della domanda", "Application receipt"),
        KindStatusChange => ("Cambio di stato della domanda", "Application status change"),

        // ——— Filing ———
        FormTitle => ("Domanda per conto del cittadino — Contact Center", "Application on the citizen's behalf — Contact Center"),
        FormHeading => ("Domanda per conto del cittadino", "Application on the citizen's behalf"),
        FormIntro => (
            "Fai al cittadino le stesse domande del modulo online e inserisci le sue risposte. Le dichiarazioni sono sue: leggigliele per intero.",
            "Ask the citizen the same questions as the online form and enter their answers. The declarations are theirs: read them out in full."
        ),
        ConsoleContactsHeading => ("Recapiti del cittadino", "The citizen's contacts"),
        ConsoleDeclarationsHeading => ("Le dichiarazioni del cittadino", "The citizen's declarations"),
        ReadAloud => ("Da leggere al cittadino parola per parola:", "To read to the citizen word for word:"),
        ConsoleHolderOwn => ("Conto intestato solo al cittadino", "Account in the citizen's name only"),
        ConsoleHolderJoint => (
            "Conto cointestato: al cittadino e a un'altra persona",
            "Joint account: in the citizen's name and another person's"
        ),
        ConsoleBenefitHint => (
            "Chiedi al cittadino quale corrisponde al suo lavoro: se ne può chiedere una sola. Ognuna ha il suo articolo del D.L. 18/2020.",
            "Ask the citizen which one matches their work: only one can be applied for. Each has its article of D.L. 18/2020."
        ),
        BackToCall => ("Torna alla chiamata", "Back to the call"),
        ConsoleSummaryTitle => ("Controlla la domanda — Contact Center", "Check the application — Contact Center"),
        ConsoleSubmitText => (
            "Rileggi le risposte al cittadino. Premendo CONFERMA invii la domanda all'INPS per suo conto: il cittadino conferma che le dichiarazioni sono vere (DPR 445/2000). Dopo l'invio non si può modificare.",
            "Read the answers back to the citizen. By pressing CONFIRM you send the application to INPS on their behalf: the citizen confirms that the declarations are true (DPR 445/2000). It cannot be changed after sending."
        ),
        ConsoleSubmitHeading => ("Invia la domanda per il cittadino", "Send the application for the citizen"),
        ConsoleReceiptSummaryHeading => ("Riepilogo della domanda del cittadino", "Summary of the citizen's application"),
        ConsoleReceiptTitle => ("Domanda inviata — Contact Center", "Application sent — Contact Center"),
        PrintReceipt => ("Stampa la ricevuta", "Print the receipt"),
        ReceiptNext => (
            "Comunica al cittadino il numero di protocollo. Riceverà l'esito ai recapiti indicati e può seguire la domanda in «Le mie domande».",
            "Tell the citizen the protocol number. They will get the outcome at the contacts given and can follow the application in “My applications”."
        ),

        // ——— The audit log (supervisors) ———
        AuditTitle => ("Registro delle attività — Contact Center", "Activity log — Contact Center"),
        AuditHeading => ("Registro delle attività", "Activity log"),
        AuditIntro => (
            "Le azioni svolte su un cittadino o da un operatore. Anche questa consultazione è registrata.",
            "The actions taken on a citizen or by an operator. This look-up is recorded too."
        ),
        AuditSubjectLabel => ("Codice fiscale o nome utente", "Codice fiscale or username"),
        AuditSubjectInvalid => (
            "Inserisci il codice fiscale del cittadino (16 caratteri) o il nome utente dell'operatore.",
            "Enter the citizen's codice fiscale (16 characters) or the operator's username."
        ),
        AuditSearch => ("Cerca", "Search"),
        AuditSubjectHint => (
            "Il codice fiscale si può scrivere anche a gruppi, con gli spazi, come lo detta il cittadino.",
            "The codice fiscale may be typed in groups, with spaces, as the citizen reads it out."
        ),
        AuditActionLabel => ("Solo questa azione", "Only this action"),
        AuditActionAll => ("Tutte le azioni", "All actions"),
        AuditActionInvalid => ("Scegli un'azione dall'elenco.", "Choose an action from the list."),
        AuditFromLabel => ("Dal giorno (facoltativo)", "From the day (optional)"),
        AuditToLabel => ("Al giorno, compreso (facoltativo)", "To the day, included (optional)"),
        AuditDayInvalid => ("Inserisci una data vera, ad esempio 03/04/2020.", "Enter a real date, for example 03/04/2020."),
        AuditRangeBackwards => (
            "Il giorno finale non può venire prima di quello iniziale.",
            "The last day cannot come before the first."
        ),
        /// `{subject}` is the codice fiscale, `{n}` how many entries.
        AuditCaptionCitizen => ("Azioni su {subject}, dalla più recente: {n}", "Actions on {subject}, newest first: {n}"),
        /// `{subject}` is the username, `{n}` how many entries.
        AuditCaptionOperator => (
            "Azioni dell'operatore {subject}, dalla più recente: {n}",
            "Actions by operator {subject}, newest first: {n}"
        ),
        /// `{action}` in words.
        AuditCaptionAction => ("solo «{action}»", "only “{action}”"),
        /// `{day}` as 03/04/2020.
        AuditCaptionFrom => ("dal {day}", "from {day}"),
        /// `{day}` as 03/04/2020.
        AuditCaptionTo => ("al {day}", "to {day}"),
        AuditRoleChanged => (
            "Il tuo ruolo è cambiato: ricarica la pagina per consultare il registro.",
            "Your role has changed: reload the page to read the log."
        ),
        /// `{id}` is the call's id.
        DetailCall => ("Chiamata {id}", "Call {id}"),
        /// `{step}` is the step's heading.
        DetailStep => ("Passo «{step}»", "Step “{step}”"),
        RefusedSupervisorOnly => ("Riservato ai supervisori", "Supervisors only"),
        RefusedPinCheckFailed => ("Caratteri del PIN errati", "Wrong PIN characters"),
        RefusedPinCheckRequired => ("Identità non ancora verificata sulla chiamata", "Identity not yet checked on the call"),
        RefusedLetterCheckFailed => ("Caratteri della lettera errati", "Wrong letter characters"),
        RefusedLoginFailed => ("Credenziali errate", "Wrong credentials"),
        RefusedTooEarly => ("Prima delle 12 ore dalla richiesta", "Before 12 hours from the request"),
        RefusedNotValidatable => ("Richiesta del PIN non convalidabile", "PIN request not validatable"),
        RefusedWindowClosed => ("Fuori dall'orario del Contact Center", "Outside the Contact Center's hours"),
        RefusedAlreadySubmitted => ("Domanda già presentata", "Application already submitted"),
        DetailUnknownUsername => ("Nome utente inesistente", "No such username"),
        /// `{protocol}` is the protocol number.
        DetailSubmitted => ("Domanda {protocol} inviata", "Application {protocol} sent"),
        /// `{protocol}` is the protocol number.
        DetailSubmittedAgain => (
            "Domanda {protocol}: la stessa richiesta ripetuta, nessun nuovo invio",
            "Application {protocol}: the same request repeated, nothing sent again"
        ),
        AuditNone => ("Nessuna azione registrata.", "No actions recorded."),
        AuditWhen => ("Quando", "When"),
        AuditOperator => ("Operatore", "Operator"),
        AuditAction => ("Azione", "Action"),
        AuditOutcome => ("Esito", "Outcome"),
        AuditDetail => ("Riferimento", "Reference"),
        OutcomeOk => ("Eseguita", "Done"),
        OutcomeRefused => ("Rifiutata", "Refused"),
        ActionLogin => ("Accesso", "Login"),
        ActionLogout => ("Uscita", "Logout"),
        ActionCallOpened => ("Chiamata aperta", "Call opened"),
        ActionCallRead => ("Chiamata consultata", "Call viewed"),
        ActionPinCheck => ("Verifica del PIN", "PIN check"),
        ActionPinValidation => ("Convalida della richiesta del PIN", "PIN request validation"),
        ActionApplicationRead => ("Domanda consultata", "Application viewed"),
        ActionDraftSaved => ("Bozza salvata", "Draft saved"),
        ActionApplicationSubmitted => ("Domanda inviata", "Application sent"),
        ActionAuditRead => ("Registro consultato", "Log read"),
        ActionIdentityReport => ("Segnalato «non sono stato io»", "Reported “it was not me”"),
        ActionQueueRate => ("Ritmo della sala d'attesa cambiato", "Waiting room rate changed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::t_with;
    use domain::Lang;

    #[test]
    fn every_console_text_has_italian_and_english_with_the_same_placeholders() {
        crate::i18n::check_table(CONSOLE_TEXTS.iter().map(|key| (key.get(Lang::It), key.get(Lang::En))));
    }

    #[test]
    fn a_placeholder_is_filled() {
        assert_eq!(
            t_with(Lang::It, Text::CallHeading, "cf", "RSSMRA85T10A562S"),
            "Chiamata con RSSMRA85T10A562S"
        );
    }
}

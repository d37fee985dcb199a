//! The catalogue of error codes: stable identifiers shared by the SPA and the API, each with a
//! message in Italian and English that names the problem and says how to fix it.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Declares the catalogue once: each code's variant, wire form and Italian and English messages.
///
/// Codes only the server ever shows are marked `server`: their texts are left out of the browser
/// build (wasm32), where `message` gives "" and the SPA shows the API's message instead, which the
/// API already wrote in the request's language. The SPA's size budget is why.
macro_rules! catalogue {
    (@text server $it:literal, $en:literal) => {{
        #[cfg(not(target_arch = "wasm32"))]
        let pair = ($it, $en);
        #[cfg(target_arch = "wasm32")]
        let pair = ("", "");
        pair
    }};
    (@text $it:literal, $en:literal) => {
        ($it, $en)
    };
    ($($(#[$doc:meta])* $variant:ident = $wire:literal => $($server:ident)? ($it:literal, $en:literal $(,)?),)+) => {
        /// A stable error code. The string form (`as_str`) is part of the public API: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "&'static str", try_from = "String")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)+];

        impl ErrorCode {
            /// The stable wire form, e.g. `cf.check_character`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }

            /// The user-facing message in `lang`: what is wrong and how to fix it ("" in the
            /// browser for the codes marked `server`).
            pub fn message(self, lang: Lang) -> &'static str {
                let (it, en) = match self {
                    $(ErrorCode::$variant => catalogue!(@text $($server)? $it, $en),)+
                };
                match lang {
                    Lang::It => it,
                    Lang::En => en,
                }
            }
        }
    };
}

catalogue! {
    /// The request as a whole failed validation (the fields say where).
    ValidationFailed = "validation_failed" => (
        "Alcuni dati non sono corretti: correggi i campi indicati.",
        "Some details are not right: correct the fields shown.",
    ),
    /// A mandatory field was left empty.
    Required = "required" => (
        "Questo campo è obbligatorio.",
        "This field is required.",
    ),
    /// The codice fiscale is not 16 characters long.
    CfLength = "cf.length" => (
        "Il codice fiscale deve avere 16 caratteri, lettere e numeri: controlla di non averne saltato o aggiunto uno.",
        "The codice fiscale must be 16 characters, letters and digits: check that none is missing or extra.",
    ),
    /// Eleven digits were given: a partita IVA or a provisional code, not a person's code.
    CfElevenDigits = "cf.eleven_digits" => (
        "Hai inserito un codice di 11 cifre, come una partita IVA o un codice fiscale provvisorio: inserisci il tuo codice fiscale personale di 16 caratteri, che trovi sulla tessera sanitaria.",
        "You entered an 11-digit code, like a VAT number or a provisional code: enter your personal 16-character codice fiscale, shown on your health card.",
    ),
    /// A character of the codice fiscale is not allowed at its position.
    CfCharacters = "cf.characters" => (
        "Il codice fiscale contiene caratteri non ammessi o fuori posto: controlla di averlo copiato dalla tessera sanitaria.",
        "The codice fiscale has characters that are not allowed or out of place: copy it from your health card.",
    ),
    /// The 9th character of the codice fiscale is not a month letter.
    CfMonth = "cf.month" => (
        "Il nono carattere del codice fiscale indica il mese di nascita e deve essere una di queste lettere: A B C D E H L M P R S T. Controlla di averlo scritto bene.",
        "The 9th character of the codice fiscale is the month of birth and must be one of these letters: A B C D E H L M P R S T. Check that you typed it correctly.",
    ),
    /// The check character does not match the rest of the codice fiscale.
    CfCheckCharacter = "cf.check_character" => (
        "Il codice fiscale non è valido: l'ultimo carattere di controllo non corrisponde. Controlla di averlo scritto senza errori.",
        "The codice fiscale is not valid: its last (check) character does not match. Check it for typing mistakes.",
    ),
    /// The codice fiscale encodes a day that cannot exist in its month.
    CfBirthDate = "cf.birth_date" => (
        "Il codice fiscale contiene una data di nascita impossibile: controlla il mese e il giorno.",
        "The codice fiscale encodes an impossible birth date: check the month and day.",
    ),
    /// The declared surname does not give the surname letters of the codice fiscale.
    CfMismatchSurname = "cf.mismatch_surname" => (
        "Il cognome non corrisponde al codice fiscale: scrivi tutti i cognomi come sul documento d'identità, oppure controlla il codice fiscale.",
        "The surname does not match the codice fiscale: write all your surnames as on your identity document, or check the codice fiscale.",
    ),
    /// The declared given names do not give the name letters of the codice fiscale.
    CfMismatchGivenName = "cf.mismatch_given_name" => (
        "Il nome non corrisponde al codice fiscale: scrivi tutti i nomi come sul documento d'identità, oppure controlla il codice fiscale.",
        "The given name does not match the codice fiscale: write all your given names as on your identity document, or check the codice fiscale.",
    ),
    /// The declared sex disagrees with the codice fiscale.
    CfMismatchSex = "cf.mismatch_sex" => (
        "Il sesso non corrisponde al codice fiscale: controlla la scelta fatta, oppure il codice fiscale.",
        "The sex does not match the codice fiscale: check your choice, or the codice fiscale.",
    ),
    /// The declared date of birth disagrees with the codice fiscale.
    CfMismatchBirthDate = "cf.mismatch_birth_date" => (
        "La data di nascita non corrisponde al codice fiscale: controlla giorno, mese e anno, oppure il codice fiscale.",
        "The date of birth does not match the codice fiscale: check day, month and year, or the codice fiscale.",
    ),
    /// The declared place of birth disagrees with the codice fiscale.
    CfMismatchBirthPlace = "cf.mismatch_birth_place" => (
        "Il luogo di nascita non corrisponde al codice fiscale: scegli il comune (o lo Stato estero) di nascita come si chiamava alla data di nascita, oppure controlla il codice fiscale.",
        "The place of birth does not match the codice fiscale: choose the municipality (or foreign country) of birth as it was named on your date of birth, or check the codice fiscale.",
    ),
    /// The IBAN is not valid, reason unspecified (kept for compatibility: the specific
    /// `iban.*` codes below are what the validator reports).
    IbanInvalid = "iban.invalid" => (
        "L'IBAN non è valido: deve essere un IBAN italiano di 27 caratteri che inizia con IT.",
        "The IBAN is not valid: it must be an Italian IBAN of 27 characters starting with IT.",
    ),
    /// The IBAN is not an Italian one (it does not start with IT).
    IbanCountry = "iban.country" => (
        "L'IBAN deve essere di un conto italiano e iniziare con IT: inserisci l'IBAN di un conto aperto in Italia, intestato o cointestato a te.",
        "The IBAN must be of an Italian account and start with IT: enter the IBAN of an account opened in Italy, in your name or joint name.",
    ),
    /// The IBAN is not 27 characters long.
    IbanLength = "iban.length" => (
        "L'IBAN italiano ha 27 caratteri: controlla di non averne saltato o aggiunto uno, copiandolo dall'estratto conto o dall'app della banca.",
        "An Italian IBAN has 27 characters: check that none is missing or extra, copying it from your bank statement or banking app.",
    ),
    /// A character of the IBAN is not allowed at its position.
    IbanCharacters = "iban.characters" => (
        "L'IBAN contiene caratteri non ammessi o fuori posto: dopo IT vengono due cifre, una lettera, dieci cifre e dodici lettere o cifre. Copialo dall'estratto conto.",
        "The IBAN has characters that are not allowed or out of place: after IT come two digits, a letter, ten digits and twelve letters or digits. Copy it from your bank statement.",
    ),
    /// The IBAN's check digits (mod 97) do not match: a typing mistake.
    IbanChecksum = "iban.checksum" => (
        "L'IBAN non è valido: le cifre di controllo (terzo e quarto carattere) non corrispondono al resto. Controlla di averlo scritto senza errori.",
        "The IBAN is not valid: its check digits (3rd and 4th characters) do not match the rest. Check it for typing mistakes.",
    ),
    /// The CIN letter does not match bank, branch and account: a typing mistake.
    IbanCin = "iban.cin" => (
        "L'IBAN non è valido: la lettera CIN (quinto carattere) non corrisponde a banca, filiale e numero di conto. Controlla di averlo scritto senza errori.",
        "The IBAN is not valid: the CIN letter (5th character) does not match bank, branch and account number. Check it for typing mistakes.",
    ),
    /// The mobile number is not an Italian mobile number.
    MobileInvalid = "mobile.invalid" => (
        "Inserisci un numero di cellulare italiano con prefisso +39, ad esempio +39 333 123 4567.",
        "Enter an Italian mobile number with the +39 prefix, for example +39 333 123 4567.",
    ),
    /// The mobile number lacks the +39 prefix.
    MobilePrefix = "mobile.prefix" => (
        "Aggiungi il prefisso +39 davanti al numero di cellulare, ad esempio +39 333 123 4567.",
        "Add the +39 prefix in front of the mobile number, for example +39 333 123 4567.",
    ),
    /// The number after +39 is not a mobile number (mobiles start with 3).
    MobileNotMobile = "mobile.not_mobile" => (
        "Questo non è un numero di cellulare: dopo +39 i cellulari italiani iniziano con 3. Inserisci un cellulare, non un telefono fisso.",
        "This is not a mobile number: after +39 Italian mobile numbers start with 3. Enter a mobile, not a landline.",
    ),
    /// The mobile number has too few or too many digits.
    MobileLength = "mobile.length" => (
        "Il numero di cellulare ha troppe o troppo poche cifre: dopo +39 servono 9 o 10 cifre, ad esempio +39 333 123 4567.",
        "The mobile number has too many or too few digits: after +39 it needs 9 or 10 digits, for example +39 333 123 4567.",
    ),
    /// The e-mail address is not valid.
    EmailInvalid = "email.invalid" => (
        "Inserisci un indirizzo e-mail valido, ad esempio nome@esempio.it.",
        "Enter a valid e-mail address, for example name@example.it.",
    ),
    /// The PEC address is not a valid e-mail address.
    PecInvalid = "pec.invalid" => (
        "Inserisci un indirizzo PEC (posta elettronica certificata) valido, ad esempio nome@pec.esempio.it.",
        "Enter a valid PEC (certified e-mail) address, for example name@pec.example.it.",
    ),
    /// The province is not a current Italian province abbreviation.
    ProvinceInvalid = "province.invalid" => (
        "Inserisci la sigla di due lettere della provincia, ad esempio RM per Roma o MI per Milano.",
        "Enter the two-letter abbreviation of the province, for example RM for Rome or MI for Milan.",
    ),
    /// The postcode (CAP) is not five digits.
    PostcodeInvalid = "postcode.invalid" => (
        "Il CAP deve essere di 5 cifre, ad esempio 00184.",
        "The postcode (CAP) must be 5 digits, for example 00184.",
    ),
    PinLength = "pin.length" => (
        "Il PIN ha 16 caratteri; per il PIN semplificato bastano i primi 8. Controlla di averli scritti tutti.",
        "The PIN has 16 characters; for the simplified PIN the first 8 are enough. Check you typed them all.",
    ),
    PinCharacters = "pin.characters" => (
        "Il PIN contiene solo lettere maiuscole e cifre da 2 a 9 (non contiene 0, O, 1 né I): controlla il messaggio ricevuto.",
        "The PIN contains only capital letters and the digits 2 to 9 (never 0, O, 1 or I): check the message you received.",
    ),
    NameInvalid = "name.invalid" => (
        "Scrivilo come sul documento d'identità, solo con lettere, spazi e apostrofi (massimo 60 caratteri).",
        "Write it as on your identity document, with letters, spaces and apostrophes only (at most 60 characters).",
    ),
    TextTooLong = "text.too_long" => (
        "Il testo è troppo lungo o contiene caratteri non ammessi: accorcialo.",
        "The text is too long or has characters that are not allowed: shorten it.",
    ),
    SexInvalid = "sex.invalid" => (
        "Scegli «Maschio» o «Femmina», come indicato nel codice fiscale.",
        "Choose “Male” or “Female”, as in your codice fiscale.",
    ),
    DateInvalid = "date.invalid" => (
        "Inserisci una data vera nel formato giorno, mese e anno, ad esempio 10 12 1985.",
        "Enter a real date as day, month and year, for example 10 12 1985.",
    ),
    DateInFuture = "date.future" => (
        "La data di nascita non può essere nel futuro: controlla l'anno.",
        "The date of birth cannot be in the future: check the year.",
    ),
    BirthPlaceUnknown = "birth_place.unknown" => (
        "Non troviamo questo luogo di nascita: scrivi il nome del comune e la sigla della provincia com'erano alla nascita, oppure lo Stato estero con provincia EE.",
        "We cannot find this place of birth: write the municipality and its province's abbreviation as they were at birth, or the foreign country with province EE.",
    ),
    MunicipalityUnknown = "municipality.unknown" => (
        "Questo comune non esiste nella provincia indicata: controlla il nome del comune e la sigla della provincia.",
        "This municipality does not exist in the province given: check the municipality's name and the province's abbreviation.",
    ),
    CountryUnknown = "country.unknown" => (
        "Non troviamo questo Stato: scrivi «Italia» o il nome italiano dello Stato estero, ad esempio Germania.",
        "We cannot find this country: write “Italia” or the Italian name of the foreign country, for example Germania.",
    ),
    PinAlreadyRequested = "pin.already_requested" => (
        "Per questo codice fiscale è già stato richiesto un PIN. Se non hai ricevuto i primi 8 caratteri entro 12 ore, chiama il Contact Center: 803 164 da rete fissa, 06 164 164 da cellulare.",
        "A PIN has already been requested for this codice fiscale. If the first 8 characters have not arrived within 12 hours, call the Contact Center: 803 164 from a landline, +39 06 164 164 from a mobile.",
    ),
    /// The personal data typed are not those registered for the codice fiscale, or it is not
    /// registered at all: one message for both, naming no field (no oracle of registered data).
    RegistryNoMatch = "registry.no_match" => server (
        "I dati inseriti non corrispondono a quelli registrati nell'anagrafe della popolazione per questo codice fiscale. Controlla nome, cognome, sesso, data e luogo di nascita come sono scritti sul documento d'identità; se sono giusti, chiama il Contact Center: 803 164 da rete fissa, 06 164 164 da cellulare.",
        "The details entered do not match those in the population registry for this codice fiscale. Check given name, surname, sex, date and place of birth as written on your identity document; if they are right, call the Contact Center: 803 164 from a landline, +39 06 164 164 from a mobile.",
    ),
    /// The population registry did not answer in time: nothing was saved, the request may be repeated.
    RegistryUnavailable = "registry.unavailable" => server (
        "In questo momento non riusciamo a verificare i tuoi dati con l'anagrafe della popolazione e non abbiamo salvato nulla: riprova tra qualche minuto.",
        "We cannot check your details with the population registry right now and nothing was saved: try again in a few minutes.",
    ),
    LoginFailed = "login.failed" => (
        "Codice fiscale o PIN non corretti. Controlla e riprova: dopo alcuni tentativi errati dovrai attendere prima di riprovare.",
        "Codice fiscale or PIN not correct. Check and try again: after a few wrong attempts you will have to wait before trying again.",
    ),
    /// This caller made too many attempts and must wait (`Retry-After`); the codice fiscale is not
    /// locked for anyone else. The name stays for the wire form, which is never renamed.
    LoginLocked = "login.locked" => (
        "Troppi tentativi errati da questo dispositivo: attendi qualche minuto prima di riprovare. Puoi anche entrare con SPID, CIE o CNS.",
        "Too many wrong attempts from this device: wait a few minutes before trying again. You can also log in with SPID, CIE or CNS.",
    ),
    AuthRequired = "auth.required" => (
        "Devi accedere per continuare. Se eri già entrato, la sessione è scaduta: accedi di nuovo, i dati inseriti non sono persi.",
        "You need to log in to continue. If you were logged in, your session has expired: log in again, nothing you typed is lost.",
    ),
    AuthScope = "auth.scope" => (
        "Con il PIN semplificato puoi solo compilare, inviare e consultare la domanda di indennità. Per questa operazione accedi con il PIN completo, SPID, CIE o CNS.",
        "With the simplified PIN you can only fill in, send and view the indemnity application. For this, log in with the full PIN, SPID, CIE or CNS.",
    ),
    /// The request reached the API's own address instead of coming through the service's site
    /// (CloudFront); only a client that bypasses the site sees this.
    OriginDirect = "origin.direct" => server (
        "Questo indirizzo non è quello del servizio: apri il sito di INPS e ripeti l'operazione da lì.",
        "This is not the service's address: open the INPS site and do it again from there.",
    ),
    RateLimited = "rate_limited" => (
        "Troppe richieste in poco tempo da questo dispositivo: attendi qualche secondo e riprova.",
        "Too many requests from this device in a short time: wait a few seconds and try again.",
    ),
    /// The resource does not exist (or is not the caller's to see).
    NotFound = "not_found" => (
        "La pagina o il dato richiesto non esiste.",
        "The page or item requested does not exist.",
    ),
    /// The server is overloaded: try again after the Retry-After delay.
    Overloaded = "overloaded" => (
        "Il servizio è molto richiesto in questo momento: riprova tra poco.",
        "The service is very busy right now: try again shortly.",
    ),
    /// The waiting room is active and this browser has no admission pass: wait for a turn at the
    /// room's address (`room`).
    QueueRequired = "queue.required" => server (
        "Il servizio è molto richiesto: attendi il tuo turno nella sala d'attesa, la pagina si aggiorna da sola.",
        "The service is very busy: wait for your turn in the waiting room, the page updates by itself.",
    ),
    /// The waiting room has no ticket of this browser (`POST /api/queue/tickets` gives one).
    QueueNoTicket = "queue.no_ticket" => server (
        "Non hai un posto nella sala d'attesa: entra nella sala per averne uno.",
        "You have no place in the waiting room: enter the room to get one.",
    ),
    /// The ticket's turn has not come yet: no pass.
    QueueNotYourTurn = "queue.not_your_turn" => server (
        "Non è ancora il tuo turno: la pagina ti avvisa quando tocca a te.",
        "It is not your turn yet: the page tells you when it is.",
    ),
    /// The request's body arrived too slowly (a failing connection, or a client holding the
    /// server's time): the connection is closed, and the client may send it again.
    RequestTimeout = "request_timeout" => (
        "La richiesta è arrivata troppo lentamente: controlla la connessione e riprova.",
        "The request arrived too slowly: check your connection and try again.",
    ),
    /// The request's body is larger than any the API takes.
    RequestTooLarge = "request_too_large" => (
        "La richiesta è più grande di quanto il servizio accetta.",
        "The request is larger than the service accepts.",
    ),
    /// Something went wrong on our side.
    Internal = "internal" => (
        "Si è verificato un errore nel servizio. I dati inseriti non sono andati persi: riprova.",
        "Something went wrong on our side. Nothing you typed is lost: try again.",
    ),
    /// The request body is not valid JSON of the expected shape.
    MalformedRequest = "malformed_request" => (
        "La richiesta non è nel formato atteso.",
        "The request is not in the expected format.",
    ),
    /// No indemnity was chosen, or the one chosen is not in the catalogue.
    BenefitChoose = "benefit.choose" => (
        "Scegli dall'elenco l'indennità che vuoi chiedere: se non sai quale, leggi la descrizione di ciascuna.",
        "Choose from the list the indemnity you want to apply for: if you are not sure which, read the description of each.",
    ),
    /// A self-declaration that must be confirmed was not ticked.
    DeclarationConfirm = "declaration.confirm" => (
        "Spunta la casella per confermare questa dichiarazione. Se nel tuo caso non è vera, non hai diritto a questa indennità: torna alla scelta e valuta un'altra indennità.",
        "Tick the box to confirm this declaration. If it is not true in your case, you are not entitled to this indemnity: go back to the choice and consider another one.",
    ),
    /// A yes/no question was not answered (or not with yes or no).
    DeclarationYesNo = "declaration.yes_no" => (
        "Rispondi a questa domanda scegliendo «Sì» oppure «No».",
        "Answer this question by choosing “Yes” or “No”.",
    ),
    /// The answer is valid, but with it the citizen is not entitled to the chosen indemnity.
    DeclarationIneligible = "declaration.ineligible" => (
        "Con questa risposta non hai diritto all'indennità scelta. Controlla di aver risposto correttamente; se la risposta è giusta, torna alla scelta e valuta un'altra indennità.",
        "With this answer you are not entitled to the indemnity you chose. Check that you answered correctly; if the answer is right, go back to the choice and consider another indemnity.",
    ),
    /// The answer to a numeric question is not a whole number.
    DeclarationNumber = "declaration.number" => (
        "Scrivi un numero intero usando solo cifre, senza decimali né centesimi, ad esempio 120.",
        "Write a whole number using digits only, without decimals or cents, for example 120.",
    ),
    /// The answer to a numeric question is outside the values that are possible for it.
    DeclarationNumberRange = "declaration.number_range" => (
        "Questo numero non è possibile per questa domanda: controlla di non aver aggiunto o tolto una cifra.",
        "This number is not possible for this question: check that you have not added or left out a digit.",
    ),
    /// No payment method was chosen, or an unknown one.
    PaymentMethod = "payment.method" => (
        "Scegli come ricevere l'indennità: accredito sul tuo conto corrente (IBAN) oppure bonifico da incassare in un ufficio postale.",
        "Choose how to receive the indemnity: credit to your bank account (IBAN) or a transfer to be cashed at a post office.",
    ),
    /// The account-holder question was not answered.
    AccountHolder = "payment.account_holder" => (
        "Indica se il conto è intestato solo a te oppure cointestato a te e a un'altra persona: il conto deve essere intestato o cointestato a chi fa la domanda.",
        "Say whether the account is in your name only or in joint names with another person: the account must be in the applicant's name or joint name.",
    ),
    /// The submission window of the channel is closed now.
    WindowClosed = "submission.window_closed" => server (
        "In questo orario non è possibile inviare la domanda. Puoi compilarla e salvarla adesso, e inviarla quando il servizio apre: l'orario di apertura è indicato nella pagina.",
        "The application cannot be sent at this time. You can fill it in and save it now, and send it when the service opens: the opening time is shown on the page.",
    ),
    /// The citizen has already submitted their one application.
    AlreadySubmitted = "application.already_submitted" => server (
        "Hai già presentato una domanda di indennità: se ne può presentare una sola. Trovi il numero di protocollo e lo stato in «Le mie domande».",
        "You have already submitted an indemnity application: only one is allowed. You can find its protocol number and status in “My applications”.",
    ),
    /// An idempotency key was reused for a different application.
    IdempotencyKeyReused = "idempotency.key_reused" => server (
        "Questa richiesta di invio era già stata usata per una domanda con dati diversi. Ricarica la pagina, controlla i dati e conferma di nuovo.",
        "This sending request was already used for an application with different details. Reload the page, check the details and confirm again.",
    ),
    /// The requested change of status is not allowed from the current status.
    StatusTransition = "status.transition" => server (
        "Questo cambio di stato non è consentito: una domanda passa da presentata a in istruttoria, poi ad accolta o respinta, e solo se accolta a pagata.",
        "This change of status is not allowed: an application goes from submitted to under review, then to accepted or rejected, and only if accepted to paid.",
    ),
    /// The identity provider vouched for a SPID level below 2 (or for none).
    AuthLevelTooLow = "auth.level_too_low" => (
        "Per questo servizio serve SPID di livello 2 o superiore (password e codice temporaneo o app): il livello 1 non basta. Accedi di nuovo con il livello 2.",
        "This service needs SPID level 2 or higher (password plus a one-time code or the app): level 1 is not enough. Log in again at level 2.",
    ),
    /// The identity provider refused, was cancelled or did not answer as the protocol requires.
    AuthProviderFailed = "auth.provider_failed" => (
        "L'accesso con SPID o CIE non è riuscito o è stato annullato. Riprova, oppure accedi con il PIN.",
        "Logging in with SPID or CIE failed or was cancelled. Try again, or log in with the PIN.",
    ),
    /// The login attempt came back without its flow, expired, or with a tampered state.
    AuthFlowInvalid = "auth.flow_invalid" => (
        "La richiesta di accesso è scaduta o non è valida. Ricomincia l'accesso da questa pagina.",
        "The login request has expired or is not valid. Start logging in again from this page.",
    ),
    /// A CNS login's last step was opened in a browser other than the one that started it.
    AuthCnsOtherBrowser = "auth.cns_other_browser" => (
        "Questo collegamento di accesso con CNS è stato aperto in un browser diverso da quello in cui hai iniziato. Per sicurezza non è valido: ricomincia l'accesso con CNS da questa pagina, nello stesso browser.",
        "This CNS login link was opened in a different browser from the one you started in. For your safety it is not valid: start the CNS login again from this page, in the same browser.",
    ),
    /// The identity or certificate carries no valid codice fiscale.
    AuthIdentityInvalid = "auth.identity_invalid" => (
        "L'identità digitale non contiene un codice fiscale valido. Accedi con il PIN o con un'altra identità.",
        "The digital identity carries no valid codice fiscale. Log in with the PIN or another identity.",
    ),
    /// The browser sent no client certificate to the CNS login.
    AuthCertificateMissing = "auth.certificate_missing" => (
        "Non è stata letta nessuna CNS: inserisci la carta nel lettore, scegli il suo certificato quando il browser lo chiede e riprova.",
        "No CNS was read: put the card in the reader, choose its certificate when the browser asks and try again.",
    ),
    /// The client certificate was not issued by a recognised CNS authority.
    AuthCertificateInvalid = "auth.certificate_invalid" => (
        "Il certificato della carta non è stato emesso da un ente riconosciuto per la CNS. Usa una CNS valida.",
        "The card's certificate was not issued by a recognised CNS authority. Use a valid CNS.",
    ),
    /// The client certificate is expired (or not yet valid).
    AuthCertificateExpired = "auth.certificate_expired" => (
        "Il certificato della CNS è scaduto o non ancora valido: rinnova la carta o accedi in un altro modo.",
        "The CNS certificate has expired or is not yet valid: renew the card or log in another way.",
    ),
    /// The client certificate lacks the CNS certificate policy.
    AuthCertificatePolicy = "auth.certificate_policy" => (
        "Questo certificato non è di una Carta Nazionale dei Servizi. Usa la CNS (ad esempio la tessera sanitaria attivata).",
        "This certificate is not from a National Services Card. Use a CNS (for example an activated health card).",
    ),
    /// A protocol number is not in the form INPS-COVID-YYYY-NNNNNNN.
    ProtocolInvalid = "protocol.invalid" => server (
        "Il numero di protocollo ha la forma INPS-COVID-2026-0000123: copialo dalla ricevuta della domanda.",
        "The protocol number looks like INPS-COVID-2026-0000123: copy it from the application receipt.",
    ),
    /// An operator's username, password or TOTP code is wrong (never says which).
    OperatorLoginFailed = "operator.login_failed" => server (
        "Nome utente, password o codice temporaneo non corretti. Controlla e riprova: dopo alcuni tentativi errati dovrai attendere prima di riprovare.",
        "Username, password or one-time code not correct. Check and try again: after a few wrong attempts you will have to wait before trying again.",
    ),
    /// The operator tried to file before verifying the citizen's PIN characters on the call.
    OperatorPinCheckRequired = "operator.pin_check_required" => server (
        "Prima di compilare la domanda per il cittadino inserisci i primi 8 caratteri del PIN che ti legge al telefono.",
        "Before filling in the application for the citizen, enter the first 8 PIN characters they read out on the phone.",
    ),
    /// An agent asked for the audit log, which only supervisors read.
    OperatorSupervisorOnly = "operator.supervisor_only" => server (
        "Il registro delle attività del Contact Center può essere consultato solo da un supervisore.",
        "Only a Contact Center supervisor can read the activity log.",
    ),
    /// The PIN characters the citizen read out do not match.
    OperatorPinCheckFailed = "operator.pin_check_failed" => server (
        "I caratteri del PIN non corrispondono. Chiedi al cittadino di rileggerli; se la richiesta è appena stata convalidata, valgono solo gli 8 caratteri dell'SMS più recente, non quelli arrivati prima.",
        "The PIN characters do not match. Ask the citizen to read them again; if the request was just validated, only the 8 characters of the newest text message are valid, not those that came before.",
    ),
    /// The letter's 8 characters the caller read out do not match: the report on a call is not made.
    OperatorLetterCheckFailed = "operator.letter_check_failed" => server (
        "I caratteri della lettera non corrispondono alla richiesta di PIN in corso: la segnalazione non è stata fatta. Chiedi al cittadino di rileggere gli 8 caratteri della lettera arrivata al suo indirizzo di residenza. Dopo 5 verifiche errate dovrai attendere prima di riprovare.",
        "The letter's characters do not match the current PIN request: the report was not made. Ask the citizen to read again the 8 characters of the letter that reached their home address. After 5 wrong checks you will have to wait before trying again.",
    ),
    /// The simplified PIN of a citizen who reported a PIN request as not theirs: from then on it
    /// opens nothing, since whoever made that request can make another with the same data.
    SimplifiedPinAfterReport = "pin.simplified_after_report" => server (
        "A tuo nome è stata segnalata una richiesta di PIN non fatta da te: per proteggerti, i soli primi 8 caratteri non bastano più. Accedi con il PIN completo (i primi 8 caratteri e gli 8 della lettera arrivata al tuo indirizzo di residenza), con SPID, CIE o CNS.",
        "A PIN request in your name was reported as not made by you: to protect you, the first 8 characters alone are no longer enough. Log in with the full PIN (the first 8 characters and the 8 of the letter that reached your home address), with SPID, CIE or CNS.",
    ),
    /// The PIN request has not yet been pending delivery for 12 hours.
    PinValidationTooEarly = "pin.validation_too_early" => server (
        "La richiesta del PIN si può convalidare solo se i primi 8 caratteri non sono arrivati entro 12 ore: non sono ancora passate. Riprova dall'ora indicata.",
        "The PIN request can be validated only if the first 8 characters have not arrived within 12 hours: they have not yet passed. Try again from the time shown.",
    ),
    /// A draft or application in the citizen's name was made with a stronger credential than the
    /// session's: it is not shown nor changed; the API adds which credentials open it.
    StrongerCredential = "application.stronger_credential" => server (
        "A tuo nome c'è già una domanda o una bozza fatta accedendo con un'identità più sicura di quella che stai usando: per proteggerla non la mostriamo e non si può modificare né sostituire da qui.",
        "There is already an application or a draft in your name made after logging in with a more secure identity than the one you are using: to protect it, it is not shown and cannot be changed or replaced from here.",
    ),
    /// Seeing every PIN request and application in one's name, and reporting one, needs the full
    /// PIN, SPID, CIE or CNS.
    IdentityReviewScope = "identity.review_scope" => server (
        "Per vedere le richieste di PIN e le domande fatte a tuo nome, e segnalare quelle che non hai fatto tu, accedi con il PIN completo, SPID, CIE o CNS.",
        "To see the PIN requests and applications made in your name, and report those you did not make, log in with the full PIN, SPID, CIE or CNS.",
    ),
    /// The reported application was made with a credential stronger than the simplified PIN, or is
    /// paid, refused or already suspended: a report cannot hold it.
    ReportNotSuspendable = "report.not_suspendable" => server (
        "Questa domanda non si può sospendere da qui: è stata fatta con un'identità più sicura del PIN semplificato, oppure è già pagata, respinta o sospesa. Chiama il Contact Center: 803 164 da rete fissa, 06 164 164 da cellulare.",
        "This application cannot be suspended from here: it was made with a more secure identity than the simplified PIN, or it is already paid, refused or suspended. Call the Contact Center: 803 164 from a landline, +39 06 164 164 from a mobile.",
    ),
    /// The reported PIN request is not there any more (revoked already, or replaced).
    ReportNothingToRevoke = "report.nothing_to_revoke" => server (
        "Questa richiesta di PIN non è più attiva: è già stata revocata o sostituita. Ricarica la pagina per vedere la situazione aggiornata.",
        "This PIN request is no longer active: it has already been revoked or replaced. Reload the page to see the current state.",
    ),
    /// The PIN request is not pending delivery (none, used, validated already or expired).
    PinNotValidatable = "pin.not_validatable" => server (
        "Questa richiesta di PIN non si può convalidare: non esiste, è già stata usata o convalidata, oppure è scaduta e va ripresentata.",
        "This PIN request cannot be validated: it does not exist, has already been used or validated, or has expired and must be made again.",
    ),
}

impl ErrorCode {
    /// Every code, for catalogue-wide tests.
    pub fn all() -> &'static [ErrorCode] {
        ALL
    }

    /// Parses the wire form back into a code.
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl From<ErrorCode> for &'static str {
    fn from(code: ErrorCode) -> Self {
        code.as_str()
    }
}

impl TryFrom<String> for ErrorCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        ErrorCode::from_str_code(&value).ok_or_else(|| format!("unknown error code {value}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_unique_wire_form_that_round_trips() {
        let mut seen = HashSet::new();
        for &code in ErrorCode::all() {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert_eq!(ErrorCode::from_str_code(code.as_str()), Some(code));
        }
    }

    #[test]
    fn every_code_has_distinct_italian_and_english_messages() {
        for &code in ErrorCode::all() {
            assert!(!code.message(Lang::It).is_empty());
            assert_ne!(code.message(Lang::It), code.message(Lang::En), "{}", code.as_str());
        }
    }

    #[test]
    fn no_two_codes_share_a_message() {
        // A shared message would mean two problems the user cannot tell apart.
        for lang in [Lang::It, Lang::En] {
            let mut seen = HashSet::new();
            for &code in ErrorCode::all() {
                assert!(seen.insert(code.message(lang)), "{} repeats a message", code.as_str());
            }
        }
    }

    #[test]
    fn every_message_is_a_sentence() {
        for &code in ErrorCode::all() {
            for lang in [Lang::It, Lang::En] {
                let message = code.message(lang);
                assert!(
                    message.ends_with('.'),
                    "{} ({lang:?}) does not end with a full stop",
                    code.as_str()
                );
                assert!(
                    message.chars().next().is_some_and(char::is_uppercase),
                    "{}",
                    code.as_str()
                );
            }
        }
    }

    #[test]
    fn wire_forms_are_lower_case_dotted_identifiers() {
        for &code in ErrorCode::all() {
            let s = code.as_str();
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "{s}"
            );
        }
    }

    #[test]
    fn codes_serialise_as_their_wire_form() {
        let json = serde_json::to_string(&ErrorCode::PecInvalid).unwrap();
        assert_eq!(json, "\"pec.invalid\"");
        assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), ErrorCode::PecInvalid);
        assert!(serde_json::from_str::<ErrorCode>("\"no.such_code\"").is_err());
    }
}

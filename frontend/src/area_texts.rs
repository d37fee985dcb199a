//! The words of the "area riservata" (the application's pages), Italian and English: keys of the
//! one [`Text`] type, kept in a table apart from the shared ones (`i18n`) so that only the
//! bundles that show them link them (ADR 0008).
//!
//! [`Words`] names any text a page of the area shows: one of the shared UI texts, one of these, or
//! one of the benefit catalogue's (whose titles and declarations are data, in both languages).

use std::sync::Arc;

use domain::Lang;
use domain::benefits::Text as DataText;

use leptos::prelude::*;

use crate::i18n::{Text, bilingual_texts, t};
use crate::ui::use_lang;

bilingual_texts! {
    /// The area's own texts.
    AREA_TEXTS {
        // ——— Start page ———
        ApplicationTitle => ("La tua domanda — Sportello", "Your application — Sportello"),
        ApplicationHeading => ("La tua domanda di indennità", "Your indemnity application"),
        /// `{cf}` is the codice fiscale, `{access}` one of `AccessSimplified` / `AccessFull` / `AccessOther`.
        LoggedInAs => (
            "Hai effettuato l'accesso con il codice fiscale {cf} tramite {access}.",
            "You are logged in with codice fiscale {cf} using the {access}."
        ),
        AccessSimplified => ("PIN semplificato", "simplified PIN"),
        AccessFull => ("PIN completo", "full PIN"),
        SimplifiedScopeNote => (
            "Con il PIN semplificato puoi compilare, inviare e consultare solo questa domanda.",
            "With the simplified PIN you can only fill in, send and view this application."
        ),
        StepsHeading => ("Come si presenta la domanda", "How to apply"),
        ApplicationStep1 => (
            "Scegli l'indennità che ti spetta: una sola per persona (articoli 27, 28, 29, 30 o 38 del decreto-legge 18/2020).",
            "Choose the indemnity you are entitled to: one per person (articles 27, 28, 29, 30 or 38 of decree-law 18/2020)."
        ),
        ApplicationStep2 => (
            "Rendi le dichiarazioni richieste per quell'indennità (DPR 445/2000).",
            "Make the declarations that indemnity requires (DPR 445/2000)."
        ),
        ApplicationStep3 => (
            "Scegli come ricevere il pagamento: accredito su un IBAN italiano intestato o cointestato a te, oppure bonifico da riscuotere all'ufficio postale.",
            "Choose how to be paid: to an Italian IBAN in your name or joint name, or a transfer to collect at a post office."
        ),
        ApplicationStep4 => (
            "Controlla le risposte e invia: riceverai una ricevuta con il numero di protocollo.",
            "Check your answers and send: you will get a receipt with a protocol number."
        ),
        WindowSendHours => (
            "Puoi inviarla dalle {start} alle {end}, ora italiana. Negli altri orari l'invio è riservato a patronati e intermediari.",
            "You can send it from {start} to {end}, Italian time. At other times sending is reserved for welfare offices and intermediaries."
        ),
        DraftSavedNote => (
            "Le risposte vengono salvate a ogni passo: se esci o la connessione cade, le ritrovi al prossimo accesso.",
            "Your answers are saved at every step: if you leave or the connection drops, you will find them next time you log in."
        ),
        StartApplication => ("Inizia la domanda", "Start your application"),
        ResumeApplication => ("Riprendi la domanda", "Continue your application"),
        /// `{protocol}` is the protocol number.
        AlreadySubmittedLead => (
            "Hai già presentato la domanda con numero di protocollo {protocol}.",
            "You have already submitted your application, protocol number {protocol}."
        ),
        SeeReceipt => ("Vedi la ricevuta", "See the receipt"),
        WindowClosedTitle => ("Importante", "Important"),

        // ——— Steps ———
        /// `{n}` is the step's number.
        StepCaption => ("Domanda di indennità — passo {n} di 4", "Indemnity application — step {n} of 4"),
        BenefitTitle => ("Quale indennità chiedi? — Sportello", "Which indemnity are you applying for? — Sportello"),
        BenefitHeading => ("Quale indennità chiedi?", "Which indemnity are you applying for?"),
        BenefitHint => (
            "Scegli quella che corrisponde al tuo lavoro: puoi chiederne una sola.",
            "Choose the one that matches your work: you can apply for one only."
        ),
        BenefitLabel => ("Indennità", "Indemnity"),
        DeclarationsTitle => ("Le tue dichiarazioni — Sportello", "Your declarations — Sportello"),
        DeclarationsHeading => ("Le tue dichiarazioni", "Your declarations"),
        DeclarationsIntro => (
            "Dichiari sotto la tua responsabilità, ai sensi degli articoli 46 e 47 del DPR 445/2000, sapendo che le dichiarazioni false sono punite dalla legge (articolo 76).",
            "You declare on your own responsibility, under articles 46 and 47 of DPR 445/2000, knowing that false declarations are punished by law (article 76)."
        ),
        DeclarationsNoBenefit => (
            "Prima scegli l'indennità: le dichiarazioni dipendono da quella.",
            "Choose the indemnity first: the declarations depend on it."
        ),
        ConfirmBox => ("Confermo", "I confirm"),
        AnswerYes => ("Sì", "Yes"),
        AnswerNo => ("No", "No"),
        PaymentTitle => ("Come vuoi ricevere il pagamento? — Sportello", "How do you want to be paid? — Sportello"),
        PaymentHeading => ("Come vuoi ricevere il pagamento?", "How do you want to be paid?"),
        PaymentIntro => (
            "L'INPS paga l'indennità con un accredito su un conto italiano intestato o cointestato a te, oppure con un bonifico che riscuoti in un ufficio postale.",
            "INPS pays the indemnity into an Italian account in your name or joint name, or by a transfer you collect at a post office."
        ),
        PaymentMethodLegend => ("Modalità di pagamento", "Payment method"),
        PaymentIban => ("Accredito sul conto (IBAN)", "Into a bank account (IBAN)"),
        PaymentPostOffice => ("Bonifico da riscuotere all'ufficio postale", "Transfer to collect at a post office"),
        PaymentPostOfficeHint => (
            "Porta un documento d'identità e il codice fiscale in un ufficio postale qualsiasi.",
            "Bring an identity document and your codice fiscale to any post office."
        ),
        IbanLabel => ("IBAN", "IBAN"),
        IbanHint => (
            "27 caratteri, inizia con IT. Ad esempio IT60 X054 2811 1010 0000 0123 456.",
            "27 characters, starting with IT. For example IT60 X054 2811 1010 0000 0123 456."
        ),
        HolderLegend => ("A chi è intestato il conto?", "Whose name is the account in?"),
        HolderOwn => ("Solo a me", "Mine only"),
        HolderJoint => ("A me e a un'altra persona (conto cointestato)", "Mine and another person's (joint account)"),
        JointHolderLabel => ("Nome e cognome dell'altro intestatario", "Name and surname of the other account holder"),
        ContactsTitle => ("I tuoi recapiti — Sportello", "Your contact details — Sportello"),
        ContactsHeading => ("I tuoi recapiti", "Your contact details"),
        ContactsIntro => (
            "Li abbiamo presi dalla tua richiesta del PIN: correggili se sono cambiati. Li useremo per comunicarti l'esito della domanda.",
            "We took them from your PIN request: correct them if they have changed. We will use them to tell you the outcome of your application."
        ),
        PecOptionalLabel => ("PEC (facoltativa)", "PEC (optional)"),

        // ——— Check your answers ———
        SummaryTitle => ("Controlla la tua domanda — Sportello", "Check your application — Sportello"),
        SummaryHeading => ("Controlla le risposte prima di inviare", "Check your answers before sending"),
        SubmitHeading => ("Invia la domanda", "Send your application"),
        SubmitText => (
            "Premendo CONFERMA invii la domanda all'INPS e confermi che le dichiarazioni sono vere (DPR 445/2000). Dopo l'invio non potrai modificarla.",
            "By pressing CONFIRM you send your application to INPS and confirm that your declarations are true (DPR 445/2000). You cannot change it after sending."
        ),
        MyApplicationsLink => ("Le mie domande", "My applications"),

        // ——— Receipt ———
        ReceiptTitle => ("Domanda inviata — Sportello", "Application sent — Sportello"),
        ReceiptHeading => ("Domanda inviata", "Application sent"),
        ProtocolLabel => ("Numero di protocollo", "Protocol number"),
        ApplicantLabel => ("Richiedente", "Applicant"),
        ApplicantCfLabel => ("Codice fiscale", "Codice fiscale"),
        /// `{date}` is day/month/year, `{time}` hours:minutes, both Italian time.
        SubmittedAt => (
            "Inviata il {date} alle {time} (ora italiana).",
            "Sent on {date} at {time} (Italian time)."
        ),
        NextHeading => ("Cosa succede ora", "What happens next"),
        NextText => (
            "L'INPS esamina la domanda. Puoi seguirne lo stato in «Le mie domande».",
            "INPS will check your application. You can follow its status in “My applications”."
        ),
        /// `{email}` and `{mobile}` masked, as the citizen gave them in the application.
        ReceiptSentTo => (
            "Ti abbiamo inviato questa ricevuta, con il numero di protocollo, per e-mail a {email} e per SMS al {mobile}.",
            "We have sent you this receipt, with its protocol number, by e-mail to {email} and by text message to {mobile}."
        ),
        Print => ("Stampa la ricevuta", "Print the receipt"),
        ReceiptSummaryHeading => ("Riepilogo della domanda", "Summary of your application"),

        // ——— In my name ("Non sono stato io") ———
        InMyNameTitle => ("A tuo nome — Sportello", "In your name — Sportello"),
        InMyNameHeading => ("Richieste e domande a tuo nome", "Requests and applications in your name"),
        InMyNameLink => ("Richieste e domande a tuo nome", "Requests and applications in your name"),
        InMyNameIntro => (
            "Ecco ogni richiesta di PIN e ogni domanda fatta con il tuo codice fiscale. Se una non l'hai fatta tu, premi «Non sono stato io»: revochiamo il PIN e sospendiamo la domanda fatta con il PIN semplificato, che l'INPS controllerà. Poi puoi chiedere un nuovo PIN e presentare la tua domanda.",
            "Here is every PIN request and every application made with your codice fiscale. If you did not make one, press “It was not me”: we revoke the PIN and suspend the application made with the simplified PIN, which INPS will check. You can then request a new PIN and submit your own application."
        ),
        PinRequestsHeading => ("Richieste di PIN", "PIN requests"),
        ApplicationsHeading => ("Domande", "Applications"),
        PinRequestHeading => ("Richiesta del PIN del", "PIN request of"),
        PinStatePending => ("Inviato, non ancora usato", "Sent, not used yet"),
        PinStateDelivered => ("Usato per accedere", "Used to log in"),
        PinStateValidated => ("Convalidato dal Contact Center", "Validated by the Contact Center"),
        PinStateExpired => ("Scaduto", "Expired"),
        PinStateRevoked => ("Revocato", "Revoked"),
        SentSms => ("Primi 8 caratteri per SMS a", "First 8 characters by text to"),
        SentEmail => ("Primi 8 caratteri per e-mail a", "First 8 characters by e-mail to"),
        SentLetter => ("Lettera con gli altri 8 a", "Letter with the other 8 to"),
        MadeWith => ("Presentata con", "Submitted with"),
        ContactsGiven => ("Recapiti indicati", "Contact details given"),
        ContactsHidden => (
            "Non mostrati: la domanda è stata fatta con un'identità più sicura di quella che stai usando.",
            "Not shown: the application was made with a more secure identity than the one you are using."
        ),
        ReportPin => ("Non sono stato io: revoca questo PIN", "It was not me: revoke this PIN"),
        ReportApplication => ("Non sono stato io: sospendi questa domanda", "It was not me: suspend this application"),
        ReportedPin => (
            "Fatto: il PIN è revocato e non permette più di accedere. Puoi chiedere un nuovo PIN.",
            "Done: the PIN is revoked and no longer lets anyone log in. You can request a new PIN."
        ),
        ReportedApplication => (
            "Fatto: la domanda è sospesa e l'INPS la controllerà; il PIN con cui è stata fatta è revocato. Puoi presentare la tua domanda.",
            "Done: the application is suspended and INPS will check it; the PIN it was made with is revoked. You can submit your own application."
        ),

        // ——— My applications ———
        MyApplicationsTitle => ("Le mie domande — Sportello", "My applications — Sportello"),
        NoApplications => ("Non hai ancora presentato domande.", "You have not submitted any application yet."),
        /// `{protocol}` is the protocol number.
        ApplicationNumber => ("Domanda {protocol}", "Application {protocol}"),
        StatusLabel => ("Stato", "Status"),
        HistoryCaption => ("Storia della domanda", "History of the application"),
        HistoryWhen => ("Data e ora (ora italiana)", "Date and time (Italian time)"),
        FiledLabel => ("Presentata", "Filed"),
        /// `{date}` day/month/year, `{time}` hours:minutes, Italian time.
        FiledOnline => (
            "Da te, online, il {date} alle {time} (ora italiana)",
            "By you, online, on {date} at {time} (Italian time)"
        ),
        /// `{date}` day/month/year, `{time}` hours:minutes, Italian time.
        FiledByContactCenter => (
            "Dal Contact Center INPS per tuo conto, il {date} alle {time} (ora italiana)",
            "By the INPS Contact Center on your behalf, on {date} at {time} (Italian time)"
        ),
    }
}

/// Any text of the area's pages.
#[derive(Debug, Clone, Copy)]
pub enum Words {
    /// One of the SPA's texts (shared or the area's own).
    Ui(Text),
    /// From the benefit catalogue (data, both languages).
    Data(&'static DataText),
}

impl Words {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match self {
            Words::Ui(key) => t(lang, key),
            Words::Data(text) => text.get(lang),
        }
    }
}

impl From<Text> for Words {
    fn from(key: Text) -> Self {
        Words::Ui(key)
    }
}

impl From<&'static DataText> for Words {
    fn from(text: &'static DataText) -> Self {
        Words::Data(text)
    }
}

/// `words` in the current language, as a reactive text node, from any source.
pub fn ww(words: Words) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || words.get(lang.get())
}

/// A reactive piece of view. Tachys compiles its render code once per closure type, about 1.6 KB
/// of wasm each: the area's pages put every reactive view through this one type.
pub type DynView = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// `view` as the one closure type of the area's reactive views.
pub fn dyn_view(view: DynView) -> impl Fn() -> AnyView + Send + Sync + 'static {
    move || view()
}

/// A reactive text, through one closure type as [`dyn_view`] does for views.
pub fn dyn_text(text: Arc<dyn Fn() -> String + Send + Sync>) -> impl Fn() -> String + Send + Sync + 'static {
    move || text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::t_with;

    #[test]
    fn every_area_text_has_italian_and_english_with_the_same_placeholders() {
        crate::i18n::check_table(AREA_TEXTS.iter().map(|key| (key.get(Lang::It), key.get(Lang::En))));
    }

    #[test]
    fn words_read_from_each_source() {
        let data = &domain::benefits::Catalogue::embedded().benefits()[0].title;
        assert_eq!(Words::from(Text::Back).get(Lang::It), "Indietro");
        assert_eq!(Words::from(Text::IbanLabel).get(Lang::En), "IBAN");
        assert_eq!(Words::from(data).get(Lang::It), data.it);
        assert_eq!(
            t_with(Lang::It, Text::ApplicationNumber, "protocol", "X-1"),
            "Domanda X-1"
        );
    }
}

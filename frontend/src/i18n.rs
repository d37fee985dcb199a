//! The SPA's own words, Italian first and English too. Messages about invalid data come from
//! `domain::ErrorCode::message`, so that the page and the API say the same thing.
//!
//! Every key is declared with both languages at once (the `texts!` macro takes the pair), so a key
//! without its English cannot compile; the tests check that neither side is empty and that both
//! carry the same placeholders.

use domain::Lang;

/// Declares a table of texts in Italian and English: one constant of [`Text`] per key, each
/// pointing at its own static pair, and the table's list of keys for its tests. Not the arms of one `match`: a `match` is one table that the
/// linker keeps whole wherever any key is used, a static only in the bundles that show it (ADR
/// 0008); and one pointer per use keeps call sites as small as an enum's. A key cannot be
/// declared without both languages; `check_table` tests the rest.
macro_rules! bilingual_texts {
    ($(#[$tdoc:meta])* $all:ident { $($(#[$doc:meta])* $key:ident => ($it:expr, $en:expr),)* }) => {
        #[allow(non_upper_case_globals)]
        impl $crate::i18n::Text {
            $($(#[$doc])* pub const $key: $crate::i18n::Text = $crate::i18n::Text(&($it, $en));)*
        }
        $(#[$tdoc])*
        #[cfg(test)]
        pub const $all: &[$crate::i18n::Text] = &[$($crate::i18n::Text::$key,)*];
    };
}

/// A text key: one type for the words of every bundle, whose tables (`i18n`, `area_texts`,
/// `console::texts`) each add their keys as constants, so that a component takes any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text(pub(crate) &'static (&'static str, &'static str));

impl Text {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::It => self.0.0,
            Lang::En => self.0.1,
        }
    }
}

pub(crate) use bilingual_texts;

/// Checks a whole table: neither language empty, the same `{placeholders}` in both, and
/// sentences translated rather than copied (names may read the same in both languages).
#[cfg(test)]
pub fn check_table(texts: impl IntoIterator<Item = (&'static str, &'static str)>) {
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }
    for (it, en) in texts {
        assert!(
            !it.trim().is_empty() && !en.trim().is_empty(),
            "{it:?} / {en:?}: a language is missing"
        );
        assert_eq!(
            placeholders(it),
            placeholders(en),
            "{it:?} / {en:?}: the placeholders differ"
        );
        if it.split_whitespace().count() > 3 {
            assert_ne!(it, en, "{it:?} is not translated");
        }
    }
}

bilingual_texts! {
    /// The user-interface texts shared by the bundles.
    UI_TEXTS {
        /// The document title of the home page (also in `index.html`).
        HomeTitle => ("Sportello — Indennità 600 euro", "Sportello — 600 euro indemnity"),
        /// The document title of the page shown for unknown addresses.
        NotFoundTitle => ("Pagina non trovata — Sportello", "Page not found — Sportello"),
        /// Prefixed to the document title while an error summary shows.
        TitleErrorPrefix => ("Errore: ", "Error: "),
        SkipLink => ("Vai al contenuto principale", "Skip to main content"),
        ServiceName => ("Sportello", "Sportello"),
        ServiceTagline => ("Indennità COVID-19 da 600 euro", "COVID-19 indemnity of 600 euro"),
        /// The language switch shows the *other* language, written in that language.
        SwitchToOther => ("English", "Italiano"),
        HomeHeading => (
            "Domanda per l'indennità di 600 euro",
            "Apply for the 600 euro indemnity"
        ),
        HomeLead => (
            "Con questo servizio chiedi all'INPS l'indennità una tantum di 600 euro prevista dal decreto-legge 18/2020 «Cura Italia» per chi ha perso lavoro o reddito a causa dell'emergenza COVID-19.",
            "Use this service to ask INPS for the one-off indemnity of 600 euro set by decree-law 18/2020 (\"Cura Italia\") for people who lost work or income because of the COVID-19 emergency."
        ),
        HomeWhoFor => (
            "Possono chiederla, tra gli altri, liberi professionisti e collaboratori iscritti alla Gestione separata, artigiani e commercianti, lavoratori stagionali del turismo, operai agricoli a tempo determinato e lavoratori dello spettacolo. Si presenta una sola domanda per persona.",
            "Among others, it is for self-employed professionals and collaborators in the Gestione separata, artisans and traders, seasonal tourism workers, fixed-term farm workers and entertainment workers. Each person sends one application only."
        ),
        AccessHeading => ("Come accedere", "How to sign in"),
        AccessIntro => ("Puoi entrare con una di queste credenziali:", "You can sign in with any of these:"),
        AccessPinInps => (
            "PIN INPS: il codice personale completo di 16 caratteri.",
            "INPS PIN: the full personal code of 16 characters."
        ),
        AccessPinSimplified => (
            "PIN semplificato: bastano i primi 8 caratteri del PIN INPS, ricevuti via SMS, e-mail o PEC. Valgono solo per compilare e inviare questa domanda.",
            "Simplified PIN: the first 8 characters of the INPS PIN, received by text message, e-mail or PEC, are enough. They work only to fill in and send this application."
        ),
        AccessSpid => ("SPID di livello 2 o superiore.", "SPID at level 2 or higher."),
        AccessCie => ("CIE 3.0, la carta d'identità elettronica.", "CIE 3.0, the Italian electronic identity card."),
        AccessCns => ("CNS, la carta nazionale dei servizi.", "CNS, the national services card."),
        WindowHeading => ("Quando inviare la domanda", "When you can send it"),
        WindowFill => (
            "Puoi compilare la domanda e salvarla in qualsiasi momento.",
            "You can fill in your application and save it at any time."
        ),
        // The hours are the server's (`GET /api/service/hours`), put in by `service_info::window_send`.
        WindowSend => (
            "Puoi inviarla dalle {start} alle {end}, ora italiana. Dalle {cc_start} alle {cc_end} l'invio è riservato a patronati e intermediari.",
            "You can send it from {start} to {end}, Italian time. From {cc_start} to {cc_end} sending is reserved for welfare offices and intermediaries."
        ),
        CfHeading => ("Verifica il tuo codice fiscale", "Check your codice fiscale"),
        CfIntro => (
            "Prima di iniziare, controlla che il codice fiscale sia scritto correttamente.",
            "Before you start, check that your codice fiscale (Italian tax code) is written correctly."
        ),
        CfLabel => ("Codice fiscale", "Codice fiscale"),
        CfHint => (
            "16 caratteri, lettere e numeri: lo trovi sulla tessera sanitaria. Ad esempio RSSMRA85T10A562S.",
            "16 characters, letters and digits: it is on your health card. For example RSSMRA85T10A562S."
        ),
        CfSubmit => ("Verifica", "Check"),
        /// `{cf}` is replaced by the code, as the API normalised it.
        CfValid => (
            "Il codice fiscale {cf} è formalmente corretto.",
            "The codice fiscale {cf} is correctly formed."
        ),
        CfOmocode => (
            "È un codice omocodico: alcune cifre sono sostituite da lettere, come succede quando due persone avrebbero lo stesso codice.",
            "It is an omocode: some digits are replaced by letters, as happens when two people would otherwise share a code."
        ),
        Checking => ("Verifica in corso…", "Checking…"),
        /// `{seconds}`: whole seconds until the next automatic attempt; `{attempt}` of `{of}`: which
        /// attempt that will be, of how many at most.
        Retrying => (
            "Il servizio è molto richiesto: nuovo tentativo tra {seconds} s ({attempt} di {of}). Non serve ricaricare la pagina: i dati inseriti restano.",
            "The service is very busy: trying again in {seconds} s ({attempt} of {of}). There is no need to reload the page: what you typed is kept."
        ),
        /// As `Retrying`, when the connection failed (no answer at all).
        RetryingUnreachable => (
            "La connessione non risponde: nuovo tentativo tra {seconds} s ({attempt} di {of}). Controlla la rete; i dati inseriti restano.",
            "The connection is not answering: trying again in {seconds} s ({attempt} of {of}). Check your network; what you typed is kept."
        ),
        /// As `Retrying`, when the service answered with an error of its own.
        RetryingFailing => (
            "Il servizio ha avuto un problema: nuovo tentativo tra {seconds} s ({attempt} di {of}). Non serve ricaricare la pagina: i dati inseriti restano.",
            "The service had a problem: trying again in {seconds} s ({attempt} of {of}). There is no need to reload the page: what you typed is kept."
        ),
        /// After the last automatic attempt, above the "Riprova" button.
        GaveUp => (
            "Il servizio non ha risposto. I dati inseriti non sono andati persi: puoi riprovare ora.",
            "The service did not answer. Nothing you typed is lost: you can try again now."
        ),
        RetryNow => ("Riprova", "Try again"),
        ErrorSummaryTitle => ("C'è un problema", "There is a problem"),
        /// Read by screen readers before an inline error message; not shown.
        ErrorPrefix => ("Errore:", "Error:"),
        NetworkError => (
            "Non riusciamo a raggiungere il servizio. Controlla la connessione e riprova: i dati inseriti non sono andati persi.",
            "We cannot reach the service. Check your connection and try again: nothing you typed is lost."
        ),
        NotFoundHeading => ("Pagina non trovata", "Page not found"),
        NotFoundBody => (
            "Se hai scritto l'indirizzo a mano, controlla che sia corretto.",
            "If you typed the web address, check it is correct."
        ),
        NotFoundHomeLink => ("Vai alla pagina iniziale", "Go to the start page"),
        // ——— Shared by the question pages ———
        Back => ("Indietro", "Back"),
        Continue => ("Avanti", "Continue"),
        Sending => ("Invio in corso…", "Sending…"),
        Loading => ("Caricamento in corso…", "Loading…"),
        Change => ("Modifica", "Change"),
        DateDay => ("Giorno", "Day"),
        DateMonth => ("Mese", "Month"),
        DateYear => ("Anno", "Year"),
        ImportantTitle => ("Importante", "Important"),

        // ——— Start page ———
        StartIntro => (
            "Per presentare la domanda ti serve il PIN INPS. Se non ce l'hai, richiedilo: i primi 8 caratteri arrivano subito per SMS, e-mail e PEC e bastano per accedere.",
            "To apply you need the INPS PIN. If you do not have one, request it: the first 8 characters arrive at once by text message, e-mail and PEC, and they are enough to log in."
        ),
        StartRequestPin => ("Richiedi il PIN", "Request a PIN"),
        StartLogin => ("Accedi", "Log in"),

        // ——— PIN request ———
        PinCaption => ("Richiesta PIN", "PIN request"),
        /// `{n}` is the step's number.
        PinStepCaption => ("Richiesta PIN, passo {n} di 4", "PIN request, step {n} of 4"),
        PinIdentityTitle => (
            "Codice fiscale e residenza — Richiesta PIN — Sportello",
            "Codice fiscale and residence — PIN request — Sportello"
        ),
        PinIdentityHeading => ("Codice fiscale e Stato di residenza", "Codice fiscale and country of residence"),
        PinIdentityIntro => (
            "Ti chiediamo pochi dati per pagina. Quello che scrivi resta salvato su questo dispositivo finché non invii la richiesta.",
            "We ask for a few details on each page. What you type stays saved on this device until you send the request."
        ),
        ResidenceCountryLabel => ("Stato di residenza", "Country of residence"),
        ResidenceCountryHint => (
            "Se vivi in Italia lascia «Italia»; altrimenti scrivi il nome italiano dello Stato, ad esempio Germania.",
            "If you live in Italy leave “Italia”; otherwise write the country's Italian name, for example Germania."
        ),
        PinPersonalTitle => ("Dati anagrafici — Richiesta PIN — Sportello", "Personal details — PIN request — Sportello"),
        PinPersonalHeading => ("Dati anagrafici", "Personal details"),
        PinPersonalIntro => (
            "Scrivili come sul documento d'identità: devono corrispondere al codice fiscale. Sesso, data e luogo di nascita li abbiamo già letti nel codice fiscale: controlla che siano giusti.",
            "Write them as on your identity document: they must match your codice fiscale. We have already read your sex, date and place of birth from the codice fiscale: check that they are right."
        ),
        GivenNameLabel => ("Nome", "Given name"),
        GivenNameHint => ("Tutti i nomi, se ne hai più di uno.", "All your given names, if you have more than one."),
        SurnameLabel => ("Cognome", "Surname"),
        SurnameHint => ("Tutti i cognomi, se ne hai più di uno.", "All your surnames, if you have more than one."),
        SexLegend => ("Sesso", "Sex"),
        SexHint => ("Come indicato nel codice fiscale.", "As in your codice fiscale."),
        SexMale => ("Maschio", "Male"),
        SexFemale => ("Femmina", "Female"),
        BirthDateLegend => ("Data di nascita", "Date of birth"),
        BirthDateHint => ("Ad esempio 10 12 1985", "For example 10 12 1985"),
        BirthPlaceLabel => ("Comune o Stato estero di nascita", "Municipality or foreign country of birth"),
        BirthPlaceHint => (
            "Il nome che aveva alla data di nascita, ad esempio Roma oppure Germania.",
            "Its name on your date of birth, for example Roma or Germania."
        ),
        BirthProvinceLabel => ("Provincia di nascita", "Province of birth"),
        BirthProvinceHint => (
            "La sigla di due lettere, ad esempio RM. Scrivi EE se sei nato all'estero.",
            "The two-letter abbreviation, for example RM. Write EE if you were born abroad."
        ),
        PinResidenceTitle => ("Residenza — Richiesta PIN — Sportello", "Home address — PIN request — Sportello"),
        PinResidenceHeading => ("Indirizzo di residenza", "Home address"),
        PinResidenceIntro => (
            "Gli altri 8 caratteri del PIN arriveranno per posta all'indirizzo di residenza registrato nell'anagrafe della popolazione, anche se qui ne scrivi un altro. Se quello dell'anagrafe non è aggiornato, chiama il Contact Center.",
            "The other 8 characters of the PIN will arrive by post at the home address registered in the population registry, even if you write another one here. If the registry's address is out of date, call the Contact Center."
        ),
        AddressLabel => ("Indirizzo", "Address"),
        AddressHint => ("Via o piazza e numero civico.", "Street and house number."),
        PostcodeLabel => ("CAP", "Postcode (CAP)"),
        PostcodeHint => ("5 cifre, ad esempio 00184.", "5 digits, for example 00184."),
        PostcodeAbroadLabel => ("Codice postale (facoltativo)", "Postcode (optional)"),
        PostcodeAbroadHint => ("Se nel tuo Stato si usa.", "If your country uses one."),
        MunicipalityLabel => ("Comune", "Municipality"),
        MunicipalityHint => ("Ad esempio Roma.", "For example Roma."),
        CityLabel => ("Città", "City"),
        CityHint => ("Ad esempio Berlino.", "For example Berlin."),
        ProvinceLabel => ("Provincia", "Province"),
        ProvinceHint => ("La sigla di due lettere, ad esempio RM.", "The two-letter abbreviation, for example RM."),
        PinContactsTitle => ("Recapiti — Richiesta PIN — Sportello", "Contact details — PIN request — Sportello"),
        PinContactsHeading => ("Recapiti", "Contact details"),
        PinContactsIntro => (
            "Servono tutti e tre: i primi 8 caratteri del PIN arrivano subito per SMS, e-mail e PEC, e gli stessi recapiti servono anche per la domanda di indennità.",
            "All three are required: the first 8 characters of the PIN arrive at once by text message, e-mail and PEC, and the same contacts are needed for the indemnity application too."
        ),
        MobileLabel => ("Cellulare", "Mobile phone"),
        MobileHint => ("Con il prefisso +39, ad esempio +39 333 123 4567.", "With the +39 prefix, for example +39 333 123 4567."),
        EmailLabel => ("E-mail", "E-mail"),
        EmailHint => ("Ad esempio nome@esempio.it.", "For example name@example.it."),
        PecLabel => ("PEC", "PEC"),
        PecHint => (
            "La posta elettronica certificata, ad esempio nome@pec.esempio.it.",
            "Your certified e-mail address, for example name@pec.example.it."
        ),
        PinSummaryTitle => (
            "Controlla le risposte — Richiesta PIN — Sportello",
            "Check your answers — PIN request — Sportello"
        ),
        PinSummaryHeading => ("Controlla le tue risposte", "Check your answers"),
        PinSubmitHeading => ("Invia la richiesta", "Send your request"),
        PinSubmitText => (
            "Premendo Conferma chiedi il PIN INPS e dichiari che questi dati sono corretti.",
            "By pressing Confirm you request the INPS PIN and declare that these details are correct."
        ),
        Confirm => ("Conferma", "Confirm"),
        PinSentTitle => ("Richiesta del PIN inviata — Sportello", "PIN request sent — Sportello"),
        PinSentHeading => ("Richiesta del PIN inviata", "PIN request sent"),
        PinQueuedIntro => (
            "Abbiamo preparato l'invio dei primi 8 caratteri del PIN e della lettera con gli altri 8:",
            "We have prepared the first 8 characters of the PIN for sending, and the letter with the other 8:"
        ),
        PinSentGeneric => (
            "Abbiamo preparato l'invio dei primi 8 caratteri del PIN al cellulare, all'e-mail e alla PEC che hai indicato.",
            "We have prepared the first 8 characters of the PIN for sending to the mobile, e-mail and PEC you gave."
        ),
        /// `{to}` is the masked contact or address.
        MessageBySms => ("SMS al numero {to}", "text message to {to}"),
        MessageByEmail => ("e-mail a {to}", "e-mail to {to}"),
        MessageByPec => ("PEC a {to}", "PEC to {to}"),
        MessageByPost => ("lettera a {to}", "letter to {to}"),
        // A message's state, in words that fit an SMS as well as a letter (no gender to agree).
        MessageQueued => ("in coda", "queued"),
        MessageSending => ("invio in corso", "being sent"),
        MessageRetrying => ("in coda per un nuovo tentativo", "queued to try again"),
        MessageSent => ("invio effettuato", "sent"),
        MessageDead => ("invio non riuscito", "could not be sent"),
        WhatNextHeading => ("Cosa succede adesso", "What happens next"),
        PinSentSimplified => (
            "Con i primi 8 caratteri puoi già accedere (PIN semplificato) e presentare la domanda di indennità.",
            "With the first 8 characters you can already log in (simplified PIN) and apply for the indemnity."
        ),
        PinSentPost => (
            "Gli altri 8 caratteri arriveranno per posta all'indirizzo di residenza: insieme ai primi formano il PIN completo.",
            "The other 8 characters will arrive by post at your home address: together with the first ones they make up the full PIN."
        ),
        PinSentLetterTo => (
            "Gli altri 8 caratteri arriveranno per posta all'indirizzo di residenza registrato nell'anagrafe della popolazione: {address}. Insieme ai primi formano il PIN completo.",
            "The other 8 characters will arrive by post at the home address registered in the population registry: {address}. Together with the first ones they make up the full PIN."
        ),
        PinLetterOutOfDate => (
            "Se questo indirizzo non è aggiornato, chiama il Contact Center INPS: 803 164 da rete fissa (gratuito) o 06 164164 da cellulare.",
            "If this address is out of date, call the INPS Contact Center: 803 164 from a landline (free) or 06 164164 from a mobile."
        ),
        PinNothingHeading => ("Se entro 12 ore non ricevi nulla", "If nothing arrives within 12 hours"),
        PinNothingText => (
            "Chiama il Contact Center INPS: 803 164 da rete fissa (gratuito) o 06 164164 da cellulare. L'operatore convalida la richiesta e ti invia di nuovo i primi 8 caratteri.",
            "Call the INPS Contact Center: 803 164 from a landline (free) or 06 164164 from a mobile. The operator validates your request and sends you the first 8 characters again."
        ),
        LoginWithPin => ("Accedi con il PIN", "Log in with the PIN"),

        // ——— Login ———
        LoginTitle => ("Accedi — Sportello", "Log in — Sportello"),
        LoginHeading => ("Accedi con il PIN INPS", "Log in with the INPS PIN"),
        LoginIntro => (
            "Usa il tuo codice fiscale e il PIN. Se hai appena richiesto il PIN, bastano i primi 8 caratteri ricevuti per SMS, e-mail o PEC.",
            "Use your codice fiscale and PIN. If you have just requested the PIN, the first 8 characters you received by text message, e-mail or PEC are enough."
        ),
        PinLabel => ("PIN", "PIN"),
        PinHint => (
            "I 16 caratteri del PIN, oppure solo i primi 8 (PIN semplificato).",
            "The 16 characters of the PIN, or just the first 8 (simplified PIN)."
        ),
        ShowPin => ("Mostra", "Show"),
        HidePin => ("Nascondi", "Hide"),
        /// Completes "Mostra"/"Nascondi" for screen readers.
        PinHiddenContext => ("il PIN", "the PIN"),
        PinShown => ("Il PIN è visibile.", "Your PIN is visible."),
        PinHidden => ("Il PIN è nascosto.", "Your PIN is hidden."),
        LoginSubmit => ("Accedi", "Log in"),
        LoginNoPin => ("Non hai ancora il PIN?", "No PIN yet?"),
        RequestPinLink => ("Richiedi il PIN", "Request a PIN"),
        SessionExpired => (
            "Per la tua sicurezza ti abbiamo fatto uscire dopo un periodo di inattività. Accedi di nuovo: i dati inseriti non sono andati persi.",
            "For your security we logged you out after a period of inactivity. Log in again: nothing you typed is lost."
        ),

        // The application's own words are in `area_texts.rs` (the area's bundle, ADR 0008).
        Logout => ("Esci", "Log out"),
        LogoutFailed => (
            "Non è stato possibile uscire: controlla la connessione e premi di nuovo Esci.",
            "We could not log you out: check your connection and press Log out again."
        ),

        // ——— Signed out (`/uscito`) ———
        SignedOutTitle => ("Sei uscito dal servizio", "You have logged out"),
        SignedOutHeading => ("Sei uscito dal servizio", "You have logged out"),
        SignedOutBody => (
            "Per la tua sicurezza abbiamo cancellato da questo dispositivo le copie dei dati inseriti. La domanda e le risposte salvate restano al sicuro presso l'INPS.",
            "For your security we have removed the copies of what you typed from this device. Your application and saved answers stay safe with INPS."
        ),
        SignedOutLoginLink => ("Accedi di nuovo", "Log in again"),
        SignedOutHomeLink => ("Torna alla pagina iniziale", "Back to the start page"),

        // ——— Session timeout ———
        TimeoutHeading => ("Stai per uscire dal servizio", "You are about to be logged out"),
        /// `{time}` is the time left in words.
        TimeoutText => (
            "Per la tua sicurezza, se non fai nulla ti faremo uscire tra {time}. I dati inseriti non andranno persi.",
            "For your security, if you do nothing we will log you out in {time}. Nothing you typed will be lost."
        ),
        StayLoggedIn => ("Resta collegato", "Stay logged in"),
        MinuteOne => ("{n} minuto", "{n} minute"),
        MinutesMany => ("{n} minuti", "{n} minutes"),
        SecondOne => ("{n} secondo", "{n} second"),
        SecondsMany => ("{n} secondi", "{n} seconds"),
        /// Joins minutes `{a}` and seconds `{b}`.
        TimeAnd => ("{a} e {b}", "{a} and {b}"),

        FooterHelp => (
            "Assistenza: Contact Center INPS, 803 164 da rete fissa (gratuito) o 06 164164 da cellulare.",
            "Help: INPS Contact Center, 803 164 from a landline (free) or 06 164164 from a mobile."
        ),
        FooterService => (
            "Sportello — servizio per la domanda di indennità COVID-19.",
            "Sportello — the service to apply for the COVID-19 indemnity."
        ),
    }
}

/// `key` in `lang`.
pub fn t(lang: Lang, key: Text) -> &'static str {
    key.get(lang)
}

/// `key` in `lang` with its `{name}` placeholder replaced by `value`.
pub fn t_with(lang: Lang, key: Text, name: &str, value: &str) -> String {
    t(lang, key).replace(&format!("{{{name}}}"), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "a language is missing")]
    fn a_table_missing_a_language_fails_its_check() {
        check_table([("Avanti", "")]);
    }

    #[test]
    #[should_panic(expected = "placeholder")]
    fn a_table_whose_languages_disagree_on_placeholders_fails_its_check() {
        check_table([("Domanda {protocol}", "Application {number}")]);
    }

    #[test]
    fn every_text_has_italian_and_english_with_the_same_placeholders() {
        check_table(UI_TEXTS.iter().map(|key| (key.get(Lang::It), key.get(Lang::En))));
    }

    #[test]
    fn placeholder_is_filled() {
        assert_eq!(
            t_with(Lang::It, Text::CfValid, "cf", "RSSMRA85T10A562S"),
            "Il codice fiscale RSSMRA85T10A562S è formalmente corretto."
        );
        assert_eq!(
            t_with(Lang::En, Text::CfValid, "cf", "RSSMRA85T10A562S"),
            "The codice fiscale RSSMRA85T10A562S is correctly formed."
        );
    }

    #[test]
    fn the_language_switch_names_the_other_language_in_that_language() {
        assert_eq!(t(Lang::It, Text::SwitchToOther), "English");
        assert_eq!(t(Lang::En, Text::SwitchToOther), "Italiano");
    }
}

//! The SPA's own words, Italian first and English too. Messages about invalid data come from
//! `domain::ErrorCode::message`, so that the page and the API say the same thing.
//!
//! Every key is declared with both languages at once (the `texts!` macro takes the pair), so a key
//! without its English cannot compile; the tests check that neither side is empty and that both
//! carry the same placeholders.

use domain::Lang;

macro_rules! texts {
    ($($(#[$doc:meta])* $key:ident => ($it:expr, $en:expr),)*) => {
        /// A piece of user-interface text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text {
            $($(#[$doc])* $key,)*
        }

        impl Text {
            /// Every key, for catalogue-wide tests.
            #[cfg(test)]
            pub const ALL: &'static [Text] = &[$(Text::$key,)*];

            /// The Italian and English text, in that order.
            fn pair(self) -> (&'static str, &'static str) {
                match self {
                    $(Text::$key => ($it, $en),)*
                }
            }
        }
    };
}

texts! {
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
    WindowSend => (
        "Puoi inviarla dalle 16:00 alle 08:00 del giorno dopo, ora italiana. Dalle 08:00 alle 16:00 l'invio è riservato a patronati e intermediari.",
        "You can send it from 16:00 to 08:00 the next morning, Italian time. From 08:00 to 16:00 sending is reserved for welfare offices and intermediaries."
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
    /// `{seconds}` is the whole number of seconds until the next automatic attempt.
    Retrying => (
        "Il servizio è molto richiesto. Nuovo tentativo automatico tra {seconds} secondi: non serve ricaricare la pagina.",
        "The service is very busy. Trying again by itself in {seconds} seconds: there is no need to reload the page."
    ),
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
    FooterHelp => (
        "Assistenza: Contact Center INPS, 803 164 da rete fissa (gratuito) o 06 164164 da cellulare.",
        "Help: INPS Contact Center, 803 164 from a landline (free) or 06 164164 from a mobile."
    ),
    FooterService => (
        "Sportello — servizio per la domanda di indennità COVID-19.",
        "Sportello — the service to apply for the COVID-19 indemnity."
    ),
}

/// `key` in `lang`.
pub fn t(lang: Lang, key: Text) -> &'static str {
    let (it, en) = key.pair();
    match lang {
        Lang::It => it,
        Lang::En => en,
    }
}

/// `key` in `lang` with its `{name}` placeholder replaced by `value`.
pub fn t_with(lang: Lang, key: Text, name: &str, value: &str) -> String {
    t(lang, key).replace(&format!("{{{name}}}"), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_text_has_italian_and_english() {
        for &key in Text::ALL {
            assert!(!t(Lang::It, key).trim().is_empty(), "{key:?} has no Italian");
            assert!(!t(Lang::En, key).trim().is_empty(), "{key:?} has no English");
        }
    }

    #[test]
    fn both_languages_carry_the_same_placeholders() {
        for &key in Text::ALL {
            assert_eq!(
                placeholders(t(Lang::It, key)),
                placeholders(t(Lang::En, key)),
                "{key:?}"
            );
        }
    }

    #[test]
    fn sentences_are_translated_rather_than_copied() {
        // Names (Sportello, Codice fiscale) may read the same in both languages; whole sentences may not.
        for &key in Text::ALL {
            let it = t(Lang::It, key);
            if it.split_whitespace().count() > 3 {
                assert_ne!(it, t(Lang::En, key), "{key:?} is not translated");
            }
        }
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

//! The words of every message the service sends a citizen, in the language they used (the
//! `Accept-Language` of the request that caused it, kept with the PIN request for the messages
//! that come later). Written once here, so that the SMS, the e-mail, the PEC and the letter say
//! the same thing, and so that they match the Contact Center's procedure: a citizen gives the
//! first 8 characters to nobody, except to the operator on a call they made themselves.

use domain::Lang;

/// A message's subject (e-mail, PEC, letter) and text.
pub struct Words {
    /// The subject line.
    pub subject: &'static str,
    /// The text.
    pub body: String,
}

/// Who may hear a PIN's characters: nobody, but the Contact Center's operator on a call the
/// citizen made (the procedure has the citizen read the first 8 to confirm who they are, and the
/// letter's 8 to report a request that was not theirs). One sentence, so that every message says
/// it alike.
fn keep_secret(lang: Lang) -> &'static str {
    match lang {
        Lang::It => {
            "Non comunicarli a nessuno, tranne all'operatore del Contact Center INPS quando sei tu a chiamare \
             l'803 164 (da rete fissa) o lo 06 164164 (da cellulare)."
        }
        Lang::En => {
            "Do not give them to anyone, except to the INPS Contact Center operator when you are the one calling \
             803 164 (from a landline) or 06 164164 (from a mobile)."
        }
    }
}

/// The PIN's first 8 characters, by SMS, e-mail and PEC.
pub fn pin_first_half(lang: Lang, first_half: &str) -> Words {
    let secret = keep_secret(lang);
    match lang {
        Lang::It => Words {
            subject: "Il tuo PIN INPS (prima parte)",
            body: format!("Sportello INPS: i primi 8 caratteri del tuo PIN sono {first_half}. {secret}"),
        },
        Lang::En => Words {
            subject: "Your INPS PIN (first part)",
            body: format!("Sportello INPS: the first 8 characters of your PIN are {first_half}. {secret}"),
        },
    }
}

/// The new first 8 characters after the Contact Center validated a PIN request.
pub fn pin_new_first_half(lang: Lang, first_half: &str) -> Words {
    let secret = keep_secret(lang);
    match lang {
        Lang::It => Words {
            subject: "Il tuo PIN INPS (nuova prima parte)",
            body: format!(
                "Sportello INPS: su tua richiesta al Contact Center, i nuovi primi 8 caratteri del tuo PIN sono {first_half}. \
                 Valgono solo questi: quelli ricevuti prima non servono più. Gli ultimi 8 restano quelli della lettera. {secret}"
            ),
        },
        Lang::En => Words {
            subject: "Your INPS PIN (new first part)",
            body: format!(
                "Sportello INPS: as you asked the Contact Center, the new first 8 characters of your PIN are {first_half}. \
                 Only these are valid: the ones you received before no longer work. The last 8 are still those in the letter. {secret}"
            ),
        },
    }
}

/// The PIN's last 8 characters, by post.
pub fn pin_second_half(lang: Lang, second_half: &str) -> Words {
    let secret = keep_secret(lang);
    match lang {
        Lang::It => Words {
            subject: "Il tuo PIN INPS (seconda parte)",
            body: format!(
                "Gli ultimi 8 caratteri del tuo PIN INPS sono {second_half}. Con i primi 8, ricevuti per SMS, \
                 e-mail e PEC, formano il PIN completo. {secret}"
            ),
        },
        Lang::En => Words {
            subject: "Your INPS PIN (second part)",
            body: format!(
                "The last 8 characters of your INPS PIN are {second_half}. With the first 8, received by text \
                 message, e-mail and PEC, they make your full PIN. {secret}"
            ),
        },
    }
}

/// The receipt of a filed application, by e-mail and SMS: the protocol number and whose it is.
pub fn receipt(lang: Lang, protocol: &str, codice_fiscale: &str, sent_at_rome: &str) -> Words {
    match lang {
        Lang::It => Words {
            subject: "Domanda di indennità ricevuta",
            body: format!(
                "Sportello INPS: abbiamo ricevuto la domanda di indennità di {codice_fiscale}, inviata il {sent_at_rome} \
                 (ora italiana). Numero di protocollo: {protocol}. Lo stato della domanda è in «Le mie domande»."
            ),
        },
        Lang::En => Words {
            subject: "Indemnity application received",
            body: format!(
                "Sportello INPS: we have received the indemnity application of {codice_fiscale}, sent on {sent_at_rome} \
                 (Italian time). Protocol number: {protocol}. Its status is in \"Le mie domande\" (My applications)."
            ),
        },
    }
}

/// An application moved to `status`, by e-mail and SMS: the protocol number and the new status
/// in the words "Le mie domande" uses.
pub fn status_change(lang: Lang, protocol: &str, status: domain::application::ApplicationStatus) -> Words {
    let label = status.label(lang);
    match lang {
        Lang::It => Words {
            subject: "La tua domanda di indennità è cambiata",
            body: format!(
                "Sportello INPS: la domanda {protocol} ora è «{label}». I dettagli sono in «Le mie domande»; \
                 per domande chiama il Contact Center INPS (803 164 da rete fissa, 06 164 164 da cellulare)."
            ),
        },
        Lang::En => Words {
            subject: "Your indemnity application has changed",
            body: format!(
                "Sportello INPS: application {protocol} is now \"{label}\". The details are in \"Le mie domande\" \
                 (My applications); with questions call the INPS Contact Center (803 164 from a landline, \
                 06 164 164 from a mobile)."
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_carries_its_characters_once_in_both_languages() {
        for lang in [Lang::It, Lang::En] {
            for words in [
                pin_first_half(lang, "ABCDEFGH"),
                pin_new_first_half(lang, "ABCDEFGH"),
                pin_second_half(lang, "ABCDEFGH"),
            ] {
                assert_eq!(words.body.matches("ABCDEFGH").count(), 1, "{}", words.body);
                assert!(!words.subject.is_empty());
            }
        }
        assert!(
            pin_first_half(Lang::En, "X")
                .body
                .contains("the first 8 characters of your PIN are X.")
        );
        assert!(
            pin_first_half(Lang::It, "X")
                .body
                .contains("i primi 8 caratteri del tuo PIN sono X.")
        );
    }

    #[test]
    fn the_receipt_says_whose_it_is_and_its_protocol_number() {
        let words = receipt(
            Lang::It,
            "INPS-COVID-2020-0000042",
            "RSSMRA85T10H501O",
            "01/04/2020 alle 17:00",
        );
        assert_eq!(
            words.body,
            "Sportello INPS: abbiamo ricevuto la domanda di indennità di RSSMRA85T10H501O, inviata il 01/04/2020 alle 17:00 \
             (ora italiana). Numero di protocollo: INPS-COVID-2020-0000042. Lo stato della domanda è in «Le mie domande»."
        );
        assert!(receipt(Lang::En, "P", "C", "D").body.contains("Protocol number: P."));
    }

    #[test]
    fn a_status_message_names_the_application_and_its_new_status() {
        use domain::application::ApplicationStatus;
        let it = status_change(Lang::It, "INPS-COVID-2020-0000042", ApplicationStatus::Accepted);
        assert!(
            it.body.contains("la domanda INPS-COVID-2020-0000042 ora è «Accolta»"),
            "{}",
            it.body
        );
        let en = status_change(Lang::En, "P", ApplicationStatus::Paid);
        assert!(en.body.contains("application P is now \"Paid\""), "{}", en.body);
    }

    #[test]
    fn every_pin_message_says_the_contact_center_procedure_in_the_citizens_language() {
        // The Contact Center's procedure has the citizen read these characters to the operator on
        // a call the citizen made: the messages must not forbid it, nor allow anything more.
        let it = "Non comunicarli a nessuno, tranne all'operatore del Contact Center INPS quando sei tu a chiamare \
                  l'803 164 (da rete fissa) o lo 06 164164 (da cellulare).";
        let en = "Do not give them to anyone, except to the INPS Contact Center operator when you are the one calling \
                  803 164 (from a landline) or 06 164164 (from a mobile).";
        for message in [pin_first_half, pin_new_first_half, pin_second_half] {
            let (italian, english) = (message(Lang::It, "ABCD2345").body, message(Lang::En, "ABCD2345").body);
            assert!(italian.ends_with(it), "{italian}");
            assert!(english.ends_with(en), "{english}");
            // Each in one language only.
            assert!(!italian.contains("Contact Center operator"), "{italian}");
            assert!(!english.contains("comunicarli"), "{english}");
        }
        assert_eq!(
            pin_first_half(Lang::It, "ABCD2345").body,
            format!("Sportello INPS: i primi 8 caratteri del tuo PIN sono ABCD2345. {it}")
        );
        assert_eq!(
            pin_first_half(Lang::En, "ABCD2345").body,
            format!("Sportello INPS: the first 8 characters of your PIN are ABCD2345. {en}")
        );
        assert!(
            pin_new_first_half(Lang::It, "X")
                .body
                .contains("Valgono solo questi: quelli ricevuti prima non servono più.")
        );
        assert!(
            pin_new_first_half(Lang::En, "X")
                .body
                .contains("Only these are valid: the ones you received before no longer work.")
        );
    }
}

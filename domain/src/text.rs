//! Text folding shared by the codice fiscale encoder and the place search: Latin letters with
//! diacritics become their base ASCII letters (È → E, Ñ → N, ß → SS), so "Città" and "CITTA"
//! compare equal, as they do on Italian documents, where accents are often dropped or typed as
//! apostrophes. Hand-written rather than a Unicode-normalisation crate: it ships in the browser.

/// The upper-case ASCII letters `c` stands for, or `None` if it is not a Latin letter.
fn base_letters(c: char) -> Option<&'static str> {
    const ASCII: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if c.is_ascii_uppercase() {
        let i = (c as u8 - b'A') as usize;
        return Some(&ASCII[i..=i]);
    }
    let folded = match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'Æ' => "AE",
        'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "C",
        'Ð' | 'Ď' | 'Đ' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => "E",
        'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "G",
        'Ĥ' | 'Ħ' => "H",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => "I",
        'Ĵ' => "J",
        'Ķ' => "K",
        'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "L",
        'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' => "O",
        'Œ' => "OE",
        'Ŕ' | 'Ŗ' | 'Ř' => "R",
        'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' => "S",
        'Ţ' | 'Ť' | 'Ŧ' | 'Ț' => "T",
        'Þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => "U",
        'Ŵ' => "W",
        'Ý' | 'Ÿ' | 'Ŷ' => "Y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    };
    Some(folded)
}

/// The Latin letters of `text`, upper-case ASCII, in order; everything else (spaces,
/// apostrophes, hyphens, digits, other scripts) is dropped.
pub(crate) fn letters_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // `to_uppercase` first, so that lower-case accented letters need no table of their own
        // (and 'ß' becomes "SS" on the way).
        for u in c.to_uppercase() {
            if let Some(base) = base_letters(u) {
                out.push_str(base);
            }
        }
    }
    out
}

/// A search key: lower-case ASCII letters and digits, with every run of anything else
/// (spaces, apostrophes, hyphens, dots) turned into one space, trimmed. "Sant'Agata" and
/// "sant agata" give the same key. Only the place search needs it.
#[cfg(any(feature = "places", test))]
pub(crate) fn search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        for u in c.to_uppercase() {
            let kept: Option<&str> = if u.is_ascii_digit() {
                let i = (u as u8 - b'0') as usize;
                Some(&"0123456789"[i..=i])
            } else {
                base_letters(u)
            };
            match kept {
                Some(s) => {
                    if gap && !out.is_empty() {
                        out.push(' ');
                    }
                    gap = false;
                    out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
                }
                None => gap = true,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accented_letters_fold_to_their_base_letter() {
        assert_eq!(letters_upper("Niccolò Àlfíò"), "NICCOLOALFIO");
        assert_eq!(letters_upper("Strauß"), "STRAUSS");
        assert_eq!(letters_upper("Ærø Œuvre Škoda"), "AEROOEUVRESKODA");
    }

    #[test]
    fn apostrophes_spaces_hyphens_and_digits_are_dropped_from_letters() {
        assert_eq!(letters_upper("D'Amico-De Luca 2"), "DAMICODELUCA");
    }

    #[test]
    fn search_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(search_key("  Sant'Agata  de' Goti "), "sant agata de goti");
        assert_eq!(search_key("SANT AGATA DE GOTI"), "sant agata de goti");
        assert_eq!(search_key("Forlì-Cesena"), "forli cesena");
        assert_eq!(search_key("Reggio nell'Emilia"), search_key("reggio nell emilia"));
    }
}

//! Text folding shared by the codice fiscale encoder and the place search: Latin letters with
//! diacritics become their base ASCII letters (È → E, Ñ → N, ß → SS), so "Città" and "CITTA"
//! compare equal, as they do on Italian documents, where accents are often dropped or typed as
//! apostrophes. Hand-written rather than a Unicode-normalisation crate: it ships in the browser.

/// The upper-case ASCII letters `c` stands for, or `None` if it is not a Latin letter. Both
/// cases are listed by hand: `char::to_uppercase` would ship Unicode's case tables to the browser.
fn base_letters(c: char) -> Option<&'static str> {
    const ASCII: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let c = c.to_ascii_uppercase();
    if c.is_ascii_uppercase() {
        let i = (c as u8 - b'A') as usize;
        return Some(&ASCII[i..=i]);
    }
    let folded =
        match c {
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă'
            | 'ą' => "A",
            'Æ' | 'æ' => "AE",
            'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' | 'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "C",
            'Ð' | 'Ď' | 'Đ' | 'ð' | 'ď' | 'đ' => "D",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' | 'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę'
            | 'ě' => "E",
            'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' | 'ĝ' | 'ğ' | 'ġ' | 'ģ' => "G",
            'Ĥ' | 'Ħ' | 'ĥ' | 'ħ' => "H",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' | 'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į'
            | 'ı' => "I",
            'Ĵ' | 'ĵ' => "J",
            'Ķ' | 'ķ' => "K",
            'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' | 'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "L",
            'Ñ' | 'Ń' | 'Ņ' | 'Ň' | 'ñ' | 'ń' | 'ņ' | 'ň' => "N",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ' | 'Ő' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ'
            | 'ő' => "O",
            'Œ' | 'œ' => "OE",
            'Ŕ' | 'Ŗ' | 'Ř' | 'ŕ' | 'ŗ' | 'ř' => "R",
            'Ś' | 'Ŝ' | 'Ş' | 'Š' | 'Ș' | 'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "S",
            'Ţ' | 'Ť' | 'Ŧ' | 'Ț' | 'ţ' | 'ť' | 'ŧ' | 'ț' => "T",
            'Þ' | 'þ' => "TH",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' | 'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ'
            | 'ů' | 'ű' | 'ų' => "U",
            'Ŵ' | 'ŵ' => "W",
            'Ý' | 'Ÿ' | 'Ŷ' | 'ý' | 'ÿ' | 'ŷ' => "Y",
            'Ź' | 'Ż' | 'Ž' | 'ź' | 'ż' | 'ž' => "Z",
            'ß' | 'ẞ' => "SS",
            _ => return None,
        };
    Some(folded)
}

/// The Latin letters of `text`, upper-case ASCII, in order; everything else (spaces,
/// apostrophes, hyphens, digits, other scripts) is dropped.
pub(crate) fn letters_upper(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(base) = base_letters(c) {
            out.push_str(base);
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
        let kept: Option<&str> = if c.is_ascii_digit() {
            let i = (c as u8 - b'0') as usize;
            Some(&"0123456789"[i..=i])
        } else {
            base_letters(c)
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
        assert_eq!(letters_upper("àèìòù ÀÈÌÒÙ ñ Ñ ß ẞ"), "AEIOUAEIOUNNSSSS");
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

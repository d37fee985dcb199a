//! The languages the service speaks: Italian first, English too.

use serde::{Deserialize, Serialize};

/// A user-interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag, as used in `<html lang>` and `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// Picks the language from an `Accept-Language` header or a bare tag; Italian unless English
    /// is preferred before Italian.
    pub fn from_accept_language(header: &str) -> Lang {
        for part in header.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("it") {
                return Lang::It;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::It
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_first_in_accept_language_picks_english() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,it;q=0.8"), Lang::En);
    }

    #[test]
    fn unknown_languages_fall_back_to_italian() {
        assert_eq!(Lang::from_accept_language("de-DE,fr;q=0.5"), Lang::It);
        assert_eq!(Lang::from_accept_language(""), Lang::It);
    }
}

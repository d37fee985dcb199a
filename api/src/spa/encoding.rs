//! Which of a file's copies to send: brotli, gzip or the file itself, from the request's
//! `Accept-Encoding` (RFC 9110 §12.5.3). Written here rather than taken from tower-http, whose
//! negotiation is private to its compression layer (which compresses per request; the copies here
//! are made once, at build time, at the highest levels).

/// A content coding the server has a copy in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `br`: the smallest, what every current browser takes.
    Brotli,
    /// `gzip`: for clients without brotli.
    Gzip,
    /// The file as it is.
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` token; `None` for the file itself.
    pub fn token(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// The coding to send, given the `Accept-Encoding` header (absent: the file itself) and which
/// copies exist. The client's highest `q` wins; on a tie the smaller copy (brotli, then gzip).
/// The file itself is the answer when nothing else is acceptable, even if the client said
/// `identity;q=0`: a 406 would help nobody.
pub fn preferred(accept_encoding: Option<&str>, has_brotli: bool, has_gzip: bool) -> Encoding {
    let Some(header) = accept_encoding else {
        return Encoding::Identity;
    };
    let mut brotli = None;
    let mut gzip = None;
    let mut any = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().ok())?
            })
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => brotli = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            _ => {}
        }
    }
    let brotli = if has_brotli { brotli.or(any).unwrap_or(0.0) } else { 0.0 };
    let gzip = if has_gzip { gzip.or(any).unwrap_or(0.0) } else { 0.0 };
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_brotli_and_older_clients_gzip() {
        // Chromium's, Firefox's and Safari's headers.
        assert_eq!(preferred(Some("gzip, deflate, br, zstd"), true, true), Encoding::Brotli);
        assert_eq!(preferred(Some("gzip, deflate, br"), true, true), Encoding::Brotli);
        assert_eq!(preferred(Some("gzip, deflate"), true, true), Encoding::Gzip);
        assert_eq!(preferred(Some("GZIP"), true, true), Encoding::Gzip);
        assert_eq!(preferred(None, true, true), Encoding::Identity);
        assert_eq!(preferred(Some(""), true, true), Encoding::Identity);
        assert_eq!(preferred(Some("identity"), true, true), Encoding::Identity);
    }

    #[test]
    fn the_clients_weights_decide_and_zero_means_not_acceptable() {
        assert_eq!(preferred(Some("br;q=0.5, gzip;q=0.9"), true, true), Encoding::Gzip);
        assert_eq!(preferred(Some("br;q=0, gzip"), true, true), Encoding::Gzip);
        assert_eq!(preferred(Some("br; q=0 , gzip;Q=0"), true, true), Encoding::Identity);
        assert_eq!(preferred(Some("*"), true, true), Encoding::Brotli);
        assert_eq!(preferred(Some("*;q=0.1, br;q=0"), true, true), Encoding::Gzip);
        assert_eq!(preferred(Some("br;q=nonsense"), true, true), Encoding::Brotli);
    }

    #[test]
    fn only_copies_that_exist_are_chosen() {
        assert_eq!(preferred(Some("br, gzip"), false, true), Encoding::Gzip);
        assert_eq!(preferred(Some("br"), false, true), Encoding::Identity);
        assert_eq!(preferred(Some("br, gzip"), false, false), Encoding::Identity);
    }

    #[test]
    fn the_token_is_what_content_encoding_says() {
        assert_eq!(Encoding::Brotli.token(), Some("br"));
        assert_eq!(Encoding::Gzip.token(), Some("gzip"));
        assert_eq!(Encoding::Identity.token(), None);
    }
}

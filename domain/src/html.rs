//! Text placed into HTML by hand: the server's login-options fragment, the pages the SPA's build
//! writes before the wasm (`frontend/src/prerender.rs`) and the recovery page of a panic. One
//! escape for all of them, for element content and quoted attribute values alike.

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by their character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped_and_the_rest_is_kept() {
        assert_eq!(
            escape(r#"<b a="1">Città & l'ente</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Città &amp; l&#39;ente&lt;/b&gt;"
        );
        assert_eq!(escape("Sportello — Indennità"), "Sportello — Indennità");
    }
}

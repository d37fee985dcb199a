//! The caller's language, from `Accept-Language`.

use axum::http::{HeaderMap, header};
use domain::Lang;

/// The language a request asked for; Italian when it did not say.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

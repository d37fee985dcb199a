//! The cookies the API sets and reads: HttpOnly, SameSite=Strict, Secure outside dev mode.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::config::Config;
use crate::config::cns::{CNS_BINDING_COOKIE, CNS_LOGIN_PATH};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sportello_session";

/// The session token in the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// The value of the cookie named `cookie` in the request, if any.
pub fn cookie_value(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value of a new session's `token`, lasting the session's longest life.
pub fn session_cookie_for(config: &Config, token: &str) -> HeaderValue {
    session_cookie(token, config.session_max.num_seconds(), config.secure_cookies)
}

/// A `Set-Cookie` value that sets (or, with `max_age` 0, clears) the session cookie.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .expect("token is hex")
}

/// The operator session cookie's name (citizens' is `sportello_session`).
pub const OPERATOR_COOKIE: &str = "sportello_operator";

/// A `Set-Cookie` value that sets (or, with `max_age` 0, clears) the operator cookie. Its path is
/// `/api/operator`: the browser does not even send it to citizens' routes.
pub fn operator_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{OPERATOR_COOKIE}={token}; Path=/api/operator; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .expect("token is hex")
}

/// The `Set-Cookie` value of the binding cookie (`max_age_secs` 0 clears it). `SameSite=Lax`, not
/// Strict: the completion is a top-level navigation redirected from the card's host, which may be
/// another site, and Strict would withhold the cookie there; Lax is still never sent with a
/// cross-site subrequest or POST. The path keeps it to the CNS routes.
pub fn binding_cookie(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{CNS_BINDING_COOKIE}={value}; Path={CNS_LOGIN_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("the value is hex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sportello_session=abc123; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc123"));
        headers.insert(header::COOKIE, HeaderValue::from_static("sportello_session_x=nope"));
        assert_eq!(session_token(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_same_site_strict_and_secure_when_asked() {
        let c = session_cookie("abc", 60, true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(!session_cookie("abc", 60, false).to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn the_operator_cookie_is_scoped_to_operator_routes() {
        let c = operator_cookie("abc", 60, true);
        let c = c.to_str().unwrap();
        assert!(c.contains("Path=/api/operator") && c.contains("HttpOnly") && c.contains("SameSite=Strict"));
        assert!(c.contains("Secure"));
    }

    #[test]
    fn the_binding_cookie_is_http_only_lax_on_the_cns_path_and_secure_when_asked() {
        let set = binding_cookie("abc", 300, true);
        let set = set.to_str().unwrap();
        assert_eq!(
            set,
            "sportello_cns=abc; Path=/api/auth/cns; HttpOnly; SameSite=Lax; Max-Age=300; Secure"
        );
        assert!(!binding_cookie("abc", 300, false).to_str().unwrap().contains("Secure"));
    }
}

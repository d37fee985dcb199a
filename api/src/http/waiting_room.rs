//! The waiting room at the HTTP edge (issue 15): its cookies, and the gate in front of the routes
//! that start work. While a room guards them, a request there needs the admission pass (an
//! HttpOnly cookie, renewed as it is used); without one it is answered 503 `queue.required` with
//! the room's address, and the SPA goes there by itself. A citizen with a session was let in
//! already: the application's routes take the session instead (they check it themselves).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::cookies::{cookie_value, session_token};
use crate::{ApiError, AppState};

pub use domain::wire::queue::ROOM_PAGE;

/// The ticket's cookie: the browser's place. Only the queue's routes see it.
pub const TICKET_COOKIE: &str = "sportello_ticket";

/// The pass's cookie: sent to every API route, so the gate can read it.
pub const PASS_COOKIE: &str = "sportello_pass";

/// How long the browser keeps its ticket: a day covers the longest room (a window's night).
const TICKET_MAX_AGE_SECS: i64 = 24 * 3600;

/// What a route needs while a room guards the routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Nothing: the route starts no work the room guards.
    Nothing,
    /// The pass.
    Pass,
    /// The pass or a session (the route itself refuses a session that is not live).
    PassOrSession,
    /// The pass, on a page the browser navigates to: sent to the room rather than given JSON.
    PassOnNavigation,
}

/// What `method path` needs: the PIN request, the PIN login, a SPID or CIE login's start, and
/// the application's routes.
fn needs(method: &Method, path: &str) -> Needs {
    let Some(route) = path.strip_prefix("/api/") else {
        return Needs::Nothing;
    };
    match (method, route) {
        (&Method::POST, "pin-requests" | "session") => Needs::Pass,
        (&Method::POST, r) if r.starts_with("pin-requests/steps/") => Needs::Pass,
        (&Method::GET, r) if r.starts_with("auth/oidc/") && r.ends_with("/start") => Needs::PassOnNavigation,
        (_, r) if r == "application" || r.starts_with("application/") || r.starts_with("applications") => {
            Needs::PassOrSession
        }
        _ => Needs::Nothing,
    }
}

/// The gate (a middleware on the whole API).
pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let needs = needs(request.method(), request.uri().path());
    if needs == Needs::Nothing || !state.rooms.config().enabled {
        return next.run(request).await;
    }
    if needs == Needs::PassOrSession && session_token(request.headers()).is_some() {
        return next.run(request).await;
    }
    let now = state.clock.now();
    let pass = cookie_value(request.headers(), PASS_COOKIE).and_then(|value| state.rooms.check_pass(&value, now));
    if let Some(claims) = pass {
        let renewal = state.rooms.renewal(&claims, now);
        let mut response = next.run(request).await;
        if let Some((value, until)) = renewal {
            response.headers_mut().append(
                header::SET_COOKIE,
                pass_cookie(&value, until, now, state.config.secure_cookies),
            );
        }
        return response;
    }
    match state.rooms.guards(state.store.as_ref(), now).await {
        Ok(false) => next.run(request).await,
        Ok(true) if needs == Needs::PassOnNavigation => {
            // A SPID or CIE button: after the wait, back to the login page to press it again.
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, format!("{ROOM_PAGE}?dopo=/accedi"))],
            )
                .into_response()
        }
        Ok(true) => ApiError::QueueRequired.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The ticket the browser presents, if any.
pub fn presented_ticket(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, TICKET_COOKIE).filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` of the ticket `id`.
pub fn ticket_cookie(id: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{TICKET_COOKIE}={id}; Path=/api/queue; HttpOnly; SameSite=Strict; Max-Age={TICKET_MAX_AGE_SECS}{secure}"
    ))
    .expect("the id is hex")
}

/// The `Set-Cookie` of a pass holding until `until`.
pub fn pass_cookie(value: &str, until: DateTime<Utc>, now: DateTime<Utc>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = (until - now).num_seconds().max(0);
    HeaderValue::from_str(&format!(
        "{PASS_COOKIE}={value}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("a pass is plain text")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routes_that_start_work_need_the_pass_and_the_rest_do_not() {
        let post = Method::POST;
        assert_eq!(needs(&post, "/api/pin-requests"), Needs::Pass);
        assert_eq!(needs(&post, "/api/pin-requests/steps/identity"), Needs::Pass);
        assert_eq!(needs(&post, "/api/session"), Needs::Pass);
        assert_eq!(needs(&Method::DELETE, "/api/session"), Needs::Nothing, "logging out");
        assert_eq!(needs(&Method::GET, "/api/session"), Needs::Nothing);
        assert_eq!(
            needs(&Method::GET, "/api/auth/oidc/spid/start"),
            Needs::PassOnNavigation
        );
        assert_eq!(needs(&Method::GET, "/api/auth/oidc/callback"), Needs::Nothing);
        assert_eq!(needs(&Method::PUT, "/api/application/draft"), Needs::PassOrSession);
        assert_eq!(needs(&post, "/api/application/submit"), Needs::PassOrSession);
        assert_eq!(needs(&Method::GET, "/api/applications/INPS-1"), Needs::PassOrSession);
        for free in [
            "/api/health",
            "/api/queue/tickets",
            "/api/queue/pass",
            "/api/places",
            "/api/operator/session",
        ] {
            assert_eq!(needs(&post, free), Needs::Nothing, "{free}");
        }
    }

    #[test]
    fn the_cookies_are_http_only_strict_and_secure_when_asked() {
        let t = ticket_cookie(&"a".repeat(32), true);
        let t = t.to_str().unwrap();
        assert!(
            t.contains("Path=/api/queue")
                && t.contains("HttpOnly")
                && t.contains("SameSite=Strict")
                && t.contains("Secure")
        );
        let now = DateTime::from_timestamp(1_585_749_600, 0).unwrap();
        let p = pass_cookie("x.y.1.z", now + chrono::Duration::minutes(20), now, false);
        let p = p.to_str().unwrap();
        assert!(
            p.contains("Path=/api;") && p.contains("HttpOnly") && p.contains("Max-Age=1200") && !p.contains("Secure")
        );
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("sportello_ticket=../../etc"));
        assert_eq!(presented_ticket(&headers), None, "only a ticket id is read");
    }
}

//! The API is served through CloudFront only. API Gateway also gives every HTTP API an
//! `execute-api` address of its own, and a request sent there would skip CloudFront and the WAF
//! rule in front of it that limits each address.
//!
//! CloudFront adds a secret header to each request it forwards (`X-Origin-Verify`, generated in
//! Secrets Manager by `infra/template.yaml`). When the function knows that secret, it refuses a
//! request without it before doing any work.
//!
//! The CNS custom domain is the one other way in. Its requests carry a client certificate that API
//! Gateway checked in the mutual-TLS handshake. That certificate arrives in a request-context field
//! no client can write (`api::lambda`), so those requests pass.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::ErrorCode;
use secrecy::{ExposeSecret, SecretString};

use crate::ApiError;
use crate::cns::ClientCertificate;
use crate::secrets::constant_time_eq;

/// The header CloudFront adds with the secret.
pub const HEADER: &str = "x-origin-verify";

/// A secret shorter than this is a deploy mistake, refused at start (the template makes 48).
pub const MIN_SECRET_LEN: usize = 32;

/// Admits the requests that came through CloudFront (or the CNS domain); admits everything when
/// no secret is configured (the local server, which has no other address).
#[derive(Clone)]
pub struct OriginGuard {
    secret: Option<Arc<SecretString>>,
}

impl OriginGuard {
    /// A guard for `secret`, or an open door without one.
    pub fn new(secret: Option<SecretString>) -> OriginGuard {
        OriginGuard {
            secret: secret.map(Arc::new),
        }
    }

    /// Whether a request with `headers` may go on; `through_mutual_tls` if API Gateway verified a
    /// client certificate for it.
    fn admits(&self, headers: &HeaderMap, through_mutual_tls: bool) -> bool {
        let Some(secret) = &self.secret else {
            return true;
        };
        through_mutual_tls
            || headers
                .get(HEADER)
                .is_some_and(|value| constant_time_eq(value.as_bytes(), secret.expose_secret().as_bytes()))
    }
}

/// The middleware: a request that did not come through CloudFront gets 403 `origin.direct`.
pub async fn check(State(guard): State<OriginGuard>, request: Request, next: Next) -> Response {
    let through_mutual_tls = request.extensions().get::<ClientCertificate>().is_some();
    if guard.admits(request.headers(), through_mutual_tls) {
        next.run(request).await
    } else {
        // Not logged at WARN: anyone can knock on a public address, and it would flood the log.
        tracing::debug!("request refused: it did not come through CloudFront");
        ApiError::Forbidden(ErrorCode::OriginDirect).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";

    fn headers(value: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(HEADER, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn with_a_secret_only_the_right_header_or_mutual_tls_passes() {
        let guard = OriginGuard::new(Some(SecretString::from(SECRET)));
        assert!(guard.admits(&headers(Some(SECRET)), false));
        assert!(!guard.admits(&headers(None), false));
        assert!(!guard.admits(&headers(Some("")), false));
        assert!(!guard.admits(&headers(Some(&SECRET[..SECRET.len() - 1])), false));
        assert!(!guard.admits(&headers(Some(&format!("{SECRET}x"))), false));
        assert!(!guard.admits(&headers(Some(&SECRET.to_uppercase())), false));
        assert!(
            guard.admits(&headers(None), true),
            "the CNS domain's verified certificate"
        );
    }

    #[test]
    fn without_a_secret_everything_passes() {
        let guard = OriginGuard::new(None);
        assert!(guard.admits(&headers(None), false));
        assert!(guard.admits(&headers(Some("anything")), false));
    }
}

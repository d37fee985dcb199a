//! A request's body is read in full, within its deadline, before the request counts as in flight;
//! then the whole answer has a deadline of its own. Without this, 600 clients that send their
//! headers and trickle their bodies held every in-flight permit (512) and `/api/health` answered
//! 503 until they left (issue 17). The headers' deadline and the cap on connections are the
//! listener's (`server::listener`); this layer sits outside the admission control
//! (`http::admission`), so a permit is taken only for a request that can be worked on at once.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::ApiError;
use crate::config::connections::ConnectionLimits;

/// How long a client whose request timed out on our side is asked to wait.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Reads the body (at most `max_body_bytes`, within `body_timeout`), then runs the request within
/// what is left of `request_timeout`. A body too slow is 408 and the connection is closed (a client
/// that trickles is not kept); a body too large is 413; an answer too slow is 503 with
/// `Retry-After`: the work may have been done, and the SPA's retry, with its idempotency key,
/// finds it.
pub async fn read_body_first(State(limits): State<ConnectionLimits>, request: Request, next: Next) -> Response {
    let started = tokio::time::Instant::now();
    let (parts, body) = request.into_parts();
    let limited = Limited::new(body, limits.max_body_bytes);
    let bytes = match tokio::time::timeout(limits.body_timeout, limited.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return close(ApiError::BodyTooLarge.into_response());
        }
        // The client went away or sent a broken body: nothing to answer that it will read.
        Ok(Err(_)) => return close(ApiError::Malformed("the request body could not be read".into()).into_response()),
        Err(_) => {
            tracing::info!(path = %parts.uri.path(), "request body too slow: connection closed");
            return close(ApiError::BodyTimeout.into_response());
        }
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let deadline = started + limits.request_timeout;
    match tokio::time::timeout_at(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out on the server's side");
            ApiError::Overloaded {
                retry_after: RETRY_AFTER,
            }
            .into_response()
        }
    }
}

/// Marks `response` as the connection's last.
fn close(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;
    use crate::http::admission::{InFlightLimit, admit};

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            body_timeout: Duration::from_millis(200),
            request_timeout: Duration::from_millis(500),
            max_body_bytes: 16,
            ..ConnectionLimits::default()
        }
    }

    /// A route behind one in-flight permit, echoing its body, or sleeping on `/slow`.
    fn app() -> Router {
        Router::new()
            .route("/echo", post(|body: String| async move { body }))
            .route(
                "/slow",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .layer(axum::middleware::from_fn_with_state(InFlightLimit::new(1), admit))
            .layer(axum::middleware::from_fn_with_state(limits(), read_body_first))
    }

    /// A body that sends its first bytes and then nothing for `pause`.
    fn trickling(pause: Duration) -> Body {
        Body::from_stream(futures_util::stream::unfold(0, move |n| async move {
            match n {
                0 => Some((Ok::<_, std::io::Error>("{\"a\":"), 1)),
                1 => {
                    tokio::time::sleep(pause).await;
                    Some((Ok("1}"), 2))
                }
                _ => None,
            }
        }))
    }

    #[tokio::test]
    async fn a_trickling_body_holds_no_permit_and_is_cut_at_its_deadline() {
        let app = app();
        // The slow client is waiting for its body's deadline...
        let slow = tokio::spawn(
            app.clone()
                .oneshot(Request::post("/echo").body(trickling(Duration::from_secs(5))).unwrap()),
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        // ...while the one permit is free for a request whose body has arrived.
        let quick = app
            .clone()
            .oneshot(Request::post("/echo").body(Body::from("ok")).unwrap())
            .await
            .unwrap();
        assert_eq!(quick.status(), StatusCode::OK);
        let slow = slow.await.unwrap().unwrap();
        assert_eq!(slow.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(slow.headers()["connection"], "close");
        let body = axum::body::to_bytes(slow.into_body(), 1 << 16).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["code"], "request_timeout");
    }

    #[tokio::test]
    async fn a_body_that_arrives_in_time_reaches_the_handler_whole() {
        let response = app()
            .oneshot(
                Request::post("/echo")
                    .body(trickling(Duration::from_millis(20)))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        assert_eq!(body, "{\"a\":1}");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_an_answer_too_slow_is_a_retry() {
        let big = app()
            .oneshot(Request::post("/echo").body(Body::from("x".repeat(17))).unwrap())
            .await
            .unwrap();
        assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let late = app()
            .oneshot(Request::post("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(late.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(late.headers()["retry-after"], "2");
    }
}

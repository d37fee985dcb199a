//! Admission control: at most N requests in flight; the next one is answered at once with 503
//! and `Retry-After` instead of waiting in a queue. In 2020 requests queued until everything
//! timed out and every citizen saw an error; a prompt "try again in a second" lets the client's
//! retry spread the surge while the requests already admitted finish quickly.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::ApiError;
use crate::services::load::{LoadMeter, Shed};

/// How long a refused client is asked to wait: short, because admitted requests take
/// milliseconds; the client adds jitter so that refused clients do not return in step.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The bound on requests in flight, shared by every clone of the router, and the meter that
/// counts what it admits and sheds (the waiting room reads it).
#[derive(Debug, Clone)]
pub struct InFlightLimit {
    max: usize,
    permits: Arc<Semaphore>,
    meter: Arc<LoadMeter>,
}

impl InFlightLimit {
    /// A bound of `max` requests at once, with a meter of its own.
    pub fn new(max: usize) -> InFlightLimit {
        InFlightLimit::metered(Arc::new(LoadMeter::new(max)), max)
    }

    /// A bound of `max` requests at once, counted on `meter`.
    pub fn metered(meter: Arc<LoadMeter>, max: usize) -> InFlightLimit {
        InFlightLimit {
            max,
            permits: Arc::new(Semaphore::new(max)),
            meter,
        }
    }
}

/// Runs the request if a permit is free; otherwise 503 `overloaded` with `Retry-After`.
pub async fn admit(State(limit): State<InFlightLimit>, request: Request, next: Next) -> Response {
    match limit.permits.clone().try_acquire_owned() {
        Ok(permit) => {
            let in_flight = limit.max - limit.permits.available_permits();
            let response = next.run(request).await;
            drop(permit);
            limit
                .meter
                .record(in_flight, response.extensions().get::<Shed>().is_some());
            response
        }
        Err(_) => {
            limit.meter.record(limit.max, true);
            tracing::warn!("request shed: too many in flight");
            ApiError::Overloaded {
                retry_after: RETRY_AFTER,
            }
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tokio::sync::oneshot;
    use tower::ServiceExt;

    #[tokio::test]
    async fn beyond_the_bound_requests_are_refused_at_once_and_admitted_again_after() {
        let (release_tx, release_rx) = oneshot::channel::<()>();
        let release = Arc::new(tokio::sync::Mutex::new(Some(release_rx)));
        let limit = InFlightLimit::new(1);
        let app = Router::new()
            .route(
                "/slow",
                get(move || {
                    let release = release.clone();
                    async move {
                        if let Some(rx) = release.lock().await.take() {
                            let _ = rx.await;
                        }
                        "done"
                    }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(limit, admit));

        let first = tokio::spawn(app.clone().oneshot(Request::get("/slow").body(Body::empty()).unwrap()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = app
            .clone()
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()["retry-after"], "1");

        release_tx.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::OK);
        let again = app
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::OK);
    }
}

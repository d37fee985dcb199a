//! Headers that keep personal data out of shared caches. In 2020 a cache served one citizen's
//! page to others; every API response is personal or may become so, so all of them are marked.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Marks every API response `Cache-Control: no-store` and `Vary: Cookie, Accept-Language`.
pub async fn no_shared_caching(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // The one public answer, the same for everyone (the OpenAPI contract), says so itself.
    let public = headers
        .get(header::CACHE_CONTROL)
        .is_some_and(|value| value.as_bytes().starts_with(b"public"));
    if !public {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

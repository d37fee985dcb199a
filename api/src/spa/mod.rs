//! Serves the built SPA from memory (ADR 0019): every file of the dist folder, read once at start
//! with its brotli and gzip copies, and for every other path the HTML page of the bundle that has
//! it, so that the client-side router can handle deep links and reloads. The SPA is four entry
//! bundles (ADR 0008, 0010, 0022): `area.html` for the application (`/domanda`, `/domanda/…`,
//! `/le-mie-domande`), `console.html` for the Contact Center (`/operatore`, `/operatore/…`),
//! `queue.html` for the waiting room (`/coda`), `index.html` for everything else (the router in
//! `frontend/src/router.rs` draws the same lines, from `domain::bundles`).
//!
//! Files whose name carries a content hash are cached for a year (`immutable`); the HTML pages are
//! revalidated (`no-cache`) with an entity tag, so a second visit costs a 304 and nothing else.

mod assets;
mod encoding;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::bundles::{BUNDLE_PREFIXES, Bundle};
use tower_http::set_header::SetResponseHeaderLayer;

pub use assets::{Asset, Assets};
pub use encoding::Encoding;

/// Content Security Policy for the SPA: only our own scripts, styles and API; wasm compilation allowed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// How long a file with a content hash in its name may be kept: a year, the longest RFC 9111
/// suggests; `immutable` tells browsers that support it not to revalidate it even on reload.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The PIN request's first page, whose first view is written in its own file at build time
/// (`frontend/src/prerender.rs`, `FIRST_STEP_FILE`).
pub const FIRST_STEP_ROUTES: [&str; 4] = [
    "/richiesta-pin",
    "/richiesta-pin/",
    "/richiesta-pin/identita",
    "/richiesta-pin/identita/",
];

/// The file that answers `path`: the file itself when the SPA has one by that name; the page of
/// the bundle whose prefix holds the path; `index.html` for `/`; none for any other path whose
/// last segment has a dot (a file that is not there, such as an old build's hashed asset after a
/// deploy, is a 404, not a page parsed as a script — the CloudFront function in
/// `infra/template.yaml` draws the same line); `public.html` for the rest.
fn file_for<'a>(path: &'a str, assets: &Assets) -> Option<&'a str> {
    let name = path.trim_start_matches('/');
    if assets.get(name).is_some() {
        return Some(name);
    }
    if path.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return None;
    }
    if path == "/" {
        return Some("index.html");
    }
    if FIRST_STEP_ROUTES.contains(&path) {
        return Some("richiesta-pin-identita.html");
    }
    let trimmed = path.trim_end_matches('/');
    for (prefix, bundle) in BUNDLE_PREFIXES {
        let under = trimmed == prefix || trimmed.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        if under && bundle != Bundle::Public {
            return Some(bundle.page());
        }
    }
    Some("public.html")
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2) or is `*`.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value
        .split(',')
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Answers a request for the SPA from memory.
async fn serve(State(assets): State<Arc<Assets>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        )
            .into_response();
    }
    let Some(asset) = file_for(uri.path(), &assets).and_then(|name| assets.get(name)) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-cache")],
            "Not found",
        )
            .into_response();
    };
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let encoding = encoding::preferred(accept, asset.brotli.is_some(), asset.gzip.is_some());
    let etag = asset.etag(encoding);
    let mut response = Response::builder()
        .header(
            header::CACHE_CONTROL,
            if asset.immutable { IMMUTABLE } else { "no-cache" },
        )
        .header(header::ETAG, etag)
        .header(header::VARY, "Accept-Encoding");
    if not_modified(&headers, etag) {
        response = response.status(StatusCode::NOT_MODIFIED);
        return response.body(Body::empty()).unwrap_or_default();
    }
    let body = asset.body(encoding);
    response = response
        .header(header::CONTENT_TYPE, asset.content_type)
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(token) = encoding.token() {
        response = response.header(header::CONTENT_ENCODING, token);
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(body.clone())
    };
    response.body(body).unwrap_or_default()
}

/// A router serving the SPA in `dir`, read into memory now: the area's pages get `area.html`,
/// the console's `console.html`, the waiting room `queue.html`, the start page `index.html` (whose first view is written in it
/// at build time), any other path that is not a file `public.html` (the same bundle around an
/// empty main, so that a deep link does not show the start page's text first).
pub fn router(dir: &Path) -> Router {
    let assets = match Assets::load(dir) {
        Ok(assets) => assets,
        Err(e) => {
            tracing::error!(dir = %dir.display(), error = %e, "cannot read the SPA: serving the API alone");
            Assets::default()
        }
    };
    if assets.is_empty() {
        tracing::warn!(dir = %dir.display(), "no built SPA (scripts/build-spa.sh): serving the API alone");
    } else {
        tracing::info!(dir = %dir.display(), files = assets.len(), "SPA read into memory");
    }
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(assets))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    /// A dist folder whose pages say which they are.
    fn dist() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "start page").unwrap();
        std::fs::write(dir.path().join("public.html"), "public page").unwrap();
        std::fs::write(dir.path().join("richiesta-pin-identita.html"), "first step").unwrap();
        std::fs::write(dir.path().join("area.html"), "area page").unwrap();
        std::fs::write(dir.path().join("console.html"), "console page").unwrap();
        std::fs::write(dir.path().join("queue.html"), "queue page").unwrap();
        std::fs::write(dir.path().join("area.js"), "// area bindings").unwrap();
        std::fs::write(dir.path().join("index.html.br"), "brotli copy").unwrap();
        std::fs::write(dir.path().join("index.html.gz"), "gzip copy").unwrap();
        std::fs::write(dir.path().join("frontend_bg.0123456789abcdef.wasm"), "\0asm").unwrap();
        dir
    }

    async fn get(dir: &Path, path: &str) -> (StatusCode, String, Option<String>) {
        let response = router(dir)
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let csp = response
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap(), csp)
    }

    #[tokio::test]
    async fn the_application_console_and_room_pages_get_their_bundles_and_the_rest_the_public_one() {
        let dir = dist();
        for path in [
            "/domanda",
            "/domanda/",
            "/domanda/indennita",
            "/domanda/riepilogo?x=1",
            "/domanda/ricevuta/INPS-COVID-2020-0000001",
            "/le-mie-domande",
            "/le-mie-domande/",
            "/le-mie-domande/a-mio-nome",
        ] {
            let (status, body, csp) = get(dir.path(), path).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "area page"), "{path}");
            assert_eq!(csp.as_deref(), Some(CONTENT_SECURITY_POLICY), "{path}");
        }
        for path in [
            "/operatore",
            "/operatore/",
            "/operatore/accesso",
            "/operatore/chiamata/0123abcd/domanda",
        ] {
            let (status, body, csp) = get(dir.path(), path).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "console page"), "{path}");
            assert_eq!(csp.as_deref(), Some(CONTENT_SECURITY_POLICY), "{path}");
        }
        // The waiting room, where the API's `queue.required` (`room`) and its 303 send a citizen.
        for path in [
            domain::wire::queue::ROOM_PAGE,
            "/coda/",
            "/coda?dopo=/accedi",
            "/coda?dopo=%2Frichiesta-pin%2Fidentita",
        ] {
            let (status, body, csp) = get(dir.path(), path).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "queue page"), "{path}");
            assert_eq!(csp.as_deref(), Some(CONTENT_SECURITY_POLICY), "{path}");
        }
        assert_eq!(get(dir.path(), "/").await.1, "start page");
        for path in [
            "/richiesta-pin",
            "/richiesta-pin/identita",
            "/richiesta-pin/identita?da=riepilogo",
        ] {
            assert_eq!(get(dir.path(), path).await.1, "first step", "{path}");
        }
        for path in [
            "/accedi",
            "/richiesta-pin/contatti",
            "/domandaX",
            "/le-mie-domandeX",
            "/operatoreX",
            "/codaX",
            "/accedi/coda",
            "/nowhere",
        ] {
            let (status, body, _) = get(dir.path(), path).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "public page"), "{path}");
        }
        // Files are files, whatever bundle they belong to.
        assert_eq!(get(dir.path(), "/area.js").await.1, "// area bindings");
        // A file that is not there is not a page: an old build's script after a deploy.
        for path in ["/frontend_bg.0000000000000000.wasm", "/domanda/x.js", "/nowhere.css"] {
            assert_eq!(get(dir.path(), path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }

    /// A request as a browser sends it, through a router over `dir`.
    async fn fetch(dir: &Path, request: Request<Body>) -> Response {
        router(dir).oneshot(request).await.unwrap()
    }

    fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
        response.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn hashed_files_are_cached_for_a_year_and_pages_revalidated_with_their_tag() {
        let dir = dist();
        let wasm = fetch(
            dir.path(),
            Request::get("/frontend_bg.0123456789abcdef.wasm")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(wasm.status(), StatusCode::OK);
        assert_eq!(header(&wasm, "cache-control"), Some(IMMUTABLE));
        assert_eq!(header(&wasm, "content-type"), Some("application/wasm"));

        let page = fetch(dir.path(), Request::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(header(&page, "cache-control"), Some("no-cache"));
        assert_eq!(header(&page, "content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(header(&page, "vary"), Some("Accept-Encoding"));
        let etag = header(&page, "etag").unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

        // The second visit: the browser asks with the tag it holds, and gets nothing but headers.
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".into(),
        ] {
            let again = fetch(
                dir.path(),
                Request::get("/")
                    .header("if-none-match", &tag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{tag}");
            assert_eq!(header(&again, "etag"), Some(etag.as_str()));
            let body = axum::body::to_bytes(again.into_body(), 1 << 20).await.unwrap();
            assert!(body.is_empty());
        }
        let changed = fetch(
            dir.path(),
            Request::get("/")
                .header("if-none-match", "\"an-older-build\"")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(changed.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn each_client_gets_the_smallest_copy_it_accepts_with_its_own_tag() {
        let dir = dist();
        let mut tags = Vec::new();
        for (accept, encoding, body) in [
            (Some("gzip, deflate, br, zstd"), Some("br"), "brotli copy"),
            (Some("gzip"), Some("gzip"), "gzip copy"),
            (None, None, "start page"),
        ] {
            let mut request = Request::get("/");
            if let Some(accept) = accept {
                request = request.header("accept-encoding", accept);
            }
            let response = fetch(dir.path(), request.body(Body::empty()).unwrap()).await;
            assert_eq!(header(&response, "content-encoding"), encoding, "{accept:?}");
            assert_eq!(
                header(&response, "content-length"),
                Some(body.len().to_string().as_str())
            );
            tags.push(header(&response, "etag").unwrap().to_owned());
            let got = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            assert_eq!(got, body.as_bytes(), "{accept:?}");
        }
        tags.dedup();
        assert_eq!(tags.len(), 3, "one tag per representation: {tags:?}");
        // A file without copies is sent as it is, whatever the client accepts.
        let plain = fetch(
            dir.path(),
            Request::get("/area.js")
                .header("accept-encoding", "br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(header(&plain, "content-encoding"), None);
    }

    #[tokio::test]
    async fn head_gets_the_headers_and_other_methods_are_refused() {
        let dir = dist();
        let head = fetch(dir.path(), Request::head("/").body(Body::empty()).unwrap()).await;
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(
            header(&head, "content-length"),
            Some("start page".len().to_string().as_str())
        );
        assert!(
            axum::body::to_bytes(head.into_body(), 1 << 20)
                .await
                .unwrap()
                .is_empty()
        );
        let post = fetch(dir.path(), Request::post("/").body(Body::empty()).unwrap()).await;
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&post, "allow"), Some("GET, HEAD"));
    }

    #[tokio::test]
    async fn the_files_are_read_once_at_start_not_per_request() {
        let dir = dist();
        let app = router(dir.path());
        std::fs::write(dir.path().join("index.html"), "changed on disk").unwrap();
        std::fs::remove_file(dir.path().join("area.js")).unwrap();
        let page = app
            .clone()
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let body = axum::body::to_bytes(page.into_body(), 1 << 20).await.unwrap();
        assert_eq!(body, "start page", "the page read at start");
        let js = app
            .oneshot(Request::get("/area.js").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
    }

    /// The CloudFront function that picks the HTML page on AWS (`infra/template.yaml`) names
    /// exactly the prefixes of `domain::bundles`, each with its bundle's page.
    #[test]
    fn the_cloudfront_function_agrees_with_the_bundle_map() {
        let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml"))
            .expect("infra/template.yaml is readable");
        let mut named = Vec::new();
        for line in template.lines() {
            let mut rest = line;
            while let Some(at) = rest.find("under('") {
                rest = &rest[at + "under('".len()..];
                let prefix = &rest[..rest.find('\'').expect("a closing quote")];
                let page = line
                    .split("request.uri = '/")
                    .nth(1)
                    .and_then(|p| p.split('\'').next())
                    .expect("the line sets the page");
                named.push((prefix.to_owned(), page.to_owned()));
            }
        }
        let expected: Vec<_> = BUNDLE_PREFIXES
            .iter()
            .map(|(prefix, bundle)| ((*prefix).to_owned(), bundle.page().to_owned()))
            .collect();
        assert_eq!(named, expected);
    }
}

//! Serves the built SPA: files from the dist folder, and for every other path the HTML page of the
//! bundle that has it, so that the client-side router can handle deep links and reloads. The SPA
//! is three entry bundles (ADR 0008, 0010): `area.html` for the application (`/domanda`,
//! `/domanda/…`, `/le-mie-domande`), `console.html` for the Contact Center (`/operatore`,
//! `/operatore/…`), `index.html` for everything else (the router in `frontend/src/router.rs` draws
//! the same lines).

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use domain::bundles::{BUNDLE_PREFIXES, Bundle};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Content Security Policy for the SPA: only our own scripts, styles and API; wasm compilation allowed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The PIN request's first page, whose first view is written in its own file at build time
/// (`frontend/src/prerender.rs`, `FIRST_STEP_FILE`).
pub const FIRST_STEP_ROUTES: [&str; 4] = [
    "/richiesta-pin",
    "/richiesta-pin/",
    "/richiesta-pin/identita",
    "/richiesta-pin/identita/",
];

/// The router patterns of a bundle's prefix (`domain::bundles::BUNDLE_PREFIXES`): the prefix,
/// with a trailing slash, and everything under it.
fn prefix_routes(prefix: &str) -> [String; 3] {
    [prefix.to_owned(), format!("{prefix}/"), format!("{prefix}/{{*page}}")]
}

/// A router serving `dir`: the area's pages get `dir/area.html`, the console's
/// `dir/console.html`, the start page `dir/index.html` (whose first view is written in it at
/// build time), any other path that is not a file `dir/public.html` (the same bundle around an
/// empty main, so that a deep link does not show the start page's text first).
pub fn router(dir: &Path) -> Router {
    let public = ServeFile::new(dir.join("public.html"));
    let first_step = ServeFile::new(dir.join("richiesta-pin-identita.html"));
    let area = ServeFile::new(dir.join("area.html"));
    let console = ServeFile::new(dir.join("console.html"));
    let mut router = Router::new();
    for (prefix, bundle) in BUNDLE_PREFIXES {
        let page = match bundle {
            Bundle::Area => &area,
            Bundle::Console => &console,
            Bundle::Public => continue,
        };
        for route in prefix_routes(prefix) {
            router = router.route_service(&route, page.clone());
        }
    }
    for route in FIRST_STEP_ROUTES {
        router = router.route_service(route, first_step.clone());
    }
    router
        .fallback_service(ServeDir::new(dir).fallback(public))
        // The HTML pages must be revalidated so a deploy is picked up; they carry no personal data.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
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
        std::fs::write(dir.path().join("area.js"), "// area bindings").unwrap();
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
    async fn the_application_and_console_pages_get_their_bundles_and_the_rest_the_public_one() {
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
            "/nowhere",
        ] {
            let (status, body, _) = get(dir.path(), path).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "public page"), "{path}");
        }
        // Files are files, whatever bundle they belong to.
        assert_eq!(get(dir.path(), "/area.js").await.1, "// area bindings");
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

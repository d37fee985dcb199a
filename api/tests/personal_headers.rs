//! Walks every API route, as an anonymous caller and as a logged-in citizen, and checks that each
//! response forbids shared caching (`Cache-Control: no-store`, `Vary: Cookie`): the 2020 leak was
//! a cache serving one citizen's page to another.

mod common;

use common::{TestServer, citizen};
use reqwest::Method;
use serde_json::json;

/// Every route of the API (method, path, JSON body).
fn routes(cf: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let form = citizen("Anna", "Verdi", 16);
    vec![
        (Method::GET, "/api/health".into(), None),
        (
            Method::POST,
            "/api/codice-fiscale/check".into(),
            Some(json!({ "codice_fiscale": cf })),
        ),
        (Method::GET, "/api/places?q=Rom".into(), None),
        (
            Method::POST,
            "/api/pin-requests/steps/identita".into(),
            Some(form.clone()),
        ),
        (Method::POST, "/api/pin-requests".into(), Some(form)),
        (
            Method::POST,
            "/api/session".into(),
            Some(json!({ "codice_fiscale": cf, "pin": "AAAAAAAA" })),
        ),
        (Method::GET, "/api/session".into(), None),
        (Method::POST, "/api/session/extend".into(), None),
        (Method::GET, "/api/profile".into(), None),
        (Method::GET, "/api/application".into(), None),
        (
            Method::PUT,
            "/api/application/draft".into(),
            Some(json!({ "benefit": "art27" })),
        ),
        (
            Method::POST,
            "/api/application/steps/indennita".into(),
            Some(json!({ "benefit": "art27" })),
        ),
        (
            Method::POST,
            "/api/application/submit".into(),
            Some(json!({ "benefit": "art27" })),
        ),
        (Method::GET, "/api/applications".into(), None),
        (Method::GET, "/api/applications/INPS-COVID-2020-0000001".into(), None),
        (Method::GET, format!("/api/dev/outbox?codice_fiscale={cf}"), None),
        (
            Method::PUT,
            format!("/api/dev/registry/{cf}"),
            Some(common::resident_row(&citizen("Anna", "Verdi", 16))),
        ),
        (Method::GET, "/api/no-such-route".into(), None),
        (Method::DELETE, "/api/session".into(), None),
    ]
}

#[tokio::test]
async fn every_api_response_forbids_shared_caching_for_anonymous_and_logged_in_callers() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 17);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, second) = server.request_pin(&anna).await;
    let (_, cookie) = server.login(cf, &format!("{first}{second}")).await;

    for cookie in [None, cookie.as_deref()] {
        for (method, path, body) in routes(cf) {
            let mut request = server.client.request(method.clone(), server.url(&path));
            if let Some(body) = body {
                request = request.json(&body);
            }
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let response = request.send().await.unwrap();
            let headers = response.headers();
            let what = format!("{method} {path} (logged in: {})", cookie.is_some());
            assert_eq!(
                headers.get("cache-control").map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "{what}"
            );
            assert!(headers["vary"].to_str().unwrap().contains("Cookie"), "{what}");
        }
    }
}

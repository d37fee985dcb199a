//! The API over HTTP: a real server on 127.0.0.1 (random port, fresh data directory per test).

mod common;

use common::TestServer;
use serde_json::{Value, json};

#[tokio::test]
async fn health_reads_the_store_and_is_never_cached() {
    let server = TestServer::start().await;
    let response = reqwest::get(server.url("/api/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok", "store": "sqlite"}));
}

#[tokio::test]
async fn the_service_hours_are_the_configured_windows_and_public() {
    // GIVEN a server whose windows are not the default ones
    let server = TestServer::start_with(|config| {
        config.submission_windows =
            domain::submission_window::WindowConfig::parse("web_citizen=18:30-07:00,contact_center=07:00-18:30")
                .unwrap();
    })
    .await;
    // WHEN the start page asks when applications can be sent
    let response = reqwest::get(server.url("/api/service/hours")).await.unwrap();
    // THEN it hears the configured hours, in an answer any cache may keep (it is the same for all)
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"web_citizen": {"start": "18:30", "end": "07:00"}, "contact_center": {"start": "07:00", "end": "18:30"}})
    );
}

#[tokio::test]
async fn a_valid_codice_fiscale_is_returned_normalised() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .json(&json!({"codice_fiscale": " rssmra85t10a562s"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["codice_fiscale"], "RSSMRA85T10A562S");
    assert_eq!(body["omocode"], false);
}

#[tokio::test]
async fn a_wrong_check_character_names_the_field_in_italian_by_default() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .json(&json!({"codice_fiscale": "RSSMRA85T10A562T"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["field_codes"]["codice_fiscale"], "cf.check_character");
    let message = body["fields"]["codice_fiscale"].as_str().unwrap();
    assert!(message.contains("carattere di controllo"), "{message}");
}

#[tokio::test]
async fn errors_are_in_english_when_the_browser_asks_for_it() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"codice_fiscale": "RSSMRA"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field_codes"]["codice_fiscale"], "cf.length");
    assert!(
        body["fields"]["codice_fiscale"]
            .as_str()
            .unwrap()
            .contains("16 characters"),
        "{body}"
    );
}

#[tokio::test]
async fn an_empty_codice_fiscale_is_required() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .json(&json!({"codice_fiscale": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field_codes"]["codice_fiscale"], "required");
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_the_malformed_request_error() {
    let server = TestServer::start().await;
    let response = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "malformed_request");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_spa() {
    let server = TestServer::start().await;
    let response = reqwest::get(server.url("/api/nope")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}

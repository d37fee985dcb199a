//! The API on DynamoDB when DynamoDB is busy (issue 19): a Conferma whose transaction is
//! cancelled for throttling or for a conflict with another transaction answers 503 with
//! Retry-After — not 500 — and the SPA's retry with the same idempotency key then gets the receipt,
//! with exactly one application stored. DynamoDB's answers come from a proxy in front of moto
//! (`common_moto::fault_proxy`): moto serialises requests and never gives those reasons.

mod common;
mod common_moto;

use std::sync::Arc;

use api::AppState;
use api::registry::sqlite::SqliteRegistry;
use api::secrets::PinKey;
use api::store::dynamodb::{self, DynamoDbStore};
use common::{TestServer, art27_form, citizen};
use common_moto::fault_proxy::FaultProxy;
use serde_json::Value;

/// A dev-mode server whose store is a fresh DynamoDB table reached through `proxy`; both
/// submission windows open all day.
async fn server_through(proxy: &FaultProxy) -> TestServer {
    let data = tempfile::tempdir().unwrap();
    let mut config = api::Config::for_tests(data.path().to_path_buf());
    config.submission_windows =
        domain::submission_window::WindowConfig::parse("web_citizen=00:00-00:00,contact_center=00:00-00:00").unwrap();
    let client = common_moto::client(&proxy.endpoint);
    let table = common_moto::unique_table_name("sportello-faults");
    dynamodb::create_table(&client, &table).await.unwrap();
    let store = DynamoDbStore::new(client, table);
    let registry = SqliteRegistry::open(data.path()).unwrap();
    let state = AppState::new(config, Arc::new(store), Arc::new(registry), PinKey::generate()).unwrap();
    TestServer::serve_state(state, data).await
}

/// A citizen with a PIN, logged in with its first half: their codice fiscale and session cookie.
async fn logged_in(server: &TestServer, given_name: &str, day: u32) -> (String, String) {
    let person = citizen(given_name, "Faults", day);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    server.register(&person).await;
    let r = server.post("/api/pin-requests", &person).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // The delivery worker hands the SMS to the dev sink (on the same table) a moment later.
    let mut first_half = None;
    for _ in 0..200 {
        let sink = server.dev_sink(&cf).await;
        if let Some(sms) = sink.iter().find(|m| m["channel"] == "sms") {
            first_half = Some(common::pin_in(sms["body"].as_str().unwrap()));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (r, cookie) = server.login(&cf, &first_half.expect("the SMS arrives")).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (cf, cookie.expect("a session cookie"))
}

async fn conferma(server: &TestServer, cookie: &str, key: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/application/submit"))
        .header("cookie", cookie)
        .header("idempotency-key", key)
        .json(&art27_form())
        .send()
        .await
        .unwrap()
}

/// The citizen's applications as "Le mie domande" lists them.
async fn applications(server: &TestServer, cookie: &str) -> Vec<Value> {
    let r = server.get_as("/api/applications", cookie).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    body["applications"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_throttled_or_conflicting_conferma_is_503_with_retry_after_and_the_retry_files_exactly_one() {
    let proxy = FaultProxy::start(&common_moto::server().endpoint).await;
    let server = server_through(&proxy).await;
    for (name, day, reason) in [("Tina", 3, "ThrottlingError"), ("Carla", 4, "TransactionConflict")] {
        let (_cf, cookie) = logged_in(&server, name, day).await;
        // GIVEN DynamoDB cancelling every transaction for `reason`, however often it is tried
        proxy.cancel_next_transactions(1_000, reason);
        // WHEN the citizen presses Conferma
        let refused = conferma(&server, &cookie, &format!("{name}-click")).await;
        proxy.stop_cancelling();
        // THEN the answer says "busy, retry": 503 with Retry-After, nothing stored
        assert_eq!(refused.status(), 503, "{reason}");
        assert!(refused.headers().contains_key("retry-after"), "{reason}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "overloaded", "{reason}");
        assert!(applications(&server, &cookie).await.is_empty(), "{reason}");

        // WHEN the SPA retries with the same key once DynamoDB is itself again
        let mark = proxy.mark();
        let filed = conferma(&server, &cookie, &format!("{name}-click")).await;
        // (The delivery worker runs beside, sweeping the outbox index and sending the
        // receipts: its calls are the queries and those on messages, none of the Conferma's.)
        let calls: Vec<String> = proxy
            .calls_since(mark)
            .into_iter()
            .filter(|c| !c.starts_with("Query") && !c.contains(" MSG"))
            .collect();
        // THEN the receipt; and a further retry gets the same receipt, with one application stored
        assert_eq!(filed.status(), 201, "{reason}: {}", filed.text().await.unwrap());
        let receipt: Value = filed.json().await.unwrap();
        let again = conferma(&server, &cookie, &format!("{name}-click")).await;
        assert_eq!(again.status(), 200, "{reason}");
        let again: Value = again.json().await.unwrap();
        assert_eq!(again["protocol"], receipt["protocol"], "{reason}");
        let listed = applications(&server, &cookie).await;
        assert_eq!(listed.len(), 1, "{reason}: {listed:?}");
        assert_eq!(listed[0]["protocol"], receipt["protocol"]);
        // A Conferma in three round trips (issue 19): the session (not extended), the protocol
        // counter, and the one transaction that checks and writes everything.
        assert_eq!(
            calls,
            [
                "GetItem SESSION",
                "UpdateItem COUNTER",
                "TransactWriteItems CITIZEN APPLICATION"
            ],
            "{reason}"
        );
        assert_eq!(receipt["applicant"]["name"], format!("{name} Faults"), "{reason}");
        println!(
            "{reason}: 503 + Retry-After, then {} filed once; the Conferma made {} DynamoDB calls: {calls:?}",
            receipt["protocol"],
            calls.len()
        );
    }
}

#[tokio::test]
async fn a_few_conflicts_are_absorbed_by_the_stores_own_rounds() {
    let proxy = FaultProxy::start(&common_moto::server().endpoint).await;
    let server = server_through(&proxy).await;
    let (_cf, cookie) = logged_in(&server, "Lia", 5).await;
    proxy.cancel_next_transactions(3, "TransactionConflict");
    let filed = conferma(&server, &cookie, "lia-click").await;
    assert_eq!(filed.status(), 201, "{}", filed.text().await.unwrap());
    assert_eq!(applications(&server, &cookie).await.len(), 1);
}

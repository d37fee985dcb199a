//! `POST /api/client-errors`, where the SPA's panic hook reports that a page broke: the report
//! reaches the log with where it broke and nothing else, forged or oversized reports are refused,
//! and a client cannot flood the log.

mod common;

use common::TestServer;

/// Sends `body` as `navigator.sendBeacon` does (a `text/plain` string).
async fn beacon(server: &TestServer, body: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/client-errors"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_panic_report_is_logged_with_its_place_and_a_client_cannot_flood_the_log() {
    common::captured_log::everything(); // installed before the server starts
    let server = TestServer::start().await;

    // GIVEN the report the SPA sends WHEN it arrives THEN 204, and the log names bundle and place
    let report = r#"{"bundle":"area","location":"frontend/src/pages/receipt.rs:41:9"}"#;
    assert_eq!(beacon(&server, report).await.status(), 204);
    let log = common::captured_log::everything();
    let line = log
        .lines()
        .find(|l| l.contains("a page of the SPA panicked"))
        .expect("the report is in the log");
    assert!(
        line.contains("bundle=area") && line.contains("location=frontend/src/pages/receipt.rs:41:9"),
        "{line}"
    );

    // A report that would write anything else into the log is refused, and not logged.
    for forged in [
        r#"{"bundle":"area","location":"RSSMRA85T10A562S lives at Via Roma 1:1:1"}"#,
        r#"{"bundle":"area","location":"a.rs:1:1\nFAKE LOG LINE"}"#,
        r#"{"bundle":"elsewhere","location":"a.rs:1:1"}"#,
        "not json",
    ] {
        assert_eq!(beacon(&server, forged).await.status(), 400, "{forged}");
    }
    assert!(!common::captured_log::everything().contains("FAKE LOG LINE"));

    // The per-client limit (5 a minute) counts every report, the refused ones too: this is the sixth.
    let answer = beacon(&server, report).await;
    assert_eq!(answer.status(), 429);
    assert!(answer.headers().contains_key("retry-after"));
}

//! Secrets never reach the log: every event of a PIN request, a login and a failed login is
//! captured at TRACE level and searched for the PIN halves and the session token.

mod common;

use common::{TestServer, citizen};

#[tokio::test]
async fn no_pin_half_nor_session_token_is_ever_logged() {
    common::captured_log::everything(); // installed before the server starts

    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 15);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, second) = server.request_pin(&anna).await;
    let (r, cookie) = server.login(cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);
    let token = cookie.unwrap().split_once('=').unwrap().1.to_owned();
    let (r, _) = server.login(cf, "AAAAAAAA").await;
    assert_eq!(r.status(), 401);

    let log = common::captured_log::everything();
    assert!(
        log.contains("PIN request created") && log.contains("login"),
        "the capture works: {log}"
    );
    for secret in [first.as_str(), second.as_str(), token.as_str()] {
        assert!(!log.contains(secret), "secret {secret} found in the log");
    }
}

//! Secrets never reach the log: every event of a PIN request, a login and a failed login is
//! captured at TRACE level and searched for the PIN halves and the session token.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{TestServer, citizen};

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_pin_half_nor_session_token_is_ever_logged() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();

    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 15);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, second) = server.request_pin(&anna).await;
    let (r, cookie) = server.login(cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);
    let token = cookie.unwrap().split_once('=').unwrap().1.to_owned();
    let (r, _) = server.login(cf, "AAAAAAAA").await;
    assert_eq!(r.status(), 401);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("PIN request created") && log.contains("login"),
        "the capture works: {log}"
    );
    for secret in [first.as_str(), second.as_str(), token.as_str()] {
        assert!(!log.contains(secret), "secret {secret} found in the log");
    }
}

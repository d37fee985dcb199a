//! SMS through Amazon SNS: the real app with `SPORTELLO_SMS=sns`, publishing to moto's SNS on
//! 127.0.0.1, which keeps every SMS it accepts (read back from `/moto-api/data.json`) the way the
//! citizen's phone would. E-mail, PEC and the letter still go where they are configured (here, the
//! outbox). Every log event is captured at TRACE level and searched for the PIN and the number.

mod common;
mod common_moto;

use std::sync::Arc;

use api::config::SmsChoice;
use api::registry::sqlite::SqliteRegistry;
use api::secrets::PinKey;
use api::store::sqlite::SqliteStore;
use api::{AppState, Config};
use common::{TestServer, citizen, pin_in};

/// Everything logged so far by any test of this binary, at every level.
fn log() -> String {
    common::captured_log::everything()
}

/// A dev-mode server on SQLite whose SMS go through SNS at `endpoint`, shown as from `sender_id`.
async fn server_with_sns(endpoint: &str, sender_id: Option<&str>) -> TestServer {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.sms = SmsChoice::Sns {
        sender_id: sender_id.map(str::to_owned),
    };
    let store = SqliteStore::open(&config.data_dir).unwrap();
    let sns = common_moto::sns_client(endpoint);
    let registry = SqliteRegistry::open(&config.data_dir).unwrap();
    let state = AppState::with_sns(
        config,
        Arc::new(store),
        Arc::new(registry),
        PinKey::generate(),
        Some(sns),
    )
    .unwrap();
    TestServer::serve_state(state, data).await
}

/// The channels of the outbox entries for `cf`, sorted.
fn channels(outbox: &[serde_json::Value]) -> Vec<String> {
    let mut channels: Vec<String> = outbox
        .iter()
        .map(|m| m["channel"].as_str().unwrap().to_owned())
        .collect();
    channels.sort();
    channels
}

#[tokio::test]
async fn the_first_half_reaches_the_citizens_phone_through_sns_and_never_the_log() {
    log();
    let moto = &common_moto::server().endpoint;
    let server = server_with_sns(moto, Some("INPS")).await;
    let anna = citizen("Anna", "Verdi", 11);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    // The form holds the number as people write it; SNS gets it in E.164.
    assert_eq!(anna["mobile"], "+39 333 123 4511");
    let phone = "+393331234511";

    // WHEN Anna, a resident, requests a PIN
    server.register(&anna).await;
    let r = server.post("/api/pin-requests", &anna).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // THEN SNS accepted exactly one SMS for her phone, holding the PIN's first half (delivery is
    // the worker's, after the answer: wait for it, and for the other channels)
    let mut sms = Vec::new();
    for _ in 0..100 {
        sms = common_moto::sms_sent_to(moto, phone).await;
        if !sms.is_empty() && server.outbox(cf).await.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sms.len(), 1, "{sms:?}");
    let first = pin_in(&sms[0]);
    assert!(sms[0].starts_with("Sportello INPS: i primi 8 caratteri"), "{}", sms[0]);

    // AND e-mail, PEC and the letter went to the outbox (no SMTP here), the SMS did not
    let outbox = server.outbox(cf).await;
    assert_eq!(channels(&outbox), ["email", "pec", "post"]);
    for channel in ["email", "pec"] {
        let mail = outbox.iter().find(|m| m["channel"] == channel).unwrap();
        assert_eq!(pin_in(mail["body"].as_str().unwrap()), first, "{channel}");
    }
    let second = pin_in(
        outbox.iter().find(|m| m["channel"] == "post").unwrap()["body"]
            .as_str()
            .unwrap(),
    );

    // AND the half that travelled by SMS is the real one: with the letter's it opens a session
    let (r, _) = server.login(cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);

    // AND the log says the SMS left, without the PIN or the number in any event
    let log = log();
    assert!(log.contains("notification sent by SNS"), "the capture works: {log}");
    // (the digits alone too: a form-encoded request would show `%2B39…`)
    for secret in [first.as_str(), second.as_str(), "3331234511", "333 123 4511"] {
        assert!(!log.contains(secret), "{secret} found in the log");
    }
}

#[tokio::test]
async fn an_unreachable_sns_fails_the_sms_alone_and_the_log_names_neither_pin_nor_number() {
    log();
    // GIVEN SNS at an address where nothing listens
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let server = server_with_sns(&endpoint, None).await;
    let bice = citizen("Bice", "Gallo", 12);
    let cf = bice["codice_fiscale"].as_str().unwrap();

    // WHEN Bice requests a PIN THEN the request is taken (a PIN that does not arrive is the
    // Contact Center's to validate) and the other channels still carry their halves
    server.register(&bice).await;
    let r = server.post("/api/pin-requests", &bice).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // Delivery is the worker's, after the answer: wait for the three channels that work.
    let mut outbox = Vec::new();
    // (the SMS is retried, so the citizen's messages never all settle here: read the sink as is)
    for _ in 0..100 {
        outbox = server.dev_sink(cf).await;
        if outbox.len() >= 3 && log().contains("message failed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(channels(&outbox), ["email", "pec", "post"]);
    let first = pin_in(
        outbox.iter().find(|m| m["channel"] == "email").unwrap()["body"]
            .as_str()
            .unwrap(),
    );

    // AND the failure is logged by channel and cause, with no PIN half and no phone number
    let log = log();
    let failure = log
        .lines()
        .find(|l| l.contains("message failed") && l.contains("sms"))
        .unwrap_or_else(|| panic!("no SMS failure logged: {log}"));
    assert!(failure.contains("SNS could not be reached"), "{failure}");
    for secret in [first.as_str(), "3331234512", "333 123 4512"] {
        assert!(!log.contains(secret), "{secret} found in the log");
    }
}

#[tokio::test]
async fn the_local_server_refuses_sns_rather_than_keeping_sms_in_the_outbox_unnoticed() {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.sms = SmsChoice::Sns { sender_id: None };
    let err = api::server::local_state(config).err().expect("refused");
    assert!(err.to_string().contains("SPORTELLO_SMS=sns"), "{err}");

    // Nor can a state be made for SNS without a client to publish with.
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.sms = SmsChoice::Sns { sender_id: None };
    let store = SqliteStore::open(data.path()).unwrap();
    let registry = Arc::new(SqliteRegistry::open(data.path()).unwrap());
    let err = AppState::with_sns(config, Arc::new(store), registry, PinKey::generate(), None)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("SPORTELLO_SMS=sns"), "{err}");
}

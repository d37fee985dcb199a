//! A real Sportello server on 127.0.0.1 for integration tests: random port, fresh data directory,
//! and small helpers to speak to it as a browser would.
#![allow(dead_code)] // each test binary uses its own subset

pub mod captured_log;
pub mod smtp_server;

use std::net::SocketAddr;

use api::Config;
use chrono::NaiveDate;
use domain::CodiceFiscale;
use domain::codice_fiscale::{PersonalData, Sex};
use serde_json::{Value, json};

/// A running server and the directory it keeps its data in (removed when dropped).
pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    _data: tempfile::TempDir,
}

impl TestServer {
    /// A dev-mode server with the test defaults.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// A server whose configuration `adjust` may change first.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(data.path().to_path_buf());
        adjust(&mut config);
        let (state, _) = api::server::local_state(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(api::server::serve(listener, state));
        TestServer {
            addr,
            client: reqwest::Client::new(),
            _data: data,
        }
    }

    /// Serves a state the test built itself (e.g. with AWS clients the local server has not),
    /// keeping `data`, the state's data directory, until the server is dropped.
    pub async fn serve_state(state: api::AppState, data: tempfile::TempDir) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(api::server::serve(listener, state));
        TestServer {
            addr,
            client: reqwest::Client::new(),
            _data: data,
        }
    }

    /// The directory the server keeps its SQLite file in.
    pub fn data_dir(&self) -> &std::path::Path {
        self._data.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap()
    }

    pub async fn get_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// Moves the server's clock (dev mode only).
    pub async fn set_clock(&self, now: chrono::DateTime<chrono::Utc>) {
        let r = self
            .client
            .put(self.url("/api/dev/clock"))
            .json(&json!({ "now": now }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }

    /// Registers the person of the PIN request `citizen` in the server's population registry,
    /// resident at the address the request gives (the registry is written directly, as
    /// `sportello-admin registry import` does beside a running server, so injected faults do not
    /// touch it). A PIN request is refused for anyone not registered.
    pub async fn register(&self, citizen: &Value) {
        self.register_row(&resident_row(citizen)).await;
    }

    /// Registers (or updates) one registry row (the JSON of an import row).
    pub async fn register_row(&self, row: &Value) {
        let row: api::registry::RegistryRow = serde_json::from_value(row.clone()).unwrap();
        let resident = row
            .parse()
            .unwrap_or_else(|e| panic!("not a registry row: {e}: {row:?}"));
        let registry = api::registry::sqlite::SqliteRegistry::open(self.data_dir()).unwrap();
        use api::registry::RegistryWriter;
        registry.upsert(&[resident]).await.unwrap();
    }

    /// Registers `citizen` (see [`TestServer::register`]), requests a PIN for them and returns
    /// (first half, second half) read from the outbox.
    pub async fn request_pin(&self, citizen: &Value) -> (String, String) {
        self.register(citizen).await;
        let r = self.post("/api/pin-requests", citizen).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let cf = citizen["codice_fiscale"].as_str().unwrap();
        let outbox = self.outbox(cf).await;
        let half = |channel: &str| {
            let body = outbox.iter().find(|m| m["channel"] == channel).expect(channel)["body"]
                .as_str()
                .unwrap();
            pin_in(body)
        };
        (half("sms"), half("post"))
    }

    /// The dev sink's messages of `cf` (dev mode's phone, mailbox and letterbox), once the
    /// delivery worker has handed over every message of theirs that it can.
    pub async fn outbox(&self, cf: &str) -> Vec<Value> {
        self.settled(cf).await;
        self.dev_sink(cf).await
    }

    /// Waits until no message of `cf` in the server's outbox is still waiting for a carrier
    /// that is there (a channel without one keeps its messages queued: those are not waited for).
    pub async fn settled(&self, cf: &str) {
        let store = api::store::sqlite::SqliteStore::open(self.data_dir()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            use api::store::prelude::*;
            let messages = store.messages_for(cf, 500).await.unwrap();
            let now = chrono::Utc::now() + chrono::Duration::days(3650);
            // Retrying ones count as settled only once dead or sent; queued ones with no lane
            // would never settle, so a test that has none waits the whole deadline and fails.
            if messages.iter().all(|m| !m.state.is_pending()) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "messages still pending after 20 s: {:?}",
                messages.iter().filter(|m| m.is_due(now)).collect::<Vec<_>>()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The dev sink's messages of `cf` as they are now.
    pub async fn dev_sink(&self, cf: &str) -> Vec<Value> {
        let r = self
            .client
            .get(self.url(&format!("/api/dev/outbox?codice_fiscale={cf}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Logs in through `client` (e.g. one of [`client_from`]) and returns the response.
    pub async fn login_from(&self, client: &reqwest::Client, cf: &str, pin: &str) -> reqwest::Response {
        client
            .post(self.url("/api/session"))
            .json(&json!({ "codice_fiscale": cf, "pin": pin }))
            .send()
            .await
            .unwrap()
    }

    /// Logs in and returns the response and the `name=value` cookie to send back.
    pub async fn login(&self, cf: &str, pin: &str) -> (reqwest::Response, Option<String>) {
        let r = self
            .post("/api/session", &json!({ "codice_fiscale": cf, "pin": pin }))
            .await;
        let cookie = r
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
        (r, cookie)
    }
}

/// A client whose connections come from `ip`, a loopback address such as `127.0.0.2`: the local
/// server reads the client's address from the socket, so each address is another client.
pub fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// The 8 PIN characters in a message body.
pub fn pin_in(body: &str) -> String {
    body.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.len() == 8 && w.bytes().all(|b| domain::pin::ALPHABET.contains(&b)))
        .unwrap_or_else(|| panic!("no PIN half in {body:?}"))
        .to_owned()
}

/// A complete, consistent PIN request for a citizen born in Rome on `day`/12/1985.
pub fn citizen(given_name: &str, surname: &str, day: u32) -> Value {
    let birth_date = NaiveDate::from_ymd_opt(1985, 12, day).unwrap();
    let tag = format!("{}.{}", given_name.to_lowercase(), surname.to_lowercase());
    citizen_born(given_name, surname, birth_date, &format!("123 45{day:02}"), &tag)
}

/// A PIN request for `given_name surname`, a woman born in Rome on `birth_date` (so the codice
/// fiscale agrees with the data), with mobile `+39 333 <mobile>` and e-mail and PEC `<tag>@…`.
pub fn citizen_born(given_name: &str, surname: &str, birth_date: NaiveDate, mobile: &str, tag: &str) -> Value {
    let person = PersonalData {
        given_name: given_name.into(),
        surname: surname.into(),
        sex: Sex::Female,
        birth_date,
        birth_place_code: "H501".into(),
    };
    let cf = CodiceFiscale::generate(&person);
    json!({
        "codice_fiscale": cf.as_str(),
        "residence_country": "Italia",
        "given_name": given_name,
        "surname": surname,
        "sex": "F",
        "birth_date": birth_date.format("%Y-%m-%d").to_string(),
        "birth_place": "Roma",
        "birth_province": "RM",
        "address": "Via dei Fori Imperiali 1",
        "postcode": "00186",
        "municipality": "Roma",
        "province": "RM",
        "mobile": format!("+39 333 {mobile}"),
        "email": format!("{tag}@example.it"),
        "pec": format!("{tag}@pec.example.it"),
    })
}

/// The population registry's row for the person of the PIN request `citizen`, resident where the
/// request says (the birth place's code is the one in the codice fiscale).
pub fn resident_row(citizen: &Value) -> Value {
    let cf = citizen["codice_fiscale"].as_str().unwrap();
    let birth_place_code = CodiceFiscale::parse(cf).unwrap().birth_place_code();
    json!({
        "codice_fiscale": cf,
        "given_name": citizen["given_name"],
        "surname": citizen["surname"],
        "sex": citizen["sex"],
        "birth_date": citizen["birth_date"],
        "birth_place_code": birth_place_code,
        "address": citizen["address"],
        "postcode": citizen["postcode"],
        "municipality": citizen["municipality"],
        "province": citizen["province"],
        "country": citizen["residence_country"],
    })
}

/// A complete, eligible application for the self-employed indemnity (art. 27), paid to the
/// applicant's own IBAN: what the SPA sends at Conferma.
pub fn art27_form() -> Value {
    json!({
        "benefit": "art27",
        "declarations": {
            "vat_or_collaboration": "yes",
            "separate_scheme": "yes",
            "pensioner": "no",
            "other_mandatory_scheme": "no",
            "no_other_indemnity": "yes",
            "truthful": "yes"
        },
        "payment_method": "iban",
        "iban": "IT60 X054 2811 1010 0000 0123 456",
        "account_holder": "own",
        "mobile": "+39 333 123 4567",
        "email": "mario.rossi@example.it",
        "pec": ""
    })
}

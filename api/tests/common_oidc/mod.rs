//! A real server with the SPID-like and CIE-like OpenID provider of `e2e/oidc/provider.mjs` (npm
//! `oidc-provider`) in front, for tests where a citizen logs in with SPID and someone else with a
//! PIN: the same harness as `oidc_login.rs`, with the helpers those tests need.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use api::Config;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

/// The provider process, killed when the test ends.
struct OidcProvider {
    child: Child,
    /// Kept open: the provider may write more, and a closed pipe would end it.
    _stdout: BufReader<std::process::ChildStdout>,
    spid: String,
    cie: String,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The API server (dev mode, SQLite) with a SPID and a CIE provider configured.
pub struct Harness {
    /// `http://127.0.0.1:<port>`.
    pub api: String,
    _provider: OidcProvider,
    data: tempfile::TempDir,
}

/// The SPID test user at level 2 (`e2e/oidc/provider.mjs`): Mario Rossi.
pub const SPID_L2_USER: &str = "mario.rossi";
/// Mario Rossi's codice fiscale.
pub const SPID_L2_CF: &str = "RSSMRA85T14H501W";

fn spawn_provider(api: &str, key_file: &std::path::Path, dir: &std::path::Path) -> OidcProvider {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/oidc/provider.mjs");
    let log = dir.join("provider.stderr");
    for _ in 0..3 {
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_REDIRECT_URI", format!("{api}/api/auth/oidc/callback"))
            .env("OIDC_RP_KEY", key_file)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("node runs e2e/oidc/provider.mjs (npm ci in e2e/oidc first)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = tx.send((line, stdout));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok((line, stdout)) if !line.trim().is_empty() => {
                let issuers: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("provider said {line:?}"));
                return OidcProvider {
                    child,
                    _stdout: stdout,
                    spid: issuers["spid"].as_str().unwrap().to_owned(),
                    cie: issuers["cie"].as_str().unwrap().to_owned(),
                };
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
    panic!(
        "the OpenID provider did not start three times; its stderr: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

impl Harness {
    /// Starts the provider and the server.
    pub async fn start() -> Harness {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let data = tempfile::tempdir().unwrap();
        let key_file = data.path().join("rp-key.pem");
        std::fs::write(&key_file, rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        let provider = spawn_provider(&api, &key_file, data.path());
        let providers = json!([
            { "id": "spid-test", "label": "SPID di prova", "kind": "spid", "issuer": provider.spid,
              "client_id": "sportello-spid", "auth": "private_key_jwt" },
            { "id": "cie-test", "label": "CIE di prova", "kind": "cie", "issuer": provider.cie,
              "client_id": "sportello-cie", "auth": "client_secret_basic", "client_secret": "cie-test-secret" },
        ])
        .to_string();
        let mut config = Config::for_tests(data.path().to_path_buf());
        // These tests are about credentials, not hours: both windows always open, so that they
        // pass at any time of day (they failed once CI ran past 08:00 in Rome).
        config.submission_windows =
            domain::submission_window::WindowConfig::parse("web_citizen=00:00-00:00,contact_center=00:00-00:00")
                .unwrap();
        let vars = [
            ("SPORTELLO_OIDC_PROVIDERS", providers),
            ("SPORTELLO_OIDC_RP_KEY", key_file.display().to_string()),
            ("SPORTELLO_PUBLIC_URL", api.clone()),
        ];
        config.oidc = api::oidc::OidcConfig::from_lookup(
            &|var| vars.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone()),
            config.addr,
            true,
        )
        .unwrap();
        let (state, _) = api::server::local_state(config).unwrap();
        tokio::spawn(api::server::serve(listener, state));
        Harness {
            api,
            _provider: provider,
            data,
        }
    }

    /// The server's data directory (its SQLite files).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    /// `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// Logs in at the SPID provider as `user` and returns the session cookie (`name=value`).
    pub async fn spid_login(&self, user: &str) -> String {
        let browser = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        let location =
            |r: &reqwest::Response| -> Url { r.url().join(r.headers()["location"].to_str().unwrap()).unwrap() };
        let r = browser
            .get(self.url("/api/auth/oidc/spid-test/start"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        let mut url = location(&r);
        for _ in 0..12 {
            if url.as_str().starts_with(&self.url("/api/auth/oidc/callback")) {
                let r = browser.get(url).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::SEE_OTHER, "the callback logs in");
                return r
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find(|c| c.starts_with("sportello_session=") && !c.contains("Max-Age=0"))
                    .map(|c| c.split(';').next().unwrap().to_owned())
                    .expect("a session cookie");
            }
            let r = browser.get(url.clone()).send().await.unwrap();
            url = if r.status().is_redirection() {
                location(&r)
            } else {
                assert_eq!(r.status(), StatusCode::OK, "{url}");
                let action = url.join(&format!("{}/login", url.path())).unwrap();
                let r = browser
                    .post(action)
                    .form(&[("username", user), ("password", "password")])
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_redirection(), "login at the provider: {}", r.status());
                location(&r)
            };
        }
        panic!("never came back to the callback");
    }

    /// Registers the person of the PIN request `citizen` in the population registry, resident
    /// where the request says.
    pub async fn register(&self, citizen: &Value) {
        let row: api::registry::RegistryRow = serde_json::from_value(super::common::resident_row(citizen)).unwrap();
        let resident = row.parse().unwrap();
        let registry = api::registry::sqlite::SqliteRegistry::open(self.data_dir()).unwrap();
        use api::registry::RegistryWriter;
        registry.upsert(&[resident]).await.unwrap();
    }

    /// Requests a PIN with `citizen`'s data and returns its first half, read from the dev outbox.
    pub async fn request_pin(&self, citizen: &Value) -> String {
        let cf = citizen["codice_fiscale"].as_str().unwrap();
        let sms_count = |outbox: &[Value]| outbox.iter().filter(|m| m["channel"] == "sms").count();
        let before = sms_count(&self.dev_sink(cf).await);
        let r = Client::new()
            .post(self.url("/api/pin-requests"))
            .json(citizen)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        // The delivery worker hands the SMS over a moment after the answer.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let outbox = loop {
            let outbox = self.dev_sink(cf).await;
            if sms_count(&outbox) > before {
                break outbox;
            }
            assert!(std::time::Instant::now() < deadline, "no SMS for {cf}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        // The newest SMS: after a revocation, the new request's.
        let sms = outbox.iter().find(|m| m["channel"] == "sms").expect("an SMS")["body"]
            .as_str()
            .unwrap();
        super::common::pin_in(sms)
    }

    /// The newest letter's 8 characters (the PIN's second half) of `cf`, once delivered.
    pub async fn letter(&self, cf: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let outbox = self.dev_sink(cf).await;
            if let Some(letter) = outbox.iter().find(|m| m["channel"] == "post") {
                return super::common::pin_in(letter["body"].as_str().unwrap());
            }
            assert!(std::time::Instant::now() < deadline, "no letter for {cf}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The dev sink's messages of `cf`, newest first.
    async fn dev_sink(&self, cf: &str) -> Vec<Value> {
        Client::new()
            .get(self.url(&format!("/api/dev/outbox?codice_fiscale={cf}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Logs in with a PIN and returns the status and the session cookie, if any.
    pub async fn pin_login(&self, cf: &str, pin: &str) -> (StatusCode, Option<String>) {
        let r = Client::new()
            .post(self.url("/api/session"))
            .json(&json!({ "codice_fiscale": cf, "pin": pin }))
            .send()
            .await
            .unwrap();
        let cookie = r
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
        (r.status(), cookie)
    }

    /// Sends `method` to `path` with `cookie` and an optional JSON body; the status and the JSON
    /// answer (`Null` when there is none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        cookie: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Client::new().request(method, self.url(path)).header("cookie", cookie);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

//! The SPID/CIE test federation of `e2e/federation/` (the reference implementation
//! `spid-cie-oidc`: a trust anchor, a SPID and a CIE provider, each a Django process on
//! 127.0.0.1) and a Sportello server registered in it as a relying party, for the tests of the
//! federated login. Nothing here is a stand-in: the provider's own login and consent pages are
//! filled in as a browser would.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use api::Config;
use base64::Engine;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};

/// The federation's test users (`e2e/federation/harness/users.py`), password `password`.
pub const L1_USER: &str = "anna.bianchi";
/// SPID level 2: Mario Rossi.
pub const L2_USER: &str = "mario.rossi";
/// Mario Rossi's codice fiscale.
pub const L2_CF: &str = "RSSMRA85T14H501W";
/// SPID level 3: Lucia Verdi.
pub const L3_USER: &str = "lucia.verdi";

/// The Python the federation runs on: `$FEDERATION_PYTHON`, else the test command's venv.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("FEDERATION_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/federation/bin/python3");
    assert!(
        venv.exists(),
        "the test federation's Python is not installed at {}: run `bash scripts/test.sh` once \
         (ensure_federation_venv in scripts/lib.sh), or `python3 -m venv target/federation && \
         target/federation/bin/pip install -r e2e/federation/requirements.txt`",
        venv.display()
    );
    venv
}

/// The running federation (killed, with its three members, when dropped).
pub struct Federation {
    child: Child,
    /// Held open: run.py stops when it closes, which the end of the test process does even for
    /// the shared federation, which is never dropped.
    _stdin: std::process::ChildStdin,
    _stdout: BufReader<std::process::ChildStdout>,
    /// What `run.py serve` printed: entity ids, the register URL, trust mark ids, logs.
    pub info: Value,
    _dir: tempfile::TempDir,
}

impl Drop for Federation {
    fn drop(&mut self) {
        // SIGTERM lets run.py stop its three Django processes.
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Federation {
    /// One federation for every test of a test binary (each registers its own relying party):
    /// three Django processes per test would be slow on two cores. run.py's members end with
    /// the test process.
    pub fn shared() -> &'static Federation {
        static SHARED: std::sync::OnceLock<Federation> = std::sync::OnceLock::new();
        SHARED.get_or_init(Federation::start)
    }

    /// Starts a fresh federation (new keys, new databases) on free ports.
    pub fn start() -> Federation {
        Self::start_with(&[])
    }

    /// [`Federation::start`] with more of `run.py serve`'s options (e.g. `--no-cie`).
    pub fn start_with(extra: &[&str]) -> Federation {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/federation/run.py");
        let mut child = Command::new(python())
            .arg(script)
            .args(["serve", "--until-stdin-closes", "--data-dir"])
            .arg(dir.path())
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("run.stderr")).unwrap())
            .spawn()
            .expect("the federation's Python runs");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = tx.send((line, stdout));
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok((line, stdout)) if !line.trim().is_empty() => Federation {
                child,
                _stdin: stdin,
                _stdout: stdout,
                info: serde_json::from_str(&line).unwrap_or_else(|_| panic!("run.py said {line:?}")),
                _dir: dir,
            },
            _ => {
                let _ = child.kill();
                panic!(
                    "the test federation did not start; run.py's stderr: {}",
                    std::fs::read_to_string(dir.path().join("run.stderr")).unwrap_or_default()
                );
            }
        }
    }

    /// The anchor's staff token (its resolve endpoint builds chains only for staff).
    pub fn staff_token(&self) -> String {
        let file = self.info["staff_token_file"].as_str().unwrap();
        std::fs::read_to_string(file).unwrap().trim().to_owned()
    }

    /// The tails of the members' logs, for a failure's message.
    pub fn logs(&self) -> String {
        ["ta", "spid", "cie"]
            .iter()
            .filter_map(|member| {
                let text = std::fs::read_to_string(self.info["logs"][member].as_str()?).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Some(format!("--- {member}.log\n{}", tail.join("\n")))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The trust anchor's entity id.
    pub fn anchor(&self) -> &str {
        self.info["trust_anchor"].as_str().unwrap()
    }

    /// The SPID provider's entity id.
    pub fn spid(&self) -> &str {
        self.info["spid"].as_str().unwrap()
    }

    /// The CIE provider's entity id.
    pub fn cie(&self) -> &str {
        self.info["cie"].as_str().unwrap()
    }

    /// A trust mark id by its name in run.py's answer (`rp_public`, `op_public`, ...).
    pub fn trust_mark_id(&self, name: &str) -> &str {
        self.info["trust_mark_ids"][name].as_str().unwrap()
    }

    /// The anchor's federation keys, as its own entity configuration publishes them: what a
    /// deployment pins in `SPORTELLO_FEDERATION` (read here once, as onboarding would).
    pub async fn anchor_jwks(&self) -> Value {
        let url = format!("{}/.well-known/openid-federation", self.anchor());
        let statement = reqwest::get(url).await.unwrap().text().await.unwrap();
        payload(&statement)["jwks"].clone()
    }

    /// The reference implementation's own checks of the relying party `entity_id`
    /// (`run.py validate-rp`: its onboarding validator, the SPID and CIE RP metadata schemas, the
    /// trust chain up to the anchor with the trust mark, the authorization request schemas on
    /// `request_object`): what it printed, one line per check and a last one, "all passed".
    pub async fn validate_rp(&self, entity_id: &str, request_object: &str) -> String {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/federation/run.py");
        let mut command = Command::new(python());
        command
            .arg(script)
            .args(["validate-rp", "--data-dir"])
            .arg(self.info["data_dir"].as_str().unwrap())
            .args(["--entity-id", entity_id, "--request-object", request_object]);
        // On a blocking thread: the server under test answers its fetches meanwhile.
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("run.py validate-rp runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            eprintln!("run.py validate-rp's log:\n{}", String::from_utf8_lossy(&output.stderr));
        }
        stdout
    }

    /// Registers an RP as a subordinate of the anchor with `trust_mark_id`; the answer holds
    /// the `trust_marks` the RP must publish.
    pub async fn register(&self, entity_id: &str, jwks: &Value, trust_mark_id: &str) -> Value {
        let response = Client::new()
            .post(self.info["register"].as_str().unwrap())
            .json(
                &json!({ "entity_id": entity_id, "jwks": jwks, "trust_mark_id": trust_mark_id,
                           "name": "Sportello (test)" }),
            )
            .send()
            .await
            .unwrap();
        let status = response.status();
        if status != StatusCode::CREATED {
            let log = std::fs::read_to_string(self.info["logs"]["ta"].as_str().unwrap()).unwrap_or_default();
            let tail: String = log
                .lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            panic!(
                "registration at the anchor: {status} {}\nthe anchor's log:\n{tail}",
                response.text().await.unwrap_or_default()
            );
        }
        response.json().await.unwrap()
    }
}

/// The payload of a compact JWS, unverified (the tests look; the code under test verifies).
pub fn payload(jws: &str) -> Value {
    let part = jws.split('.').nth(1).expect("a compact JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// How the relying party is set up in the federation for one test.
pub struct Setup {
    /// The trust mark the anchor gives us (`None`: registered without being given one we publish).
    pub trust_mark: Option<&'static str>,
    /// Whether the anchor registers us at all.
    pub registered: bool,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            trust_mark: Some("rp_public"),
            registered: true,
        }
    }
}

/// A Sportello server (SQLite, dev mode) in the federation.
pub struct Server {
    /// `http://127.0.0.1:<port>`, also our entity id.
    pub api: String,
    /// The federation it is in.
    pub federation: &'static Federation,
    data: tempfile::TempDir,
}

impl Server {
    /// A server registered in the shared federation as `setup` says.
    pub async fn start(setup: Setup) -> Server {
        Self::start_in(Federation::shared(), setup, |_| {}).await
    }

    /// A server in `federation`; `adjust` may change the federation settings first.
    pub async fn start_in(federation: &'static Federation, setup: Setup, adjust: impl FnOnce(&mut Value)) -> Server {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let data = tempfile::tempdir().unwrap();
        let keys = data.path().join("keys");
        let jwks = api::oidc::federation::make_keys(&keys).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        let mut trust_marks = json!([]);
        if setup.registered {
            let mark = setup.trust_mark.unwrap_or("rp_public");
            let registered = federation.register(&api, &jwks, federation.trust_mark_id(mark)).await;
            if setup.trust_mark.is_some() {
                trust_marks = registered["trust_marks"].clone();
            }
        }
        let anchor = federation.anchor().to_owned();
        let mut settings = json!({
            "trust_anchors": [{ "entity_id": anchor, "jwks": federation.anchor_jwks().await }],
            "authority_hints": [anchor],
            "trust_marks": trust_marks,
            "spid_anchor": anchor,
            "cie_providers": [federation.cie()],
            "provider_trust_marks": [federation.trust_mark_id("op_public")],
            "organization_name": "Sportello (test)",
            "contacts": ["ops@sportello.example.it"],
        });
        adjust(&mut settings);
        let settings = settings.to_string();
        let mut config = Config::for_tests(data.path().to_path_buf());
        // About credentials, not hours: both windows always open.
        config.submission_windows =
            domain::submission_window::WindowConfig::parse("web_citizen=00:00-00:00,contact_center=00:00-00:00")
                .unwrap();
        let key = |name: &str| keys.join(name).display().to_string();
        let vars = [
            ("SPORTELLO_FEDERATION", settings),
            ("SPORTELLO_FEDERATION_KEY", key("federation.pem")),
            ("SPORTELLO_OIDC_RP_KEY", key("rp.pem")),
            ("SPORTELLO_OIDC_ENC_KEY", key("enc.pem")),
            ("SPORTELLO_PUBLIC_URL", api.clone()),
        ];
        config.oidc = api::oidc::OidcConfig::from_lookup(
            &|var| vars.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone()),
            config.addr,
            false,
        )
        .unwrap();
        let (state, _) = api::server::local_state(config).unwrap();
        tokio::spawn(api::server::serve(listener, state));
        Server { api, federation, data }
    }

    /// `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The start path of the listed provider of `kind` (`spid` or `cie`) whose label or id
    /// matches; panics when the login page would not list it.
    pub async fn start_path(&self, kind: &str) -> String {
        let providers: Value = reqwest::get(self.url("/api/auth/providers"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        providers["providers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} provider listed: {providers}"))["start"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A browser: keeps cookies, follows nothing by itself.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Where a response sends the browser.
pub fn location(r: &reqwest::Response) -> Url {
    r.url().join(r.headers()["location"].to_str().unwrap()).unwrap()
}

/// An HTML form: its action and its inputs' names and values.
#[derive(Debug)]
pub struct Form {
    pub action: String,
    pub inputs: Vec<(String, String)>,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let needle = format!("{name}={quote}");
        let mut from = 0;
        while let Some(at) = tag[from..].find(&needle) {
            let start = from + at;
            // A whole attribute name, not the end of another (`data-name=`).
            if start == 0 || tag.as_bytes()[start - 1].is_ascii_whitespace() {
                let rest = &tag[start + needle.len()..];
                let end = rest.find(quote)?;
                return Some(rest[..end].replace("&amp;", "&").replace("&quot;", "\""));
            }
            from = start + needle.len();
        }
    }
    None
}

/// The forms of a page (enough HTML for the provider's login and consent pages).
pub fn forms(page: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    for chunk in page.split("<form").skip(1) {
        let body = chunk.split("</form>").next().unwrap_or_default();
        let tag_end = body.find('>').unwrap_or(body.len());
        let action = attribute(&body[..tag_end], "action").unwrap_or_default();
        let inputs = body
            .split("<input")
            .skip(1)
            .filter_map(|input| {
                let tag = &input[..input.find('>').unwrap_or(input.len())];
                Some((attribute(tag, "name")?, attribute(tag, "value").unwrap_or_default()))
            })
            .collect();
        forms.push(Form { action, inputs });
    }
    forms
}

/// Where a login through the federation ended.
#[derive(Debug)]
pub enum Outcome {
    /// The callback logged in: the session cookie (`name=value`).
    Session(String),
    /// Sportello sent the browser back to the login page: the `errore` code.
    Refused(String),
    /// The provider refused before showing its login page: its `error` on the callback.
    ProviderRefused(String),
}

/// Logs in through `start` (a start path on `server`) as `user`, through the provider's real
/// login and consent pages.
pub async fn login(server: &Server, start: &str, user: &str) -> Outcome {
    let browser = browser();
    login_with(&browser, server, start, user).await
}

/// [`login`] with a given browser (to replay a callback with the same cookies).
pub async fn login_with(browser: &Client, server: &Server, start: &str, user: &str) -> Outcome {
    let callback = callback_url(browser, server, start, user).await;
    let callback = match callback {
        Ok((url, _)) => url,
        Err(outcome) => return outcome,
    };
    follow_callback(browser, callback).await
}

/// Goes through the provider's pages and returns the callback URL it sends the browser to,
/// without visiting it, and the flow cookie (`name=value`) the start set.
pub async fn callback_url(
    browser: &Client,
    server: &Server,
    start: &str,
    user: &str,
) -> Result<(Url, String), Outcome> {
    let r = browser.get(server.url(start)).send().await.unwrap();
    if r.status() == StatusCode::SEE_OTHER {
        return Err(refused_by_us(&location(&r)));
    }
    assert_eq!(r.status(), StatusCode::FOUND, "start: to the provider");
    let flow_cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sportello_oidc="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("the flow cookie");
    let authorization = location(&r);
    let r = browser.get(authorization.clone()).send().await.unwrap();
    if r.status().is_redirection() {
        let back = location(&r);
        let error = back
            .query_pairs()
            .find(|(k, _)| k == "error")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        return Err(Outcome::ProviderRefused(error));
    }
    assert_eq!(r.status(), StatusCode::OK, "the provider's login page");
    let page_url = r.url().clone();
    let page = r.text().await.unwrap();
    let login = forms(&page)
        .into_iter()
        .find(|f| f.inputs.iter().any(|(n, _)| n == "username"))
        .unwrap_or_else(|| panic!("no login form on the provider's page: {}", &page[..page.len().min(500)]));
    let mut fields: Vec<(String, String)> = login
        .inputs
        .into_iter()
        .filter(|(n, _)| n != "username" && n != "password")
        .collect();
    fields.push(("username".into(), user.into()));
    fields.push(("password".into(), "password".into()));
    let r = browser
        .post(page_url.join(&login.action).unwrap())
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "login at the provider: {}", r.status());
    let consent_url = location(&r);
    let r = browser.get(consent_url.clone()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the provider's consent page");
    let page = r.text().await.unwrap();
    let consent = forms(&page)
        .into_iter()
        .find(|f| f.inputs.iter().any(|(n, _)| n == "agree"))
        .expect("the consent form");
    let r = browser
        .post(consent_url.join(&consent.action).unwrap())
        .form(&consent.inputs)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "consent: {}", r.status());
    Ok((location(&r), flow_cookie))
}

fn refused_by_us(url: &Url) -> Outcome {
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "errore")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a 303 without errore: {url}"));
    Outcome::Refused(code)
}

/// Visits the callback: a session, or the login page with a refusal.
pub async fn follow_callback(browser: &Client, callback: Url) -> Outcome {
    let r = browser.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the callback answers 303");
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sportello_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned());
    match session {
        Some(cookie) => Outcome::Session(cookie),
        None => refused_by_us(&location(&r)),
    }
}

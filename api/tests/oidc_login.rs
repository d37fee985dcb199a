//! SPID and CIE login over HTTP against a real OpenID provider (npm `oidc-provider`, started from
//! `e2e/oidc/provider.mjs` on 127.0.0.1 as a SPID-like and a CIE-like issuer) and the real server:
//! a level-2 SPID user and a CIE user get a full session; a level-1 user, a tampered `state`, a
//! callback without the flow cookie and a replayed code are refused with their codes.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use api::Config;
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Url};
use serde_json::Value;

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

/// The API server with two providers configured, and the provider behind them.
struct Harness {
    api: String,
    provider: OidcProvider,
    _data: tempfile::TempDir,
}

/// Starts `e2e/oidc/provider.mjs` for the relying party at `api` and waits for the line that
/// names its issuers. A start that says nothing within 20 s is killed and tried again (seen once:
/// a provider listening but silent, which would otherwise hang the suite); its stderr, kept in
/// `dir`, goes into the failure message.
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

async fn start() -> Harness {
    let data = tempfile::tempdir().unwrap();
    // GIVEN the relying party's key, known to the SPID-like provider for private_key_jwt
    let key_file = data.path().join("rp-key.pem");
    std::fs::write(&key_file, rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());

    let provider = spawn_provider(&api, &key_file, data.path());

    let providers = serde_json::json!([
        { "id": "spid-test", "label": "SPID di prova", "kind": "spid", "issuer": provider.spid,
          "client_id": "sportello-spid", "auth": "private_key_jwt" },
        { "id": "cie-test", "label": "CIE di prova", "kind": "cie", "issuer": provider.cie,
          "client_id": "sportello-cie", "auth": "client_secret_basic", "client_secret": "cie-test-secret" },
    ])
    .to_string();
    let mut config = Config::for_tests(data.path().to_path_buf());
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
        provider,
        _data: data,
    }
}

/// A browser: keeps cookies, never follows redirects by itself.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> Url {
    let to = r.headers()["location"].to_str().unwrap();
    r.url().join(to).unwrap()
}

/// Starts a login at `provider`, logs in at the provider as `user`, and stops at the redirect back
/// to the API's callback, which it returns (not yet visited).
/// Also returns the flow cookie (`name=value`) the start set.
async fn log_in_at_provider(h: &Harness, browser: &Client, provider: &str, user: &str) -> (Url, String) {
    let r = browser
        .get(format!("{}/api/auth/oidc/{provider}/start", h.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set_cookie.starts_with("sportello_oidc=")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let flow_cookie = set_cookie.split(';').next().unwrap().to_owned();
    let mut url = location(&r);
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["acr_values"], "https://www.spid.gov.it/SpidL2");
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query.contains_key("state") && query.contains_key("nonce"));
    for _ in 0..12 {
        if url.as_str().starts_with(&format!("{}/api/auth/oidc/callback", h.api)) {
            return (url, flow_cookie);
        }
        let r = browser.get(url.clone()).send().await.unwrap();
        url = if r.status().is_redirection() {
            location(&r)
        } else {
            // The provider's login form.
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

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sportello_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

async fn session_of(h: &Harness, cookie: &str) -> Value {
    let r = Client::new()
        .get(format!("{}/api/session", h.api))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_spid_level_2_user_gets_a_full_session_and_lands_on_the_application() {
    let h = start().await;
    let browser = browser();
    let (callback, _) = log_in_at_provider(&h, &browser, "spid-test", "mario.rossi").await;
    let r = browser.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/domanda");
    let cookie = session_cookie(&r).expect("a session cookie");
    let session = session_of(&h, &cookie).await;
    assert_eq!(session["scope"], "full");
    assert_eq!(session["method"], "spid");
    // The codice fiscale came from the userinfo endpoint (`TINIT-` stripped).
    assert_eq!(session["codice_fiscale"], "RSSMRA85T14H501W");
}

#[tokio::test]
async fn a_cie_user_gets_a_full_session_with_client_secret_basic_and_the_claim_in_the_id_token() {
    let h = start().await;
    let browser = browser();
    let (callback, _) = log_in_at_provider(&h, &browser, "cie-test", "lucia.verdi").await;
    let r = browser.get(callback).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/domanda");
    let session = session_of(&h, &session_cookie(&r).unwrap()).await;
    assert_eq!(session["scope"], "full");
    assert_eq!(session["method"], "cie");
    assert_eq!(session["codice_fiscale"], "VRDLCU80A41H501K");
}

#[tokio::test]
async fn a_spid_level_1_login_is_refused_with_the_level_code() {
    let h = start().await;
    let browser = browser();
    let (callback, _) = log_in_at_provider(&h, &browser, "spid-test", "anna.bianchi").await;
    let r = browser.get(callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/accedi?errore=auth.level_too_low");
    assert_eq!(session_cookie(&r), None);
}

#[tokio::test]
async fn a_tampered_state_or_a_callback_from_another_browser_is_refused() {
    let h = start().await;
    let browser = browser();
    let (callback, _) = log_in_at_provider(&h, &browser, "spid-test", "mario.rossi").await;

    // WHEN another browser (without the flow cookie) brings the code back: login CSRF
    let r = self::browser().get(callback.clone()).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/accedi?errore=auth.flow_invalid");
    assert_eq!(session_cookie(&r), None);

    // WHEN the state is changed on the way back
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" { format!("{v}x") } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let r = browser.get(tampered).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/accedi?errore=auth.flow_invalid");
    assert_eq!(session_cookie(&r), None);
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let h = start().await;
    let browser = browser();
    let (callback, flow_cookie) = log_in_at_provider(&h, &browser, "spid-test", "mario.rossi").await;
    let r = browser.get(callback.clone()).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/domanda", "the first use of the code logs in");

    // WHEN someone who copied the callback URL and the flow cookie brings the same code again
    let r = Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(callback)
        .header("cookie", flow_cookie)
        .send()
        .await
        .unwrap();
    // THEN the service refuses the finished flow before the code reaches the provider (which
    // would refuse the spent code too; the reference SPID provider would not: ADR 0024).
    assert_eq!(r.headers()["location"], "/accedi?errore=auth.flow_invalid");
    assert_eq!(session_cookie(&r), None);
}

#[tokio::test]
async fn the_login_page_gets_the_providers_and_an_unknown_provider_is_not_found() {
    let h = start().await;
    let r = Client::new()
        .get(format!("{}/api/auth/providers", h.api))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["providers"][0]["kind"], "spid");
    assert_eq!(body["providers"][0]["start"], "/api/auth/oidc/spid-test/start");
    assert_eq!(body["providers"][1]["kind"], "cie");
    assert!(body.get("cns").is_none());
    let r = browser()
        .get(format!("{}/api/auth/oidc/nope/start", h.api))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The relying party's public key is published for providers that fetch it.
    let r = Client::new()
        .get(format!("{}/api/auth/oidc/jwks", h.api))
        .send()
        .await
        .unwrap();
    let jwks: Value = r.json().await.unwrap();
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
    assert!(jwks["keys"][0].get("d").is_none(), "never the private part");
    assert!(!h.provider.spid.is_empty() && !h.provider.cie.is_empty());

    // The login page's fragment: the SPID list and the CIE link, in the asked language.
    let html = Client::new()
        .get(format!("{}/api/auth/login-options", h.api))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(">Log in with SPID</summary>"), "{html}");
    assert!(html.contains(r#"href="/api/auth/oidc/spid-test/start" target="_self">SPID di prova</a>"#));
    assert!(html.contains(r#"href="/api/auth/oidc/cie-test/start" target="_self">Log in with CIE</a>"#));
}

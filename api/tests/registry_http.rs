//! The HTTP registry adapter against a stand-in for the national registry's e-service, which
//! this test starts on 127.0.0.1: an authorisation server that hands out a voucher only for a
//! client assertion signed with our key (private_key_jwt), and a lookup that wants the voucher.
//! The stand-in can be made slow or broken, to see the deadlines, retries and the citizen's 503.

mod common;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::config::RegistryChoice;
use api::jose::{Jwks, RpKey, verify};
use api::registry::http::{HttpRegistry, HttpRegistrySettings};
use api::registry::{Registry, RegistryError, RegistryRow};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use common::{TestServer, citizen, resident_row};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use secrecy::SecretString;
use serde_json::{Value, json};

/// How the stand-in behaves at the moment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Healthy,
    /// Answers after this long (past the adapter's deadline).
    Slow(Duration),
    /// 503 to every lookup.
    Down,
}

struct Registered {
    jwks: Jwks,
    client_id: String,
    token_url: String,
    rows: Vec<Value>,
    mode: Mutex<Mode>,
    vouchers: AtomicU32,
    lookups: AtomicU32,
    next_token: AtomicU64,
    issued: Mutex<Vec<String>>,
}

type Shared = Arc<Registered>;

async fn token(State(s): State<Shared>, Form(form): Form<Vec<(String, String)>>) -> Response {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_client", "why": why })),
        )
    };
    if field("grant_type") != Some("client_credentials")
        || field("client_assertion_type") != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return refuse("grant").into_response();
    }
    // The assertion must be ours: signed with the registered key, about our client, for us.
    let Some(claims) = field("client_assertion").and_then(|a| verify(a, &s.jwks).ok()) else {
        return refuse("signature").into_response();
    };
    let now = chrono::Utc::now().timestamp();
    let ok = claims["iss"] == s.client_id.as_str()
        && claims["sub"] == s.client_id.as_str()
        && claims["aud"] == s.token_url.as_str()
        && claims["exp"].as_i64().is_some_and(|exp| exp > now)
        && claims["jti"].as_str().is_some_and(|j| j.len() >= 16);
    if !ok {
        return refuse("claims").into_response();
    }
    s.vouchers.fetch_add(1, Ordering::SeqCst);
    let voucher = format!("voucher-{}", s.next_token.fetch_add(1, Ordering::SeqCst));
    s.issued.lock().unwrap().push(voucher.clone());
    Json(json!({ "access_token": voucher, "token_type": "Bearer", "expires_in": 600 })).into_response()
}

async fn lookup(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    s.lookups.fetch_add(1, Ordering::SeqCst);
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if !bearer.is_some_and(|b| s.issued.lock().unwrap().contains(&b)) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mode = *s.mode.lock().unwrap();
    match mode {
        Mode::Down => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Slow(delay) => tokio::time::sleep(delay).await,
        Mode::Healthy => {}
    }
    match s.rows.iter().find(|r| r["codice_fiscale"] == body["codice_fiscale"]) {
        Some(row) => Json(row.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A fresh P-256 key as PKCS#8 PEM, in a file of `dir` (the settings take a path).
fn key_file(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &ring::rand::SystemRandom::new()).unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der.as_ref())
    );
    let path = dir.join("registry-key.pem");
    std::fs::write(&path, &pem).unwrap();
    (path, pem)
}

/// The stand-in on 127.0.0.1 knowing `rows`, and the settings to reach it.
async fn stand_in(dir: &std::path::Path, rows: Vec<Value>) -> (Shared, HttpRegistrySettings) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (path, pem) = key_file(dir);
    let jwks: Jwks = serde_json::from_value(json!({ "keys": [RpKey::from_pem(&pem).unwrap().public_jwk()] })).unwrap();
    let shared = Arc::new(Registered {
        jwks,
        client_id: "sportello-test".into(),
        token_url: format!("{base}/token"),
        rows,
        mode: Mutex::new(Mode::Healthy),
        vouchers: AtomicU32::new(0),
        lookups: AtomicU32::new(0),
        next_token: AtomicU64::new(1),
        issued: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/token", post(token))
        .route("/residents/lookup", post(lookup))
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    // The settings as an operator writes them, read by the configuration's own parser.
    let vars = [
        ("SPORTELLO_REGISTRY_URL", format!("{base}/residents/lookup")),
        ("SPORTELLO_REGISTRY_TOKEN_URL", format!("{base}/token")),
        ("SPORTELLO_REGISTRY_CLIENT_ID", "sportello-test".into()),
        ("SPORTELLO_REGISTRY_KEY", path.display().to_string()),
        ("SPORTELLO_REGISTRY_TIMEOUT_MS", "300".into()),
        ("SPORTELLO_REGISTRY_ATTEMPTS", "3".into()),
        ("SPORTELLO_REGISTRY_CACHE_SECONDS", "60".into()),
    ];
    let settings =
        HttpRegistrySettings::from_lookup(&|name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
            .unwrap();
    (shared, settings)
}

#[tokio::test]
async fn the_adapter_gets_a_voucher_with_a_signed_assertion_looks_up_and_caches_briefly() {
    // GIVEN the e-service knowing Anna Verdi
    let dir = tempfile::tempdir().unwrap();
    let anna = citizen("Anna", "Verdi", 3);
    let (stand_in, settings) = stand_in(dir.path(), vec![resident_row(&anna)]).await;
    let registry = HttpRegistry::new(settings).unwrap();
    let cf = domain::CodiceFiscale::parse(anna["codice_fiscale"].as_str().unwrap()).unwrap();

    // WHEN she is looked up twice THEN one voucher and one lookup served both, with her data
    let found = registry.resident(&cf).await.unwrap().expect("registered");
    assert_eq!(found.person.surname, "Verdi");
    assert_eq!(found.residence.address, "Via dei Fori Imperiali 1");
    assert_eq!(registry.resident(&cf).await.unwrap(), Some(found));
    assert_eq!(stand_in.vouchers.load(Ordering::SeqCst), 1);
    assert_eq!(
        stand_in.lookups.load(Ordering::SeqCst),
        1,
        "the second answer came from the cache"
    );

    // AND someone unknown is not registered (404), with the same voucher
    let other = citizen("Bruna", "Neri", 4);
    let other = domain::CodiceFiscale::parse(other["codice_fiscale"].as_str().unwrap()).unwrap();
    assert_eq!(registry.resident(&other).await.unwrap(), None);
    assert_eq!(stand_in.vouchers.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_voucher_from_another_key_is_refused_and_the_lookup_fails_without_a_retry_storm() {
    // GIVEN the e-service registered with one key, and an adapter signing with another
    let dir = tempfile::tempdir().unwrap();
    let (stand_in, mut settings) = stand_in(dir.path(), vec![]).await;
    let other = tempfile::tempdir().unwrap();
    let (_, pem) = key_file(other.path());
    settings.key_pem = SecretString::from(pem);
    let registry = HttpRegistry::new(settings).unwrap();
    let cf = domain::CodiceFiscale::parse(citizen("Anna", "Verdi", 3)["codice_fiscale"].as_str().unwrap()).unwrap();

    // WHEN it looks someone up THEN the refused voucher is a final failure: no lookup was made
    let err = registry.resident(&cf).await.unwrap_err();
    assert!(matches!(err, RegistryError::Other(_)), "{err}");
    assert_eq!(stand_in.lookups.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_registry_that_times_out_gives_up_after_the_bounded_retries() {
    let dir = tempfile::tempdir().unwrap();
    let anna = citizen("Anna", "Verdi", 3);
    let (stand_in, settings) = stand_in(dir.path(), vec![resident_row(&anna)]).await;
    *stand_in.mode.lock().unwrap() = Mode::Slow(Duration::from_secs(5));
    let registry = HttpRegistry::new(settings).unwrap();
    let cf = domain::CodiceFiscale::parse(anna["codice_fiscale"].as_str().unwrap()).unwrap();

    let started = std::time::Instant::now();
    let err = registry.resident(&cf).await.unwrap_err();
    let took = started.elapsed();
    println!("gave up after {took:?}: {err}");

    // THEN three tries of 300 ms each with 100 + 200 ms between them, then Unavailable
    assert!(matches!(err, RegistryError::Unavailable(_)), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(stand_in.lookups.load(Ordering::SeqCst), 3);
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn registry_down_gives_the_citizen_503_with_retry_after_and_nothing_half_saved() {
    // GIVEN the service on the national registry's e-service, which is slow past the deadline
    let dir = tempfile::tempdir().unwrap();
    let anna = citizen("Anna", "Verdi", 3);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (stand_in, settings) = stand_in(dir.path(), vec![resident_row(&anna)]).await;
    let server = TestServer::start_with(|c| c.registry = RegistryChoice::Http(settings)).await;
    *stand_in.mode.lock().unwrap() = Mode::Slow(Duration::from_secs(5));

    // WHEN Anna requests a PIN THEN she is told to come back later, in her language
    let r = server
        .client
        .post(server.url("/api/pin-requests"))
        .header("accept-language", "en")
        .json(&anna)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "30");
    let body: Value = r.json().await.unwrap();
    println!("503: {body}");
    assert_eq!(body["code"], "registry.unavailable");
    assert!(
        body["message"].as_str().unwrap().contains("nothing was saved"),
        "{body}"
    );

    // AND nothing went out; a registry that answers 503 is the same for her
    assert!(server.outbox(cf).await.is_empty());
    *stand_in.mode.lock().unwrap() = Mode::Down;
    let r = server.post("/api/pin-requests", &anna).await;
    assert_eq!(r.status(), 503);

    // WHEN the registry is back THEN her request is a first one (nothing was half-saved)
    *stand_in.mode.lock().unwrap() = Mode::Healthy;
    let r = server.post("/api/pin-requests", &anna).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["letter_to"], "Via d***, 00186 Roma");

    // AND the dev endpoint cannot write into a registry the service only reads
    let row: RegistryRow = serde_json::from_value(resident_row(&anna)).unwrap();
    let r = server
        .client
        .put(server.url(&format!("/api/dev/registry/{cf}")))
        .json(&row)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_cached_answer_never_outlives_its_ttl_and_the_ttl_is_capped_at_five_minutes() {
    // GIVEN an adapter whose cache keeps answers 200 ms
    let dir = tempfile::tempdir().unwrap();
    let anna = citizen("Anna", "Verdi", 3);
    let (stand_in, mut settings) = stand_in(dir.path(), vec![resident_row(&anna)]).await;
    settings.cache_ttl = Duration::from_millis(200);
    let registry = HttpRegistry::new(settings).unwrap();
    let cf = domain::CodiceFiscale::parse(anna["codice_fiscale"].as_str().unwrap()).unwrap();

    // WHEN she is looked up, again at once, and again after the TTL
    registry.resident(&cf).await.unwrap().unwrap();
    registry.resident(&cf).await.unwrap().unwrap();
    assert_eq!(stand_in.lookups.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    registry.resident(&cf).await.unwrap().unwrap();

    // THEN the registry was asked again once the answer was older than the TTL
    assert_eq!(stand_in.lookups.load(Ordering::SeqCst), 2);

    // AND a longer TTL is refused by the configuration
    let key = dir.path().join("registry-key.pem");
    let vars = [
        (
            "SPORTELLO_REGISTRY_URL",
            "https://registry.example.it/lookup".to_owned(),
        ),
        ("SPORTELLO_REGISTRY_TOKEN_URL", "https://auth.example.it/token".into()),
        ("SPORTELLO_REGISTRY_CLIENT_ID", "sportello".into()),
        ("SPORTELLO_REGISTRY_KEY", key.display().to_string()),
        ("SPORTELLO_REGISTRY_CACHE_SECONDS", "301".into()),
    ];
    let err =
        HttpRegistrySettings::from_lookup(&|name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
            .unwrap_err();
    assert_eq!(err.var(), "SPORTELLO_REGISTRY_CACHE_SECONDS");
}

#[tokio::test]
async fn a_voucher_the_registry_no_longer_accepts_is_renewed_once_and_the_lookup_goes_on() {
    // GIVEN an adapter holding a voucher, which the registry then forgets (expired on its side)
    let dir = tempfile::tempdir().unwrap();
    let anna = citizen("Anna", "Verdi", 3);
    let bruna = citizen("Bruna", "Neri", 4);
    let (stand_in, settings) = stand_in(dir.path(), vec![resident_row(&anna), resident_row(&bruna)]).await;
    let registry = HttpRegistry::new(settings).unwrap();
    let cf = |c: &Value| domain::CodiceFiscale::parse(c["codice_fiscale"].as_str().unwrap()).unwrap();
    registry.resident(&cf(&anna)).await.unwrap().unwrap();
    stand_in.issued.lock().unwrap().clear();

    // WHEN the next person is looked up THEN the 401 brings a new voucher and her answer
    let found = registry.resident(&cf(&bruna)).await.unwrap().expect("registered");
    assert_eq!(found.person.surname, "Neri");
    assert_eq!(stand_in.vouchers.load(Ordering::SeqCst), 2);
    assert_eq!(
        stand_in.lookups.load(Ordering::SeqCst),
        3,
        "Anna's, Bruna's refused, Bruna's"
    );
}

//! Trust chain resolution (`api::oidc::federation::chain`) against the reference implementation
//! itself: the test federation of `e2e/federation/` (spid-cie-oidc 1.6.3, a trust anchor and a
//! SPID and a CIE provider, each a Django process on 127.0.0.1). The providers must resolve to
//! the metadata the anchor's own resolve endpoint gives, and what is not in the federation must
//! not resolve.
//!
//! The anchor's keys are read here from its entity configuration and then pinned: the test
//! pins what it just fetched, as an operator would copy them into configuration. The code under
//! test never fetches an anchor's keys.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use api::jose::{Jwks, RpKey};
use api::oidc::federation::chain::{self, ChainError, ResolvedEntity, Resolver, TrustAnchor};
use base64::Engine;
use serde_json::{Map, Value};

const OP_PUBLIC: &str = "https://www.spid.gov.it/openid-federation/agreement/op-public/";
const RP_PUBLIC: &str = "https://www.spid.gov.it/openid-federation/agreement/sp-public/";

/// The Python of the test federation: `$FEDERATION_PYTHON`, else the test command's venv. Missing,
/// the test fails (it is never skipped) and says how to install it.
fn python() -> PathBuf {
    let python = std::env::var_os("FEDERATION_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/federation/bin/python3"));
    assert!(
        python.exists(),
        "the test federation's Python is not installed at {}: run `bash scripts/test.sh` once (it \
         installs it with ensure_federation_venv in scripts/lib.sh), or by hand `python3 -m venv \
         target/federation && target/federation/bin/pip install -r e2e/federation/requirements.txt`, \
         or point FEDERATION_PYTHON at a Python that has it",
        python.display()
    );
    python
}

/// A running `run.py serve` in a fresh data directory, stopped with its members when dropped.
struct Harness {
    child: Child,
    /// Kept open: run.py may write more, and a closed pipe would end it.
    _stdout: BufReader<std::process::ChildStdout>,
    /// The JSON line `run.py serve` printed when ready.
    info: Value,
    dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        // run.py leads a process group of its own: SIGTERM to the group reaches it and its
        // Django members at once; SIGKILL if they linger.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Harness {
    fn start(extra: &[&str]) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/federation/run.py");
        let stderr = dir.path().join("run.stderr");
        let mut child = Command::new(python())
            .arg(script)
            .args(["serve", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--ta-port", "0", "--spid-port", "0", "--cie-port", "0"])
            .args(extra)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("the federation's Python starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = tx.send((line, stdout));
        });
        match rx.recv_timeout(Duration::from_secs(180)) {
            Ok((line, stdout)) if !line.trim().is_empty() => Harness {
                child,
                _stdout: stdout,
                info: serde_json::from_str(&line).unwrap_or_else(|_| panic!("run.py serve said {line:?}")),
                dir,
            },
            _ => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                panic!(
                    "the test federation did not start; run.py's stderr:\n{}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                );
            }
        }
    }

    fn get(&self, name: &str) -> String {
        self.info[name]
            .as_str()
            .unwrap_or_else(|| panic!("run.py said no {name}"))
            .to_owned()
    }

    fn anchor(&self) -> String {
        self.get("trust_anchor")
    }

    fn staff_token(&self) -> String {
        std::fs::read_to_string(self.get("staff_token_file"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// The members' logs, for a failure's message.
    fn logs(&self) -> String {
        ["ta.log", "spid.log", "cie.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.path().join("data").join(name)).unwrap_or_default();
                let tail: String = text
                    .chars()
                    .rev()
                    .take(3000)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                format!("--- {name}\n{tail}")
            })
            .collect()
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn payload(jwt: &str) -> Map<String, Value> {
    let part = jwt.split('.').nth(1).expect("a compact JWS");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The anchor as configuration would pin it: its entity id and the keys it publishes now.
async fn pinned(anchor: &str) -> TrustAnchor {
    let config = http()
        .get(format!("{anchor}{}", chain::WELL_KNOWN))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    TrustAnchor {
        entity_id: anchor.to_owned(),
        jwks: Jwks::from_value(&payload(&config)["jwks"]).unwrap(),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Metadata compared as the spec defines it: arrays as sets (the reference's `subset_of` loses
/// the order), everything else exactly.
fn same_metadata(ours: &Map<String, Value>, theirs: &Map<String, Value>) -> Result<(), String> {
    let canonical = |v: &Value| match v {
        Value::Array(items) => {
            let mut items: Vec<String> = items.iter().map(Value::to_string).collect();
            items.sort();
            Value::from(items)
        }
        other => other.clone(),
    };
    let mut keys: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (a, b) = (ours.get(key).map(canonical), theirs.get(key).map(canonical));
        if a != b {
            return Err(format!("{key}: ours {a:?}, the anchor's {b:?}"));
        }
    }
    Ok(())
}

/// What the anchor's own resolve endpoint (`entity/views.py`, `resolve_entity_statement`, which
/// builds a chain only for a staff token) makes of `sub`.
async fn anchor_resolves(harness: &Harness, anchor: &TrustAnchor, sub: &str) -> Map<String, Value> {
    let res = http()
        .get(format!("{}/resolve", anchor.entity_id))
        .query(&[("sub", sub), ("trust_anchor", anchor.entity_id.as_str())])
        .header("authorization", harness.staff_token())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", harness.logs());
    assert_eq!(res.headers()["content-type"], "application/resolve-response+jwt");
    let jwt = res.text().await.unwrap();
    assert_eq!(api::jose::header(&jwt).unwrap()["typ"], "resolve-response+jwt");
    api::jose::verify(&jwt, &anchor.jwks).unwrap()
}

fn assert_provider(resolved: &ResolvedEntity, op: &str, anchor: &str) {
    let m = &resolved.metadata;
    assert_eq!(resolved.entity_id, op);
    assert_eq!(resolved.trust_anchor, anchor);
    assert_eq!(m["issuer"], op);
    assert_eq!(m["authorization_endpoint"], format!("{op}/authorization"));
    assert_eq!(m["token_endpoint"], format!("{op}/token"));
    assert_eq!(m["userinfo_endpoint"], format!("{op}/userinfo"));
    let jwks = Jwks::from_value(&m["jwks"]).expect("an inline JWK set");
    assert!(!jwks.keys.is_empty());
    assert_eq!(m["subject_types_supported"], serde_json::json!(["pairwise"]));
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        serde_json::json!(["private_key_jwt"])
    );
    assert_eq!(resolved.trust_marks, vec![OP_PUBLIC.to_owned()]);
    // Leaf configuration, the anchor's statement about it, the anchor's configuration.
    assert_eq!(resolved.chain.len(), 3);
    assert!(resolved.expires_at > now() && resolved.expires_at <= now() + 48 * 3600 + 120);
    assert!(resolved.federation_entity.as_ref().unwrap()["organization_name"].is_string());
}

#[tokio::test]
async fn the_reference_federations_providers_resolve_as_its_anchor_resolves_them() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    // GIVEN the reference federation, and its anchor's keys pinned
    let harness = Harness::start(&[]);
    let (spid, cie) = (harness.get("spid"), harness.get("cie"));
    let anchor = pinned(&harness.anchor()).await;
    let resolver = Resolver::new(http(), vec![anchor.clone()], vec![OP_PUBLIC.to_owned()]);

    for op in [&spid, &cie] {
        // WHEN a provider is resolved as an OpenID provider
        let resolved: Arc<ResolvedEntity> = resolver
            .resolve(op, "openid_provider", now())
            .await
            .unwrap_or_else(|e| panic!("{op}: {e}\n{}", harness.logs()));
        // THEN its metadata is the published one with the anchor's policy applied
        assert_provider(&resolved, op, &anchor.entity_id);
        // AND the anchor's own resolution agrees, parameter by parameter
        let theirs = anchor_resolves(&harness, &anchor, op).await;
        assert_eq!(theirs["sub"], op.as_str());
        let their_metadata = theirs["metadata"].as_object().unwrap();
        same_metadata(
            &resolved.metadata,
            their_metadata["openid_provider"].as_object().unwrap(),
        )
        .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(
            Some(&their_metadata["federation_entity"]),
            resolved.federation_entity.clone().map(Value::Object).as_ref()
        );
        assert_eq!(theirs["trust_chain"].as_array().unwrap().len(), resolved.chain.len());
        // The reference answers `trust_marks: []` here though the provider carries a valid one.
        assert!(theirs["trust_marks"].as_array().is_some());
    }
    // A second resolution is the cached one.
    let first = resolver.resolve(&spid, "openid_provider", now()).await.unwrap();
    assert!(Arc::ptr_eq(
        &first,
        &resolver.resolve(&spid, "openid_provider", now()).await.unwrap()
    ));

    // The anchor lists both providers.
    let mut listed = resolver.list(&anchor.entity_id, "openid_provider").await.unwrap();
    listed.sort();
    let mut expected = vec![spid.clone(), cie.clone()];
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn what_is_not_in_the_reference_federation_does_not_resolve() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    // GIVEN our federation and another one (another data directory: other keys, another anchor)
    let ours = Harness::start(&["--no-cie"]);
    let theirs = Harness::start(&["--no-cie"]);
    let anchor = pinned(&ours.anchor()).await;
    let (spid, stranger) = (ours.get("spid"), theirs.get("spid"));
    let resolver = Resolver::new(http(), vec![anchor.clone()], vec![]);

    // A provider of the other federation: its hints lead to an anchor we do not trust.
    let err = resolver.resolve(&stranger, "openid_provider", now()).await.unwrap_err();
    assert!(
        matches!(&err, ChainError::NotInFederation { entity } if *entity == stranger),
        "{err}"
    );

    // The other anchor's id pinned with our anchor's keys: its statements do not verify.
    let impostor = TrustAnchor {
        entity_id: theirs.anchor(),
        jwks: anchor.jwks.clone(),
    };
    let err = Resolver::new(http(), vec![impostor], vec![])
        .resolve(&stranger, "openid_provider", now())
        .await;
    assert!(matches!(&err, Err(ChainError::Statement { .. })), "{err:?}");

    // Our anchor's id with keys it never had: nothing it signed verifies.
    let fake_keys = Jwks::from_value(&serde_json::json!({ "keys": [RpKey::generate().public_jwk()] })).unwrap();
    let forged = TrustAnchor {
        entity_id: anchor.entity_id.clone(),
        jwks: fake_keys,
    };
    let err = Resolver::new(http(), vec![forged], vec![])
        .resolve(&spid, "openid_provider", now())
        .await;
    assert!(matches!(&err, Err(ChainError::Statement { .. })), "{err:?}");

    // A provider id on a port nobody listens on.
    let mut unreachable = url::Url::parse(&spid).unwrap();
    unreachable.set_port(Some(1)).unwrap();
    let unreachable = unreachable.as_str().trim_end_matches('/').to_owned();
    let err = resolver
        .resolve(&unreachable, "openid_provider", now())
        .await
        .unwrap_err();
    assert!(matches!(&err, ChainError::Fetch { .. }), "{err}");

    // Our provider as a relying party: there is no such metadata.
    let err = resolver
        .resolve(&spid, "openid_relying_party", now())
        .await
        .unwrap_err();
    assert!(matches!(&err, ChainError::MissingMetadata { .. }), "{err}");

    // Our provider when a relying party's trust mark is required: it has only a provider's.
    let strict = Resolver::new(http(), vec![anchor.clone()], vec![RP_PUBLIC.to_owned()]);
    let err = strict.resolve(&spid, "openid_provider", now()).await.unwrap_err();
    assert!(matches!(&err, ChainError::MissingTrustMark { .. }), "{err}");

    // And the same provider, nothing required, resolves.
    assert!(
        resolver.resolve(&spid, "openid_provider", now()).await.is_ok(),
        "{}",
        ours.logs()
    );
}

//! Trust chain resolution (`api::oidc::federation::chain`) against the reference implementation
//! itself: the test federation of `e2e/federation/` (spid-cie-oidc 1.6.3, a trust anchor and a
//! SPID and a CIE provider, each a Django process on 127.0.0.1). The providers must resolve to
//! the metadata the anchor's own resolve endpoint gives, and what is not in the federation must
//! not resolve.
//!
//! The anchor's keys are read here from its entity configuration and then pinned: the test
//! pins what it just fetched, as an operator would copy them into configuration. The code under
//! test never fetches an anchor's keys.

mod common_federation;

use std::sync::Arc;

use api::jose::{Jwks, RpKey};
use api::oidc::federation::chain::{self, ChainError, ResolvedEntity, Resolver, TrustAnchor};
use base64::Engine;
use common_federation::Federation;
use serde_json::{Map, Value};

const OP_PUBLIC: &str = "https://www.spid.gov.it/openid-federation/agreement/op-public/";
const RP_PUBLIC: &str = "https://www.spid.gov.it/openid-federation/agreement/sp-public/";

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
async fn anchor_resolves(harness: &Federation, anchor: &TrustAnchor, sub: &str) -> Map<String, Value> {
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
    let harness = Federation::start();
    let (spid, cie) = (harness.spid().to_owned(), harness.cie().to_owned());
    let anchor = pinned(harness.anchor()).await;
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
    let ours = Federation::start_with(&["--no-cie"]);
    let theirs = Federation::start_with(&["--no-cie"]);
    let anchor = pinned(ours.anchor()).await;
    let (spid, stranger) = (ours.spid().to_owned(), theirs.spid().to_owned());
    let resolver = Resolver::new(http(), vec![anchor.clone()], vec![]);

    // A provider of the other federation: its hints lead to an anchor we do not trust.
    let err = resolver.resolve(&stranger, "openid_provider", now()).await.unwrap_err();
    assert!(
        matches!(&err, ChainError::NotInFederation { entity } if *entity == stranger),
        "{err}"
    );

    // The other anchor's id pinned with our anchor's keys: its statements do not verify.
    let impostor = TrustAnchor {
        entity_id: theirs.anchor().to_owned(),
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

//! [`CnsHandoffs`]: taken once, atomically, and never once expired.

use super::*;

fn handoff(token_hash: &str, expires_at: DateTime<Utc>) -> SessionRecord {
    SessionRecord {
        token_hash: token_hash.into(),
        codice_fiscale: citizen(7),
        scope: Scope::Full,
        method: api::store::CNS_HANDOFF_METHOD.into(),
        created_at: t0(),
        expires_at,
        absolute_expires_at: expires_at,
        handoff_binding: Some("cd".repeat(32)),
        credential: Some(Credential::Cns),
        applicant_name: None,
    }
}

pub async fn a_handoff_is_taken_once_and_never_once_expired(store: Arc<dyn Store>) {
    let live = handoff("k1", t0() + Duration::seconds(60));
    store.put_handoff(&live).await.unwrap();
    // WHEN many redemptions of one handoff race each other
    let takes: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.take_handoff("k1", t0()).await.unwrap() })
        })
        .collect();
    let mut taken = Vec::new();
    for take in takes {
        taken.extend(take.await.unwrap());
    }
    // THEN exactly one gets it, as it was put, and it is gone
    assert_eq!(taken, [live]);
    assert_eq!(store.take_handoff("k1", t0()).await.unwrap(), None);
    assert_eq!(store.session(Realm::Citizen, "k1").await.unwrap(), None);
    // An expired handoff is not taken (it is left to the store's clean-up).
    store.put_handoff(&handoff("k2", t0())).await.unwrap();
    assert_eq!(store.take_handoff("k2", t0()).await.unwrap(), None);
    // Nor is a plain session, nor a token nobody made.
    let session = SessionRecord {
        method: "spid".into(),
        handoff_binding: None,
        ..handoff("k3", t0() + Duration::minutes(20))
    };
    store.put_session(&Session::from(session.clone())).await.unwrap();
    assert_eq!(store.take_handoff("k3", t0()).await.unwrap(), None);
    assert_eq!(
        store.session(Realm::Citizen, "k3").await.unwrap(),
        Some(Session::Citizen(session))
    );
    assert_eq!(store.take_handoff("nobody", t0()).await.unwrap(), None);
}

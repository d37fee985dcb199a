//! [`Sessions`]: both realms by token hash, never one realm's token in the other.

use super::*;

pub async fn sessions_are_stored_extended_and_deleted_by_token_hash(store: Arc<dyn Store>) {
    let session = SessionRecord {
        token_hash: "h1".into(),
        codice_fiscale: citizen(1),
        scope: Scope::Simplified,
        method: "pin".into(),
        created_at: t0(),
        expires_at: t0() + Duration::minutes(20),
        absolute_expires_at: t0() + Duration::hours(8),
        handoff_binding: None,
        credential: Some(Credential::SimplifiedPin),
        applicant_name: Some("Anna Verdi".into()),
    };
    store.put_session(&Session::from(session.clone())).await.unwrap();
    assert_eq!(
        store
            .session(Realm::Citizen, "h1")
            .await
            .unwrap()
            .and_then(Session::into_citizen),
        Some(session.clone())
    );
    assert_eq!(
        store
            .session(Realm::Citizen, "h2")
            .await
            .unwrap()
            .and_then(Session::into_citizen),
        None
    );
    // A CNS handoff keeps the browser binding it was made with.
    let handoff = SessionRecord {
        token_hash: "h3".into(),
        method: "cns-handoff".into(),
        handoff_binding: Some("ab".repeat(32)),
        ..session.clone()
    };
    store.put_session(&Session::from(handoff.clone())).await.unwrap();
    assert_eq!(
        store
            .session(Realm::Citizen, "h3")
            .await
            .unwrap()
            .and_then(Session::into_citizen),
        Some(handoff)
    );
    // A session stored before credentials were recorded reads back without one.
    let older = SessionRecord {
        token_hash: "h4".into(),
        scope: Scope::Full,
        method: "spid".into(),
        credential: None,
        applicant_name: None,
        ..session.clone()
    };
    store.put_session(&Session::from(older.clone())).await.unwrap();
    let read = store
        .session(Realm::Citizen, "h4")
        .await
        .unwrap()
        .and_then(Session::into_citizen)
        .unwrap();
    assert_eq!((read.credential, read.credential()), (None, Credential::SpidL2));
    store
        .extend_session(Realm::Citizen, "h1", t0() + Duration::minutes(40))
        .await
        .unwrap();
    assert_eq!(
        store
            .session(Realm::Citizen, "h1")
            .await
            .unwrap()
            .and_then(Session::into_citizen)
            .unwrap()
            .expires_at,
        t0() + Duration::minutes(40)
    );
    store.delete_session(Realm::Citizen, "h1").await.unwrap();
    assert_eq!(
        store
            .session(Realm::Citizen, "h1")
            .await
            .unwrap()
            .and_then(Session::into_citizen),
        None
    );
}

pub async fn operator_sessions_are_kept_apart_from_citizen_sessions(store: Arc<dyn Store>) {
    let session = OperatorSessionRecord {
        token_hash: "h1".into(),
        username: "mrossi".into(),
        created_at: t0(),
        expires_at: t0() + Duration::minutes(10),
        absolute_expires_at: t0() + Duration::hours(9),
        generation: 2,
    };
    store.put_session(&Session::from(session.clone())).await.unwrap();
    assert_eq!(
        store
            .session(Realm::Operator, "h1")
            .await
            .unwrap()
            .and_then(Session::into_operator),
        Some(session.clone())
    );
    assert_eq!(
        store
            .session(Realm::Citizen, "h1")
            .await
            .unwrap()
            .and_then(Session::into_citizen),
        None
    );
    store
        .extend_session(Realm::Operator, "h1", t0() + Duration::minutes(30))
        .await
        .unwrap();
    assert_eq!(
        store
            .session(Realm::Operator, "h1")
            .await
            .unwrap()
            .and_then(Session::into_operator)
            .unwrap()
            .expires_at,
        t0() + Duration::minutes(30)
    );
    store.delete_session(Realm::Operator, "h1").await.unwrap();
    assert_eq!(
        store
            .session(Realm::Operator, "h1")
            .await
            .unwrap()
            .and_then(Session::into_operator),
        None
    );
    // Extending a session that has ended does nothing.
    store.extend_session(Realm::Operator, "h1", t0()).await.unwrap();
    assert_eq!(
        store
            .session(Realm::Operator, "h1")
            .await
            .unwrap()
            .and_then(Session::into_operator),
        None
    );
}

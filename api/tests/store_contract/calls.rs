//! [`Calls`].

use super::*;

pub async fn calls_are_stored_and_marked_when_the_pin_was_checked(store: Arc<dyn Store>) {
    let call = CallRecord {
        id: "c1".into(),
        operator: "mrossi".into(),
        codice_fiscale: citizen(7),
        opened_at: t0(),
        pin_checked_at: None,
    };
    store.put_call(&call).await.unwrap();
    assert_eq!(store.call("c1").await.unwrap(), Some(call.clone()));
    assert_eq!(store.call("c2").await.unwrap(), None);
    assert!(
        store
            .mark_call_pin_checked("c1", t0() + Duration::minutes(2))
            .await
            .unwrap()
    );
    assert!(!store.mark_call_pin_checked("c2", t0()).await.unwrap());
    assert_eq!(
        store.call("c1").await.unwrap().unwrap().pin_checked_at,
        Some(t0() + Duration::minutes(2))
    );
}

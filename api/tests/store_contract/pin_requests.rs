//! [`PinRequests`]: one live request per codice fiscale, moved on only from the state expected.

use super::*;

pub async fn pin_requests_are_put_if_absent_and_expired_ones_are_replaced(store: Arc<dyn Store>) {
    let first = record(3, "+39 333 000 0001", t0());
    let cf = first.codice_fiscale().to_owned();
    assert_eq!(
        store
            .insert_pin_request(&first, t0() - Duration::days(30), &[])
            .await
            .unwrap(),
        PinRequestInsert::Inserted
    );
    assert_eq!(store.pin_request(&cf).await.unwrap().as_ref(), Some(&first));

    // A second live request loses and is shown the first.
    let second = record(3, "+39 333 000 0002", t0() + Duration::hours(1));
    match store
        .insert_pin_request(&second, t0() - Duration::days(30), &[])
        .await
        .unwrap()
    {
        PinRequestInsert::Exists(existing) => assert_eq!(*existing, first),
        other => panic!("{other:?}"),
    }
    // Once the first has expired (created before the cutoff, still pending), it is replaced.
    let later = t0() + Duration::days(31);
    let third = record(3, "+39 333 000 0003", later);
    assert_eq!(
        store
            .insert_pin_request(&third, later - Duration::days(30), &[])
            .await
            .unwrap(),
        PinRequestInsert::Inserted
    );
    assert_eq!(store.pin_request(&cf).await.unwrap(), Some(third));
    assert_eq!(store.pin_request("XXXXXX00X00X000X").await.unwrap(), None);
}

pub async fn a_delivered_request_is_never_replaced_even_when_old(store: Arc<dyn Store>) {
    let first = record(4, "+39 333 000 0001", t0());
    let cf = first.codice_fiscale().to_owned();
    store.insert_pin_request(&first, t0(), &[]).await.unwrap();
    let moved = store
        .transition_pin_request(&cf, PinRequestState::PendingDelivery, PinRequestState::Delivered, t0())
        .await
        .unwrap();
    assert!(moved);
    // A transition from a state it is not in does nothing.
    let again = store
        .transition_pin_request(&cf, PinRequestState::PendingDelivery, PinRequestState::Delivered, t0())
        .await
        .unwrap();
    assert!(!again);
    let later = t0() + Duration::days(400);
    let other = record(4, "+39 333 000 0009", later);
    assert!(matches!(
        store.insert_pin_request(&other, later, &[]).await.unwrap(),
        PinRequestInsert::Exists(_)
    ));
    assert_eq!(
        store.pin_request(&cf).await.unwrap().unwrap().state,
        PinRequestState::Delivered
    );
}

pub async fn of_many_concurrent_requests_for_one_codice_fiscale_exactly_one_wins(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let r = record(5, &format!("+39 333 000 {i:04}"), t0());
                store
                    .insert_pin_request(&r, t0() - Duration::days(30), &[])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap() == PinRequestInsert::Inserted {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

pub async fn a_revoked_pin_request_leaves_room_for_a_new_one_and_is_kept_among_the_reported(store: Arc<dyn Store>) {
    let first = record(16, "+39 333 000 0016", t0());
    let cf = first.codice_fiscale().to_owned();
    store
        .insert_pin_request(&first, t0() - Duration::days(30), &[])
        .await
        .unwrap();
    // A revocation naming another request changes nothing.
    assert!(
        !store
            .revoke_pin_request(&cf, t0() + Duration::seconds(1), t0())
            .await
            .unwrap()
    );
    let at = t0() + Duration::hours(2);
    assert!(store.revoke_pin_request(&cf, t0(), at).await.unwrap());
    assert!(!store.revoke_pin_request(&cf, t0(), at).await.unwrap(), "only once");
    assert_eq!(store.pin_request(&cf).await.unwrap(), None);
    let reported = store.reported(&cf).await.unwrap();
    assert_eq!(reported.pin_requests.len(), 1);
    assert_eq!(reported.pin_requests[0].state, PinRequestState::Revoked);
    assert_eq!(reported.pin_requests[0].updated_at, at);
    assert_eq!(reported.pin_requests[0].request, first.request);
    // THEN a new live request may be made at once
    let second = record(16, "+39 333 000 0017", t0() + Duration::hours(3));
    assert_eq!(
        store
            .insert_pin_request(&second, t0() - Duration::days(30), &[])
            .await
            .unwrap(),
        PinRequestInsert::Inserted
    );
    assert!(
        store
            .revoke_pin_request(&cf, second.created_at, at + Duration::hours(2))
            .await
            .unwrap()
    );
    let reported = store.reported(&cf).await.unwrap();
    let times: Vec<_> = reported.pin_requests.iter().map(|r| r.created_at).collect();
    assert_eq!(times, [second.created_at, first.created_at], "newest first");
    assert!(
        store
            .reported(&codice_fiscale(17))
            .await
            .unwrap()
            .pin_requests
            .is_empty()
    );
}

pub async fn only_a_stale_pending_request_is_validated_and_only_once(store: Arc<dyn Store>) {
    let pending = record(11, "+39 333 000 0011", t0());
    let cf = pending.codice_fiscale().to_owned();
    store.insert_pin_request(&pending, t0(), &[]).await.unwrap();
    let validity = Duration::days(30);
    // Younger than 12 hours: refused, nothing changes.
    let early = t0() + Duration::hours(11);
    assert!(
        !store
            .validate_pin_request(&cf, &[9; 32], early - validity, early - Duration::hours(12), early, &[])
            .await
            .unwrap()
    );
    assert_eq!(store.pin_request(&cf).await.unwrap().unwrap(), pending);

    // At 12 hours, of many concurrent validations one wins.
    let now = t0() + Duration::hours(12);
    let tasks: Vec<_> = (100..108u8)
        .map(|i| {
            let (store, cf) = (store.clone(), cf.clone());
            tokio::spawn(async move {
                store
                    .validate_pin_request(&cf, &[i; 32], now - validity, now - Duration::hours(12), now, &[])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    let validated = store.pin_request(&cf).await.unwrap().unwrap();
    assert_eq!(validated.state, PinRequestState::ValidatedByContactCenter);
    assert_ne!(validated.first_half_hash, pending.first_half_hash);
    assert_eq!(validated.second_half_hash, pending.second_half_hash);
    assert_eq!(validated.updated_at, now);

    // A delivered request is never validated; nor is an expired one.
    let delivered = record(12, "+39 333 000 0012", t0());
    store.insert_pin_request(&delivered, t0(), &[]).await.unwrap();
    store
        .transition_pin_request(
            delivered.codice_fiscale(),
            PinRequestState::PendingDelivery,
            PinRequestState::Delivered,
            t0(),
        )
        .await
        .unwrap();
    assert!(
        !store
            .validate_pin_request(
                delivered.codice_fiscale(),
                &[9; 32],
                now - validity,
                now - Duration::hours(12),
                now,
                &[]
            )
            .await
            .unwrap()
    );
    let old = record(13, "+39 333 000 0013", t0());
    store.insert_pin_request(&old, t0(), &[]).await.unwrap();
    let late = t0() + validity;
    assert!(
        !store
            .validate_pin_request(
                old.codice_fiscale(),
                &[9; 32],
                late - validity,
                late - Duration::hours(12),
                late,
                &[]
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .validate_pin_request("XXXXXX00X00X000X", &[9; 32], now - validity, now, now, &[])
            .await
            .unwrap()
    );
}

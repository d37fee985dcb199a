//! [`Outbox`] (docs/adr/0015): messages written with their event, claimed by one worker; and the dev sink.

use super::*;

pub async fn the_dev_sink_lists_newest_first_and_by_citizen(store: Arc<dyn Store>) {
    for (i, cf) in ["CF1", "CF2", "CF1"].into_iter().enumerate() {
        let entry = OutboxEntry {
            sent_at: t0() + Duration::seconds(i as i64),
            notification: Notification {
                channel: Channel::Sms,
                recipient: "+393330000000".into(),
                codice_fiscale: cf.into(),
                subject: "PIN".into(),
                body: format!("message {i}"),
                message_id: None,
            },
        };
        store.push_outbox(&entry).await.unwrap();
    }
    let mine = store.outbox(Some("CF1"), 10).await.unwrap();
    let bodies: Vec<_> = mine.iter().map(|e| e.notification.body.as_str()).collect();
    assert_eq!(bodies, ["message 2", "message 0"]);
    assert_eq!(store.outbox(None, 2).await.unwrap().len(), 2);
}

pub async fn messages_are_written_with_their_event_and_only_with_the_winner(store: Arc<dyn Store>) {
    let first = record(14, "+39 333 000 0014", t0());
    let cf = first.codice_fiscale().to_owned();
    let first_messages: Vec<_> = [Channel::Sms, Channel::Email, Channel::Pec]
        .into_iter()
        .map(|c| message(&cf, c, MessageKind::PinFirstHalf, t0()))
        .chain([message(&cf, Channel::Post, MessageKind::PinSecondHalf, t0())])
        .collect();
    assert_eq!(
        store
            .insert_pin_request(&first, t0() - Duration::days(30), &first_messages)
            .await
            .unwrap(),
        PinRequestInsert::Inserted
    );
    // A second request for the same citizen loses, and none of its messages is written.
    let second = record(14, "+39 333 000 0099", t0());
    let second_messages = vec![message(&cf, Channel::Sms, MessageKind::PinFirstHalf, t0())];
    assert!(matches!(
        store
            .insert_pin_request(&second, t0() - Duration::days(30), &second_messages)
            .await
            .unwrap(),
        PinRequestInsert::Exists(_)
    ));
    let stored = store.messages_for(&cf, 50).await.unwrap();
    assert_eq!(ids(&stored), ids(&first_messages));
    assert!(
        stored
            .iter()
            .all(|m| m.sealed == Some(vec![0xA5; 64]) && m.state == DeliveryState::Queued)
    );
    assert!(store.message(&second_messages[0].id).await.unwrap().is_none());
    assert!(store.messages_for("OTHERCF", 50).await.unwrap().is_empty());

    // The same for a submission: only the winner's receipt is written.
    let submitted = application_record(15, 21, "k-21", "own");
    let app_cf = submitted.codice_fiscale().to_owned();
    let receipt = vec![message(&app_cf, Channel::Email, MessageKind::Receipt, t0())];
    store
        .insert_application(&submitted, SubmissionGuard::default(), &receipt)
        .await
        .unwrap();
    let again = application_record(15, 22, "k-22", "own");
    let lost = vec![message(&app_cf, Channel::Email, MessageKind::Receipt, t0())];
    assert!(matches!(
        store
            .insert_application(&again, SubmissionGuard::default(), &lost)
            .await
            .unwrap(),
        ApplicationInsert::Exists(_)
    ));
    // And a status change over a stale history writes nothing.
    let mut moved = submitted.clone();
    moved
        .application
        .move_to(ApplicationStatus::UnderReview, t0(), "admin:test".into())
        .unwrap();
    let status = vec![message(&app_cf, Channel::Sms, MessageKind::StatusChange, t0())];
    assert!(store.update_application(&moved, 1, &status).await.unwrap());
    let stale = vec![message(&app_cf, Channel::Sms, MessageKind::StatusChange, t0())];
    assert!(!store.update_application(&moved, 1, &stale).await.unwrap());
    let app_messages = store.messages_for(&app_cf, 50).await.unwrap();
    assert_eq!(ids(&app_messages), ids(&[receipt, status].concat()));
}

pub async fn a_message_is_claimed_by_one_worker_and_once_sent_loses_its_content(store: Arc<dyn Store>) {
    let cf = codice_fiscale(16);
    let sms = message(&cf, Channel::Sms, MessageKind::Receipt, t0());
    let mail = message(&cf, Channel::Email, MessageKind::Receipt, t0() + Duration::seconds(1));
    let submitted = application_record(16, 31, "k-31", "own");
    store
        .insert_application(&submitted, SubmissionGuard::default(), &[sms.clone(), mail.clone()])
        .await
        .unwrap();

    // Due on its own channel only, and not before its time.
    let now = t0() + Duration::seconds(5);
    assert_eq!(
        ids(&store.due_messages(&[Channel::Sms], now, 10).await.unwrap()),
        ids(std::slice::from_ref(&sms))
    );
    assert_eq!(
        ids(&store
            .due_messages(&[Channel::Sms, Channel::Email, Channel::Pec], now, 10)
            .await
            .unwrap()),
        ids(&[sms.clone(), mail.clone()])
    );
    assert!(
        store
            .due_messages(&[Channel::Sms], t0() - Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Of many workers claiming it at once, one gets it, with its attempt counted.
    let lease = now + Duration::seconds(60);
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (store, id) = (store.clone(), sms.id.clone());
            tokio::spawn(async move { store.claim_message(&id, now, lease).await.unwrap() })
        })
        .collect();
    let mut claims = Vec::new();
    for task in tasks {
        claims.extend(task.await.unwrap());
    }
    assert_eq!(claims.len(), 1);
    assert_eq!(
        (claims[0].state, claims[0].attempts, claims[0].lease_until),
        (DeliveryState::Sending, 1, Some(lease))
    );
    assert_eq!(
        claims[0].sealed, sms.sealed,
        "the claim carries the content to the worker"
    );
    assert!(
        store.due_messages(&[Channel::Sms], now, 10).await.unwrap().is_empty(),
        "claimed: not due during its lease"
    );

    // Sent: the content is gone for good, and it is never due again.
    let sent_at = now + Duration::seconds(1);
    store
        .finish_message(&sms.id, &DeliveryOutcome::Sent(sent_at))
        .await
        .unwrap();
    let sent = store.message(&sms.id).await.unwrap().unwrap();
    assert_eq!(
        (sent.state, sent.sent_at, sent.sealed.as_ref()),
        (DeliveryState::Sent, Some(sent_at), None)
    );
    assert!(
        store
            .due_messages(&[Channel::Sms], now + Duration::days(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .claim_message(&sms.id, now + Duration::days(1), lease + Duration::days(1))
            .await
            .unwrap()
            .is_none()
    );
    // A late failure report from a worker whose lease had lapsed does not undo it.
    store
        .finish_message(
            &sms.id,
            &DeliveryOutcome::Failed {
                error: "late".into(),
                retry_at: Some(now),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.message(&sms.id).await.unwrap().unwrap().state,
        DeliveryState::Sent
    );
    assert!(store.claim_message("no-such-id", now, lease).await.unwrap().is_none());
}

pub async fn a_failed_message_comes_back_at_its_retry_and_a_lapsed_claim_can_be_taken_again(store: Arc<dyn Store>) {
    let cf = codice_fiscale(17);
    let pec = message(&cf, Channel::Pec, MessageKind::Receipt, t0());
    let submitted = application_record(17, 41, "k-41", "own");
    store
        .insert_application(&submitted, SubmissionGuard::default(), std::slice::from_ref(&pec))
        .await
        .unwrap();
    let lease = t0() + Duration::seconds(30);
    store.claim_message(&pec.id, t0(), lease).await.unwrap().unwrap();

    // The worker died with it: once the lease lapses another worker takes it (second attempt).
    assert!(
        store
            .claim_message(&pec.id, lease - Duration::seconds(1), lease)
            .await
            .unwrap()
            .is_none()
    );
    let again = store
        .claim_message(&pec.id, lease, lease + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.attempts, 2);

    // Failed with a retry: due again only from the retry's time, keeping its content.
    let retry_at = lease + Duration::minutes(2);
    store
        .finish_message(
            &pec.id,
            &DeliveryOutcome::Failed {
                error: "421 try later".into(),
                retry_at: Some(retry_at),
            },
        )
        .await
        .unwrap();
    let retrying = store.message(&pec.id).await.unwrap().unwrap();
    assert_eq!(
        (retrying.state, retrying.last_error.as_deref()),
        (DeliveryState::Retrying, Some("421 try later"))
    );
    assert_eq!(retrying.sealed, pec.sealed);
    assert!(
        store
            .due_messages(&[Channel::Pec], retry_at - Duration::seconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.due_messages(&[Channel::Pec], retry_at, 10).await.unwrap().len(),
        1
    );

    // Failed for good: dead, never due, content kept (sealed) for staff.
    store
        .claim_message(&pec.id, retry_at, retry_at + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    store
        .finish_message(
            &pec.id,
            &DeliveryOutcome::Failed {
                error: "550 no such user".into(),
                retry_at: None,
            },
        )
        .await
        .unwrap();
    let dead = store.message(&pec.id).await.unwrap().unwrap();
    assert_eq!((dead.state, dead.attempts), (DeliveryState::Dead, 3));
    assert!(dead.sealed.is_some());
    assert!(
        store
            .due_messages(&[Channel::Pec], retry_at + Duration::days(30), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_validation_writes_its_messages_only_when_it_validates(store: Arc<dyn Store>) {
    let pending = record(18, "+39 333 000 0018", t0());
    let cf = pending.codice_fiscale().to_owned();
    store.insert_pin_request(&pending, t0(), &[]).await.unwrap();
    let validity = Duration::days(30);
    let early = t0() + Duration::hours(1);
    let refused = vec![message(&cf, Channel::Sms, MessageKind::PinValidated, early)];
    assert!(
        !store
            .validate_pin_request(
                &cf,
                &[9; 32],
                early - validity,
                early - Duration::hours(12),
                early,
                &refused
            )
            .await
            .unwrap()
    );
    let now = t0() + Duration::hours(12);
    let sent = vec![message(&cf, Channel::Sms, MessageKind::PinValidated, now)];
    assert!(
        store
            .validate_pin_request(&cf, &[9; 32], now - validity, now - Duration::hours(12), now, &sent)
            .await
            .unwrap()
    );
    assert_eq!(ids(&store.messages_for(&cf, 10).await.unwrap()), ids(&sent));
}

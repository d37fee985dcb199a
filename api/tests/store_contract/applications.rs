//! [`Applications`] (and [`Reports`] for what is set aside): drafts, one application per citizen, the protocol register.

use super::*;

pub async fn drafts_belong_to_their_citizen_and_go_with_the_submission(store: Arc<dyn Store>) {
    let (anna, bice) = (codice_fiscale(10), codice_fiscale(11));
    assert_eq!(store.draft(&anna).await.unwrap(), None);
    let draft = DraftRecord {
        codice_fiscale: anna.clone(),
        form: application_form("own"),
        updated_at: t0(),
        credential: Credential::SimplifiedPin,
    };
    store.put_draft(&draft).await.unwrap();
    assert_eq!(store.draft(&anna).await.unwrap().as_ref(), Some(&draft));
    assert_eq!(store.draft(&bice).await.unwrap(), None);

    let newer = DraftRecord {
        form: application_form("joint"),
        updated_at: t0() + Duration::minutes(3),
        ..draft.clone()
    };
    store.put_draft(&newer).await.unwrap();
    assert_eq!(store.draft(&anna).await.unwrap().as_ref(), Some(&newer));

    let submitted = application_record(10, 1, "k-1", "joint");
    assert_eq!(
        store
            .insert_application(&submitted, SubmissionGuard::default(), &[])
            .await
            .unwrap(),
        ApplicationInsert::Inserted
    );
    assert_eq!(
        store.draft(&anna).await.unwrap(),
        None,
        "the submission removes the draft"
    );
}

pub async fn a_submission_never_removes_a_draft_of_a_stronger_credential(store: Arc<dyn Store>) {
    let cf = codice_fiscale(13);
    let draft = DraftRecord {
        codice_fiscale: cf.clone(),
        form: application_form("own"),
        updated_at: t0(),
        credential: Credential::SpidL2,
    };
    store.put_draft(&draft).await.unwrap();
    let simplified = application_record(13, 200, "k-weak", "own");
    let receipt = message(&cf, Channel::Email, MessageKind::Receipt, t0());
    // GIVEN a draft saved with SPID, WHEN a simplified-PIN session submits
    assert_eq!(
        store
            .insert_application(&simplified, SubmissionGuard::default(), std::slice::from_ref(&receipt))
            .await
            .unwrap(),
        ApplicationInsert::StrongerDraft(Credential::SpidL2)
    );
    // THEN nothing changed: no application, no receipt queued, the draft as it was
    assert_eq!(store.application(&cf).await.unwrap(), None);
    assert_eq!(store.draft(&cf).await.unwrap().as_ref(), Some(&draft));
    assert!(store.message(&receipt.id).await.unwrap().is_none());
    // A session as strong as the draft's submits over it.
    let spid = ApplicationRecord {
        credential: Credential::SpidL2,
        ..application_record(13, 201, "k-spid", "own")
    };
    assert_eq!(
        store
            .insert_application(&spid, SubmissionGuard::default(), &[])
            .await
            .unwrap(),
        ApplicationInsert::Inserted
    );
    assert_eq!(store.draft(&cf).await.unwrap(), None);
    // And an application already there answers before any draft: a retry gets its receipt.
    store.put_draft(&draft).await.unwrap();
    match store
        .insert_application(&simplified, SubmissionGuard::default(), &[])
        .await
        .unwrap()
    {
        ApplicationInsert::Exists(existing) => assert_eq!(existing.idempotency_key, "k-spid"),
        other => panic!("{other:?}"),
    }
}

pub async fn a_pin_sessions_submission_holds_only_while_its_pin_request_does(store: Arc<dyn Store>) {
    let cf = codice_fiscale(14);
    let submission = application_record(14, 300, "k-pin", "own");
    let receipt = message(&cf, Channel::Email, MessageKind::Receipt, t0());
    let session_started = |at| SubmissionGuard {
        pin_session_started_at: Some(at),
    };
    // No PIN request (revoked, or never made): nothing is written.
    assert_eq!(
        store
            .insert_application(&submission, session_started(t0()), std::slice::from_ref(&receipt))
            .await
            .unwrap(),
        ApplicationInsert::PinNoLongerHolds
    );
    // A PIN request newer than the session (made after a revocation): its PIN is another one.
    let pin = record(14, "+39 333 000 0014", t0());
    store
        .insert_pin_request(&pin, t0() - Duration::days(30), &[])
        .await
        .unwrap();
    assert_eq!(
        store
            .insert_application(&submission, session_started(t0() - Duration::minutes(1)), &[])
            .await
            .unwrap(),
        ApplicationInsert::PinNoLongerHolds
    );
    assert_eq!(store.application(&cf).await.unwrap(), None);
    assert!(store.message(&receipt.id).await.unwrap().is_none());
    // The session of this PIN request submits.
    assert_eq!(
        store
            .insert_application(&submission, session_started(t0() + Duration::minutes(5)), &[])
            .await
            .unwrap(),
        ApplicationInsert::Inserted
    );
}

pub async fn of_many_concurrent_submissions_for_one_citizen_exactly_one_is_stored(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..24u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let record = application_record(12, 100 + i, &format!("key-{i}"), "own");
                (
                    i,
                    store
                        .insert_application(&record, SubmissionGuard::default(), &[])
                        .await
                        .unwrap(),
                )
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut seen = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (i, ApplicationInsert::Inserted) => winners.push(i),
            (_, ApplicationInsert::Exists(existing)) => seen.push(existing.idempotency_key.clone()),
            (_, other) => panic!("{other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let winner_key = format!("key-{}", winners[0]);
    assert!(seen.iter().all(|k| *k == winner_key), "every loser is shown the winner");
    let stored = store.application(&codice_fiscale(12)).await.unwrap().unwrap();
    assert_eq!(stored.idempotency_key, winner_key);
    let protocol = stored.application.protocol.to_string();
    assert_eq!(
        store.application_by_protocol(&protocol).await.unwrap().as_ref(),
        Some(&stored)
    );
    assert_eq!(
        store.application_by_protocol("INPS-COVID-2020-9999999").await.unwrap(),
        None
    );
}

pub async fn protocol_sequences_are_unique_under_concurrency(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..48)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.next_protocol_sequence(2020).await.unwrap() })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    let count = numbers.len();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "a protocol number was handed out twice");
    assert!(numbers.iter().all(|&n| n >= 1 && ProtocolNumber::new(2020, n).is_ok()));
    // Another year counts on its own.
    assert!(store.next_protocol_sequence(2021).await.unwrap() >= 1);
}

pub async fn a_status_change_is_stored_only_over_the_history_it_was_made_from(store: Arc<dyn Store>) {
    let record = application_record(13, 7, "k-7", "own");
    store
        .insert_application(&record, SubmissionGuard::default(), &[])
        .await
        .unwrap();
    let cf = codice_fiscale(13);

    let mut reviewed = record.clone();
    reviewed
        .application
        .move_to(
            ApplicationStatus::UnderReview,
            t0() + Duration::hours(1),
            "admin:test".into(),
        )
        .unwrap();
    assert!(store.update_application(&reviewed, 1, &[]).await.unwrap());

    // A second writer that read the old history loses.
    let mut stale = record.clone();
    stale
        .application
        .move_to(
            ApplicationStatus::UnderReview,
            t0() + Duration::hours(2),
            "admin:other".into(),
        )
        .unwrap();
    assert!(!store.update_application(&stale, 1, &[]).await.unwrap());

    let stored = store.application(&cf).await.unwrap().unwrap();
    assert_eq!(stored.application.status(), ApplicationStatus::UnderReview);
    assert_eq!(stored.application.history()[1].by, "admin:test");
}

pub async fn a_draft_is_never_overwritten_by_a_weaker_credential_and_a_stronger_one_takes_it(store: Arc<dyn Store>) {
    let cf = codice_fiscale(14);
    let draft = |credential, holder| DraftRecord {
        codice_fiscale: cf.clone(),
        form: application_form(holder),
        updated_at: t0(),
        credential,
    };
    // GIVEN a draft saved with the simplified PIN
    assert!(
        store
            .put_draft_unless_stronger(&draft(Credential::SimplifiedPin, "own"))
            .await
            .unwrap()
    );
    // WHEN a SPID session saves over it THEN the draft is SPID's
    let spid = draft(Credential::SpidL2, "joint");
    assert!(store.put_draft_unless_stronger(&spid).await.unwrap());
    assert_eq!(store.draft(&cf).await.unwrap().as_ref(), Some(&spid));
    // AND neither the simplified nor the full PIN may replace it; CNS (as strong) may
    for weaker in [Credential::SimplifiedPin, Credential::FullPin] {
        assert!(!store.put_draft_unless_stronger(&draft(weaker, "own")).await.unwrap());
    }
    assert_eq!(store.draft(&cf).await.unwrap().as_ref(), Some(&spid));
    assert!(
        store
            .put_draft_unless_stronger(&draft(Credential::Cns, "own"))
            .await
            .unwrap()
    );

    // Many weak and strong saves at once: the last stored one is never weaker than a strong one
    // that was accepted before.
    let other = codice_fiscale(15);
    let tasks: Vec<_> = (0..24u32)
        .map(|i| {
            let store = store.clone();
            let credential = if i % 2 == 0 {
                Credential::SimplifiedPin
            } else {
                Credential::SpidL2
            };
            let record = DraftRecord {
                codice_fiscale: other.clone(),
                form: application_form("own"),
                updated_at: t0(),
                credential,
            };
            tokio::spawn(async move { (credential, store.put_draft_unless_stronger(&record).await.unwrap()) })
        })
        .collect();
    let mut strong_saved = false;
    for task in tasks {
        let (credential, saved) = task.await.unwrap();
        strong_saved |= saved && credential == Credential::SpidL2;
    }
    assert!(strong_saved);
    assert_eq!(
        store.draft(&other).await.unwrap().unwrap().credential,
        Credential::SpidL2,
        "once SPID saved, no simplified PIN save landed over it"
    );
}

pub async fn a_set_aside_application_frees_the_citizen_s_place_and_staff_still_find_it(store: Arc<dyn Store>) {
    let record = application_record(18, 31, "k-31", "own");
    let cf = record.codice_fiscale().to_owned();
    let protocol = record.application.protocol.to_string();
    store
        .insert_application(&record, SubmissionGuard::default(), &[])
        .await
        .unwrap();
    let mut suspended = record.clone();
    suspended
        .application
        .move_because(
            ApplicationStatus::Suspended,
            t0() + Duration::hours(1),
            "citizen".into(),
            Some("reported".into()),
        )
        .unwrap();
    // Over a stale history: refused, nothing moves.
    assert!(!store.set_aside_application(&suspended, 2).await.unwrap());
    assert!(store.application(&cf).await.unwrap().is_some());
    assert!(store.set_aside_application(&suspended, 1).await.unwrap());
    assert_eq!(store.application(&cf).await.unwrap(), None);
    assert_eq!(store.application_by_protocol(&protocol).await.unwrap(), None);
    assert_eq!(
        store
            .set_aside_application_by_protocol(&protocol)
            .await
            .unwrap()
            .as_ref(),
        Some(&suspended)
    );
    assert_eq!(store.reported(&cf).await.unwrap().applications, [suspended.clone()]);

    // THEN a new application of the same citizen is one per citizen again
    let mut again = application_record(18, 32, "k-32", "own");
    again.credential = Credential::SpidL2;
    assert_eq!(
        store
            .insert_application(&again, SubmissionGuard::default(), &[])
            .await
            .unwrap(),
        ApplicationInsert::Inserted
    );
    assert_eq!(
        store.application_by_protocol(&protocol).await.unwrap(),
        None,
        "the old number does not lead to the new application"
    );
    assert_eq!(
        store
            .application_by_protocol(&again.application.protocol.to_string())
            .await
            .unwrap()
            .as_ref(),
        Some(&again)
    );

    // AND staff move the set-aside one on, over the history they read
    let mut reviewed = suspended.clone();
    reviewed
        .application
        .move_to(ApplicationStatus::Rejected, t0() + Duration::hours(5), "admin:x".into())
        .unwrap();
    assert!(!store.update_set_aside_application(&reviewed, 1).await.unwrap());
    assert!(store.update_set_aside_application(&reviewed, 2).await.unwrap());
    let stored = store
        .set_aside_application_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.application.status(), ApplicationStatus::Rejected);
    assert_eq!(stored.application.history()[1].reason.as_deref(), Some("reported"));
    assert_eq!(
        store.application(&cf).await.unwrap().as_ref(),
        Some(&again),
        "untouched"
    );
}

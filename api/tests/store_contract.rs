//! The `Store` contract: one suite of behaviours every implementation must show, run here against
//! SQLite and against DynamoDB (on a moto server the tests start), including the rules that must
//! hold under concurrency — many writers, one winner.

mod common_moto;

use std::sync::Arc;

use api::store::dynamodb::{DynamoDbSettings, DynamoDbStore};
use api::store::prelude::*;
use api::store::sqlite::SqliteStore;
use api::store::{
    ApplicationInsert, ApplicationRecord, AttemptClaim, AuditAction, AuditEntry, AuditOutcome, CallRecord, Channel,
    DeliveryOutcome, DeliveryState, DraftRecord, MessageKind, Notification, OperatorRecord, OperatorRole,
    OperatorSessionRecord, OutboxEntry, OutboxMessage, PinRequestInsert, PinRequestRecord, Principal, Realm,
    Reservation, Session, SessionRecord, Store, StoreError, ThrottleKey, ThrottlePolicy,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::application::{Application, ApplicationForm, ApplicationStatus, ProtocolNumber};
use domain::benefits::Catalogue;
use domain::codice_fiscale::{PersonalData, Sex};
use domain::pin_request::{PinRequestForm, PinRequestState};
use domain::{CodiceFiscale, Credential, Scope};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn record(day: u32, mobile: &str, created_at: DateTime<Utc>) -> PinRequestRecord {
    let person = PersonalData {
        given_name: "Anna".into(),
        surname: "Verdi".into(),
        sex: Sex::Female,
        birth_date: NaiveDate::from_ymd_opt(1985, 12, day).unwrap(),
        birth_place_code: "H501".into(),
    };
    let form = PinRequestForm {
        codice_fiscale: CodiceFiscale::generate(&person).to_string(),
        residence_country: "Italia".into(),
        given_name: "Anna".into(),
        surname: "Verdi".into(),
        sex: "F".into(),
        birth_date: format!("1985-12-{day:02}"),
        birth_place: "Roma".into(),
        birth_province: "RM".into(),
        address: "Via Roma 1".into(),
        postcode: "00186".into(),
        municipality: "Roma".into(),
        province: "RM".into(),
        mobile: mobile.into(),
        email: "anna@example.it".into(),
        pec: "anna@pec.example.it".into(),
    };
    PinRequestRecord {
        request: form.validate(t0().date_naive(), None).unwrap(),
        first_half_hash: vec![1; 32],
        second_half_hash: vec![2; 32],
        state: PinRequestState::PendingDelivery,
        created_at,
        updated_at: created_at,
        idempotency_key: Some(mobile.replace(' ', "")),
        lang: domain::Lang::It,
    }
}

async fn pin_requests_are_put_if_absent_and_expired_ones_are_replaced(store: Arc<dyn Store>) {
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

async fn a_delivered_request_is_never_replaced_even_when_old(store: Arc<dyn Store>) {
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

async fn of_many_concurrent_requests_for_one_codice_fiscale_exactly_one_wins(store: Arc<dyn Store>) {
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

fn throttle_policy(free: u32) -> ThrottlePolicy {
    ThrottlePolicy {
        free,
        first_delay: Duration::seconds(30),
        max_delay: Duration::minutes(60),
        window: Duration::hours(24),
    }
}

/// A PIN attempt's two counters: the codice fiscale from one client, and that client.
fn pin_claims(cf: &str, client: &str, pair_free: u32, client_free: u32) -> [AttemptClaim; 2] {
    [
        AttemptClaim {
            key: ThrottleKey::from_caller(Principal::Citizen(cf), client),
            policy: throttle_policy(pair_free),
        },
        AttemptClaim {
            key: ThrottleKey::caller(Realm::Citizen, client),
            policy: throttle_policy(client_free),
        },
    ]
}

async fn of_many_parallel_reservations_no_more_than_the_free_attempts_are_granted(store: Arc<dyn Store>) {
    // GIVEN a policy of 5 attempts at once for one codice fiscale from one client
    let claims = pin_claims("CF1", "ip:127.0.0.2", 5, 30);
    // WHEN 30 attempts are reserved at the same moment
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let (store, claims) = (store.clone(), claims.clone());
            tokio::spawn(async move { store.reserve_attempt(&claims, t0()).await.unwrap() })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Reservation::Granted => granted += 1,
            Reservation::Delayed(wait) => assert!(wait > Duration::zero() && wait <= Duration::seconds(30)),
        }
    }
    // THEN exactly 5 go, both counters hold 5, and the fifth set the first wait
    assert_eq!(granted, 5);
    let pair = store.throttle(&claims[0].key).await.unwrap().unwrap();
    assert_eq!(pair.attempts, 5);
    assert_eq!(pair.blocked_until, Some(t0() + Duration::seconds(30)));
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 5);
}

async fn each_further_attempt_doubles_the_wait_and_a_delayed_one_changes_no_counter(store: Arc<dyn Store>) {
    let claims = pin_claims("CF2", "ip:127.0.0.3", 2, 30);
    let reserve = |at| {
        let (store, claims) = (store.clone(), claims.clone());
        async move { store.reserve_attempt(&claims, at).await.unwrap() }
    };
    assert_eq!(reserve(t0()).await, Reservation::Granted);
    assert_eq!(reserve(t0()).await, Reservation::Granted);
    assert_eq!(
        reserve(t0() + Duration::seconds(10)).await,
        Reservation::Delayed(Duration::seconds(20))
    );
    // The delayed attempt counted nowhere.
    assert_eq!(store.throttle(&claims[0].key).await.unwrap().unwrap().attempts, 2);
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 2);
    let later = t0() + Duration::seconds(30);
    assert_eq!(reserve(later).await, Reservation::Granted);
    assert_eq!(
        reserve(later + Duration::seconds(1)).await,
        Reservation::Delayed(Duration::seconds(59))
    );
    let later = later + Duration::seconds(60);
    assert_eq!(reserve(later).await, Reservation::Granted);
    assert_eq!(reserve(later).await, Reservation::Delayed(Duration::seconds(120)));

    // Another codice fiscale from the same client is not slowed by this one...
    let other = pin_claims("CF3", "ip:127.0.0.3", 2, 30);
    assert_eq!(
        store.reserve_attempt(&other, later).await.unwrap(),
        Reservation::Granted
    );
    // ...until the client's own count makes it wait (its sixth attempt, under a rule of 5); then
    // neither counter takes an attempt.
    let tight = pin_claims("CF4", "ip:127.0.0.3", 2, 5);
    assert_eq!(
        store.reserve_attempt(&tight, later).await.unwrap(),
        Reservation::Granted
    );
    let elsewhere = pin_claims("CF7", "ip:127.0.0.3", 2, 5);
    assert!(matches!(
        store.reserve_attempt(&elsewhere, later).await.unwrap(),
        Reservation::Delayed(_)
    ));
    assert_eq!(store.throttle(&elsewhere[0].key).await.unwrap(), None);
    assert_eq!(store.throttle(&elsewhere[1].key).await.unwrap().unwrap().attempts, 6);

    // A day after the window's first attempt, and with no wait due, the count starts again.
    let next_day = t0() + Duration::hours(25);
    assert_eq!(reserve(next_day).await, Reservation::Granted);
    let pair = store.throttle(&claims[0].key).await.unwrap().unwrap();
    assert_eq!((pair.attempts, pair.blocked_until), (1, None));
    assert_eq!(pair.window_ends, next_day + Duration::hours(24));
}

async fn a_released_attempt_is_given_back_and_a_forgotten_counter_is_gone(store: Arc<dyn Store>) {
    let claims = pin_claims("CF5", "ip:127.0.0.4", 5, 30);
    for _ in 0..3 {
        store.reserve_attempt(&claims, t0()).await.unwrap();
    }
    store.release_attempt(&claims[1].key).await.unwrap();
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 2);
    store.forget_attempts(&claims[0].key).await.unwrap();
    assert_eq!(store.throttle(&claims[0].key).await.unwrap(), None);
    // Nothing to give back: no counter, or one at zero, stays as it is.
    store.release_attempt(&claims[0].key).await.unwrap();
    assert_eq!(store.throttle(&claims[0].key).await.unwrap(), None);
    for _ in 0..3 {
        store.release_attempt(&claims[1].key).await.unwrap();
    }
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 0);
}

async fn parallel_counts_are_each_counted_once_and_start_again_after_the_window(store: Arc<dyn Store>) {
    let day = ThrottleKey::day(Principal::Citizen("CF6"));
    let window = Duration::hours(24);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, day) = (store.clone(), day.clone());
            tokio::spawn(async move { store.count_attempt(&day, window, t0()).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=20).collect::<Vec<u32>>());
    let counted = store.throttle(&day).await.unwrap().unwrap();
    assert_eq!((counted.attempts, counted.window_ends), (20, t0() + window));
    assert_eq!(store.count_attempt(&day, window, t0() + window).await.unwrap(), 1);
    // The same string as an operator's username is another counter.
    assert_eq!(
        store
            .throttle(&ThrottleKey::day(Principal::Operator("CF6")))
            .await
            .unwrap(),
        None
    );
}

async fn sessions_are_stored_extended_and_deleted_by_token_hash(store: Arc<dyn Store>) {
    let session = SessionRecord {
        token_hash: "h1".into(),
        codice_fiscale: "CF1".into(),
        scope: Scope::Simplified,
        method: "pin".into(),
        created_at: t0(),
        expires_at: t0() + Duration::minutes(20),
        absolute_expires_at: t0() + Duration::hours(8),
        handoff_binding: None,
        credential: Some(Credential::SimplifiedPin),
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

async fn the_dev_sink_lists_newest_first_and_by_citizen(store: Arc<dyn Store>) {
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

fn codice_fiscale(day: u32) -> String {
    record(day, "+39 333 000 0000", t0()).codice_fiscale().to_owned()
}

/// A complete application form for art. 27.
fn application_form(iban_holder: &str) -> ApplicationForm {
    let mut form = ApplicationForm {
        benefit: "art27".into(),
        payment_method: "iban".into(),
        iban: "IT60X0542811101000000123456".into(),
        account_holder: iban_holder.into(),
        mobile: "+39 333 123 4567".into(),
        email: "anna@example.it".into(),
        ..ApplicationForm::default()
    };
    if iban_holder == "joint" {
        form.joint_holder_name = "Luca Bianchi".into();
    }
    for (id, answer) in [
        ("vat_or_collaboration", "yes"),
        ("separate_scheme", "yes"),
        ("pensioner", "no"),
        ("other_mandatory_scheme", "no"),
        ("no_other_indemnity", "yes"),
        ("truthful", "yes"),
    ] {
        form.declarations.insert(id.into(), answer.into());
    }
    form
}

fn application_record(day: u32, sequence: u32, key: &str, holder: &str) -> ApplicationRecord {
    let valid = application_form(holder).validate(Catalogue::embedded()).unwrap();
    let fingerprint = valid.fingerprint();
    ApplicationRecord {
        application: Application::submitted(
            ProtocolNumber::new(2020, sequence).unwrap(),
            CodiceFiscale::parse(&codice_fiscale(day)).unwrap(),
            domain::submission_window::Channel::WebCitizen,
            Catalogue::embedded().version().to_owned(),
            valid,
            t0(),
            "citizen".into(),
        ),
        idempotency_key: key.into(),
        fingerprint,
        credential: Credential::SimplifiedPin,
    }
}

async fn drafts_belong_to_their_citizen_and_go_with_the_submission(store: Arc<dyn Store>) {
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
        store.insert_application(&submitted, &[]).await.unwrap(),
        ApplicationInsert::Inserted
    );
    assert_eq!(
        store.draft(&anna).await.unwrap(),
        None,
        "the submission removes the draft"
    );
}

async fn of_many_concurrent_submissions_for_one_citizen_exactly_one_is_stored(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..24u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let record = application_record(12, 100 + i, &format!("key-{i}"), "own");
                (i, store.insert_application(&record, &[]).await.unwrap())
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut seen = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (i, ApplicationInsert::Inserted) => winners.push(i),
            (_, ApplicationInsert::Exists(existing)) => seen.push(existing.idempotency_key.clone()),
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

async fn protocol_sequences_are_unique_under_concurrency(store: Arc<dyn Store>) {
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

async fn a_status_change_is_stored_only_over_the_history_it_was_made_from(store: Arc<dyn Store>) {
    let record = application_record(13, 7, "k-7", "own");
    store.insert_application(&record, &[]).await.unwrap();
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

async fn a_draft_is_never_overwritten_by_a_weaker_credential_and_a_stronger_one_takes_it(store: Arc<dyn Store>) {
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

async fn a_revoked_pin_request_leaves_room_for_a_new_one_and_is_kept_among_the_reported(store: Arc<dyn Store>) {
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

async fn a_set_aside_application_frees_the_citizen_s_place_and_staff_still_find_it(store: Arc<dyn Store>) {
    let record = application_record(18, 31, "k-31", "own");
    let cf = record.codice_fiscale().to_owned();
    let protocol = record.application.protocol.to_string();
    store.insert_application(&record, &[]).await.unwrap();
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
        store.insert_application(&again, &[]).await.unwrap(),
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

fn operator(username: &str) -> OperatorRecord {
    OperatorRecord {
        username: username.into(),
        full_name: "Maria Rossi".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        totp_secret_sealed: vec![7; 48],
        disabled: false,
        created_at: t0(),
        session_generation: 0,
        role: OperatorRole::Agent,
    }
}

async fn operators_are_unique_and_each_totp_step_is_claimed_once(store: Arc<dyn Store>) {
    assert!(store.insert_operator(&operator("mrossi")).await.unwrap());
    let mut other = operator("mrossi");
    other.full_name = "Someone Else".into();
    assert!(!store.insert_operator(&other).await.unwrap());
    assert_eq!(store.operator("mrossi").await.unwrap(), Some(operator("mrossi")));
    assert_eq!(store.operator("nobody").await.unwrap(), None);
    assert!(!store.claim_totp_step("nobody", 10).await.unwrap());

    // Of many concurrent logins with the same code, one wins.
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_totp_step("mrossi", 1000).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    // An older step is refused too; a later one is accepted.
    assert!(!store.claim_totp_step("mrossi", 999).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 1001).await.unwrap());
}

async fn an_operator_record_is_replaced_only_if_it_exists_and_keeps_its_claimed_totp_step(store: Arc<dyn Store>) {
    assert!(
        !store.replace_operator(&operator("nobody")).await.unwrap(),
        "no such operator"
    );
    assert_eq!(store.operator("nobody").await.unwrap(), None, "replacing never creates");

    assert!(store.insert_operator(&operator("mrossi")).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 500).await.unwrap());
    let mut disabled = operator("mrossi");
    disabled.disabled = true;
    disabled.session_generation = 3;
    disabled.role = OperatorRole::Supervisor;
    disabled.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3".into();
    assert!(store.replace_operator(&disabled).await.unwrap());
    assert_eq!(store.operator("mrossi").await.unwrap(), Some(disabled));
    // The step claimed before is still claimed.
    assert!(!store.claim_totp_step("mrossi", 500).await.unwrap());
    assert!(store.claim_totp_step("mrossi", 501).await.unwrap());
}

async fn operator_sessions_are_kept_apart_from_citizen_sessions(store: Arc<dyn Store>) {
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

async fn calls_are_stored_and_marked_when_the_pin_was_checked(store: Arc<dyn Store>) {
    let call = CallRecord {
        id: "c1".into(),
        operator: "mrossi".into(),
        codice_fiscale: codice_fiscale(7),
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

async fn the_audit_log_lists_by_citizen_and_by_operator_newest_first(store: Arc<dyn Store>) {
    let entry = |minute: i64, operator: &str, cf: Option<&str>, action: AuditAction| AuditEntry {
        at: t0() + Duration::minutes(minute),
        operator: operator.into(),
        codice_fiscale: cf.map(str::to_owned),
        action,
        outcome: AuditOutcome::Ok,
        detail: format!("minute {minute}"),
    };
    let (a, b) = (codice_fiscale(8), codice_fiscale(9));
    let entries = [
        entry(0, "mrossi", None, AuditAction::Login),
        entry(1, "mrossi", Some(&a), AuditAction::CallOpened),
        entry(2, "lbianchi", Some(&b), AuditAction::CallOpened),
        entry(3, "mrossi", Some(&a), AuditAction::PinCheck),
        // Two entries in the same millisecond are both kept.
        entry(3, "mrossi", Some(&a), AuditAction::DraftSaved),
    ];
    for e in &entries {
        store.append_audit(e).await.unwrap();
    }
    let for_a = store.audit_for(&a, 10).await.unwrap();
    assert_eq!(for_a.len(), 3);
    assert_eq!(for_a[2], entries[1]);
    assert!(for_a.iter().all(|e| e.codice_fiscale.as_deref() == Some(a.as_str())));
    let by_rossi = store.audit_by_operator("mrossi", 10).await.unwrap();
    assert_eq!(by_rossi.len(), 4);
    assert_eq!(by_rossi[3], entries[0]);
    assert_eq!(store.audit_by_operator("mrossi", 2).await.unwrap().len(), 2);
    assert_eq!(store.audit_for(&b, 10).await.unwrap(), [entries[2].clone()]);
    assert!(store.audit_for(&codice_fiscale(10), 10).await.unwrap().is_empty());
}

async fn only_a_stale_pending_request_is_validated_and_only_once(store: Arc<dyn Store>) {
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

// --- the durable outbox (docs/adr/0015) ---------------------------------------------------------

/// A queued message for `cf` as an event would write it, with made-up sealed bytes.
fn message(cf: &str, channel: Channel, kind: MessageKind, at: DateTime<Utc>) -> OutboxMessage {
    OutboxMessage {
        id: hex::encode(api::secrets::random_bytes::<16>()),
        codice_fiscale: cf.into(),
        channel,
        kind,
        to_masked: "+39 ***0000".into(),
        sealed: Some(vec![0xA5; 64]),
        state: DeliveryState::Queued,
        attempts: 0,
        created_at: at,
        next_attempt_at: at,
        lease_until: None,
        sent_at: None,
        last_error: None,
    }
}

fn ids(messages: &[OutboxMessage]) -> Vec<String> {
    let mut ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids
}

async fn messages_are_written_with_their_event_and_only_with_the_winner(store: Arc<dyn Store>) {
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
    store.insert_application(&submitted, &receipt).await.unwrap();
    let again = application_record(15, 22, "k-22", "own");
    let lost = vec![message(&app_cf, Channel::Email, MessageKind::Receipt, t0())];
    assert!(matches!(
        store.insert_application(&again, &lost).await.unwrap(),
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

async fn a_message_is_claimed_by_one_worker_and_once_sent_loses_its_content(store: Arc<dyn Store>) {
    let cf = codice_fiscale(16);
    let sms = message(&cf, Channel::Sms, MessageKind::Receipt, t0());
    let mail = message(&cf, Channel::Email, MessageKind::Receipt, t0() + Duration::seconds(1));
    let submitted = application_record(16, 31, "k-31", "own");
    store
        .insert_application(&submitted, &[sms.clone(), mail.clone()])
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

async fn a_failed_message_comes_back_at_its_retry_and_a_lapsed_claim_can_be_taken_again(store: Arc<dyn Store>) {
    let cf = codice_fiscale(17);
    let pec = message(&cf, Channel::Pec, MessageKind::Receipt, t0());
    let submitted = application_record(17, 41, "k-41", "own");
    store
        .insert_application(&submitted, std::slice::from_ref(&pec))
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

async fn a_validation_writes_its_messages_only_when_it_validates(store: Arc<dyn Store>) {
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

/// Runs every contract case against a fresh store from `make`.
macro_rules! contract_suite {
    ($module:ident, $make:expr) => {
        mod $module {
            use super::*;

            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        let (store, _guard) = $make.await;
                        super::$name(store).await;
                    }
                };
            }

            case!(pin_requests_are_put_if_absent_and_expired_ones_are_replaced);
            case!(a_delivered_request_is_never_replaced_even_when_old);
            case!(of_many_concurrent_requests_for_one_codice_fiscale_exactly_one_wins);
            case!(of_many_parallel_reservations_no_more_than_the_free_attempts_are_granted);
            case!(each_further_attempt_doubles_the_wait_and_a_delayed_one_changes_no_counter);
            case!(a_released_attempt_is_given_back_and_a_forgotten_counter_is_gone);
            case!(parallel_counts_are_each_counted_once_and_start_again_after_the_window);
            case!(sessions_are_stored_extended_and_deleted_by_token_hash);
            case!(the_dev_sink_lists_newest_first_and_by_citizen);
            case!(drafts_belong_to_their_citizen_and_go_with_the_submission);
            case!(of_many_concurrent_submissions_for_one_citizen_exactly_one_is_stored);
            case!(protocol_sequences_are_unique_under_concurrency);
            case!(a_status_change_is_stored_only_over_the_history_it_was_made_from);
            case!(operators_are_unique_and_each_totp_step_is_claimed_once);
            case!(an_operator_record_is_replaced_only_if_it_exists_and_keeps_its_claimed_totp_step);
            case!(operator_sessions_are_kept_apart_from_citizen_sessions);
            case!(calls_are_stored_and_marked_when_the_pin_was_checked);
            case!(the_audit_log_lists_by_citizen_and_by_operator_newest_first);
            case!(only_a_stale_pending_request_is_validated_and_only_once);
            case!(messages_are_written_with_their_event_and_only_with_the_winner);
            case!(a_message_is_claimed_by_one_worker_and_once_sent_loses_its_content);
            case!(a_failed_message_comes_back_at_its_retry_and_a_lapsed_claim_can_be_taken_again);
            case!(a_validation_writes_its_messages_only_when_it_validates);
            case!(a_draft_is_never_overwritten_by_a_weaker_credential_and_a_stronger_one_takes_it);
            case!(a_revoked_pin_request_leaves_room_for_a_new_one_and_is_kept_among_the_reported);
            case!(a_set_aside_application_frees_the_citizen_s_place_and_staff_still_find_it);
        }
    };
}

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    (Arc::new(store), dir)
}

contract_suite!(on_sqlite, sqlite());

async fn dynamodb() -> (Arc<dyn Store>, ()) {
    (Arc::new(common_moto::fresh_store().await), ())
}

contract_suite!(on_dynamodb, dynamodb());

/// What only the DynamoDB adapter has: error mapping and the table it expects.
mod dynamodb_only {
    use super::*;

    #[tokio::test]
    async fn settings_choose_the_table_and_region() {
        let settings = DynamoDbSettings {
            table: "sportello-prod".into(),
            region: Some("eu-south-1".into()),
            endpoint_url: Some(common_moto::server().endpoint.clone()),
        };
        let store = DynamoDbStore::from_settings(&settings).await;
        assert_eq!(store.kind(), "dynamodb");
        assert_eq!(store.table(), "sportello-prod");
        let region = store.client().config().region().map(|r| r.as_ref().to_owned());
        assert_eq!(region.as_deref(), Some("eu-south-1"));
    }

    #[tokio::test]
    async fn an_endpoint_that_does_not_answer_is_unavailable_not_a_failure() {
        // GIVEN a port that nothing listens on
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = common_moto::client(&format!("http://127.0.0.1:{port}"));
        let store = DynamoDbStore::new(client, "sportello");
        match store.health().await {
            Err(StoreError::Unavailable(message)) => assert!(message.contains("GetItem on sportello"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_missing_table_is_a_failure_that_names_the_table_but_never_the_codice_fiscale() {
        let client = common_moto::client(&common_moto::server().endpoint);
        let table = common_moto::unique_table_name("never-created");
        let store = DynamoDbStore::new(client, table.clone());
        let r = record(6, "+39 333 000 0001", t0());
        match store.insert_pin_request(&r, t0(), &[]).await {
            Err(StoreError::Other(message)) => {
                assert!(message.contains(&table), "{message}");
                assert!(message.contains("ResourceNotFoundException"), "{message}");
                assert!(!message.contains(r.codice_fiscale()), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(store.health().await.is_err());
    }

    #[tokio::test]
    async fn the_table_has_string_keys_its_two_indexes_and_time_to_live() {
        let store = common_moto::fresh_store().await;
        let table = store
            .client()
            .describe_table()
            .table_name(store.table())
            .send()
            .await
            .unwrap()
            .table
            .unwrap();
        let keys: Vec<_> = table
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().as_str()))
            .collect();
        assert_eq!(keys, [("pk", "HASH"), ("sk", "RANGE")]);
        let indexes: Vec<_> = table
            .global_secondary_indexes()
            .iter()
            .map(|i| i.index_name().unwrap_or_default())
            .collect();
        assert_eq!(indexes, ["gsi1", "gsi2"]);
        let ttl = store
            .client()
            .describe_time_to_live()
            .table_name(store.table())
            .send()
            .await
            .unwrap()
            .time_to_live_description
            .unwrap();
        assert_eq!(ttl.attribute_name(), Some("expires_at_epoch"));
    }
}

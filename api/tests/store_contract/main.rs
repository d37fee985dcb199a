//! The `Store` contract: one suite of behaviours every implementation must show, run here against
//! SQLite and against DynamoDB (on a moto server the tests start), including the rules that must
//! hold under concurrency — many writers, one winner. One section per capability trait
//! (`pin_requests.rs`, `sessions.rs`, …); the fixtures they share are here.

#[path = "../common_moto/mod.rs"]
mod common_moto;

mod applications;
mod audit_log;
mod calls;
mod cns_handoffs;
mod login_flows;
mod operators;
mod outbox;
mod pin_requests;
mod sessions;
mod throttles;
mod waiting_rooms;

use std::sync::Arc;

use api::store::dynamodb::{DynamoDbSettings, DynamoDbStore};
use api::store::prelude::*;
use api::store::sqlite::SqliteStore;
use api::store::{
    ApplicationInsert, ApplicationRecord, AttemptClaim, AuditAction, AuditEntry, AuditOutcome, CallRecord, Channel,
    DeliveryOutcome, DeliveryState, DraftRecord, Drawn, MessageKind, Notification, OperatorRecord, OperatorRole,
    OperatorSessionRecord, OutboxEntry, OutboxMessage, PinRequestInsert, PinRequestRecord, Principal, RateChange,
    Realm, Reservation, RoomOpening, Session, SessionRecord, Store, StoreError, SubmissionGuard, ThrottleKey,
    ThrottlePolicy, TicketRecord,
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

fn codice_fiscale(day: u32) -> String {
    record(day, "+39 333 000 0000", t0()).codice_fiscale().to_owned()
}

/// [`codice_fiscale`] as the type sessions and calls hold.
fn citizen(day: u32) -> CodiceFiscale {
    record(day, "+39 333 000 0000", t0()).request.codice_fiscale
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

/// Runs every contract case, section by section (one per capability trait), against a fresh
/// store from `make`.
macro_rules! contract_suite {
    ($module:ident, $make:expr) => {
        mod $module {
            macro_rules! case {
                ($section:ident, $name:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        let (store, _guard) = $make.await;
                        crate::$section::$name(store).await;
                    }
                };
            }

            mod pin_requests {
                case!(
                    pin_requests,
                    pin_requests_are_put_if_absent_and_expired_ones_are_replaced
                );
                case!(pin_requests, a_delivered_request_is_never_replaced_even_when_old);
                case!(
                    pin_requests,
                    of_many_concurrent_requests_for_one_codice_fiscale_exactly_one_wins
                );
                case!(
                    pin_requests,
                    only_a_stale_pending_request_is_validated_and_only_once
                );
                case!(
                    pin_requests,
                    a_revoked_pin_request_leaves_room_for_a_new_one_and_is_kept_among_the_reported
                );
            }
            mod throttles {
                case!(
                    throttles,
                    of_many_parallel_reservations_no_more_than_the_free_attempts_are_granted
                );
                case!(
                    throttles,
                    each_further_attempt_doubles_the_wait_and_a_delayed_one_changes_no_counter
                );
                case!(
                    throttles,
                    a_released_attempt_is_given_back_and_a_forgotten_counter_is_gone
                );
                case!(
                    throttles,
                    parallel_counts_are_each_counted_once_and_start_again_after_the_window
                );
            }
            mod sessions {
                case!(sessions, sessions_are_stored_extended_and_deleted_by_token_hash);
                case!(sessions, operator_sessions_are_kept_apart_from_citizen_sessions);
            }
            mod cns_handoffs {
                case!(cns_handoffs, a_handoff_is_taken_once_and_never_once_expired);
            }
            mod login_flows {
                case!(login_flows, a_flow_finishes_once_and_a_replay_is_refused);
                case!(
                    login_flows,
                    of_two_concurrent_finishes_of_one_flow_exactly_one_counts
                );
                case!(login_flows, an_expired_flow_s_record_does_not_refuse_a_new_flow);
            }
            mod applications {
                case!(
                    applications,
                    drafts_belong_to_their_citizen_and_go_with_the_submission
                );
                case!(
                    applications,
                    a_submission_never_removes_a_draft_of_a_stronger_credential
                );
                case!(
                    applications,
                    a_pin_sessions_submission_holds_only_while_its_pin_request_does
                );
                case!(
                    applications,
                    of_many_concurrent_submissions_for_one_citizen_exactly_one_is_stored
                );
                case!(applications, protocol_sequences_are_unique_under_concurrency);
                case!(
                    applications,
                    a_status_change_is_stored_only_over_the_history_it_was_made_from
                );
                case!(
                    applications,
                    a_draft_is_never_overwritten_by_a_weaker_credential_and_a_stronger_one_takes_it
                );
                case!(
                    applications,
                    a_set_aside_application_frees_the_citizen_s_place_and_staff_still_find_it
                );
            }
            mod operators {
                case!(operators, operators_are_unique_and_each_totp_step_is_claimed_once);
                case!(
                    operators,
                    an_operator_record_is_replaced_only_if_it_exists_and_keeps_its_claimed_totp_step
                );
            }
            mod calls {
                case!(calls, calls_are_stored_and_marked_when_the_pin_was_checked);
            }
            mod audit_log {
                case!(
                    audit_log,
                    the_audit_log_lists_by_citizen_and_by_operator_newest_first
                );
            }
            mod outbox {
                case!(outbox, the_dev_sink_lists_newest_first_and_by_citizen);
                case!(
                    outbox,
                    messages_are_written_with_their_event_and_only_with_the_winner
                );
                case!(
                    outbox,
                    a_message_is_claimed_by_one_worker_and_once_sent_loses_its_content
                );
                case!(
                    outbox,
                    a_failed_message_comes_back_at_its_retry_and_a_lapsed_claim_can_be_taken_again
                );
                case!(outbox, a_validation_writes_its_messages_only_when_it_validates);
            }
            mod waiting_rooms {
                case!(
                    waiting_rooms,
                    tickets_before_the_opening_are_its_pre_queue_and_later_ones_queue_in_order
                );
                case!(
                    waiting_rooms,
                    an_opening_amid_arrivals_counts_every_pre_queue_ticket_once
                );
                case!(waiting_rooms, a_codice_fiscale_holds_one_place_the_first_tickets);
            }
        }
    };
}

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    (Arc::new(store), dir)
}

contract_suite!(on_sqlite, crate::sqlite());

async fn dynamodb() -> (Arc<dyn Store>, ()) {
    (Arc::new(common_moto::fresh_store().await), ())
}

contract_suite!(on_dynamodb, crate::dynamodb());

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

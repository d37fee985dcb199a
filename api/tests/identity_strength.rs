//! Credentials ranked by strength and "non sono stato io" (docs/adr/0017), over HTTP against the
//! real server, a citizen logging in with SPID at the OpenID provider of `e2e/oidc`:
//!
//! - the 2020 attack: a SPID citizen's draft (his IBAN) is neither shown to nor changed by a
//!   stranger who requested a PIN in his name and logged in with the simplified PIN, who cannot
//!   submit over it either; the citizen's own Conferma still works;
//! - the citizen with SPID reviews the PIN request and the application made in his name, reports
//!   them: the PIN is revoked (its session and login end), the application suspended and set aside
//!   (audited), and a new PIN and a new application work.

mod common;
mod common_oidc;

use api::store::prelude::*;
use chrono::NaiveDate;
use common_oidc::{Harness, SPID_L2_CF, SPID_L2_USER};
use domain::codice_fiscale::{PersonalData, Sex};
use domain::{CodiceFiscale, Credential};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The citizen's own IBAN and contacts, and the stranger's.
const CITIZEN_IBAN: &str = "IT60X0542811101000000123456";
const STRANGER_IBAN: &str = "IT19F0542811101042304114426";

/// A PIN request in Mario Rossi's name (the SPID test user), with the contacts of whoever makes it.
fn pin_request_for_mario(mobile: &str, tag: &str) -> Value {
    let birth_date = NaiveDate::from_ymd_opt(1985, 12, 14).unwrap();
    let mut request = common::citizen_born("Mario", "Rossi", birth_date, mobile, tag);
    let cf = CodiceFiscale::generate(&PersonalData {
        given_name: "Mario".into(),
        surname: "Rossi".into(),
        sex: Sex::Male,
        birth_date,
        birth_place_code: "H501".into(),
    });
    assert_eq!(cf.as_str(), SPID_L2_CF, "the provider's Mario Rossi");
    request["codice_fiscale"] = cf.as_str().into();
    request["sex"] = "M".into();
    request
}

fn form(iban: &str, mobile: &str, email: &str) -> Value {
    let mut form = common::art27_form();
    form["iban"] = iban.into();
    form["mobile"] = mobile.into();
    form["email"] = email.into();
    form
}

fn assert_stronger_credential(status: StatusCode, body: &Value, what: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    assert_eq!(body["code"], "application.stronger_credential", "{what}: {body}");
    assert_eq!(body["opens_with"], "strong", "{what}: {body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("SPID, CIE o CNS"), "{what}: {message}");
    let text = body.to_string();
    for secret in [CITIZEN_IBAN, "mario.rossi@example.it", "333 100 0001", "INPS-COVID"] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

#[tokio::test]
async fn a_simplified_pin_session_neither_sees_nor_changes_nor_replaces_a_spid_draft() {
    let h = Harness::start().await;
    // GIVEN Mario, logged in with SPID level 2, saved a draft with his IBAN and contacts
    let citizen = h.spid_login(SPID_L2_USER).await;
    let (status, session) = h.call(Method::GET, "/api/session", &citizen, None, None).await;
    assert_eq!(
        (status, session["credential"].as_str()),
        (StatusCode::OK, Some("spid_l2"))
    );
    let his = form(CITIZEN_IBAN, "+39 333 100 0001", "mario.rossi@example.it");
    let (status, _) = h
        .call(Method::PUT, "/api/application/draft", &citizen, Some(&his), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // AND a stranger who knows his personal data requested a PIN in his name with their own
    // contacts (the registry check passes: Mario is a resident) and logged in with its first half
    let mario = pin_request_for_mario("999 0001", "stranger");
    h.register(&mario).await;
    let first_half = h.request_pin(&mario).await;
    let (status, stranger) = h.pin_login(SPID_L2_CF, &first_half).await;
    assert_eq!(status, StatusCode::OK);
    let stranger = stranger.unwrap();

    // WHEN the stranger reads the application and the list THEN nothing of Mario's shows, only
    // that a stronger credential's application exists and which credentials open it
    let (status, body) = h.call(Method::GET, "/api/application", &stranger, None, None).await;
    println!("GET /api/application as the stranger: {status} {body}");
    assert_stronger_credential(status, &body, "GET /api/application");
    let (status, body) = h.call(Method::GET, "/api/applications", &stranger, None, None).await;
    assert_stronger_credential(status, &body, "GET /api/applications");

    // AND saving over it, a step, or submitting is refused
    let theirs = form(STRANGER_IBAN, "+39 333 999 0001", "stranger@example.it");
    let (status, body) = h
        .call(Method::PUT, "/api/application/draft", &stranger, Some(&theirs), None)
        .await;
    assert_stronger_credential(status, &body, "PUT /api/application/draft");
    let (status, body) = h
        .call(
            Method::POST,
            "/api/application/steps/pagamento",
            &stranger,
            Some(&theirs),
            None,
        )
        .await;
    assert_stronger_credential(status, &body, "POST /api/application/steps/pagamento");
    let (status, body) = h
        .call(
            Method::POST,
            "/api/application/submit",
            &stranger,
            Some(&theirs),
            Some("k-stranger"),
        )
        .await;
    println!("POST /api/application/submit as the stranger: {status} {body}");
    assert_stronger_credential(status, &body, "POST /api/application/submit");
    // AND the stranger may not review the identity either
    let (status, body) = h.call(Method::GET, "/api/identity", &stranger, None, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("identity.review_scope"))
    );

    // THEN Mario's draft is still his, and his own Conferma works
    let (status, state) = h.call(Method::GET, "/api/application", &citizen, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["form"]["iban"], CITIZEN_IBAN);
    let (status, receipt) = h
        .call(
            Method::POST,
            "/api/application/submit",
            &citizen,
            Some(&his),
            Some("k-mario"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(receipt["content"]["payment"]["iban"], CITIZEN_IBAN, "{receipt}");

    // AND after it, the one-per-citizen rule tells the stranger only "exists, log in with SPID,
    // CIE or CNS", without its protocol number
    let (status, body) = h
        .call(
            Method::POST,
            "/api/application/submit",
            &stranger,
            Some(&theirs),
            Some("k-stranger-2"),
        )
        .await;
    assert_stronger_credential(status, &body, "submit over the SPID application");
    let (status, body) = h.call(Method::GET, "/api/application", &stranger, None, None).await;
    assert_stronger_credential(status, &body, "GET after the SPID submission");
    let protocol = receipt["protocol"].as_str().unwrap();
    let (status, body) = h
        .call(
            Method::GET,
            &format!("/api/applications/{protocol}"),
            &stranger,
            None,
            None,
        )
        .await;
    assert_stronger_credential(status, &body, "GET the SPID receipt");
}

#[tokio::test]
async fn non_sono_stato_io_revokes_the_pin_suspends_the_application_and_a_new_pin_works() {
    let h = Harness::start().await;
    // GIVEN a stranger requested a PIN in Mario's name and submitted an application with it
    let by_stranger = pin_request_for_mario("999 0002", "stranger");
    h.register(&by_stranger).await;
    let first_half = h.request_pin(&by_stranger).await;
    let (_, stranger) = h.pin_login(SPID_L2_CF, &first_half).await;
    let stranger = stranger.unwrap();
    let theirs = form(STRANGER_IBAN, "+39 333 999 0002", "stranger@example.it");
    let (status, receipt) = h
        .call(
            Method::POST,
            "/api/application/submit",
            &stranger,
            Some(&theirs),
            Some("k-s"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let stolen = receipt["protocol"].as_str().unwrap().to_owned();

    // WHEN Mario logs in with SPID and looks at what was made in his name
    let citizen = h.spid_login(SPID_L2_USER).await;
    let (status, identity) = h.call(Method::GET, "/api/identity", &citizen, None, None).await;
    println!("GET /api/identity as Mario (SPID): {status} {identity}");
    assert_eq!(status, StatusCode::OK);
    let pin = &identity["pin_requests"][0];
    assert_eq!(pin["sms"], "+39 ***0002", "masked: {pin}");
    assert_eq!(pin["email"], "s***@example.it");
    assert_eq!(pin["reportable"], true);
    assert!(pin["letter_to"].as_str().unwrap().contains("***"), "{pin}");
    let application = &identity["applications"][0];
    assert_eq!(application["protocol"], stolen.as_str());
    assert_eq!(application["credential"], "simplified_pin");
    assert_eq!(application["contacts"]["mobile"], "+39 ***0002");
    assert_eq!(application["reportable"], true);
    assert!(!identity.to_string().contains(STRANGER_IBAN), "no IBAN in the review");

    // AND reports the application as not his
    let report = serde_json::json!({ "application": stolen });
    let (status, done) = h
        .call(Method::POST, "/api/identity/reports", &citizen, Some(&report), None)
        .await;
    println!("POST /api/identity/reports: {status} {done}");
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["pin_revoked"], true);
    assert_eq!(done["suspended"], stolen.as_str());

    // THEN the stranger's session and PIN open nothing any more
    let (status, _) = h.call(Method::GET, "/api/application", &stranger, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the revoked PIN's session ended");
    assert_eq!(h.pin_login(SPID_L2_CF, &first_half).await.0, StatusCode::UNAUTHORIZED);

    // AND the review shows the PIN revoked and the application suspended with its reason
    let (_, identity) = h.call(Method::GET, "/api/identity", &citizen, None, None).await;
    assert_eq!(identity["pin_requests"][0]["state"], "revoked", "{identity}");
    assert_eq!(identity["pin_requests"][0]["reportable"], false);
    assert_eq!(identity["applications"][0]["status"], "suspended", "{identity}");
    assert_eq!(identity["applications"][0]["reportable"], false);
    // A second report of the same thing is refused and changes nothing.
    let (status, body) = h
        .call(Method::POST, "/api/identity/reports", &citizen, Some(&report), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("report.not_suspendable"))
    );

    // AND the report is in the audit log, under the citizen and the credential
    let store = api::store::sqlite::SqliteStore::open(h.data_dir()).unwrap();
    let audit = store.audit_for(SPID_L2_CF, 10).await.unwrap();
    let reported = audit
        .iter()
        .find(|e| e.action == api::store::AuditAction::IdentityReport && e.outcome == api::store::AuditOutcome::Ok)
        .expect("the report is audited");
    assert_eq!(reported.operator, "citizen:spid_l2");
    assert!(reported.detail.contains(&stolen), "{}", reported.detail);
    let aside = store.set_aside_application_by_protocol(&stolen).await.unwrap().unwrap();
    let suspension = aside.application.history().last().unwrap();
    assert!(
        suspension.reason.as_deref().unwrap().contains("spid_l2"),
        "{suspension:?}"
    );
    assert_eq!(aside.credential, Credential::SimplifiedPin);

    // WHEN Mario requests a new PIN with his own contacts and applies with it
    let his_request = pin_request_for_mario("100 0002", "mario.rossi");
    let new_half = h.request_pin(&his_request).await;
    assert_ne!(new_half, first_half);
    // After a report its first half alone opens nothing (whoever made the stolen request could
    // make this one too); with the letter, which reaches only his residence, the new PIN works.
    let (status, _) = h.pin_login(SPID_L2_CF, &new_half).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the simplified PIN is barred after a report"
    );
    let letter = h.letter(SPID_L2_CF).await;
    let (status, own) = h.pin_login(SPID_L2_CF, &format!("{new_half}{letter}")).await;
    assert_eq!(status, StatusCode::OK, "the new full PIN works");
    let own = own.unwrap();
    let his = form(CITIZEN_IBAN, "+39 333 100 0002", "mario.rossi@example.it");
    let (status, receipt) = h
        .call(Method::POST, "/api/application/submit", &own, Some(&his), Some("k-m"))
        .await;
    // THEN the suspended application does not block the new one
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_ne!(receipt["protocol"], stolen.as_str());

    // AND staff still move the suspended one on
    // (the dev server's key, kept in its data directory, seals any message the move writes)
    let key = std::fs::read_to_string(h.data_dir().join("pin-key.hex")).unwrap();
    let sealer = api::outbox::Sealer::new(&api::secrets::PinKey::from_hex(&key).unwrap());
    let moved = api::admin::move_status(&store, &sealer, &stolen, "rejected", "admin:test", chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(moved.status(), domain::ApplicationStatus::Rejected);
    let current = store.application(SPID_L2_CF).await.unwrap().unwrap();
    assert_eq!(
        current.application.protocol.to_string(),
        receipt["protocol"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_report_of_the_pin_request_alone_revokes_it_and_cannot_be_repeated() {
    let h = Harness::start().await;
    // GIVEN a PIN request in Mario's name, used by nobody yet
    let request = pin_request_for_mario("999 0003", "stranger");
    h.register(&request).await;
    let first_half = h.request_pin(&request).await;
    // WHEN Mario, with SPID, reports it
    let citizen = h.spid_login(SPID_L2_USER).await;
    let (_, identity) = h.call(Method::GET, "/api/identity", &citizen, None, None).await;
    let created_at = identity["pin_requests"][0]["created_at"].clone();
    let report = serde_json::json!({ "pin_request": created_at });
    let (status, done) = h
        .call(Method::POST, "/api/identity/reports", &citizen, Some(&report), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["pin_revoked"].as_bool(), done["suspended"].is_null()),
        (Some(true), true)
    );
    // THEN its PIN no longer logs in, and the same report again is refused
    assert_eq!(h.pin_login(SPID_L2_CF, &first_half).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = h
        .call(Method::POST, "/api/identity/reports", &citizen, Some(&report), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("report.nothing_to_revoke"))
    );
}

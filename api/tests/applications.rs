//! The indemnity application over HTTP against the real server: drafts, the whole flow to the
//! receipt, the submission window in Europe/Rome across daylight-saving changes, one application
//! per citizen, idempotent Conferma, and drafts no one else can read or write.

mod common;

use chrono::{DateTime, Utc};
use common::{TestServer, art27_form, citizen};
use serde_json::{Value, json};

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

/// A citizen with a PIN, logged in with its first 8 characters (a simplified session).
async fn logged_in(server: &TestServer, name: &str, day: u32) -> (String, String) {
    let person = citizen(name, "Rossi", day);
    let (first, _) = server.request_pin(&person).await;
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (r, cookie) = server.login(&cf, &first).await;
    assert_eq!(r.status(), 200);
    (cf, cookie.unwrap())
}

async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    cookie: &str,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .client
        .request(method, server.url(path))
        .header("cookie", cookie)
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.unwrap()
}

async fn submit(server: &TestServer, cookie: &str, form: &Value, key: &str) -> reqwest::Response {
    send(
        server,
        reqwest::Method::POST,
        "/api/application/submit",
        cookie,
        form,
        Some(key),
    )
    .await
}

#[tokio::test]
async fn the_whole_flow_from_draft_to_receipt_and_status() {
    let server = TestServer::start().await;
    server.set_clock(at("2020-04-01T17:00:00+02:00")).await;
    let (cf, cookie) = logged_in(&server, "Giulia", 1).await;

    // GIVEN a new application: contacts come from the PIN request, nothing else is filled in.
    let r = server.get_as("/api/application", &cookie).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let start: Value = r.json().await.unwrap();
    assert_eq!(start["form"]["benefit"], "");
    assert_eq!(start["form"]["email"], "giulia.rossi@example.it");
    assert!(start["saved_at"].is_null() && start["submitted"].is_null());
    assert_eq!(start["window"]["open"], true);

    // WHEN each step is checked with Avanti, a wrong answer is named and still saved
    let mut form = art27_form();
    form["iban"] = json!("IT60 X054 2811 1010 0000 0123 457");
    for step in ["indennita", "dichiarazioni"] {
        let r = send(
            &server,
            reqwest::Method::POST,
            &format!("/api/application/steps/{step}"),
            &cookie,
            &form,
            None,
        )
        .await;
        assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
    }
    let r = send(
        &server,
        reqwest::Method::POST,
        "/api/application/steps/pagamento",
        &cookie,
        &form,
        None,
    )
    .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["field_codes"]["iban"].as_str().unwrap().starts_with("iban."),
        "{body}"
    );
    let saved: Value = server.get_as("/api/application", &cookie).await.json().await.unwrap();
    assert_eq!(
        saved["form"]["iban"], "IT60 X054 2811 1010 0000 0123 457",
        "what was typed is kept"
    );
    assert!(saved["saved_at"].is_string());

    // AND corrected, every step passes
    let form = art27_form();
    for step in ["indennita", "dichiarazioni", "pagamento", "contatti"] {
        let r = send(
            &server,
            reqwest::Method::POST,
            &format!("/api/application/steps/{step}"),
            &cookie,
            &form,
            None,
        )
        .await;
        assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
    }

    // WHEN Conferma is pressed
    let r = submit(&server, &cookie, &form, "conferma-giulia-1").await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let receipt: Value = r.json().await.unwrap();
    let protocol = receipt["protocol"].as_str().unwrap().to_owned();
    assert!(protocol.starts_with("INPS-COVID-2020-"), "{protocol}");
    assert_eq!(receipt["status"], "submitted");
    // (the test clock keeps running from the time it was set to)
    assert!(
        receipt["submitted_at"]
            .as_str()
            .unwrap()
            .starts_with("2020-04-01T15:00:0"),
        "{receipt}"
    );
    assert_eq!(receipt["content"]["benefit"], "art27");
    assert_eq!(receipt["content"]["payment"]["iban"], "IT60X0542811101000000123456");

    // THEN "Le mie domande" lists it, the receipt can be read again, and the draft is gone.
    let list: Value = server.get_as("/api/applications", &cookie).await.json().await.unwrap();
    assert_eq!(list["applications"].as_array().unwrap().len(), 1);
    assert_eq!(list["applications"][0]["protocol"], protocol.as_str());
    assert_eq!(list["applications"][0]["history"][0]["label"], "Presentata");
    let again = server.get_as(&format!("/api/applications/{protocol}"), &cookie).await;
    assert_eq!(again.status(), 200);
    let state: Value = server.get_as("/api/application", &cookie).await.json().await.unwrap();
    assert_eq!(state["submitted"]["protocol"], protocol.as_str());
    assert!(state["saved_at"].is_null(), "the draft was removed with the submission");
    assert_eq!(cf.len(), 16);
}

#[tokio::test]
async fn a_second_application_is_refused_with_the_existing_protocol_number() {
    let server = TestServer::start().await;
    server.set_clock(at("2020-04-01T17:00:00+02:00")).await;
    let (_, cookie) = logged_in(&server, "Marta", 2).await;
    let r = submit(&server, &cookie, &art27_form(), "first-try").await;
    assert_eq!(r.status(), 201);
    let protocol = r.json::<Value>().await.unwrap()["protocol"]
        .as_str()
        .unwrap()
        .to_owned();

    // WHEN she applies again (another Conferma, another key), even for another indemnity
    let mut second = art27_form();
    second["account_holder"] = json!("joint");
    second["joint_holder_name"] = json!("Luca Bianchi");
    for form in [art27_form(), second] {
        let r = submit(&server, &cookie, &form, "second-try").await;
        assert_eq!(r.status(), 409);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "application.already_submitted");
        assert_eq!(body["protocol"], protocol.as_str());
        assert!(body["message"].as_str().unwrap().contains(&protocol), "{body}");
    }
    let list: Value = server.get_as("/api/applications", &cookie).await.json().await.unwrap();
    assert_eq!(list["applications"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_receipt_and_a_changed_payload_is_refused() {
    let server = TestServer::start().await;
    server.set_clock(at("2020-04-02T07:55:00+02:00")).await;
    let (cf, cookie) = logged_in(&server, "Paola", 4).await;
    let form = art27_form();

    // WHEN Conferma is sent five times at once with one key (a double click, client retries)
    let url = server.url("/api/application/submit");
    let attempts: Vec<_> = (0..5)
        .map(|_| {
            let request = server
                .client
                .post(&url)
                .header("cookie", &cookie)
                .header("idempotency-key", "same-click")
                .json(&form);
            tokio::spawn(async move { request.send().await.unwrap() })
        })
        .collect();
    let mut protocols = Vec::new();
    let mut created = 0;
    for attempt in attempts {
        let r = attempt.await.unwrap();
        assert!(r.status() == 201 || r.status() == 200, "{}", r.status());
        created += usize::from(r.status() == 201);
        protocols.push(
            r.json::<Value>().await.unwrap()["protocol"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // THEN exactly one application exists, and every answer is its receipt.
    assert_eq!(created, 1);
    assert!(protocols.iter().all(|p| p == &protocols[0]), "{protocols:?}");
    // AND its receipt went out once, by e-mail and by SMS, with the protocol number and whose it is
    let receipts: Vec<Value> = server
        .outbox(&cf)
        .await
        .into_iter()
        .filter(|m| m["body"].as_str().unwrap().contains(protocols[0].as_str()))
        .collect();
    let mut channels: Vec<&str> = receipts.iter().map(|m| m["channel"].as_str().unwrap()).collect();
    channels.sort_unstable();
    assert_eq!(channels, ["email", "sms"], "{receipts:?}");
    for receipt in &receipts {
        let body = receipt["body"].as_str().unwrap();
        assert!(
            body.contains(&cf) && body.contains("inviata il 02/04/2020 alle 07:55"),
            "{body}"
        );
    }

    // AND after the window has closed, a late retry still gets the receipt
    server.set_clock(at("2020-04-02T08:05:00+02:00")).await;
    let r = submit(&server, &cookie, &form, "same-click").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["protocol"], protocols[0].as_str());

    // BUT the key with a different payload is refused
    let mut changed = form.clone();
    changed["account_holder"] = json!("joint");
    changed["joint_holder_name"] = json!("Luca Bianchi");
    let r = submit(&server, &cookie, &changed, "same-click").await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "idempotency.key_reused");

    // AND Conferma without a key is a malformed request
    let r = send(
        &server,
        reqwest::Method::POST,
        "/api/application/submit",
        &cookie,
        &form,
        None,
    )
    .await;
    assert_eq!(r.status(), 400);
}

/// Submits art27 for a new citizen at `now` and returns the response.
async fn submit_at(server: &TestServer, name: &str, day: u32, now: &str) -> reqwest::Response {
    server.set_clock(at(now)).await;
    let (_, cookie) = logged_in(server, name, day).await;
    submit(server, &cookie, &art27_form(), &format!("k-{name}-{day}")).await
}

#[tokio::test]
async fn the_citizens_window_is_16_to_8_italian_time() {
    let server = TestServer::start().await;

    // 10:00 in Rome: refused, with the opening time of the same day.
    let r = submit_at(&server, "Alba", 5, "2020-04-01T10:00:00+02:00").await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "submission.window_closed");
    assert_eq!(body["opens_at"], "2020-04-01T14:00:00+00:00");
    assert!(body["message"].as_str().unwrap().contains("16:00 di oggi"), "{body}");

    // The refusal speaks English when asked.
    let (_, cookie) = logged_in(&server, "Bice", 6).await;
    let r = server
        .client
        .post(server.url("/api/application/submit"))
        .header("cookie", &cookie)
        .header("accept-language", "en")
        .header("idempotency-key", "en-1")
        .json(&art27_form())
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("16:00 today"), "{body}");

    // And the page is told before Conferma.
    let state: Value = server.get_as("/api/application", &cookie).await.json().await.unwrap();
    assert_eq!(state["window"]["open"], false);
    assert!(state["window"]["notice"].as_str().unwrap().contains("16:00"));

    // 17:00 and 07:59 are inside; 08:00 is not.
    assert_eq!(
        submit_at(&server, "Carla", 7, "2020-04-01T17:00:00+02:00")
            .await
            .status(),
        201
    );
    assert_eq!(
        submit_at(&server, "Dora", 8, "2020-04-02T07:59:00+02:00")
            .await
            .status(),
        201
    );
    assert_eq!(
        submit_at(&server, "Elsa", 9, "2020-04-02T08:00:00+02:00")
            .await
            .status(),
        403
    );
    assert_eq!(
        submit_at(&server, "Fede", 10, "2020-04-01T16:00:00+02:00")
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn the_window_follows_italian_clocks_on_the_days_they_change() {
    let server = TestServer::start().await;
    // 29 March 2020, clocks go forward at 02:00: 06:30 UTC is already 08:30 in Rome (closed), though
    // it would be 07:30 under winter time.
    assert_eq!(
        submit_at(&server, "Gina", 11, "2020-03-29T06:30:00Z").await.status(),
        403
    );
    assert_eq!(
        submit_at(&server, "Ilda", 12, "2020-03-29T05:30:00Z").await.status(),
        201
    );
    // 25 October 2020, clocks go back at 03:00: 06:30 UTC is 07:30 in Rome (open), though it would
    // be 08:30 under summer time; 14:30 UTC is 15:30 (closed), 15:00 UTC is 16:00 (open).
    assert_eq!(
        submit_at(&server, "Lara", 13, "2020-10-25T06:30:00Z").await.status(),
        201
    );
    assert_eq!(
        submit_at(&server, "Mara", 14, "2020-10-25T14:30:00Z").await.status(),
        403
    );
    assert_eq!(
        submit_at(&server, "Nora", 15, "2020-10-25T15:00:00Z").await.status(),
        201
    );
}

#[tokio::test]
async fn one_citizen_cannot_read_change_or_submit_another_citizens_draft() {
    let server = TestServer::start().await;
    server.set_clock(at("2020-04-01T17:00:00+02:00")).await;
    let (cf_a, cookie_a) = logged_in(&server, "Olga", 16).await;
    let (_, cookie_b) = logged_in(&server, "Pia", 17).await;

    let mut draft_a = art27_form();
    draft_a["iban"] = json!("IT60 X054 2811 1010 0000 0123 456");
    draft_a["email"] = json!("olga.private@example.it");
    let r = send(
        &server,
        reqwest::Method::PUT,
        "/api/application/draft",
        &cookie_a,
        &draft_a,
        None,
    )
    .await;
    assert_eq!(r.status(), 200);

    // B sees only B's own (new) form, whatever B sends along.
    let seen_by_b = server.get_as("/api/application", &cookie_b).await.text().await.unwrap();
    assert!(!seen_by_b.contains("olga.private"), "{seen_by_b}");
    let r = server
        .get_as(&format!("/api/application?codice_fiscale={cf_a}"), &cookie_b)
        .await
        .text()
        .await
        .unwrap();
    assert!(!r.contains("olga.private"));

    // B's writes land in B's draft, even when B names A.
    let mut hostile = art27_form();
    hostile["email"] = json!("attacker@example.it");
    hostile["codice_fiscale"] = json!(cf_a);
    let r = send(
        &server,
        reqwest::Method::PUT,
        "/api/application/draft",
        &cookie_b,
        &hostile,
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    let a_now: Value = server.get_as("/api/application", &cookie_a).await.json().await.unwrap();
    assert_eq!(a_now["form"]["email"], "olga.private@example.it");

    // B's submission is B's application; A still has none, and A's receipt is not B's to read.
    assert_eq!(submit(&server, &cookie_b, &hostile, "b-1").await.status(), 201);
    let a_list: Value = server
        .get_as("/api/applications", &cookie_a)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a_list["applications"].as_array().unwrap().len(), 0);
    assert_eq!(submit(&server, &cookie_a, &draft_a, "a-1").await.status(), 201);
    let a_receipt: Value = server
        .get_as("/api/applications", &cookie_a)
        .await
        .json()
        .await
        .unwrap();
    let protocol_a = a_receipt["applications"][0]["protocol"].as_str().unwrap();
    assert_eq!(
        server
            .get_as(&format!("/api/applications/{protocol_a}"), &cookie_b)
            .await
            .status(),
        404
    );

    // Without a session, nothing at all.
    let r = server.client.get(server.url("/api/application")).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_draft_larger_than_any_application_is_refused() {
    let server = TestServer::start().await;
    let (_, cookie) = logged_in(&server, "Rita", 18).await;
    let mut form = art27_form();
    form["joint_holder_name"] = json!("x".repeat(10_000));
    let r = send(
        &server,
        reqwest::Method::PUT,
        "/api/application/draft",
        &cookie,
        &form,
        None,
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = send(
        &server,
        reqwest::Method::POST,
        "/api/application/steps/nowhere",
        &cookie,
        &art27_form(),
        None,
    )
    .await;
    assert_eq!(r.status(), 404);
}

/// Runs `sportello-admin` on the server's data, as staff would.
fn admin(server: &TestServer, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sportello-admin"))
        .args(args)
        .env("SPORTELLO_DEV_MODE", "1")
        .env("SPORTELLO_DATA_DIR", server.data_dir())
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_admin_command_moves_a_status_and_the_citizen_sees_the_history() {
    let server = TestServer::start().await;
    server.set_clock(at("2020-04-01T17:00:00+02:00")).await;
    let (_, cookie) = logged_in(&server, "Sara", 19).await;
    let r = submit(&server, &cookie, &art27_form(), "sara-1").await;
    let protocol = r.json::<Value>().await.unwrap()["protocol"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = admin(&server, &["status", &protocol, "under_review", "--by", "operatore7"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{protocol} is now under_review")
    );

    // A move the rules forbid is refused with the reason.
    let out = admin(&server, &["status", &protocol, "paid", "--by", "operatore7"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot become paid"));
    let out = admin(
        &server,
        &["status", "INPS-COVID-2020-0000000", "accepted", "--by", "operatore7"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = admin(&server, &["status", &protocol]);
    assert_eq!(out.status.code(), Some(2), "usage");

    let list: Value = server.get_as("/api/applications", &cookie).await.json().await.unwrap();
    let mine = &list["applications"][0];
    assert_eq!(mine["status"], "under_review");
    let labels: Vec<&str> = mine["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0], "Presentata");
    assert!(!list.to_string().contains("operatore7"), "staff names stay internal");
}

/// Sends what `make` builds until the answer is not a server error, as the SPA's client does.
async fn until_answered(make: impl Fn() -> reqwest::RequestBuilder) -> (reqwest::Response, usize) {
    for failures in 0..200 {
        let r = make().send().await.unwrap();
        if !r.status().is_server_error() {
            return (r, failures);
        }
    }
    panic!("no answer in 200 attempts");
}

#[tokio::test]
async fn under_injected_faults_retried_submissions_make_exactly_one_application_each() {
    let server = TestServer::start_with(|c| {
        c.faults = "before=0.3,after=0.3".parse().unwrap();
    })
    .await;
    server.set_clock(at("2020-04-01T17:00:00+02:00")).await;
    let mut failures_seen = 0;
    for day in 1..=8u32 {
        let person = citizen("Vera", "Neri", day);
        let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
        let key = format!("pin-{day}");
        server.register(&person).await;
        let (r, f) = until_answered(|| {
            server
                .client
                .post(server.url("/api/pin-requests"))
                .header("idempotency-key", &key)
                .json(&person)
        })
        .await;
        failures_seen += f;
        assert!(r.status() == 201 || r.status() == 200, "{}", r.status());
        let outbox = server.outbox(&cf).await;
        let sms = outbox.iter().find(|m| m["channel"] == "sms").unwrap();
        let first = common::pin_in(sms["body"].as_str().unwrap());
        let (r, f) = until_answered(|| {
            server
                .client
                .post(server.url("/api/session"))
                .json(&json!({ "codice_fiscale": cf, "pin": first }))
        })
        .await;
        failures_seen += f;
        assert_eq!(r.status(), 200);
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();

        // Conferma, retried with the same key until an answer arrives, then once more.
        let submit = || {
            server
                .client
                .post(server.url("/api/application/submit"))
                .header("cookie", &cookie)
                .header("idempotency-key", format!("conferma-{day}"))
                .json(&art27_form())
        };
        let (first_answer, f) = until_answered(submit).await;
        failures_seen += f;
        assert!(first_answer.status() == 201 || first_answer.status() == 200);
        let receipt: Value = first_answer.json().await.unwrap();
        let (again, _) = until_answered(submit).await;
        assert_eq!(
            again.status(),
            200,
            "a repeat is the same receipt, not a new application"
        );
        assert_eq!(again.json::<Value>().await.unwrap()["protocol"], receipt["protocol"]);

        let (list, _) = until_answered(|| {
            server
                .client
                .get(server.url("/api/applications"))
                .header("cookie", &cookie)
        })
        .await;
        let list: Value = list.json().await.unwrap();
        assert_eq!(list["applications"].as_array().unwrap().len(), 1);
        assert_eq!(list["applications"][0]["protocol"], receipt["protocol"]);
    }
    assert!(failures_seen > 0, "the faults were injected");
}

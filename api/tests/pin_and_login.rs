//! The PIN request and login over HTTP against the real server: issuing and delivering the PIN,
//! simplified and full sessions, wrong PINs and the waits they earn their sender (never a lockout
//! of the codice fiscale), and isolation between citizens.

mod common;

use chrono::{Duration, Utc};
use common::{TestServer, citizen};
use serde_json::{Value, json};

use api::store::prelude::*;
use api::store::{Principal, ThrottleKey};

#[tokio::test]
async fn a_requested_pin_is_delivered_and_its_first_half_opens_a_simplified_session() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 3);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    server.register(&anna).await;

    let r = server.post("/api/pin-requests", &anna).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["sent_to"]["sms"], "+39 ***4503");
    assert_eq!(body["sent_to"]["email"], "a***@example.it");

    // THEN the same first half went by SMS, e-mail and PEC, and the second half by post.
    let outbox = server.outbox(cf).await;
    let mut channels: Vec<&str> = outbox.iter().map(|m| m["channel"].as_str().unwrap()).collect();
    channels.sort();
    assert_eq!(channels, ["email", "pec", "post", "sms"]);
    let halves: Vec<String> = outbox
        .iter()
        .map(|m| common::pin_in(m["body"].as_str().unwrap()))
        .collect();
    let first = &halves[outbox.iter().position(|m| m["channel"] == "sms").unwrap()];
    let second = &halves[outbox.iter().position(|m| m["channel"] == "post").unwrap()];
    for m in &outbox {
        if m["channel"] != "post" {
            assert!(m["body"].as_str().unwrap().contains(first.as_str()));
        }
    }
    assert_ne!(first, second);

    // WHEN she logs in with the first 8 characters
    let (r, cookie) = server.login(cf, first).await;
    assert_eq!(r.status(), 200);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    let session: Value = r.json().await.unwrap();
    assert_eq!(session["scope"], "simplified");
    assert_eq!(session["codice_fiscale"], cf);
    let cookie = cookie.unwrap();

    // THEN the session works, but only for the application: the profile needs the full PIN.
    let r = server.get_as("/api/session", &cookie).await;
    assert_eq!(r.status(), 200);
    let r = server.get_as("/api/profile", &cookie).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "auth.scope");

    // WHEN she logs in with all 16 characters THEN the session is full and shows her data.
    let (r, cookie) = server.login(cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["scope"], "full");
    let r = server.get_as("/api/profile", &cookie.unwrap()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let profile: Value = r.json().await.unwrap();
    assert_eq!(profile["codice_fiscale"], cf);
    assert_eq!(profile["person"]["surname"], "Verdi");
}

#[tokio::test]
async fn a_wrong_pin_and_an_unknown_codice_fiscale_get_the_same_answer() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 4);
    let (first, _) = server.request_pin(&anna).await;
    let wrong = if first.starts_with('A') { "BBBBBBBB" } else { "AAAAAAAA" };

    let (r, cookie) = server.login(anna["codice_fiscale"].as_str().unwrap(), wrong).await;
    assert_eq!(r.status(), 401);
    assert!(cookie.is_none());
    let wrong_pin: Value = r.json().await.unwrap();
    assert_eq!(wrong_pin["code"], "login.failed");

    let nobody = citizen("Nessuno", "Mai", 5);
    let (r, _) = server.login(nobody["codice_fiscale"].as_str().unwrap(), wrong).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap(), wrong_pin);
}

/// A PIN of the right shape that is not `first`.
fn wrong_for(first: &str) -> &'static str {
    if first.starts_with('A') { "BBBBBBBB" } else { "AAAAAAAA" }
}

#[tokio::test]
async fn fifty_wrong_pins_from_one_client_never_keep_the_owner_out() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 6);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, second) = server.request_pin(&anna).await;

    // WHEN a stranger sends 50 wrong PINs for her codice fiscale from one client
    let stranger = common::client_from("127.0.0.2");
    let mut answers = std::collections::BTreeMap::new();
    for _ in 0..50 {
        let r = server.login_from(&stranger, cf, wrong_for(&first)).await;
        *answers.entry(r.status().as_u16()).or_insert(0) += 1;
    }
    // THEN five were checked, and the stranger waits for the rest
    assert_eq!(answers, [(401, 5), (429, 45)].into());

    // AND Anna, from her own phone, gets in at once with the simplified PIN and the full PIN
    let phone = common::client_from("127.0.0.3");
    let r = server.login_from(&phone, cf, &first).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = server.login_from(&phone, cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["scope"], "full");
}

#[tokio::test]
async fn thirty_parallel_wrong_pins_get_exactly_the_policys_five_checks() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 12);
    let cf = anna["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&anna).await;

    // WHEN 30 wrong PINs arrive at once from one client
    let stranger = common::client_from("127.0.0.2");
    let url = server.url("/api/session");
    let body = json!({ "codice_fiscale": cf, "pin": wrong_for(&first) });
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let request = stranger.post(&url).json(&body);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut answers = std::collections::BTreeMap::new();
    for task in tasks {
        *answers.entry(task.await.unwrap()).or_insert(0) += 1;
    }
    // THEN exactly 5 were checked (answered "wrong"), the others were told to wait
    assert_eq!(answers, [(401, 5), (429, 25)].into());
    // AND the store counted exactly 5 attempts for this codice fiscale from this client
    let store = api::store::sqlite::SqliteStore::open(server.data_dir()).unwrap();
    let counted = store
        .throttle(&ThrottleKey::from_caller(Principal::Citizen(&cf), "ip:127.0.0.2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counted.attempts, 5);
}

#[tokio::test]
async fn the_same_client_waits_longer_after_each_further_wrong_pin() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 13);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, _) = server.request_pin(&anna).await;
    let stranger = common::client_from("127.0.0.2");
    let wrong = wrong_for(&first);
    let retry_after = |r: &reqwest::Response| -> i64 { r.headers()["retry-after"].to_str().unwrap().parse().unwrap() };

    for attempt in 1..=5 {
        assert_eq!(
            server.login_from(&stranger, cf, wrong).await.status(),
            401,
            "attempt {attempt}"
        );
    }
    let mut now = Utc::now();
    let mut waits = Vec::new();
    for _ in 0..3 {
        // GIVEN the wait the last wrong PIN earned
        let r = server.login_from(&stranger, cf, wrong).await;
        assert_eq!(r.status(), 429);
        let wait = retry_after(&r);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "login.locked");
        waits.push(wait);
        // WHEN it has passed THEN one more PIN is checked (and is wrong). (A few seconds more than
        // the wait: the server's clock runs on from each setting, and a busy machine is slow.)
        now += Duration::seconds(wait + 5);
        server.set_clock(now).await;
        assert_eq!(server.login_from(&stranger, cf, wrong).await.status(), 401);
    }
    // THEN each wait is twice the one before: 30 s, 60 s, 120 s (less the moments between)
    assert!((25..=30).contains(&waits[0]), "{waits:?}");
    assert!((55..=60).contains(&waits[1]), "{waits:?}");
    assert!((115..=120).contains(&waits[2]), "{waits:?}");

    // AND the right PIN from this client waits too, but from another it goes at once
    assert_eq!(server.login_from(&stranger, cf, &first).await.status(), 429);
    let phone = common::client_from("127.0.0.3");
    assert_eq!(server.login_from(&phone, cf, &first).await.status(), 200);
}

#[tokio::test]
async fn past_the_daily_ceiling_each_new_client_gets_one_check_and_the_owner_still_gets_in() {
    // GIVEN a ceiling of 10 attempts a day on one codice fiscale
    let server = TestServer::start_with(|c| c.login_daily_ceiling = 10).await;
    let anna = citizen("Anna", "Verdi", 14);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, _) = server.request_pin(&anna).await;
    let wrong = wrong_for(&first);

    // WHEN a guesser spread over two addresses uses all of it
    for ip in ["127.0.0.2", "127.0.0.3"] {
        let client = common::client_from(ip);
        for _ in 0..5 {
            assert_eq!(server.login_from(&client, cf, wrong).await.status(), 401, "{ip}");
        }
    }
    // THEN each further address gets one check before it waits (not five)
    for ip in ["127.0.0.4", "127.0.0.5"] {
        let client = common::client_from(ip);
        assert_eq!(server.login_from(&client, cf, wrong).await.status(), 401, "{ip}");
        let r = server.login_from(&client, cf, wrong).await;
        assert_eq!(r.status(), 429, "{ip}");
        assert!(r.headers().contains_key("retry-after"));
    }
    // AND Anna, who has not been failing, is checked at once and gets in
    let phone = common::client_from("127.0.0.6");
    assert_eq!(server.login_from(&phone, cf, &first).await.status(), 200);
}

#[tokio::test]
async fn two_citizens_logged_in_at_once_each_see_only_their_own_data() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 7);
    let bruno = citizen("Bruna", "Neri", 8);
    let (a1, a2) = server.request_pin(&anna).await;
    let (b1, b2) = server.request_pin(&bruno).await;
    let (_, anna_cookie) = server
        .login(anna["codice_fiscale"].as_str().unwrap(), &format!("{a1}{a2}"))
        .await;
    let (_, bruno_cookie) = server
        .login(bruno["codice_fiscale"].as_str().unwrap(), &format!("{b1}{b2}"))
        .await;
    let (anna_cookie, bruno_cookie) = (anna_cookie.unwrap(), bruno_cookie.unwrap());

    for _ in 0..10 {
        for (cookie, me, other) in [(&anna_cookie, &anna, &bruno), (&bruno_cookie, &bruno, &anna)] {
            for path in ["/api/profile", "/api/session"] {
                let text = server.get_as(path, cookie).await.text().await.unwrap();
                assert!(text.contains(me["codice_fiscale"].as_str().unwrap()), "{path}: {text}");
                for secret in ["codice_fiscale", "surname", "email", "mobile"] {
                    let value = other[secret].as_str().unwrap();
                    assert!(!text.contains(value), "{path} for {} leaked {value}", me["given_name"]);
                }
            }
        }
    }
}

#[tokio::test]
async fn a_second_request_for_the_same_codice_fiscale_is_refused_but_a_retry_gets_the_same_answer() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 9);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    server.register(&anna).await;
    let send = |key: &'static str, body: Value| {
        let request = server
            .client
            .post(server.url("/api/pin-requests"))
            .header("idempotency-key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send("key-1", anna.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();

    // A retry of the same request (its answer lost) returns the same answer and sends nothing new.
    // The messages are the same ones; their state is the newest (they may have gone out since).
    let retry = send("key-1", anna.clone()).await;
    assert_eq!(retry.status(), 201);
    let without_states = |mut answer: Value| {
        for m in answer["messages"].as_array_mut().unwrap() {
            for moving in ["state", "sent_at", "attempts"] {
                m.as_object_mut().unwrap().remove(moving);
            }
        }
        answer
    };
    assert_eq!(first["messages"].as_array().unwrap().len(), 4);
    assert_eq!(
        without_states(retry.json::<Value>().await.unwrap()),
        without_states(first.clone())
    );
    assert_eq!(server.outbox(cf).await.len(), 4);

    // Someone else re-requesting with their own contacts cannot take the PIN over.
    let mut thief = anna.clone();
    thief["mobile"] = json!("+39 347 000 0000");
    let r = send("key-2", thief).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "pin.already_requested");
    assert_eq!(server.outbox(cf).await.len(), 4);
}

#[tokio::test]
async fn an_unused_request_expires_and_may_then_be_made_again() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 10);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (old_first, _) = server.request_pin(&anna).await;
    server.set_clock(Utc::now() + Duration::days(31)).await;
    let (new_first, _) = server.request_pin(&anna).await;
    let (r, _) = server.login(cf, &new_first).await;
    assert_eq!(r.status(), 200);
    if old_first != new_first {
        let (r, _) = server.login(cf, &old_first).await;
        assert_eq!(r.status(), 401);
    }
}

#[tokio::test]
async fn an_idle_session_expires_and_logout_ends_it() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 11);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let (first, _) = server.request_pin(&anna).await;

    let (_, cookie) = server.login(cf, &first).await;
    let cookie = cookie.unwrap();
    let r = server
        .client
        .delete(server.url("/api/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(server.get_as("/api/session", &cookie).await.status(), 401);

    let (_, cookie) = server.login(cf, &first).await;
    let cookie = cookie.unwrap();
    // Extending moves the idle expiry; 21 idle minutes later the session is gone.
    let r = server
        .client
        .post(server.url("/api/session/extend"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.set_clock(Utc::now() + Duration::minutes(21)).await;
    let r = server.get_as("/api/session", &cookie).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "auth.required");
}

#[tokio::test]
async fn dev_endpoints_do_not_exist_outside_dev_mode() {
    let server = TestServer::start_with(|c| c.dev_mode = false).await;
    assert_eq!(
        server
            .client
            .get(server.url("/api/dev/outbox"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = server
        .client
        .put(server.url("/api/dev/clock"))
        .json(&json!({"now": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn one_client_trying_many_codici_fiscali_is_slowed_down() {
    let server = TestServer::start_with(|c| c.client_rate_per_minute = 3).await;
    for day in 1..=3 {
        let (r, _) = server
            .login(
                citizen("Anna", "Verdi", day)["codice_fiscale"].as_str().unwrap(),
                "AAAAAAAA",
            )
            .await;
        assert_eq!(r.status(), 401);
    }
    let (r, _) = server
        .login(
            citizen("Anna", "Verdi", 4)["codice_fiscale"].as_str().unwrap(),
            "AAAAAAAA",
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "rate_limited");
}

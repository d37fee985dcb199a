//! The Contact Center over HTTP against the real server: operators created by `sportello-admin`
//! log in with password and TOTP, act only through calls they opened, validate stale PIN
//! requests, file applications after checking the citizen's PIN characters, and every action is
//! in an audit log that no route changes.

mod common;

use api::services::operators::totp;
use chrono::{DateTime, Duration, Utc};
use common::{TestServer, art27_form, citizen};
use reqwest::Method;
use serde_json::{Value, json};

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

/// 10:00 in Rome: inside the Contact Center's default window (08:00-16:00), outside citizens'.
const MORNING: &str = "2026-11-24T09:00:00Z";

/// What `sportello-admin operator create` printed.
struct Credentials {
    username: String,
    password: String,
    secret: Vec<u8>,
}

/// Creates an agent with the admin command, on the server's data, and reads what it printed.
fn create_operator(server: &TestServer, username: &str) -> Credentials {
    create_operator_as(server, username, "agent")
}

/// Creates a supervisor, the one role that reads the audit log.
fn create_supervisor(server: &TestServer, username: &str) -> Credentials {
    create_operator_as(server, username, "supervisor")
}

/// Creates an operator in `role` with the admin command and reads what it printed.
fn create_operator_as(server: &TestServer, username: &str, role: &str) -> Credentials {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello-admin"))
        .args(["operator", "create", username, "--name", "Maria Rossi", "--role", role])
        .env("SPORTELLO_DEV_MODE", "1")
        .env("SPORTELLO_DATA_DIR", server.data_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in {stdout}"))
            .trim()
            .to_owned()
    };
    assert!(line("TOTP URI: ").starts_with("otpauth://totp/Sportello:"));
    assert!(stdout.contains(&format!("created, role {role}")), "{stdout}");
    Credentials {
        username: username.to_owned(),
        password: line("initial password: "),
        secret: totp::base32_decode(&line("TOTP secret (base32): ")).unwrap(),
    }
}

/// The TOTP code of `credentials` at `now`.
fn code(credentials: &Credentials, now: DateTime<Utc>) -> String {
    totp::code(&credentials.secret, totp::step_at(now))
}

async fn operator_login(server: &TestServer, username: &str, password: &str, totp: &str) -> reqwest::Response {
    server
        .post(
            "/api/operator/session",
            &json!({ "username": username, "password": password, "totp": totp }),
        )
        .await
}

/// Sets the clock to `now` and logs the operator in; returns the `name=value` cookie.
async fn logged_in_operator(server: &TestServer, credentials: &Credentials, now: DateTime<Utc>) -> String {
    server.set_clock(now).await;
    let r = operator_login(
        server,
        &credentials.username,
        &credentials.password,
        &code(credentials, now),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sportello_operator="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api/operator"));
    cookie.split(';').next().unwrap().to_owned()
}

async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = server.client.request(method, server.url(path)).header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

/// `GET path` with `cookie`.
async fn get(server: &TestServer, cookie: &str, path: &str) -> reqwest::Response {
    send(server, Method::GET, path, cookie, None).await
}

/// `POST path` with `cookie` and, if given, a JSON `body`.
async fn post(server: &TestServer, cookie: &str, path: &str, body: Option<&Value>) -> reqwest::Response {
    send(server, Method::POST, path, cookie, body).await
}

async fn open_call(server: &TestServer, cookie: &str, cf: &str) -> String {
    let r = post(
        server,
        cookie,
        "/api/operator/calls",
        Some(&json!({ "codice_fiscale": cf })),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn pin_check(server: &TestServer, cookie: &str, call: &str, pin: &str) -> reqwest::Response {
    post(
        server,
        cookie,
        &format!("/api/operator/calls/{call}/pin-check"),
        Some(&json!({ "pin_first8": pin })),
    )
    .await
}

async fn submit(server: &TestServer, cookie: &str, call: &str, key: &str) -> reqwest::Response {
    server
        .client
        .post(server.url(&format!("/api/operator/calls/{call}/application/submit")))
        .header("cookie", cookie)
        .header("idempotency-key", key)
        .json(&art27_form())
        .send()
        .await
        .unwrap()
}

/// The audit log of `cf`, newest first, as the supervisor of `cookie` reads it.
async fn audit_for(server: &TestServer, cookie: &str, cf: &str) -> Vec<Value> {
    let r = get(server, cookie, &format!("/api/operator/audit?codice_fiscale={cf}")).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    body["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_operator_logs_in_with_password_and_totp_and_wrong_attempts_make_only_their_sender_wait() {
    // GIVEN a first wait of 10 minutes, longer than any slow machine takes for the password hashes
    let server = TestServer::start_with(|c| c.login_first_delay = Duration::minutes(10)).await;
    let op = create_operator(&server, "mrossi");
    let now = at(MORNING);
    server.set_clock(now).await;

    // Wrong code, wrong password, unknown operator: the same refusal, which says nothing more.
    let wrong_code = format!("{:06}", (code(&op, now).parse::<u32>().unwrap() + 1) % 1_000_000);
    for (username, password, totp) in [
        ("mrossi", op.password.as_str(), wrong_code.as_str()),
        ("mrossi", "not-the-password", &code(&op, now)),
        ("nobody", op.password.as_str(), &code(&op, now)),
    ] {
        let r = operator_login(&server, username, password, totp).await;
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("set-cookie").is_none());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "operator.login_failed");
    }

    let cookie = logged_in_operator(&server, &op, now).await;
    let r = get(&server, &cookie, "/api/operator/session").await;
    assert_eq!(r.status(), 200);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["username"], "mrossi");
    assert_eq!(info["full_name"], "Maria Rossi");
    assert_eq!(info["idle_seconds"], 600);

    // The same code again is a replay: refused even with the right password.
    let r = operator_login(&server, "mrossi", &op.password, &code(&op, now)).await;
    assert_eq!(r.status(), 401);

    // The login forgot this client's earlier failures; the replay is one, four more make this
    // client wait before its next attempt is even checked...
    for _ in 0..4 {
        let r = operator_login(&server, "mrossi", "wrong", &code(&op, now)).await;
        assert_eq!(r.status(), 401);
    }
    let later = now + Duration::minutes(1);
    let r = operator_login(&server, "mrossi", &op.password, &code(&op, later)).await;
    assert_eq!(r.status(), 429);
    // (the first wait, less the time the password hashes took since)
    let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((500..=600).contains(&wait), "{wait}");
    // ...but the username is not locked: from another client the operator gets in at once.
    server.set_clock(later).await;
    let r = common::client_from("127.0.0.2")
        .post(server.url("/api/operator/session"))
        .json(&json!({ "username": "mrossi", "password": op.password, "totp": code(&op, later) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Logout ends the session.
    let r = send(&server, Method::DELETE, "/api/operator/session", &cookie, None).await;
    assert_eq!(r.status(), 204);
    let r = get(&server, &cookie, "/api/operator/session").await;
    assert_eq!(r.status(), 401);

    // Passwords and codes never reach the audit log.
    let log = server
        .client
        .get(server.url("/api/operator/audit?operator=mrossi"))
        .header(
            "cookie",
            logged_in_operator(&server, &create_supervisor(&server, "auditor"), later).await,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(log.contains("\"login\"") && log.contains("totp_replayed"), "{log}");
    assert!(!log.contains(&op.password) && !log.contains(&code(&op, now)), "{log}");
}

#[tokio::test]
async fn citizen_and_operator_sessions_never_open_each_others_routes() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Anna", "Verdi", 3);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&person).await;
    let (r, citizen_cookie) = server.login(&cf, &first).await;
    assert_eq!(r.status(), 200);
    let citizen_cookie = citizen_cookie.unwrap();
    let operator_cookie = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let call = open_call(&server, &operator_cookie, &cf).await;

    let body = json!({ "codice_fiscale": cf, "pin_first8": first });
    let operator_routes = [
        (Method::GET, "/api/operator/session".to_owned()),
        (Method::DELETE, "/api/operator/session".to_owned()),
        (Method::POST, "/api/operator/calls".to_owned()),
        (Method::GET, format!("/api/operator/calls/{call}")),
        (Method::POST, format!("/api/operator/calls/{call}/pin-validation")),
        (Method::POST, format!("/api/operator/calls/{call}/pin-check")),
        (Method::GET, format!("/api/operator/calls/{call}/application")),
        (Method::PUT, format!("/api/operator/calls/{call}/application/draft")),
        (
            Method::POST,
            format!("/api/operator/calls/{call}/application/steps/indennita"),
        ),
        (Method::POST, format!("/api/operator/calls/{call}/application/submit")),
        (Method::GET, format!("/api/operator/audit?codice_fiscale={cf}")),
    ];
    for (method, path) in operator_routes {
        // Even a citizen cookie renamed to the operator cookie's name opens nothing.
        let token = citizen_cookie.split_once('=').unwrap().1;
        for cookie in [citizen_cookie.clone(), format!("sportello_operator={token}")] {
            let r = send(&server, method.clone(), &path, &cookie, Some(&body)).await;
            assert_eq!(r.status(), 401, "{method} {path}");
        }
    }
    let operator_token = operator_cookie.split_once('=').unwrap().1;
    let citizen_routes = [
        (Method::GET, "/api/session"),
        (Method::GET, "/api/application"),
        (Method::PUT, "/api/application/draft"),
        (Method::POST, "/api/application/submit"),
        (Method::GET, "/api/applications"),
        (Method::GET, "/api/profile"),
    ];
    for (method, path) in citizen_routes {
        for cookie in [operator_cookie.clone(), format!("sportello_session={operator_token}")] {
            let r = send(&server, method.clone(), path, &cookie, Some(&art27_form())).await;
            assert_eq!(r.status(), 401, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn an_operator_sees_only_the_citizen_of_their_own_call_and_cannot_file_without_the_pin() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Anna", "Verdi", 4);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    server.request_pin(&person).await;
    let rossi = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let bianchi = logged_in_operator(&server, &create_operator(&server, "lbianchi"), now).await;
    let call = open_call(&server, &rossi, &cf).await;

    // The call shows the PIN request's state and age, nothing personal.
    let r = get(&server, &rossi, &format!("/api/operator/calls/{call}")).await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["pin_request"]["state"], "pending_delivery");
    assert_eq!(view["pin_request"]["may_validate"], false);
    assert_eq!(view["application"], Value::Null);
    assert_eq!(view["window"]["open"], true);
    // The messages show when, by which channel and where to, masked ("+39 ***4509",
    // "a***@example.it"), as the validation's answer does; nothing else of the citizen.
    let mut view = view;
    for message in view["messages"].as_array_mut().unwrap() {
        let to = message["to"].as_str().unwrap().to_owned();
        assert!(to.contains("***"), "{message}");
        // (their times carry digits of their own)
        for field in ["to", "created_at", "sent_at"] {
            message.as_object_mut().unwrap().remove(field);
        }
    }
    // The call's random id and the clock's nanoseconds carry digits that may spell "333".
    view.as_object_mut().unwrap().remove("id");
    view.as_object_mut().unwrap().remove("opened_at");
    for (group, field) in [
        ("pin_request", "requested_at"),
        ("pin_request", "validation_possible_at"),
        ("window", "opens_at"),
    ] {
        assert!(view[group][field].is_string(), "{group}.{field}");
        view[group].as_object_mut().unwrap().remove(field);
    }
    let text = view.to_string();
    for personal in ["333", "example.it", "Via dei Fori", "Anna", "IT60"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // Another operator's call, or no call, is not found.
    for path in [
        format!("/api/operator/calls/{call}"),
        format!("/api/operator/calls/{call}/application"),
        "/api/operator/calls/0123456789abcdef0123456789abcdef".to_owned(),
    ] {
        let r = get(&server, &bianchi, &path).await;
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = pin_check(&server, &bianchi, &call, "ABCDEFGH").await;
    assert_eq!(r.status(), 404);
    let r = submit(&server, &bianchi, &call, "k-1").await;
    assert_eq!(r.status(), 404);

    // Without the citizen's PIN characters the owner cannot read or file the application.
    let r = get(&server, &rossi, &format!("/api/operator/calls/{call}/application")).await;
    assert_eq!(r.status(), 403);
    let r = send(
        &server,
        Method::PUT,
        &format!("/api/operator/calls/{call}/application/draft"),
        &rossi,
        Some(&art27_form()),
    )
    .await;
    assert_eq!(r.status(), 403);
    let r = submit(&server, &rossi, &call, "k-1").await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "operator.pin_check_required");

    // A call lasts an hour at most.
    server.set_clock(now + Duration::minutes(61)).await;
    let rossi = logged_in_operator(
        &server,
        &create_operator(&server, "mrossi2"),
        now + Duration::minutes(61),
    )
    .await;
    let r = get(&server, &rossi, &format!("/api/operator/calls/{call}")).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn wrong_pin_checks_make_the_operator_wait_and_no_strangers_guesses_slow_the_check() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Anna", "Verdi", 5);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&person).await;
    let wrong = if first == "ABCDEFGH" { "ABCDEFGJ" } else { "ABCDEFGH" };

    // GIVEN a stranger who sent 50 wrong PINs for her codice fiscale
    let stranger = common::client_from("127.0.0.2");
    for _ in 0..50 {
        server.login_from(&stranger, &cf, wrong).await;
    }
    // WHEN an operator on her call types 5 wrong characters
    let rossi = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let call = open_call(&server, &rossi, &cf).await;
    // (each refusal tells the operator how many checks are left before the wait)
    for left in (0..5).rev() {
        let r = pin_check(&server, &rossi, &call, wrong).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["field_codes"]["pin_first8"], "operator.pin_check_failed");
        let message = body["fields"]["pin_first8"].as_str().unwrap();
        assert!(
            message.contains("valgono solo gli 8 caratteri dell'SMS più recente"),
            "{message}"
        );
        let expected = match left {
            0 => "Hai esaurito le verifiche per ora".to_owned(),
            1 => "Puoi fare ancora 1 verifica,".to_owned(),
            n => format!("Puoi fare ancora {n} verifiche,"),
        };
        assert!(message.contains(&expected), "{left}: {message}");
    }
    // THEN the operator's next check waits, unchecked, even with the right characters
    let r = pin_check(&server, &rossi, &call, &first).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // AND nobody else waits: the citizen logs in from her phone, another operator checks at once
    let phone = common::client_from("127.0.0.3");
    assert_eq!(server.login_from(&phone, &cf, &first).await.status(), 200);
    let bianchi = logged_in_operator(&server, &create_operator(&server, "lbianchi"), now).await;
    let call = open_call(&server, &bianchi, &cf).await;
    let r = pin_check(&server, &bianchi, &call, &first).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), now).await;
    let log = audit_for(&server, &supervisor, &cf).await;
    let outcomes = |outcome: &str| {
        log.iter()
            .filter(|e| e["action"] == "pin_check" && e["outcome"] == outcome)
            .count()
    };
    assert_eq!((outcomes("refused"), outcomes("ok")), (6, 1));
    assert!(!serde_json::to_string(&log).unwrap().contains(&first));
}

#[tokio::test]
async fn a_stale_pin_request_is_validated_after_12_hours_and_the_citizen_logs_in_with_the_new_first_part() {
    let server = TestServer::start().await;
    let requested = at(MORNING);
    server.set_clock(requested).await;
    let person = citizen("Anna", "Verdi", 6);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (old_first, second) = server.request_pin(&person).await;
    let op = create_operator(&server, "mrossi");

    // GIVEN 11 hours without the first part arriving: too early, and the answer says until when.
    let early = requested + Duration::hours(11);
    let cookie = logged_in_operator(&server, &op, early).await;
    let call = open_call(&server, &cookie, &cf).await;
    let r = post(
        &server,
        &cookie,
        &format!("/api/operator/calls/{call}/pin-validation"),
        None,
    )
    .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "pin.validation_too_early");
    let possible_at: DateTime<Utc> = serde_json::from_value(body["possible_at"].clone()).unwrap();
    assert!((possible_at - (requested + Duration::hours(12))).abs() < Duration::seconds(5));
    assert!(body["message"].as_str().unwrap().contains("22:00"), "{body}");

    // WHEN 12 hours have passed, THEN it is validated and a new first part is sent.
    let later = requested + Duration::hours(12);
    let cookie = logged_in_operator(&server, &op, later).await;
    let call = open_call(&server, &cookie, &cf).await;
    let view: Value = get(&server, &cookie, &format!("/api/operator/calls/{call}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["pin_request"]["may_validate"], true);
    let r = post(
        &server,
        &cookie,
        &format!("/api/operator/calls/{call}/pin-validation"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["state"], "validated_by_contact_center");
    assert_eq!(body["sent_to"]["sms"], "+39 ***4506");
    let outbox = server.outbox(&cf).await;
    let sms = outbox.iter().find(|m| m["channel"] == "sms").unwrap();
    let new_first = common::pin_in(sms["body"].as_str().unwrap());
    assert_ne!(new_first, old_first);

    // Validated once only.
    let r = post(
        &server,
        &cookie,
        &format!("/api/operator/calls/{call}/pin-validation"),
        None,
    )
    .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "pin.not_validatable");

    // The citizen gets in with the new first part (and the letter's second); not the old one.
    let (r, _) = server.login(&cf, &old_first).await;
    assert_eq!(r.status(), 401);
    let (r, _) = server.login(&cf, &new_first).await;
    assert_eq!(r.status(), 200);
    let (r, _) = server.login(&cf, &format!("{new_first}{second}")).await;
    assert_eq!(r.status(), 200);

    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), later).await;
    let log = audit_for(&server, &supervisor, &cf).await;
    let validations: Vec<_> = log
        .iter()
        .filter(|e| e["action"] == "pin_validation")
        .map(|e| (e["outcome"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        validations,
        [
            ("refused", "pin.not_validatable"),
            ("ok", ""),
            ("refused", "pin.validation_too_early")
        ]
    );
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(&new_first) && !text.contains(&old_first));
}

#[tokio::test]
async fn an_operator_files_for_the_citizen_who_sees_it_as_filed_by_the_contact_center() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Anna", "Verdi", 7);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&person).await;
    let cookie = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let call = open_call(&server, &cookie, &cf).await;
    let r = pin_check(&server, &cookie, &call, &first).await;
    assert_eq!(r.status(), 200);

    let r = get(&server, &cookie, &format!("/api/operator/calls/{call}/application")).await;
    assert_eq!(r.status(), 200);
    let state: Value = r.json().await.unwrap();
    assert_eq!(state["window"]["open"], true);
    // The same catalogue rules as the citizen's pages.
    let r = post(
        &server,
        &cookie,
        &format!("/api/operator/calls/{call}/application/steps/pagamento"),
        Some(&json!({ "benefit": "art27", "payment_method": "iban", "iban": "IT00 0000" })),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = send(
        &server,
        Method::PUT,
        &format!("/api/operator/calls/{call}/application/draft"),
        &cookie,
        Some(&art27_form()),
    )
    .await;
    assert_eq!(r.status(), 200);

    let r = submit(&server, &cookie, &call, "cc-key-1").await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let receipt: Value = r.json().await.unwrap();
    assert_eq!(receipt["channel"], "contact_center");
    // The same key again: the same receipt; another key: the existing protocol number.
    let r = submit(&server, &cookie, &call, "cc-key-1").await;
    assert_eq!(r.status(), 200);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["protocol"], receipt["protocol"]);
    let r = submit(&server, &cookie, &call, "cc-key-2").await;
    assert_eq!(r.status(), 409);

    // The citizen sees in "Le mie domande" that the Contact Center filed it, and when.
    let (r, citizen_cookie) = server.login(&cf, &first).await;
    assert_eq!(r.status(), 200);
    let list: Value = server
        .get_as("/api/applications", &citizen_cookie.unwrap())
        .await
        .json()
        .await
        .unwrap();
    let mine = &list["applications"][0];
    assert_eq!(mine["protocol"], receipt["protocol"]);
    assert_eq!(mine["channel"], "contact_center");
    assert_eq!(mine["submitted_at"], receipt["submitted_at"]);
    assert!(!mine.to_string().contains("mrossi"), "operators' names stay internal");
    let view: Value = get(&server, &cookie, &format!("/api/operator/calls/{call}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["application"]["protocol"], receipt["protocol"]);
    assert_eq!(view["application"]["channel"], "contact_center");

    // Every action is in the audit log, newest first.
    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), now).await;
    let log = audit_for(&server, &supervisor, &cf).await;
    let actions: Vec<_> = log
        .iter()
        .rev()
        .map(|e| format!("{} {}", e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            "call_opened ok",
            "pin_check ok",
            "application_read ok",
            "draft_saved refused",
            "draft_saved ok",
            "application_submitted ok",
            "application_submitted ok",
            "application_submitted refused",
            "call_read ok",
        ]
    );
    assert!(
        log.iter()
            .all(|e| e["operator"] == "mrossi" && e["codice_fiscale"] == cf)
    );
    assert!(!serde_json::to_string(&log).unwrap().contains(&first));

    // No route changes or removes entries.
    for method in [Method::PUT, Method::POST, Method::DELETE, Method::PATCH] {
        let r = send(
            &server,
            method.clone(),
            &format!("/api/operator/audit?codice_fiscale={cf}"),
            &supervisor,
            Some(&json!({ "entries": [] })),
        )
        .await;
        assert!(matches!(r.status().as_u16(), 404 | 405), "{method}: {}", r.status());
    }
    let after = audit_for(&server, &supervisor, &cf).await;
    // The only change: the first read of the log itself, appended after it.
    assert_eq!(after[1..], log[..]);
    assert_eq!(after[0]["action"], "audit_read");
}

#[tokio::test]
async fn filing_outside_the_contact_centers_window_is_refused_with_the_opening_time() {
    let server = TestServer::start().await;
    // 18:00 in Rome: the citizens' window, not the Contact Center's.
    let evening = at("2026-11-24T17:00:00Z");
    server.set_clock(evening).await;
    let person = citizen("Anna", "Verdi", 8);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&person).await;
    let cookie = logged_in_operator(&server, &create_operator(&server, "mrossi"), evening).await;
    let call = open_call(&server, &cookie, &cf).await;
    assert_eq!(pin_check(&server, &cookie, &call, &first).await.status(), 200);
    let r = submit(&server, &cookie, &call, "cc-key-1").await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "submission.window_closed");
    assert_eq!(body["opens_at"], "2026-11-25T07:00:00+00:00");
    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), evening).await;
    let log = audit_for(&server, &supervisor, &cf).await;
    assert_eq!(log[0]["action"], "application_submitted");
    assert_eq!(log[0]["outcome"], "refused");
    assert_eq!(log[0]["detail"], "submission.window_closed");
}

/// Runs `sportello-admin operator <args>` on the server's data; its success and what it printed.
fn admin_operator(server: &TestServer, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello-admin"))
        .arg("operator")
        .args(args)
        .env("SPORTELLO_DEV_MODE", "1")
        .env("SPORTELLO_DATA_DIR", server.data_dir())
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn an_admin_disables_enables_and_resets_an_operator_and_old_sessions_never_come_back() {
    let server = TestServer::start().await;
    let maria = create_operator(&server, "mrossi");
    let step = |n: i64| at(MORNING) + Duration::minutes(n);
    let first = logged_in_operator(&server, &maria, step(0)).await;
    let session_status = |cookie: String| {
        let server = &server;
        async move { server.get_as("/api/operator/session", &cookie).await.status() }
    };
    assert_eq!(session_status(first.clone()).await, 200);

    // Disabled: the session ends at once and logging in is refused.
    let (ok, printed) = admin_operator(&server, &["disable", "mrossi"]);
    assert!(ok && printed.contains("disabled"), "{printed}");
    assert_eq!(session_status(first.clone()).await, 401);
    server.set_clock(step(1)).await;
    let refused = operator_login(&server, "mrossi", &maria.password, &code(&maria, step(1))).await;
    assert_eq!(refused.status(), 401);

    // Enabled again: a new login works, the old session stays over.
    assert!(admin_operator(&server, &["enable", "mrossi"]).0);
    let second = logged_in_operator(&server, &maria, step(2)).await;
    assert_eq!(session_status(first).await, 401);
    assert_eq!(session_status(second.clone()).await, 200);

    // Reset (a lost phone): new credentials, the old ones and their sessions are over.
    let (ok, printed) = admin_operator(&server, &["reset", "mrossi"]);
    assert!(ok, "{printed}");
    assert_eq!(session_status(second).await, 401);
    let line = |prefix: &str| {
        printed
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap()
            .trim()
            .to_owned()
    };
    let renewed = Credentials {
        username: "mrossi".into(),
        password: line("initial password: "),
        secret: totp::base32_decode(&line("TOTP secret (base32): ")).unwrap(),
    };
    assert_ne!(renewed.password, maria.password);
    server.set_clock(step(3)).await;
    let old = operator_login(&server, "mrossi", &maria.password, &code(&maria, step(3))).await;
    assert_eq!(old.status(), 401);
    let third = logged_in_operator(&server, &renewed, step(4)).await;
    assert_eq!(session_status(third).await, 200);

    // Nobody by that name: the command says so and fails.
    assert!(!admin_operator(&server, &["disable", "nobody"]).0);
}

#[tokio::test]
async fn only_a_supervisor_reads_the_audit_log_and_an_agents_attempt_is_on_record() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Anna", "Verdi", 9);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    server.request_pin(&person).await;
    let agent = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), now).await;
    open_call(&server, &agent, &cf).await;

    let role = |cookie: String| {
        let server = &server;
        async move {
            let info: Value = server
                .get_as("/api/operator/session", &cookie)
                .await
                .json()
                .await
                .unwrap();
            info["role"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(role(agent.clone()).await, "agent");
    assert_eq!(role(supervisor.clone()).await, "supervisor");

    // An agent reads the log of no citizen, not even the caller's, and of no operator.
    for path in [
        format!("/api/operator/audit?codice_fiscale={cf}"),
        "/api/operator/audit?operator=capoturno".to_owned(),
    ] {
        let r = get(&server, &agent, &path).await;
        assert_eq!(r.status(), 403, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "operator.supervisor_only");
        assert!(body.get("entries").is_none());
    }

    // The supervisor sees the call and the agent's refused attempt on that citizen.
    let log = audit_for(&server, &supervisor, &cf).await;
    let attempt = log
        .iter()
        .find(|e| e["action"] == "audit_read" && e["operator"] == "mrossi")
        .expect("the agent's attempt is on record");
    assert_eq!(attempt["outcome"], "refused");
    assert_eq!(attempt["detail"], "operator.supervisor_only");
    assert!(log.iter().any(|e| e["action"] == "call_opened"));

    // A role change holds from the operator's next request, without a new login.
    let (ok, printed) = admin_operator(&server, &["role", "mrossi", "supervisor"]);
    assert!(ok && printed.contains("is now supervisor"), "{printed}");
    assert_eq!(audit_for(&server, &agent, &cf).await[0]["action"], "audit_read");
    let (ok, _) = admin_operator(&server, &["role", "mrossi", "agent"]);
    assert!(ok);
    let r = get(&server, &agent, &format!("/api/operator/audit?codice_fiscale={cf}")).await;
    assert_eq!(r.status(), 403);

    // An unknown role or operator: the command says so and fails, nothing changes.
    assert!(!admin_operator(&server, &["role", "mrossi", "boss"]).0);
    assert!(!admin_operator(&server, &["role", "nobody", "supervisor"]).0);
    assert_eq!(role(agent).await, "agent");
}

#[tokio::test]
async fn a_stranger_calling_in_the_citizens_name_cannot_report_without_the_letter_and_the_citizen_can() {
    let server = TestServer::start().await;
    let now = Utc::now();
    server.set_clock(now).await;
    let person = citizen("Ada", "Moretti", 6);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    // GIVEN a PIN request: its first half went to the contacts typed, its letter to the
    // registered residence
    let (first, second) = server.request_pin(&person).await;
    let op = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let call = open_call(&server, &op, &cf).await;
    let view: Value = get(&server, &op, &format!("/api/operator/calls/{call}"))
        .await
        .json()
        .await
        .unwrap();
    let requested_at = view["pin_request"]["requested_at"].clone();
    let path = format!("/api/operator/calls/{call}/identity-report");

    // WHEN a caller who holds only the first half (the stranger who made the request) reports it
    for letter in [json!(""), json!(first)] {
        let body = json!({ "pin_request": requested_at, "letter": letter });
        let r = post(&server, &op, &path, Some(&body)).await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert!(body["field_codes"]["letter"].is_string(), "{body}");
    }
    // THEN nothing is revoked: the PIN still opens
    assert_eq!(server.login(&cf, &first).await.0.status(), 200);

    // WHEN the caller reads the letter's 8 characters THEN the report is made and the PIN is revoked
    let body = json!({ "pin_request": requested_at, "letter": second });
    let r = post(&server, &op, &path, Some(&body)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(server.login(&cf, &first).await.0.status(), 401);

    // AND the supervisor finds both refusals and the report in the audit log
    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), now).await;
    let log = audit_for(&server, &supervisor, &cf).await;
    let reports = |outcome: &str| {
        log.iter()
            .filter(|e| e["action"] == "identity_report" && e["outcome"] == outcome)
            .count()
    };
    assert_eq!(reports("ok"), 1, "{log:?}");
    assert!(reports("refused") >= 1, "{log:?}");
    assert!(!serde_json::to_string(&log).unwrap().contains(&second));
}

#[tokio::test]
async fn the_console_reads_when_the_session_ends_without_extending_it_and_resta_connesso_extends_it() {
    let server = TestServer::start().await;
    let start = at(MORNING);
    let cookie = logged_in_operator(&server, &create_operator(&server, "mrossi"), start).await;
    let status = |cookie: String| {
        let server = &server;
        async move {
            let r = get(server, &cookie, "/api/operator/session/status").await;
            let code = r.status().as_u16();
            (code, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // GIVEN a session opened at 10:00, for 10 idle minutes
    let (code, body) = status(cookie.clone()).await;
    assert_eq!(code, 200, "{body}");
    assert_near(at(body["expires_at"].as_str().unwrap()), start + Duration::minutes(10));
    assert_near(at(body["now"].as_str().unwrap()), start);
    assert_eq!(body["idle_seconds"], 600);

    // WHEN the console asks again at 10:08.30 THEN the end has not moved: asking is not activity
    // (an idle desk must not stay logged in because its warning keeps asking)
    server.set_clock(start + Duration::seconds(510)).await;
    let (code, body) = status(cookie.clone()).await;
    assert_eq!(code, 200);
    assert_near(at(body["expires_at"].as_str().unwrap()), start + Duration::minutes(10));
    assert_near(at(body["now"].as_str().unwrap()), start + Duration::seconds(510));

    // WHEN the operator presses "Resta connesso" THEN the session runs 10 minutes from now
    let r = post(&server, &cookie, "/api/operator/session/extend", None).await;
    assert_eq!(r.status(), 200);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["username"], "mrossi");
    let extended = start + Duration::seconds(510) + Duration::minutes(10);
    assert_near(at(info["expires_at"].as_str().unwrap()), extended);
    let (_, body) = status(cookie.clone()).await;
    assert_near(at(body["expires_at"].as_str().unwrap()), extended);

    // WHEN nobody answers past the end THEN both say the session is over
    server.set_clock(extended + Duration::seconds(1)).await;
    assert_eq!(status(cookie.clone()).await.0, 401);
    let r = post(&server, &cookie, "/api/operator/session/extend", None).await;
    assert_eq!(r.status(), 401);
    // AND without a cookie there is nothing to read
    let r = reqwest::Client::new()
        .get(server.url("/api/operator/session/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_call_names_the_citizen_only_once_their_pin_characters_were_checked() {
    let server = TestServer::start().await;
    let now = at(MORNING);
    server.set_clock(now).await;
    let person = citizen("Carla", "Blu", 11);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    let (first, _) = server.request_pin(&person).await;
    let cookie = logged_in_operator(&server, &create_operator(&server, "mrossi"), now).await;
    let call = open_call(&server, &cookie, &cf).await;
    let read = |cookie: String, call: String| {
        let server = &server;
        async move {
            let r = get(server, &cookie, &format!("/api/operator/calls/{call}")).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    // Before the check, whoever knows a codice fiscale learns no name from the operator.
    assert_eq!(read(cookie.clone(), call.clone()).await["citizen_name"], Value::Null);
    assert_eq!(pin_check(&server, &cookie, &call, &first).await.status(), 200);
    let view = read(cookie.clone(), call.clone()).await;
    assert_eq!(view["citizen_name"], "Carla Blu");
    assert_eq!(view["codice_fiscale"], cf);
}

#[tokio::test]
async fn a_supervisor_narrows_the_log_by_action_and_day_and_types_the_codice_fiscale_as_on_a_call() {
    let server = TestServer::start().await;
    let first_day = at(MORNING);
    server.set_clock(first_day).await;
    let person = citizen("Dora", "Viola", 12);
    let cf = person["codice_fiscale"].as_str().unwrap().to_owned();
    server.request_pin(&person).await;
    let agent = create_operator(&server, "mrossi");
    // GIVEN a call for Dora on one day and another the next day
    let cookie = logged_in_operator(&server, &agent, first_day).await;
    open_call(&server, &cookie, &cf).await;
    let next_day = first_day + Duration::days(1);
    let cookie = logged_in_operator(&server, &agent, next_day).await;
    let call = open_call(&server, &cookie, &cf).await;
    let supervisor = logged_in_operator(&server, &create_supervisor(&server, "capoturno"), next_day).await;
    let entries = |query: String| {
        let server = &server;
        let supervisor = supervisor.clone();
        async move {
            let r = get(server, &supervisor, &format!("/api/operator/audit?{query}")).await;
            let code = r.status().as_u16();
            (code, r.json::<Value>().await.unwrap())
        }
    };

    // WHEN the codice fiscale is typed in groups, in lower case, as the call form accepts it
    let spaced = format!("{} {} {}", &cf[..6], &cf[6..11], &cf[11..]).to_lowercase();
    let (code, all) = entries(format!("codice_fiscale={}", spaced.replace(' ', "%20"))).await;
    assert_eq!(code, 200, "{all}");
    let all = all["entries"].as_array().unwrap().clone();
    assert_eq!(all.iter().filter(|e| e["action"] == "call_opened").count(), 2);

    // THEN one action, on one day (Italian time), is what comes back
    let (code, opened) = entries(format!(
        "codice_fiscale={cf}&action=call_opened&from={0}&to={0}",
        next_day.format("%Y-%m-%d")
    ))
    .await;
    assert_eq!(code, 200);
    let opened = opened["entries"].as_array().unwrap().clone();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(opened[0]["detail"], format!("call {call}"));
    let (_, before) = entries(format!("codice_fiscale={cf}&to={}", first_day.format("%Y-%m-%d"))).await;
    let before = before["entries"].as_array().unwrap().clone();
    assert!(!before.is_empty());
    assert!(
        before.iter().all(|e| at(e["at"].as_str().unwrap()) < next_day),
        "{before:?}"
    );
    // AND the operator's entries narrow the same way
    let (_, logins) = entries("operator=MRossi&action=login".into()).await;
    assert_eq!(logins["entries"].as_array().unwrap().len(), 2);

    // A range that ends before it starts, or a day that is none, is refused at its field.
    let (code, body) = entries(format!("codice_fiscale={cf}&from=2026-11-25&to=2026-11-24")).await;
    assert_eq!(code, 422);
    assert_eq!(body["field_codes"]["to"], "date.invalid", "{body}");
    let (code, body) = entries(format!("codice_fiscale={cf}&from=2026-02-30")).await;
    assert_eq!(code, 422);
    assert_eq!(body["field_codes"]["from"], "date.invalid", "{body}");
    let (code, _) = entries(format!("codice_fiscale={cf}&action=coffee")).await;
    assert_eq!(code, 400);
}

/// `actual` is `expected` give or take the few seconds the server's clock ran on from where a
/// test set it.
fn assert_near(actual: DateTime<Utc>, expected: DateTime<Utc>) {
    let off = (actual - expected).num_milliseconds().abs();
    assert!(off < 5_000, "{actual} is not {expected}");
}

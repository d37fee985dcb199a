//! The 2020 leak, as a test: two citizens use the service at the same moment, many requests each,
//! every route they have; no answer to one ever carries the other's codice fiscale, name, e-mail
//! or IBAN. Run with client retries against injected faults, as on a bad day.

mod common;

use chrono::{DateTime, Utc};
use common::{TestServer, citizen};
use serde_json::{Value, json};

struct Person {
    cf: String,
    cookie: String,
    secrets: Vec<String>,
    form: Value,
}

async fn answered(request: impl Fn() -> reqwest::RequestBuilder) -> String {
    for _ in 0..200 {
        let r = request().send().await.unwrap();
        if !r.status().is_server_error() {
            return r.text().await.unwrap();
        }
    }
    panic!("no answer in 200 attempts");
}

async fn person(server: &TestServer, name: &str, surname: &str, day: u32, iban: &str) -> Person {
    let data = citizen(name, surname, day);
    let cf = data["codice_fiscale"].as_str().unwrap().to_owned();
    server.register(&data).await;
    answered(|| {
        server
            .client
            .post(server.url("/api/pin-requests"))
            .header("idempotency-key", format!("pin-{day}"))
            .json(&data)
    })
    .await;
    let outbox = server.outbox(&cf).await;
    let first = common::pin_in(
        outbox.iter().find(|m| m["channel"] == "sms").unwrap()["body"]
            .as_str()
            .unwrap(),
    );
    let mut cookie = None;
    for _ in 0..200 {
        let (r, c) = server.login(&cf, &first).await;
        if r.status() == 200 {
            cookie = c;
            break;
        }
    }
    let email = data["email"].as_str().unwrap().to_owned();
    let form = json!({
        "benefit": "art27",
        "declarations": {
            "vat_or_collaboration": "yes", "separate_scheme": "yes", "pensioner": "no",
            "other_mandatory_scheme": "no", "no_other_indemnity": "yes", "truthful": "yes"
        },
        "payment_method": "iban", "iban": iban, "account_holder": "own",
        "mobile": data["mobile"], "email": email, "pec": data["pec"]
    });
    Person {
        cf: cf.clone(),
        cookie: cookie.expect("logged in"),
        secrets: vec![
            cf,
            surname.to_uppercase(),
            surname.to_owned(),
            email,
            iban.replace(' ', ""),
        ],
        form,
    }
}

/// Every request a citizen makes in the application flow, in order, with retries.
async fn use_the_service(server: &TestServer, me: &Person, round: usize) -> Vec<String> {
    let c = server.client.clone();
    let url = |p: &str| server.url(p);
    let mut bodies = Vec::new();
    for (method, path, body, key) in [
        ("GET", "/api/session", None, None),
        ("GET", "/api/application", None, None),
        ("PUT", "/api/application/draft", Some(&me.form), None),
        ("POST", "/api/application/steps/pagamento", Some(&me.form), None),
        ("GET", "/api/application", None, None),
        (
            "POST",
            "/api/application/submit",
            Some(&me.form),
            Some(format!("conferma-{}", me.cf)),
        ),
        ("GET", "/api/applications", None, None),
        ("GET", "/api/profile", None, None),
    ] {
        let text = answered(|| {
            let mut r = match method {
                "GET" => c.get(url(path)),
                "PUT" => c.put(url(path)),
                _ => c.post(url(path)),
            }
            .header("cookie", &me.cookie);
            if let Some(body) = body {
                r = r.json(body);
            }
            if let Some(key) = &key {
                r = r.header("idempotency-key", key);
            }
            r
        })
        .await;
        bodies.push(format!("round {round} {method} {path}: {text}"));
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_answer_to_one_citizen_ever_carries_another_citizens_data() {
    let server = TestServer::start_with(|c| c.faults = "before=0.2,after=0.2".parse().unwrap()).await;
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2020-04-01T17:00:00+02:00")
        .unwrap()
        .into();
    server.set_clock(now).await;
    let anna = person(&server, "Anna", "Esposito", 20, "IT60 X054 2811 1010 0000 0123 456").await;
    let bruno = person(&server, "Bruna", "Colombo", 21, "IT25 O030 6909 6061 0000 0012 345").await;
    let server = std::sync::Arc::new(server);
    let (anna, bruno) = (std::sync::Arc::new(anna), std::sync::Arc::new(bruno));

    let mut tasks = Vec::new();
    for round in 0..6 {
        for (me, other) in [(anna.clone(), bruno.clone()), (bruno.clone(), anna.clone())] {
            let server = server.clone();
            tasks.push(tokio::spawn(async move {
                let bodies = use_the_service(&server, &me, round).await;
                for body in &bodies {
                    for secret in &other.secrets {
                        assert!(!body.contains(secret.as_str()), "{secret} leaked into: {body}");
                    }
                }
                bodies
            }));
        }
    }
    let mut answers = 0;
    for task in tasks {
        answers += task.await.unwrap().len();
    }
    assert_eq!(answers, 6 * 2 * 8);

    // Each ended with their own application, with their own IBAN.
    for me in [&anna, &bruno] {
        let list: Value = serde_json::from_str(
            &answered(|| {
                server
                    .client
                    .get(server.url("/api/applications"))
                    .header("cookie", &me.cookie)
            })
            .await,
        )
        .unwrap();
        let apps = list["applications"].as_array().unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0]["content"]["payment"]["iban"], me.secrets[4].as_str());
    }
}

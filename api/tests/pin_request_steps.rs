//! The PIN request as the citizen meets it: once the codice fiscale is accepted, the first page's
//! answer says what the code itself encodes (sex, date and place of birth), for the next page to
//! offer pre-filled; and the messages come in the language the citizen used.

mod common;

use common::TestServer;
use serde_json::{Value, json};

fn first_page(cf: &str) -> Value {
    json!({"codice_fiscale": cf, "residence_country": "Italia"})
}

#[tokio::test]
async fn the_first_page_reads_sex_birth_date_and_place_off_the_codice_fiscale() {
    let server = TestServer::start().await;
    // GIVEN Mario Rossi, born in Rome on 10 December 1985
    let answer = server
        .post("/api/pin-requests/steps/identita", &first_page("rssmra85t10h501o"))
        .await;
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body["from_codice_fiscale"],
        json!({"sex": "M", "birth_date": "1985-12-10", "birth_place": "Roma", "birth_province": "RM"})
    );
    // A woman born abroad (Germany, Z112): day + 40, the country, province EE.
    let abroad: Value = server
        .post("/api/pin-requests/steps/identita", &first_page("VRDGLI90E51Z112O"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(abroad["from_codice_fiscale"]["sex"], "F");
    assert_eq!(abroad["from_codice_fiscale"]["birth_date"], "1990-05-11");
    assert_eq!(abroad["from_codice_fiscale"]["birth_province"], "EE");
    // Other pages say nothing of the kind.
    let later = server
        .post(
            "/api/pin-requests/steps/dati-anagrafici",
            &common::citizen("Anna", "Neri", 3),
        )
        .await;
    assert_eq!(later.status(), 200);
    let later: Value = later.json().await.unwrap();
    assert_eq!(later, json!({"ok": true}));
}

#[tokio::test]
async fn a_citizen_using_english_gets_every_pin_message_in_english() {
    let server = TestServer::start().await;
    let citizen = common::citizen("Luca", "Bruni", 6);
    let cf = citizen["codice_fiscale"].as_str().unwrap().to_owned();
    server.register(&citizen).await;
    // WHEN the request is made from a page in English
    let answer = server
        .client
        .post(server.url("/api/pin-requests"))
        .header("accept-language", "en-GB,en;q=0.9")
        .header("idempotency-key", "english-pin-1")
        .json(&citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    // THEN the SMS, e-mail, PEC and letter are in English, each with its half once
    let outbox = server.outbox(&cf).await;
    assert_eq!(outbox.len(), 4, "{outbox:?}");
    for message in &outbox {
        let body = message["body"].as_str().unwrap();
        assert!(body.contains("characters of your"), "{body}");
        assert!(!body.contains("caratteri"), "{body}");
        let half = common::pin_in(body);
        assert_eq!(body.matches(&half).count(), 1);
    }
    let email = outbox.iter().find(|m| m["channel"] == "email").unwrap();
    assert_eq!(email["subject"], "Your INPS PIN (first part)");
}

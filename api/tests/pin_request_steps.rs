//! The PIN request's first page: once the codice fiscale is accepted, the answer says what the
//! code itself encodes (sex, date and place of birth), for the next page to offer pre-filled.

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

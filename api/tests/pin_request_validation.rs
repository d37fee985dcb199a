//! Bad input to the PIN request and login, field by field, through the API: each error has its
//! stable code and a message that names the field's problem, in Italian or English.

mod common;

use common::{TestServer, citizen};
use serde_json::{Value, json};

/// (field, bad value, expected code) — at least one case for every field of the form.
const CASES: &[(&str, &str, &str)] = &[
    ("codice_fiscale", "", "required"),
    ("codice_fiscale", "RSSMRA85T10H501", "cf.length"),
    ("codice_fiscale", "RSSMRA85T10H501X", "cf.check_character"),
    ("residence_country", "", "required"),
    ("residence_country", "Atlantide", "country.unknown"),
    ("given_name", "", "required"),
    ("given_name", "Anna3", "name.invalid"),
    ("given_name", "Maria", "cf.mismatch_given_name"),
    ("surname", "Rossi", "cf.mismatch_surname"),
    ("sex", "", "required"),
    ("sex", "X", "sex.invalid"),
    ("sex", "M", "cf.mismatch_sex"),
    ("birth_date", "1985-02-30", "date.invalid"),
    ("birth_date", "2999-01-01", "date.future"),
    ("birth_date", "1986-12-03", "cf.mismatch_birth_date"),
    ("birth_place", "", "required"),
    ("birth_place", "Atlantide", "birth_place.unknown"),
    ("birth_place", "Milano", "birth_place.unknown"),
    ("birth_province", "", "required"),
    ("birth_province", "XX", "province.invalid"),
    ("address", "", "required"),
    ("postcode", "", "required"),
    ("postcode", "0018", "postcode.invalid"),
    ("municipality", "", "required"),
    ("municipality", "Milano", "municipality.unknown"),
    ("province", "", "required"),
    ("province", "ZZ", "province.invalid"),
    ("mobile", "", "required"),
    ("mobile", "333 123 4567", "mobile.prefix"),
    ("mobile", "+39 06 1234567", "mobile.not_mobile"),
    ("email", "", "required"),
    ("email", "mario.example.it", "email.invalid"),
    ("pec", "", "required"),
    ("pec", "mario@", "pec.invalid"),
];

#[tokio::test]
async fn every_field_of_the_pin_request_reports_its_own_error() {
    let server = TestServer::start().await;
    for &(field, value, code) in CASES {
        let mut form = citizen("Anna", "Verdi", 3);
        form[field] = json!(value);
        let r = server.post("/api/pin-requests", &form).await;
        assert_eq!(r.status(), 422, "{field}={value:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["field_codes"][field], code, "{field}={value:?}: {body}");
        assert!(
            body["fields"][field].as_str().is_some_and(|m| m.len() > 20),
            "{field}: {body}"
        );
    }
    // Nothing was stored by the refused attempts: the valid request still goes through.
    server.register(&citizen("Anna", "Verdi", 3)).await;
    let r = server.post("/api/pin-requests", &citizen("Anna", "Verdi", 3)).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_step_check_reports_only_the_fields_of_its_page() {
    let server = TestServer::start().await;
    let mut form = citizen("Anna", "Verdi", 3);
    form["mobile"] = json!("");
    form["postcode"] = json!("1");
    let r = server.post("/api/pin-requests/steps/residenza", &form).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field_codes"], json!({ "postcode": "postcode.invalid" }));
    let r = server.post("/api/pin-requests/steps/dati-anagrafici", &form).await;
    assert_eq!(r.status(), 200);
    let r = server.post("/api/pin-requests/steps/nessuno", &form).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn login_fields_are_checked_before_any_pin_is() {
    let server = TestServer::start().await;
    let r = server
        .post("/api/session", &json!({ "codice_fiscale": "", "pin": "" }))
        .await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["field_codes"],
        json!({ "codice_fiscale": "required", "pin": "required" })
    );

    let cf = citizen("Anna", "Verdi", 3)["codice_fiscale"].clone();
    for (pin, code) in [("ABCDEFG", "pin.length"), ("ABCDEFG0", "pin.characters")] {
        let r = server
            .post("/api/session", &json!({ "codice_fiscale": cf, "pin": pin }))
            .await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["field_codes"]["pin"], code);
    }
}

#[tokio::test]
async fn field_messages_follow_the_browser_language() {
    let server = TestServer::start().await;
    let mut form = citizen("Anna", "Verdi", 3);
    form["mobile"] = json!("333 123 4567");
    let r = server
        .client
        .post(server.url("/api/pin-requests"))
        .header("accept-language", "en")
        .json(&form)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(body["fields"]["mobile"].as_str().unwrap().contains("+39"), "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("Some details"), "{body}");
}

#[tokio::test]
async fn a_pin_request_from_abroad_needs_no_italian_postcode_or_province() {
    let server = TestServer::start().await;
    let mut form = citizen("Anna", "Verdi", 12);
    form["residence_country"] = json!("Germania");
    form["municipality"] = json!("Berlin");
    form["postcode"] = json!("10115");
    form["province"] = json!("");
    server.register(&form).await;
    let r = server.post("/api/pin-requests", &form).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

//! PIN requests checked against the population registry (issue 13, docs/adr/0013), over HTTP
//! against the real server: a person not in the registry is refused with one message that names
//! no field, the letter goes to the registered residence whatever was typed, refusals count
//! toward the per-client limit; `sportello-admin registry import` beside a running server; and
//! the embedded registry's contract on SQLite and on DynamoDB (moto).

mod common;
mod common_moto;

use api::registry::dynamodb::DynamoDbRegistry;
use api::registry::import::import_csv;
use api::registry::sqlite::SqliteRegistry;
use api::registry::{Registry, RegistryRow, synthetic};
use common::{TestServer, citizen, resident_row};
use domain::CodiceFiscale;
use serde_json::{Value, json};

/// The answer's status and JSON body.
async fn answer(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn a_person_not_in_the_registry_is_refused_and_nothing_is_stored_or_sent() {
    // GIVEN a consistent PIN request for someone nobody registered
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 3);
    let cf = anna["codice_fiscale"].as_str().unwrap();

    // WHEN it is sent THEN it is refused with the registry's one message, and nothing went out
    let (status, body) = answer(server.post("/api/pin-requests", &anna).await).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "registry.no_match");
    assert!(body["message"].as_str().unwrap().contains("anagrafe"), "{body}");
    assert_eq!(body["fields"], json!({}), "no field is named: {body}");
    assert!(server.outbox(cf).await.is_empty());

    // AND once she is registered, her request is a first one (the refusal stored nothing)
    server.register(&anna).await;
    let (status, body) = answer(server.post("/api/pin-requests", &anna).await).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_field_that_differs_from_the_registry_gets_the_same_answer_as_an_unknown_code() {
    // GIVEN Anne Verde, registered; "Anna Verdi" has the same codice fiscale (ANNE and ANNA both
    // give NNA, VERDE and VERDI both VRD), so only the registry can tell them apart
    let server = TestServer::start().await;
    let anne = citizen("Anne", "Verde", 5);
    server.register(&anne).await;
    let mut anna = anne.clone();
    anna["given_name"] = json!("Anna");
    let mut verdi = anne.clone();
    verdi["surname"] = json!("Verdi");
    let unknown = citizen("Bruna", "Neri", 6);

    // WHEN a stranger tries each THEN every answer is the very same bytes: nothing says which
    // field differs, nor whether the codice fiscale is registered at all
    let mut bodies = Vec::new();
    for form in [&anna, &verdi, &unknown] {
        let r = server.post("/api/pin-requests", form).await;
        assert_eq!(r.status(), 403);
        bodies.push(r.text().await.unwrap());
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);

    // AND the registered person herself is not blocked by those attempts
    let (status, body) = answer(server.post("/api/pin-requests", &anne).await).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn case_accents_apostrophes_and_spaces_in_a_name_do_not_refuse_a_resident() {
    // GIVEN Maria Teresa D'Alò, registered as her documents write it
    let server = TestServer::start().await;
    let born = chrono::NaiveDate::from_ymd_opt(1985, 12, 7).unwrap();
    let registered = common::citizen_born("Maria Teresa", "D'Alò", born, "123 4507", "mt.dalo");
    server.register(&registered).await;

    // WHEN she types her names in capitals, without the accent, apostrophe or space
    let mut typed = registered.clone();
    typed["given_name"] = json!("MARIATERESA");
    typed["surname"] = json!("DALO");
    let (status, body) = answer(server.post("/api/pin-requests", &typed).await).await;

    // THEN she gets her PIN, and the letter is addressed with her registered names
    assert_eq!(status, 201, "{body}");
    let cf = typed["codice_fiscale"].as_str().unwrap();
    let outbox = server.outbox(cf).await;
    let letter = outbox.iter().find(|m| m["channel"] == "post").unwrap();
    assert!(
        letter["recipient"].as_str().unwrap().starts_with("Maria Teresa D'Alò"),
        "{letter}"
    );
}

#[tokio::test]
async fn the_letter_goes_to_the_registered_residence_not_to_a_strangers_typed_address() {
    // GIVEN Anna Verdi, resident in Via dei Fori Imperiali 1, 00186 Roma
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 8);
    server.register(&anna).await;
    let cf = anna["codice_fiscale"].as_str().unwrap();

    // WHEN a stranger who knows her personal data requests her PIN with his own contacts and
    // his own postal address
    let mut stranger = anna.clone();
    stranger["address"] = json!("Via del Ladro 13");
    stranger["postcode"] = json!("20121");
    stranger["municipality"] = json!("Milano");
    stranger["province"] = json!("MI");
    stranger["mobile"] = json!("+39 347 000 1313");
    stranger["email"] = json!("ladro@example.it");
    let (status, body) = answer(server.post("/api/pin-requests", &stranger).await).await;

    // THEN the answer says the letter goes to her registered address, masked
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["letter_to"], "Via d***, 00186 Roma");

    // AND the letter with the second half is addressed there, never to the typed address
    let outbox = server.outbox(cf).await;
    let letter = outbox.iter().find(|m| m["channel"] == "post").expect("a letter");
    let recipient = letter["recipient"].as_str().unwrap();
    assert!(
        recipient.contains("Via dei Fori Imperiali 1") && recipient.contains("00186") && recipient.contains("Roma"),
        "{recipient}"
    );
    assert!(
        !recipient.contains("Ladro") && !recipient.contains("Milano"),
        "{recipient}"
    );
    // while the first half went to the contacts typed, as the issue asks
    let sms = outbox.iter().find(|m| m["channel"] == "sms").unwrap();
    assert_eq!(sms["recipient"], "+393470001313");

    // AND with only the first half (all he received) he has no full session, so he cannot
    // read the registered address; her full PIN shows the registered residence as hers
    let (first, second) = {
        let half = |channel: &str| {
            common::pin_in(
                outbox.iter().find(|m| m["channel"] == channel).unwrap()["body"]
                    .as_str()
                    .unwrap(),
            )
        };
        (half("sms"), half("post"))
    };
    let (r, cookie) = server.login(cf, &format!("{first}{second}")).await;
    assert_eq!(r.status(), 200);
    let profile: Value = server
        .get_as("/api/profile", &cookie.unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["residence"]["address"], "Via dei Fori Imperiali 1", "{profile}");
}

#[tokio::test]
async fn refusals_by_the_registry_count_toward_the_per_client_limit() {
    // GIVEN a server allowing 3 PIN requests per client a minute, and one resident
    let server = TestServer::start_with(|c| c.client_rate_per_minute = 3).await;
    let anna = citizen("Anna", "Verdi", 10);
    server.register(&anna).await;

    // WHEN one client probes three made-up people
    for day in [11, 12, 13] {
        let r = server.post("/api/pin-requests", &citizen("Bruna", "Neri", day)).await;
        assert_eq!(r.status(), 403);
    }

    // THEN its next request is refused for the limit, before the registry is asked
    let r = server.post("/api/pin-requests", &anna).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn the_admin_command_imports_beside_a_running_server_reports_bad_rows_and_updates_on_reimport() {
    // GIVEN a running server and a file of three made-up residents, with two bad rows among them
    let server = TestServer::start().await;
    let people = synthetic::residents(3);
    let row = |i: usize| RegistryRow::of(&people[i]);
    let line = |r: &RegistryRow| r.values().map(|v| format!("\"{v}\"")).join(",");
    let mut wrong_cf = row(1);
    wrong_cf.codice_fiscale = "RSSMRA85T10A562X".into();
    let file = server.data_dir().join("residents.csv");
    let header = domain::registry::COLUMNS.join(",");
    std::fs::write(
        &file,
        format!(
            "{header}\n{}\n{}\n{}\nonly,three,values\n{}\n",
            line(&row(0)),
            line(&wrong_cf),
            line(&row(1)),
            line(&row(2))
        ),
    )
    .unwrap();

    // WHEN staff import it with the server's settings
    let admin = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sportello-admin"))
            .args(["registry", "import"])
            .arg(file)
            .env("SPORTELLO_DEV_MODE", "1")
            .env("SPORTELLO_DATA_DIR", server.data_dir())
            .output()
            .unwrap()
    };
    let out = admin(&file);
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{printed}");

    // THEN the good rows are in, and each bad one is reported by line and reason
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(printed.contains("3 rows imported"), "{printed}");
    assert!(printed.contains("2 bad rows"), "{printed}");
    assert!(printed.contains("line 3: codice_fiscale"), "{printed}");
    assert!(printed.contains("line 5: expected 11 values, found 3"), "{printed}");

    // AND a resident from the file can request a PIN at once, on the running server
    let mut form = pin_form(&people[2]);
    let (status, body) = answer(server.post("/api/pin-requests", &form).await).await;
    assert_eq!(status, 201, "{body}");

    // WHEN a corrected file moves the first resident (a re-import) THEN the letter follows
    let mut moved = row(0);
    moved.address = "Via Nazionale 5, scala B".into();
    moved.postcode = "00184".into();
    std::fs::write(&file, format!("{header}\n{}\n", line(&moved))).unwrap();
    let out = admin(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    form = pin_form(&people[0]);
    let (status, body) = answer(server.post("/api/pin-requests", &form).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["letter_to"],
        format!("Via N***, 00184 {}", people[0].residence.municipality)
    );
}

/// A PIN request for `resident` as they would type it, with some other address.
fn pin_form(resident: &domain::registry::Resident) -> Value {
    let row = RegistryRow::of(resident);
    let place = domain::places::by_code(&row.birth_place_code)[0];
    json!({
        "codice_fiscale": row.codice_fiscale,
        "residence_country": "Italia",
        "given_name": row.given_name,
        "surname": row.surname,
        "sex": row.sex,
        "birth_date": row.birth_date,
        "birth_place": place.name,
        "birth_province": place.province,
        "address": "Via Altrove 1",
        "postcode": "10121",
        "municipality": "Torino",
        "province": "TO",
        "mobile": "+39 333 765 4321",
        "email": "resident@example.it",
        "pec": "resident@pec.example.it",
    })
}

#[tokio::test]
async fn the_import_reports_a_wrong_header_without_importing_anything() {
    let data = tempfile::tempdir().unwrap();
    let registry = SqliteRegistry::open(data.path()).unwrap();
    let csv = "cf,name\nX,Y\n";
    let err = import_csv(csv.as_bytes(), &registry).await.unwrap_err();
    assert!(err.to_string().contains("codice_fiscale,given_name"), "{err}");
}

/// The embedded registry's contract, the same on every adapter.
async fn contract(registry: &dyn Registry) {
    let writer = registry
        .writer()
        .expect("an embedded registry is loaded by the service");
    let people = synthetic::residents(60);
    let cf = |i: usize| people[i].codice_fiscale.clone();

    // Unknown before, known after; an omocode variant is another registration.
    assert_eq!(registry.resident(&cf(0)).await.unwrap(), None);
    writer.upsert(&people).await.unwrap();
    assert_eq!(registry.resident(&cf(0)).await.unwrap().as_ref(), Some(&people[0]));
    assert_eq!(registry.resident(&cf(59)).await.unwrap().as_ref(), Some(&people[59]));
    assert_eq!(registry.resident(&cf(0).omocode(1)).await.unwrap(), None);

    // The same batch again changes nothing; a newer row replaces the older, also within a batch.
    writer.upsert(&people).await.unwrap();
    let mut moved = people[1].clone();
    moved.residence.address = "Via Nuova 2".into();
    let mut moved_again = moved.clone();
    moved_again.residence.address = "Via Nuovissima 3".into();
    writer.upsert(&[moved, moved_again.clone()]).await.unwrap();
    assert_eq!(registry.resident(&cf(1)).await.unwrap(), Some(moved_again));
    let stranger: CodiceFiscale = synthetic::residents(61)[60].codice_fiscale.clone();
    assert_eq!(registry.resident(&stranger).await.unwrap(), None);
}

#[tokio::test]
async fn the_sqlite_registry_keeps_the_contract() {
    let data = tempfile::tempdir().unwrap();
    contract(&SqliteRegistry::open(data.path()).unwrap()).await;
}

#[tokio::test]
async fn the_dynamodb_registry_keeps_the_contract() {
    let store = common_moto::fresh_store().await;
    let registry = DynamoDbRegistry::new(store.client().clone(), store.table());
    contract(&registry).await;
}

#[tokio::test]
async fn the_dev_endpoint_registers_a_made_up_resident_and_refuses_a_bad_row() {
    let server = TestServer::start().await;
    let anna = citizen("Anna", "Verdi", 15);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    let put = |row: Value| {
        server
            .client
            .put(server.url(&format!("/api/dev/registry/{cf}")))
            .json(&row)
            .send()
    };
    let mut bad = resident_row(&anna);
    bad["postcode"] = json!("1");
    assert_eq!(put(bad).await.unwrap().status(), 400);
    assert_eq!(put(resident_row(&anna)).await.unwrap().status(), 204);
    let (status, body) = answer(server.post("/api/pin-requests", &anna).await).await;
    assert_eq!(status, 201, "{body}");
}

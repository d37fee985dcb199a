//! The OpenAPI contract at `/api/openapi.json`: an OpenAPI 3.1 document that names every route the
//! router has (read from the `.route(…)` calls in `api/src/routes/`), with its parameters, the
//! cookie logins, the `Idempotency-Key` header and the error body with the catalogue's codes.
//! (`scripts/fuzz-api.sh` validates the document with openapi-spec-validator and fuzzes the
//! server from it with schemathesis.)

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TestServer;
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// The text of `source` from the `(` at `open` to its matching `)`, both excluded.
fn parenthesised(source: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in source[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &source[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in a .route( call")
}

/// The value of `pub const NAME: &str = "…";` in `source`.
fn constant(source: &str, name: &str) -> Option<String> {
    let at = source.find(&format!("pub const {name}: &str = \""))?;
    let rest = &source[at..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_owned())
}

/// Every `(METHOD, /api/…)` pair that the `.route(…)` calls under `api/src/routes/` declare.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let constants = std::fs::read_to_string(root.join("src/config/cns.rs")).unwrap();
    let mut routes = BTreeSet::new();
    // The contract's own route is mounted from beside the routes (it names them all).
    let mut files = vec![root.join("src/openapi.rs")];
    let mut dirs = vec![root.join("src/routes")];
    // Route files and folders of route files (`routes/operator/`), all of them.
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices(".route(") {
            let args = parenthesised(&source, at + ".route".len());
            let (path, handlers) = args.split_once(',').expect("a .route( call has a path and handlers");
            let path = path.trim();
            let path = if let Some(literal) = path.strip_prefix('"') {
                literal.trim_end_matches('"').to_owned()
            } else {
                // A constant of the full path, e.g. `CNS_START_PATH.trim_start_matches("/api")`.
                let name = path.split('.').next().unwrap().trim();
                let full = constant(&constants, name).unwrap_or_else(|| panic!("unknown route constant {name}"));
                full.trim_start_matches("/api").to_owned()
            };
            for segment in handlers.split(").") {
                let method = segment.trim().split('(').next().unwrap().trim();
                if METHODS.contains(&method) {
                    // The federation's well-known route is at the root of the entity id.
                    let full = if path.starts_with("/.well-known/") {
                        path.clone()
                    } else {
                        format!("/api{path}")
                    };
                    routes.insert((method.to_owned(), full));
                }
            }
        }
    }
    routes
}

fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                found.insert((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

async fn contract(server: &TestServer) -> (reqwest::header::HeaderMap, Value) {
    let response = reqwest::get(server.url("/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.json().await.unwrap())
}

#[tokio::test]
async fn the_dev_mode_contract_names_every_route_of_the_router_and_no_other() {
    // GIVEN the routes the source declares (dev mode has them all)
    let declared = routes_in_source();
    assert!(declared.len() > 40, "the route reader found only {declared:?}");
    let server = TestServer::start().await;

    // WHEN the contract is read
    let (_, document) = contract(&server).await;

    // THEN it has each of them, and nothing the router lacks
    let documented = operations(&document);
    let missing: Vec<_> = declared.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(missing.is_empty(), "routes missing from the contract: {missing:?}");
    assert!(extra.is_empty(), "contract operations the router lacks: {extra:?}");
}

#[tokio::test]
async fn outside_dev_mode_the_contract_has_no_dev_routes_and_every_other_one() {
    let server = TestServer::start_with(|config| config.dev_mode = false).await;
    let (_, document) = contract(&server).await;
    let documented = operations(&document);
    let expected: BTreeSet<_> = routes_in_source()
        .into_iter()
        .filter(|(_, path)| !path.starts_with("/api/dev/"))
        .collect();
    assert_eq!(documented, expected);
}

#[tokio::test]
async fn the_contract_is_openapi_3_1_public_and_cacheable() {
    let server = TestServer::start().await;
    let (headers, document) = contract(&server).await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["cache-control"], "public, max-age=300");
    assert!(document["info"]["title"].is_string());
}

#[tokio::test]
async fn every_path_parameter_is_declared_and_every_operation_answers_errors_with_the_error_body() {
    let server = TestServer::start().await;
    let (_, document) = contract(&server).await;
    let mut operation_ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let in_template: BTreeSet<&str> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for method in METHODS {
            let Some(operation) = item.get(method) else { continue };
            let id = operation["operationId"].as_str().unwrap();
            assert!(
                operation_ids.insert(id.to_owned()),
                "{method} {path}: operationId {id} is not unique"
            );
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(declared, in_template, "{method} {path}: path parameters");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses
                    .keys()
                    .any(|status| status.starts_with('2') || status.starts_with('3')),
                "{method} {path} has no success answer"
            );
            let error = &responses["503"]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(error, "#/components/schemas/Error", "{method} {path}: the 503 body");
        }
    }
}

#[tokio::test]
async fn the_error_body_lists_every_error_code_and_the_cookies_are_security_schemes() {
    let server = TestServer::start().await;
    let (_, document) = contract(&server).await;
    let schemas = &document["components"]["schemas"];
    let error = &schemas["Error"];
    let required: BTreeSet<&str> = error["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        ["code", "message", "fields"].iter().all(|f| required.contains(f)),
        "{error}"
    );
    let codes: BTreeSet<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let catalogue: BTreeSet<&str> = domain::ErrorCode::all().iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, catalogue);

    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["citizen_session"]["in"], "cookie");
    assert_eq!(schemes["citizen_session"]["name"], "sportello_session");
    assert_eq!(schemes["operator_session"]["in"], "cookie");
    assert_eq!(schemes["operator_session"]["name"], "sportello_operator");
    let secured = |method: &str, path: &str| document["paths"][path][method]["security"][0].clone();
    assert!(secured("get", "/api/application").get("citizen_session").is_some());
    assert!(secured("get", "/api/operator/audit").get("operator_session").is_some());
}

#[tokio::test]
async fn the_routes_that_read_an_idempotency_key_declare_the_header() {
    let server = TestServer::start().await;
    let (_, document) = contract(&server).await;
    for path in [
        "/api/pin-requests",
        "/api/application/submit",
        "/api/operator/calls/{id}/application/submit",
    ] {
        let parameters = document["paths"][path]["post"]["parameters"].as_array().unwrap();
        assert!(
            parameters
                .iter()
                .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key"),
            "{path}: {parameters:?}"
        );
    }
}

#[tokio::test]
async fn a_refusal_with_a_fact_of_its_own_says_so_on_its_route_in_the_error_body() {
    let server = TestServer::start().await;
    let (_, document) = contract(&server).await;
    // The too-early validation's time is the error body's `possible_at`, an RFC 3339 time.
    let schemas = &document["components"]["schemas"];
    let possible_at = schemas["Error"]["properties"]["possible_at"].to_string();
    assert!(possible_at.contains("#/components/schemas/Timestamp"), "{possible_at}");
    assert_eq!(schemas["Timestamp"]["format"], "date-time");
    let conflict = &document["paths"]["/api/operator/calls/{id}/pin-validation"]["post"]["responses"]["409"];
    assert!(
        conflict["description"].as_str().unwrap().contains("`possible_at`"),
        "{conflict}"
    );
    assert_eq!(
        conflict["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Error"
    );
    let refused = &document["paths"]["/api/operator/session"]["post"]["responses"]["401"];
    assert!(
        refused["description"]
            .as_str()
            .unwrap()
            .contains("operator.login_failed")
    );
    // Elsewhere the generic description stands.
    let other = &document["paths"]["/api/operator/calls/{id}/pin-check"]["post"]["responses"]["409"];
    assert_eq!(other["description"], "Conflicts with what exists");
}

/// GIVEN the contract's example PIN request and application (what an intermediary's first call and
/// the fuzzer's examples phase send), WHEN the server checks them page by page, THEN they pass: the
/// PIN request is issued for the registered person it describes, and the application's every step
/// is accepted for that person once logged in. (A 422 example would teach only the error path.)
#[tokio::test]
async fn the_contracts_example_requests_pass_the_servers_own_checks() {
    let server = TestServer::start().await;
    let (_, document) = contract(&server).await;
    let example = |schema: &str| {
        let value = document["components"]["schemas"][schema]["examples"][0].clone();
        assert!(value.is_object(), "{schema} has no example in the contract");
        value
    };

    let pin_request = example("PinRequestForm");
    for step in ["identita", "dati-anagrafici", "residenza", "contatti"] {
        let r = server
            .post(&format!("/api/pin-requests/steps/{step}"), &pin_request)
            .await;
        assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
    }
    let cf = pin_request["codice_fiscale"].as_str().unwrap();
    // The codice fiscale the other requests show is this person's, and it checks.
    let property = |schema: &str| &document["components"]["schemas"][schema]["properties"]["codice_fiscale"];
    for schema in ["CodiceFiscaleCheck", "PinLogin", "OpenCall"] {
        assert_eq!(property(schema)["example"], cf, "{schema}");
    }
    let r = server
        .post("/api/codice-fiscale/check", &json!({ "codice_fiscale": cf }))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (first, _) = server.request_pin(&pin_request).await;
    let (r, cookie) = server.login(cf, &first).await;
    assert_eq!(r.status(), 200);
    let cookie = cookie.unwrap();

    let application = example("ApplicationForm");
    for step in ["indennita", "dichiarazioni", "pagamento", "contatti"] {
        let r = server
            .client
            .post(server.url(&format!("/api/application/steps/{step}")))
            .header("cookie", &cookie)
            .json(&application)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{step}: {}", r.text().await.unwrap());
    }
}

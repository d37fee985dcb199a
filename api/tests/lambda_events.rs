//! The Lambda path against the local server. The real `sportello-lambda` binary runs under a
//! stand-in for the Lambda Runtime API, on DynamoDB (moto on 127.0.0.1) with its PIN key read by
//! ARN from Secrets Manager (moto too), and is fed API Gateway HTTP API (payload v2) events. For
//! the PIN request, login, the session, the profile and logout it must give the answers the local
//! server on SQLite gives to the same requests: status, headers, body and cookie attributes.

mod common;
mod common_lambda;
mod common_moto;

use std::collections::BTreeMap;

use api::registry::dynamodb::DynamoDbRegistry;
use api::registry::{RegistryRow, RegistryWriter};
use api::store::dynamodb::{self, DynamoDbStore};
use api::store::prelude::*;
use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use chrono::{DateTime, Utc};
use common::{TestServer, citizen};
use common_lambda::{LambdaFunction, http_api_event};
use lambda_http::Body;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use lambda_http::request::LambdaRequest;
use serde_json::{Value, json};

/// One HTTP answer, reduced to what a browser acts on.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Every header but the ones the transport sets (`date`, `content-length`) and Set-Cookie.
    headers: BTreeMap<String, String>,
    /// The Set-Cookie values, with the session token replaced by `<token>`.
    cookies: Vec<String>,
    /// The cookie to send back (`name=value`), if one was set.
    cookie: Option<String>,
    body: Value,
}

const TRANSPORT_HEADERS: [&str; 3] = ["date", "content-length", "transfer-encoding"];

fn cookie_parts(set_cookies: Vec<String>) -> (Vec<String>, Option<String>) {
    let pair = set_cookies.first().map(|c| c.split(';').next().unwrap().to_owned());
    let masked = set_cookies
        .iter()
        .map(|c| {
            let (pair, attributes) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let value = if value.is_empty() { "" } else { "<token>" };
            format!("{name}={value};{attributes}")
        })
        .collect();
    (masked, pair)
}

fn body_of(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
    }
}

/// Sends a request to the local server as a browser would.
async fn local(server: &TestServer, method: &str, path: &str, cookie: Option<&str>, body: Option<&Value>) -> Answer {
    local_with(server, method, path, cookie, body, &[]).await
}

/// [`local`] with extra request headers.
async fn local_with(
    server: &TestServer,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Answer {
    let mut request = server
        .client
        .request(method.parse().unwrap(), server.url(path))
        .header("accept", "application/json")
        .header("accept-language", "it-IT,it;q=0.9");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let mut headers = BTreeMap::new();
    let mut set_cookies = Vec::new();
    for (name, value) in response.headers() {
        let value = value.to_str().unwrap().to_owned();
        match name.as_str() {
            "set-cookie" => set_cookies.push(value),
            n if TRANSPORT_HEADERS.contains(&n) => {}
            n => {
                headers
                    .entry(n.to_owned())
                    .and_modify(|v: &mut String| *v = format!("{v}, {value}"))
                    .or_insert(value);
            }
        }
    }
    let (cookies, cookie) = cookie_parts(set_cookies);
    let body = body_of(&response.text().await.unwrap());
    Answer {
        status,
        headers,
        cookies,
        cookie,
        body,
    }
}

/// Sends the same request to the function as an API Gateway event, and reads its answer the way
/// API Gateway does (an `ApiGatewayV2httpResponse` document).
async fn lambda(
    function: &mut LambdaFunction,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    lambda_with(function, method, path, cookie, body, &[]).await
}

/// [`lambda`] with extra request headers.
async fn lambda_with(
    function: &mut LambdaFunction,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Answer {
    let mut event = http_api_event(method, path, cookie, body);
    for (name, value) in extra {
        event["headers"][*name] = json!(value);
    }
    // The event is what lambda_http takes for an HTTP API payload v2, not another origin's.
    let parsed: LambdaRequest = serde_json::from_value(event.clone()).unwrap();
    assert!(matches!(parsed, LambdaRequest::ApiGatewayV2(_)), "{parsed:?}");
    let document = function.request(event).await;
    let response: ApiGatewayV2httpResponse = serde_json::from_value(document.clone())
        .unwrap_or_else(|e| panic!("API Gateway could not read {document}: {e}"));
    assert!(!response.is_base64_encoded, "JSON goes as text: {document}");
    let text = match &response.body {
        None | Some(Body::Empty) => String::new(),
        Some(Body::Text(text)) => text.clone(),
        Some(other) => panic!("unexpected body {other:?}"),
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &response.headers {
        if !TRANSPORT_HEADERS.contains(&name.as_str()) {
            let value = value.to_str().unwrap().to_owned();
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|v: &mut String| *v = format!("{v}, {value}"))
                .or_insert(value);
        }
    }
    assert!(
        !headers.contains_key("set-cookie"),
        "HTTP API wants cookies apart: {document}"
    );
    let (cookies, cookie) = cookie_parts(response.cookies.clone());
    Answer {
        status: response.status_code as u16,
        headers,
        cookies,
        cookie,
        body: body_of(&text),
    }
}

/// Asserts two JSON documents are the same, except that times may differ by the few seconds
/// between the two requests (both servers read the real clock).
fn assert_same_json(local: &Value, lambda: &Value, at: &str) {
    match (local, lambda) {
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: Vec<_> = a.keys().collect();
            let keys_b: Vec<_> = b.keys().collect();
            assert_eq!(keys_a, keys_b, "fields of {at}");
            for (k, v) in a {
                assert_same_json(v, &b[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length of {at}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same_json(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::String(a), Value::String(b)) => match (a.parse::<DateTime<Utc>>(), b.parse::<DateTime<Utc>>()) {
            (Ok(x), Ok(y)) => assert!((x - y).num_seconds().abs() < 60, "{at}: {a} vs {b}"),
            _ => assert_eq!(a, b, "{at}"),
        },
        _ => assert_eq!(local, lambda, "{at}"),
    }
}

/// Registers the person of the PIN request `citizen` in the population registry on the
/// function's table (`table`), as `sportello-admin registry import` does on AWS: the function
/// runs as deployed, without dev mode, so no route of its writes the registry.
async fn register_on(table: &Outbox, citizen: &Value) {
    let row: RegistryRow = serde_json::from_value(common::resident_row(citizen)).unwrap();
    let resident = row.parse().unwrap();
    let registry = DynamoDbRegistry::new(
        common_moto::client(&common_moto::server().endpoint),
        table.table.clone(),
    );
    registry.upsert(&[resident]).await.unwrap();
}

/// [`register_on`], and the local server's registry through its dev endpoint.
async fn register_on_both(server: &TestServer, table: &Outbox, citizen: &Value) {
    server.register(citizen).await;
    register_on(table, citizen).await;
}

/// Sends one request to both and checks they answer alike; returns both answers.
async fn both(
    server: &TestServer,
    function: &mut LambdaFunction,
    method: &str,
    path: &str,
    cookies: (Option<&str>, Option<&str>),
    body: Option<&Value>,
) -> (Answer, Answer) {
    let a = local(server, method, path, cookies.0, body).await;
    let b = lambda(function, method, path, cookies.1, body).await;
    let what = format!("{method} {path}");
    assert_eq!(a.status, b.status, "{what}: status\nlocal: {a:?}\nlambda: {b:?}");
    assert_eq!(a.headers, b.headers, "{what}: headers");
    assert_eq!(a.cookies, b.cookies, "{what}: Set-Cookie");
    assert_same_json(&a.body, &b.body, &what);
    assert_eq!(
        b.headers.get("cache-control").map(String::as_str),
        Some("no-store"),
        "{what}"
    );
    (a, b)
}

/// A new secret in moto holding `value`; its ARN.
async fn secret(value: &str) -> String {
    common_moto::secret("sportello/pin-key", value).await
}

/// What every test function gets: AWS credentials and region as Lambda sets them, AWS at moto.
fn aws_environment() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_REGION", "eu-south-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_SESSION_TOKEN", "test".into()),
        ("SPORTELLO_AWS_ENDPOINT", common_moto::server().endpoint.clone()),
    ]
}

/// The settings of a deployed function, at moto: a fresh table of its own (named after
/// `purpose`), the server key in Secrets Manager, AWS credentials as Lambda sets them.
async fn deployed_environment(purpose: &str) -> Vec<(&'static str, String)> {
    let table = common_moto::unique_table_name(purpose);
    dynamodb::create_table(&common_moto::client(&common_moto::server().endpoint), &table)
        .await
        .unwrap();
    let mut env = aws_environment();
    env.extend([
        ("SPORTELLO_STORE", "dynamodb".into()),
        ("SPORTELLO_DYNAMODB_TABLE", table),
        ("SPORTELLO_PIN_KEY_SECRET_ARN", secret(PIN_KEY_HEX).await),
    ]);
    env
}

/// The function on a fresh table, configured as the template configures it (JSON logs, no dev
/// mode, which the function refuses), with the test servers' client rate; and its table's outbox.
async fn function_on_moto() -> (LambdaFunction, Outbox) {
    function_on_moto_with("sportello-lambda", &[("SPORTELLO_LOG_JSON", "1")]).await
}

/// [`function_on_moto`] on a table named after `purpose`, with `extra` settings and text logs.
async fn function_on_moto_with(purpose: &str, extra: &[(&'static str, &str)]) -> (LambdaFunction, Outbox) {
    let mut env = deployed_environment(purpose).await;
    let table = env
        .iter()
        .find(|(name, _)| *name == "SPORTELLO_DYNAMODB_TABLE")
        .map(|(_, table)| table.clone())
        .unwrap();
    env.push(("SPORTELLO_CLIENT_RATE_PER_MINUTE", "10000".into()));
    // On outside dev mode, the waiting room would stand on the real clock's 15:30–16:00 and
    // refuse these tests' PIN requests then; the room has tests of its own (tests/waiting_room.rs).
    env.push(("SPORTELLO_QUEUE", "off".into()));
    env.extend(extra.iter().map(|(name, value)| (*name, value.to_string())));
    let outbox = Outbox {
        store: DynamoDbStore::new(common_moto::client(&common_moto::server().endpoint), table.clone()),
        table,
    };
    (LambdaFunction::start(&env).await, outbox)
}

/// The PIN key of every deployed function here (what `deployed_environment` puts in Secrets Manager).
const PIN_KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// The messages the function wrote to its table's outbox, opened with the function's key: the
/// test's stand-in for phones and letter boxes (no carrier runs here; outside dev mode no route
/// shows them, and the table holds them only sealed).
struct Outbox {
    store: DynamoDbStore,
    /// The function's table, which also holds its population registry.
    table: String,
}

impl Outbox {
    /// The messages of `cf`, opened, in the shape of the local server's dev outbox entries.
    async fn of(&self, cf: &str) -> Vec<Value> {
        let sealer = api::outbox::Sealer::new(&api::secrets::PinKey::from_hex(PIN_KEY_HEX).unwrap());
        let messages = self.store.messages_for(cf, 50).await.unwrap();
        messages
            .iter()
            .filter(|m| m.sealed.is_some())
            .map(|m| {
                let content = sealer.open(m).expect("sealed under the function's key");
                json!({
                    "channel": m.channel.as_str(),
                    "recipient": content.recipient,
                    "subject": content.subject,
                    "body": content.body,
                    "id": m.id,
                })
            })
            .collect()
    }

    /// The ids of the messages of `cf` still waiting for delivery.
    async fn pending(&self, cf: &str) -> Vec<String> {
        let messages = self.store.messages_for(cf, 50).await.unwrap();
        messages
            .iter()
            .filter(|m| m.state.is_pending())
            .map(|m| m.id.clone())
            .collect()
    }
}

/// The PIN halves `outbox` holds: (first 8, last 8).
fn halves(outbox: &[Value]) -> (String, String) {
    let half = |channel: &str| {
        common::pin_in(
            outbox.iter().find(|m| m["channel"] == channel).expect(channel)["body"]
                .as_str()
                .unwrap(),
        )
    };
    (half("sms"), half("post"))
}

#[tokio::test]
async fn pin_request_login_session_profile_and_logout_answer_on_lambda_as_on_the_local_server() {
    // GIVEN the local server with the function's Secure cookies (the function runs as deployed)
    let server = TestServer::start_with(|c| c.secure_cookies = true).await;
    let (mut function, lambda_outbox) = function_on_moto().await;
    let anna = citizen("Anna", "Verdi", 21);
    let cf = anna["codice_fiscale"].as_str().unwrap();
    register_on_both(&server, &lambda_outbox, &anna).await;

    // WHEN Anna requests a PIN THEN both issue it and show where it went, masked alike.
    let (created, _) = both(
        &server,
        &mut function,
        "POST",
        "/api/pin-requests",
        (None, None),
        Some(&anna),
    )
    .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["sent_to"]["sms"], "+39 ***4521");

    // The PINs differ (they are random): each server's outbox holds its own.
    let outbox = format!("/api/dev/outbox?codice_fiscale={cf}");
    let local_outbox = local(&server, "GET", &outbox, None, None).await;
    let (local_first, local_second) = halves(local_outbox.body.as_array().unwrap());
    let (lambda_first, lambda_second) = halves(&lambda_outbox.of(cf).await);
    // The function has no dev routes: its outbox is not for anyone to read.
    let dev = lambda(&mut function, "GET", &outbox, None, None).await;
    assert_eq!(dev.status, 404, "{dev:?}");

    // WHEN she types a wrong PIN THEN both refuse it with the same message.
    let wrong = |first: &str| if first.starts_with('A') { "BBBBBBBB" } else { "AAAAAAAA" }.to_owned();
    let local_login = json!({ "codice_fiscale": cf, "pin": wrong(&local_first) });
    let lambda_login = json!({ "codice_fiscale": cf, "pin": wrong(&lambda_first) });
    let refused = local(&server, "POST", "/api/session", None, Some(&local_login)).await;
    let refused_on_lambda = lambda(&mut function, "POST", "/api/session", None, Some(&lambda_login)).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused_on_lambda.status, 401);
    assert_eq!(refused.headers, refused_on_lambda.headers);
    assert_eq!(refused.body, refused_on_lambda.body);

    // WHEN she logs in with the first half THEN both open a simplified session with the same cookie.
    let local_login = json!({ "codice_fiscale": cf, "pin": local_first });
    let lambda_login = json!({ "codice_fiscale": cf, "pin": lambda_first });
    let opened = local(&server, "POST", "/api/session", None, Some(&local_login)).await;
    let opened_on_lambda = lambda(&mut function, "POST", "/api/session", None, Some(&lambda_login)).await;
    assert_eq!(opened.status, 200);
    assert_eq!(opened_on_lambda.status, 200, "{opened_on_lambda:?}");
    assert_eq!(opened.headers, opened_on_lambda.headers);
    assert_same_json(&opened.body, &opened_on_lambda.body, "login");
    assert_eq!(opened_on_lambda.body["scope"], "simplified");
    assert_eq!(opened.cookies, opened_on_lambda.cookies);
    assert!(
        opened_on_lambda.cookies[0].contains("HttpOnly; SameSite=Strict"),
        "{opened_on_lambda:?}"
    );
    let cookies = (opened.cookie.as_deref(), opened_on_lambda.cookie.as_deref());

    // THEN the session is there, and the profile needs the full PIN, on both.
    let (session, _) = both(&server, &mut function, "GET", "/api/session", cookies, None).await;
    assert_eq!(session.body["codice_fiscale"], cf);
    let (profile, _) = both(&server, &mut function, "GET", "/api/profile", cookies, None).await;
    assert_eq!(profile.status, 403);

    // WHEN she logs in with all 16 characters THEN both show her profile alike.
    let local_login = json!({ "codice_fiscale": cf, "pin": format!("{local_first}{local_second}") });
    let lambda_login = json!({ "codice_fiscale": cf, "pin": format!("{lambda_first}{lambda_second}") });
    let full = local(&server, "POST", "/api/session", None, Some(&local_login)).await;
    let full_on_lambda = lambda(&mut function, "POST", "/api/session", None, Some(&lambda_login)).await;
    assert_eq!(full_on_lambda.body["scope"], "full", "{full_on_lambda:?}");
    let cookies = (full.cookie.as_deref(), full_on_lambda.cookie.as_deref());
    let (profile, _) = both(&server, &mut function, "GET", "/api/profile", cookies, None).await;
    assert_eq!(profile.status, 200);
    assert_eq!(profile.body["person"]["surname"], "Verdi");

    // WHEN she logs out THEN both clear the cookie, and the session is gone.
    let (logout, _) = both(&server, &mut function, "DELETE", "/api/session", cookies, None).await;
    assert_eq!(logout.status, 204);
    assert_eq!(logout.cookies.len(), 1);
    let (after, _) = both(&server, &mut function, "GET", "/api/session", cookies, None).await;
    assert_eq!(after.status, 401);
}

#[tokio::test]
async fn on_dynamodb_a_strangers_wrong_pins_make_only_the_stranger_wait() {
    // GIVEN the function as deployed, behind one proxy (API Gateway appends the client's address)
    let (mut function, outbox) = function_on_moto().await;
    let cf_of = |c: &Value| c["codice_fiscale"].as_str().unwrap().to_owned();
    let anna = citizen("Anna", "Verdi", 24);
    let cf = cf_of(&anna);
    register_on(&outbox, &anna).await;
    let created = lambda(&mut function, "POST", "/api/pin-requests", None, Some(&anna)).await;
    assert_eq!(created.status, 201, "{created:?}");
    let (first, _) = halves(&outbox.of(&cf).await);
    let wrong = if first.starts_with('A') { "BBBBBBBB" } else { "AAAAAAAA" };
    let login_from = |ip: &str, pin: &str| {
        let mut event = http_api_event(
            "POST",
            "/api/session",
            None,
            Some(&json!({ "codice_fiscale": cf, "pin": pin })),
        );
        event["headers"]["x-forwarded-for"] = json!(ip);
        event["requestContext"]["http"]["sourceIp"] = json!(ip);
        event
    };

    // WHEN a stranger sends 50 wrong PINs from one address
    let mut answers = BTreeMap::new();
    for _ in 0..50 {
        let answer: ApiGatewayV2httpResponse =
            serde_json::from_value(function.request(login_from("198.51.100.20", wrong)).await).unwrap();
        *answers.entry(answer.status_code).or_insert(0) += 1;
    }
    // THEN 5 were checked and the rest told to wait
    assert_eq!(answers, [(401, 5), (429, 45)].into());
    // AND Anna, from her own address, gets in at once
    let answer: ApiGatewayV2httpResponse =
        serde_json::from_value(function.request(login_from("198.51.100.21", &first)).await).unwrap();
    assert_eq!(answer.status_code, 200, "{answer:?}");
}

#[tokio::test]
async fn with_rust_log_at_trace_the_functions_log_holds_no_pin_token_or_personal_data() {
    // GIVEN the function on DynamoDB with everything logged (as someone chasing a problem sets it)
    let (mut function, outbox) = function_on_moto_with("sportello-lambda-trace", &[("RUST_LOG", "trace")]).await;
    let bea = citizen("Beatrice", "Lanza", 9);
    let cf = bea["codice_fiscale"].as_str().unwrap();

    // WHEN she requests a PIN, logs in with it and reads her profile
    register_on(&outbox, &bea).await;
    let created = lambda(&mut function, "POST", "/api/pin-requests", None, Some(&bea)).await;
    assert_eq!(created.status, 201, "{created:?}");
    let (first, second) = halves(&outbox.of(cf).await);
    let login = json!({ "codice_fiscale": cf, "pin": format!("{first}{second}") });
    let opened = lambda(&mut function, "POST", "/api/session", None, Some(&login)).await;
    assert_eq!(opened.status, 200, "{opened:?}");
    let cookie = opened.cookie.clone().unwrap();
    let profile = lambda(&mut function, "GET", "/api/profile", Some(&cookie), None).await;
    assert_eq!(profile.body["person"]["surname"], "Lanza");

    // THEN the log is full of what was asked for (the SDK's and the runtime's own steps)...
    let log = function.log();
    assert!(log.contains("aws_smithy_runtime"), "the SDK's DEBUG is there: {log}");
    assert!(
        log.contains("Lambda runtime invoke"),
        "the runtime's spans are there: {log}"
    );
    // ...but not the DynamoDB items, the API Gateway events nor the responses they carry
    let token = cookie.split_once('=').unwrap().1;
    for (what, secret) in [
        ("the PIN's first half", first.as_str()),
        ("the PIN's second half", second.as_str()),
        ("the session token", token),
        ("the codice fiscale", cf),
        ("the surname", "Lanza"),
        ("the e-mail address", bea["email"].as_str().unwrap()),
    ] {
        assert!(!log.contains(secret), "{what} ({secret}) is in the log:\n{log}");
    }
}

/// What CloudFront sends in `X-Origin-Verify` in these tests (the template generates 48 characters).
const ORIGIN_SECRET: &str = "cloudfront-origin-verify-0123456789abcdefghijklmn";

#[tokio::test]
async fn with_an_origin_secret_only_requests_through_cloudfront_reach_the_api() {
    // GIVEN the function as deployed, knowing the secret CloudFront adds to what it forwards
    let arn = secret(ORIGIN_SECRET).await;
    let (mut function, table) =
        function_on_moto_with("sportello-origin", &[("SPORTELLO_ORIGIN_SECRET_ARN", &arn)]).await;
    let through_cloudfront = [("x-origin-verify", ORIGIN_SECRET)];

    // WHEN a request comes to the API's own address, without the header or with a wrong one
    // THEN it is refused before any work, saying why
    let direct = lambda(&mut function, "GET", "/api/health", None, None).await;
    assert_eq!(direct.status, 403, "{direct:?}");
    assert_eq!(direct.body["code"], "origin.direct");
    let guessed = [("x-origin-verify", "cloudfront-origin-verify-0123456789abcdefghijklmX")];
    let wrong = lambda_with(&mut function, "GET", "/api/health", None, None, &guessed).await;
    assert_eq!(wrong.status, 403, "{wrong:?}");
    let paola = citizen("Paola", "Ferri", 12);
    let refused = lambda(&mut function, "POST", "/api/pin-requests", None, Some(&paola)).await;
    assert_eq!(refused.status, 403, "{refused:?}");

    // AND through CloudFront everything works as before
    register_on(&table, &paola).await;
    let health = lambda_with(&mut function, "GET", "/api/health", None, None, &through_cloudfront).await;
    assert_eq!(health.status, 200, "{health:?}");
    let created = lambda_with(
        &mut function,
        "POST",
        "/api/pin-requests",
        None,
        Some(&paola),
        &through_cloudfront,
    )
    .await;
    assert_eq!(created.status, 201, "{created:?}");

    // AND the secret is never in the log
    let log = function.log();
    assert!(!log.contains(ORIGIN_SECRET), "{log}");
}

#[tokio::test]
async fn a_validation_error_reads_the_same_on_lambda() {
    let server = TestServer::start().await;
    let (mut function, _) = function_on_moto().await;
    let mut bad = citizen("Bruno", "Neri", 22);
    bad["codice_fiscale"] = json!("RSSMRA85T10A562X");
    let (answer, _) = both(
        &server,
        &mut function,
        "POST",
        "/api/pin-requests",
        (None, None),
        Some(&bad),
    )
    .await;
    assert_eq!(answer.status, 422, "{answer:?}");
    assert_eq!(answer.body["code"], "validation_failed");
    assert!(answer.body["fields"]["codice_fiscale"].is_string());
}

#[tokio::test]
async fn a_wrong_configuration_stops_the_function_at_start_naming_what_to_fix() {
    // No table.
    let mut env = aws_environment();
    env.extend([
        ("SPORTELLO_STORE", "dynamodb".into()),
        ("SPORTELLO_PIN_KEY", "ab".repeat(32)),
    ]);
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("SPORTELLO_DYNAMODB_TABLE"), "{log}");

    // The SQLite default, which on Lambda would keep each instance's data apart.
    let mut env = aws_environment();
    env.push(("SPORTELLO_PIN_KEY", "ab".repeat(32)));
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("SPORTELLO_STORE=dynamodb"), "{log}");

    // A PIN key secret that is not a key: the ARN is named, the value never shown.
    let arn = secret("not-a-key-but-a-password").await;
    let mut env = aws_environment();
    env.extend([
        ("SPORTELLO_STORE", "dynamodb".into()),
        ("SPORTELLO_DYNAMODB_TABLE", "sportello".into()),
        ("SPORTELLO_PIN_KEY_SECRET_ARN", arn.clone()),
    ]);
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains(&arn) && log.contains("64 hex digits"), "{log}");
    assert!(!log.contains("not-a-key-but-a-password"), "{log}");

    // An origin secret too short to be CloudFront's: named, never shown.
    let mut env = deployed_environment("sportello-short-origin").await;
    env.push(("SPORTELLO_ORIGIN_SECRET_ARN", secret("short-origin-secret").await));
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("SPORTELLO_ORIGIN_SECRET_ARN") && log.contains("shorter than 32"),
        "{log}"
    );
    assert!(!log.contains("short-origin-secret"), "{log}");

    // Dev mode beside the Lambda runtime and the DynamoDB store: it would open every citizen's
    // outbox and the settable clock to anyone.
    let mut env = deployed_environment("sportello-dev-mode").await;
    env.push(("SPORTELLO_DEV_MODE", "1".into()));
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("SPORTELLO_DEV_MODE=1 cannot run beside") && log.contains("SPORTELLO_PIN_KEY_SECRET_ARN"),
        "{log}"
    );

    // A secret that does not exist.
    let missing = arn.replace("sportello/pin-key", "sportello/absent");
    let mut env = aws_environment();
    env.extend([
        ("SPORTELLO_STORE", "dynamodb".into()),
        ("SPORTELLO_DYNAMODB_TABLE", "sportello".into()),
        ("SPORTELLO_PIN_KEY_SECRET_ARN", missing),
    ]);
    let (code, log) = LambdaFunction::start(&env).await.wait_for_exit().await;
    assert_eq!(code, Some(2), "{log}");
    assert!(
        log.contains("SPORTELLO_PIN_KEY_SECRET_ARN") && log.contains("GetSecretValue"),
        "{log}"
    );
}

#[tokio::test]
async fn an_application_is_submitted_on_lambda_as_on_the_local_server_and_a_retry_gets_the_same_receipt() {
    // GIVEN both open to citizens around the clock (the function has no settable clock)
    let always = "web_citizen=00:00-00:00,contact_center=08:00-16:00";
    let server = TestServer::start_with(|c| {
        c.submission_windows = domain::submission_window::WindowConfig::parse(always).unwrap();
    })
    .await;
    let (mut function, lambda_outbox) = function_on_moto_with(
        "sportello-lambda",
        &[("SPORTELLO_LOG_JSON", "1"), ("SPORTELLO_SUBMISSION_WINDOWS", always)],
    )
    .await;
    let bice = citizen("Bice", "Gallo", 22);
    let cf = bice["codice_fiscale"].as_str().unwrap();
    register_on_both(&server, &lambda_outbox, &bice).await;
    both(
        &server,
        &mut function,
        "POST",
        "/api/pin-requests",
        (None, None),
        Some(&bice),
    )
    .await;
    let outbox = format!("/api/dev/outbox?codice_fiscale={cf}");
    let (local_first, _) = halves(
        local(&server, "GET", &outbox, None, None)
            .await
            .body
            .as_array()
            .unwrap(),
    );
    let (lambda_first, _) = halves(&lambda_outbox.of(cf).await);
    let opened = local(
        &server,
        "POST",
        "/api/session",
        None,
        Some(&json!({ "codice_fiscale": cf, "pin": local_first })),
    )
    .await;
    let opened_on_lambda = lambda(
        &mut function,
        "POST",
        "/api/session",
        None,
        Some(&json!({ "codice_fiscale": cf, "pin": lambda_first })),
    )
    .await;
    let cookies = (opened.cookie.as_deref(), opened_on_lambda.cookie.as_deref());

    // The draft, a step, then Conferma with an Idempotency-Key, twice.
    let form = json!({
        "benefit": "art27",
        "declarations": {
            "vat_or_collaboration": "yes", "separate_scheme": "yes", "pensioner": "no",
            "other_mandatory_scheme": "no", "no_other_indemnity": "yes", "truthful": "yes"
        },
        "payment_method": "iban", "iban": "IT60 X054 2811 1010 0000 0123 456", "account_holder": "own",
        "mobile": "+39 333 123 4522", "email": "bice.gallo@example.it", "pec": ""
    });
    let (state, _) = both(&server, &mut function, "GET", "/api/application", cookies, None).await;
    assert_eq!(state.body["window"]["open"], true);
    both(
        &server,
        &mut function,
        "POST",
        "/api/application/steps/pagamento",
        cookies,
        Some(&form),
    )
    .await;
    let key = [("idempotency-key", "conferma-bice-1")];
    let mut receipts = Vec::new();
    for expected in [201, 200] {
        let a = local_with(&server, "POST", "/api/application/submit", cookies.0, Some(&form), &key).await;
        let b = lambda_with(
            &mut function,
            "POST",
            "/api/application/submit",
            cookies.1,
            Some(&form),
            &key,
        )
        .await;
        assert_eq!((a.status, b.status), (expected, expected), "{b:?}");
        assert_eq!(a.headers, b.headers);
        // The protocol numbers come from each store's own counters; everything else is alike.
        let strip = |mut v: Value| {
            v["protocol"] = Value::Null;
            v
        };
        assert_same_json(&strip(a.body.clone()), &strip(b.body.clone()), "submit");
        receipts.push(b.body["protocol"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        receipts[0], receipts[1],
        "the retry is the same application on DynamoDB"
    );
    let list = lambda(&mut function, "GET", "/api/applications", cookies.1, None).await;
    assert_eq!(list.body["applications"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["applications"][0]["protocol"], receipts[0].as_str());
}

/// DER of CertificatePolicies holding one policy OID (its encoded bytes).
fn cns_policy_extension() -> rcgen::CustomExtension {
    const CNS_POLICY: &[u8] = &[0x2B, 0x4C, 0x10, 0x02, 0x01]; // 1.3.76.16.2.1
    let info = [&[0x06, CNS_POLICY.len() as u8][..], CNS_POLICY].concat();
    let info = [&[0x30, info.len() as u8][..], &info].concat();
    let all = [&[0x30, info.len() as u8][..], &info].concat();
    rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 32], all)
}

#[tokio::test]
async fn a_cns_certificate_from_api_gateway_mutual_tls_opens_a_full_session_and_a_header_does_not() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
    // A CNS authority, and a card issued by it for a codice fiscale.
    let mut ca = CertificateParams::default();
    ca.distinguished_name.push(DnType::CommonName, "CNS test authority");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let cf = "RSSMRA85T10A562S";
    let mut card = CertificateParams::default();
    card.distinguished_name.push(
        DnType::CommonName,
        format!("{cf}/7420091000049623.FmN6aCXvxGBXzpP3e4hpwBKwHH4="),
    );
    card.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    card.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    card.custom_extensions = vec![cns_policy_extension()];
    card.not_before = rcgen::date_time_ymd(2024, 1, 1);
    card.not_after = rcgen::date_time_ymd(2099, 1, 1);
    let card = card.signed_by(&KeyPair::generate().unwrap(), &ca).unwrap().pem();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("cns-ca.pem");
    std::fs::write(&bundle, ca.pem()).unwrap();

    // As deployed: behind CloudFront's secret header, which the card's domain does not add; the
    // client rate low enough to reach in a test.
    let mut env = deployed_environment("sportello-lambda-cns").await;
    env.extend([
        ("SPORTELLO_CNS_CA", bundle.display().to_string()),
        ("SPORTELLO_CNS_URL", "https://cns.sportello.example.it".into()),
        ("SPORTELLO_PUBLIC_URL", "https://sportello.example.it".into()),
        ("SPORTELLO_ORIGIN_SECRET_ARN", secret(ORIGIN_SECRET).await),
        ("SPORTELLO_TRUSTED_PROXY_HOPS", "2".into()),
        ("SPORTELLO_CLIENT_RATE_PER_MINUTE", "3".into()),
    ]);
    let mut function = LambdaFunction::start(&env).await;
    let through_cloudfront = [("x-origin-verify", ORIGIN_SECRET)];
    let mut request = async |event: Value| -> ApiGatewayV2httpResponse {
        serde_json::from_value(function.request(event).await).unwrap()
    };
    // The card step as API Gateway's mutual TLS passes it: the certificate in the request context
    // (the shape API Gateway documents for payload 2.0, validity included).
    let card_step = |path: &str| {
        let mut event = http_api_event("GET", path, None, None);
        event["requestContext"]["authentication"] = json!({ "clientCert": {
            "clientCertPem": card,
            "subjectDN": format!("CN={cf}/7420091000049623.FmN6aCXvxGBXzpP3e4hpwBKwHH4="),
            "issuerDN": "CN=CNS test authority",
            "serialNumber": "1",
            "validity": { "notBefore": "Jan  1 00:00:00 2024 GMT", "notAfter": "Jan  1 00:00:00 2099 GMT" }
        } });
        event["requestContext"]["domainName"] = json!("cns.sportello.example.it");
        event["headers"]["host"] = json!("cns.sportello.example.it");
        event
    };
    // The login page's link, on the service's host (through CloudFront): a binding cookie, and
    // the card's host with the cookie's hash.
    let mut start = http_api_event("GET", "/api/auth/cns/start", None, None);
    start["headers"]["x-origin-verify"] = json!(ORIGIN_SECRET);
    let started = request(start.clone()).await;
    assert_eq!(started.status_code, 303);
    let binding = started.cookies[0].split(';').next().unwrap().to_owned();
    assert!(
        started.cookies[0].contains("HttpOnly; SameSite=Lax") && started.cookies[0].ends_with("; Secure"),
        "{:?}",
        started.cookies
    );
    let card_address = started.headers["location"].to_str().unwrap().to_owned();
    let card_path = card_address
        .strip_prefix("https://cns.sportello.example.it")
        .filter(|p| p.starts_with("/api/auth/cns?legame="))
        .unwrap_or_else(|| panic!("{card_address}"))
        .to_owned();

    let answer = request(card_step(&card_path)).await;
    // The card's host hands the login over to the service's host, which sets the cookie.
    assert_eq!(answer.status_code, 303);
    assert!(answer.cookies.is_empty(), "{:?}", answer.cookies);
    let handoff = answer.headers["location"].to_str().unwrap().to_owned();
    let path = handoff
        .strip_prefix("https://sportello.example.it")
        .filter(|p| p.starts_with("/api/auth/cns/complete?passaggio="))
        .unwrap_or_else(|| panic!("{handoff}"))
        .to_owned();
    // (the service's host is behind CloudFront, which adds its header)
    let mut complete = http_api_event("GET", &path, Some(&binding), None);
    complete["headers"]["x-origin-verify"] = json!(ORIGIN_SECRET);
    let answer = request(complete.clone()).await;
    assert_eq!(answer.status_code, 303);
    assert_eq!(answer.headers["location"], "https://sportello.example.it/domanda");
    let cookie = answer.cookies[0].split(';').next().unwrap().to_owned();

    // A handoff opened in a browser without the binding opens nothing.
    let started = request(start.clone()).await;
    let card_address = started.headers["location"].to_str().unwrap().to_owned();
    let answer = request(card_step(
        card_address.strip_prefix("https://cns.sportello.example.it").unwrap(),
    ))
    .await;
    let other_path = answer.headers["location"]
        .to_str()
        .unwrap()
        .replace("https://sportello.example.it", "");
    let mut elsewhere = http_api_event("GET", &other_path, None, None);
    elsewhere["headers"]["x-origin-verify"] = json!(ORIGIN_SECRET);
    let answer = request(elsewhere).await;
    assert_eq!(
        answer.headers["location"],
        "https://sportello.example.it/accedi?errore=auth.cns_other_browser"
    );
    assert!(
        answer.cookies.iter().all(|c| !c.starts_with("sportello_session")),
        "{:?}",
        answer.cookies
    );

    // The mutual-TLS host serves the card step only: the rest of the API is not there.
    for other in ["/api/health", &path, "/api/auth/cns/start", "/api/session"] {
        let answer = request(card_step(other)).await;
        assert_eq!(answer.status_code, 404, "{other}");
    }

    // Its rate limit counts the address API Gateway saw, whatever X-Forwarded-For says: the
    // client wrote all of it but API Gateway's own last entry.
    let mut statuses = Vec::new();
    for forged in 1..=4 {
        let mut event = card_step(&card_path);
        event["requestContext"]["http"]["sourceIp"] = json!("198.51.100.9");
        event["headers"]["x-forwarded-for"] = json!(format!("10.0.0.{forged}, 198.51.100.9"));
        statuses.push(request(event).await.status_code);
    }
    assert_eq!(statuses, [303, 303, 303, 429]);

    let session = lambda_with(
        &mut function,
        "GET",
        "/api/session",
        Some(&cookie),
        None,
        &through_cloudfront,
    )
    .await;
    assert_eq!(session.body["codice_fiscale"], cf);
    assert_eq!(session.body["scope"], "full");

    // The same certificate in a header a client could write opens nothing.
    let mut forged = http_api_event("GET", &card_path, None, None);
    forged["headers"]["x-amzn-mtls-clientcert"] = json!(card.replace('\n', ""));
    forged["headers"]["x-client-cert"] = json!(card.replace('\n', ""));
    forged["headers"]["x-origin-verify"] = json!(ORIGIN_SECRET);
    forged["requestContext"]["http"]["sourceIp"] = json!("198.51.100.77");
    let answer: ApiGatewayV2httpResponse = serde_json::from_value(function.request(forged).await).unwrap();
    assert!(answer.cookies.is_empty(), "{:?}", answer.cookies);
    assert!(answer.headers["location"].to_str().unwrap().contains("/accedi?errore="));
}

/// Runs `sportello-admin` with `env` (the deployed function's settings) and returns what it printed.
fn admin(env: &[(&str, String)], args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello-admin"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn sportello_admin_manages_operators_on_the_deployed_table_with_the_functions_key() {
    // GIVEN the table and the server key in Secrets Manager, as deployed
    let mut env = deployed_environment("sportello-admin").await;
    env.extend([("SPORTELLO_PUBLIC_URL", "https://sportello.example.it".into())]);

    // WHEN an operator is created with the admin command
    let printed = admin(&env, &["operator", "create", "lbianchi", "--name", "Laura Bianchi"]);
    let line = |prefix: &str| {
        printed
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in {printed}"))
            .trim()
            .to_owned()
    };
    let secret_bytes = api::services::operators::totp::base32_decode(&line("TOTP secret (base32): ")).unwrap();
    let credentials = json!({
        "username": "lbianchi",
        "password": line("initial password: "),
        "totp": api::services::operators::totp::code(&secret_bytes, api::services::operators::totp::step_at(Utc::now())),
    });

    // THEN the function (same table, same key from Secrets Manager) logs them in
    let mut function = LambdaFunction::start(&env).await;
    let login = lambda(&mut function, "POST", "/api/operator/session", None, Some(&credentials)).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let cookie = login.cookie.expect("an operator cookie");
    assert_eq!(
        lambda(&mut function, "GET", "/api/operator/session", Some(&cookie), None)
            .await
            .status,
        200
    );

    // AND disabling them ends that session at once
    assert!(admin(&env, &["operator", "disable", "lbianchi"]).contains("disabled"));
    assert_eq!(
        lambda(&mut function, "GET", "/api/operator/session", Some(&cookie), None)
            .await
            .status,
        401
    );
}

/// An SQS event as Lambda's event source mapping hands it to the worker, one record per message
/// id, each with the body the pipe writes.
fn sqs_event(ids: &[String]) -> Value {
    let records: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({
                "messageId": format!("record-{n}"),
                "receiptHandle": format!("handle-{n}"),
                "body": api::lambda_worker::record_body(id),
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-south-1:123456789012:sportello-delivery",
                "awsRegion": "eu-south-1",
            })
        })
        .collect();
    json!({ "Records": records })
}

#[tokio::test]
async fn with_sms_through_sns_the_delivery_function_texts_the_first_half_to_the_citizens_phone() {
    // GIVEN the API function and the delivery function (the same binary, SPORTELLO_ROLE=delivery)
    // on one table, SMS through moto's SNS, no SMTP and no letters bucket
    let sns = [("SPORTELLO_SMS", "sns"), ("SPORTELLO_SMS_SENDER_ID", "INPS")];
    let (mut function, outbox) = function_on_moto_with("sportello-sns", &sns).await;
    let mut worker_env = aws_environment();
    worker_env.extend([
        ("SPORTELLO_ROLE", "delivery".to_owned()),
        ("SPORTELLO_STORE", "dynamodb".into()),
        ("SPORTELLO_DYNAMODB_TABLE", outbox.table.clone()),
        ("SPORTELLO_PIN_KEY_SECRET_ARN", secret(PIN_KEY_HEX).await),
        ("SPORTELLO_SMS", "sns".into()),
        ("SPORTELLO_SMS_SENDER_ID", "INPS".into()),
    ]);
    let mut worker = LambdaFunction::start(&worker_env).await;
    let carla = citizen("Carla", "Rizzo", 23);
    let cf = carla["codice_fiscale"].as_str().unwrap();

    // WHEN Carla requests a PIN
    register_on(&outbox, &carla).await;
    let created = lambda(&mut function, "POST", "/api/pin-requests", None, Some(&carla)).await;
    assert_eq!(created.status, 201, "{created:?}");
    // THEN the API function sent nothing itself: four messages wait, sealed
    let phone = "+393331234523";
    let moto = &common_moto::server().endpoint;
    assert!(common_moto::sms_sent_to(moto, phone).await.is_empty());
    let pending = outbox.pending(cf).await;
    assert_eq!(pending.len(), 4);

    // WHEN the queue hands the worker their ids (twice: SQS delivers at least once)
    let answer = match worker.invoke(sqs_event(&pending)).await {
        common_lambda::Outcome::Response(answer) => answer,
        other => panic!("{other:?}\n{}", worker.log()),
    };
    let again = match worker.invoke(sqs_event(&pending)).await {
        common_lambda::Outcome::Response(answer) => answer,
        other => panic!("{other:?}\n{}", worker.log()),
    };

    // THEN SNS holds one SMS for her phone with the first half, however often it was handed over
    let sms = common_moto::sms_sent_to(moto, phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}\n{}", worker.log());
    let first = common::pin_in(&sms[0]);
    // AND e-mail, PEC and the letter (no carrier configured) come back later, still sealed
    let failures = |answer: &Value| answer["batchItemFailures"].as_array().map_or(0, Vec::len);
    assert_eq!((failures(&answer), failures(&again)), (3, 3), "{answer}");
    let mut waiting: Vec<String> = outbox
        .of(cf)
        .await
        .iter()
        .map(|m| m["channel"].as_str().unwrap().to_owned())
        .collect();
    waiting.sort();
    assert_eq!(waiting, ["email", "pec", "post"]);

    // AND that half opens her simplified session
    let login = json!({ "codice_fiscale": cf, "pin": first });
    let opened = lambda(&mut function, "POST", "/api/session", None, Some(&login)).await;
    assert_eq!(opened.status, 200, "{opened:?}");
}

/// AWS settings for clients made in the test process, at moto.
fn moto_sdk() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-south-1"))
        .endpoint_url(common_moto::server().endpoint.clone())
        .credentials_provider(aws_sdk_sns::config::SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "moto",
        )))
        .http_client(dynamodb::http_client())
        .build()
}

/// An S3 client for moto (path-style addressing) and a new bucket for letters.
async fn letters_bucket() -> (aws_sdk_s3::Client, String) {
    let config = aws_sdk_s3::config::Builder::from(&moto_sdk())
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    let bucket = common_moto::unique_table_name("letters");
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from("eu-south-1"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    (s3, bucket)
}

/// Every letter row in every batch file of `bucket`: (letter id, second half).
async fn letters_in(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<(String, String)> {
    let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    let mut rows = Vec::new();
    for object in listed.contents() {
        let key = object.key().unwrap();
        assert!(key.starts_with("letters/letters-") && key.ends_with(".csv"), "{key}");
        let got = s3.get_object().bucket(bucket).key(key).send().await.unwrap();
        assert_eq!(
            got.server_side_encryption(),
            Some(&aws_sdk_s3::types::ServerSideEncryption::AwsKms),
            "{key}"
        );
        let bytes = got.body.collect().await.unwrap().into_bytes();
        let mut reader = csv::Reader::from_reader(bytes.as_ref());
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (id, half) = (column("letter_id"), column("pin_second_half"));
        for row in reader.records() {
            let row = row.unwrap();
            rows.push((row[id].to_owned(), row[half].to_owned()));
        }
    }
    rows
}

/// Every item of `table`, each as DynamoDB would show it, in one text.
async fn table_dump(table: &str) -> String {
    let client = common_moto::client(&common_moto::server().endpoint);
    let mut dump = String::new();
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .unwrap();
        for item in out.items() {
            dump.push_str(&format!("{item:?}\n"));
        }
        match out.last_evaluated_key {
            Some(last) => start = Some(last),
            None => break,
        }
    }
    dump
}

#[tokio::test]
async fn the_delivery_worker_hands_each_message_over_once_and_the_table_never_holds_a_pin_half() {
    // GIVEN the API function as deployed (no dev mode) and three residents' PIN requests
    let (mut function, outbox) = function_on_moto().await;
    let people = [
        citizen("Dario", "Neri", 24),
        citizen("Elena", "Gallo", 25),
        citizen("Fabio", "Conti", 26),
    ];
    let mut ids = Vec::new();
    for person in &people {
        register_on(&outbox, person).await;
        let created = lambda(&mut function, "POST", "/api/pin-requests", None, Some(person)).await;
        assert_eq!(created.status, 201, "{created:?}");
        ids.extend(outbox.pending(person["codice_fiscale"].as_str().unwrap()).await);
    }
    assert_eq!(ids.len(), 12, "SMS, e-mail, PEC and the letter for each");
    // AND the table holds them sealed: no message in clear, whatever its kind
    let before = table_dump(&outbox.table).await;

    // AND the delivery worker with SNS for SMS and the letters bucket, no SMTP
    let sdk = moto_sdk();
    let (s3, bucket) = letters_bucket().await;
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(DynamoDbStore::new(
        common_moto::client(&common_moto::server().endpoint),
        outbox.table.clone(),
    ));
    let carriers = api::delivery::Carriers {
        sms: Some(std::sync::Arc::new(
            api::notifier::sns::SnsSmsNotifier::new(aws_sdk_sns::Client::new(&sdk), None).unwrap(),
        )),
        mail: None,
        letters: Some(std::sync::Arc::new(api::delivery::s3::S3Letters::new(
            s3.clone(),
            bucket.clone(),
            "letters/".into(),
            "alias/sportello-letters".into(),
        ))),
    };
    let config = api::Config::for_tests(std::env::temp_dir());
    let sealer = api::outbox::Sealer::new(&api::secrets::PinKey::from_hex(PIN_KEY_HEX).unwrap());
    let worker =
        api::lambda_worker::DeliveryWorker::new(&config, store.clone(), std::sync::Arc::new(sealer), carriers, None);

    // WHEN the queue hands it every id, and then the same batch again (at-least-once delivery)
    let event: aws_lambda_events::sqs::SqsEvent = serde_json::from_value(sqs_event(&ids)).unwrap();
    let first = worker.handle_sqs(event.clone()).await;
    let second = worker.handle_sqs(event).await;

    // THEN only e-mail and PEC (no carrier) are handed back to the queue, both times
    let failed = |r: &aws_lambda_events::sqs::SqsBatchResponse| r.batch_item_failures.len();
    assert_eq!((failed(&first), failed(&second)), (6, 6));
    // AND each citizen's phone got exactly one SMS with the first half
    let moto = &common_moto::server().endpoint;
    let mut first_halves = Vec::new();
    for person in &people {
        let phone: String = person["mobile"].as_str().unwrap().replace(' ', "");
        let sms = common_moto::sms_sent_to(moto, &phone).await;
        assert_eq!(sms.len(), 1, "{phone}: {sms:?}");
        first_halves.push(common::pin_in(&sms[0]));
    }
    // AND the letters bucket holds each letter once, in the files only
    let letters = letters_in(&s3, &bucket).await;
    assert_eq!(letters.len(), 3, "{letters:?}");
    let mut letter_ids: Vec<&str> = letters.iter().map(|(id, _)| id.as_str()).collect();
    letter_ids.sort();
    letter_ids.dedup();
    assert_eq!(letter_ids.len(), 3);
    // AND the delivered messages are sent, their content gone; the others wait, sealed
    for person in &people {
        let cf = person["codice_fiscale"].as_str().unwrap();
        for m in store.messages_for(cf, 10).await.unwrap() {
            match m.channel {
                api::store::Channel::Sms | api::store::Channel::Post => {
                    assert_eq!(
                        (m.state, m.sealed.is_none(), m.attempts),
                        (api::store::DeliveryState::Sent, true, 1)
                    );
                }
                _ => assert!(m.state.is_pending() && m.sealed.is_some()),
            }
        }
    }
    // AND no PIN half is anywhere in the table, before delivery or after
    let after = table_dump(&outbox.table).await;
    for half in first_halves.iter().chain(letters.iter().map(|(_, half)| half)) {
        assert_eq!(half.len(), 8, "{half}");
        assert!(!before.contains(half.as_str()), "a PIN half in clear in the table");
        assert!(
            !after.contains(half.as_str()),
            "a PIN half in clear in the table after delivery"
        );
    }
    // AND the halves are the real ones: the first opens a session
    let cf = people[0]["codice_fiscale"].as_str().unwrap();
    let login = json!({ "codice_fiscale": cf, "pin": first_halves[0] });
    let opened = lambda(&mut function, "POST", "/api/session", None, Some(&login)).await;
    assert_eq!(opened.status, 200, "{opened:?}");
}

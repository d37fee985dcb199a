//! The real `sportello-lambda` binary under a stand-in for the Lambda Runtime API on 127.0.0.1,
//! and API Gateway HTTP API (payload v2) events to feed it.
//!
//! The stand-in speaks the Runtime API's four calls (next event, response, error, init error), so
//! the binary runs exactly as in a Lambda execution environment: it reads its configuration from
//! the environment, builds its state, and `lambda_http::run` deserialises each event with its own
//! request types and serialises the answer API Gateway would read.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

/// What the function answered to one event.
#[derive(Debug)]
pub enum Outcome {
    /// The handler's response document (for API Gateway: `statusCode`, `headers`, `cookies`, `body`).
    Response(Value),
    /// The runtime reported an error for the event.
    Error(Value),
}

struct Invocation {
    event: Value,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Clone)]
struct Runtime {
    events: Arc<tokio::sync::Mutex<mpsc::Receiver<Invocation>>>,
    pending: Arc<Mutex<HashMap<String, oneshot::Sender<Outcome>>>>,
    next_id: Arc<Mutex<u64>>,
}

async fn next(State(rt): State<Runtime>) -> Response {
    let Some(invocation) = rt.events.lock().await.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let id = {
        let mut n = rt.next_id.lock().unwrap();
        *n += 1;
        format!("00000000-0000-4000-8000-{:012}", *n)
    };
    rt.pending.lock().unwrap().insert(id.clone(), invocation.reply);
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    };
    set("lambda-runtime-aws-request-id", id);
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:eu-south-1:123456789012:function:sportello-api".into(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0".into(),
    );
    set("content-type", "application/json".into());
    (headers, invocation.event.to_string()).into_response()
}

async fn respond(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> StatusCode {
    finish(
        &rt,
        &id,
        Outcome::Response(serde_json::from_str(&body).unwrap_or(Value::String(body))),
    )
}

async fn error(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> StatusCode {
    finish(
        &rt,
        &id,
        Outcome::Error(serde_json::from_str(&body).unwrap_or(Value::String(body))),
    )
}

fn finish(rt: &Runtime, id: &str, outcome: Outcome) -> StatusCode {
    match rt.pending.lock().unwrap().remove(id) {
        Some(reply) => {
            let _ = reply.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn init_error(body: String) -> StatusCode {
    eprintln!("init error reported to the runtime API: {body}");
    StatusCode::ACCEPTED
}

/// A running `sportello-lambda` process and the runtime API it polls.
pub struct LambdaFunction {
    events: mpsc::Sender<Invocation>,
    child: Child,
    log: std::fs::File,
}

impl Drop for LambdaFunction {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment Lambda gives every function, without credentials or configuration.
fn lambda_environment(runtime_api: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", "sportello-api"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/sportello-api"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/23/[$LATEST]0123456789abcdef"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("RUST_LOG", "warn"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl LambdaFunction {
    /// Starts the function with `env` on top of Lambda's own variables (and nothing else from the
    /// test's environment).
    pub async fn start(env: &[(&str, String)]) -> LambdaFunction {
        let (events, receiver) = mpsc::channel(1);
        let rt = Runtime {
            events: Arc::new(tokio::sync::Mutex::new(receiver)),
            pending: Arc::default(),
            next_id: Arc::default(),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(rt);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let runtime_api = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });

        let log = tempfile::tempfile().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_sportello-lambda"))
            .env_clear()
            .envs(lambda_environment(&runtime_api))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.try_clone().unwrap())
            .spawn()
            .expect("the sportello-lambda binary runs");
        LambdaFunction { events, child, log }
    }

    /// Sends one event and waits for what the function answers.
    pub async fn invoke(&mut self, event: Value) -> Outcome {
        let (reply, outcome) = oneshot::channel();
        let sent = tokio::time::timeout(Duration::from_secs(30), self.events.send(Invocation { event, reply })).await;
        assert!(
            sent.is_ok_and(|r| r.is_ok()),
            "the function never asked for the event: {}",
            self.log()
        );
        match tokio::time::timeout(Duration::from_secs(30), outcome).await {
            Ok(Ok(outcome)) => outcome,
            _ => panic!("the function did not answer: {}", self.log()),
        }
    }

    /// Sends an API Gateway event and returns the response document, failing on a runtime error.
    pub async fn request(&mut self, event: Value) -> Value {
        match self.invoke(event).await {
            Outcome::Response(response) => response,
            Outcome::Error(e) => panic!("the function reported an error: {e}\n{}", self.log()),
        }
    }

    /// Waits for the process to end (a start-up failure) and returns its exit code and stderr.
    pub async fn wait_for_exit(&mut self) -> (Option<i32>, String) {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the function kept running: {}", self.log());
    }

    /// What the function wrote to standard error so far.
    pub fn log(&mut self) -> String {
        let mut text = String::new();
        let _ = self.log.rewind();
        let _ = self.log.read_to_string(&mut text);
        text
    }
}

/// An API Gateway HTTP API (payload format 2.0) event for the template's `ANY /api/{proxy+}`
/// route on the `$default` stage, as API Gateway sends it: cookies apart from the headers, the
/// query string both raw and parsed, the client's address in the request context.
pub fn http_api_event(method: &str, path_and_query: &str, cookie: Option<&str>, body: Option<&Value>) -> Value {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut headers = json!({
        "accept": "application/json",
        "accept-language": "it-IT,it;q=0.9",
        "content-length": body.map_or(0, |b| b.to_string().len()).to_string(),
        "host": "a1b2c3d4e5.execute-api.eu-south-1.amazonaws.com",
        "user-agent": "Mozilla/5.0 (Linux; Android 14) Mobile",
        "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    if body.is_some() {
        headers["content-type"] = json!("application/json");
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "pathParameters": { "proxy": path.trim_start_matches("/api/") },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.eu-south-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0 (Linux; Android 14) Mobile"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "ANY /api/{proxy+}",
            "stage": "$default",
            "time": "23/Nov/2026:17:00:00 +0000",
            "timeEpoch": 1_795_453_200_000_i64
        },
        "isBase64Encoded": false
    });
    if !query.is_empty() {
        let params: serde_json::Map<String, Value> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        event["queryStringParameters"] = Value::Object(params);
    }
    if let Some(cookie) = cookie {
        event["cookies"] = json!([cookie]);
    }
    if let Some(body) = body {
        event["body"] = json!(body.to_string());
    }
    event
}

//! A proxy in front of moto on 127.0.0.1 that counts the DynamoDB calls going through it (by their
//! `X-Amz-Target` operation and the kind of item they touch first, "GetItem SESSION") and, when told to, answers the next transactions itself with a
//! cancellation DynamoDB gives under load — a reason moto never produces, because it serialises
//! every request: `ThrottlingError` (a partition or index over its capacity) and
//! `TransactionConflict` (two tabs writing the same item at once).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// What the proxy knows.
#[derive(Default)]
struct Ledger {
    /// Cancellation reasons to answer the next `TransactWriteItems` with, one per call.
    cancellations: VecDeque<&'static str>,
    /// Every call that went through, in order (answered by the proxy or by moto), as
    /// "<operation> <kind>" (`first_item_kind`).
    calls: Vec<String>,
}

/// A running proxy.
#[derive(Clone)]
pub struct FaultProxy {
    /// Its address, for the SDK client's endpoint.
    pub endpoint: String,
    ledger: Arc<Mutex<Ledger>>,
}

#[derive(Clone)]
struct Upstream {
    url: String,
    client: reqwest::Client,
    ledger: Arc<Mutex<Ledger>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (moto's endpoint) on the current runtime.
    pub async fn start(upstream: &str) -> FaultProxy {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let state = Upstream {
            url: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
            ledger: Arc::clone(&ledger),
        };
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FaultProxy { endpoint, ledger }
    }

    /// The next `n` transactions are cancelled with `reason` on one of their items.
    pub fn cancel_next_transactions(&self, n: usize, reason: &'static str) {
        let mut ledger = self.ledger.lock().unwrap();
        ledger.cancellations.extend(std::iter::repeat_n(reason, n));
    }

    /// No more cancellations: every call goes to moto again.
    pub fn stop_cancelling(&self) {
        self.ledger.lock().unwrap().cancellations.clear();
    }

    /// How many calls went through so far (a mark for [`FaultProxy::calls_since`]).
    pub fn mark(&self) -> usize {
        self.ledger.lock().unwrap().calls.len()
    }

    /// The operations called since `mark`.
    pub fn calls_since(&self, mark: usize) -> Vec<String> {
        self.ledger.lock().unwrap().calls[mark..].to_vec()
    }
}

/// The kind of the first item a DynamoDB request names: its partition and sort keys up to their
/// first `#`, once when equal ("SESSION" for `SESSION#<hash>`/`SESSION`, "CITIZEN APPLICATION"),
/// or "" for a query or a scan.
fn first_item_kind(body: &[u8]) -> String {
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(body) else {
        return String::new();
    };
    let first = &request["TransactItems"][0];
    let item = [
        &request["Key"],
        &request["Item"],
        &first["Put"]["Item"],
        &first["Update"]["Key"],
        &first["Delete"]["Key"],
        &first["ConditionCheck"]["Key"],
    ]
    .into_iter()
    .find(|item| item.is_object());
    let kind = |attribute: &str| {
        item.and_then(|item| item[attribute]["S"].as_str())
            .map(|key| key.split('#').next().unwrap_or(key).to_owned())
    };
    match (kind("pk"), kind("sk")) {
        (Some(pk), Some(sk)) if sk != pk => format!("{pk} {sk}"),
        (Some(pk), _) => pk,
        _ => String::new(),
    }
}

async fn forward(
    State(upstream): State<Upstream>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("")
        .to_owned();
    let call = format!("{operation} {}", first_item_kind(&body));
    let cancel = {
        let mut ledger = upstream.ledger.lock().unwrap();
        ledger.calls.push(call);
        if operation == "TransactWriteItems" {
            ledger.cancellations.pop_front()
        } else {
            None
        }
    };
    if let Some(reason) = cancel {
        let items = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["TransactItems"].as_array().map(Vec::len))
            .unwrap_or(1);
        // As DynamoDB words it: one reason per item, the busy one on the first.
        let reasons: Vec<_> = (0..items)
            .map(|i| {
                if i == 0 {
                    serde_json::json!({ "Code": reason, "Message": "Throughput exceeds the current capacity of your table or index." })
                } else {
                    serde_json::json!({ "Code": "None" })
                }
            })
            .collect();
        let answer = serde_json::json!({
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{reason}]"),
            "CancellationReasons": reasons,
        });
        return (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/x-amz-json-1.0")],
            answer.to_string(),
        )
            .into_response();
    }
    let mut request = upstream.client.request(method, format!("{}{}", upstream.url, uri));
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let answer = match request.body(body).send().await {
        Ok(answer) => answer,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            response = response.header(name.as_str(), value.as_bytes());
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Body::from(bytes)).unwrap()
}

//! How long the API function takes to start (issue 19): the `sportello-lambda` binary (built with
//! the bench profile: optimised, x86_64 here rather than the arm64 release build) under a
//! stand-in for the Lambda Runtime API on 127.0.0.1, configured as the template configures it —
//! DynamoDB at moto, the PIN key and the origin secret in Secrets Manager at moto, read
//! concurrently at init — and timed from the process's spawn to its first
//! `GET /2018-06-01/runtime/invocation/next`, when it is ready for events. 20 starts; the median
//! and the slowest are printed with the target (≤ 50 ms on this machine).
//!
//! Run with `cargo bench -p api --bench lambda_init`. Under `cargo test` it starts the function
//! three times, to show the measurement still works; those figures mean nothing.

#[path = "../tests/common_moto/mod.rs"]
mod common_moto;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use api::store::dynamodb;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use tokio::sync::mpsc;

/// The target: the median start, process spawn to ready.
const TARGET: Duration = Duration::from_millis(50);

/// The stand-in's one route: the function asking for its first event. It says when, and then
/// never answers (the function waits, as it would for a quiet minute).
async fn next(State(ready): State<mpsc::UnboundedSender<Instant>>) -> &'static str {
    let _ = ready.send(Instant::now());
    std::future::pending::<()>().await;
    ""
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let endpoint = common_moto::server().endpoint.clone();
        let table = common_moto::unique_table_name("sportello-init");
        dynamodb::create_table(&common_moto::client(&endpoint), &table)
            .await
            .unwrap();
        let pin_key = common_moto::secret("sportello/pin-key", &"5a".repeat(32)).await;
        let origin = common_moto::secret("sportello/origin", &"o".repeat(40)).await;

        let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .with_state(ready_tx);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let runtime_api = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });

        let starts = if measuring { 20 } else { 3 };
        let mut times = Vec::new();
        for _ in 0..starts {
            let spawned = Instant::now();
            let mut child = Command::new(env!("CARGO_BIN_EXE_sportello-lambda"))
                .env_clear()
                .envs([
                    ("AWS_LAMBDA_RUNTIME_API", runtime_api.as_str()),
                    ("AWS_LAMBDA_FUNCTION_NAME", "sportello-api"),
                    ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
                    ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                    ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/sportello-api"),
                    ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/02/[$LATEST]0123456789abcdef"),
                    ("AWS_REGION", "eu-south-1"),
                    ("AWS_ACCESS_KEY_ID", "test"),
                    ("AWS_SECRET_ACCESS_KEY", "test"),
                    ("AWS_SESSION_TOKEN", "test"),
                    ("SPORTELLO_AWS_ENDPOINT", endpoint.as_str()),
                    ("SPORTELLO_STORE", "dynamodb"),
                    ("SPORTELLO_DYNAMODB_TABLE", table.as_str()),
                    ("SPORTELLO_PIN_KEY_SECRET_ARN", pin_key.as_str()),
                    ("SPORTELLO_ORIGIN_SECRET_ARN", origin.as_str()),
                    ("SPORTELLO_LOG_JSON", "1"),
                    ("SPORTELLO_SECURE_COOKIES", "1"),
                    ("RUST_LOG", "warn"),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the sportello-lambda binary runs");
            let ready = tokio::time::timeout(Duration::from_secs(20), ready_rx.recv())
                .await
                .expect("the function asked for an event within 20 s")
                .unwrap();
            times.push(ready - spawned);
            let _ = child.kill();
            let _ = child.wait();
        }
        times.sort();
        let median = times[times.len() / 2];
        let slowest = *times.last().unwrap();
        println!(
            "Lambda init ({starts} starts, spawn to first invocation/next, secrets at moto on 127.0.0.1): \
             median {median:?}, fastest {:?}, slowest {slowest:?}; target median ≤ {TARGET:?}: {}",
            times[0],
            if median <= TARGET { "met" } else { "MISSED" }
        );
        if !measuring {
            println!("(smoke run under cargo test: figures not meaningful)");
        }
    });
}

//! PIN requests per second and their tail on the local server, now that the answer waits only for
//! the disk (docs/adr/0015), side by side with the design before it, in which the request handed
//! its messages to the carriers one after another before answering: the same API with the same
//! store, behind a handler that, once the PIN request is written, delivers its four messages
//! inline (e-mail and PEC to a real SMTP server, aiosmtpd on 127.0.0.1; SMS and letter to the dev
//! sink) and only then answers. A bare axum handler under the same load is the yardstick: each
//! figure is also printed as a ratio to it.
//!
//! Run with `cargo bench -p api --bench pin_requests`. Under `cargo test` it runs a few requests
//! only, to show the flow still works; those figures mean nothing.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::Config;
use axum::routing::post;
use chrono::{Days, NaiveDate};
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::Mutex;

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let (requests, concurrent) = if measuring { (600, 16) } else { (8, 4) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run(requests, concurrent));
}

/// Citizen `i`, born on the `i`th day after 1 January 1960.
fn person(i: usize) -> Value {
    let birth_date = NaiveDate::from_ymd_opt(1960, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(i as u64)))
        .expect("a birth date");
    common::citizen_born(
        "Lucia",
        "Ferri",
        birth_date,
        &format!("{i:07}"),
        &format!("lucia.ferri.{i}"),
    )
}

/// Latencies of one kind, and the wall time of the run.
struct Figures {
    label: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
    }
}

async fn run(requests: usize, concurrent: usize) {
    // The yardstick: a bare axum handler answering a JSON POST, over the same HTTP client.
    let bare = axum::Router::new().route(
        "/api/pin-requests",
        post(|axum::Json(v): axum::Json<Value>| async move { (axum::http::StatusCode::CREATED, axum::Json(v)) }),
    );
    let yardstick = drive(&serve(bare).await, 0..requests, concurrent, "bare axum handler").await;

    let smtp = common::smtp_server::SmtpServer::start();
    let (now_base, _now_data) = server(requests, &smtp, false).await;
    let answered = drive(
        &now_base,
        0..requests,
        concurrent,
        "PIN request, now (answer after the write)",
    )
    .await;
    let (before_base, _before_data) = server(requests, &smtp, true).await;
    let inline = drive(
        &before_base,
        requests..2 * requests,
        concurrent,
        "PIN request, before (answer after handing over its messages)",
    )
    .await;
    // The burst the answers no longer wait for is still being delivered: how long until the last
    // mail of both runs is at the server.
    let drain = Instant::now();
    while smtp.messages().len() < requests * 4 && drain.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mails = smtp.messages().len();
    assert_eq!(
        mails,
        requests * 4,
        "every request's e-mail and PEC arrived, in both runs"
    );
    assert_eq!(
        mails,
        requests * 4,
        "every request's e-mail and PEC arrived, in both runs"
    );

    println!("{requests} PIN requests, {concurrent} at once; SMTP: aiosmtpd on 127.0.0.1");
    println!(
        "{:<64} {:>8} {:>8} {:>8} {:>11} {:>13}",
        "", "req/s", "p50 ms", "p99 ms", "p99 / bare", "req/s / bare"
    );
    for f in [&yardstick, &answered, &inline] {
        println!(
            "{:<64} {:>8.0} {:>8.1} {:>8.1} {:>11.1} {:>13.3}",
            f.label,
            f.per_second(),
            f.percentile(0.5).as_secs_f64() * 1000.0,
            f.percentile(0.99).as_secs_f64() * 1000.0,
            f.percentile(0.99).as_secs_f64() / yardstick.percentile(0.99).as_secs_f64(),
            f.per_second() / yardstick.per_second(),
        );
    }
    println!(
        "every e-mail and PEC of both runs ({mails}) was at the SMTP server {:.1} s after the last answer",
        drain.elapsed().as_secs_f64()
    );
    println!(
        "now / before: {:.2}x the requests per second, p99 {:.2}x as long",
        answered.per_second() / inline.per_second(),
        answered.percentile(0.99).as_secs_f64() / inline.percentile(0.99).as_secs_f64()
    );
}

/// Serves `router` on a free port of 127.0.0.1 and returns its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    base
}

/// A local server over a fresh data directory with citizens 0..2×`requests` registered, its
/// e-mail and PEC going to `smtp`. With `inline`, the design before ADR 0015: no worker, and the
/// PIN request's handler hands its messages over before it answers.
async fn server(requests: usize, smtp: &common::smtp_server::SmtpServer, inline: bool) -> (String, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.smtp_url = Some(SecretString::from(format!("smtp://127.0.0.1:{}", smtp.port)));
    // SES's quota is not what is measured here: the local SMTP server takes what it is given.
    config.delivery.smtp_per_second = 10_000;
    config.delivery.sms_per_second = 10_000;
    let (state, _) = api::server::local_state(config).expect("the local state");
    let residents: Vec<_> = (0..2 * requests)
        .map(|i| {
            let row: api::registry::RegistryRow =
                serde_json::from_value(common::resident_row(&person(i))).expect("a registry row");
            row.parse().expect("a valid resident")
        })
        .collect();
    state
        .registry
        .writer()
        .expect("the embedded registry")
        .upsert(&residents)
        .await
        .expect("the residents registered");
    if !inline {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(api::server::serve(listener, state));
        return (base, data);
    }
    let api = api::server::local_router(state.clone());
    let handler = move |request: axum::extract::Request| {
        let (api, state) = (api.clone(), state.clone());
        async move {
            use tower::ServiceExt;
            let answer = api.oneshot(request).await.expect("the router answers");
            let (parts, body) = answer.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("the body");
            let created: Value = serde_json::from_slice(&bytes).expect("JSON");
            let cf = created["codice_fiscale"].as_str().expect("a codice fiscale");
            // As the handler did before: each message to its carrier, one after another.
            for message in state.store.messages_for(cf, 10).await.expect("the outbox").iter().rev() {
                let now = state.clock.now();
                let policy = api::delivery::RetryPolicy::of(&state.config.delivery);
                if message.channel == api::store::Channel::Post {
                    let sink = state.carriers.letters.as_ref().expect("the letters");
                    let ids = [message.id.clone()];
                    api::delivery::letters::export(
                        state.store.as_ref(),
                        &state.sealer,
                        sink.as_ref(),
                        policy,
                        &ids,
                        now,
                    )
                    .await
                    .expect("the letter");
                } else {
                    let carrier = state.carriers.for_channel(message.channel).expect("a carrier");
                    api::delivery::deliver_one(
                        state.store.as_ref(),
                        &state.sealer,
                        carrier.as_ref(),
                        policy,
                        &message.id,
                        now,
                    )
                    .await
                    .expect("the message");
                }
            }
            axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
        }
    };
    let router = axum::Router::new().route("/api/pin-requests", post(handler));
    (serve(router).await, data)
}

/// A POST of citizen `i`'s PIN request for each `i` of `people`, `concurrent` at a time.
async fn drive(base: &str, people: std::ops::Range<usize>, concurrent: usize, label: &'static str) -> Figures {
    let next = Arc::new(AtomicUsize::new(people.start));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrent)
        .map(|_| {
            let (next, latencies, base) = (next.clone(), latencies.clone(), base.to_owned());
            let end = people.end;
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let sent = Instant::now();
                    let r = client
                        .post(format!("{base}/api/pin-requests"))
                        .json(&person(i))
                        .send()
                        .await
                        .expect("an answer");
                    assert_eq!(r.status(), 201);
                    latencies.lock().await.push(sent.elapsed());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a worker finished");
    }
    let latencies = latencies.lock().await.clone();
    Figures {
        label,
        latencies,
        elapsed: started.elapsed(),
    }
}

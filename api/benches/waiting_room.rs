//! The click-day waiting room on the local server (issue 15): tickets issued a second (each a new
//! browser's `POST /api/queue/tickets` during the pre-queue, a numbered SQLite write) and passes
//! checked a second (a route that starts work, reached with a pass: the gate checks its HMAC and
//! lets the request through), each printed with its ratio to the health route's rate measured in
//! the same run on the same server.
//!
//! Run with `cargo bench -p api --bench waiting_room`: prints the figures (never asserted).
//! Under `cargo test` it is a short smoke run that still checks every answer; its figures mean
//! nothing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use api::Config;
use axum::body::Bytes;
use chrono::NaiveDate;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};

/// How long and how wide each row is driven.
struct Load {
    connections: usize,
    duration: Duration,
}

const MEASURE: Load = Load {
    connections: 32,
    duration: Duration::from_secs(3),
};

const SMOKE: Load = Load {
    connections: 2,
    duration: Duration::from_millis(200),
};

/// One row: a request, and the answer it must get.
struct Row {
    name: &'static str,
    method: Method,
    path: &'static str,
    cookie: Option<String>,
    expect: StatusCode,
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        if measuring {
            run(&MEASURE).await;
        } else {
            println!("(smoke run under cargo test: a few requests a row, figures not meaningful)");
            run(&SMOKE).await;
        }
    });
}

async fn run(load: &Load) {
    let data = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.queue.enabled = true;
    let (state, _) = api::server::local_state(config).expect("the local state");
    // A quarter of an hour before a 16:00 opening: the pre-queue, where every new browser takes a
    // ticket and every route that starts work needs a pass.
    let opening = domain::submission_window::from_rome(
        NaiveDate::from_ymd_opt(2020, 4, 1)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .expect("a date"),
    )
    .single()
    .expect("one instant");
    state
        .dev_clock
        .as_ref()
        .expect("dev mode")
        .set(opening - chrono::Duration::minutes(15));
    let room = state.rooms.room_at(state.clock.now()).expect("the pre-queue stands");
    let pass = state.rooms.pass(
        &room.name,
        &"0".repeat(32),
        state.clock.now() + chrono::Duration::minutes(20),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let server = listener.local_addr().expect("an address");
    tokio::spawn(api::server::serve(listener, state.clone()));

    let rows = [
        Row {
            name: "health",
            method: Method::GET,
            path: "/api/health",
            cookie: None,
            expect: StatusCode::OK,
        },
        Row {
            name: "ticket issued",
            method: Method::POST,
            path: "/api/queue/tickets",
            cookie: None,
            expect: StatusCode::OK,
        },
        Row {
            // The application list without a session: past the gate (the pass checked), the
            // route's own answer is the cheapest there is, 401.
            name: "pass checked",
            method: Method::GET,
            path: "/api/applications",
            cookie: Some(format!("sportello_pass={pass}")),
            expect: StatusCode::UNAUTHORIZED,
        },
        Row {
            name: "no pass: 503",
            method: Method::GET,
            path: "/api/applications",
            cookie: None,
            expect: StatusCode::SERVICE_UNAVAILABLE,
        },
    ];
    println!(
        "\n{:<16} {:>5} {:>9} {:>9} {:>8} {:>8}  vs health",
        "row", "conns", "requests", "req/s", "p50 ms", "p99 ms"
    );
    let mut health = None;
    for row in &rows {
        let figures = drive(server, row, load).await;
        let rate = figures.requests as f64 / figures.elapsed.as_secs_f64();
        let health_rate = *health.get_or_insert(rate);
        println!(
            "{:<16} {:>5} {:>9} {:>9.0} {:>8.2} {:>8.2}  {:>5.1}%",
            row.name,
            load.connections,
            figures.requests,
            rate,
            figures.percentile(50).as_secs_f64() * 1e3,
            figures.percentile(99).as_secs_f64() * 1e3,
            rate / health_rate * 100.0
        );
    }
}

struct Figures {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: usize) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        self.latencies[(self.latencies.len() - 1) * p / 100]
    }
}

/// Drives `row` with keep-alive connections until the time runs out; every answer must be the
/// row's.
async fn drive(server: SocketAddr, row: &Row, load: &Load) -> Figures {
    let deadline = Instant::now() + load.duration;
    let started = Instant::now();
    let row = Arc::new((row.method.clone(), row.path, row.cookie.clone(), row.expect));
    let mut tasks = Vec::new();
    for _ in 0..load.connections {
        let stream = tokio::net::TcpStream::connect(server).await.expect("a connection");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("an HTTP/1.1 handshake");
        tokio::spawn(connection);
        let row = row.clone();
        let host = server.to_string();
        tasks.push(tokio::spawn(async move {
            let (method, path, cookie, expect) = &*row;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let mut request = Request::builder()
                    .method(method.clone())
                    .uri(*path)
                    .header("host", &host);
                if let Some(cookie) = cookie {
                    request = request.header("cookie", cookie);
                }
                if *method == Method::POST {
                    request = request.header("content-type", "application/json");
                }
                let body = if *method == Method::POST { "{}" } else { "" };
                let request = request.body(Full::new(Bytes::from(body))).expect("a request");
                let sent = Instant::now();
                sender.ready().await.expect("the connection is ready");
                let response = sender.send_request(request).await.expect("an answer");
                let status = response.status();
                let body = response.into_body().collect().await.expect("a body").to_bytes();
                latencies.push(sent.elapsed());
                assert_eq!(status, *expect, "{method} {path}: {}", String::from_utf8_lossy(&body));
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.append(&mut task.await.expect("a connection's loop"));
    }
    latencies.sort();
    Figures {
        requests: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}

//! The whole local server under load, route by route, against a bare axum handler driven the same
//! way in the same run: how much of what the machine can serve over HTTP each route keeps once it
//! does its real work (the SPA's files, the health check, a PIN login, the citizen's application
//! page, a draft save, Conferma).
//!
//! The real local server (`api::server::local_state` + `api::server::serve`, SQLite in a temporary
//! directory) listens on 127.0.0.1, and beside it a bare axum server whose handler answers the
//! same request (method, path, body) with a body as long as our route's answer. One load generator
//! (hyper 1 client connections, each a loop of keep-alive requests) drives both at several
//! concurrencies, bounded by a count and by a time.
//!
//! Run with `cargo bench -p api --bench server`: prints the table and whether each target is met
//! (targets are printed, never asserted). Under `cargo test` it is a short smoke run that still
//! sends every route and asserts that every answer is a success; its figures mean nothing.
//! `cargo bench -p api --bench server -- conferma` measures only the routes whose name holds one
//! of the words given (for a profile of one route). The SPA's rows need a built SPA (`bash scripts/build-spa.sh`, into `dist/`); without
//! `dist/index.html` they are skipped with a message.

// The integration tests' helpers: the art. 27 application, a citizen's PIN request, a PIN half.
#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::Config;
use axum::body::Bytes;
use chrono::{Days, NaiveDate};
use domain::Credential;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};

/// How long and how much: each (route, concurrency, server) cell stops at whichever comes first.
struct Load {
    /// Concurrent keep-alive connections, one cell each.
    concurrency: &'static [usize],
    /// The time bound of one cell.
    duration: Duration,
    /// The count bound of one cell (Conferma is bounded by its prepared citizens too).
    requests: usize,
    /// Citizens with a PIN, logged in through the HTTP flow: login, application page, draft save.
    pin_citizens: usize,
    /// Citizens prepared for Conferma, one application each, shared by all its cells.
    submitters: usize,
}

const MEASURE: Load = Load {
    concurrency: &[1, 32, 128],
    duration: Duration::from_secs(2),
    requests: 2_000_000,
    pin_citizens: 128,
    submitters: 60_000,
};

const SMOKE: Load = Load {
    concurrency: &[1, 4],
    duration: Duration::from_millis(200),
    requests: 40,
    pin_citizens: 4,
    submitters: 100,
};

/// The concurrency the targets are judged at.
const JUDGED_AT: usize = 32;

/// Click day 2020's peak: about 300 applications a second reached INPS.
const PEAK_2020: f64 = 300.0;

/// What each route must reach at [`JUDGED_AT`] connections (issue 17).
#[derive(Clone, Copy)]
enum Target {
    /// At least this share of the bare handler's requests/s.
    ShareOfBare(f64),
    /// At least this many requests/s.
    PerSecond(f64),
    /// Conferma: applications/s, share of bare, and p99.
    Submit { per_second: f64, share: f64, p99: Duration },
    /// No target: measured to see where the time goes.
    None,
}

/// One route under test.
struct Route {
    name: &'static str,
    method: Method,
    path: String,
    target: Target,
    /// The headers and body of request `i` on connection `c`.
    make: Maker,
    /// Where the `i` of each request comes from: a cursor shared across cells when every request
    /// must be another citizen's (Conferma), so that no citizen applies twice.
    cursor: Option<Arc<AtomicUsize>>,
    /// How many distinct `i` there are when `cursor` is set.
    limit: usize,
}

/// Makes request `i` of a cell, on its connection `c`.
type Maker = Arc<dyn Fn(usize, usize) -> Prepared + Send + Sync>;

/// What varies from one request to the next.
#[derive(Clone, Default)]
struct Prepared {
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

/// One cell's figures.
struct Figures {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: usize) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (self.latencies.len() * p).div_ceil(100).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }

    fn max(&self) -> Duration {
        self.latencies.last().copied().unwrap_or_default()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test` does not.
    let measuring = std::env::args().any(|a| a == "--bench");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.to_lowercase())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        if measuring {
            run(&MEASURE, true, &only).await;
        } else {
            println!("(smoke run under cargo test: every route, a few requests, figures not meaningful)");
            run(&SMOKE, false, &[]).await;
        }
    });
}

/// Starts both servers, prepares the citizens, measures every route (or those named in `only`).
async fn run(load: &Load, judge: bool, only: &[String]) {
    let data = tempfile::tempdir().expect("a temporary directory");
    let spa_dir = workspace_root().join("dist");
    let mut config = Config::for_tests(data.path().to_path_buf());
    // Sending is open all day here (the citizens' window is 16:00-08:00 in Rome): the bench
    // measures the work, not the clock. The per-address login limit would stop a load generator
    // that is one address.
    config.submission_windows =
        domain::submission_window::WindowConfig::parse("web_citizen=00:00-00:00,contact_center=00:00-00:00")
            .expect("valid windows");
    config.client_rate_per_minute = u32::MAX;
    config.spa_dir = spa_dir.clone();
    let (state, _) = api::server::local_state(config).expect("the local state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let ours = listener.local_addr().expect("an address");
    tokio::spawn(api::server::serve(listener, state.clone()));

    let started = Instant::now();
    let pin_citizens = log_in_pin_citizens(&state, ours, load.pin_citizens).await;
    let submitters = prepare_submitters(&state, load.submitters).await;
    println!(
        "prepared {} PIN citizens (HTTP flow) and {} submitters (sessions through the services) in {:.1} s",
        pin_citizens.len(),
        submitters.len(),
        started.elapsed().as_secs_f64()
    );

    let mut routes = routes(&spa_dir, pin_citizens, submitters);
    if !only.is_empty() {
        routes.retain(|route| {
            only.iter()
                .any(|word| route.name.to_lowercase().contains(word.as_str()))
        });
    }
    // One answer of each route gives the bare handler its body size.
    let mut sizes = Vec::new();
    for route in &routes {
        let (status, body) = probe(ours, route).await;
        assert!(
            status.is_success(),
            "{} {}: {status} {body:?}",
            route.method,
            route.path
        );
        sizes.push(body.len());
    }
    let bare = bare_server(&routes, &sizes).await;

    println!(
        "\n{:<18} {:>5} {:>9} {:>9} {:>8} {:>8} {:>8} {:>10} {:>7}  target",
        "route", "conns", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "bare req/s", "ratio"
    );
    for route in &routes {
        for &connections in load.concurrency {
            let our = drive(ours, route, connections, load, true).await;
            let theirs = drive(bare, route, connections, load, false).await;
            let ratio = our.per_second() / theirs.per_second();
            let verdict = if judge && connections == JUDGED_AT {
                verdict(route.target, &our, ratio)
            } else {
                String::new()
            };
            println!(
                "{:<18} {:>5} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>10.0} {:>6.1}%  {verdict}",
                route.name,
                connections,
                our.requests,
                our.per_second(),
                ms(our.percentile(50)),
                ms(our.percentile(99)),
                ms(our.max()),
                theirs.per_second(),
                ratio * 100.0,
            );
            if matches!(route.target, Target::Submit { .. }) {
                println!(
                    "{:<18} {:>5} {:.1} × the 2020 peak of {PEAK_2020:.0} applications/s",
                    "",
                    "",
                    our.per_second() / PEAK_2020
                );
            }
        }
    }
    if judge {
        println!("\n(targets judged at {JUDGED_AT} connections)");
    }
}

fn verdict(target: Target, our: &Figures, ratio: f64) -> String {
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    match target {
        Target::ShareOfBare(share) => format!("≥ {:.0}% of bare: {}", share * 100.0, mark(ratio >= share)),
        Target::PerSecond(rate) => format!("≥ {rate:.0}/s: {}", mark(our.per_second() >= rate)),
        Target::Submit { per_second, share, p99 } => format!(
            "≥ {per_second:.0}/s: {}; ≥ {:.0}% of bare: {}; p99 ≤ {} ms: {}",
            mark(our.per_second() >= per_second),
            share * 100.0,
            mark(ratio >= share),
            p99.as_millis(),
            mark(our.percentile(99) <= p99)
        ),
        Target::None => "(no target)".into(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A citizen with a session cookie, and what they logged in with.
#[derive(Clone)]
struct LoggedIn {
    codice_fiscale: String,
    first_half: String,
    cookie: String,
}

/// `count` residents request a PIN, read its first half in the dev outbox and log in with it
/// (the simplified scope, enough for the application), all through the HTTP API.
async fn log_in_pin_citizens(state: &api::AppState, server: SocketAddr, count: usize) -> Vec<LoggedIn> {
    let residents: Vec<_> = (0..count)
        .map(|i| {
            let row: api::registry::RegistryRow =
                serde_json::from_value(common::resident_row(&pin_citizen(i))).expect("a registry row");
            row.parse().expect("a valid resident")
        })
        .collect();
    let writer = state.registry.writer().expect("the embedded registry");
    writer.upsert(&residents).await.expect("the residents registered");
    let client = reqwest::Client::new();
    let base = format!("http://{server}");
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let person = pin_citizen(i);
                let cf = person["codice_fiscale"].as_str().expect("a codice fiscale").to_owned();
                let created = client
                    .post(format!("{base}/api/pin-requests"))
                    .json(&person)
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(created.status(), 201, "{:?}", created.text().await);
                // The SMS leaves a moment after the answer (the delivery worker).
                let first_half = loop {
                    let outbox: Value = client
                        .get(format!("{base}/api/dev/outbox?codice_fiscale={cf}"))
                        .send()
                        .await
                        .expect("the server answers")
                        .json()
                        .await
                        .expect("the outbox is JSON");
                    let sms = outbox
                        .as_array()
                        .and_then(|all| all.iter().find(|m| m["channel"] == "sms"))
                        .and_then(|m| m["body"].as_str());
                    if let Some(sms) = sms {
                        break common::pin_in(sms);
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                };
                let opened = client
                    .post(format!("{base}/api/session"))
                    .json(&json!({ "codice_fiscale": cf, "pin": first_half }))
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(opened.status(), 200);
                let cookie = opened
                    .headers()
                    .get("set-cookie")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(';').next())
                    .expect("a session cookie")
                    .to_owned();
                LoggedIn {
                    codice_fiscale: cf,
                    first_half,
                    cookie,
                }
            })
        })
        .collect();
    let mut citizens = Vec::with_capacity(count);
    for task in tasks {
        citizens.push(task.await.expect("a citizen logged in"));
    }
    citizens
}

/// `count` citizens, each with a SPID session opened through the services (what the OpenID
/// Connect callback does), as cookies: the HTTP flow of a PIN would take longer than the
/// measurement. Opened a few hundred at a time so that the store's writes overlap.
async fn prepare_submitters(state: &api::AppState, count: usize) -> Vec<String> {
    let mut cookies = Vec::with_capacity(count);
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..count {
        let state = state.clone();
        pending.spawn(async move {
            let cf = submitter_cf(i);
            let (_, token) = api::services::sessions::start_session(&state, cf, Credential::SpidL2)
                .await
                .expect("a session");
            let set_cookie = api::http::session_cookie_for(&state.config, &token);
            (i, set_cookie.to_str().expect("an ASCII cookie").to_owned())
        });
        if pending.len() >= 256 {
            cookies.push(pending.join_next().await.expect("a task").expect("a session"));
        }
    }
    while let Some(done) = pending.join_next().await {
        cookies.push(done.expect("a session"));
    }
    cookies.sort_by_key(|(i, _)| *i);
    cookies
        .into_iter()
        .map(|(_, set_cookie)| set_cookie.split(';').next().expect("a cookie").to_owned())
        .collect()
}

/// PIN citizen `i`: a woman born in Rome on the `i`th day after 1 January 1950.
fn pin_citizen(i: usize) -> Value {
    let birth_date = NaiveDate::from_ymd_opt(1950, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(i as u64)))
        .expect("a birth date");
    common::citizen_born(
        "Maria",
        "Esposito",
        birth_date,
        &format!("{i:07}"),
        &format!("maria.esposito.{i}"),
    )
}

/// Submitter `i`'s codice fiscale: someone else than every PIN citizen (another surname), born on
/// one of 20,000 days from 1940, with one of a few given names.
fn submitter_cf(i: usize) -> domain::CodiceFiscale {
    const GIVEN: [&str; 8] = ["Anna", "Giulia", "Chiara", "Sara", "Elena", "Laura", "Paola", "Marta"];
    let birth_date = NaiveDate::from_ymd_opt(1940, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new((i % 20_000) as u64)))
        .expect("a birth date");
    let person = domain::codice_fiscale::PersonalData {
        given_name: GIVEN[(i / 20_000) % GIVEN.len()].into(),
        surname: "Bianchi".into(),
        sex: domain::codice_fiscale::Sex::Female,
        birth_date,
        birth_place_code: "H501".into(),
    };
    domain::CodiceFiscale::generate(&person)
}

/// The routes, in the order of the table.
fn routes(spa_dir: &Path, pin_citizens: Vec<LoggedIn>, submitters: Vec<String>) -> Vec<Route> {
    let json_body = |value: &Value| Bytes::from(serde_json::to_vec(value).expect("JSON"));
    let mut routes = Vec::new();
    match std::fs::read_to_string(spa_dir.join("index.html")) {
        Ok(index) => {
            routes.push(simple("static page /", Method::GET, "/", Target::ShareOfBare(0.30)));
            match preloaded_wasm(&index) {
                Some(wasm) => routes.push(simple("wasm", Method::GET, &wasm, Target::ShareOfBare(0.30))),
                None => println!(
                    "SKIPPED wasm: no <link rel=\"preload\" … as=\"fetch\"> in {}/index.html",
                    spa_dir.display()
                ),
            }
        }
        Err(_) => println!(
            "SKIPPED static page and wasm: no built SPA ({}/index.html); build one with `bash scripts/build-spa.sh`",
            spa_dir.display()
        ),
    }
    routes.push(simple("health", Method::GET, "/api/health", Target::ShareOfBare(0.60)));

    let citizens = Arc::new(pin_citizens);
    let logins = citizens.clone();
    routes.push(Route {
        name: "login (PIN)",
        method: Method::POST,
        path: "/api/session".into(),
        target: Target::None,
        // Each connection is one phone (its own address) logging in one citizen again and again.
        make: Arc::new(move |_, c| {
            let citizen = &logins[c % logins.len()];
            Prepared {
                headers: vec![("content-type", "application/json".into())],
                body: json_body(&json!({ "codice_fiscale": citizen.codice_fiscale, "pin": citizen.first_half })),
            }
        }),
        cursor: None,
        limit: 0,
    });
    let readers = citizens.clone();
    routes.push(Route {
        name: "application page",
        method: Method::GET,
        path: "/api/application".into(),
        target: Target::PerSecond(15_000.0),
        make: Arc::new(move |_, c| Prepared {
            headers: vec![("cookie", readers[c % readers.len()].cookie.clone())],
            body: Bytes::new(),
        }),
        cursor: None,
        limit: 0,
    });
    let savers = citizens;
    let form = json_body(&common::art27_form());
    let draft = form.clone();
    routes.push(Route {
        name: "draft save",
        method: Method::PUT,
        path: "/api/application/draft".into(),
        target: Target::None,
        make: Arc::new(move |_, c| Prepared {
            headers: vec![
                ("cookie", savers[c % savers.len()].cookie.clone()),
                ("content-type", "application/json".into()),
            ],
            body: draft.clone(),
        }),
        cursor: None,
        limit: 0,
    });
    let limit = submitters.len();
    routes.push(Route {
        name: "Conferma",
        method: Method::POST,
        path: "/api/application/submit".into(),
        target: Target::Submit {
            per_second: 6_000.0,
            share: 0.15,
            p99: Duration::from_millis(20),
        },
        make: Arc::new(move |i, _| Prepared {
            headers: vec![
                // The bare handler's cells take any citizen (it reads no cookie); ours never reuse one.
                ("cookie", submitters[i % submitters.len()].clone()),
                ("content-type", "application/json".into()),
                ("idempotency-key", format!("bench-{i}")),
            ],
            body: form.clone(),
        }),
        cursor: Some(Arc::new(AtomicUsize::new(0))),
        limit,
    });
    routes
}

/// A route whose requests are all the same and carry no body.
fn simple(name: &'static str, method: Method, path: &str, target: Target) -> Route {
    Route {
        name,
        method,
        path: path.into(),
        target,
        make: Arc::new(|_, _| Prepared::default()),
        cursor: None,
        limit: 0,
    }
}

/// The wasm's URL: the `href` of index.html's `<link rel="preload" … as="fetch">` (its name is
/// about to carry a content hash, so it is read, not assumed).
fn preloaded_wasm(index: &str) -> Option<String> {
    index.split("<link").skip(1).find_map(|tag| {
        let tag = &tag[..tag.find('>')?];
        if !(tag.contains("rel=\"preload\"") && tag.contains("as=\"fetch\"")) {
            return None;
        }
        let href = &tag[tag.find("href=\"")? + 6..];
        Some(href[..href.find('"')?].to_owned())
    })
}

/// One request of `route` to `server`, outside any measurement (the first of its indices, for
/// Conferma taken from its cursor so that the citizen is not used again).
async fn probe(server: SocketAddr, route: &Route) -> (StatusCode, Bytes) {
    let i = route.cursor.as_ref().map_or(0, |c| c.fetch_add(1, Ordering::Relaxed));
    let mut sender = connect(server, 0).await;
    let response = sender
        .send_request(RouteRef::of(route).request(i, 0, &server.to_string()))
        .await
        .expect("an answer");
    let status = response.status();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    (status, body)
}

/// Connection `c` to `server`, from a loopback address of its own (127.0.x.y): the server limits
/// login attempts per address, and each connection stands for another phone.
async fn connect(server: SocketAddr, c: usize) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    let local = std::net::Ipv4Addr::new(127, 0, (c / 250) as u8, (2 + c % 250) as u8);
    socket.bind(SocketAddr::from((local, 0))).expect("a loopback address");
    let stream = socket.connect(server).await.expect("a connection");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("an HTTP/1.1 handshake");
    tokio::spawn(connection);
    sender
}

/// Drives `route` on `server` with `connections` keep-alive connections until the cell's time or
/// count runs out; every answer must be a success. Only `ours` takes Conferma's citizens from
/// their shared cursor.
async fn drive(server: SocketAddr, route: &Route, connections: usize, load: &Load, ours: bool) -> Figures {
    let host = Arc::new(server.to_string());
    // Conferma's indices continue across cells (one application per citizen); the others start
    // again at 0 in each.
    let (cursor, end) = match &route.cursor {
        Some(cursor) if ours => {
            let at = cursor.load(Ordering::Relaxed);
            (cursor.clone(), (at + load.requests).min(route.limit))
        }
        _ => (Arc::new(AtomicUsize::new(0)), load.requests),
    };
    let mut senders = Vec::with_capacity(connections);
    for c in 0..connections {
        senders.push(connect(server, c).await);
    }
    let started = Instant::now();
    let deadline = started + load.duration;
    let route = Arc::new(RouteRef::of(route));
    let tasks: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(c, mut sender)| {
            let (cursor, host, route) = (cursor.clone(), host.clone(), route.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let i = cursor.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let request = route.request(i, c, &host);
                    let sent = Instant::now();
                    sender.ready().await.expect("the connection is ready");
                    let response = sender.send_request(request).await.expect("an answer");
                    let status = response.status();
                    let body = response.into_body().collect().await.expect("a body").to_bytes();
                    latencies.push(sent.elapsed());
                    assert!(
                        status.is_success(),
                        "{} {} #{i}: {status} {}",
                        route.method,
                        route.path,
                        String::from_utf8_lossy(&body)
                    );
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.append(&mut task.await.expect("a connection's loop"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Figures {
        requests: latencies.len(),
        elapsed,
        latencies,
    }
}

/// What a connection's task needs of a route (the route itself stays with the caller).
struct RouteRef {
    method: Method,
    path: String,
    make: Maker,
}

impl RouteRef {
    fn of(route: &Route) -> RouteRef {
        RouteRef {
            method: route.method.clone(),
            path: route.path.clone(),
            make: route.make.clone(),
        }
    }

    fn request(&self, i: usize, c: usize, host: &str) -> Request<Full<Bytes>> {
        let prepared = (self.make)(i, c);
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.path)
            .header("host", host);
        for (name, value) in prepared.headers {
            builder = builder.header(name, value);
        }
        builder.body(Full::new(prepared.body)).expect("a request")
    }
}

/// The bare server: each route's method and path, answered with `size` bytes after the request's
/// body is read, and nothing else.
async fn bare_server(routes: &[Route], sizes: &[usize]) -> SocketAddr {
    let mut by_path: BTreeMap<String, axum::routing::MethodRouter> = BTreeMap::new();
    for (route, &size) in routes.iter().zip(sizes) {
        let answer = Bytes::from(vec![b'x'; size]);
        let handler = move |_body: Bytes| {
            let answer = answer.clone();
            async move { answer }
        };
        let method = axum::routing::MethodFilter::try_from(route.method.clone()).expect("a method axum routes");
        let entry = by_path.remove(&route.path).unwrap_or_default();
        by_path.insert(route.path.clone(), entry.on(method, handler));
    }
    let mut router = axum::Router::new();
    for (path, methods) in by_path {
        router = router.route(&path, methods);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

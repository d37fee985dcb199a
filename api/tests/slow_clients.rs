//! Slow clients against the real local server on 127.0.0.1 (issue 17): clients that send their
//! headers and trickle their bodies, or send half their headers, or nothing, must not take what
//! other citizens need. Before the listener's deadlines and the body-first admission, 600 such
//! clients held every in-flight permit and `/api/health` answered 503 until they left.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A client that has sent a POST's headers, promising a 4 KB body, and the body's first byte;
/// the test trickles the rest.
async fn trickler(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/pin-requests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 4096\r\n\r\n{",
        )
        .await
        .unwrap();
    stream
}

/// What the server sent on `stream` until it closed it (or `within` passed), and whether it did close.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_hundred_slow_clients_hold_connections_while_health_keeps_answering() {
    // GIVEN a server whose in-flight bound (64) is far below the slow clients' number, whose body
    // deadline outlasts the test, and 600 clients that sent their headers and trickle their bodies
    let server = TestServer::start_with(|config| {
        config.max_in_flight = 64;
        config.connections.body_timeout = Duration::from_secs(120);
        config.connections.max_connections = 1000;
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..600 {
        slow.push(trickler(server.addr).await);
    }
    let tricklers = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            for stream in &mut slow {
                if stream.write_all(b" ").await.is_err() {
                    panic!("the server dropped a slow client before its deadline");
                }
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    // WHEN a citizen asks for the service's health 20 times, and checks a codice fiscale (a POST,
    // which needs an in-flight permit)
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let started = Instant::now();
        let response = client.get(server.url("/api/health")).send().await.unwrap();
        slowest = slowest.max(started.elapsed());
        // THEN each answer is 200, at once
        assert_eq!(response.status(), 200);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let check = reqwest::Client::new()
        .post(server.url("/api/codice-fiscale/check"))
        .json(&serde_json::json!({"codice_fiscale": "RSSMRA85T10A562S"}))
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
    assert!(!tricklers.is_finished(), "every slow client is still connected");
    println!("600 slow clients connected; /api/health answered 200 20 times out of 20, the slowest in {slowest:?}");
    assert!(slowest < Duration::from_secs(2), "health took {slowest:?}");
    tricklers.abort();
}

#[tokio::test]
async fn a_body_trickling_past_its_deadline_gets_408_and_the_connection_is_closed() {
    let server = TestServer::start_with(|config| config.connections.body_timeout = Duration::from_secs(1)).await;
    let mut stream = trickler(server.addr).await;
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(closed, "the connection is closed after the 408");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn headers_that_never_finish_and_silent_connections_are_closed_at_the_header_deadline() {
    let server = TestServer::start_with(|config| config.connections.header_timeout = Duration::from_secs(1)).await;
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    for stream in [&mut half, &mut silent] {
        let (answer, closed) = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(closed, "still open after {:?}", started.elapsed());
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn beyond_the_connection_cap_a_new_connection_waits_until_one_closes() {
    // GIVEN the smallest cap, filled by connections that have sent nothing yet
    let server = TestServer::start_with(|config| {
        config.connections.max_connections = 16;
        config.connections.header_timeout = Duration::from_secs(60);
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..16 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // WHEN one more asks for the health
    let mut waiting = TcpStream::connect(server.addr).await.unwrap();
    waiting
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    // THEN it is not answered while the cap is full
    let (answer, _) = read_until_closed(&mut waiting, Duration::from_millis(700)).await;
    assert!(answer.is_empty(), "answered beyond the cap: {answer}");
    // AND it is answered once one of the others leaves
    drop(idle.pop());
    let (answer, _) = read_until_closed(&mut waiting, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

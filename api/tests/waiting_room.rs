//! The click-day waiting room on the local server (issue 15): 2,000 browsers take tickets before
//! the opening, the room opens at 100 a second, and each is let in exactly once, in the order of
//! the random draw, at the rate; the routes that start work need the pass meanwhile.

mod common;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::TestServer;
use domain::submission_window::from_rome;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 16:00 in Rome on a day of its own.
fn opening() -> DateTime<Utc> {
    from_rome(
        NaiveDate::from_ymd_opt(2020, 4, 14)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap(),
    )
    .single()
    .unwrap()
}

async fn room_server() -> TestServer {
    TestServer::start_with(|c| {
        c.queue.enabled = true;
        c.queue.rate = 100.0;
        // The rate under test is the configured one, not one following this machine's load.
        c.queue.follow = false;
    })
    .await
}

/// The cookie `name` a response sets, as `name=value`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// A new browser's ticket cookie and the status it was given.
async fn take_ticket(server: &TestServer) -> (String, Value) {
    let response = server.post("/api/queue/tickets", &json!({})).await;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response, "sportello_ticket").expect("a ticket cookie");
    (cookie, response.json().await.unwrap())
}

async fn status(server: &TestServer, ticket: &str) -> Value {
    let response = server.get_as("/api/queue/status", ticket).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn claim(server: &TestServer, ticket: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/queue/pass"))
        .header("cookie", ticket)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_thousand_tickets_before_the_opening_are_let_in_once_each_at_the_rate_in_the_draws_order() {
    let server = room_server().await;
    // GIVEN 2,000 browsers arriving in the half hour before 16:00
    server.set_clock(opening() - Duration::minutes(20)).await;
    let tickets: Vec<(String, Value)> = futures_util::stream::iter(0..2_000)
        .map(|_| take_ticket(&server))
        .buffer_unordered(32)
        .collect()
        .await;
    assert!(
        tickets
            .iter()
            .all(|(_, s)| s["state"] == "pre_queue" && s["position"].is_null())
    );
    let ids: HashSet<&String> = tickets.iter().map(|(c, _)| c).collect();
    assert_eq!(ids.len(), 2_000, "one ticket each");
    // A refresh keeps the ticket: the same cookie comes back.
    let again = server
        .client
        .post(server.url("/api/queue/tickets"))
        .header("cookie", &tickets[0].0)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(set_cookie(&again, "sportello_ticket").as_ref(), Some(&tickets[0].0));
    // The routes that start work want a pass meanwhile, and say where to wait.
    let refused = server
        .post("/api/session", &json!({"codice_fiscale": "X", "pin": "Y"}))
        .await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        (problem["code"].as_str(), problem["room"].as_str()),
        (Some("queue.required"), Some("/coda"))
    );
    assert_eq!(
        claim(&server, &tickets[0].0).await.status(),
        StatusCode::CONFLICT,
        "not before the opening"
    );

    // WHEN the room opens (the first request after 16:00 opens it; here a second after)
    let opened = opening() + Duration::seconds(1);
    server.set_clock(opened).await;
    let _ = status(&server, &tickets[0].0).await;
    // THEN, with the clock held before anyone is let in, everyone has a place: the draw's,
    // 0..2,000 once each
    let mut place_of = BTreeMap::new();
    for (ticket, _) in &tickets {
        server.set_clock(opening()).await;
        let s = status(&server, ticket).await;
        assert_eq!(s["state"], "waiting", "{s}");
        let place = s["ahead"].as_u64().unwrap();
        assert_eq!(s["position"].as_u64(), Some(place + 1));
        place_of.insert(ticket.clone(), place);
    }
    let places: HashSet<u64> = place_of.values().copied().collect();
    assert_eq!(
        (places.len(), places.iter().max()),
        (2_000, Some(&1_999)),
        "a permutation of the pre-queue"
    );
    // The draw is not the arrival order (the first 100 to arrive are spread over the line).
    let first_arrivals_in_first_tenth = tickets[..100].iter().filter(|(t, _)| place_of[t] < 200).count();
    assert!(
        first_arrivals_in_first_tenth < 50,
        "{first_arrivals_in_first_tenth} of the first 100 in the first 200"
    );

    // AND second by second, the places below the count are let in, once each, at 100 a second
    let mut admitted_at: BTreeMap<u64, i64> = BTreeMap::new();
    let mut by_place: Vec<(u64, String)> = place_of.iter().map(|(t, p)| (*p, t.clone())).collect();
    by_place.sort();
    for second in 1..=21i64 {
        let now = opened + Duration::seconds(second) + Duration::milliseconds(500);
        let mut in_this_second = 0;
        // Everyone not yet in, up to 60 places past the expected count: those past it must wait.
        let frontier = (second as u64 * 100 + 110).min(2_000);
        let waiting: Vec<&(u64, String)> = by_place
            .iter()
            .filter(|(p, _)| !admitted_at.contains_key(p) && *p < frontier)
            .collect();
        for (place, ticket) in waiting {
            server.set_clock(now).await;
            let response = claim(&server, ticket).await;
            match response.status() {
                StatusCode::OK => {
                    assert!(set_cookie(&response, "sportello_pass").is_some());
                    admitted_at.insert(*place, second);
                    in_this_second += 1;
                }
                StatusCode::CONFLICT => {}
                other => panic!("claim answered {other}"),
            }
        }
        if second <= 19 {
            // Between 16:00:(s-1).5 and 16:00:s.5, 100 places are let in: ±10 %.
            let expected = if second == 1 { 150 } else { 100 };
            assert!(
                (expected * 9 / 10..=expected * 11 / 10).contains(&in_this_second),
                "second {second}: {in_this_second} let in"
            );
        }
    }
    assert_eq!(admitted_at.len(), 2_000, "every ticket let in");
    // In the draw's order: a later place is never let in before an earlier one.
    let seconds: Vec<i64> = admitted_at.values().copied().collect();
    assert!(
        seconds.windows(2).all(|w| w[0] <= w[1]),
        "let in in the order of the places"
    );

    // AND with the line empty, the room stands aside: no pass needed any more
    server.set_clock(opened + Duration::seconds(30)).await;
    let free = server
        .post("/api/session", &json!({"codice_fiscale": "X", "pin": "Y"}))
        .await;
    assert_ne!(free.status(), StatusCode::SERVICE_UNAVAILABLE);
    let late = take_ticket_or_open(&server).await;
    assert_eq!(late["state"], "open");
}

/// A browser arriving when the line is empty: told to go straight on.
async fn take_ticket_or_open(server: &TestServer) -> Value {
    let response = server.post("/api/queue/tickets", &json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_pass_opens_the_routes_that_start_work_and_is_renewed_while_used() {
    // One place a second, so that the line stays long while the first is let in.
    let server = TestServer::start_with(|c| {
        c.queue.enabled = true;
        c.queue.rate = 1.0;
        c.queue.follow = false;
    })
    .await;
    server.set_clock(opening() - Duration::minutes(5)).await;
    let mut tickets = Vec::new();
    for _ in 0..30 {
        tickets.push(take_ticket(&server).await.0);
    }
    // Opened a second after 16:00; places read at 16:00, before anyone is let in.
    server.set_clock(opening() + Duration::seconds(1)).await;
    let _ = status(&server, &tickets[0]).await;
    let mut first = None;
    for t in &tickets {
        server.set_clock(opening()).await;
        if status(&server, t).await["ahead"] == 0 {
            first = Some(t.clone());
        }
    }
    let ticket = first.expect("someone is first");
    server.set_clock(opening() + Duration::milliseconds(2_500)).await;
    let s = status(&server, &ticket).await;
    assert_eq!(s["state"], "your_turn", "{s}");
    let response = claim(&server, &ticket).await;
    assert_eq!(response.status(), 200);
    let pass = set_cookie(&response, "sportello_pass").unwrap();
    let set = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/api"),
        "{set}"
    );
    // The pass lets the PIN login through to its own answer (a wrong PIN), not the room's.
    let login = |cookie: String| {
        let server = &server;
        async move {
            server
                .client
                .post(server.url("/api/session"))
                .header("cookie", cookie)
                .json(&json!({"codice_fiscale": "RSSMRA85T10A562S", "pin": "ABCDEFGH"}))
                .send()
                .await
                .unwrap()
        }
    };
    let through = login(pass.clone()).await;
    assert_eq!(through.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&through, "sportello_pass").is_none(), "fresh: no renewal");
    // A forged pass (another ticket's name on it) does not.
    let forged = pass.replacen(&ticket["sportello_ticket=".len()..], &"0".repeat(32), 1);
    assert_eq!(login(forged).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Past half its life, a request renews it for a whole life from then (whether a pass opens
    // the gate after its end is the service's unit test: here the line is empty by then).
    server.set_clock(opening() + Duration::minutes(12)).await;
    let renewed = login(pass.clone()).await;
    let renewed_pass = set_cookie(&renewed, "sportello_pass").expect("renewed");
    assert_ne!(renewed_pass, pass);
    let header = renewed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sportello_pass="))
        .unwrap()
        .to_owned();
    assert!(
        header.contains("Max-Age=1200") && header.contains("HttpOnly"),
        "{header}"
    );
}

#[tokio::test]
async fn a_turn_is_kept_for_a_browser_that_went_away_and_then_goes_to_the_back() {
    let server = room_server().await;
    server.set_clock(opening() - Duration::minutes(5)).await;
    let mut tickets = Vec::new();
    for _ in 0..3 {
        tickets.push(take_ticket(&server).await.0);
    }
    // Another 200 arrive after the opening (a second after 16:00), and queue behind.
    server.set_clock(opening() + Duration::seconds(1)).await;
    let _ = status(&server, &tickets[0]).await;
    // (each with the clock held at the opening, before the three are in)
    let mut late = Vec::new();
    for _ in 0..200 {
        server.set_clock(opening()).await;
        late.push(take_ticket(&server).await);
    }
    server.set_clock(opening()).await;
    for (ticket, _) in &late {
        let ahead = status(&server, ticket).await["ahead"].as_u64().unwrap();
        assert!(ahead >= 3, "after the pre-queue");
    }
    // Away 14 minutes after the turn: still kept. Away 16: expired, and a new ticket at the back.
    server.set_clock(opening() + Duration::minutes(14)).await;
    assert_eq!(status(&server, &tickets[0]).await["state"], "your_turn");
    server.set_clock(opening() + Duration::minutes(16)).await;
    assert_eq!(status(&server, &tickets[1]).await["state"], "expired");
    assert_eq!(claim(&server, &tickets[1]).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_operator_pauses_and_resumes_the_room_on_the_audit_log_and_the_page_says_so() {
    use api::services::queue_control::{QueueOrder, order};
    let data = tempfile::tempdir().unwrap();
    let mut config = api::Config::for_tests(data.path().to_path_buf());
    config.queue.enabled = true;
    let (state, _) = api::server::local_state(config).unwrap();
    let server = TestServer::serve_state(state.clone(), data).await;
    server.set_clock(opening() - Duration::minutes(5)).await;
    let mut tickets = Vec::new();
    for _ in 0..400 {
        tickets.push(take_ticket(&server).await.0);
    }
    // Not open yet: nothing to pause, and the refusal is on record too.
    let now = state.clock.now();
    assert!(
        order(
            state.store.as_ref(),
            &state.rooms,
            None,
            QueueOrder::Pause,
            "admin:ops",
            now
        )
        .await
        .is_err()
    );
    server.set_clock(opening() + Duration::seconds(1)).await;
    let _ = status(&server, &tickets[0]).await;
    // WHEN the operator pauses it
    let (room, change) = order(
        state.store.as_ref(),
        &state.rooms,
        None,
        QueueOrder::Pause,
        "admin:ops",
        state.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!((room.as_str(), change.per_second), ("2020-04-14T14:00:00Z", 0.0));
    // THEN nobody moves, the page says so and promises no time (after the cached second)
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    server.set_clock(opening() + Duration::seconds(60)).await;
    let last = tickets.last().unwrap();
    let paused = status(&server, last).await;
    assert_eq!(
        (paused["paused"].as_bool(), paused["wait_minutes_low"].as_u64()),
        (Some(true), None),
        "{paused}"
    );
    // A rate outside the bounds is refused; resuming goes back to the opening's rate.
    let bad = order(
        state.store.as_ref(),
        &state.rooms,
        Some(&room),
        QueueOrder::Rate(1e9),
        "admin:ops",
        state.clock.now(),
    )
    .await;
    assert!(bad.is_err());
    let (_, resumed) = order(
        state.store.as_ref(),
        &state.rooms,
        Some(&room),
        QueueOrder::Resume,
        "admin:ops",
        state.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(resumed.per_second, 100.0);
    let log = state.store.audit_by_operator("admin:ops", 10).await.unwrap();
    let outcomes: Vec<_> = log.iter().map(|e| (e.action.as_str(), e.outcome)).collect();
    use api::store::AuditOutcome::{Ok as Done, Refused};
    assert_eq!(
        outcomes.iter().filter(|(a, _)| *a == "queue_rate").count(),
        4,
        "every order on record: {outcomes:?}"
    );
    assert_eq!(log.iter().filter(|e| e.outcome == Refused).count(), 2);
    assert_eq!(log.iter().filter(|e| e.outcome == Done).count(), 2);
}

/// Whether `response` is the gate's: 503 `queue.required` with the room's address.
async fn sent_to_the_room(response: reqwest::Response) -> bool {
    if response.status() != StatusCode::SERVICE_UNAVAILABLE {
        return false;
    }
    let body: Value = response.json().await.unwrap();
    body["code"] == "queue.required" && body["room"] == "/coda"
}

#[tokio::test]
async fn an_overload_outside_an_opening_stands_a_room_up_which_lets_people_in_at_the_rate_and_then_stands_aside() {
    // Two requests at once, each slowed to 200 ms: a crowd of 80 is mostly shed.
    let server = TestServer::start_with(|c| {
        c.queue.enabled = true;
        c.queue.rate = 100.0;
        c.queue.follow = false;
        c.max_in_flight = 2;
        c.faults = "latency_ms=200".parse().unwrap();
    })
    .await;
    // 11:00 in Rome: the citizens' window is closed and its next opening hours away, so no
    // opening's room stands.
    let morning = opening() - Duration::hours(5);
    server.set_clock(morning).await;
    let login = || async {
        server
            .post(
                "/api/session",
                &json!({"codice_fiscale": "RSSMRA85T10A562S", "pin": "ABCDEFGH"}),
            )
            .await
    };
    assert!(!sent_to_the_room(login().await).await, "not overloaded: no room");

    let crowd = futures_util::stream::iter(0..80)
        .map(|_| async {
            server
                .client
                .get(server.url("/api/session"))
                .send()
                .await
                .unwrap()
                .status()
        })
        .buffer_unordered(80)
        .collect::<Vec<_>>()
        .await;
    let shed = crowd.iter().filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE).count();
    assert!(shed >= 40, "the crowd was shed: {shed} of 80");

    // The next login is sent to the room, which stood up; a ticket there is let in at the rate.
    assert!(sent_to_the_room(login().await).await, "overloaded: the room stands");
    let (ticket, taken) = take_ticket(&server).await;
    assert!(
        ["waiting", "your_turn"].contains(&taken["state"].as_str().unwrap()),
        "{taken}"
    );
    server.set_clock(morning + Duration::seconds(2)).await;
    let s = status(&server, &ticket).await;
    assert_eq!(s["state"], "your_turn", "{s}");
    let response = claim(&server, &ticket).await;
    assert_eq!(response.status(), 200);
    let pass = set_cookie(&response, "sportello_pass").unwrap();
    let with_pass = server
        .client
        .post(server.url("/api/session"))
        .header("cookie", &pass)
        .json(&json!({"codice_fiscale": "RSSMRA85T10A562S", "pin": "ABCDEFGH"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_pass.status(),
        StatusCode::UNAUTHORIZED,
        "through the gate to a wrong PIN"
    );

    // Once the load has passed (the meter reads the last 10 seconds) and the room's minute is
    // over with nobody waiting, it stands aside: no pass needed.
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    server.set_clock(morning + Duration::seconds(62)).await;
    assert!(!sent_to_the_room(login().await).await, "the room stood aside");
    let open = take_ticket_or_open(&server).await;
    assert_eq!(open["state"], "open", "{open}");
}

#[tokio::test]
async fn the_rate_follows_the_capacity_within_its_bounds_until_an_operator_sets_it() {
    use api::services::queue_control::{QueueOrder, order};
    let data = tempfile::tempdir().unwrap();
    let mut config = api::Config::for_tests(data.path().to_path_buf());
    config.queue.enabled = true;
    config.queue.rate = 10.0;
    assert!(config.queue.follow, "on by default");
    let (state, _) = api::server::local_state(config).unwrap();
    let server = TestServer::serve_state(state.clone(), data).await;
    server.set_clock(opening() - Duration::minutes(5)).await;
    let mut tickets = Vec::new();
    for _ in 0..50 {
        tickets.push(take_ticket(&server).await.0);
    }
    // At the opening, with 50 waiting and nothing shed, the room lets more in: a quarter more.
    server.set_clock(opening() + Duration::seconds(1)).await;
    let _ = status(&server, &tickets[0]).await;
    let room = state.rooms.room_at(state.clock.now()).unwrap().name;
    let rates = state.store.room_state(&room).await.unwrap().unwrap().rates;
    assert_eq!(
        rates.iter().map(|r| (r.per_second, r.automatic)).collect::<Vec<_>>(),
        [(10.0, false), (12.5, true)]
    );
    // An operator sets the rate: from then on it is theirs, however the load goes.
    let now = state.clock.now();
    order(
        state.store.as_ref(),
        &state.rooms,
        None,
        QueueOrder::Rate(20.0),
        "supervisore",
        now,
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    let _ = status(&server, &tickets[1]).await;
    let rates = state.store.room_state(&room).await.unwrap().unwrap().rates;
    assert_eq!(
        rates.iter().map(|r| (r.per_second, r.automatic)).collect::<Vec<_>>(),
        [(10.0, false), (12.5, true), (20.0, false)]
    );
}

#[tokio::test]
async fn an_address_takes_a_limited_number_of_new_tickets_a_minute_and_a_kept_one_is_never_counted() {
    let server = TestServer::start_with(|c| {
        c.queue.enabled = true;
        c.queue.tickets_per_minute = 5;
    })
    .await;
    server.set_clock(opening() - Duration::minutes(10)).await;
    let mut first = None;
    for _ in 0..5 {
        first.get_or_insert(take_ticket(&server).await.0);
    }
    // A sixth new ticket from the same address this minute: 429 with Retry-After (the page's
    // client waits and asks again), and no ticket.
    let refused = server.post("/api/queue/tickets", &json!({})).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(set_cookie(&refused, "sportello_ticket").is_none());
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "rate_limited");
    // A browser presenting its ticket keeps it, however often it asks.
    let first = first.unwrap();
    for _ in 0..10 {
        let kept = server
            .client
            .post(server.url("/api/queue/tickets"))
            .header("cookie", &first)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(kept.status(), 200);
        assert_eq!(set_cookie(&kept, "sportello_ticket").as_ref(), Some(&first));
    }
    // Another address is another client; and the next minute, this one may take again.
    let other = common::client_from("127.0.0.2")
        .post(server.url("/api/queue/tickets"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    server.set_clock(opening() - Duration::minutes(9)).await;
    take_ticket(&server).await;
}

//! [`WaitingRooms`]: tickets numbered in the pre-queue until the opening and in the queue after,
//! each once; the opening fixes the pre-queue, whoever opens and whenever tickets arrive; one
//! place per codice fiscale (the rules of `domain::waiting_room::TicketBook`).

use std::collections::HashSet;

use domain::waiting_room::Arrival;

use super::*;

const ROOM: &str = "2026-12-03T15:00:00Z";

/// The arrivals of `tickets` as `opening` numbers them.
fn arrivals(opening: &RoomOpening, tickets: &[TicketRecord]) -> Vec<Arrival> {
    tickets
        .iter()
        .map(|t| {
            opening
                .arrival(t.drawn)
                .unwrap_or_else(|| panic!("{t:?} has no arrival"))
        })
        .collect()
}

pub async fn tickets_before_the_opening_are_its_pre_queue_and_later_ones_queue_in_order(store: Arc<dyn Store>) {
    // GIVEN 40 browsers taking tickets at once before the opening
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.take_ticket(ROOM, &format!("early-{i}"), t0()).await.unwrap() })
        })
        .collect();
    let mut early = Vec::new();
    for task in tasks {
        early.push(task.await.unwrap());
    }
    assert!(early.iter().all(|t| matches!(t.drawn, Drawn::PreQueue { .. })));
    // A refresh or another tab presents the same ticket: the same number.
    let again = store
        .take_ticket(ROOM, "early-7", t0() + Duration::minutes(9))
        .await
        .unwrap();
    assert_eq!(Some(&again), early.iter().find(|t| t.id == "early-7"));
    assert_eq!(store.ticket(ROOM, "early-7").await.unwrap(), Some(again));
    assert_eq!(store.ticket(ROOM, "nobody").await.unwrap(), None);
    assert_eq!(store.room_opening(ROOM).await.unwrap(), None);

    // WHEN the room opens (twice: the first opening stands)
    let opening = store
        .open_room(ROOM, &[1; 16], 100.0, t0() + Duration::minutes(30))
        .await
        .unwrap();
    let second = store
        .open_room(ROOM, &[2; 16], 5.0, t0() + Duration::minutes(31))
        .await
        .unwrap();
    assert_eq!(second, opening);
    assert_eq!(store.room_opening(ROOM).await.unwrap(), Some(opening.clone()));

    // THEN the pre-queue is exactly those 40, numbered 0..40 once each, whatever the shards
    assert_eq!(opening.pre_queue(), 40);
    let numbers: HashSet<Arrival> = arrivals(&opening, &early).into_iter().collect();
    let expected: HashSet<Arrival> = (0..40).map(|index| Arrival::PreQueue { index }).collect();
    assert_eq!(numbers, expected);
    let line = opening.line([5; 32]);
    let places: HashSet<u64> = arrivals(&opening, &early)
        .into_iter()
        .map(|a| line.place(a).unwrap())
        .collect();
    assert_eq!(places, (0..40).collect::<HashSet<u64>>());

    // AND later tickets queue behind them in the order they came
    let mut late = Vec::new();
    for i in 0..5 {
        late.push(
            store
                .take_ticket(ROOM, &format!("late-{i}"), t0() + Duration::minutes(32 + i))
                .await
                .unwrap(),
        );
    }
    let late_places: Vec<u64> = arrivals(&opening, &late)
        .into_iter()
        .map(|a| line.place(a).unwrap())
        .collect();
    assert_eq!(late_places, [40, 41, 42, 43, 44]);

    // AND the room's state: its opening, the queue's count, the rate's history from the opening
    // (the second opener's rate is not in it), to which an operator's change is appended
    let state = store.room_state(ROOM).await.unwrap().expect("open");
    assert_eq!(
        (state.opening.clone(), state.queue_taken, state.taken()),
        (opening.clone(), 5, 45)
    );
    let opened_at = t0() + Duration::minutes(30);
    assert_eq!(
        state.rates,
        [RateChange {
            from: opened_at,
            per_second: 100.0,
            automatic: false,
        }]
    );
    // The room's own change (following the capacity), then an operator's pause: kept in order,
    // each with who set it.
    let followed = RateChange {
        from: opened_at + Duration::seconds(30),
        per_second: 75.0,
        automatic: true,
    };
    assert!(store.change_rate(ROOM, followed).await.unwrap());
    let pause = RateChange {
        from: opened_at + Duration::seconds(90),
        per_second: 0.0,
        automatic: false,
    };
    assert!(store.change_rate(ROOM, pause).await.unwrap());
    assert_eq!(
        store.room_state(ROOM).await.unwrap().unwrap().rates[1..],
        [followed, pause]
    );
    assert!(
        !store.change_rate("2026-12-09T15:00:00Z", pause).await.unwrap(),
        "a room not open has no rate"
    );
    assert_eq!(store.room_state("2026-12-09T15:00:00Z").await.unwrap(), None);
    // An early ticket keeps its pre-queue number after the opening.
    assert_eq!(
        store
            .take_ticket(ROOM, "early-3", t0() + Duration::hours(1))
            .await
            .unwrap()
            .drawn,
        early[3].drawn
    );
    // Another room counts on its own.
    let other = store
        .take_ticket("2026-12-04T15:00:00Z", "early-0", t0())
        .await
        .unwrap();
    assert!(matches!(other.drawn, Drawn::PreQueue { index: 0, .. }));
}

pub async fn an_opening_amid_arrivals_counts_every_pre_queue_ticket_once(store: Arc<dyn Store>) {
    let room = "2026-12-05T15:00:00Z";
    let takes: Vec<_> = (0..60)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.take_ticket(room, &format!("t-{i}"), t0()).await.unwrap() })
        })
        .collect();
    let openers: Vec<_> = (0..3)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.open_room(room, &[i; 16], 100.0, t0()).await.unwrap() })
        })
        .collect();
    let mut tickets = Vec::new();
    for task in takes {
        tickets.push(task.await.unwrap());
    }
    let mut openings = Vec::new();
    for task in openers {
        openings.push(task.await.unwrap());
    }
    let opening = openings[0].clone();
    assert!(
        openings.iter().all(|o| *o == opening),
        "every opener sees the same opening"
    );
    let pre = tickets
        .iter()
        .filter(|t| matches!(t.drawn, Drawn::PreQueue { .. }))
        .count();
    assert_eq!(
        opening.pre_queue(),
        pre as u64,
        "the pre-queue is the tickets numbered in it"
    );
    let all = arrivals(&opening, &tickets);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 60, "no arrival twice");
    let line = opening.line([9; 32]);
    let places: HashSet<u64> = all.into_iter().map(|a| line.place(a).unwrap()).collect();
    assert_eq!(places, (0..60).collect::<HashSet<u64>>(), "nobody skipped");
}

pub async fn a_codice_fiscale_holds_one_place_the_first_tickets(store: Arc<dyn Store>) {
    let (first, second) = (
        store.take_ticket(ROOM, "phone", t0()).await.unwrap(),
        store.take_ticket(ROOM, "laptop", t0()).await.unwrap(),
    );
    let cf = codice_fiscale(20);
    assert_eq!(
        store.bind_ticket(ROOM, &first.id, &cf).await.unwrap(),
        Some(first.id.clone())
    );
    // The same person from another browser: their place is the first ticket's.
    assert_eq!(
        store.bind_ticket(ROOM, &second.id, &cf).await.unwrap(),
        Some(first.id.clone())
    );
    assert_eq!(
        store.bind_ticket(ROOM, &first.id, &cf).await.unwrap(),
        Some(first.id.clone())
    );
    assert_eq!(
        store.ticket(ROOM, &first.id).await.unwrap().unwrap().codice_fiscale,
        Some(cf.clone())
    );
    assert_eq!(
        store.ticket(ROOM, &second.id).await.unwrap().unwrap().codice_fiscale,
        None
    );
    // A ticket the room never gave binds nothing; another person's place is their own.
    assert_eq!(store.bind_ticket(ROOM, "forged", &cf).await.unwrap(), None);
    let other = codice_fiscale(21);
    assert_eq!(
        store.bind_ticket(ROOM, &second.id, &other).await.unwrap(),
        Some(second.id.clone())
    );
    // Concurrent binds of one person from many browsers: one holder, whom all are told.
    let person = codice_fiscale(22);
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(store.take_ticket(ROOM, &format!("tab-{i}"), t0()).await.unwrap().id);
    }
    let binds: Vec<_> = ids
        .iter()
        .map(|id| {
            let (store, id, person) = (store.clone(), id.clone(), person.clone());
            tokio::spawn(async move { store.bind_ticket(ROOM, &id, &person).await.unwrap().unwrap() })
        })
        .collect();
    let mut holders = HashSet::new();
    for task in binds {
        holders.insert(task.await.unwrap());
    }
    assert_eq!(holders.len(), 1, "{holders:?}");
}

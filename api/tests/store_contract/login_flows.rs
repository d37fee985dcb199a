//! [`LoginFlows`]: a login flow finishes once, however many times its finish is tried, and a
//! finished flow's record never stands in the way of another flow.

use super::*;

/// A flow hash as the OIDC code makes it: hex of a SHA-256, here of a name.
fn flow(name: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(name.as_bytes()))
}

pub async fn a_flow_finishes_once_and_a_replay_is_refused(store: Arc<dyn Store>) {
    let expires = t0() + Duration::minutes(10);
    assert!(store.finish_flow(&flow("a"), expires, t0()).await.unwrap());
    // WHEN the same flow is finished again (a replayed callback), even later, before its expiry
    assert!(!store.finish_flow(&flow("a"), expires, t0()).await.unwrap());
    assert!(
        !store
            .finish_flow(&flow("a"), expires, t0() + Duration::minutes(9))
            .await
            .unwrap()
    );
    // THEN another flow is not affected
    assert!(store.finish_flow(&flow("b"), expires, t0()).await.unwrap());
    assert!(!store.finish_flow(&flow("b"), expires, t0()).await.unwrap());
}

pub async fn of_two_concurrent_finishes_of_one_flow_exactly_one_counts(store: Arc<dyn Store>) {
    let expires = t0() + Duration::minutes(10);
    for round in 0..8 {
        let hash = flow(&format!("race-{round}"));
        // WHEN two finishes of one flow race each other (a captured callback replayed at once)
        let (first, second) = tokio::join!(
            store.finish_flow(&hash, expires, t0()),
            store.finish_flow(&hash, expires, t0())
        );
        // THEN exactly one is the finish
        let finished = [first.unwrap(), second.unwrap()];
        assert_eq!(
            finished.iter().filter(|f| **f).count(),
            1,
            "round {round}: {finished:?}"
        );
    }
    // and of many, spawned on the runtime's threads, also exactly one
    let hash = flow("many");
    let finishes: Vec<_> = (0..8)
        .map(|_| {
            let (store, hash) = (Arc::clone(&store), hash.clone());
            tokio::spawn(async move { store.finish_flow(&hash, expires, t0()).await.unwrap() })
        })
        .collect();
    let mut finished = 0;
    for finish in finishes {
        finished += usize::from(finish.await.unwrap());
    }
    assert_eq!(finished, 1);
}

pub async fn an_expired_flow_s_record_does_not_refuse_a_new_flow(store: Arc<dyn Store>) {
    // GIVEN a flow finished long ago, whose record's time is over
    assert!(
        store
            .finish_flow(&flow("old"), t0() + Duration::minutes(10), t0())
            .await
            .unwrap()
    );
    let later = t0() + Duration::hours(1);
    // WHEN a new flow finishes after it
    // THEN it finishes, once
    assert!(
        store
            .finish_flow(&flow("new"), later + Duration::minutes(10), later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_flow(&flow("new"), later + Duration::minutes(10), later)
            .await
            .unwrap()
    );
}

/// What only the SQLite adapter promises: it forgets expired records as it goes.
mod sqlite_only {
    use super::*;

    fn rows(store: &SqliteStore) -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let mut stmt = conn
            .prepare("SELECT flow_hash, expires_at FROM finished_login_flows ORDER BY flow_hash")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[tokio::test]
    async fn a_finish_removes_the_records_past_their_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        // GIVEN two finished flows, one expiring at t0 + 10 min and one at t0 + 30 min
        let (soon, late) = (t0() + Duration::minutes(10), t0() + Duration::minutes(30));
        assert!(store.finish_flow(&flow("soon"), soon, t0()).await.unwrap());
        assert!(store.finish_flow(&flow("late"), late, t0()).await.unwrap());
        assert_eq!(rows(&store).len(), 2);
        // WHEN another flow finishes at the first one's expiry
        assert!(store.finish_flow(&flow("next"), late, soon).await.unwrap());
        // THEN the expired record is gone, the live ones stay, with their expiry in milliseconds
        let mut expected = vec![
            (flow("late"), late.timestamp_millis()),
            (flow("next"), late.timestamp_millis()),
        ];
        expected.sort();
        assert_eq!(rows(&store), expected);
        // and the live one still refuses its flow
        assert!(!store.finish_flow(&flow("late"), late, soon).await.unwrap());
    }
}

//! [`Throttles`]: attempt counters, reserved all or nothing, never more than the policy allows.

use super::*;

pub async fn of_many_parallel_reservations_no_more_than_the_free_attempts_are_granted(store: Arc<dyn Store>) {
    // GIVEN a policy of 5 attempts at once for one codice fiscale from one client
    let claims = pin_claims("CF1", "ip:127.0.0.2", 5, 30);
    // WHEN 30 attempts are reserved at the same moment
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let (store, claims) = (store.clone(), claims.clone());
            tokio::spawn(async move { store.reserve_attempt(&claims, t0()).await.unwrap() })
        })
        .collect();
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Reservation::Granted => granted += 1,
            Reservation::Delayed(wait) => assert!(wait > Duration::zero() && wait <= Duration::seconds(30)),
        }
    }
    // THEN exactly 5 go, both counters hold 5, and the fifth set the first wait
    assert_eq!(granted, 5);
    let pair = store.throttle(&claims[0].key).await.unwrap().unwrap();
    assert_eq!(pair.attempts, 5);
    assert_eq!(pair.blocked_until, Some(t0() + Duration::seconds(30)));
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 5);
}

pub async fn each_further_attempt_doubles_the_wait_and_a_delayed_one_changes_no_counter(store: Arc<dyn Store>) {
    let claims = pin_claims("CF2", "ip:127.0.0.3", 2, 30);
    let reserve = |at| {
        let (store, claims) = (store.clone(), claims.clone());
        async move { store.reserve_attempt(&claims, at).await.unwrap() }
    };
    assert_eq!(reserve(t0()).await, Reservation::Granted);
    assert_eq!(reserve(t0()).await, Reservation::Granted);
    assert_eq!(
        reserve(t0() + Duration::seconds(10)).await,
        Reservation::Delayed(Duration::seconds(20))
    );
    // The delayed attempt counted nowhere.
    assert_eq!(store.throttle(&claims[0].key).await.unwrap().unwrap().attempts, 2);
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 2);
    let later = t0() + Duration::seconds(30);
    assert_eq!(reserve(later).await, Reservation::Granted);
    assert_eq!(
        reserve(later + Duration::seconds(1)).await,
        Reservation::Delayed(Duration::seconds(59))
    );
    let later = later + Duration::seconds(60);
    assert_eq!(reserve(later).await, Reservation::Granted);
    assert_eq!(reserve(later).await, Reservation::Delayed(Duration::seconds(120)));

    // Another codice fiscale from the same client is not slowed by this one...
    let other = pin_claims("CF3", "ip:127.0.0.3", 2, 30);
    assert_eq!(
        store.reserve_attempt(&other, later).await.unwrap(),
        Reservation::Granted
    );
    // ...until the client's own count makes it wait (its sixth attempt, under a rule of 5); then
    // neither counter takes an attempt.
    let tight = pin_claims("CF4", "ip:127.0.0.3", 2, 5);
    assert_eq!(
        store.reserve_attempt(&tight, later).await.unwrap(),
        Reservation::Granted
    );
    let elsewhere = pin_claims("CF7", "ip:127.0.0.3", 2, 5);
    assert!(matches!(
        store.reserve_attempt(&elsewhere, later).await.unwrap(),
        Reservation::Delayed(_)
    ));
    assert_eq!(store.throttle(&elsewhere[0].key).await.unwrap(), None);
    assert_eq!(store.throttle(&elsewhere[1].key).await.unwrap().unwrap().attempts, 6);

    // A day after the window's first attempt, and with no wait due, the count starts again.
    let next_day = t0() + Duration::hours(25);
    assert_eq!(reserve(next_day).await, Reservation::Granted);
    let pair = store.throttle(&claims[0].key).await.unwrap().unwrap();
    assert_eq!((pair.attempts, pair.blocked_until), (1, None));
    assert_eq!(pair.window_ends, next_day + Duration::hours(24));
}

pub async fn a_released_attempt_is_given_back_and_a_forgotten_counter_is_gone(store: Arc<dyn Store>) {
    let claims = pin_claims("CF5", "ip:127.0.0.4", 5, 30);
    for _ in 0..3 {
        store.reserve_attempt(&claims, t0()).await.unwrap();
    }
    store.release_attempt(&claims[1].key).await.unwrap();
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 2);
    store.forget_attempts(&claims[0].key).await.unwrap();
    assert_eq!(store.throttle(&claims[0].key).await.unwrap(), None);
    // Nothing to give back: no counter, or one at zero, stays as it is.
    store.release_attempt(&claims[0].key).await.unwrap();
    assert_eq!(store.throttle(&claims[0].key).await.unwrap(), None);
    for _ in 0..3 {
        store.release_attempt(&claims[1].key).await.unwrap();
    }
    assert_eq!(store.throttle(&claims[1].key).await.unwrap().unwrap().attempts, 0);
}

pub async fn parallel_counts_are_each_counted_once_and_start_again_after_the_window(store: Arc<dyn Store>) {
    let day = ThrottleKey::day(Principal::Citizen("CF6"));
    let window = Duration::hours(24);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, day) = (store.clone(), day.clone());
            tokio::spawn(async move { store.count_attempt(&day, window, t0()).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=20).collect::<Vec<u32>>());
    let counted = store.throttle(&day).await.unwrap().unwrap();
    assert_eq!((counted.attempts, counted.window_ends), (20, t0() + window));
    assert_eq!(store.count_attempt(&day, window, t0() + window).await.unwrap(), 1);
    // The same string as an operator's username is another counter.
    assert_eq!(
        store
            .throttle(&ThrottleKey::day(Principal::Operator("CF6")))
            .await
            .unwrap(),
        None
    );
}

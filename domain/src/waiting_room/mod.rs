//! The waiting room's rules for click day (issue 15): fair by construction, with nothing to gain
//! from arriving first, refreshing, opening ten tabs or retrying harder.
//!
//! - Everyone who takes a ticket during the **pre-queue** (a configured period before an opening)
//!   gets a uniformly random place among all of them, fixed when the room opens ([`order`], by a
//!   keyed permutation, [`shuffle`]); later tickets queue behind them in arrival order.
//! - The room lets places in at a **rate** ([`admissions`]), paused, resumed or changed by an
//!   operator, from the opening on; a place is let in once, in order.
//! - **One place per ticket and per codice fiscale** ([`TicketBook`]): a browser presenting its
//!   ticket keeps it; once a ticket's codice fiscale is known, that person holds one place.
//!
//! The store adapters keep the counters and the ticket records; these are the rules they follow,
//! and [`TicketBook`] is the reference the store contract suite compares them with.

pub mod admissions;
pub mod order;
pub mod shuffle;

use std::collections::HashMap;

pub use admissions::{Admissions, RateError, Segment, wait_range};
pub use order::{Arrival, Line};
pub use shuffle::Shuffle;

/// A ticket's identity: a random value the browser keeps in an HttpOnly cookie.
pub type TicketId = String;

/// What a ticket records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// When it was taken, relative to the opening, with its number.
    pub arrival: Arrival,
    /// The codice fiscale it was used with, once known.
    pub codice_fiscale: Option<String>,
}

/// The tickets of one opening, as the rules want them kept.
#[derive(Debug, Clone, Default)]
pub struct TicketBook {
    tickets: HashMap<TicketId, Ticket>,
    holder_of: HashMap<String, TicketId>,
    pre_queue: u64,
    queue: u64,
    opened: bool,
}

impl TicketBook {
    /// An empty book, before its opening.
    pub fn new() -> TicketBook {
        TicketBook::default()
    }

    /// The ticket of a browser that presents `presented` (its cookie, if any) or, when it has
    /// none the book knows, a new ticket `fresh` numbered in the pre-queue or in the queue. A
    /// refresh, a retry or another tab of the same browser presents the same ticket and keeps
    /// its place.
    pub fn take(&mut self, presented: Option<&str>, fresh: TicketId) -> TicketId {
        if let Some(id) = presented
            && self.tickets.contains_key(id)
        {
            return id.to_owned();
        }
        let arrival = if self.opened {
            self.queue += 1;
            Arrival::Queue { index: self.queue - 1 }
        } else {
            self.pre_queue += 1;
            Arrival::PreQueue {
                index: self.pre_queue - 1,
            }
        };
        self.tickets.insert(
            fresh.clone(),
            Ticket {
                arrival,
                codice_fiscale: None,
            },
        );
        fresh
    }

    /// The opening: the pre-queue is closed, its line fixed under `key`.
    pub fn open(&mut self, key: [u8; 32]) -> Line {
        self.opened = true;
        Line::new(key, self.pre_queue)
    }

    /// Records that `ticket` is used for `codice_fiscale`, and answers which ticket holds that
    /// person's place: the first ticket used with it. A second browser's ticket of the same
    /// person does not give them a second place (its own place is left empty).
    pub fn bind(&mut self, ticket: &str, codice_fiscale: &str) -> Option<TicketId> {
        let record = self.tickets.get_mut(ticket)?;
        if let Some(holder) = self.holder_of.get(codice_fiscale) {
            return Some(holder.clone());
        }
        record.codice_fiscale = Some(codice_fiscale.to_owned());
        self.holder_of.insert(codice_fiscale.to_owned(), ticket.to_owned());
        Some(ticket.to_owned())
    }

    /// The ticket `id`, if the book has it.
    pub fn ticket(&self, id: &str) -> Option<&Ticket> {
        self.tickets.get(id)
    }

    /// How many tickets were taken before the opening, and after.
    pub fn counts(&self) -> (u64, u64) {
        (self.pre_queue, self.queue)
    }
}

#[cfg(test)]
mod fairness_tests {
    //! The Must-show statistics of issue 15: the pre-queue's order is a uniform random
    //! permutation, whatever the arrival order.
    use sha2::{Digest, Sha256};

    use super::*;

    fn key(seed: u64) -> [u8; 32] {
        Sha256::digest(seed.to_be_bytes()).into()
    }

    /// Spearman's rank correlation of two permutations of 0..n (no ties).
    fn spearman(places: &[u64]) -> f64 {
        let n = places.len() as f64;
        let d2: f64 = places
            .iter()
            .enumerate()
            .map(|(i, &p)| (i as f64 - p as f64).powi(2))
            .sum();
        1.0 - 6.0 * d2 / (n * (n * n - 1.0))
    }

    #[test]
    fn arriving_early_or_late_in_the_pre_queue_makes_no_difference_to_the_place() {
        let n = 10_000u64;
        for seed in 0..3 {
            let line = Line::new(key(seed), n);
            let places: Vec<u64> = (0..n)
                .map(|index| line.place(Arrival::PreQueue { index }).unwrap())
                .collect();
            // A permutation: every place once.
            let mut sorted = places.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            // No rank correlation between arrival and place (σ ≈ 1/√n = 0.01).
            let rho = spearman(&places);
            assert!(rho.abs() < 0.05, "seed {seed}: ρ = {rho}");
            // Arrival decile × place decile: every cell near n/100 (χ², 81 degrees of freedom;
            // 131 is the 0.01 % critical value).
            let mut cells = [[0u32; 10]; 10];
            for (index, &place) in places.iter().enumerate() {
                cells[index * 10 / n as usize][place as usize * 10 / n as usize] += 1;
            }
            let expected = n as f64 / 100.0;
            let chi2: f64 = cells
                .iter()
                .flatten()
                .map(|&c| (c as f64 - expected).powi(2) / expected)
                .sum();
            assert!(chi2 < 131.0, "seed {seed}: χ² = {chi2}");
            println!("seed {seed}: ρ = {rho:+.4}, χ² (81 df) = {chi2:.1}");
        }
    }

    #[test]
    fn the_first_arrival_is_as_likely_to_be_anywhere_as_the_last() {
        // Over 2,000 openings, where do the first and the last of 1,000 pre-queue tickets stand?
        // Each decile of the line about 200 times (χ², 9 degrees of freedom; 33.7 is the 0.01 %
        // critical value).
        for index in [0u64, 999] {
            let mut deciles = [0u32; 10];
            for seed in 0..2_000 {
                let place = Line::new(key(1_000_000 + seed), 1_000)
                    .place(Arrival::PreQueue { index })
                    .unwrap();
                deciles[(place / 100) as usize] += 1;
            }
            let chi2: f64 = deciles.iter().map(|&c| (c as f64 - 200.0).powi(2) / 200.0).sum();
            assert!(chi2 < 33.7, "arrival {index}: {deciles:?}, χ² = {chi2}");
        }
    }

    #[test]
    fn a_refresh_another_tab_or_a_retry_keeps_the_one_place_and_a_person_holds_one() {
        let mut book = TicketBook::new();
        let mine = book.take(None, "t-mine".into());
        // The same browser again, ten times: the same ticket, no new arrival.
        for _ in 0..10 {
            assert_eq!(book.take(Some(&mine), format!("t-{}", rand_like())), mine);
        }
        // A ticket the book never issued is a new arrival, not a place of someone else's.
        let other = book.take(Some("forged"), "t-other".into());
        assert_eq!(book.counts(), (2, 0));
        let line = book.open(key(42));
        let later = book.take(None, "t-later".into());
        assert_eq!(book.ticket(&later).unwrap().arrival, Arrival::Queue { index: 0 });
        assert_eq!(line.place(book.ticket(&later).unwrap().arrival), Some(2));
        // One person, two browsers: the place is the first ticket's they used.
        assert_eq!(book.bind(&mine, "RSSMRA85T10A562S"), Some(mine.clone()));
        assert_eq!(book.bind(&other, "RSSMRA85T10A562S"), Some(mine.clone()));
        assert_eq!(book.ticket(&other).unwrap().codice_fiscale, None);
        assert_eq!(book.bind("unknown", "RSSMRA85T10A562S"), None);
    }

    /// A value that changes between calls, standing for a fresh random ticket id.
    fn rand_like() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }
}

//! The pre-queue's random order without sorting anything: a keyed pseudorandom permutation of
//! `0..n`, so that the ticket taken `i`-th before an opening stands at place `shuffle.place(i)`.
//! The key is drawn when the room opens (and kept secret: knowing it would tell a citizen their
//! place in advance), `n` is the number of tickets taken before the opening; a place is computed
//! when it is asked for, so 100,000 tickets need no write at 16:00 and no hot key.
//!
//! A balanced Feistel network of [`ROUNDS`] rounds, each an HMAC-SHA256 of the round number and
//! the right half under the key (Luby–Rackoff: four rounds of a pseudorandom function already
//! give a strong pseudorandom permutation), over the smallest even number of bits that holds
//! `n`, cycle-walked (Black–Rogaway) until the result is below `n`, which keeps it a bijection of
//! `0..n`. Written here because no maintained crate offers a keyed permutation of an arbitrary
//! range (format-preserving encryption crates give FF1/FF3 over digit strings, with AES; this
//! needs only the HMAC the project already uses); ADR 0022 has the test vectors.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Rounds of the Feistel network: four suffice for a strong pseudorandom permutation; six leave
/// a margin for small domains, where each half has only a few bits.
pub const ROUNDS: u8 = 6;

/// A keyed permutation of `0..n`.
#[derive(Clone)]
pub struct Shuffle {
    key: [u8; 32],
    n: u64,
    /// Bits of each half: `2 * half_bits` bits hold every number below `n`.
    half_bits: u32,
}

impl std::fmt::Debug for Shuffle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key: it would reveal every place.
        f.debug_struct("Shuffle").field("n", &self.n).finish_non_exhaustive()
    }
}

impl Shuffle {
    /// The permutation of `0..n` under `key`.
    pub fn new(key: [u8; 32], n: u64) -> Shuffle {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        Shuffle {
            key,
            n,
            half_bits: bits.div_ceil(2).max(1),
        }
    }

    /// How many places it orders.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether it orders nobody.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The place (`0..n`) of the `index`-th arrival (`index < n`).
    ///
    /// # Panics
    /// When `index` is not below `n`: the caller knows how many arrived before the opening.
    pub fn place(&self, index: u64) -> u64 {
        assert!(index < self.n, "arrival {index} of {}", self.n);
        let mut x = index;
        // Cycle-walking: the network permutes 0..2^(2·half_bits), at most four times n; walking
        // from a number below n through the network's cycle until it lands below n again is a
        // bijection of 0..n. Expected steps: under 4.
        loop {
            x = self.network(x);
            if x < self.n {
                return x;
            }
        }
    }

    fn network(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for round in 0..ROUNDS {
            let next = left ^ (self.round(round, right) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    fn round(&self, round: u8, half: u64) -> u64 {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(&[round]);
        mac.update(&half.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        u64::from_be_bytes(digest[..8].try_into().expect("32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> [u8; 32] {
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = seed.wrapping_mul(31).wrapping_add(i as u8);
        }
        key
    }

    #[test]
    fn it_is_a_bijection_of_zero_to_n_for_any_n() {
        for n in [1u64, 2, 3, 4, 5, 7, 8, 15, 16, 17, 100, 1000, 1023, 1024, 1025, 4097] {
            let shuffle = Shuffle::new(key(n as u8), n);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let p = shuffle.place(i);
                assert!(p < n, "n={n}: place {p}");
                assert!(!seen[p as usize], "n={n}: place {p} twice");
                seen[p as usize] = true;
            }
        }
    }

    /// Fixed vectors (ADR 0022): a change to the network, the rounds or the cycle-walking that
    /// would reorder a running room is caught here.
    #[test]
    fn test_vectors() {
        let zero = Shuffle::new([0u8; 32], 10);
        let places: Vec<u64> = (0..10).map(|i| zero.place(i)).collect();
        let mut sorted = places.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_eq!(places, VECTOR_ZERO_KEY_10);
        let big = Shuffle::new(key(7), 100_000);
        assert_eq!([big.place(0), big.place(1), big.place(99_999)], VECTOR_KEY7_100000);
    }

    const VECTOR_ZERO_KEY_10: [u64; 10] = [1, 3, 9, 7, 8, 6, 4, 0, 2, 5];
    const VECTOR_KEY7_100000: [u64; 3] = [77906, 26482, 67131];

    #[test]
    fn another_key_gives_another_order() {
        let a = Shuffle::new(key(1), 1000);
        let b = Shuffle::new(key(2), 1000);
        let same = (0..1000).filter(|&i| a.place(i) == b.place(i)).count();
        // Two independent permutations agree in about one place (the expected number of fixed
        // points of a random permutation is 1).
        assert!(same < 10, "{same} places agree");
    }

    #[test]
    fn the_key_is_never_printed() {
        let printed = format!("{:?}", Shuffle::new([0xab; 32], 5));
        assert!(
            !printed.contains("171") && !printed.to_lowercase().contains("ab, "),
            "{printed}"
        );
    }
}

//! What checking a PIN costs: the HMAC-SHA256 the service uses against argon2id with its default
//! parameters (the alternative weighed in docs/adr/0004). Prints per-check times and how many
//! checks one core does per second. Run with `cargo bench -p api --bench pin_hash`.

use std::hint::black_box;
use std::time::Instant;

use api::secrets::{PinHalf, PinKey};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

fn per_check(label: &str, iterations: u32, mut check: impl FnMut() -> bool) {
    // Warm up, then time.
    for _ in 0..iterations.min(3) {
        black_box(check());
    }
    let start = Instant::now();
    for _ in 0..iterations {
        assert!(black_box(check()));
    }
    let each = start.elapsed() / iterations;
    let per_second = 1.0 / each.as_secs_f64();
    println!(
        "{label:<42} {:>12.3} µs/check {:>14.0} checks/s/core",
        each.as_secs_f64() * 1e6,
        per_second
    );
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` (an unoptimised build) a few checks show
    // the code still runs, and the figures mean nothing.
    let measuring = std::env::args().any(|a| a == "--bench");
    let (hmac_checks, argon_checks) = if measuring { (200_000, 20) } else { (10, 1) };
    if !measuring {
        println!("(smoke run under cargo test: figures not meaningful)");
    }
    let key = PinKey::generate();
    let cf = "RSSMRA85T10H501O";
    let stored = key.hash_half(cf, PinHalf::First, "ABCDEFGH");
    per_check("HMAC-SHA256 (keyed, used)", hmac_checks, || {
        key.verify_half(cf, PinHalf::First, "ABCDEFGH", &stored)
    });

    let argon = Argon2::default();
    let salt = SaltString::from_b64("c3BvcnRlbGxvc2FsdA").expect("valid salt");
    let hash = argon.hash_password(b"ABCDEFGH", &salt).expect("hash").to_string();
    let parsed = PasswordHash::new(&hash).expect("parse");
    per_check("argon2id default (m=19 MiB, t=2, p=1)", argon_checks, || {
        argon.verify_password(b"ABCDEFGH", &parsed).is_ok()
    });
}

//! One argon2id verification at Varco's parameters (the hasher a login uses), timed: the
//! floor a login's time is held against in `scripts/bench`. Prints the median of `runs`.
//!
//! Usage: argon2 <runs>

use std::time::Instant;
use varco_domain::base::crypto::SecretHasher;
use varco_domain::base::random::OsRandom;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map_or(50, |n| n.parse().expect("runs"));
    let hasher = SecretHasher::new();
    let stored = hasher.hash("Lampone-Azzurro-42", &OsRandom);
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            assert!(hasher.verify("Lampone-Azzurro-42", Some(&stored)));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({ "argon2_verify_p50_ms": times[runs / 2], "runs": runs })
    );
}

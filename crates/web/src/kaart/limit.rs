//! A small per-address rate limit for the wijzer's public steps
//! (`/wijzer/situatie`, `/wijzer/resultaat`), which write nothing and so leave
//! no audit entry to count. (Requests for help, which are written, are limited
//! from the audit log instead; see `wijzer::ask_professional`.)
//!
//! It lives in the process's memory: with several processes behind a load
//! balancer each counts on its own, which still bounds a flood per process.
//! Losing it on a restart is harmless: it guards only against load.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

type Buckets = HashMap<(&'static str, String), (Instant, u32)>;

fn buckets() -> &'static Mutex<Buckets> {
    static B: OnceLock<Mutex<Buckets>> = OnceLock::new();
    B.get_or_init(|| Mutex::new(HashMap::new()))
}

/// May `client` use `bucket` once more? At most `max` times per `window`.
pub fn allow(bucket: &'static str, client: &str, max: u32, window: Duration) -> bool {
    let now = Instant::now();
    let Ok(mut b) = buckets().lock() else {
        // A poisoned lock means a panic elsewhere; do not lock residents out.
        return true;
    };
    if b.len() > 50_000 {
        b.retain(|_, (start, _)| now.duration_since(*start) < window);
    }
    let entry = b.entry((bucket, client.to_owned())).or_insert((now, 0));
    if now.duration_since(entry.0) >= window {
        *entry = (now, 0);
    }
    entry.1 += 1;
    entry.1 <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_per_address_and_bucket() {
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert!(allow("test-a", "10.0.0.1", 3, w));
        }
        assert!(
            !allow("test-a", "10.0.0.1", 3, w),
            "the fourth request in the window is refused"
        );
        assert!(
            allow("test-a", "10.0.0.2", 3, w),
            "another address has its own count"
        );
        assert!(
            allow("test-b", "10.0.0.1", 3, w),
            "another form has its own count"
        );
    }

    #[test]
    fn the_count_starts_again_after_the_window() {
        let w = Duration::from_millis(30);
        assert!(allow("test-c", "x", 1, w));
        assert!(!allow("test-c", "x", 1, w));
        std::thread::sleep(Duration::from_millis(40));
        assert!(allow("test-c", "x", 1, w));
    }
}

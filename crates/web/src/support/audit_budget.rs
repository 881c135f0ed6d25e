//! How many anonymous refusals get an audit entry.
//!
//! A request for a protected route without a session or token is refused and
//! audited (outcome `unauthenticated`, no user). Anyone on the internet can send
//! such requests as fast as they like, and each audit entry is a write on the one
//! hash chain that every other action also appends to. So per client address at
//! most [`AuditBudget::PER_MINUTE`] of them are written per minute, per process;
//! the last one allowed says that further attempts in that minute are not
//! written. The refusal itself (redirect to the login page, or 401) never
//! depends on the budget. Logged-in users' refusals are always audited: they are
//! bounded by their own session and are the ones that matter most.
//!
//! The count lives in the process's memory, like the wijzer's rate limit: with
//! several processes each counts on its own, which still bounds a flood.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Write the entry.
    Audit,
    /// Write the entry and say that the address has reached its limit.
    AuditLast,
    /// Do not write an entry.
    Skip,
}

#[derive(Debug, Default)]
pub struct AuditBudget {
    buckets: Mutex<HashMap<String, (Instant, u32)>>,
}

impl AuditBudget {
    pub const PER_MINUTE: u32 = 20;
    const WINDOW: Duration = Duration::from_secs(60);

    /// Takes one from `client`'s budget at `now`.
    pub fn take(&self, client: &str, now: Instant) -> Budget {
        let Ok(mut b) = self.buckets.lock() else {
            // A poisoned lock means a panic elsewhere; audit rather than lose entries.
            return Budget::Audit;
        };
        if b.len() > 50_000 {
            b.retain(|_, (start, _)| now.duration_since(*start) < Self::WINDOW);
        }
        let entry = b.entry(client.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Self::WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        match entry.1.cmp(&Self::PER_MINUTE) {
            std::cmp::Ordering::Less => Budget::Audit,
            std::cmp::Ordering::Equal => Budget::AuditLast,
            std::cmp::Ordering::Greater => Budget::Skip,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_budget_per_minute_and_others_their_own() {
        let b = AuditBudget::default();
        let t0 = Instant::now();
        for _ in 1..AuditBudget::PER_MINUTE {
            assert_eq!(b.take("10.0.0.1", t0), Budget::Audit);
        }
        assert_eq!(b.take("10.0.0.1", t0), Budget::AuditLast);
        assert_eq!(
            b.take("10.0.0.1", t0 + Duration::from_secs(59)),
            Budget::Skip
        );
        assert_eq!(b.take("10.0.0.2", t0), Budget::Audit, "own budget");
        assert_eq!(
            b.take("10.0.0.1", t0 + Duration::from_secs(60)),
            Budget::Audit,
            "a new minute, a new budget"
        );
    }
}

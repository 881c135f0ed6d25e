//! Slowing down password guessing without letting a stranger lock anyone out.
//!
//! Wrong passwords are counted per client address and per account name — the
//! name as typed, whether or not such an account exists, so the answer never
//! tells which names are real. The first [`LoginThrottle::FREE`] failures of a
//! name cost nothing; after that each next attempt must wait a delay that
//! doubles per failure, up to [`LoginThrottle::ACCOUNT_CAP`] (so someone trying
//! a name from many addresses slows the account down but never shuts its holder
//! out for long). An address gets more free failures
//! ([`LoginThrottle::ADDRESS_FREE`]: an office behind one NAT address shares
//! it) and waits at most [`LoginThrottle::ADDRESS_CAP`]. A
//! successful login clears its name's count. A count is forgotten after
//! [`LoginThrottle::FORGET_AFTER`] without failures.
//!
//! An attempt is counted when it starts, not when its password check ends, so
//! a burst of parallel guesses is throttled like the same guesses one by one.
//!
//! The counts live in the process's memory, like the other rate limits: with
//! several processes each counts on its own, which still bounds guessing. The
//! database keeps the account's own count of wrong passwords (to tell its
//! holder at the next login), which no stranger can turn into a lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct LoginThrottle {
    addresses: Mutex<HashMap<String, Failures>>,
    accounts: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// An attempt that was let through and counted as a failure until it is
/// known to have succeeded.
#[derive(Debug)]
#[must_use = "report a successful login with `LoginThrottle::succeeded`"]
pub struct Attempt {
    address: String,
    account: String,
}

impl LoginThrottle {
    /// Failures of a name that cost no delay.
    pub const FREE: u32 = 5;
    /// The longest an account name makes anyone wait.
    pub const ACCOUNT_CAP: Duration = Duration::from_secs(60);
    /// Failures from an address that cost no delay.
    pub const ADDRESS_FREE: u32 = 20;
    /// The longest an address has to wait.
    pub const ADDRESS_CAP: Duration = Duration::from_secs(5 * 60);
    /// A count is forgotten after this long without a failure.
    pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

    /// The wait after `count` failures of which `free` cost nothing, at most `cap`.
    pub fn delay(count: u32, free: u32, cap: Duration) -> Duration {
        if count < free {
            return Duration::ZERO;
        }
        let doublings = (count - free).min(20);
        Duration::from_secs(1u64 << doublings).min(cap)
    }

    /// Lets an attempt for `account` from `address` through, counting it as a
    /// failure — or says how long to wait first.
    pub fn attempt(&self, address: &str, account: &str, now: Instant) -> Result<Attempt, Duration> {
        let (Ok(mut addresses), Ok(mut accounts)) = (self.addresses.lock(), self.accounts.lock())
        else {
            // A poisoned lock means a panic elsewhere; still let people log in.
            return Ok(Attempt {
                address: address.to_owned(),
                account: account.to_owned(),
            });
        };
        let wait = |map: &HashMap<String, Failures>, key: &str, free: u32, cap: Duration| {
            map.get(key)
                .filter(|f| now.duration_since(f.last) < Self::FORGET_AFTER)
                .map(|f| (f.last + Self::delay(f.count, free, cap)).saturating_duration_since(now))
                .unwrap_or(Duration::ZERO)
        };
        let by_address = wait(&addresses, address, Self::ADDRESS_FREE, Self::ADDRESS_CAP);
        let by_name = wait(&accounts, account, Self::FREE, Self::ACCOUNT_CAP);
        let longest = by_address.max(by_name);
        if !longest.is_zero() {
            return Err(longest);
        }
        for (map, key) in [(&mut *addresses, address), (&mut *accounts, account)] {
            if map.len() > 100_000 {
                map.retain(|_, f| now.duration_since(f.last) < Self::FORGET_AFTER);
            }
            let f = map.entry(key.to_owned()).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(f.last) >= Self::FORGET_AFTER {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.last = now;
        }
        Ok(Attempt {
            address: address.to_owned(),
            account: account.to_owned(),
        })
    }

    /// The attempt logged in: its name starts afresh, and it no longer counts
    /// against its address.
    pub fn succeeded(&self, attempt: Attempt) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(&attempt.account);
        }
        if let Ok(mut addresses) = self.addresses.lock() {
            if let Some(f) = addresses.get_mut(&attempt.address) {
                f.count = f.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_at_the_cap() {
        let (free, cap) = (LoginThrottle::FREE, LoginThrottle::ACCOUNT_CAP);
        assert_eq!(LoginThrottle::delay(4, free, cap), Duration::ZERO);
        assert_eq!(LoginThrottle::delay(5, free, cap), Duration::from_secs(1));
        assert_eq!(LoginThrottle::delay(6, free, cap), Duration::from_secs(2));
        assert_eq!(LoginThrottle::delay(10, free, cap), Duration::from_secs(32));
        assert_eq!(LoginThrottle::delay(11, free, cap), cap);
        assert_eq!(LoginThrottle::delay(u32::MAX, free, cap), cap);
    }

    #[test]
    fn an_account_name_is_throttled_from_every_address_and_recovers() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..LoginThrottle::FREE {
            let _ = t.attempt(&format!("10.0.0.{i}"), "anna", t0).unwrap();
        }
        let wait = t.attempt("10.0.0.99", "anna", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(t.attempt("10.0.0.99", "bob", t0).is_ok(), "another name");
        let later = t0 + Duration::from_secs(1);
        let ok = t.attempt("10.0.0.99", "anna", later).unwrap();
        assert_eq!(
            t.attempt("10.0.0.99", "anna", later).unwrap_err(),
            Duration::from_secs(2),
            "the next wait is twice as long"
        );
        t.succeeded(ok);
        assert!(
            t.attempt("10.0.0.1", "anna", later).is_ok(),
            "a login clears the name"
        );
    }

    #[test]
    fn an_address_is_throttled_for_every_name_it_tries() {
        let t = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..LoginThrottle::ADDRESS_FREE {
            let _ = t.attempt("192.0.2.7", &format!("naam{i}"), t0).unwrap();
        }
        assert!(t.attempt("192.0.2.7", "nog-een-naam", t0).is_err());
        assert!(t.attempt("192.0.2.8", "nog-een-naam", t0).is_ok());
        assert!(
            t.attempt("192.0.2.7", "x", t0 + LoginThrottle::FORGET_AFTER)
                .is_ok(),
            "forgotten after an hour"
        );
    }
}

//! Password hashing with argon2id. Hashing is slow and memory-hungry on
//! purpose (19 MiB per check), so it runs on the blocking pool, never on the
//! async workers — and at most one check per core at a time.
//!
//! Without that bound, anyone could send logins in parallel: 48 at once took
//! the server from 18 MB to over 1 GB, and the allocator did not give it back.
//! Now excess checks wait in line for [`QUEUE_WAIT`]; one that still has no
//! turn gets [`Busy`], which the web layer answers with 503 and `Retry-After`.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Busy(#[from] Busy),
}

/// Every slot for a password check stayed taken for [`QUEUE_WAIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password check slot is taken; try again in {RETRY_AFTER_SECS} s")]
pub struct Busy;

impl From<HashError> for super::error::AppError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy(busy) => busy.into(),
            failed => super::error::AppError::internal("hashing the password")(failed),
        }
    }
}

impl From<Busy> for super::error::AppError {
    fn from(_: Busy) -> Self {
        super::error::AppError::Busy {
            retry_after_secs: RETRY_AFTER_SECS,
        }
    }
}

/// Passwords refused for a new password on this server: the published demo
/// password, unless the database is the demo.
pub fn refused_passwords(demo: bool) -> &'static [&'static str] {
    if demo {
        &[]
    } else {
        &[baken_domain::user::DEMO_PASSWORD]
    }
}

/// The Dutch message for a password the policy refuses.
pub fn password_problem(e: &baken_domain::user::UserError) -> String {
    use baken_domain::user::UserError;
    use baken_domain::Password;
    match e {
        UserError::PasswordKnown => "Dit wachtwoord is openbaar (het is het wachtwoord van de demo). Kies een ander wachtwoord.".to_owned(),
        UserError::PasswordWeak => "Dit wachtwoord is te makkelijk te raden. Kies bijvoorbeeld drie of vier losse woorden die niet bij elkaar horen, of een langere zin.".to_owned(),
        _ => format!(
            "Kies een wachtwoord van minstens {} en hoogstens {} tekens.",
            Password::MIN,
            Password::MAX
        ),
    }
}

/// How long a check waits for its turn before [`Busy`].
pub const QUEUE_WAIT: Duration = Duration::from_secs(3);
/// What `Retry-After` says when a check was [`Busy`].
pub const RETRY_AFTER_SECS: u64 = 5;

/// At most one hash per core at a time (19 MiB each).
pub fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(max_concurrent_hashes()))
}

/// Checks running now, and the most that ever ran at once (what the bound
/// promises, and what its test checks).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most password checks that ran at the same time in this process.
pub fn peak_concurrent_hashes() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Runs `work` on the blocking pool once a slot is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<Option<T>, Busy> {
    let permit = tokio::time::timeout(QUEUE_WAIT, slots().acquire())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    let result = tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await
    .ok();
    drop(permit);
    Ok(result)
}

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

/// Constant-time verification against a stored PHC string. A malformed hash
/// verifies as false.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

pub async fn hash_password_async(password: String) -> Result<String, HashError> {
    bounded(move || hash_password(&password))
        .await?
        .unwrap_or_else(|| Err(HashError::Failed("the hashing task ended".into())))
}

/// Whether `password` matches `stored`; [`Busy`] when no slot came free in time.
pub async fn verify_password_async(password: String, stored: String) -> Result<bool, Busy> {
    Ok(bounded(move || verify_password(&password, &stored))
        .await?
        .unwrap_or(false))
}

/// A hash to verify against when the user name is unknown, so that a login for
/// an unknown name takes as long as one for a known name.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("dummy-password-for-timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_checks_run_at_once_than_there_are_cores() {
        let stored = dummy_hash().to_owned();
        let checks = (0..4 * max_concurrent_hashes() + 8).map(|_| {
            let stored = stored.clone();
            tokio::spawn(async move { verify_password_async("guess".into(), stored).await })
        });
        let mut busy = 0;
        for check in checks {
            match check.await.unwrap() {
                Ok(ok) => assert!(!ok),
                Err(Busy) => busy += 1,
            }
        }
        assert!(
            peak_concurrent_hashes() <= max_concurrent_hashes(),
            "peak {} > {}",
            peak_concurrent_hashes(),
            max_concurrent_hashes()
        );
        assert!(peak_concurrent_hashes() >= 1);
        let _ = busy;
    }
}

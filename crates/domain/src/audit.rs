//! The audit log's content and its hash chain (modelled on NEN 7513).
//!
//! Each entry holds the hash of the one before it; the hash covers every field,
//! the entry's sequence number and the previous hash, so changing, removing or
//! reordering any entry breaks the chain from that entry on.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

/// The hash that the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    Read,
    Search,
    Create,
    Update,
    Delete,
    Export,
    Login,
    Logout,
    /// A request for a route, recorded when it is refused.
    Access,
}

impl AuditAction {
    pub const ALL: [AuditAction; 9] = [
        AuditAction::Read,
        AuditAction::Search,
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Delete,
        AuditAction::Export,
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::Access,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Search => "search",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Export => "export",
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::Access => "access",
        }
    }
    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
    /// Dutch label for the interface.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Read => "ingezien",
            AuditAction::Search => "gezocht",
            AuditAction::Create => "aangemaakt",
            AuditAction::Update => "gewijzigd",
            AuditAction::Delete => "verwijderd",
            AuditAction::Export => "geëxporteerd",
            AuditAction::Login => "ingelogd",
            AuditAction::Logout => "uitgelogd",
            AuditAction::Access => "toegang gevraagd",
        }
    }
}

/// Why someone looked at or changed a household's record, in plain Dutch for
/// the resident (the inzage: "Wie heeft mijn gegevens ingezien"), from the
/// route pattern it happened on (`/dossier/{id}`, `/api/v1/signals`, …). The
/// route says the purpose: a plan, a report about the household, a referral.
pub fn reason_for_resident(route: &str) -> &'static str {
    const REASONS: [(&[&str], &str); 10] = [
        (
            &["/mijn-caseload", "/teamoverzicht/caseload"],
            "in de lijst van huishoudens van het wijkteam",
        ),
        (
            &["/signalen", "/api/v1/signals"],
            "na een melding over uw huishouden",
        ),
        (
            &[
                "/verwijzingen",
                "/teamoverzicht",
                "/api/v1/referrals",
                "/toewijzingen",
                "/verzoeken",
            ],
            "voor een verwijzing naar zorg of ondersteuning",
        ),
        (&["/aanbieder"], "voor de hulp die deze organisatie u geeft"),
        (
            &[
                "/dossier",
                "/plannen",
                "/api/v1/plans",
                "/api/v1/conversations",
                "/api/v1/households/{id}/",
            ],
            "voor uw plan",
        ),
        (
            &["/zoeken", "/huishoudens", "/api/v1/households"],
            "om uw huishouden op te zoeken",
        ),
        (
            &["/hulpvragen"],
            "na uw hulpvraag in de Eigen Kracht Wijzer",
        ),
        (&["/meldingen"], "voor een melding aan een medewerker"),
        (
            &["/beheer"],
            "voor het beheer van Baken (bijvoorbeeld een verzoek om inzage)",
        ),
        (&["/mijn-"], "u zelf"),
    ];
    REASONS
        .iter()
        .find(|(prefixes, _)| prefixes.iter().any(|p| route.starts_with(p)))
        .map(|(_, reason)| *reason)
        .unwrap_or("voor het werk van het wijkteam")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    Denied,
    Failed,
    NotFound,
    Conflict,
    /// A request for a protected route without a valid session or token.
    Unauthenticated,
}

impl AuditOutcome {
    pub const ALL: [AuditOutcome; 6] = [
        AuditOutcome::Success,
        AuditOutcome::Denied,
        AuditOutcome::Failed,
        AuditOutcome::NotFound,
        AuditOutcome::Conflict,
        AuditOutcome::Unauthenticated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
            AuditOutcome::NotFound => "notfound",
            AuditOutcome::Conflict => "conflict",
            AuditOutcome::Unauthenticated => "unauthenticated",
        }
    }
    pub fn parse(s: &str) -> Option<AuditOutcome> {
        AuditOutcome::ALL.into_iter().find(|a| a.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            AuditOutcome::Success => "gelukt",
            AuditOutcome::Denied => "geweigerd",
            AuditOutcome::Failed => "mislukt",
            AuditOutcome::NotFound => "niet gevonden",
            AuditOutcome::Conflict => "conflict",
            AuditOutcome::Unauthenticated => "niet ingelogd",
        }
    }
}

/// Who did it, from where. Absent user = anonymous (e.g. a failed login).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub client_addr: String,
}

/// One entry, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub route: String,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub detail: String,
}

/// A stored entry as read back for verification: raw strings, because a
/// tampered row may no longer parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub client_addr: String,
    pub route: String,
    pub action: String,
    pub outcome: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical timestamp form used in the hash (microseconds, UTC).
pub fn canonical_time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl AuditEntry {
    /// The fields as they are hashed and stored.
    pub fn to_stored(&self, seq: i64, prev_hash: &str) -> StoredEntry {
        let mut stored = StoredEntry {
            seq,
            at: canonical_time(&self.at),
            user_id: self.actor.user_id,
            username: self.actor.username.clone(),
            role: self.actor.role.clone(),
            client_addr: self.actor.client_addr.clone(),
            route: self.route.clone(),
            action: self.action.as_str().to_owned(),
            outcome: self.outcome.as_str().to_owned(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            detail: self.detail.clone(),
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        stored.hash = stored.compute_hash();
        stored
    }
}

impl StoredEntry {
    /// SHA-256 over a length-prefixed encoding of every field, so that no two
    /// different entries share an encoding.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"baken-audit-v1");
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(self.seq.to_string().as_bytes());
        field(self.at.as_bytes());
        field(opt_i64(self.user_id).as_bytes());
        field(opt(&self.username).as_bytes());
        field(opt(&self.role).as_bytes());
        field(self.client_addr.as_bytes());
        field(self.route.as_bytes());
        field(self.action.as_bytes());
        field(self.outcome.as_bytes());
        field(opt(&self.object_type).as_bytes());
        field(opt(&self.object_id).as_bytes());
        field(self.detail.as_bytes());
        field(self.prev_hash.as_bytes());
        hex::encode(h.finalize())
    }
}

fn opt(s: &Option<String>) -> String {
    match s {
        Some(v) => format!("S{v}"),
        None => "N".to_owned(),
    }
}

fn opt_i64(v: Option<i64>) -> String {
    match v {
        Some(v) => format!("S{v}"),
        None => "N".to_owned(),
    }
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: ChainBreakReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreakReason {
    /// The entry's content no longer matches its own hash.
    ContentChanged,
    /// The entry does not point at the hash of the entry before it.
    LinkBroken,
    /// A sequence number is missing (an entry was removed) or out of order.
    Gap { expected: i64 },
    /// The log ends before the last entry the head records.
    Truncated { head_seq: i64 },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            ChainBreakReason::ContentChanged => write!(
                f,
                "entry {} was changed: its content does not match its hash",
                self.seq
            ),
            ChainBreakReason::LinkBroken => write!(
                f,
                "entry {} does not link to the hash of the entry before it",
                self.seq
            ),
            ChainBreakReason::Gap { expected } => write!(
                f,
                "entry {expected} is missing (found entry {} instead)",
                self.seq
            ),
            ChainBreakReason::Truncated { head_seq } => write!(
                f,
                "the log ends at entry {} but the head records entry {head_seq}: entries were removed",
                self.seq
            ),
        }
    }
}

/// Walks a chain in sequence order. Feed it entries one by one (so a log of any
/// size verifies in constant memory), then call [`ChainVerifier::finish`].
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, entry: &StoredEntry) -> Result<(), ChainBreak> {
        let expected = self.last_seq + 1;
        if entry.seq != expected {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: ChainBreakReason::Gap { expected },
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: ChainBreakReason::ContentChanged,
            });
        }
        if entry.prev_hash != self.last_hash {
            return Err(ChainBreak {
                seq: entry.seq,
                reason: ChainBreakReason::LinkBroken,
            });
        }
        self.last_seq = entry.seq;
        self.last_hash = entry.hash.clone();
        Ok(())
    }

    /// Checks the end of the chain against the head (last sequence number and hash
    /// recorded separately), and returns the number of entries.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak {
                seq: self.last_seq,
                reason: ChainBreakReason::Truncated { head_seq },
            });
        }
        Ok(self.last_seq)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_resident_reads_why_in_plain_words() {
        assert_eq!(reason_for_resident("/dossier/{id}"), "voor uw plan");
        assert_eq!(reason_for_resident("/api/v1/plans/{id}"), "voor uw plan");
        assert_eq!(
            reason_for_resident("/signalen/{id}/toewijzen"),
            "na een melding over uw huishouden"
        );
        assert_eq!(
            reason_for_resident("/verwijzingen/{id}/besluit"),
            "voor een verwijzing naar zorg of ondersteuning"
        );
        assert_eq!(
            reason_for_resident("/teamoverzicht/caseload.csv"),
            "in de lijst van huishoudens van het wijkteam"
        );
        assert_eq!(
            reason_for_resident("/aanbieder/huishoudens/{id}"),
            "voor de hulp die deze organisatie u geeft"
        );
        assert_eq!(
            reason_for_resident("/iets-nieuws"),
            "voor het werk van het wijkteam"
        );
    }

    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn entry(i: i64) -> AuditEntry {
        AuditEntry {
            at: Utc.timestamp_opt(1_700_000_000 + i, 0).single().unwrap(),
            actor: Actor {
                user_id: Some(i),
                username: Some(format!("user{i}")),
                role: Some("generalist".into()),
                client_addr: "127.0.0.1".into(),
            },
            route: "/huishoudens/{id}".into(),
            action: AuditAction::Read,
            outcome: AuditOutcome::Success,
            object_type: Some("household".into()),
            object_id: Some(i.to_string()),
            detail: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let s = entry(seq).to_stored(seq, &prev);
                prev = s.hash.clone();
                s
            })
            .collect()
    }

    fn verify(entries: &[StoredEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies_with_its_length() {
        let c = chain(5);
        let head = c.last().unwrap().hash.clone();
        assert_eq!(verify(&c, (5, &head)), Ok(5));
    }

    #[test]
    fn an_empty_chain_verifies() {
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn removing_the_last_entry_is_detected_by_the_head() {
        let c = chain(3);
        let head = c.last().unwrap().hash.clone();
        let err = verify(&c[..2], (3, &head)).unwrap_err();
        assert_eq!(err.reason, ChainBreakReason::Truncated { head_seq: 3 });
    }

    proptest! {
        #[test]
        fn changing_any_entry_names_that_entry(n in 1i64..20, victim in 0usize..20, field in 0usize..4) {
            let mut c = chain(n);
            let victim = victim % c.len();
            let head = c.last().unwrap().hash.clone();
            match field {
                0 => c[victim].detail.push('x'),
                1 => c[victim].username = Some("mallory".into()),
                2 => c[victim].outcome = "denied".into(),
                _ => c[victim].object_id = Some("999999".into()),
            }
            let err = verify(&c, (n, &head)).unwrap_err();
            prop_assert_eq!(err.seq, c[victim].seq);
            prop_assert_eq!(err.reason, ChainBreakReason::ContentChanged);
        }

        #[test]
        fn removing_a_middle_entry_is_detected(n in 3i64..20, victim in 1usize..19) {
            let mut c = chain(n);
            let victim = victim % (c.len() - 1);
            let head = c.last().unwrap().hash.clone();
            c.remove(victim);
            prop_assert!(verify(&c, (n, &head)).is_err());
        }
    }
}

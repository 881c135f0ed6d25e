//! The cell-key method: noise that survives differencing.
//!
//! Statistics Netherlands (CBS) and the Australian Bureau of Statistics (ABS,
//! "TableBuilder") protect flexible tables this way. Every record carries a
//! *record key*, a number drawn uniformly from `[0, 1)`; the *cell key* of a
//! published count is the sum of its records' keys modulo 1; and the noise added
//! to the count is looked up in a fixed *perturbation table* by (count, cell key).
//! So the same set of records always gets the same noise — asking again, or
//! slicing a table another way that ends up with the same records, gains nothing —
//! while two different sets (a district and its team, two adjacent periods) get
//! noise that is, for anyone without the secret, independent. Subtracting two
//! published counts then gives the difference plus the difference of two noises,
//! never the difference itself.
//!
//! Here a record key is `HMAC-SHA256(secret, kind ":" id)`, its first four bytes
//! read as a fraction of 2^32 ([`RecordKey::derive`]). Deriving instead of storing
//! keeps the keys out of the database; the secret is the installation's (table
//! `server_secrets`, row `cell_key`), so every process agrees.
//!
//! The table ([`PERTURBATION`]) is public, as CBS and ABS publish theirs; the
//! protection rests on the secret alone. Its properties (tested below):
//! - a count of 0 is published as 0 (an empty cell discloses nobody);
//! - no count is ever published as 1, 2, 3 or 4: counts 1–4 are published as 0,
//!   and a count of 5 is published as 0 one time in ten, so that a published 0
//!   reads "0 to 5" and a published 5 or more reads "5 or more";
//! - counts of 5 and more move by at most 2 ([`MAX_NOISE`]) unless a 5 becomes 0;
//! - every published value is consistent with at least three consecutive true
//!   counts ([`consistent_counts`]), and those for 0 run from 0 to 5.
//!
//! What that buys against differencing: one published count and any one
//! difference route to the same records (two adjacent periods, a district and
//! the rest of its teams, a total and all its other parts) each leave a range of
//! candidates; a range of at least five values meets "0 to 5" in at least two
//! of them, so a count from 1 to 4 is never pinned — whatever the noise drew
//! (`tests::differencing_attacker`). An attacker who intersects *many* different
//! routes to the same records can, when every noise in them happens to sit at its
//! extreme, narrow it further; with fixed periods there are few such routes, and
//! docs/monitoring.md gives the measured rate.
//!
//! Accuracy: a count of 7 or more is exact with probability 0.5, off by 1 with
//! 0.4 and by 2 with 0.1 (standard deviation 0.89, no bias). Counts 1–4 are
//! published as 0 (a bias of at most −4 per such cell); 5 averages 4.95 and 6
//! averages 6.05. A share of two counts of about 100 moves by about one
//! percentage point. Totals are protected as cells of their own, so a total is
//! not exactly the sum of its published parts.
//!
//! Usage by a module that publishes counts: give every record a key, add the keys
//! of the records in a cell to a [`CellKeys`], and publish [`protect`]`(&cell)`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The largest change to a count of 7 or more.
pub const MAX_NOISE: u64 = 2;

/// The installation's secret behind every record key. Its `Debug` never shows it.
///
/// Kept as the HMAC state already keyed with the secret: every key derived
/// clones it instead of hashing the secret's padded blocks again, which halves
/// the work per key (a dashboard derives millions).
#[derive(Clone)]
pub struct CellKeySecret(Option<Hmac<Sha256>>);

impl CellKeySecret {
    /// The secret as stored (any bytes; the installation's is 32 random bytes in hex).
    pub fn new(secret: &[u8]) -> CellKeySecret {
        // HMAC accepts a key of any length; `new_from_slice` cannot fail for it.
        CellKeySecret(Hmac::<Sha256>::new_from_slice(secret).ok())
    }
}

impl fmt::Debug for CellKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CellKeySecret(…)")
    }
}

/// A record's key: a fraction of 2^32, uniform in `[0, 1)` for anyone without
/// the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RecordKey(u32);

impl RecordKey {
    /// The key of record `id` of `kind` (a table's name, so that household 7 and
    /// agreement 7 get unrelated keys).
    pub fn derive(secret: &CellKeySecret, kind: &str, id: i64) -> RecordKey {
        let Some(mut mac) = secret.0.clone() else {
            return RecordKey(0);
        };
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(&id.to_be_bytes());
        let out = mac.finalize().into_bytes();
        RecordKey(u32::from_be_bytes([out[0], out[1], out[2], out[3]]))
    }

    /// A key given as its fraction of 2^32 (for tests and benchmarks).
    pub fn from_raw(raw: u32) -> RecordKey {
        RecordKey(raw)
    }
}

/// A cell before publication: how many records, and the sum of their keys mod 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellKeys {
    count: u64,
    key: u32,
}

impl CellKeys {
    pub fn new() -> CellKeys {
        CellKeys::default()
    }

    /// The cell of these records.
    pub fn of(keys: impl IntoIterator<Item = RecordKey>) -> CellKeys {
        let mut cell = CellKeys::new();
        for k in keys {
            cell.add(k);
        }
        cell
    }

    /// One record more.
    pub fn add(&mut self, key: RecordKey) {
        self.count += 1;
        self.key = self.key.wrapping_add(key.0);
    }

    /// The union of two disjoint cells (their counts and keys add up).
    pub fn union(self, other: CellKeys) -> CellKeys {
        CellKeys {
            count: self.count + other.count,
            key: self.key.wrapping_add(other.key),
        }
    }

    /// The true count (never to be published as such).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum of the records' keys, to keep a cell with a snapshot of
    /// aggregates (a report's figure) and publish it later the same way.
    pub fn key(&self) -> u32 {
        self.key
    }

    /// A cell kept as its count and [`CellKeys::key`].
    pub fn from_parts(count: u64, key: u32) -> CellKeys {
        CellKeys { count, key }
    }

    /// The cell key in thousandths, 0..=999: the column of the table.
    fn column(&self) -> u64 {
        (u64::from(self.key) * 1000) >> 32
    }
}

impl std::iter::Sum for CellKeys {
    fn sum<I: Iterator<Item = CellKeys>>(iter: I) -> CellKeys {
        iter.fold(CellKeys::new(), CellKeys::union)
    }
}

/// The cells of keyed records grouped by `K` (a district, a month, a
/// category): what a table publishes, one [`protect`] per cell.
pub fn tally<K: Ord>(
    records: impl IntoIterator<Item = (K, RecordKey)>,
) -> std::collections::BTreeMap<K, CellKeys> {
    let mut cells = std::collections::BTreeMap::<K, CellKeys>::new();
    for (k, key) in records {
        cells.entry(k).or_default().add(key);
    }
    cells
}

/// A count as published: never 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Protected(u64);

impl Protected {
    pub fn value(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Protected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a row of the table does: publish a fixed value, or add an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Publish this value (rows for 1–6).
    Value(u64),
    /// Publish the count plus this (the row for 7 and more).
    Offset(i64),
}

/// One row: outcomes with their probabilities in thousandths (summing to 1000),
/// laid over the cell key's column in order — so a cell key of 0 takes the first.
pub type Row = &'static [(Outcome, u64)];

use Outcome::{Offset, Value};

/// The perturbation table: the row for a count of 1, 2, …, 6, and (last) the row
/// for every count of 7 and more. A count of 0 is never perturbed.
pub const PERTURBATION: [Row; 7] = [
    &[(Value(0), 1000)],
    &[(Value(0), 1000)],
    &[(Value(0), 1000)],
    &[(Value(0), 1000)],
    &[
        (Value(5), 600),
        (Value(6), 150),
        (Value(7), 150),
        (Value(0), 100),
    ],
    &[
        (Value(6), 500),
        (Value(5), 250),
        (Value(7), 200),
        (Value(8), 50),
    ],
    &[
        (Offset(0), 500),
        (Offset(1), 200),
        (Offset(-1), 200),
        (Offset(2), 50),
        (Offset(-2), 50),
    ],
];

/// The row that applies to `count` (none for 0).
pub fn row(count: u64) -> Option<Row> {
    match count {
        0 => None,
        1..=6 => Some(PERTURBATION[(count - 1) as usize]),
        _ => Some(PERTURBATION[6]),
    }
}

fn apply(count: u64, outcome: Outcome) -> u64 {
    match outcome {
        Value(v) => v,
        Offset(o) => count.saturating_add_signed(o),
    }
}

/// THE function every protected count passes through.
pub fn protect(cell: &CellKeys) -> Protected {
    let Some(row) = row(cell.count) else {
        return Protected(0);
    };
    let column = cell.column();
    let mut upto = 0;
    for &(outcome, share) in row {
        upto += share;
        if column < upto {
            return Protected(apply(cell.count, outcome));
        }
    }
    // The shares sum to 1000 (tested), so this is not reached.
    Protected(cell.count)
}

/// Every true count that can be published as `published`: what a reader who knows
/// the table (but not the secret) can tell from one published count.
pub fn consistent_counts(published: u64) -> Vec<u64> {
    // Counts 1–6 land on 0 or 5–8; a count of 7 or more moves by at most 2.
    let lowest = if published <= 8 {
        0
    } else {
        published - MAX_NOISE
    };
    (lowest..=published.max(6) + MAX_NOISE)
        .filter(|&n| match row(n) {
            None => published == 0,
            Some(row) => row.iter().any(|&(o, _)| apply(n, o) == published),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod attacker;
#[cfg(test)]
mod tests;

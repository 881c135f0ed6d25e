//! # Stapelingsmonitor (cumulation monitor)
//!
//! Which households receive provisions from several domains (youth care, Wmo, work and
//! income, …) and from how many organisations, per neighbourhood — computed without any
//! party holding both addresses and the linked data, and published only as protected
//! counts.
//!
//! ## The flow and its roles
//! 1. A privacy officer creates a key: [`MonitorKey::generate`], [`write_key_file`]
//!    (`baken monitor keygen`). The key goes to the organisations, not to the linking
//!    party.
//! 2. Each organisation pseudonymises its own file: [`pseudonymise`], then
//!    [`PseudonymisedFile::write_csv`] (`baken monitor pseudonymise`). The address
//!    becomes HMAC-SHA256(key, normalised address).
//! 3. The linking party links the files on the pseudonym and drops it: [`Linker`] or
//!    [`link`], then [`LinkedDataset::write_parquet`] (`baken monitor link`).
//! 4. It publishes protected tables: [`report()`], [`report_from_parquet`],
//!    [`write_report_dir`] (`baken monitor report`).
//!
//! ## Architecture invariants
//! - **The key's bytes never leave [`key`]** except as HMAC state: no accessor, a
//!   redacting `Debug`, no error that repeats a key file's contents. `link` and
//!   `report` take no key at all, in the API and on the command line.
//! - **The linked dataset holds no pseudonym.** The map keyed by pseudonyms is dropped
//!   when linking ends; households get fresh ids in a random order.
//! - **Every published count passes through [`protect()`]**, once, with all of a
//!   report's figures and the relations between them in one [`Cells`]. Protection
//!   cannot be switched off.
//! - **Nothing is written on error.** Every output goes through a temporary file that
//!   is renamed into place only when complete ([`write_atomically`]).
//! - **Memory grows with households, not rows**: `link` streams rows and folds them
//!   into a map keyed by 32-byte pseudonyms (text values interned); `pseudonymise`
//!   streams rows into random buckets on disk and shuffles one bucket at a time, so
//!   its memory is bounded by [`ShuffleOptions`] alone.
//! - The library does no console I/O and draws no progress bars; `cli` does, and is
//!   the only module that uses `anyhow`. It (with clap, the progress bars and the
//!   synthetic region of `demo-files`) is behind the cargo feature `cli`, which only
//!   the binary turns on: the web crate links and reports without it. Randomness is passed in, so tests can seed it.

#[cfg(feature = "cli")]
pub mod cli;
mod cputime;
mod csvio;
mod error;
mod fast;
mod households;
mod html;
mod input;
mod integrity;
mod intern;
pub mod key;
mod link;
mod linkread;
mod linkwrite;
mod output;
pub mod protect;
mod pseudonymise;
mod records;
mod report;

pub use error::{KeyError, MonitorError, Problem, RowError, RowErrors};
pub use input::{
    Addition, Address, BuurtCode, DomainList, DomainMask, HouseLetter, HouseNumber, Organisation,
    Periode, Postcode, DEFAULT_DOMAINS,
};
pub use integrity::{
    checksum_path, refuse_duplicate_files, verify_linked_file, write_linked_file, CHECKSUM_SUFFIX,
};
pub use key::{read_key_file, write_key_file, KeyId, MonitorKey, KEY_FORMAT_LINE};
pub use link::{
    link, linked_schema, scan_linked_parquet, HouseholdRow, HouseholdSummary, LinkStats,
    LinkTiming, LinkedDataset, Linker,
};
pub use output::write_atomically;
pub use protect::{protect, Cells, Protected, Protection, ProtectionInfo};
pub use pseudonymise::{
    pseudonymise, pseudonymise_with, InputConfig, PseudonymisedFile, ShuffleOptions, ShuffleStats,
    PSEUDONYMISED_COLUMNS,
};
pub use report::{
    report, report_from_counts, report_from_parquet, write_report_dir, Bucket, CombinationCount,
    CombinationRow, CountTables, CountTotals, Counts, DomainCount, DomainCountRow,
    NeighbourhoodCount, NeighbourhoodRow, OrganisationCount, OrganisationCountRow, ProvisionCount,
    ProvisionCountRow, Published, Report, ReportBuilder, Tables, Totals, TABLE_FILES,
};

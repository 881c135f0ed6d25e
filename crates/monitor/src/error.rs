//! The crate's one error type, and the row-level problems it reports.
//!
//! Every message names the file and, for a row, the line and the column, in the form
//! `FILE:LINE: column: what is wrong`. Messages never repeat an address (postcode,
//! house number, letter, addition) and never contain key material: they describe the
//! rule that was broken instead.

use std::fmt;

/// What is wrong with one value in one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row's bytes are not valid UTF-8.
    NotUtf8,
    /// The row has a different number of fields than the header.
    Ragged { found: usize, expected: usize },
    /// A required value is empty.
    Empty,
    /// Not a Dutch postcode.
    Postcode,
    /// Not a house number from 1 to 99999.
    Huisnummer,
    /// Not a single letter.
    Huisletter,
    /// Not one to four letters or digits.
    Toevoeging,
    /// Not `BU` followed by eight digits.
    Buurtcode(String),
    /// Not one of the configured domains.
    Domein { value: String, allowed: String },
    /// Longer than the maximum length for the column.
    TooLong { max: usize },
    /// Contains a control character (a tab, a line break inside quotes, …).
    ControlCharacter,
    /// Not `YYYY` or `YYYY-MM`.
    Periode(String),
    /// Not 64 hexadecimal characters.
    Pseudoniem,
}

/// Shows at most this many characters of an offending value in a message.
const SHOWN_VALUE_CHARS: usize = 40;

pub(crate) fn shown_value(value: &str) -> String {
    let mut shown: String = value.chars().take(SHOWN_VALUE_CHARS).collect();
    if value.chars().count() > SHOWN_VALUE_CHARS {
        shown.push('…');
    }
    shown.escape_debug().to_string()
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotUtf8 => write!(f, "not valid UTF-8 text; save the file as UTF-8"),
            Problem::Ragged { found, expected } => write!(
                f,
                "the row has {found} fields but the header has {expected}; check for a missing or extra delimiter"
            ),
            Problem::Empty => write!(f, "is empty, but a value is required"),
            Problem::Postcode => write!(
                f,
                "not a Dutch postcode: expected four digits (1000-9999) and two letters, like 1234AB or 1234 ab"
            ),
            Problem::Huisnummer => {
                write!(f, "not a house number: expected a whole number from 1 to 99999")
            }
            Problem::Huisletter => write!(f, "not a house letter: expected one letter (A-Z) or nothing"),
            Problem::Toevoeging => write!(
                f,
                "not a house number addition: expected at most 4 letters or digits, or nothing"
            ),
            Problem::Buurtcode(value) => write!(
                f,
                "\"{value}\" is not a CBS neighbourhood code: expected BU followed by 8 digits, like BU03630000"
            ),
            Problem::Domein { value, allowed } => {
                write!(f, "\"{value}\" is not a known domain; allowed: {allowed}")
            }
            Problem::TooLong { max } => write!(f, "is longer than {max} characters"),
            Problem::ControlCharacter => {
                write!(f, "contains a control character (such as a tab or a line break)")
            }
            Problem::Periode(value) => write!(
                f,
                "\"{value}\" is not a period: expected a year (2025) or a year and month (2025-03)"
            ),
            Problem::Pseudoniem => write!(
                f,
                "not a pseudonym: expected 64 hexadecimal characters as written by `baken monitor pseudonymise`"
            ),
        }
    }
}

/// One problem in one row of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file as the user named it.
    pub file: String,
    /// The 1-based line on which the row starts (the header is line 1).
    pub line: u64,
    /// The column's name as in the header, or `row` for problems of the whole row.
    pub column: String,
    pub problem: Problem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.column, self.problem
        )
    }
}

/// The problems found in the rows of one or more files: the first `shown.len()` of
/// `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowErrors {
    pub shown: Vec<RowError>,
    pub total: u64,
}

impl RowErrors {
    pub(crate) fn new() -> Self {
        RowErrors {
            shown: Vec::new(),
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, limit: usize, error: RowError) {
        self.total += 1;
        if self.shown.len() < limit {
            self.shown.push(error);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl fmt::Display for RowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.shown.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        let hidden = self.total - self.shown.len() as u64;
        if hidden > 0 {
            write!(
                f,
                "\n… and {hidden} more problems ({} in total); nothing was written",
                self.total
            )?;
        } else {
            write!(
                f,
                "\n{} problem{} found; nothing was written",
                self.total,
                if self.total == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// Problems with a key file. None of these messages repeats anything read from the
/// file, so a wrong file (or a key in the wrong place) cannot leak through an error.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: cannot read the key file: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot write the key file: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: already exists; a key is never overwritten (choose another file name)")]
    Exists { path: String },
    #[error(
        "{path}: not a Baken monitor key file: the first line must be `{expected}`",
        expected = crate::key::KEY_FORMAT_LINE
    )]
    Format { path: String },
    #[error("{path}: line 2: expected the key as 64 hexadecimal characters (256 bits)")]
    KeyLine { path: String },
    #[error(
        "{path}: the key file can be read by other users (mode {mode:o}); run `chmod 600 {path}` and keep the key to yourself"
    )]
    Permissions { path: String, mode: u32 },
}

/// Everything that can go wrong in the monitor library.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// One or more rows break the input rules.
    #[error("{0}")]
    InvalidRows(RowErrors),
    #[error("{file}: the file is empty; expected a header row with the columns {expected}")]
    EmptyFile { file: String, expected: String },
    #[error("{file}: the file has a header row but no data rows")]
    NoRows { file: String },
    #[error("{file}:{line}: header: missing required column `{column}` (the header has: {found})")]
    MissingColumn {
        file: String,
        line: u64,
        column: &'static str,
        found: String,
    },
    #[error("{file}:{line}: header: the column `{column}` appears more than once")]
    DuplicateColumn {
        file: String,
        line: u64,
        column: String,
    },
    #[error("{file}:{line}: header: not valid UTF-8 text; save the file as UTF-8")]
    HeaderNotUtf8 { file: String, line: u64 },
    #[error("{file}: refused: this is not a pseudonymised file ({reason}); run `baken monitor pseudonymise` at the organisation first")]
    NotPseudonymised { file: String, reason: String },
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{file}: not a linked monitor file: {reason}")]
    NotLinked { file: String, reason: String },
    #[error("{file}: not a table of counts for `baken monitor protect`: {reason}")]
    Counts { file: String, reason: String },
    #[error("invalid organisation name: {0}")]
    Organisation(String),
    #[error("invalid domain list: {0}")]
    Domains(String),
    #[error("invalid protection: {0}")]
    Protection(String),
    #[error(
        "{second}: refused: the organisation \"{organisation}\" is also in {first}; each organisation's rows must come in one file (a file given twice, or two exports of one organisation, would count its households twice)"
    )]
    OrganisationInTwoFiles {
        organisation: String,
        first: String,
        second: String,
    },
    #[error(
        "{second}: refused: it has the same content as {first} (SHA-256 {sha256}); a file given twice would count every household twice"
    )]
    DuplicateInput {
        first: String,
        second: String,
        sha256: String,
    },
    #[error("{file}: refused: {reason}")]
    Checksum { file: String, reason: String },
    #[error("too many distinct {what}: at most {max} are supported")]
    TooMany { what: &'static str, max: usize },
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl MonitorError {
    /// The row problems, if this error is about rows.
    pub fn row_errors(&self) -> Option<&RowErrors> {
        match self {
            MonitorError::InvalidRows(e) => Some(e),
            _ => None,
        }
    }
}

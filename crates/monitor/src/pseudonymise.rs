//! Step 2, at each organisation: replace the address by a keyed pseudonym.
//!
//! Every row is checked; if any row breaks a rule, the whole file is refused with a
//! message per problem and nothing is written. The output holds only `pseudoniem`,
//! `organisatie`, `buurtcode`, `domein`, `voorziening` and `periode`, in random row
//! order, so neither the input's other columns nor its order survive.
//!
//! ## One pass, bounded memory
//!
//! [`pseudonymise`] reads the file once. Each row is split without copying, only the
//! needed columns are checked, the address is pseudonymised (two SHA-256 compressions,
//! see [`AddressMac`]) and the row, already in its output form, goes to a bucket drawn
//! at random. Buckets are small buffers that, when full, are appended as a chunk to
//! one anonymous temporary file (each bucket's chunks linked from its newest back).
//! [`PseudonymisedFile::write_csv`] then takes the buckets one by one, shuffles each in
//! memory and writes it out. Drawing a bucket for every row and
//! shuffling every bucket uniformly gives a uniformly random order of all rows; a
//! bucket that holds more than [`ShuffleOptions::max_rows_in_memory`] rows is split
//! the same way again. Memory is therefore bounded by the options (about 64 MiB of
//! bucket buffers and at most `max_rows_in_memory` rows being shuffled), whatever the
//! number of rows.
//!
//! The temporary file is created already unlinked (`O_TMPFILE`, or created and removed
//! at once), so it never appears in a directory and the operating system frees it when
//! it is closed: after success, after an error, or when the process dies.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha12Rng;

use crate::csvio::{self, csv_field, needs_quotes};
use crate::error::{MonitorError, Problem, RowErrors};
use crate::fast::{self, Split, Window, DOMAIN_BYTES};
use crate::input::{
    free_text, Addition, Address, BuurtCode, DomainList, HouseLetter, HouseNumber, Organisation,
    Periode, Postcode, MAX_DOMAIN_NAME, MAX_TEXT_CHARS,
};
use crate::key::{AddressMac, MonitorKey};
use crate::records::{Fields, RowView};

/// The columns of a pseudonymised file, in order.
pub const PSEUDONYMISED_COLUMNS: [&str; 6] = [
    "pseudoniem",
    "organisatie",
    "buurtcode",
    "domein",
    "voorziening",
    "periode",
];

const INPUT_COLUMNS: &str =
    "postcode, huisnummer, buurtcode, domein, voorziening (and optionally huisletter, toevoeging, periode)";

/// Settings shared by `pseudonymise` and `link`.
#[derive(Debug, Clone)]
pub struct InputConfig {
    /// The allowed domains.
    pub domains: DomainList,
    /// How many problems are listed before the rest are only counted.
    pub max_errors: usize,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            domains: DomainList::default(),
            max_errors: 50,
        }
    }
}

/// How [`pseudonymise_with`] shuffles the rows within bounded memory.
#[derive(Debug, Clone)]
pub struct ShuffleOptions {
    /// Where the buckets' temporary file is created (anonymous: it never appears in
    /// the directory and is freed when closed). `None`: the system's temporary directory.
    /// The command line uses the output file's directory.
    pub temp_dir: Option<PathBuf>,
    /// The number of buckets per level, rounded up to a power of two (2 to 4096).
    pub buckets: usize,
    /// Bytes buffered per bucket before they are appended to the bucket's file (at
    /// least the longest possible row, 596 bytes).
    pub bucket_buffer: usize,
    /// The most rows shuffled in memory at once (at least 1); a bucket with more rows
    /// is split into buckets again.
    pub max_rows_in_memory: usize,
}

impl Default for ShuffleOptions {
    /// 64 buckets of 1 MiB (64 MiB of buffers: files up to about a million rows never
    /// touch the disk, larger ones are spilled in chunks of 1 MiB) and at most 262,144
    /// rows shuffled at once, so one level of buckets suffices up to 16 million rows.
    /// (256 buckets of 16 KiB used 4 MiB but made the first pass a third slower:
    /// spilling and scattering over many buckets cost more than the memory saves.)
    fn default() -> Self {
        ShuffleOptions {
            temp_dir: None,
            buckets: 64,
            bucket_buffer: 1 << 20,
            max_rows_in_memory: 1 << 18,
        }
    }
}

/// What the bounded-memory shuffle did, from [`PseudonymisedFile::write_csv_with_stats`]
/// (for tests and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShuffleStats {
    /// Rows written.
    pub rows: u64,
    /// Temporary files created: one per level of buckets that outgrew its buffers,
    /// holding all that level's spilled chunks (0 when every bucket fitted in its
    /// buffer).
    pub bucket_files: u64,
    /// Levels of buckets: 1, or more when a bucket held more than
    /// `max_rows_in_memory` rows and was split again.
    pub levels: u32,
    /// The most rows held in memory at any one moment (in bucket buffers and in the
    /// bucket being shuffled).
    pub peak_rows_in_memory: u64,
    /// The most bytes held at any one moment by bucket buffers, the bucket being
    /// shuffled and its index (allocated capacity).
    pub peak_bytes_in_memory: u64,
}

/// Rows and bytes held in memory now, and the peaks.
#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    bytes: u64,
    stats: ShuffleStats,
}

impl Tally {
    /// Counts a row now held in a bucket buffer; the peak is taken by [`Tally::peak`]
    /// before rows leave memory (a spill) and at the end.
    #[inline(always)]
    fn note_row(&mut self) {
        self.rows += 1;
    }

    #[inline]
    fn peak(&mut self) {
        self.stats.peak_rows_in_memory = self.stats.peak_rows_in_memory.max(self.rows);
        self.stats.peak_bytes_in_memory = self.stats.peak_bytes_in_memory.max(self.bytes);
    }

    #[inline]
    fn add(&mut self, rows: u64, bytes: u64) {
        self.rows += rows;
        self.bytes += bytes;
        self.stats.peak_rows_in_memory = self.stats.peak_rows_in_memory.max(self.rows);
        self.stats.peak_bytes_in_memory = self.stats.peak_bytes_in_memory.max(self.bytes);
    }

    #[inline]
    fn remove(&mut self, rows: u64, bytes: u64) {
        self.rows = self.rows.saturating_sub(rows);
        self.bytes = self.bytes.saturating_sub(bytes);
    }
}

// A row in a bucket: the pseudonym's 32 bytes, the length of the rest (u16, little
// endian), and the rest as it is written after the organisation:
// `buurtcode,domein,voorziening,periode`.
const HEAD: usize = 34;
/// The longest free text in bytes once quoted: at most 100 characters of at most 4
/// bytes, each quote doubled, plus the two quotes around it.
const MAX_QUOTED_TEXT: usize = MAX_TEXT_CHARS * 5 + 2;
/// The longest row in a bucket.
const MAX_ROW_BYTES: usize = HEAD + 10 + 1 + MAX_DOMAIN_NAME + 1 + MAX_QUOTED_TEXT + 1 + 7;
/// The scratch buffer for one row: room for copying the domain name and period as
/// fixed-size blocks past the end of the actual bytes.
const ROW_SCRATCH: usize = MAX_ROW_BYTES + DOMAIN_BYTES + 8;
const _: () = assert!(MAX_ROW_BYTES - HEAD <= u16::MAX as usize);

/// The column positions of an organisation's file.
struct Columns {
    postcode: usize,
    huisnummer: usize,
    huisletter: Option<usize>,
    toevoeging: Option<usize>,
    buurtcode: usize,
    domein: usize,
    voorziening: usize,
    periode: Option<usize>,
}

/// A domain's canonical name, padded with zeros, for copying as whole words.
struct DomainName {
    bytes: [u8; DOMAIN_BYTES],
    len: usize,
}

/// Room for one row written by the fast path, with the overlapping word stores past
/// its end: pseudonym and length (34), buurtcode and comma (11), the padded domain
/// name (48), comma, quote, 64 bytes copied from the provision's start, and the period
/// as a word.
const FAST_ROOM: usize = 192;
const _: () = assert!(HEAD + 11 + DOMAIN_BYTES + 2 + 64 + 1 + 8 <= FAST_ROOM);

/// A checked and pseudonymised file, its rows in buckets until they are written.
pub struct PseudonymisedFile {
    organisation: Organisation,
    rows: u64,
    level: Level,
    limits: Limits,
    tally: Tally,
}

impl std::fmt::Debug for PseudonymisedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PseudonymisedFile")
            .field("organisation", &self.organisation)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// Reads an organisation's file, checks every row and pseudonymises the addresses,
/// with the default [`ShuffleOptions`] (the buckets' temporary file in the system's
/// temporary directory) and a random order drawn from the operating system's entropy.
///
/// `file` names the input in error messages. Returns every problem found (up to
/// `config.max_errors`, then a count) as [`MonitorError::InvalidRows`].
pub fn pseudonymise<R: Read>(
    input: R,
    file: &str,
    key: &MonitorKey,
    organisation: &Organisation,
    config: &InputConfig,
) -> Result<PseudonymisedFile, MonitorError> {
    pseudonymise_with(
        input,
        file,
        key,
        organisation,
        config,
        &ShuffleOptions::default(),
        &mut ChaCha12Rng::from_entropy(),
    )
}

/// [`pseudonymise`] with explicit shuffle options, and `rng` to draw each row's bucket
/// (the order within buckets is drawn by [`PseudonymisedFile::write_csv`]).
pub fn pseudonymise_with<R: Read, G: RngCore + ?Sized>(
    input: R,
    file: &str,
    key: &MonitorKey,
    organisation: &Organisation,
    config: &InputConfig,
    options: &ShuffleOptions,
    rng: &mut G,
) -> Result<PseudonymisedFile, MonitorError> {
    let mut csv = csvio::open(input, file, INPUT_COLUMNS)?;
    if csv.find("pseudoniem").is_some() {
        return Err(MonitorError::Read {
            file: file.to_owned(),
            message: "this file already has a `pseudoniem` column; it was pseudonymised before"
                .into(),
        });
    }
    let c = Columns {
        postcode: csv.require("postcode")?,
        huisnummer: csv.require("huisnummer")?,
        buurtcode: csv.require("buurtcode")?,
        domein: csv.require("domein")?,
        voorziening: csv.require("voorziening")?,
        huisletter: csv.find("huisletter"),
        toevoeging: csv.find("toevoeging"),
        periode: csv.find("periode"),
    };
    let names: Vec<DomainName> = config
        .domains
        .names()
        .map(|n| {
            let mut bytes = [0u8; DOMAIN_BYTES];
            let len = n.len().min(MAX_DOMAIN_NAME);
            bytes[..len].copy_from_slice(&n.as_bytes()[..len]);
            DomainName { bytes, len }
        })
        .collect();
    let limits = Limits::new(options);
    let write_err = |source: io::Error| MonitorError::Write {
        path: limits.dir.display().to_string(),
        source,
    };

    let mac = key.address_mac();
    let limit = config.max_errors;
    let mut errors = RowErrors::new();
    let mut tally = Tally::default();
    // Dropped (closing and so deleting its files) at the first problem: nothing will
    // be written.
    let mut scatter = Some(Scatter::new(&limits, ChaCha12Rng::from_seed(seed(rng))));
    let mut rows = 0u64;
    let mut row_bytes = [0u8; ROW_SCRATCH];
    let mut domain_cache = DomainCache::new();
    let mut fast_domain = FastDomainCache::new();
    let mut split = Split::new();
    let delimiter = csv.reader.delimiter();
    // In the comma-separated output a provision holding the other delimiter is quoted.
    let other = if delimiter == b',' { b';' } else { b',' };
    let fields = csv.header.names.len();

    let (reader, header) = (&mut csv.reader, &csv.header);
    loop {
        // The fast path: a usual row, straight from the reader's buffer.
        let window = match reader.window() {
            Ok(Some(w)) => w,
            Ok(None) => break,
            Err(e) => return Err(csvio::read_error(file, e)),
        };
        if let (Some(s), (w, valid)) = (scatter.as_mut(), window) {
            if fast::split_line(w, valid, delimiter, fields, &mut split).is_some() {
                let b = s.next_bucket();
                let room = s.room(b, &mut tally);
                if let Some(n) = encode_fast_row(
                    w,
                    &split,
                    &c,
                    other,
                    &config.domains,
                    &mut fast_domain,
                    &names,
                    &mac,
                    room,
                ) {
                    let consumed = split.consumed;
                    s.wrote(b, n, &mut tally).map_err(write_err)?;
                    reader.advance_line(consumed);
                    rows += 1;
                    continue;
                }
            }
        }
        // The general path: a row with quotes, a long line, an unusual spelling or a
        // problem (or an earlier row had one, and nothing will be written).
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => return Err(csvio::read_error(file, e)),
        };
        let line = row.line();
        if !header.check_row(&row, line, &mut errors, limit) {
            scatter = None;
            continue;
        }
        if let Some(s) = scatter.as_mut() {
            if let Some(n) = encode_row(
                &row,
                &c,
                &config.domains,
                &mut domain_cache,
                &names,
                &mac,
                &mut row_bytes,
            ) {
                s.push(&row_bytes[..n], &mut tally).map_err(write_err)?;
                rows += 1;
                continue;
            }
        }
        // Some field is wrong (or an earlier row was, and nothing will be written):
        // check every field again and report each problem.
        scatter = None;
        report_problems(&row, &c, config, header, line, &mut errors);
        if errors.is_empty() {
            // `encode_row` refuses exactly the rows that `report_problems` reports on;
            // never drop a row silently if that ever stopped being so.
            return Err(MonitorError::Read {
                file: file.to_owned(),
                message: format!("line {line}: the row could not be pseudonymised"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(MonitorError::InvalidRows(errors));
    }
    if rows == 0 {
        return Err(MonitorError::NoRows {
            file: file.to_owned(),
        });
    }
    let Some(scatter) = scatter else {
        return Err(MonitorError::NoRows {
            file: file.to_owned(),
        });
    };
    let level = scatter.finish(&limits, &mut tally).map_err(write_err)?;
    Ok(PseudonymisedFile {
        organisation: organisation.clone(),
        rows,
        level,
        limits,
        tally,
    })
}

fn seed<G: RngCore + ?Sized>(rng: &mut G) -> [u8; 32] {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    seed
}

/// The last domain value seen and its index: a file's rows nearly all name the same
/// domain, so most look-ups are one comparison.
struct DomainCache {
    raw: [u8; 16],
    len: usize,
    index: usize,
}

impl DomainCache {
    fn new() -> DomainCache {
        DomainCache {
            raw: [0; 16],
            len: usize::MAX,
            index: 0,
        }
    }

    #[inline(always)]
    fn find(&mut self, domains: &DomainList, raw: &[u8]) -> Option<usize> {
        if raw.len() == self.len && self.raw.get(..raw.len()) == Some(raw) {
            return Some(self.index);
        }
        let index = usize::from(domains.find(raw)?);
        if raw.len() <= self.raw.len() {
            self.raw[..raw.len()].copy_from_slice(raw);
            self.len = raw.len();
            self.index = index;
        }
        Some(index)
    }
}

/// A row's checked values, ready to be written.
struct Checked<'a> {
    pseudonym: [u8; 32],
    buurt: [u8; 10],
    voorziening: &'a [u8],
    quote: bool,
    periode: ([u8; 7], usize),
}

/// The address, neighbourhood, provision and period of a row the fast path did not
/// take, checked by the parsers; `None` if any breaks its rule.
fn check_values<'a>(row: &'a RowView<'_>, c: &Columns, mac: &AddressMac) -> Option<Checked<'a>> {
    let optional = |c: Option<usize>| match c {
        Some(i) => row.field(i),
        None => &[],
    };
    let (postcode, number, letter, addition) = (
        row.field(c.postcode),
        row.field(c.huisnummer),
        optional(c.huisletter),
        optional(c.toevoeging),
    );
    let (buurt, voorziening, periode) = (
        row.field(c.buurtcode),
        row.field(c.voorziening),
        optional(c.periode),
    );
    let address = Address {
        postcode: Postcode::parse_bytes(postcode).ok()?,
        number: HouseNumber::parse_bytes(number).ok()?,
        letter: HouseLetter::parse_bytes(letter).ok()?,
        addition: Addition::parse_bytes(addition).ok()?,
    };
    let buurt = *BuurtCode::parse_bytes(buurt).ok()?.as_bytes();
    let voorziening = free_text(voorziening).ok()?;
    let periode = match Periode::parse_bytes(periode).ok()? {
        Some(p) => {
            let (bytes, len) = p.padded();
            (*bytes, len)
        }
        None => ([0; 7], 0),
    };
    Some(Checked {
        pseudonym: mac.pseudonym(&address.normalised()),
        buurt,
        voorziening,
        quote: needs_quotes(voorziening),
        periode,
    })
}

/// The last domain value the fast path saw (up to 16 bytes, as a word) and its index.
struct FastDomainCache {
    value: u128,
    len: usize,
    index: usize,
}

impl FastDomainCache {
    fn new() -> FastDomainCache {
        FastDomainCache {
            value: 0,
            len: usize::MAX,
            index: 0,
        }
    }

    #[inline(always)]
    fn find(&mut self, domains: &DomainList, w: &Window, field: fast::Field) -> Option<usize> {
        let value = fast::short_value(w, field)?;
        if value == self.value && field.1 == self.len {
            return Some(self.index);
        }
        let index = usize::from(domains.find(&w[field.0..field.0 + field.1])?);
        (self.value, self.len, self.index) = (value, field.1, index);
        Some(index)
    }
}

/// Checks a usual row's needed fields (see [`crate::fast`]) and writes it in bucket
/// form into `out`; `None` if any is not in its usual form (the general path then
/// decides).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn encode_fast_row(
    w: &Window,
    split: &Split,
    c: &Columns,
    other: u8,
    domains: &DomainList,
    cache: &mut FastDomainCache,
    names: &[DomainName],
    mac: &AddressMac,
    out: &mut [u8; FAST_ROOM],
) -> Option<usize> {
    let optional = |c: Option<usize>| c.map_or((0, 0), |i| split.field(i));
    let domain = names.get(cache.find(domains, w, split.field(c.domein))?)?;
    let (buurt, buurt_tail) = fast::buurtcode(w, split.field(c.buurtcode))?;
    let voorziening = split.field(c.voorziening);
    let quote = fast::free_text(w, voorziening, other)?;
    let (periode, periode_len) = fast::periode(w, optional(c.periode))?;
    let mut block = [0u8; 64];
    let len = fast::address(
        w,
        split.field(c.postcode),
        split.field(c.huisnummer),
        optional(c.huisletter),
        optional(c.toevoeging),
        &mut block,
    )?;
    out[..32].copy_from_slice(&mac.pseudonym_of_block(&mut block, len));

    // `buurtcode,domein,voorziening,periode`, each piece stored as whole words; the
    // bytes past a piece are overwritten by the next one.
    out[HEAD..HEAD + 8].copy_from_slice(&buurt.to_le_bytes());
    out[HEAD + 8..HEAD + 10].copy_from_slice(&buurt_tail.to_le_bytes());
    out[HEAD + 10] = b',';
    let mut n = HEAD + 11;
    out[n..n + DOMAIN_BYTES].copy_from_slice(&domain.bytes);
    n += domain.len;
    out[n] = b',';
    n += 1;
    let (vs, vl) = voorziening;
    if quote {
        out[n] = b'"';
        n += 1;
    }
    out[n..n + 64].copy_from_slice(&w[vs..vs + 64]);
    n += vl;
    if quote {
        out[n] = b'"';
        n += 1;
    }
    out[n] = b',';
    n += 1;
    out[n..n + 8].copy_from_slice(&periode.to_le_bytes());
    n += periode_len;
    out[32..HEAD].copy_from_slice(&((n - HEAD) as u16).to_le_bytes());
    Some(n)
}

/// Checks the needed fields of a row the fast path did not take and writes it in
/// bucket form into `out`; `None` if any field breaks its rule.
#[inline(always)]
fn encode_row(
    row: &RowView<'_>,
    c: &Columns,
    domains: &DomainList,
    cache: &mut DomainCache,
    names: &[DomainName],
    mac: &AddressMac,
    out: &mut [u8; ROW_SCRATCH],
) -> Option<usize> {
    let domain = names.get(cache.find(domains, row.field(c.domein))?)?;
    let v = check_values(row, c, mac)?;

    out[..32].copy_from_slice(&v.pseudonym);
    let mut n = HEAD;
    out[n..n + 10].copy_from_slice(&v.buurt);
    out[n + 10] = b',';
    n += 11;
    out[n..n + DOMAIN_BYTES].copy_from_slice(&domain.bytes);
    n += domain.len;
    out[n] = b',';
    n += 1;
    if v.quote {
        out[n] = b'"';
        n += 1;
        for &b in v.voorziening {
            if b == b'"' {
                out[n] = b'"';
                n += 1;
            }
            out[n] = b;
            n += 1;
        }
        out[n] = b'"';
        n += 1;
    } else {
        out[n..n + v.voorziening.len()].copy_from_slice(v.voorziening);
        n += v.voorziening.len();
    }
    out[n] = b',';
    n += 1;
    out[n..n + 7].copy_from_slice(&v.periode.0);
    n += v.periode.1;
    // `n - HEAD <= MAX_ROW_BYTES - HEAD`, which fits (checked at compile time).
    out[32..HEAD].copy_from_slice(&((n - HEAD) as u16).to_le_bytes());
    Some(n)
}

/// Reports every problem in a row, as `FILE:LINE: column: what is wrong`.
fn report_problems(
    row: &RowView<'_>,
    c: &Columns,
    config: &InputConfig,
    header: &csvio::Header,
    line: u64,
    errors: &mut RowErrors,
) {
    let limit = config.max_errors;
    let optional = |c: Option<usize>| c.map_or(&b""[..], |c| row.field(c));
    let mut check = |column: Option<usize>, problem: Option<Problem>| {
        if let (Some(column), Some(problem)) = (column, problem) {
            errors.push(limit, header.row_error(line, column, problem));
        }
    };
    check(
        Some(c.postcode),
        Postcode::parse_bytes(row.field(c.postcode)).err(),
    );
    check(
        Some(c.huisnummer),
        HouseNumber::parse_bytes(row.field(c.huisnummer)).err(),
    );
    check(
        c.huisletter,
        HouseLetter::parse_bytes(optional(c.huisletter)).err(),
    );
    check(
        c.toevoeging,
        Addition::parse_bytes(optional(c.toevoeging)).err(),
    );
    check(
        Some(c.buurtcode),
        BuurtCode::parse_bytes(row.field(c.buurtcode)).err(),
    );
    check(
        Some(c.domein),
        config
            .domains
            .find(row.field(c.domein))
            .is_none()
            .then(|| config.domains.problem(row.field(c.domein))),
    );
    check(
        Some(c.voorziening),
        free_text(row.field(c.voorziening)).err(),
    );
    check(c.periode, Periode::parse_bytes(optional(c.periode)).err());
}

/// [`ShuffleOptions`], checked.
#[derive(Debug, Clone)]
struct Limits {
    dir: PathBuf,
    bits: u32,
    buffer: usize,
    max_rows: u64,
}

impl Limits {
    /// Whether a bucket may be shuffled in memory: at most `max_rows` rows, and less
    /// than 4 GiB (so that `emit` can index it with 32-bit offsets).
    fn fits(&self, b: &Bucket) -> bool {
        b.rows <= self.max_rows && b.total_bytes() < u64::from(u32::MAX)
    }

    fn new(o: &ShuffleOptions) -> Limits {
        let buckets = o.buckets.clamp(2, 4096).next_power_of_two();
        Limits {
            dir: o.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
            bits: buckets.trailing_zeros(),
            buffer: o.bucket_buffer.max(MAX_ROW_BYTES),
            max_rows: o.max_rows_in_memory.max(1) as u64,
        }
    }

    /// A bucket buffer's size: the chunk header, `buffer` bytes of rows, and room for
    /// one more row (a buffer is spilled as soon as its rows reach `buffer` bytes).
    fn capacity(&self) -> usize {
        CHUNK_HEADER + self.buffer + MAX_ROW_BYTES.max(FAST_ROOM)
    }
}

/// Every bucket's spilled chunks, appended to one anonymous temporary file (one file
/// per level of buckets, so creating files costs nothing per bucket).
struct Spill {
    file: File,
    len: u64,
}

/// The bytes before a chunk's rows, in a bucket buffer and in the spill file: where
/// the bucket's previous chunk starts and how long it is (`u64::MAX`: none).
const CHUNK_HEADER: usize = 16;

/// One bucket: its newest rows in a buffer (after a chunk header), the older ones in
/// chunks in the level's spill file, linked from the newest back.
#[derive(Default)]
struct Bucket {
    /// Empty until the bucket's first row, then [`Limits::capacity`] bytes, of which
    /// `fill` are the chunk header and rows.
    buf: Vec<u8>,
    fill: usize,
    buf_rows: u64,
    /// The newest spilled chunk: its offset (of the header) and its rows' length.
    last_chunk: Option<(u64, u64)>,
    spilled_bytes: u64,
    rows: u64,
}

/// A level of buckets and the file their chunks went to.
struct Level {
    spill: Option<Spill>,
    buckets: Vec<Bucket>,
}

impl Bucket {
    /// The rows in the buffer (after the chunk header).
    fn buffered(&self) -> &[u8] {
        self.buf.get(CHUNK_HEADER..self.fill).unwrap_or_default()
    }

    fn total_bytes(&self) -> u64 {
        self.spilled_bytes + self.buffered().len() as u64
    }

    /// Allocates the buffer on first use.
    #[inline]
    fn ensure_buffer(&mut self, capacity: usize, tally: &mut Tally) {
        if self.buf.is_empty() {
            self.buf = vec![0; capacity];
            self.fill = CHUNK_HEADER;
            tally.add(0, capacity as u64);
        }
    }

    /// Appends the buffer as a chunk to the spill file (creating it), and empties it.
    fn spill(
        &mut self,
        spill: &mut Option<Spill>,
        dir: &Path,
        tally: &mut Tally,
    ) -> io::Result<()> {
        if self.buf_rows == 0 {
            return Ok(());
        }
        tally.peak();
        let spill = match spill {
            Some(s) => s,
            None => {
                tally.stats.bucket_files += 1;
                spill.insert(Spill {
                    file: tempfile::tempfile_in(dir)?,
                    len: 0,
                })
            }
        };
        let (prev_at, prev_len) = self.last_chunk.unwrap_or((u64::MAX, u64::MAX));
        self.buf[..8].copy_from_slice(&prev_at.to_le_bytes());
        self.buf[8..CHUNK_HEADER].copy_from_slice(&prev_len.to_le_bytes());
        spill.file.write_all(&self.buf[..self.fill])?;
        let rows_len = (self.fill - CHUNK_HEADER) as u64;
        self.last_chunk = Some((spill.len, rows_len));
        spill.len += self.fill as u64;
        self.spilled_bytes += rows_len;
        tally.remove(self.buf_rows, 0);
        self.buf_rows = 0;
        self.fill = CHUNK_HEADER;
        Ok(())
    }

    /// Frees the buffer (after spilling it, or when the bucket is done).
    fn free_buffer(&mut self, tally: &mut Tally) {
        tally.remove(self.buf_rows, self.buf.len() as u64);
        self.buf_rows = 0;
        self.buf = Vec::new();
        self.fill = 0;
    }

    /// Calls `f` with each spilled chunk's rows, newest first, read into `chunk`.
    fn for_each_chunk(
        &self,
        spill: &mut Option<Spill>,
        chunk: &mut Vec<u8>,
        mut f: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut next = self.last_chunk;
        while let Some((at, len)) = next {
            let file = &mut spill.as_mut().ok_or_else(corrupt)?.file;
            let len = usize::try_from(len).map_err(|_| corrupt())?;
            chunk.clear();
            chunk.resize(CHUNK_HEADER + len, 0);
            read_exact_at(file, chunk, at)?;
            let prev_at = u64::from_le_bytes(chunk[..8].try_into().map_err(|_| corrupt())?);
            let prev_len =
                u64::from_le_bytes(chunk[8..CHUNK_HEADER].try_into().map_err(|_| corrupt())?);
            f(&chunk[CHUNK_HEADER..])?;
            next = (prev_at != u64::MAX).then_some((prev_at, prev_len));
        }
        Ok(())
    }

    /// All rows, read into `data` (the caller has checked that they fit the budget)
    /// straight from the spill file: `data[CHUNK_HEADER..end]` are the rows, where
    /// `end` is returned, and [`DATA_PADDING`] bytes follow that are no row (so that
    /// rows can be copied as whole words). The chunks are read newest first, each to
    /// its place from the end backwards, with its header in front of it where the
    /// next (older) chunk's rows will go.
    fn load_into(&mut self, spill: &mut Option<Spill>, data: &mut Vec<u8>) -> io::Result<usize> {
        let spilled = usize::try_from(self.spilled_bytes).map_err(|_| corrupt())?;
        let buffered = self.buffered().len();
        let rows_end = CHUNK_HEADER + spilled + buffered;
        data.clear();
        data.resize(rows_end + DATA_PADDING, 0);
        data[CHUNK_HEADER + spilled..rows_end].copy_from_slice(self.buffered());
        let mut end = CHUNK_HEADER + spilled;
        let mut next = self.last_chunk;
        while let Some((at, len)) = next {
            let file = &mut spill.as_mut().ok_or_else(corrupt)?.file;
            let len = usize::try_from(len).map_err(|_| corrupt())?;
            let start = end.checked_sub(len + CHUNK_HEADER).ok_or_else(corrupt)?;
            read_exact_at(file, &mut data[start..end], at)?;
            let header = &data[start..start + CHUNK_HEADER];
            let prev_at = u64::from_le_bytes(header[..8].try_into().map_err(|_| corrupt())?);
            let prev_len = u64::from_le_bytes(header[8..].try_into().map_err(|_| corrupt())?);
            next = (prev_at != u64::MAX).then_some((prev_at, prev_len));
            end -= len;
        }
        if end != CHUNK_HEADER {
            return Err(corrupt());
        }
        Ok(rows_end)
    }

    /// Calls `f` with every row, streaming the spilled chunks.
    fn for_each_row(
        &self,
        spill: &mut Option<Spill>,
        chunk: &mut Vec<u8>,
        mut f: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut rows_of = |rows: &[u8]| {
            let mut at = 0;
            while at < rows.len() {
                let end = row_end(rows, at)?;
                f(&rows[at..end])?;
                at = end;
            }
            Ok(())
        };
        self.for_each_chunk(spill, chunk, &mut rows_of)?;
        rows_of(self.buffered())
    }
}

/// Reads `buf.len()` bytes at `offset` (one `pread` on Unix, no seek).
fn read_exact_at(file: &mut File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom};
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// Bytes after a loaded bucket's rows that belong to no row.
const DATA_PADDING: usize = 128;

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "a temporary bucket file changed while it was in use",
    )
}

/// Where the row starting at `at` ends.
#[inline]
fn row_end(data: &[u8], at: usize) -> io::Result<usize> {
    let len = match data.get(at + 32..at + HEAD) {
        Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])),
        _ => return Err(corrupt()),
    };
    let end = at + HEAD + len;
    if end > data.len() {
        return Err(corrupt());
    }
    Ok(end)
}

/// Rows being distributed over buckets at random.
struct Scatter {
    buckets: Vec<Bucket>,
    spill: Option<Spill>,
    rng: ChaCha12Rng,
    /// Random bits not used yet, and how many.
    pool: u64,
    pool_bits: u32,
    bits: u32,
    /// Rows bytes after which a buffer is spilled (plus the chunk header).
    spill_at: usize,
    capacity: usize,
    dir: PathBuf,
}

impl Scatter {
    fn new(limits: &Limits, rng: ChaCha12Rng) -> Scatter {
        Scatter {
            buckets: (0..1usize << limits.bits)
                .map(|_| Bucket::default())
                .collect(),
            spill: None,
            rng,
            pool: 0,
            pool_bits: 0,
            bits: limits.bits,
            spill_at: CHUNK_HEADER + limits.buffer,
            capacity: limits.capacity(),
            dir: limits.dir.clone(),
        }
    }

    /// A bucket drawn at random.
    #[inline(always)]
    fn next_bucket(&mut self) -> usize {
        if self.pool_bits < self.bits {
            self.pool = self.rng.next_u64();
            self.pool_bits = 64;
        }
        let b = (self.pool & ((1u64 << self.bits) - 1)) as usize;
        self.pool >>= self.bits;
        self.pool_bits -= self.bits;
        b
    }

    /// Room for one fast-path row at the end of bucket `b`'s buffer.
    #[inline(always)]
    fn room(&mut self, b: usize, tally: &mut Tally) -> &mut [u8; FAST_ROOM] {
        let capacity = self.capacity;
        let bucket = &mut self.buckets[b];
        bucket.ensure_buffer(capacity, tally);
        let fill = bucket.fill;
        // `fill < spill_at` after every write, and `capacity - spill_at >= FAST_ROOM`.
        (&mut bucket.buf[fill..fill + FAST_ROOM])
            .try_into()
            .unwrap_or_else(|_| unreachable!("a bucket buffer has room for a row"))
    }

    /// Takes the `len` bytes just written into [`Scatter::room`] as a row.
    #[inline(always)]
    fn wrote(&mut self, b: usize, len: usize, tally: &mut Tally) -> io::Result<()> {
        let bucket = &mut self.buckets[b];
        bucket.fill += len;
        bucket.buf_rows += 1;
        bucket.rows += 1;
        tally.note_row();
        if bucket.fill >= self.spill_at {
            bucket.spill(&mut self.spill, &self.dir, tally)?;
        }
        Ok(())
    }

    /// Adds one row (at most `MAX_ROW_BYTES`) to a bucket drawn at random.
    #[inline]
    fn push(&mut self, row: &[u8], tally: &mut Tally) -> io::Result<()> {
        let b = self.next_bucket();
        let capacity = self.capacity;
        let bucket = &mut self.buckets[b];
        bucket.ensure_buffer(capacity, tally);
        let fill = bucket.fill;
        bucket.buf[fill..fill + row.len()].copy_from_slice(row);
        self.wrote(b, row.len(), tally)
    }

    /// The buckets. If any will have to be split again (more rows than may be shuffled
    /// at once), every buffer is written out first, so that only one level of buffers
    /// is ever held.
    fn finish(mut self, limits: &Limits, tally: &mut Tally) -> io::Result<Level> {
        tally.peak();
        if self.buckets.iter().any(|b| !limits.fits(b)) {
            for b in &mut self.buckets {
                b.spill(&mut self.spill, &self.dir, tally)?;
                b.free_buffer(tally);
            }
        }
        Ok(Level {
            spill: self.spill,
            buckets: self.buckets,
        })
    }
}

/// Writes shuffled buckets as CSV lines.
struct CsvOut<W: Write> {
    out: W,
    /// [`OUT_BUFFER`] bytes of lines and room for one more, of which `fill` are used.
    buf: Vec<u8>,
    fill: usize,
    /// `,organisation,` as a CSV field between commas, padded with zeros to a
    /// multiple of 16 bytes.
    organisation: Vec<u8>,
    organisation_len: usize,
}

const OUT_BUFFER: usize = 1 << 20;

impl<W: Write> CsvOut<W> {
    fn new(out: W, organisation: &[u8]) -> CsvOut<W> {
        // At least 32 bytes, so that a short name is copied as one fixed block.
        let mut padded = organisation.to_vec();
        padded.resize(organisation.len().next_multiple_of(16).max(32), 0);
        CsvOut {
            out,
            buf: vec![0; OUT_BUFFER + 64 + padded.len() + MAX_ROW_BYTES + DATA_PADDING],
            fill: 0,
            organisation: padded,
            organisation_len: organisation.len(),
        }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        for chunk in bytes.chunks(OUT_BUFFER) {
            self.buf[self.fill..self.fill + chunk.len()].copy_from_slice(chunk);
            self.fill += chunk.len();
            self.flush_if_full()?;
        }
        Ok(())
    }

    #[inline]
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.fill >= OUT_BUFFER {
            self.out.write_all(&self.buf[..self.fill])?;
            self.fill = 0;
        }
        Ok(())
    }

    /// Writes the row at `data[at..end]`; `data` has [`DATA_PADDING`] bytes after its
    /// rows, so short rows are copied as whole words.
    #[inline]
    fn row(&mut self, data: &[u8], at: usize, end: usize) -> io::Result<()> {
        let Some(pseudonym) = data.get(at..at + 32).and_then(|p| p.first_chunk::<32>()) else {
            return Err(corrupt());
        };
        let mut n = self.fill;
        let hex: &mut [u8; 64] = (&mut self.buf[n..n + 64])
            .try_into()
            .unwrap_or_else(|_| unreachable!("64 bytes"));
        hex_encode(pseudonym, hex);
        n += 64;
        if let Some(org) = self.organisation.first_chunk::<32>() {
            self.buf[n..n + 32].copy_from_slice(org);
        } else {
            let org = self.organisation.len();
            self.buf[n..n + org].copy_from_slice(&self.organisation);
        }
        n += self.organisation_len;
        let rest = end - (at + HEAD);
        if rest <= 64 {
            let src = data.get(at + HEAD..at + HEAD + 64).ok_or_else(corrupt)?;
            self.buf[n..n + 64].copy_from_slice(src);
        } else {
            self.buf[n..n + rest].copy_from_slice(&data[at + HEAD..end]);
        }
        n += rest;
        self.buf[n] = b'\n';
        self.fill = n + 1;
        self.flush_if_full()
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf[..self.fill])?;
        self.out.flush()
    }
}

/// A uniformly random number below `n` (`n > 0`), by Lemire's multiply-and-reject:
/// one 32-bit draw and one multiplication nearly always.
#[inline(always)]
fn below<G: RngCore>(rng: &mut G, n: u32) -> u32 {
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

/// Shuffles `items` uniformly (Fisher-Yates).
fn shuffle<T, G: RngCore>(items: &mut [T], rng: &mut G) {
    for i in (1..items.len()).rev() {
        // Buckets hold far fewer than 2^32 rows (`Limits::fits`).
        let j = below(rng, (i + 1) as u32) as usize;
        items.swap(i, j);
    }
}

/// Writes a level's buckets in order, each shuffled, splitting any that is too large.
fn emit<W: Write>(
    level: Level,
    limits: &Limits,
    out: &mut CsvOut<W>,
    rng: &mut ChaCha12Rng,
    tally: &mut Tally,
    depth: u32,
) -> io::Result<()> {
    tally.stats.levels = tally.stats.levels.max(depth);
    let Level { mut spill, buckets } = level;
    // Reused from bucket to bucket: a bucket's rows, and their (start, length) in one
    // u64 each.
    let (mut data, mut spans) = (Vec::new(), Vec::<u64>::new());
    let held = |data: &Vec<u8>, spans: &Vec<u64>| (data.capacity() + spans.capacity() * 8) as u64;
    for mut bucket in buckets {
        if bucket.last_chunk.is_none() && !bucket.buf.is_empty() && limits.fits(&bucket) {
            // Nothing spilled: the rows are shuffled where they are, in the bucket's
            // buffer (which has room for the padding after its rows).
            let before = spans.capacity();
            spans.clear();
            spans.reserve(bucket.rows as usize);
            tally.add(0, ((spans.capacity() - before) * 8) as u64);
            let rows_end = bucket.fill;
            spans_of(&bucket.buf[..rows_end], CHUNK_HEADER, &mut spans)?;
            shuffle(&mut spans, rng);
            for &span in &spans {
                let start = (span >> 32) as usize;
                let end = start + (span & 0xffff_ffff) as usize;
                out.row(&bucket.buf, start, end)?;
            }
            bucket.free_buffer(tally);
        } else if limits.fits(&bucket) {
            let before = held(&data, &spans);
            let rows = bucket.rows - bucket.buf_rows;
            let rows_end = bucket.load_into(&mut spill, &mut data)?;
            spans.clear();
            spans.reserve(bucket.rows as usize);
            // The buffer's rows were counted already; now they are in `data`.
            tally.add(rows, held(&data, &spans).saturating_sub(before));
            let all = bucket.rows;
            bucket.free_buffer(tally);
            tally.add(all - rows, 0);
            spans_of(&data[..rows_end], CHUNK_HEADER, &mut spans)?;
            shuffle(&mut spans, rng);
            for &span in &spans {
                let start = (span >> 32) as usize;
                let end = start + (span & 0xffff_ffff) as usize;
                out.row(&data, start, end)?;
            }
            tally.remove(all, 0);
        } else {
            // Free this level's reusable memory before going a level deeper.
            tally.remove(0, held(&data, &spans));
            (data, spans) = (Vec::new(), Vec::new());
            let mut split = Scatter::new(limits, ChaCha12Rng::from_seed(rng.gen()));
            let mut reading = Vec::new();
            bucket.for_each_row(&mut spill, &mut reading, |row| split.push(row, tally))?;
            bucket.free_buffer(tally);
            drop(bucket);
            let deeper = split.finish(limits, tally)?;
            emit(deeper, limits, out, rng, tally, depth + 1)?;
        }
    }
    tally.remove(0, held(&data, &spans));
    Ok(())
}

/// The (start, length) of every row in `rows[at..]`, one u64 each.
fn spans_of(rows: &[u8], mut at: usize, spans: &mut Vec<u64>) -> io::Result<()> {
    while at < rows.len() {
        let end = row_end(rows, at)?;
        // Rows are at most 596 bytes and a bucket's data below 4 GiB (`fits`).
        spans.push(((at as u64) << 32) | (end - at) as u64);
        at = end;
    }
    Ok(())
}

/// Both lower-case hex digits of every byte value.
#[cfg(any(test, not(target_arch = "x86_64")))]
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 0x0f]];
        i += 1;
    }
    t
};

/// Lower-case hex, one table look-up per byte.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn hex_encode_table(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(*b)]);
    }
}

/// Lower-case hex of 32 bytes.
#[inline]
fn hex_encode(bytes: &[u8; 32], out: &mut [u8; 64]) {
    #[cfg(target_arch = "x86_64")]
    hex_encode_sse2(bytes, out);
    #[cfg(not(target_arch = "x86_64"))]
    hex_encode_table(bytes, out);
}

/// Lower-case hex, sixteen bytes at a time with SSE2 (part of every x86-64 CPU):
/// split into nibbles, interleave, and add `'0'` or `'a' - 10`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn hex_encode_sse2(bytes: &[u8; 32], out: &mut [u8; 64]) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_set1_epi8,
        _mm_srli_epi16, _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline; the loads read bytes[0..16] and
    // bytes[16..32], the stores write out[0..64], all in bounds.
    unsafe {
        let low = _mm_set1_epi8(0x0f);
        let nine = _mm_set1_epi8(9);
        let zero = _mm_set1_epi8(b'0' as i8);
        let letters = _mm_set1_epi8((b'a' - b'0' - 10) as i8);
        let ascii = |n: __m128i| {
            _mm_add_epi8(
                _mm_add_epi8(n, zero),
                _mm_and_si128(_mm_cmpgt_epi8(n, nine), letters),
            )
        };
        for half in 0..2 {
            let v = _mm_loadu_si128(bytes.as_ptr().add(16 * half) as *const __m128i);
            let hi = _mm_and_si128(_mm_srli_epi16(v, 4), low);
            let lo = _mm_and_si128(v, low);
            let first = ascii(_mm_unpacklo_epi8(hi, lo));
            let second = ascii(_mm_unpackhi_epi8(hi, lo));
            _mm_storeu_si128(out.as_mut_ptr().add(32 * half) as *mut __m128i, first);
            _mm_storeu_si128(out.as_mut_ptr().add(32 * half + 16) as *mut __m128i, second);
        }
    }
}

impl PseudonymisedFile {
    /// The number of rows.
    pub fn len(&self) -> usize {
        usize::try_from(self.rows).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn organisation(&self) -> &Organisation {
        &self.organisation
    }

    /// Writes the rows as CSV (`,`, LF) in an order drawn from `rng` (and from the
    /// random buckets the rows were put in while reading).
    pub fn write_csv<W: Write, G: Rng + ?Sized>(self, out: W, rng: &mut G) -> io::Result<()> {
        self.write_csv_with_stats(out, rng).map(|_| ())
    }

    /// [`write_csv`](Self::write_csv), returning what the shuffle did.
    pub fn write_csv_with_stats<W: Write, G: Rng + ?Sized>(
        self,
        out: W,
        rng: &mut G,
    ) -> io::Result<ShuffleStats> {
        let PseudonymisedFile {
            organisation,
            rows,
            level,
            limits,
            mut tally,
        } = self;
        let mut org = Vec::with_capacity(organisation.as_str().len() + 4);
        org.push(b',');
        org.extend_from_slice(&csv_field(organisation.as_str().as_bytes()));
        org.push(b',');
        let mut out = CsvOut::new(out, &org);
        out.put(PSEUDONYMISED_COLUMNS.join(",").as_bytes())?;
        out.put(b"\n")?;
        let mut rng = ChaCha12Rng::from_seed(seed(rng));
        emit(level, &limits, &mut out, &mut rng, &mut tally, 1)?;
        out.finish()?;
        tally.stats.rows = rows;
        Ok(tally.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hex_encoding_is_lower_case_hex(bytes in proptest::array::uniform32(any::<u8>())) {
            let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
            hex_encode(&bytes, &mut a);
            hex_encode_table(&bytes, &mut b);
            let expected = hex::encode(bytes);
            prop_assert_eq!(&a[..], expected.as_bytes());
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn the_longest_row_fits() {
        const { assert!(ROW_SCRATCH >= MAX_ROW_BYTES + DOMAIN_BYTES) };
        assert!(ShuffleOptions::default().bucket_buffer >= MAX_ROW_BYTES);
    }
}

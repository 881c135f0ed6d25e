//! Step 2, at each organisation: replace the address by a keyed pseudonym.
//!
//! Every row is checked; if any row breaks a rule, the whole file is refused with a
//! message per problem and nothing is written. The output holds only `pseudoniem`,
//! `organisatie`, `buurtcode`, `domein`, `voorziening` and `periode`, in random row
//! order, so neither the input's other columns nor its order survive.

use std::io::{Read, Write};

use hmac::Mac;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::csvio::{self, csv_field};
use crate::error::{MonitorError, Problem, RowErrors};
use crate::input::{
    free_text, Addition, Address, BuurtCode, DomainList, HouseLetter, HouseNumber, Organisation,
    Periode, Postcode,
};
use crate::intern::Interner;
use crate::key::MonitorKey;

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

/// A row is its pseudonym and everything else, interned as one value: most rows
/// repeat a (neighbourhood, domain, period, provision) seen before, so this keeps a
/// row at 36 bytes and writing it at one copy.
#[derive(Clone, Copy)]
struct Row {
    pseudonym: [u8; 32],
    rest: u32,
}

/// The interned rest of a row: `buurtcode` (10 bytes), the domain's index, the
/// period's length and bytes, then the provision.
fn rest_key(
    key: &mut Vec<u8>,
    buurt: &BuurtCode,
    domein: u8,
    periode: Option<Periode>,
    voorziening: &[u8],
) {
    key.clear();
    key.extend_from_slice(buurt.as_bytes());
    key.push(domein);
    let p = periode.as_ref().map_or("", Periode::as_str).as_bytes();
    key.push(p.len() as u8);
    key.extend_from_slice(p);
    key.extend_from_slice(voorziening);
}

/// A checked and pseudonymised file, held in memory until it is written.
pub struct PseudonymisedFile {
    organisation: Organisation,
    domains: DomainList,
    rows: Vec<Row>,
    rests: Interner,
}

impl std::fmt::Debug for PseudonymisedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PseudonymisedFile")
            .field("organisation", &self.organisation)
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

/// Reads an organisation's file, checks every row and pseudonymises the addresses.
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
    let mut csv = csvio::open(input, file, INPUT_COLUMNS)?;
    if csv.find("pseudoniem").is_some() {
        return Err(MonitorError::Read {
            file: file.to_owned(),
            message: "this file already has a `pseudoniem` column; it was pseudonymised before"
                .into(),
        });
    }
    let c_postcode = csv.require("postcode")?;
    let c_huisnummer = csv.require("huisnummer")?;
    let c_buurtcode = csv.require("buurtcode")?;
    let c_domein = csv.require("domein")?;
    let c_voorziening = csv.require("voorziening")?;
    let c_huisletter = csv.find("huisletter");
    let c_toevoeging = csv.find("toevoeging");
    let c_periode = csv.find("periode");

    let keyed = key.hmac();
    let limit = config.max_errors;
    let mut errors = RowErrors::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut rests = Interner::new();
    let mut key_scratch = Vec::with_capacity(64);

    let mut record = crate::records::Record::new();
    loop {
        match csv.reader.read(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csvio::read_error(file, e)),
        }
        let line = record.line();
        if !csv.check_row(&record, line, &mut errors, limit) {
            continue;
        }
        let optional = |c: Option<usize>| c.map_or(&b""[..], |c| &record[c]);
        // The happy path: every field parses, nothing to report, nothing to drop.
        let parsed = if errors.is_empty() {
            (|| {
                Some((
                    Postcode::parse_bytes(&record[c_postcode]).ok()?,
                    HouseNumber::parse_bytes(&record[c_huisnummer]).ok()?,
                    HouseLetter::parse_bytes(optional(c_huisletter)).ok()?,
                    Addition::parse_bytes(optional(c_toevoeging)).ok()?,
                    BuurtCode::parse_bytes(&record[c_buurtcode]).ok()?,
                    config.domains.find(&record[c_domein])?,
                    free_text(&record[c_voorziening]).ok()?,
                    Periode::parse_bytes(optional(c_periode)).ok()?,
                ))
            })()
        } else {
            None
        };
        let Some((postcode, number, letter, addition, buurt, domein, voorziening, periode)) =
            parsed
        else {
            // Some field is wrong (or an earlier row was, and nothing will be written):
            // check every field again and report each problem.
            let mut check = |column: Option<usize>, problem: Option<Problem>| {
                if let (Some(column), Some(problem)) = (column, problem) {
                    errors.push(limit, csv.row_error(line, column, problem));
                }
            };
            check(
                Some(c_postcode),
                Postcode::parse_bytes(&record[c_postcode]).err(),
            );
            check(
                Some(c_huisnummer),
                HouseNumber::parse_bytes(&record[c_huisnummer]).err(),
            );
            check(
                c_huisletter,
                HouseLetter::parse_bytes(optional(c_huisletter)).err(),
            );
            check(
                c_toevoeging,
                Addition::parse_bytes(optional(c_toevoeging)).err(),
            );
            check(
                Some(c_buurtcode),
                BuurtCode::parse_bytes(&record[c_buurtcode]).err(),
            );
            check(
                Some(c_domein),
                config
                    .domains
                    .find(&record[c_domein])
                    .is_none()
                    .then(|| config.domains.problem(&record[c_domein])),
            );
            check(Some(c_voorziening), free_text(&record[c_voorziening]).err());
            check(c_periode, Periode::parse_bytes(optional(c_periode)).err());
            continue;
        };
        let address = Address {
            postcode,
            number,
            letter,
            addition,
        };
        let mut mac = keyed.clone();
        mac.update(address.normalised().as_bytes());
        let pseudonym: [u8; 32] = mac.finalize().into_bytes().into();
        rest_key(&mut key_scratch, &buurt, domein, periode, voorziening);
        rows.push(Row {
            pseudonym,
            rest: rests.intern(&key_scratch),
        });
    }
    if !errors.is_empty() {
        return Err(MonitorError::InvalidRows(errors));
    }
    if rows.is_empty() {
        return Err(MonitorError::NoRows {
            file: file.to_owned(),
        });
    }
    Ok(PseudonymisedFile {
        organisation: organisation.clone(),
        domains: config.domains.clone(),
        rows,
        rests,
    })
}

/// Both lower-case hex digits of every byte value.
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
#[inline]
fn hex_encode(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(*b)]);
    }
}

impl PseudonymisedFile {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn organisation(&self) -> &Organisation {
        &self.organisation
    }

    /// Writes the rows as CSV (`,`, LF) in an order drawn from `rng`.
    pub fn write_csv<W: Write, G: Rng + ?Sized>(
        mut self,
        out: W,
        rng: &mut G,
    ) -> std::io::Result<()> {
        self.rows.shuffle(rng);
        let mut out = out;
        let organisation = csv_field(self.organisation.as_str().as_bytes());
        // Render every distinct rest of a row once: `,org,buurt,domein,voorziening,periode\n`.
        let suffixes: Vec<Vec<u8>> = (0..self.rests.len() as u32)
            .map(|i| {
                let key = self.rests.get(i);
                let (buurt, rest) = key.split_at(10);
                let domein = self.domains.name(rest[0]);
                let plen = usize::from(rest[1]);
                let (periode, voorziening) = rest[2..].split_at(plen);
                let mut s = Vec::with_capacity(key.len() + organisation.len() + 16);
                s.push(b',');
                s.extend_from_slice(&organisation);
                s.push(b',');
                s.extend_from_slice(buurt);
                s.push(b',');
                s.extend_from_slice(&csv_field(domein.as_bytes()));
                s.push(b',');
                s.extend_from_slice(&csv_field(voorziening));
                s.push(b',');
                s.extend_from_slice(periode);
                s.push(b'\n');
                s
            })
            .collect();
        let mut buf: Vec<u8> = Vec::with_capacity((1 << 20) + 1024);
        buf.extend_from_slice(PSEUDONYMISED_COLUMNS.join(",").as_bytes());
        buf.push(b'\n');
        let mut hex = [0u8; 64];
        for row in &self.rows {
            hex_encode(&row.pseudonym, &mut hex);
            buf.extend_from_slice(&hex);
            buf.extend_from_slice(&suffixes[row.rest as usize]);
            if buf.len() >= 1 << 20 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)?;
        out.flush()
    }
}

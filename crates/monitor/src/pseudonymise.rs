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
    free_text, Address, Addition, BuurtCode, DomainList, HouseLetter, HouseNumber, Organisation,
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

#[derive(Clone, Copy)]
struct Row {
    pseudonym: [u8; 32],
    buurt: u32,
    voorziening: u32,
    /// Index into `periodes`, 0 meaning no period.
    periode: u32,
    domein: u8,
}

/// A checked and pseudonymised file, held in memory until it is written.
pub struct PseudonymisedFile {
    organisation: Organisation,
    domains: DomainList,
    rows: Vec<Row>,
    buurten: Interner,
    voorzieningen: Interner,
    periodes: Interner,
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
            message: "this file already has a `pseudoniem` column; it was pseudonymised before".into(),
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
    let mut buurten = Interner::new();
    let mut voorzieningen = Interner::new();
    let mut periodes = Interner::new();
    periodes.intern(b"");

    let mut record = csv::ByteRecord::new();
    loop {
        match csv.reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csvio::csv_error(file, e)),
        }
        let line = csv.line(&record);
        if !csv.check_row(&record, line, &mut errors, limit) {
            continue;
        }
        let mut bad = false;
        let mut check = |column: usize, problem: Option<&Problem>| {
            if let Some(problem) = problem {
                let problem = problem.clone();
                errors.push(limit, csv.row_error(line, column, problem));
                bad = true;
            }
        };
        let optional = |c: Option<usize>| c.map_or(&b""[..], |c| &record[c]);

        let postcode = Postcode::parse_bytes(&record[c_postcode]);
        let number = HouseNumber::parse_bytes(&record[c_huisnummer]);
        let letter = HouseLetter::parse_bytes(optional(c_huisletter));
        let addition = Addition::parse_bytes(optional(c_toevoeging));
        let buurt = BuurtCode::parse_bytes(&record[c_buurtcode]);
        let domein = config
            .domains
            .find(&record[c_domein])
            .ok_or_else(|| config.domains.problem(&record[c_domein]));
        let voorziening = free_text(&record[c_voorziening]);
        let periode = Periode::parse_bytes(optional(c_periode));

        check(c_postcode, postcode.as_ref().err());
        check(c_huisnummer, number.as_ref().err());
        if let Some(c) = c_huisletter {
            check(c, letter.as_ref().err());
        }
        if let Some(c) = c_toevoeging {
            check(c, addition.as_ref().err());
        }
        check(c_buurtcode, buurt.as_ref().err());
        check(c_domein, domein.as_ref().err());
        check(c_voorziening, voorziening.as_ref().err());
        if let Some(c) = c_periode {
            check(c, periode.as_ref().err());
        }
        if bad || !errors.is_empty() {
            // Once any row is bad nothing will be written; keep checking, stop working.
            continue;
        }
        let (Ok(postcode), Ok(number), Ok(letter), Ok(addition), Ok(buurt), Ok(domein), Ok(voorziening), Ok(periode)) =
            (postcode, number, letter, addition, buurt, domein, voorziening, periode)
        else {
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
        rows.push(Row {
            pseudonym,
            buurt: buurten.intern(buurt.as_bytes()),
            voorziening: voorzieningen.intern(voorziening),
            periode: periode.map_or(0, |p| periodes.intern(p.as_str().as_bytes())),
            domein,
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
        buurten,
        voorzieningen,
        periodes,
    })
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
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        let render = |interner: &Interner| -> Vec<Vec<u8>> {
            (0..interner.len() as u32)
                .map(|i| csv_field(interner.get(i)))
                .collect()
        };
        let buurten = render(&self.buurten);
        let voorzieningen = render(&self.voorzieningen);
        let periodes = render(&self.periodes);
        let domeinen: Vec<Vec<u8>> = self
            .domains
            .names()
            .map(|d| csv_field(d.as_bytes()))
            .collect();
        let organisation = csv_field(self.organisation.as_str().as_bytes());

        out.write_all(PSEUDONYMISED_COLUMNS.join(",").as_bytes())?;
        out.write_all(b"\n")?;
        let mut line = Vec::with_capacity(256);
        let mut hex = [0u8; 64];
        for row in &self.rows {
            line.clear();
            hex::encode_to_slice(row.pseudonym, &mut hex)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            line.extend_from_slice(&hex);
            line.push(b',');
            line.extend_from_slice(&organisation);
            line.push(b',');
            line.extend_from_slice(&buurten[row.buurt as usize]);
            line.push(b',');
            line.extend_from_slice(&domeinen[usize::from(row.domein)]);
            line.push(b',');
            line.extend_from_slice(&voorzieningen[row.voorziening as usize]);
            line.push(b',');
            line.extend_from_slice(&periodes[row.periode as usize]);
            line.push(b'\n');
            out.write_all(&line)?;
        }
        out.flush()
    }
}

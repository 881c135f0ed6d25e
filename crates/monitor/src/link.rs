//! Step 3, at the linking party: join the organisations' pseudonymised files into one
//! row per household, then drop the pseudonym.
//!
//! Streaming: rows are read one at a time and folded into a hash map keyed by the
//! 32-byte pseudonym, so memory grows with the number of distinct households, not with
//! the number of rows. When all files are read the map's keys are dropped, the
//! households are shuffled and numbered `1..=N` in that random order: the ids are fresh
//! and say nothing about the pseudonyms or the input order.

use std::io::Read;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::csvio;
use crate::error::{MonitorError, Problem, RowErrors};
use crate::input::{free_text, BuurtCode, DomainList, DomainMask, Periode};
use crate::intern::{FxHashMap, Interner, PackedInterner, SmallSet};
use crate::pseudonymise::InputConfig;

/// Columns whose presence shows a file still holds addresses.
const ADDRESS_COLUMNS: [&str; 4] = ["postcode", "huisnummer", "huisletter", "toevoeging"];

const LINK_COLUMNS: &str = "pseudoniem, organisatie, buurtcode, domein, voorziening, periode";

/// Items in a household's set: provision ids, and period ids with this bit set.
const PERIOD_BIT: u32 = 1 << 31;

/// How often a neighbourhood code was reported for one household.
#[derive(Clone, Debug)]
enum BuurtTally {
    One {
        code: u32,
        count: u32,
    },
    /// Rare (a few percent of households), so kept as a boxed slice: 16 bytes inline.
    Many(Box<[(u32, u32)]>),
}

impl BuurtTally {
    #[inline]
    fn add(&mut self, code: u32) {
        match self {
            BuurtTally::One { code: c, count } if *c == code => *count += 1,
            BuurtTally::One { code: c, count } => {
                *self = BuurtTally::Many(Box::new([(*c, *count), (code, 1)]));
            }
            BuurtTally::Many(v) => match v.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => {
                    let mut grown = std::mem::take(v).into_vec();
                    grown.push((code, 1));
                    *v = grown.into_boxed_slice();
                }
            },
        }
    }

    /// The most frequent code; on a tie the code that sorts first, so the result
    /// does not depend on file order.
    fn most_frequent(&self, names: &[Box<str>]) -> u32 {
        match self {
            BuurtTally::One { code, .. } => *code,
            BuurtTally::Many(v) => v
                .iter()
                .max_by(|a, b| {
                    a.1.cmp(&b.1)
                        .then_with(|| names[b.0 as usize].cmp(&names[a.0 as usize]))
                })
                .map_or(0, |(c, _)| *c),
        }
    }

    fn is_conflict(&self) -> bool {
        matches!(self, BuurtTally::Many(_))
    }
}

/// Everything known about one household, without its pseudonym.
#[derive(Clone, Debug)]
struct Household {
    domains: DomainMask,
    records: u32,
    buurt: BuurtTally,
    items: SmallSet,
}

/// Figures about a link, for the linking party (not for publication).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkStats {
    /// Files read.
    pub files: usize,
    /// Rows read.
    pub records: u64,
    /// Distinct households (pseudonyms).
    pub households: u64,
    /// Households reported in more than one neighbourhood; the most frequent code
    /// was used for them.
    pub buurt_conflicts: u64,
}

/// Folds pseudonymised files into households. Add files with [`Linker::add_file`],
/// then call [`Linker::finish`].
///
/// Each file is parsed and checked on the calling thread while a second thread folds
/// the parsed rows into the household map (a two-stage pipeline), so a link uses two
/// cores.
pub struct Linker {
    parser: RowParser,
    households: HouseholdTable,
    stats: LinkStats,
}

/// Everything the parsing stage owns: the checks and the interned values.
struct RowParser {
    config: InputConfig,
    buurten: PackedInterner,
    organisations: Interner,
    voorzieningen: Interner,
    periodes: PackedInterner,
    provisions: FxHashMap<(u32, u32), u32>,
    provision_org: Vec<u32>,
    errors: RowErrors,
}

/// A checked row on its way from the parser to the folder.
#[derive(Clone, Copy)]
struct ParsedRow {
    pseudonym: [u8; 32],
    buurt: u32,
    provision: u32,
    /// A period id with `PERIOD_BIT` set, or 0 for none.
    periode: u32,
    domein: u8,
}

const BATCH: usize = 8192;

impl Linker {
    pub fn new(config: InputConfig) -> Linker {
        Linker::with_table(config, HouseholdTable::new())
    }

    /// Like [`Linker::new`], with the household table's keys drawn from `rng`, so that a
    /// seeded `rng` gives the same linked file every time (for tests).
    pub fn with_rng<G: Rng + ?Sized>(config: InputConfig, rng: &mut G) -> Linker {
        let keys = [rng.gen(), rng.gen(), rng.gen(), rng.gen()];
        Linker::with_table(config, HouseholdTable::with_keys(keys))
    }

    fn with_table(config: InputConfig, households: HouseholdTable) -> Linker {
        Linker {
            parser: RowParser {
                config,
                buurten: PackedInterner::new(),
                organisations: Interner::new(),
                voorzieningen: Interner::new(),
                periodes: PackedInterner::new(),
                provisions: FxHashMap::default(),
                provision_org: Vec::new(),
                errors: RowErrors::new(),
            },
            households,
            stats: LinkStats::default(),
        }
    }

    /// Reads one pseudonymised file. Problems with the file as a whole are returned
    /// at once; problems in rows are collected and returned by [`Linker::finish`].
    pub fn add_file<R: Read>(&mut self, input: R, file: &str) -> Result<(), MonitorError> {
        let mut csv = csvio::open(input, file, LINK_COLUMNS)?;
        if let Some(column) = ADDRESS_COLUMNS.iter().find(|c| csv.find(c).is_some()) {
            return Err(MonitorError::NotPseudonymised {
                file: file.to_owned(),
                reason: format!("it has a `{column}` column"),
            });
        }
        if csv.find("pseudoniem").is_none() {
            return Err(MonitorError::NotPseudonymised {
                file: file.to_owned(),
                reason: "it has no `pseudoniem` column".into(),
            });
        }
        let c_pseudoniem = csv.require("pseudoniem")?;
        let c_organisatie = csv.require("organisatie")?;
        let c_buurtcode = csv.require("buurtcode")?;
        let c_domein = csv.require("domein")?;
        let c_voorziening = csv.require("voorziening")?;
        let c_periode = csv.find("periode");
        let columns = Columns {
            pseudoniem: c_pseudoniem,
            organisatie: c_organisatie,
            buurtcode: c_buurtcode,
            domein: c_domein,
            voorziening: c_voorziening,
            periode: c_periode,
        };
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<ParsedRow>>(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<ParsedRow>>();
        let households = &mut self.households;
        let parser = &mut self.parser;
        let rows = std::thread::scope(|scope| {
            let folder = scope.spawn(move || {
                for batch in full_rx {
                    households.fold(&batch);
                    // The parser may have finished already; then the batch is dropped.
                    let _ = empty_tx.send(batch);
                }
            });
            let rows = parser.parse_rows(&mut csv, file, &columns, full_tx, empty_rx);
            if let Err(panic) = folder.join() {
                std::panic::resume_unwind(panic);
            }
            rows
        })?;
        if rows == 0 {
            return Err(MonitorError::NoRows {
                file: file.to_owned(),
            });
        }
        self.stats.files += 1;
        self.stats.records += rows;
        Ok(())
    }

    /// Ends the link: fails with every row problem found, or drops the pseudonyms,
    /// shuffles the households with `rng` and numbers them.
    pub fn finish<G: Rng + ?Sized>(self, rng: &mut G) -> Result<LinkedDataset, MonitorError> {
        if !self.parser.errors.is_empty() {
            return Err(MonitorError::InvalidRows(self.parser.errors));
        }
        // The pseudonyms are dropped here, with the table.
        let mut households: Vec<Household> = self.households.into_households();
        households.shuffle(rng);
        let mut stats = self.stats;
        stats.households = households.len() as u64;
        stats.buurt_conflicts = households.iter().filter(|h| h.buurt.is_conflict()).count() as u64;
        // Renumber organisations alphabetically, so that sorting ids sorts names.
        let mut organisations = self.parser.organisations.into_strings();
        let rank = ranks(&organisations);
        let provision_org = self
            .parser
            .provision_org
            .iter()
            .map(|&o| rank[o as usize])
            .collect();
        organisations.sort_unstable();
        Ok(LinkedDataset {
            domains: self.parser.config.domains,
            buurten: self.parser.buurten.into_strings(),
            organisations,
            provision_org,
            periodes: self.parser.periodes.into_strings(),
            households,
            stats,
        })
    }
}

struct Columns {
    pseudoniem: usize,
    organisatie: usize,
    buurtcode: usize,
    domein: usize,
    voorziening: usize,
    periode: Option<usize>,
}

impl RowParser {
    /// Checks every row of a file and sends the good ones, in batches, to `full`.
    /// Returns the number of rows read.
    fn parse_rows<R: Read>(
        &mut self,
        csv: &mut csvio::CsvInput<R>,
        file: &str,
        c: &Columns,
        full: std::sync::mpsc::SyncSender<Vec<ParsedRow>>,
        empty: std::sync::mpsc::Receiver<Vec<ParsedRow>>,
    ) -> Result<u64, MonitorError> {
        let limit = self.config.max_errors;
        let mut record = crate::records::Record::new();
        let mut last_provision: Option<((u32, u32), u32)> = None;
        let mut rows = 0u64;
        let mut batch: Vec<ParsedRow> = Vec::with_capacity(BATCH);
        loop {
            match csv.reader.read(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csvio::read_error(file, e)),
            }
            rows += 1;
            let line = record.line();
            if !csv.check_row(&record, line, &mut self.errors, limit) {
                continue;
            }
            let errors = &mut self.errors;
            let mut bad = false;
            let mut check = |column: usize, problem: Option<Problem>| {
                if let Some(problem) = problem {
                    errors.push(limit, csv.row_error(line, column, problem));
                    bad = true;
                }
            };
            let pseudonym = decode_pseudonym(&record[c.pseudoniem]);
            let organisatie = free_text(&record[c.organisatie]);
            let buurt = BuurtCode::parse_bytes(&record[c.buurtcode]);
            let domein = self.config.domains.find(&record[c.domein]);
            let voorziening = free_text(&record[c.voorziening]);
            let periode = Periode::parse_bytes(c.periode.map_or(&b""[..], |p| &record[p]));
            check(
                c.pseudoniem,
                pseudonym.is_none().then_some(Problem::Pseudoniem),
            );
            check(c.organisatie, organisatie.as_ref().err().cloned());
            check(c.buurtcode, buurt.clone().err());
            check(
                c.domein,
                domein
                    .is_none()
                    .then(|| self.config.domains.problem(&record[c.domein])),
            );
            check(c.voorziening, voorziening.as_ref().err().cloned());
            if let Some(p) = c.periode {
                check(p, periode.clone().err());
            }
            if bad || !self.errors.is_empty() {
                continue;
            }
            let (
                Some(pseudonym),
                Ok(organisatie),
                Ok(buurt),
                Some(domein),
                Ok(voorziening),
                Ok(periode),
            ) = (pseudonym, organisatie, buurt, domein, voorziening, periode)
            else {
                continue;
            };
            let org = self.organisations.intern(organisatie);
            let voorz = self.voorzieningen.intern(voorziening);
            let provision = match last_provision {
                Some((k, id)) if k == (org, voorz) => id,
                _ => {
                    let next = self.provision_org.len() as u32;
                    let id = *self.provisions.entry((org, voorz)).or_insert(next);
                    if id == next {
                        self.provision_org.push(org);
                    }
                    last_provision = Some(((org, voorz), id));
                    id
                }
            };
            if provision >= PERIOD_BIT {
                return Err(MonitorError::TooMany {
                    what: "provisions",
                    max: PERIOD_BIT as usize,
                });
            }
            batch.push(ParsedRow {
                pseudonym,
                buurt: self.buurten.intern(&buurt.as_bytes()[2..], buurt.as_str()),
                provision,
                periode: periode.map_or(0, |p| {
                    self.periodes.intern(p.as_str().as_bytes(), p.as_str()) | PERIOD_BIT
                }),
                domein,
            });
            if batch.len() == BATCH {
                let next = empty
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                // The folder only stops when this sender is dropped.
                let _ = full.send(std::mem::replace(&mut batch, next));
                batch.clear();
            }
        }
        if !batch.is_empty() {
            let _ = full.send(batch);
        }
        Ok(rows)
    }
}

/// The household map: open addressing with linear probing over a flat array of
/// (pseudonym, household) slots. Flat and predictable so that folding a batch can
/// prefetch the slots of the rows a few steps ahead: with millions of households nearly
/// every row is a cache miss, and prefetching overlaps them.
///
/// The slot index mixes all 32 bytes with keys drawn at random per link, so files with
/// crafted "pseudonyms" cannot pile up in one probe run.
struct HouseholdTable {
    slots: Vec<Slot>,
    len: usize,
    keys: [u64; 4],
}

#[derive(Clone)]
struct Slot {
    pseudonym: [u8; 32],
    /// Empty while `household.records == 0`.
    household: Household,
}

impl Slot {
    fn empty() -> Slot {
        Slot {
            pseudonym: [0; 32],
            household: Household {
                domains: 0,
                records: 0,
                buurt: BuurtTally::One { code: 0, count: 0 },
                items: SmallSet::default(),
            },
        }
    }
}

/// Rows looked up this far ahead are prefetched.
const PREFETCH_AHEAD: usize = 8;

impl HouseholdTable {
    /// A table whose slot keys come from the operating system's randomness (through
    /// `RandomState`).
    fn new() -> HouseholdTable {
        use std::hash::{BuildHasher, Hasher};
        let random = |i: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            h.finish()
        };
        HouseholdTable::with_keys([random(0), random(1), random(2), random(3)])
    }

    fn with_keys(keys: [u64; 4]) -> HouseholdTable {
        HouseholdTable {
            slots: vec![Slot::empty(); 1 << 16],
            len: 0,
            keys: keys.map(|k| k | 1),
        }
    }

    #[inline]
    fn index(&self, pseudonym: &[u8; 32]) -> usize {
        let mut h = 0u64;
        for (chunk, key) in pseudonym.chunks_exact(8).zip(self.keys) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            h = (h ^ u64::from_le_bytes(word))
                .wrapping_mul(key)
                .rotate_left(29);
        }
        (h as usize) & (self.slots.len() - 1)
    }

    #[inline]
    fn prefetch(&self, pseudonym: &[u8; 32]) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot = &self.slots[self.index(pseudonym)] as *const Slot as *const i8;
            // SAFETY: prefetching has no observable effect; the address is in bounds.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch(slot, _MM_HINT_T0);
                _mm_prefetch(slot.add(64), _MM_HINT_T0);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = pseudonym;
    }

    /// The household for `pseudonym`, created empty if new.
    #[inline]
    fn entry(&mut self, pseudonym: &[u8; 32]) -> &mut Household {
        // Keep the load at most 7/10 so that probe runs stay short.
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(pseudonym);
        loop {
            let slot = &self.slots[i];
            if slot.household.records == 0 {
                self.len += 1;
                self.slots[i].pseudonym = *pseudonym;
                return &mut self.slots[i].household;
            }
            if slot.pseudonym == *pseudonym {
                return &mut self.slots[i].household;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let doubled = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::empty(); doubled]);
        let mask = self.slots.len() - 1;
        for slot in old {
            if slot.household.records == 0 {
                continue;
            }
            let mut i = self.index(&slot.pseudonym);
            while self.slots[i].household.records != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Folds parsed rows into the households.
    fn fold(&mut self, batch: &[ParsedRow]) {
        for (i, row) in batch.iter().enumerate() {
            if let Some(ahead) = batch.get(i + PREFETCH_AHEAD) {
                self.prefetch(&ahead.pseudonym);
            }
            let household = self.entry(&row.pseudonym);
            if household.records == 0 {
                household.buurt = BuurtTally::One {
                    code: row.buurt,
                    count: 0,
                };
            }
            household.domains |= 1u64 << row.domein;
            household.records = household.records.saturating_add(1);
            household.buurt.add(row.buurt);
            household.items.insert(row.provision);
            if row.periode != 0 {
                household.items.insert(row.periode);
            }
        }
    }

    /// The households, without their pseudonyms.
    fn into_households(self) -> Vec<Household> {
        let mut out = Vec::with_capacity(self.len);
        out.extend(
            self.slots
                .into_iter()
                .filter(|s| s.household.records != 0)
                .map(|s| s.household),
        );
        out
    }
}

/// Position of each name in alphabetical order.
fn ranks(names: &[Box<str>]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// Links files in one go; see [`Linker`].
pub fn link<R: Read, G: Rng + ?Sized>(
    inputs: impl IntoIterator<Item = (String, R)>,
    config: &InputConfig,
    rng: &mut G,
) -> Result<LinkedDataset, MonitorError> {
    let mut linker = Linker::with_rng(config.clone(), rng);
    for (name, input) in inputs {
        linker.add_file(input, &name)?;
    }
    linker.finish(rng)
}

/// Hex digit values; 0xFF marks a byte that is not a hex digit.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decodes 64 hex characters without a branch per character.
#[inline]
fn decode_pseudonym(field: &[u8]) -> Option<[u8; 32]> {
    if field.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut invalid = 0u8;
    for (o, pair) in out.iter_mut().zip(field.chunks_exact(2)) {
        let (hi, lo) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        invalid |= hi | lo;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (invalid & 0xF0 == 0).then_some(out)
}

/// The linked, pseudonym-free dataset: one row per household.
pub struct LinkedDataset {
    domains: DomainList,
    buurten: Vec<Box<str>>,
    /// Sorted alphabetically; `provision_org` indexes into it.
    organisations: Vec<Box<str>>,
    provision_org: Vec<u32>,
    periodes: Vec<Box<str>>,
    households: Vec<Household>,
    stats: LinkStats,
}

impl std::fmt::Debug for LinkedDataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedDataset")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// One household as the report needs it.
#[derive(Debug, Clone, Copy)]
pub struct HouseholdSummary<'a> {
    pub buurtcode: &'a str,
    pub domains: DomainMask,
    pub organisations: u32,
    pub provisions: u32,
    pub records: u32,
}

/// One household as written to Parquet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRow<'a> {
    pub id: i64,
    pub buurtcode: &'a str,
    pub domains: Vec<&'a str>,
    pub organisations: Vec<&'a str>,
    pub provisions: u32,
    pub periods: Vec<&'a str>,
    pub records: u32,
}

impl LinkedDataset {
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    pub fn domains(&self) -> &DomainList {
        &self.domains
    }

    fn organisation_count(&self, h: &Household, scratch: &mut Vec<u32>) -> u32 {
        scratch.clear();
        scratch.extend(
            h.items
                .as_slice()
                .iter()
                .take_while(|&&i| i & PERIOD_BIT == 0)
                .map(|&p| self.provision_org[p as usize]),
        );
        scratch.sort_unstable();
        scratch.dedup();
        scratch.len() as u32
    }

    /// The households in their (random) order, as the report needs them.
    pub fn summaries(&self) -> impl Iterator<Item = HouseholdSummary<'_>> + '_ {
        let mut scratch = Vec::new();
        self.households.iter().map(move |h| HouseholdSummary {
            buurtcode: &self.buurten[h.buurt.most_frequent(&self.buurten) as usize],
            domains: h.domains,
            organisations: self.organisation_count(h, &mut scratch),
            provisions: provision_count(h),
            records: h.records,
        })
    }

    /// The households as rows: id (1-based position in the random order), the most
    /// frequent neighbourhood, and the sets sorted alphabetically.
    pub fn rows(&self) -> impl Iterator<Item = HouseholdRow<'_>> + '_ {
        self.households.iter().enumerate().map(move |(i, h)| {
            let items = h.items.as_slice();
            let mut orgs: Vec<u32> = items
                .iter()
                .take_while(|&&x| x & PERIOD_BIT == 0)
                .map(|&p| self.provision_org[p as usize])
                .collect();
            orgs.sort_unstable();
            orgs.dedup();
            let mut periods: Vec<&str> = items
                .iter()
                .filter(|&&x| x & PERIOD_BIT != 0)
                .map(|&x| &*self.periodes[(x & !PERIOD_BIT) as usize])
                .collect();
            periods.sort_unstable();
            HouseholdRow {
                id: i as i64 + 1,
                buurtcode: &self.buurten[h.buurt.most_frequent(&self.buurten) as usize],
                domains: self.domains.names_in(h.domains),
                organisations: orgs
                    .iter()
                    .map(|&o| &*self.organisations[o as usize])
                    .collect(),
                provisions: provision_count(h),
                periods,
                records: h.records,
            }
        })
    }

    /// Writes the dataset as Parquet (Snappy-compressed, row groups of 1M households).
    pub fn write_parquet<W: std::io::Write + Send>(&self, out: W) -> Result<(), MonitorError> {
        let err = |e: &dyn std::fmt::Display| MonitorError::Write {
            path: "parquet".into(),
            source: std::io::Error::other(e.to_string()),
        };
        let schema = linked_schema();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .set_max_row_group_row_count(Some(1 << 20))
            .set_created_by("baken monitor link".into())
            .build();
        let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), Some(props))
            .map_err(|e| err(&e))?;
        let batch_size = 1 << 16;
        let mut rows = self.rows().peekable();
        while rows.peek().is_some() {
            let mut b = BatchBuilder::new(batch_size);
            for row in rows.by_ref().take(batch_size) {
                b.push(&row);
            }
            let batch = b.finish(&schema).map_err(|e| err(&e))?;
            writer.write(&batch).map_err(|e| err(&e))?;
        }
        writer.close().map_err(|e| err(&e))?;
        Ok(())
    }
}

/// Reads a linked Parquet file household by household, without loading it whole.
///
/// Refuses a file with a pseudonym column, and checks every household: a known
/// domain list, at least one domain, organisation, provision and record.
pub fn scan_linked_parquet(
    file: std::fs::File,
    name: &str,
    domains: &DomainList,
    mut each: impl FnMut(&HouseholdSummary<'_>),
) -> Result<(), MonitorError> {
    use arrow_array::{Array, Int32Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;

    let not_linked = |reason: String| MonitorError::NotLinked {
        file: name.to_owned(),
        reason,
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| not_linked(format!("not a Parquet file ({e})")))?;
    let schema = builder.schema().clone();
    if let Some(f) = schema
        .fields()
        .iter()
        .find(|f| f.name().to_lowercase().starts_with("pseudoni") || f.name() == "pseudonym")
    {
        return Err(not_linked(format!(
            "it has a `{}` column; a linked file never holds pseudonyms",
            crate::error::shown_value(f.name())
        )));
    }
    const NEEDED: [&str; 5] = [
        "buurtcode",
        "domains",
        "organisations",
        "provisions",
        "records",
    ];
    let mut roots = Vec::new();
    for column in NEEDED {
        let index = schema
            .index_of(column)
            .map_err(|_| not_linked(format!("the column `{column}` is missing")))?;
        roots.push(index);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(1 << 16)
        .build()
        .map_err(|e| not_linked(e.to_string()))?;
    let mut row = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| MonitorError::Read {
            file: name.to_owned(),
            message: e.to_string(),
        })?;
        let column = |c: &str| {
            batch
                .column_by_name(c)
                .ok_or_else(|| not_linked(format!("the column `{c}` is missing")))
        };
        let wrong = |c: &str, t: &str| not_linked(format!("the column `{c}` is not {t}"));
        let buurt = column("buurtcode")?;
        let buurt = buurt
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| wrong("buurtcode", "text"))?;
        let doms = column("domains")?;
        let doms = doms
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(|| wrong("domains", "a list of text"))?;
        let dom_values = doms
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| wrong("domains", "a list of text"))?;
        let orgs = column("organisations")?;
        let orgs = orgs
            .as_any()
            .downcast_ref::<ListArray>()
            .ok_or_else(|| wrong("organisations", "a list"))?;
        let provisions = column("provisions")?;
        let provisions = provisions
            .as_any()
            .downcast_ref::<Int32Array>()
            .ok_or_else(|| wrong("provisions", "a 32-bit integer"))?;
        let records = column("records")?;
        let records = records
            .as_any()
            .downcast_ref::<Int32Array>()
            .ok_or_else(|| wrong("records", "a 32-bit integer"))?;
        let dom_offsets = doms.value_offsets();
        let org_offsets = orgs.value_offsets();
        for i in 0..batch.num_rows() {
            row += 1;
            let bad = |what: &str| not_linked(format!("household {row}: {what}"));
            if buurt.is_null(i)
                || doms.is_null(i)
                || orgs.is_null(i)
                || provisions.is_null(i)
                || records.is_null(i)
            {
                return Err(bad("a required value is missing"));
            }
            let code = buurt.value(i);
            if BuurtCode::parse_bytes(code.as_bytes()).is_err() {
                return Err(bad(&format!(
                    "\"{}\" is not a CBS neighbourhood code",
                    crate::error::shown_value(code)
                )));
            }
            let mut mask: DomainMask = 0;
            for j in dom_offsets[i] as usize..dom_offsets[i + 1] as usize {
                let d = dom_values.value(j);
                match domains.find(d.as_bytes()) {
                    Some(bit) => mask |= 1u64 << bit,
                    None => {
                        return Err(bad(&format!(
                            "the domain \"{}\" is not in the domain list ({})",
                            crate::error::shown_value(d),
                            domains.joined()
                        )))
                    }
                }
            }
            let organisations = (org_offsets[i + 1] - org_offsets[i]) as u32;
            let (p, r) = (provisions.value(i), records.value(i));
            if mask == 0 || organisations == 0 || p < 1 || r < 1 {
                return Err(bad(
                    "a household needs at least one domain, organisation, provision and record",
                ));
            }
            each(&HouseholdSummary {
                buurtcode: code,
                domains: mask,
                organisations,
                provisions: p as u32,
                records: r as u32,
            });
        }
    }
    Ok(())
}

fn provision_count(h: &Household) -> u32 {
    h.items
        .as_slice()
        .iter()
        .take_while(|&&i| i & PERIOD_BIT == 0)
        .count() as u32
}

/// The schema of the linked Parquet file. There is no pseudonym column.
pub fn linked_schema() -> SchemaRef {
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("buurtcode", DataType::Utf8, false),
        Field::new("domains", list(), false),
        Field::new("organisations", list(), false),
        Field::new("provisions", DataType::Int32, false),
        Field::new("periods", list(), false),
        Field::new("records", DataType::Int32, false),
    ]))
}

struct BatchBuilder {
    id: Int64Builder,
    buurtcode: StringBuilder,
    domains: ListBuilder<StringBuilder>,
    organisations: ListBuilder<StringBuilder>,
    provisions: Int32Builder,
    periods: ListBuilder<StringBuilder>,
    records: Int32Builder,
}

impl BatchBuilder {
    fn new(capacity: usize) -> Self {
        BatchBuilder {
            id: Int64Builder::with_capacity(capacity),
            buurtcode: StringBuilder::with_capacity(capacity, capacity * 10),
            domains: ListBuilder::new(StringBuilder::new()),
            organisations: ListBuilder::new(StringBuilder::new()),
            provisions: Int32Builder::with_capacity(capacity),
            periods: ListBuilder::new(StringBuilder::new()),
            records: Int32Builder::with_capacity(capacity),
        }
    }

    fn push(&mut self, row: &HouseholdRow<'_>) {
        self.id.append_value(row.id);
        self.buurtcode.append_value(row.buurtcode);
        for d in &row.domains {
            self.domains.values().append_value(d);
        }
        self.domains.append(true);
        for o in &row.organisations {
            self.organisations.values().append_value(o);
        }
        self.organisations.append(true);
        self.provisions
            .append_value(i32::try_from(row.provisions).unwrap_or(i32::MAX));
        for p in &row.periods {
            self.periods.values().append_value(p);
        }
        self.periods.append(true);
        self.records
            .append_value(i32::try_from(row.records).unwrap_or(i32::MAX));
    }

    fn finish(mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.buurtcode.finish()),
            Arc::new(self.domains.finish()),
            Arc::new(self.organisations.finish()),
            Arc::new(self.provisions.finish()),
            Arc::new(self.periods.finish()),
            Arc::new(self.records.finish()),
        ];
        RecordBatch::try_new(schema.clone(), columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_household_table_keeps_every_pseudonym_apart_through_growth_and_collisions() {
        let mut t = HouseholdTable::new();
        let key = |i: u32| {
            let mut k = [0u8; 32];
            // Half of them share their first 28 bytes.
            if i % 2 == 0 {
                k[..4].copy_from_slice(&i.to_le_bytes());
            }
            k[28..].copy_from_slice(&i.to_le_bytes());
            k
        };
        for round in 1..=2u32 {
            for i in 0..50_000u32 {
                let h = t.entry(&key(i));
                h.records += 1;
                assert_eq!(h.records, round);
            }
        }
        assert_eq!(t.len, 50_000);
        let all = t.into_households();
        assert_eq!(all.len(), 50_000);
        assert!(all.iter().all(|h| h.records == 2));
    }

    #[test]
    fn pseudonyms_must_be_64_hex_characters() {
        assert!(decode_pseudonym(&[b'a'; 64]).is_some());
        assert!(decode_pseudonym(&[b'A'; 64]).is_some());
        assert!(decode_pseudonym(&[b'a'; 63]).is_none());
        assert!(decode_pseudonym(&[b'g'; 64]).is_none());
    }

    #[test]
    fn most_frequent_neighbourhood_wins_and_ties_go_to_the_first_code() {
        let names: Vec<Box<str>> = vec!["BU2".into(), "BU1".into()];
        let mut t = BuurtTally::One { code: 0, count: 1 };
        t.add(1);
        assert!(t.is_conflict());
        assert_eq!(t.most_frequent(&names), 1, "tie: BU1 sorts first");
        t.add(0);
        assert_eq!(t.most_frequent(&names), 0);
    }
}

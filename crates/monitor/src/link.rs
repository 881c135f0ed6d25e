//! Step 3, at the linking party: join the organisations' pseudonymised files into one
//! row per household, then drop the pseudonym.
//!
//! Streaming: rows are folded into a map keyed by the 32-byte pseudonym
//! ([`crate::households`]), so memory grows with the number of distinct households,
//! not with the number of rows. When all files are read the map's keys are dropped,
//! and the households are numbered `1..=N` in a random order: the ids are fresh and
//! say nothing about the pseudonyms or the input order.
//!
//! ## In parallel
//!
//! Each file is read in blocks of whole records ([`crate::linkread`]) by as many
//! threads as there are cores (at most [`MAX_THREADS`]). A thread parses a block,
//! checks every row, and sends each good row to the thread that owns the row's
//! partition of the household map (by the pseudonym's hash); every thread folds the
//! rows of its own partitions, so no two threads touch one household. Text values
//! (organisations, provisions, periods) get ids from one shared table behind a lock,
//! which a thread consults only for values it has not seen before. Row problems carry
//! their line within the block and get their line in the file when all blocks are
//! read. The linked file is the same whichever thread read which block: households
//! are put in a canonical order before they are shuffled.
//!
//! ## One row
//!
//! A row in its usual form — one line without quotes, control characters or
//! non-ASCII bytes, each value in its plain spelling — is split 16 bytes at a time
//! and checked straight from the block. Anything else goes through the general CSV
//! parser and the value parsers, which word every problem.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow_array::builder::{Int32Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rand::Rng;

use crate::cputime::thread_cpu;
use crate::csvio;
use crate::error::{MonitorError, Problem, RowErrors};
use crate::households::{
    into_households, HashKeys, Household, ParsedRow, Tables, MAX_PROVISIONS, NO_PERIOD, PERIOD_TAG,
};
use crate::input::{free_text, BuurtCode, DomainList, DomainMask, Periode, MAX_TEXT_CHARS};
use crate::intern::{FxHashMap, Interner};
use crate::linkread::{Block, BlockReader};
use crate::pseudonymise::InputConfig;
use crate::records::{parse_whole, Fields, Record};

/// Columns whose presence shows a file still holds addresses.
const ADDRESS_COLUMNS: [&str; 4] = ["postcode", "huisnummer", "huisletter", "toevoeging"];

const LINK_COLUMNS: &str = "pseudoniem, organisatie, buurtcode, domein, voorziening, periode";

/// The most threads a link uses.
pub const MAX_THREADS: usize = 8;

/// Bytes per block a thread parses at a time.
const BLOCK: usize = 1 << 20;
/// Rows per batch sent to another thread.
const BATCH: usize = 4096;
/// Batches that may wait for one thread.
const INBOX: usize = 16;
/// Fields a usual row may have (more: the general parser).
const FAST_FIELDS: usize = 16;

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

/// Where a link's time went (for the benchmark, `BAKEN_MONITOR_PHASES`; not part of
/// the output). CPU times are the threads' own (`CLOCK_THREAD_CPUTIME_ID`), so they
/// hold on a busy machine too; zero where the system does not give them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkTiming {
    /// CPU time, all threads: taking the next block of the input (the `read` call,
    /// the kernel's copy from the page cache).
    pub read: Duration,
    /// CPU time, all threads: splitting and checking rows, and routing each to its
    /// partition's thread.
    pub parse_partition: Duration,
    /// CPU time, all threads: folding rows into the household map.
    pub fold: Duration,
    /// CPU time of the busiest thread, per file, added up: what reading the files
    /// takes at least with one core per thread.
    pub busiest: Duration,
    /// Wall time: flushing the map, putting each partition in canonical order, and
    /// building the households.
    pub canonical_order: Duration,
    /// Wall time: shuffling and renumbering.
    pub shuffle: Duration,
    /// CPU time of `finish`'s critical path: its busiest helper thread plus what the
    /// calling thread did.
    pub finish_busiest: Duration,
}

/// The text values, each with an id: shared by all threads of a link.
#[derive(Default)]
struct Names {
    organisations: Interner,
    voorzieningen: Interner,
    provisions: FxHashMap<(u32, u32), u32>,
    /// The organisation of each provision id.
    provision_org: Vec<u32>,
    /// Period names by id, and ids by [`period_code`].
    periods: Vec<Box<str>>,
    period_ids: FxHashMap<u32, u32>,
    /// The files added so far (as named for messages), and the file each organisation
    /// id was first seen in: an organisation's rows must come in one file.
    files: Vec<String>,
    organisation_file: Vec<u32>,
}

impl Names {
    /// Notes that organisation `org` appears in file `file`; refuses an organisation
    /// seen in another file before.
    fn organisation_in(&mut self, org: u32, name: &[u8], file: u32) -> Result<(), MonitorError> {
        let i = org as usize;
        if self.organisation_file.len() <= i {
            self.organisation_file.resize(i + 1, u32::MAX);
        }
        match self.organisation_file[i] {
            u32::MAX => self.organisation_file[i] = file,
            first if first != file => {
                return Err(MonitorError::OrganisationInTwoFiles {
                    organisation: crate::error::shown_value(&String::from_utf8_lossy(name)),
                    first: self.files[first as usize].clone(),
                    second: self.files[file as usize].clone(),
                })
            }
            _ => {}
        }
        Ok(())
    }

    fn provision(&mut self, org: u32, voorziening: &[u8]) -> Result<u32, MonitorError> {
        let v = self.voorzieningen.intern(voorziening);
        let next = self.provision_org.len() as u32;
        let id = *self.provisions.entry((org, v)).or_insert(next);
        if id == next {
            if next >= MAX_PROVISIONS {
                return Err(MonitorError::TooMany {
                    what: "provisions",
                    max: MAX_PROVISIONS as usize,
                });
            }
            self.provision_org.push(org);
        }
        Ok(id)
    }

    fn period(&mut self, code: u32, name: &[u8]) -> u32 {
        let next = self.periods.len() as u32;
        let id = *self.period_ids.entry(code).or_insert(next);
        if id == next {
            self.periods
                .push(String::from_utf8_lossy(name).into_owned().into_boxed_str());
        }
        id
    }
}

/// Folds pseudonymised files into households. Add files with [`Linker::add_file`],
/// then call [`Linker::finish`].
pub struct Linker {
    config: InputConfig,
    keys: HashKeys,
    tables: Vec<Tables>,
    names: Mutex<Names>,
    errors: RowErrors,
    stats: LinkStats,
    timing: LinkTiming,
}

impl Linker {
    /// A linker whose hash keys come from the operating system's randomness.
    pub fn new(config: InputConfig) -> Linker {
        use std::hash::{BuildHasher, Hasher};
        let random = |i: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(i);
            h.finish()
        };
        Linker::with_keys(config, [random(0), random(1), random(2), random(3)])
    }

    /// Like [`Linker::new`], with the hash keys drawn from `rng`, so that a seeded
    /// `rng` gives the same linked file every time (for tests).
    pub fn with_rng<G: Rng + ?Sized>(config: InputConfig, rng: &mut G) -> Linker {
        Linker::with_keys(config, [rng.gen(), rng.gen(), rng.gen(), rng.gen()])
    }

    fn with_keys(config: InputConfig, keys: [u64; 4]) -> Linker {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_THREADS);
        Linker {
            config,
            keys: HashKeys::new(keys),
            tables: (0..threads).map(|t| Tables::new(t, threads)).collect(),
            names: Mutex::new(Names::default()),
            errors: RowErrors::new(),
            stats: LinkStats::default(),
            timing: LinkTiming::default(),
        }
    }

    /// Reads one pseudonymised file. Problems with the file as a whole are returned
    /// at once; problems in rows are collected and returned by [`Linker::finish`].
    pub fn add_file<R: Read + Send>(&mut self, input: R, file: &str) -> Result<(), MonitorError> {
        let csv = csvio::open(input, file, LINK_COLUMNS)?;
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
        let columns = Columns {
            pseudoniem: csv.require("pseudoniem")?,
            organisatie: csv.require("organisatie")?,
            buurtcode: csv.require("buurtcode")?,
            domein: csv.require("domein")?,
            voorziening: csv.require("voorziening")?,
            periode: csv.find("periode"),
        };
        let csvio::CsvInput { reader, header } = csv;
        let delimiter = reader.delimiter();
        let (start, input, first_line, eof) = reader.into_remaining();
        let blocks = Mutex::new(BlockReader::new(start, input, eof, delimiter, BLOCK));
        let file_index = {
            let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
            names.files.push(file.to_owned());
            (names.files.len() - 1) as u32
        };
        let threads = self.tables.len();
        let shared = Shared {
            config: &self.config,
            columns: &columns,
            header: &header,
            delimiter,
            names: &self.names,
            file_index,
            keys: self.keys,
            blocks: &blocks,
            failed: AtomicBool::new(false),
            outcomes: Mutex::new(Vec::new()),
            fatal: Mutex::new(None),
            threads,
            timing: Mutex::new((LinkTiming::default(), Duration::ZERO)),
        };
        let mut inboxes = Vec::with_capacity(threads);
        let mut senders = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<Vec<ParsedRow>>(INBOX);
            senders.push(tx);
            inboxes.push(rx);
        }
        let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<ParsedRow>>();
        let recycle_rx = Mutex::new(recycle_rx);
        std::thread::scope(|scope| {
            let mut workers = Vec::with_capacity(threads);
            for ((thread, tables), inbox) in self.tables.iter_mut().enumerate().zip(inboxes) {
                let senders = senders.clone();
                let recycle = (recycle_tx.clone(), &recycle_rx);
                let shared = &shared;
                workers.push(scope.spawn(move || {
                    Worker::new(thread, shared, tables, senders, inbox, recycle).run()
                }));
            }
            drop(senders);
            for w in workers {
                if let Err(panic) = w.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
        let (parts, busiest) = shared
            .timing
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        self.timing.read += parts.read;
        self.timing.parse_partition += parts.parse_partition;
        self.timing.fold += parts.fold;
        self.timing.busiest += busiest;
        if let Some(e) = shared.fatal.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let mut outcomes = shared
            .outcomes
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        outcomes.sort_unstable_by_key(|o| o.seq);
        let limit = self.config.max_errors;
        let (mut line, mut rows) = (first_line, 0u64);
        for o in outcomes {
            rows += o.records;
            for mut e in o.errors.shown {
                e.line += line;
                self.errors.push(limit, e);
            }
            // Problems counted but not listed by the block.
            let unlisted = o.errors.total - o.shown_count;
            self.errors.total += unlisted;
            line += o.lines;
        }
        if rows == 0 {
            return Err(MonitorError::NoRows {
                file: file.to_owned(),
            });
        }
        self.stats.files += 1;
        self.stats.records += rows;
        Ok(())
    }

    /// Ends the link: fails with every row problem found, or drops the pseudonyms and
    /// numbers the households in an order drawn from `rng`.
    pub fn finish<G: Rng + ?Sized>(self, rng: &mut G) -> Result<LinkedDataset, MonitorError> {
        if !self.errors.is_empty() {
            return Err(MonitorError::InvalidRows(self.errors));
        }
        let mut timing = self.timing;
        let (start, cpu) = (Instant::now(), thread_cpu());
        // The pseudonyms are dropped here, with the tables.
        let (folded, helpers) = into_households(self.tables, &self.keys);
        timing.canonical_order = start.elapsed();
        let start = Instant::now();
        let names = self.names.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut stats = self.stats;
        stats.households = folded.households.len() as u64;
        stats.buurt_conflicts = folded.conflicts;
        let mut households = shuffle(folded.households, rng);
        // Organisations and periods renumbered alphabetically, so that sorting ids
        // sorts names.
        let mut organisations = names.organisations.into_strings();
        let rank = ranks(&organisations);
        let provision_org = names
            .provision_org
            .iter()
            .map(|&o| rank[o as usize])
            .collect();
        organisations.sort_unstable();
        let mut periods = names.periods;
        let period_rank = ranks(&periods);
        periods.sort_unstable();
        // With at most 32 periods every household's period bits are renumbered to
        // alphabetical order, so that they come out sorted.
        let periods_ranked = periods.len() <= 32;
        if periods_ranked {
            for h in &mut households {
                let (mut old, mut new) = (h.periods, 0u32);
                while old != 0 {
                    new |= 1u32 << period_rank[old.trailing_zeros() as usize];
                    old &= old - 1;
                }
                h.periods = new;
            }
        }
        let domains = self.config.domains;
        let mut domain_by_rank: Vec<u8> = (0..domains.len() as u8).collect();
        domain_by_rank.sort_by(|&a, &b| domains.name(a).cmp(domains.name(b)));
        let mut domain_rank = vec![0u8; domains.len()];
        for (r, &d) in domain_by_rank.iter().enumerate() {
            domain_rank[usize::from(d)] = r as u8;
        }
        let buurten = folded
            .buurt_codes
            .iter()
            .map(|c| format!("BU{c:08}").into_boxed_str())
            .collect();
        Ok(LinkedDataset {
            domains,
            domain_rank,
            domain_by_rank,
            buurten,
            organisations,
            provision_org,
            periods,
            period_rank,
            periods_ranked,
            households,
            overflow: folded.overflow,
            stats,
            timing: LinkTiming {
                shuffle: start.elapsed(),
                finish_busiest: helpers + (thread_cpu() - cpu),
                ..timing
            },
            write_threads: Mutex::new(Vec::new()),
        })
    }
}

/// Households per bucket of [`shuffle`]: about 192 KiB, which stays in the cache.
const SHUFFLE_BUCKET: usize = 4096;

/// The households in a uniformly random order, in passes that read and write memory
/// in sequence: every household goes to a bucket drawn at random, then each bucket
/// (small enough to stay in the cache) is shuffled on its own (Fisher-Yates). A
/// random bucket per household and a uniform order within every bucket give a
/// uniformly random order of all.
fn shuffle<G: Rng + ?Sized>(households: Vec<Household>, rng: &mut G) -> Vec<Household> {
    let n = households.len();
    let buckets = (n / SHUFFLE_BUCKET).next_power_of_two().clamp(1, 1 << 12);
    let bits = buckets.trailing_zeros();
    let mut bucket_of: Vec<u16> = Vec::with_capacity(n);
    let mut counts = vec![0usize; buckets];
    let (mut pool, mut pool_bits) = (0u64, 0u32);
    for _ in 0..n {
        if pool_bits < bits {
            pool = rng.next_u64();
            pool_bits = 64;
        }
        let b = (pool & ((1u64 << bits) - 1)) as usize;
        pool >>= bits;
        pool_bits -= bits;
        bucket_of.push(b as u16);
        counts[b] += 1;
    }
    let mut starts = Vec::with_capacity(buckets + 1);
    let mut at = 0;
    for c in &counts {
        starts.push(at);
        at += c;
    }
    starts.push(n);
    let mut next = starts.clone();
    let mut out = vec![Household::default(); n];
    for (h, &b) in households.into_iter().zip(&bucket_of) {
        let b = usize::from(b);
        out[next[b]] = h;
        next[b] += 1;
    }
    for w in starts.windows(2) {
        let bucket = &mut out[w[0]..w[1]];
        for i in (1..bucket.len()).rev() {
            bucket.swap(i, rng.gen_range(0..=i));
        }
    }
    out
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
pub fn link<R: Read + Send, G: Rng + ?Sized>(
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

struct Columns {
    pseudoniem: usize,
    organisatie: usize,
    buurtcode: usize,
    domein: usize,
    voorziening: usize,
    periode: Option<usize>,
}

/// What the threads reading one file share.
struct Shared<'a, R> {
    config: &'a InputConfig,
    columns: &'a Columns,
    header: &'a csvio::Header,
    delimiter: u8,
    names: &'a Mutex<Names>,
    /// This file's position among the linked files (for [`Names::organisation_in`]).
    file_index: u32,
    keys: HashKeys,
    blocks: &'a Mutex<BlockReader<R>>,
    /// A row problem was found: rows are still checked (to list every problem) but
    /// no longer folded.
    failed: AtomicBool,
    outcomes: Mutex<Vec<BlockOutcome>>,
    /// A problem that ends the link (reading failed, too many values).
    fatal: Mutex<Option<MonitorError>>,
    threads: usize,
    /// The threads' timings, added when each ends, and the busiest thread's CPU time.
    timing: Mutex<(LinkTiming, Duration)>,
}

impl<R> Shared<'_, R> {
    fn stop(&self, e: MonitorError) {
        let mut fatal = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        fatal.get_or_insert(e);
        self.failed.store(true, Ordering::Relaxed);
    }

    fn stopped(&self) -> bool {
        self.fatal.lock().map_or(true, |f| f.is_some())
    }
}

/// What parsing one block found.
struct BlockOutcome {
    seq: u64,
    /// Line breaks in the block (its records span this many lines).
    lines: u64,
    records: u64,
    /// Problems, their lines counted from the block's first line (0).
    errors: RowErrors,
    shown_count: u64,
}

/// One linking thread: parses blocks, routes rows to their partitions' owners, folds
/// its own.
struct Worker<'s, 'a, R> {
    thread: usize,
    shared: &'s Shared<'a, R>,
    tables: &'s mut Tables,
    outboxes: Vec<Vec<ParsedRow>>,
    senders: Vec<SyncSender<Vec<ParsedRow>>>,
    inbox: Receiver<Vec<ParsedRow>>,
    recycle: (Sender<Vec<ParsedRow>>, &'s Mutex<Receiver<Vec<ParsedRow>>>),
    parser: RowParser<'s>,
    /// This thread's time reading, parsing (with routing and the folds it does
    /// meanwhile), folding and waiting.
    timing: LinkTiming,
}

impl<'s, 'a, R: Read> Worker<'s, 'a, R> {
    fn new(
        thread: usize,
        shared: &'s Shared<'a, R>,
        tables: &'s mut Tables,
        senders: Vec<SyncSender<Vec<ParsedRow>>>,
        inbox: Receiver<Vec<ParsedRow>>,
        recycle: (Sender<Vec<ParsedRow>>, &'s Mutex<Receiver<Vec<ParsedRow>>>),
    ) -> Self {
        let threads = shared.threads;
        Worker {
            thread,
            shared,
            tables,
            outboxes: (0..threads).map(|_| Vec::with_capacity(BATCH)).collect(),
            senders,
            inbox,
            recycle,
            parser: RowParser::new(
                shared.config,
                shared.columns,
                shared.header,
                shared.delimiter,
                shared.names,
                shared.file_index,
                shared.keys,
            ),
            timing: LinkTiming::default(),
        }
    }

    fn run(mut self) {
        let begin = thread_cpu();
        let mut buf = Vec::new();
        loop {
            self.fold_waiting();
            if self.shared.stopped() {
                break;
            }
            let started = thread_cpu();
            let block = {
                let mut blocks = self.shared.blocks.lock().unwrap_or_else(|p| p.into_inner());
                blocks.next(std::mem::take(&mut buf))
            };
            self.timing.read += thread_cpu() - started;
            let block = match block {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    self.shared
                        .stop(csvio::read_error(&self.shared.header.file, e));
                    break;
                }
            };
            let (started, folded) = (thread_cpu(), self.timing.fold);
            let parsed = self.parse(&block);
            // Folds done while routing count as folding.
            self.timing.parse_partition +=
                (thread_cpu() - started).saturating_sub(self.timing.fold - folded);
            let outcome = match parsed {
                Ok(o) => o,
                Err(e) => {
                    self.shared.stop(e);
                    break;
                }
            };
            if !outcome.errors.is_empty() {
                self.shared.failed.store(true, Ordering::Relaxed);
            }
            self.shared
                .outcomes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(outcome);
            buf = block.bytes;
        }
        // Send what is left, then fold what the others send until they are done.
        for to in 0..self.outboxes.len() {
            if to != self.thread && !self.outboxes[to].is_empty() {
                let batch = std::mem::take(&mut self.outboxes[to]);
                self.send(to, batch);
            }
        }
        let own = std::mem::take(&mut self.outboxes[self.thread]);
        self.fold(&own);
        self.senders.clear();
        while let Ok(batch) = self.inbox.recv() {
            self.fold(&batch);
        }
        if !self.shared.failed.load(Ordering::Relaxed) {
            let flushing = thread_cpu();
            self.tables.flush(&self.shared.keys);
            self.timing.fold += thread_cpu() - flushing;
        }
        let total = thread_cpu() - begin;
        let mut shared = self.shared.timing.lock().unwrap_or_else(|p| p.into_inner());
        shared.0.read += self.timing.read;
        shared.0.parse_partition += self.timing.parse_partition;
        shared.0.fold += self.timing.fold;
        shared.1 = shared.1.max(total);
    }

    /// Folds the batches other threads have sent.
    fn fold_waiting(&mut self) {
        while let Ok(batch) = self.inbox.try_recv() {
            self.fold(&batch);
            let _ = self.recycle.0.send(batch);
        }
    }

    fn fold(&mut self, batch: &[ParsedRow]) {
        if !self.shared.failed.load(Ordering::Relaxed) {
            let started = thread_cpu();
            self.tables.fold(batch, &self.shared.keys);
            self.timing.fold += thread_cpu() - started;
        }
    }

    /// Sends a batch to thread `to`, folding what waits for this thread meanwhile (so
    /// that two threads sending to each other never wait for each other).
    fn send(&mut self, to: usize, mut batch: Vec<ParsedRow>) {
        loop {
            match self.senders[to].try_send(batch) {
                Ok(()) => return,
                Err(TrySendError::Full(b)) => {
                    batch = b;
                    match self.inbox.try_recv() {
                        Ok(theirs) => {
                            self.fold(&theirs);
                            let _ = self.recycle.0.send(theirs);
                        }
                        Err(_) => std::thread::yield_now(),
                    }
                }
                // The receiving thread has ended (it panicked): nothing to do.
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
    }

    /// Routes one good row.
    #[inline(always)]
    fn route(&mut self, row: ParsedRow) {
        let to = Tables::owner(row.hash, self.shared.threads);
        self.outboxes[to].push(row);
        if self.outboxes[to].len() == BATCH {
            let fresh = self
                .recycle
                .1
                .lock()
                .ok()
                .and_then(|r| r.try_recv().ok())
                .map(|mut v| {
                    v.clear();
                    v
                })
                .unwrap_or_else(|| Vec::with_capacity(BATCH));
            let full = std::mem::replace(&mut self.outboxes[to], fresh);
            if to == self.thread {
                self.fold(&full);
                let _ = self.recycle.0.send(full);
            } else {
                self.send(to, full);
            }
        }
    }

    /// Parses every row of a block, routing the good ones.
    fn parse(&mut self, block: &Block) -> Result<BlockOutcome, MonitorError> {
        let limit = self.shared.config.max_errors;
        let mut outcome = BlockOutcome {
            seq: block.seq,
            lines: 0,
            records: 0,
            errors: RowErrors::new(),
            shown_count: 0,
        };
        let bytes = &block.bytes;
        let mut at = 0;
        while at < block.len {
            if let Some((next, row)) = self.parser.fast_row(bytes, at, block.len)? {
                self.route(row);
                at = next;
                outcome.lines += 1;
                outcome.records += 1;
                continue;
            }
            let Some((consumed, lines, row)) = self.parser.general_row(
                &bytes[at..block.len],
                outcome.lines,
                &mut outcome.errors,
                limit,
            )?
            else {
                // Only blank lines were left.
                outcome.lines +=
                    bytes[at..block.len].iter().filter(|&&b| b == b'\n').count() as u64;
                break;
            };
            outcome.records += 1;
            if let Some(row) = row {
                self.route(row);
            }
            at += consumed;
            outcome.lines += lines;
        }
        outcome.shown_count = outcome.errors.shown.len() as u64;
        Ok(outcome)
    }
}

/// A thread's row checks, with caches of the text values' ids.
struct RowParser<'s> {
    config: &'s InputConfig,
    c: &'s Columns,
    header: &'s csvio::Header,
    delimiter: u8,
    fields: usize,
    names: &'s Mutex<Names>,
    file_index: u32,
    keys: HashKeys,
    /// The last organisation seen (as a word if at most 16 bytes), and its id.
    organisation: (u128, usize, Vec<u8>, u32),
    /// Recent provisions by organisation and provision code (at most 16 bytes): a
    /// direct-mapped cache in front of `provisions`.
    recent: Box<[(u32, u128, u8, u32); RECENT]>,
    /// Provision ids by organisation and provision code.
    provisions: FxHashMap<(u32, u128, u8), u32>,
    long_provisions: FxHashMap<Box<[u8]>, u32>,
    scratch: Vec<u8>,
    /// Period ids by [`period_code`] (`u32::MAX`: not seen yet).
    periods: Vec<u32>,
    /// The last domain value (as a word) and its index.
    domain: (u128, usize, u8),
    record: Record,
}

/// Entries of a thread's cache of recent provisions (a power of two).
const RECENT: usize = 256;

/// Field starts of a usual row: field `i` is `starts[i]..starts[i + 1] - 1`.
type Starts = [u32; FAST_FIELDS + 1];

impl<'s> RowParser<'s> {
    fn new(
        config: &'s InputConfig,
        c: &'s Columns,
        header: &'s csvio::Header,
        delimiter: u8,
        names: &'s Mutex<Names>,
        file_index: u32,
        keys: HashKeys,
    ) -> Self {
        RowParser {
            config,
            c,
            header,
            delimiter,
            fields: header.names.len(),
            names,
            file_index,
            keys,
            organisation: (0, usize::MAX, Vec::new(), 0),
            recent: Box::new([(u32::MAX, 0, 0, 0); RECENT]),
            provisions: FxHashMap::default(),
            long_provisions: FxHashMap::default(),
            scratch: Vec::new(),
            periods: vec![u32::MAX; PERIOD_CODES],
            domain: (0, usize::MAX, 0),
            record: Record::new(),
        }
    }

    fn names(&self) -> std::sync::MutexGuard<'s, Names> {
        self.names.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id of an organisation (checked, trimmed); refused if the organisation came
    /// in another file.
    #[inline]
    fn organisation_id(&mut self, value: &[u8]) -> Result<u32, MonitorError> {
        let (word, len, long, id) = &self.organisation;
        if value.len() == *len {
            if value.len() <= 16 {
                if pack(value) == *word {
                    return Ok(*id);
                }
            } else if long.as_slice() == value {
                return Ok(*id);
            }
        }
        let id = {
            let file = self.file_index;
            let mut names = self.names();
            let id = names.organisations.intern(value);
            names.organisation_in(id, value, file)?;
            id
        };
        let word = if value.len() <= 16 { pack(value) } else { 0 };
        let long = if value.len() > 16 {
            value.to_vec()
        } else {
            Vec::new()
        };
        self.organisation = (word, value.len(), long, id);
        Ok(id)
    }

    /// The id of an organisation's provision (checked, trimmed).
    #[inline]
    fn provision_id(&mut self, org: u32, value: &[u8]) -> Result<u32, MonitorError> {
        if value.len() <= 16 {
            let word = pack(value);
            let len = value.len() as u8;
            let mix = (word as u64 ^ (word >> 64) as u64 ^ u64::from(org) ^ u64::from(len))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let slot = (mix >> (64 - RECENT.trailing_zeros())) as usize;
            let (o, w, l, id) = self.recent[slot];
            if o == org && w == word && l == len {
                return Ok(id);
            }
            let key = (org, word, len);
            let id = match self.provisions.get(&key) {
                Some(&id) => id,
                None => {
                    let id = self.names().provision(org, value)?;
                    self.provisions.insert(key, id);
                    id
                }
            };
            self.recent[slot] = (org, word, len, id);
            return Ok(id);
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&org.to_le_bytes());
        self.scratch.extend_from_slice(value);
        if let Some(&id) = self.long_provisions.get(self.scratch.as_slice()) {
            return Ok(id);
        }
        let id = self.names().provision(org, value)?;
        self.long_provisions
            .insert(self.scratch.clone().into_boxed_slice(), id);
        Ok(id)
    }

    /// The id of a period (checked), or [`NO_PERIOD`].
    #[inline]
    fn period_id(&mut self, value: &[u8]) -> u32 {
        let Some(code) = period_code(value) else {
            return NO_PERIOD;
        };
        let cached = self.periods[code as usize];
        if cached != u32::MAX {
            return cached;
        }
        let id = self.names().period(code, value);
        self.periods[code as usize] = id;
        id
    }

    /// The index of a domain value (any spelling), or `None`.
    #[inline]
    fn domain_index(&mut self, value: &[u8]) -> Option<u8> {
        if value.len() <= 16 {
            let word = pack(value);
            if word == self.domain.0 && value.len() == self.domain.1 {
                return Some(self.domain.2);
            }
            let index = self.config.domains.find(value)?;
            self.domain = (word, value.len(), index);
            return Some(index);
        }
        self.config.domains.find(value)
    }

    /// A row in its usual form at `bytes[at..]`, checked and with its ids; `None`
    /// if it is not in that form (the general path then decides). Returns where the
    /// next row starts.
    #[inline]
    fn fast_row(
        &mut self,
        bytes: &[u8],
        at: usize,
        len: usize,
    ) -> Result<Option<(usize, ParsedRow)>, MonitorError> {
        let mut starts: Starts = [0; FAST_FIELDS + 1];
        let Some(next) = split_row(bytes, at, len, self.delimiter, self.fields, &mut starts) else {
            return Ok(None);
        };
        let field = |i: usize| &bytes[starts[i] as usize..starts[i + 1] as usize - 1];
        let c = self.c;
        let Some(pseudonym) = decode_pseudonym(field(c.pseudoniem)) else {
            return Ok(None);
        };
        let (org, voorziening) = (field(c.organisatie), field(c.voorziening));
        if !plain_text(org) || !plain_text(voorziening) {
            return Ok(None);
        }
        let Some(buurt) = buurt_number(field(c.buurtcode)) else {
            return Ok(None);
        };
        let Some(domain) = self.domain_index(field(c.domein)) else {
            return Ok(None);
        };
        let periode = c.periode.map_or(&b""[..], field);
        if !plain_period(periode) {
            return Ok(None);
        }
        let org = self.organisation_id(org)?;
        let provision = self.provision_id(org, voorziening)?;
        let period = self.period_id(periode);
        Ok(Some((
            next,
            ParsedRow {
                hash: self.keys.hash(&pseudonym),
                pseudonym,
                buurt,
                provision,
                period,
                domain,
            },
        )))
    }

    /// The record at the start of `bytes` (whole records), through the general parser:
    /// every problem is recorded in `errors` (lines from the block's start, `line`
    /// being this record's first line). Returns the bytes and lines it took and the
    /// row if it is good; `None` if only blank lines were left.
    fn general_row(
        &mut self,
        bytes: &[u8],
        line: u64,
        errors: &mut RowErrors,
        limit: usize,
    ) -> Result<Option<(usize, u64, Option<ParsedRow>)>, MonitorError> {
        let mut record = std::mem::take(&mut self.record);
        let result = self.check_record(bytes, line, errors, limit, &mut record);
        self.record = record;
        result
    }

    fn check_record(
        &mut self,
        bytes: &[u8],
        line: u64,
        errors: &mut RowErrors,
        limit: usize,
        record: &mut Record,
    ) -> Result<Option<(usize, u64, Option<ParsedRow>)>, MonitorError> {
        let Some((consumed, lines)) = parse_whole(bytes, self.delimiter, line, record) else {
            return Ok(None);
        };
        let line = record.line();
        if !self.header.check_row(record, line, errors, limit) {
            return Ok(Some((consumed, lines, None)));
        }
        let c = self.c;
        let header = self.header;
        let mut bad = false;
        let mut check = |column: usize, problem: Option<Problem>| {
            if let Some(problem) = problem {
                errors.push(limit, header.row_error(line, column, problem));
                bad = true;
            }
        };
        let pseudonym = decode_pseudonym(record.field(c.pseudoniem));
        let organisatie = free_text(record.field(c.organisatie));
        let buurt = BuurtCode::parse_bytes(record.field(c.buurtcode));
        let domein = self.config.domains.find(record.field(c.domein));
        let voorziening = free_text(record.field(c.voorziening));
        let periode = Periode::parse_bytes(c.periode.map_or(&b""[..], |p| record.field(p)));
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
                .then(|| self.config.domains.problem(record.field(c.domein))),
        );
        check(c.voorziening, voorziening.as_ref().err().cloned());
        if let Some(p) = c.periode {
            check(p, periode.clone().err());
        }
        let (
            false,
            Some(pseudonym),
            Ok(organisatie),
            Ok(buurt),
            Some(domain),
            Ok(voorziening),
            Ok(periode),
        ) = (
            bad,
            pseudonym,
            organisatie,
            buurt,
            domein,
            voorziening,
            periode,
        )
        else {
            return Ok(Some((consumed, lines, None)));
        };
        let org = self.organisation_id(organisatie)?;
        let provision = self.provision_id(org, voorziening)?;
        let period = periode.map_or(NO_PERIOD, |p| self.period_id(p.as_str().as_bytes()));
        let buurt = buurt_number(buurt.as_bytes()).unwrap_or(0);
        Ok(Some((
            consumed,
            lines,
            Some(ParsedRow {
                hash: self.keys.hash(&pseudonym),
                pseudonym,
                buurt,
                provision,
                period,
                domain,
            }),
        )))
    }
}

/// `value` (at most 16 bytes) in a word, zeros after it.
#[inline(always)]
fn pack(value: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b[..value.len()].copy_from_slice(value);
    u128::from_le_bytes(b)
}

/// A free-text value in a usual row (no control or non-ASCII bytes there) that needs
/// no trimming: not empty, no surrounding space, at most 100 characters.
#[inline(always)]
fn plain_text(value: &[u8]) -> bool {
    matches!((value.first(), value.last()), (Some(&f), Some(&l)) if f != b' ' && l != b' ')
        && value.len() <= MAX_TEXT_CHARS
}

/// The number of a neighbourhood code `BU` + 8 digits (any case, no spaces).
#[inline(always)]
fn buurt_number(value: &[u8]) -> Option<u32> {
    let [b, u, digits @ ..] = value else {
        return None;
    };
    if *b & !0x20 != b'B' || *u & !0x20 != b'U' || digits.len() != 8 {
        return None;
    }
    let mut n = 0u32;
    for &d in digits {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

/// Periods by [`period_code`].
const PERIOD_CODES: usize = 300 * 13;

/// A period `YYYY` or `YYYY-MM` (as [`Periode`] accepts, without spaces) as a number
/// below [`PERIOD_CODES`]; `None` for an empty value.
#[inline(always)]
fn period_code(value: &[u8]) -> Option<u32> {
    let digit = |b: u8| u32::from(b.wrapping_sub(b'0'));
    let year = |y: &[u8]| y.iter().fold(0u32, |n, &d| n * 10 + digit(d));
    match value.len() {
        4 => Some((year(value) - 1900) * 13),
        7 => Some((year(&value[..4]) - 1900) * 13 + digit(value[5]) * 10 + digit(value[6])),
        _ => None,
    }
}

/// A period in its plain form: empty, `YYYY` or `YYYY-MM` with year 1900-2199 and
/// month 01-12 (what [`Periode::parse_bytes`] accepts without trimming).
#[inline(always)]
fn plain_period(value: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let year_ok = |y: &[u8]| digits(y) && (b"1900"[..] <= *y) && (*y <= b"2199"[..]);
    match value.len() {
        0 => true,
        4 => year_ok(value),
        7 => {
            year_ok(&value[..4])
                && value[4] == b'-'
                && digits(&value[5..])
                && matches!(&value[5..], [b'0', b'1'..=b'9'] | [b'1', b'0'..=b'2'])
        }
        _ => false,
    }
}

/// Splits the usual row at `bytes[at..]` (a line of `fields` fields, at most
/// [`FAST_FIELDS`], ending with LF or CRLF before `len`, without quotes, control
/// characters or non-ASCII bytes) into `starts`; returns where the next row starts.
/// `bytes` has at least 16 readable bytes after `len`.
#[inline(always)]
fn split_row(
    bytes: &[u8],
    at: usize,
    len: usize,
    delimiter: u8,
    fields: usize,
    starts: &mut Starts,
) -> Option<usize> {
    if fields > FAST_FIELDS {
        return None;
    }
    starts[0] = at as u32;
    let mut n = 1;
    let mut base = at;
    let mut first_unusual = usize::MAX;
    loop {
        let chunk = bytes.get(base..base + 16)?;
        let (newline, delim, unusual) = classify16(chunk, delimiter);
        if unusual != 0 && first_unusual == usize::MAX {
            first_unusual = base + unusual.trailing_zeros() as usize;
        }
        let delim = if newline != 0 {
            delim & (newline & newline.wrapping_neg()).wrapping_sub(1)
        } else {
            delim
        };
        let mut d = delim;
        while d != 0 {
            if n == fields {
                return None;
            }
            starts[n] = (base + d.trailing_zeros() as usize + 1) as u32;
            n += 1;
            d &= d - 1;
        }
        if newline != 0 {
            let nl = base + newline.trailing_zeros() as usize;
            if nl >= len || nl == at {
                return None;
            }
            let end = if bytes[nl - 1] == b'\r' { nl - 1 } else { nl };
            if first_unusual < end || n != fields || end == at {
                return None;
            }
            starts[fields] = (end + 1) as u32;
            return Some(nl + 1);
        }
        base += 16;
        if base >= len {
            return None;
        }
    }
}

/// Masks of line breaks, delimiters and unusual bytes (quotes, control characters,
/// DEL, non-ASCII) in 16 bytes.
#[inline(always)]
fn classify16(chunk: &[u8], delimiter: u8) -> (u32, u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        assert!(chunk.len() >= 16);
        // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the 16 bytes of
        // `chunk` (checked above).
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr() as *const __m128i);
            let eq = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let unusual = _mm_or_si128(
                _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), eq(b'"')),
                eq(0x7f),
            );
            (
                _mm_movemask_epi8(eq(b'\n')) as u32,
                _mm_movemask_epi8(eq(delimiter)) as u32,
                _mm_movemask_epi8(unusual) as u32,
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify16_bytes(chunk, delimiter)
    }
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn classify16_bytes(chunk: &[u8], delimiter: u8) -> (u32, u32, u32) {
    let (mut n, mut d, mut u) = (0, 0, 0);
    for (i, &b) in chunk[..16].iter().enumerate() {
        n |= u32::from(b == b'\n') << i;
        d |= u32::from(b == delimiter) << i;
        u |= u32::from(b < 0x20 || b == b'"' || b >= 0x7f) << i;
    }
    (n, d, u)
}

/// Calls `f` with the index of every set bit, lowest first.
#[inline(always)]
fn push_bits(mut mask: u64, mut f: impl FnMut(u32)) {
    while mask != 0 {
        f(mask.trailing_zeros());
        mask &= mask - 1;
    }
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

/// Decodes 64 hex characters (either case).
#[inline]
fn decode_pseudonym(field: &[u8]) -> Option<[u8; 32]> {
    let field: &[u8; 64] = field.try_into().ok()?;
    #[cfg(target_arch = "x86_64")]
    {
        decode_hex_sse2(field)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        decode_hex_table(field)
    }
}

/// One table look-up per character.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn decode_hex_table(field: &[u8; 64]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut invalid = 0u8;
    for (o, pair) in out.iter_mut().zip(field.chunks_exact(2)) {
        let (hi, lo) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        invalid |= hi | lo;
        *o = (hi << 4) | (lo & 0x0f);
    }
    (invalid & 0xF0 == 0).then_some(out)
}

/// Sixteen characters at a time with SSE2: digit and letter values by subtraction
/// and comparison, then each pair of nibbles packed into a byte.
#[cfg(target_arch = "x86_64")]
#[inline]
fn decode_hex_sse2(field: &[u8; 64]) -> Option<[u8; 32]> {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_packus_epi16, _mm_set1_epi16, _mm_set1_epi8,
        _mm_slli_epi16, _mm_srli_epi16, _mm_storeu_si128, _mm_sub_epi8, _mm_xor_si128,
    };
    let mut out = [0u8; 32];
    // SAFETY: SSE2 is part of the x86-64 baseline; loads read `field[0..64]` and
    // stores write `out[0..32]`, all in bounds.
    unsafe {
        let bias = _mm_set1_epi8(-128);
        // Unsigned `x < n` as a signed comparison of biased values.
        let below = |x: __m128i, n: i8| {
            _mm_cmplt_epi8(_mm_xor_si128(x, bias), _mm_set1_epi8(n.wrapping_sub(-128)))
        };
        let mut bad = 0i32;
        let mut words = [_mm_set1_epi8(0); 4];
        for (k, w) in words.iter_mut().enumerate() {
            let v = _mm_loadu_si128(field.as_ptr().add(16 * k) as *const __m128i);
            let digit = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            let is_digit = below(digit, 10);
            let letter = _mm_sub_epi8(
                _mm_or_si128(v, _mm_set1_epi8(0x20)),
                _mm_set1_epi8(b'a' as i8),
            );
            let is_letter = below(letter, 6);
            bad |= !_mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)) & 0xFFFF;
            let value = _mm_or_si128(
                _mm_and_si128(is_digit, digit),
                _mm_andnot_si128(is_digit, _mm_add_epi8(letter, _mm_set1_epi8(10))),
            );
            // 16-bit lanes hold (first char, second char): make (first << 4) | second.
            let low = _mm_set1_epi16(0x00FF);
            *w = _mm_or_si128(
                _mm_slli_epi16(_mm_and_si128(value, low), 4),
                _mm_srli_epi16(value, 8),
            );
        }
        if bad != 0 {
            return None;
        }
        _mm_storeu_si128(
            out.as_mut_ptr() as *mut __m128i,
            _mm_packus_epi16(words[0], words[1]),
        );
        _mm_storeu_si128(
            out.as_mut_ptr().add(16) as *mut __m128i,
            _mm_packus_epi16(words[2], words[3]),
        );
    }
    Some(out)
}

/// The linked, pseudonym-free dataset: one row per household, in a random order.
pub struct LinkedDataset {
    domains: DomainList,
    /// Each domain's place in alphabetical order, and the domains in that order.
    domain_rank: Vec<u8>,
    domain_by_rank: Vec<u8>,
    /// Neighbourhood codes, indexed by `Household::buurt`.
    buurten: Vec<Box<str>>,
    /// Sorted alphabetically; `provision_org` indexes into it.
    organisations: Vec<Box<str>>,
    provision_org: Vec<u32>,
    /// Sorted alphabetically; period id `i` is `periods[period_rank[i]]`.
    periods: Vec<Box<str>>,
    period_rank: Vec<u32>,
    /// Whether the households' period bits are already alphabetical ranks.
    periods_ranked: bool,
    /// In their random order: the household with id `i + 1` is `households[i]`.
    households: Vec<Household>,
    overflow: Vec<Vec<u32>>,
    stats: LinkStats,
    timing: LinkTiming,
    /// CPU time of the last parallel [`LinkedDataset::write_parquet`]'s threads: the
    /// batch builder, then each encoder lane (for the benchmark).
    write_threads: Mutex<Vec<Duration>>,
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

/// A household's sets as small sorted lists of indices (into the dataset's
/// alphabetical organisations and periods, and the domain list).
struct Sets {
    domains: Vec<u8>,
    organisations: Vec<u32>,
    periods: Vec<u32>,
    provisions: u32,
}

impl Sets {
    fn new() -> Sets {
        Sets {
            domains: Vec::with_capacity(8),
            organisations: Vec::with_capacity(8),
            periods: Vec::with_capacity(16),
            provisions: 0,
        }
    }
}

impl LinkedDataset {
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// Where the link's time went (for the benchmark).
    pub fn timing(&self) -> &LinkTiming {
        &self.timing
    }

    /// CPU time of the last [`LinkedDataset::write_parquet`]'s threads: the batch
    /// builder, then each encoder lane (for the benchmark).
    pub fn write_threads(&self) -> Vec<Duration> {
        self.write_threads
            .lock()
            .map_or_else(|p| p.into_inner().clone(), |w| w.clone())
    }

    pub fn domains(&self) -> &DomainList {
        &self.domains
    }

    /// Fills `sets` with the household's organisations (and, if `all`, its periods and
    /// domains), each sorted alphabetically.
    #[inline]
    fn sets(&self, h: &Household, all: bool, sets: &mut Sets) {
        sets.organisations.clear();
        sets.periods.clear();
        sets.provisions = 0;
        let few_organisations = self.organisations.len() <= 64;
        let (mut org_mask, mut more_periods) = (0u64, false);
        h.items.for_each(&self.overflow, |item| {
            if item & PERIOD_TAG == 0 {
                sets.provisions += 1;
                let o = self.provision_org[item as usize];
                if few_organisations {
                    org_mask |= 1u64 << o;
                } else {
                    sets.organisations.push(o);
                }
            } else if all {
                sets.periods
                    .push(self.period_rank[(item & !PERIOD_TAG) as usize]);
                more_periods = true;
            }
        });
        if few_organisations {
            push_bits(org_mask, |o| sets.organisations.push(o));
        } else {
            sets.organisations.sort_unstable();
            sets.organisations.dedup();
        }
        if !all {
            return;
        }
        let periods = u64::from(h.periods);
        if self.periods_ranked {
            push_bits(periods, |p| sets.periods.push(p));
        } else {
            push_bits(periods, |p| sets.periods.push(self.period_rank[p as usize]));
        }
        if more_periods || !self.periods_ranked {
            sets.periods.sort_unstable();
        }
        let mut ranked = 0u64;
        push_bits(h.domains, |d| {
            ranked |= 1u64 << self.domain_rank[d as usize]
        });
        sets.domains.clear();
        push_bits(ranked, |r| {
            sets.domains.push(self.domain_by_rank[r as usize])
        });
    }

    /// The households, as the report needs them (in no particular order).
    pub fn summaries(&self) -> impl Iterator<Item = HouseholdSummary<'_>> + '_ {
        let mut sets = Sets::new();
        self.households.iter().map(move |h| {
            self.sets(h, false, &mut sets);
            HouseholdSummary {
                buurtcode: &self.buurten[h.buurt as usize],
                domains: h.domains,
                organisations: sets.organisations.len() as u32,
                provisions: sets.provisions,
                records: h.records,
            }
        })
    }

    /// The households as rows in their random order: id (1-based position), the most
    /// frequent neighbourhood, and the sets sorted alphabetically.
    pub fn rows(&self) -> impl Iterator<Item = HouseholdRow<'_>> + '_ {
        let mut sets = Sets::new();
        self.households.iter().enumerate().map(move |(i, h)| {
            self.sets(h, true, &mut sets);
            HouseholdRow {
                id: i as i64 + 1,
                buurtcode: &self.buurten[h.buurt as usize],
                domains: sets.domains.iter().map(|&d| self.domains.name(d)).collect(),
                organisations: sets
                    .organisations
                    .iter()
                    .map(|&o| &*self.organisations[o as usize])
                    .collect(),
                provisions: sets.provisions,
                periods: sets
                    .periods
                    .iter()
                    .map(|&p| &*self.periods[p as usize])
                    .collect(),
                records: h.records,
            }
        })
    }

    /// Writes the dataset as Parquet (Snappy-compressed, row groups of 1M households).
    /// One thread builds the columns of the next batch of households while two others
    /// encode the last ones, each its own columns ([`crate::linkwrite`]).
    pub fn write_parquet<W: std::io::Write + Send>(&self, out: W) -> Result<(), MonitorError> {
        self.write_parquet_in(out, 1 << 20, 1 << 16, true)
    }

    /// [`LinkedDataset::write_parquet`] with row groups of `group_rows` households,
    /// built `batch_rows` at a time; encoded on several threads if `parallel`, else by
    /// `parquet`'s own `ArrowWriter` (the two give the same bytes).
    fn write_parquet_in<W: std::io::Write + Send>(
        &self,
        out: W,
        group_rows: usize,
        batch_rows: usize,
        parallel: bool,
    ) -> Result<(), MonitorError> {
        let err = |e: &dyn std::fmt::Display| MonitorError::Write {
            path: "parquet".into(),
            source: std::io::Error::other(e.to_string()),
        };
        let schema = linked_schema();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .set_max_row_group_row_count(Some(group_rows))
            .set_created_by("baken monitor link".into())
            .build();
        let build = |send: &mut dyn FnMut(RecordBatch) -> bool| {
            let mut sets = Sets::new();
            for (c, chunk) in self.households.chunks(batch_rows).enumerate() {
                let mut b = BatchBuilder::new(chunk.len());
                for (k, h) in chunk.iter().enumerate() {
                    self.sets(h, true, &mut sets);
                    b.push(
                        (c * batch_rows + k) as i64 + 1,
                        &self.buurten[h.buurt as usize],
                        sets.domains.iter().map(|&d| self.domains.name(d)),
                        sets.organisations
                            .iter()
                            .map(|&o| &*self.organisations[o as usize]),
                        sets.provisions,
                        sets.periods.iter().map(|&p| &*self.periods[p as usize]),
                        h.records,
                    );
                }
                if !send(b.finish(&schema)?) {
                    // The writer stopped; its error is reported.
                    break;
                }
            }
            Ok(())
        };
        if parallel {
            // Two lanes (measured on the benchmark's 2.3 M households: the periods
            // about 0.45 s of CPU, the id, neighbourhood and counts 0.2 s, the domains
            // and organisations 0.35 s): with the batch builder (0.45 s) that is three
            // threads of about 0.35–0.65 s for two cores.
            let threads = crate::linkwrite::write_parallel(
                out,
                schema.clone(),
                props,
                &[&LANE_A, &LANE_B],
                build,
            )
            .map_err(|e| err(&e))?;
            *self.write_threads.lock().unwrap_or_else(|p| p.into_inner()) = threads;
            return Ok(());
        }
        let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), Some(props))
            .map_err(|e| err(&e))?;
        let mut failed = None;
        build(&mut |batch| match writer.write(&batch) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })
        .map_err(|e| err(&e))?;
        if let Some(e) = failed {
            return Err(err(&e));
        }
        writer.close().map_err(|e| err(&e))?;
        Ok(())
    }
}

/// The linked file's columns (id, buurtcode, domains, organisations, provisions,
/// periods, records) per encoder lane of [`LinkedDataset::write_parquet`].
const LANE_A: [usize; 5] = [0, 1, 4, 5, 6];
const LANE_B: [usize; 2] = [2, 3];

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
        let list = |items: usize| {
            ListBuilder::with_capacity(
                StringBuilder::with_capacity(capacity * items, capacity * items * 8),
                capacity,
            )
        };
        BatchBuilder {
            id: Int64Builder::with_capacity(capacity),
            buurtcode: StringBuilder::with_capacity(capacity, capacity * 10),
            domains: list(2),
            organisations: list(2),
            provisions: Int32Builder::with_capacity(capacity),
            periods: list(3),
            records: Int32Builder::with_capacity(capacity),
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn push<'a>(
        &mut self,
        id: i64,
        buurtcode: &str,
        domains: impl Iterator<Item = &'a str>,
        organisations: impl Iterator<Item = &'a str>,
        provisions: u32,
        periods: impl Iterator<Item = &'a str>,
        records: u32,
    ) {
        self.id.append_value(id);
        self.buurtcode.append_value(buurtcode);
        for d in domains {
            self.domains.values().append_value(d);
        }
        self.domains.append(true);
        for o in organisations {
            self.organisations.values().append_value(o);
        }
        self.organisations.append(true);
        self.provisions
            .append_value(i32::try_from(provisions).unwrap_or(i32::MAX));
        for p in periods {
            self.periods.values().append_value(p);
        }
        self.periods.append(true);
        self.records
            .append_value(i32::try_from(records).unwrap_or(i32::MAX));
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
    use proptest::prelude::*;

    #[test]
    fn pseudonyms_must_be_64_hex_characters() {
        assert!(decode_pseudonym(&[b'a'; 64]).is_some());
        assert!(decode_pseudonym(&[b'A'; 64]).is_some());
        assert!(decode_pseudonym(&[b'a'; 63]).is_none());
        assert!(decode_pseudonym(&[b'g'; 64]).is_none());
        let mut one_bad = [b'0'; 64];
        one_bad[63] = b':';
        assert!(decode_pseudonym(&one_bad).is_none());
    }

    #[test]
    fn neighbourhood_codes_and_periods_become_numbers() {
        assert_eq!(buurt_number(b"BU03630001"), Some(3_630_001));
        assert_eq!(buurt_number(b"bu99999999"), Some(99_999_999));
        assert_eq!(buurt_number(b"BU0363000"), None);
        assert_eq!(buurt_number(b"WK03630001"), None);
        assert_eq!(period_code(b"1900"), Some(0));
        assert_eq!(period_code(b"2199-12"), Some(299 * 13 + 12));
        assert!(period_code(b"2199-12").unwrap() < PERIOD_CODES as u32);
        assert_eq!(period_code(b""), None);
    }

    /// The column chunks encoded on two threads make the same file, byte for byte,
    /// as `parquet`'s own writer: over several row groups, with batches that straddle
    /// a group's end, and a last group that is not full.
    #[test]
    fn the_parallel_parquet_writer_writes_the_same_bytes() {
        use rand::SeedableRng;
        let domains = ["jeugd", "wmo", "participatie", "schuldhulp", "ggz", "wonen"];
        let mut csv = LINK_COLUMNS.replace(", ", ",") + "\n";
        for i in 0..12_000u32 {
            let household = i % 5_003;
            let period = if i % 3 == 0 {
                String::new()
            } else {
                format!("2025-{:02}", 1 + i % 12)
            };
            csv.push_str(&format!(
                "{household:064x},Org {},BU{:08},{},V{},{period}\n",
                i % 7,
                household % 40,
                domains[(i % 6) as usize],
                i % 9,
            ));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let ds = link(
            [("rows.csv".to_owned(), csv.as_bytes())],
            &InputConfig::default(),
            &mut rng,
        )
        .unwrap();
        assert_eq!(ds.households.len(), 5_003);
        for (group, batch) in [(1_000, 300), (1_024, 256), (10_000, 4_096)] {
            let (mut serial, mut parallel) = (Vec::new(), Vec::new());
            ds.write_parquet_in(&mut serial, group, batch, false)
                .unwrap();
            ds.write_parquet_in(&mut parallel, group, batch, true)
                .unwrap();
            assert!(serial == parallel, "groups of {group}, batches of {batch}");
        }
        let (mut serial, mut parallel) = (Vec::new(), Vec::new());
        ds.write_parquet_in(&mut serial, 1 << 20, 1 << 16, false)
            .unwrap();
        ds.write_parquet(&mut parallel).unwrap();
        assert!(serial == parallel);
    }

    fn general_fields(line: &[u8]) -> Option<Vec<Vec<u8>>> {
        let mut r = Record::new();
        parse_whole(line, b',', 1, &mut r).map(|_| r.iter().map(<[u8]>::to_vec).collect())
    }

    proptest! {
        #[test]
        fn the_fast_hex_decoder_agrees_with_the_table(s in "[0-9a-fA-F]{64}|[0-9a-gA-G:/@`]{64}") {
            let field: &[u8; 64] = s.as_bytes().try_into().unwrap();
            prop_assert_eq!(decode_pseudonym(field), decode_hex_table(field));
            if let Some(bytes) = decode_pseudonym(field) {
                prop_assert_eq!(hex::encode(bytes), s.to_lowercase());
            }
        }

        #[test]
        fn the_fast_split_agrees_with_the_general_parser(
            line in "[a-c,\" \t\r\u{e9}]{0,50}\n[a-c,]{0,20}",
            fields in 1usize..8,
        ) {
            let mut bytes = line.as_bytes().to_vec();
            let len = bytes.len();
            bytes.resize(len + 64, 0);
            let mut starts: Starts = [0; FAST_FIELDS + 1];
            if let Some(next) = split_row(&bytes, 0, len, b',', fields, &mut starts) {
                let expected = general_fields(&bytes[..len]).unwrap();
                prop_assert_eq!(expected.len(), fields);
                for (i, f) in expected.iter().enumerate() {
                    prop_assert_eq!(&bytes[starts[i] as usize..starts[i + 1] as usize - 1], &f[..]);
                }
                prop_assert_eq!(next, line.find('\n').unwrap() + 1);
            }
        }

        #[test]
        fn plain_periods_are_exactly_the_untrimmed_valid_ones(s in "(19|20|21|22|18)[0-9]{2}(-[0-1][0-9])?|[0-9 -]{0,8}") {
            let parsed = Periode::parse_bytes(s.as_bytes());
            let valid_untrimmed = parsed.is_ok() && s.trim() == s;
            prop_assert_eq!(plain_period(s.as_bytes()), valid_untrimmed);
        }

        #[test]
        fn the_classifier_agrees_with_the_byte_loop(bytes in proptest::collection::vec(any::<u8>(), 16)) {
            prop_assert_eq!(classify16(&bytes, b';'), classify16_bytes(&bytes, b';'));
        }
    }
}

//! Pseudonymise throughput against raw HMAC-SHA256 on this CPU, in one process, on one
//! core, over the same addresses:
//!
//! ```text
//! cargo run --release -p baken-monitor --example bench_hmac -- DIR/org*.csv
//! ```
//!
//! For each raw organisation file, three rounds of:
//! 1. raw HMAC-SHA256 over the file's normalised addresses (loaded and normalised
//!    before the clock starts), two ways: the `hmac` crate with a cached key state
//!    cloned per message, and the bare minimum — two SHA-256 compressions per address
//!    from cached inner and outer states (`sha2::compress256`). The faster of the two
//!    is the ceiling, one message at a time as `pseudonymise` computes them. A third
//!    loop does two messages at once with their compressions interleaved (the CPU works
//!    on one while the other waits): a stricter ceiling, reported beside it;
//! 2. `pseudonymise` on the file's bytes (parsing, checking, HMAC, scattering rows over
//!    random buckets, spilling them to temporary files) plus `write_csv` (shuffling each
//!    bucket, CSV) to a sink.
//!
//! They alternate, so a shared machine's load hits all alike; the best round of each
//! counts. Each is timed by the wall clock and by this thread's CPU time
//! (`/proc/thread-self/schedstat`), which a busy machine inflates less. Prints
//! `key=value` lines for `bench/monitor/run.sh`.

use std::time::Instant;

use baken_monitor::{
    pseudonymise_with, Addition, Address, HouseLetter, HouseNumber, InputConfig, MonitorKey,
    Organisation, Postcode, ShuffleOptions,
};
use hmac::{Hmac, Mac};
use rand::SeedableRng;
use sha2::digest::generic_array::GenericArray;
use sha2::digest::typenum::U64;
use sha2::Sha256;

/// This thread's CPU time so far, in seconds (Linux), or `None`.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Wall and CPU seconds of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds().unwrap_or(0.0));
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds().map_or(wall, |c2| c2 - c);
    (out, wall, cpu)
}

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// HMAC-SHA256 for messages of at most 55 bytes with no overhead beyond the two
/// compressions: the fastest HMAC this CPU can do, the honest ceiling.
struct BareHmac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl BareHmac {
    fn new(key: &[u8; 32]) -> BareHmac {
        let keyed = |pad: u8| {
            let mut block = GenericArray::<u8, U64>::default();
            for (i, b) in block.iter_mut().enumerate() {
                *b = key.get(i).copied().unwrap_or(0) ^ pad;
            }
            let mut state = IV;
            sha2::compress256(&mut state, std::slice::from_ref(&block));
            state
        };
        BareHmac {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    #[inline]
    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut block = GenericArray::<u8, U64>::default();
        block[..message.len()].copy_from_slice(message);
        block[message.len()] = 0x80;
        block[56..].copy_from_slice(&((64 + message.len()) as u64 * 8).to_be_bytes());
        let mut state = self.inner;
        sha2::compress256(&mut state, std::slice::from_ref(&block));
        let mut outer = GenericArray::<u8, U64>::default();
        for (chunk, word) in outer[..32].chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        outer[32] = 0x80;
        outer[56..].copy_from_slice(&(96u64 * 8).to_be_bytes());
        let mut state = self.outer;
        sha2::compress256(&mut state, std::slice::from_ref(&outer));
        let mut tag = [0u8; 32];
        for (chunk, word) in tag.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }
}

impl BareHmac {
    /// Two messages at once, their compressions interleaved, so that the CPU can work
    /// on one while the other waits: how fast raw HMAC can go on this CPU when it has
    /// nothing else to do (a stricter ceiling than one message at a time).
    #[inline]
    fn mac2(&self, a: &[u8], b: &[u8]) -> ([u8; 32], [u8; 32]) {
        let block = |m: &[u8]| {
            let mut block = GenericArray::<u8, U64>::default();
            block[..m.len()].copy_from_slice(m);
            block[m.len()] = 0x80;
            block[56..].copy_from_slice(&((64 + m.len()) as u64 * 8).to_be_bytes());
            block
        };
        let (ba, bb) = (block(a), block(b));
        let (mut sa, mut sb) = (self.inner, self.inner);
        sha2::compress256(&mut sa, std::slice::from_ref(&ba));
        sha2::compress256(&mut sb, std::slice::from_ref(&bb));
        let outer = |s: [u32; 8]| {
            let mut o = GenericArray::<u8, U64>::default();
            for (chunk, word) in o[..32].chunks_exact_mut(4).zip(s) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
            o[32] = 0x80;
            o[56..].copy_from_slice(&(96u64 * 8).to_be_bytes());
            o
        };
        let (oa, ob) = (outer(sa), outer(sb));
        let (mut ta, mut tb) = (self.outer, self.outer);
        sha2::compress256(&mut ta, std::slice::from_ref(&oa));
        sha2::compress256(&mut tb, std::slice::from_ref(&ob));
        let tag = |s: [u32; 8]| {
            let mut t = [0u8; 32];
            for (chunk, word) in t.chunks_exact_mut(4).zip(s) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
            t
        };
        (tag(ta), tag(tb))
    }
}

fn column(header: &csv::StringRecord, name: &str) -> usize {
    header
        .iter()
        .position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
        .unwrap_or_else(|| panic!("no {name} column"))
}

fn addresses(bytes: &[u8]) -> Vec<Vec<u8>> {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let semicolons = first_line.iter().filter(|&&b| b == b';').count();
    let commas = first_line.iter().filter(|&&b| b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes);
    let h = r.headers().expect("header").clone();
    let (pc, nr, hl, tv) = (
        column(&h, "postcode"),
        column(&h, "huisnummer"),
        column(&h, "huisletter"),
        column(&h, "toevoeging"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            let a = Address {
                postcode: Postcode::parse(&rec[pc]).expect("postcode"),
                number: HouseNumber::parse(&rec[nr]).expect("huisnummer"),
                letter: HouseLetter::parse(&rec[hl]).expect("huisletter"),
                addition: Addition::parse(&rec[tv]).expect("toevoeging"),
            };
            a.normalised().as_bytes().to_vec()
        })
        .collect()
}

/// Best (wall, cpu) so far.
#[derive(Clone, Copy)]
struct Best(f64, f64);

impl Best {
    fn new() -> Best {
        Best(f64::MAX, f64::MAX)
    }

    fn take(&mut self, wall: f64, cpu: f64) {
        self.0 = self.0.min(wall);
        self.1 = self.1.min(cpu);
    }
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: bench_hmac FILE...");
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let key_bytes = [0x5a; 32];
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(&key_bytes).expect("any key length");
    let bare = BareHmac::new(&key_bytes);
    let key = MonitorKey::from_bytes(key_bytes);
    let org = Organisation::parse("Bench").expect("org");
    let config = InputConfig::default();
    // BENCH_BUCKET_BUFFER=BYTES changes the bucket buffers (default 1 MiB; a large value
    // keeps every bucket in memory, to see what the bucket files cost).
    // BENCH_BUCKETS=N changes the number of buckets (default 64).
    let mut options = ShuffleOptions::default();
    if let Some(b) = std::env::var("BENCH_BUCKET_BUFFER")
        .ok()
        .and_then(|b| b.parse().ok())
    {
        options.bucket_buffer = b;
    }
    if let Some(b) = std::env::var("BENCH_BUCKETS")
        .ok()
        .and_then(|b| b.parse().ok())
    {
        options.buckets = b;
    }
    // BENCH_ONLY=raw-crate, raw-bare or pseudonymise runs one loop only, BENCH_ONLY=load
    // none (for instruction counts with callgrind: subtract the `load` run; see
    // bench/monitor/callgrind.sh).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let (do_crate, do_bare, do_pseudo) = (
        only.is_empty() || only == "raw-crate",
        only.is_empty() || only == "raw-bare",
        only.is_empty() || only == "pseudonymise",
    );
    let do_paired = only.is_empty() || only == "raw-paired";

    let mut rows = 0usize;
    let (mut crate_total, mut bare_total, mut pseudo_total, mut check_total) = (
        Best(0.0, 0.0),
        Best(0.0, 0.0),
        Best(0.0, 0.0),
        Best(0.0, 0.0),
    );
    let mut paired_total = Best(0.0, 0.0);
    let mut sink = 0u8;
    let (mut peak_rows, mut peak_bytes, mut bucket_files) = (0u64, 0u64, 0u64);
    for f in &files {
        let bytes = std::fs::read(f).expect("read input");
        let addrs = addresses(&bytes);
        rows += addrs.len();
        if let Some(a) = addrs.first() {
            let mut m = keyed.clone();
            m.update(a);
            let expected: [u8; 32] = m.finalize().into_bytes().into();
            assert_eq!(bare.mac(a), expected, "the bare HMAC is HMAC-SHA256");
            assert_eq!(
                bare.mac2(a, a),
                (expected, expected),
                "so is the paired one"
            );
        }
        let (mut by_crate, mut by_bare, mut pseudo, mut check) =
            (Best::new(), Best::new(), Best::new(), Best::new());
        let mut by_paired = Best::new();
        for round in 0..rounds {
            if do_crate {
                let ((), wall, cpu) = timed(|| {
                    for a in &addrs {
                        let mut m = keyed.clone();
                        m.update(a);
                        sink ^= m.finalize().into_bytes()[0];
                    }
                });
                by_crate.take(wall, cpu);
            }
            if do_bare {
                let ((), wall, cpu) = timed(|| {
                    for a in &addrs {
                        sink ^= bare.mac(a)[0];
                    }
                });
                by_bare.take(wall, cpu);
            }
            if do_paired {
                let ((), wall, cpu) = timed(|| {
                    let mut pairs = addrs.chunks_exact(2);
                    for pair in &mut pairs {
                        let (x, y) = bare.mac2(&pair[0], &pair[1]);
                        sink ^= x[0] ^ y[0];
                    }
                    for a in pairs.remainder() {
                        sink ^= bare.mac(a)[0];
                    }
                });
                by_paired.take(wall, cpu);
            }
            if !do_pseudo {
                continue;
            }
            let t = Instant::now();
            let c = cpu_seconds().unwrap_or(0.0);
            let p = pseudonymise_with(
                &bytes[..],
                f,
                &key,
                &org,
                &config,
                &options,
                &mut rand_chacha::ChaCha20Rng::seed_from_u64(round as u64 + 100),
            )
            .expect("valid input");
            let (checked_wall, checked_cpu) = (
                t.elapsed().as_secs_f64(),
                cpu_seconds().map_or(0.0, |c2| c2 - c),
            );
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(round as u64);
            let stats = p
                .write_csv_with_stats(std::io::sink(), &mut rng)
                .expect("sink");
            pseudo.take(
                t.elapsed().as_secs_f64(),
                cpu_seconds().map_or(0.0, |c2| c2 - c),
            );
            check.take(checked_wall, checked_cpu);
            peak_rows = peak_rows.max(stats.peak_rows_in_memory);
            peak_bytes = peak_bytes.max(stats.peak_bytes_in_memory);
            bucket_files = bucket_files.max(stats.bucket_files);
        }
        for (total, best) in [
            (&mut crate_total, by_crate),
            (&mut bare_total, by_bare),
            (&mut paired_total, by_paired),
            (&mut pseudo_total, pseudo),
            (&mut check_total, check),
        ] {
            total.0 += best.0;
            total.1 += best.1;
        }
    }
    let n = rows as f64;
    let rate = |b: Best| (n / b.0, n / b.1);
    let (crate_wall, crate_cpu) = rate(crate_total);
    let (bare_wall, bare_cpu) = rate(bare_total);
    let (paired_wall, paired_cpu) = rate(paired_total);
    let (raw_wall, raw_cpu) = (crate_wall.max(bare_wall), crate_cpu.max(bare_cpu));
    let (ps_wall, ps_cpu) = rate(pseudo_total);
    let (ck_wall, ck_cpu) = rate(check_total);
    println!("rows={rows}");
    println!("raw_hmac_crate_per_second={crate_wall:.0}");
    println!("raw_hmac_crate_per_cpu_second={crate_cpu:.0}");
    println!("raw_hmac_bare_per_second={bare_wall:.0}");
    println!("raw_hmac_bare_per_cpu_second={bare_cpu:.0}");
    println!("raw_hmac_paired_per_second={paired_wall:.0}");
    println!("raw_hmac_paired_per_cpu_second={paired_cpu:.0}");
    println!("raw_hmac_per_second={raw_wall:.0}");
    println!("raw_hmac_per_cpu_second={raw_cpu:.0}");
    println!("pseudonymise_per_second={ps_wall:.0}");
    println!("pseudonymise_per_cpu_second={ps_cpu:.0}");
    println!("pseudonymise_without_writing_per_second={ck_wall:.0}");
    println!("pseudonymise_without_writing_per_cpu_second={ck_cpu:.0}");
    println!("ratio_pseudonymise_to_raw_hmac={:.3}", ps_wall / raw_wall);
    println!("ratio_pseudonymise_to_raw_hmac_cpu={:.3}", ps_cpu / raw_cpu);
    println!("shuffle_peak_rows_in_memory={peak_rows}");
    println!("shuffle_peak_bytes_in_memory={peak_bytes}");
    println!("shuffle_bucket_files={bucket_files}");
    println!("(sink {sink})");
}

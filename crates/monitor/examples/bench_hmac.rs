//! Pseudonymise throughput against raw HMAC-SHA256 on this CPU, in one process, on one
//! core, over the same addresses:
//!
//! ```text
//! cargo run --release -p baken-monitor --example bench_hmac -- DIR/org*.csv
//! ```
//!
//! 1. Loads every address of the given raw organisation files and normalises it
//!    (untimed), then times HMAC-SHA256 over those normalised addresses with a cached
//!    key state cloned per message: the ceiling.
//! 2. Times `pseudonymise` (reading, parsing, validating, HMAC, interning) plus
//!    `write_csv` to a sink, per file, then in total.
//!
//! Prints one `key=value` line per figure for `bench/monitor/run.sh`.

use std::time::Instant;

use baken_monitor::{
    pseudonymise, Addition, Address, HouseLetter, HouseNumber, InputConfig, MonitorKey,
    Organisation, Postcode,
};
use hmac::{Hmac, Mac};
use rand::SeedableRng;
use sha2::Sha256;

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

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: bench_hmac FILE...");
    let key_bytes = [0x5a; 32];

    // 1. The same addresses, normalised, in memory.
    let mut addresses: Vec<Vec<u8>> = Vec::new();
    for f in &files {
        let first = std::fs::read(f).expect("read input");
        let delimiter = if first
            .split(|&b| b == b'\n')
            .next()
            .unwrap_or(b"")
            .iter()
            .filter(|&&b| b == b';')
            .count()
            > 1
        {
            b';'
        } else {
            b','
        };
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(&first[..]);
        let h = r.headers().expect("header").clone();
        let (pc, nr, hl, tv) = (
            column(&h, "postcode"),
            column(&h, "huisnummer"),
            column(&h, "huisletter"),
            column(&h, "toevoeging"),
        );
        for rec in r.records() {
            let rec = rec.expect("record");
            let a = Address {
                postcode: Postcode::parse(&rec[pc]).expect("postcode"),
                number: HouseNumber::parse(&rec[nr]).expect("huisnummer"),
                letter: HouseLetter::parse(&rec[hl]).expect("huisletter"),
                addition: Addition::parse(&rec[tv]).expect("toevoeging"),
            };
            addresses.push(a.normalised().as_bytes().to_vec());
        }
    }
    let n = addresses.len() as f64;
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(&key_bytes).expect("any key length");
    let mut best_raw = f64::MAX;
    let mut sink = 0u8;
    let profile_only = std::env::var_os("BENCH_PSEUDONYMISE_ONLY").is_some();
    for _ in 0..if profile_only { 0 } else { 3 } {
        let t = Instant::now();
        for a in &addresses {
            let mut m = keyed.clone();
            m.update(a);
            sink ^= m.finalize().into_bytes()[0];
        }
        best_raw = best_raw.min(t.elapsed().as_secs_f64());
    }
    drop(addresses);
    let raw_rate = n / best_raw;
    println!("rows={}", n as u64);
    println!("raw_hmac_seconds={best_raw:.3}");
    println!("raw_hmac_per_second={raw_rate:.0}");

    // 2. The real thing, file by file.
    let key = MonitorKey::from_bytes(key_bytes);
    let org = Organisation::parse("Bench").expect("org");
    let config = InputConfig::default();
    let mut total = 0.0;
    let mut total_no_write = 0.0;
    let repeat = if profile_only { 10 } else { 1 };
    for f in files.iter().cycle().take(files.len() * repeat) {
        let bytes = std::fs::read(f).expect("read input");
        let t = Instant::now();
        let p = pseudonymise(&bytes[..], f, &key, &org, &config).expect("valid input");
        let parsed = t.elapsed().as_secs_f64();
        p.write_csv(
            std::io::sink(),
            &mut rand_chacha::ChaCha20Rng::seed_from_u64(1),
        )
        .expect("sink");
        let all = t.elapsed().as_secs_f64();
        total += all;
        total_no_write += parsed;
    }
    let rate = n / total;
    println!("pseudonymise_seconds={total:.3}");
    println!("pseudonymise_per_second={rate:.0}");
    println!(
        "pseudonymise_without_writing_per_second={:.0}",
        n / total_no_write
    );
    println!("ratio_pseudonymise_to_raw_hmac={:.3}", rate / raw_rate);
    println!("(sink {sink})");
}

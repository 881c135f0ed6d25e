//! Pseudonymise throughput against raw HMAC-SHA256 on this CPU, in one process, on one
//! core, over the same addresses:
//!
//! ```text
//! cargo run --release -p baken-monitor --example bench_hmac -- DIR/org*.csv
//! ```
//!
//! For each raw organisation file, three rounds of:
//! 1. HMAC-SHA256 over the file's normalised addresses (loaded and normalised before
//!    the clock starts), with a cached key state cloned per message: the ceiling;
//! 2. `pseudonymise` on the file's bytes (parsing, checking, HMAC, interning) plus
//!    `write_csv` (shuffle and CSV) to a sink.
//!
//! The two alternate, so a shared machine's load hits both alike; the best round of
//! each counts. Prints `key=value` lines for `bench/monitor/run.sh`.

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

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: bench_hmac FILE...");
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let key_bytes = [0x5a; 32];
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(&key_bytes).expect("any key length");
    let key = MonitorKey::from_bytes(key_bytes);
    let org = Organisation::parse("Bench").expect("org");
    let config = InputConfig::default();

    let (mut rows, mut raw_total, mut pseudo_total, mut check_total) = (0usize, 0.0, 0.0, 0.0);
    let mut sink = 0u8;
    for f in &files {
        let bytes = std::fs::read(f).expect("read input");
        let addrs = addresses(&bytes);
        rows += addrs.len();
        let (mut raw, mut pseudo, mut check) = (f64::MAX, f64::MAX, f64::MAX);
        for round in 0..rounds {
            let t = Instant::now();
            for a in &addrs {
                let mut m = keyed.clone();
                m.update(a);
                sink ^= m.finalize().into_bytes()[0];
            }
            raw = raw.min(t.elapsed().as_secs_f64());

            let t = Instant::now();
            let p = pseudonymise(&bytes[..], f, &key, &org, &config).expect("valid input");
            let checked = t.elapsed().as_secs_f64();
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(round as u64);
            p.write_csv(std::io::sink(), &mut rng).expect("sink");
            pseudo = pseudo.min(t.elapsed().as_secs_f64());
            check = check.min(checked);
        }
        raw_total += raw;
        pseudo_total += pseudo;
        check_total += check;
    }
    let n = rows as f64;
    let (raw_rate, rate) = (n / raw_total, n / pseudo_total);
    println!("rows={rows}");
    println!("raw_hmac_seconds={raw_total:.3}");
    println!("raw_hmac_per_second={raw_rate:.0}");
    println!("pseudonymise_seconds={pseudo_total:.3}");
    println!("pseudonymise_per_second={rate:.0}");
    println!(
        "pseudonymise_without_writing_per_second={:.0}",
        n / check_total
    );
    println!("ratio_pseudonymise_to_raw_hmac={:.3}", rate / raw_rate);
    println!("(sink {sink})");
}

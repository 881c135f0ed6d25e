//! Generates a synthetic region's monitor input files for benchmarks: raw
//! organisation CSVs with addresses, as organisations would hand them to
//! `baken monitor pseudonymise`.
//!
//! ```text
//! cargo run --release -p baken-monitor --example gen_region -- --rows 10000000 --out DIR [--seed 1]
//! ```
//!
//! The region is GM9999 with up to 1,000 neighbourhoods `BU9999wwbb`; postcodes are four digits
//! and two letters. Eight organisations, each with its own domain(s), delimiter and
//! spelling habits. Cumulation is skewed as in practice: most households get help from
//! one organisation, a long tail from four or more; households with debts are more
//! likely to also be in participatie and ggz. About 1% of an organisation's rows name a
//! neighbouring neighbourhood, so that the link sees conflicts.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Org {
    name: &'static str,
    domains: &'static [&'static str],
    codes: &'static [&'static str],
    /// Relative size: the share of households this organisation serves.
    weight: f64,
    delimiter: u8,
}

const ORGS: [Org; 8] = [
    Org {
        name: "Jeugdteam Zaanstreek",
        domains: &["jeugd"],
        codes: &["JW-AMB", "JW-PLG", "JW-VB", "JW-DGB", "JW-CRISIS"],
        weight: 0.20,
        delimiter: b';',
    },
    Org {
        name: "Wmo-loket",
        domains: &["wmo"],
        codes: &["WMO-HV", "WMO-BG", "WMO-VV", "WMO-HM", "WMO-WV", "WMO-DB"],
        weight: 0.30,
        delimiter: b',',
    },
    Org {
        name: "Werkplein",
        domains: &["participatie"],
        codes: &["PW-BIJST", "PW-RE", "PW-LK", "PW-JOB", "PW-TOZO"],
        weight: 0.22,
        delimiter: b';',
    },
    Org {
        name: "Stadsbank",
        domains: &["schuldhulp"],
        codes: &["SH-INT", "SH-BBR", "SH-MSNP", "SH-BW"],
        weight: 0.08,
        delimiter: b',',
    },
    Org {
        name: "GGZ Noord",
        domains: &["ggz"],
        codes: &["GGZ-BAS", "GGZ-SPEC", "GGZ-FACT"],
        weight: 0.07,
        delimiter: b',',
    },
    Org {
        name: "Woonstichting",
        domains: &["wonen"],
        codes: &["WO-ACHT", "WO-URG", "WO-BW"],
        weight: 0.05,
        delimiter: b';',
    },
    Org {
        name: "Sociaal wijkteam",
        domains: &["wmo", "jeugd", "overig"],
        codes: &["SWT-ALG", "SWT-MW", "SWT-OPV"],
        weight: 0.12,
        delimiter: b',',
    },
    Org {
        name: "Buurtwerk",
        domains: &["overig"],
        codes: &["BW-ACT", "BW-MAAT", "BW-VRIJ"],
        weight: 0.06,
        delimiter: b',',
    },
];

struct Args {
    rows: u64,
    out: PathBuf,
    seed: u64,
}

fn args() -> Args {
    let mut a = Args {
        rows: 10_000_000,
        out: PathBuf::from("target/monitor-bench"),
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = value.replace('_', "").parse().expect("--rows N"),
            "--out" => a.out = PathBuf::from(value),
            "--seed" => a.seed = value.parse().expect("--seed N"),
            _ => panic!("unknown flag {flag}; use --rows N --out DIR --seed N"),
        }
    }
    a
}

/// A household's address, derived from its index so that all are distinct.
fn address(h: u64) -> (u32, [u8; 2], u32, Option<u8>, Option<u32>, u32, u32) {
    // First letters without S, so that SA, SD and SS (not used by PostNL) never occur.
    const FIRST: &[u8; 22] = b"ABCDEFGHJKLMNPRTUVWXYZ";
    let per_postcode = 30;
    let pc = h / per_postcode;
    let digits = 1000 + (pc / 572) as u32 % 9000;
    let l = (pc % 572) as usize;
    let letters = [FIRST[l / 26], b'A' + (l % 26) as u8];
    let n = (h % per_postcode) as u32;
    let number = 1 + n * 2;
    let letter = (n % 11 == 3).then_some(b'a' + (n % 3) as u8);
    let addition = (n % 13 == 5).then_some(1 + n % 3);
    // Neighbourhoods follow postcodes: 40 wijken of up to 25 buurten, each buurt a few
    // neighbouring postcodes.
    let wijk = 1 + (pc / 211) as u32 % 40;
    let buurt = 1 + (pc / 9) as u32 % 25;
    (digits, letters, number, letter, addition, wijk, buurt)
}

fn main() -> std::io::Result<()> {
    let a = args();
    std::fs::create_dir_all(&a.out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let mut writers: Vec<BufWriter<File>> = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        let mut w =
            BufWriter::with_capacity(1 << 20, File::create(a.out.join(format!("org{i}.csv")))?);
        if i % 3 == 0 {
            w.write_all(b"\xEF\xBB\xBF")?; // Excel's BOM
        }
        let d = org.delimiter as char;
        writeln!(w, "clientnummer{d}postcode{d}huisnummer{d}huisletter{d}toevoeging{d}buurtcode{d}domein{d}voorziening{d}periode")?;
        writers.push(w);
    }
    let weights: Vec<f64> = ORGS.iter().map(|o| o.weight).collect();
    let total_weight: f64 = weights.iter().sum();
    let mut rows = 0u64;
    let mut per_org = [0u64; ORGS.len()];
    let mut h = 0u64;
    let mut line = Vec::with_capacity(256);
    while rows < a.rows {
        let (digits, letters, number, letter, addition, wijk, buurt) = address(h);
        h += 1;
        // How many organisations: 1 (62%), 2 (22%), 3 (9%), 4 (4%), 5-7 (3%).
        let x: f64 = rng.gen();
        let k = match x {
            x if x < 0.62 => 1,
            x if x < 0.84 => 2,
            x if x < 0.93 => 3,
            x if x < 0.97 => 4,
            _ => rng.gen_range(5..=7),
        };
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        while chosen.len() < k {
            let mut t = rng.gen::<f64>() * total_weight;
            let mut pick = 0;
            for (i, w) in weights.iter().enumerate() {
                if t < *w {
                    pick = i;
                    break;
                }
                t -= w;
            }
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
            // Debts come with work and mental health more often than not.
            if pick == 3 && chosen.len() < k && !chosen.contains(&2) && rng.gen_bool(0.5) {
                chosen.push(2);
            }
        }
        for &o in &chosen {
            let org = &ORGS[o];
            let d = org.delimiter;
            let provisions = if rng.gen_bool(0.7) {
                1
            } else {
                rng.gen_range(2..=3)
            };
            let codes: Vec<&&str> = org.codes.choose_multiple(&mut rng, provisions).collect();
            for code in codes {
                let months = if rng.gen_bool(0.6) {
                    1
                } else {
                    rng.gen_range(2..=4)
                };
                let start = rng.gen_range(1..=12u32);
                let domain = org.domains.choose(&mut rng).copied().unwrap_or("overig");
                for m in 0..months {
                    line.clear();
                    let (w, b) = if rng.gen_bool(0.01) {
                        (wijk, 1 + buurt % 25)
                    } else {
                        (wijk, buurt)
                    };
                    let spelled_pc = match rng.gen_range(0..4) {
                        0 => format!("{digits}{}", String::from_utf8_lossy(&letters)),
                        1 => format!("{digits} {}", String::from_utf8_lossy(&letters)),
                        2 => format!(
                            "{digits}{}",
                            String::from_utf8_lossy(&letters).to_lowercase()
                        ),
                        _ => format!(
                            "{digits} {}",
                            String::from_utf8_lossy(&letters).to_lowercase()
                        ),
                    };
                    let d = d as char;
                    let client = rng.gen_range(100_000..999_999u32);
                    let letter = letter.map(|c| (c as char).to_string()).unwrap_or_default();
                    let addition = addition.map(|n| n.to_string()).unwrap_or_default();
                    let month = 1 + (start + m - 1) % 12;
                    writeln!(
                        line,
                        "{client}{d}{spelled_pc}{d}{number}{d}{letter}{d}{addition}{d}BU9999{w:02}{b:02}{d}{domain}{d}{code}{d}2025-{month:02}"
                    )?;
                    writers[o].write_all(&line)?;
                    rows += 1;
                    per_org[o] += 1;
                }
            }
        }
    }
    for w in &mut writers {
        w.flush()?;
    }
    eprintln!(
        "generated {rows} rows for {h} households in {}",
        a.out.display()
    );
    for (i, org) in ORGS.iter().enumerate() {
        eprintln!("  org{i}.csv  {:>10} rows  {}", per_org[i], org.name);
    }
    Ok(())
}

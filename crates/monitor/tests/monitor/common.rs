use std::path::{Path, PathBuf};

use baken_monitor::cli::{run, MonitorCommand};
use baken_monitor::{InputConfig, MonitorError, MonitorKey, Organisation};
use clap::Parser;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// A fixed test key; its bytes are grepped for in every output.
pub const KEY: [u8; 32] = [
    0x3a, 0x91, 0x5c, 0x07, 0xe2, 0x44, 0xb8, 0x1f, 0x6d, 0x20, 0x99, 0xc3, 0x5e, 0x71, 0x0a, 0xf4,
    0x82, 0x13, 0xbd, 0x6e, 0x47, 0xd5, 0x28, 0x9a, 0xc1, 0x0f, 0x73, 0xe6, 0x34, 0x58, 0xab, 0x2d,
];

pub fn key() -> MonitorKey {
    MonitorKey::from_bytes(KEY)
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Pseudonymises CSV text in memory and returns the output CSV.
pub fn pseudonymise_text(input: &[u8], file: &str, org: &str) -> Result<String, MonitorError> {
    let org = Organisation::parse(org)?;
    let p = baken_monitor::pseudonymise(input, file, &key(), &org, &InputConfig::default())?;
    let mut out = Vec::new();
    p.write_csv(&mut out, &mut rng(1))
        .expect("writing to memory");
    Ok(String::from_utf8(out).expect("output is UTF-8"))
}

/// The test-only command line: `MonitorCommand` under a tiny parser, as the binary
/// embeds it.
#[derive(Parser, Debug)]
#[command(name = "baken-monitor-test")]
struct TestCli {
    #[command(subcommand)]
    cmd: MonitorCommand,
}

/// Parses and runs `args` as `baken monitor …` would; parse errors become errors.
pub fn cli<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> anyhow::Result<()> {
    let argv = std::iter::once(std::ffi::OsString::from("baken-monitor-test"))
        .chain(args.iter().map(|a| a.as_ref().to_owned()));
    let parsed = TestCli::try_parse_from(argv).map_err(|e| anyhow::anyhow!("{e}"))?;
    run(parsed.cmd)
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test input");
    path
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A small organisation file. `rows` are (postcode, huisnummer, huisletter,
/// toevoeging, buurtcode, domein, voorziening, periode).
pub fn org_csv(delimiter: char, rows: &[[&str; 8]]) -> String {
    let d = delimiter;
    let mut s = format!("postcode{d}huisnummer{d}huisletter{d}toevoeging{d}buurtcode{d}domein{d}voorziening{d}periode\n");
    for r in rows {
        s.push_str(&r.join(&d.to_string()));
        s.push('\n');
    }
    s
}

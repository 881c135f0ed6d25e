//! The command line: `baken monitor keygen | pseudonymise | link | report`.
//!
//! The binary embeds [`MonitorCommand`] as a subcommand and calls [`run`]. This is the
//! only module that uses `anyhow`, prints to stderr or draws progress bars (indicatif,
//! only when stderr is a terminal). It never prints or logs key material.

use std::ffi::OsString;
use std::fs::File;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::{
    pseudonymise_with, read_key_file, report_from_parquet, write_atomically, write_key_file,
    write_report_dir, DomainList, InputConfig, Linker, MonitorError, MonitorKey, Organisation,
    Protection, ShuffleOptions,
};

/// How `report` protects published counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtectionMethod {
    /// As CBS: counts 1-7 are secret, all others rounded to a multiple of 5.
    Cbs,
    /// Counts below --threshold are secret, with secondary suppression.
    Suppress,
}

/// A `--key` on `link` or `report` is accepted by the parser only to be refused with
/// an explanation (clap's own "unexpected argument" would not say why).
#[derive(Debug, Clone, Default, Args)]
pub struct RefusedKey {
    #[arg(long = "key", hide = true, num_args = 0..=1, value_name = "KEYFILE")]
    key: Option<Option<OsString>>,
}

impl RefusedKey {
    fn refuse(&self, command: &str) -> anyhow::Result<()> {
        if self.key.is_some() {
            bail!(
                "`baken monitor {command}` does not accept a key (--key): the linking party must never hold the pseudonymisation key. \
                 Remove --key; pseudonymised files are linked on their pseudonyms alone."
            );
        }
        Ok(())
    }
}

/// The stapelingsmonitor's commands.
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Create a new 256-bit pseudonymisation key (mode 0600). For the coordinating
    /// privacy officer, who gives it to the organisations and never to the linking party.
    Keygen {
        /// Where to write the key; an existing file is never overwritten.
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
    },
    /// Replace each address by a keyed pseudonym (at each organisation, on its own
    /// machine). Refuses the whole file, writing nothing, if any row is invalid.
    Pseudonymise {
        /// The key file from `keygen`.
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
        /// The organisation's name, written into every row.
        #[arg(long, value_name = "NAME")]
        org: String,
        /// The organisation's CSV: postcode, huisnummer, huisletter (optional),
        /// toevoeging (optional), buurtcode, domein, voorziening, periode (optional).
        #[arg(value_name = "INPUT.csv")]
        input: PathBuf,
        /// The pseudonymised CSV to write.
        #[arg(long, value_name = "OUT.csv")]
        out: PathBuf,
        /// The allowed domains (default: `[monitor] domains` in baken.toml, else
        /// jeugd,wmo,participatie,schuldhulp,ggz,wonen,overig).
        #[arg(long, value_name = "a,b,c")]
        domains: Option<String>,
        /// List at most this many problems, then only count them.
        #[arg(long, value_name = "N", default_value_t = 50)]
        max_errors: usize,
    },
    /// Link pseudonymised files into one row per household and drop the pseudonym
    /// (at the linking party). Does not accept a key.
    Link {
        /// Pseudonymised CSV files from `pseudonymise`.
        #[arg(value_name = "PSEUDONYMISED.csv", required = true)]
        inputs: Vec<PathBuf>,
        /// The linked Parquet file to write.
        #[arg(long, value_name = "linked.parquet")]
        out: PathBuf,
        /// The allowed domains (as for pseudonymise).
        #[arg(long, value_name = "a,b,c")]
        domains: Option<String>,
        /// List at most this many problems, then only count them.
        #[arg(long, value_name = "N", default_value_t = 50)]
        max_errors: usize,
        #[command(flatten)]
        refused: RefusedKey,
    },
    /// Protect true counts computed elsewhere (by a distributed engine running
    /// monitor/sql/*.sql) exactly as `report` does, and write the same files. Does not
    /// accept a key.
    Protect {
        /// The counts: the shape of report.json with every number present (see
        /// docs/monitor.md).
        #[arg(value_name = "COUNTS.json")]
        input: PathBuf,
        /// The directory to write to (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// How counts are protected.
        #[arg(long, value_enum, default_value_t = ProtectionMethod::Cbs)]
        protection: ProtectionMethod,
        /// For --protection suppress: counts from 1 to T-1 are secret (T >= 3).
        #[arg(long, value_name = "T")]
        threshold: Option<u64>,
        /// The domains, in the order to show them (as for pseudonymise).
        #[arg(long, value_name = "a,b,c")]
        domains: Option<String>,
        #[command(flatten)]
        refused: RefusedKey,
    },
    /// Write the synthetic region's organisation files (demo data with invented
    /// addresses, for trying the monitor and for benchmarks): `org0.csv` … `org7.csv`
    /// in DIR, one per organisation, as messy as real exports.
    DemoFiles {
        /// The directory to write to (created if needed); existing files are replaced.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// At least this many rows in all (1 to 100,000,000).
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        rows: u64,
        /// The same seed gives the same files.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
    },
    /// Write the protected cumulation tables: report.json, one CSV per table and
    /// report.html. Protection cannot be switched off. Does not accept a key.
    Report {
        /// The linked Parquet file from `link`.
        #[arg(value_name = "linked.parquet")]
        input: PathBuf,
        /// The directory to write to (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// How counts are protected.
        #[arg(long, value_enum, default_value_t = ProtectionMethod::Cbs)]
        protection: ProtectionMethod,
        /// For --protection suppress: counts from 1 to T-1 are secret (T >= 3).
        #[arg(long, value_name = "T")]
        threshold: Option<u64>,
        /// The domains, in the order to show them (as for pseudonymise).
        #[arg(long, value_name = "a,b,c")]
        domains: Option<String>,
        #[command(flatten)]
        refused: RefusedKey,
    },
}

/// Runs one monitor command.
pub fn run(cmd: MonitorCommand) -> anyhow::Result<()> {
    run_with_domains(cmd, None)
}

/// Runs one monitor command; `configured` is the domain list to use where the command
/// has no `--domains` (the binary passes `[monitor] domains` from `baken.toml`).
pub fn run_with_domains(
    cmd: MonitorCommand,
    configured: Option<&DomainList>,
) -> anyhow::Result<()> {
    let domain_list = |list: Option<&str>| -> Result<DomainList, MonitorError> {
        match (list, configured) {
            (Some(list), _) => DomainList::parse(list),
            (None, Some(d)) => Ok(d.clone()),
            (None, None) => Ok(DomainList::default()),
        }
    };
    match cmd {
        MonitorCommand::Keygen { out } => {
            let mut rng = ChaCha20Rng::from_entropy();
            let key = MonitorKey::generate(&mut rng);
            let id = write_key_file(&out, &key)?;
            eprintln!(
                "Wrote a new key to {} (mode 0600, key id {id}).\n\
                 Give it to the participating organisations only - never to the linking party.\n\
                 Organisations can check they hold the same key by comparing the key id.",
                out.display()
            );
            Ok(())
        }
        MonitorCommand::Pseudonymise {
            key,
            org,
            input,
            out,
            domains,
            max_errors,
        } => {
            let key = read_key_file(&key)?;
            let organisation = Organisation::parse(&org)?;
            let config = InputConfig {
                domains: domain_list(domains.as_deref())?,
                max_errors,
            };
            let (file, size) = open(&input)?;
            let bar = progress_bar(size, "pseudonymise");
            let name = input.display().to_string();
            // Bucket files for the shuffle go next to the output (anonymous: they never
            // show up there, and vanish when closed).
            let options = ShuffleOptions {
                temp_dir: Some(match out.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                }),
                ..ShuffleOptions::default()
            };
            let mut rng = ChaCha20Rng::from_entropy();
            let result = pseudonymise_with(
                bar.wrap_read(file),
                &name,
                &key,
                &organisation,
                &config,
                &options,
                &mut rng,
            );
            bar.finish_and_clear();
            let pseudonymised = result?;
            let rows = pseudonymised.len();
            write_atomically(&out, false, |w| {
                pseudonymised
                    .write_csv(w, &mut rng)
                    .map_err(|source| MonitorError::Write {
                        path: out.display().to_string(),
                        source,
                    })
            })?;
            eprintln!(
                "Pseudonymised {rows} rows of {} into {} (key id {}).",
                organisation.as_str(),
                out.display(),
                key.id()
            );
            Ok(())
        }
        MonitorCommand::Link {
            inputs,
            out,
            domains,
            max_errors,
            refused,
        } => {
            refused.refuse("link")?;
            let config = InputConfig {
                domains: domain_list(domains.as_deref())?,
                max_errors,
            };
            crate::refuse_duplicate_files(&inputs)?;
            return_freed_memory();
            let mut files = Vec::with_capacity(inputs.len());
            let mut total = 0;
            for path in &inputs {
                let (file, size) = open(path)?;
                total += size;
                files.push((path.display().to_string(), file));
            }
            let mut phases = Phases::start();
            let bar = progress_bar(total, "link");
            let mut linker = Linker::new(config);
            for (name, file) in files {
                if let Err(e) = linker.add_file(bar.wrap_read(file), &name) {
                    bar.finish_and_clear();
                    return Err(e.into());
                }
            }
            bar.finish_and_clear();
            phases.end("read, parse, partition, fold");
            let dataset = linker.finish(&mut ChaCha20Rng::from_entropy())?;
            phases.end("canonical order, shuffle");
            let main = crate::cputime::thread_cpu();
            crate::write_linked_file(&dataset, &out)?;
            let main = (crate::cputime::thread_cpu() - main).as_secs_f64();
            phases.end("write Parquet, SHA-256, sync");
            phases.note(&dataset, phases.last_cpu(), main);
            let s = dataset.stats();
            eprintln!(
                "Linked {} files: {} records, {} households, written to {} without pseudonyms (its SHA-256 in {}).",
                s.files,
                s.records,
                s.households,
                out.display(),
                crate::checksum_path(&out).display()
            );
            eprintln!(
                "{} households were reported in more than one neighbourhood; the most frequent code was used for them.",
                s.buurt_conflicts
            );
            Ok(())
        }
        MonitorCommand::DemoFiles { out, rows, seed } => demo_files(&out, rows, seed),
        MonitorCommand::Report {
            input,
            out,
            protection,
            threshold,
            domains,
            refused,
        } => {
            refused.refuse("report")?;
            let protection = protection_of(protection, threshold)?;
            let domains = domain_list(domains.as_deref())?;
            let mut phases = Phases::start();
            crate::verify_linked_file(&input)?;
            phases.end("check SHA-256");
            let (file, _) = open(&input)?;
            let report =
                report_from_parquet(file, &input.display().to_string(), &domains, &protection)?;
            phases.end("read Parquet, count, protect");
            write_report(&report, &out)?;
            phases.end("write report");
            Ok(())
        }
        MonitorCommand::Protect {
            input,
            out,
            protection,
            threshold,
            domains,
            refused,
        } => {
            refused.refuse("protect")?;
            let protection = protection_of(protection, threshold)?;
            let domains = domain_list(domains.as_deref())?;
            let json = std::fs::read(&input)
                .map_err(|e| anyhow!("{}: cannot read: {e}", input.display()))?;
            let report = crate::report_from_counts(
                &json,
                &input.display().to_string(),
                &domains,
                &protection,
            )?;
            write_report(&report, &out)
        }
    }
}

fn protection_of(method: ProtectionMethod, threshold: Option<u64>) -> anyhow::Result<Protection> {
    Ok(match (method, threshold) {
        (ProtectionMethod::Cbs, None) => Protection::Cbs,
        (ProtectionMethod::Cbs, Some(_)) => bail!(
            "--threshold only applies to --protection suppress; the CBS rule has a fixed threshold of 8"
        ),
        (ProtectionMethod::Suppress, Some(t)) => Protection::suppress(t)?,
        (ProtectionMethod::Suppress, None) => {
            bail!("--protection suppress needs --threshold T (at least 3)")
        }
    })
}

fn write_report(report: &crate::Report, out: &Path) -> anyhow::Result<()> {
    let written = write_report_dir(report, out)?;
    eprintln!(
        "Wrote {} files to {} (protection: {}).",
        written.len(),
        out.display(),
        report.protection.method
    );
    Ok(())
}

/// Writes the synthetic region's files, streaming: each organisation's rows go to a
/// temporary file that is renamed into place when all are complete.
fn demo_files(dir: &Path, rows: u64, seed: u64) -> anyhow::Result<()> {
    use baken_synth::monitor::{MonitorRegion, ORGANISATIONS};
    use std::io::Write;
    if !(1..=MonitorRegion::MAX_ROWS).contains(&rows) {
        bail!(
            "--rows must be from 1 to {}; got {rows}",
            MonitorRegion::MAX_ROWS
        );
    }
    std::fs::create_dir_all(dir).map_err(|e| anyhow!("{}: cannot create: {e}", dir.display()))?;
    let write_err = |e: std::io::Error| anyhow!("{}: cannot write: {e}", dir.display());
    let mut files = Vec::with_capacity(ORGANISATIONS.len());
    let mut buffers: [Vec<u8>; ORGANISATIONS.len()] = Default::default();
    for (org, buffer) in ORGANISATIONS.iter().zip(&mut buffers) {
        files.push(
            tempfile::Builder::new()
                .prefix(".baken-demo-")
                .tempfile_in(dir)
                .map_err(write_err)?,
        );
        buffer.extend_from_slice(&org.header());
    }
    let bar = progress(
        rows,
        "demo-files",
        "{msg:>12} [{bar:40}] {human_pos}/{human_len} rows ({eta} left)",
    );
    let mut region = MonitorRegion::new(rows, seed);
    let mut flushed = 0;
    while region.next_household(&mut buffers) {
        if region.rows() - flushed >= 1 << 16 {
            for (file, buffer) in files.iter_mut().zip(&mut buffers) {
                file.write_all(buffer).map_err(write_err)?;
                buffer.clear();
            }
            bar.set_position(region.rows());
            flushed = region.rows();
        }
    }
    bar.finish_and_clear();
    for (i, (mut file, buffer)) in files.into_iter().zip(&buffers).enumerate() {
        file.write_all(buffer).map_err(write_err)?;
        file.flush().map_err(write_err)?;
        file.persist(dir.join(format!("org{i}.csv")))
            .map_err(|e| write_err(e.error))?;
    }
    eprintln!(
        "Wrote {} rows for {} households of the synthetic region (seed {seed}) to {}:",
        region.rows(),
        region.households(),
        dir.display()
    );
    for (i, (org, n)) in ORGANISATIONS
        .iter()
        .zip(region.rows_per_organisation())
        .enumerate()
    {
        eprintln!("  org{i}.csv {n:>10} rows  {}", org.name);
    }
    Ok(())
}

fn open(path: &Path) -> anyhow::Result<(File, u64)> {
    let file = File::open(path).map_err(|e| anyhow!("{}: cannot open: {e}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((file, size))
}

fn progress_bar(len: u64, message: &'static str) -> ProgressBar {
    progress(
        len,
        message,
        "{msg:>12} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    )
}

/// A bar for `len` items, drawn only when stderr is a terminal.
fn progress(len: u64, message: &'static str, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

/// Wall and CPU time per phase of a command, printed to stderr when the environment
/// variable `BAKEN_MONITOR_PHASES` is set (for the benchmark).
struct Phases {
    on: bool,
    wall: std::time::Instant,
    cpu: f64,
    /// CPU time of the last phase.
    last: f64,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            on: std::env::var_os("BAKEN_MONITOR_PHASES").is_some(),
            wall: std::time::Instant::now(),
            cpu: process_cpu_seconds(),
            last: 0.0,
        }
    }

    fn end(&mut self, phase: &str) {
        if !self.on {
            return;
        }
        let (wall, cpu) = (std::time::Instant::now(), process_cpu_seconds());
        let w = wall.duration_since(self.wall).as_secs_f64();
        let c = cpu - self.cpu;
        eprintln!(
            "phase {phase}: {w:.3} s wall, {c:.3} s CPU ({:.2} cores)",
            c / w.max(1e-9)
        );
        (self.wall, self.cpu, self.last) = (wall, cpu, c);
    }
}

impl Phases {
    /// The link's own account of its phases by its threads' CPU time (which holds on
    /// a busy machine too), and from it the wall time the link would need at the
    /// least on as many idle cores as it has threads: per phase its busiest thread,
    /// or its CPU time spread evenly, whichever is longer.
    fn note(&self, dataset: &crate::LinkedDataset, write_cpu: f64, write_main: f64) {
        if !self.on {
            return;
        }
        let t = dataset.timing();
        let s = |d: std::time::Duration| d.as_secs_f64();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let write = dataset.write_threads();
        let write_busiest = write.iter().map(|d| s(*d)).fold(write_main, f64::max);
        let read_cpu = s(t.read) + s(t.parse_partition) + s(t.fold);
        let critical = [
            s(t.busiest).max(read_cpu / cores),
            s(t.finish_busiest),
            write_busiest.max(write_cpu / cores),
        ];
        eprintln!(
            "parts (thread CPU seconds): read {:.3}, parse+partition {:.3}, fold {:.3}, busiest thread {:.3}; canonical order + shuffle: {:.3} + {:.3} s wall, critical path {:.3}; write: builder, lanes {}, main thread {:.3}",
            s(t.read),
            s(t.parse_partition),
            s(t.fold),
            s(t.busiest),
            s(t.canonical_order),
            s(t.shuffle),
            s(t.finish_busiest),
            write
                .iter()
                .map(|d| format!("{:.3}", s(*d)))
                .collect::<Vec<_>>()
                .join(" "),
            write_main,
        );
        let total: f64 = critical.iter().sum();
        eprintln!(
            "on {cores} idle cores at least (per phase): {:.3} + {:.3} + {:.3} = {total:.3} s",
            critical[0], critical[1], critical[2]
        );
    }

    /// CPU time of the last phase.
    fn last_cpu(&self) -> f64 {
        self.last
    }
}

/// This process's CPU time (user + system) so far, from `/proc/self/stat` (in clock
/// ticks of 1/100 s); 0 where there is no `/proc`.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) end with `)`.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after `)`.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Makes the allocator give large blocks (from 256 KiB) back to the operating system
/// when they are freed. Without it glibc raises its threshold each time such a block is
/// freed, and serves the next ones from its heap, which it keeps: the household map's
/// partitions, freed one by one while the households are built and shuffled, stayed in
/// the process's memory, and the link peaked at the map plus the households (about 565
/// MiB for 2.3 M households instead of about 420). Only the `link` command does this;
/// the library leaves a host program's allocator alone.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        /// glibc's `M_MMAP_THRESHOLD` (malloc.h); setting it also turns off the
        /// threshold's dynamic adjustment.
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        // SAFETY: mallopt only changes an allocator setting; it is called before the
        // link starts its threads, and any value is valid for this parameter.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 256 << 10);
        }
    }
}

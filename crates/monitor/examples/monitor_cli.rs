//! `baken monitor …` as a stand-alone program, for benchmarks and scripts that should
//! not depend on the whole `baken` binary building:
//!
//! ```text
//! cargo run --release -p baken-monitor --example monitor_cli -- link a.csv b.csv --out linked.parquet
//! ```

use baken_monitor::cli::{run, MonitorCommand};
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "baken monitor",
    about = "Stapelingsmonitor: keygen, pseudonymise, link, report"
)]
struct Cli {
    #[command(subcommand)]
    cmd: MonitorCommand,
}

fn main() {
    if let Err(e) = run(Cli::parse().cmd) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

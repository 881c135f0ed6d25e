//! Protection at national scale: a report of 15,000 neighbourhoods (about 45,000
//! cells and relations), protected with the CBS rule and with suppression.
//!
//! ```text
//! cargo run --release -p baken-monitor --example bench_protect [-- NEIGHBOURHOODS]
//! ```
//!
//! Prints the time of each, how many neighbourhoods have a secret cell, an audit of
//! the suppression (no secret cell recomputable), and how big the dense matrix of the
//! exact check was before it became sparse (relations × unknowns doubles).

use std::time::Instant;

use baken_monitor::protect::recoverable_secrets;
use baken_monitor::{DomainList, HouseholdSummary, Protection, ReportBuilder};

fn region(neighbourhoods: usize) -> ReportBuilder {
    let mut b = ReportBuilder::new(DomainList::default());
    let mut seed = 0x9e37_79b9_u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..neighbourhoods {
        let code = format!("BU{:04}{:04}", 1000 + i / 9000, i % 9000);
        let size = match next() % 10 {
            0..=3 => 1 + next() % 12,
            4..=7 => next() % 60,
            _ => next() % 400,
        };
        for _ in 0..size {
            let r = next();
            let domains = match r % 8 {
                0..=4 => 1 << ((r >> 8) % 7),
                5 | 6 => (1 << ((r >> 8) % 7)) | (1 << ((r >> 16) % 7)),
                _ => ((r >> 8) & 0x7f) | 1,
            };
            let organisations = 1 + (r >> 24) as u32 % 5;
            b.add(&HouseholdSummary {
                buurtcode: &code,
                domains,
                organisations,
                provisions: organisations + (r >> 32) as u32 % 3,
                records: organisations,
            });
        }
    }
    b
}

fn main() {
    let neighbourhoods: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(15_000);
    for (name, protection) in [
        ("cbs", Protection::Cbs),
        ("suppress 10", Protection::Suppress { threshold: 10 }),
    ] {
        let b = region(neighbourhoods);
        let started = Instant::now();
        let (report, cells, protected) = b.finish_for_audit(&protection);
        let took = started.elapsed();
        let secret = report
            .tables
            .by_neighbourhood
            .iter()
            .filter(|n| n.households.is_none() || n.multi_domain.is_none())
            .count();
        println!(
            "{name}: {} neighbourhoods, {} cells, {} relations: protected in {:.3} s; {secret} neighbourhoods with a secret cell",
            report.tables.by_neighbourhood.len(),
            cells.len(),
            cells.groups().len(),
            took.as_secs_f64(),
        );
        if let Protection::Suppress { threshold } = protection {
            let check = Instant::now();
            let leaked = recoverable_secrets(&cells, &protected, threshold).len();
            println!(
                "  audit: the exact check once more on the result: {:.3} s, {leaked} secret cells recomputable",
                check.elapsed().as_secs_f64()
            );
            let variables = cells.ids().filter(|&c| cells.is_hidden(c)).count()
                + report
                    .tables
                    .by_neighbourhood
                    .iter()
                    .map(|n| {
                        usize::from(n.households.is_none()) + usize::from(n.multi_domain.is_none())
                    })
                    .sum::<usize>();
            println!(
                "the dense check's matrix would be {} relations x {variables} unknowns = {:.1} GB of f64",
                cells.groups().len(),
                (cells.groups().len() * variables * 8) as f64 / 1e9
            );
        }
    }
}

//! Golden files: a fixed small region, a fixed key and a fixed random seed give a
//! report.json that must not change by accident. Rewrite with `UPDATE_GOLDEN=1`.

use std::path::PathBuf;

use baken_monitor::{link, report, InputConfig, Protection};
use rand::Rng;

use crate::common::*;

const ORGS: [(&str, &str); 6] = [
    ("Jeugdteam", "jeugd"),
    ("Wmo-loket", "wmo"),
    ("Werkplein", "participatie"),
    ("Stadsbank", "schuldhulp"),
    ("GGZ Noord", "ggz"),
    ("Woonstichting", "wonen"),
];

/// 400 addresses in 4 neighbourhoods; each organisation serves some of them.
fn region() -> Vec<(String, String)> {
    let mut r = rng(2024);
    let mut files = Vec::new();
    for (o, (org, domain)) in ORGS.iter().enumerate() {
        let mut rows =
            String::from("postcode;huisnummer;huisletter;buurtcode;domein;voorziening;periode\n");
        for a in 0..400u32 {
            let share = [0.35, 0.3, 0.2, 0.1, 0.08, 0.05][o];
            let cumulation = if a % 10 == 0 { 0.5 } else { 0.0 };
            if r.gen::<f64>() < share + cumulation {
                for v in 0..r.gen_range(1..=2) {
                    rows.push_str(&format!(
                        "{}{} ab;{};{};BU999901{:02};{domain};{}-{v};2025-{:02}\n",
                        1000 + a / 20,
                        "",
                        1 + a % 20,
                        if a % 7 == 0 { "a" } else { "" },
                        a % 4,
                        &domain[..3].to_uppercase(),
                        1 + (a % 12),
                    ));
                }
            }
        }
        let name = format!("org{o}.csv");
        let out = pseudonymise_text(rows.as_bytes(), &name, org).unwrap();
        files.push((name, out));
    }
    files
}

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(expected == actual, "{} differs from the output; if the change is intended, run with UPDATE_GOLDEN=1 and review the diff.\n{actual}", path.display());
}

#[test]
fn report_json_matches_the_golden_files() {
    let files = region();
    let ds = link(
        files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
        &InputConfig::default(),
        &mut rng(42),
    )
    .unwrap();
    check("report_cbs.json", &report(&ds, &Protection::Cbs).to_json());
    check(
        "report_suppress_10.json",
        &report(&ds, &Protection::Suppress { threshold: 10 }).to_json(),
    );
}

#[test]
fn the_same_seed_gives_the_same_linked_file_and_another_seed_another_order() {
    let files = region();
    let parquet = |seed| {
        let ds = link(
            files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
            &InputConfig::default(),
            &mut rng(seed),
        )
        .unwrap();
        let rows: Vec<String> = ds.rows().map(|r| format!("{r:?}")).collect();
        rows
    };
    assert_eq!(parquet(1), parquet(1));
    assert_ne!(parquet(1), parquet(2));
}

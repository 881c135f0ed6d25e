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

/// True counts of a linked dataset, computed here from its rows (as the SQL does).
fn counts_of(ds: &baken_monitor::LinkedDataset) -> serde_json::Value {
    use std::collections::BTreeMap;
    let bucket = |n: usize| -> serde_json::Value {
        if n >= 4 {
            "4+".into()
        } else {
            n.into()
        }
    };
    let (mut dc, mut oc, mut pc) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut combos: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    let mut buurten: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut households, mut records) = (0u64, 0u64);
    for r in ds.rows() {
        households += 1;
        records += u64::from(r.records);
        *dc.entry(r.domains.len().min(4)).or_insert(0u64) += 1;
        *oc.entry(r.organisations.len().min(4)).or_insert(0u64) += 1;
        *pc.entry((r.provisions as usize).min(4)).or_insert(0u64) += 1;
        *combos
            .entry(r.domains.iter().map(|d| d.to_string()).collect())
            .or_insert(0) += 1;
        let b = buurten.entry(r.buurtcode.to_owned()).or_insert((0, 0));
        b.0 += 1;
        b.1 += u64::from(r.domains.len() >= 2);
    }
    let table = |m: &BTreeMap<usize, u64>, key: &str| -> Vec<serde_json::Value> {
        m.iter()
            .map(|(k, n)| serde_json::json!({ key: bucket(*k), "households": n }))
            .collect()
    };
    serde_json::json!({
        "totals": {"households": households, "records": records},
        "tables": {
            "by_domain_count": table(&dc, "domains"),
            "by_organisation_count": table(&oc, "organisations"),
            "by_provision_count": table(&pc, "provisions"),
            "by_domain_combination": combos.iter().map(|(c, n)| serde_json::json!({"combination": c, "households": n})).collect::<Vec<_>>(),
            "by_neighbourhood": buurten.iter().map(|(b, (n, m))| serde_json::json!({"buurtcode": b, "households": n, "multi_domain": m})).collect::<Vec<_>>(),
        }
    })
}

#[test]
fn protect_gives_the_report_of_counts_computed_elsewhere() {
    let files = region();
    let ds = link(
        files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
        &InputConfig::default(),
        &mut rng(11),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.json");
    std::fs::write(&counts, counts_of(&ds).to_string()).unwrap();
    for (args, protection) in [
        (vec!["--protection", "cbs"], Protection::Cbs),
        (
            vec!["--protection", "suppress", "--threshold", "10"],
            Protection::Suppress { threshold: 10 },
        ),
    ] {
        let out = dir.path().join(format!("out-{}", args.len()));
        let mut argv = vec![
            "protect".to_owned(),
            counts.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        argv.extend(args.iter().map(|a| a.to_string()));
        cli(&argv).unwrap();
        let written = std::fs::read_to_string(out.join("report.json")).unwrap();
        assert_eq!(
            written,
            report(&ds, &protection).to_json(),
            "the same cells hidden, the same numbers"
        );
    }
}

#[test]
fn protect_refuses_counts_that_do_not_add_up_and_writes_nothing() {
    let files = region();
    let ds = link(
        files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
        &InputConfig::default(),
        &mut rng(11),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut counts = counts_of(&ds);
    counts["tables"]["by_neighbourhood"][0]["households"] = 1_000_000.into();
    let path = dir.path().join("counts.json");
    std::fs::write(&path, counts.to_string()).unwrap();
    let out = dir.path().join("out");
    let err = cli(&[
        "protect",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("counts.json: not a table of counts for `baken monitor protect`: by_neighbourhood does not add up"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
    let mut counts = counts_of(&ds);
    counts["tables"]["by_domain_combination"][0]["combination"] = serde_json::json!(["zorg"]);
    std::fs::write(&path, counts.to_string()).unwrap();
    let err = cli(&[
        "protect",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("\"zorg\" is not in the domain list"), "{err}");
    assert!(!out.exists());
}

/// SHA-256 of `bytes` in lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The benchmark's synthetic region in small (`demo-files --rows 60000 --seed 7`: 8
/// organisations, `,` and `;`, BOMs, several blocks per file for `link`), pseudonymised
/// with the fixed key and linked with a fixed seed. The pseudonymised files, the linked
/// Parquet file and the report must stay the same bit for bit: a faster `link`,
/// `pseudonymise` or `report` may change how, never what.
#[test]
fn the_synthetic_region_gives_the_same_files_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    cli(&[
        "demo-files",
        "--rows",
        "60000",
        "--seed",
        "7",
        "--out",
        raw.to_str().unwrap(),
    ])
    .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&raw)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8);
    let mut summary = String::new();
    let mut files = Vec::new();
    for name in &names {
        let input = std::fs::read(raw.join(name)).unwrap();
        let org = name.trim_end_matches(".csv");
        let p = baken_monitor::pseudonymise_with(
            input.as_slice(),
            name,
            &key(),
            &baken_monitor::Organisation::parse(org).unwrap(),
            &InputConfig::default(),
            // Small buckets, so that the file spills to disk and splits buckets.
            &baken_monitor::ShuffleOptions {
                temp_dir: None,
                buckets: 8,
                bucket_buffer: 64 << 10,
                max_rows_in_memory: 1 << 12,
            },
            &mut rng(5),
        )
        .unwrap();
        let mut bytes = Vec::new();
        p.write_csv(&mut bytes, &mut rng(6)).unwrap();
        let out = String::from_utf8(bytes).unwrap();
        summary.push_str(&format!(
            "pseudonymised {name} {}\n",
            sha256_hex(out.as_bytes())
        ));
        files.push((name.clone(), out));
    }
    let ds = link(
        files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
        &InputConfig::default(),
        &mut rng(42),
    )
    .unwrap();
    let mut parquet = Vec::new();
    ds.write_parquet(&mut parquet).unwrap();
    summary.push_str(&format!("linked.parquet {}\n", sha256_hex(&parquet)));
    summary.push_str(&format!("stats {:?}\n", ds.stats()));
    check("synthetic_files.txt", &summary);
    check(
        "synthetic_report_cbs.json",
        &report(&ds, &Protection::Cbs).to_json(),
    );
    // The report from the Parquet file equals the report from memory.
    let path = dir.path().join("linked.parquet");
    std::fs::write(&path, &parquet).unwrap();
    let from_file = baken_monitor::report_from_parquet(
        std::fs::File::open(&path).unwrap(),
        "linked.parquet",
        &InputConfig::default().domains,
        &Protection::Cbs,
    )
    .unwrap();
    check("synthetic_report_cbs.json", &from_file.to_json());
}

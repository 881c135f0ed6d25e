//! Linking messy files, the pseudonym-free Parquet file, and the report files.

use std::collections::BTreeSet;

use baken_monitor::{
    link, report, report_from_parquet, DomainList, InputConfig, LinkedDataset, MonitorError,
    Protection,
};

use crate::common::*;

/// Three organisations, three spellings and delimiters. Returns the pseudonymised
/// files (name, CSV).
fn three_organisations() -> Vec<(String, String)> {
    let a = org_csv(
        ',',
        &[
            [
                "1234AB",
                "12",
                "a",
                "",
                "BU99990101",
                "jeugd",
                "JW-AMB",
                "2025",
            ],
            [
                "2345CD",
                "1",
                "",
                "",
                "BU99990101",
                "jeugd",
                "JW-AMB",
                "2025",
            ],
            [
                "2345CD",
                "1",
                "",
                "",
                "BU99990101",
                "jeugd",
                "JW-PLG",
                "2025-02",
            ],
            ["3456EF", "7", "", "1", "BU99990101", "wmo", "HV", "2025"],
        ],
    );
    let b = format!(
        "\u{feff}{}",
        org_csv(
            ';',
            &[
                ["1234 ab", "12", "A", "", "BU99990101", "wmo", "HV", "2025"],
                ["3456 ef", "7", "", "1", "BU99990102", "wmo", "HV", "2025"],
            ]
        )
        .replace('\n', "\r\n")
    );
    let c = org_csv(
        ',',
        &[
            [
                "1234ab",
                "012",
                "a",
                "",
                "BU99990101",
                "participatie",
                "BIJST",
                "2025",
            ],
            [
                "3456EF",
                "7",
                "",
                "1",
                "BU99990102",
                "schuldhulp",
                "SHV",
                "2025",
            ],
        ],
    );
    vec![
        (
            "a.csv".into(),
            pseudonymise_text(a.as_bytes(), "a.csv", "Jeugdteam").unwrap(),
        ),
        (
            "b.csv".into(),
            pseudonymise_text(b.as_bytes(), "b.csv", "Wmo-loket").unwrap(),
        ),
        (
            "c.csv".into(),
            pseudonymise_text(c.as_bytes(), "c.csv", "Werkplein").unwrap(),
        ),
    ]
}

fn linked(files: &[(String, String)]) -> Result<LinkedDataset, MonitorError> {
    link(
        files.iter().map(|(n, c)| (n.clone(), c.as_bytes())),
        &InputConfig::default(),
        &mut rng(9),
    )
}

#[test]
fn messy_files_from_three_organisations_link_into_households() {
    let ds = linked(&three_organisations()).unwrap();
    let s = ds.stats();
    assert_eq!((s.files, s.records, s.households), (3, 8, 3));
    let rows: Vec<_> = ds.rows().collect();
    let three = rows
        .iter()
        .find(|r| r.domains.len() == 3)
        .expect("the 1234AB household");
    assert_eq!(three.domains, ["jeugd", "participatie", "wmo"]);
    assert_eq!(three.organisations, ["Jeugdteam", "Werkplein", "Wmo-loket"]);
    assert_eq!(three.provisions, 3);
    let two_provisions = rows
        .iter()
        .find(|r| r.records == 2 && r.domains == ["jeugd"])
        .unwrap();
    assert_eq!(two_provisions.provisions, 2);
    assert_eq!(two_provisions.periods, ["2025", "2025-02"]);
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, BTreeSet::from([1, 2, 3]));
}

#[test]
fn a_household_in_two_neighbourhoods_is_linked_and_counted_as_a_conflict() {
    let ds = linked(&three_organisations()).unwrap();
    assert_eq!(ds.stats().buurt_conflicts, 1);
    let h = ds
        .rows()
        .find(|r| r.domains == ["schuldhulp", "wmo"])
        .expect("3456EF is one household");
    assert_eq!(h.records, 3);
    assert_eq!(h.buurtcode, "BU99990102", "the most frequent code wins");
}

#[test]
fn link_refuses_a_file_that_still_has_addresses() {
    let raw = org_csv(
        ',',
        &[["1234AB", "1", "", "", "BU99990101", "wmo", "HV", "2025"]],
    );
    let err = link(
        [("raw.csv".to_string(), raw.as_bytes())],
        &InputConfig::default(),
        &mut rng(1),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "raw.csv: refused: this is not a pseudonymised file (it has a `postcode` column)"
        ),
        "{msg}"
    );
}

#[test]
fn link_refuses_a_pseudonym_that_is_not_64_hex_characters() {
    let mut files = three_organisations();
    files[1].1.push_str(&format!(
        "{},Wmo-loket,BU99990101,wmo,HV,2025\n",
        "ab".repeat(31)
    ));
    files[1]
        .1
        .push_str("zz-not-hex,Wmo-loket,BU99990101,wmo,HV,2025\n");
    let msg = linked(&files).unwrap_err().to_string();
    assert!(
        msg.contains("b.csv:4: pseudoniem: not a pseudonym: expected 64 hexadecimal characters"),
        "{msg}"
    );
    assert!(msg.contains("b.csv:5: pseudoniem:"), "{msg}");
}

#[test]
fn the_linked_parquet_file_holds_no_pseudonym() {
    let files = three_organisations();
    let ds = linked(&files).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("linked.parquet");
    baken_monitor::write_atomically(&path, false, |w| ds.write_parquet(w)).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let file = std::fs::File::open(&path).unwrap();
    let builder =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "buurtcode",
            "domains",
            "organisations",
            "provisions",
            "periods",
            "records"
        ]
    );
    let mut all_values = String::new();
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for column in batch.columns() {
            let formatted = format!("{column:?}");
            all_values.push_str(&formatted);
        }
    }
    for (_, csv) in &files {
        for line in csv.lines().skip(1) {
            let pseudonym = line.split(',').next().unwrap();
            let raw = hex::decode(pseudonym).unwrap();
            assert!(!all_values.contains(pseudonym));
            assert!(
                !contains(&bytes, pseudonym.as_bytes()),
                "hex pseudonym in the file"
            );
            assert!(!contains(&bytes, &raw), "raw pseudonym in the file");
            assert!(
                !contains(&bytes, &pseudonym.as_bytes()[..16]),
                "part of a pseudonym in the file"
            );
        }
    }
}

#[test]
fn the_report_from_parquet_equals_the_report_from_memory() {
    let ds = linked(&three_organisations()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("linked.parquet");
    baken_monitor::write_atomically(&path, false, |w| ds.write_parquet(w)).unwrap();
    for protection in [Protection::Cbs, Protection::Suppress { threshold: 3 }] {
        let from_file = report_from_parquet(
            std::fs::File::open(&path).unwrap(),
            "linked.parquet",
            &DomainList::default(),
            &protection,
        )
        .unwrap();
        assert_eq!(from_file, report(&ds, &protection));
    }
}

#[test]
fn report_refuses_a_parquet_file_with_a_domain_outside_the_list() {
    let ds = linked(&three_organisations()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("linked.parquet");
    baken_monitor::write_atomically(&path, false, |w| ds.write_parquet(w)).unwrap();
    let only = DomainList::parse("jeugd,wmo").unwrap();
    let err = report_from_parquet(
        std::fs::File::open(&path).unwrap(),
        "linked.parquet",
        &only,
        &Protection::Cbs,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("is not in the domain list (jeugd, wmo)"),
        "{err}"
    );
}

#[test]
fn report_refuses_a_file_that_is_not_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.parquet", b"pseudoniem,organisatie\n");
    let err = report_from_parquet(
        std::fs::File::open(&path).unwrap(),
        "x.parquet",
        &DomainList::default(),
        &Protection::Cbs,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("x.parquet: not a linked monitor file: not a Parquet file"),
        "{err}"
    );
}

#[test]
fn the_page_charts_at_most_thirty_neighbourhoods_but_lists_all() {
    use baken_monitor::{HouseholdSummary, ReportBuilder};
    let codes: Vec<String> = (0..45).map(|i| format!("BU9999{:04}", 100 + i)).collect();
    let mut b = ReportBuilder::new(DomainList::default());
    for (i, code) in codes.iter().enumerate() {
        for h in 0..(10 + i as u32) {
            b.add(&HouseholdSummary {
                buurtcode: code,
                domains: if h % 2 == 0 { 0b11 } else { 0b1 },
                organisations: 1,
                provisions: 1,
                records: 1,
            });
        }
    }
    let html = b.finish(&Protection::Cbs).to_html();
    let chart = &html[html.find("id=\"buurten-t\"").unwrap()
        ..html.find("Huishoudens per buurt</caption>").unwrap()];
    assert_eq!(chart.matches("<rect").count(), 30);
    assert!(html.contains("de tabel toont alle 45 buurten"));
    for code in &codes {
        assert!(
            html.contains(&format!("<th scope=\"row\">{code}</th>")),
            "{code} is in the table"
        );
    }
}

/// A file of several blocks (about 1 MiB each, parsed by all cores at once): problems
/// are still named by their physical line, counted through a quoted line break in an
/// extra column, and in the order of the file.
#[test]
fn problems_in_a_large_file_are_named_by_their_line_across_blocks() {
    let mut csv = String::from("pseudoniem,organisatie,buurtcode,domein,voorziening,opmerking\n");
    let mut line = 1;
    let mut bad = Vec::new();
    for i in 0..40_000u32 {
        line += 1;
        let pseudonym = if i % 9_973 == 9_972 {
            bad.push(line);
            "not-a-pseudonym".to_owned()
        } else {
            format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15)
        };
        let note = if i == 5 { "\"twee\nregels\"" } else { "" };
        csv.push_str(&format!(
            "{pseudonym},Wmo-loket,BU99990101,wmo,WMO-HV,{note}\n"
        ));
        if i == 5 {
            line += 1;
        }
    }
    assert!(csv.len() > 3 << 20, "more than three blocks of 1 MiB");
    let err = link(
        [("groot.csv".to_owned(), csv.as_bytes())],
        &InputConfig::default(),
        &mut rng(3),
    )
    .unwrap_err();
    let rows = err.row_errors().expect("row problems");
    let lines: Vec<u64> = rows.shown.iter().map(|e| e.line).collect();
    assert_eq!(lines, bad, "{err}");
    assert!(rows
        .shown
        .iter()
        .all(|e| e.column == "pseudoniem" && e.file == "groot.csv"));
    // Without the bad rows the file links: one household per good row in one neighbourhood.
    let good: String = csv
        .lines()
        .filter(|l| !l.starts_with("not-a-pseudonym"))
        .flat_map(|l| [l, "\n"])
        .collect();
    let ds = link(
        [("groot.csv".to_owned(), good.as_bytes())],
        &InputConfig::default(),
        &mut rng(3),
    )
    .unwrap();
    assert_eq!(ds.stats().records, 40_000 - bad.len() as u64);
    assert_eq!(ds.stats().households, 40_000 - bad.len() as u64);
}

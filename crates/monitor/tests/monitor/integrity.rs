//! The monitor does not trust its own intermediate files (issue 16, item 13): a
//! linked file whose bytes changed, the same file given twice, an organisation in two
//! files, and a line without end are all refused.

use std::io::Read;

use baken_monitor::{link, pseudonymise, InputConfig, MonitorError, Organisation};

use crate::common::*;

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// Two organisations' pseudonymised files in `dir`.
fn two_files(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let mut rows_a = Vec::new();
    let mut rows_b = Vec::new();
    let numbers: Vec<String> = (1..=60).map(|n| n.to_string()).collect();
    for (i, n) in numbers.iter().enumerate() {
        let buurt = ["BU03630001", "BU03630002", "BU03630003"][i % 3];
        rows_a.push([
            "1234AB",
            n.as_str(),
            "",
            "",
            buurt,
            "jeugd",
            "JGD-1",
            "2025-01",
        ]);
        if i % 2 == 0 {
            rows_b.push(["1234AB", n.as_str(), "", "", buurt, "wmo", "WMO-HV", "2025"]);
        }
    }
    let a = pseudonymise_text(org_csv(';', &rows_a).as_bytes(), "a.csv", "Jeugdteam").unwrap();
    let b = pseudonymise_text(org_csv(',', &rows_b).as_bytes(), "b.csv", "Wmo-loket").unwrap();
    (
        write(dir, "pa.csv", a.as_bytes()),
        write(dir, "pb.csv", b.as_bytes()),
    )
}

#[test]
fn report_refuses_a_linked_file_with_any_flipped_bit_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = two_files(dir.path());
    let linked = dir.path().join("linked.parquet");
    cli(&["link", s(&pa), s(&pb), "--out", s(&linked)]).unwrap();
    let sums = dir.path().join("linked.parquet.sha256");
    let text = std::fs::read_to_string(&sums).unwrap();
    assert!(
        text.ends_with("  linked.parquet\n") && text.len() == 64 + 2 + 14 + 1,
        "sha256sum format: {text}"
    );
    let good = std::fs::read(&linked).unwrap();
    let out = dir.path().join("out");
    cli(&["report", s(&linked), "--out", s(&out)]).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    // 40 flips spread over the whole file, the footer and magic bytes included.
    for k in 0..40 {
        let bit = (k * 7919 + 13) % (good.len() * 8);
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&linked, &bad).unwrap();
        let err = cli(&["report", s(&linked), "--out", s(&out)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("does not match its checksum") && err.contains("linked.parquet.sha256"),
            "flip of bit {bit}: {err}"
        );
        assert!(!out.exists(), "nothing is written after a refusal");
    }
    // A changed checksum file is refused the same way; a missing one too.
    std::fs::write(&linked, &good).unwrap();
    std::fs::write(&sums, format!("{}  linked.parquet\n", "0".repeat(64))).unwrap();
    let err = cli(&["report", s(&linked), "--out", s(&out)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match its checksum"), "{err}");
    std::fs::remove_file(&sums).unwrap();
    let err = cli(&["report", s(&linked), "--out", s(&out)])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("checksum file") && err.contains("is missing"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn link_refuses_the_same_file_twice_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = two_files(dir.path());
    let copy = dir.path().join("copy-of-pa.csv");
    std::fs::copy(&pa, &copy).unwrap();
    let linked = dir.path().join("linked.parquet");
    for (first, second) in [(&pa, &pa), (&pa, &copy)] {
        let err = cli(&[
            "link",
            s(first),
            s(pb.as_path()),
            s(second),
            "--out",
            s(&linked),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(&format!(
                "{}: refused: it has the same content as {}",
                s(second),
                s(first)
            )),
            "{err}"
        );
        assert!(!linked.exists(), "nothing is written");
    }
}

#[test]
fn link_refuses_an_organisation_in_two_files_naming_both() {
    let rows = |n: &'static str| {
        org_csv(
            ',',
            &[["1234AB", n, "", "", "BU03630001", "jeugd", "JGD-1", "2025"]],
        )
    };
    let a = pseudonymise_text(rows("1").as_bytes(), "a.csv", "Jeugdteam").unwrap();
    let b = pseudonymise_text(rows("2").as_bytes(), "b.csv", "Jeugdteam").unwrap();
    let c = pseudonymise_text(rows("3").as_bytes(), "c.csv", "Wmo-loket").unwrap();
    let err = link(
        [
            ("jeugd-januari.csv".to_owned(), a.as_bytes()),
            ("wmo.csv".to_owned(), c.as_bytes()),
            ("jeugd-februari.csv".to_owned(), b.as_bytes()),
        ],
        &InputConfig::default(),
        &mut rng(1),
    )
    .unwrap_err();
    assert!(
        matches!(&err, MonitorError::OrganisationInTwoFiles { organisation, first, second }
            if organisation == "Jeugdteam" && first == "jeugd-januari.csv" && second == "jeugd-februari.csv"),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(
            "jeugd-februari.csv: refused: the organisation \"Jeugdteam\" is also in jeugd-januari.csv"
        ),
        "{err}"
    );
}

/// A reader of `header`, then `len` bytes of `a` without a line break, counting what
/// was read.
struct EndlessLine {
    header: Vec<u8>,
    at: usize,
    len: usize,
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Read for EndlessLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let total = self.header.len() + self.len;
        let n = buf.len().min(total - self.at);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            let p = self.at + i;
            *b = if p < self.header.len() {
                self.header[p]
            } else {
                b'a'
            };
        }
        self.at += n;
        self.read.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

fn endless(header: &str) -> (EndlessLine, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    (
        EndlessLine {
            header: header.as_bytes().to_vec(),
            at: 0,
            len: 256 << 20,
            read: read.clone(),
        },
        read,
    )
}

#[test]
fn a_line_without_end_is_refused_after_a_bounded_read() {
    // pseudonymise: the record buffer stops at 1 MiB.
    let (input, read) =
        endless("postcode,huisnummer,buurtcode,domein,voorziening\n1234AB,1,BU03630001,jeugd,");
    let Err(err) = pseudonymise(
        input,
        "lang.csv",
        &key(),
        &Organisation::parse("Jeugdteam").unwrap(),
        &InputConfig::default(),
    ) else {
        panic!("an endless line must be refused")
    };
    let err = err.to_string();
    assert!(
        err.starts_with("lang.csv: cannot read: line 2: a row is longer than 1 MiB"),
        "{err}"
    );
    let read = read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(read <= 4 << 20, "read {read} bytes of a 256 MiB line");

    // link: blocks stop at 1 MiB beyond the block size.
    let (input, read) = endless(
        "pseudoniem,organisatie,buurtcode,domein,voorziening,periode\nab,Jeugdteam,BU03630001,jeugd,",
    );
    let Err(err) = link(
        [("lang.csv".to_owned(), input)],
        &InputConfig::default(),
        &mut rng(1),
    ) else {
        panic!("an endless line must be refused")
    };
    let err = err.to_string();
    assert!(
        err.starts_with("lang.csv: cannot read: a row is longer than 1 MiB"),
        "{err}"
    );
    let read = read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(read <= 8 << 20, "read {read} bytes of a 256 MiB line");
}

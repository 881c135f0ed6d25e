//! The commands end to end, the key file, and the key's absence everywhere else.

use crate::common::*;

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

fn raw_key(key_file: &std::path::Path) -> (String, Vec<u8>) {
    let text = std::fs::read_to_string(key_file).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("baken-monitor-key v1"));
    let hex_key = lines.next().unwrap().to_string();
    let raw = hex::decode(&hex_key).unwrap();
    assert_eq!(raw.len(), 32);
    (hex_key, raw)
}

#[cfg(unix)]
#[test]
fn keygen_writes_a_0600_file_and_never_overwrites_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("monitor.key");
    cli(&["keygen", "--out", s(&key)]).unwrap();
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = std::fs::read(&key).unwrap();
    let err = cli(&["keygen", "--out", s(&key)]).unwrap_err().to_string();
    assert!(
        err.contains("already exists; a key is never overwritten"),
        "{err}"
    );
    assert_eq!(std::fs::read(&key).unwrap(), before);
    let other = dir.path().join("other.key");
    cli(&["keygen", "--out", s(&other)]).unwrap();
    assert_ne!(raw_key(&key).0, raw_key(&other).0, "keys are random");
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("monitor.key");
    cli(&["keygen", "--out", s(&key)]).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let input = write(
        dir.path(),
        "in.csv",
        org_csv(
            ',',
            &[["1234AB", "1", "", "", "BU99990101", "wmo", "HV", "2025"]],
        )
        .as_bytes(),
    );
    let out = dir.path().join("out.csv");
    let err = cli(&[
        "pseudonymise",
        "--key",
        s(&key),
        "--org",
        "O",
        s(&input),
        "--out",
        s(&out),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("can be read by other users (mode 644); run `chmod 600"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn link_refuses_a_key_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("monitor.key");
    cli(&["keygen", "--out", s(&key)]).unwrap();
    let input = write(
        dir.path(),
        "p.csv",
        b"pseudoniem,organisatie,buurtcode,domein,voorziening,periode\n",
    );
    let out = dir.path().join("linked.parquet");
    for args in [
        vec!["link", "--key", s(&key), s(&input), "--out", s(&out)],
        vec!["link", s(&input), "--out", s(&out), "--key"],
        vec![
            "link",
            s(&input),
            "--out",
            s(&out),
            &format!("--key={}", s(&key)),
        ],
    ] {
        let err = cli(&args).unwrap_err().to_string();
        assert!(err.contains("`baken monitor link` does not accept a key (--key): the linking party must never hold the pseudonymisation key"), "{err}");
        assert!(!out.exists());
        let (hex_key, _) = raw_key(&key);
        assert!(!err.contains(&hex_key));
    }
}

#[test]
fn report_and_protect_refuse_a_key_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rapport");
    for (command, input) in [("report", "linked.parquet"), ("protect", "counts.json")] {
        let err = cli(&[command, input, "--out", s(&out), "--key", "monitor.key"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "`baken monitor {command}` does not accept a key (--key)"
            )),
            "{err}"
        );
        assert!(!out.exists());
    }
}

#[test]
fn report_protection_cannot_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rapport");
    for (args, expected) in [
        (
            vec!["--protection", "none"],
            "invalid value 'none' for '--protection",
        ),
        (
            vec!["--protection", "suppress"],
            "--protection suppress needs --threshold T (at least 3)",
        ),
        (
            vec!["--protection", "suppress", "--threshold", "1"],
            "the threshold must be at least 3",
        ),
        (
            vec!["--threshold", "5"],
            "--threshold only applies to --protection suppress",
        ),
    ] {
        let mut all = vec!["report", "linked.parquet", "--out", s(&out)];
        all.extend(args);
        let err = cli(&all).unwrap_err().to_string();
        assert!(err.contains(expected), "{all:?}: {err}");
        assert!(!out.exists());
    }
}

/// The whole flow through the command line; then every byte written, and every
/// error message, is searched for the key.
#[test]
fn the_key_appears_in_no_output_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("monitor.key");
    cli(&["keygen", "--out", s(&key)]).unwrap();
    let (hex_key, raw) = raw_key(&key);

    let a = write(
        dir.path(),
        "a.csv",
        org_csv(
            ',',
            &[
                ["1234AB", "12", "a", "", "BU99990101", "jeugd", "JW", "2025"],
                ["2345CD", "3", "", "", "BU99990102", "wmo", "HV", "2025"],
            ],
        )
        .as_bytes(),
    );
    let b = write(
        dir.path(),
        "b.csv",
        org_csv(
            ';',
            &[[
                "1234 ab",
                "12",
                "A",
                "",
                "BU99990101",
                "schuldhulp",
                "SHV",
                "2025-04",
            ]],
        )
        .as_bytes(),
    );
    let (pa, pb) = (dir.path().join("pa.csv"), dir.path().join("pb.csv"));
    cli(&[
        "pseudonymise",
        "--key",
        s(&key),
        "--org",
        "Jeugdteam",
        s(&a),
        "--out",
        s(&pa),
    ])
    .unwrap();
    cli(&[
        "pseudonymise",
        "--key",
        s(&key),
        "--org",
        "Stadsbank",
        s(&b),
        "--out",
        s(&pb),
    ])
    .unwrap();
    let linked = dir.path().join("linked.parquet");
    cli(&["link", s(&pa), s(&pb), "--out", s(&linked)]).unwrap();
    let out = dir.path().join("rapport");
    cli(&["report", s(&linked), "--out", s(&out)]).unwrap();
    cli(&[
        "report",
        s(&linked),
        "--out",
        s(&dir.path().join("rapport2")),
        "--protection",
        "suppress",
        "--threshold",
        "3",
    ])
    .unwrap();

    let mut errors = Vec::new();
    let bad = write(
        dir.path(),
        "bad.csv",
        b"postcode,huisnummer,buurtcode,domein,voorziening\n1,2,3,4,5\n",
    );
    errors.push(
        cli(&[
            "pseudonymise",
            "--key",
            s(&key),
            "--org",
            "O",
            s(&bad),
            "--out",
            s(&dir.path().join("x.csv")),
        ])
        .unwrap_err(),
    );
    errors.push(
        cli(&[
            "pseudonymise",
            "--key",
            s(&bad),
            "--org",
            "O",
            s(&a),
            "--out",
            s(&dir.path().join("x.csv")),
        ])
        .unwrap_err(),
    );
    let hex_only = write(keys.path(), "raw.key", hex_key.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hex_only, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    errors.push(
        cli(&[
            "pseudonymise",
            "--key",
            s(&hex_only),
            "--org",
            "O",
            s(&a),
            "--out",
            s(&dir.path().join("x.csv")),
        ])
        .unwrap_err(),
    );
    errors.push(cli(&["link", s(&a), "--out", s(&dir.path().join("y.parquet"))]).unwrap_err());

    let upper = hex_key.to_uppercase();
    let written = files_under(dir.path());
    assert!(written.len() >= 15, "{written:?}");
    for file in &written {
        let bytes = std::fs::read(file).unwrap();
        for needle in [
            hex_key.as_bytes(),
            upper.as_bytes(),
            &raw[..],
            &hex_key.as_bytes()[..16],
            &raw[..8],
        ] {
            assert!(
                !contains(&bytes, needle),
                "key material in {}",
                file.display()
            );
        }
    }
    for e in &errors {
        let text = format!("{e:#} {e:?}");
        assert!(
            !text.contains(&hex_key) && !text.to_uppercase().contains(&upper),
            "key in error: {text}"
        );
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
}

#[test]
fn report_writes_json_five_tables_and_a_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    cli(&["keygen", "--out", s(&key)]).unwrap();
    let rows: Vec<[String; 8]> = (0..60)
        .map(|i| {
            [
                format!("{}AB", 1000 + i % 40),
                format!("{}", 1 + i % 7),
                String::new(),
                String::new(),
                format!("BU999901{:02}", i % 3),
                ["jeugd", "wmo", "participatie"][i % 3].to_string(),
                "V".into(),
                "2025".into(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 8]> = rows
        .iter()
        .map(|r| std::array::from_fn(|i| r[i].as_str()))
        .collect();
    let input = write(dir.path(), "in.csv", org_csv(',', &rows).as_bytes());
    let p = dir.path().join("p.csv");
    cli(&[
        "pseudonymise",
        "--key",
        s(&key),
        "--org",
        "O",
        s(&input),
        "--out",
        s(&p),
    ])
    .unwrap();
    let linked = dir.path().join("l.parquet");
    cli(&["link", s(&p), "--out", s(&linked)]).unwrap();
    let out = dir.path().join("r");
    cli(&["report", s(&linked), "--out", s(&out)]).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "by_domain_combination.csv",
            "by_domain_count.csv",
            "by_neighbourhood.csv",
            "by_organisation_count.csv",
            "by_provision_count.csv",
            "report.html",
            "report.json",
        ]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        json["protection"],
        serde_json::json!({"method": "cbs", "round_to": 5, "suppress_below": 8})
    );
    assert_eq!(json["tables"]["by_domain_count"][3]["domains"], "4+");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for required in [
        "<!DOCTYPE html>",
        "<html lang=\"nl\">",
        "<h1>",
        "<h2",
        "<caption>",
        "<svg role=\"img\"",
        "<title id=",
        "scope=\"col\"",
        "@media print",
        "geheim",
    ] {
        assert!(html.contains(required), "missing {required}");
    }
    for forbidden in [
        "http:", "https:", "<script", "src=", "href=", "<link", "@import", "url(",
    ] {
        assert!(!html.contains(forbidden), "external reference {forbidden}");
    }
    let csv = std::fs::read_to_string(out.join("by_domain_count.csv")).unwrap();
    assert!(csv.starts_with("domains,households\n1,"), "{csv}");
}

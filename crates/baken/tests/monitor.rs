//! The stapelingsmonitor end to end through the `baken` binary, as the three roles run
//! it: the privacy officer makes a key, each organisation pseudonymises its own file,
//! the linking party links and reports without the key.

use std::path::Path;
use std::process::{Command, Output};

fn baken(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baken"))
        .args(args)
        .current_dir(dir)
        .env_remove("BAKEN_DB")
        .env_remove("BAKEN_CONFIG")
        .env("BAKEN_LOG", "warn")
        .output()
        .expect("baken runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The youth team: Excel's `;`, a BOM, CRLF, postcodes in every spelling, an extra
/// column. Household 1234AB 12 is also reported by the Wmo desk, in another
/// neighbourhood.
const JEUGD: &str =
    "\u{feff}clientnummer;postcode;huisnummer;huisletter;buurtcode;domein;voorziening;periode\r\n\
    501;1234 ab;12;;BU03630001;jeugd;JW-AMB;2025-01\r\n\
    502;1234AB;12;;BU03630001;Jeugd;JW-PLG;2025-02\r\n\
    503;5678cd;3;a;BU03630002;jeugd;JW-AMB;2025\r\n\
    504;9012 EF;7;;BU03630002;jeugd;JW-AMB;\r\n";

const WMO: &str = "postcode,huisnummer,toevoeging,buurtcode,domein,voorziening\n\
    1234ab,12,,BU03630009,wmo,WMO-HV\n\
    5678 CD,3,,BU03630002,wmo,WMO-HV\n\
    3456GH,1,2hg,BU03630003,wmo,WMO-BG\n";

#[test]
fn keygen_pseudonymise_link_and_report_through_the_binary_without_the_key_at_the_linking_party() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("jeugd.csv"), JEUGD).unwrap();
    std::fs::write(d.join("wmo.csv"), WMO).unwrap();

    // 1. The privacy officer.
    let keygen = baken(&["monitor", "keygen", "--out", "monitor.key"], d);
    assert!(keygen.status.success(), "{}", text(&keygen));
    assert!(text(&keygen).contains("never to the linking party"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("monitor.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key_file = std::fs::read_to_string(d.join("monitor.key")).unwrap();
    let key_hex = key_file.lines().nth(1).unwrap().to_owned();
    assert_eq!(key_hex.len(), 64);

    // 2. Each organisation.
    for (org, input, out) in [
        ("Jeugdteam", "jeugd.csv", "p-jeugd.csv"),
        ("Wmo-loket", "wmo.csv", "p-wmo.csv"),
    ] {
        let o = baken(
            &[
                "monitor",
                "pseudonymise",
                "--key",
                "monitor.key",
                "--org",
                org,
                input,
                "--out",
                out,
            ],
            d,
        );
        assert!(o.status.success(), "{}", text(&o));
        let written = std::fs::read(d.join(out)).unwrap();
        assert!(
            written.starts_with(b"pseudoniem,organisatie,buurtcode,domein,voorziening,periode\n")
        );
        // The pseudonym column is random hex, which may hold any digits; every
        // other field must be free of the address and the client number.
        let text = String::from_utf8(written).unwrap();
        for line in text.lines().skip(1) {
            let (pseudonym, rest) = line.split_once(',').unwrap();
            assert_eq!(pseudonym.len(), 64, "{out}: {line}");
            assert!(
                pseudonym.bytes().all(|b| b.is_ascii_hexdigit()),
                "{out}: {line}"
            );
            for gone in ["1234", "5678", "501"] {
                assert!(
                    !rest.contains(gone),
                    "{out} holds no address or client number: {line}"
                );
            }
        }
        assert!(!text.contains("clientnummer"), "{out}");
    }

    // 3. The linking party, which never holds the key.
    let refused = baken(
        &[
            "monitor",
            "link",
            "p-jeugd.csv",
            "p-wmo.csv",
            "--out",
            "linked.parquet",
            "--key",
            "monitor.key",
        ],
        d,
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("`baken monitor link` does not accept a key (--key)"),
        "{}",
        text(&refused)
    );
    assert!(!d.join("linked.parquet").exists(), "nothing written");
    std::fs::remove_file(d.join("monitor.key")).unwrap();

    let link = baken(
        &[
            "monitor",
            "link",
            "p-jeugd.csv",
            "p-wmo.csv",
            "--out",
            "linked.parquet",
        ],
        d,
    );
    assert!(link.status.success(), "{}", text(&link));
    let said = text(&link);
    assert!(
        said.contains("Linked 2 files: 7 records, 5 households"),
        "{said}"
    );
    // 1234AB 12: two rows in BU03630001 (youth team), one in BU03630009 (Wmo desk).
    assert!(
        said.contains(
            "1 households were reported in more than one neighbourhood; the most frequent code was used for them."
        ),
        "{said}"
    );
    let parquet = std::fs::read(d.join("linked.parquet")).unwrap();
    assert!(parquet.starts_with(b"PAR1"));
    assert!(!contains(&parquet, b"pseudoniem"));

    let report = baken(
        &[
            "monitor",
            "report",
            "linked.parquet",
            "--out",
            "rapport",
            "--protection",
            "suppress",
            "--threshold",
            "3",
        ],
        d,
    );
    assert!(report.status.success(), "{}", text(&report));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("rapport/report.json")).unwrap()).unwrap();
    assert_eq!(json["protection"]["method"], "suppress");
    assert_eq!(json["totals"]["households"], 5);
    assert_eq!(json["totals"]["records"], 7);
    // Five households (5678CD 3 and 5678CD 3a are two) in three neighbourhoods: the
    // conflicted household counts in BU03630001, where it was reported most. One
    // household in BU03630001 and one in BU03630003: both secret.
    let neighbourhoods = json["tables"]["by_neighbourhood"].as_array().unwrap();
    let codes: Vec<&str> = neighbourhoods
        .iter()
        .map(|n| n["buurtcode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["BU03630001", "BU03630002", "BU03630003"]);
    assert!(neighbourhoods[0]["households"].is_null());
    assert!(neighbourhoods[2]["households"].is_null());
    assert!(std::fs::read_to_string(d.join("rapport/report.html"))
        .unwrap()
        .contains("<svg"));

    // The key is in no file the commands wrote and in nothing they printed.
    let key_bytes = hex::decode(&key_hex).unwrap();
    for entry in walk(d) {
        let bytes = std::fs::read(&entry).unwrap();
        if entry.ends_with("monitor.key") {
            continue;
        }
        assert!(!contains(&bytes, key_hex.as_bytes()), "{entry:?}");
        assert!(!contains(&bytes, &key_bytes), "{entry:?}");
    }
    for o in [&keygen, &refused, &link, &report] {
        assert!(!text(o).contains(&key_hex));
    }
}

#[test]
fn the_domain_list_in_baken_toml_applies_to_the_monitor_commands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("sport.csv"),
        "postcode;huisnummer;buurtcode;domein;voorziening\n1234AB;1;BU03630001;sport;SP-1\n",
    )
    .unwrap();
    assert!(baken(&["monitor", "keygen", "--out", "k.key"], d)
        .status
        .success());
    let args = [
        "monitor",
        "pseudonymise",
        "--key",
        "k.key",
        "--org",
        "Sportbedrijf",
        "sport.csv",
        "--out",
        "p.csv",
    ];
    let refused = baken(&args, d);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("sport.csv:2: domein: \"sport\" is not a known domain"),
        "{}",
        text(&refused)
    );
    assert!(!d.join("p.csv").exists());
    std::fs::write(
        d.join("baken.toml"),
        "[monitor]\ndomains = [\"jeugd\", \"wmo\", \"sport\"]\n",
    )
    .unwrap();
    let ok = baken(&args, d);
    assert!(ok.status.success(), "{}", text(&ok));
    // --domains still wins over the file.
    std::fs::remove_file(d.join("p.csv")).unwrap();
    let mut narrowed = args.to_vec();
    narrowed.extend(["--domains", "jeugd,wmo"]);
    assert!(!baken(&narrowed, d).status.success());
    std::fs::write(
        d.join("baken.toml"),
        "[monitor]\ndomains = [\"wmo\", \"wmo\"]\n",
    )
    .unwrap();
    let bad = baken(&args, d);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("baken.toml:2: [monitor] domains"),
        "{}",
        text(&bad)
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

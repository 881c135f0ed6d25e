//! `baken kaart export|import` as a user runs them: an export that can be read
//! back identically, and an invalid file that is refused with every problem's
//! JSON path and changes nothing.

use std::process::{Command, Output, Stdio};

fn baken(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baken"))
        .args(args)
        .current_dir(dir)
        .env_remove("BAKEN_DB")
        .env_remove("BAKEN_CONFIG")
        .env("BAKEN_LOG", "warn")
        .stdin(Stdio::null())
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

#[test]
fn export_then_import_into_another_database_round_trips_and_bad_files_change_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = format!("sqlite://{}", dir.path().join("a.db").display());
    let b = format!("sqlite://{}", dir.path().join("b.db").display());
    let demo = baken(&["demo", "--db", &a, "--households", "100"], dir.path());
    assert!(demo.status.success(), "{}", text(&demo));
    let export = baken(
        &[
            "kaart", "export", "--format", "hsds", "--db", &a, "--out", "a.json",
        ],
        dir.path(),
    );
    assert!(export.status.success(), "{}", text(&export));
    let first = std::fs::read_to_string(dir.path().join("a.json")).expect("export written");
    assert!(
        first.contains("\"service_at_locations\"") && first.contains("Voorlezen op de basisschool")
    );

    // A second database of the same municipality: the demo's districts, but
    // the map replaced by the imported one.
    let demo_b = baken(&["demo", "--db", &b, "--households", "100"], dir.path());
    assert!(demo_b.status.success(), "{}", text(&demo_b));
    let import = baken(&["kaart", "import", "a.json", "--db", &b], dir.path());
    assert!(import.status.success(), "{}", text(&import));
    let services = serde_json::from_str::<serde_json::Value>(&first).expect("JSON")["services"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(services > 300, "{services} demo services");
    assert!(
        text(&import).contains(&format!("0 services new, {services} changed")),
        "{}",
        text(&import)
    );
    let again = baken(&["kaart", "export", "--db", &b], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        first,
        "export → import → export is identical"
    );

    let mut bad: serde_json::Value = serde_json::from_str(&first).expect("json");
    bad["services"][3]["status"] = serde_json::Value::from("open");
    bad["services"][7]["id"] = serde_json::Value::from("123");
    bad["services"][0]["name"] = serde_json::Value::from("Nieuwe naam die niet mag landen");
    std::fs::write(dir.path().join("bad.json"), bad.to_string()).expect("write");
    let refused = baken(&["kaart", "import", "bad.json", "--db", &b], dir.path());
    assert!(!refused.status.success());
    let out = text(&refused);
    assert!(
        out.contains("bad.json: $.services[3].status: must be one of"),
        "{out}"
    );
    assert!(
        out.contains("bad.json: $.services[7].id: '123' is not a valid uuid"),
        "{out}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
    let after = baken(&["kaart", "export", "--db", &b], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&after.stdout),
        first,
        "a refused file changes nothing"
    );

    std::fs::write(dir.path().join("broken.json"), "{\"services\": [").expect("write");
    let broken = baken(&["kaart", "import", "broken.json", "--db", &b], dir.path());
    assert!(!broken.status.success());
    assert!(
        text(&broken).contains("broken.json is not JSON: line 1"),
        "{}",
        text(&broken)
    );
}

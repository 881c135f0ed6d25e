//! HSDS 3.0 export and import on every backend: the export validates against
//! the official schemas, an invalid file imports nothing and names every
//! problem's path, and export → import → export is identical.

use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_hsds::{self as hsds, export_text, ImportError};
use baken_store::testing::{self, TestDb};
use baken_store::{areas, demo, kaart, Db};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/hsds_small.json");

fn entry() -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some("test".into()),
            role: None,
            client_addr: "test".into(),
        },
        route: "test".into(),
        action: AuditAction::Create,
        outcome: AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    }
}

async fn demo_dbs() -> Vec<TestDb> {
    let mut out = Vec::new();
    for t in testing::all().await {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(10, 7),
            "x",
            |_| {},
        )
        .await
        .expect("demo");
        out.push(t);
    }
    out
}

/// A database of the same municipality (its district register) without a map.
async fn with_districts(db: &Db) {
    let m = baken_synth::municipality();
    let mut tx = db.begin().await.unwrap();
    for d in &m.districts {
        areas::create_district(&mut tx, d.code.as_str(), m.code.as_str(), &d.name)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn service_count(db: &Db) -> usize {
    let mut tx = db.read().await.unwrap();
    kaart::services(&mut tx, None).await.unwrap().len()
}

#[tokio::test]
async fn the_demo_export_validates_against_the_official_hsds_schemas() {
    for t in demo_dbs().await {
        let doc = hsds::export(&t.db).await.unwrap();
        assert_eq!(hsds::validate(&doc), vec![], "{:?}", t.backend());
        let services = doc["services"].as_array().unwrap();
        assert!(services.len() >= 280);
        let meal = services
            .iter()
            .find(|s| s["name"] == "Buurtmaaltijd Vlietland")
            .unwrap();
        assert_eq!(meal["cost_options"][0]["amount"], 4.5);
        assert_eq!(meal["service_areas"][0]["extent"], "WK999902");
        assert!(doc["service_at_locations"].as_array().unwrap().len() >= services.len());
    }
}

#[tokio::test]
async fn export_import_export_is_identical() {
    for t in demo_dbs().await {
        let first = export_text(&t.db).await.unwrap();
        let other = testing::sqlite().await;
        with_districts(&other.db).await;
        let doc: Value = serde_json::from_str(&first).unwrap();
        let summary = hsds::import(&other.db, &doc, entry()).await.unwrap();
        assert_eq!(summary.services_created, service_count(&t.db).await);
        assert_eq!(
            export_text(&other.db).await.unwrap(),
            first,
            "{:?} → sqlite",
            t.backend()
        );
        // Importing again changes existing services instead of duplicating them.
        let again = hsds::import(&t.db, &doc, entry()).await.unwrap();
        assert_eq!(
            (again.services_created, again.services_updated),
            (0, summary.services_created)
        );
        assert_eq!(export_text(&t.db).await.unwrap(), first);
    }
}

#[tokio::test]
async fn the_golden_file_round_trips_byte_for_byte() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let doc: Value = serde_json::from_str(GOLDEN).unwrap();
        hsds::import(&t.db, &doc, entry()).await.unwrap();
        let out = export_text(&t.db).await.unwrap();
        if std::env::var("BAKEN_UPDATE_GOLDEN").as_deref() == Ok("1") {
            std::fs::write(
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/hsds_small.json"),
                &out,
            )
            .unwrap();
        }
        let first_difference = out
            .lines()
            .zip(GOLDEN.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        assert!(out == GOLDEN, "{:?}: export differs from tests/golden/hsds_small.json at {first_difference:?} (BAKEN_UPDATE_GOLDEN=1 rewrites it)", t.backend());
    }
}

#[tokio::test]
async fn an_invalid_file_imports_nothing_and_names_every_problem() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let mut doc: Value = serde_json::from_str(GOLDEN).unwrap();
        doc["services"][0]["id"] = Value::from("niet-een-uuid");
        doc["services"][1]["status"] = Value::from("open");
        doc["organizations"][0]
            .as_object_mut()
            .unwrap()
            .remove("name");
        doc["service_at_locations"][2]["location_id"] =
            Value::from("00000000-0000-4000-8000-000000000000");
        let before = t.db.read().await.unwrap();
        drop(before);
        let Err(ImportError::Invalid(problems)) = hsds::import(&t.db, &doc, entry()).await else {
            panic!("an invalid file must be refused");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "$.services[0].id",
            "$.services[1].status",
            "$.organizations[0]",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        assert_eq!(service_count(&t.db).await, 0, "nothing is imported");

        // Valid against the schemas but not in Baken's terms: still refused, with paths.
        let mut doc: Value = serde_json::from_str(GOLDEN).unwrap();
        doc["service_at_locations"][2]["location_id"] =
            Value::from("00000000-0000-4000-8000-000000000000");
        // Only some of Baken's facts: the missing ones are named.
        let attrs = doc["services"][0]["attributes"].as_array().unwrap().clone();
        doc["services"][0]["attributes"] = Value::Array(attrs[..1].to_vec());
        let Err(ImportError::Invalid(problems)) = hsds::import(&t.db, &doc, entry()).await else {
            panic!("a file with dangling references must be refused");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(
            paths.contains(&"$.service_at_locations[2].location_id"),
            "{paths:?}"
        );
        assert!(paths.contains(&"$.services[0].attributes"), "{paths:?}");
        assert_eq!(service_count(&t.db).await, 0, "nothing is imported");
    }
}

const EXAMPLES: &[&str] = &[
    "organization_full",
    "organization_list",
    "service_full",
    "service_list",
    "service_at_location_full",
    "service_at_location_list",
    "tabular",
];

fn example_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("hsds-3.0/examples/{name}.json"))
}

/// Every object with an id, anywhere in a document: (id, its scalar fields).
fn objects_by_id(v: &Value, out: &mut Vec<(String, serde_json::Map<String, Value>)>) {
    match v {
        Value::Object(obj) => {
            if let Some(id) = obj.get("id").and_then(Value::as_str) {
                let scalars = obj
                    .iter()
                    .filter(|(_, x)| !x.is_object() && !x.is_array())
                    .map(|(k, x)| (k.clone(), x.clone()))
                    .collect();
                out.push((id.to_owned(), scalars));
            }
            obj.values().for_each(|x| objects_by_id(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| objects_by_id(x, out)),
        _ => {}
    }
}

/// A tabular cell is text: compare what the file wrote as text.
fn same(a: &Value, b: &Value) -> bool {
    a == b
        || (a.is_number() && b.as_str() == Some(&a.to_string()))
        || (b.is_number() && a.as_str() == Some(&b.to_string()))
}

#[tokio::test]
async fn a_nul_in_a_file_is_refused_with_its_path_on_both_backends() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let mut doc: Value = serde_json::from_str(GOLDEN).unwrap();
        doc["services"][0]["name"] = Value::from("Schuld\u{0}hulp");
        let Err(ImportError::Invalid(problems)) = hsds::import(&t.db, &doc, entry()).await else {
            panic!(
                "{:?}: a NUL must be refused, not stored or a database error",
                t.backend()
            );
        };
        let nul = problems
            .iter()
            .find(|p| p.path == "$.services[0].name")
            .unwrap_or_else(|| panic!("{problems:?}"));
        assert!(nul.message.contains("U+0000"), "{}", nul.message);
        assert_eq!(service_count(&t.db).await, 0, "nothing is imported");
    }
}

#[tokio::test]
async fn every_official_example_imports_and_round_trips_field_by_field() {
    for name in EXAMPLES {
        for t in testing::all().await {
            let db = t.db.clone();
            let bundle =
                hsds::input::read_path(&example_path(name), hsds::input::DEFAULT_MAX_BYTES)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            let summary = hsds::import_bundle(&db, &bundle, entry())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(summary.organizations >= 1, "{name}: {summary:?}");
            let exported = hsds::export(&db).await.unwrap();
            assert_eq!(
                hsds::validate(&exported),
                vec![],
                "{name}: the export validates"
            );
            let original: Value =
                serde_json::from_str(&std::fs::read_to_string(example_path(name)).unwrap())
                    .unwrap();
            let mut want = Vec::new();
            objects_by_id(&original, &mut want);
            let mut have = Vec::new();
            objects_by_id(&exported, &mut have);
            let unlinked: Vec<String> = bundle
                .unlinked_rows
                .iter()
                .map(|(_, i)| i.value["id"].as_str().unwrap_or("").to_owned())
                .collect();
            let mut checked = 0;
            for (id, fields) in &want {
                if unlinked.contains(id) {
                    continue;
                }
                for (field, value) in fields {
                    let found = have
                        .iter()
                        .any(|(hid, h)| hid == id && h.get(field).is_some_and(|v| same(v, value)));
                    assert!(found, "{name} ({:?}): field {field} = {value} of object {id} is not in the export", t.backend());
                    checked += 1;
                }
            }
            assert!(checked >= 12, "{name}: only {checked} fields checked");
            // Rows that name nothing in their file are kept as given.
            let mut tx = db.read().await.unwrap();
            for (table, item) in &bundle.unlinked_rows {
                let kept = kaart::kept_objects(&mut tx, table).await.unwrap();
                assert!(
                    kept.iter().any(|(id, body)| item.value["id"] == id.as_str()
                        && serde_json::from_str::<Value>(body).unwrap() == item.value),
                    "{name}: {table} row kept"
                );
            }
            drop(tx);
        }
    }
}

#[tokio::test]
async fn an_official_service_waits_unclassified_with_suggestions_and_its_reasons() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let bundle = hsds::input::read_path(
            &example_path("service_full"),
            hsds::input::DEFAULT_MAX_BYTES,
        )
        .unwrap();
        let summary = hsds::import_bundle(&t.db, &bundle, entry()).await.unwrap();
        assert_eq!(summary.services_to_classify, 1);
        let mut tx = t.db.read().await.unwrap();
        let s = kaart::services(&mut tx, None).await.unwrap().remove(0);
        drop(tx);
        assert!(!s.classified, "nog in te delen");
        assert_eq!(
            s.service.step.value(),
            4,
            "counselling by trained professionals"
        );
        assert!(
            s.classification_note.contains("Geestelijke gezondheid"),
            "{}",
            s.classification_note
        );
        assert!(
            s.classification_note.contains("Werkgebied"),
            "the area that is no district is named: {}",
            s.classification_note
        );
        // Not classified: Baken's facts are not exported as facts.
        let out = hsds::export(&t.db).await.unwrap();
        let attrs = out["services"][0]["attributes"].as_array().unwrap();
        assert!(attrs
            .iter()
            .all(|a| a["taxonomy_term_id"] != hsds::derived_uuid("baken:term:trede:4").as_str()));
    }
}

#[tokio::test]
async fn unsafe_or_invalid_input_is_refused_with_its_path_and_changes_nothing() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let mut doc: Value =
            serde_json::from_str(include_str!("../hsds-3.0/examples/service_full.json")).unwrap();
        doc["organization"]["website"] = Value::from("javascript:alert(1)");
        doc["url"] = Value::from("javascript:alert(1)");
        doc["phones"][0]["id"] = Value::from("geen-uuid");
        let Err(ImportError::Invalid(problems)) = hsds::import(&t.db, &doc, entry()).await else {
            panic!("refused");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in ["$.organization.website", "$.url", "$.phones[0].id"] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        assert_eq!(service_count(&t.db).await, 0, "nothing is imported");
        let mut tx = t.db.read().await.unwrap();
        assert!(kaart::organizations(&mut tx).await.unwrap().is_empty());
        assert!(kaart::kept_objects(&mut tx, "taxonomy_term")
            .await
            .unwrap()
            .is_empty());
    }
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let path = example_path("service_full");
    let err = hsds::input::read_path(&path, 100).unwrap_err();
    assert!(
        matches!(err, hsds::input::ReadError::TooLarge { limit: 100, .. }),
        "{err}"
    );
    // A file that has no size of its own (a device) is cut off at the limit.
    let err = hsds::input::read_path(std::path::Path::new("/dev/zero"), 1000).unwrap_err();
    assert!(!err.to_string().is_empty());
}

/// The official tabular example (`tabular.json`) as the CSV files a
/// publisher writes: (file name, contents).
fn official_csv_files() -> Vec<(String, Vec<u8>)> {
    let tabular: Value =
        serde_json::from_str(include_str!("../hsds-3.0/examples/tabular.json")).unwrap();
    let mut files = Vec::new();
    for (table, rows) in tabular.as_object().unwrap() {
        let rows = rows.as_array().unwrap();
        let headers: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(headers.iter().map(|h| h.as_str())).unwrap();
        for r in rows {
            w.write_record(headers.iter().map(|h| match &r[h.as_str()] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            }))
            .unwrap();
        }
        files.push((table.clone(), w.into_inner().unwrap()));
    }
    files
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hsds-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a zip archive (deflated) of the given entries.
fn write_zip(path: &std::path::Path, entries: &[(String, Vec<u8>)]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_folder_of_csv_files_is_the_tabular_form() {
    let dir = temp_dir("csv");
    for (name, bytes) in official_csv_files() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let from_csv = hsds::input::read_path(&dir, hsds::input::DEFAULT_MAX_BYTES).unwrap();
    let from_json =
        hsds::input::read_path(&example_path("tabular"), hsds::input::DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(from_csv.services.len(), 1);
    assert_eq!(from_csv.services[0].value, from_json.services[0].value);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_zip_of_the_official_csv_files_imports_on_every_backend() {
    let dir = temp_dir("zip");
    // Publishers often zip a folder: the files sit one folder down, with a
    // README beside them that is not a table.
    let mut entries: Vec<(String, Vec<u8>)> = official_csv_files()
        .into_iter()
        .map(|(n, b)| (format!("hsds-export/{n}"), b))
        .collect();
    entries.push((
        "hsds-export/README.txt".into(),
        b"Open Referral example".to_vec(),
    ));
    let archive = dir.join("kaart.zip");
    write_zip(&archive, &entries);
    let from_zip = hsds::input::read_path(&archive, hsds::input::DEFAULT_MAX_BYTES).unwrap();
    let from_json =
        hsds::input::read_path(&example_path("tabular"), hsds::input::DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(from_zip.services.len(), 1);
    assert_eq!(from_zip.services[0].value, from_json.services[0].value);
    assert_eq!(from_zip.organizations.len(), from_json.organizations.len());
    assert_eq!(from_zip.locations.len(), from_json.locations.len());
    // Told by its content, not its name.
    let renamed = dir.join("kaart.bin");
    std::fs::copy(&archive, &renamed).unwrap();
    assert!(hsds::input::read_path(&renamed, hsds::input::DEFAULT_MAX_BYTES).is_ok());
    for t in testing::all().await {
        with_districts(&t.db).await;
        let summary = hsds::import_bundle(&t.db, &from_zip, entry())
            .await
            .unwrap();
        assert_eq!(summary.services_created, 1, "{}", t.url);
        assert_eq!(summary.services_to_classify, 1, "waits in the beheer queue");
        let mut tx = t.db.read().await.unwrap();
        let services = kaart::services(&mut tx, None).await.unwrap();
        assert_eq!(services.len(), 1);
        assert_eq!(
            services[0].service.name,
            from_json.services[0].value["name"].as_str().unwrap()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The official files with one file's contents replaced (or the file left
/// out, with `None`).
fn official_with(name: &str, contents: Option<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    official_csv_files()
        .into_iter()
        .filter_map(|(n, b)| {
            if n == name {
                contents.clone().map(|c| (n, c))
            } else {
                Some((n, b))
            }
        })
        .collect()
}

#[tokio::test]
async fn a_bad_zip_archive_is_refused_naming_the_file_line_and_field_and_imports_nothing() {
    let dir = temp_dir("badzip");
    let max = hsds::input::DEFAULT_MAX_BYTES;
    let read = |name: &str, entries: &[(String, Vec<u8>)]| {
        let path = dir.join(name);
        write_zip(&path, entries);
        hsds::input::read_path(&path, max).unwrap_err().to_string()
    };

    // Not a zip at all, though named one.
    let fake = dir.join("fake.zip");
    std::fs::write(&fake, b"organizations.csv,services.csv\n").unwrap();
    let err = hsds::input::read_path(&fake, max).unwrap_err().to_string();
    assert!(
        err.contains("fake.zip") && err.contains("not a zip archive"),
        "{err}"
    );
    // A zip's signature with nothing sound behind it.
    let broken = dir.join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 and then nothing a zip holds").unwrap();
    let err = hsds::input::read_path(&broken, max)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a readable zip archive"), "{err}");

    // A required file missing.
    let err = read("missing.zip", &official_with("services.csv", None));
    assert!(
        err.contains("has no services.csv") && err.contains("nothing was imported"),
        "{err}"
    );

    // A bad row in one file: a website that is not http(s), on the row's
    // line (2: the line after the header), with its field.
    let services = String::from_utf8(
        official_csv_files()
            .into_iter()
            .find(|(n, _)| n == "services.csv")
            .unwrap()
            .1,
    )
    .unwrap();
    let bad = services.replace("http://example.com", "javascript:alert(1)");
    assert_ne!(bad, services, "the example has a website to spoil");
    let path = dir.join("badrow.zip");
    write_zip(
        &path,
        &official_with("services.csv", Some(bad.into_bytes())),
    );
    match hsds::input::read_path(&path, max).unwrap_err() {
        hsds::input::ReadError::Invalid { problems, .. } => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.path == "services.csv, line 2, field url"),
                "{problems:?}"
            );
        }
        other => panic!("{other}"),
    }
    // A row the schema refuses: a status HSDS does not know.
    let bad_status = services.replacen(",active,", ",sometimes,", 1);
    assert_ne!(bad_status, services);
    let path = dir.join("badstatus.zip");
    write_zip(
        &path,
        &official_with("services.csv", Some(bad_status.into_bytes())),
    );
    let err = match hsds::input::read_path(&path, max).unwrap_err() {
        hsds::input::ReadError::Invalid { problems, .. } => format!("{problems:?}"),
        other => panic!("{other}"),
    };
    assert!(err.contains("services.csv, line 2, field status"), "{err}");
    // Broken CSV inside the archive names the archive, the entry and the line.
    let err = read(
        "badcsv.zip",
        &official_with("locations.csv", Some(b"id,name\n1,a,extra\n".to_vec())),
    );
    assert!(
        err.contains("badcsv.zip: locations.csv") && err.contains("line 2"),
        "{err}"
    );

    // A zip bomb: 20 MB of one repeated row packs into a few kilobytes; the
    // unpacked limit stops it, whatever the archive says.
    let mut bomb = b"id,name,status\n".to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 20 * 1024 * 1024));
    let path = dir.join("bomb.zip");
    write_zip(&path, &official_with("services.csv", Some(bomb)));
    assert!(std::fs::metadata(&path).unwrap().len() < 200_000);
    let err = hsds::input::read_path(&path, 1024 * 1024).unwrap_err();
    assert!(
        matches!(&err, hsds::input::ReadError::TooLarge { path, limit: 1_048_576 } if path.ends_with("bomb.zip: services.csv")),
        "{err}"
    );
    // Too many entries.
    let many: Vec<(String, Vec<u8>)> = (0..=hsds::input::MAX_ZIP_ENTRIES)
        .map(|i| (format!("extra{i}.txt"), Vec::new()))
        .collect();
    let err = read("many.zip", &many);
    assert!(err.contains("entries"), "{err}");

    // Names that climb out of the archive or are absolute.
    for name in [
        "../services.csv",
        "/etc/services.csv",
        "a/../../services.csv",
        "C:\\services.csv",
    ] {
        let mut entries = official_with("services.csv", None);
        entries.push((name.to_owned(), services.clone().into_bytes()));
        let err = read("traversal.zip", &entries);
        assert!(err.contains("unsafe name"), "{name}: {err}");
    }

    // Nothing of any of these reached a database: the reading failed
    // before one was opened, so an import never starts.
    for t in testing::all().await {
        let mut tx = t.db.read().await.unwrap();
        assert!(kaart::services(&mut tx, None).await.unwrap().is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_changed_organisation_name_renames_the_provider_audited_and_still_round_trips() {
    for t in testing::all().await {
        with_districts(&t.db).await;
        let doc: Value = serde_json::from_str(GOLDEN).unwrap();
        hsds::import(&t.db, &doc, entry()).await.unwrap();
        let providers = |db: &Db| {
            let db = db.clone();
            async move {
                let mut tx = db.read().await.unwrap();
                areas::providers(&mut tx).await.unwrap()
            }
        };
        let before = providers(&t.db).await.len();

        let mut renamed = doc.clone();
        let id = renamed["organizations"][0]["id"].clone();
        renamed["organizations"][0]["name"] = Value::from("Buurtwerk De Brug en Partners");
        hsds::import(&t.db, &renamed, entry()).await.unwrap();
        let after = providers(&t.db).await;
        assert_eq!(after.len(), before, "renamed, not a second provider");
        assert!(after
            .iter()
            .any(|p| p.name == "Buurtwerk De Brug en Partners"));
        assert!(!after.iter().any(|p| p.name == "Buurtwerk De Brug"));
        let out: Value = serde_json::from_str(&export_text(&t.db).await.unwrap()).unwrap();
        let org = out["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap();
        assert_eq!(org["name"], "Buurtwerk De Brug en Partners");
        let mut tx = t.db.read().await.unwrap();
        let log = baken_store::audit::search(&mut tx, &Default::default(), 1, 3)
            .await
            .unwrap()
            .items;
        drop(tx);
        assert!(
            log.iter().any(|e| e.action == "update"
                && e.object_type.as_deref() == Some("provider")
                && e.detail
                    .contains("'Buurtwerk De Brug' → 'Buurtwerk De Brug en Partners'")),
            "{log:?}"
        );

        // The round trip stays identical with the new name.
        let first = export_text(&t.db).await.unwrap();
        let other = testing::sqlite().await;
        with_districts(&other.db).await;
        hsds::import(&other.db, &serde_json::from_str(&first).unwrap(), entry())
            .await
            .unwrap();
        assert_eq!(export_text(&other.db).await.unwrap(), first);

        // A name another organisation has is refused with its path; nothing changes.
        let mut clash = renamed.clone();
        clash["organizations"][0]["name"] = renamed["organizations"][1]["name"].clone();
        clash["services"][0]["name"] = Value::from("Dit mag er niet in komen");
        let Err(ImportError::Invalid(problems)) = hsds::import(&t.db, &clash, entry()).await else {
            panic!("a clashing name must be refused");
        };
        assert_eq!(problems[0].path, "$.organizations[0].name", "{problems:?}");
        assert_eq!(
            export_text(&t.db).await.unwrap(),
            first,
            "nothing was imported"
        );
    }
}

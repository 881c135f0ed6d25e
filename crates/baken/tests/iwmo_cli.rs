//! `baken iwmo …` as a municipality runs it: a provider's verzoek (WMO315)
//! becomes a task that is granted (a toewijzing, answered at once by a WMO301
//! that xmllint accepts, and in the export) or refused (a WMO319 that xmllint accepts); the provider's
//! start (WMO305) and stop (WMO307) land on the toewijzing; an invalid message
//! is refused with its line and path and changes nothing.

use baken_store::sqlx;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn baken(args: &[&str], dir: &Path) -> Output {
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

const XSD_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../iwmo/xsd");

/// xmllint, the validator the issue names, run by the test itself.
fn xmllint_accepts(kind: &str, file: &Path) -> bool {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(format!("{XSD_DIR}/{kind}.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils)");
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.success()
}

fn header(prefix: &str, code: &str, id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<{prefix}:Bericht xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" xmlns:{prefix}="http://www.istandaarden.nl/iwmo/3_2/{prefix}/schema">
  <{prefix}:Header>
    <{prefix}:BerichtCode>{code}</{prefix}:BerichtCode>
    <{prefix}:BerichtVersie>3</{prefix}:BerichtVersie>
    <{prefix}:BerichtSubversie>2</{prefix}:BerichtSubversie>
    <{prefix}:Afzender>42420001</{prefix}:Afzender>
    <{prefix}:Ontvanger>9999</{prefix}:Ontvanger>
    <{prefix}:BerichtIdentificatie>
      <iwmo:Identificatie>{id}</iwmo:Identificatie>
      <iwmo:Dagtekening>2026-12-01</iwmo:Dagtekening>
    </{prefix}:BerichtIdentificatie>
    <{prefix}:XsdVersie>
      <iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>
      <iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>
    </{prefix}:XsdVersie>
  </{prefix}:Header>
"#
    )
}

fn client(prefix: &str, bsn: &str) -> String {
    format!(
        r#"    <{prefix}:Bsn>{bsn}</{prefix}:Bsn>
    <{prefix}:Geboortedatum><iwmo:Datum>1950-01-01</iwmo:Datum></{prefix}:Geboortedatum>
    <{prefix}:Geslacht>0</{prefix}:Geslacht>
    <{prefix}:Naam><iwmo:Geslachtsnaam><iwmo:Achternaam>Proef</iwmo:Achternaam></iwmo:Geslachtsnaam></{prefix}:Naam>
"#
    )
}

fn wmo315(bsn: &str) -> String {
    wmo315_with(bsn, "V1", &[("REF-A", "02A01"), ("REF-B", "ZZZZZ")])
}

/// A WMO315 with message id `id` asking for `products` (reference, code in
/// category 02).
fn wmo315_with(bsn: &str, id: &str, products: &[(&str, &str)]) -> String {
    let product = |reference: &str, code: &str| {
        format!(
            r#"      <wmo315:AangevraagdProduct>
        <wmo315:ReferentieAanbieder>{reference}</wmo315:ReferentieAanbieder>
        <wmo315:Product><iwmo:Categorie>02</iwmo:Categorie><iwmo:Code>{code}</iwmo:Code></wmo315:Product>
        <wmo315:ToewijzingIngangsdatum>2027-01-04</wmo315:ToewijzingIngangsdatum>
        <wmo315:ToewijzingEinddatum>2027-12-31</wmo315:ToewijzingEinddatum>
        <wmo315:Omvang><iwmo:Volume>3</iwmo:Volume><iwmo:Eenheid>04</iwmo:Eenheid><iwmo:Frequentie>2</iwmo:Frequentie></wmo315:Omvang>
        <wmo315:Verwijzer><iwmo:Type>04</iwmo:Type><iwmo:Naam>Huisarts Proefstad</iwmo:Naam></wmo315:Verwijzer>
      </wmo315:AangevraagdProduct>
"#
        )
    };
    let products: String = products.iter().map(|(r, c)| product(r, c)).collect();
    format!(
        "{}  <wmo315:Client>\n{}    <wmo315:AangevraagdeProducten>\n{products}    </wmo315:AangevraagdeProducten>\n  </wmo315:Client>\n</wmo315:Bericht>\n",
        header("wmo315", "444", id),
        client("wmo315", bsn),
    )
}

fn wmo305(bsn: &str, id: &str, number: i64, begin: &str) -> String {
    format!(
        r#"{}  <wmo305:Client>
{}    <wmo305:StartProducten>
      <wmo305:StartProduct>
        <wmo305:ToewijzingNummer>{number}</wmo305:ToewijzingNummer>
        <wmo305:Product><iwmo:Categorie>02</iwmo:Categorie><iwmo:Code>02A01</iwmo:Code></wmo305:Product>
        <wmo305:ToewijzingIngangsdatum>2027-01-04</wmo305:ToewijzingIngangsdatum>
        <wmo305:Begindatum>{begin}</wmo305:Begindatum>
        <wmo305:StatusAanlevering>1</wmo305:StatusAanlevering>
      </wmo305:StartProduct>
    </wmo305:StartProducten>
  </wmo305:Client>
</wmo305:Bericht>
"#,
        header("wmo305", "418", id),
        client("wmo305", bsn)
    )
}

fn wmo307(bsn: &str, number: i64) -> String {
    format!(
        r#"{}  <wmo307:Client>
{}    <wmo307:StopProducten>
      <wmo307:StopProduct>
        <wmo307:ToewijzingNummer>{number}</wmo307:ToewijzingNummer>
        <wmo307:Product><iwmo:Categorie>02</iwmo:Categorie><iwmo:Code>02A01</iwmo:Code></wmo307:Product>
        <wmo307:ToewijzingIngangsdatum>2027-01-04</wmo307:ToewijzingIngangsdatum>
        <wmo307:Begindatum>2027-01-06</wmo307:Begindatum>
        <wmo307:RedenBeeindiging>19</wmo307:RedenBeeindiging>
        <wmo307:Einddatum>2027-06-30</wmo307:Einddatum>
        <wmo307:StatusAanlevering>1</wmo307:StatusAanlevering>
      </wmo307:StopProduct>
    </wmo307:StopProducten>
  </wmo307:Client>
</wmo307:Bericht>
"#,
        header("wmo307", "420", "S1"),
        client("wmo307", bsn)
    )
}

async fn query<T>(url: &str, sql: &'static str) -> T
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let pool = sqlx::SqlitePool::connect(url).await.expect("open");
    let row = sqlx::query_as(sql).fetch_one(&pool).await.expect("query");
    pool.close().await;
    row
}

#[tokio::test]
async fn a_verzoek_becomes_a_toewijzing_that_is_exported_started_and_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    let db = format!("sqlite://{}", path.join("b.db").display());
    let demo = baken(&["demo", "--db", &db, "--households", "20"], path);
    assert!(demo.status.success(), "{}", text(&demo));
    let (bsn,): (String,) = query(&db, "SELECT bsn FROM residents ORDER BY id LIMIT 1").await;

    std::fs::write(path.join("v.xml"), wmo315(&bsn)).unwrap();
    assert!(xmllint_accepts("WMO315", &path.join("v.xml")));
    let import = baken(&["iwmo", "import", "v.xml", "--db", &db], path);
    assert!(import.status.success(), "{}", text(&import));
    assert!(text(&import).contains("WMO315 from Begeleiding Dichtbij: 2 verzoek(en) as tasks"));
    let (open, deadline): (i64, String) = query(
        &db,
        "SELECT COUNT(*), MIN(deadline) FROM ct_requests WHERE status = 'open' AND team_id IS NOT NULL",
    )
    .await;
    assert_eq!(open, 2);
    assert!(!deadline.is_empty());
    // The same message twice is refused.
    let again = baken(&["iwmo", "import", "v.xml", "--db", &db], path);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("was already read"),
        "{}",
        text(&again)
    );

    let (granted, refused): (i64, i64) =
        query(&db, "SELECT MIN(id), MAX(id) FROM ct_requests").await;
    let grant = baken(
        &[
            "iwmo",
            "answer",
            &granted.to_string(),
            "--grant",
            "--out",
            "antwoord",
            "--db",
            &db,
        ],
        path,
    );
    assert!(grant.status.success(), "{}", text(&grant));
    // A granted verzoek is answered by the toewijzing itself: a WMO301 with
    // the provider's reference, valid against the XSD (WMO319 can only refuse).
    let answer = path.join(format!("antwoord/WMO301_request_{granted}.xml"));
    assert!(
        text(&grant).contains("WMO301 written to"),
        "{}",
        text(&grant)
    );
    assert!(xmllint_accepts("WMO301", &answer));
    let answered = std::fs::read_to_string(&answer).unwrap();
    assert!(
        answered.contains("<wmo301:ReferentieAanbieder>REF-A</wmo301:ReferentieAanbieder>"),
        "{answered}"
    );
    assert!(answered.contains(&format!("<wmo301:Bsn>{bsn}</wmo301:Bsn>")));
    assert_eq!(answered.matches("<wmo301:ToegewezenProduct>").count(), 1);
    let (sent,): (String,) = query(
        &db,
        "SELECT answer_message_id FROM ct_requests WHERE status = 'toegewezen'",
    )
    .await;
    assert!(
        answered.contains(&format!("<iwmo:Identificatie>{sent}</iwmo:Identificatie>")),
        "the message id recorded with the answer: {answered}"
    );
    let refuse = baken(
        &[
            "iwmo",
            "answer",
            &refused.to_string(),
            "--refuse",
            "3",
            "--note",
            "Product niet ingekocht",
            "--out",
            "uit",
            "--db",
            &db,
        ],
        path,
    );
    assert!(refuse.status.success(), "{}", text(&refuse));
    let wmo319 = path.join(format!("uit/WMO319_request_{refused}.xml"));
    assert!(xmllint_accepts("WMO319", &wmo319));

    let export = baken(&["iwmo", "export", "--out", "uit", "--db", &db], path);
    assert!(export.status.success(), "{}", text(&export));
    let files: Vec<_> = std::fs::read_dir(path.join("uit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("WMO301_42420001_")
        })
        .collect();
    assert_eq!(files.len(), 1, "{}", text(&export));
    assert!(xmllint_accepts("WMO301", &files[0]));
    let written = std::fs::read_to_string(&files[0]).unwrap();
    assert!(written.contains("<wmo301:ReferentieAanbieder>REF-A</wmo301:ReferentieAanbieder>"));
    assert!(written.contains(&format!("<wmo301:Bsn>{bsn}</wmo301:Bsn>")));
    let (number,): (i64,) = query(&db, "SELECT number FROM ct_toewijzingen").await;

    // An invalid start is refused with line and path, and changes nothing.
    std::fs::write(
        path.join("bad.xml"),
        wmo305(&bsn, "B1", number, "6 januari"),
    )
    .unwrap();
    let bad = baken(&["iwmo", "import", "bad.xml", "--db", &db], path);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("line 28, /Bericht/Client/StartProducten/StartProduct/Begindatum"),
        "{}",
        text(&bad)
    );
    let (started,): (Option<String>,) = query(&db, "SELECT started_on FROM ct_toewijzingen").await;
    assert_eq!(started, None);

    std::fs::write(path.join("s.xml"), wmo305(&bsn, "B2", number, "2027-01-06")).unwrap();
    std::fs::write(path.join("e.xml"), wmo307(&bsn, number)).unwrap();
    let ok = baken(&["iwmo", "import", "s.xml", "e.xml", "--db", &db], path);
    assert!(ok.status.success(), "{}", text(&ok));
    let (started, stopped, reason): (String, String, String) = query(
        &db,
        "SELECT started_on, stopped_on, stop_reason FROM ct_toewijzingen",
    )
    .await;
    assert_eq!(
        (started.as_str(), stopped.as_str(), reason.as_str()),
        ("2027-01-06", "2027-06-30", "19")
    );
}

async fn execute(url: &str, sql: &'static str) {
    let pool = sqlx::SqlitePool::connect(url).await.expect("open");
    sqlx::query(sql).execute(&pool).await.expect("execute");
    pool.close().await;
}

/// The WMO301 files for provider AGB 42420001 in `dir`, sorted.
fn wmo301_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("WMO301_42420001_")
    });
    files.sort();
    files
}

/// Two clients granted on one day at one provider: the schema holds one
/// `Client` per WMO301, so the export writes two messages, each accepted by
/// xmllint, each about one client. `--since` takes the toewijzingen changed
/// on or after its date, and a bad date is refused naming the option.
#[tokio::test]
async fn one_wmo301_per_client_and_export_since_a_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    let db = format!("sqlite://{}", path.join("b.db").display());
    let demo = baken(&["demo", "--db", &db, "--households", "20"], path);
    assert!(demo.status.success(), "{}", text(&demo));
    let (first,): (String,) = query(&db, "SELECT bsn FROM residents ORDER BY id LIMIT 1").await;
    let (second,): (String,) =
        query(&db, "SELECT bsn FROM residents ORDER BY id DESC LIMIT 1").await;
    assert_ne!(first, second);
    for (bsn, id, reference) in [(&first, "V1", "R-1"), (&second, "V2", "R-2")] {
        let file = path.join(format!("{id}.xml"));
        std::fs::write(&file, wmo315_with(bsn, id, &[(reference, "02A01")])).unwrap();
        let import = baken(&["iwmo", "import", &format!("{id}.xml"), "--db", &db], path);
        assert!(import.status.success(), "{}", text(&import));
    }
    let (low, high): (i64, i64) = query(&db, "SELECT MIN(id), MAX(id) FROM ct_requests").await;
    for request in [low, high] {
        let grant = baken(
            &[
                "iwmo",
                "answer",
                &request.to_string(),
                "--grant",
                "--db",
                &db,
            ],
            path,
        );
        assert!(grant.status.success(), "{}", text(&grant));
    }

    let export = baken(&["iwmo", "export", "--out", "alle", "--db", &db], path);
    assert!(export.status.success(), "{}", text(&export));
    let files = wmo301_files(&path.join("alle"));
    assert_eq!(files.len(), 2, "one message per client: {}", text(&export));
    let mut clients = Vec::new();
    for f in &files {
        assert!(xmllint_accepts("WMO301", f), "{}", f.display());
        let xml = std::fs::read_to_string(f).unwrap();
        assert_eq!(xml.matches("<wmo301:Client>").count(), 1, "{xml}");
        let bsn = xml
            .split("<wmo301:Bsn>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned();
        clients.push(bsn);
    }
    clients.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(clients, expected);

    // The first client's toewijzing was changed long ago (same stored format,
    // only the date moved): --since after that day leaves it out.
    execute(
        &db,
        "UPDATE ct_toewijzingen SET changed_at = '2026-01-02' || substr(changed_at, 11) \
         WHERE id = (SELECT MIN(id) FROM ct_toewijzingen)",
    )
    .await;
    let since = baken(
        &[
            "iwmo",
            "export",
            "--out",
            "sinds",
            "--since",
            "2026-06-01",
            "--db",
            &db,
        ],
        path,
    );
    assert!(since.status.success(), "{}", text(&since));
    assert!(
        text(&since).contains("1 WMO301 message(s) with 1 toewijzing(en)"),
        "{}",
        text(&since)
    );
    let files = wmo301_files(&path.join("sinds"));
    assert_eq!(files.len(), 1);
    assert!(xmllint_accepts("WMO301", &files[0]));
    let xml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        xml.contains(&format!("<wmo301:Bsn>{second}</wmo301:Bsn>")),
        "{xml}"
    );
    assert!(!xml.contains(&format!("<wmo301:Bsn>{first}</wmo301:Bsn>")));
    // On or after: the day itself counts.
    let on_the_day = baken(
        &[
            "iwmo",
            "export",
            "--out",
            "dag",
            "--since",
            "2026-01-02",
            "--db",
            &db,
        ],
        path,
    );
    assert!(on_the_day.status.success(), "{}", text(&on_the_day));
    assert_eq!(wmo301_files(&path.join("dag")).len(), 2);
    // Nothing changed after a later date: no files, and it says so.
    let later = baken(
        &[
            "iwmo",
            "export",
            "--out",
            "later",
            "--since",
            "2099-01-01",
            "--db",
            &db,
        ],
        path,
    );
    assert!(later.status.success(), "{}", text(&later));
    assert!(
        text(&later).contains("0 WMO301 message(s)"),
        "{}",
        text(&later)
    );
    assert!(wmo301_files(&path.join("later")).is_empty());
    // A bad date is refused, naming the option, and writes nothing.
    let bad = baken(
        &[
            "iwmo", "export", "--out", "fout", "--since", "1-2-2026", "--db", &db,
        ],
        path,
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("--since: '1-2-2026' is not a date (YYYY-MM-DD)"),
        "{}",
        text(&bad)
    );
    assert!(!path.join("fout").exists());
}

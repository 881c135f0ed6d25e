//! The stapelingsmonitor page for beleid: upload pseudonymised files, get a
//! protected report; the files do not survive; bad files change nothing.

use crate::helpers::respond;
use axum::body::Body;
use axum::http::{header, Request};
use baken_monitor::{pseudonymise, DomainList, InputConfig, MonitorKey, Organisation};
use baken_web::testing::{apps, apps_with, As, TestApp, PRE};
use baken_web::MonitorSettings;
use baken_web::WebConfig;
use rand::SeedableRng;

fn pseudonymised(org: &str, rows: &[(&str, u32, &str, &str)]) -> Vec<u8> {
    pseudonymised_with(org, rows, &InputConfig::default())
}

fn pseudonymised_with(
    org: &str,
    rows: &[(&str, u32, &str, &str)],
    config: &InputConfig,
) -> Vec<u8> {
    let mut csv = String::from("postcode;huisnummer;buurtcode;domein;voorziening\n");
    for (pc, nr, domain, provision) in rows {
        csv.push_str(&format!("{pc};{nr};BU99990101;{domain};{provision}\n"));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    // The same seed in every call: all organisations share one key.
    let key = MonitorKey::generate(&mut rng);
    let file = pseudonymise(
        csv.as_bytes(),
        org,
        &key,
        &Organisation::parse(org).unwrap(),
        config,
    )
    .unwrap();
    let mut out = Vec::new();
    file.write_csv(&mut out, &mut rng).unwrap();
    out
}

/// A multipart body with the files as `bestanden` and CBS protection.
fn multipart(boundary: &str, files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut body: Vec<u8> = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"bescherming\"\r\n\r\ncbs\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// An app whose monitor uploads wait in `dir`, with `settings` changed by `f`.
async fn apps_uploading_to(
    dir: &std::path::Path,
    f: impl Fn(&mut MonitorSettings),
) -> Vec<TestApp> {
    let mut monitor = MonitorSettings {
        upload_dir: Some(dir.to_path_buf()),
        ..MonitorSettings::default()
    };
    f(&mut monitor);
    apps_with(
        5,
        WebConfig {
            demo: true,
            monitor,
            ..WebConfig::default()
        },
    )
    .await
}

fn entries(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

async fn upload(
    app: &TestApp,
    who: &As,
    csrf_in_url: Option<&str>,
    files: &[(&str, Vec<u8>)],
) -> baken_web::testing::TestResponse {
    let boundary = "XbakenBoundaryX";
    let body = multipart(boundary, files);
    let uri = match csrf_in_url {
        Some(t) => format!("/monitor?csrf={t}"),
        None => "/monitor".to_owned(),
    };
    let As::Session { cookie, .. } = who else {
        panic!("needs a session")
    };
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(
            header::COOKIE,
            format!("baken_sessie={cookie}; baken_pre={PRE}"),
        )
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    respond(app, req).await
}

fn csrf(who: &As) -> String {
    match who {
        As::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn beleid_links_files_and_gets_a_protected_report() {
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let rows: Vec<(String, u32)> = (1..=40).map(|i| ("1011AB".to_owned(), i)).collect();
        let jeugd: Vec<(&str, u32, &str, &str)> = rows
            .iter()
            .map(|(p, n)| (p.as_str(), *n, "jeugd", "J01"))
            .collect();
        let wmo: Vec<(&str, u32, &str, &str)> = rows
            .iter()
            .take(20)
            .map(|(p, n)| (p.as_str(), *n, "wmo", "W01"))
            .collect();
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[
                ("jeugd.csv", pseudonymised("Jeugdhulp", &jeugd)),
                ("wmo.csv", pseudonymised("Thuishulp", &wmo)),
            ],
        )
        .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get("/monitor?gemaakt=1", &beleid).await;
        assert!(page.body.contains("De geüploade bestanden zijn verwijderd"));
        assert!(
            page.body.contains(">40<"),
            "40 households, a multiple of 5, published as is"
        );
        let html = app.get("/monitor/rapporten/1", &beleid).await;
        assert_eq!(html.status, 200);
        assert!(html.body.contains("<svg"), "charts are inline SVG");
        let csp = html
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
        let json = app.get("/monitor/rapporten/1/report.json", &beleid).await;
        let report: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(report["totals"]["households"], 40);
        assert_eq!(report["protection"]["method"], "cbs");
        assert!(!json.body.contains("pseudoniem"));
        let tail = app.audit_tail(3).await;
        assert!(tail
            .iter()
            .any(|r| r.action == "export" && r.object_type.as_deref() == Some("monitor_report")));
        assert!(tail
            .iter()
            .any(|r| r.action == "create" && r.detail.contains("bestanden verwijderd")));
    }
}

#[tokio::test]
async fn a_file_that_is_not_pseudonymised_is_refused_and_nothing_is_kept() {
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let raw =
            b"postcode;huisnummer;buurtcode;domein;voorziening\n1011AB;1;BU99990101;jeugd;J01\n"
                .to_vec();
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[("adressen.csv", raw)],
        )
        .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("adressen.csv: dit bestand is niet gepseudonimiseerd"),
            "names the file, in Dutch"
        );
        assert!(res.body.contains("niet gekoppeld"));
        assert!(res.body.contains("Nog geen rapporten"));
    }
}

#[tokio::test]
async fn an_upload_without_the_token_in_its_url_is_refused() {
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let res = upload(
            &app,
            &beleid,
            None,
            &[(
                "x.csv",
                pseudonymised("Org", &[("1011AB", 1, "jeugd", "J")]),
            )],
        )
        .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("formulier is verlopen"));
        assert!(app
            .get("/monitor", &beleid)
            .await
            .body
            .contains("Nog geen rapporten"));
    }
}

#[tokio::test]
async fn a_bad_row_is_named_by_file_line_and_column_in_dutch() {
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let good = pseudonymised(
            "Jeugdhulp",
            &[("1011AB", 1, "jeugd", "J01"), ("1011AB", 2, "jeugd", "J01")],
        );
        let mut text = String::from_utf8(good).unwrap();
        // break the domain of the second data row (line 3)
        let lines: Vec<&str> = text.lines().collect();
        let header = lines[0].to_owned();
        let domain_col = header
            .split([',', ';'])
            .position(|c| c == "domein")
            .unwrap();
        let sep = if header.contains(';') { ';' } else { ',' };
        let mut fields: Vec<String> = lines[2].split(sep).map(str::to_owned).collect();
        fields[domain_col] = "sport".into();
        let broken = fields.join(&sep.to_string());
        text = format!("{}\n{}\n{}\n", lines[0], lines[1], broken);
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[("jeugd-pseudo.csv", text.into_bytes())],
        )
        .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("jeugd-pseudo.csv, regel 3, kolom domein"),
            "{}",
            res.body
        );
        assert!(res.body.contains("geen bekend domein"));
    }
}

fn forty_households() -> (Vec<u8>, Vec<u8>) {
    let rows: Vec<(String, u32)> = (1..=40).map(|i| ("1011AB".to_owned(), i)).collect();
    let jeugd: Vec<(&str, u32, &str, &str)> = rows
        .iter()
        .map(|(p, n)| (p.as_str(), *n, "jeugd", "J01"))
        .collect();
    let wmo: Vec<(&str, u32, &str, &str)> = rows
        .iter()
        .take(20)
        .map(|(p, n)| (p.as_str(), *n, "wmo", "W01"))
        .collect();
    (
        pseudonymised("Jeugdhulp", &jeugd),
        pseudonymised("Thuishulp", &wmo),
    )
}

#[tokio::test]
async fn the_page_shows_the_latest_report_with_its_charts() {
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let before = app.get("/monitor", &beleid).await;
        assert!(!before.body.contains("Het laatste rapport"));
        let (jeugd, wmo) = forty_households();
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[("jeugd.csv", jeugd), ("wmo.csv", wmo)],
        )
        .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get("/monitor", &beleid).await;
        assert_eq!(page.status, 200);
        let latest = page
            .body
            .split("<h2 id=\"laatste-h\">Het laatste rapport</h2>")
            .nth(1)
            .expect("the latest report is on the page");
        // Its charts (inline SVG with a text alternative) and tables, under the page's
        // own headings.
        assert!(latest.contains("<svg role=\"img\""), "charts on the page");
        assert!(latest.contains("<h3 id=\"domeinen-h\">Aantal domeinen per huishouden</h3>"));
        assert!(latest.contains("<caption>Huishoudens per buurt</caption>"));
        assert!(latest.contains("<th scope=\"row\">BU99990101</th><td class=\"num\">40</td><td class=\"num\">20</td>"), "40 households, 20 in two domains");
        assert!(
            !page
                .body
                .contains("<h1>Stapelingsmonitor sociaal domein</h1>"),
            "a fragment, not a page in a page"
        );
        assert!(
            !page.body.contains("<style>"),
            "no inline style (the page's CSP forbids it)"
        );
    }
}

#[tokio::test]
async fn an_upload_over_the_size_limit_is_refused_in_dutch_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    for app in apps_uploading_to(dir.path(), |m| m.max_upload_bytes = 1024 * 1024).await {
        let beleid = app.login_as("beleid").await;
        // About 1.3 MB of valid pseudonymised rows: only the size is wrong.
        let rows: Vec<(String, u32)> = (1..=12_000)
            .map(|i| (format!("{}AB", 1000 + i / 1000), 1 + i % 1000))
            .collect();
        let rows: Vec<(&str, u32, &str, &str)> = rows
            .iter()
            .map(|(p, n)| (p.as_str(), *n, "jeugd", "J01"))
            .collect();
        let big = pseudonymised("Jeugdhulp", &rows);
        assert!(big.len() > 1024 * 1024, "{}", big.len());
        let res = upload(&app, &beleid, Some(&csrf(&beleid)), &[("groot.csv", big)]).await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(
            res.body
                .contains("De bestanden zijn samen groter dan 1 MB. Er is niets bewaard"),
            "{}",
            res.body
        );
        assert!(res.body.contains("De bestanden zijn niet gekoppeld"));
        assert!(res.body.contains("Nog geen rapporten"));
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
        let mut tx = app.db.read().await.unwrap();
        assert!(baken_store::monitor::list(&mut tx, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn the_configured_domains_apply_to_uploads() {
    let dir = tempfile::tempdir().unwrap();
    let with_sport = InputConfig {
        domains: DomainList::parse("jeugd,wmo,sport").unwrap(),
        ..InputConfig::default()
    };
    let rows: Vec<(String, u32)> = (1..=10).map(|i| ("1011AB".to_owned(), i)).collect();
    let rows: Vec<(&str, u32, &str, &str)> = rows
        .iter()
        .map(|(p, n)| (p.as_str(), *n, "sport", "S01"))
        .collect();
    let file = pseudonymised_with("Sportbedrijf", &rows, &with_sport);
    // The default domain list refuses `sport`...
    for app in apps(5).await {
        let beleid = app.login_as("beleid").await;
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[("sport.csv", file.clone())],
        )
        .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("“sport” is geen bekend domein"),
            "{}",
            res.body
        );
    }
    // ... a configured one links it, and the page says which domains are allowed.
    for app in apps_uploading_to(dir.path(), |m| m.domains = with_sport.domains.clone()).await {
        let beleid = app.login_as("beleid").await;
        let page = app.get("/monitor", &beleid).await;
        assert!(
            page.body.contains("mogen staan: jeugd, wmo, sport."),
            "{}",
            page.body
        );
        let res = upload(
            &app,
            &beleid,
            Some(&csrf(&beleid)),
            &[("sport.csv", file.clone())],
        )
        .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let json = app.get("/monitor/rapporten/1/report.json", &beleid).await;
        let report: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(
            report["tables"]["by_domain_combination"][0]["combination"][0],
            "sport"
        );
    }
}

/// The linking party's files exist while they are uploaded and linked, in the
/// configured directory, and are gone when the report is made: watched over a real
/// socket, with the upload paused halfway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_files_are_deleted_after_linking() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    for app in apps_uploading_to(dir.path(), |_| {}).await {
        let beleid = app.login_as("beleid").await;
        let As::Session { cookie, csrf } = beleid.clone() else {
            panic!("needs a session")
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = app
            .router
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = tokio::spawn(async move { axum::serve(listener, service).await });
        let (jeugd, wmo) = forty_households();
        let boundary = "XbakenBoundaryX";
        let body = multipart(boundary, &[("jeugd.csv", jeugd), ("wmo.csv", wmo)]);
        let watched = dir.path().to_path_buf();
        let response = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            write!(
                s,
                "POST /monitor?csrf={csrf} HTTP/1.1\r\nHost: localhost\r\nCookie: baken_sessie={cookie}; baken_pre={PRE}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            // The first file and part of the second, then wait until the server has
            // stored them.
            let half = body.len() * 3 / 4;
            s.write_all(&body[..half]).unwrap();
            s.flush().unwrap();
            let mut during = Vec::new();
            for _ in 0..500 {
                // The files seen now (they are gone by the time the test looks again).
                during = entries(&watched)
                    .into_iter()
                    .filter(|p| p.is_file())
                    .collect::<Vec<_>>();
                if during.len() >= 2 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            s.write_all(&body[half..]).unwrap();
            let mut response = String::new();
            s.read_to_string(&mut response).unwrap();
            (during, response)
        })
        .await
        .unwrap();
        let (during, response) = response;
        assert_eq!(
            during.len(),
            2,
            "both uploads wait in the configured directory: {during:?}"
        );
        assert!(during.iter().all(|p| p.starts_with(dir.path())));
        assert!(response.starts_with("HTTP/1.1 303"), "{response}");
        assert!(
            entries(dir.path()).is_empty(),
            "deleted after linking: {:?}",
            entries(dir.path())
        );
        server.abort();
        let page = app.get("/monitor?gemaakt=1", &beleid).await;
        assert!(page.body.contains("De geüploade bestanden zijn verwijderd"));
        assert!(page.body.contains("Het laatste rapport"));
    }
}

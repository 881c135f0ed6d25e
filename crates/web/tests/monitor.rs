//! The stapelingsmonitor page for beleid: upload pseudonymised files, get a
//! protected report; the files do not survive; bad files change nothing.

use axum::body::Body;
use axum::http::{header, Request};
use baken_monitor::{pseudonymise, InputConfig, MonitorKey, Organisation};
use baken_web::testing::{apps, As, TestApp, PRE};
use rand::SeedableRng;
use tower::ServiceExt;

fn pseudonymised(org: &str, rows: &[(&str, u32, &str, &str)]) -> Vec<u8> {
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
        &InputConfig::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    file.write_csv(&mut out, &mut rng).unwrap();
    out
}

async fn upload(
    app: &TestApp,
    who: &As,
    csrf_in_url: Option<&str>,
    files: &[(&str, Vec<u8>)],
) -> baken_web::testing::TestResponse {
    let boundary = "XbakenBoundaryX";
    let mut body: Vec<u8> = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"bestanden\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"bescherming\"\r\n\r\ncbs\r\n--{boundary}--\r\n").as_bytes());
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
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    baken_web::testing::TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
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

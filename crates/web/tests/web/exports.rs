//! CSV downloads for Dutch Excel: the team's caseload and the bakens (team
//! lead), the audit log for a person or a period (beheerder) — each audited.

use crate::helpers::last_audit_row;
use baken_web::testing::apps;

fn is_dutch_excel(body: &str) -> bool {
    body.starts_with('\u{feff}') && body.lines().next().is_some_and(|l| l.contains(';'))
}

#[tokio::test]
async fn a_team_lead_downloads_the_caseload_and_the_bakens_and_both_are_audited() {
    for app in apps(60).await {
        let lead = app.login_as("teamleider").await;
        let res = app.get("/teamoverzicht/caseload.csv", &lead).await;
        assert_eq!(res.status, 200);
        assert!(res
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("attachment; filename=\"caseload-team.csv\"")));
        assert!(is_dutch_excel(&res.body), "{}", res.body);
        let mut lines = res.body.lines();
        assert_eq!(
            lines.next().unwrap().trim_start_matches('\u{feff}'),
            "Contactpersoon;Huishouden;Adres;Open plan;Eerstvolgende datum;Afspraken te laat;Verwijzingen wachtend;Open signalen"
        );
        // The demo generalist is contact person of household 1.
        assert!(
            lines.any(|l| l.starts_with("Demo Generalist;1;")),
            "{}",
            res.body
        );
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.action, "export");
        assert!(
            entry.detail.starts_with("caseload team"),
            "{}",
            entry.detail
        );

        // The bakens: the same protected values as the page.
        let page = app.get("/bakens", &lead).await.body;
        let res = app.get("/bakens.csv", &lead).await;
        assert_eq!(res.status, 200);
        assert!(is_dutch_excel(&res.body));
        let rows: Vec<Vec<String>> = res
            .body
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(|l| {
                l.split(';')
                    .map(|f| f.trim_matches('"').to_owned())
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 8, "eight bakens");
        for row in &rows {
            let value = row[2].replace('<', "&lt;");
            assert!(page.contains(&value), "{value} as on the page");
        }
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_type.as_deref()),
            ("export", Some("bakens"))
        );
        // A bad date is refused, not exported.
        assert_eq!(app.get("/bakens.csv?van=gisteren", &lead).await.status, 400);
    }
}

#[tokio::test]
async fn a_beheerder_downloads_the_audit_log_for_a_person_and_the_download_is_audited() {
    for app in apps(10).await {
        let gen = app.login_as("generalist").await;
        assert_eq!(app.get("/dossier/1", &gen).await.status, 200);
        let admin = app.login_as("beheerder").await;
        // Neither a person nor a period: refused, in Dutch.
        let res = app.get("/beheer/audit/export.csv", &admin).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Kies een persoon"));
        let res = app
            .get("/beheer/audit/export.csv?object=household%3A1", &admin)
            .await;
        assert_eq!(res.status, 200);
        assert!(is_dutch_excel(&res.body));
        let body = res.body.trim_start_matches('\u{feff}');
        assert!(body
            .starts_with("Volgnummer;Tijd (Nederlandse tijd);Gebruiker;Rol;Actie;Uitkomst;Object"));
        assert!(
            body.lines().skip(1).all(|l| l.contains(";household:1;")),
            "{body}"
        );
        assert!(
            body.lines().any(|l| l.contains(";generalist;generalist;")),
            "the dossier read: {body}"
        );
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_type.as_deref()),
            ("export", Some("audit_log"))
        );
        // A period works too.
        let today = baken_web::today().format("%Y-%m-%d").to_string();
        let res = app
            .get(
                &format!("/beheer/audit/export.csv?van={today}&tot={today}"),
                &admin,
            )
            .await;
        assert_eq!(res.status, 200);
        assert!(res.body.lines().count() > 2);
    }
}

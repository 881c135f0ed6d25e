//! The verantwoording dashboard: the pyramid, trends and fan view as policy
//! sees them — protected totals only, the same on the page and in the CSV.

use baken_domain::cell_key::CellKeySecret;
use baken_domain::monitoring::{pyramid, Targets};
use baken_domain::period::Period;
use baken_web::testing::apps;
use chrono::Datelike;

/// The pyramid the domain computes from the store's facts with the
/// installation's secret.
async fn expected(
    app: &baken_web::testing::TestApp,
    period: Period,
    district: Option<&str>,
) -> baken_domain::monitoring::Pyramid {
    let mut tx = app.db.read().await.unwrap();
    let secret = baken_store::meta::server_secret(&mut tx, "cell_key")
        .await
        .unwrap()
        .unwrap();
    let since = Period::last_quarters(baken_web::today(), 8)[0]
        .first_day()
        .min(period.first_day());
    let uses = baken_store::dashboard::support_uses(
        &mut tx,
        since,
        &CellKeySecret::new(secret.as_bytes()),
    )
    .await
    .unwrap();
    pyramid(&uses, period, district, Targets::default())
}

fn pyramid_rows(body: &str) -> Vec<Vec<String>> {
    let table = body
        .split("<caption>Piramide: huishoudens en kosten per laag</caption>")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    table
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| {
            row.split("<td class=\"num")
                .skip(1)
                .map(|c| {
                    c.split('>')
                        .nth(1)
                        .unwrap()
                        .split('<')
                        .next()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn policy_sees_the_pyramid_against_the_targets_with_trend_and_fan() {
    for app in apps(60).await {
        let beleid = app.login_as("beleid").await;
        let year = Period::Year(baken_web::today().year());
        let res = app.get("/dashboard", &beleid).await;
        assert_eq!(res.status, 200);
        let body = res.body;
        assert!(body.contains("<h1>Dashboard verantwoording</h1>"));
        // The pyramid of this year over all districts, as the domain computes it.
        let want = expected(&app, year, None).await;
        assert!(
            want.households.value() >= 5,
            "the demo has support this year"
        );
        let rows = pyramid_rows(&body);
        assert_eq!(rows.len(), 3);
        for (row, layer) in rows.iter().zip(&want.layers) {
            assert_eq!(row[0], layer.households.to_string());
            assert!(!(1..=4).contains(&layer.households.value()));
            assert_eq!(row[2], format!("{}%", layer.target));
        }
        assert_eq!(
            rows.iter().map(|r| r[2].as_str()).collect::<Vec<_>>(),
            ["85%", "10%", "5%"],
            "KING's targets until the municipality sets its own"
        );
        // A trend over eight quarters with its target line, and a small chart per district.
        assert!(body.contains("class=\"chart-target\""));
        assert!(body.contains("Aandeel stap 1–3 per kwartaal (doel 85%)"));
        let mut tx = app.db.read().await.unwrap();
        let districts = baken_store::areas::districts(&mut tx).await.unwrap();
        drop(tx);
        // Every trend has its small chart per district.
        let trends = body.matches("<section aria-labelledby=\"waaier-").count();
        assert_eq!(trends, 13, "3 layers, maatwerk, returns and 8 bakens");
        assert_eq!(
            body.matches("<li class=\"fan-item\">").count(),
            trends * districts.len()
        );
        for d in &districts {
            assert!(body.contains(&format!("{} ({})", d.name, d.code)));
        }
        // No person: no BSN, no household's name or address.
        assert!(!body.contains("BSN") && !body.contains("/dossier/"));

        // One district and one quarter: that district's pyramid.
        let d = &districts[0].code;
        let quarter = Period::quarter_of(baken_web::today());
        let res = app
            .get(
                &format!("/dashboard?wijk={d}&periode={}", quarter.code()),
                &beleid,
            )
            .await;
        assert_eq!(res.status, 200);
        let want = expected(&app, quarter, Some(d)).await;
        let rows = pyramid_rows(&res.body);
        for (row, layer) in rows.iter().zip(&want.layers) {
            assert_eq!(row[0], layer.households.to_string());
        }
        // Asking again gives the same figures: the noise belongs to the records.
        let again = app
            .get(
                &format!("/dashboard?periode={}&wijk={d}", quarter.code()),
                &beleid,
            )
            .await;
        assert_eq!(pyramid_rows(&again.body), rows);

        // Free dates or a period that does not exist: refused, in Dutch.
        let res = app.get("/dashboard?periode=2026-03-01", &beleid).await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Kies een kwartaal of een jaar uit de lijst."));
        assert_eq!(
            app.get("/dashboard.csv?periode=gisteren", &beleid)
                .await
                .status,
            400
        );

        // A generalist does not see the dashboard.
        let gen = app.login_as("generalist").await;
        assert_eq!(app.get("/dashboard", &gen).await.status, 403);
    }
}

#[tokio::test]
async fn the_dashboard_download_holds_the_page_figures_and_is_audited() {
    for app in apps(40).await {
        let beleid = app.login_as("beleid").await;
        let page = app.get("/dashboard", &beleid).await.body;
        let res = app.get("/dashboard.csv", &beleid).await;
        assert_eq!(res.status, 200);
        assert!(res.body.starts_with('\u{feff}'), "a BOM for Dutch Excel");
        let mut lines = res.body.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next().unwrap(),
            "Onderdeel;Wijk;Periode;Laag of naam;Huishoudens;Aandeel (%);Doel (%);Kosten (euro);Aandeel kosten (%);Niet te prijzen;Waarde;Ondergrens;Bovengrens"
        );
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(';').map(str::to_owned).collect())
            .collect();
        let shown = pyramid_rows(&page);
        let pyramid: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "piramide").collect();
        assert_eq!(pyramid.len(), 3);
        for (csv, page) in pyramid.iter().zip(&shown) {
            assert_eq!(csv[4], page[0], "households as on the page");
        }
        let mut tx = app.db.read().await.unwrap();
        let districts = baken_store::areas::districts(&mut tx).await.unwrap().len();
        drop(tx);
        // Thirteen trends of all districts and of each district, eight quarters each.
        assert_eq!(
            rows.iter().filter(|r| r[0].starts_with("trend")).count(),
            13 * 8 * (1 + districts)
        );
        // The eight bakens per quarter, as on the page.
        assert_eq!(
            rows.iter().filter(|r| r[0].starts_with("baken ")).count(),
            8 * 8
        );
        assert!(page.contains("<caption>Bakens per kwartaal: alle wijken</caption>"));
        let tail = app.audit_tail(1).await;
        assert_eq!(
            (tail[0].action.as_str(), tail[0].object_type.as_deref()),
            ("export", Some("dashboard"))
        );
    }
}

/// The target column of the dashboard's pyramid.
fn targets_shown(body: &str) -> Vec<String> {
    pyramid_rows(body)
        .into_iter()
        .map(|r| r[2].clone())
        .collect()
}

fn field_version(body: &str) -> String {
    body.split("name=\"versie\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form carries its version")
        .to_owned()
}

#[tokio::test]
async fn the_beheerder_sets_the_targets_and_the_dashboard_measures_against_them() {
    for app in apps(30).await {
        let admin = app.login_as("beheerder").await;
        let page = app.get("/beheer/piramide", &admin).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<h1>Doelen van de piramide</h1>"));
        assert!(page.body.contains("Nu: 85/10/5."));
        let version = field_version(&page.body);
        let before = app.audit_count().await;
        // Each wrong field gets its own Dutch message; nothing is saved.
        for (l, m, h, field, msg) in [
            (
                "tachtig",
                "15",
                "5",
                "licht",
                "Vul een heel percentage in van 0 tot en met 100",
            ),
            (
                "80",
                "15",
                "101",
                "zwaar",
                "Vul een heel percentage in van 0 tot en met 100",
            ),
            (
                "80",
                "-1",
                "5",
                "midden",
                "Vul een heel percentage in van 0 tot en met 100",
            ),
            (
                "80",
                "15",
                "4",
                "doelen",
                "De drie doelen tellen op tot 99%. Samen moeten ze precies 100% zijn.",
            ),
            ("", "", "", "licht", "Vul een heel percentage"),
        ] {
            let res = app
                .post_form(
                    "/beheer/piramide",
                    &admin,
                    &[
                        ("versie", &version),
                        ("licht", l),
                        ("midden", m),
                        ("zwaar", h),
                    ],
                )
                .await;
            assert_eq!(res.status, 400, "{l}/{m}/{h}");
            assert!(res.body.contains(msg), "{msg}");
            assert!(
                res.body.contains(&format!("id=\"{field}-fout\"")),
                "next to {field}"
            );
            // What was typed is shown again.
            assert!(res.body.contains(&format!("name=\"licht\" type=\"text\" inputmode=\"numeric\" class=\"input--short\" value=\"{l}\"")));
        }
        assert_eq!(
            app.audit_count().await,
            before,
            "a refused form writes nothing"
        );
        let beleid = app.login_as("beleid").await;
        let dash = app.get("/dashboard", &beleid).await.body;
        assert_eq!(targets_shown(&dash), ["85%", "10%", "5%"]);

        // Amaryllis' 80/15/5: saved, audited with old and new, on the dashboard.
        let res = app
            .post_form(
                "/beheer/piramide",
                &admin,
                &[
                    ("versie", &version),
                    ("licht", "80"),
                    ("midden", " 15 "),
                    ("zwaar", "5%"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let tail = app.audit_tail(1).await;
        assert_eq!(
            (
                tail[0].action.as_str(),
                tail[0].outcome.as_str(),
                tail[0].object_id.as_deref()
            ),
            ("update", "success", Some("piramide_doelen"))
        );
        assert!(
            tail[0].detail.contains("80/15/5 (was 85/10/5)"),
            "{}",
            tail[0].detail
        );
        let page = app.get("/beheer/piramide?opgeslagen=ja", &admin).await.body;
        assert!(
            page.contains("Opgeslagen.") && page.contains("Nu: 80/15/5. Ingesteld door beheerder")
        );
        let dash = app.get("/dashboard", &beleid).await.body;
        assert_eq!(targets_shown(&dash), ["80%", "15%", "5%"]);
        assert!(dash.contains("Aandeel stap 1–3 per kwartaal (doel 80%)"));

        // A form filled in before that change is a conflict: nothing changes,
        // the refusal is audited, and the page shows what is stored now.
        let res = app
            .post_form(
                "/beheer/piramide",
                &admin,
                &[
                    ("versie", &version),
                    ("licht", "70"),
                    ("midden", "20"),
                    ("zwaar", "10"),
                ],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(res
            .body
            .contains("Iemand anders heeft de doelen intussen gewijzigd."));
        assert!(res.body.contains("value=\"80\""));
        assert_ne!(field_version(&res.body), version);
        let tail = app.audit_tail(1).await;
        assert_eq!(tail[0].outcome.as_str(), "conflict");
        let mut tx = app.db.read().await.unwrap();
        assert_eq!(
            baken_store::dashboard::targets(&mut tx)
                .await
                .unwrap()
                .code(),
            "80/15/5"
        );
        drop(tx);
        // Without a version the form cannot be trusted.
        let res = app
            .post_form(
                "/beheer/piramide",
                &admin,
                &[("licht", "80"), ("midden", "15"), ("zwaar", "5")],
            )
            .await;
        assert_eq!(res.status, 400);
        // Policy reads the targets on the dashboard but does not set them.
        assert_eq!(app.get("/beheer/piramide", &beleid).await.status, 403);
    }
}

#[tokio::test]
async fn the_bakens_per_quarter_drill_down_from_district_to_team_without_a_person() {
    for app in apps(60).await {
        let beleid = app.login_as("beleid").await;
        let mut tx = app.db.read().await.unwrap();
        let teams = baken_store::areas::teams(&mut tx).await.unwrap();
        let (norms, _) = baken_store::casework::response_norms(&mut tx)
            .await
            .unwrap();
        let secret = baken_store::meta::server_secret(&mut tx, "cell_key")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        let team = teams
            .iter()
            .find(|t| t.district_code.is_some() && t.active)
            .expect("a team with a district");
        let district = team.district_code.clone().unwrap();
        // The district's page offers its teams to drill down to.
        let body = app
            .get(&format!("/dashboard?wijk={district}"), &beleid)
            .await
            .body;
        assert!(body.contains("<caption>Bakens per kwartaal: wijk "));
        assert!(body.contains(&format!("team={}#bakens\">{}</a>", team.id, team.name)));
        // The team's bakens per quarter: the figures /bakens publishes for
        // each whole quarter, eight quarters, eight bakens.
        let body = app
            .get(
                &format!("/dashboard?wijk={district}&team={}", team.id),
                &beleid,
            )
            .await
            .body;
        let table = body
            .split(&format!(
                "<caption>Bakens per kwartaal: {}</caption>",
                team.name
            ))
            .nth(1)
            .expect("the team's bakens table")
            .split("</table>")
            .next()
            .unwrap();
        let quarters = Period::last_quarters(baken_web::today(), 8);
        let rows: Vec<&str> = table.split("<tr><th scope=\"row\">").skip(1).collect();
        assert_eq!(rows.len(), 8, "eight bakens");
        let mut tx = app.db.read().await.unwrap();
        for (i, q) in quarters.iter().enumerate() {
            let filter = baken_store::casework::FigureFilter {
                team_id: Some(team.id),
                district: Some(district.clone()),
                period: Some(*q),
            };
            let want = baken_store::casework::bakens_facts(
                &mut tx,
                &filter,
                &norms,
                &CellKeySecret::new(secret.as_bytes()),
            )
            .await
            .unwrap()
            .figures();
            for (row, figure) in rows.iter().zip(&want) {
                let cell = row
                    .split("<td class=\"num\">")
                    .nth(i + 1)
                    .unwrap()
                    .split("</td>")
                    .next()
                    .unwrap();
                assert_eq!(
                    cell,
                    minijinja::HtmlEscape(&figure.value).to_string(),
                    "baken {} in {}",
                    figure.baken,
                    q.code()
                );
            }
        }
        drop(tx);
        // A team of another district is no filter: the district's figures.
        if let Some(other) = teams
            .iter()
            .find(|t| t.active && t.district_code.as_deref() != Some(district.as_str()))
        {
            let body = app
                .get(
                    &format!("/dashboard?wijk={district}&team={}", other.id),
                    &beleid,
                )
                .await
                .body;
            assert!(body.contains("<caption>Bakens per kwartaal: wijk "));
        }
        // Aggregates only: no person, no link to a household.
        assert!(
            !body.contains("BSN") && !body.contains("/dossier/") && !body.contains("/huishoudens/")
        );
    }
}

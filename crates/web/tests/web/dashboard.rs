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
        let quarters = Period::last_quarters(
            Period::quarter_of(baken_web::today()).previous().last_day(),
            8,
        );
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

/// The deterministic demo's "today" (`baken_synth::Config::reference_date`):
/// the golden files are computed as of that day, so they do not change daily.
fn reference_date() -> chrono::NaiveDate {
    baken_synth::Config::new(1, 42).reference_date
}

fn query(
    wijk: &str,
    periode: &str,
    team: &str,
) -> baken_web::monitoring::dashboard::DashboardQuery {
    baken_web::monitoring::dashboard::DashboardQuery {
        wijk: wijk.into(),
        periode: periode.into(),
        team: team.into(),
    }
}

/// The key figures of a report, one per line: what a council report quotes.
fn key_figures(r: &baken_web::monitoring::dashboard::Report) -> String {
    let mut out = format!(
        "periode {} · {} · {} huishoudens\n",
        r.period.code(),
        r.district.as_ref().map_or("alle wijken", |d| d.0.as_str()),
        r.pyramid.households
    );
    for l in &r.pyramid.layers {
        out += &format!(
            "piramide {}: {} huishoudens, aandeel {:?}, doel {}, kosten {:?}, aandeel kosten {:?}, niet te prijzen {}\n",
            l.short, l.households, l.share, l.target, l.cost_euros, l.cost_share, l.unpriced
        );
    }
    for t in &r.trends {
        let last = t.area.last().unwrap();
        out += &format!(
            "trend {} {}: {:?} ({:?}–{:?})\n",
            t.id,
            last.period,
            last.value.map(|v| (v * 10.0).round() / 10.0),
            last.low.map(|v| (v * 10.0).round() / 10.0),
            last.high.map(|v| (v * 10.0).round() / 10.0)
        );
    }
    for (what, list) in [("product", &r.products), ("aanbieder", &r.providers)] {
        for p in list {
            out += &format!(
                "{what} {}: {} huishoudens, kosten {:?}, niet te prijzen {}\n",
                p.name, p.households, p.cost_euros, p.unpriced
            );
        }
    }
    out
}

/// Compares `got` with the golden file `name` (`BAKEN_UPDATE_GOLDEN=1`
/// rewrites it).
fn golden(name: &str, got: &str, backend: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("BAKEN_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    let diff = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(want.lines().count().min(got.lines().count()));
    assert!(
        want == got,
        "{backend}: the dashboard differs from tests/golden/{name} at line {} (BAKEN_UPDATE_GOLDEN=1 rewrites it):\n want {:?}\n  got {:?}",
        diff + 1,
        want.lines().nth(diff),
        got.lines().nth(diff)
    );
}

/// The dashboard report over the deterministic demo (seed 42, 300 households)
/// as of the demo's reference date, with a fixed cell-key secret: the CSV and
/// the key figures are the same on both backends and equal the golden files.
#[tokio::test]
async fn the_dashboard_report_over_the_demo_equals_its_golden_files() {
    use baken_web::monitoring::dashboard::{report, report_rows, CSV_HEADER};
    let secret = CellKeySecret::new(b"golden files of the dashboard");
    for app in apps(300).await {
        let backend = format!("{:?}", app.db.backend());
        for (name, q) in [
            ("all", query("", "", "")),
            ("district", query("", "2026-K3", "")),
        ] {
            let mut q = q;
            if name == "district" {
                let mut tx = app.db.read().await.unwrap();
                q.wijk = baken_store::areas::districts(&mut tx).await.unwrap()[0]
                    .code
                    .clone();
            }
            let r = report(&app.db, &secret, &q, reference_date())
                .await
                .unwrap();
            let csv =
                baken_web::support::csv::to_csv(&CSV_HEADER, &report_rows(&r).unwrap()).unwrap();
            golden(&format!("dashboard-{name}.csv"), &csv, &backend);
            golden(&format!("dashboard-{name}.txt"), &key_figures(&r), &backend);
        }
    }
}

/// The trends the page draws are the domain's over the store's facts; the
/// drill-down to products and providers names no person and its counts are
/// the domain's; a team narrows the trends.
#[tokio::test]
async fn trends_and_the_drill_down_to_products_and_providers_are_the_domains() {
    use baken_domain::monitoring::trends::{maatwerk_per_thousand_trend, purchases};
    use baken_web::monitoring::dashboard::report;
    for app in apps(200).await {
        let beleid = app.login_as("beleid").await;
        let mut tx = app.db.read().await.unwrap();
        let secret = CellKeySecret::new(
            baken_store::meta::server_secret(&mut tx, "cell_key")
                .await
                .unwrap()
                .unwrap()
                .as_bytes(),
        );
        let districts = baken_store::areas::districts(&mut tx).await.unwrap();
        let d = districts[0].code.clone();
        let today = reference_date();
        let quarters = Period::last_quarters(Period::quarter_of(today).previous().last_day(), 8);
        let since = quarters[0].first_day() - chrono::Days::new(366);
        let uses = baken_store::dashboard::support_uses(&mut tx, since, &secret)
            .await
            .unwrap();
        let residents = baken_store::dashboard::resident_cell(&mut tx, Some(&d), None, &secret)
            .await
            .unwrap();
        let period = Period::Year(today.year());
        let bought = baken_store::dashboard::purchases(&mut tx, period.first_day(), &secret, None)
            .await
            .unwrap();
        drop(tx);
        let r = report(&app.db, &secret, &query(&d, "", ""), today)
            .await
            .unwrap();
        let maatwerk = r
            .trends
            .iter()
            .find(|t| t.id == "maatwerk-per-1000")
            .unwrap();
        assert_eq!(
            maatwerk.area,
            maatwerk_per_thousand_trend(&uses, &quarters, Some(&d), &residents)
        );
        assert!(
            maatwerk.area.iter().any(|p| p.value.is_some()),
            "the demo has residents and maatwerk"
        );
        for (t, target) in r.trends.iter().zip([85.0, 10.0, 5.0]) {
            assert_eq!(t.target, Some(target), "{}", t.id);
        }
        let products = purchases(&bought, period, Some(&d), false);
        assert_eq!(r.products, products);
        assert_eq!(r.providers, purchases(&bought, period, Some(&d), true));
        assert!(
            r.products
                .iter()
                .all(|p| !(1..=4).contains(&p.households.value())),
            "no small count"
        );

        // The page shows the same, with the tables beside the charts, and no person.
        let page = app.get(&format!("/dashboard?wijk={d}"), &beleid).await.body;
        assert!(page.contains("<caption>Per product: gebruik en kosten</caption>"));
        assert!(page.contains("<caption>Per aanbieder: gebruik en kosten</caption>"));
        assert!(page.contains("Huishoudens met maatwerk per 1.000 inwoners per kwartaal"));
        assert!(page.contains("Huishoudens terug binnen 12 maanden per kwartaal"));
        assert!(
            page.contains("Dagen van signaal tot eerste contact (mediaan, baken 3) per kwartaal")
        );
        for p in &r.products {
            assert!(page.contains(&format!("<th scope=\"row\">{}</th>", p.name)));
        }
        // No person: not the residents of the households with a toewijzing.
        let main = page.split("<main").nth(1).unwrap();
        assert!(!main.contains("BSN") && !main.contains("/dossier/"));
        let mut tx = app.db.read().await.unwrap();
        for hh in bought.iter().map(|b| b.support.household_id).take(20) {
            for r in baken_store::households::residents(&mut tx, hh)
                .await
                .unwrap()
            {
                assert!(
                    !main.contains(&format!(" {}<", r.surname))
                        && !main.contains(&format!(">{}<", r.surname)),
                    "no resident's name on the dashboard: {}",
                    r.surname
                );
            }
        }
        drop(tx);

        // A team of the district narrows the trends and the drill-down.
        let mut tx = app.db.read().await.unwrap();
        let team = baken_store::areas::teams(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.district_code.as_deref() == Some(d.as_str()))
            .unwrap();
        let team_uses =
            baken_store::dashboard::support_uses_of(&mut tx, since, &secret, Some(team.id))
                .await
                .unwrap();
        drop(tx);
        let r = report(
            &app.db,
            &secret,
            &query(&d, "", &team.id.to_string()),
            today,
        )
        .await
        .unwrap();
        assert_eq!(
            r.trends[0].area,
            baken_domain::monitoring::trends::layer_share_trend(
                &team_uses,
                &quarters,
                Some(&d),
                baken_domain::monitoring::Layer::Light
            )
        );
        let page = app
            .get(&format!("/dashboard?wijk={d}&team={}", team.id), &beleid)
            .await
            .body;
        assert!(page.contains(&format!("Trends per kwartaal: {}", team.name)));
        assert!(page.contains(&format!("Producten en aanbieders: {}", team.name)));
    }
}

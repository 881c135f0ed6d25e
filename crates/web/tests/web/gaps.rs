//! "Tekorten in het aanbod" as policy sees it: a wijzer answer without a
//! fitting offer lands in its district and row on the page, protected; the
//! page and its CSV are audited and show no person.

use super::helpers::last_audit_row;
use baken_domain::cell_key::protect;
use baken_domain::period::Period;
use baken_web::testing::{apps, As, TestApp};

/// The cells of one row of a table on the page, by the table's column headings.
fn row(body: &str, table: &str, row: &str) -> Vec<(String, String)> {
    let t = body
        .split(&format!("<table id=\"tabel-{table}\">"))
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let text = |s: &str| {
        s.split('>')
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    let head: Vec<String> = t
        .split("<th scope=\"col\">")
        .skip(2)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    let cells: Vec<String> = t
        .split(&format!("<tr><th scope=\"row\">{row}</th>"))
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap()
        .split("<td class=\"num\"")
        .skip(1)
        .map(text)
        .collect();
    assert_eq!(head.len(), cells.len(), "{t}");
    head.into_iter().zip(cells).collect()
}

/// The wijzer's counter of searches from `district` that found no offer,
/// this quarter (each search once, whatever life domains it touched).
async fn unfit(app: &TestApp, district: &str) -> baken_domain::cell_key::CellKeys {
    let mut tx = app.db.read().await.unwrap();
    let cells = baken_store::gaps::wijzer_searches(&mut tx, Period::quarter_of(baken_web::today()))
        .await
        .unwrap();
    cells
        .into_iter()
        .find(|c| c.district.as_deref() == Some(district) && c.domain.is_none() && !c.offer_found)
        .map(|c| c.cell)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_wijzer_answer_without_an_offer_shows_in_its_district_for_policy() {
    for app in apps(20).await {
        let mut tx = app.db.read().await.unwrap();
        let districts = baken_store::areas::districts(&mut tx).await.unwrap();
        drop(tx);
        let (code, name) = (&districts[1].code, &districts[1].name);
        let before = unfit(&app, code).await.count();
        // Words the map knows nothing about: only general advice.
        for _ in 0..7 {
            let res = app
                .post_form(
                    "/wijzer/resultaat",
                    &As::Anonymous,
                    &[("vraag", "Qwerty zxcvb plopperdeplop"), ("wijk", code)],
                )
                .await;
            assert_eq!(res.status, 200);
        }
        let cell = unfit(&app, code).await;
        assert_eq!(cell.count(), before + 7, "{:?}", app.backend);
        // An answer that found a meal nearby is not a gap.
        let res = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil maaltijden thuis"),
                    ("onderwerp", "eten"),
                    ("wijk", code),
                ],
            )
            .await;
        assert!(res.body.contains("Buurtmaaltijd"));
        assert_eq!(unfit(&app, code).await.count(), before + 7);

        let beleid = app.login_as("beleid").await;
        let quarter = Period::quarter_of(baken_web::today()).code();
        let res = app
            .get(&format!("/tekorten?periode={quarter}"), &beleid)
            .await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("<h1>Tekorten in het aanbod</h1>"));
        // The district's total over all life domains: each search once.
        let cells = row(&res.body, "wijzer", "Totaal");
        let shown = cells.iter().find(|(c, _)| c == name).unwrap();
        assert_eq!(shown.1, protect(&cell).to_string());
        // Every table has every district, and no count from 1 to 4 anywhere.
        for t in ["wijzer", "marktplaats", "wachtend", "wachttijd"] {
            assert!(res.body.contains(&format!("<table id=\"tabel-{t}\">")));
        }
        for n in res.body.split("<td class=\"num\">").skip(1) {
            let n = n.split('<').next().unwrap();
            assert!(!["1", "2", "3", "4"].contains(&n), "a small count: {n}");
        }
        assert!(!res.body.contains("/dossier/") && !res.body.contains("BSN"));
        assert!(!res.body.contains("Qwerty"), "no word of a resident");
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_type.as_deref()),
            ("read", Some("tekorten"))
        );
        assert_eq!(entry.object_id.as_deref(), Some(quarter.as_str()));

        // The CSV: Dutch Excel, the same protected counts, audited as an export.
        let res = app
            .get(&format!("/tekorten.csv?periode={quarter}"), &beleid)
            .await;
        assert_eq!(res.status, 200);
        assert!(res
            .body
            .starts_with("\u{feff}Tabel;Periode;Rij;Wijk;Aantal"));
        let line = format!(";Totaal;{name};{}", protect(&cell));
        assert!(
            res.body
                .lines()
                .any(|l| l.starts_with("Wijzer zonder passend aanbod") && l.ends_with(&line)),
            "{line} in {}",
            res.body
        );
        for l in res.body.lines().skip(1) {
            let n = l.rsplit(';').next().unwrap();
            assert!(!["1", "2", "3", "4"].contains(&n), "{l}");
        }
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_type.as_deref()),
            ("export", Some("tekorten"))
        );

        // A period that is no quarter or year: a Dutch error next to the field.
        let res = app.get("/tekorten?periode=gisteren", &beleid).await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Kies een kwartaal of een jaar uit de lijst."));
        let res = app.get("/tekorten.csv?periode=gisteren", &beleid).await;
        assert_eq!(res.status, 400);
    }
}

//! Commissioning on results through the pages, on both backends: beleid
//! writes a goal, a commission and its indicators (an activity count as a
//! paid indicator is refused with the seeds' reason, and nothing is written);
//! an end outcome reads "nog niet meetbaar" before its horizon; the provider
//! fills its report (Baken's figures prefilled) and submits; beleid asks a
//! question and accepts; the demo's settlement shows its basis; payments
//! export as CSV; a provider never sees another provider's commission.

use baken_store::commissioning as cm;
use baken_web::testing::{apps, TestApp};

async fn last_audit(app: &TestApp) -> baken_store::audit::AuditRow {
    app.audit_tail(1).await.remove(0)
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '#', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"))
}

#[tokio::test]
async fn beleid_commissions_on_results_and_an_activity_count_is_never_paid() {
    for app in apps(60).await {
        let beleid = app.login_as("beleid").await;
        let res = app
            .post_form(
                "/opdrachtgeverschap/doelen",
                &beleid,
                &[
                    ("tekst", "Minder eenzaamheid onder ouderen in Noord"),
                    ("baken", "2"),
                    ("wijk", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get("/opdrachtgeverschap", &beleid).await;
        assert!(page
            .body
            .contains("Minder eenzaamheid onder ouderen in Noord"));

        let mut tx = app.db.read().await.unwrap();
        let goal = cm::goals(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.text.contains("Noord"))
            .unwrap();
        let provider = baken_store::areas::providers(&mut tx).await.unwrap()[1].id;
        drop(tx);
        let goal_id = goal.id.to_string();
        let provider_id = provider.to_string();
        let res = app
            .post_form(
                "/opdrachtgeverschap/opdrachten",
                &beleid,
                &[
                    ("titel", "Samen tegen eenzaamheid 2026"),
                    ("soort", "subsidie"),
                    ("aanbieder", &provider_id),
                    ("doel", &goal_id),
                    ("van", "2026-01-01"),
                    ("tot", "2027-12-31"),
                    ("budget", "120.000,00"),
                    ("sturingsmodel", "partnerschap"),
                    ("uitvoeringsvariant", "prestatie"),
                    ("ketenpartners", "Wijkteam Noord\nHuisartsen Noord"),
                    ("vast_deel", "80"),
                    ("voorschotten", "4"),
                    ("plafond", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let location = res.location().unwrap().to_owned();
        let id = id_after(&location, "/opdrachtgeverschap/opdrachten/");
        let page = app.get(&location, &beleid).await;
        assert!(page.body.contains("Samen tegen eenzaamheid 2026"));
        assert!(page.body.contains("Huisartsen Noord"));
        // Four advances of the fixed share (80 % of € 120.000 in four parts).
        assert!(page.body.contains("€ 24.000,00"), "{}", page.body);
        assert_eq!(
            last_audit(&app).await.object_type.as_deref(),
            Some("commission")
        );

        // "Aantal activiteiten" with a target and a payment: refused with the
        // reason from the seeds; no indicator written; the refusal audited.
        let path = format!("/opdrachtgeverschap/opdrachten/{id}/indicatoren");
        let before = app.count_rows("cm_indicators").await;
        let res = app
            .post_form(
                &path,
                &beleid,
                &[
                    ("naam", "Aantal activiteiten in het buurthuis"),
                    (
                        "definitie",
                        "Het aantal activiteiten dat de aanbieder organiseert.",
                    ),
                    ("soort", "effect"),
                    ("horizon", ""),
                    ("bron", "aanbieder"),
                    ("gebruik", "betaald"),
                    ("nulmeting", "40"),
                    ("streefwaarde", "60"),
                    ("frequentie", "kwartaal"),
                    ("gewicht", "100"),
                    ("vanaf", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("mag alleen als context"), "{}", res.body);
        assert!(res.body.contains("niet op activiteitenniveau"));
        assert!(
            res.body.contains("Aantal activiteiten in het buurthuis"),
            "the form keeps the input"
        );
        assert_eq!(app.count_rows("cm_indicators").await, before);
        let refusal = last_audit(&app).await;
        assert_eq!(refusal.outcome, "denied");

        // The same count as context only is fine.
        let res = app
            .post_form(
                &path,
                &beleid,
                &[
                    ("naam", "Aantal activiteiten in het buurthuis"),
                    (
                        "definitie",
                        "Het aantal activiteiten dat de aanbieder organiseert.",
                    ),
                    ("soort", "effect"),
                    ("bron", "aanbieder"),
                    ("gebruik", "context"),
                    ("frequentie", "kwartaal"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);

        // An end outcome with a two-year horizon, and a paid effect.
        let res = app
            .post_form(
                &path,
                &beleid,
                &[
                    ("naam", "Niet binnen een jaar terug"),
                    (
                        "definitie",
                        "Huishoudens die na hun plan niet binnen een jaar terugkomen.",
                    ),
                    ("soort", "uitkomst"),
                    ("horizon", "24"),
                    ("bron", "terug_binnen_jaar"),
                    ("gebruik", "streefwaarde"),
                    ("nulmeting", "15"),
                    ("streefwaarde", "10"),
                    ("frequentie", "jaar"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let res = app
            .post_form(
                &path,
                &beleid,
                &[
                    ("naam", "Ouderen met meer contact"),
                    (
                        "definitie",
                        "Ouderen die na een half jaar zeggen dat ze vaker mensen zien.",
                    ),
                    ("soort", "effect"),
                    ("bron", "aanbieder"),
                    ("gebruik", "betaald"),
                    ("nulmeting", "40"),
                    ("streefwaarde", "60"),
                    ("frequentie", "jaar"),
                    ("gewicht", "100"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app
            .get(&format!("/opdrachtgeverschap/opdrachten/{id}"), &beleid)
            .await;
        assert!(
            page.body.contains("meetbaar na 24 maanden"),
            "{}",
            page.body
        );
        assert!(page.body.contains("100 % van het resultaatdeel"));

        // The year-end report of 2026 (the commission runs into 2027): the
        // two-year outcome is "nog niet meetbaar".
        let mut tx = app.db.begin().await.unwrap();
        let row = cm::commission(&mut tx, id).await.unwrap().unwrap();
        let cadence = cm::report_cadence(&cm::indicators(&mut tx, id).await.unwrap());
        let reports = cm::ensure_reports(
            &mut tx,
            &row,
            cadence,
            chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let report = reports.last().unwrap().id;
        let provider_user = provider_account(&app, provider).await;
        let aanbieder = app.login_as(&provider_user).await;
        let page = app
            .get(&format!("/aanbod/rapportages/{report}"), &aanbieder)
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("nog niet meetbaar (vanaf 01-01-2028)"),
            "{}",
            page.body
        );

        // Submitting without the reported figure and narrative is refused per field.
        let rows = cm::indicators(&mut app.db.read().await.unwrap(), id)
            .await
            .unwrap();
        let by_name = |name: &str| {
            rows.iter()
                .find(|i| i.current().indicator.name == name)
                .unwrap()
                .id
        };
        let reported = by_name("Ouderen met meer contact");
        // The context count is reported too, as context.
        let context = by_name("Aantal activiteiten in het buurthuis");
        let context_value = format!("waarde_{context}");
        let context_evidence = format!("bewijs_{context}");
        let res = app
            .post_form(
                &format!("/aanbod/rapportages/{report}"),
                &aanbieder,
                &[("actie", "indienen"), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Vul dit cijfer in voordat u indient."));
        assert!(res.body.contains("maatschappelijke effect was"));
        let value = format!("waarde_{reported}");
        let evidence = format!("bewijs_{reported}");
        let res = app
            .post_form(
                &format!("/aanbod/rapportages/{report}"),
                &aanbieder,
                &[
                    ("actie", "indienen"),
                    ("versie", "1"),
                    (&value, "52"),
                    (&evidence, "Enquête onder 80 deelnemers, december 2026"),
                    (&context_value, "48"),
                    (&context_evidence, "Agenda van het buurthuis"),
                    (
                        "verhaal",
                        "Ouderen in Noord zien elkaar vaker dankzij de maatjes en de inloop.",
                    ),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);

        // Beleid asks a question; the provider answers and submits again;
        // beleid accepts. The thread keeps every step.
        let review = format!("/opdrachtgeverschap/rapportages/{report}");
        let res = app
            .post_form(
                &review,
                &beleid,
                &[
                    ("actie", "vragen"),
                    ("tekst", "Hoe is de enquête gehouden?"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app
            .get(&format!("/aanbod/rapportages/{report}"), &aanbieder)
            .await;
        assert!(page.body.contains("Hoe is de enquête gehouden?"));
        let version = cm::report(&mut app.db.read().await.unwrap(), report)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string();
        let res = app
            .post_form(
                &format!("/aanbod/rapportages/{report}"),
                &aanbieder,
                &[
                    ("actie", "antwoorden"),
                    ("versie", &version),
                    ("antwoord", "Op papier, bij de inloop."),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let version = cm::report(&mut app.db.read().await.unwrap(), report)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string();
        let res = app
            .post_form(
                &format!("/aanbod/rapportages/{report}"),
                &aanbieder,
                &[
                    ("actie", "indienen"),
                    ("versie", &version),
                    (&value, "52"),
                    (&evidence, "Enquête onder 80 deelnemers, december 2026"),
                    (&context_value, "48"),
                    (&context_evidence, "Agenda van het buurthuis"),
                    (
                        "verhaal",
                        "Ouderen in Noord zien elkaar vaker dankzij de maatjes en de inloop.",
                    ),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let res = app
            .post_form(&review, &beleid, &[("actie", "accepteren"), ("tekst", "")])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get(&review, &beleid).await;
        // The history reads as sentences, not as status codes.
        for step in [
            "Ingediend door ",
            "Vraag van beleid (beleid): Hoe is de enquête gehouden?",
            "Antwoord van ",
            "Geaccepteerd door beleid (beleid)",
        ] {
            assert!(page.body.contains(step), "{step}: {}", page.body);
        }
        // An accepted report can no longer be changed by the provider.
        let res = app
            .post_form(
                &format!("/aanbod/rapportages/{report}"),
                &aanbieder,
                &[
                    ("actie", "opslaan"),
                    ("versie", &version),
                    ("verhaal", "later"),
                ],
            )
            .await;
        assert_ne!(res.status, 303);

        // A provider never sees another provider's commission or report.
        let demo_aanbieder = app.login_as("aanbieder").await;
        if provider_user != "aanbieder" {
            let res = app
                .get(&format!("/aanbod/opdrachten/{id}"), &demo_aanbieder)
                .await;
            assert_eq!(res.status, 404);
            let res = app
                .get(&format!("/aanbod/rapportages/{report}"), &demo_aanbieder)
                .await;
            assert_eq!(res.status, 404);
        }
    }
}

/// A provider's own account: the demo's `aanbieder` when it works for this
/// provider, otherwise a new one linked to it.
async fn provider_account(app: &TestApp, provider: i64) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let demo = baken_store::users::by_username(&mut tx, "aanbieder")
        .await
        .unwrap()
        .unwrap();
    if demo.provider_id == Some(provider) {
        return "aanbieder".into();
    }
    let name = format!("aanbieder{provider}");
    baken_store::users::create(
        &mut tx,
        &baken_store::users::NewUser {
            username: &baken_domain::Username::parse(&name).unwrap(),
            display_name: "Aanbieder",
            role: baken_domain::Role::Aanbieder,
            team_id: None,
            provider_id: Some(provider),
            household_id: None,
            password_hash: "x",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    name
}

#[tokio::test]
async fn the_demo_settlement_shows_its_basis_and_payments_export_as_csv() {
    for app in apps(60).await {
        let beleid = app.login_as("beleid").await;
        let page = app.get("/opdrachtgeverschap/opdrachten/1", &beleid).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Vaststelling na afloop"),
            "{}",
            page.body
        );
        assert!(page.body.contains("€ 400.000,00"));
        // 221 volunteers against 200 → 230: 70 % of the € 80.000 results share.
        assert!(page.body.contains("€ 56.000,00"), "{}", page.body);
        assert!(page.body.contains("€ 5.600,00") || page.body.contains("€ 376.000,00"));
        let payments = app.get("/opdrachtgeverschap/betalingen", &beleid).await;
        assert!(payments.body.contains("Vaststelling"));
        let before = app.audit_count().await;
        let csv = app.get("/opdrachtgeverschap/betalingen.csv", &beleid).await;
        assert_eq!(csv.status, 200);
        assert!(csv.body.contains("Voorschot"));
        assert!(csv.body.contains("Vaststelling"));
        assert!(csv.body.contains("80000,00"), "{}", csv.body);
        assert_eq!(app.audit_count().await, before + 1);
        // The provider sees its own commission, its payment and its scorecard.
        let aanbieder = app.login_as("aanbieder").await;
        let own = app.get("/aanbod/opdrachten/1", &aanbieder).await;
        assert_eq!(own.status, 200, "{}", own.body);
        assert!(own.body.contains("Resultaten van de aanbieder per wijk"));
        assert!(!own.body.contains("Vaststelling vastleggen"));
        // No person-level data on the commissioning pages: no BSN, no address.
        for body in [&page.body, &own.body] {
            assert!(!body.contains("/dossier/"));
            assert!(!body.contains("/huishoudens/"));
        }
    }
}

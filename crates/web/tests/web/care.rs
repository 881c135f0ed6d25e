//! Volunteer work and mantelzorg through the pages, on every backend: a bad
//! VOG date is refused with the field named and nothing written; the
//! consultant's views are audited; a placement needs a VOG valid on the start
//! day; a carer's heavy burden reaches the wijkteam only with consent.

use baken_web::testing::apps;

#[tokio::test]
async fn a_volunteer_keeps_a_profile_and_a_bad_vog_date_is_refused() {
    for app in apps(5).await {
        let who = app.login_as("vrijwilliger").await;
        let page = app.get("/vrijwilligerswerk", &who).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("VOG nog 21 dagen geldig"), "demo VOG");
        assert!(page.body.contains("Voorlezer op de basisschool"));
        let before = app.count_rows("vw_profiles").await;
        let refused = app
            .post_form(
                "/vrijwilligerswerk/profiel",
                &who,
                &[("naam", "Sanne"), ("vog_tot", "31-02-2027")],
            )
            .await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("id=\"vog_tot-fout\""));
        assert!(
            refused.body.contains("value=\"31-02-2027\""),
            "keeps what was typed"
        );
        let saved = app
            .post_form(
                "/vrijwilligerswerk/profiel",
                &who,
                &[
                    ("naam", "Sanne de Vries"),
                    ("vaardigheden", "koken, fietsen"),
                    ("beschikbaarheid", "avond"),
                    ("vog_tot", "31-12-2030"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303);
        assert_eq!(app.count_rows("vw_profiles").await, before);
        let page = app.get("/vrijwilligerswerk", &who).await;
        assert!(page.body.contains("VOG geldig"));
        assert!(page.body.contains("koken, fietsen"));
    }
}

#[tokio::test]
async fn the_consultant_places_only_with_a_vog_valid_on_the_start_day_and_is_audited() {
    for app in apps(5).await {
        let who = app.login_as("makelaar").await;
        let page = app.get("/servicepunt", &who).await;
        assert_eq!(page.status, 200);
        assert!(page
            .body
            .contains("Sanne de Vries voor Voorlezer op de basisschool"));
        let tail = app.audit_tail(3).await;
        assert!(tail
            .iter()
            .any(|e| e.object_type.as_deref() == Some("volunteer")));
        let id = page
            .body
            .split("action=\"/servicepunt/aanmeldingen/")
            .nth(1)
            .and_then(|s| s.split('#').next())
            .expect("a waiting application")
            .to_owned();
        let path = format!("/servicepunt/aanmeldingen/{id}");
        let late = app
            .post_form(
                &path,
                &who,
                &[("besluit", "plaatsen"), ("start", "01-01-2040")],
            )
            .await;
        assert_eq!(late.status, 400);
        assert!(late
            .body
            .contains("VOG nodig die op de startdatum nog geldig is"));
        let start = (baken_web::casework::today() + chrono::Duration::days(7))
            .format("%d-%m-%Y")
            .to_string();
        let placed = app
            .post_form(&path, &who, &[("besluit", "plaatsen"), ("start", &start)])
            .await;
        assert_eq!(placed.status, 303);
        let volunteer = app.login_as("vrijwilliger").await;
        let own = app.get("/vrijwilligerswerk", &volunteer).await;
        assert!(own.body.contains("Geplaatst"));
    }
}

#[tokio::test]
async fn a_heavy_burden_reaches_the_wijkteam_only_with_consent() {
    for app in apps(5).await {
        let who = app.login_as("inwoner").await;
        let page = app.get("/mantelzorg", &who).await;
        assert!(page.body.contains("Matig belast"), "the demo's check");
        let half = app
            .post_form("/mantelzorg/belasting", &who, &[("s1", "ja")])
            .await;
        assert_eq!(half.status, 400);
        assert!(half.body.contains("Kies bij uitspraak 2"));
        let all: Vec<(String, &str)> = (1..=9).map(|i| (format!("s{i}"), "ja!")).collect();
        let form: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let done = app.post_form("/mantelzorg/belasting", &who, &form).await;
        assert_eq!(done.status, 303);
        let page = app.get("/mantelzorg", &who).await;
        assert!(page.body.contains("Zwaar belast"));
        let signals = app.count_rows("cw_signals").await;
        let refused = app.post_form("/mantelzorg/signaal", &who, &[]).await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("id=\"toestemming-fout\""));
        assert_eq!(
            app.count_rows("cw_signals").await,
            signals,
            "nothing written"
        );
        let sent = app
            .post_form("/mantelzorg/signaal", &who, &[("toestemming", "1")])
            .await;
        assert_eq!(sent.status, 303);
        assert_eq!(app.count_rows("cw_signals").await, signals + 1);
        // The wijkteam sees it in triage.
        let generalist = app.login_as("generalist").await;
        let triage = app.get("/signalen", &generalist).await;
        assert!(triage.body.contains("Overbelaste mantelzorger"));
        // The waardering was applied for in the demo; the consultant grants it.
        let makelaar = app.login_as("makelaar").await;
        let consultant = app.get("/mantelzorgconsulent", &makelaar).await;
        assert!(consultant.body.contains("Fatima Amrani"));
        assert!(app
            .audit_tail(3)
            .await
            .iter()
            .any(|e| e.object_type.as_deref() == Some("carer")));
    }
}

#[tokio::test]
async fn a_generalist_registers_a_carer_from_the_network_only_with_consent() {
    for app in apps(5).await {
        let who = app.login_as("generalist").await;
        let dossier = app.get("/dossier/1", &who).await;
        assert_eq!(dossier.status, 200);
        assert!(
            dossier
                .body
                .contains("href=\"/huishoudens/1/mantelzorgers\""),
            "the dossier links to the household's carers"
        );
        let page = app.get("/huishoudens/1/mantelzorgers", &who).await;
        assert_eq!(page.status, 200);
        let before = app.count_rows("mz_carers").await;
        let form = [
            ("naam", "Piet Jansen"),
            ("wijk", ""),
            ("uren", "10"),
            ("relatie", "buur"),
            ("voor_wie", "de buurvrouw"),
        ];
        let refused = app
            .post_form("/huishoudens/1/mantelzorgers", &who, &form)
            .await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("id=\"toestemming-fout\""));
        assert_eq!(app.count_rows("mz_carers").await, before);
        let district = page
            .body
            .split("<option value=\"")
            .find_map(|o| o.split_once("\" selected>").map(|(v, _)| v.to_owned()))
            .expect("the household's district is chosen");
        let mut with = form.to_vec();
        with[1] = ("wijk", &district);
        with.push(("toestemming", "1"));
        let ok = app
            .post_form("/huishoudens/1/mantelzorgers", &who, &with)
            .await;
        assert_eq!(ok.status, 303);
        assert_eq!(app.count_rows("mz_carers").await, before + 1);
    }
}

#[tokio::test]
async fn beheer_sets_the_waardering_and_a_stale_form_gets_a_409() {
    use chrono::Datelike;
    for app in apps(5).await {
        let admin = app.login_as("beheerder").await;
        let page = app.get("/beheer/mantelzorg", &admin).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("standaardinstellingen"));
        let version = crate::helpers::first_between(&page.body, "name=\"versie\" value=\"", "\"")
            .unwrap()
            .to_owned();
        assert_eq!(version, "0");
        let next = (baken_web::support::time::today().year() + 1).to_string();
        let from = format!("{next}-03-01");
        let until = format!("{next}-04-30");
        // Bad input: each field named, nothing written.
        let before = app.count_rows("mz_settings").await;
        let bad = app
            .post_form(
                "/beheer/mantelzorg",
                &admin,
                &[
                    ("versie", "0"),
                    ("aan", "1"),
                    ("bedrag", "0"),
                    ("jaar", "twee"),
                    ("vanaf", &from),
                    ("tot", "morgen"),
                ],
            )
            .await;
        assert_eq!(bad.status, 400);
        for field in ["bedrag", "jaar", "tot"] {
            assert!(
                bad.body.contains(&format!("id=\"{field}-fout\"")),
                "{field}"
            );
        }
        assert_eq!(app.count_rows("mz_settings").await, before);
        let order = app
            .post_form(
                "/beheer/mantelzorg",
                &admin,
                &[
                    ("versie", "0"),
                    ("aan", "1"),
                    ("bedrag", "150"),
                    ("jaar", &next),
                    ("vanaf", &until),
                    ("tot", &from),
                ],
            )
            .await;
        assert_eq!(order.status, 400);
        assert!(order
            .body
            .contains("De laatste dag ligt vóór de eerste dag"));
        // A good form: saved, audited with old and new values.
        let good = [
            ("versie", "0"),
            ("aan", "1"),
            ("bedrag", "87,50"),
            ("jaar", next.as_str()),
            ("vanaf", from.as_str()),
            ("tot", until.as_str()),
        ];
        let ok = app.post_form("/beheer/mantelzorg", &admin, &good).await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let row = crate::helpers::last_audit_row(&app).await;
        assert!(
            row.detail.contains(&format!("aan 87,50 euro, jaar {next}")),
            "{}",
            row.detail
        );
        assert!(row.detail.contains("(was aan 100 euro"), "{}", row.detail);
        let shown = app.get("/beheer/mantelzorg", &admin).await.body;
        assert!(shown.contains("value=\"87,50\""));
        // The same form again, on the old version: 409, audited, nothing changed.
        let stale = app.post_form("/beheer/mantelzorg", &admin, &good).await;
        assert_eq!(stale.status, 409);
        assert!(stale
            .body
            .contains("Iemand anders heeft de mantelzorgwaardering intussen gewijzigd"));
        assert_eq!(
            crate::helpers::last_audit_row(&app).await.outcome,
            "conflict"
        );
        // A carer sees when she can apply, and applying now is refused.
        let carer = app.login_as("inwoner").await;
        let mine = app.get("/mantelzorg", &carer).await.body;
        assert!(mine.contains(&format!("Mantelzorgwaardering {next}")));
        assert!(
            mine.contains(&format!("Aanvragen kan van 01-03-{next}")),
            "{mine}"
        );
        let applications = app.count_rows("mz_waarderingen").await;
        let refused = app
            .post_form("/mantelzorg/waardering", &carer, &[("keuze", "cadeaubon")])
            .await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("id=\"keuze-fout\""));
        assert_eq!(app.count_rows("mz_waarderingen").await, applications);
        // Only the beheerder may change it.
        let makelaar = app.login_as("makelaar").await;
        assert_eq!(app.get("/beheer/mantelzorg", &makelaar).await.status, 403);
    }
}

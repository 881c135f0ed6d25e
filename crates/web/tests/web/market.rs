//! The buurtmarktplaats through the web app, on every backend: reporting a
//! message and the makelaar's moderation of it, an ask too big for neighbours
//! becoming a wijkteam signal (only with consent), the bridges from casework
//! (pointing a household to a listing, a step-2 agreement that refers to a
//! match, both on the resident's own plan), and the e-mail verification mail
//! over a real SMTP server.

use crate::helpers::{first_between, last_audit_row, user_id};
use crate::notifications::{smtp_python, smtp_settings, SmtpServer};
use baken_domain::market::{
    Area, CategoryName, Direction, DisplayName, Listing, ListingText, ListingTitle, NewListing,
    PartOfDay, Recurrence, Side,
};
use baken_domain::{DistrictCode, EmailAddress};
use baken_store::market::{self as mk, Proposal};
use baken_web::testing::{apps, apps_with, As, TestApp};
use baken_web::{MailSettings, WebConfig};

/// A demo account joins the marketplace (verified) and returns its participant.
async fn join(app: &TestApp, username: &str, name: &str) -> i64 {
    let user = user_id(app, username).await;
    let mut tx = app.db.begin().await.unwrap();
    let district =
        DistrictCode::parse(&baken_store::areas::districts(&mut tx).await.unwrap()[0].code)
            .unwrap();
    let id = mk::create_account_participant(
        &mut tx,
        user,
        &DisplayName::parse(name).unwrap(),
        &district,
        &EmailAddress::parse(&format!("{username}@proefstad.example")).unwrap(),
    )
    .await
    .unwrap();
    let token = mk::create_verification(&mut tx, id, 24).await.unwrap();
    mk::verify_email(&mut tx, &token).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// An ask of `participant` ("Boodschappen"), open, in their district.
async fn ask(app: &TestApp, participant: i64, title: &str, urgent: bool) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let category = mk::categories(&mut tx, true)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Boodschappen")
        .unwrap()
        .id;
    let district =
        DistrictCode::parse(&baken_store::areas::districts(&mut tx).await.unwrap()[0].code)
            .unwrap();
    let listing = Listing::new(
        NewListing {
            direction: Direction::Ask,
            category: CategoryName::parse("Boodschappen").unwrap(),
            title: ListingTitle::parse(title).unwrap(),
            text: ListingText::parse("Ik kan zelf niet meer naar de winkel.").unwrap(),
            area: Area::District(district),
            recurrence: Recurrence::Recurring,
            date: None,
            part_of_day: PartOfDay::Flexible,
            urgent,
            group: None,
        },
        baken_web::support::time::today(),
    )
    .unwrap();
    let by = user_id(app, "makelaar").await;
    let id = mk::create_listing(
        &mut tx,
        participant,
        category,
        &listing,
        by,
        baken_web::support::time::today(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// `responder` answers `listing` and its owner accepts: an accepted match.
async fn accepted_match(app: &TestApp, listing: i64, responder: i64) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let id = mk::propose(
        &mut tx,
        &Proposal {
            listing_id: listing,
            responder_id: responder,
            via_listing_id: None,
            proposed_by: Side::Offer,
            made_by_user_id: None,
        },
    )
    .await
    .unwrap();
    mk::accept(&mut tx, id, Side::Ask).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    let (n,): (i64,) = baken_store::with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_one(&mut *c)
        .await)
    .unwrap();
    n
}

#[tokio::test]
async fn a_participant_reports_a_message_and_the_makelaar_hides_it_with_a_reason() {
    for app in apps(10).await {
        let asker = join(&app, "inwoner", "Ria").await;
        let helper = join(&app, "vrijwilliger", "Sem").await;
        let listing = ask(&app, asker, "Boodschappen op zaterdag", false).await;
        let m = accepted_match(&app, listing, helper).await;
        let sem = app.login_as("vrijwilliger").await;
        let ria = app.login_as("inwoner").await;
        let path = format!("/buurtmarktplaats/koppeling/{m}");
        let res = app
            .post_form(
                &path,
                &sem,
                &[
                    ("actie", "bericht"),
                    (
                        "bericht",
                        "Koop je ook sigaretten voor mij, of anders geen hulp",
                    ),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get(&path, &ria).await.body;
        assert!(
            page.contains("Meld dit bericht"),
            "the other side may report it"
        );
        let msg = first_between(&page, "name=\"bericht\" value=\"", "\"")
            .unwrap()
            .to_owned();
        assert!(
            !app.get(&path, &sem).await.body.contains("Meld dit bericht"),
            "nobody reports their own message"
        );
        let report = format!("{path}/melden");
        // No reason: refused, naming the field, nothing written.
        let before = app.count_rows("mk_reports").await;
        let res = app
            .post_form(&report, &ria, &[("bericht", &msg), ("reden", " ")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Schrijf waarom u dit bericht meldt"));
        assert!(res.body.contains(&format!("id=\"reden-{msg}-fout\"")));
        assert_eq!(app.count_rows("mk_reports").await, before);
        // Someone outside the match cannot report it.
        let other = app.login_as("makelaar").await;
        let res = app
            .post_form(
                &report,
                &other,
                &[("bericht", &msg), ("reden", "Dit hoort hier niet")],
            )
            .await;
        assert_eq!(res.status, 404);
        let res = app
            .post_form(
                &report,
                &ria,
                &[("bericht", &msg), ("reden", "Hij vraagt iets wat niet mag")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), Some(&*format!("{path}?gemeld=1")));
        assert!(app
            .get(&format!("{path}?gemeld=1"), &ria)
            .await
            .body
            .contains("De makelaar bekijkt uw melding"));
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.object_type.as_deref(), Some("market_report"));
        assert!(entry
            .detail
            .contains(&format!("bericht {msg} in koppeling {m} gemeld")));
        // The makelaar's queue shows it as a message, and hides it with a reason.
        let queue = app.get("/makelaar", &other).await.body;
        assert!(
            queue.contains("Melding over een bericht: Koop je ook sigaretten"),
            "{queue}"
        );
        let report_id = first_between(&queue, "action=\"/makelaar/meldingen/", "\"")
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/makelaar/meldingen/{report_id}"),
                &other,
                &[
                    ("actie", "verbergen"),
                    ("reden", "Vraagt om tabak: past niet bij burenhulp"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(
            !app.get(&path, &ria).await.body.contains("sigaretten"),
            "hidden from both"
        );
        assert!(!app.get(&path, &sem).await.body.contains("sigaretten"));
        let entry = last_audit_row(&app).await;
        assert!(
            entry.detail.contains("Vraagt om tabak"),
            "the reason is audited"
        );
        assert!(!app
            .get("/makelaar", &other)
            .await
            .body
            .contains("Koop je ook sigaretten"));
    }
}

#[tokio::test]
async fn an_ask_too_big_for_neighbours_becomes_a_wijkteam_signal_only_with_consent() {
    for app in apps(10).await {
        let asker = join(&app, "inwoner", "Ria").await;
        let listing = ask(&app, asker, "Hulp met mijn post en schulden", true).await;
        let makelaar = app.login_as("makelaar").await;
        let path = format!("/makelaar/vragen/{listing}/wijkteam");
        let page = app.get(&path, &makelaar).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Doorzetten naar het wijkteam"));
        assert!(
            app.get("/makelaar", &makelaar).await.body.contains(&path),
            "the queue links to it"
        );
        let signals = app.count_rows("cw_signals").await;
        // Without consent: refused, the field named, nothing written.
        let form = [
            ("categorie", "schulden"),
            (
                "beschrijving",
                "Mevrouw heeft stapels onbetaalde rekeningen en is bang voor afsluiting.",
            ),
            ("telefoon", ""),
            ("toestemming", ""),
        ];
        let res = app.post_form(&path, &makelaar, &form).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Zonder toestemming van de deelnemer"));
        assert!(
            res.body.contains("stapels onbetaalde rekeningen"),
            "what was typed stays"
        );
        let res = app
            .post_form(
                &path,
                &makelaar,
                &[
                    ("categorie", "schulden"),
                    ("beschrijving", "kort"),
                    ("telefoon", "12"),
                    ("toestemming", "telefonisch"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("10 tot 2000 tekens"));
        assert!(res.body.contains("zoals 06 12345678"));
        assert_eq!(app.count_rows("cw_signals").await, signals);
        assert_eq!(app.count_rows("mk_escalations").await, 0);
        // With consent: a signal for the district's team, the ask closed.
        let mut form = form;
        form[3] = ("toestemming", "telefonisch");
        let res = app.post_form(&path, &makelaar, &form).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(app.count_rows("cw_signals").await, signals + 1);
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.object_type.as_deref(), Some("signal"));
        assert!(entry.detail.contains("met toestemming (telefonisch)"));
        let signal: i64 = entry.object_id.clone().unwrap().parse().unwrap();
        let page = app.get(&path, &makelaar).await.body;
        assert!(page.contains(&format!("signaal {signal}")), "{page}");
        let team_has_it = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM cw_signals s JOIN teams t ON t.id = s.team_id \
                 WHERE s.id = {signal} AND s.category = 'schulden' AND s.urgency = 'urgent' \
                 AND s.place LIKE 'wijk %via de buurtmarktplaats%'"
            ),
        )
        .await;
        assert_eq!(team_has_it, 1, "the district's team has an urgent signal");
        let for_district = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM cw_signals s JOIN teams t ON t.id = s.team_id \
                 JOIN mk_listings l ON l.district_code = t.district_code \
                 WHERE s.id = {signal} AND l.id = {listing} AND s.description LIKE '%stapels onbetaalde%'"
            ),
        )
        .await;
        assert_eq!(for_district, 1, "the team of the ask's district");
        // The ask is closed, and a second time is refused.
        let mut tx = app.db.read().await.unwrap();
        assert_eq!(
            mk::listing(&mut tx, listing).await.unwrap().unwrap().state,
            "gesloten"
        );
        drop(tx);
        let res = app.post_form(&path, &makelaar, &form).await;
        assert_eq!(res.status, 409);
        assert!(res.body.contains("al doorgezet"));
        assert_eq!(app.count_rows("cw_signals").await, signals + 1);
    }
}

#[tokio::test]
async fn a_generalist_points_a_household_and_a_step_two_agreement_refers_to_a_match() {
    for app in apps(10).await {
        // The demo inwoner lives in household 1, in the generalist's team.
        let resident = join(&app, "inwoner", "Ria").await;
        let neighbour = join(&app, "vrijwilliger", "Sem").await;
        let wanted = ask(&app, neighbour, "Wie leest voor op de basisschool", false).await;
        let gen = app.login_as("generalist").await;
        let hh = 1;
        let page_path = format!("/dossier/{hh}/buurtmarktplaats");
        let dossier = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        assert!(
            dossier.contains(&page_path),
            "the dossier links to the bridge"
        );
        let page = app
            .get(&format!("{page_path}?woorden=basisschool"), &gen)
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Wie leest voor op de basisschool"));
        let entry = last_audit_row(&app).await;
        assert_eq!(
            entry.object_id.as_deref(),
            Some("1"),
            "the view is audited on the household"
        );
        // Without consent nothing is written.
        let point = format!("{page_path}/wijzen");
        let w = wanted.to_string();
        let res = app
            .post_form(
                &point,
                &gen,
                &[
                    ("advertentie", &w),
                    ("toelichting", "Zij wil graag iets voor kinderen doen."),
                    ("toestemming", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Vraag de inwoner eerst om toestemming"));
        assert_eq!(app.count_rows("mk_pointers").await, 0);
        let res = app
            .post_form(
                &point,
                &gen,
                &[
                    ("advertentie", &w),
                    ("toelichting", "Zij wil graag iets voor kinderen doen."),
                    ("toestemming", "persoonlijk"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(last_audit_row(&app)
            .await
            .detail
            .contains(&format!("gewezen op vraag of aanbod {wanted}")));
        let res = app
            .post_form(
                &point,
                &gen,
                &[
                    ("advertentie", &w),
                    ("toelichting", "Nog een keer."),
                    ("toestemming", "persoonlijk"),
                ],
            )
            .await;
        assert_eq!(res.status, 400, "once per listing");
        // The resident sees the tip on the own plan.
        let inwoner = app.login_as("inwoner").await;
        let own = app.get("/mijn-plan", &inwoner).await.body;
        assert!(
            own.contains("Tips van uw contactpersoon op de buurtmarktplaats"),
            "{own}"
        );
        assert!(own.contains(&format!("/buurtmarktplaats/{wanted}")));
        assert!(own.contains("Zij wil graag iets voor kinderen doen."));

        // A step-2 agreement in the plan, then a match the resident made.
        let dossier = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        let plan = first_between(&dossier, "action=\"/plannen/", "/")
            .unwrap()
            .to_owned();
        let version = first_between(&dossier, "name=\"versie\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let goal = first_between(&dossier, "name=\"doel\"><option value=\"", "\"")
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/plannen/{plan}/afspraken"),
                &gen,
                &[
                    ("versie", &version),
                    ("doel", &goal),
                    ("wie_soort", "netwerk"),
                    ("wie", "Een buur via de buurtmarktplaats"),
                    ("wat", "Samen boodschappen doen"),
                    ("trede", "2"),
                    ("vorm", "faciliteren"),
                    ("start", &crate::helpers::day(0)),
                    ("einddatum", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = app.get(&page_path, &gen).await.body;
        assert!(
            page.contains("nog geen koppeling die beide kanten"),
            "no accepted match yet"
        );
        let own_ask = ask(&app, resident, "Boodschappen samen doen", false).await;
        let m = accepted_match(&app, own_ask, neighbour).await;
        let page = app.get(&page_path, &gen).await.body;
        let agreement = first_between(
            &page,
            "name=\"afspraak\"><option value=\"\">Kies…</option><option value=\"",
            "\"",
        )
        .unwrap()
        .to_owned();
        let link = format!("{page_path}/afspraak");
        let res = app
            .post_form(&link, &gen, &[("afspraak", &agreement), ("koppeling", "")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Kies een koppeling van dit huishouden"));
        assert_eq!(app.count_rows("mk_agreement_matches").await, 0);
        let res = app
            .post_form(
                &link,
                &gen,
                &[("afspraak", &agreement), ("koppeling", &m.to_string())],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(last_audit_row(&app)
            .await
            .detail
            .contains(&format!("verwijst naar koppeling {m}")));
        let own = app.get("/mijn-plan", &inwoner).await.body;
        assert!(
            own.contains("Via de buurtmarktplaats: &quot;Boodschappen samen doen&quot;")
                || own.contains("Via de buurtmarktplaats: \"Boodschappen samen doen\""),
            "{own}"
        );
        // An agreement refers to one match.
        let res = app
            .post_form(
                &link,
                &gen,
                &[("afspraak", &agreement), ("koppeling", &m.to_string())],
            )
            .await;
        assert_eq!(res.status, 400, "once per agreement");
    }
}

#[tokio::test]
async fn the_verification_mail_goes_over_real_smtp_and_its_link_verifies_once() {
    let Some(python) = smtp_python() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but aiosmtpd is missing: .ci/run installs it in ~/.cache/baken-smtp-venv"
        );
        eprintln!("skipped: no Python with aiosmtpd (set BAKEN_TEST_SMTP_PYTHON or run .ci/run)");
        return;
    };
    let server = SmtpServer::start(&python);
    let config = WebConfig {
        mail: Some(MailSettings {
            smtp: smtp_settings(server.port, baken_mail::SmtpTls::None, None),
            public_url: "https://baken.proefstad.example/".into(),
            every_secs: 3600,
        }),
        ..WebConfig::default()
    };
    let mut links = Vec::new();
    let apps = apps_with(5, config).await;
    for (i, app) in apps.iter().enumerate() {
        let email = format!("nieuwe.buur{i}@proefstad.example");
        let district = {
            let mut tx = app.db.read().await.unwrap();
            baken_store::areas::districts(&mut tx).await.unwrap()[0]
                .code
                .clone()
        };
        let res = app
            .post_form(
                "/buurtmarktplaats/aanmelden",
                &As::Anonymous,
                &[
                    ("email", &email),
                    ("naam", "Nieuwe Buur"),
                    ("wijk", &district),
                    ("wachtwoord", "lang-genoeg-wachtwoord-voor-de-buurt"),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            !res.body.contains("bevestigen?code="),
            "a real installation mails the link, it does not show it"
        );
        links.push((email, res));
    }
    // The body is quoted-printable: undo its soft line breaks and "=3D".
    let received = server
        .received()
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    for (i, app) in apps.iter().enumerate() {
        let email = &links[i].0;
        assert!(received.contains(&format!("To: {email}")), "{received}");
        let start = received.find(&format!("To: {email}")).unwrap();
        let link = first_between(
            &received[start..],
            "https://baken.proefstad.example/buurtmarktplaats/bevestigen?code=",
            "\n",
        )
        .unwrap()
        .trim()
        .to_owned();
        let path = format!("/buurtmarktplaats/bevestigen?code={link}");
        let res = app.get(&path, &As::Anonymous).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = app.get(&path, &As::Anonymous).await;
        assert_eq!(res.status, 400, "a link verifies once");
        let verified = count(
            app,
            &format!("SELECT COUNT(*) FROM mk_participants WHERE email = '{email}' AND email_verified = TRUE"),
        )
        .await;
        assert_eq!(verified, 1);
    }
}

#[tokio::test]
async fn the_market_api_lists_posts_and_suggests_and_names_every_bad_field() {
    for app in apps(10).await {
        let me = join(&app, "vrijwilliger", "Sem").await;
        let neighbour = join(&app, "inwoner", "Ria").await;
        ask(&app, neighbour, "Wie doet boodschappen voor mij", false).await;
        let token = app.token_for("vrijwilliger").await;
        let res = app.get("/api/v1/market/categories", &token).await;
        assert_eq!(res.status, 200);
        let cats: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let garden = cats["_embedded"]["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Boodschappen")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        // Bad input: every field named, nothing written.
        let before = app.count_rows("mk_listings").await;
        let res = app
            .post_json(
                "/api/v1/market/listings",
                &token,
                r#"{"direction":"misschien","categoryId":999999,"title":"x","recurrence":"soms","urgent":true}"#,
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert_eq!(res.content_type(), "application/problem+json");
        let problem: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let mut names: Vec<&str> = problem["invalidParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["categoryId", "direction", "recurrence", "title"]);
        let res = app
            .post_json("/api/v1/market/listings", &token, r#"{"direction":"aanbod","categoryId":1,"title":"Tuin","recurrence":"eenmalig","colour":"rood"}"#)
            .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("colour"),
            "an unknown field is named: {}",
            res.body
        );
        let res = app
            .post_json("/api/v1/market/listings", &token, r#"{"direction":"aanbod","categoryId":1,"title":"Een spoedaanbod","recurrence":"eenmalig","urgent":true}"#)
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("\"name\":\"urgent\""), "{}", res.body);
        assert_eq!(app.count_rows("mk_listings").await, before);
        // A good offer: 201, audited, and Ria's ask is suggested for it, with why.
        let body = format!(
            r#"{{"direction":"aanbod","categoryId":{garden},"title":"Ik doe boodschappen","text":"Ik ga elke week naar de winkel.","recurrence":"terugkerend"}}"#
        );
        let res = app
            .post_json("/api/v1/market/listings", &token, &body)
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let created: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["postedBy"], "Sem");
        assert_eq!(created["district"], serde_json::Value::Null);
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.object_id.as_deref(), Some(&*id.to_string()));
        let mut tx = app.db.read().await.unwrap();
        assert_eq!(
            mk::listing(&mut tx, id)
                .await
                .unwrap()
                .unwrap()
                .participant_id,
            me
        );
        drop(tx);
        let res = app
            .get(&format!("/api/v1/market/listings/{id}/suggestions"), &token)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let s: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let first = &s["_embedded"]["suggestions"][0];
        assert_eq!(first["listing"]["direction"], "vraag", "{s}");
        assert!(!first["reasons"].as_array().unwrap().is_empty());
        assert!(!res.body.contains('@'), "no contact detail in the API");
        // Lists: filtered and paged; a bad filter is named.
        let res = app
            .get(
                "/api/v1/market/listings?direction=aanbod&pageSize=2",
                &token,
            )
            .await;
        assert_eq!(res.status, 200);
        let list: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let items = list["_embedded"]["listings"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|l| l["direction"] == "aanbod"));
        assert_eq!(list["page"]["size"], 2);
        for (query, name) in [
            ("direction=later", "direction"),
            ("urgent=ja", "urgent"),
            ("kleur=rood", "kleur"),
            ("pageSize=0", "pageSize"),
        ] {
            let res = app
                .get(&format!("/api/v1/market/listings?{query}"), &token)
                .await;
            assert_eq!(res.status, 400, "{query}");
            assert!(
                res.body.contains(&format!("\"name\":\"{name}\"")),
                "{query}: {}",
                res.body
            );
        }
        // Someone else's listing has no suggestions for me; a generalist has no marketplace.
        let other = app.token_for("inwoner").await;
        let res = app
            .get(&format!("/api/v1/market/listings/{id}/suggestions"), &other)
            .await;
        assert_eq!(res.status, 404);
        let gen = app.token_for("generalist").await;
        let res = app.get("/api/v1/market/listings", &gen).await;
        assert_eq!(res.status, 403);
        assert_eq!(res.content_type(), "application/problem+json");
    }
}

/// The rows of the table whose region has this label: the text of each
/// `th` and `td`, in order.
fn table_rows(body: &str, label: &str) -> Vec<Vec<String>> {
    let table = first_between(body, &format!("aria-label=\"{label}\""), "</table>")
        .unwrap_or_else(|| panic!("no table {label}"));
    let rows = table.split("<tbody>").nth(1).unwrap_or("");
    rows.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split('<')
                .filter(|piece| piece.starts_with("th") || piece.starts_with("td"))
                .filter_map(|piece| piece.split_once('>').map(|(_, text)| text.to_owned()))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn market_and_care_figures_are_the_cell_key_of_the_true_records() {
    use baken_domain::care_figures::{self, CareFacts};
    use baken_domain::market::figures::{publish, Month};
    use baken_web::support::time::today;
    for app in apps(10).await {
        // A small cell: one ask in a district of its own category.
        let asker = join(&app, "inwoner", "Ria").await;
        ask(&app, asker, "Boodschappen op maandag", true).await;
        let beleid = app.login_as("beleid").await;
        let page = app.get("/buurtmarktplaats/cijfers", &beleid).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let mut tx = app.db.read().await.unwrap();
        let facts = mk::figures(&mut tx).await.unwrap();
        let secret = baken_store::commissioning::cell_key_secret(&mut tx)
            .await
            .unwrap();
        let (active, placements) = baken_store::volunteers::figure_facts(&mut tx, today())
            .await
            .unwrap();
        let year = chrono::Datelike::year(&today());
        let (carers, waarderingen) = baken_store::carers::figure_facts(&mut tx, year)
            .await
            .unwrap();
        let districts: Vec<String> = baken_store::areas::districts(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        drop(tx);
        let want = publish(
            &baken_web::market::figures::facts(&facts),
            &secret,
            Month::of(today()),
        );
        let shown = |label: &str| table_rows(&page.body, label);
        let pairs = |rows: &[baken_domain::market::figures::PairRow]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| vec![r.key.clone(), r.asks.to_string(), r.offers.to_string()])
                .collect()
        };
        let counts = |rows: &[baken_domain::market::figures::CountRow]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| vec![r.key.clone(), r.count.to_string()])
                .collect()
        };
        assert_eq!(
            shown("Vragen en aanbod per wijk"),
            pairs(&want.per_district)
        );
        assert_eq!(
            shown("Vragen en aanbod per soort hulp"),
            pairs(&want.per_category)
        );
        assert_eq!(
            shown("Koppelingen per wijk"),
            counts(&want.matches_per_district)
        );
        assert_eq!(
            shown("Koppelingen per soort hulp"),
            counts(&want.matches_per_category)
        );
        assert_eq!(shown("Nieuwe deelnemers per maand"), counts(&want.months));
        assert!(page.body.contains(&format!(
            "<dt>Deelnemers</dt><dd>{}</dd>",
            want.participants
        )));
        // The rule on the true counts: a cell of 1–4 records is published as 0.
        let urgent_district = &facts
            .listings
            .iter()
            .find(|l| l.1 == "Boodschappen")
            .unwrap()
            .2;
        let true_matches = facts
            .matches
            .iter()
            .filter(|m| &m.2 == urgent_district)
            .count();
        let row = want
            .matches_per_district
            .iter()
            .find(|r| &r.key == urgent_district);
        if (1..=4).contains(&true_matches) {
            assert_eq!(row.unwrap().count.value(), 0);
        }
        // Volunteers and carers per district, the same way.
        let care = care_figures::publish(
            &CareFacts {
                active_volunteers: active,
                placements,
                carers,
                waarderingen,
            },
            &secret,
            &districts,
            year,
        );
        let vol: Vec<Vec<String>> = care
            .volunteers
            .iter()
            .map(|r| {
                vec![
                    r.key.clone(),
                    r.active.to_string(),
                    r.placements.to_string(),
                ]
            })
            .collect();
        assert_eq!(shown("Vrijwilligers per wijk"), vol);
        let car: Vec<Vec<String>> = care
            .carers
            .iter()
            .map(|r| {
                [
                    &r.key,
                    &r.registered.to_string(),
                    &r.light.to_string(),
                    &r.moderate.to_string(),
                    &r.heavy.to_string(),
                    &r.waarderingen.to_string(),
                ]
                .iter()
                .map(|s| s.to_string())
                .collect()
            })
            .collect();
        assert_eq!(shown("Mantelzorgers per wijk"), car);
        // No published cell is 1–4, anywhere on the page.
        for cell in page.body.split("<td>").skip(1) {
            let text = cell.split('<').next().unwrap_or("");
            if let Ok(n) = text.trim().parse::<u64>() {
                assert!(!(1..=4).contains(&n), "a cell shows {n}");
            }
        }
        // The makelaar sees the same page; a vrijwilliger does not.
        let makelaar = app.login_as("makelaar").await;
        assert_eq!(
            app.get("/buurtmarktplaats/cijfers", &makelaar).await.status,
            200
        );
        let vrijwilliger = app.login_as("vrijwilliger").await;
        assert_eq!(
            app.get("/buurtmarktplaats/cijfers", &vrijwilliger)
                .await
                .status,
            403
        );
    }
}

#[tokio::test]
async fn a_makelaar_reports_a_message_on_a_proxy_participants_behalf_audited() {
    for app in apps(5).await {
        // A proxy participant's ask, answered by a volunteer who writes to her.
        let makelaar_id = user_id(&app, "makelaar").await;
        let mut tx = app.db.begin().await.unwrap();
        let district =
            DistrictCode::parse(&baken_store::areas::districts(&mut tx).await.unwrap()[0].code)
                .unwrap();
        let proxy = mk::create_proxy(
            &mut tx,
            makelaar_id,
            &DisplayName::parse("Mevrouw Smit").unwrap(),
            &district,
            true,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let helper = join(&app, "vrijwilliger", "Sem").await;
        let listing = ask(&app, proxy, "Boodschappen voor mevrouw", true).await;
        let m = accepted_match(&app, listing, helper).await;
        let mut tx = app.db.begin().await.unwrap();
        let msg = mk::send_message(&mut tx, m, helper, "Geef me eerst uw pincode")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let makelaar = app.login_as("makelaar").await;
        let page = app
            .get(
                &format!("/makelaar/koppeling/{m}?namens={proxy}"),
                &makelaar,
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Waarom meldt Mevrouw Smit dit bericht?"));
        assert!(page.body.contains(&format!(
            "<input type=\"hidden\" name=\"namens\" value=\"{proxy}\">"
        )));
        let path = format!("/makelaar/koppeling/{m}/melden");
        let proxy_s = proxy.to_string();
        let msg_s = msg.to_string();
        // No reason: refused, naming the field, nothing written.
        let before = app.count_rows("mk_reports").await;
        let refused = app
            .post_form(
                &path,
                &makelaar,
                &[("namens", &proxy_s), ("bericht", &msg_s), ("reden", "")],
            )
            .await;
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains(&format!("id=\"reden-{msg}-fout\"")));
        assert_eq!(app.count_rows("mk_reports").await, before);
        // Her own message cannot be reported for her; nor for someone not in the match.
        let not_hers = app
            .post_form(
                &path,
                &makelaar,
                &[
                    ("namens", &helper.to_string()),
                    ("bericht", &msg_s),
                    ("reden", "Vraagt om een pincode"),
                ],
            )
            .await;
        assert_eq!(not_hers.status, 404, "the helper has an account: no proxy");
        let ok = app
            .post_form(
                &path,
                &makelaar,
                &[
                    ("namens", &proxy_s),
                    ("bericht", &msg_s),
                    ("reden", "Vraagt om een pincode"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(app.count_rows("mk_reports").await, before + 1);
        let row = last_audit_row(&app).await;
        assert_eq!(row.username.as_deref(), Some("makelaar"));
        assert!(
            row.detail
                .contains(&format!("gemeld namens deelnemer {proxy}")),
            "{}",
            row.detail
        );
        // The proxy's data read is audited too.
        assert!(
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE detail LIKE 'deelnemer via de makelaar: koppeling%'"
            )
            .await
                >= 2
        );
        // The report lands in the makelaar's queue.
        let queue = app.get("/makelaar", &makelaar).await.body;
        assert!(
            queue.contains("Vraagt om een pincode"),
            "the report is queued"
        );
        // A vrijwilliger cannot use the makelaar's route.
        let sem = app.login_as("vrijwilliger").await;
        let forbidden = app
            .post_form(
                &path,
                &sem,
                &[
                    ("namens", &proxy_s),
                    ("bericht", &msg_s),
                    ("reden", "Vraagt om een pincode"),
                ],
            )
            .await;
        assert_eq!(forbidden.status, 403);
    }
}

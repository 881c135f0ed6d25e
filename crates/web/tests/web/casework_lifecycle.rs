//! What happens to casework after it starts, on every backend: a signal is
//! closed with a reason, the contact person is handed over from the dossier,
//! an agreement entered by mistake lapses ("vervallen"), and what the
//! resident reads about it all (their plan, who looked and why).

use crate::helpers::{
    first_between, id_in_action, last_audit, last_audit_of, second_generalist, user_id,
};
use baken_web::testing::{apps, As, TestApp};

/// The postcode and number of household 1, from its dossier.
fn address_of(dossier: &str) -> (String, String) {
    let dd = first_between(dossier, "<dd>", "</dd>").unwrap();
    let (street, rest) = dd.split_once(", ").unwrap();
    let postcode = rest.split_whitespace().next().unwrap().to_owned();
    let number: String = street
        .split_whitespace()
        .last()
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (postcode, number)
}

/// Reports a signal about household 1 and returns its id.
async fn report_about_household_one(app: &TestApp, who: &As, description: &str) -> String {
    let dossier = app.get("/dossier/1", who).await.body;
    let (postcode, number) = address_of(&dossier);
    let res = app
        .post_form(
            "/signalen/nieuw",
            who,
            &[
                ("postcode", &postcode),
                ("huisnummer", &number),
                ("categorie", "schulden"),
                ("urgentie", "urgent"),
                ("omschrijving", description),
                ("bron", "Woningcorporatie"),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let triage = app.get("/signalen", who).await.body;
    first_between(&triage, description, "/sluiten")
        .and_then(|s| s.rsplit("/signalen/").next())
        .expect("the signal with a close form")
        .to_owned()
}

#[tokio::test]
async fn a_signal_is_closed_with_a_reason_and_then_nothing_more_is_done_on_it() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let sid = report_about_household_one(&app, &gen, "Huurachterstand van drie maanden").await;
        let close = format!("/signalen/{sid}/sluiten");
        // Without a reason: refused in Dutch next to the signal, nothing closed.
        let res = app.post_form(&close, &gen, &[("reden", "  ")]).await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(res
            .body
            .contains("Schrijf op waarom het signaal gesloten wordt"));
        assert!(res.body.contains(&format!("id=\"sluiten_{sid}-fout\"")));
        let (action, outcome, object, detail) = last_audit_of(&app, "update").await;
        assert_eq!((action.as_str(), outcome.as_str()), ("update", "failed"));
        assert_eq!(
            object.as_deref(),
            Some(sid.as_str()),
            "on the unlinked signal"
        );
        assert!(
            detail.contains("geweigerd: Schrijf op waarom"),
            "Dutch: {detail}"
        );
        // With a reason: closed, confirmed, audited.
        let res = app
            .post_form(&close, &gen, &[("reden", "Dubbele melding, loopt al")])
            .await;
        assert_eq!(
            res.location(),
            Some("/signalen?opgeslagen=gesloten"),
            "{}",
            res.body
        );
        let (action, outcome, _, detail) = last_audit(&app).await;
        assert_eq!((action.as_str(), outcome.as_str()), ("update", "success"));
        assert!(detail.contains("gesloten"), "{detail}");
        let page = app.get("/signalen?opgeslagen=gesloten", &gen).await.body;
        assert!(page.contains("Het signaal is gesloten."));
        let closed_table = first_between(&page, "<h2>Gesloten signalen</h2>", "</table>").unwrap();
        assert!(closed_table.contains("Dubbele melding, loopt al"));
        // Counted as closed, and the filter shows it.
        let counts = first_between(&page, "Aantal signalen per stand", "</ul>").unwrap();
        assert!(counts.contains("gesloten"), "{counts}");
        let only_closed = app.get("/signalen?stand=gesloten", &gen).await.body;
        assert!(only_closed.contains("Huurachterstand van drie maanden"));
        let open = first_between(&only_closed, "<h2>Open signalen</h2>", "<h2>").unwrap();
        assert!(!open.contains("Huurachterstand"), "not among the open ones");
        // A closed signal is not triaged, and not closed twice.
        let res = app
            .post_form(
                &format!("/signalen/{sid}/toewijzen"),
                &gen,
                &[("huishouden", "1"), ("generalist", "")],
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(res.body.contains("Dit signaal is gesloten"));
        let res = app.post_form(&close, &gen, &[("reden", "Nog eens")]).await;
        assert_eq!(res.status, 400);
        // The API says so too.
        let token = app.token_for("generalist").await;
        let api = app.get("/api/v1/signals?pageSize=100", &token).await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let signal = json["_embedded"]["signals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid.parse::<i64>().unwrap())
            .expect("the signal in the API");
        assert_eq!(signal["closedReason"], "Dubbele melding, loopt al");
        assert_eq!(signal["overdue"], false);
    }
}

#[tokio::test]
async fn the_contact_person_or_the_team_lead_hands_a_household_over_from_the_dossier() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let lead = app.login_as("teamleider").await;
        let resident = app.login_as("inwoner").await;
        let second = second_generalist(&app).await;
        let colleague = app.login_as("tweede.generalist").await;
        let dossier = app.get("/dossier/1", &gen).await.body;
        let contact = first_between(&dossier, "<dt>Contactpersoon</dt><dd>", "<")
            .unwrap()
            .to_owned();
        // The contact person sees the form; the colleague does not, and may not.
        assert!(dossier.contains("action=\"/dossier/1/overdragen#contactpersoon\""));
        let theirs = app.get("/dossier/1", &colleague).await.body;
        assert!(!theirs.contains("/overdragen"));
        let second_id = second.to_string();
        let res = app
            .post_form(
                "/dossier/1/overdragen",
                &colleague,
                &[
                    ("ov_generalist", &second_id),
                    ("ov_reden", "Ik neem het over"),
                ],
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(res
            .body
            .contains("Alleen de teamleider of de contactpersoon zelf"));
        // Without a reason: refused next to the reason.
        let res = app
            .post_form(
                "/dossier/1/overdragen",
                &gen,
                &[("ov_generalist", &second_id), ("ov_reden", "")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"ov_reden-fout\""), "{}", res.body);
        // Someone outside the team: refused.
        let beheerder = user_id(&app, "beheerder").await.to_string();
        let res = app
            .post_form(
                "/dossier/1/overdragen",
                &gen,
                &[("ov_generalist", &beheerder), ("ov_reden", "Vakantie")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Kies een generalist uit het team"));
        // The contact person hands over, with a reason.
        let res = app
            .post_form(
                "/dossier/1/overdragen",
                &gen,
                &[
                    ("ov_generalist", &second_id),
                    ("ov_reden", "Verlof tot maart"),
                ],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/dossier/1?opgeslagen=contactpersoon#contactpersoon"),
            "{}",
            res.body
        );
        let (action, outcome, object, detail) = last_audit(&app).await;
        assert_eq!((action.as_str(), outcome.as_str()), ("update", "success"));
        assert_eq!(object.as_deref(), Some("1"));
        assert!(detail.contains("vanuit het dossier"), "{detail}");
        let dossier = app.get("/dossier/1", &gen).await.body;
        assert!(dossier.contains("<dt>Contactpersoon</dt><dd>Tweede Generalist"));
        assert!(dossier.contains("Verlof tot maart"));
        assert!(
            !dossier.contains("/overdragen"),
            "no longer the contact person"
        );
        // Recorded like a hand-over at triage.
        assert_eq!(app.count_rows("cw_handovers").await, 1);
        // The new contact person is told; the resident sees the change.
        let told = app.get("/meldingen", &colleague).await.body;
        assert!(told.contains("U bent de nieuwe contactpersoon van een huishouden."));
        let own = app.get("/mijn-plan", &resident).await.body;
        assert!(
            own.contains("Uw contactpersoon is <strong>Tweede Generalist</strong>"),
            "{own}"
        );
        assert!(own.contains(&format!("(daarvoor was dat {contact})")));
        // The team lead may always hand over, back to the first.
        let first = user_id(&app, "generalist").await.to_string();
        let res = app
            .post_form(
                "/dossier/1/overdragen",
                &lead,
                &[("ov_generalist", &first), ("ov_reden", "Terug van verlof")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(app.count_rows("cw_handovers").await, 2);
    }
}

#[tokio::test]
async fn an_agreement_entered_by_mistake_lapses_with_a_reason_on_the_timeline() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let dossier = app.get("/dossier/1", &gen).await.body;
        let agreement = first_between(&dossier, "<label for=\"vervallen_", "\"")
            .expect("a lapse form per running agreement")
            .to_owned();
        let plan = id_in_action(&dossier, "/plannen/", "/afspraak-vervallen").unwrap();
        let version = first_between(&dossier, "name=\"versie\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let url = format!("/plannen/{plan}/afspraak-vervallen");
        let res = app
            .post_form(
                &url,
                &gen,
                &[
                    ("versie", &version),
                    ("afspraak", &agreement),
                    ("reden", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(res
            .body
            .contains(&format!("id=\"vervallen_{agreement}-fout\"")));
        assert!(res.body.contains("Schrijf op waarom de afspraak vervalt"));
        let res = app
            .post_form(
                &url,
                &gen,
                &[
                    ("versie", &version),
                    ("afspraak", &agreement),
                    ("reden", "Dubbel ingevoerd"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let (action, outcome, _, detail) = last_audit(&app).await;
        assert_eq!((action.as_str(), outcome.as_str()), ("update", "success"));
        assert!(detail.contains("vervallen"), "{detail}");
        let dossier = app.get("/dossier/1", &gen).await.body;
        // In the table, in the timeline, and in the plan's history.
        assert!(dossier.contains("vervallen "), "status");
        let timeline = first_between(&dossier, "<ol class=\"timeline\">", "</ol>").unwrap();
        assert!(timeline.contains("Afspraak vervallen"), "{timeline}");
        assert!(timeline.contains("Dubbel ingevoerd"));
        assert!(dossier.contains(&format!("afspraak {agreement} vervallen: Dubbel ingevoerd")));
        assert!(!dossier.contains(&format!("<label for=\"vervallen_{agreement}\"")));
    }
}

#[tokio::test]
async fn the_resident_reads_who_looked_why_and_how_to_reach_the_team_and_the_privacy_contact() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let beheerder = app.login_as("beheerder").await;
        let resident = app.login_as("inwoner").await;
        // The beheerder gives the team a phone number and an e-mail address.
        // The resident's own team, by the name their plan shows.
        let own = app.get("/mijn-plan", &resident).await.body;
        let team_name = first_between(&own, "<dt>Uw wijkteam</dt><dd>", "<")
            .unwrap()
            .to_owned();
        let team = app.get("/beheer/teams", &beheerder).await.body;
        let team_id = team
            .split(&format!("\">{team_name}</a>"))
            .next()
            .and_then(|before| before.rsplit("href=\"/beheer/teams/").next())
            .unwrap()
            .to_owned();
        let form = app
            .get(&format!("/beheer/teams/{team_id}"), &beheerder)
            .await
            .body;
        let name = first_between(&form, "name=\"naam\" type=\"text\" value=\"", "\"")
            .unwrap()
            .to_owned();
        let version = first_between(&form, "name=\"versie\" value=\"", "\"")
            .unwrap()
            .to_owned();
        // The selected district: `<option value="WK…" selected>`.
        let district_code = form
            .split("\" selected>")
            .next()
            .and_then(|before| before.rsplit("value=\"").next())
            .unwrap_or_default()
            .to_owned();
        let save = |telefoon: &'static str, email: &'static str| {
            let form = [
                ("naam", name.clone()),
                ("wijk", district_code.clone()),
                ("actief", "ja".to_owned()),
                ("telefoon", telefoon.to_owned()),
                ("email", email.to_owned()),
                ("versie", version.clone()),
            ];
            let (app, beheerder, url) = (&app, &beheerder, format!("/beheer/teams/{team_id}"));
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form(&url, beheerder, &form).await
            }
        };
        let bad = save("bel me", "").await;
        assert_eq!(bad.status, 400, "{}", bad.body);
        assert!(bad.body.contains("Vul een Nederlands telefoonnummer in"));
        let res = save("020 123 4567", "wijkteam@proefstad.example").await;
        assert_eq!(res.status, 303, "{}", res.body);
        // The resident's plan: the team's phone and e-mail, the next
        // evaluation, and their own part once.
        let own = app.get("/mijn-plan", &resident).await.body;
        assert!(own.contains("href=\"tel:+31201234567\""), "{own}");
        assert!(own.contains("wijkteam@proefstad.example"));
        assert!(own.contains("<dt>Volgende evaluatie</dt>"));
        assert!(own.contains("<h2>Wat u zelf doet</h2>"));
        assert!(
            !own.contains("Wat u zelf doet:"),
            "not under every agreement"
        );
        // Their household: neighbourhood and district by name, not CBS code.
        let household = app.get("/mijn-huishouden", &resident).await.body;
        let buurt = first_between(&household, "<dt>Buurt</dt><dd>", "</dd>").unwrap();
        assert!(!buurt.starts_with("BU"), "{buurt}");
        // The generalist reads the dossier; the resident sees who, from
        // which organisation, why, in Dutch time, and whom to ask.
        assert_eq!(app.get("/dossier/1", &gen).await.status, 200);
        let log = app.get("/mijn-huishouden/inzage", &resident).await.body;
        let row = first_between(&log, "<tbody>", "</tr>").unwrap();
        assert!(row.contains("Wijkteam"), "the organisation: {row}");
        assert!(row.contains(", generalist ("), "the role: {row}");
        assert!(row.contains("voor uw plan"), "why: {row}");
        let when = first_between(row, "data-label=\"Wanneer\">", "<").unwrap();
        assert_eq!(when.len(), "07-12-2026 09:15".len(), "{when}");
        assert!(log.contains(baken_web::DEFAULT_PRIVACY_CONTACT));
    }
}

#[tokio::test]
async fn the_beheer_audit_page_shows_dutch_local_time() {
    for app in apps(20).await {
        let beheerder = app.login_as("beheerder").await;
        // Something on the log first: a generalist reads a dossier.
        let gen = app.login_as("generalist").await;
        assert_eq!(app.get("/dossier/1", &gen).await.status, 200);
        let page = app.get("/beheer/audit", &beheerder).await.body;
        assert!(page.contains("Wanneer (Nederlandse tijd)"));
        // The entries on the page are shown in Amsterdam time, not UTC.
        let shown: Vec<String> = app
            .audit_tail(5)
            .await
            .iter()
            .map(|e| {
                baken_web::nl_local(e.at)
                    .format("%d-%m-%Y %H:%M:%S")
                    .to_string()
            })
            .collect();
        assert!(shown.iter().any(|at| page.contains(at)), "{shown:?}");
        assert!(!page.contains("(UTC)"));
    }
}

#[tokio::test]
async fn a_neighbour_finds_the_address_by_street_and_number_and_may_leave_a_number() {
    for app in apps(30).await {
        let gen = app.login_as("generalist").await;
        let anon = As::Anonymous;
        // Household 1's street and number, as a neighbour knows them.
        let dossier = app.get("/dossier/1", &gen).await.body;
        let dd = first_between(&dossier, "<dd>", "</dd>").unwrap().to_owned();
        let street_and_number = dd.split(", ").next().unwrap().to_owned();
        let (street, number) = street_and_number.rsplit_once(' ').unwrap();
        let number: String = number.chars().take_while(|c| c.is_ascii_digit()).collect();
        // Only the public categories are offered.
        let page = app.get("/zorgmelding", &anon).await.body;
        assert!(!page.contains("value=\"hulpvraag\""));
        assert!(page.contains("Adres zoeken"));
        // Looking up: the address only, never who lives there.
        let found = app
            .post_form(
                "/zorgmelding",
                &anon,
                &[
                    ("straat", &street.to_lowercase()),
                    ("huisnummer", &number),
                    ("zoek", "ja"),
                ],
            )
            .await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert!(found.body.contains("Kies het adres"));
        assert!(found.body.contains(street), "{}", found.body);
        let names = {
            let mut tx = app.db.read().await.unwrap();
            baken_store::households::residents(&mut tx, 1)
                .await
                .unwrap()
        };
        for r in &names {
            assert!(
                !found.body.contains(&r.surname),
                "no names on the public page"
            );
        }
        let (action, outcome, object, detail) = last_audit(&app).await;
        assert_eq!(
            (action.as_str(), outcome.as_str(), object),
            ("search", "success", None)
        );
        assert!(detail.contains("adres opgezocht"), "{detail}");
        let key = first_between(&found.body, "name=\"adres\" type=\"radio\" value=\"", "\"")
            .unwrap()
            .to_owned();
        // An address that does not exist is said plainly.
        let unknown = app
            .post_form(
                "/zorgmelding",
                &anon,
                &[
                    ("straat", "Nergensstraat"),
                    ("huisnummer", "999"),
                    ("zoek", "ja"),
                ],
            )
            .await;
        assert!(unknown.body.contains("Dit adres kennen we niet"));
        // A made-up choice is refused; the wijzer's category too.
        let report = |adres: &str, categorie: &str, telefoon: &str| {
            let (adres, categorie, telefoon) =
                (adres.to_owned(), categorie.to_owned(), telefoon.to_owned());
            let (street, number) = (street.to_owned(), number.clone());
            let app = &app;
            async move {
                app.post_form(
                    "/zorgmelding",
                    &As::Anonymous,
                    &[
                        ("straat", &street),
                        ("huisnummer", &number),
                        ("adres", &adres),
                        ("categorie", &categorie),
                        ("urgentie", "normaal"),
                        ("omschrijving", "De post stapelt zich op achter de deur."),
                        ("telefoon", &telefoon),
                    ],
                )
                .await
            }
        };
        let res = report("1011AA|999||", "eenzaamheid", "").await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Dit adres kennen we niet"));
        let res = report(&key, "hulpvraag", "").await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Kies waar de zorg over gaat"));
        let res = report(&key, "eenzaamheid", "bel me").await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Vul een Nederlands telefoonnummer in"));
        // Reported with a number for a call-back: a reference to quote.
        let res = report(&key, "eenzaamheid", "06 1234 5678").await;
        assert_eq!(res.status, 200, "{}", res.body);
        let reference = first_between(&res.body, "Uw meldnummer is <strong>ZM-", "<")
            .unwrap()
            .to_owned();
        assert!(!res.body.contains("06 1234 5678"), "nothing shown back");
        // The team sees the number on the card; closing the signal erases it.
        let triage = app.get("/signalen", &gen).await.body;
        assert!(triage.contains("De melder wil teruggebeld worden: <strong>06 1234 5678</strong>"));
        let res = app
            .post_form(
                &format!("/signalen/{reference}/sluiten"),
                &gen,
                &[("reden", "Buren hebben contact gelegd, gaat goed")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let signal = {
            let mut tx = app.db.read().await.unwrap();
            baken_store::casework::signal(&mut tx, reference.parse().unwrap())
                .await
                .unwrap()
                .unwrap()
        };
        assert_eq!(
            signal.callback_phone, None,
            "kept no longer than the signal"
        );
        assert_eq!(signal.house_number.to_string(), number);
    }
}

//! The sociale kaart and the Eigen Kracht Wijzer through the whole app, on
//! every backend: the public map, the wijzer's two stories of PRODUCT.md,
//! asking a professional with consent, beheer by provider and beheerder, the
//! HSDS API.

use crate::helpers::{last_audit_row, pairs};
use baken_store::kaart;
use baken_web::testing::{apps, As, TestApp};

async fn service_id(app: &TestApp, name: &str) -> (i64, i64) {
    let mut tx = app.db.read().await.unwrap();
    let s = kaart::services(&mut tx, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.service.name == name)
        .unwrap_or_else(|| panic!("no service {name}"));
    (s.id, s.version)
}

fn pos(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("'{needle}' not on the page"))
}

#[tokio::test]
async fn the_map_is_public_and_searches_dutch_aware_with_filters() {
    for app in apps(20).await {
        let res = app
            .get("/kaart?q=Maaltijden&wijk=WK999902", &As::Anonymous)
            .await;
        assert_eq!(res.status, 200, "no login needed");
        assert!(
            res.body.contains("Buurtmaaltijd Vlietland"),
            "plural and case find the singular"
        );
        let res = app.get("/kaart?q=financien&trede=1", &As::Anonymous).await;
        assert!(
            res.body.contains("Zelftest"),
            "diacritics are folded: financiën"
        );
        let res = app
            .get("/kaart?trede=5&wijk=WK999902", &As::Anonymous)
            .await;
        assert!(res.body.contains("Scootmobiel"));
        assert!(!res.body.contains("Trede 3:"), "only step 5 is listed");
        assert!(
            !res.body.contains("Huishoudelijke hulp Centrum"),
            "services of another district are left out"
        );
        let res = app
            .get("/kaart?soort=geven&q=voorlezen", &As::Anonymous)
            .await;
        assert!(res.body.contains("Voorlezen op de basisschool"));
        let res = app
            .get(
                "/kaart?bereik=collectief&toegang=beschikking",
                &As::Anonymous,
            )
            .await;
        assert!(
            res.body.contains("0 voorzieningen gevonden"),
            "a collective service never needs a decision"
        );
    }
}

/// The taxonomy's category names a resident must not be shown on the map.
const JARGON: [&str; 6] = [
    "Basale ADL",
    "Instrumentele ADL",
    "Justitie",
    "Met beschikking",
    "Levensgebied",
    "maatwerkvoorziening",
];

#[tokio::test]
async fn residents_filter_the_map_in_plain_words_and_professionals_keep_the_taxonomy() {
    for app in apps(20).await {
        let inwoner = app.login_as("inwoner").await;
        for who in [&As::Anonymous, &inwoner] {
            let res = app.get("/kaart", who).await;
            assert_eq!(res.status, 200);
            for word in JARGON {
                assert!(!res.body.contains(word), "a resident is shown '{word}'");
            }
            for plain in [
                "Waarbij zoekt u hulp?",
                "<option value=\"basale_adl\">Uzelf verzorgen: wassen, aankleden, eten</option>",
                "<option value=\"instrumentele_adl\">Het huishouden: boodschappen, schoonmaken, koken</option>",
                "<option value=\"justitie\">Problemen met politie of rechter</option>",
                "Na een aanvraag bij de gemeente (via het wijkteam)",
                "5 – hulp op maat, na een aanvraag bij de gemeente",
            ] {
                assert!(res.body.contains(plain), "'{plain}' missing for a resident");
            }
            // The filter works from a plain GET form (no JavaScript) and keeps
            // the code in the address, so a professional's link works too.
            assert!(res.body.contains("<form method=\"get\" action=\"/kaart\""));
            let res = app
                .get("/kaart?domein=instrumentele_adl&toegang=beschikking", who)
                .await;
            assert!(
                res.body.contains("Huishoudelijke hulp"),
                "the filter finds home help"
            );
            assert!(
                !res.body.contains("Buurtmaaltijd"),
                "and leaves the meal out"
            );
            assert!(res.body.contains(
                "<option value=\"instrumentele_adl\" selected>Het huishouden: boodschappen, schoonmaken, koken</option>"
            ), "the chosen plain word stays selected");
            for word in JARGON {
                assert!(
                    !res.body.contains(word),
                    "a resident is shown '{word}' after filtering"
                );
            }
        }
        let generalist = app.login_as("generalist").await;
        let res = app.get("/kaart", &generalist).await;
        for word in [
            "Basale ADL",
            "Instrumentele ADL",
            "Justitie",
            "Met beschikking",
            "Levensgebied",
        ] {
            assert!(res.body.contains(word), "a professional misses '{word}'");
        }
        assert!(!res.body.contains("Uzelf verzorgen"));
        // The API keeps the taxonomy's codes.
        let api = app.get("/api/v1/hsds/taxonomy_terms", &As::Anonymous).await;
        assert_eq!(api.status, 200);
        assert!(api.body.contains("basale_adl") && api.body.contains("Basale ADL"));
        assert!(!api.body.contains("Uzelf verzorgen"));
    }
}

#[tokio::test]
async fn a_service_page_shows_what_a_resident_needs() {
    for app in apps(20).await {
        let (id, _) = service_id(&app, "Buurtmaaltijd Vlietland").await;
        let res = app
            .get(&format!("/kaart/voorzieningen/{id}"), &As::Anonymous)
            .await;
        assert_eq!(res.status, 200);
        for text in [
            "Trede 3: voor iedereen, zonder aanvraag",
            "Buurtwerk De Brug",
            "Elke woensdag",
            "Buurthuis Vlietland",
            "€ 4,50 per maaltijd",
            "<dt>Aanvragen nodig?</dt><dd>Zonder aanvraag</dd>",
            "Noord",
            "<dt>Wat voor hulp</dt><dd>Er is een plek",
        ] {
            assert!(res.body.contains(text), "{text} missing");
        }
        assert!(
            res.body.contains(
                "<a href=\"https:&#x2f;&#x2f;buurtwerkdebrug.proefstad.example&#x2f;aanbod\" rel=\"noopener\">"
            ),
            "the website is a link"
        );
        let (scooter, _) = service_id(&app, "Scootmobiel").await;
        let res = app
            .get(&format!("/kaart/voorzieningen/{scooter}"), &As::Anonymous)
            .await;
        assert!(res
            .body
            .contains("alleen als de gemeente uw aanvraag goedkeurt"));
        assert!(res.body.contains("<dd>Iemand helpt u een tijdje"));
        let list = app.get("/kaart?q=scootmobiel", &As::Anonymous).await;
        assert!(
            list.body
                .contains("Na een aanvraag bij de gemeente · iemand helpt u"),
            "the map shows access and form too, in plain words"
        );
        // A professional reads the same page in the taxonomy's terms.
        let generalist = app.login_as("generalist").await;
        let res = app
            .get(&format!("/kaart/voorzieningen/{scooter}"), &generalist)
            .await;
        assert!(res.body.contains("alleen met een beschikking"));
        assert!(res
            .body
            .contains("<dd>Ondersteunen: iemand helpt u een tijdje"));
        let list = app.get("/kaart?q=scootmobiel", &generalist).await;
        assert!(list.body.contains("Met beschikking · vorm: ondersteunen"));
        assert_eq!(
            app.get("/kaart/voorzieningen/999999", &As::Anonymous)
                .await
                .status,
            404
        );
    }
}

#[tokio::test]
async fn the_wijzer_asks_about_the_domains_of_the_question() {
    for app in apps(20).await {
        let start = app.get("/wijzer", &As::Anonymous).await;
        assert_eq!(start.status, 200);
        assert!(start.body.contains("Wat is uw vraag?"));
        let res = app
            .post_form(
                "/wijzer/situatie",
                &As::Anonymous,
                &[("vraag", "Ik wil maaltijden thuis"), ("onderwerp", "eten")],
            )
            .await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("Eet u vaak alleen?"));
        assert!(
            !res.body.contains("Kunt u uw rekeningen op tijd betalen?"),
            "money is not asked about a meal question"
        );
        assert!(
            res.body.contains("value=\"Ik wil maaltijden thuis\""),
            "the question is carried to the next step"
        );

        // Who could help leads to a network suggestion, naming the answer.
        let res = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik kan het huishouden niet meer aan"),
                    ("hulp", "buren"),
                ],
            )
            .await;
        assert!(res.body.contains("Vraag de mensen die u noemde"));
        assert!(res.body.contains("U noemde wie kan helpen: buren."));
        assert!(
            pos(&res.body, "Mensen om u heen") < pos(&res.body, "Vraag de mensen die u noemde"),
            "it is under 'people around you'"
        );
    }
}

#[tokio::test]
async fn story_one_the_neighbourhood_meal_comes_before_any_individual_provision() {
    for app in apps(20).await {
        let res = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil maaltijden thuis"),
                    ("onderwerp", "eten"),
                    ("situatie_alleen_eten", "vaak"),
                    ("situatie_gezelschap", "ja"),
                    ("graag", "mensen"),
                    ("wijk", "WK999902"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);
        let meal = pos(&res.body, "Buurtmaaltijd Vlietland");
        let wijkteam = pos(&res.body, "Vraag het wijkteam");
        assert!(meal < wijkteam, "the meal comes before the wijkteam");
        // An individual provision is in the result — meals delivered at home,
        // what the resident asked for — and it comes after the meal.
        let home = pos(&res.body, ">Maaltijdservice aan huis (tafeltje-dekje)<");
        assert!(meal < home, "the meal comes before meals at home");
        let individual = pos(&res.body, "Lichte ondersteuning");
        assert!(
            meal < individual && individual < home,
            "meals at home is under light (individual) support, below the meal"
        );
        assert!(
            res.body.contains("Eet u vaak alleen?"),
            "the reason names the answer"
        );
        assert!(res.body.contains("Waarom past dit bij u?"));
    }
}

#[tokio::test]
async fn story_two_reading_at_school_is_a_way_to_give_and_the_scooter_comes_last() {
    for app in apps(20).await {
        let res = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil een scootmobiel, mijn heup is slecht"),
                    ("situatie_lopen", "moeilijk"),
                    ("graag", "lezen"),
                    ("graag", "mensen"),
                    ("wijk", "WK999902"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);
        let collective = pos(&res.body, "Activiteiten en voorzieningen in de buurt");
        let scooter = pos(&res.body, ">Scootmobiel<");
        let give = pos(&res.body, "Iets voor een ander doen?");
        assert!(
            collective < scooter && scooter < give,
            "collective first, the scooter last among suggestions"
        );
        assert!(
            pos(&res.body, "Vraag het wijkteam") < scooter,
            "the scooter is under 'ask the wijkteam'"
        );
        assert!(
            pos(&res.body, "Voorlezen op de basisschool") > give,
            "reading aloud is a way to give"
        );
    }
}

#[tokio::test]
async fn asking_a_professional_needs_consent_and_is_rate_limited() {
    for app in apps(20).await {
        let answers = [
            ("vraag", "Ik ben veel alleen"),
            ("onderwerp", "contact"),
            ("situatie_gezelschap", "ja"),
            ("situatie_eropuit", "moeilijk"),
            ("graag", "lezen"),
            ("hulp", "buren"),
            ("hulp", "niemand"),
            ("wijk", "WK999902"),
        ];
        let before = count(&app).await;
        let (postcode, number) = noord_address(&app).await;
        let mut form = answers.to_vec();
        form.push(("contact", "06-12345678"));
        form.push(("postcode", postcode.as_str()));
        form.push(("huisnummer", number.as_str()));
        let res = app
            .post_form("/wijzer/meedenken", &As::Anonymous, &form)
            .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("Zet een vinkje"),
            "Dutch message next to the consent box"
        );
        assert!(
            res.body.contains("value=\"06-12345678\""),
            "the form keeps what was typed"
        );
        assert_eq!(
            count(&app).await,
            before,
            "nothing is stored without consent"
        );

        form.push(("toestemming", "ja"));
        let res = app
            .post_form("/wijzer/meedenken", &As::Anonymous, &form)
            .await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("Uw vraag is verstuurd"));
        assert_eq!(count(&app).await, before + 1);
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_type.as_deref()),
            ("create", Some("signal"))
        );

        let generalist = app.login_as("generalist.noord").await;
        let list = app.get("/hulpvragen", &generalist).await;
        assert!(list.body.contains("06-12345678") && list.body.contains("Ik ben veel alleen"));
        assert!(
            list.body
                .contains("\">Contact met anderen</td><td data-label=\"Doet graag\">Lezen</td>"),
            "topics and likes in words, not keys"
        );
        let request = {
            let mut tx = app.db.read().await.unwrap();
            kaart::help_requests(&mut tx, None, None, 1)
                .await
                .unwrap()
                .remove(0)
        };
        let detail_url = format!("/hulpvragen/{}", request.id);
        assert!(list
            .body
            .contains(&format!("href=\"/hulpvragen/{}\"", request.id)));
        let detail = app.get(&detail_url, &generalist).await;
        assert_eq!(detail.status, 200);
        for text in [
            "<dt>Zou u vaker mensen willen zien?</dt><dd>Ja, graag</dd>",
            "<dt>Komt u buiten de deur: winkel, vereniging, familie?</dt><dd>Dat lukt niet (meer)</dd>",
            "<dd>Buren; en: er is nu niemand</dd>",
            "<dd>Lezen</dd>",
            "<dd>Contact met anderen</dd>",
            "<dd>Noord</dd>",
        ] {
            assert!(detail.body.contains(text), "{text} missing from the request's page");
        }
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (
                entry.action.as_str(),
                entry.object_type.as_deref(),
                entry.object_id.as_deref()
            ),
            (
                "read",
                Some("hulpvraag"),
                Some(request.id.to_string().as_str())
            ),
            "reading the answers is audited"
        );
        let elsewhere = app.login_as("generalist.oost").await;
        assert_eq!(
            app.get(&detail_url, &elsewhere).await.status,
            404,
            "another district's team does not see it"
        );
        assert_eq!(last_audit_row(&app).await.outcome.as_str(), "denied");
        // ...and it reaches the team's triage as a signal of category "hulpvraag".
        let triage = app.get("/signalen", &generalist).await;
        assert!(
            triage.body.contains("Hulpvraag van een inwoner"),
            "the team's triage lists the request"
        );
        assert!(
            triage.body.contains(&format!(
                "href=\"/hulpvragen/{}\">Alle antwoorden uit de Eigen Kracht Wijzer",
                request.id
            )),
            "the signal links to all the answers"
        );
        for text in [
            "Onderwerpen: Contact met anderen.",
            "Zou u vaker mensen willen zien? Ja, graag.",
            "Doet graag: Lezen.",
            "Wie kan helpen: Buren.",
            "Er is nu niemand die kan helpen.",
        ] {
            assert!(triage.body.contains(text), "the signal carries '{text}'");
        }
        let mut tx = app.db.read().await.unwrap();
        let n: (i64,) = baken_store::with_conn!(&mut tx, |c| {
            baken_store::sqlx::query_as("SELECT COUNT(*) FROM cw_signals WHERE category = 'hulpvraag' AND description LIKE '%Ik ben veel alleen%' AND team_id IS NOT NULL")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        assert_eq!(n.0, 1, "one signal, assigned to the team of the address");
        let day: (chrono::NaiveDate,) = baken_store::with_conn!(&mut tx, |c| {
            baken_store::sqlx::query_as("SELECT reported_on FROM cw_signals WHERE category = 'hulpvraag' ORDER BY id DESC LIMIT 1")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        assert_eq!(
            day.0,
            baken_web::casework::today(),
            "reported on the Dutch calendar day"
        );

        // Without an address the request is not sent, and says why.
        let no_address: Vec<(&str, &str)> = form
            .iter()
            .filter(|(k, _)| *k != "postcode")
            .cloned()
            .collect();
        let res = app
            .post_form("/wijzer/meedenken", &As::Anonymous, &no_address)
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Vul uw postcode in"));
    }
    // The same address may ask only five times in ten minutes (counted from
    // the audit log, so the limit holds across processes).
    let app = apps(20).await.remove(0);
    let (postcode, number) = noord_address(&app).await;
    let form = [
        ("vraag", "x"),
        ("contact", "06-12345678"),
        ("toestemming", "ja"),
        ("postcode", postcode.as_str()),
        ("huisnummer", number.as_str()),
    ];
    let before = count(&app).await;
    let mut refused = None;
    for _ in 0..6 {
        let res = app
            .post_form("/wijzer/meedenken", &As::Anonymous, &form)
            .await;
        if res.status == 429 {
            refused = Some(res);
            break;
        }
    }
    let refused = refused.expect("the sixth request within ten minutes is refused");
    assert!(refused.body.contains("Even geduld"));
    assert!(refused.headers.contains_key("retry-after"));
    let entry = last_audit_row(&app).await;
    assert_eq!(
        (entry.action.as_str(), entry.outcome.as_str()),
        ("access", "denied"),
        "the refusal is audited"
    );
    assert_eq!(
        count(&app).await,
        before + 5,
        "five requests got through, the sixth did not"
    );
}

/// The address of a household in district Noord (WK999902).
async fn noord_address(app: &TestApp) -> (String, String) {
    let mut tx = app.db.read().await.unwrap();
    let row: (String, i64) = baken_store::with_conn!(&mut tx, |c| {
        baken_store::sqlx::query_as("SELECT postcode, house_number FROM households WHERE district_code = 'WK999902' ORDER BY id LIMIT 1")
            .fetch_one(&mut *c)
            .await
    })
    .unwrap();
    (row.0, row.1.to_string())
}

async fn count(app: &TestApp) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    kaart::count_help_requests(&mut tx).await.unwrap()
}

#[tokio::test]
async fn a_provider_edits_its_own_services_only_and_stale_edits_are_refused() {
    for app in apps(20).await {
        let provider = app.login_as("aanbieder").await;
        let list = app.get("/beheer/kaart", &provider).await;
        assert!(
            list.body.contains("Inloopspreekuur welzijn"),
            "own services are listed"
        );
        assert!(
            !list.body.contains("Buurtmaaltijd"),
            "other providers' services are not"
        );

        let (other, _) = service_id(&app, "Buurtmaaltijd Vlietland").await;
        assert_eq!(
            app.get(&format!("/beheer/kaart/{other}"), &provider)
                .await
                .status,
            404
        );

        let (own, version) = service_id(&app, "Inloopspreekuur welzijn Noord").await;
        let page = app.get(&format!("/beheer/kaart/{own}"), &provider).await;
        assert!(page.body.contains("Inloopspreekuur welzijn Noord"));
        let mut form = vec![
            ("naam", "Inloopspreekuur welzijn Noord"),
            ("omschrijving", "Met al uw vragen kunt u hier terecht."),
            ("domeinen", "financien"),
            ("trede", "5"),
            ("vorm", "faciliteren"),
            ("bereik", "collectief"),
            ("toegang", "vrij"),
            ("wijken", "WK999902"),
            ("status", "actief"),
        ];
        let v = version.to_string();
        form.push(("versie", &v));
        let res = app
            .post_form(&format!("/beheer/kaart/{own}"), &provider, &form)
            .await;
        assert_eq!(res.status, 400, "step 5 without a decision is refused");
        assert!(res.body.contains(
            "Een maatwerkvoorziening (trede 5) krijgt iemand alleen met een beschikking"
        ));
        assert!(
            res.body.contains("Met al uw vragen kunt u hier terecht."),
            "the form keeps what was typed"
        );

        form[3] = ("trede", "3");
        let res = app
            .post_form(&format!("/beheer/kaart/{own}"), &provider, &form)
            .await;
        assert_eq!(res.status, 303);
        let entry = last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.object_id.as_deref()),
            ("update", Some(own.to_string().as_str()))
        );

        let res = app
            .post_form(&format!("/beheer/kaart/{own}"), &provider, &form)
            .await;
        assert_eq!(res.status, 409, "the same version twice is a conflict");
        assert!(res
            .body
            .contains("Iemand anders heeft deze voorziening intussen gewijzigd"));

        let admin = app.login_as("beheerder").await;
        assert_eq!(
            app.get(&format!("/beheer/kaart/{other}"), &admin)
                .await
                .status,
            200,
            "a beheerder edits all"
        );
    }
}

#[tokio::test]
async fn a_beheerder_changes_the_wijzer_and_broken_rules_are_refused() {
    for app in apps(20).await {
        let admin = app.login_as("beheerder").await;
        let overview = app.get("/beheer/wijzer", &admin).await;
        assert!(overview.body.contains("samen_eten"));
        for (path, shows) in [
            ("/beheer/wijzer/rule/samen_eten", "samen eten, maaltijd"),
            (
                "/beheer/wijzer/question/alleen_eten",
                "vaak | Ja, vaak | zorg",
            ),
            ("/beheer/wijzer/topic/eten", "Eten en koken"),
            ("/beheer/wijzer/story/riet", "Riet leest voor"),
            ("/beheer/wijzer/interest/lezen", "voorlezen"),
            ("/beheer/wijzer/network/buren", "Buren"),
            ("/beheer/wijzer/story/nieuw", "Sleutel"),
        ] {
            let page = app.get(path, &admin).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(page.body.contains(shows), "{path} shows {shows}");
        }
        let res = app
            .post_form(
                "/beheer/wijzer/rule/nieuw",
                &admin,
                &[
                    ("sleutel", "tuin_tip"),
                    ("volgorde", "5"),
                    ("als_onderwerpen", "bestaat_niet"),
                    ("dan_soort", "tip"),
                    ("dan_titel", "Zaai iets"),
                    ("dan_tekst", "Een pot kruiden op de vensterbank."),
                ],
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert!(
            res.body
                .contains("Er is geen onderwerp met de sleutel &#x27;bestaat_niet&#x27;")
                || res
                    .body
                    .contains("Er is geen onderwerp met de sleutel 'bestaat_niet'"),
            "{}",
            &res.body[..0]
        );
        let res = app
            .post_form(
                "/beheer/wijzer/rule/nieuw",
                &admin,
                &[
                    ("sleutel", "tuin_tip"),
                    ("volgorde", "5"),
                    ("als_graag", "tuinieren"),
                    ("dan_soort", "tip"),
                    ("dan_titel", "Zaai iets"),
                    ("dan_tekst", "Een pot kruiden op de vensterbank."),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        let result = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[("vraag", "Wat kan ik doen?"), ("graag", "tuinieren")],
            )
            .await;
        assert!(
            result.body.contains("Zaai iets"),
            "the new rule works at once"
        );
        let del = app
            .post_form("/beheer/wijzer/topic/eten/verwijderen", &admin, &[])
            .await;
        assert_eq!(del.status, 400, "a topic that rules use cannot be deleted");
    }
}

#[tokio::test]
async fn the_hsds_api_is_public_filtered_and_strict() {
    for app in apps(20).await {
        let res = app
            .get(
                "/api/v1/hsds/services?ladderStep=5&per_page=100",
                &As::Anonymous,
            )
            .await;
        assert_eq!(res.status, 200);
        let doc: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let contents = doc["contents"].as_array().unwrap();
        assert!(!contents.is_empty());
        for s in contents {
            assert!(
                s["attributes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["value"] == "5"),
                "{}",
                s["name"]
            );
        }
        let id = contents[0]["id"].as_str().unwrap();
        let one = app
            .get(&format!("/api/v1/hsds/services/{id}"), &As::Anonymous)
            .await;
        let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
        assert!(one["organization"]["name"].is_string());
        // The map's other filters: collective, free access, volunteering.
        let attrs = |s: &serde_json::Value| -> Vec<String> {
            s["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["value"].as_str().unwrap_or("").to_owned())
                .collect()
        };
        let get = |q: &'static str| {
            let app = &app;
            async move {
                let res = app
                    .get(
                        &format!("/api/v1/hsds/services?per_page=100&{q}"),
                        &As::Anonymous,
                    )
                    .await;
                assert_eq!(res.status, 200, "{q}");
                serde_json::from_str::<serde_json::Value>(&res.body).unwrap()
            }
        };
        let all = get("").await["total_items"].as_u64().unwrap();
        let collective = get("collective=true").await;
        let individual = get("collective=false").await["total_items"]
            .as_u64()
            .unwrap();
        assert_eq!(
            collective["total_items"].as_u64().unwrap() + individual,
            all
        );
        for s in collective["contents"].as_array().unwrap() {
            assert!(attrs(s).contains(&"collectief".to_owned()), "{}", s["name"]);
        }
        let decision = get("freeAccess=false").await;
        assert!(decision["total_items"].as_u64().unwrap() > 0);
        for s in decision["contents"].as_array().unwrap() {
            assert!(
                attrs(s).contains(&"beschikking".to_owned()) && attrs(s).contains(&"5".to_owned())
            );
        }
        let give = get("volunteering=true&search=voorlezen").await;
        assert!(give["total_items"].as_u64().unwrap() > 0);
        for s in give["contents"].as_array().unwrap() {
            assert!(
                attrs(s).contains(&"vrijwilligerswerk".to_owned()),
                "{}",
                s["name"]
            );
        }
        assert_eq!(
            get("volunteering=false&search=voorlezen&ladderStep=3").await["total_items"],
            0,
            "reading aloud is only a way to give"
        );
        let bad = app
            .get("/api/v1/hsds/services?collective=ja", &As::Anonymous)
            .await;
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("collective"));
        // `ladder_step` is the deprecated alias of `ladderStep`: accepted, and named by its new name.
        let bad = app
            .get("/api/v1/hsds/services?ladder_step=9", &As::Anonymous)
            .await;
        assert_eq!(bad.status, 400);
        assert_eq!(bad.content_type(), "application/problem+json");
        assert!(bad.body.contains("ladderStep"));
        let sal = app
            .get(
                "/api/v1/hsds/service-at-locations?districtCode=WK999902&search=voorlezen",
                &As::Anonymous,
            )
            .await;
        let sal: serde_json::Value = serde_json::from_str(&sal.body).unwrap();
        assert_eq!(
            sal["total_items"], 4,
            "one school per neighbourhood of Noord"
        );

        // What the API serves is valid HSDS 3.0, object by object.
        let schemas = baken_hsds::Schemas::load();
        let mut problems = Vec::new();
        schemas.validate("service.json", &one, "$", &mut problems);
        for (i, c) in sal["contents"].as_array().unwrap().iter().enumerate() {
            schemas.validate(
                "service_at_location.json",
                c,
                &format!("$.contents[{i}]"),
                &mut problems,
            );
        }
        let orgs = app.get("/api/v1/hsds/organizations", &As::Anonymous).await;
        let orgs: serde_json::Value = serde_json::from_str(&orgs.body).unwrap();
        for (i, o) in orgs["contents"].as_array().unwrap().iter().enumerate() {
            schemas.validate(
                "organization.json",
                o,
                &format!("$.orgs[{i}]"),
                &mut problems,
            );
        }
        assert_eq!(problems, vec![]);
    }
}

#[tokio::test]
async fn the_wijzer_keeps_its_index_but_never_shows_a_stale_map() {
    for app in apps(20).await {
        let ask = || {
            app.post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil maaltijden thuis"),
                    ("onderwerp", "eten"),
                    ("situatie_alleen_eten", "vaak"),
                    ("situatie_gezelschap", "ja"),
                    ("wijk", "WK999902"),
                ],
            )
        };
        assert!(ask().await.body.contains("Buurtmaaltijd Vlietland"));
        // A provider renames the meal; the next resident sees the new name at once.
        let (id, version) = service_id(&app, "Buurtmaaltijd Vlietland").await;
        let mut tx = app.db.begin().await.unwrap();
        let mut s = kaart::service(&mut tx, id).await.unwrap().unwrap().service;
        s.name = "Samen eten in Vlietland".into();
        kaart::update_service(&mut tx, id, version, &s)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let after = ask().await.body;
        assert!(
            after.contains("Samen eten in Vlietland"),
            "the renamed service is suggested"
        );
        assert!(
            !after.contains("Buurtmaaltijd Vlietland"),
            "the old name is gone"
        );
    }
}

/// The service form as a browser sends it for this service unchanged: every
/// field, the places it shows (`getoond`) all still ticked (`locaties`).
fn service_form(s: &kaart::MapService) -> Vec<(String, String)> {
    let d = s.service.to_draft();
    let mut f: Vec<(String, String)> = vec![
        ("versie".into(), s.version.to_string()),
        ("naam".into(), d.name),
        ("omschrijving".into(), d.description),
        ("trede".into(), d.step),
        ("vorm".into(), d.form),
        ("bereik".into(), d.reach),
        ("toegang".into(), d.access),
        ("kosten".into(), d.cost),
        ("eenheid".into(), d.cost_unit),
        ("tijden".into(), d.schedule),
        ("voorwie".into(), d.eligibility),
        ("min_leeftijd".into(), d.min_age),
        ("max_leeftijd".into(), d.max_age),
        ("aanmelden".into(), d.how_to_apply),
        ("capaciteit".into(), d.capacity),
        ("telefoon".into(), d.phone),
        ("email".into(), d.email),
        ("website".into(), d.website),
        ("status".into(), d.status),
    ];
    f.extend(d.domains.into_iter().map(|x| ("domeinen".to_owned(), x)));
    f.extend(d.districts.into_iter().map(|x| ("wijken".to_owned(), x)));
    if d.volunteering {
        f.push(("vrijwilligerswerk".into(), "ja".into()));
    }
    for l in &s.locations {
        f.push(("getoond".into(), l.location.id.to_string()));
        f.push(("locaties".into(), l.location.id.to_string()));
    }
    f
}

async fn stored(app: &TestApp, id: i64) -> kaart::MapService {
    let mut tx = app.db.read().await.unwrap();
    kaart::service(&mut tx, id).await.unwrap().unwrap()
}

#[tokio::test]
async fn editing_an_imported_service_with_several_places_drops_none_of_them() {
    for app in apps(20).await {
        // Import a service offered at three places.
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../hsds/tests/golden/hsds_small.json"))
                .unwrap();
        let meal = doc["services"][0]["id"].clone();
        doc["services"][0]["name"] = "Buurtmaaltijd op drie plekken".into();
        let places: Vec<serde_json::Value> = doc["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].clone())
            .collect();
        let sals = doc["service_at_locations"].as_array_mut().unwrap();
        sals.retain(|s| s["service_id"] != meal);
        for (i, l) in places.iter().enumerate() {
            sals.push(serde_json::json!({
                "id": format!("0000000{i}-0000-4000-8000-00000000000{i}"), "service_id": meal, "location_id": l,
            }));
        }
        baken_hsds::import(&app.db, &doc, import_entry())
            .await
            .unwrap();
        let (id, _) = service_id(&app, "Buurtmaaltijd op drie plekken").await;
        let before = stored(&app, id).await;
        assert_eq!(before.locations.len(), 3, "imported with three places");
        let sal_ids: Vec<String> = before.locations.iter().map(|l| l.uuid.clone()).collect();

        let admin = app.login_as("beheerder").await;
        let page = app.get(&format!("/beheer/kaart/{id}"), &admin).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body.matches("name=\"locaties\"").count(),
            3,
            "the form shows all three places"
        );
        assert_eq!(
            page.body
                .matches("\" checked><label for=\"locatie-")
                .count(),
            3
        );

        // Saving another change keeps every place, with its HSDS id.
        let mut form = service_form(&before);
        form[1].1 = "Buurtmaaltijd op drie plekken, ook in de zomer".into();
        let url = format!("/beheer/kaart/{id}");
        let res = app.post_form(&url, &admin, &pairs(&form)).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let after = stored(&app, id).await;
        assert_eq!(
            after
                .locations
                .iter()
                .map(|l| l.uuid.clone())
                .collect::<Vec<_>>(),
            sal_ids,
            "no place is dropped and the links keep their ids"
        );

        // Unticking one unlinks that one only.
        let gone = after.locations[1].location.id;
        let mut form = service_form(&after);
        form.retain(|(k, v)| !(k == "locaties" && *v == gone.to_string()));
        assert_eq!(app.post_form(&url, &admin, &pairs(&form)).await.status, 303);
        let after = stored(&app, id).await;
        assert_eq!(after.locations.len(), 2);
        assert!(after.locations.iter().all(|l| l.location.id != gone));
        assert!(last_audit_row(&app).await.detail.contains("adressen +0 −1"));

        // A place linked by someone else after the form was shown stays.
        let mut tx = app.db.begin().await.unwrap();
        kaart::link_location(&mut tx, &kaart::new_uuid(), id, gone)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // (The form below was loaded before that link: it shows two places.)
        let shown_before = service_form(&after);
        assert_eq!(
            app.post_form(&url, &admin, &pairs(&shown_before))
                .await
                .status,
            303
        );
        assert_eq!(
            stored(&app, id).await.locations.len(),
            3,
            "a place the form did not show is kept"
        );

        // A new address with a wrong postcode: a Dutch message, nothing changed.
        let now = stored(&app, id).await;
        let mut form = service_form(&now);
        for (k, v) in [
            ("nieuw_naam", "Speeltuin De Akkers"),
            ("nieuw_adres", "Akkerweg 3"),
            ("nieuw_postcode", "12345"),
            ("nieuw_plaats", "Proefstad"),
            ("nieuw_wijk", "WK999902"),
        ] {
            form.push((k.into(), v.into()));
        }
        let res = app.post_form(&url, &admin, &pairs(&form)).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Vul een postcode in zoals 1234 AB."));
        assert!(
            res.body.contains("value=\"Akkerweg 3\""),
            "the form keeps what was typed"
        );
        assert_eq!(
            page_checked(&res.body),
            3,
            "the places are shown again as they were ticked"
        );
        let unchanged = stored(&app, id).await;
        assert_eq!(
            (unchanged.version, unchanged.locations.len()),
            (now.version, 3)
        );

        // Fixed, plus an existing place added: five places, the new one stored.
        let other = {
            let mut tx = app.db.read().await.unwrap();
            kaart::locations(&mut tx)
                .await
                .unwrap()
                .into_iter()
                .find(|l| l.name == "Wijkcentrum Noord")
                .unwrap()
        };
        for (k, v) in form.iter_mut() {
            if k == "nieuw_postcode" {
                *v = "1015 bc".into();
            }
        }
        form.push(("locatie_erbij".into(), other.id.to_string()));
        let res = app.post_form(&url, &admin, &pairs(&form)).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let last = stored(&app, id).await;
        assert_eq!(last.locations.len(), 5);
        let new = last
            .locations
            .iter()
            .find(|l| l.location.name == "Speeltuin De Akkers")
            .expect("the new place is linked");
        assert_eq!(
            (
                new.location.postcode.as_str(),
                new.location.district_code.as_deref()
            ),
            ("1015BC", Some("WK999902"))
        );
        let page = app
            .get(&format!("/kaart/voorzieningen/{id}"), &As::Anonymous)
            .await;
        assert!(page.body.contains("Speeltuin De Akkers, Akkerweg 3"));
        let doc = baken_hsds::export(&app.db).await.unwrap();
        assert_eq!(baken_hsds::validate(&doc), vec![]);

        // Nothing ticked: no fixed address any more.
        let mut form = service_form(&last);
        form.retain(|(k, _)| k != "locaties");
        assert_eq!(app.post_form(&url, &admin, &pairs(&form)).await.status, 303);
        assert!(stored(&app, id).await.locations.is_empty());
    }
}

fn page_checked(body: &str) -> usize {
    body.matches("\" checked><label for=\"locatie-").count()
}

fn import_entry() -> baken_domain::AuditEntry {
    baken_domain::AuditEntry {
        at: baken_store::now(),
        actor: baken_domain::audit::Actor {
            user_id: None,
            username: Some("test".into()),
            role: None,
            client_addr: "test".into(),
        },
        route: "test".into(),
        action: baken_domain::AuditAction::Create,
        outcome: baken_domain::AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    }
}

#[tokio::test]
async fn the_result_downloads_as_one_self_contained_file_and_nothing_is_stored() {
    for app in apps(20).await {
        let before = (
            count(&app).await,
            app.audit_tail(1).await.first().map(|r| r.seq),
        );
        let res = app
            .post_form(
                "/wijzer/resultaat/bestand",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil maaltijden thuis"),
                    ("onderwerp", "eten"),
                    ("situatie_alleen_eten", "vaak"),
                    ("graag", "lezen"),
                    ("wijk", "WK999902"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.headers["content-disposition"],
            "attachment; filename=\"eigen-kracht-wijzer.html\""
        );
        assert!(res.content_type().starts_with("text/html"));
        assert_eq!(res.headers["cache-control"], "no-store");
        let file = &res.body;
        assert!(file.starts_with("<!doctype html>") && file.contains("<html lang=\"nl\">"));
        for text in [
            "Buurtmaaltijd Vlietland",
            "Waarom past dit bij u?",
            "Eet u vaak alleen?",
            "Buurtweg",
            "Zo meldt u zich aan:",
            "Iets voor een ander doen?",
            "Voorlezen op de basisschool",
        ] {
            assert!(file.contains(text), "the file has {text}");
        }
        for absent in ["<script", "<link", " src=", "csrf", "<form"] {
            assert!(
                !file.contains(absent),
                "the file is self-contained: no {absent}"
            );
        }
        assert!(
            pos(file, "Buurtmaaltijd") < pos(file, "Vraag het wijkteam"),
            "lightest first, as on the page"
        );
        assert_eq!(
            (
                count(&app).await,
                app.audit_tail(1).await.first().map(|r| r.seq)
            ),
            before,
            "nothing is stored, not even an audit line"
        );
        let page = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[("vraag", "maaltijd")],
            )
            .await;
        assert!(page
            .body
            .contains("<form method=\"post\" action=\"/wijzer/resultaat/bestand\""));
        assert!(page.body.contains(">Download als bestand</button>"));
    }
}

#[tokio::test]
async fn an_imported_official_service_waits_in_the_queue_and_is_on_the_map_once_classified() {
    for app in apps(20).await {
        let doc: serde_json::Value = serde_json::from_str(include_str!(
            "../../../hsds/hsds-3.0/examples/service_full.json"
        ))
        .unwrap();
        let summary = baken_hsds::import(&app.db, &doc, import_entry())
            .await
            .unwrap();
        assert_eq!(summary.services_to_classify, 1);
        let (id, _) = service_id(&app, "Community Counselling").await;

        // Not on the public map, nor its page, nor the HSDS API, while it waits.
        let map = app.get("/kaart?q=Counselling", &As::Anonymous).await;
        assert!(
            !map.body.contains("Community Counselling"),
            "not public yet"
        );
        assert_eq!(
            app.get(&format!("/kaart/voorzieningen/{id}"), &As::Anonymous)
                .await
                .status,
            404
        );
        let api = app
            .get("/api/v1/hsds/services?search=Counselling", &As::Anonymous)
            .await;
        assert!(!api.body.contains("Community Counselling"));

        // The beheerder's queue shows it with the suggestion's reasons.
        let admin = app.login_as("beheerder").await;
        let list = app.get("/beheer/kaart", &admin).await;
        assert!(list.body.contains("Bekijk wat nog in te delen is"));
        let queue = app.get("/beheer/kaart/in-te-delen", &admin).await;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains("Community Counselling"));
        assert!(
            queue
                .body
                .contains("Levensgebied &#x27;Geestelijke gezondheid&#x27;")
                || queue.body.contains("Levensgebied 'Geestelijke gezondheid'"),
            "the reason is shown"
        );
        let page = app.get(&format!("/beheer/kaart/{id}"), &admin).await;
        assert!(page.body.contains("Nog in te delen."));

        // The beheerder checks the suggestion and saves: classified.
        let before = stored(&app, id).await;
        let form = service_form(&before);
        let res = app
            .post_form(&format!("/beheer/kaart/{id}"), &admin, &pairs(&form))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(
            res.location(),
            Some("/beheer/kaart/in-te-delen?opgeslagen=ingedeeld")
        );
        assert!(stored(&app, id).await.classified);
        assert!(last_audit_row(&app).await.detail.contains("ingedeeld"));
        let map = app.get("/kaart?q=Counselling", &As::Anonymous).await;
        assert!(map.body.contains("Community Counselling"), "on the map now");

        // An HSDS client reads it back by the standard's paths and parameters,
        // with what the publisher gave (its other taxonomy, its cost option).
        let term = doc["attributes"][0]["taxonomy_term"]["id"]
            .as_str()
            .unwrap();
        let taxonomy = doc["attributes"][0]["taxonomy_term"]["taxonomy_detail"]["id"]
            .as_str()
            .unwrap();
        for query in [
            format!("taxonomy_term_id={term}"),
            format!("taxonomy_id={taxonomy}&full=true"),
            format!(
                "organization_id={}",
                doc["organization"]["id"].as_str().unwrap()
            ),
            "modified_after=2020-01-01&format=json".to_owned(),
        ] {
            let res = app
                .get(
                    &format!("/api/v1/hsds/services?per_page=100&{query}"),
                    &As::Anonymous,
                )
                .await;
            assert_eq!(res.status, 200, "{query}: {}", res.body);
            assert!(res.body.contains("Community Counselling"), "{query}");
        }
        let later = app
            .get(
                "/api/v1/hsds/services?modified_after=2999-01-01",
                &As::Anonymous,
            )
            .await;
        assert!(later.body.contains("\"total_items\":0"), "{}", later.body);
        let one: serde_json::Value = serde_json::from_str(
            &app.get(
                &format!("/api/v1/hsds/services/{}", doc["id"].as_str().unwrap()),
                &As::Anonymous,
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(one["cost_options"][0]["option"], "Under 18s and Over 60s");
        assert_eq!(one["organization"]["legal_status"], "Limited Company");
        assert_eq!(one["alternate_name"], "MyCity Counselling Services");
        for path in [
            format!("/api/v1/hsds/taxonomy_terms/{term}"),
            format!("/api/v1/hsds/taxonomies/{taxonomy}"),
            format!("/api/v1/hsds/taxonomy_terms?taxonomy_id={taxonomy}"),
            "/api/v1/hsds".to_owned(),
            "/api/v1/hsds/service_at_locations?full=true&per_page=100".to_owned(),
        ] {
            let res = app.get(&path, &As::Anonymous).await;
            assert_eq!(res.status, 200, "{path}");
        }
        let far = app
            .get(
                "/api/v1/hsds/services?page=922337203685477582",
                &As::Anonymous,
            )
            .await;
        assert_eq!(far.status, 200, "a page far past the end is empty");
        let bad = app
            .get(
                "/api/v1/hsds/services?modified_after=gisteren",
                &As::Anonymous,
            )
            .await;
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("modified_after"));
        let queue = app.get("/beheer/kaart/in-te-delen", &admin).await;
        assert!(queue.body.contains("Er wacht niets"));
    }
}

/// Hands a request over through the wijzer; returns its stored record.
async fn hand_over(
    app: &TestApp,
    postcode: &str,
    number: &str,
    district: &str,
    contact: &str,
) -> kaart::HelpRequest {
    let form = [
        ("vraag", "Ik ben veel alleen"),
        ("onderwerp", "contact"),
        ("wijk", district),
        ("contact", contact),
        ("postcode", postcode),
        ("huisnummer", number),
        ("toestemming", "ja"),
    ];
    let res = app
        .post_form("/wijzer/meedenken", &As::Anonymous, &form)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut tx = app.db.read().await.unwrap();
    kaart::help_requests(&mut tx, None, None, 1)
        .await
        .unwrap()
        .remove(0)
}

async fn signal_team(app: &TestApp, signal: i64) -> Option<i64> {
    let mut tx = app.db.read().await.unwrap();
    let row: (Option<i64>,) = baken_store::with_conn!(&mut tx, |c| {
        baken_store::sqlx::query_as("SELECT team_id FROM cw_signals WHERE id = $1")
            .bind(signal)
            .fetch_one(&mut *c)
            .await
    })
    .unwrap();
    row.0
}

#[tokio::test]
async fn a_hand_over_reaches_exactly_one_team_with_signal_and_answers_together() {
    for app in apps(20).await {
        // The address is in Noord; the resident picked Oost. The team serving
        // the address gets both; Oost's team reads neither.
        let (postcode, number) = noord_address(&app).await;
        let r = hand_over(&app, &postcode, &number, "WK999903", "06-11112222").await;
        let noord = app.login_as("generalist.noord").await;
        let oost = app.login_as("generalist.oost").await;
        let url = format!("/hulpvragen/{}", r.id);
        assert_eq!(app.get(&url, &noord).await.status, 200);
        assert_eq!(
            app.get(&url, &oost).await.status,
            404,
            "the other team cannot read the answers"
        );
        assert!(!app
            .get("/hulpvragen", &oost)
            .await
            .body
            .contains("06-11112222"));
        assert!(app
            .get("/hulpvragen", &noord)
            .await
            .body
            .contains("06-11112222"));
        let team = signal_team(&app, r.signal_id.unwrap()).await;
        assert_eq!(team, r.team_id, "signal and answers went to the same team");
        assert!(team.is_some());

        // No household at the address: the team of the chosen district, both.
        let r = hand_over(&app, "9999ZZ", "999", "WK999903", "06-33334444").await;
        let url = format!("/hulpvragen/{}", r.id);
        assert_eq!(app.get(&url, &oost).await.status, 200);
        assert_eq!(
            app.get(&url, &noord).await.status,
            404,
            "Noord's team cannot read them"
        );
        assert_eq!(signal_team(&app, r.signal_id.unwrap()).await, r.team_id);
        assert!(app
            .get("/hulpvragen", &oost)
            .await
            .body
            .contains("06-33334444"));
    }
}

#[tokio::test]
async fn the_same_offer_in_many_places_is_one_card_on_the_map_and_in_the_wijzer() {
    for app in apps(20).await {
        let res = app.get("/kaart?q=Buurtmaaltijd", &As::Anonymous).await;
        assert_eq!(
            res.body
                .matches("<h3 class=\"kaart-item__title\">Buurtmaaltijd</h3>")
                .count(),
            1,
            "one card for the meal in every neighbourhood"
        );
        assert!(res.body.contains("Wordt aangeboden in: Centrum, Noord"));
        assert!(
            res.body.contains(">Buurtmaaltijd Vlietland</a>"),
            "each place is still a link"
        );

        // Ordered by the ladder, lightest first; by name otherwise.
        let steps = |body: &str| -> Vec<u8> {
            body.match_indices("kaart-item trede-")
                .map(|(i, _)| body.as_bytes()[i + 17] - b'0')
                .collect()
        };
        let by_step = steps(&app.get("/kaart?volgorde=trede", &As::Anonymous).await.body);
        assert!(by_step.windows(2).all(|w| w[0] <= w[1]), "{by_step:?}");
        assert_eq!(by_step[0], 1);

        // The wijzer: one card per offer, the other places listed on it.
        let res = app
            .post_form(
                "/wijzer/resultaat",
                &As::Anonymous,
                &[
                    ("vraag", "Ik wil een scootmobiel, ik eet vaak alleen"),
                    ("onderwerp", "eten"),
                    ("situatie_alleen_eten", "vaak"),
                    ("graag", "lezen"),
                    ("wijk", "WK999902"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);
        let titles = res.body.matches("<h3 class=\"suggestion__title\">").count();
        assert!(titles > 0);
        let meal_titles = res
            .body
            .split("<h3 class=\"suggestion__title\">")
            .skip(1)
            .filter(|h| {
                h.split("</h3>")
                    .next()
                    .unwrap_or("")
                    .contains("Buurtmaaltijd")
            })
            .count();
        assert!(
            meal_titles <= 1,
            "one meal card, not one per neighbourhood ({meal_titles})"
        );
        let reading = res
            .body
            .split("<h3 class=\"suggestion__title\">")
            .skip(1)
            .filter(|h| {
                h.split("</h3>")
                    .next()
                    .unwrap_or("")
                    .contains("Voorlezen op de basisschool")
            })
            .count();
        assert!(reading <= 1, "one reading card ({reading})");
    }
}

#[tokio::test]
async fn a_beheerders_synonyms_are_audited_and_used_by_the_map_and_the_wijzer() {
    for app in apps(20).await {
        let admin = app.login_as("beheerder").await;
        let before = app.get("/kaart?q=smikkelen", &As::Anonymous).await;
        assert!(
            before.body.contains("Er is niets gevonden."),
            "{}",
            &before.body[before.body.find("resultaten").unwrap_or(0)..][..600]
        );
        // One word is no synonym group: refused, nothing stored.
        let seq = app.audit_tail(1).await.first().map(|r| r.seq);
        let bad = app
            .post_form(
                "/beheer/wijzer/synonym/nieuw",
                &admin,
                &[
                    ("sleutel", "smikkelen"),
                    ("volgorde", "1"),
                    ("woorden", "smikkelen"),
                ],
            )
            .await;
        assert_eq!(bad.status, 400);
        assert!(bad
            .body
            .contains("Geef minstens twee woorden die hetzelfde betekenen."));
        assert_eq!(
            app.audit_tail(1).await.first().map(|r| r.seq),
            seq,
            "nothing written"
        );
        let res = app
            .post_form(
                "/beheer/wijzer/synonym/nieuw",
                &admin,
                &[
                    ("sleutel", "smikkelen"),
                    ("volgorde", "1"),
                    ("woorden", "smikkelen, maaltijd"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let tail = app.audit_tail(1).await;
        assert_eq!(
            (tail[0].action.as_str(), tail[0].object_type.as_deref()),
            ("create", Some("wijzer"))
        );
        let page = app.get("/beheer/wijzer/synonym/smikkelen", &admin).await;
        assert!(page.body.contains("smikkelen, maaltijd"));
        let after = app.get("/kaart?q=smikkelen", &As::Anonymous).await;
        assert!(
            !after.body.contains("Er is niets gevonden.") && after.body.contains("Buurtmaaltijd"),
            "the map searches the synonym"
        );
        // The wijzer's contra-indications are beheer content too.
        let limits = app.get("/beheer/wijzer/limitation/lopen", &admin).await;
        assert_eq!(limits.status, 200);
        assert!(limits.body.contains("lopen gaat niet (goed)"));
    }
}

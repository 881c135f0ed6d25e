//! Casework through the whole web stack, on every backend: what a generalist,
//! a team lead, a resident, a provider, a neighbour and a policy officer see and
//! may do — and that every read and change is audited.

use baken_web::testing::{apps, As, TestApp};

fn first_between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = body.find(start)? + start.len();
    let j = body[i..].find(end)? + i;
    Some(&body[i..j])
}

/// The plan id and version shown in the dossier's forms.
fn plan_form(body: &str) -> (String, String) {
    let id = first_between(body, "action=\"/plannen/", "/")
        .expect("plan form")
        .to_owned();
    let version = first_between(body, "name=\"versie\" value=\"", "\"")
        .expect("version")
        .to_owned();
    (id, version)
}

async fn last_audit(app: &TestApp) -> (String, String, Option<String>, String) {
    let t = app.audit_tail(1).await;
    (
        t[0].action.clone(),
        t[0].outcome.clone(),
        t[0].object_id.clone(),
        t[0].detail.clone(),
    )
}

#[tokio::test]
async fn every_casework_page_renders_for_its_roles_and_reads_are_audited() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let lead = app.login_as("teamleider").await;
        for (who, path, expect) in [
            (&gen, "/signalen", "Open signalen"),
            (&gen, "/mijn-caseload", "Mijn caseload"),
            (&gen, "/zoeken", "Huishouden zoeken"),
            (&gen, "/dossier/1", "Zelfredzaamheid door de tijd"),
            (&gen, "/signalen/nieuw", "Zorg melden"),
            (&lead, "/teamoverzicht", "Caseload per generalist"),
            (&lead, "/bakens", "Hoe berekend"),
        ] {
            let res = app.get(path, who).await;
            assert_eq!(
                res.status,
                200,
                "{:?} {path}: {}",
                app.backend,
                &res.body[..res.body.len().min(3000)]
            );
            assert!(res.body.contains(expect), "{path} shows {expect}");
        }
        let before = app.audit_count().await;
        let res = app.get("/dossier/1", &gen).await;
        assert!(res.body.contains("<svg"), "the dossier has the score chart");
        assert!(app.audit_count().await > before);
        assert_eq!(last_audit(&app).await.2.as_deref(), Some("1"));

        let resident = app.login_as("inwoner").await;
        let res = app.get("/mijn-plan", &resident).await;
        assert_eq!(res.status, 200);
        assert!(
            res.body.contains("Wie doet wat"),
            "the resident sees their plan in plain language"
        );
        assert!(!res.body.contains("Trede"), "no jargon for the resident");

        let anon = app.get("/zorgmelding", &As::Anonymous).await;
        assert_eq!(anon.status, 200);
        assert!(anon.body.contains("Zorg om iemand in uw buurt?"));
    }
}

#[tokio::test]
async fn a_household_of_another_team_is_not_found_and_the_attempt_audited() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        // Find a household outside team 1 by trying ids.
        let mut found = false;
        for id in 2..60 {
            let res = app.get(&format!("/dossier/{id}"), &gen).await;
            if res.status == 404 {
                let (action, outcome, object, _) = last_audit(&app).await;
                assert_eq!((action.as_str(), outcome.as_str()), ("read", "denied"));
                assert_eq!(object, Some(id.to_string()));
                found = true;
                break;
            }
        }
        assert!(found, "some household belongs to another team");
    }
}

#[tokio::test]
async fn karels_story_from_signal_to_better_scores_and_changed_bakens() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let lead = app.login_as("teamleider").await;
        // An empty household of the team: pick one whose dossier has no coordinator.
        let mut hh = None;
        for id in 1..60 {
            let res = app.get(&format!("/dossier/{id}"), &gen).await;
            if res.status == 200 && res.body.contains("<dd>nog geen</dd>") {
                hh = Some((id, res.body));
                break;
            }
        }
        let (hh, body) = hh.expect("a household without casework");
        // "<dd>Lindelaan 12A-2, 1234AB Proefstad</dd>"
        let dd = first_between(&body, "<dd>", "</dd>").unwrap().to_owned();
        let (street, rest) = dd.split_once(", ").unwrap();
        let postcode = rest.split_whitespace().next().unwrap().to_owned();
        let number: String = street
            .split_whitespace()
            .last()
            .unwrap()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let bakens_before = app.get("/bakens", &lead).await.body;
        let today = baken_web::casework::today();
        let day = |n: i64| {
            (today + chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        let (d0, d90) = (day(0), day(90));

        // The housing corporation reports nuisance.
        let res = app
            .post_form(
                "/signalen/nieuw",
                &gen,
                &[
                    ("postcode", &postcode),
                    ("huisnummer", &number),
                    ("categorie", "overlast"),
                    ("urgentie", "urgent"),
                    (
                        "omschrijving",
                        "Buren klagen over lawaai, afval en drank. Uitzetting dreigt.",
                    ),
                    ("bron", "Woningcorporatie Proefstad Wonen"),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("Uw melding is ontvangen"));
        // Triage: the signal shows as open, and is assigned.
        let triage = app.get("/signalen", &gen).await.body;
        let sid = first_between(&triage, "Buren klagen over lawaai", "toewijzen")
            .and_then(|s| s.rsplit("/signalen/").next())
            .map(|s| s.trim_end_matches('/').to_owned())
            .expect("the signal with a triage form");
        let gid = first_between(&triage, "name=\"generalist\"><option value=\"", "\"")
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/signalen/{sid}/toewijzen"),
                &gen,
                &[("huishouden", &hh.to_string()), ("generalist", &gid)],
            )
            .await;
        assert_eq!(
            res.status,
            303,
            "{sid} {gid} {:?}",
            res.body
                .match_indices("field-error")
                .map(|(i, _)| &res.body[i..i + 200])
                .collect::<Vec<_>>()
        );
        let res = app
            .post_form(
                &format!("/signalen/{sid}/contact"),
                &gen,
                &[
                    ("datum", &d0),
                    ("wijze", "huisbezoek"),
                    ("uitkomst", "Karel thuis getroffen"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);

        // The kitchen-table conversation with scores and the network.
        let mut conv: Vec<(String, String)> = vec![
            ("datum".into(), d0.clone()),
            ("vraag".into(), "De corporatie wil mij eruit zetten".into()),
            ("behoefte_domein".into(), "tijdsbesteding".into()),
            (
                "behoefte".into(),
                "Karel heeft niets te doen sinds hij zijn baan verloor en voelt zich alleen".into(),
            ),
            ("netwerk1_naam".into(), "Zus Ans".into()),
            ("netwerk1_relatie".into(), "familie".into()),
            ("netwerk1_wil".into(), "Wekelijks langs".into()),
            ("netwerk2_naam".into(), "Oude vriend Henk".into()),
            ("netwerk2_relatie".into(), "vriend".into()),
            ("trede_participatie".into(), "1".into()),
        ];
        for d in [
            "financien",
            "tijdsbesteding",
            "sociaal_netwerk",
            "huisvesting",
        ] {
            conv.push((format!("score_{d}"), "2".into()));
        }
        conv.push(("score_justitie".into(), "nvt".into()));
        let pairs: Vec<(&str, &str)> = conv.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let res = app
            .post_form(&format!("/dossier/{hh}/gesprek"), &gen, &pairs)
            .await;
        assert_eq!(res.status, 303, "{}", res.body);

        // The plan: an Eigen Kracht-conferentie (step 2) and day activities (step 3).
        assert_eq!(
            app.post_form(&format!("/dossier/{hh}/plan"), &gen, &[])
                .await
                .status,
            303
        );
        let body = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        assert!(body.contains("Oude vriend Henk"), "the network shows");
        let (plan, v) = plan_form(&body);
        let res = app
            .post_form(
                &format!("/plannen/{plan}/doelen"),
                &gen,
                &[
                    ("versie", &v),
                    ("domein", "tijdsbesteding"),
                    ("omschrijving", "Karel heeft een zinvolle dag"),
                    ("meetbaar", "Drie dagdelen per week dagbesteding"),
                    ("streefdatum", &d90),
                    ("termijn", "kort"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let body = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        let (_, v) = plan_form(&body);
        let goal = first_between(&body, "name=\"doel\"><option value=\"", "\"")
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/plannen/{plan}/afspraken"),
                &gen,
                &[
                    ("versie", &v),
                    ("doel", &goal),
                    ("wie_soort", "netwerk"),
                    ("wie", "Familie, oude vrienden en buren"),
                    ("wat", "Eigen Kracht-conferentie"),
                    ("trede", "2"),
                    ("vorm", "faciliteren"),
                    ("start", &d0),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let v2 = (v.parse::<i64>().unwrap() + 1).to_string();
        // Day activities by a professional service need an end or evaluation date.
        let res = app
            .post_form(
                &format!("/plannen/{plan}/afspraken"),
                &gen,
                &[
                    ("versie", &v2),
                    ("doel", &goal),
                    ("wie_soort", "generalist"),
                    ("wie", "Dagactiviteit De Kroon"),
                    ("wat", "Dagbesteding"),
                    ("trede", "3"),
                    ("vorm", "ondersteunen"),
                    ("start", &d0),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("einddatum of evaluatiedatum"),
            "Dutch message next to the field"
        );
        assert!(
            res.body.contains("value=\"Dagactiviteit De Kroon\""),
            "the form keeps what was typed"
        );
        let res = app
            .post_form(
                &format!("/plannen/{plan}/afspraken"),
                &gen,
                &[
                    ("versie", &v2),
                    ("doel", &goal),
                    ("wie_soort", "voorziening"),
                    ("wie", "Dagactiviteit De Kroon"),
                    ("wat", "Dagbesteding"),
                    ("trede", "3"),
                    ("vorm", "ondersteunen"),
                    ("start", &d0),
                    ("einddatum", &d90),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        // A stale version is a conflict.
        let res = app
            .post_form(
                &format!("/plannen/{plan}/doelen"),
                &gen,
                &[
                    ("versie", &v),
                    ("domein", "financien"),
                    ("omschrijving", "x"),
                    ("meetbaar", "y"),
                    ("streefdatum", &d90),
                ],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(res
            .body
            .contains("Iemand anders heeft dit plan intussen gewijzigd"));

        // Three months later: the evaluation with better scores.
        let body = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        let (_, v) = plan_form(&body);
        let mut ev: Vec<(String, String)> = vec![
            ("versie".into(), v.clone()),
            ("datum".into(), d0.clone()),
            (format!("resultaat_{goal}"), "behaald".into()),
            (
                format!("toelichting_{goal}"),
                "Gaat drie dagdelen per week".into(),
            ),
            ("trede_participatie".into(), "3".into()),
        ];
        for d in [
            "financien",
            "tijdsbesteding",
            "sociaal_netwerk",
            "huisvesting",
        ] {
            ev.push((format!("score_{d}"), "4".into()));
        }
        let pairs: Vec<(&str, &str)> = ev.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let res = app
            .post_form(&format!("/plannen/{plan}/evaluatie"), &gen, &pairs)
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let body = app.get(&format!("/dossier/{hh}"), &gen).await.body;
        assert!(body.contains(&format!("Behaald op {}", today.format("%d-%m-%Y"))));
        assert!(
            body.contains("2 – niet zelfredzaam") && body.contains("4 – voldoende zelfredzaam"),
            "first and last scores side by side"
        );
        assert_eq!(
            body.matches("class=\"chart__dot\"").count(),
            2,
            "two points in the chart"
        );
        assert!(
            body.contains("Geschiedenis van het plan") && body.contains("evaluatie vastgelegd")
        );

        // The bakens figures changed.
        let bakens_after = app.get("/bakens", &lead).await.body;
        assert_ne!(bakens_before, bakens_after);
        // Every change was audited against the household.
        let tail = app.audit_tail(30).await;
        assert!(tail.iter().any(|a| a.action == "update"
            && a.object_id.as_deref() == Some(&hh.to_string())
            && a.detail.contains("evaluatie")));
    }
}

#[tokio::test]
async fn step_five_is_blocked_without_justification_then_rejected_then_approved() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let lead = app.login_as("teamleider").await;
        // Household 1 has an open, evaluated plan in the demo.
        let body = app.get("/dossier/1", &gen).await.body;
        let (plan, v) = plan_form(&body);
        let goal = first_between(&body, "name=\"doel\"><option value=\"", "\"")
            .unwrap()
            .to_owned();
        let base = [
            ("doel", goal.as_str()),
            ("wie_soort", "specialist"),
            ("wie", "Zorgaanbieder"),
            ("wat", "Ambulante begeleiding"),
            ("trede", "5"),
            ("vorm", "interveniëren"),
            ("start", "2026-12-01"),
            ("einddatum", "2027-03-01"),
        ];
        let mut form: Vec<(&str, &str)> = vec![("versie", &v)];
        form.extend(base);
        let res = app
            .post_form(&format!("/plannen/{plan}/afspraken"), &gen, &form)
            .await;
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("waarom trede 1 (eigen kracht) niet genoeg is"),
            "blocked without justification"
        );
        let reasons = [
            ("reden1", "Karel kan het niet alleen"),
            ("reden2", "De familie kan dit niet dragen"),
            ("reden3", "Geen passende algemene voorziening"),
            ("reden4", "Lichte hulp hielp niet"),
        ];
        form.extend(reasons);
        let res = app
            .post_form(&format!("/plannen/{plan}/afspraken"), &gen, &form)
            .await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("verwijzing die de teamleider heeft goedgekeurd"));
        // Ask for a referral; the team lead rejects it, with a reason.
        let mut rf: Vec<(&str, &str)> =
            vec![("versie", &v), ("zorg", "Ambulante begeleiding thuis")];
        rf.extend(reasons);
        assert_eq!(
            app.post_form(&format!("/plannen/{plan}/verwijzingen"), &gen, &rf)
                .await
                .status,
            303
        );
        let team = app.get("/teamoverzicht", &lead).await.body;
        let rid = first_between(&team, "Ambulante begeleiding thuis", "/besluit")
            .and_then(|s| s.rsplit("/verwijzingen/").next())
            .unwrap()
            .to_owned();
        let res = app
            .post_form(
                &format!("/verwijzingen/{rid}/besluit"),
                &lead,
                &[("besluit", "afwijzen"), ("reden", "")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Schrijf op waarom u de verwijzing afwijst"));
        assert_eq!(
            app.post_form(
                &format!("/verwijzingen/{rid}/besluit"),
                &lead,
                &[
                    ("besluit", "afwijzen"),
                    ("reden", "Eerst de dagbesteding afwachten")
                ]
            )
            .await
            .status,
            303
        );
        // A generalist may not decide.
        assert_eq!(
            app.post_form(
                &format!("/verwijzingen/{rid}/besluit"),
                &gen,
                &[("besluit", "goedkeuren")]
            )
            .await
            .status,
            403
        );
        let body = app.get("/dossier/1", &gen).await.body;
        assert!(
            body.contains("Eerst de dagbesteding afwachten"),
            "the generalist sees the answer"
        );
        // A second request, approved; now the agreement on step 5 goes through.
        let (_, v) = plan_form(&body);
        rf[0] = ("versie", &v);
        assert_eq!(
            app.post_form(&format!("/plannen/{plan}/verwijzingen"), &gen, &rf)
                .await
                .status,
            303
        );
        let team = app.get("/teamoverzicht", &lead).await.body;
        let rid2 = first_between(&team, "Ambulante begeleiding thuis", "/besluit")
            .and_then(|s| s.rsplit("/verwijzingen/").next())
            .unwrap()
            .to_owned();
        assert_ne!(rid, rid2);
        assert_eq!(
            app.post_form(
                &format!("/verwijzingen/{rid2}/besluit"),
                &lead,
                &[("besluit", "goedkeuren"), ("reden", "Akkoord")]
            )
            .await
            .status,
            303
        );
        let body = app.get("/dossier/1", &gen).await.body;
        let (_, v) = plan_form(&body);
        let mut form: Vec<(&str, &str)> = vec![("versie", &v), ("verwijzing", &rid2)];
        form.extend(base);
        form.extend(reasons);
        let res = app
            .post_form(&format!("/plannen/{plan}/afspraken"), &gen, &form)
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let body = app.get("/dossier/1", &gen).await.body;
        assert!(body.contains("5 – maatwerkvoorziening"));
    }
}

#[tokio::test]
async fn the_public_page_shows_nothing_back_and_limits_each_address() {
    for app in apps(30).await {
        let form = [
            ("postcode", "1011 AA"),
            ("huisnummer", "3"),
            ("categorie", "eenzaamheid"),
            ("urgentie", "normaal"),
            (
                "omschrijving",
                "Mevrouw komt al weken niet buiten, de gordijnen blijven dicht.",
            ),
        ];
        for _ in 0..5 {
            let res = app.post_form("/zorgmelding", &As::Anonymous, &form).await;
            assert_eq!(res.status, 200);
            assert!(res.body.contains("Uw melding is ontvangen"));
            assert!(
                !res.body.contains("gordijnen") && !res.body.contains("1011"),
                "nothing reported is shown back"
            );
        }
        let res = app.post_form("/zorgmelding", &As::Anonymous, &form).await;
        assert_eq!(res.status, 429);
        assert!(res.body.contains("Probeer het later opnieuw"));
        let (action, outcome, _, _) = last_audit(&app).await;
        assert_eq!((action.as_str(), outcome.as_str()), ("access", "denied"));
        // Field errors in Dutch.
        let mut tx = app.db.begin().await.unwrap();
        let _ = &mut tx;
    }
}

#[tokio::test]
async fn a_provider_sees_only_households_with_an_agreement_and_consent() {
    for app in apps(60).await {
        let prov = app.login_as("aanbieder").await;
        let list = app.get("/aanbieder/huishoudens", &prov).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("href=\"/aanbieder/huishoudens/1\""));
        let one = app.get("/aanbieder/huishoudens/1", &prov).await;
        assert_eq!(one.status, 200);
        assert!(!one.body.contains("BSN"), "no BSN for a provider");
        let (action, outcome, object, _) = last_audit(&app).await;
        assert_eq!(
            (action.as_str(), outcome.as_str(), object.as_deref()),
            ("read", "success", Some("1"))
        );
        // A household where the provider holds no agreement.
        let mut refused = false;
        for id in 2..40 {
            if !list
                .body
                .contains(&format!("/aanbieder/huishoudens/{id}\""))
            {
                let res = app
                    .get(&format!("/aanbieder/huishoudens/{id}"), &prov)
                    .await;
                assert_eq!(res.status, 404);
                let (action, outcome, _, _) = last_audit(&app).await;
                assert_eq!((action.as_str(), outcome.as_str()), ("read", "denied"));
                refused = true;
                break;
            }
        }
        assert!(refused);
    }
}

#[tokio::test]
async fn policy_sees_only_protected_aggregates() {
    for app in apps(60).await {
        let beleid = app.login_as("beleid").await;
        let res = app.get("/bakens", &beleid).await;
        assert_eq!(res.status, 200);
        for n in 1..=8 {
            assert!(
                res.body.contains(&format!("<th scope=\"row\">{n}. ")),
                "baken {n}"
            );
        }
        assert!(!res.body.contains("/dossier/"), "no link to a person");
        // A single team and a short period: small counts are protected.
        let res = app
            .get("/bakens?team=1&van=2026-01-01&tot=2026-01-31", &beleid)
            .await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("te weinig gegevens") || res.body.contains("&lt;5"));
        assert_eq!(app.get("/bakens?van=gisteren", &beleid).await.status, 400);
    }
}

#[tokio::test]
async fn search_by_bsn_checks_the_eleven_test_and_never_logs_the_number() {
    for app in apps(60).await {
        let gen = app.login_as("generalist").await;
        let res = app.get("/zoeken?bsn=123456789", &gen).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("elfproef"));
        let res = app.get("/zoeken?bsn=111222333", &gen).await;
        assert_eq!(res.status, 200);
        let (action, _, _, detail) = last_audit(&app).await;
        assert_eq!(action, "search");
        assert!(
            !detail.contains("111222333"),
            "the BSN is not in the audit detail"
        );
        let res = app.get("/zoeken?naam=a", &gen).await;
        assert_eq!(res.status, 400);
    }
}

#[tokio::test]
async fn the_api_applies_the_same_rules_with_problem_json() {
    for app in apps(60).await {
        let gen = app.token_for("generalist").await;
        let lead = app.token_for("teamleider").await;
        let res = app.get("/api/v1/households/1/plans", &gen).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let plan = &json["_embedded"]["plans"][0];
        let (plan_id, version, goal) = (
            plan["id"].as_i64().unwrap(),
            plan["version"].as_i64().unwrap(),
            plan["goals"][0]["id"].as_i64().unwrap(),
        );
        let body = serde_json::json!({"version": version, "goalId": goal, "actor": "specialist", "actorName": "Zorg BV", "description": "Beschermd wonen", "step": 5, "form": "beschermen", "start": "2026-12-01", "endOrEvaluationDate": "2027-06-01", "justification": {"1": "a", "2": "b", "3": "c", "4": "d"}});
        let res = send_json(
            &app,
            "POST",
            &format!("/api/v1/plans/{plan_id}/agreements"),
            &gen,
            &body,
        )
        .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert_eq!(res.content_type(), "application/problem+json");
        assert!(res.body.contains("team lead"));
        let res = app.get("/api/v1/referrals", &lead).await;
        assert_eq!(res.status, 200);
        let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        let waiting = json["_embedded"]["referrals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["status"] == "aangevraagd")
            .expect("a waiting referral in the demo")
            .clone();
        let rid = waiting["id"].as_i64().unwrap();
        let res = send_json(
            &app,
            "POST",
            &format!("/api/v1/referrals/{rid}/reject"),
            &lead,
            &serde_json::json!({}),
        )
        .await;
        assert_eq!(res.status, 422, "a rejection needs a reason");
        let res = send_json(
            &app,
            "POST",
            &format!("/api/v1/referrals/{rid}/reject"),
            &lead,
            &serde_json::json!({"reason": "Eerst lichtere hulp"}),
        )
        .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert!(res.body.contains("afgewezen"));
        let res = app.get("/api/v1/signals", &gen).await;
        assert_eq!(res.status, 200);
        assert!(res.body.contains("\"overdue\""));
        // The openapi document lists the casework operations.
        let doc = app.get("/api/v1/openapi.json", &As::Anonymous).await.body;
        for p in [
            "\"/signals\"",
            "\"/plans/{id}/agreements\"",
            "\"/referrals/{id}/approve\"",
        ] {
            assert!(doc.contains(p), "{p} in openapi.json");
        }
    }
}

async fn send_json(
    app: &TestApp,
    method: &str,
    path: &str,
    who: &As,
    body: &serde_json::Value,
) -> baken_web::testing::TestResponse {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let As::Bearer(t) = who {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
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

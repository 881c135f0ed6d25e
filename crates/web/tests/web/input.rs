//! Bad input, everywhere: malformed JSON, wrong types and values outside their
//! type on the API; bad filters and forms on the beheer pages. Each gets a clear
//! error that names the field — a 400 — and nothing changes: no rows, no audit
//! entry (a domain rule broken by valid values is a 422, tested in casework.rs).

use baken_web::testing::{apps, As, TestApp};
use serde_json::{json, Value};

/// Rows in the tables an API call could write, and the audit log.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "cw_signals",
        "cw_conversations",
        "cw_goals",
        "cw_agreements",
        "cw_evaluations",
        "cw_referrals",
        "cw_plan_history",
        "audit_log",
    ] {
        out.push(app.count_rows(t).await);
    }
    out
}

/// Asserts a 400 problem+json whose `invalidParams` names `field`, or — for
/// missing, unknown and malformed input, which has no single field — whose
/// `detail` contains `field`.
fn assert_bad_request(res: &baken_web::testing::TestResponse, field: &str, what: &str) {
    assert_eq!(res.status, 400, "{what}: {}", res.body);
    assert_eq!(res.content_type(), "application/problem+json", "{what}");
    assert_eq!(
        res.headers.get("api-version").and_then(|v| v.to_str().ok()),
        Some("1.0.0"),
        "{what}"
    );
    let body: Value = serde_json::from_str(&res.body).expect("problem+json");
    assert_eq!(body["status"], 400, "{what}");
    assert_eq!(body["title"], "Bad Request", "{what}");
    let named = body["invalidParams"][0]["name"] == field
        || body["detail"].as_str().is_some_and(|d| d.contains(field));
    assert!(named, "{what}: '{field}' not named in {body}");
}

fn signal() -> Value {
    json!({"category": "schulden", "urgency": "normaal", "description": "Post stapelt zich op",
           "source": "buurman", "postcode": "1011AA", "houseNumber": "1"})
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().map(|o| o.remove(key));
    v
}

#[tokio::test]
async fn bad_signal_bodies_are_400_naming_the_field_and_change_nothing() {
    for app in apps(20).await {
        let token = app.token_for("generalist").await;
        let before = snapshot(&app).await;
        let cases: Vec<(String, &str)> = vec![
            ("{\"category\": \"schulden\",".into(), "not valid JSON"),
            ("[1, 2]".into(), "must be a JSON object"),
            ("".into(), "not valid JSON"),
            (format!("{} trailing", signal()), "not valid JSON"),
            (with(signal(), "category", json!(5)).to_string(), "category"),
            (
                with(signal(), "houseNumber", json!(1)).to_string(),
                "houseNumber",
            ),
            (without(signal(), "urgency").to_string(), "urgency"),
            (
                with(signal(), "priority", json!("hoog")).to_string(),
                "priority",
            ),
            (
                with(signal(), "category", json!("ruzie")).to_string(),
                "category",
            ),
            (
                with(signal(), "urgency", json!("heel erg")).to_string(),
                "urgency",
            ),
            (
                with(signal(), "postcode", json!("12")).to_string(),
                "postcode",
            ),
            (
                with(signal(), "houseNumber", json!("abc")).to_string(),
                "houseNumber",
            ),
            (
                with(signal(), "description", json!("")).to_string(),
                "description",
            ),
        ];
        for (body, field) in &cases {
            let res = app.post_json("/api/v1/signals", &token, body).await;
            assert_bad_request(&res, field, &format!("{:?} {body}", app.backend));
        }
        assert_eq!(
            snapshot(&app).await,
            before,
            "{:?}: nothing changed",
            app.backend
        );

        // The same body, valid, is accepted: the cases above differ only where named.
        let ok = app
            .post_json("/api/v1/signals", &token, &signal().to_string())
            .await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        assert_eq!(
            app.count_rows("cw_signals").await,
            before[0] + 1,
            "exactly one signal"
        );
    }
}

#[tokio::test]
async fn bad_casework_bodies_are_400_naming_the_field_and_change_nothing() {
    for app in apps(20).await {
        let token = app.token_for("generalist").await;
        let plans = app.get("/api/v1/households/1/plans", &token).await;
        let json: Value = serde_json::from_str(&plans.body).expect("plans");
        let plan = &json["_embedded"]["plans"][0];
        let (plan_id, version) = (plan["id"].clone(), plan["version"].clone());
        let goal_id = plan["goals"][0]["id"].clone();
        let referral_id = {
            let list = app.get("/api/v1/referrals", &token).await;
            let json: Value = serde_json::from_str(&list.body).expect("referrals");
            json["_embedded"]["referrals"][0]["id"].clone()
        };
        let conversation = json!({"heldOn": "2026-11-02", "presentedQuestion": "Hulp bij post",
            "scores": {"financien": "2"}, "participationRung": 3});
        let goal = json!({"version": version, "domain": "financien", "description": "Post op orde",
            "measure": "Elke week open", "targetDate": "2027-03-01", "term": "kort"});
        let agreement = json!({"version": version, "goalId": goal_id, "actor": "inwoner",
            "actorName": "Inwoner", "description": "Post openen", "step": 1, "form": "faciliteren",
            "start": "2026-12-01"});
        let evaluation = json!({"version": version, "heldOn": "2026-12-01",
            "outcomes": {goal_id.to_string(): "deels"}});
        let referral = json!({"version": version, "care": "Schuldhulp",
            "justification": {"1": "a", "2": "b", "3": "c", "4": "d"}});
        let conv_path = "/api/v1/households/1/conversations".to_owned();
        let goal_field = format!("outcomes.{goal_id}");
        let cases: Vec<(String, Value, &str)> = vec![
            (
                conv_path.clone(),
                with(conversation.clone(), "heldOn", json!("gisteren")),
                "heldOn",
            ),
            (
                conv_path.clone(),
                with(conversation.clone(), "scores", json!({"financien": "9"})),
                "scores.financien",
            ),
            (
                conv_path.clone(),
                with(conversation.clone(), "scores", json!({"geluk": "3"})),
                "scores.geluk",
            ),
            (
                conv_path.clone(),
                with(conversation.clone(), "participationRung", json!(9)),
                "participationRung",
            ),
            (
                conv_path.clone(),
                with(conversation.clone(), "participationRung", json!("drie")),
                "participationRung",
            ),
            (
                conv_path.clone(),
                with(
                    conversation.clone(),
                    "underlyingNeeds",
                    json!([{"domain": "geluk", "need": "x"}]),
                ),
                "underlyingNeeds[0].domain",
            ),
            (
                conv_path.clone(),
                with(conversation.clone(), "network", json!([{"name": "Piet"}])),
                "relation",
            ),
            (
                format!("/api/v1/plans/{plan_id}/goals"),
                with(goal.clone(), "term", json!("ooit")),
                "term",
            ),
            (
                format!("/api/v1/plans/{plan_id}/goals"),
                with(goal.clone(), "domain", json!("geluk")),
                "domain",
            ),
            (
                format!("/api/v1/plans/{plan_id}/goals"),
                with(goal.clone(), "version", json!("1")),
                "version",
            ),
            (
                format!("/api/v1/plans/{plan_id}/goals"),
                with(goal.clone(), "targetDate", json!("31-02-2027")),
                "targetDate",
            ),
            (
                format!("/api/v1/plans/{plan_id}/agreements"),
                with(agreement.clone(), "step", json!(7)),
                "step",
            ),
            (
                format!("/api/v1/plans/{plan_id}/agreements"),
                with(agreement.clone(), "step", json!(-1)),
                "step",
            ),
            (
                format!("/api/v1/plans/{plan_id}/agreements"),
                with(agreement.clone(), "actor", json!("buurman")),
                "actor",
            ),
            (
                format!("/api/v1/plans/{plan_id}/agreements"),
                with(agreement.clone(), "form", json!("toverij")),
                "form",
            ),
            (
                format!("/api/v1/plans/{plan_id}/agreements"),
                with(agreement.clone(), "justification", json!({"9": "x"})),
                "justification.9",
            ),
            (
                format!("/api/v1/plans/{plan_id}/evaluations"),
                with(evaluation.clone(), "outcomes", json!({"doel": "deels"})),
                "outcomes.doel",
            ),
            (
                format!("/api/v1/plans/{plan_id}/evaluations"),
                with(
                    evaluation.clone(),
                    "outcomes",
                    json!({goal_id.to_string(): "prima"}),
                ),
                &goal_field,
            ),
            (
                format!("/api/v1/plans/{plan_id}/referrals"),
                with(referral.clone(), "justification", json!({"5": "x"})),
                "justification.5",
            ),
            (
                format!("/api/v1/plans/{plan_id}/referrals"),
                without(referral.clone(), "care"),
                "care",
            ),
        ];
        let lead = app.token_for("teamleider").await;
        let before = snapshot(&app).await;
        for (path, body, field) in &cases {
            let res = app.post_json(path, &token, &body.to_string()).await;
            assert_bad_request(&res, field, &format!("{:?} {path} {body}", app.backend));
        }
        let res = app
            .post_json(
                &format!("/api/v1/referrals/{referral_id}/approve"),
                &lead,
                "{\"reason\": 5}",
            )
            .await;
        assert_bad_request(&res, "reason", "approve with a number as reason");
        assert_eq!(
            snapshot(&app).await,
            before,
            "{:?}: nothing changed",
            app.backend
        );
    }
}

#[tokio::test]
async fn the_audit_search_filters_and_refuses_unknown_values_in_dutch() {
    for app in apps(10).await {
        // Something to find: a failed login, a refused access and a read.
        app.post_form(
            "/inloggen",
            &As::Anonymous,
            &[
                ("gebruikersnaam", "beleid"),
                ("wachtwoord", "fout-fout-fout"),
            ],
        )
        .await;
        let beleid = app.login_as("beleid").await;
        app.get("/huishoudens/1", &beleid).await;
        let generalist = app.login_as("generalist").await;
        app.get("/huishoudens/1", &generalist).await;

        let admin = app.login_as("beheerder").await;
        let rows = |body: &str| -> Vec<String> {
            let Some(start) = body.find("<tbody>") else {
                return Vec::new();
            };
            let end = body[start..]
                .find("</tbody>")
                .map_or(body.len(), |e| start + e);
            body[start..end]
                .split("<tr role=\"row\">")
                .skip(1)
                .map(|r| r.to_owned())
                .collect()
        };
        let denied = app
            .get("/beheer/audit?actie=access&uitkomst=denied", &admin)
            .await;
        assert_eq!(denied.status, 200);
        let found = rows(&denied.body);
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|r| r.contains("geweigerd") && r.contains("beleid (beleid)")),
            "only beleid's refusal: {found:?}"
        );
        let by_user = app.get("/beheer/audit?gebruiker=Generalist", &admin).await;
        let found = rows(&by_user.body);
        assert!(!found.is_empty());
        assert!(found.iter().all(|r| r.contains("generalist (generalist)")));
        let by_object = app
            .get("/beheer/audit?object=household:1&actie=read", &admin)
            .await;
        let found = rows(&by_object.body);
        assert_eq!(found.len(), 1, "one read of household 1: {found:?}");
        assert!(found[0].contains("household:1") && found[0].contains("generalist"));
        let failed = app
            .get("/beheer/audit?actie=login&uitkomst=failed", &admin)
            .await;
        assert_eq!(rows(&failed.body).len(), 1);
        let today = chrono::Utc::now().date_naive();
        let tomorrow = today.succ_opt().expect("a tomorrow");
        let future = app
            .get(&format!("/beheer/audit?van={tomorrow}"), &admin)
            .await;
        assert!(future.body.contains("Geen regels gevonden."));
        let now = app
            .get(&format!("/beheer/audit?van={today}&tot={today}"), &admin)
            .await;
        assert!(!rows(&now.body).is_empty());
        assert!(!now.body.contains("Geen regels gevonden."));

        // Unknown or malformed filters: a Dutch message at the field, no search, no audit entry.
        for (query, field, message) in [
            ("actie=stelen", "actie", "Kies een actie uit de lijst."),
            (
                "uitkomst=misschien",
                "uitkomst",
                "Kies een uitkomst uit de lijst.",
            ),
            ("object=household", "object", "soort:nummer"),
            ("van=gisteren", "van", "jjjj-mm-dd"),
            ("tot=2026-13-01", "tot", "jjjj-mm-dd"),
            ("van=2026-05-02&tot=2026-05-01", "tot", "vóór de begindatum"),
        ] {
            let before = app.audit_count().await;
            let res = app.get(&format!("/beheer/audit?{query}"), &admin).await;
            assert_eq!(res.status, 400, "{query}");
            assert!(
                res.body.contains(&format!("id=\"{field}-fout\"")),
                "{query}"
            );
            assert!(res.body.contains(message), "{query}");
            assert!(res.body.contains("Er is niet gezocht"), "{query}");
            assert!(rows(&res.body).is_empty(), "{query}: no results shown");
            assert_eq!(
                app.audit_count().await,
                before,
                "{query}: nothing searched, nothing audited"
            );
        }
    }
}

#[tokio::test]
async fn bad_team_and_user_forms_get_dutch_errors_and_change_nothing() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let teams_before = app.count_rows("teams").await;
        let audit_before = app.audit_count().await;
        for (form, field, message) in [
            (
                vec![("naam", "ab"), ("wijk", "")],
                "naam",
                "3 tot 80 tekens",
            ),
            (
                vec![("naam", "Wijkteam Centrum"), ("wijk", "")],
                "naam",
                "Er is al een team met deze naam",
            ),
            (
                vec![("naam", "Wijkteam Nieuw"), ("wijk", "WK1")],
                "wijk",
                "Kies een wijk uit de lijst",
            ),
            (
                vec![("naam", "Wijkteam Nieuw"), ("wijk", "WK999999")],
                "wijk",
                "Deze wijk bestaat niet",
            ),
        ] {
            let res = app.post_form("/beheer/teams", &admin, &form).await;
            assert_eq!(res.status, 400, "{form:?}");
            assert!(
                res.body.contains(&format!("id=\"{field}-fout\"")),
                "{form:?}"
            );
            assert!(res.body.contains(message), "{form:?}: {message}");
        }
        // Editing a team: a bad version, a bad name.
        let res = app
            .post_form(
                "/beheer/teams/1",
                &admin,
                &[
                    ("naam", "Wijkteam Anders"),
                    ("wijk", "WK999901"),
                    ("actief", "ja"),
                    ("versie", "abc"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("mist de versie"));
        let res = app
            .post_form(
                "/beheer/teams/1",
                &admin,
                &[
                    ("naam", ""),
                    ("wijk", "WK999901"),
                    ("actief", "ja"),
                    ("versie", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"naam-fout\""));
        assert_eq!(app.count_rows("teams").await, teams_before);
        let team = app.get("/beheer/teams/1", &admin).await;
        assert!(
            team.body.contains("value=\"Wijkteam Centrum\""),
            "name unchanged"
        );
        assert!(
            team.body.contains("name=\"versie\" value=\"1\""),
            "version unchanged"
        );

        // Editing a user: a version that is not a number.
        let res = app
            .post_form(
                "/beheer/gebruikers/2",
                &admin,
                &[
                    ("naam", "Andere Naam"),
                    ("rol", "vrijwilliger"),
                    ("actief", "ja"),
                    ("versie", "abc"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Het formulier mist de versie van de gegevens"));
        let user = app.get("/beheer/gebruikers/2", &admin).await;
        assert!(!user.body.contains("Andere Naam"), "nothing changed");
        assert!(user.body.contains("name=\"versie\" value=\"1\""));
        // A district edit with a bad version or an empty name.
        let res = app
            .post_form(
                "/beheer/wijken/WK999901",
                &admin,
                &[("naam", "Hart"), ("versie", "x")],
            )
            .await;
        assert_eq!(res.status, 400);
        let res = app
            .post_form(
                "/beheer/wijken/WK999901",
                &admin,
                &[("naam", " "), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"naam-fout\""));
        assert!(app
            .get("/beheer/wijken", &admin)
            .await
            .body
            .contains("Centrum <span"));
        // Only the look at /beheer/gebruikers/2 above: opening an account is audited.
        assert_eq!(
            app.audit_count().await,
            audit_before + 1,
            "nothing was written"
        );
    }
}

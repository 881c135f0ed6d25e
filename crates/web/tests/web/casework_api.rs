//! The casework API against its OpenAPI document: every operation names its
//! request and response bodies as component schemas, and what the server
//! really sends and accepts conforms to them — on every backend.

use crate::helpers::respond;
use baken_web::testing::{apps, As, TestApp};
use serde_json::{json, Value};

fn doc() -> Value {
    serde_json::from_str(baken_web::foundation::api::OPENAPI).expect("openapi.json parses")
}

fn schema<'a>(doc: &'a Value, r: &str) -> &'a Value {
    let name = r
        .strip_prefix("#/components/schemas/")
        .unwrap_or_else(|| panic!("{r} is not a component schema"));
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "component schema {name} exists");
    s
}

/// Checks `v` against `s` (the subset of OpenAPI 3.0 the document uses);
/// every problem with its JSON path.
fn check(doc: &Value, s: &Value, v: &Value, path: &str, problems: &mut Vec<String>) {
    if let Some(r) = s["$ref"].as_str() {
        return check(doc, schema(doc, r), v, path, problems);
    }
    if let Some(all) = s["allOf"].as_array() {
        for part in all {
            check(doc, part, v, path, problems);
        }
        return;
    }
    if v.is_null() {
        if s["nullable"] != true && s.get("type").is_some() {
            problems.push(format!("{path}: null where {} is required", s["type"]));
        }
        return;
    }
    match s["type"].as_str() {
        Some("object") => {
            let Some(o) = v.as_object() else {
                return problems.push(format!("{path}: not an object"));
            };
            for r in s["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !o.contains_key(r) {
                    problems.push(format!("{path}: missing {r}"));
                }
            }
            for (k, x) in o {
                let p = format!("{path}.{k}");
                match (&s["properties"][k], &s["additionalProperties"]) {
                    (ps, _) if ps.is_object() => check(doc, ps, x, &p, problems),
                    (_, Value::Bool(false)) => problems.push(format!("{p}: not in the schema")),
                    (_, extra) if extra.is_object() => check(doc, extra, x, &p, problems),
                    _ => {}
                }
            }
        }
        Some("array") => match v.as_array() {
            Some(a) => {
                for (i, x) in a.iter().enumerate() {
                    check(doc, &s["items"], x, &format!("{path}[{i}]"), problems);
                }
            }
            None => problems.push(format!("{path}: not an array")),
        },
        Some("string") => match v.as_str() {
            Some(t) => {
                if let Some(e) = s["enum"].as_array() {
                    if !e.iter().any(|x| x == v) {
                        problems.push(format!("{path}: {t} not in {e:?}"));
                    }
                }
                if s["format"] == "date"
                    && chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_err()
                {
                    problems.push(format!("{path}: {t} is not a date"));
                }
            }
            None => problems.push(format!("{path}: not a string")),
        },
        Some("integer") => match v.as_i64() {
            Some(n) => {
                if s["minimum"].as_i64().is_some_and(|m| n < m)
                    || s["maximum"].as_i64().is_some_and(|m| n > m)
                {
                    problems.push(format!("{path}: {n} out of range"));
                }
            }
            None => problems.push(format!("{path}: not an integer")),
        },
        Some("boolean") if !v.is_boolean() => problems.push(format!("{path}: not a boolean")),
        _ => {}
    }
}

fn casework_operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (p, item) in doc["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            if op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == "casework"))
            {
                out.push((m.to_uppercase(), format!("/api/v1{p}"), op));
            }
        }
    }
    out
}

#[test]
fn every_casework_operation_names_its_bodies_as_component_schemas() {
    let doc = doc();
    let ops = casework_operations(&doc);
    // Exactly the casework module's API routes.
    let mut routes: Vec<(String, String)> = baken_web::casework::routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let mut documented: Vec<(String, String)> =
        ops.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    routes.sort();
    documented.sort();
    assert_eq!(documented, routes);
    for (m, p, op) in &ops {
        if m == "POST" {
            let r = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str();
            assert!(r.is_some(), "{m} {p}: request body is a component schema");
        }
        for (code, res) in op["responses"].as_object().unwrap() {
            if code.starts_with('2') {
                let r = res["content"]["application/json"]["schema"]["$ref"].as_str();
                assert!(
                    r.is_some(),
                    "{m} {p} {code}: response is a component schema"
                );
            }
        }
    }
    // No component schema of casework is a bare object.
    fn walk(s: &Value, at: &str) {
        if s["type"] == "object" {
            assert!(
                s.get("properties").is_some() || s.get("additionalProperties").is_some(),
                "{at} is a bare object"
            );
        }
        if let Some(o) = s.as_object() {
            for (k, x) in o {
                if x.is_object() {
                    walk(x, &format!("{at}.{k}"));
                }
            }
        }
    }
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        walk(s, name);
    }
    // The signal categories are the domain's, hulpvraag included.
    let cats: Vec<&str> = doc["components"]["schemas"]["NewSignal"]["properties"]["category"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let domain: Vec<&str> = baken_domain::casework::SignalCategory::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(cats, domain);
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    who: &As,
    body: Option<&Value>,
) -> (u16, Value) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut req = Request::builder().method(method).uri(path);
    if let As::Bearer(t) = who {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = respond(app, req).await;
    (
        res.status.as_u16(),
        serde_json::from_str(&res.body).unwrap_or(Value::Null),
    )
}

/// Calls an operation and checks the request and the response against the
/// document; returns the response body.
async fn call(
    app: &TestApp,
    doc: &Value,
    method: &str,
    template: &str,
    id: i64,
    who: &As,
    body: Option<Value>,
) -> Value {
    let op = &doc["paths"][template.trim_start_matches("/api/v1")][method.to_lowercase()];
    assert!(op.is_object(), "{method} {template} documented");
    let mut problems = Vec::new();
    if let Some(b) = &body {
        let s = &op["requestBody"]["content"]["application/json"]["schema"];
        check(doc, s, b, "request", &mut problems);
    }
    let path = template.replace("{id}", &id.to_string());
    let (status, res) = send(app, method, &path, who, body.as_ref()).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {res}"
    );
    let s = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(s.is_object(), "{method} {template} documents {status}");
    check(doc, s, &res, "response", &mut problems);
    assert!(
        problems.is_empty(),
        "{method} {template}: {problems:#?}\n{res}"
    );
    res
}

#[tokio::test]
async fn what_the_casework_api_sends_and_accepts_matches_its_schemas() {
    let doc = doc();
    for app in apps(60).await {
        let gen = app.token_for("generalist").await;
        let lead = app.token_for("teamleider").await;
        let partner = app.token_for("aanbieder").await;
        let today = baken_web::casework::today();
        let day = |n: i64| {
            (today + chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        // A household without casework.
        let page = app.login_as("generalist").await;
        let mut fresh = None;
        for id in 1..60 {
            let res = app.get(&format!("/dossier/{id}"), &page).await;
            if res.status == 200 && res.body.contains("<dd>nog geen</dd>") {
                fresh = Some(id);
                break;
            }
        }
        let hh = fresh.expect("a household without casework");
        let (_, household) =
            send(&app, "GET", &format!("/api/v1/households/{hh}"), &gen, None).await;
        let postcode = household["address"]["postcode"]
            .as_str()
            .unwrap()
            .to_owned();
        let number = household["address"]["houseNumber"].to_string();

        call(&app, &doc, "GET", "/api/v1/signals", 0, &gen, None).await;
        let s = call(&app, &doc, "POST", "/api/v1/signals", 0, &partner, Some(json!({
            "category": "schulden", "urgency": "normaal", "description": "Rekeningen stapelen zich op",
            "source": "Stichting Welzijn Proefstad", "postcode": postcode, "houseNumber": number.trim_matches('"'),
        }))).await;
        let sid = s["id"].as_i64().unwrap();
        let me = {
            let mut tx = app.db.read().await.unwrap();
            baken_store::users::by_username(&mut tx, "generalist")
                .await
                .unwrap()
                .unwrap()
                .id
        };
        call(
            &app,
            &doc,
            "POST",
            "/api/v1/signals/{id}/triage",
            sid,
            &gen,
            Some(json!({"householdId": hh, "generalistId": me})),
        )
        .await;
        call(
            &app,
            &doc,
            "POST",
            "/api/v1/signals/{id}/first-contact",
            sid,
            &gen,
            Some(json!({"on": day(0), "method": "huisbezoek", "outcome": "Thuis"})),
        )
        .await;
        let (_, providers) = send(
            &app,
            "GET",
            "/api/v1/hsds/organizations",
            &As::Anonymous,
            None,
        )
        .await;
        let _ = providers;
        let provider = {
            let mut tx = app.db.read().await.unwrap();
            baken_store::areas::providers(&mut tx).await.unwrap()[0].id
        };
        call(&app, &doc, "POST", "/api/v1/households/{id}/conversations", hh, &gen, Some(json!({
            "heldOn": day(-1), "presentedQuestion": "Hulp bij de rekeningen",
            "underlyingNeeds": [{"domain": "financien", "need": "Overzicht kwijt"}, {"domain": "sociaal_netwerk", "need": "Schaamt zich"}],
            "scores": {"financien": "2", "justitie": "nvt"}, "participationRung": 2,
            "network": [{"name": "Broer", "relation": "familie", "canDo": "Post", "willDo": "Wekelijks"}],
            "consents": [{"providerId": provider, "purpose": "Schuldhulp", "until": day(200)}, {"organisation": "Huisarts", "purpose": "Gezondheid", "until": day(100)}],
        }))).await;
        call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/conversations",
            hh,
            &gen,
            None,
        )
        .await;
        let p = call(
            &app,
            &doc,
            "POST",
            "/api/v1/households/{id}/plans",
            hh,
            &gen,
            Some(json!({"openedOn": day(-1)})),
        )
        .await;
        let plan = p["id"].as_i64().unwrap();
        let g = call(&app, &doc, "POST", "/api/v1/plans/{id}/goals", plan, &gen, Some(json!({"version": 1, "domain": "financien", "description": "Rekeningen op tijd", "measure": "Geen aanmaningen", "targetDate": day(90), "term": "kort"}))).await;
        let goal = g["id"].as_i64().unwrap();
        let a = call(&app, &doc, "POST", "/api/v1/plans/{id}/agreements", plan, &gen, Some(json!({
            "version": g["version"], "goalId": goal, "actor": "voorziening", "providerId": provider, "description": "Budgetcursus",
            "step": 3, "form": "ondersteunen", "frequency": "wekelijks", "start": day(0), "endOrEvaluationDate": day(30), "ownContribution": "Neemt zijn post mee",
        }))).await;
        let aid = a["id"].as_i64().unwrap();
        let c = call(
            &app,
            &doc,
            "POST",
            "/api/v1/agreements/{id}/continue",
            aid,
            &gen,
            Some(json!({"version": a["version"], "until": day(60)})),
        )
        .await;
        let e = call(&app, &doc, "POST", "/api/v1/plans/{id}/evaluations", plan, &gen, Some(json!({
            "version": c["version"], "heldOn": day(0), "outcomes": {goal.to_string(): "deels"}, "notes": {goal.to_string(): "Gaat beter"},
            "agreements": {aid.to_string(): {"decision": "continue", "until": day(90)}}, "scores": {"financien": "3"}, "participationRung": 3, "note": "Goed gesprek",
        }))).await;
        let r = call(&app, &doc, "POST", "/api/v1/plans/{id}/referrals", plan, &gen, Some(json!({"version": e["version"], "care": "Schuldhulp", "justification": {"1": "a", "2": "b", "3": "c", "4": "d"}}))).await;
        call(&app, &doc, "GET", "/api/v1/referrals", 0, &lead, None).await;
        call(
            &app,
            &doc,
            "POST",
            "/api/v1/referrals/{id}/reject",
            r["id"].as_i64().unwrap(),
            &lead,
            Some(json!({"reason": "Eerst de cursus"})),
        )
        .await;
        let plans = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/plans",
            hh,
            &gen,
            None,
        )
        .await;
        let v = plans["_embedded"]["plans"][0]["version"].clone();
        let ended = call(
            &app,
            &doc,
            "POST",
            "/api/v1/agreements/{id}/end",
            aid,
            &gen,
            Some(json!({"version": v, "endedOn": day(0)})),
        )
        .await;
        call(
            &app,
            &doc,
            "POST",
            "/api/v1/plans/{id}/close",
            plan,
            &gen,
            Some(json!({"version": ended["version"], "reason": "Op orde"})),
        )
        .await;
        // Household 1's plan (a full demo plan) reads back as documented too.
        call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/plans",
            1,
            &gen,
            None,
        )
        .await;
        call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/conversations",
            1,
            &gen,
            None,
        )
        .await;
        // A rule broken: the documented problem shape.
        let (status, res) = send(
            &app,
            "POST",
            &format!("/api/v1/plans/{plan}/close"),
            &gen,
            Some(&json!({"version": 1, "reason": "x"})),
        )
        .await;
        assert_eq!(status, 422, "{res}");
        let mut problems = Vec::new();
        check(
            &doc,
            &json!({"$ref": "#/components/schemas/CaseworkProblem"}),
            &res,
            "problem",
            &mut problems,
        );
        assert!(
            problems.is_empty() && res["nlDetail"].as_str().is_some_and(|s| !s.is_empty()),
            "{problems:?} {res}"
        );
    }
}

#[test]
fn the_checker_finds_what_does_not_match() {
    let doc = doc();
    let s = json!({"$ref": "#/components/schemas/TriageResult"});
    let mut problems = Vec::new();
    check(
        &doc,
        &s,
        &json!({"signalId": 1, "householdId": 2, "assignedTo": 3, "coordinatorId": 3, "handedOver": false}),
        "$",
        &mut problems,
    );
    assert!(problems.is_empty(), "{problems:?}");
    check(
        &doc,
        &s,
        &json!({"signalId": "1", "householdId": 2, "assignedTo": 3, "extra": true}),
        "$",
        &mut problems,
    );
    // A wrong type, an unknown field, and two missing ones.
    assert_eq!(problems.len(), 4, "{problems:?}");
    let mut problems = Vec::new();
    check(
        &doc,
        &json!({"$ref": "#/components/schemas/Signal"}),
        &json!({"reportedOn": "gisteren", "category": "lawaai"}),
        "$",
        &mut problems,
    );
    assert!(
        problems.iter().any(|p| p.contains("not a date"))
            && problems.iter().any(|p| p.contains("lawaai"))
    );
}

/// What the contract checks (Spectral, schemathesis) found in 2026-12: lists
/// without paging that ignored unknown parameters, `bearer` refused, a 413 as
/// plain text, no CORS on the document, and a 404 for an HSDS id that is no UUID.
#[tokio::test]
async fn lists_are_paged_and_unknown_parameters_bad_sizes_and_ids_are_named_problems() {
    use axum::body::Body;
    use axum::http::{header, Request};
    for app in apps(60).await {
        let gen = app.token_for("generalist").await;
        let As::Bearer(secret) = &gen else {
            panic!("a token")
        };
        let (status, hh) = send(&app, "GET", "/api/v1/households?pageSize=1", &gen, None).await;
        assert_eq!(status, 200);
        let hh = hh["_embedded"]["households"][0]["id"].as_i64().unwrap();
        for list in [
            "/api/v1/signals".to_owned(),
            "/api/v1/referrals".to_owned(),
            format!("/api/v1/households/{hh}/conversations"),
        ] {
            let (status, body) =
                send(&app, "GET", &format!("{list}?status=open"), &gen, None).await;
            assert_eq!(status, 400, "{list}: {body}");
            assert_eq!(body["invalidParams"][0]["name"], "status", "{list}: {body}");
            let (status, body) = send(&app, "GET", &format!("{list}?pageSize=0"), &gen, None).await;
            assert_eq!(status, 400, "{list}: {body}");
            assert_eq!(
                body["invalidParams"][0]["name"], "pageSize",
                "{list}: {body}"
            );
            let (status, body) = send(
                &app,
                "GET",
                &format!("{list}?page=1&pageSize=1"),
                &gen,
                None,
            )
            .await;
            assert_eq!(status, 200, "{list}: {body}");
            assert_eq!(body["page"]["size"], 1, "{list}: {body}");
            let total = body["page"]["totalElements"].as_i64().unwrap();
            let shown = body["_embedded"]
                .as_object()
                .and_then(|e| e.values().next())
                .and_then(|v| v.as_array())
                .map(Vec::len)
                .unwrap();
            assert_eq!(shown as i64, total.min(1), "{list}: {body}");
            assert_eq!(
                body["_links"]["next"].is_object(),
                total > 1,
                "{list}: {body}"
            );
        }
        let (_, signals) = send(&app, "GET", "/api/v1/signals?pageSize=2", &gen, None).await;
        assert!(
            signals["page"]["totalElements"].as_i64().unwrap() > 2,
            "the demo team has more than two signals: {signals}"
        );
        assert_eq!(
            signals["_links"]["next"]["href"],
            "/api/v1/signals?page=2&pageSize=2"
        );

        // The scheme is case-insensitive.
        let req = Request::get("/api/v1/signals")
            .header(header::AUTHORIZATION, format!("bearer {secret}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(respond(&app, req).await.status, 200, "lower-case bearer");

        // The document may be read from any origin, and carries the API's version.
        let doc = app.get("/api/v1/openapi.json", &As::Anonymous).await;
        assert_eq!(doc.status, 200);
        assert_eq!(doc.headers["access-control-allow-origin"], "*");
        assert_eq!(doc.headers["api-version"], "1.0.0");

        // A body over the limit is a problem, not plain text.
        let req = Request::post("/api/v1/signals")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![b' '; 2 * 1024 * 1024]))
            .unwrap();
        let res = respond(&app, req).await;
        assert_eq!(res.status, 413);
        assert_eq!(
            res.content_type(),
            "application/problem+json",
            "{}",
            res.body
        );
        assert!(res.body.contains("larger than"), "{}", res.body);
        assert_eq!(res.headers["api-version"], "1.0.0");

        // An HSDS id is a UUID; anything else is a 400 naming `id`.
        for path in [
            "/api/v1/hsds/services/nope",
            "/api/v1/hsds/organizations/12",
            "/api/v1/hsds/service-at-locations/00000000-0000-0000-0000-00000000000g",
        ] {
            let res = app.get(path, &As::Anonymous).await;
            assert_eq!(res.status, 400, "{path}");
            let body: Value = serde_json::from_str(&res.body).unwrap();
            assert_eq!(body["invalidParams"][0]["name"], "id", "{path}");
        }
        let res = app
            .get(
                "/api/v1/hsds/services/00000000-0000-0000-0000-000000000000",
                &As::Anonymous,
            )
            .await;
        assert_eq!(res.status, 404, "a well-formed id that names nothing");
        // Renamed filters: the new camelCase names, and the old ones as aliases.
        for query in ["districtCode=WK999902", "district_code=WK999902"] {
            let res = app
                .get(&format!("/api/v1/hsds/services?{query}"), &As::Anonymous)
                .await;
            assert_eq!(res.status, 200, "{query}: {}", res.body);
        }
    }
}

/// Sends raw bytes as a JSON body.
async fn send_raw(app: &TestApp, path: &str, who: &As, body: Vec<u8>) -> (u16, Value) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut req = Request::builder().method("POST").uri(path);
    if let As::Bearer(t) = who {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = respond(app, req).await;
    (
        res.status.as_u16(),
        serde_json::from_str(&res.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn json_bodies_refuse_control_characters_name_missing_fields_and_accept_a_bom() {
    for app in apps(10).await {
        let partner = app.token_for("aanbieder").await;
        let gen = app.token_for("generalist").await;
        let (_, household) = send(&app, "GET", "/api/v1/households/1", &gen, None).await;
        let signal = json!({
            "category": "schulden", "urgency": "normaal",
            "description": "Rekeningen\u{0}stapelen zich op",
            "source": "Stichting Welzijn Proefstad",
            "postcode": household["address"]["postcode"],
            "houseNumber": household["address"]["houseNumber"].to_string().trim_matches('"'),
        });
        let before = app.count_rows("cw_signals").await;
        let (status, problem) =
            send(&app, "POST", "/api/v1/signals", &partner, Some(&signal)).await;
        assert_eq!(status, 400, "{:?}: {problem}", app.backend);
        assert_eq!(
            problem["invalidParams"][0]["name"], "description",
            "{problem}"
        );
        assert!(
            problem["invalidParams"][0]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("U+0000")),
            "{problem}"
        );
        assert_eq!(
            app.count_rows("cw_signals").await,
            before,
            "nothing written"
        );

        let mut missing = signal.clone();
        missing.as_object_mut().unwrap().remove("category");
        missing["description"] = json!("Rekeningen stapelen zich op");
        let (status, problem) =
            send(&app, "POST", "/api/v1/signals", &partner, Some(&missing)).await;
        assert_eq!(status, 400, "{problem}");
        assert_eq!(problem["invalidParams"][0]["name"], "category", "{problem}");

        missing["category"] = json!("schulden");
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend(missing.to_string().bytes());
        let (status, created) = send_raw(&app, "/api/v1/signals", &partner, with_bom).await;
        assert_eq!(status, 201, "a byte-order mark is accepted: {created}");
        assert_eq!(app.count_rows("cw_signals").await, before + 1);
    }
}

#[tokio::test]
async fn forms_and_query_strings_refuse_control_characters_in_dutch() {
    for app in apps(10).await {
        let res = app
            .post_form(
                "/inloggen",
                &As::Anonymous,
                &[("gebruikersnaam", "beleid\u{0}"), ("wachtwoord", "x")],
            )
            .await;
        assert_eq!(res.status, 400, "{:?}", app.backend);
        assert!(res.body.contains("stuurteken"), "{}", res.body);
        assert!(res.body.contains("gebruikersnaam"), "{}", res.body);

        let who = app.login_as("generalist").await;
        let res = app.get("/zoeken?op=naam&q=de%00vries", &who).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("stuurteken"));

        let token = app.token_for("generalist").await;
        let res = app.get("/api/v1/households?districtCode=%1B", &token).await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("districtCode"), "{}", res.body);
    }
}

#[tokio::test]
async fn the_timeline_consents_and_conferences_go_through_the_api_like_the_dossier() {
    let doc = doc();
    for app in apps(60).await {
        let gen = app.token_for("generalist").await;
        let policy = app.token_for("beleid").await;
        let today = baken_web::casework::today().format("%Y-%m-%d").to_string();
        // A contact moment, then the timeline shows it, newest first, with its note.
        let created = call(
            &app,
            &doc,
            "POST",
            "/api/v1/households/{id}/contact-moments",
            1,
            &gen,
            Some(json!({"heldOn": today, "kind": "telefoon", "who": "Bewoner", "note": "Belde over de huur"})),
        )
        .await;
        assert!(created["id"].as_i64().is_some());
        let (action, outcome, _, detail) = crate::helpers::last_audit(&app).await;
        assert_eq!((action.as_str(), outcome.as_str()), ("update", "success"));
        assert!(detail.contains("contactmoment"), "{detail}");
        let timeline = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/timeline",
            1,
            &gen,
            None,
        )
        .await;
        let first = &timeline["_embedded"]["events"][0];
        assert_eq!(first["kind"], "contact");
        assert_eq!(first["note"], "Belde over de huur");
        let (action, _, _, detail) = crate::helpers::last_audit(&app).await;
        assert_eq!(
            (action.as_str(), detail.as_str()),
            ("read", "api: tijdlijn")
        );
        // A bad kind names the field; nothing written.
        let (status, res) = send(
            &app,
            "POST",
            "/api/v1/households/1/contact-moments",
            &gen,
            Some(&json!({"heldOn": today, "kind": "sms", "who": "x", "note": "y"})),
        )
        .await;
        assert_eq!(status, 400, "{res}");
        assert_eq!(res["invalidParams"][0]["name"], "kind");
        // Policy roles never read a household's timeline.
        let (status, _) = send(&app, "GET", "/api/v1/households/1/timeline", &policy, None).await;
        assert_eq!(status, 403);
        // Consents: listed with their purpose; one without a purpose is a rule broken.
        let consents = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/consents",
            1,
            &gen,
            None,
        )
        .await;
        let held = consents["_embedded"]["consents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["holds"] == true && c["providerId"].is_i64())
            .cloned()
            .expect("a provider's consent that holds in the demo");
        let provider = held["providerId"].as_i64().unwrap();
        let (status, res) = send(
            &app,
            "POST",
            "/api/v1/households/1/consents",
            &gen,
            Some(&json!({"providerId": provider, "until": today})),
        )
        .await;
        assert_eq!(status, 422, "{res}");
        assert!(
            res["nlDetail"].as_str().unwrap().contains("toestemming"),
            "{res}"
        );
        // Withdrawn through the API: the provider's sight ends at once.
        let prov = app.login_as("aanbieder").await;
        let before = app.get("/aanbieder/huishoudens/1", &prov).await.status;
        let id = held["id"].as_i64().unwrap();
        let withdrawn = send(
            &app,
            "POST",
            &format!("/api/v1/households/1/consents/{id}/withdraw"),
            &gen,
            Some(&json!({"reason": "Bewoner wil het niet meer"})),
        )
        .await;
        assert_eq!(withdrawn.0, 200, "{}", withdrawn.1);
        let mut problems = Vec::new();
        check(
            &doc,
            &json!({"$ref": "#/components/schemas/ConsentWithdrawn"}),
            &withdrawn.1,
            "response",
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let after = app.get("/aanbieder/huishoudens/1", &prov).await.status;
        assert_eq!(before, 200);
        let others_hold = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/consents",
            1,
            &gen,
            None,
        )
        .await["_embedded"]["consents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["holds"] == true && c["providerId"] == provider);
        if !others_hold {
            assert_eq!(after, 404, "no consent left for that provider");
        }
        // Conferences: listed (none yet in the demo for household 1, or some).
        let list = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/conferences",
            1,
            &gen,
            None,
        )
        .await;
        assert!(list["_embedded"]["conferences"].is_array());
        // An agreement withdrawn through the API: in the plan with its reason.
        let plans = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/plans",
            1,
            &gen,
            None,
        )
        .await;
        let plan = &plans["_embedded"]["plans"][0];
        let version = plan["version"].as_i64().unwrap();
        let agreement = plan["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["endedOn"].is_null())
            .expect("a running agreement")["id"]
            .as_i64()
            .unwrap();
        let res = call(
            &app,
            &doc,
            "POST",
            "/api/v1/agreements/{id}/withdraw",
            agreement,
            &gen,
            Some(json!({"version": version, "reason": "Dubbel ingevoerd"})),
        )
        .await;
        assert_eq!(res["version"], version + 1);
        let plans = call(
            &app,
            &doc,
            "GET",
            "/api/v1/households/{id}/plans",
            1,
            &gen,
            None,
        )
        .await;
        let withdrawn = plans["_embedded"]["plans"][0]["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == agreement)
            .cloned()
            .unwrap();
        assert_eq!(withdrawn["withdrawalReason"], "Dubbel ingevoerd");
    }
}

//! Helpers more than one test module needs, on top of `baken_web::testing`.

use axum::body::Body;
use axum::http::Request;
use baken_web::testing::{As, TestApp, TestResponse};
use tower::ServiceExt;

/// Sends a request built by the test (a JSON body, a multipart upload) through
/// the whole app and reads the response completely.
pub async fn respond(app: &TestApp, req: Request<Body>) -> TestResponse {
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A form kept as owned pairs, as `TestApp::post_form` takes it.
pub fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The text between the first `start` and the next `end` after it.
pub fn first_between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = body.find(start)? + start.len();
    let j = body[i..].find(end)? + i;
    Some(&body[i..j])
}

/// The newest audit entry, whole (route, user, client address …).
pub async fn last_audit_row(app: &TestApp) -> baken_store::audit::AuditRow {
    app.audit_tail(1)
        .await
        .into_iter()
        .next()
        .expect("an audit entry")
}

/// The newest audit entry: (action, outcome, object id, detail).
pub async fn last_audit(app: &TestApp) -> (String, String, Option<String>, String) {
    let e = last_audit_row(app).await;
    (e.action, e.outcome, e.object_id, e.detail)
}

/// The newest audit entry of one action (`"update"`, `"create"` …), past the
/// reads a refused form's page audits after it: (action, outcome, object id,
/// detail).
pub async fn last_audit_of(
    app: &TestApp,
    action: &str,
) -> (String, String, Option<String>, String) {
    let e = app
        .audit_tail(200)
        .await
        .into_iter()
        .find(|e| e.action == action)
        .unwrap_or_else(|| panic!("no {action} in the audit log"));
    (e.action, e.outcome, e.object_id, e.detail)
}

/// A demo user's id.
pub async fn user_id(app: &TestApp, username: &str) -> i64 {
    let mut tx = app.db.read().await.unwrap();
    baken_store::users::by_username(&mut tx, username)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"))
        .id
}

/// `n` days from the Dutch today, as a date control sends it (`jjjj-mm-dd`).
pub fn day(n: i64) -> String {
    (baken_web::casework::today() + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// `n` days from the Dutch today, as pages show it (`dd-mm-jjjj`).
pub fn nl_day(n: i64) -> String {
    (baken_web::casework::today() + chrono::Duration::days(n))
        .format("%d-%m-%Y")
        .to_string()
}

/// The id between `prefix` and `suffix` in the first form action that has both.
pub fn id_in_action(body: &str, prefix: &str, suffix: &str) -> Option<i64> {
    body.split(&format!("action=\"{prefix}"))
        .skip(1)
        .find_map(|rest| rest.split_once(suffix)?.0.parse().ok())
}

/// Logs in through the login form with a password (no session yet).
pub async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post_form(
        "/inloggen",
        &As::Anonymous,
        &[("gebruikersnaam", username), ("wachtwoord", password)],
    )
    .await
}

/// The session cookie a login response sets, as a client would send it back.
pub fn cookie_of(res: &TestResponse) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("baken_sessie="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The CSRF token of the first form on a page.
pub fn csrf_in(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with a CSRF token")
        .to_owned()
}

/// The session as a browser holds it after visiting `page`: its cookie and
/// the CSRF token of that page's first form.
pub async fn session_on(app: &TestApp, cookie: String, page: &str) -> As {
    let res = app
        .get(
            page,
            &As::Session {
                cookie: cookie.clone(),
                csrf: String::new(),
            },
        )
        .await;
    let csrf = if res.status == 200 {
        csrf_in(&res.body)
    } else {
        String::new()
    };
    As::Session { cookie, csrf }
}

/// Adds a second generalist to the generalist's team, as a beheerder would.
pub async fn second_generalist(app: &TestApp) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let team = baken_store::users::by_username(&mut tx, "generalist")
        .await
        .unwrap()
        .unwrap()
        .team_id;
    let username = baken_domain::Username::parse("tweede.generalist").unwrap();
    let id = baken_store::users::create(
        &mut tx,
        &baken_store::users::NewUser {
            username: &username,
            display_name: "Tweede Generalist",
            role: baken_domain::Role::Generalist,
            team_id: team,
            provider_id: None,
            household_id: None,
            password_hash: "-",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

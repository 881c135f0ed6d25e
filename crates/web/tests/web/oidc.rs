//! Single sign-on against a real OpenID provider (panva's `oidc-provider`,
//! `tests/oidc/provider.mjs`) on loopback: the whole authorization code flow
//! with PKCE, state and nonce, through the provider's own login page, on every
//! backend. `.ci/run` starts the provider and sets `BAKEN_TEST_OIDC_ISSUER`;
//! without it the tests say so and pass — except under `CI=true`, where a
//! missing provider fails them.

use crate::helpers::last_audit_row;
use axum::body::Body;
use axum::http::Request;
use baken_web::testing::{apps_with, As, TestApp, TestResponse};
use baken_web::{OidcClaim, OidcSettings, WebConfig};
use openidconnect::reqwest;
use std::collections::BTreeMap;

/// Baken's callback as registered at the test provider (never dialled: the
/// test hands the provider's redirect to the app itself).
const REDIRECT: &str = "http://127.0.0.1:9/inloggen/oidc/terug";

fn issuer() -> Option<String> {
    match std::env::var("BAKEN_TEST_OIDC_ISSUER") {
        Ok(i) if !i.is_empty() => Some(i),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but BAKEN_TEST_OIDC_ISSUER is not set: .ci/run starts tests/oidc/provider.mjs"
            );
            eprintln!("skipped: set BAKEN_TEST_OIDC_ISSUER (see tests/oidc/provider.mjs)");
            None
        }
    }
}

async fn oidc_apps(issuer: &str, claim: OidcClaim) -> Vec<TestApp> {
    apps_with(
        10,
        WebConfig {
            demo: false,
            oidc: Some(OidcSettings {
                issuer: issuer.to_owned(),
                client_id: "baken".into(),
                client_secret: "baken-test-secret".into(),
                redirect_url: REDIRECT.into(),
                claim,
                trust: Default::default(),
                label: "Inloggen met Proefstad-ID".into(),
            }),
            ..WebConfig::default()
        },
    )
    .await
}

fn set_cookies(headers: &axum::http::HeaderMap, jar: &mut BTreeMap<String, String>) {
    for v in headers.get_all("set-cookie") {
        if let Some((name, rest)) = v.to_str().ok().and_then(|v| v.split_once('=')) {
            let value = rest.split(';').next().unwrap_or("").to_owned();
            jar.insert(name.to_owned(), value);
        }
    }
}

fn cookie_header(jar: &BTreeMap<String, String>) -> String {
    jar.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Logs in at the provider as `login` (its development login page takes any
/// password) and returns Baken's callback path (with code and state) and the
/// state cookie Baken set.
async fn through_provider(app: &TestApp, issuer: &str, login: &str) -> (String, String) {
    let start = app.get("/inloggen/oidc", &As::Anonymous).await;
    assert_eq!(start.status, 303, "{}", start.body);
    let mut baken = BTreeMap::new();
    set_cookies(&start.headers, &mut baken);
    let state_cookie = baken.get("baken_oidc").expect("the state cookie").clone();
    let mut url = start.location().expect("to the provider").to_owned();
    assert!(url.starts_with(issuer), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "PKCE: {url}");
    assert!(url.contains("nonce="), "{url}");

    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut jar = BTreeMap::new();
    for _ in 0..10 {
        let res = http
            .get(&url)
            .header("cookie", cookie_header(&jar))
            .send()
            .await
            .expect("the provider answers");
        set_cookies(res.headers(), &mut jar);
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(to) = location {
            if let Some(back) = to.strip_prefix("http://127.0.0.1:9") {
                return (back.to_owned(), state_cookie);
            }
            url = if to.starts_with('/') {
                format!("{issuer}{to}")
            } else {
                to
            };
            continue;
        }
        // The provider's login page: post the name (any password will do).
        let body = res.text().await.unwrap();
        assert_eq!(status, 200, "{body}");
        let action = body
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a login form");
        let action = if action.starts_with('/') {
            format!("{issuer}{action}")
        } else {
            action.to_owned()
        };
        let res = http
            .post(action)
            .header("cookie", cookie_header(&jar))
            .form(&[("prompt", "login"), ("login", login), ("password", "x")])
            .send()
            .await
            .unwrap();
        set_cookies(res.headers(), &mut jar);
        let to = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("the provider continues")
            .to_owned();
        url = if to.starts_with('/') {
            format!("{issuer}{to}")
        } else {
            to
        };
    }
    panic!("the provider never sent the browser back to Baken");
}

/// Baken's callback, with the state cookie (or without one).
async fn callback(app: &TestApp, path: &str, state_cookie: Option<&str>) -> TestResponse {
    let mut req = Request::builder().uri(path);
    if let Some(c) = state_cookie {
        req = req.header("cookie", format!("baken_oidc={c}"));
    }
    crate::helpers::respond(app, req.body(Body::empty()).unwrap()).await
}

fn session_cookie(res: &TestResponse) -> Option<String> {
    let mut jar = BTreeMap::new();
    set_cookies(&res.headers, &mut jar);
    jar.remove("baken_sessie").filter(|c| !c.is_empty())
}

#[tokio::test]
async fn an_oidc_login_maps_the_claim_to_the_account_and_keeps_the_totp_step() {
    let Some(issuer) = issuer() else { return };
    for app in oidc_apps(&issuer, OidcClaim::PreferredUsername).await {
        let login_page = app.get("/inloggen", &As::Anonymous).await;
        assert!(login_page.body.contains("Inloggen met Proefstad-ID"));

        // A role without person data: in at once.
        let (path, state) = through_provider(&app, &issuer, "beleid").await;
        let res = callback(&app, &path, Some(&state)).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), Some("/start"));
        let who = As::Session {
            cookie: session_cookie(&res).expect("a session"),
            csrf: String::new(),
        };
        let start = app.get("/start", &who).await;
        assert_eq!(start.status, 200);
        assert!(start.body.contains("Welkom"), "{}", start.body);
        let entry = &last_audit_row(&app).await;
        assert_eq!(entry.username.as_deref(), Some("beleid"));
        assert!(entry.detail.starts_with("via OIDC"), "{}", entry.detail);

        // The same state a second time (a replayed callback): refused.
        let again = callback(&app, &path, Some(&state)).await;
        assert_eq!(again.status, 400);
        assert!(again.body.contains("duurde te lang"), "{}", again.body);

        // A generalist: the provider's login is one factor (no trust
        // configured), so TOTP still applies — here: enrol first.
        let (path, state) = through_provider(&app, &issuer, "generalist").await;
        let res = callback(&app, &path, Some(&state)).await;
        assert_eq!(
            res.location(),
            Some("/inloggen/tweede-stap"),
            "{}",
            res.body
        );
        let half = As::Session {
            cookie: session_cookie(&res).expect("a half-open session"),
            csrf: String::new(),
        };
        assert_eq!(
            app.get("/huishoudens", &half).await.location(),
            Some("/inloggen/code")
        );
    }
}

#[tokio::test]
async fn an_oidc_login_without_an_account_or_from_another_browser_is_refused() {
    let Some(issuer) = issuer() else { return };
    for app in oidc_apps(&issuer, OidcClaim::PreferredUsername).await {
        let users_before = app.count_rows("users").await;
        let (path, state) = through_provider(&app, &issuer, "nieuwe.collega").await;
        let res = callback(&app, &path, Some(&state)).await;
        assert_eq!(res.status, 403);
        assert!(
            res.body.contains("Er is geen Baken-account voor u"),
            "{}",
            res.body
        );
        assert!(session_cookie(&res).is_none());
        assert_eq!(
            app.count_rows("users").await,
            users_before,
            "no account made"
        );
        let entry = &last_audit_row(&app).await;
        assert_eq!(
            (entry.action.as_str(), entry.outcome.as_str()),
            ("login", "failed")
        );

        // The callback in a browser that did not start the login: refused.
        let (path, _) = through_provider(&app, &issuer, "beleid").await;
        let res = callback(&app, &path, None).await;
        assert_eq!(res.status, 400);
        assert!(session_cookie(&res).is_none());
    }
}

#[tokio::test]
async fn the_email_claim_names_the_account_when_configured() {
    let Some(issuer) = issuer() else { return };
    for app in oidc_apps(&issuer, OidcClaim::Email).await {
        // An account named by its e-mail address, as `baken user add` makes it.
        let mut tx = app.db.begin().await.unwrap();
        let name = baken_domain::Username::parse("makelaar2@proefstad.example").unwrap();
        baken_store::users::create(
            &mut tx,
            &baken_store::users::NewUser {
                username: &name,
                display_name: "Tweede Makelaar",
                // A role without a required second factor: this test is about the claim.
                role: baken_domain::Role::Vrijwilliger,
                team_id: None,
                provider_id: None,
                household_id: None,
                password_hash: "x",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (path, state) = through_provider(&app, &issuer, "makelaar2").await;
        let res = callback(&app, &path, Some(&state)).await;
        assert_eq!(res.location(), Some("/start"), "{}", res.body);
    }
}

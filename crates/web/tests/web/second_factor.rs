//! The second factor on every backend: who must set it up, enrolment with a
//! QR code, the code page (a code counts once, misses are throttled),
//! recovery codes (each once), and the beheerder's reset (audited).
//!
//! These apps are *not* demo databases (`demo: false`): in the demo the second
//! factor is optional for every role (see the README).

use crate::helpers::{cookie_of, csrf_in, last_audit_row, login, session_on, user_id};
use baken_store::second_factor;
use baken_web::signin::totp;
use baken_web::testing::{apps_with, As, TestApp, TestResponse};
use baken_web::WebConfig;

const PASSWORD: &str = "proefstad-demo-2026";

async fn real_apps() -> Vec<TestApp> {
    apps_with(
        10,
        WebConfig {
            demo: false,
            ..WebConfig::default()
        },
    )
    .await
}

/// Logs in with the password; returns the response and the (maybe half-open) session.
async fn password_step(app: &TestApp, username: &str) -> (TestResponse, As) {
    let res = login(app, username, PASSWORD).await;
    assert_eq!(res.status, 303, "{username}: {}", res.body);
    let cookie = cookie_of(&res).expect("a session cookie");
    let session = session_on(app, cookie, res.location().expect("a location")).await;
    (res, session)
}

/// Enrols `username` through the pages; returns the secret and the full session.
async fn enrol(app: &TestApp, username: &str) -> (String, As, Vec<String>) {
    let (res, pending) = password_step(app, username).await;
    assert_eq!(res.location(), Some("/inloggen/tweede-stap"));
    let page = app.get("/inloggen/tweede-stap", &pending).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg role=\"img\""), "an inline QR code");
    let secret: String = page
        .body
        .split("id=\"sleutel\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key, for typing by hand")
        .replace(' ', "");
    let pending = As::Session {
        cookie: match &pending {
            As::Session { cookie, .. } => cookie.clone(),
            _ => unreachable!(),
        },
        csrf: csrf_in(&page.body),
    };
    let code = totp::code_at(&secret, totp::unix_now()).expect("code");
    let done = app
        .post_form("/inloggen/tweede-stap", &pending, &[("code", &code)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Uw herstelcodes"));
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes");
    let cookie = cookie_of(&done).expect("a full session after enrolment");
    // The half-open session is gone; the new one opens everything.
    assert_eq!(app.get("/start", &pending).await.status, 303);
    let full = As::Session {
        cookie,
        csrf: String::new(),
    };
    assert_eq!(app.get("/start", &full).await.status, 200);
    (secret, full, codes)
}

#[tokio::test]
async fn staff_who_read_persons_must_enrol_before_anything_else() {
    for app in real_apps().await {
        let (res, pending) = password_step(&app, "generalist").await;
        assert_eq!(res.location(), Some("/inloggen/tweede-stap"));
        for path in ["/start", "/huishoudens", "/signalen", "/account"] {
            let res = app.get(path, &pending).await;
            assert_eq!(res.status, 303, "{path}");
            assert_eq!(res.location(), Some("/inloggen/code"), "{path}");
        }
        // The code page sends one without a factor on to enrolment.
        let res = app.get("/inloggen/code", &pending).await;
        assert_eq!(res.location(), Some("/inloggen/tweede-stap"));
        let page = app.get("/inloggen/tweede-stap", &pending).await;
        assert!(
            page.body.contains("Stel de tweede stap nu in"),
            "{}",
            page.body
        );
        // The password step alone is audited as such.
        let login = app
            .audit_tail(10)
            .await
            .into_iter()
            .find(|e| e.action == "login")
            .expect("a login entry");
        assert!(
            login.detail.contains("tweede stap nog in te stellen"),
            "{}",
            login.detail
        );
    }
}

#[tokio::test]
async fn roles_without_person_data_may_log_in_with_a_password_alone() {
    for app in real_apps().await {
        for username in ["beleid", "vrijwilliger", "inwoner"] {
            let (res, _) = password_step(&app, username).await;
            assert_eq!(res.location(), Some("/start"), "{username}");
        }
    }
}

#[tokio::test]
async fn in_the_demo_the_second_factor_is_optional() {
    for app in baken_web::testing::apps(10).await {
        let (res, _) = password_step(&app, "generalist").await;
        assert_eq!(res.location(), Some("/start"));
        let page = app.get("/inloggen", &As::Anonymous).await;
        assert!(page.body.contains("niet verplicht"), "the demo says so");
    }
}

#[tokio::test]
async fn a_code_logs_in_once_and_a_wrong_or_used_code_does_not() {
    for app in real_apps().await {
        let (secret, _, _) = enrol(&app, "teamleider").await;
        let (res, pending) = password_step(&app, "teamleider").await;
        assert_eq!(res.location(), Some("/inloggen/code"));
        let page = app.get("/inloggen/code", &pending).await;
        assert!(page.body.contains("Code invoeren"));

        let wrong = app
            .post_form("/inloggen/code", &pending, &[("code", "000000")])
            .await;
        // (1 in a million that 000000 is right; then the next assert says so.)
        assert_eq!(wrong.status, 400, "{}", wrong.body);
        assert!(wrong.body.contains("Deze code klopt niet"));

        // The code used at enrolment counts as used.
        let now = totp::unix_now();
        let used = totp::code_at(&secret, now).unwrap();
        let mut tx = app.db.read().await.unwrap();
        let last = second_factor::factor(&mut tx, user_id(&app, "teamleider").await)
            .await
            .unwrap()
            .unwrap()
            .last_step
            .unwrap();
        drop(tx);
        if last == (now / 30) as i64 {
            let replay = app
                .post_form("/inloggen/code", &pending, &[("code", &used)])
                .await;
            assert_eq!(replay.status, 400);
            assert!(replay.body.contains("al gebruikt"), "{}", replay.body);
        }

        let next = totp::code_at(&secret, now + 30).unwrap();
        let ok = app
            .post_form("/inloggen/code", &pending, &[("code", &next)])
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(ok.location(), Some("/start"));
        let full = As::Session {
            cookie: cookie_of(&ok).expect("a new session"),
            csrf: String::new(),
        };
        assert_eq!(app.get("/huishoudens", &full).await.status, 200);
        // The same code in a second login (another tab, or someone who saw it): refused.
        let (_, again) = password_step(&app, "teamleider").await;
        let replay = app
            .post_form("/inloggen/code", &again, &[("code", &next)])
            .await;
        assert_eq!(replay.status, 400);
        assert!(replay.body.contains("al gebruikt"), "{}", replay.body);
        let entries = app.audit_tail(3).await;
        assert!(
            entries
                .iter()
                .any(|e| e.detail == "tweede stap: code al gebruikt"),
            "{:?}",
            entries.iter().map(|e| &e.detail).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn recovery_codes_work_once_each() {
    for app in real_apps().await {
        let (_, _, codes) = enrol(&app, "aanbieder").await;
        let (_, pending) = password_step(&app, "aanbieder").await;
        // Typed in capitals, with spaces instead of dashes: still the code.
        let typed = codes[3].to_uppercase().replace('-', " ");
        let ok = app
            .post_form("/inloggen/code", &pending, &[("code", &typed)])
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let (_, pending) = password_step(&app, "aanbieder").await;
        let again = app
            .post_form("/inloggen/code", &pending, &[("code", &codes[3])])
            .await;
        assert_eq!(again.status, 400, "a recovery code works once");
        let mut tx = app.db.read().await.unwrap();
        let left = second_factor::recovery_codes_left(&mut tx, user_id(&app, "aanbieder").await)
            .await
            .unwrap();
        assert_eq!(left, 9);
    }
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    for app in real_apps().await {
        enrol(&app, "generalist").await;
        let (_, pending) = password_step(&app, "generalist").await;
        let mut last = None;
        // Wrong codes count like wrong passwords: past the free tries the
        // waiting session ends and the password is asked again.
        for _ in 0..baken_web::support::login_throttle::LoginThrottle::FREE {
            last = Some(
                app.post_form("/inloggen/code", &pending, &[("code", "999999")])
                    .await,
            );
        }
        let last = last.unwrap();
        assert_eq!(last.status, 429, "{}", last.body);
        assert!(last.body.contains("Te veel mislukte pogingen"));
        // The half-open session is gone.
        assert_eq!(app.get("/inloggen/code", &pending).await.status, 303);
        // The name now has to wait before the next try (a growing delay, not a
        // lock a stranger could set off): a right password at once is turned away.
        let res = app
            .post_form(
                "/inloggen",
                &As::Anonymous,
                &[("gebruikersnaam", "generalist"), ("wachtwoord", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, 429, "{}", res.body);
        assert!(cookie_of(&res).is_none());
    }
}

#[tokio::test]
async fn a_beheerder_resets_a_second_factor_and_it_is_audited() {
    for app in real_apps().await {
        let (_, victim_session, _) = enrol(&app, "generalist").await;
        let id = user_id(&app, "generalist").await;
        let admin = app.login_as("beheerder").await;
        let page = app
            .get(&format!("/beheer/gebruikers/{id}/tweede-stap"), &admin)
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Aan sinds"), "{}", page.body);
        let token = app.token_for("generalist").await;
        let res = app
            .post_form(&format!("/beheer/gebruikers/{id}/tweede-stap"), &admin, &[])
            .await;
        assert_eq!(res.status, 303);
        let entry = &last_audit_row(&app).await;
        assert_eq!(entry.username.as_deref(), Some("beheerder"));
        assert_eq!(entry.object_id.as_deref(), Some(id.to_string().as_str()));
        assert!(
            entry.detail.starts_with("tweede stap hersteld"),
            "{}",
            entry.detail
        );
        // Sessions and tokens end; the next login enrols again.
        assert_eq!(app.get("/start", &victim_session).await.status, 303);
        assert_eq!(app.get("/api/v1/households", &token).await.status, 401);
        let mut tx = app.db.read().await.unwrap();
        assert!(!second_factor::enrolled(&mut tx, id).await.unwrap());
        drop(tx);
        let (res, _) = password_step(&app, "generalist").await;
        assert_eq!(res.location(), Some("/inloggen/tweede-stap"));
        // Nobody resets their own.
        let own = user_id(&app, "beheerder").await;
        let res = app
            .post_form(
                &format!("/beheer/gebruikers/{own}/tweede-stap"),
                &admin,
                &[],
            )
            .await;
        assert_eq!(res.status, 400);
    }
}

#[tokio::test]
async fn test_sessions_made_in_the_store_are_complete() {
    // `TestApp::login_as`, which every other suite uses, makes a full session.
    for app in real_apps().await {
        let who = app.login_as("generalist").await;
        assert_eq!(app.get("/huishoudens", &who).await.status, 200);
    }
}

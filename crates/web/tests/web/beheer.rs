//! Beheer as a beheerder does it, on every backend: accounts that work for their
//! role and temporary passwords, teams and districts with optimistic
//! locking — and login that counts every wrong guess, also concurrent ones.

use crate::helpers::{cookie_of, last_audit_row, login, session_on};
use baken_store::users;
use baken_web::testing::{apps, As, TestApp};

const PASSWORD: &str = "proefstad-demo-2026";

async fn user(app: &TestApp, username: &str) -> users::User {
    let mut tx = app.db.read().await.expect("tx");
    users::by_username(&mut tx, username)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("no user {username}"))
}

/// The session a successful login sets, with the CSRF token of `/account`.
async fn session_of(app: &TestApp, res: &baken_web::testing::TestResponse) -> As {
    let cookie = cookie_of(res).expect("a session cookie");
    session_on(app, cookie, "/account").await
}

/// A new account replaces the temporary first password a beheerder gave it.
async fn choose_own_password(app: &TestApp, session: &As) {
    let res = app
        .post_form(
            "/account/wachtwoord",
            session,
            &[
                ("huidig", "een-lang-genoeg-wachtwoord"),
                ("nieuw", "mijn-eigen-nieuwe-wachtwoord"),
                ("herhaal", "mijn-eigen-nieuwe-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

#[tokio::test]
async fn accounts_made_in_beheer_are_linked_so_their_pages_work() {
    for app in apps(20).await {
        let admin = app.login_as("beheerder").await;
        let res = app
            .post_form(
                "/beheer/gebruikers/nieuw",
                &admin,
                &[
                    ("gebruikersnaam", "zorg.aanbieder"),
                    ("naam", "Zorg Aanbieder"),
                    ("rol", "aanbieder"),
                    ("organisatie", "1"),
                    ("wachtwoord", "een-lang-genoeg-wachtwoord"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let res = app
            .post_form(
                "/beheer/gebruikers/nieuw",
                &admin,
                &[
                    ("gebruikersnaam", "nieuwe.inwoner"),
                    ("naam", "Nieuwe Inwoner"),
                    ("rol", "inwoner"),
                    ("huishouden", "3"),
                    ("wachtwoord", "een-lang-genoeg-wachtwoord"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);

        let provider = user(&app, "zorg.aanbieder").await;
        assert_eq!(
            (
                provider.provider_id,
                provider.team_id,
                provider.household_id
            ),
            (Some(1), None, None)
        );
        // A first password set by a beheerder is temporary: every page waits
        // until the user has chosen their own.
        assert!(provider.password_temporary, "a first password is temporary");
        let session = app.login_as("zorg.aanbieder").await;
        assert_eq!(
            app.get("/aanbieder/huishoudens", &session).await.location(),
            Some("/account?tijdelijk=1")
        );
        choose_own_password(&app, &session).await;
        let list = app.get("/aanbieder/huishoudens", &session).await;
        assert_eq!(list.status, 200, "the provider's page works: {}", list.body);
        assert!(
            list.body.contains("href=\"/aanbieder/huishoudens/"),
            "it lists the provider's households"
        );
        assert_eq!(
            app.get("/aanbieder/huishoudens", &app.login_as("aanbieder").await)
                .await
                .body
                .matches("<tr>")
                .count(),
            list.body.matches("<tr>").count(),
            "the same households as the demo aanbieder of that provider"
        );

        let resident = user(&app, "nieuwe.inwoner").await;
        assert_eq!(resident.household_id, Some(3));
        let session = app.login_as("nieuwe.inwoner").await;
        choose_own_password(&app, &session).await;
        assert_eq!(app.get("/mijn-huishouden", &session).await.status, 200);
        let token = app.token_for("nieuwe.inwoner").await;
        let own = app.get("/api/v1/households", &token).await;
        let json: serde_json::Value = serde_json::from_str(&own.body).expect("json");
        assert_eq!(json["_embedded"]["households"][0]["id"], 3);
        assert_eq!(json["page"]["totalElements"], 1);

        let created: Vec<_> = app
            .audit_tail(40)
            .await
            .into_iter()
            .filter(|r| r.action == "create" && r.object_type.as_deref() == Some("user"))
            .collect();
        assert!(created
            .iter()
            .any(|r| r.detail == "rol aanbieder, organisatie 1"));
        assert!(created
            .iter()
            .any(|r| r.detail == "rol inwoner, huishouden 3"));

        // An edit can move the aanbieder to another organisation and back
        // (its version moved on when it chose its own password).
        let provider = user(&app, "zorg.aanbieder").await;
        let res = app
            .post_form(
                &format!("/beheer/gebruikers/{}", provider.id),
                &admin,
                &[
                    ("naam", "Zorg Aanbieder"),
                    ("rol", "aanbieder"),
                    ("organisatie", "2"),
                    ("actief", "ja"),
                    ("versie", &provider.version.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(user(&app, "zorg.aanbieder").await.provider_id, Some(2));
    }
}

#[tokio::test]
async fn an_account_without_the_link_its_role_needs_is_refused_in_dutch() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let users_before = app.count_rows("users").await;
        let audit_before = app.audit_count().await;
        for (role, extra, field, message) in [
            (
                "inwoner",
                vec![],
                "huishouden",
                "Een inwoner hoort bij een huishouden",
            ),
            (
                "aanbieder",
                vec![],
                "organisatie",
                "Een aanbieder hoort bij een organisatie",
            ),
            ("generalist", vec![], "team", "hoort bij een team"),
            (
                "teamleider",
                vec![("huishouden", "1")],
                "huishouden",
                "Alleen een inwoner hoort bij een huishouden",
            ),
            (
                "beleid",
                vec![("team", "1")],
                "team",
                "Een beleidsmedewerker hoort niet bij een team",
            ),
            (
                "beheerder",
                vec![("organisatie", "1")],
                "organisatie",
                "Alleen een aanbieder hoort bij een organisatie",
            ),
            (
                "inwoner",
                vec![("huishouden", "99999")],
                "huishouden",
                "Er is geen huishouden met nummer 99999",
            ),
            (
                "inwoner",
                vec![("huishouden", "drie")],
                "huishouden",
                "alleen cijfers",
            ),
            (
                "aanbieder",
                vec![("organisatie", "999")],
                "organisatie",
                "Kies een organisatie uit de lijst",
            ),
            (
                "generalist",
                vec![("team", "999")],
                "team",
                "Dit team bestaat niet",
            ),
        ] {
            let mut form = vec![
                ("gebruikersnaam", "nieuw.account"),
                ("naam", "Nieuw Account"),
                ("rol", role),
                ("wachtwoord", "een-lang-genoeg-wachtwoord"),
            ];
            form.extend(extra.iter().copied());
            let res = app
                .post_form("/beheer/gebruikers/nieuw", &admin, &form)
                .await;
            let what = format!("{:?} {role} {extra:?}", app.backend);
            assert_eq!(res.status, 400, "{what}");
            assert!(res.body.contains(&format!("id=\"{field}-fout\"")), "{what}");
            assert!(res.body.contains(message), "{what}: {message}");
            assert!(
                res.body.contains("value=\"Nieuw Account\""),
                "{what}: keeps what was typed"
            );
        }
        // Editing: an aanbieder's organisation cannot be taken away.
        let aanbieder = user(&app, "aanbieder").await;
        let res = app
            .post_form(
                &format!("/beheer/gebruikers/{}", aanbieder.id),
                &admin,
                &[
                    ("naam", "Demo Aanbieder"),
                    ("rol", "aanbieder"),
                    ("organisatie", ""),
                    ("actief", "ja"),
                    ("versie", &aanbieder.version.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Een aanbieder hoort bij een organisatie"));
        assert_eq!(
            user(&app, "aanbieder").await.provider_id,
            aanbieder.provider_id
        );
        assert_eq!(app.count_rows("users").await, users_before);
        assert_eq!(app.audit_count().await, audit_before, "nothing was written");
    }
}

#[tokio::test]
async fn a_temporary_password_ends_sessions_and_must_be_replaced() {
    for app in apps(10).await {
        let beleid = user(&app, "beleid").await;
        let old_session = app.login_as("beleid").await;
        assert_eq!(app.get("/start", &old_session).await.status, 200);
        // An API token of theirs: known (a policy officer is refused households, 403).
        let token = app.token_for("beleid").await;
        assert_eq!(app.get("/api/v1/households", &token).await.status, 403);
        let admin = app.login_as("beheerder").await;
        let reset = format!("/beheer/gebruikers/{}/wachtwoord", beleid.id);

        // Too short: refused, nothing changed.
        let before = app.audit_count().await;
        let res = app
            .post_form(&reset, &admin, &[("tijdelijk_wachtwoord", "kort")])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"tijdelijk-fout\""));
        assert_eq!(app.audit_count().await, before);
        assert_eq!(
            app.get("/start", &old_session).await.status,
            200,
            "session lives"
        );
        // A beheerder's own password goes through "Mijn account".
        let own = user(&app, "beheerder").await;
        let res = app
            .post_form(
                &format!("/beheer/gebruikers/{}/wachtwoord", own.id),
                &admin,
                &[("tijdelijk_wachtwoord", "een-tijdelijk-wachtwoord")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("via Mijn account"));

        let res = app
            .post_form(
                &reset,
                &admin,
                &[("tijdelijk_wachtwoord", "tijdelijk-wachtwoord-123")],
            )
            .await;
        assert_eq!(res.status, 303);
        let entry = &last_audit_row(&app).await;
        assert_eq!(
            entry.object_id.as_deref(),
            Some(beleid.id.to_string().as_str())
        );
        assert!(entry.detail.contains("tijdelijk wachtwoord ingesteld"));
        let old = app.get("/start", &old_session).await;
        assert_eq!(old.status, 303, "the old session has ended");
        assert_eq!(
            app.get("/api/v1/households", &token).await.status,
            401,
            "the API token is revoked too"
        );
        assert_eq!(
            login(&app, "beleid", PASSWORD).await.status,
            400,
            "old password gone"
        );

        // The temporary password only lets the user choose their own.
        let res = login(&app, "beleid", "tijdelijk-wachtwoord-123").await;
        assert_eq!(res.location(), Some("/account?tijdelijk=1"));
        let session = session_of(&app, &res).await;
        let start = app.get("/start", &session).await;
        assert_eq!(
            start.location(),
            Some("/account?tijdelijk=1"),
            "every page waits"
        );
        let account = app.get("/account?tijdelijk=1", &session).await;
        assert!(account
            .body
            .contains("tijdelijk wachtwoord van de beheerder"));
        let res = app
            .post_form(
                "/account/wachtwoord",
                &session,
                &[
                    ("huidig", "tijdelijk-wachtwoord-123"),
                    ("nieuw", "tijdelijk-wachtwoord-123"),
                    ("herhaal", "tijdelijk-wachtwoord-123"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res
            .body
            .contains("Kies een ander wachtwoord dan het tijdelijke"));
        let res = app
            .post_form(
                "/account/wachtwoord",
                &session,
                &[
                    ("huidig", "tijdelijk-wachtwoord-123"),
                    ("nieuw", "mijn-eigen-nieuwe-wachtwoord"),
                    ("herhaal", "mijn-eigen-nieuwe-wachtwoord"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(
            app.get("/start", &session).await.status,
            200,
            "free to go on"
        );
        assert!(!user(&app, "beleid").await.password_temporary);
        assert_eq!(
            login(&app, "beleid", "mijn-eigen-nieuwe-wachtwoord")
                .await
                .location(),
            Some("/start")
        );
    }
}

#[tokio::test]
async fn concurrent_wrong_guesses_all_count_and_a_burst_is_throttled_not_locked() {
    for app in apps(10).await {
        let guess = || login(&app, "makelaar", "fout-fout-fout");
        // Four at once: verified side by side, yet each one is counted.
        let (a, b, c, d) = tokio::join!(guess(), guess(), guess(), guess());
        assert!([a, b, c, d].iter().all(|r| r.status == 400));
        let u = user(&app, "makelaar").await;
        assert_eq!(u.failed_logins, 4, "{:?}: no guess lost", app.backend);

        // Four more at once: the fifth guess is free, the others must wait —
        // counted when they start, so a burst gains nothing over guesses in turn.
        let (a, b, c, d) = tokio::join!(guess(), guess(), guess(), guess());
        let mut statuses = [a.status, b.status, c.status, d.status].map(|s| s.as_u16());
        statuses.sort_unstable();
        assert_eq!(statuses, [400, 429, 429, 429], "{:?}", app.backend);
        let u = user(&app, "makelaar").await;
        assert_eq!(
            u.failed_logins, 5,
            "only checked guesses count for the holder"
        );
        assert!(u.locked_until.is_none(), "never a lock");
    }
}

#[tokio::test]
async fn teams_are_renamed_moved_and_deactivated_with_optimistic_locking() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let page = app.get("/beheer/teams/1", &admin).await;
        assert!(page.body.contains("name=\"versie\" value=\"1\""));
        let edit = |name: &'static str| {
            let app = &app;
            let admin = admin.clone();
            async move {
                app.post_form(
                    "/beheer/teams/1",
                    &admin,
                    &[
                        ("naam", name),
                        ("wijk", "WK999902"),
                        ("actief", "ja"),
                        ("versie", "1"),
                    ],
                )
                .await
            }
        };
        let (a, b) = tokio::join!(edit("Wijkteam Hart"), edit("Wijkteam Kern"));
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![303, 409], "{:?}", app.backend);
        let loser = if a.status == 409 { &a } else { &b };
        assert!(loser
            .body
            .contains("Iemand anders heeft dit team intussen gewijzigd"));
        let winner = if a.status == 303 {
            "Wijkteam Hart"
        } else {
            "Wijkteam Kern"
        };
        let list = app.get("/beheer/teams", &admin).await;
        assert!(list.body.contains(winner));
        assert!(!list.body.contains("Wijkteam Centrum"));
        let tail = app.audit_tail(2).await;
        assert!(tail
            .iter()
            .any(|r| r.outcome == "conflict" && r.object_type.as_deref() == Some("team")));
        assert!(tail.iter().any(|r| r.outcome == "success"
            && r.detail.contains("naam 'Wijkteam Centrum' →")
            && r.detail.contains("wijk WK999901 → WK999902")));

        // A team with members and households cannot be deactivated.
        let res = app
            .post_form(
                "/beheer/teams/1",
                &admin,
                &[("naam", winner), ("wijk", "WK999902"), ("versie", "2")],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"actief-fout\""));
        assert!(res.body.contains("actieve medewerkers en"));
        assert!(
            app.get("/beheer/teams", &admin)
                .await
                .body
                .matches("Opgeheven")
                .count()
                == 0
        );

        // An empty team can, and is then no longer offered for new accounts.
        assert_eq!(
            app.post_form(
                "/beheer/teams",
                &admin,
                &[("naam", "Wijkteam Tijdelijk"), ("wijk", "")]
            )
            .await
            .status,
            303
        );
        let id = app.count_rows("teams").await;
        let res = app
            .post_form(
                &format!("/beheer/teams/{id}"),
                &admin,
                &[
                    ("naam", "Wijkteam Tijdelijk"),
                    ("wijk", ""),
                    ("versie", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(app
            .get("/beheer/teams", &admin)
            .await
            .body
            .contains("Opgeheven"));
        let form = app.get("/beheer/gebruikers/nieuw", &admin).await;
        assert!(!form.body.contains("Wijkteam Tijdelijk"), "not offered");
        let id_s = id.to_string();
        let res = app
            .post_form(
                "/beheer/gebruikers/nieuw",
                &admin,
                &[
                    ("gebruikersnaam", "nog.een"),
                    ("naam", "Nog Een"),
                    ("rol", "generalist"),
                    ("team", &id_s),
                    ("wachtwoord", "een-lang-genoeg-wachtwoord"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Dit team is opgeheven"));
    }
}

#[tokio::test]
async fn a_district_is_renamed_with_its_version_and_its_code_stays() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let page = app.get("/beheer/wijken/WK999901", &admin).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("name=\"versie\" value=\"1\""));
        let res = app
            .post_form(
                "/beheer/wijken/WK999901",
                &admin,
                &[("naam", "Binnenstad"), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 303);
        let list = app.get(res.location().unwrap_or(""), &admin).await;
        assert!(list
            .body
            .contains("Binnenstad <span class=\"muted\">(WK999901)</span>"));
        assert!(list.body.contains("De naam van de wijk is opgeslagen"));
        let entry = &last_audit_row(&app).await;
        assert_eq!(
            (entry.object_type.as_deref(), entry.object_id.as_deref()),
            (Some("district"), Some("WK999901"))
        );
        assert_eq!(entry.detail, "naam 'Centrum' → 'Binnenstad'");

        // The form someone opened before that save is stale now.
        let res = app
            .post_form(
                "/beheer/wijken/WK999901",
                &admin,
                &[("naam", "Oude Stad"), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(res
            .body
            .contains("Iemand anders heeft deze wijk intussen gewijzigd"));
        assert!(!app
            .get("/beheer/wijken", &admin)
            .await
            .body
            .contains("Oude Stad"));
        assert_eq!(last_audit_row(&app).await.outcome, "conflict");

        // Codes that are not a district are not found.
        for path in ["/beheer/wijken/WK999999", "/beheer/wijken/centrum"] {
            assert_eq!(app.get(path, &admin).await.status, 404, "{path}");
        }
    }
}

#[tokio::test]
async fn a_neighbourhood_is_renamed_with_its_version_and_its_code_stays() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let list = app.get("/beheer/wijken", &admin).await;
        assert!(list.body.contains("href=\"/beheer/buurten/BU99990101\""));
        let page = app.get("/beheer/buurten/BU99990101", &admin).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("name=\"versie\" value=\"1\""));
        assert!(page
            .body
            .contains("De buurt hoort bij wijk Centrum (WK999901)."));
        let old = {
            let start = page.body.find("<h1>Buurt ").map(|i| i + "<h1>Buurt ".len());
            let rest = start.map(|i| &page.body[i..]).unwrap_or("");
            rest.split(" wijzigen</h1>").next().unwrap_or("").to_owned()
        };
        assert!(!old.is_empty(), "the page names the neighbourhood");

        // Bad names change nothing.
        for bad in ["x", "Twee\nregels"] {
            let res = app
                .post_form(
                    "/beheer/buurten/BU99990101",
                    &admin,
                    &[("naam", bad), ("versie", "1")],
                )
                .await;
            assert_eq!(res.status, 400, "{bad:?}");
            assert!(res.body.contains("id=\"naam-fout\""), "{bad:?}");
        }
        let res = app
            .post_form(
                "/beheer/buurten/BU99990101",
                &admin,
                &[("naam", " De Vaart "), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(res.location(), Some("/beheer/wijken?opgeslagen=buurt"));
        let list = app.get("/beheer/wijken?opgeslagen=buurt", &admin).await;
        assert!(list.body.contains("De naam van de buurt is opgeslagen"));
        assert!(list.body.contains("De Vaart<span class=\"visually-hidden\">, naam wijzigen</span></a> <span class=\"muted\">BU99990101</span>"));
        let entry = &last_audit_row(&app).await;
        assert_eq!(
            (
                entry.object_type.as_deref(),
                entry.object_id.as_deref(),
                entry.outcome.as_str()
            ),
            (Some("neighbourhood"), Some("BU99990101"), "success")
        );
        assert_eq!(entry.detail, format!("naam '{old}' → 'De Vaart'"));

        // The form someone opened before that save is stale now.
        let res = app
            .post_form(
                "/beheer/buurten/BU99990101",
                &admin,
                &[("naam", "Oude Vaart"), ("versie", "1")],
            )
            .await;
        assert_eq!(res.status, 409);
        assert!(res
            .body
            .contains("Iemand anders heeft deze buurt intussen gewijzigd"));
        assert!(!app
            .get("/beheer/wijken", &admin)
            .await
            .body
            .contains("Oude Vaart"));
        assert_eq!(last_audit_row(&app).await.outcome, "conflict");

        // Codes that are not a neighbourhood are not found.
        for path in [
            "/beheer/buurten/BU99999999",
            "/beheer/buurten/WK999901",
            "/beheer/buurten/vaart",
        ] {
            assert_eq!(app.get(path, &admin).await.status, 404, "{path}");
        }
    }
}

#[tokio::test]
async fn providers_are_added_renamed_and_given_a_sector_with_optimistic_locking() {
    for app in apps(10).await {
        let admin = app.login_as("beheerder").await;
        let before = app.count_rows("providers").await;
        let list = app.get("/beheer/aanbieders", &admin).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("Stichting Welzijn Proefstad"));
        assert!(
            list.body
                .contains("data-label=\"Sector\">Wmo-ondersteuning</td>"),
            "the sector's Dutch name"
        );

        // Details that are not a web or e-mail address: a message at each, nothing written.
        let res = app
            .post_form(
                "/beheer/aanbieders",
                &admin,
                &[
                    ("naam", "Buurthuis De Linde"),
                    ("sector", "welzijn"),
                    ("website", "javascript:alert(1)"),
                    ("email", "geen adres"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("id=\"website-fout\""), "{}", res.body);
        assert!(res.body.contains("Vul een webadres in"));
        assert!(res.body.contains("id=\"email-fout\""));
        assert_eq!(app.count_rows("providers").await, before);

        // Bad input: a Dutch message at each field, nothing written.
        for (form, field, text) in [
            (
                [("naam", " x "), ("sector", "welzijn")],
                "naam",
                "Vul een naam in van 2 tot 120 tekens.",
            ),
            (
                [("naam", "Een\tnaam"), ("sector", "welzijn")],
                "naam",
                "geen regeleinde, tab of onzichtbaar teken",
            ),
            (
                [("naam", "Buurthuis De Linde"), ("sector", "zorg")],
                "sector",
                "Kies een sector uit de lijst.",
            ),
            (
                [("naam", "Buurtwerk De Brug"), ("sector", "welzijn")],
                "naam",
                "Er is al een aanbieder met deze naam.",
            ),
            (
                [("naam", "buurtwerk de brug"), ("sector", "welzijn")],
                "naam",
                "Er is al een aanbieder met deze naam.",
            ),
            (
                [("naam", "Buurt\u{200B}werk"), ("sector", "welzijn")],
                "naam",
                "onzichtbaar teken",
            ),
        ] {
            let res = app.post_form("/beheer/aanbieders", &admin, &form).await;
            assert_eq!(res.status, 400, "{form:?}");
            assert!(
                res.body.contains(&format!("id=\"{field}-fout\"")),
                "{form:?}"
            );
            assert!(res.body.contains(text), "{form:?}: {}", res.body);
            assert!(
                res.body.contains(&format!("value=\"{}\"", form[0].1)) || form[0].1.contains('\t'),
                "the form keeps what was typed"
            );
            assert_eq!(app.count_rows("providers").await, before, "{form:?}");
        }

        let res = app
            .post_form(
                "/beheer/aanbieders",
                &admin,
                &[
                    ("naam", "  Buurthuis De Linde "),
                    ("sector", "welzijn"),
                    ("omschrijving", "Koffie, eten en een praatje, elke werkdag."),
                    ("website", "www.delinde.nl"),
                    ("email", "welkom@delinde.nl"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(res.location(), Some("/beheer/aanbieders?opgeslagen=1"));
        assert_eq!(app.count_rows("providers").await, before + 1);
        let entry = last_audit_row(&app).await;
        assert_eq!(entry.action, "create");
        assert_eq!(entry.object_type.as_deref(), Some("provider"));
        assert!(entry.detail.contains("Buurthuis De Linde (welzijn)"));
        let id = entry.object_id.clone().unwrap_or_default();
        let page = app.get(&format!("/beheer/aanbieders/{id}"), &admin).await;
        assert!(
            page.body.contains("<h1>Buurthuis De Linde wijzigen</h1>"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("value=\"https:&#x2f;&#x2f;www.delinde.nl\""),
            "the website, made whole (HTML-escaped)"
        );
        assert!(page
            .body
            .contains(">Koffie, eten en een praatje, elke werkdag.</textarea>"));
        let orgs = app.get("/api/v1/hsds/organizations", &As::Anonymous).await;
        let json: serde_json::Value = serde_json::from_str(&orgs.body).expect("JSON");
        let linde = json["contents"]
            .as_array()
            .and_then(|a| a.iter().find(|o| o["name"] == "Buurthuis De Linde"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(linde["website"], "https://www.delinde.nl", "{linde}");
        assert_eq!(linde["email"], "welkom@delinde.nl", "{linde}");
        assert_eq!(
            linde["description"],
            "Koffie, eten en een praatje, elke werkdag."
        );
        // The new provider can be linked to an aanbieder's account.
        let form = app.get("/beheer/gebruikers/nieuw", &admin).await;
        assert!(
            form.body.contains("Buurthuis De Linde"),
            "offered for accounts"
        );

        // Two beheerders edit the same provider: one wins, one gets a conflict.
        let path = "/beheer/aanbieders/1";
        let page = app.get(path, &admin).await;
        assert!(page.body.contains("name=\"versie\" value=\"1\""));
        let edit = |name: &'static str| {
            let app = &app;
            let admin = admin.clone();
            async move {
                app.post_form(
                    path,
                    &admin,
                    &[("naam", name), ("sector", "participatie"), ("versie", "1")],
                )
                .await
            }
        };
        let (a, b) = tokio::join!(edit("Welzijn Proefstad"), edit("Stichting Welzijn Oost"));
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![303, 409], "{:?}", app.backend);
        let loser = if a.status == 409 { &a } else { &b };
        assert!(loser
            .body
            .contains("Iemand anders heeft deze aanbieder intussen gewijzigd"));
        let winner = if a.status == 303 {
            "Welzijn Proefstad"
        } else {
            "Stichting Welzijn Oost"
        };
        let list = app.get("/beheer/aanbieders", &admin).await;
        assert!(list.body.contains(winner));
        assert!(!list.body.contains("Stichting Welzijn Proefstad"));
        assert!(list.body.contains("Werk en participatie"));
        let tail = app.audit_tail(2).await;
        assert!(tail
            .iter()
            .any(|r| r.outcome == "conflict" && r.object_type.as_deref() == Some("provider")));
        assert!(tail.iter().any(|r| r.outcome == "success"
            && r.detail.contains("naam 'Stichting Welzijn Proefstad' →")
            && r.detail.contains("sector welzijn → participatie")));
        // The social map's organisations carry the new name at once.
        let orgs = app.get("/api/v1/hsds/organizations", &As::Anonymous).await;
        assert_eq!(orgs.status, 200);
        let json: serde_json::Value = serde_json::from_str(&orgs.body).expect("JSON");
        let names: Vec<&str> = json["contents"]
            .as_array()
            .map(|a| a.iter().filter_map(|o| o["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&winner), "{names:?}");
        assert!(
            !names.contains(&"Stichting Welzijn Proefstad"),
            "the old name is gone: {names:?}"
        );

        // A name another provider has is refused on edit too; nothing changes.
        let res = app
            .post_form(
                path,
                &admin,
                &[
                    ("naam", "Buurtwerk De Brug"),
                    ("sector", "welzijn"),
                    ("versie", "2"),
                ],
            )
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Er is al een aanbieder met deze naam."));
        assert!(app
            .get("/beheer/aanbieders", &admin)
            .await
            .body
            .contains(winner));
        // An unknown provider is a 404.
        assert_eq!(app.get("/beheer/aanbieders/999", &admin).await.status, 404);
        assert_eq!(app.get("/beheer/aanbieders/abc", &admin).await.status, 404);
    }
}

//! The access matrix: every route × every role (and anonymous), compared with
//! the matrix declared here — independently of the route table, so a change to
//! either one shows up as a failure. Every refusal must be audited.

use baken_domain::Role;
use baken_web::routes;
use baken_web::testing::{apps, As, TestApp};

/// Who may use each route. `PUBLIC` = anyone, `LOGGED_IN` = every role.
const PUBLIC: &[&str] = &["*public*"];
const LOGGED_IN: &[&str] = &[
    "inwoner",
    "vrijwilliger",
    "makelaar",
    "generalist",
    "teamleider",
    "aanbieder",
    "beleid",
    "beheerder",
];
const CASEWORKERS: &[&str] = &["generalist", "teamleider"];
const RESIDENT: &[&str] = &["inwoner"];
const ADMIN: &[&str] = &["beheerder"];

pub const MATRIX: &[(&str, &str, &[&str])] = &[
    ("GET", "/", PUBLIC),
    ("GET", "/health", PUBLIC),
    ("GET", "/ready", PUBLIC),
    ("GET", "/static/baken.css", PUBLIC),
    ("GET", "/inloggen", PUBLIC),
    ("POST", "/inloggen", PUBLIC),
    ("POST", "/uitloggen", LOGGED_IN),
    ("GET", "/start", LOGGED_IN),
    ("GET", "/account", LOGGED_IN),
    ("POST", "/account/wachtwoord", LOGGED_IN),
    ("GET", "/huishoudens", CASEWORKERS),
    ("GET", "/huishoudens/{id}", CASEWORKERS),
    ("GET", "/mijn-huishouden", RESIDENT),
    ("GET", "/mijn-huishouden/inzage", RESIDENT),
    ("GET", "/cijfers", &["teamleider", "beleid"]),
    ("GET", "/beheer/gebruikers", ADMIN),
    ("GET", "/beheer/gebruikers/nieuw", ADMIN),
    ("POST", "/beheer/gebruikers/nieuw", ADMIN),
    ("GET", "/beheer/gebruikers/{id}", ADMIN),
    ("POST", "/beheer/gebruikers/{id}", ADMIN),
    ("GET", "/beheer/teams", ADMIN),
    ("POST", "/beheer/teams", ADMIN),
    ("GET", "/beheer/wijken", ADMIN),
    ("GET", "/beheer/audit", ADMIN),
    ("GET", "/monitor", &["beleid"]),
    ("POST", "/monitor", &["beleid"]),
    ("GET", "/monitor/rapporten/{id}", &["beleid"]),
    ("GET", "/monitor/rapporten/{id}/report.json", &["beleid"]),
    // Sociale kaart and Eigen Kracht Wijzer.
    ("GET", "/kaart", PUBLIC),
    ("GET", "/kaart/voorzieningen/{id}", PUBLIC),
    ("GET", "/wijzer", PUBLIC),
    ("POST", "/wijzer/situatie", PUBLIC),
    ("POST", "/wijzer/resultaat", PUBLIC),
    ("POST", "/wijzer/resultaat/bestand", PUBLIC),
    ("POST", "/wijzer/meedenken", PUBLIC),
    ("GET", "/beheer/kaart", &["aanbieder", "beheerder"]),
    ("GET", "/beheer/kaart/nieuw", &["aanbieder", "beheerder"]),
    ("POST", "/beheer/kaart/nieuw", &["aanbieder", "beheerder"]),
    ("GET", "/beheer/kaart/{id}", &["aanbieder", "beheerder"]),
    ("POST", "/beheer/kaart/{id}", &["aanbieder", "beheerder"]),
    ("GET", "/beheer/wijzer", ADMIN),
    ("GET", "/beheer/wijzer/{kind}/{key}", ADMIN),
    ("POST", "/beheer/wijzer/{kind}/{key}", ADMIN),
    ("POST", "/beheer/wijzer/{kind}/{key}/verwijderen", ADMIN),
    // Casework.
    ("GET", "/zorgmelding", PUBLIC),
    ("POST", "/zorgmelding", PUBLIC),
    (
        "GET",
        "/signalen/nieuw",
        &[
            "vrijwilliger",
            "makelaar",
            "generalist",
            "teamleider",
            "aanbieder",
        ],
    ),
    (
        "POST",
        "/signalen/nieuw",
        &[
            "vrijwilliger",
            "makelaar",
            "generalist",
            "teamleider",
            "aanbieder",
        ],
    ),
    ("GET", "/signalen", CASEWORKERS),
    ("POST", "/signalen/{id}/toewijzen", CASEWORKERS),
    ("POST", "/signalen/{id}/contact", CASEWORKERS),
    ("GET", "/zoeken", CASEWORKERS),
    ("GET", "/mijn-caseload", CASEWORKERS),
    ("GET", "/teamoverzicht", &["teamleider"]),
    ("POST", "/verwijzingen/{id}/besluit", &["teamleider"]),
    ("GET", "/dossier/{id}", CASEWORKERS),
    ("POST", "/dossier/{id}/gesprek", CASEWORKERS),
    ("POST", "/dossier/{id}/plan", CASEWORKERS),
    ("POST", "/plannen/{id}/doelen", CASEWORKERS),
    ("POST", "/plannen/{id}/afspraken", CASEWORKERS),
    ("POST", "/plannen/{id}/afspraak-beeindigen", CASEWORKERS),
    ("POST", "/plannen/{id}/verwijzingen", CASEWORKERS),
    ("POST", "/plannen/{id}/evaluatie", CASEWORKERS),
    ("POST", "/plannen/{id}/sluiten", CASEWORKERS),
    ("GET", "/mijn-plan", RESIDENT),
    ("POST", "/mijn-plan/voortgang", RESIDENT),
    ("GET", "/aanbieder/huishoudens", &["aanbieder"]),
    ("GET", "/aanbieder/huishoudens/{id}", &["aanbieder"]),
    ("GET", "/bakens", &["teamleider", "beleid"]),
    ("GET", "/api/v1/signals", CASEWORKERS),
    ("POST", "/api/v1/signals", CASEWORKERS),
    ("GET", "/api/v1/households/{id}/conversations", CASEWORKERS),
    ("POST", "/api/v1/households/{id}/conversations", CASEWORKERS),
    ("GET", "/api/v1/households/{id}/plans", CASEWORKERS),
    ("POST", "/api/v1/households/{id}/plans", CASEWORKERS),
    ("POST", "/api/v1/plans/{id}/goals", CASEWORKERS),
    ("POST", "/api/v1/plans/{id}/agreements", CASEWORKERS),
    ("POST", "/api/v1/plans/{id}/evaluations", CASEWORKERS),
    ("GET", "/api/v1/referrals", CASEWORKERS),
    ("POST", "/api/v1/plans/{id}/referrals", CASEWORKERS),
    ("POST", "/api/v1/referrals/{id}/approve", &["teamleider"]),
    ("POST", "/api/v1/referrals/{id}/reject", &["teamleider"]),
    ("GET", "/hulpvragen", CASEWORKERS),
    ("GET", "/hulpvragen/{id}", CASEWORKERS),
    ("GET", "/api/v1/hsds/services", PUBLIC),
    ("GET", "/api/v1/hsds/services/{id}", PUBLIC),
    ("GET", "/api/v1/hsds/organizations", PUBLIC),
    ("GET", "/api/v1/hsds/organizations/{id}", PUBLIC),
    ("GET", "/api/v1/hsds/service-at-locations", PUBLIC),
    ("GET", "/api/v1/hsds/service-at-locations/{id}", PUBLIC),
    ("GET", "/api/v1/openapi.json", PUBLIC),
    (
        "GET",
        "/api/v1/households",
        &["generalist", "teamleider", "inwoner"],
    ),
    (
        "GET",
        "/api/v1/households/{id}",
        &["generalist", "teamleider", "inwoner"],
    ),
];

/// A concrete path for a route template. `{id}` becomes 1: the demo resident's
/// household (in the demo generalist's team), and the first user.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

#[test]
fn the_matrix_covers_exactly_the_route_table() {
    let table: Vec<(String, String)> = routes::table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    for (m, p) in &table {
        assert!(
            MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == p),
            "route {m} {p} is missing from the access matrix"
        );
    }
    for (m, p, _) in MATRIX {
        assert!(
            table.iter().any(|(mm, pp)| mm == m && pp == p),
            "matrix entry {m} {p} is not a route"
        );
    }
}

async fn request(
    app: &TestApp,
    method: &str,
    path: &str,
    who: &As,
) -> baken_web::testing::TestResponse {
    match method {
        "GET" => app.get(path, who).await,
        _ => app.post_form(path, who, &[]).await,
    }
}

#[tokio::test]
async fn every_route_for_every_role_matches_the_matrix() {
    for app in apps(60).await {
        for role in Role::ALL {
            let username = role.as_str();
            for (method, template, allowed) in MATRIX {
                let path = concrete(template);
                let who = if is_api(&path) {
                    app.token_for(username).await
                } else {
                    app.login_as(username).await
                };
                let before = app.audit_count().await;
                let res = request(&app, method, &path, &who).await;
                let may = allowed == &PUBLIC || allowed.contains(&username);
                let what = format!(
                    "{:?} {username} {method} {template} → {}",
                    app.backend, res.status
                );
                if may {
                    assert_ne!(res.status, 403, "{what}: should be allowed");
                    assert_ne!(res.status, 401, "{what}: should be allowed");
                } else {
                    assert_eq!(res.status, 403, "{what}: should be refused");
                    if is_api(&path) {
                        assert_eq!(res.content_type(), "application/problem+json", "{what}");
                    } else {
                        assert!(res.body.contains("Geen toegang"), "{what}: Dutch 403 page");
                    }
                    let tail = app.audit_tail(1).await;
                    assert!(
                        app.audit_count().await > before,
                        "{what}: refusal not audited"
                    );
                    assert_eq!(
                        (tail[0].action.as_str(), tail[0].outcome.as_str()),
                        ("access", "denied"),
                        "{what}"
                    );
                    assert_eq!(tail[0].username.as_deref(), Some(username), "{what}");
                    assert_eq!(&tail[0].route, template, "{what}");
                }
            }
        }
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_or_get_401() {
    for app in apps(20).await {
        for (method, template, allowed) in MATRIX {
            if allowed == &PUBLIC {
                continue;
            }
            let path = concrete(template);
            let res = request(&app, method, &path, &As::Anonymous).await;
            if is_api(&path) {
                assert_eq!(res.status, 401, "{method} {template}");
                assert_eq!(res.content_type(), "application/problem+json");
                assert!(res.headers.contains_key("www-authenticate"));
            } else {
                assert_eq!(res.status, 303, "{method} {template}");
                assert!(
                    res.location().unwrap_or("").starts_with("/inloggen"),
                    "{method} {template}"
                );
            }
        }
    }
}

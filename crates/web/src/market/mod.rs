//! The buurtmarktplaats in the web app: joining (a public sign-up with an
//! e-mail address verified over SMTP, or a logged-in account joining), asks
//! and offers with search and filters, suggestions with their reasons,
//! matches with messages and contact details shared only when both agree;
//! the makelaar's queue, proxy participants and moderation; the protected
//! figures; and beheer of categories, the norm and retention. Rules live in
//! `baken_domain::market`, storage in `baken_store::market`.

pub mod api;
pub mod beheer;
pub mod broker;
pub mod common;
pub mod escalate;
pub mod figures;
pub mod household;
pub mod participate;
pub mod retention;
pub mod signup;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::{Permission as P, Role};

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    let g = || Method::GET;
    let p = || Method::POST;
    vec![
        route(
            g(),
            "/buurtmarktplaats/aanmelden",
            P::Public,
            get(signup::page),
        ),
        route(
            p(),
            "/buurtmarktplaats/aanmelden",
            P::Public,
            post(signup::submit),
        ),
        route(
            g(),
            "/buurtmarktplaats/bevestigen",
            P::Public,
            get(signup::verify),
        ),
        route(
            g(),
            "/buurtmarktplaats",
            P::Marketplace,
            get(participate::overview),
        ),
        route(
            p(),
            "/buurtmarktplaats/meedoen",
            P::Marketplace,
            post(participate::join),
        ),
        route(
            g(),
            "/buurtmarktplaats/nieuw",
            P::Marketplace,
            get(participate::new_form),
        ),
        route(
            p(),
            "/buurtmarktplaats/nieuw",
            P::Marketplace,
            post(participate::create),
        ),
        route(
            g(),
            "/buurtmarktplaats/cijfers",
            P::MarketReports,
            get(figures::page),
        ),
        route(
            g(),
            "/buurtmarktplaats/{id}",
            P::Marketplace,
            get(participate::detail),
        ),
        route(
            p(),
            "/buurtmarktplaats/{id}/reageren",
            P::Marketplace,
            post(participate::propose),
        ),
        route(
            p(),
            "/buurtmarktplaats/{id}/sluiten",
            P::Marketplace,
            post(participate::close),
        ),
        route(
            p(),
            "/buurtmarktplaats/{id}/melden",
            P::Marketplace,
            post(participate::report),
        ),
        route(
            g(),
            "/buurtmarktplaats/koppeling/{id}",
            P::Marketplace,
            get(participate::match_page),
        ),
        route(
            p(),
            "/buurtmarktplaats/koppeling/{id}",
            P::Marketplace,
            post(participate::match_action),
        ),
        route(
            p(),
            "/buurtmarktplaats/koppeling/{id}/melden",
            P::Marketplace,
            post(participate::report_message),
        ),
        route(g(), "/makelaar", P::MarketBroker, get(broker::overview)),
        route(
            p(),
            "/makelaar/deelnemers",
            P::MarketBroker,
            post(broker::register),
        ),
        route(
            g(),
            "/makelaar/deelnemers/{id}",
            P::MarketBroker,
            get(broker::proxy),
        ),
        route(
            g(),
            "/makelaar/deelnemers/{id}/plaatsen",
            P::MarketBroker,
            get(broker::post_form),
        ),
        route(
            p(),
            "/makelaar/deelnemers/{id}/plaatsen",
            P::MarketBroker,
            post(broker::post_for),
        ),
        route(
            p(),
            "/makelaar/voorstellen",
            P::MarketBroker,
            post(broker::propose_for),
        ),
        route(
            g(),
            "/makelaar/koppeling/{id}",
            P::MarketBroker,
            get(broker::match_page),
        ),
        route(
            p(),
            "/makelaar/koppeling/{id}",
            P::MarketBroker,
            post(broker::match_action),
        ),
        route(
            p(),
            "/makelaar/koppeling/{id}/melden",
            P::MarketBroker,
            post(broker::report_message),
        ),
        route(
            g(),
            "/makelaar/vragen/{id}/wijkteam",
            P::MarketBroker,
            get(escalate::form),
        ),
        route(
            p(),
            "/makelaar/vragen/{id}/wijkteam",
            P::MarketBroker,
            post(escalate::submit),
        ),
        route(
            g(),
            "/dossier/{id}/buurtmarktplaats",
            P::Casework,
            get(household::page),
        ),
        route(
            p(),
            "/dossier/{id}/buurtmarktplaats/wijzen",
            P::Casework,
            post(household::point),
        ),
        route(
            p(),
            "/dossier/{id}/buurtmarktplaats/afspraak",
            P::Casework,
            post(household::link),
        ),
        route(
            p(),
            "/makelaar/meldingen/{id}",
            P::MarketBroker,
            post(broker::moderate),
        ),
        route(
            g(),
            "/api/v1/market/categories",
            P::Marketplace,
            get(api::categories),
        ),
        route(
            g(),
            "/api/v1/market/listings",
            P::Marketplace,
            get(api::listings),
        ),
        route(
            p(),
            "/api/v1/market/listings",
            P::Marketplace,
            post(api::create),
        ),
        route(
            g(),
            "/api/v1/market/listings/{id}",
            P::Marketplace,
            get(api::listing),
        ),
        route(
            g(),
            "/api/v1/market/listings/{id}/suggestions",
            P::Marketplace,
            get(api::suggestions),
        ),
        route(
            g(),
            "/beheer/buurtmarktplaats",
            P::ManageMarket,
            get(beheer::page),
        ),
        route(
            p(),
            "/beheer/buurtmarktplaats/soorten",
            P::ManageMarket,
            post(beheer::add_category),
        ),
        route(
            p(),
            "/beheer/buurtmarktplaats/soorten/{id}",
            P::ManageMarket,
            post(beheer::update_category),
        ),
        route(
            p(),
            "/beheer/buurtmarktplaats/instellingen",
            P::ManageMarket,
            post(beheer::settings),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Inwoner | Role::Vrijwilliger => vec![("/buurtmarktplaats", "Buurtmarktplaats")],
        Role::Makelaar => vec![
            ("/makelaar", "Makelaar"),
            ("/buurtmarktplaats", "Buurtmarktplaats"),
            ("/buurtmarktplaats/cijfers", "Cijfers marktplaats"),
        ],
        Role::Beleid => vec![("/buurtmarktplaats/cijfers", "Cijfers marktplaats")],
        Role::Beheerder => vec![("/beheer/buurtmarktplaats", "Marktplaats")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Inwoner | Role::Vrijwilliger => vec![(
            "/buurtmarktplaats",
            "Buurtmarktplaats",
            "Vraag hulp aan buren of bied zelf iets aan: boodschappen, een lift, gezelschap, een klusje.",
        )],
        Role::Makelaar => vec![
            (
                "/makelaar",
                "Makelaar",
                "Spoedvragen binnen de norm, deelnemers zonder internet inschrijven en koppelen, meldingen afhandelen.",
            ),
            (
                "/buurtmarktplaats/cijfers",
                "Cijfers marktplaats",
                "Deelnemers, nieuwe aanmeldingen per maand en koppelingen per wijk, beschermd.",
            ),
        ],
        Role::Beleid => vec![(
            "/buurtmarktplaats/cijfers",
            "Cijfers buurtmarktplaats",
            "Deelnemers, nieuwe aanmeldingen per maand, vragen, aanbod en koppelingen per soort en wijk.",
        )],
        Role::Beheerder => vec![(
            "/beheer/buurtmarktplaats",
            "Buurtmarktplaats",
            "Soorten hulp, de norm voor spoedvragen en de bewaartermijn.",
        )],
        _ => vec![],
    }
}

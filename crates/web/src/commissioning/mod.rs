//! Commissioning on results in the web app (opdrachtgeverschap): the policy
//! officer writes the social agenda, commissions and their indicators,
//! reviews the providers' reports and settles the payments; a provider fills
//! its reports (Baken's figures prefilled), adds its narrative and reported
//! figures with evidence, and sees its scorecard. Rules live in
//! `baken_domain::commissioning`, storage in `baken_store::commissioning`.
//!
//! **Architecture invariant:** no person-level data reaches these pages. The
//! store hands out aggregates only; every count shown passes the cell-key
//! method (`baken_domain::cell_key::protect`, via `support::scorecard`), and
//! a computed figure that rests on fewer than five households is not shown.

pub mod beleid;
pub mod payments;
pub mod provider;
mod view;

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
            "/opdrachtgeverschap",
            P::Commissioning,
            get(beleid::overview),
        ),
        route(
            p(),
            "/opdrachtgeverschap/doelen",
            P::Commissioning,
            post(beleid::add_goal),
        ),
        route(
            p(),
            "/opdrachtgeverschap/opdrachten",
            P::Commissioning,
            post(beleid::create_commission),
        ),
        route(
            g(),
            "/opdrachtgeverschap/opdrachten/{id}",
            P::Commissioning,
            get(beleid::commission_page),
        ),
        route(
            p(),
            "/opdrachtgeverschap/opdrachten/{id}/indicatoren",
            P::Commissioning,
            post(beleid::add_indicator),
        ),
        route(
            p(),
            "/opdrachtgeverschap/opdrachten/{id}/definitie",
            P::Commissioning,
            post(beleid::change_definition),
        ),
        route(
            p(),
            "/opdrachtgeverschap/opdrachten/{id}/vaststellen",
            P::Commissioning,
            post(beleid::settle),
        ),
        route(
            g(),
            "/opdrachtgeverschap/rapportages/{id}",
            P::Commissioning,
            get(beleid::report_page),
        ),
        route(
            p(),
            "/opdrachtgeverschap/rapportages/{id}",
            P::Commissioning,
            post(beleid::review),
        ),
        route(
            g(),
            "/opdrachtgeverschap/betalingen",
            P::Commissioning,
            get(payments::page),
        ),
        route(
            g(),
            "/opdrachtgeverschap/betalingen.csv",
            P::Commissioning,
            get(payments::csv),
        ),
        route(
            g(),
            "/aanbod/opdrachten",
            P::ProviderCommissioning,
            get(provider::overview),
        ),
        route(
            g(),
            "/aanbod/opdrachten/{id}",
            P::ProviderCommissioning,
            get(provider::commission_page),
        ),
        route(
            p(),
            "/aanbod/opdrachten/{id}/plannen",
            P::ProviderCommissioning,
            post(provider::save_plans),
        ),
        route(
            g(),
            "/aanbod/rapportages/{id}",
            P::ProviderCommissioning,
            get(provider::report_page),
        ),
        route(
            p(),
            "/aanbod/rapportages/{id}",
            P::ProviderCommissioning,
            post(provider::save_report),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Beleid => vec![("/opdrachtgeverschap", "Opdrachten")],
        Role::Aanbieder => vec![("/aanbod/opdrachten", "Opdrachten")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Beleid => vec![(
            "/opdrachtgeverschap",
            "Opdrachten en resultaten",
            "De sociale agenda, opdrachten aan aanbieders, hun rapportages en de betaling op resultaat.",
        )],
        Role::Aanbieder => vec![(
            "/aanbod/opdrachten",
            "Opdrachten en rapportages",
            "Uw opdrachten van de gemeente, uw rapportages (Baken vult de cijfers al in) en uw resultaten.",
        )],
        _ => vec![],
    }
}

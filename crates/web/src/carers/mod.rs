//! Mantelzorg in the web app: an informal carer's own page (`/mantelzorg`:
//! registration, the EDIZ burden check, a signal to the wijkteam with consent
//! when the burden is heavy, the yearly mantelzorgwaardering, respite care
//! from the social map); the mantelzorgconsulent's page
//! (`/mantelzorgconsulent`, the makelaar role: carers, audited, and granting
//! the waardering); and a generalist registering a carer from a household's
//! network, with consent (`/huishoudens/{id}/mantelzorgers`, linked from the
//! dossier); and beheer of the waardering's amount, year and window
//! (`/beheer/mantelzorg`). Rules live in
//! `baken_domain::carers`, storage in `baken_store::carers`.

pub mod beheer;
pub mod carer;
pub mod consultant;
pub mod network;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::{Permission as P, Role};

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    let g = || Method::GET;
    let p = || Method::POST;
    vec![
        route(g(), "/mantelzorg", P::Carer, get(carer::page)),
        route(
            p(),
            "/mantelzorg/aanmelden",
            P::Carer,
            post(carer::register),
        ),
        route(p(), "/mantelzorg/belasting", P::Carer, post(carer::burden)),
        route(p(), "/mantelzorg/signaal", P::Carer, post(carer::signal)),
        route(
            p(),
            "/mantelzorg/waardering",
            P::Carer,
            post(carer::waardering),
        ),
        route(
            g(),
            "/mantelzorgconsulent",
            P::CarerSupport,
            get(consultant::page),
        ),
        route(
            p(),
            "/mantelzorgconsulent/waardering/{id}",
            P::CarerSupport,
            post(consultant::grant),
        ),
        route(
            g(),
            "/huishoudens/{id}/mantelzorgers",
            P::RegisterCarer,
            get(network::page),
        ),
        route(
            p(),
            "/huishoudens/{id}/mantelzorgers",
            P::RegisterCarer,
            post(network::register),
        ),
        route(
            g(),
            "/beheer/mantelzorg",
            P::ManageCarers,
            get(beheer::show),
        ),
        route(
            p(),
            "/beheer/mantelzorg",
            P::ManageCarers,
            post(beheer::save),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Inwoner | Role::Vrijwilliger => vec![("/mantelzorg", "Mantelzorg")],
        Role::Makelaar => vec![("/mantelzorgconsulent", "Mantelzorgers")],
        Role::Beheerder => vec![("/beheer/mantelzorg", "Mantelzorgwaardering")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Inwoner | Role::Vrijwilliger => vec![(
            "/mantelzorg",
            "Mantelzorg",
            "Zorgt u voor iemand? Meld u aan, kijk hoe zwaar het is, vraag de mantelzorgwaardering aan en vind even rust.",
        )],
        Role::Makelaar => vec![(
            "/mantelzorgconsulent",
            "Mantelzorgers",
            "Mantelzorgers, hoe zwaar zij het hebben, en de mantelzorgwaardering toekennen.",
        )],
        Role::Beheerder => vec![(
            "/beheer/mantelzorg",
            "Mantelzorgwaardering",
            "Zet de jaarlijkse waardering voor mantelzorgers aan of uit, met het bedrag en de periode om aan te vragen.",
        )],
        _ => vec![],
    }
}

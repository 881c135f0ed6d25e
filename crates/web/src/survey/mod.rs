//! The Wmo client survey (cliëntervaringsonderzoek, CEO) in the web app:
//! the team sends invitations to households whose support from a provider
//! ended in a quarter (`/enquete`: by e-mail, or as printed letters with a
//! one-time code); residents answer anonymously without logging in
//! (`/vragenlijst`); beleid and team leads read the results per team and
//! provider per year, cell-key protected (`/enquete/resultaten`, CSV).
//! Questions and rules: `baken_domain::survey`; storage: `baken_store::survey`.

pub mod answer;
pub mod results;
pub mod send;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::{Permission as P, Role};

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    let g = || Method::GET;
    let p = || Method::POST;
    vec![
        route(g(), "/enquete", P::Casework, get(send::page)),
        route(p(), "/enquete/ronde", P::Casework, post(send::start_round)),
        route(
            g(),
            "/enquete/resultaten",
            P::Aggregates,
            get(results::page),
        ),
        route(
            g(),
            "/enquete/resultaten.csv",
            P::Aggregates,
            get(results::csv),
        ),
        route(g(), "/vragenlijst", P::Public, get(answer::start)),
        route(p(), "/vragenlijst", P::Public, post(answer::open)),
        route(
            p(),
            "/vragenlijst/antwoorden",
            P::Public,
            post(answer::submit),
        ),
        route(g(), "/vragenlijst/bedankt", P::Public, get(answer::thanks)),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Generalist => vec![("/enquete", "Cliëntervaring")],
        Role::Teamleider => vec![("/enquete", "Cliëntervaring")],
        Role::Beleid => vec![("/enquete/resultaten", "Cliëntervaring")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Generalist | Role::Teamleider => vec![(
            "/enquete",
            "Cliëntervaringsonderzoek",
            "Inwoners van wie de ondersteuning stopte uitnodigen voor de vragenlijst: per e-mail of per brief.",
        )],
        Role::Beleid => vec![(
            "/enquete/resultaten",
            "Cliëntervaringsonderzoek",
            "Wat inwoners vinden van toegang, kwaliteit en effect van de ondersteuning, per team en aanbieder.",
        )],
        _ => vec![],
    }
}

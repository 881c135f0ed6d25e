//! Volunteer work in the web app (the ServicePunt Vrijwilligers): a
//! volunteer's own profile, open vacancies and applications
//! (`/vrijwilligerswerk`); vacancies of providers, posted by the provider or
//! the ServicePunt consultant (`/vacatures`); the consultant's applications,
//! volunteers and placements (`/servicepunt`, every view audited); and the
//! daily VOG reminder. Rules live in `baken_domain::volunteering`, storage in
//! `baken_store::volunteers`.

pub mod reminder;
pub mod servicepunt;
pub mod vacancies;
pub mod volunteer;

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
            "/vrijwilligerswerk",
            P::Volunteering,
            get(volunteer::page),
        ),
        route(
            p(),
            "/vrijwilligerswerk/profiel",
            P::Volunteering,
            post(volunteer::save_profile),
        ),
        route(
            p(),
            "/vrijwilligerswerk/vacatures/{id}/aanmelden",
            P::Volunteering,
            post(volunteer::apply),
        ),
        route(
            p(),
            "/vrijwilligerswerk/aanmeldingen/{id}/intrekken",
            P::Volunteering,
            post(volunteer::withdraw),
        ),
        route(g(), "/vacatures", P::ManageVacancies, get(vacancies::page)),
        route(
            p(),
            "/vacatures",
            P::ManageVacancies,
            post(vacancies::create),
        ),
        route(
            p(),
            "/vacatures/{id}/open",
            P::ManageVacancies,
            post(vacancies::set_open),
        ),
        route(
            g(),
            "/servicepunt",
            P::VolunteerPlacement,
            get(servicepunt::page),
        ),
        route(
            p(),
            "/servicepunt/aanmeldingen/{id}",
            P::VolunteerPlacement,
            post(servicepunt::decide),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Vrijwilliger => vec![("/vrijwilligerswerk", "Vrijwilligerswerk")],
        Role::Makelaar => vec![("/servicepunt", "ServicePunt"), ("/vacatures", "Vacatures")],
        Role::Aanbieder => vec![("/vacatures", "Vacatures")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Vrijwilliger => vec![(
            "/vrijwilligerswerk",
            "Vrijwilligerswerk",
            "Uw profiel, uw VOG en vacatures waarop u zich kunt aanmelden.",
        )],
        Role::Makelaar => vec![(
            "/servicepunt",
            "ServicePunt Vrijwilligers",
            "Aanmeldingen op vacatures, vrijwilligers plaatsen en VOG's die bijna verlopen.",
        )],
        Role::Aanbieder => vec![(
            "/vacatures",
            "Vacatures voor vrijwilligers",
            "Vrijwilligerswerk bij uw organisatie aanbieden, met of zonder VOG.",
        )],
        _ => vec![],
    }
}

//! The verantwoording dashboard (`/dashboard`): the pyramid of support per
//! district and period against the municipality's targets, with the cost per
//! layer; the trend of the lightest layer per quarter with the band the
//! protection's noise leaves; and the same small chart for every district side
//! by side (the fan view). Aggregates only, every count through the cell-key
//! method (`baken_domain::cell_key`); charts are inline SVG with a table beside
//! them for screen readers; every table is a CSV download.

pub mod dashboard;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::get;
use baken_domain::{Permission as P, Role};

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/dashboard",
            P::Aggregates,
            get(dashboard::page),
        ),
        route(
            Method::GET,
            "/dashboard.csv",
            P::Aggregates,
            get(dashboard::csv),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    if role.may(P::Aggregates) {
        vec![("/dashboard", "Dashboard")]
    } else {
        vec![]
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    if role.may(P::Aggregates) {
        vec![(
            "/dashboard",
            "Dashboard verantwoording",
            "De piramide van ondersteuning per wijk, met kosten, doelen en trends. Zonder personen.",
        )]
    } else {
        vec![]
    }
}

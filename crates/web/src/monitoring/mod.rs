//! The verantwoording dashboard (`/dashboard`): the pyramid of support per
//! district and period against the municipality's targets, with the cost per
//! layer; the trend of the lightest layer per quarter with the band the
//! protection's noise leaves; and the same small chart for every district side
//! by side (the fan view). Aggregates only, every count through the cell-key
//! method (`baken_domain::cell_key`); charts are inline SVG with a table beside
//! them for screen readers; every table is a CSV download.

pub mod dashboard;
pub mod targets;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
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
        route(
            Method::GET,
            "/beheer/piramide",
            P::ConfigureMonitoring,
            get(targets::show),
        ),
        route(
            Method::POST,
            "/beheer/piramide",
            P::ConfigureMonitoring,
            post(targets::save),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = Vec::new();
    if role.may(P::Aggregates) {
        items.push(("/dashboard", "Dashboard"));
    }
    if role.may(P::ConfigureMonitoring) {
        items.push(("/beheer/piramide", "Piramidedoelen"));
    }
    items
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut cards = Vec::new();
    if role.may(P::Aggregates) {
        cards.push((
            "/dashboard",
            "Dashboard verantwoording",
            "De piramide van ondersteuning per wijk, met kosten, doelen en trends. Zonder personen.",
        ));
    }
    if role.may(P::ConfigureMonitoring) {
        cards.push((
            "/beheer/piramide",
            "Doelen van de piramide",
            "Welk deel van de huishoudens de gemeente in elke laag wil helpen, zoals 85, 10 en 5 procent.",
        ));
    }
    cards
}

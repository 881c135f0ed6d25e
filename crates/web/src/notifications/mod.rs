//! Notifications: what waits for a user — a referral decided, a signal given
//! to them, a hand-over, a provider's report, a referral to decide — in the
//! app (a count in the menu and the list at `/meldingen`) and, when
//! `[smtp]` is configured, by e-mail that says only that something waits.
//!
//! Other modules leave notifications with `baken_store::notifications::notify`
//! inside the transaction of the change they are about; nothing imports this
//! module back.

pub mod mail;
pub mod page;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::{Permission, Role};

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/meldingen",
            Permission::Authenticated,
            get(page::list),
        ),
        route(
            Method::POST,
            "/meldingen/gelezen",
            Permission::Authenticated,
            post(page::mark_read),
        ),
        route(
            Method::POST,
            "/meldingen/email",
            Permission::Authenticated,
            post(page::set_email),
        ),
    ]
}

/// The roles that are told something waits for them.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Generalist | Role::Teamleider | Role::Aanbieder => vec![("/meldingen", "Meldingen")],
        _ => Vec::new(),
    }
}

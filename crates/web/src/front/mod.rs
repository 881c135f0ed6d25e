//! The front door: the public start page `/` for residents (no login) and the
//! page for developers (`/ontwikkelaars`: the public API, HSDS, OpenAPI).
//! Someone logged in who opens `/` goes on to their role's start page.

pub mod pages;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::get;
use baken_domain::Permission as P;

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/", P::Public, get(pages::home)),
        route(
            Method::GET,
            "/ontwikkelaars",
            P::Public,
            get(pages::developers),
        ),
    ]
}

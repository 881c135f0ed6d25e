//! Gaps in the offer ("Tekorten in het aanbod", issue 15 item 3; seed 001's
//! "tekorten in het voorzieningenaanbod"): for the policy officer who
//! commissions next year, where residents look for help and find none — the
//! wijzer without a fitting offer on the social map, marketplace asks without
//! a match, referrals waiting for a provider and how long they wait — per life
//! domain (or category) and district, per whole quarter or year. Aggregates
//! only, every count through the cell-key method (`baken_domain::gaps::Tally`);
//! every table is a CSV download; a view and a download are audited.

pub mod page;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::get;
use baken_domain::{Permission as P, Role};

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/tekorten", P::OfferGaps, get(page::page)),
        route(Method::GET, "/tekorten.csv", P::OfferGaps, get(page::csv)),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    if role.may(P::OfferGaps) {
        vec![("/tekorten", "Tekorten")]
    } else {
        Vec::new()
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    if role.may(P::OfferGaps) {
        vec![(
            "/tekorten",
            "Tekorten in het aanbod",
            "Waar inwoners hulp zoeken en niets vinden: per leefgebied en wijk. Voor de inkoop van volgend jaar. Zonder personen.",
        )]
    } else {
        Vec::new()
    }
}

//! The route table: every route, its method and the one permission it needs —
//! and the menu and start page, which are gathered the same way.
//!
//! Every route is declared once, in its module's list (`foundation::routes`,
//! `casework::routes`, `kaart::routes`, `contracting::routes`, `commissioning::routes`,
//! `monitoring::routes`, `gaps::routes`, `market::routes`, `survey::routes`, `front::routes`); [`table`] gathers them. The router is
//! built from that table and the authorisation middleware reads it, so a route
//! cannot exist without a permission. `tests/web/access.rs` walks every entry
//! for every role. This is the one layer that imports every feature module; no
//! feature module imports it.

use crate::support::route::Route;
use crate::{
    carers, casework, commissioning, contracting, foundation, front, gaps, kaart, market,
    monitoring, notifications, signin, survey, volunteers,
};
use baken_domain::Role;

pub fn table() -> Vec<Route> {
    let mut routes = front::routes();
    routes.extend(foundation::routes());
    routes.extend(casework::routes());
    routes.extend(kaart::routes());
    routes.extend(signin::routes());
    routes.extend(notifications::routes());
    routes.extend(contracting::routes());
    routes.extend(commissioning::routes());
    routes.extend(monitoring::routes());
    routes.extend(gaps::routes());
    routes.extend(market::routes());
    routes.extend(volunteers::routes());
    routes.extend(carers::routes());
    routes.extend(survey::routes());
    routes
}

/// The menu for a role: "Start", every module's entries, and "Mijn account".
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/start", "Start")];
    items.extend(foundation::nav_items(role));
    items.extend(casework::nav_items(role));
    items.extend(kaart::nav_items(role));
    items.extend(notifications::nav_items(role));
    items.extend(contracting::nav_items(role));
    items.extend(commissioning::nav_items(role));
    items.extend(monitoring::nav_items(role));
    items.extend(gaps::nav_items(role));
    items.extend(market::nav_items(role));
    items.extend(volunteers::nav_items(role));
    items.extend(carers::nav_items(role));
    items.extend(survey::nav_items(role));
    items.push(("/account", "Mijn account"));
    items
}

/// The start page's cards for a role: every module's, then "Mijn account".
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut cards = foundation::start::cards(role);
    cards.extend(casework::start_cards(role));
    cards.extend(kaart::start_cards(role));
    cards.extend(contracting::start_cards(role));
    cards.extend(commissioning::start_cards(role));
    cards.extend(monitoring::start_cards(role));
    cards.extend(gaps::start_cards(role));
    cards.extend(market::start_cards(role));
    cards.extend(volunteers::start_cards(role));
    cards.extend(carers::start_cards(role));
    cards.extend(survey::start_cards(role));
    cards.push((
        "/account",
        "Mijn account",
        "Uw gegevens bekijken en uw wachtwoord wijzigen.",
    ));
    cards
}

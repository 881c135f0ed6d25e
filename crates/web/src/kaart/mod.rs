//! Pages and API for the kaart module: the public social map, the Eigen Kracht
//! Wijzer, beheer of services and wijzer content, and the read-only HSDS 3.0
//! API (the mapping itself lives in `baken_hsds`). Routes are declared in
//! [`routes`] and joined into the one route table (`crate::routes::table`).

pub mod api;
pub mod beheer;
pub mod hulpvraag;
pub mod limit;
pub mod map;
pub mod view;
pub mod wijzer;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::Permission as P;

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    let g = || Method::GET;
    let p = || Method::POST;
    vec![
        // The public map and the wijzer: no account needed.
        route(g(), "/kaart", P::Public, get(map::search)),
        route(
            g(),
            "/kaart/voorzieningen/{id}",
            P::Public,
            get(map::detail),
        ),
        route(g(), "/wijzer", P::Public, get(wijzer::start)),
        route(p(), "/wijzer/situatie", P::Public, post(wijzer::situation)),
        route(p(), "/wijzer/resultaat", P::Public, post(wijzer::result)),
        route(
            p(),
            "/wijzer/resultaat/bestand",
            P::Public,
            post(wijzer::download),
        ),
        route(
            p(),
            "/wijzer/meedenken",
            P::Public,
            post(wijzer::ask_professional),
        ),
        // Services: an aanbieder its own, a beheerder all.
        route(
            g(),
            "/beheer/kaart",
            P::ManageServices,
            get(beheer::services::list),
        ),
        route(
            g(),
            "/beheer/kaart/in-te-delen",
            P::ManageServices,
            get(beheer::services::queue),
        ),
        route(
            g(),
            "/beheer/kaart/nieuw",
            P::ManageServices,
            get(beheer::services::new_form),
        ),
        route(
            p(),
            "/beheer/kaart/nieuw",
            P::ManageServices,
            post(beheer::services::create),
        ),
        route(
            g(),
            "/beheer/kaart/{id}",
            P::ManageServices,
            get(beheer::services::edit_form),
        ),
        route(
            p(),
            "/beheer/kaart/{id}",
            P::ManageServices,
            post(beheer::services::update),
        ),
        // The wijzer's content.
        route(
            g(),
            "/beheer/wijzer",
            P::ManageWijzer,
            get(beheer::wijzer::wijzer_overview),
        ),
        route(
            g(),
            "/beheer/wijzer/{kind}/{key}",
            P::ManageWijzer,
            get(beheer::wijzer::wijzer_item_form),
        ),
        route(
            p(),
            "/beheer/wijzer/{kind}/{key}",
            P::ManageWijzer,
            post(beheer::wijzer::wijzer_item_save),
        ),
        route(
            p(),
            "/beheer/wijzer/{kind}/{key}/verwijderen",
            P::ManageWijzer,
            post(beheer::wijzer::wijzer_item_delete),
        ),
        // Residents' requests for a professional to think along.
        route(g(), "/hulpvragen", P::HelpRequests, get(hulpvraag::list)),
        route(
            g(),
            "/hulpvragen/{id}",
            P::HelpRequests,
            get(hulpvraag::detail),
        ),
        // Open Referral HSDS 3.0, read-only: the paths and parameters of the
        // standard's API (schema/openapi.json), and the earlier hyphenated
        // service-at-locations paths.
        route(g(), "/api/v1/hsds", P::Public, get(api::root)),
        route(g(), "/api/v1/hsds/services", P::Public, get(api::services)),
        route(
            g(),
            "/api/v1/hsds/services/{id}",
            P::Public,
            get(api::service),
        ),
        route(
            g(),
            "/api/v1/hsds/organizations",
            P::Public,
            get(api::organizations),
        ),
        route(
            g(),
            "/api/v1/hsds/organizations/{id}",
            P::Public,
            get(api::organization),
        ),
        route(
            g(),
            "/api/v1/hsds/service-at-locations",
            P::Public,
            get(api::service_at_locations),
        ),
        route(
            g(),
            "/api/v1/hsds/service-at-locations/{id}",
            P::Public,
            get(api::service_at_location),
        ),
        route(
            g(),
            "/api/v1/hsds/service_at_locations",
            P::Public,
            get(api::service_at_locations),
        ),
        route(
            g(),
            "/api/v1/hsds/service_at_locations/{id}",
            P::Public,
            get(api::service_at_location),
        ),
        route(
            g(),
            "/api/v1/hsds/taxonomies",
            P::Public,
            get(api::taxonomies),
        ),
        route(
            g(),
            "/api/v1/hsds/taxonomies/{id}",
            P::Public,
            get(api::taxonomy),
        ),
        route(
            g(),
            "/api/v1/hsds/taxonomy_terms",
            P::Public,
            get(api::taxonomy_terms),
        ),
        route(
            g(),
            "/api/v1/hsds/taxonomy_terms/{id}",
            P::Public,
            get(api::taxonomy_term),
        ),
    ]
}

/// Menu entries for a logged-in role (the map is for everyone).
pub fn nav_items(role: baken_domain::Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/kaart", "Sociale kaart")];
    if role.may(P::ManageServices) {
        items.push(("/beheer/kaart", "Voorzieningen"));
    }
    if role.may(P::ManageWijzer) {
        items.push(("/beheer/wijzer", "Wijzer"));
    }
    if role.may(P::HelpRequests) {
        items.push(("/hulpvragen", "Hulpvragen"));
    }
    items
}

/// Start-page cards (href, title, text) for a role.
pub fn start_cards(role: baken_domain::Role) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut cards = vec![(
        "/kaart",
        "Sociale kaart",
        "Alle hulp, activiteiten en vrijwilligerswerk in de gemeente, op de verantwoordelijkheidsladder.",
    )];
    if role == baken_domain::Role::Inwoner || role == baken_domain::Role::Vrijwilliger {
        cards.push(("/wijzer", "Eigen Kracht Wijzer", "Een paar vragen, en u ziet wat u zelf kunt doen, wie kan helpen en wat er in de buurt is."));
    }
    if role.may(P::ManageServices) {
        cards.push((
            "/beheer/kaart",
            "Voorzieningen beheren",
            "Uw voorzieningen op de sociale kaart toevoegen en bijwerken.",
        ));
    }
    if role.may(P::ManageWijzer) {
        cards.push((
            "/beheer/wijzer",
            "Eigen Kracht Wijzer beheren",
            "Onderwerpen, vragen, verhalen en regels van de wijzer aanpassen.",
        ));
    }
    if role.may(P::HelpRequests) {
        cards.push((
            "/hulpvragen",
            "Hulpvragen uit de wijzer",
            "Inwoners die vroegen of iemand met hen meedenkt.",
        ));
    }
    cards
}

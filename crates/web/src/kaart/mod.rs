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

use crate::routes::Route;
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::Permission as P;

fn r(
    method: Method,
    path: &'static str,
    permission: P,
    handler: axum::routing::MethodRouter<crate::AppState>,
) -> Route {
    Route {
        method,
        path,
        permission,
        handler,
    }
}

/// This module's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    let g = || Method::GET;
    let p = || Method::POST;
    vec![
        // The public map and the wijzer: no account needed.
        r(g(), "/kaart", P::Public, get(map::search)),
        r(
            g(),
            "/kaart/voorzieningen/{id}",
            P::Public,
            get(map::detail),
        ),
        r(g(), "/wijzer", P::Public, get(wijzer::start)),
        r(p(), "/wijzer/situatie", P::Public, post(wijzer::situation)),
        r(p(), "/wijzer/resultaat", P::Public, post(wijzer::result)),
        r(
            p(),
            "/wijzer/resultaat/bestand",
            P::Public,
            post(wijzer::download),
        ),
        r(
            p(),
            "/wijzer/meedenken",
            P::Public,
            post(wijzer::ask_professional),
        ),
        // Services: an aanbieder its own, a beheerder all.
        r(g(), "/beheer/kaart", P::ManageServices, get(beheer::list)),
        r(
            g(),
            "/beheer/kaart/nieuw",
            P::ManageServices,
            get(beheer::new_form),
        ),
        r(
            p(),
            "/beheer/kaart/nieuw",
            P::ManageServices,
            post(beheer::create),
        ),
        r(
            g(),
            "/beheer/kaart/{id}",
            P::ManageServices,
            get(beheer::edit_form),
        ),
        r(
            p(),
            "/beheer/kaart/{id}",
            P::ManageServices,
            post(beheer::update),
        ),
        // The wijzer's content.
        r(
            g(),
            "/beheer/wijzer",
            P::ManageWijzer,
            get(beheer::wijzer_overview),
        ),
        r(
            g(),
            "/beheer/wijzer/{kind}/{key}",
            P::ManageWijzer,
            get(beheer::wijzer_item_form),
        ),
        r(
            p(),
            "/beheer/wijzer/{kind}/{key}",
            P::ManageWijzer,
            post(beheer::wijzer_item_save),
        ),
        r(
            p(),
            "/beheer/wijzer/{kind}/{key}/verwijderen",
            P::ManageWijzer,
            post(beheer::wijzer_item_delete),
        ),
        // Residents' requests for a professional to think along.
        r(g(), "/hulpvragen", P::HelpRequests, get(hulpvraag::list)),
        r(
            g(),
            "/hulpvragen/{id}",
            P::HelpRequests,
            get(hulpvraag::detail),
        ),
        // Open Referral HSDS 3.0, read-only.
        r(g(), "/api/v1/hsds/services", P::Public, get(api::services)),
        r(
            g(),
            "/api/v1/hsds/services/{id}",
            P::Public,
            get(api::service),
        ),
        r(
            g(),
            "/api/v1/hsds/organizations",
            P::Public,
            get(api::organizations),
        ),
        r(
            g(),
            "/api/v1/hsds/organizations/{id}",
            P::Public,
            get(api::organization),
        ),
        r(
            g(),
            "/api/v1/hsds/service-at-locations",
            P::Public,
            get(api::service_at_locations),
        ),
        r(
            g(),
            "/api/v1/hsds/service-at-locations/{id}",
            P::Public,
            get(api::service_at_location),
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

macro_rules! embed {
    ($env:expr, $($name:literal),* $(,)?) => {
        $( $env.add_template(concat!("kaart/", $name), include_str!(concat!("../../templates/kaart/", $name)))
            .expect(concat!("template kaart/", $name, " parses")); )*
    };
}

/// Registers this module's templates.
pub fn templates(env: &mut minijinja::Environment<'static>) {
    embed!(
        env,
        "map.html",
        "service.html",
        "wijzer_start.html",
        "wijzer_situatie.html",
        "wijzer_resultaat.html",
        "wijzer_bestand.html",
        "wijzer_bedankt.html",
        "te_vaak.html",
        "beheer_list.html",
        "beheer_form.html",
        "beheer_wijzer.html",
        "beheer_wijzer_item.html",
        "hulpvragen.html",
        "hulpvraag.html",
    );
}

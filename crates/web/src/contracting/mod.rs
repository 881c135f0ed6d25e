//! Commissioning in the web app: beheer of products, tariffs, licences, team
//! mandates and iWmo codes; a provider's licences, tariffs and waiting times;
//! the resident's choice of provider after an approved referral (which makes
//! the toewijzing); providers' verzoeken om toewijzing as tasks; and the iWmo
//! API for providers' software. Rules live in `baken_domain::contracting`,
//! XML in `baken_iwmo`.

pub mod api;
pub mod beheer;
pub mod choice;
pub mod evidence;
pub mod products;
pub mod provider;
pub mod requests;

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
            "/beheer/inkoop",
            P::ManageContracts,
            get(beheer::overview),
        ),
        route(
            g(),
            "/beheer/inkoop/producten/nieuw",
            P::ManageContracts,
            get(products::new_page),
        ),
        route(
            p(),
            "/beheer/inkoop/producten",
            P::ManageContracts,
            post(products::create),
        ),
        route(
            g(),
            "/beheer/inkoop/producten/{id}",
            P::ManageContracts,
            get(products::edit_page),
        ),
        route(
            p(),
            "/beheer/inkoop/producten/{id}",
            P::ManageContracts,
            post(products::update),
        ),
        route(
            p(),
            "/beheer/inkoop/tarieven",
            P::ManageContracts,
            post(beheer::add_tariff),
        ),
        route(
            p(),
            "/beheer/inkoop/licenties/{id}",
            P::ManageContracts,
            post(beheer::decide_licence),
        ),
        route(
            g(),
            "/beheer/inkoop/licenties/{id}/bewijs/{requirement}",
            P::ManageContracts,
            get(evidence::beheer_download),
        ),
        route(
            p(),
            "/beheer/inkoop/mandaat",
            P::ManageContracts,
            post(beheer::set_mandate),
        ),
        route(
            p(),
            "/beheer/inkoop/iwmo",
            P::ManageContracts,
            post(beheer::set_codes),
        ),
        route(
            g(),
            "/aanbod/contracten",
            P::ProviderContracts,
            get(provider::overview),
        ),
        route(
            p(),
            "/aanbod/contracten/{id}/aanmelden",
            P::ProviderContracts,
            post(provider::apply).layer(axum::extract::DefaultBodyLimit::max(
                evidence::MAX_APPLICATION_BYTES,
            )),
        ),
        route(
            g(),
            "/aanbod/contracten/licenties/{id}/bewijs/{requirement}",
            P::ProviderContracts,
            get(evidence::provider_download),
        ),
        route(
            p(),
            "/aanbod/tarieven",
            P::ProviderContracts,
            post(provider::accept_tariffs),
        ),
        route(
            p(),
            "/aanbod/wachttijden",
            P::ProviderContracts,
            post(provider::report_waiting_time),
        ),
        route(
            g(),
            "/toewijzingen/keuze/{id}",
            P::Casework,
            get(choice::page),
        ),
        route(
            p(),
            "/toewijzingen/keuze/{id}",
            P::Casework,
            post(choice::submit),
        ),
        route(g(), "/verzoeken", P::Casework, get(requests::list)),
        route(p(), "/verzoeken/{id}", P::Casework, post(requests::answer)),
        route(
            g(),
            "/api/v1/iwmo/toewijzingen",
            P::ApiIwmo,
            get(api::toewijzingen),
        ),
        route(
            p(),
            "/api/v1/iwmo/berichten",
            P::ApiIwmo,
            post(api::message),
        ),
        route(
            g(),
            "/api/v1/iwmo/verzoeken",
            P::ApiIwmo,
            get(api::requests),
        ),
    ]
}

/// Menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Beheerder => vec![("/beheer/inkoop", "Inkoop")],
        Role::Aanbieder => vec![("/aanbod/contracten", "Contracten")],
        Role::Generalist | Role::Teamleider => vec![("/verzoeken", "Verzoeken aanbieders")],
        _ => vec![],
    }
}

/// Start-page cards for a role.
pub fn start_cards(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Beheerder => vec![(
            "/beheer/inkoop",
            "Inkoop",
            "Producten, tarieven, licenties van aanbieders, het mandaat van de teams en iWmo.",
        )],
        Role::Aanbieder => vec![(
            "/aanbod/contracten",
            "Contracten",
            "Een licentie aanvragen, tarieven accepteren en uw wachttijd doorgeven.",
        )],
        Role::Generalist | Role::Teamleider => vec![(
            "/verzoeken",
            "Verzoeken van aanbieders",
            "Verzoeken om toewijzing beantwoorden, binnen de termijn.",
        )],
        _ => vec![],
    }
}

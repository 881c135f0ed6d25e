//! The foundation: login and account, the start page, households, the
//! stapelingsmonitor page, the households API, and beheer (`admin/`).

pub mod account;
pub mod admin;
pub mod api;
pub mod figures;
pub mod households;
pub mod login;
pub mod monitor;
pub mod start;
pub mod system;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::{Permission, Role};

/// The foundation's routes, each with its permission.
pub fn routes() -> Vec<Route> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        route(g.clone(), "/health", P::Public, get(system::health)),
        route(g.clone(), "/ready", P::Public, get(system::ready)),
        route(
            g.clone(),
            "/static/baken.css",
            P::Public,
            get(system::stylesheet),
        ),
        route(g.clone(), "/inloggen", P::Public, get(login::login_form)),
        route(p.clone(), "/inloggen", P::Public, post(login::login_submit)),
        route(
            p.clone(),
            "/uitloggen",
            P::Authenticated,
            post(login::logout),
        ),
        route(g.clone(), "/start", P::Authenticated, get(start::start)),
        route(
            g.clone(),
            "/account",
            P::Authenticated,
            get(account::account),
        ),
        route(
            p.clone(),
            "/account/wachtwoord",
            P::Authenticated,
            post(account::change_password),
        ),
        route(
            g.clone(),
            "/huishoudens",
            P::HouseholdsSearch,
            get(households::list),
        ),
        route(
            g.clone(),
            "/huishoudens/{id}",
            P::HouseholdRead,
            get(households::show),
        ),
        route(
            g.clone(),
            "/mijn-huishouden",
            P::OwnHousehold,
            get(households::own),
        ),
        route(
            g.clone(),
            "/mijn-huishouden/inzage",
            P::OwnAccessLog,
            get(households::own_access_log),
        ),
        route(g.clone(), "/cijfers", P::Aggregates, get(figures::figures)),
        route(
            g.clone(),
            "/beheer/gebruikers",
            P::ManageUsers,
            get(admin::users::users),
        ),
        route(
            g.clone(),
            "/beheer/gebruikers/nieuw",
            P::ManageUsers,
            get(admin::users::new_user_form),
        ),
        route(
            p.clone(),
            "/beheer/gebruikers/nieuw",
            P::ManageUsers,
            post(admin::users::new_user_submit),
        ),
        route(
            g.clone(),
            "/beheer/gebruikers/{id}",
            P::ManageUsers,
            get(admin::users::edit_user_form),
        ),
        route(
            p.clone(),
            "/beheer/gebruikers/{id}",
            P::ManageUsers,
            post(admin::users::edit_user_submit),
        ),
        route(
            p.clone(),
            "/beheer/gebruikers/{id}/wachtwoord",
            P::ManageUsers,
            post(admin::users::set_temporary_password),
        ),
        route(
            g.clone(),
            "/beheer/teams",
            P::ManageTeams,
            get(admin::teams::teams),
        ),
        route(
            p.clone(),
            "/beheer/teams",
            P::ManageTeams,
            post(admin::teams::create_team),
        ),
        route(
            g.clone(),
            "/beheer/teams/{id}",
            P::ManageTeams,
            get(admin::teams::edit_team_form),
        ),
        route(
            p.clone(),
            "/beheer/teams/{id}",
            P::ManageTeams,
            post(admin::teams::edit_team_submit),
        ),
        route(
            g.clone(),
            "/beheer/wijken",
            P::ManageDistricts,
            get(admin::areas::districts),
        ),
        route(
            g.clone(),
            "/beheer/wijken/{code}",
            P::ManageDistricts,
            get(admin::areas::edit_district_form),
        ),
        route(
            p.clone(),
            "/beheer/wijken/{code}",
            P::ManageDistricts,
            post(admin::areas::edit_district_submit),
        ),
        route(
            g.clone(),
            "/beheer/buurten/{code}",
            P::ManageDistricts,
            get(admin::areas::edit_neighbourhood_form),
        ),
        route(
            p.clone(),
            "/beheer/buurten/{code}",
            P::ManageDistricts,
            post(admin::areas::edit_neighbourhood_submit),
        ),
        route(
            g.clone(),
            "/beheer/aanbieders",
            P::ManageProviders,
            get(admin::providers::list),
        ),
        route(
            p.clone(),
            "/beheer/aanbieders",
            P::ManageProviders,
            post(admin::providers::create),
        ),
        route(
            g.clone(),
            "/beheer/aanbieders/{id}",
            P::ManageProviders,
            get(admin::providers::edit_form),
        ),
        route(
            p.clone(),
            "/beheer/aanbieders/{id}",
            P::ManageProviders,
            post(admin::providers::edit_submit),
        ),
        route(
            g.clone(),
            "/beheer/audit",
            P::AuditSearch,
            get(admin::audit::audit_log),
        ),
        route(
            g.clone(),
            "/beheer/audit/export.csv",
            P::AuditSearch,
            get(admin::audit_export::audit_csv),
        ),
        route(g.clone(), "/monitor", P::Monitor, get(monitor::index)),
        route(
            p.clone(),
            "/monitor",
            P::Monitor,
            post(monitor::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::support::state::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        ),
        route(
            g.clone(),
            "/monitor/rapporten/{id}",
            P::Monitor,
            get(monitor::show),
        ),
        route(
            g.clone(),
            "/monitor/rapporten/{id}/report.json",
            P::Monitor,
            get(monitor::json),
        ),
        route(
            g.clone(),
            "/api/v1/openapi.json",
            P::Public,
            get(api::openapi),
        ),
        route(
            g.clone(),
            "/api/v1/households",
            P::ApiHouseholds,
            get(api::households),
        ),
        route(
            g,
            "/api/v1/households/{id}",
            P::ApiHouseholds,
            get(api::household),
        ),
    ]
}

/// The foundation's menu entries for a role.
pub fn nav_items(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = Vec::new();
    match role {
        Role::Generalist | Role::Teamleider => items.push(("/huishoudens", "Huishoudens")),
        Role::Inwoner => {
            items.push(("/mijn-huishouden", "Mijn huishouden"));
            items.push(("/mijn-huishouden/inzage", "Wie keek mee"));
        }
        Role::Beheerder => {
            items.push(("/beheer/gebruikers", "Gebruikers"));
            items.push(("/beheer/teams", "Teams"));
            items.push(("/beheer/wijken", "Wijken"));
            items.push(("/beheer/aanbieders", "Aanbieders"));
            items.push(("/beheer/audit", "Auditlog"));
        }
        _ => {}
    }
    if role.may(Permission::Monitor) {
        items.push(("/monitor", "Stapelingsmonitor"));
    }
    if role.may(Permission::Aggregates) {
        items.push(("/cijfers", "Cijfers"));
    }
    items
}

//! The route table: every route, its method and the one permission it needs.
//!
//! Every route is declared once, in [`table`], which gathers the foundation's
//! routes (below) and each module's own list (`casework::routes`,
//! `kaart::routes`). The router is built from that table and the authorisation
//! middleware reads it, so a route cannot exist without a permission.
//! `tests/web/access.rs` walks every entry for every role.

use crate::{api, pages, AppState};
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use baken_domain::Permission;

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    pub handler: MethodRouter<AppState>,
}

fn r(
    method: Method,
    path: &'static str,
    permission: Permission,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        permission,
        handler,
    }
}

pub fn table() -> Vec<Route> {
    let mut routes = foundation();
    routes.extend(crate::casework::routes());
    routes.extend(crate::kaart::routes());
    routes
}

fn foundation() -> Vec<Route> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        r(g.clone(), "/", P::Public, get(pages::home)),
        r(g.clone(), "/health", P::Public, get(pages::health)),
        r(g.clone(), "/ready", P::Public, get(pages::ready)),
        r(
            g.clone(),
            "/static/baken.css",
            P::Public,
            get(pages::stylesheet),
        ),
        r(g.clone(), "/inloggen", P::Public, get(pages::login_form)),
        r(p.clone(), "/inloggen", P::Public, post(pages::login_submit)),
        r(
            p.clone(),
            "/uitloggen",
            P::Authenticated,
            post(pages::logout),
        ),
        r(g.clone(), "/start", P::Authenticated, get(pages::start)),
        r(g.clone(), "/account", P::Authenticated, get(pages::account)),
        r(
            p.clone(),
            "/account/wachtwoord",
            P::Authenticated,
            post(pages::change_password),
        ),
        r(
            g.clone(),
            "/huishoudens",
            P::HouseholdsSearch,
            get(pages::households::list),
        ),
        r(
            g.clone(),
            "/huishoudens/{id}",
            P::HouseholdRead,
            get(pages::households::show),
        ),
        r(
            g.clone(),
            "/mijn-huishouden",
            P::OwnHousehold,
            get(pages::households::own),
        ),
        r(
            g.clone(),
            "/mijn-huishouden/inzage",
            P::OwnAccessLog,
            get(pages::households::own_access_log),
        ),
        r(g.clone(), "/cijfers", P::Aggregates, get(pages::figures)),
        r(
            g.clone(),
            "/beheer/gebruikers",
            P::ManageUsers,
            get(pages::admin::users),
        ),
        r(
            g.clone(),
            "/beheer/gebruikers/nieuw",
            P::ManageUsers,
            get(pages::admin::new_user_form),
        ),
        r(
            p.clone(),
            "/beheer/gebruikers/nieuw",
            P::ManageUsers,
            post(pages::admin::new_user_submit),
        ),
        r(
            g.clone(),
            "/beheer/gebruikers/{id}",
            P::ManageUsers,
            get(pages::admin::edit_user_form),
        ),
        r(
            p.clone(),
            "/beheer/gebruikers/{id}",
            P::ManageUsers,
            post(pages::admin::edit_user_submit),
        ),
        r(
            p.clone(),
            "/beheer/gebruikers/{id}/ontgrendelen",
            P::ManageUsers,
            post(pages::admin::unlock_user),
        ),
        r(
            p.clone(),
            "/beheer/gebruikers/{id}/wachtwoord",
            P::ManageUsers,
            post(pages::admin::set_temporary_password),
        ),
        r(
            g.clone(),
            "/beheer/teams",
            P::ManageTeams,
            get(pages::admin::teams),
        ),
        r(
            p.clone(),
            "/beheer/teams",
            P::ManageTeams,
            post(pages::admin::create_team),
        ),
        r(
            g.clone(),
            "/beheer/teams/{id}",
            P::ManageTeams,
            get(pages::admin::edit_team_form),
        ),
        r(
            p.clone(),
            "/beheer/teams/{id}",
            P::ManageTeams,
            post(pages::admin::edit_team_submit),
        ),
        r(
            g.clone(),
            "/beheer/wijken",
            P::ManageDistricts,
            get(pages::admin::districts),
        ),
        r(
            g.clone(),
            "/beheer/wijken/{code}",
            P::ManageDistricts,
            get(pages::admin::edit_district_form),
        ),
        r(
            p.clone(),
            "/beheer/wijken/{code}",
            P::ManageDistricts,
            post(pages::admin::edit_district_submit),
        ),
        r(
            g.clone(),
            "/beheer/buurten/{code}",
            P::ManageDistricts,
            get(pages::admin::edit_neighbourhood_form),
        ),
        r(
            p.clone(),
            "/beheer/buurten/{code}",
            P::ManageDistricts,
            post(pages::admin::edit_neighbourhood_submit),
        ),
        r(
            g.clone(),
            "/beheer/aanbieders",
            P::ManageProviders,
            get(pages::providers::list),
        ),
        r(
            p.clone(),
            "/beheer/aanbieders",
            P::ManageProviders,
            post(pages::providers::create),
        ),
        r(
            g.clone(),
            "/beheer/aanbieders/{id}",
            P::ManageProviders,
            get(pages::providers::edit_form),
        ),
        r(
            p.clone(),
            "/beheer/aanbieders/{id}",
            P::ManageProviders,
            post(pages::providers::edit_submit),
        ),
        r(
            g.clone(),
            "/beheer/audit",
            P::AuditSearch,
            get(pages::admin::audit_log),
        ),
        r(
            g.clone(),
            "/monitor",
            P::Monitor,
            get(pages::monitor::index),
        ),
        r(
            p.clone(),
            "/monitor",
            P::Monitor,
            post(pages::monitor::upload).layer(axum::extract::DefaultBodyLimit::max(
                pages::monitor::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        ),
        r(
            g.clone(),
            "/monitor/rapporten/{id}",
            P::Monitor,
            get(pages::monitor::show),
        ),
        r(
            g.clone(),
            "/monitor/rapporten/{id}/report.json",
            P::Monitor,
            get(pages::monitor::json),
        ),
        r(
            g.clone(),
            "/api/v1/openapi.json",
            P::Public,
            get(api::openapi),
        ),
        r(
            g.clone(),
            "/api/v1/households",
            P::ApiHouseholds,
            get(api::households),
        ),
        r(
            g,
            "/api/v1/households/{id}",
            P::ApiHouseholds,
            get(api::household),
        ),
    ]
}

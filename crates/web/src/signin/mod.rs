//! Staff login beyond the password: the second factor (TOTP, RFC 6238, with
//! recovery codes), the beheerder's reset of it, and single sign-on with the
//! organisation's identity provider (OpenID Connect).
//!
//! The flow: the password step (`foundation::login`) or the provider's
//! callback ([`oidc`]) ends in [`session::open`], which makes a full session —
//! or, when the account has a second factor or its role needs one, a session
//! that waits for it (`second_factor_pending`). Such a session opens only the
//! code page ([`code`]), the enrolment page ([`enrol`]) and logging out
//! (`layers::authorize`); the code or the enrolment swaps it for a full one.

pub mod beheer;
pub mod code;
pub mod enrol;
mod factor;
pub mod oidc;
pub mod session;
pub mod totp;

use crate::support::route::{route, Route};
use axum::http::Method;
use axum::routing::{get, post};
use baken_domain::Permission;

/// The routes of second factor and single sign-on, each with its permission.
pub fn routes() -> Vec<Route> {
    use Permission as P;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        route(
            g.clone(),
            "/inloggen/code",
            P::Authenticated,
            get(code::form),
        ),
        route(
            p.clone(),
            "/inloggen/code",
            P::Authenticated,
            post(code::submit),
        ),
        route(
            g.clone(),
            "/inloggen/tweede-stap",
            P::Authenticated,
            get(enrol::form),
        ),
        route(
            p.clone(),
            "/inloggen/tweede-stap",
            P::Authenticated,
            post(enrol::submit),
        ),
        route(
            p.clone(),
            "/inloggen/tweede-stap/herstelcodes",
            P::Authenticated,
            post(enrol::new_recovery_codes),
        ),
        route(g.clone(), "/inloggen/oidc", P::Public, get(oidc::start)),
        route(
            g.clone(),
            "/inloggen/oidc/terug",
            P::Public,
            get(oidc::callback),
        ),
        route(
            g.clone(),
            "/beheer/gebruikers/{id}/tweede-stap",
            P::ManageUsers,
            get(beheer::page),
        ),
        route(
            p,
            "/beheer/gebruikers/{id}/tweede-stap",
            P::ManageUsers,
            post(beheer::reset),
        ),
    ]
}

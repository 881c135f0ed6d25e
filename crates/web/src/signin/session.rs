//! Opening a session once a user has proved who they are — fully, or up to
//! the second factor — and the cookie that carries it.

use crate::support::ctx::{CurrentUser, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::support::state::AppState;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use baken_store::users::{self, User};
use baken_store::{second_factor, StoreError, Tx};

/// The code page and the enrolment page.
pub const CODE_PAGE: &str = "/inloggen/code";
pub const ENROL_PAGE: &str = "/inloggen/tweede-stap";

/// What comes after the first step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Nothing: the login is complete.
    Done,
    /// The code from the authenticator app (or a recovery code).
    Code,
    /// The role needs a second factor the user has not set up yet.
    Enrol,
}

impl Next {
    /// For the login's audit entry.
    pub fn audit_detail(self) -> &'static str {
        match self {
            Next::Done => "",
            Next::Code => "wachtwoord juist; wacht op de tweede stap",
            Next::Enrol => "wachtwoord juist; tweede stap nog in te stellen",
        }
    }
}

/// Does this login still need a second step? An account with a second factor
/// always uses it; one without must set it up when its role needs one
/// ([`baken_domain::Role::requires_second_factor`]) — except in the demo
/// (whose passwords are published anyway; the README and the login page say
/// so), so that anyone can try Baken.
pub async fn next_step(tx: &mut Tx, state: &AppState, user: &User) -> Result<Next, StoreError> {
    if second_factor::enrolled(tx, user.id).await? {
        Ok(Next::Code)
    } else if user.role.requires_second_factor() && !state.config.demo {
        Ok(Next::Enrol)
    } else {
        Ok(Next::Done)
    }
}

/// A session after the first step: a full one when `two_factors` (an identity
/// provider's login that counts as two) or when no second step is needed,
/// otherwise one that waits for it. Returns the cookie's secret and the step.
pub async fn open(
    tx: &mut Tx,
    state: &AppState,
    user: &User,
    two_factors: bool,
) -> Result<(String, Next), StoreError> {
    let next = if two_factors {
        Next::Done
    } else {
        next_step(tx, state, user).await?
    };
    let (secret, _csrf) = match next {
        Next::Done => users::create_session(tx, user.id, state.config.session_ttl).await?,
        Next::Code | Next::Enrol => {
            users::create_pending_session(tx, user.id, state.config.session_ttl, 0).await?
        }
    };
    Ok((secret, next))
}

/// Swaps a session waiting for its second factor for a full one (a new secret,
/// so whoever saw the first cookie holds nothing).
pub async fn complete(
    tx: &mut Tx,
    state: &AppState,
    current: &CurrentUser,
) -> Result<String, StoreError> {
    if let Some(old) = &current.session_secret {
        users::delete_session(tx, old).await?;
    }
    // The wrong passwords before this login, for the start page's notice.
    let failed_before = users::record_successful_login(tx, current.user.id).await?;
    let (secret, _csrf) =
        users::create_session_after(tx, current.user.id, state.config.session_ttl, failed_before)
            .await?;
    Ok(secret)
}

/// A redirect to `to` that sets the session cookie (and drops the pre-login
/// CSRF token, so a token seen before login is useless).
pub fn with_cookie(state: &AppState, secret: &str, to: &str) -> Response {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_ttl.num_seconds();
    let mut res = Redirect::to(to).into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{PRE_CSRF_COOKIE}=; Path=/; Max-Age=0")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Where the first step sends the browser.
pub fn first_stop(next: Next, back: String) -> String {
    match next {
        Next::Done => back,
        Next::Code => CODE_PAGE.to_owned(),
        Next::Enrol => ENROL_PAGE.to_owned(),
    }
}

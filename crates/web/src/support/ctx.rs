//! Who is asking, from where, on which route: the request context that every
//! handler and every audit entry uses.

use super::error::{AppError, Audience};
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome, HouseholdScope, Role};
use baken_store::users::User;

/// The session cookie (its value is the session's secret; only its hash is stored).
pub const SESSION_COOKIE: &str = "baken_sessie";
/// The cookie that carries the CSRF token of forms shown before login.
pub const PRE_CSRF_COOKIE: &str = "baken_pre";

/// The logged-in user, found by session cookie (pages) or bearer token (API).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's CSRF token; None for bearer tokens.
    pub csrf: Option<String>,
    /// The session secret (to end this session on logout); None for tokens.
    pub session_secret: Option<String>,
    /// The password step is done, the second factor not yet: only the code
    /// and enrolment pages (and logging out) are open (see `layers::authorize`).
    pub second_factor_pending: bool,
    /// Notifications not yet read (the menu shows the count); 0 for tokens.
    pub unread_notifications: i64,
    /// Wrong passwords tried on the account before the login that made this
    /// session (the start page tells the holder); 0 for tokens.
    pub failed_logins_before: i64,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }
    pub fn scope(&self) -> HouseholdScope {
        HouseholdScope::for_user(self.user.role, self.user.team_id, self.user.household_id)
    }
}

/// The client's address as seen by the server.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// The request context. Extracting it never fails: an anonymous request has no user.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: Option<CurrentUser>,
    pub client: String,
    /// The route template (`/huishoudens/{id}`), never the concrete path, so no
    /// identifiers end up where they do not belong.
    pub route: String,
    pub path: String,
    pub audience: Audience,
    pub pre_csrf: Option<String>,
}

impl Ctx {
    /// The user, or the "please log in" error.
    pub fn user(&self) -> Result<&CurrentUser, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.user.id),
            username: self.user.as_ref().map(|u| u.user.username.clone()),
            role: self.user.as_ref().map(|u| u.user.role.as_str().to_owned()),
            client_addr: self.client.clone(),
        }
    }

    /// An audit entry for this request.
    pub fn audit(
        &self,
        action: AuditAction,
        outcome: AuditOutcome,
        object: Option<(&str, String)>,
        detail: impl Into<String>,
    ) -> AuditEntry {
        let (object_type, object_id) = match object {
            Some((t, id)) => (Some(t.to_owned()), Some(id)),
            None => (None, None),
        };
        AuditEntry {
            at: baken_store::now(),
            actor: self.actor(),
            route: self.route.clone(),
            action,
            outcome,
            object_type,
            object_id,
            detail: detail.into(),
        }
    }

    /// The CSRF token to put in forms: the session's, or the pre-login one.
    pub fn csrf_token(&self) -> String {
        self.user
            .as_ref()
            .and_then(|u| u.csrf.clone())
            .or_else(|| self.pre_csrf.clone())
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| "(geen route)".to_owned());
        Ok(Ctx {
            user: parts.extensions.get::<CurrentUser>().cloned(),
            client: parts
                .extensions
                .get::<ClientAddr>()
                .map(|c| c.0.clone())
                .unwrap_or_else(|| "onbekend".to_owned()),
            route,
            path: parts.uri.path().to_owned(),
            audience: audience_for(parts.uri.path()),
            pre_csrf: parts.extensions.get::<PreCsrf>().map(|p| p.0.clone()),
        })
    }
}

/// The pre-login CSRF token (double-submit cookie).
#[derive(Debug, Clone)]
pub struct PreCsrf(pub String);

pub fn audience_for(path: &str) -> Audience {
    if path == "/api" || path.starts_with("/api/") {
        Audience::Api
    } else {
        Audience::Html
    }
}

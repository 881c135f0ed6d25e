//! One error type for handlers, rendered as a Dutch page or as problem+json.
//!
//! Which to use where: a handler returns `Result<_, Failure>` and uses `?` on
//! an [`AppError`]. Use `NotFound` for anything outside the user's scope too (so
//! ids cannot be probed), `BadRequest`/`InvalidParam` for input that does not
//! parse, `Conflict` for a stale version, and `Internal` — through
//! [`AppError::internal`], which keeps the cause — for everything the user
//! cannot fix. Broken domain rules are not errors of this type: each module
//! explains them next to the field (pages) or as a 422 (API).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baken_store::StoreError;

/// Where the response goes: a person in a browser or a program on the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Html,
    Api,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not logged in")]
    Unauthenticated,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Bad input in one named field or parameter (API: `invalidParams`).
    #[error("bad request: {name}: {reason}")]
    InvalidParam { name: String, reason: String },
    #[error("conflict: {0}")]
    Conflict(String),
    /// The route exists, but not with this method; `allow` lists the methods it has
    /// (the `Allow` header).
    #[error("method not allowed; allowed: {allow}")]
    MethodNotAllowed { allow: String },
    /// Too much at once (every password check slot taken): try again after
    /// `retry_after_secs` (503 with `Retry-After`).
    #[error("busy; retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// Something the user cannot fix; logged with its whole cause chain.
    #[error("internal error: {0}")]
    Internal(#[from] Internal),
}

/// An internal failure: what Baken was doing, and the error that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct Internal {
    context: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Internal {
    /// The context and every cause below it, one per line (zero2prod's
    /// `error_chain_fmt`), for the log.
    pub fn chain(&self) -> String {
        let mut out = self.context.clone();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str("\n  caused by: ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }

    /// Whether the cause is a database that cannot write because its disk is full
    /// ([`StoreError::Full`] anywhere in the chain): answered 503 with
    /// `Retry-After`, since it passes once space is freed, without a restart.
    pub fn disk_full(&self) -> bool {
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            if matches!(c.downcast_ref::<StoreError>(), Some(StoreError::Full(_))) {
                return true;
            }
            cause = c.source();
        }
        false
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict { .. } => AppError::Conflict(e.to_string()),
            StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
            other => AppError::internal("database")(other),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::internal("rendering a template")(e)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) | AppError::InvalidParam { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(i) if i.disk_full() => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error on its way out, with the audience and path it is for. Handlers return
/// `Result<_, Failure>`; `?` on an [`AppError`] fills in the audience later (the
/// middleware in `lib.rs` renders failures that carry no audience).
#[derive(Debug)]
pub struct Failure(pub AppError);

impl<E: Into<AppError>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        // Rendered by the `render_failures` middleware, which knows the audience
        // and has the templates; here we only hand the error over.
        let mut res = self.0.status().into_response();
        res.extensions_mut().insert(std::sync::Arc::new(self.0));
        res
    }
}

impl AppError {
    /// Wraps `source` as an internal error while doing `context`:
    /// `.map_err(AppError::internal("hashing the password"))`.
    pub fn internal<E>(context: &'static str) -> impl FnOnce(E) -> AppError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        move |source| {
            AppError::Internal(Internal {
                context: context.to_owned(),
                source: Some(Box::new(source)),
            })
        }
    }

    /// An internal error without a cause below it (a broken expectation).
    pub fn bug(context: impl Into<String>) -> AppError {
        AppError::Internal(Internal {
            context: context.into(),
            source: None,
        })
    }

    /// Bad input in the field or parameter `name`.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> AppError {
        AppError::InvalidParam {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

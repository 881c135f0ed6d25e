//! One error type for handlers, rendered as a Dutch page or as problem+json.

use axum::http::{header, HeaderValue, StatusCode};
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
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict { .. } => AppError::Conflict(e.to_string()),
            StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {e:#}"))
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
    /// Bad input in the field or parameter `name`.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> AppError {
        AppError::InvalidParam {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// The version of the JSON API, sent in every `/api/v1` response's `API-Version`.
pub const API_VERSION: &str = "1.0.0";

/// `application/problem+json` (RFC 9457) as the NL API Design Rules ask.
pub fn problem(status: StatusCode, title: &str, detail: &str, instance: &str) -> Response {
    problem_with(status, title, detail, instance, None)
}

/// [`problem`] with the NL API Design Rules' `invalidParams` member for a 400
/// that concerns one field: `[{"name": …, "code": "invalid", "reason": …}]`.
pub fn problem_with(
    status: StatusCode,
    title: &str,
    detail: &str,
    instance: &str,
    invalid_param: Option<(&str, &str)>,
) -> Response {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "instance": instance,
    });
    if let Some((name, reason)) = invalid_param {
        body["invalidParams"] =
            serde_json::json!([{ "name": name, "code": "invalid", "reason": reason }]);
    }
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"baken\""),
        );
    }
    res
}

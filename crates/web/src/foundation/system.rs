//! Health, readiness, the stylesheet and the 404 fallback.

use crate::support::error::{AppError, Failure};
use crate::support::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn health() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({"status": "ok"})),
    )
}

/// How long `/ready` waits for the database: a load balancer's probe needs a
/// quick answer, and a database that takes longer is not ready.
const READY_PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Ready when the database can write: a probe write (committed, leaving
/// nothing behind) rather than a `SELECT 1`, because a database whose disk is
/// full still answers reads while every audited page and every change fails;
/// and within [`READY_PROBE_TIMEOUT`].
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.probe_write_within(READY_PROBE_TIMEOUT).await {
        Ok(()) => {
            axum::Json(serde_json::json!({"status": "ready", "database": "ok"})).into_response()
        }
        Err(e) => {
            let database = match e {
                baken_store::StoreError::Full(_) => "disk full",
                _ => "unreachable",
            };
            tracing::warn!(error = %e, database, "database not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "not ready", "database": database})),
            )
                .into_response()
        }
    }
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/baken.css"),
    )
}

pub async fn not_found() -> Failure {
    Failure(AppError::NotFound)
}

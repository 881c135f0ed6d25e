//! Baken's web app: server-rendered Dutch pages and the `/api/v1` JSON API.
//!
//! Architecture invariants:
//! - only this crate knows HTTP and HTML, and the JSON shapes of `/api/v1`
//!   (except the HSDS 3.0 objects, whose shape is the standard's: `baken_hsds`);
//! - the process is stateless: sessions live in the database, so several
//!   processes can serve one PostgreSQL behind a load balancer;
//! - every route is declared once, with its permission, in [`routes::table`];
//!   [`authorize`] enforces it before any handler runs, and audits refusals;
//! - the API authenticates only by bearer token, pages only by session cookie,
//!   so a cookie can never be used to call the API from another site.

pub mod casework;
pub mod foundation;
pub mod kaart;
mod layers;
pub mod routes;
pub mod support;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

pub use support::ctx::{PRE_CSRF_COOKIE, SESSION_COOKIE};
pub use support::problem::API_VERSION;
pub use support::state::{
    secure_cookies_by_default, AppState, MonitorSettings, WebConfig, MAX_UPLOAD_BYTES,
};
pub use support::time::today;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware;
use axum::Router;
use baken_store::Db;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        let permissions = routes::table()
            .into_iter()
            .map(|r| ((r.method, r.path), r.permission))
            .collect();
        AppState {
            db,
            config: Arc::new(config),
            templates: Arc::new(support::templates::environment()),
            permissions: Arc::new(permissions),
            nav: routes::nav_items,
            start_cards: routes::start_cards,
            wijzer_index: support::state::WijzerIndexCache::default(),
            anonymous_audit: Arc::default(),
        }
    }
}

/// The whole application, ready to serve.
pub fn app(state: AppState) -> Router {
    let mut by_path: Vec<(&'static str, axum::routing::MethodRouter<AppState>)> = Vec::new();
    for route in routes::table() {
        match by_path.iter_mut().find(|(p, _)| *p == route.path) {
            Some((_, existing)) => {
                let merged = std::mem::take(existing).merge(route.handler);
                *existing = merged;
            }
            None => by_path.push((route.path, route.handler)),
        }
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    let x_request_id = HeaderName::from_static("x-request-id");
    let router = router
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::layers::authorize,
        ))
        .fallback(foundation::system::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::layers::render_failures,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::layers::identify,
        ))
        .layer(middleware::from_fn(crate::layers::client_addr))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn(crate::layers::log_request))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The route template, never the concrete path or query: those can
            // carry identifiers.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|m| m.as_str())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), route, request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(
            x_request_id,
            crate::layers::RandomRequestId,
        ));
    crate::layers::with_security_headers(router).with_state(state)
}

/// Serves the app until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use crate::support::state::secure_cookies_by_default;

    #[test]
    fn cookies_are_secure_unless_listening_on_loopback() {
        for (addr, secure) in [
            ("127.0.0.1:8080", false),
            ("[::1]:8080", false),
            ("0.0.0.0:8080", true),
            ("[::]:8080", true),
            ("192.168.1.20:80", true),
        ] {
            let a = addr.parse().expect("an address");
            assert_eq!(secure_cookies_by_default(&a), secure, "{addr}");
        }
    }
}

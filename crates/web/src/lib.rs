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

pub mod carers;
pub mod casework;
pub mod commissioning;
pub mod contracting;
pub mod foundation;
pub mod front;
pub mod gaps;
pub mod kaart;
mod layers;
pub mod market;
pub mod monitoring;
pub mod notifications;
pub mod routes;
pub mod signin;
pub mod support;
pub mod survey;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;
pub mod volunteers;

pub use support::client::TrustedProxies;
pub use support::ctx::{PRE_CSRF_COOKIE, SESSION_COOKIE};
pub use support::pre_csrf::PreLoginKey;
pub use support::problem::API_VERSION;
pub use support::state::{
    secure_cookies_by_default, AppState, MailSettings, MonitorSettings, OidcClaim, OidcSettings,
    WebConfig, DEFAULT_PRIVACY_CONTACT, MAX_UPLOAD_BYTES,
};
pub use support::time::{nl_local, today};

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware;
use axum::Router;
use baken_store::Db;
use std::sync::Arc;
use std::time::Duration;
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
            oidc_provider: Arc::default(),
            login_throttle: Arc::default(),
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
    let x_request_id = HeaderName::from_static(crate::layers::REQUEST_ID);
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
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::layers::client_addr,
        ))
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
        ))
        // First of all: a client's id that is not plain and short is dropped, so
        // the layer above gives the request a fresh one.
        .layer(middleware::from_fn(crate::layers::valid_request_id));
    let hsts = state.config.secure_cookies;
    crate::layers::with_security_headers(router, hsts).with_state(state)
}

/// How long a client may take over its request's headers, and how long open
/// connections get once the process is told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// A request's headers must be complete within this time once they start to
    /// arrive, or the connection is closed (hyper's header-read timeout): a
    /// client that sends half its headers cannot hold a connection open.
    pub header_read_timeout: Duration,
    /// After SIGTERM or Ctrl-C no connection is accepted, idle connections
    /// close, requests in flight may finish — and whatever is still open after
    /// this time is closed, so the process always exits.
    pub shutdown_deadline: Duration,
}

impl Default for ServeLimits {
    fn default() -> ServeLimits {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            shutdown_deadline: Duration::from_secs(10),
        }
    }
}

/// Serves the app until Ctrl-C or SIGTERM, then shuts down within
/// `limits.shutdown_deadline`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
) -> std::io::Result<()> {
    if let Some(mail) = state.config.mail.clone() {
        notifications::mail::spawn(state.db.clone(), mail).map_err(std::io::Error::other)?;
    }
    market::retention::spawn(state.db.clone());
    volunteers::reminder::spawn(state.db.clone());
    serve_until(listener, app(state), limits, shutdown_signal()).await;
    Ok(())
}

/// The accept loop. `axum::serve` (0.8) offers neither a header-read timeout
/// nor a deadline for its graceful shutdown, so each connection is served by
/// hyper's HTTP/1 builder directly, with a timer, and kept in a set that is
/// aborted when the deadline passes.
async fn serve_until(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ServeLimits,
    signal: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let mut connections = tokio::task::JoinSet::new();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut signal = std::pin::pin!(signal);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = &mut signal => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                req
            },
        ));
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let mut connection =
                std::pin::pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    return;
                }
                _ = stopping.changed() => connection.as_mut().graceful_shutdown(),
            }
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error while shutting down");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    tracing::info!(
        open_connections = connections.len(),
        deadline_s = limits.shutdown_deadline.as_secs_f64(),
        "stopping: no new connections; open ones may finish until the deadline"
    );
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_deadline, all_done)
        .await
        .is_err()
    {
        tracing::warn!(
            closed = connections.len(),
            "shutdown deadline passed: closing the connections still open"
        );
        connections.shutdown().await;
    }
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

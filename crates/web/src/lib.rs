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

pub mod api;
mod audit_budget;
pub mod casework;
pub mod ctx;
pub mod error;
pub mod kaart;
pub mod pages;
pub mod password;
pub mod routes;
mod templates;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use baken_domain::{AuditAction, AuditOutcome, Permission};
use baken_store::{audit, users, Db};
use ctx::{audience_for, ClientAddr, CurrentUser, PreCsrf};
use error::{problem, AppError, Audience};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub const SESSION_COOKIE: &str = "baken_sessie";
pub const PRE_CSRF_COOKIE: &str = "baken_pre";
pub const API_VERSION: &str = "1.0.0";

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (everywhere but plain-HTTP localhost).
    pub secure_cookies: bool,
    pub session_ttl: chrono::Duration,
    /// Show the "demo: all data is invented" banner. Set it from the database
    /// (`baken_store::demo::is_demo`), never from a flag alone.
    pub demo: bool,
    pub municipality: String,
    /// The stapelingsmonitor's upload: domains, size limit, where uploads wait.
    pub monitor: pages::monitor::MonitorSettings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_ttl: chrono::Duration::hours(8),
            demo: false,
            municipality: "Baken".to_owned(),
            monitor: pages::monitor::MonitorSettings::default(),
        }
    }
}

/// The rule for `Secure` cookies when nothing is configured: on, unless Baken
/// listens on a loopback address (plain-HTTP development on this machine).
/// Anywhere else there is a TLS proxy in front, and a cookie must never travel
/// over plain HTTP.
pub fn secure_cookies_by_default(listen: &SocketAddr) -> bool {
    !listen.ip().is_loopback()
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub(crate) templates: Arc<minijinja::Environment<'static>>,
    permissions: Arc<HashMap<(Method, &'static str), Permission>>,
    /// The wijzer's search index with the fingerprint of the map it was built
    /// from; rebuilt when the map changes (see `kaart::wijzer`).
    pub(crate) wijzer_index: kaart::wijzer::IndexCache,
    /// How many anonymous refusals per client address are audited (see `audit_budget`).
    anonymous_audit: Arc<audit_budget::AuditBudget>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> AppState {
        let permissions = routes::table()
            .into_iter()
            .map(|r| ((r.method, r.path), r.permission))
            .collect();
        AppState {
            db,
            config: Arc::new(config),
            templates: Arc::new(templates::environment()),
            permissions: Arc::new(permissions),
            wijzer_index: kaart::wijzer::IndexCache::default(),
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
        .route_layer(middleware::from_fn_with_state(state.clone(), authorize))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_failures,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(middleware::from_fn(client_addr))
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(middleware::from_fn(log_request))
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
        .layer(SetRequestIdLayer::new(x_request_id, RandomRequestId));
    with_security_headers(router).with_state(state)
}

/// One INFO line per request, when it is answered: method, route template (never
/// the concrete path, which can carry identifiers; never the query), status,
/// latency and request id. The JSON format makes these top-level fields.
async fn log_request(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "(no route)".to_owned());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let res = next.run(req).await;
    let latency_ms = (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    tracing::info!(
        target: "baken::request",
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        latency_ms,
        request_id = %request_id,
        "request"
    );
    res
}

/// The security headers every response carries.
fn with_security_headers(router: Router<AppState>) -> Router<AppState> {
    router
        // A handler may set a stricter policy of its own (the monitor report does).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
}

#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _req: &axum::http::Request<B>) -> Option<RequestId> {
        let id = &users::new_secret()[..16];
        HeaderValue::from_str(id).ok().map(RequestId::new)
    }
}

async fn client_addr(mut req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "onbekend".to_owned());
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

pub(crate) fn cookie<'a>(req_headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Finds the user: bearer token on the API, session cookie on pages.
async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let audience = audience_for(req.uri().path());
    let mut set_pre_cookie = None;
    // Owned copies: the lookup below must not hold a borrow of the request.
    let bearer: Option<String> = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned());
    let session_secret: Option<String> = cookie(req.headers(), SESSION_COOKIE).map(str::to_owned);
    let db = state.db.clone();
    let found: Result<Option<CurrentUser>, baken_store::StoreError> = async move {
        match audience {
            Audience::Api => {
                let Some(token) = bearer else { return Ok(None) };
                let mut tx = db.lookup().await?;
                let user = users::user_for_token(&mut tx, &token).await?;
                Ok(user.map(|user| CurrentUser {
                    user,
                    csrf: None,
                    session_secret: None,
                }))
            }
            Audience::Html => {
                let Some(secret) = session_secret else {
                    return Ok(None);
                };
                let mut tx = db.lookup().await?;
                let session = users::session(&mut tx, &secret).await?;
                Ok(session.map(|s| CurrentUser {
                    user: s.user,
                    csrf: Some(s.csrf_token),
                    session_secret: Some(secret),
                }))
            }
        }
    }
    .await;
    match found {
        Ok(Some(user)) => {
            req.extensions_mut().insert(user);
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not look up the session");
            let path = req.uri().path().to_owned();
            if audience == Audience::Api {
                return add_api_version(
                    audience,
                    problem(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "Internal Server Error",
                        "Something went wrong on our side; it has been logged.",
                        &path,
                    ),
                );
            }
            let ctx = ctx::Ctx {
                user: None,
                client: String::new(),
                route: String::new(),
                path,
                audience,
                pre_csrf: None,
            };
            return pages::render_error_page(
                &state,
                &ctx,
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "",
            )
            .unwrap_or_else(|_| {
                (
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis.",
                )
                    .into_response()
            });
        }
    }
    if audience == Audience::Html {
        match cookie(req.headers(), PRE_CSRF_COOKIE) {
            Some(v) if v.len() == 64 => {
                let v = v.to_owned();
                req.extensions_mut().insert(PreCsrf(v));
            }
            _ => {
                let v = users::new_secret();
                req.extensions_mut().insert(PreCsrf(v.clone()));
                set_pre_cookie = Some(v);
            }
        }
    }
    let mut res = next.run(req).await;
    if let Some(v) = set_pre_cookie {
        let secure = if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        if let Ok(h) = HeaderValue::from_str(&format!(
            "{PRE_CSRF_COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict{secure}"
        )) {
            res.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    res
}

use error::Failure;

/// Enforces the route's permission and, for forms, the CSRF token. Refusals are
/// audited in their own transaction.
async fn authorize(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let Some(permission) = state
        .permissions
        .get(&(method.clone(), route.as_str()))
        .copied()
    else {
        // Fail closed: a route without a declared permission is served to nobody.
        tracing::error!(route, %method, "route has no declared permission");
        return Failure(AppError::Forbidden).into_response();
    };
    let (mut parts, body) = req.into_parts();
    let ctx = match <ctx::Ctx as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    {
        Ok(c) => c,
        Err(never) => match never {},
    };

    if permission != Permission::Public {
        match &ctx.user {
            None => {
                let why = match ctx.audience {
                    Audience::Api => "geen geldig token",
                    Audience::Html => "niet ingelogd",
                };
                audit_anonymous(&state, &ctx, &method, why).await;
                return Failure(AppError::Unauthenticated).into_response();
            }
            Some(u)
                if u.user.password_temporary
                    && ctx.audience == Audience::Html
                    && !matches!(
                        route.as_str(),
                        "/account" | "/account/wachtwoord" | "/uitloggen"
                    ) =>
            {
                // A password set by a beheerder is only good for choosing one's own.
                return Redirect::to("/account?tijdelijk=1").into_response();
            }
            Some(u) if !u.role().may(permission) => {
                deny(
                    &state,
                    &ctx,
                    &method,
                    &format!("rol {} mist {:?}", u.role(), permission),
                )
                .await;
                return Failure(AppError::Forbidden).into_response();
            }
            Some(_) => {}
        }
    }

    let mut req = Request::from_parts(parts, body);
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if ctx.audience == Audience::Html && method != Method::GET && multipart {
        // File uploads are streamed, not buffered: their token travels in the
        // form's action URL instead of the body.
        let sent: Option<String> = req.uri().query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
        });
        let expected = ctx.csrf_token();
        if !sent.is_some_and(|s| {
            !expected.is_empty() && constant_time_eq(s.as_bytes(), expected.as_bytes())
        }) {
            deny(&state, &ctx, &method, "CSRF-token ontbreekt of klopt niet").await;
            return Failure(AppError::BadRequest(
                "Dit formulier is verlopen of niet door Baken gemaakt. Laad de pagina opnieuw en probeer het nog eens.".into(),
            ))
            .into_response();
        }
    } else if ctx.audience == Audience::Html && method != Method::GET {
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => {
                return Failure(AppError::BadRequest("Het formulier is te groot.".into()))
                    .into_response()
            }
        };
        let sent: Option<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        let expected = ctx.csrf_token();
        let ok = match sent {
            Some(s) => !expected.is_empty() && constant_time_eq(s.as_bytes(), expected.as_bytes()),
            None => false,
        };
        if !ok {
            deny(&state, &ctx, &method, "CSRF-token ontbreekt of klopt niet").await;
            return Failure(AppError::BadRequest(
                "Dit formulier is verlopen of niet door Baken gemaakt. Laad de pagina opnieuw en probeer het nog eens.".into(),
            ))
            .into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn deny(state: &AppState, ctx: &ctx::Ctx, method: &Method, why: &str) {
    let entry = ctx.audit(
        AuditAction::Access,
        AuditOutcome::Denied,
        None,
        format!("{method} {}: {why}", ctx.route),
    );
    let result = async {
        let mut tx = state.db.begin().await?;
        audit::append(&mut tx, &entry).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not audit a refused request");
    }
}

/// Audits a refused anonymous request, within the address's budget (see
/// `audit_budget` for why there is one).
async fn audit_anonymous(state: &AppState, ctx: &ctx::Ctx, method: &Method, why: &str) {
    use audit_budget::Budget;
    let note = match state
        .anonymous_audit
        .take(&ctx.client, std::time::Instant::now())
    {
        Budget::Audit => "",
        Budget::AuditLast => {
            " (grens bereikt: verdere pogingen van dit adres worden deze minuut niet vastgelegd)"
        }
        Budget::Skip => return,
    };
    let entry = ctx.audit(
        AuditAction::Access,
        AuditOutcome::Unauthenticated,
        None,
        format!("{method} {}: {why}{note}", ctx.route),
    );
    let result = async {
        let mut tx = state.db.begin().await?;
        audit::append(&mut tx, &entry).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not audit a refused request");
    }
}

/// Turns a handler's [`Failure`] into a Dutch page or a problem+json body.
async fn render_failures(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let audience = audience_for(req.uri().path());
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let method = req.method().clone();
    let user = req.extensions().get::<CurrentUser>().cloned();
    let client = req.extensions().get::<ClientAddr>().cloned();
    let pre = req.extensions().get::<PreCsrf>().cloned();
    let mut res = next.run(req).await;
    let Some(err) = res.extensions_mut().remove::<Arc<AppError>>() else {
        return add_api_version(audience, res);
    };
    let status = err.status();
    if let AppError::Internal(detail) = err.as_ref() {
        tracing::error!(%detail, "internal error");
    }
    let res = match audience {
        Audience::Api => {
            let (title, detail) = match err.as_ref() {
                AppError::NotFound => (
                    "Not Found",
                    "The resource does not exist or is outside your scope.".to_owned(),
                ),
                AppError::Forbidden => (
                    "Forbidden",
                    "Your role may not use this resource.".to_owned(),
                ),
                AppError::Unauthenticated => (
                    "Unauthorized",
                    "Send a valid bearer token: Authorization: Bearer <token>.".to_owned(),
                ),
                AppError::BadRequest(d) => ("Bad Request", d.clone()),
                AppError::InvalidParam { name, reason } => {
                    ("Bad Request", format!("{name}: {reason}"))
                }
                AppError::Conflict(d) => ("Conflict", d.clone()),
                AppError::Internal(_) => (
                    "Internal Server Error",
                    "Something went wrong on our side; it has been logged.".to_owned(),
                ),
            };
            let param = match err.as_ref() {
                AppError::InvalidParam { name, reason } => Some((name.as_str(), reason.as_str())),
                _ => None,
            };
            error::problem_with(status, title, &detail, &path, param)
        }
        Audience::Html => {
            if matches!(err.as_ref(), AppError::Unauthenticated) {
                let back = match (&method, &query) {
                    (&Method::GET, Some(q)) => format!("{path}?{q}"),
                    (&Method::GET, None) => path.clone(),
                    _ => "/start".to_owned(),
                };
                let target = format!(
                    "/inloggen?terug={}",
                    serde_urlencoded::to_string([("", back.as_str())])
                        .unwrap_or_default()
                        .trim_start_matches('=')
                );
                return Redirect::to(&target).into_response();
            }
            let ctx = ctx::Ctx {
                user,
                client: client.map(|c| c.0).unwrap_or_default(),
                route: String::new(),
                path: path.clone(),
                audience,
                pre_csrf: pre.map(|p| p.0),
            };
            let message = match err.as_ref() {
                AppError::BadRequest(d) | AppError::Conflict(d) => d.clone(),
                AppError::InvalidParam { reason, .. } => reason.clone(),
                _ => String::new(),
            };
            match pages::render_error_page(&state, &ctx, status, &message) {
                Ok(r) => r,
                Err(_) => (status, "Er ging iets mis.").into_response(),
            }
        }
    };
    add_api_version(audience, res)
}

fn add_api_version(audience: Audience, mut res: Response) -> Response {
    if audience == Audience::Api {
        res.headers_mut().insert(
            HeaderName::from_static("api-version"),
            HeaderValue::from_static(API_VERSION),
        );
    }
    res
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
    use super::secure_cookies_by_default;

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

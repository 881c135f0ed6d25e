//! The layers every request passes: request ids and logging, who is asking
//! (session cookie or bearer token), the route's permission and the CSRF token,
//! security headers, and turning a handler's failure into a Dutch page or
//! problem+json.

use crate::support::ctx::{
    self, audience_for, ClientAddr, CurrentUser, PreCsrf, PRE_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::support::error::{AppError, Audience, Failure};
use crate::support::problem::{Problem, API_VERSION};
use crate::support::render::render_error_page;
use crate::support::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use baken_domain::{AuditAction, AuditOutcome, Permission};
use baken_store::{audit, users};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestId, RequestId};
use tower_http::set_header::SetResponseHeaderLayer;

/// One INFO line per request, when it is answered: method, route template (never
/// the concrete path, which can carry identifiers; never the query), status,
/// latency and request id. The JSON format makes these top-level fields.
pub(crate) async fn log_request(req: Request, next: Next) -> Response {
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

/// HSTS: one year, subdomains included; sent only when cookies are Secure,
/// i.e. when Baken is reached over TLS.
pub(crate) const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// The security headers every response carries; `hsts` when cookies are Secure.
pub(crate) fn with_security_headers(router: Router<AppState>, hsts: bool) -> Router<AppState> {
    let router = if hsts {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ))
    } else {
        router
    };
    router
        .layer(middleware::from_fn(no_store_outside_static))
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

/// Where the public assets are served (the stylesheet): the only responses a
/// browser or a proxy may keep.
const STATIC_PREFIX: &str = "/static/";

/// `Cache-Control: no-store` on every page and API response: most carry
/// personal data, and a shared computer's cache or a proxy must not keep it.
/// Only the public assets under `/static/` keep the caching their handler set.
pub(crate) async fn no_store_outside_static(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with(STATIC_PREFIX);
    let mut res = next.run(req).await;
    if !is_static {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A client's `X-Request-Id` is kept only when it is 1 to 64 characters of
/// `A–Z a–z 0–9 . _ -`; anything else (too long, spaces, control or log-format
/// characters) is dropped here, and the next layer gives the request a fresh id.
pub(crate) async fn valid_request_id(mut req: Request, next: Next) -> Response {
    let acceptable = req
        .headers()
        .get_all(REQUEST_ID)
        .iter()
        .map(|v| is_acceptable_request_id(v.as_bytes()))
        .collect::<Vec<_>>();
    if acceptable != [true] {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

pub(crate) const REQUEST_ID: &str = "x-request-id";

fn is_acceptable_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[derive(Clone, Copy)]
pub(crate) struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _req: &axum::http::Request<B>) -> Option<RequestId> {
        let id = &users::new_secret()[..16];
        HeaderValue::from_str(id).ok().map(RequestId::new)
    }
}

/// The client's address: the peer, or — behind a trusted proxy — the address
/// the proxies forwarded (see `support::client`).
pub(crate) async fn client_addr(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let forwarded_for: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            state
                .config
                .trusted_proxies
                .client(c.0.ip(), &forwarded_for)
                .to_string()
        })
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
pub(crate) async fn identify(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // The probes answer without a session: /health must not depend on the
    // database, and neither may wait for a session lookup.
    if matches!(req.uri().path(), "/health" | "/ready") {
        return next.run(req).await;
    }
    let audience = audience_for(req.uri().path());
    let mut set_pre_cookie = None;
    // Owned copies: the lookup below must not hold a borrow of the request.
    let bearer: Option<String> = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` as well as `Bearer`.
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let session_secret: Option<String> = cookie(req.headers(), SESSION_COOKIE).map(str::to_owned);
    let db = state.db.clone();
    let found: Result<Option<CurrentUser>, baken_store::StoreError> = async move {
        match audience {
            Audience::Api => {
                let Some(token) = bearer else { return Ok(None) };
                let mut tx = db.lookup().await?;
                let user = users::user_for_token(&mut tx, &token).await?;
                // A token is made on the server (`baken token create`) by
                // someone who holds the database already: it stands for a
                // complete login, second factor included.
                Ok(user.map(|user| CurrentUser {
                    user,
                    csrf: None,
                    session_secret: None,
                    second_factor_pending: false,
                    unread_notifications: 0,
                    failed_logins_before: 0,
                }))
            }
            Audience::Html => {
                let Some(secret) = session_secret else {
                    return Ok(None);
                };
                let mut tx = db.lookup().await?;
                let session = users::session(&mut tx, &secret).await?;
                let Some(s) = session else { return Ok(None) };
                // The menu's count of what waits (one indexed count per page).
                let unread = baken_store::notifications::unread_count(&mut tx, s.user.id).await?;
                Ok(Some(CurrentUser {
                    user: s.user,
                    csrf: Some(s.csrf_token),
                    session_secret: Some(secret),
                    second_factor_pending: s.second_factor_pending,
                    unread_notifications: unread,
                    failed_logins_before: s.failed_logins_before,
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
                    Problem::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "Internal Server Error",
                        "Something went wrong on our side; it has been logged.",
                        &path,
                    )
                    .into_response(),
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
            return render_error_page(
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
        // Only a token this installation made is used; any other is replaced.
        let key = &state.config.pre_login_key;
        match cookie(req.headers(), PRE_CSRF_COOKIE) {
            Some(v) if key.verify(v) => {
                let v = v.to_owned();
                req.extensions_mut().insert(PreCsrf(v));
            }
            _ => {
                let v = key.issue();
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

/// The routes a session that waits for its second factor may use; everything
/// else sends it to the code page.
const OPEN_WHILE_SECOND_FACTOR_PENDING: [&str; 3] =
    ["/inloggen/code", "/inloggen/tweede-stap", "/uitloggen"];

/// Enforces the route's permission and, for forms, the CSRF token. Refusals are
/// audited in their own transaction.
pub(crate) async fn authorize(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
        // A method the route does not have: anyone may send one, so it is an
        // answer (405 with the methods it has), not an error worth a log line.
        if let Some(allow) = allowed_methods(&state, &route) {
            return Failure(AppError::MethodNotAllowed { allow }).into_response();
        }
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
                if u.second_factor_pending
                    && !OPEN_WHILE_SECOND_FACTOR_PENDING.contains(&route.as_str()) =>
            {
                // Only the password step is done: the code (or enrolment) first.
                return match ctx.audience {
                    Audience::Html => Redirect::to("/inloggen/code").into_response(),
                    Audience::Api => Failure(AppError::Unauthenticated).into_response(),
                };
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

    // Text enters through the query string and form bodies: no control
    // characters in either (see baken_domain::text), before any handler.
    if let Some(refusal) = parts
        .uri
        .query()
        .and_then(|q| control_character_in(q.as_bytes(), ctx.audience))
    {
        return refusal;
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
        if let Some(refusal) = control_character_in(&bytes, ctx.audience) {
            return refusal;
        }
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

/// A 400 naming the first field of a URL-encoded text (query string or form
/// body) whose name or value holds a control character; None when all is clean.
fn control_character_in(encoded: &[u8], audience: Audience) -> Option<Response> {
    let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded).ok()?;
    let (field, e) = pairs.iter().find_map(|(name, value)| {
        baken_domain::text::check_text(name)
            .and_then(|_| baken_domain::text::check_text(value))
            .err()
            .map(|e| (name.as_str(), e))
    })?;
    let error = match audience {
        Audience::Api => AppError::invalid(field, e.to_string()),
        Audience::Html => AppError::BadRequest(format!(
            "Het veld ‘{}’ bevat een onzichtbaar stuurteken (teken {}). Haal het weg, bijvoorbeeld door de tekst opnieuw te typen, en probeer het nog eens.",
            field.chars().filter(|c| !c.is_control()).take(40).collect::<String>(),
            e.position
        )),
    };
    Some(Failure(error).into_response())
}

/// The methods declared for `route` (GET brings HEAD), for the `Allow` header;
/// None when the route has none at all.
fn allowed_methods(state: &AppState, route: &str) -> Option<String> {
    let mut methods: Vec<&str> = state
        .permissions
        .keys()
        .filter(|(_, path)| *path == route)
        .map(|(method, _)| method.as_str())
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.sort_unstable();
    methods.dedup();
    (!methods.is_empty()).then(|| methods.join(", "))
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
    use crate::support::audit_budget::Budget;
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
pub(crate) async fn render_failures(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let audience = audience_for(req.uri().path());
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let method = req.method().clone();
    let user = req.extensions().get::<CurrentUser>().cloned();
    let client = req.extensions().get::<ClientAddr>().cloned();
    let pre = req.extensions().get::<PreCsrf>().cloned();
    let mut res = next.run(req).await;
    let Some(err) = res.extensions_mut().remove::<Arc<AppError>>() else {
        return add_api_version(
            audience,
            plain_rejection_as_problem(audience, &path, res).await,
        );
    };
    let status = err.status();
    if let AppError::Internal(internal) = err.as_ref() {
        tracing::error!(error = %internal.chain(), "internal error");
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
                AppError::MethodNotAllowed { allow } => (
                    "Method Not Allowed",
                    format!("This resource does not accept this method; it accepts {allow}."),
                ),
                AppError::Internal(i) if i.disk_full() => {
                    ("Service Unavailable", DISK_FULL_DETAIL.to_owned())
                }
                AppError::Busy { .. } => (
                    "Service Unavailable",
                    "Too many requests are being handled at once; try again after Retry-After seconds.".to_owned(),
                ),
                AppError::Internal(_) => (
                    "Internal Server Error",
                    "Something went wrong on our side; it has been logged.".to_owned(),
                ),
            };
            let problem = Problem::new(status, title, &detail, &path);
            match err.as_ref() {
                AppError::InvalidParam { name, reason } => problem.invalid_param(name, reason),
                _ => problem,
            }
            .into_response()
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
                AppError::Internal(i) if i.disk_full() => DISK_FULL_NL.to_owned(),
                _ => String::new(),
            };
            match render_error_page(&state, &ctx, status, &message) {
                Ok(r) => r,
                Err(_) => (status, "Er ging iets mis.").into_response(),
            }
        }
    };
    let mut res = add_api_version(audience, res);
    match err.as_ref() {
        AppError::MethodNotAllowed { allow } => {
            if let Ok(value) = HeaderValue::from_str(allow) {
                res.headers_mut().insert(header::ALLOW, value);
            }
        }
        AppError::Busy { retry_after_secs } => {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        _ => {}
    }
    if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    res
}

/// What a client is told while the database's disk is full (503).
const DISK_FULL_DETAIL: &str = "The database cannot write: its disk is full. Nothing was \
    written and nothing was shown; try again once the administrator has freed space.";
const DISK_FULL_NL: &str = "Baken kan nu niets opslaan: de schijf van de database is vol. \
    Er is niets opgeslagen. Probeer het later opnieuw; de beheerder is gewaarschuwd.";

/// An error the framework answered before a handler ran — a body over the size
/// limit (413), a wrong content type — comes as text/plain; on the API it becomes
/// problem+json with that text as its `detail`, like every other API error.
async fn plain_rejection_as_problem(audience: Audience, path: &str, res: Response) -> Response {
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if audience != Audience::Api
        || !plain
        || !(status.is_client_error() || status.is_server_error())
    {
        return res;
    }
    let title = status.canonical_reason().unwrap_or("Error");
    let text = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let detail = match status.as_u16() {
        413 => format!("The request body is larger than this resource accepts ({text})."),
        _ => text,
    };
    Problem::new(status, title, &detail, path).into_response()
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

#[cfg(test)]
mod tests {
    use super::is_acceptable_request_id;

    #[test]
    fn request_ids_are_short_and_plain() {
        for ok in ["a", "abc-123_X.y", &"x".repeat(64), "0f3a9c2e1b7d4e6f"] {
            assert!(is_acceptable_request_id(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            &"x".repeat(65),
            "has space",
            "semi;colon",
            "new\nline",
            "quote\"",
            "ünï",
            "{\"json\":1}",
        ] {
            assert!(!is_acceptable_request_id(bad.as_bytes()), "{bad:?}");
        }
    }
}

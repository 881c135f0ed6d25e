//! Single sign-on with the organisation's identity provider (OpenID Connect,
//! the authorization code flow with PKCE, state and nonce).
//!
//! `/inloggen/oidc` sends the browser to the provider, remembering the state
//! (hashed, in the database; the browser holds it in a short-lived cookie, so
//! a callback started in another browser is refused), the nonce and the PKCE
//! verifier. `/inloggen/oidc/terug` takes them back once, exchanges the code,
//! verifies the ID token (signature, issuer, audience, expiry, nonce) and maps
//! the configured claim to a Baken account by user name. No account, or an
//! inactive one: refused with a Dutch message; accounts are never created here.
//! Then [`session::open`] decides, as after a password: the provider's login
//! counts as two factors only when its `acr`/`amr` is trusted in the
//! configuration; otherwise the TOTP step follows where the role needs it.
//!
//! Residents later log in through a DigiD broker the same way: the broker is
//! the provider, the claim is a pseudonym or BSN mapped to the resident's
//! account, and its level of assurance (`acr`) is what `trust` checks.

use super::session;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::{AppState, OidcClaim, OidcSettings};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use baken_domain::{AuditAction, AuditOutcome, Username};
use baken_store::second_factor::{OidcLogin, OIDC_LOGIN_TTL_MINUTES};
use baken_store::{audit, second_factor, users};
use minijinja::{context, Value};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The cookie that ties the provider's callback to the browser that left.
pub const STATE_COOKIE: &str = "baken_oidc";

/// How long the provider's metadata and keys are kept before they are read again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

fn settings(state: &AppState) -> Result<&OidcSettings, AppError> {
    state.config.oidc.as_ref().ok_or(AppError::NotFound)
}

/// The HTTP client for the provider: no redirects (the library's advice, so a
/// token request cannot be bounced elsewhere), short timeouts.
fn http_client() -> Result<openidconnect::reqwest::Client, AppError> {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(AppError::internal("building the OIDC HTTP client"))
}

/// The provider's metadata, from the cache or read afresh.
async fn metadata(
    state: &AppState,
    oidc: &OidcSettings,
    http: &openidconnect::reqwest::Client,
    fresh: bool,
) -> Result<CoreProviderMetadata, AppError> {
    let mut cache = state.oidc_provider.lock().await;
    if let Some((at, meta)) = cache.as_ref() {
        if !fresh && at.elapsed() < METADATA_TTL {
            return Ok(meta.clone());
        }
    }
    let issuer = IssuerUrl::new(oidc.issuer.clone())
        .map_err(AppError::internal("reading the OIDC issuer URL"))?;
    let meta = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(AppError::internal(
            "reading the OIDC provider's discovery document",
        ))?;
    *cache = Some((Instant::now(), meta.clone()));
    Ok(meta)
}

fn client(
    oidc: &OidcSettings,
    meta: CoreProviderMetadata,
) -> Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    AppError,
> {
    let redirect = RedirectUrl::new(oidc.redirect_url.clone())
        .map_err(AppError::internal("reading the OIDC redirect URL"))?;
    Ok(CoreClient::from_provider_metadata(
        meta,
        ClientId::new(oidc.client_id.clone()),
        Some(ClientSecret::new(oidc.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// Sends the browser to the provider.
pub async fn start(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let oidc = settings(&state)?;
    if ctx.user.is_some() {
        return Ok(Redirect::to("/start").into_response());
    }
    let http = http_client()?;
    let meta = match metadata(&state, oidc, &http, false).await {
        Ok(meta) => meta,
        Err(e) => {
            tracing::error!(error = %e, "the OIDC provider cannot be reached");
            return refused(
                &state,
                &ctx,
                "De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het later opnieuw, of log in met uw gebruikersnaam en wachtwoord.",
                StatusCode::BAD_GATEWAY,
            );
        }
    };
    let client = client(oidc, meta)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let scope = match oidc.claim {
        OidcClaim::Email => "email",
        OidcClaim::PreferredUsername => "profile",
        OidcClaim::Sub => "openid",
    };
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    if scope != "openid" {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    let (url, csrf_state, nonce) = request.url();
    let mut tx = state.db.begin().await?;
    second_factor::begin_oidc_login(
        &mut tx,
        csrf_state.secret(),
        &OidcLogin {
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            back: "/start".to_owned(),
        },
    )
    .await?;
    tx.commit().await?;
    let mut res = Redirect::to(url.as_str()).into_response();
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // Lax: the provider's redirect back is a top-level navigation from
    // another site, which must carry it.
    let cookie = format!(
        "{STATE_COOKIE}={}; Path=/inloggen/oidc; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        csrf_state.secret(),
        OIDC_LOGIN_TTL_MINUTES * 60
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn refused(state: &AppState, ctx: &Ctx, message: &str, status: StatusCode) -> PageResult {
    let html = render(
        state,
        ctx,
        "signin/oidc_refused.html",
        "Inloggen lukt niet",
        Value::from_serialize(context! { message => message }),
    )?;
    let mut res = (status, html).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{STATE_COOKIE}=; Path=/inloggen/oidc; HttpOnly; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

const EXPIRED: &str = "Het inloggen bij uw organisatie duurde te lang of is in een ander venster begonnen. Probeer het opnieuw.";

/// The provider sends the browser back here.
pub async fn callback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> PageResult {
    let oidc = settings(&state)?;
    let fail = |detail: String| ctx.audit(AuditAction::Login, AuditOutcome::Failed, None, detail);
    let Some(sent_state) = q.state.filter(|s| !s.is_empty() && s.len() <= 200) else {
        return refused(&state, &ctx, EXPIRED, StatusCode::BAD_REQUEST);
    };
    let cookie_state = crate::layers::cookie(&headers, STATE_COOKIE);
    let same_browser = cookie_state.is_some_and(|c| {
        c.len() == sent_state.len()
            && c.bytes()
                .zip(sent_state.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    let mut tx = state.db.begin().await?;
    // Taken (deleted) whatever happens next: a state works once.
    let login = second_factor::take_oidc_login(&mut tx, &sent_state).await?;
    let Some(login) = login.filter(|_| same_browser) else {
        audit::append(
            &mut tx,
            &fail("OIDC: state onbekend, verlopen of uit een andere browser".into()),
        )
        .await?;
        tx.commit().await?;
        return refused(&state, &ctx, EXPIRED, StatusCode::BAD_REQUEST);
    };
    tx.commit().await?;
    if let Some(error) = q.error {
        let mut tx = state.db.begin().await?;
        let detail: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(60)
            .collect();
        audit::append(
            &mut tx,
            &fail(format!("OIDC: de inlogdienst meldt {detail}")),
        )
        .await?;
        tx.commit().await?;
        return refused(
            &state,
            &ctx,
            "Uw organisatie heeft het inloggen niet toegestaan of afgebroken. Probeer het opnieuw, of log in met uw gebruikersnaam en wachtwoord.",
            StatusCode::UNAUTHORIZED,
        );
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return refused(&state, &ctx, EXPIRED, StatusCode::BAD_REQUEST);
    };
    let back = login.back.clone();
    let identity = match verified_identity(&state, oidc, code, login).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %e, "an OIDC login failed");
            let mut tx = state.db.begin().await?;
            audit::append(&mut tx, &fail("OIDC: code of ID-token niet geldig".into())).await?;
            tx.commit().await?;
            return refused(
                &state,
                &ctx,
                "Het inloggen bij uw organisatie kon niet worden bevestigd. Probeer het opnieuw.",
                StatusCode::UNAUTHORIZED,
            );
        }
    };
    let no_account = format!(
        "Er is geen Baken-account voor u bij deze organisatie ({}: {}). Baken maakt zelf geen accounts aan: vraag de beheerder van Baken om een account met deze gebruikersnaam.",
        oidc.claim.as_str(),
        identity.name
    );
    let username = Username::parse(&identity.name).ok();
    let mut tx = state.db.begin().await?;
    let user = match &username {
        Some(u) => users::by_username(&mut tx, u.as_str()).await?,
        None => None,
    };
    let Some(user) = user.filter(|u| u.active) else {
        audit::append(
            &mut tx,
            &fail(format!(
                "OIDC: geen actief account voor {} ({} tekens)",
                oidc.claim.as_str(),
                identity.name.chars().count()
            )),
        )
        .await?;
        tx.commit().await?;
        return refused(&state, &ctx, &no_account, StatusCode::FORBIDDEN);
    };
    let (secret, next) = session::open(&mut tx, &state, &user, identity.two_factors).await?;
    if next == session::Next::Done {
        users::record_successful_login(&mut tx, user.id).await?;
    }
    let mut as_user = ctx.clone();
    as_user.user = None;
    let mut entry = as_user.audit(
        AuditAction::Login,
        AuditOutcome::Success,
        Some(("user", user.id.to_string())),
        format!(
            "via OIDC{}{}",
            if identity.two_factors {
                " (telt als twee factoren)"
            } else {
                ""
            },
            match next.audit_detail() {
                "" => String::new(),
                d => format!("; {d}"),
            }
        ),
    );
    entry.actor.user_id = Some(user.id);
    entry.actor.username = Some(user.username.clone());
    entry.actor.role = Some(user.role.as_str().to_owned());
    audit::append(&mut tx, &entry).await?;
    tx.commit().await?;
    let to = if next == session::Next::Done && user.password_temporary {
        "/account?tijdelijk=1".to_owned()
    } else {
        session::first_stop(next, back)
    };
    let mut res = session::with_cookie(&state, &secret, &to);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{STATE_COOKIE}=; Path=/inloggen/oidc; HttpOnly; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Who the provider says logged in.
struct Identity {
    /// The configured claim's value.
    name: String,
    /// The login counts as two factors (trusted `acr`/`amr`).
    two_factors: bool,
}

#[derive(Debug, thiserror::Error)]
enum OidcError {
    #[error("{0}")]
    App(String),
    #[error("token request: {0}")]
    Token(String),
    #[error("ID token: {0}")]
    IdToken(String),
    #[error("the ID token has no usable '{0}' claim")]
    Claim(&'static str),
}

async fn verified_identity(
    state: &AppState,
    oidc: &OidcSettings,
    code: String,
    login: OidcLogin,
) -> Result<Identity, OidcError> {
    let http = http_client().map_err(|e| OidcError::App(e.to_string()))?;
    let meta = metadata(state, oidc, &http, false)
        .await
        .map_err(|e| OidcError::App(e.to_string()))?;
    let client = client(oidc, meta).map_err(|e| OidcError::App(e.to_string()))?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| OidcError::Token(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|e| OidcError::Token(e.to_string()))?;
    let id_token = response
        .id_token()
        .ok_or_else(|| OidcError::IdToken("missing".into()))?;
    let nonce = Nonce::new(login.nonce);
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &nonce) {
        Ok(c) => c.clone(),
        Err(first) => {
            // The provider may have rotated its keys: read them again, once.
            let meta = metadata(state, oidc, &http, true)
                .await
                .map_err(|e| OidcError::App(e.to_string()))?;
            let client = self::client(oidc, meta).map_err(|e| OidcError::App(e.to_string()))?;
            let verifier = client.id_token_verifier();
            id_token
                .claims(&verifier, &nonce)
                .map_err(|_| OidcError::IdToken(first.to_string()))?
                .clone()
        }
    };
    let name = match oidc.claim {
        OidcClaim::Email => {
            // Only an address the provider checked names an account.
            if claims.email_verified() != Some(true) {
                return Err(OidcError::Claim("email_verified"));
            }
            claims.email().map(|e| e.as_str().to_owned())
        }
        OidcClaim::PreferredUsername => claims.preferred_username().map(|u| u.as_str().to_owned()),
        OidcClaim::Sub => Some(claims.subject().as_str().to_owned()),
    }
    .filter(|n| !n.is_empty() && n.len() <= 254)
    .ok_or(OidcError::Claim(oidc.claim.as_str()))?;
    let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
    let amr: Vec<String> = claims
        .auth_method_refs()
        .map(|v| v.iter().map(|m| m.as_str().to_owned()).collect())
        .unwrap_or_default();
    Ok(Identity {
        name,
        two_factors: oidc.trust.counts_as_two_factors(acr.as_deref(), &amr),
    })
}

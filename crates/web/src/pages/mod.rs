//! The HTML pages. Handlers are thin: parse input, call the store inside one
//! transaction together with the audit entry, render.

pub mod admin;
pub mod households;
pub mod monitor;
pub mod providers;

use crate::ctx::Ctx;
use crate::error::{AppError, Failure};
use crate::password::{dummy_hash, hash_password_async, verify_password_async};
use crate::{AppState, PRE_CSRF_COOKIE, SESSION_COOKIE};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use baken_domain::protect::protect_count;
use baken_domain::{AuditAction, AuditOutcome, Password, Role};
use baken_store::{areas, audit, users};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type PageResult = Result<Response, Failure>;

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn nav_for(role: Role, path: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = vec![("/start", "Start")];
    match role {
        Role::Generalist | Role::Teamleider => items.push(("/huishoudens", "Huishoudens")),
        Role::Inwoner => {
            items.push(("/mijn-huishouden", "Mijn huishouden"));
            items.push(("/mijn-huishouden/inzage", "Wie keek mee"));
        }
        Role::Beheerder => {
            items.push(("/beheer/gebruikers", "Gebruikers"));
            items.push(("/beheer/teams", "Teams"));
            items.push(("/beheer/wijken", "Wijken"));
            items.push(("/beheer/aanbieders", "Aanbieders"));
            items.push(("/beheer/audit", "Auditlog"));
        }
        _ => {}
    }
    if role.may(baken_domain::Permission::Monitor) {
        items.push(("/monitor", "Stapelingsmonitor"));
    }
    if role.may(baken_domain::Permission::Aggregates) {
        items.push(("/cijfers", "Cijfers"));
    }
    items.extend(crate::casework::nav_items(role));
    items.extend(crate::kaart::nav_items(role));
    items.push(("/account", "Mijn account"));
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            current: path == href,
        })
        .collect()
}

/// Renders a page inside the base layout.
pub(crate) fn render(
    state: &AppState,
    ctx: &Ctx,
    template: &str,
    title: &str,
    extra: Value,
) -> Result<Html<String>, AppError> {
    let (user, nav) = match &ctx.user {
        Some(u) => (
            Value::from_serialize(context! {
                username => u.user.username,
                display_name => u.user.display_name,
                role => u.user.role.as_str(),
                role_label => u.user.role.label(),
            }),
            nav_for(u.user.role, &ctx.path),
        ),
        None => (Value::from(()), Vec::new()),
    };
    let tmpl = state.templates.get_template(template)?;
    let html = tmpl.render(context! {
        title => title,
        user => user,
        nav => nav,
        csrf => ctx.csrf_token(),
        demo => state.config.demo,
        municipality => state.config.municipality,
        path => ctx.path,
        ..extra
    })?;
    Ok(Html(html))
}

pub(crate) fn render_error_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    message: &str,
) -> Result<Response, AppError> {
    let (heading, text) = match status.as_u16() {
        400 => ("Dat ging niet goed", "Wij konden uw verzoek niet verwerken."),
        403 => ("Geen toegang", "U hebt geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het de beheerder. Deze poging is vastgelegd."),
        404 => ("Pagina niet gevonden", "Deze pagina bestaat niet, of u mag haar niet zien. Controleer het adres."),
        409 => ("Iemand anders was u voor", "De gegevens zijn intussen door iemand anders gewijzigd."),
        _ => ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later nog eens. Wij hebben de fout vastgelegd."),
    };
    let page = render(
        state,
        ctx,
        "error.html",
        heading,
        Value::from_serialize(context! {
            heading => heading, text => text, message => message,
        }),
    )?;
    Ok((status, page).into_response())
}

pub async fn home(ctx: Ctx) -> Redirect {
    if ctx.user.is_some() {
        Redirect::to("/start")
    } else {
        Redirect::to("/inloggen")
    }
}

pub async fn health() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({"status": "ok"})),
    )
}

pub async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => {
            axum::Json(serde_json::json!({"status": "ready", "database": "ok"})).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "not ready", "database": "unreachable"})),
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

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    terug: Option<String>,
}

/// Only local paths, so the login page cannot be used to send someone elsewhere.
fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.to_owned(),
        _ => "/start".to_owned(),
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/start").into_response());
    }
    Ok(render(
        &state,
        &ctx,
        "login.html",
        "Inloggen",
        Value::from_serialize(context! {
            back => safe_back(q.terug.as_deref()), username => "", error => "",
        }),
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    gebruikersnaam: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    terug: String,
}

const LOGIN_FAILED: &str = "Gebruikersnaam of wachtwoord klopt niet.";

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let username = form.gebruikersnaam.trim().to_ascii_lowercase();
    let back = safe_back(Some(&form.terug));
    let fail = |state: &AppState, ctx: &Ctx, msg: &str, username: &str| -> PageResult {
        let page = render(
            state,
            ctx,
            "login.html",
            "Inloggen",
            Value::from_serialize(context! {
                back => back, username => username, error => msg,
            }),
        )?;
        Ok((StatusCode::BAD_REQUEST, page).into_response())
    };

    // Look the account up without holding a write lock: argon2 takes tens of
    // milliseconds on purpose, and on SQLite a write transaction would make
    // every other writer wait for it.
    let mut tx = state.db.read().await?;
    let found = match users::by_username(&mut tx, &username).await? {
        Some(user) => {
            let hash = users::password_hash(&mut tx, user.id).await?;
            Some((user, hash))
        }
        None => None,
    };
    drop(tx);
    let Some((user, hash)) = found else {
        // Same work as for a real account, so timing does not reveal which names exist.
        verify_password_async(form.wachtwoord.clone(), dummy_hash().to_owned()).await;
        let entry = ctx.audit(
            AuditAction::Login,
            AuditOutcome::Failed,
            None,
            format!(
                "onbekende gebruikersnaam ({} tekens)",
                username.chars().count()
            ),
        );
        let mut tx = state.db.begin().await?;
        audit::append(&mut tx, &entry).await?;
        tx.commit().await?;
        return fail(&state, &ctx, LOGIN_FAILED, &username);
    };
    let mut as_user = ctx.clone();
    as_user.user = None;
    let actor_entry = |outcome, detail: String| {
        let mut e = as_user.audit(
            AuditAction::Login,
            outcome,
            Some(("user", user.id.to_string())),
            detail,
        );
        e.actor.user_id = Some(user.id);
        e.actor.username = Some(user.username.clone());
        e.actor.role = Some(user.role.as_str().to_owned());
        e
    };
    let locked_message = |until: chrono::DateTime<chrono::Utc>,
                          now: chrono::DateTime<chrono::Utc>| {
        let minutes = ((until - now).num_seconds() + 59) / 60;
        format!("Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd. Probeer het over {minutes} minuten opnieuw, of vraag de beheerder om hulp.")
    };
    let now = chrono::Utc::now();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            &actor_entry(AuditOutcome::Denied, "account tijdelijk geblokkeerd".into()),
        )
        .await?;
        tx.commit().await?;
        return fail(&state, &ctx, &locked_message(until, now), &username);
    }
    let verified =
        user.active && verify_password_async(form.wachtwoord.clone(), hash.clone()).await;

    // The outcome, in one short transaction that looks at the account again:
    // guesses verified at the same time as others are still counted one by one
    // (the counter is incremented in the database), a lock set meanwhile by
    // those others refuses even the right password, and so does a password
    // changed meanwhile.
    let mut tx = state.db.begin().await?;
    users::lock_for_update(&mut tx, user.id).await?;
    let now = chrono::Utc::now();
    let current = users::by_id(&mut tx, user.id).await?;
    let current_hash = users::password_hash(&mut tx, user.id).await?;
    let Some(current) = current else {
        return Err(AppError::NotFound.into());
    };
    if let Some(until) = current.locked_until.filter(|u| *u > now) {
        audit::append(
            &mut tx,
            &actor_entry(AuditOutcome::Denied, "account tijdelijk geblokkeerd".into()),
        )
        .await?;
        tx.commit().await?;
        return fail(&state, &ctx, &locked_message(until, now), &username);
    }
    let ok = verified && current.active && current_hash == hash;
    if !ok {
        let locked = users::record_failed_login(&mut tx, user.id).await?;
        let detail = if current.active {
            "wachtwoord onjuist"
        } else {
            "account uitgeschakeld"
        };
        audit::append(&mut tx, &actor_entry(AuditOutcome::Failed, detail.into())).await?;
        tx.commit().await?;
        let msg = if locked.is_some() {
            "Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd. Probeer het later opnieuw, of vraag de beheerder om hulp."
        } else {
            LOGIN_FAILED
        };
        return fail(&state, &ctx, msg, &username);
    }
    users::record_successful_login(&mut tx, user.id).await?;
    let (secret, _csrf) = users::create_session(&mut tx, user.id, state.config.session_ttl).await?;
    audit::append(&mut tx, &actor_entry(AuditOutcome::Success, String::new())).await?;
    tx.commit().await?;
    // A password set by a beheerder is only good for choosing one's own.
    let back = if current.password_temporary {
        "/account?tijdelijk=1".to_owned()
    } else {
        back
    };

    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_ttl.num_seconds();
    let mut res = Redirect::to(&back).into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    // A new pre-login token after login, so a token seen before login is useless.
    if let Ok(v) = HeaderValue::from_str(&format!("{PRE_CSRF_COOKIE}=; Path=/; Max-Age=0")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    if let Some(secret) = &user.session_secret {
        users::delete_session(&mut tx, secret).await?;
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Logout,
            AuditOutcome::Success,
            Some(("user", user.user.id.to_string())),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    let mut res = Redirect::to("/inloggen").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Serialize)]
struct Card {
    href: &'static str,
    title: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

pub async fn start(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.read().await?;
    let team = match user.team_id {
        Some(t) => areas::team(&mut tx, t).await?.map(|t| t.name),
        None => None,
    };
    let provider = match user.provider_id {
        Some(p) => areas::providers(&mut tx)
            .await?
            .into_iter()
            .find(|x| x.id == p)
            .map(|p| p.name),
        None => None,
    };
    drop(tx);
    let mut facts = vec![Fact {
        label: "Rol",
        value: user.role.label().to_owned(),
    }];
    if let Some(t) = team {
        facts.push(Fact {
            label: "Team",
            value: t,
        });
    }
    if let Some(p) = provider {
        facts.push(Fact {
            label: "Organisatie",
            value: p,
        });
    }
    let account = Card {
        href: "/account",
        title: "Mijn account",
        text: "Uw gegevens bekijken en uw wachtwoord wijzigen.",
    };
    let (intro, cards) = match user.role {
        Role::Inwoner => ("Hier ziet u de gegevens van uw huishouden, en wie ze heeft ingezien.", vec![
            Card { href: "/mijn-huishouden", title: "Mijn huishouden", text: "Uw adres en wie er bij u wonen, zoals de gemeente dat kent." },
            Card { href: "/mijn-huishouden/inzage", title: "Wie heeft mijn gegevens ingezien", text: "Elke keer dat een medewerker uw gegevens bekeek: wie en wanneer." },
            account,
        ]),
        Role::Generalist => ("U werkt in het wijkteam: één huishouden, één plan, één contactpersoon.", vec![
            Card { href: "/huishoudens", title: "Huishoudens van mijn team", text: "Zoek een huishouden op postcode of wijk en bekijk wie er wonen." },
            account,
        ]),
        Role::Teamleider => ("U houdt overzicht over het team en beslist over verwijzingen naar specialistische zorg.", vec![
            Card { href: "/huishoudens", title: "Huishoudens van het team", text: "De huishoudens waar uw team voor werkt." },
            Card { href: "/cijfers", title: "Cijfers", text: "Totalen per wijk, zonder personen." },
            account,
        ]),
        Role::Beleid => ("U ziet totalen en trends, nooit personen.", vec![
            Card { href: "/cijfers", title: "Cijfers per wijk", text: "Huishoudens en inwoners per wijk, beschermd tegen herkenning." },
            Card { href: "/monitor", title: "Stapelingsmonitor", text: "Gepseudonimiseerde bestanden van organisaties koppelen en beschermde tabellen maken." },
            account,
        ]),
        Role::Beheerder => ("U beheert gebruikers, teams, de wijkindeling en de aanbieders, en houdt toezicht op het auditlog.", vec![
            Card { href: "/beheer/gebruikers", title: "Gebruikers", text: "Accounts aanmaken, rollen en teams toewijzen, accounts uitschakelen." },
            Card { href: "/beheer/teams", title: "Teams", text: "Wijkteams en hun wijken." },
            Card { href: "/beheer/wijken", title: "Wijken en buurten", text: "De CBS-indeling van de gemeente." },
            Card { href: "/beheer/aanbieders", title: "Aanbieders", text: "Organisaties met aanbod of afspraken: toevoegen en wijzigen." },
            Card { href: "/beheer/audit", title: "Auditlog", text: "Wie zag of wijzigde welke gegevens, en geweigerde toegang." },
            account,
        ]),
        Role::Vrijwilliger => ("Fijn dat u zich inzet voor anderen in de buurt. Hier regelt u uw account; de buurtmarktplaats komt op deze plek.", vec![account]),
        Role::Makelaar => ("U helpt inwoners die zelf niet online kunnen of willen. Hier regelt u uw account; de buurtmarktplaats komt op deze plek.", vec![account]),
        Role::Aanbieder => ("U werkt voor een aanbieder in het sociaal domein. Hier houdt u het aanbod van uw organisatie op de sociale kaart bij en ziet u de huishoudens waarvoor u werkt.", vec![account]),
    };
    let mut cards = cards;
    for (href, title, text) in crate::casework::start_cards(user.role) {
        cards.insert(cards.len().saturating_sub(1), Card { href, title, text });
    }
    for (href, title, text) in crate::kaart::start_cards(user.role) {
        cards.insert(cards.len().saturating_sub(1), Card { href, title, text });
    }
    Ok(render(
        &state,
        &ctx,
        "start.html",
        "Start",
        Value::from_serialize(context! {
            intro => intro, cards => cards, facts => facts,
        }),
    )?
    .into_response())
}

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.read().await?;
    let team = match user.team_id {
        Some(t) => areas::team(&mut tx, t).await?.map(|t| t.name),
        None => None,
    };
    drop(tx);
    let errors: BTreeMap<&str, &str> = BTreeMap::new();
    Ok(render(
        &state,
        &ctx,
        "account.html",
        "Mijn account",
        Value::from_serialize(context! {
            team => team, errors => errors, saved => q.contains_key("gewijzigd"),
            temporary => user.password_temporary,
        }),
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    huidig: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaal: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let current = ctx.user()?.clone();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let new = match Password::parse(&form.nieuw) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.insert(
                "nieuw",
                format!(
                    "Kies een wachtwoord van minstens {} en hoogstens {} tekens.",
                    Password::MIN,
                    Password::MAX
                ),
            );
            None
        }
    };
    if form.nieuw != form.herhaal {
        errors.insert(
            "herhaal",
            "De twee nieuwe wachtwoorden zijn niet gelijk.".into(),
        );
    }
    if current.user.password_temporary && !form.nieuw.is_empty() && form.nieuw == form.huidig {
        errors.insert(
            "nieuw",
            "Kies een ander wachtwoord dan het tijdelijke van de beheerder.".into(),
        );
    }
    // Hashing and verifying happen outside any write transaction (see login).
    let mut tx = state.db.read().await?;
    let stored = users::password_hash(&mut tx, current.user.id).await?;
    drop(tx);
    if !verify_password_async(form.huidig.clone(), stored.clone()).await {
        errors.insert("huidig", "Uw huidige wachtwoord klopt niet.".into());
    }
    if !errors.is_empty() || new.is_none() {
        let page = render(
            &state,
            &ctx,
            "account.html",
            "Mijn account",
            Value::from_serialize(context! {
                team => Option::<String>::None, errors => errors, saved => false,
                temporary => current.user.password_temporary,
            }),
        )?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let Some(new) = new else {
        return Err(AppError::Internal("unreachable".into()).into());
    };
    let hash = hash_password_async(new.expose().to_owned())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.db.begin().await?;
    if users::password_hash(&mut tx, current.user.id).await? != stored {
        return Err(AppError::Conflict(
            "Uw wachtwoord is intussen op een andere plek gewijzigd. Er is niets opgeslagen. Log opnieuw in.".into(),
        )
        .into());
    }
    users::set_password(&mut tx, current.user.id, &hash).await?;
    users::delete_other_sessions(&mut tx, current.user.id, current.session_secret.as_deref())
        .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", current.user.id.to_string())),
            "wachtwoord gewijzigd",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?gewijzigd=1").into_response())
}

#[derive(Serialize)]
struct FigureRow {
    code: String,
    name: String,
    households: String,
    residents: String,
}

/// Aggregates only: every count passes through `protect_count`.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let rows: Vec<FigureRow> = areas::households_per_district(&mut tx)
        .await?
        .into_iter()
        .map(|(code, name, h, r)| FigureRow {
            code,
            name,
            households: protect_count(h).display(),
            residents: protect_count(r).display(),
        })
        .collect();
    drop(tx);
    Ok(render(
        &state,
        &ctx,
        "figures.html",
        "Cijfers",
        Value::from_serialize(context! { rows => rows }),
    )?
    .into_response())
}

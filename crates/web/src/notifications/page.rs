//! `/meldingen`: the user's own notifications, newest first; marking them read.

use crate::support::ctx::Ctx;
use crate::support::form::{FieldErrors, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, EmailAddress, NotificationKind};
use baken_store::{audit, notifications};
use minijinja::{context, Value};
use serde::Serialize;

/// The most notifications the page lists.
const SHOWN: i64 = 100;

#[derive(Serialize)]
struct Row {
    kind: String,
    text: String,
    link: String,
    at: String,
    unread: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<SavedQuery>,
) -> PageResult {
    let saved = match saved.opgeslagen.as_deref() {
        Some("gelezen") => Some("Alle meldingen zijn als gelezen gemarkeerd."),
        Some("email") => Some("Uw e-mailadres voor meldingen is opgeslagen."),
        _ => None,
    };
    list_page(
        &state,
        &ctx,
        saved,
        None,
        &FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    saved: Option<&str>,
    typed_email: Option<&str>,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let me = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let rows = notifications::list(&mut tx, me, SHOWN).await?;
    let email = notifications::email(&mut tx, me).await?;
    // The texts can name a household's address: reading them is audited.
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("notification", "*".into())),
            format!("meldingen: {}", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|n| Row {
            kind: NotificationKind::parse(&n.kind)
                .map(|k| k.label().to_owned())
                .unwrap_or(n.kind),
            text: n.text,
            link: n.link,
            at: nl_local(n.created_at).format("%d-%m-%Y %H:%M").to_string(),
            unread: n.read_at.is_none(),
        })
        .collect();
    let unread = rows.iter().filter(|r| r.unread).count();
    let html = render(
        state,
        ctx,
        "notifications/list.html",
        "Meldingen",
        Value::from_serialize(context! {
            rows => rows, unread => unread, saved => saved, errors => errors,
            email => typed_email.map(str::to_owned).or(email).unwrap_or_default(),
            mail_on => state.config.mail.is_some(),
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(serde::Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sets (or, left empty, clears) the address the user is told at.
pub async fn set_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmailForm>,
) -> PageResult {
    let me = ctx.user()?.user.id;
    let email = match form.email.trim() {
        "" => None,
        typed => match EmailAddress::parse(typed) {
            Ok(email) => Some(email),
            Err(_) => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "email",
                    "Vul een e-mailadres in zoals naam@gemeente.nl, of laat het veld leeg.",
                );
                return list_page(
                    &state,
                    &ctx,
                    None,
                    Some(typed),
                    &errors,
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        },
    };
    let mut tx = state.db.begin().await?;
    notifications::set_email(&mut tx, me, email.as_ref()).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", me.to_string())),
            if email.is_some() {
                "e-mailadres voor meldingen gezet"
            } else {
                "e-mailadres voor meldingen gewist"
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/meldingen?opgeslagen=email").into_response())
}

pub async fn mark_read(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let me = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let n = notifications::mark_all_read(&mut tx, me).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("notification", "*".into())),
            format!("{n} meldingen gelezen"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/meldingen?opgeslagen=gelezen").into_response())
}

//! `/meldingen`: the user's own notifications, newest first; marking them read.

use crate::support::ctx::Ctx;
use crate::support::form::SavedQuery;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use baken_domain::{AuditAction, AuditOutcome, NotificationKind};
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
    let me = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let rows = notifications::list(&mut tx, me, SHOWN).await?;
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
    Ok(render(
        &state,
        &ctx,
        "notifications/list.html",
        "Meldingen",
        Value::from_serialize(context! {
            rows => rows, unread => unread,
            saved => saved.opgeslagen.as_deref() == Some("gelezen"),
        }),
    )?
    .into_response())
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

//! `/beheer/audit/export.csv`: the audit log for a person or a period, as CSV
//! for Dutch Excel — what NEN 7513 expects when a resident asks who saw their
//! data. The download is itself audited.

use super::audit::AuditQuery;
use crate::support::csv::{download, to_csv};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Query, State};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit::{self, AuditFilter};

/// The most entries one export holds; a longer period is split by the beheerder.
pub const MOST_ROWS: i64 = 50_000;

pub async fn audit_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let filter = AuditFilter::try_from(&q).map_err(|errors| {
        let message = errors
            .iter()
            .next()
            .map(|(_, m)| m.to_owned())
            .unwrap_or_default();
        AppError::BadRequest(message)
    })?;
    let for_a_person = filter.username.is_some() || filter.object_id.is_some();
    let for_a_period = filter.from.is_some() || filter.until.is_some();
    if !for_a_person && !for_a_period {
        return Err(AppError::BadRequest(
            "Kies een persoon (gebruiker of object, zoals household:12) of een periode om te downloaden."
                .into(),
        )
        .into());
    }
    let mut tx = state.db.begin().await?;
    let page = audit::search(&mut tx, &filter, 1, MOST_ROWS).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("audit_log", "*".into())),
            format!(
                "auditlog als CSV: {} regels{}",
                page.items.len(),
                if page.total > page.items.len() as i64 {
                    format!(" van {} (ingekort)", page.total)
                } else {
                    String::new()
                }
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    let rows: Vec<Vec<String>> = page
        .items
        .into_iter()
        .map(|r| {
            vec![
                r.seq.to_string(),
                nl_local(r.at).format("%d-%m-%Y %H:%M:%S").to_string(),
                r.username.unwrap_or_else(|| "anoniem".into()),
                r.role.unwrap_or_default(),
                AuditAction::parse(&r.action)
                    .map(|a| a.label().to_owned())
                    .unwrap_or(r.action),
                AuditOutcome::parse(&r.outcome)
                    .map(|o| o.label().to_owned())
                    .unwrap_or(r.outcome),
                match (r.object_type, r.object_id) {
                    (Some(t), Some(i)) => format!("{t}:{i}"),
                    _ => String::new(),
                },
                r.route,
                r.detail,
                r.client_addr,
            ]
        })
        .collect();
    let text = to_csv(
        &[
            "Volgnummer",
            "Tijd (Nederlandse tijd)",
            "Gebruiker",
            "Rol",
            "Actie",
            "Uitkomst",
            "Object",
            "Route",
            "Toelichting",
            "Adres van de aanvrager",
        ],
        &rows,
    )?;
    Ok(download("auditlog.csv", text))
}

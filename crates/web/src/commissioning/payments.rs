//! Payments (beleid): per commission the advances, the settlement or a
//! provisional calculation with its basis line by line, and the CSV export
//! for the municipality's finance system (Dutch Excel, audited).

use super::beleid::payment_section;
use super::view::{money, plain_euros};
use crate::support::csv::{download, to_csv};
use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_date;
use axum::extract::State;
use axum::response::IntoResponse;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::commissioning as cm;
use minijinja::{context, Value};

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let mut commissions = Vec::new();
    for row in cm::commissions(&mut tx, None).await? {
        let indicators = cm::indicators(&mut tx, row.id).await?;
        let payment = payment_section(&mut tx, &row, &indicators).await?;
        commissions.push(context! {
            id => row.id, title => row.title, provider => row.provider_name,
            budget => money(row.budget_cents), payment => payment,
        });
    }
    drop(tx);
    let html = render(
        &state,
        &ctx,
        "commissioning/payments.html",
        "Betalingen",
        Value::from_serialize(context! { commissions => commissions }),
    )?;
    Ok(html.into_response())
}

/// `/opdrachtgeverschap/betalingen.csv`: every payment with its basis.
pub async fn csv(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.begin().await?;
    let commissions = cm::commissions(&mut tx, None).await?;
    let payments = cm::payments(&mut tx, None).await?;
    let rows: Vec<Vec<String>> = payments
        .iter()
        .map(|p| {
            let c = commissions.iter().find(|c| c.id == p.commission_id);
            vec![
                p.commission_id.to_string(),
                c.map(|c| c.title.clone()).unwrap_or_default(),
                c.map(|c| c.provider_name.clone()).unwrap_or_default(),
                if p.kind == "vaststelling" {
                    "Vaststelling"
                } else {
                    "Voorschot"
                }
                .to_owned(),
                nl_date(p.on_date),
                plain_euros(p.cents),
                p.cents.to_string(),
                p.basis.clone(),
            ]
        })
        .collect();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("payment", "*".into())),
            format!("betalingen als CSV: {} regels", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let text = to_csv(
        &[
            "Opdracht",
            "Titel",
            "Aanbieder",
            "Soort",
            "Datum",
            "Bedrag (EUR)",
            "Bedrag in centen",
            "Grondslag",
        ],
        &rows,
    )?;
    Ok(download("betalingen.csv", text))
}

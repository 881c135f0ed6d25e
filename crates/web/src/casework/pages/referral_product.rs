//! The product a referral names (commissioning): recorded with the referral
//! just requested, with the team mandate's judgement and its reasons. Within
//! the mandate no team lead is needed; above it the team lead decides as for
//! any referral (the referral's own approval flow is unchanged).

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::state::AppState;
use baken_domain::contracting::{MandateDecision, TeamMandate};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, contracting as ct};

/// Records `product` (a product id from the form; empty: none) for the newest
/// referral of `plan`.
pub async fn record(state: &AppState, ctx: &Ctx, plan: i64, product: &str) -> Result<(), AppError> {
    let Ok(product_id) = product.trim().parse::<i64>() else {
        return Ok(());
    };
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let Some(product) = ct::product_row(&mut tx, product_id).await? else {
        return Ok(());
    };
    let Some(referral) = ct::newest_referral(&mut tx, plan).await? else {
        return Ok(());
    };
    let mandate = match user.user.team_id {
        Some(team) => ct::team_mandate(&mut tx, team).await?,
        None => None,
    };
    let step = product.product()?.step();
    // The cost follows with the toewijzing; the step decides here.
    let decision = TeamMandate::decide_for(mandate.as_ref(), step, 0);
    let note = match &decision {
        MandateDecision::Within => "binnen het mandaat van het team".to_owned(),
        MandateDecision::NeedsTeamLead(reasons) => reasons
            .iter()
            .map(|r| r.explain())
            .collect::<Vec<_>>()
            .join(" "),
    };
    ct::record_referral_product(&mut tx, referral, product_id, decision.is_within(), &note).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("referral", referral.to_string())),
            format!("product {}/{}: {note}", product.category, product.code),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

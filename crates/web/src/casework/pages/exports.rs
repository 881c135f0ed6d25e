//! Downloads for Dutch Excel: the team's caseload (team lead) and the bakens
//! figures (team lead and policy; protected like the page). Each is audited.

use super::bakens::BakensQuery;
use crate::casework::common::{current_norms, internal};
use crate::support::csv::{download, to_csv};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Query, State};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::casework as cw;
use baken_store::{areas, audit};

/// The most households one generalist's part of the caseload export holds.
const MOST_PER_GENERALIST: i64 = 10_000;

/// `/teamoverzicht/caseload.csv`: every household of the team's generalists,
/// with what needs doing next.
pub async fn team_caseload(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let team = ctx.user()?.user.team_id.ok_or(AppError::NotFound)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let generalists = cw::team_generalists(&mut tx, team).await?;
    let mut rows = Vec::new();
    for (id, name) in &generalists {
        let page = cw::caseload(
            &mut tx,
            *id,
            day,
            day - chrono::Duration::days(30),
            1,
            MOST_PER_GENERALIST,
        )
        .await
        .map_err(internal)?;
        for r in page.items {
            let mut address = format!("{} {}{}", r.street, r.house_number, r.house_letter);
            if !r.addition.is_empty() {
                address.push('-');
                address.push_str(&r.addition);
            }
            rows.push(vec![
                name.clone(),
                r.household_id.to_string(),
                address,
                if r.plan_id.is_some() { "ja" } else { "nee" }.to_owned(),
                r.next_date.map(nl_date).unwrap_or_default(),
                r.overdue_agreements.to_string(),
                r.referrals_waiting.to_string(),
                r.open_signals.to_string(),
            ]);
        }
    }
    // A download of people's data: audited like a read of each of them.
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("caseload team {team} als CSV: {} huishoudens", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let text = to_csv(
        &[
            "Contactpersoon",
            "Huishouden",
            "Adres",
            "Open plan",
            "Eerstvolgende datum",
            "Afspraken te laat",
            "Verwijzingen wachtend",
            "Open signalen",
        ],
        &rows,
    )?;
    Ok(download("caseload-team.csv", text))
}

/// `/bakens.csv`: the figures as the page shows them — already protected
/// (`disclosure` and the cell-key method), so the download holds no more than the page.
pub async fn bakens(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BakensQuery>,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let teams = areas::teams(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let (filter, errors) = q.filter(&teams, &districts);
    if let Some((_, message)) = errors.iter().next() {
        return Err(AppError::BadRequest(message.to_owned()).into());
    }
    let facts = cw::bakens_facts(&mut tx, &filter, &norms, &state.config.cell_key)
        .await
        .map_err(internal)?;
    let figures = facts.figures();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("bakens", "*".into())),
            "bakens als CSV (beschermde totalen)",
        ),
    )
    .await?;
    tx.commit().await?;
    let team = filter
        .team_id
        .and_then(|id| teams.iter().find(|t| t.id == id))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "alle teams".into());
    let district = filter
        .district
        .as_ref()
        .and_then(|code| districts.iter().find(|d| &d.code == code))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| "alle wijken".into());
    let period = filter
        .period
        .map(|p| p.to_string())
        .unwrap_or_else(|| "alle jaren".into());
    let rows: Vec<Vec<String>> = figures
        .into_iter()
        .map(|f| {
            vec![
                f.baken.to_string(),
                f.title.to_owned(),
                f.value,
                f.basis,
                team.clone(),
                district.clone(),
                period.clone(),
            ]
        })
        .collect();
    let text = to_csv(
        &[
            "Baken", "Titel", "Waarde", "Basis", "Team", "Wijk", "Periode",
        ],
        &rows,
    )?;
    Ok(download("bakens.csv", text))
}

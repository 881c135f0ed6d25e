//! The survey's results for beleid and team leads: per year, per team and per
//! provider (and the whole municipality), the protected number of
//! respondents and the percentage that agreed with each statement — every
//! count through the cell key (`baken_domain::survey::Tally::publish`), a
//! percentage only from [`MIN_RESPONDENTS`] opinions. The page and its CSV
//! show the same figures; reading them is audited as an aggregate read.

use crate::support::csv::{download, to_csv};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use baken_domain::cell_key::RecordKey;
use baken_domain::survey::{PublishedResult, Tally, MIN_RESPONDENTS, QUESTIONS};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::survey::{self as sv, AnswerRow, SURVEY_RECORD};
use chrono::Datelike;
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    jaar: Option<String>,
}

/// One published table: a row per group.
struct Table {
    id: &'static str,
    title: &'static str,
    group: &'static str,
    rows: Vec<(String, PublishedResult)>,
}

/// Groups answers by `key` and publishes each group, sorted by name.
fn table(
    state: &AppState,
    rows: &[AnswerRow],
    key: impl Fn(&AnswerRow) -> String,
) -> Vec<(String, PublishedResult)> {
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    for r in rows {
        groups.entry(key(r)).or_default().add(
            RecordKey::derive(&state.config.cell_key, SURVEY_RECORD, r.id),
            &r.answers,
        );
    }
    groups
        .into_iter()
        .map(|(name, t)| (name, t.publish()))
        .collect()
}

/// The chosen year (this year when none or an unknown one is asked for),
/// the years to choose from, and the tables.
async fn tables(
    state: &AppState,
    ctx: &Ctx,
    q: &YearQuery,
    what: &str,
) -> Result<(i32, Vec<i32>, Vec<Table>), AppError> {
    let this_year = today().year();
    let mut tx = state.db.begin().await?;
    let mut years = sv::answer_years(&mut tx).await?;
    if !years.contains(&this_year) {
        years.insert(0, this_year);
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let year = match q.jaar.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => this_year,
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| AppError::InvalidParam {
                name: "jaar".into(),
                reason: "Kies een jaar, bijvoorbeeld 2026.".into(),
            })?,
    };
    let rows = sv::answers_of_year(&mut tx, year).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            None,
            format!("cliëntervaringsonderzoek {year}: {what} (alleen beschermde aantallen)"),
        ),
    )
    .await?;
    tx.commit().await?;
    let mut total = Tally::default();
    for r in &rows {
        total.add(
            RecordKey::derive(&state.config.cell_key, SURVEY_RECORD, r.id),
            &r.answers,
        );
    }
    let tables = vec![
        Table {
            id: "gemeente",
            title: "Hele gemeente",
            group: "Gemeente",
            rows: vec![(state.config.municipality.clone(), total.publish())],
        },
        Table {
            id: "teams",
            title: "Per team",
            group: "Team",
            rows: table(state, &rows, |r| r.team_name.clone()),
        },
        Table {
            id: "aanbieders",
            title: "Per aanbieder",
            group: "Aanbieder",
            rows: table(state, &rows, |r| r.provider_name.clone()),
        },
    ];
    Ok((year, years, tables))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let (year, years, tables) = tables(&state, &ctx, &q, "resultaten bekeken").await?;
    let html = render(
        &state,
        &ctx,
        "survey/results.html",
        &format!("Cliëntervaringsonderzoek {year}"),
        Value::from_serialize(context! {
            year => year,
            years => years,
            minimum => MIN_RESPONDENTS,
            questions => QUESTIONS.iter().map(|q| context! { text => q.text, short => q.short, theme => q.theme.label() }).collect::<Vec<_>>(),
            tables => tables.iter().map(|t| context! {
                id => t.id, title => t.title, group => t.group,
                rows => t.rows.iter().map(|(name, r)| context! {
                    name => name, respondents => r.respondents, shares => r.shares.to_vec(),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
        }),
    )?;
    Ok(html.into_response())
}

pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let (year, _, tables) = tables(&state, &ctx, &q, "CSV gedownload").await?;
    let mut header = vec!["jaar", "groep", "naam", "respondenten"];
    header.extend(QUESTIONS.iter().map(|q| q.short));
    let mut rows = Vec::new();
    for t in &tables {
        for (name, r) in &t.rows {
            let mut row = vec![
                year.to_string(),
                t.group.to_owned(),
                name.clone(),
                r.respondents.to_string(),
            ];
            row.extend(
                r.shares
                    .iter()
                    .map(|s| s.map(|p| p.to_string()).unwrap_or_default()),
            );
            rows.push(row);
        }
    }
    Ok(download(
        &format!("clientervaring-{year}.csv"),
        to_csv(&header, &rows)?,
    ))
}

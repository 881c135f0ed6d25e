//! `/tekorten` and `/tekorten.csv`.

use crate::support::csv::{download, to_csv};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::FieldErrors;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::casework::LifeDomain;
use baken_domain::cell_key::{protect, CellKeySecret, CellKeys, Protected};
use baken_domain::gaps::{GapTable, Tally, WaitBand};
use baken_domain::period::Period;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{areas, gaps, market, Tx};
use chrono::{Datelike, NaiveDate};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The first year the period list offers.
const FIRST_YEAR: i32 = 2024;
/// The column of searches from no district, and of asks for the whole town.
const NO_DISTRICT: &str = "";

/// The filter: a period (a quarter or a year; this year when empty).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct GapsQuery {
    #[serde(default)]
    periode: String,
}

/// Everything the page and the CSV show, already protected.
struct Figures {
    period: Period,
    /// Districts (code, name) in the order of the columns.
    districts: Vec<(String, String)>,
    /// Wijzer searches without a fitting offer, by life domain and district.
    wijzer: GapTable,
    /// All wijzer searches in the period, with or without an offer.
    searches: Protected,
    /// Marketplace asks without a match, by category and district.
    market: GapTable,
    /// All asks posted in the period.
    asks: Protected,
    /// Approved referrals still waiting for a provider, by life domain and district.
    waiting: GapTable,
    /// Every referral approved in the period, by how long it waited.
    waits: GapTable,
}

fn domain_rows() -> Vec<String> {
    LifeDomain::ALL
        .iter()
        .map(|d| d.as_str().to_owned())
        .chain([String::new()])
        .collect()
}

/// The figures of one period, from the store's facts (read in `tx`). Every
/// row and column is laid out in advance, so a row that appears only when it
/// has records cannot give away that there were some.
async fn read(
    tx: &mut Tx,
    secret: &CellKeySecret,
    period: Period,
    today: NaiveDate,
) -> Result<Figures, AppError> {
    let districts: Vec<(String, String)> = areas::districts(tx)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let codes: Vec<String> = districts.iter().map(|d| d.0.clone()).collect();
    let with_none = || {
        let mut c = codes.clone();
        c.push(NO_DISTRICT.to_owned());
        c
    };

    let mut wijzer = Tally::new(domain_rows(), with_none());
    let mut searches = CellKeys::new();
    for c in gaps::wijzer_searches(tx, period).await? {
        if c.domain.is_none() {
            searches = searches.union(c.cell);
        }
        if !c.offer_found {
            let column = c.district.as_deref().unwrap_or(NO_DISTRICT);
            wijzer.add_cell(c.domain.as_deref(), column, c.cell);
        }
    }

    let categories: Vec<String> = market::categories(tx, false)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut asks = Tally::new(categories, with_none());
    let mut all_asks = CellKeys::new();
    for a in gaps::market_asks(tx, secret, period).await? {
        all_asks.add(a.key);
        if !a.matched {
            let column = a.district.as_deref().unwrap_or(NO_DISTRICT);
            asks.add(a.key, &[a.category.as_str()], column);
        }
    }

    let mut waiting = Tally::new(domain_rows(), codes.clone());
    let mut waits = Tally::new(
        WaitBand::ALL.iter().map(|b| b.label().to_owned()).collect(),
        codes,
    );
    for r in gaps::approved_referrals(tx, secret, period, today).await? {
        if r.waiting {
            let domains: Vec<&str> = r.domains.iter().map(String::as_str).collect();
            waiting.add(r.key, &domains, &r.district);
        }
        let band = WaitBand::of_days(r.waited_days);
        waits.add(r.key, &[band.label()], &r.district);
    }
    Ok(Figures {
        period,
        districts,
        wijzer: wijzer.publish(),
        searches: protect(&searches),
        market: asks.publish(),
        asks: protect(&all_asks),
        waiting: waiting.publish(),
        waits: waits.publish(),
    })
}

/// The period asked for, or a field error (and this year).
fn period_of(q: &GapsQuery) -> (Period, FieldErrors) {
    let mut errors = FieldErrors::new();
    let period = match q.periode.trim() {
        "" => Period::Year(today().year()),
        typed => Period::parse(typed).unwrap_or_else(|_| {
            errors.add("periode", "Kies een kwartaal of een jaar uit de lijst.");
            Period::Year(today().year())
        }),
    };
    (period, errors)
}

/// Reads the figures and writes the audit entry of that reading in one
/// transaction (`Db::audited`): aggregates only, so the entry names no person.
async fn audited_figures(
    state: &AppState,
    ctx: &Ctx,
    period: Period,
    action: AuditAction,
) -> Result<Figures, AppError> {
    let secret = state.config.cell_key.clone();
    let entry = ctx.audit(
        action,
        AuditOutcome::Success,
        Some(("tekorten", period.code())),
        match action {
            AuditAction::Export => "tekorten in het aanbod als CSV (beschermde totalen)",
            _ => "tekorten in het aanbod bekeken (beschermde totalen)",
        },
    );
    let day = today();
    state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let figures = read(tx, &secret, period, day).await?;
                Ok::<_, AppError>((figures, vec![entry]))
            })
        })
        .await
}

/// A column's heading: the district's name, or what its empty code means.
fn column_label(code: &str, districts: &[(String, String)], none: &str) -> String {
    if code.is_empty() {
        return none.to_owned();
    }
    districts
        .iter()
        .find(|d| d.0 == code)
        .map_or_else(|| code.to_owned(), |d| d.1.clone())
}

/// A row's heading: a life domain's Dutch label (its code stays in the CSV's
/// order), or the label itself for categories and wait bands.
fn row_label(label: &str) -> String {
    if label.is_empty() {
        return "Geen leefgebied genoemd".to_owned();
    }
    LifeDomain::parse(label).map_or_else(|_| label.to_owned(), |d| d.label().to_owned())
}

#[derive(Serialize)]
struct TableView {
    id: &'static str,
    caption: String,
    first: &'static str,
    columns: Vec<String>,
    rows: Vec<(String, Vec<u64>, u64)>,
    totals: Vec<u64>,
    total: u64,
}

fn table_view(
    id: &'static str,
    caption: String,
    first: &'static str,
    t: &GapTable,
    districts: &[(String, String)],
    none: &str,
) -> TableView {
    TableView {
        id,
        caption,
        first,
        columns: t
            .columns
            .iter()
            .map(|c| column_label(c, districts, none))
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                (
                    row_label(&r.label),
                    r.cells.iter().map(|c| c.value()).collect(),
                    r.total.value(),
                )
            })
            .collect(),
        totals: t.column_totals.iter().map(|c| c.value()).collect(),
        total: t.total.value(),
    }
}

/// The four tables as the page and the CSV name them.
fn tables(f: &Figures) -> Vec<TableView> {
    let d = &f.districts;
    let p = f.period.to_string();
    vec![
        table_view(
            "wijzer",
            format!("Wijzer zonder passend aanbod, per leefgebied en wijk, {p}"),
            "Leefgebied",
            &f.wijzer,
            d,
            "Geen wijk gekozen",
        ),
        table_view(
            "marktplaats",
            format!("Vragen zonder match, per soort hulp en wijk, {p}"),
            "Soort hulp",
            &f.market,
            d,
            "Hele stad",
        ),
        table_view(
            "wachtend",
            format!("Verwijzingen die wachten op een aanbieder, per leefgebied en wijk, {p}"),
            "Leefgebied",
            &f.waiting,
            d,
            "Onbekend",
        ),
        table_view(
            "wachttijd",
            format!("Wachttijd tot een aanbieder begint, per wijk, {p}"),
            "Wachttijd",
            &f.waits,
            d,
            "Onbekend",
        ),
    ]
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GapsQuery>,
) -> PageResult {
    let (period, errors) = period_of(&q);
    let f = audited_figures(&state, &ctx, period, AuditAction::Read).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let periods: Vec<(String, String)> = Period::choices(today(), FIRST_YEAR.min(today().year()))
        .into_iter()
        .map(|p| (p.code(), p.to_string()))
        .collect();
    let export = serde_urlencoded::to_string(&q).unwrap_or_default();
    let html = render(
        &state,
        &ctx,
        "gaps/tekorten.html",
        "Tekorten in het aanbod",
        Value::from_serialize(context! {
            q => q, errors => errors, periods => periods,
            period_code => f.period.code(), period_label => f.period.to_string(),
            searches => f.searches.value(), asks => f.asks.value(),
            tables => tables(&f), export => export,
        }),
    )?;
    Ok((status, html).into_response())
}

/// `/tekorten.csv`: every table of the page as it shows them (already
/// protected), one row per cell and total, for Dutch Excel.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<GapsQuery>,
) -> PageResult {
    let (period, errors) = period_of(&q);
    if let Some((_, message)) = errors.iter().next() {
        return Err(AppError::BadRequest(message.to_owned()).into());
    }
    let f = audited_figures(&state, &ctx, period, AuditAction::Export).await?;
    let period = f.period.to_string();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in tables(&f) {
        let mut push = |row: &str, column: &str, n: u64| {
            rows.push(vec![
                t.caption.clone(),
                period.clone(),
                row.to_owned(),
                column.to_owned(),
                n.to_string(),
            ]);
        };
        for (label, cells, total) in &t.rows {
            for (column, n) in t.columns.iter().zip(cells) {
                push(label, column, *n);
            }
            push(label, "Totaal", *total);
        }
        for (column, n) in t.columns.iter().zip(&t.totals) {
            push("Totaal", column, *n);
        }
        push("Totaal", "Totaal", t.total);
    }
    rows.push(vec![
        "Zoekvragen in de wijzer, met of zonder aanbod".into(),
        period.clone(),
        "Totaal".into(),
        "Totaal".into(),
        f.searches.to_string(),
    ]);
    rows.push(vec![
        "Vragen op de buurtmarktplaats, met of zonder match".into(),
        period.clone(),
        "Totaal".into(),
        "Totaal".into(),
        f.asks.to_string(),
    ]);
    let text = to_csv(&["Tabel", "Periode", "Rij", "Wijk", "Aantal"], &rows)?;
    Ok(download("tekorten.csv", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_rows_are_named_in_dutch() {
        let d = vec![("WK01".to_owned(), "Centrum".to_owned())];
        assert_eq!(column_label("WK01", &d, "x"), "Centrum");
        assert_eq!(column_label("", &d, "Hele stad"), "Hele stad");
        assert_eq!(row_label(""), "Geen leefgebied genoemd");
        assert_eq!(
            row_label(LifeDomain::Financien.as_str()),
            LifeDomain::Financien.label()
        );
        assert_eq!(row_label("Koken"), "Koken");
    }
}

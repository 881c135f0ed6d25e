//! `/dashboard` and `/dashboard.csv`.

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
use baken_domain::monitoring::{
    light_share_trend, pyramid, Pyramid, SupportUse, Targets, TrendPoint,
};
use baken_domain::period::Period;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{areas, audit, casework as cw, dashboard};
use chrono::Datelike;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The first year the period list offers.
const FIRST_YEAR: i32 = 2024;
/// How many quarters a trend shows.
const QUARTERS: usize = 8;

/// The filters: a district and a period (a quarter or a year; this year when empty).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct DashboardQuery {
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    periode: String,
    /// A team (its id) for the bakens per quarter: the drill-down from the
    /// municipality to a district to one of its teams.
    #[serde(default)]
    team: String,
}

/// One baken per quarter, as published (every count cell-key protected).
#[derive(Debug, Serialize)]
struct BakenTrend {
    baken: u8,
    title: &'static str,
    values: Vec<String>,
}

/// Everything the page and the CSV show.
struct Figures {
    period: Period,
    district: Option<(String, String)>,
    pyramid: Pyramid,
    trend: Vec<TrendPoint>,
    fan: Vec<(String, String, Vec<TrendPoint>)>,
    targets: Targets,
    /// The team the bakens are drilled down to, if any.
    team: Option<(i64, String)>,
    /// The teams of the chosen district (all teams when none is chosen).
    teams: Vec<(i64, String)>,
    bakens: Vec<BakenTrend>,
}

/// The eight bakens per quarter for a district or team: the figures exactly
/// as `/bakens` publishes them for that quarter (whole quarters only, so no
/// two of them can be subtracted into a small count).
async fn bakens_per_quarter(
    tx: &mut baken_store::Tx,
    state: &AppState,
    quarters: &[Period],
    district: Option<&str>,
    team: Option<i64>,
) -> Result<Vec<BakenTrend>, AppError> {
    let map = |e: cw::CaseError| AppError::BadRequest(e.to_string());
    let (norms, _) = cw::response_norms(tx).await.map_err(map)?;
    let mut rows: Vec<BakenTrend> = Vec::new();
    for &q in quarters {
        let filter = cw::FigureFilter {
            team_id: team,
            district: district.map(str::to_owned),
            period: Some(q),
        };
        let figures = cw::bakens_facts(tx, &filter, &norms, &state.config.cell_key)
            .await
            .map_err(map)?
            .figures();
        for f in figures {
            match rows.iter_mut().find(|r| r.baken == f.baken) {
                Some(r) => r.values.push(f.value),
                None => rows.push(BakenTrend {
                    baken: f.baken,
                    title: f.title,
                    values: vec![f.value],
                }),
            }
        }
    }
    Ok(rows)
}

async fn figures(
    state: &AppState,
    q: &DashboardQuery,
) -> Result<(Figures, Vec<(String, String)>, FieldErrors), AppError> {
    let mut tx = state.db.read().await?;
    let districts: Vec<(String, String)> = areas::districts(&mut tx)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let targets = dashboard::targets(&mut tx).await?;
    let mut errors = FieldErrors::new();
    let period = match q.periode.trim() {
        "" => Period::Year(today().year()),
        typed => Period::parse(typed).unwrap_or_else(|_| {
            errors.add("periode", "Kies een kwartaal of een jaar uit de lijst.");
            Period::Year(today().year())
        }),
    };
    let district = districts.iter().find(|d| d.0 == q.wijk.trim()).cloned();
    // Only the chosen district's teams are offered; a team from elsewhere is no filter.
    let teams: Vec<(i64, String)> = areas::teams(&mut tx)
        .await?
        .into_iter()
        .filter(|t| {
            t.active
                && district
                    .as_ref()
                    .is_none_or(|d| t.district_code.as_deref() == Some(d.0.as_str()))
        })
        .map(|t| (t.id, t.name))
        .collect();
    let team = q
        .team
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| teams.iter().find(|t| t.0 == id).cloned());
    let quarters = Period::last_quarters(today(), QUARTERS);
    let bakens = bakens_per_quarter(
        &mut tx,
        state,
        &quarters,
        district.as_ref().map(|d| d.0.as_str()),
        team.as_ref().map(|t| t.0),
    )
    .await?;
    let since = quarters[0].first_day().min(period.first_day());
    let uses: Vec<SupportUse> =
        dashboard::support_uses(&mut tx, since, &state.config.cell_key).await?;
    drop(tx);
    let code = district.as_ref().map(|d| d.0.as_str());
    let fan = districts
        .iter()
        .map(|(c, n)| {
            (
                c.clone(),
                n.clone(),
                light_share_trend(&uses, &quarters, Some(c)),
            )
        })
        .collect();
    let figures = Figures {
        period,
        pyramid: pyramid(&uses, period, code, targets),
        trend: light_share_trend(&uses, &quarters, code),
        district,
        fan,
        targets,
        team,
        teams,
        bakens,
    };
    Ok((figures, districts, errors))
}

/// A chart of one trend as SVG coordinates: the line, the band, the target.
#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    line: String,
    band: String,
    target_y: f64,
    dots: Vec<(f64, f64)>,
    labels: Vec<(f64, String)>,
}

fn chart(points: &[TrendPoint], target: u8, width: u32, height: u32) -> Chart {
    let pad = 4.0;
    let (w, h) = (f64::from(width) - 2.0 * pad, f64::from(height) - 2.0 * pad);
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + w * i as f64 / n;
    let y = |v: f64| pad + h * (1.0 - v / 100.0);
    let mut line = Vec::new();
    let mut dots = Vec::new();
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if let (Some(v), Some(lo), Some(hi)) = (p.value, p.low, p.high) {
            line.push(format!("{:.1},{:.1}", x(i), y(v)));
            dots.push((x(i), y(v)));
            upper.push(format!("{:.1},{:.1}", x(i), y(hi)));
            lower.push(format!("{:.1},{:.1}", x(i), y(lo)));
        }
    }
    lower.reverse();
    upper.extend(lower);
    Chart {
        width,
        height,
        line: line.join(" "),
        band: upper.join(" "),
        target_y: y(f64::from(target)),
        dots,
        labels: points
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.period.replace("-K", " K")))
            .collect(),
    }
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "te weinig gegevens".to_owned(), |v| format!("{v:.0}%"))
}

fn band(p: &TrendPoint) -> String {
    match (p.low, p.high) {
        (Some(lo), Some(hi)) => format!("{lo:.0}–{hi:.0}%"),
        _ => "–".to_owned(),
    }
}

fn euros(v: Option<i64>) -> String {
    v.and_then(|v| baken_domain::contracting::Cents::new(v.saturating_mul(100)).ok())
        .map_or_else(|| "te weinig gegevens".to_owned(), |c| c.to_string())
}

#[derive(Serialize)]
struct TrendRow {
    period: String,
    value: String,
    band: String,
}

fn trend_rows(points: &[TrendPoint]) -> Vec<TrendRow> {
    points
        .iter()
        .map(|p| TrendRow {
            period: p.period.clone(),
            value: percent(p.value),
            band: band(p),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let (f, districts, errors) = figures(&state, &q).await?;
    let light_target = f.targets.of(baken_domain::monitoring::Layer::Light);
    let layers: Vec<Value> = f
        .pyramid
        .layers
        .iter()
        .map(|l| {
            Value::from_serialize(context! {
                label => l.label, short => l.short, households => l.households.value(),
                share => l.share.map_or_else(|| "te weinig gegevens".to_owned(), |s| format!("{s}%")),
                bar => l.share.unwrap_or(0), target => l.target,
                cost => euros(l.cost_euros),
                cost_share => l.cost_share.map_or_else(|| "–".to_owned(), |s| format!("{s}%")),
                cost_bar => l.cost_share.unwrap_or(0),
                unpriced => l.unpriced.value(),
            })
        })
        .collect();
    let fan: Vec<Value> = f
        .fan
        .iter()
        .map(|(code, name, points)| {
            Value::from_serialize(context! {
                code => code, name => name, chart => chart(points, light_target, 160, 90),
                last => percent(points.last().and_then(|p| p.value)),
            })
        })
        .collect();
    let fan_table: Vec<Value> = f
        .fan
        .iter()
        .map(|(code, name, points)| {
            Value::from_serialize(context! {
                code => code, name => name,
                values => points.iter().map(|p| percent(p.value)).collect::<Vec<_>>(),
            })
        })
        .collect();
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
        "monitoring/dashboard.html",
        "Dashboard verantwoording",
        Value::from_serialize(context! {
            q => q, errors => errors, districts => districts, periods => periods,
            period_code => f.period.code(), period_label => f.period.to_string(),
            area => f.district.as_ref().map_or_else(|| "alle wijken".to_owned(), |d| format!("wijk {} ({})", d.1, d.0)),
            households => f.pyramid.households.value(), layers => layers,
            targets => f.targets.code(), light_target => light_target,
            trend => trend_rows(&f.trend), trend_chart => chart(&f.trend, light_target, 640, 220),
            quarters => f.trend.iter().map(|p| p.period.clone()).collect::<Vec<_>>(),
            fan => fan, fan_table => fan_table, export => export,
            teams => f.teams, bakens => f.bakens, team_chosen => f.team.is_some(),
            wijk_code => f.district.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
            bakens_area => match (&f.team, &f.district) {
                (Some(t), _) => t.1.clone(),
                (None, Some(d)) => format!("wijk {} ({})", d.1, d.0),
                (None, None) => "alle wijken".to_owned(),
            },
        }),
    )?;
    Ok((status, html).into_response())
}

/// `/dashboard.csv`: the page's tables, as the page shows them (already
/// protected), one row per figure, for Dutch Excel.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let (f, _, errors) = figures(&state, &q).await?;
    if let Some((_, message)) = errors.iter().next() {
        return Err(AppError::BadRequest(message.to_owned()).into());
    }
    let area = f
        .district
        .as_ref()
        .map_or_else(|| "alle wijken".to_owned(), |d| d.1.clone());
    let period = f.period.to_string();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for l in &f.pyramid.layers {
        rows.push(vec![
            "piramide".into(),
            area.clone(),
            period.clone(),
            l.short.into(),
            l.households.to_string(),
            l.share.map_or_else(String::new, |s| s.to_string()),
            l.target.to_string(),
            l.cost_euros.map_or_else(String::new, |c| c.to_string()),
            l.cost_share.map_or_else(String::new, |s| s.to_string()),
            l.unpriced.to_string(),
            String::new(),
        ]);
    }
    let trend_row = |area: &str, p: &TrendPoint| {
        vec![
            "trend stap 1–3".into(),
            area.to_owned(),
            p.period.clone(),
            "Stap 1–3".into(),
            String::new(),
            p.value.map_or_else(String::new, |v| format!("{v:.0}")),
            f.targets
                .of(baken_domain::monitoring::Layer::Light)
                .to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    for p in &f.trend {
        rows.push(trend_row(&area, p));
    }
    for (_, name, points) in &f.fan {
        for p in points {
            rows.push(trend_row(name, p));
        }
    }
    // The bakens per quarter, for the district or the team drilled down to.
    let bakens_area = f.team.as_ref().map_or(area.as_str(), |t| t.1.as_str());
    for b in &f.bakens {
        for (q, value) in f.trend.iter().zip(&b.values) {
            let mut row = vec![String::new(); 11];
            row[0] = format!("baken {}", b.baken);
            row[1] = bakens_area.to_owned();
            row[2] = q.period.clone();
            row[3] = b.title.to_owned();
            row[10] = value.clone();
            rows.push(row);
        }
    }
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Export,
            AuditOutcome::Success,
            Some(("dashboard", "*".into())),
            "dashboard verantwoording als CSV (beschermde totalen)",
        ),
    )
    .await?;
    tx.commit().await?;
    let text = to_csv(
        &[
            "Onderdeel",
            "Wijk",
            "Periode",
            "Laag",
            "Huishoudens",
            "Aandeel (%)",
            "Doel (%)",
            "Kosten (euro)",
            "Aandeel kosten (%)",
            "Niet te prijzen",
            "Waarde baken",
        ],
        &rows,
    )?;
    Ok(download("dashboard.csv", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_only_the_quarters_with_a_value_and_the_band_around_them() {
        let p = |v: Option<f64>| TrendPoint {
            period: "2026-K1".into(),
            value: v,
            low: v.map(|v| v - 5.0),
            high: v.map(|v| v + 5.0),
        };
        let c = chart(&[p(Some(50.0)), p(None), p(Some(100.0))], 85, 104, 108);
        assert_eq!(c.dots.len(), 2);
        assert_eq!(c.line, "4.0,54.0 100.0,4.0");
        // The band runs along the upper edge and back along the lower.
        assert_eq!(c.band.split(' ').count(), 4);
        assert!((c.target_y - 19.0).abs() < 1e-9);
    }
}

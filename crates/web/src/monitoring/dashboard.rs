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
use baken_domain::cell_key::{CellKeySecret, CellKeys};
use baken_domain::monitoring::trends::{
    purchases, returns_trend, LayerCells, Purchase, PurchaseFigure,
};
use baken_domain::monitoring::{pyramid, Layer, Pyramid, SupportUse, Targets, TrendPoint};
use baken_domain::period::Period;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{areas, audit, casework as cw, dashboard, Db};
use chrono::{Datelike, NaiveDate};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The first year the period list offers.
const FIRST_YEAR: i32 = 2024;
/// How many whole quarters a trend shows.
const QUARTERS: usize = 8;

/// The filters: a district and a period (a quarter or a year; this year when empty).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct DashboardQuery {
    #[serde(default)]
    pub wijk: String,
    #[serde(default)]
    pub periode: String,
    /// A team (its id) for the bakens per quarter: the drill-down from the
    /// municipality to a district to one of its teams.
    #[serde(default)]
    pub team: String,
}

/// One baken per quarter, as published (every count cell-key protected).
#[derive(Debug, Serialize)]
struct BakenTrend {
    baken: u8,
    title: &'static str,
    values: Vec<String>,
}

/// How a trend's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scale {
    /// A share, 0–100 %.
    Percent,
    /// A rate per 1,000 residents.
    PerThousand,
    /// A number of days.
    Days,
}

impl Scale {
    fn show(self, v: f64) -> String {
        match self {
            Scale::Percent => format!("{v:.0}%"),
            Scale::PerThousand => format!("{v:.1}").replace('.', ","),
            Scale::Days => format!("{v:.0} dagen"),
        }
    }

    fn csv(self, v: f64) -> String {
        match self {
            Scale::Percent | Scale::Days => format!("{v:.0}"),
            Scale::PerThousand => format!("{v:.1}").replace('.', ","),
        }
    }
}

/// One trend per quarter: for the area chosen, and for every district (the
/// fan view), with the target line where the municipality has one.
#[derive(Debug)]
pub struct Trend {
    /// A stable anchor and CSV name: `stap-1-3`, `maatwerk-per-1000`, `baken-3`…
    pub id: String,
    pub title: String,
    pub scale: Scale,
    pub target: Option<f64>,
    pub area: Vec<TrendPoint>,
    pub fan: Vec<(String, String, Vec<TrendPoint>)>,
}

/// Everything the page and the CSV show.
pub struct Report {
    pub period: Period,
    pub district: Option<(String, String)>,
    pub pyramid: Pyramid,
    pub targets: Targets,
    /// The team drilled down to, if any.
    pub team: Option<(i64, String)>,
    /// The teams of the chosen district (all teams when none is chosen).
    pub teams: Vec<(i64, String)>,
    bakens: Vec<BakenTrend>,
    pub quarters: Vec<Period>,
    pub trends: Vec<Trend>,
    /// Use and cost per contracted product and per provider in the period.
    pub products: Vec<PurchaseFigure>,
    pub providers: Vec<PurchaseFigure>,
    districts: Vec<(String, String)>,
    errors: FieldErrors,
}

/// A baken's headline figure as a number to chart: the share it starts with
/// ("42%", "60% informeel, …"), or for baken 3 the median days ("mediaan 3
/// dagen, …"). `None` when the figure starts with anything else ("te weinig
/// gegevens", "x van de plannen").
fn headline(value: &str) -> Option<f64> {
    let v = value.strip_prefix("mediaan ").unwrap_or(value);
    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
    let rest = &v[digits.len()..];
    if digits.is_empty() || !(rest.starts_with('%') || rest.starts_with(" dag")) {
        return None;
    }
    digits.parse().ok()
}

/// The eight bakens per quarter of one area: the figures exactly as
/// `/bakens` publishes them for that quarter (whole quarters only, so no two
/// of them can be subtracted into a small count).
fn baken_trends(per_quarter: &[cw::BakensFacts]) -> Vec<BakenTrend> {
    let mut rows: Vec<BakenTrend> = Vec::new();
    for facts in per_quarter {
        for f in facts.figures() {
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
    rows
}

/// The eight bakens per quarter for the district or team chosen, and for
/// every district (the fan view): the facts of all of them from one query
/// per kind of fact, split per district and quarter.
async fn bakens_per_quarter(
    tx: &mut baken_store::Tx,
    secret: &CellKeySecret,
    quarters: &[Period],
    district: Option<&str>,
    team: Option<i64>,
    districts: &[(String, String)],
) -> Result<(Vec<BakenTrend>, Vec<Vec<BakenTrend>>), AppError> {
    let map = |e: cw::CaseError| AppError::BadRequest(e.to_string());
    let (norms, _) = cw::response_norms(tx).await.map_err(map)?;
    let periods: Vec<(NaiveDate, NaiveDate)> = quarters
        .iter()
        .map(|q| (q.first_day(), q.last_day()))
        .collect();
    let all = cw::bakens_facts_per_period(tx, None, None, &periods, &norms, secret)
        .await
        .map_err(map)?;
    let area = match team {
        None => all.of(district),
        Some(t) => cw::bakens_facts_per_period(tx, Some(t), district, &periods, &norms, secret)
            .await
            .map_err(map)?
            .of(district),
    };
    let fan = districts
        .iter()
        .map(|(c, _)| baken_trends(&all.of(Some(c))))
        .collect();
    Ok((baken_trends(&area), fan))
}

fn headline_points(quarters: &[Period], b: &BakenTrend) -> Vec<TrendPoint> {
    quarters
        .iter()
        .zip(&b.values)
        .map(|(q, v)| {
            let value = headline(v);
            TrendPoint {
                period: q.code(),
                value,
                low: value,
                high: value,
            }
        })
        .collect()
}

/// The dashboard's figures for query `q` as of `today`, with `secret` behind
/// every cell key: what the page, the CSV and the golden files show.
pub async fn report(
    db: &Db,
    secret: &CellKeySecret,
    q: &DashboardQuery,
    today: NaiveDate,
) -> Result<Report, AppError> {
    let mut tx = db.read().await?;
    let districts: Vec<(String, String)> = areas::districts(&mut tx)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let targets = dashboard::targets(&mut tx).await?;
    let mut errors = FieldErrors::new();
    let period = match q.periode.trim() {
        "" => Period::Year(today.year()),
        typed => Period::parse(typed).unwrap_or_else(|_| {
            errors.add("periode", "Kies een kwartaal of een jaar uit de lijst.");
            Period::Year(today.year())
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
    let team_id = team.as_ref().map(|t| t.0);
    let code = district.as_ref().map(|d| d.0.as_str());
    // The last eight whole quarters: the one running now is not over yet.
    let last_whole = Period::quarter_of(today).previous().last_day();
    let quarters = Period::last_quarters(last_whole, QUARTERS);
    let (bakens, fan_bakens) =
        bakens_per_quarter(&mut tx, secret, &quarters, code, team_id, &districts).await?;
    // A return looks back 12 months before the first quarter.
    let since = (quarters[0].first_day() - chrono::Days::new(366)).min(period.first_day());
    let all: Vec<SupportUse> = dashboard::support_uses_of(&mut tx, since, secret, None).await?;
    let team_uses: Option<Vec<SupportUse>> = match team_id {
        None => None,
        Some(t) => Some(dashboard::support_uses_of(&mut tx, since, secret, Some(t)).await?),
    };
    let uses: &[SupportUse] = team_uses.as_deref().unwrap_or(&all);
    let bought: Vec<Purchase> =
        dashboard::purchases(&mut tx, period.first_day(), secret, team_id).await?;
    // Every district's residents from one pass; a team's from a second.
    let all_residents = dashboard::resident_cells(&mut tx, None, secret).await?;
    let team_residents = match team_id {
        None => None,
        Some(t) => Some(dashboard::resident_cells(&mut tx, Some(t), secret).await?),
    };
    drop(tx);
    let residents = dashboard::cell_of(team_residents.as_ref().unwrap_or(&all_residents), code);
    let district_residents: Vec<CellKeys> = districts
        .iter()
        .map(|(c, _)| dashboard::cell_of(&all_residents, Some(c)))
        .collect();
    // The households per layer and quarter: the area's, and every district's.
    let area_cells = LayerCells::of(uses, &quarters, code);
    let district_cells: Vec<LayerCells> = districts
        .iter()
        .map(|(c, _)| LayerCells::of(&all, &quarters, Some(c)))
        .collect();

    let fan_of = |f: &dyn Fn(&str, usize) -> Vec<TrendPoint>| {
        districts
            .iter()
            .enumerate()
            .map(|(i, (c, n))| (c.clone(), n.clone(), f(c, i)))
            .collect::<Vec<_>>()
    };
    let mut trends = Vec::new();
    for (layer, id) in Layer::ALL.into_iter().zip(["stap-1-3", "stap-4", "stap-5"]) {
        trends.push(Trend {
            id: id.into(),
            title: format!("Aandeel {}", layer.short().to_lowercase()),
            scale: Scale::Percent,
            target: Some(f64::from(targets.of(layer))),
            area: area_cells.share_trend(layer),
            fan: fan_of(&|_, i| district_cells[i].share_trend(layer)),
        });
    }
    trends.push(Trend {
        id: "maatwerk-per-1000".into(),
        title: "Huishoudens met maatwerk per 1.000 inwoners".into(),
        scale: Scale::PerThousand,
        target: None,
        area: area_cells.maatwerk_per_thousand(&residents),
        fan: fan_of(&|_, i| district_cells[i].maatwerk_per_thousand(&district_residents[i])),
    });
    let share = |list: Vec<(TrendPoint, baken_domain::cell_key::Protected)>| {
        list.into_iter().map(|(p, _)| p).collect::<Vec<_>>()
    };
    trends.push(Trend {
        id: "terug-binnen-12-maanden".into(),
        title: "Huishoudens terug binnen 12 maanden".into(),
        scale: Scale::Percent,
        target: None,
        area: share(returns_trend(uses, &quarters, code)),
        fan: fan_of(&|c, _| share(returns_trend(&all, &quarters, Some(c)))),
    });
    for (i, b) in bakens.iter().enumerate() {
        let title = if b.baken == 3 {
            "Dagen van signaal tot eerste contact (mediaan, baken 3)".to_owned()
        } else {
            format!("Baken {}: {}", b.baken, b.title)
        };
        trends.push(Trend {
            id: format!("baken-{}", b.baken),
            title,
            scale: if b.baken == 3 {
                Scale::Days
            } else {
                Scale::Percent
            },
            target: None,
            area: headline_points(&quarters, b),
            fan: fan_of(&|_, d| {
                fan_bakens[d]
                    .get(i)
                    .map(|b| headline_points(&quarters, b))
                    .unwrap_or_default()
            }),
        });
    }
    Ok(Report {
        period,
        pyramid: pyramid(uses, period, code, targets),
        products: purchases(&bought, period, code, false),
        providers: purchases(&bought, period, code, true),
        district,
        targets,
        team,
        teams,
        bakens,
        quarters,
        trends,
        districts,
        errors,
    })
}

/// A chart of one trend as SVG coordinates: the line, the band, the target.
#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    line: String,
    band: String,
    target_y: Option<f64>,
    dots: Vec<(f64, f64)>,
    labels: Vec<(f64, String)>,
    /// The value at the top of the chart, as shown.
    top: String,
}

/// The top of a trend's scale: 100 for a share, else the largest value or
/// band edge of all the charts it is drawn beside, rounded up.
fn top_of(t: &Trend) -> f64 {
    if t.scale == Scale::Percent {
        return 100.0;
    }
    let max = t
        .area
        .iter()
        .chain(t.fan.iter().flat_map(|f| f.2.iter()))
        .filter_map(|p| p.high.or(p.value))
        .chain(t.target)
        .fold(0.0f64, f64::max);
    if max <= 0.0 {
        return 10.0;
    }
    let step = 10f64.powf(max.log10().floor());
    (max / step).ceil() * step
}

fn chart(
    points: &[TrendPoint],
    target: Option<f64>,
    top: f64,
    scale: Scale,
    width: u32,
    height: u32,
) -> Chart {
    let pad = 4.0;
    let (w, h) = (f64::from(width) - 2.0 * pad, f64::from(height) - 2.0 * pad);
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + w * i as f64 / n;
    let y = |v: f64| pad + h * (1.0 - (v / top).clamp(0.0, 1.0));
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
        target_y: target.map(y),
        dots,
        labels: points
            .iter()
            .enumerate()
            .map(|(i, p)| (x(i), p.period.replace("-K", " K")))
            .collect(),
        top: scale.show(top),
    }
}

fn shown(scale: Scale, v: Option<f64>) -> String {
    v.map_or_else(|| "te weinig gegevens".to_owned(), |v| scale.show(v))
}

fn band(scale: Scale, p: &TrendPoint) -> String {
    match (p.low, p.high) {
        (Some(lo), Some(hi)) if (hi - lo).abs() > f64::EPSILON => {
            format!("{}–{}", scale.show(lo), scale.show(hi))
        }
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

fn trend_rows(scale: Scale, points: &[TrendPoint]) -> Vec<TrendRow> {
    points
        .iter()
        .map(|p| TrendRow {
            period: p.period.clone(),
            value: shown(scale, p.value),
            band: band(scale, p),
        })
        .collect()
}

fn trend_view(t: &Trend) -> Value {
    let top = top_of(t);
    let fan: Vec<Value> = t
        .fan
        .iter()
        .map(|(code, name, points)| {
            Value::from_serialize(context! {
                code => code, name => name,
                chart => chart(points, t.target, top, t.scale, 160, 90),
                last => shown(t.scale, points.last().and_then(|p| p.value)),
                values => points.iter().map(|p| shown(t.scale, p.value)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::from_serialize(context! {
        id => t.id, title => t.title,
        target => t.target.map(|v| t.scale.show(v)),
        rows => trend_rows(t.scale, &t.area),
        chart => chart(&t.area, t.target, top, t.scale, 640, 220),
        fan => fan,
    })
}

fn purchase_view(f: &PurchaseFigure) -> Value {
    Value::from_serialize(context! {
        name => f.name, households => f.households.value(),
        cost => euros(f.cost_euros), unpriced => f.unpriced.value(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let f = report(&state.db, &state.config.cell_key, &q, today()).await?;
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
    let status = if f.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let periods: Vec<(String, String)> = Period::choices(today(), FIRST_YEAR.min(today().year()))
        .into_iter()
        .map(|p| (p.code(), p.to_string()))
        .collect();
    let export = serde_urlencoded::to_string(&q).unwrap_or_default();
    let area = f.district.as_ref().map_or_else(
        || "alle wijken".to_owned(),
        |d| format!("wijk {} ({})", d.1, d.0),
    );
    let html = render(
        &state,
        &ctx,
        "monitoring/dashboard.html",
        "Dashboard verantwoording",
        Value::from_serialize(context! {
            q => q, errors => f.errors, districts => f.districts, periods => periods,
            period_code => f.period.code(), period_label => f.period.to_string(),
            area => area,
            households => f.pyramid.households.value(), layers => layers,
            targets => f.targets.code(),
            trends => f.trends.iter().map(trend_view).collect::<Vec<_>>(),
            quarters => f.quarters.iter().map(|p| p.code()).collect::<Vec<_>>(),
            export => export,
            products => f.products.iter().map(purchase_view).collect::<Vec<_>>(),
            providers => f.providers.iter().map(purchase_view).collect::<Vec<_>>(),
            teams => f.teams, bakens => f.bakens, team_chosen => f.team.is_some(),
            wijk_code => f.district.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
            drill_area => match (&f.team, &f.district) {
                (Some(t), _) => t.1.clone(),
                (None, Some(d)) => format!("wijk {} ({})", d.1, d.0),
                (None, None) => "alle wijken".to_owned(),
            },
        }),
    )?;
    Ok((status, html).into_response())
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 13] = [
    "Onderdeel",
    "Wijk",
    "Periode",
    "Laag of naam",
    "Huishoudens",
    "Aandeel (%)",
    "Doel (%)",
    "Kosten (euro)",
    "Aandeel kosten (%)",
    "Niet te prijzen",
    "Waarde",
    "Ondergrens",
    "Bovengrens",
];

/// The report's tables as CSV rows (already protected), one row per figure,
/// in the columns of [`CSV_HEADER`]; `Err` when the query was refused.
pub fn report_rows(f: &Report) -> Result<Vec<Vec<String>>, AppError> {
    if let Some((_, message)) = f.errors.iter().next() {
        return Err(AppError::BadRequest(message.to_owned()));
    }
    let area = f
        .district
        .as_ref()
        .map_or_else(|| "alle wijken".to_owned(), |d| d.1.clone());
    // The drill-down's area: the team when one is chosen.
    let drill_area = f.team.as_ref().map_or(area.as_str(), |t| t.1.as_str());
    let period = f.period.to_string();
    let row = |cells: &[(usize, String)]| {
        let mut r = vec![String::new(); CSV_HEADER.len()];
        for (i, v) in cells {
            r[*i] = v.clone();
        }
        r
    };
    let opt = |v: Option<i64>| v.map_or_else(String::new, |c| c.to_string());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for l in &f.pyramid.layers {
        rows.push(row(&[
            (0, "piramide".into()),
            (1, area.clone()),
            (2, period.clone()),
            (3, l.short.into()),
            (4, l.households.to_string()),
            (5, opt(l.share.map(i64::from))),
            (6, l.target.to_string()),
            (7, opt(l.cost_euros)),
            (8, opt(l.cost_share.map(i64::from))),
            (9, l.unpriced.to_string()),
        ]));
    }
    for t in &f.trends {
        let point = |area: &str, p: &TrendPoint| {
            let num = |v: Option<f64>| v.map_or_else(String::new, |v| t.scale.csv(v));
            row(&[
                (0, format!("trend {}", t.id)),
                (1, area.to_owned()),
                (2, p.period.clone()),
                (3, t.title.clone()),
                (6, t.target.map_or_else(String::new, |v| t.scale.csv(v))),
                (10, num(p.value)),
                (11, num(p.low)),
                (12, num(p.high)),
            ])
        };
        for p in &t.area {
            rows.push(point(drill_area, p));
        }
        for (_, name, points) in &t.fan {
            for p in points {
                rows.push(point(name, p));
            }
        }
    }
    // The bakens per quarter as published, for the district or team.
    for b in &f.bakens {
        for (q, value) in f.quarters.iter().zip(&b.values) {
            rows.push(row(&[
                (0, format!("baken {}", b.baken)),
                (1, drill_area.to_owned()),
                (2, q.code()),
                (3, b.title.to_owned()),
                (10, value.clone()),
            ]));
        }
    }
    for (what, list) in [("product", &f.products), ("aanbieder", &f.providers)] {
        for p in list {
            rows.push(row(&[
                (0, what.into()),
                (1, drill_area.to_owned()),
                (2, period.clone()),
                (3, p.name.clone()),
                (4, p.households.to_string()),
                (7, opt(p.cost_euros)),
                (9, p.unpriced.to_string()),
            ]));
        }
    }
    Ok(rows)
}

/// `/dashboard.csv`: the page's tables, as the page shows them (already
/// protected), one row per figure, for Dutch Excel.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let f = report(&state.db, &state.config.cell_key, &q, today()).await?;
    let rows = report_rows(&f)?;
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
    Ok(download("dashboard.csv", to_csv(&CSV_HEADER, &rows)?))
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
        let c = chart(
            &[p(Some(50.0)), p(None), p(Some(100.0))],
            Some(85.0),
            100.0,
            Scale::Percent,
            104,
            108,
        );
        assert_eq!(c.dots.len(), 2);
        assert_eq!(c.line, "4.0,54.0 100.0,4.0");
        // The band runs along the upper edge and back along the lower.
        assert_eq!(c.band.split(' ').count(), 4);
        assert!((c.target_y.unwrap() - 19.0).abs() < 1e-9);
        assert_eq!(c.top, "100%");
    }

    #[test]
    fn a_baken_is_charted_by_the_figure_it_starts_with() {
        assert_eq!(headline("42%"), Some(42.0));
        assert_eq!(headline("60% informeel, 40% professioneel"), Some(60.0));
        assert_eq!(
            headline("mediaan 3 dagen, 90% binnen 9 dagen; 80% binnen de norm"),
            Some(3.0)
        );
        assert_eq!(headline("te weinig gegevens"), None);
        assert_eq!(
            headline(
                "x van de plannen met hooguit één professional; 40% over meerdere leefgebieden"
            ),
            None
        );
        assert_eq!(
            headline("te weinig gegevens op tijd geëvalueerd; 50% behaald"),
            None
        );
    }

    #[test]
    fn a_scale_rounds_up_to_a_readable_top() {
        let t = |v: f64| Trend {
            id: "x".into(),
            title: "x".into(),
            scale: Scale::PerThousand,
            target: None,
            area: vec![TrendPoint {
                period: "2026-K1".into(),
                value: Some(v),
                low: Some(v),
                high: Some(v),
            }],
            fan: Vec::new(),
        };
        assert_eq!(top_of(&t(7.3)), 8.0);
        assert_eq!(top_of(&t(23.0)), 30.0);
        assert_eq!(top_of(&t(0.0)), 10.0);
    }
}

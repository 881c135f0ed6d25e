//! What the commissioning pages show, built once for beleid and provider:
//! a commission's facts, its indicators with every definition version, a
//! report's figures (Baken's prefilled, the provider's reported, each with
//! its reading and protection), trend charts with a table alternative, and a
//! payment's basis line by line.

use crate::support::scorecard;
use baken_domain::commissioning::{
    definition_changes, Baken, BasisLine, Hundredths, Indicator, IndicatorKind, IndicatorRole,
    IndicatorSource, Reading,
};
use baken_domain::contracting::Cents;
use baken_store::commissioning::{
    self as cm, CommissionRow, GoalRow, IndicatorRow, ReportRow, ReportValue,
};
use baken_store::Tx;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::support::time::nl_date;

/// Signed cents in Dutch notation: `€ 1.250,00`, `- € 20,00`.
pub fn money(cents: i64) -> String {
    let abs = Cents::new(cents.saturating_abs()).unwrap_or_default();
    if cents < 0 {
        format!("- {abs}")
    } else {
        abs.to_string()
    }
}

/// Cents as a finance system reads them: `56000,00` (no thousands dots).
pub fn plain_euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.saturating_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

fn unit(indicator: &Indicator) -> &'static str {
    match indicator.source {
        IndicatorSource::Computed(m) => m.unit(),
        IndicatorSource::Reported => "",
    }
}

/// A figure with its unit: `75 %`, `2,5 dagen`, `221`.
pub fn with_unit(indicator: &Indicator, value: Hundredths) -> String {
    match unit(indicator) {
        "" => value.to_string(),
        "%" => format!("{value} %"),
        u => format!("{value} {u}"),
    }
}

fn source_label(indicator: &Indicator) -> String {
    match indicator.source {
        IndicatorSource::Computed(m) => format!("Berekend door Baken: {}", m.label()),
        IndicatorSource::Reported => "Aangeleverd door de aanbieder, met bewijs".into(),
    }
}

fn role_label(role: IndicatorRole) -> &'static str {
    match role {
        IndicatorRole::Context => "Alleen context (geen streefwaarde, geen betaling)",
        IndicatorRole::Target => "Streefwaarde",
        IndicatorRole::Paid => "Streefwaarde met betaling",
    }
}

fn kind_label(kind: IndicatorKind) -> String {
    match kind {
        IndicatorKind::Outcome { horizon_months } => {
            format!("{} — meetbaar na {horizon_months} maanden", kind.label())
        }
        _ => kind.label().to_owned(),
    }
}

#[derive(Serialize)]
pub struct VersionView {
    version: i64,
    from: String,
    name: String,
    definition: String,
    set_by: String,
}

#[derive(Serialize)]
pub struct IndicatorView {
    id: i64,
    name: String,
    definition: String,
    kind: String,
    source: String,
    how: String,
    role: String,
    baseline: String,
    target: String,
    cadence: String,
    weight: String,
    versions: Vec<VersionView>,
}

pub fn indicators(rows: &[IndicatorRow]) -> Vec<IndicatorView> {
    rows.iter()
        .map(|row| {
            let current = row.current();
            let i = &current.indicator;
            let how = match i.source {
                IndicatorSource::Computed(m) => m.how().to_owned(),
                IndicatorSource::Reported => String::new(),
            };
            IndicatorView {
                id: row.id,
                name: i.name.clone(),
                definition: i.definition.clone(),
                kind: kind_label(i.kind),
                source: source_label(i),
                how,
                role: role_label(i.role).to_owned(),
                baseline: i.baseline.map_or_else(|| "—".into(), |b| with_unit(i, b)),
                target: i.target.map_or_else(|| "—".into(), |t| with_unit(i, t)),
                cadence: i.cadence.label().to_owned(),
                weight: if i.role == IndicatorRole::Paid {
                    format!(
                        "{} % van het resultaatdeel",
                        Hundredths::new(current.weight_bp)
                    )
                } else {
                    String::new()
                },
                versions: row
                    .versions
                    .iter()
                    .map(|v| VersionView {
                        version: v.indicator.version,
                        from: nl_date(v.indicator.valid_from),
                        name: v.indicator.name.clone(),
                        definition: v.indicator.definition.clone(),
                        set_by: v.set_by.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct CommissionView {
    id: i64,
    title: String,
    kind: String,
    provider: String,
    period: String,
    budget: String,
    steering: String,
    variant: String,
    chain_partners: Vec<String>,
    year_plan: String,
    work_plan: String,
    fixed: String,
    advances: i64,
    cap: String,
    version: i64,
    goals: Vec<String>,
}

pub fn commission(row: &CommissionRow, goals: &[GoalRow]) -> CommissionView {
    CommissionView {
        id: row.id,
        title: row.title.clone(),
        kind: row.kind().map(|k| k.label()).unwrap_or_default().to_owned(),
        provider: row.provider_name.clone(),
        period: format!(
            "{} tot en met {}",
            nl_date(row.valid_from),
            nl_date(row.valid_until)
        ),
        budget: money(row.budget_cents),
        steering: row
            .steering()
            .map(|s| s.label())
            .unwrap_or_default()
            .to_owned(),
        variant: row
            .variant()
            .map(|v| v.label())
            .unwrap_or_default()
            .to_owned(),
        chain_partners: row
            .chain_partner_list()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        year_plan: row.year_plan.clone(),
        work_plan: row.work_plan.clone(),
        fixed: format!("{} %", Hundredths::new(row.fixed_bp)),
        advances: row.advances,
        cap: row.cap_cents.map_or_else(|| "het budget".into(), money),
        version: row.version,
        goals: goals.iter().map(goal_text).collect(),
    }
}

pub fn goal_text(g: &GoalRow) -> String {
    let baken = Baken::new(g.baken).map(|b| b.title()).unwrap_or_default();
    match &g.district_name {
        Some(d) => format!("{} (baken {}: {baken}; wijk {d})", g.text, g.baken),
        None => format!("{} (baken {}: {baken})", g.text, g.baken),
    }
}

/// A computed figure resting on too few households to show: fewer than five,
/// or published as fewer through the cell-key method.
fn too_few(v: &ReportValue) -> bool {
    match (v.households, v.households_cell()) {
        (Some(n), Some(cell)) if n > 0 => !scorecard::households(n, &cell).1,
        _ => false,
    }
}

/// One figure of a report as shown.
#[derive(Serialize)]
pub struct FigureView {
    pub indicator_id: i64,
    name: String,
    kind: String,
    source: String,
    how: String,
    target: String,
    /// The reading: a figure with its unit, "nog niet meetbaar", "nog geen
    /// gegevens", or protected.
    text: String,
    /// The provider fills this one in (reported and measurable).
    pub reported: bool,
    pub prefilled: bool,
    /// Counts as a figure of this report (measurable, with data expected).
    pub expected: bool,
    input: String,
    evidence: String,
    /// A definition change during this report's period.
    change: String,
    version: i64,
}

/// The figures of a report: its stored values once submitted, Baken's live
/// prefill merged with what the provider saved while it is open.
pub async fn report_figures(
    tx: &mut Tx,
    commission: &CommissionRow,
    goals: &[GoalRow],
    rows: &[IndicatorRow],
    report: &ReportRow,
) -> baken_store::Result<Vec<FigureView>> {
    let saved: BTreeMap<i64, ReportValue> = cm::report_values(tx, report.id)
        .await?
        .into_iter()
        .map(|v| (v.indicator_id, v))
        .collect();
    let values = if matches!(report.status.as_str(), "open" | "vragen") {
        let mut live = cm::prefill(tx, commission, goals, rows, report).await?;
        for v in live.iter_mut().filter(|v| !v.prefilled) {
            if let Some(s) = saved.get(&v.indicator_id) {
                v.value = s.value;
                v.evidence = s.evidence.clone();
            }
        }
        live
    } else {
        saved.into_values().collect()
    };
    let mut out = Vec::new();
    for v in values {
        let Some(row) = rows.iter().find(|r| r.id == v.indicator_id) else {
            continue;
        };
        let version = row
            .versions
            .iter()
            .find(|x| x.indicator.version == v.definition_version)
            .unwrap_or_else(|| row.current());
        let i = &version.indicator;
        let versions: Vec<Indicator> = row.versions.iter().map(|x| x.indicator.clone()).collect();
        let applied = definition_changes(&versions, report.period_from, report.period_until);
        let change = if applied.len() > 1 {
            format!(
                "Let op: de definitie veranderde in deze periode (versie {} vanaf {}).",
                applied.last().map_or(0, |x| x.version),
                applied
                    .last()
                    .map_or_else(String::new, |x| nl_date(x.valid_from))
            )
        } else {
            String::new()
        };
        let reading = i.reading(
            commission.valid_from,
            report.period_until,
            v.value.map(Hundredths::new),
        );
        let protected = v.prefilled && too_few(&v);
        let text = match reading {
            _ if protected => "minder dan 5 huishoudens: niet getoond".to_owned(),
            Reading::Figure(f) => with_unit(i, f),
            other => other.text(),
        };
        let measurable = !matches!(
            reading,
            Reading::NotYetMeasurable { .. } | Reading::NoData { .. }
        );
        out.push(FigureView {
            indicator_id: row.id,
            name: i.name.clone(),
            kind: kind_label(i.kind),
            source: source_label(i),
            how: match i.source {
                IndicatorSource::Computed(m) => m.how().to_owned(),
                IndicatorSource::Reported => String::new(),
            },
            target: i.target.map_or_else(String::new, |t| with_unit(i, t)),
            text,
            reported: i.source == IndicatorSource::Reported && measurable,
            prefilled: v.prefilled && v.value.is_some() && !protected,
            expected: measurable,
            input: v
                .value
                .map_or_else(String::new, |x| Hundredths::new(x).to_string()),
            evidence: v.evidence.clone(),
            change,
            version: i.version,
        });
    }
    Ok(out)
}

/// How many of a report's figures Baken filled in itself: "4 van de 5
/// cijfers door Baken ingevuld (80 %)", or in words when it filled in all or
/// none of them. Empty when the report has no figures to give.
pub fn prefilled_share(figures: &[FigureView]) -> String {
    let expected = figures.iter().filter(|f| f.expected).count();
    let prefilled = figures.iter().filter(|f| f.prefilled).count();
    let reported = figures.iter().filter(|f| f.expected && f.reported).count();
    match (expected, prefilled) {
        (0, _) => String::new(),
        (1, 1) => "Baken heeft het cijfer van deze rapportage zelf ingevuld".to_owned(),
        (n, p) if p == n => format!("Baken heeft alle {n} cijfers van deze rapportage zelf ingevuld"),
        (_, 0) if reported == expected => {
            "Baken berekent geen van de cijfers van deze rapportage zelf: de aanbieder vult ze in"
                .to_owned()
        }
        (_, 0) => "Baken kon nog geen cijfers zelf invullen: er zijn te weinig huishoudens of nog geen gegevens"
            .to_owned(),
        (n, p) => format!(
            "{p} van de {n} cijfers door Baken ingevuld ({} %)",
            p * 100 / n
        ),
    }
}

/// A step of a report's history as a sentence: "Ingediend door piet
/// (aanbieder)", "Vraag van anna (beleid)".
pub fn event_text(kind: &str, username: &str, role: &str) -> String {
    let who = format!("{username} ({role})");
    match kind {
        "ingediend" => format!("Ingediend door {who}"),
        "vraag" => format!("Vraag van {who}"),
        "antwoord" => format!("Antwoord van {who}"),
        "geaccepteerd" => format!("Geaccepteerd door {who}"),
        other => format!("{} door {who}", capitalised(other)),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[derive(Serialize)]
pub struct LineView {
    label: String,
    detail: String,
    amount: String,
}

pub fn basis(lines: &[BasisLine]) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| LineView {
            label: l.label.clone(),
            detail: l.detail.clone(),
            amount: money(l.cents),
        })
        .collect()
}

#[derive(Serialize)]
struct Point {
    x: i64,
    y: i64,
    label: String,
}

#[derive(Serialize)]
pub struct TrendView {
    id: i64,
    name: String,
    points: Vec<Point>,
    line: String,
    grid: Vec<(String, i64)>,
    rows: Vec<(String, String)>,
}

/// A trend per indicator over the accepted or submitted reports: an inline
/// SVG line with a table alternative. Only shown figures (not protected).
pub async fn trends(
    tx: &mut Tx,
    rows: &[IndicatorRow],
    reports: &[ReportRow],
) -> baken_store::Result<Vec<TrendView>> {
    let mut series: BTreeMap<i64, Vec<(NaiveDate, i64)>> = BTreeMap::new();
    for r in reports
        .iter()
        .filter(|r| matches!(r.status.as_str(), "ingediend" | "geaccepteerd"))
    {
        for v in cm::report_values(tx, r.id).await? {
            let small = v.prefilled && too_few(&v);
            if let (Some(value), false) = (v.value, small) {
                series
                    .entry(v.indicator_id)
                    .or_default()
                    .push((r.period_until, value));
            }
        }
    }
    let mut out = Vec::new();
    for row in rows {
        let Some(points) = series.get(&row.id) else {
            continue;
        };
        let i = &row.current().indicator;
        let mut values: Vec<i64> = points.iter().map(|p| p.1).collect();
        values.extend(i.target.map(Hundredths::value));
        let lo = values.iter().copied().min().unwrap_or(0).min(0);
        let hi = values.iter().copied().max().unwrap_or(1).max(lo + 1);
        let n = points.len().max(2) as i64 - 1;
        let y = |v: i64| 180 - (v - lo) * 160 / (hi - lo);
        let pts: Vec<Point> = points
            .iter()
            .enumerate()
            .map(|(k, (date, v))| Point {
                x: 60 + k as i64 * 400 / n,
                y: y(*v),
                label: format!("{}: {}", nl_date(*date), with_unit(i, Hundredths::new(*v))),
            })
            .collect();
        out.push(TrendView {
            id: row.id,
            name: i.name.clone(),
            line: pts
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" "),
            grid: vec![
                (Hundredths::new(hi).to_string(), y(hi)),
                (Hundredths::new(lo).to_string(), y(lo)),
            ],
            rows: points
                .iter()
                .map(|(d, v)| (nl_date(*d), with_unit(i, Hundredths::new(*v))))
                .collect(),
            points: pts,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(expected: bool, prefilled: bool, reported: bool) -> FigureView {
        FigureView {
            indicator_id: 1,
            name: String::new(),
            kind: String::new(),
            source: String::new(),
            how: String::new(),
            target: String::new(),
            text: String::new(),
            reported,
            prefilled,
            expected,
            input: String::new(),
            evidence: String::new(),
            change: String::new(),
            version: 1,
        }
    }

    #[test]
    fn nothing_computed_is_said_in_words_not_as_zero_of_one() {
        let only_reported = [figure(true, false, true)];
        let share = prefilled_share(&only_reported);
        assert!(!share.contains("0 van de"), "{share}");
        assert!(share.contains("de aanbieder vult ze in"), "{share}");
        let protected = [figure(true, false, false), figure(true, false, true)];
        let share = prefilled_share(&protected);
        assert!(!share.contains("0 van de"), "{share}");
        assert!(share.contains("kon nog geen cijfers"), "{share}");
        assert_eq!(prefilled_share(&[figure(false, false, false)]), "");
    }

    #[test]
    fn a_share_in_between_is_counted_and_all_is_said_in_words() {
        let mixed = [
            figure(true, true, false),
            figure(true, true, false),
            figure(true, false, true),
        ];
        assert_eq!(
            prefilled_share(&mixed),
            "2 van de 3 cijfers door Baken ingevuld (66 %)"
        );
        let all = [figure(true, true, false), figure(true, true, false)];
        assert_eq!(
            prefilled_share(&all),
            "Baken heeft alle 2 cijfers van deze rapportage zelf ingevuld"
        );
    }

    #[test]
    fn history_steps_read_as_sentences() {
        assert_eq!(
            event_text("ingediend", "piet", "aanbieder"),
            "Ingediend door piet (aanbieder)"
        );
        assert_eq!(
            event_text("geaccepteerd", "anna", "beleid"),
            "Geaccepteerd door anna (beleid)"
        );
        assert_eq!(
            event_text("vraag", "anna", "beleid"),
            "Vraag van anna (beleid)"
        );
    }
}

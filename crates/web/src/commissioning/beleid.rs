//! The commissioner's pages (beleid): the social agenda and the commissions,
//! one commission with its indicators, reports, trends, payment and the
//! provider's scorecard, and the review of a report (accept, or ask a
//! question). Aggregates only.

use super::view;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::scorecard;
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::commissioning::{
    advance_plan, AgendaGoal, Baken, Cadence, Commission, CommissionKind, CommissionVariant,
    ComputedMeasure, Hundredths, Indicator, IndicatorKind, IndicatorRole, SteeringModel, FULL_BP,
};
use baken_domain::contracting::Cents;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::commissioning::{self as cm, PaymentTerms, ReportStep};
use baken_store::{areas, audit, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Form = BTreeMap<String, String>;

pub fn saved_text(q: &SavedQuery) -> &'static str {
    match q.opgeslagen.as_deref() {
        Some("doel") => "Het doel staat op de sociale agenda.",
        Some("opdracht") => "De opdracht is vastgelegd, met de voorschotten volgens schema.",
        Some("indicator") => "De indicator is toegevoegd.",
        Some("definitie") => "De nieuwe definitie is vastgelegd; de oude blijft zichtbaar.",
        Some("vaststelling") => "De vaststelling is vastgelegd.",
        Some("geaccepteerd") => "De rapportage is geaccepteerd.",
        Some("vraag") => "Uw vraag staat bij de rapportage; de aanbieder ziet hem.",
        Some("rapportage") => "De rapportage is opgeslagen. U kunt later verder.",
        Some("ingediend") => "De rapportage is ingediend. De gemeente beoordeelt hem.",
        Some("antwoord") => "Uw antwoord staat bij de rapportage.",
        Some("plannen") => "Het jaarplan en werkplan zijn opgeslagen.",
        Some(_) => "Opgeslagen.",
        None => "",
    }
}

// ---------------------------------------------------------------- overview

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    saved: &str,
    errors: FieldErrors,
    form: Form,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let goals = cm::goals(&mut tx).await?;
    let commissions = cm::commissions(&mut tx, None).await?;
    let districts = areas::districts(&mut tx).await?;
    let providers = areas::providers(&mut tx).await?;
    drop(tx);
    let goal_views: Vec<_> = goals
        .iter()
        .map(|g| context! { id => g.id, text => view::goal_text(g) })
        .collect();
    let commission_views: Vec<_> = commissions
        .iter()
        .map(|c| {
            context! {
                id => c.id, title => c.title, provider => c.provider_name,
                period => format!("{} tot en met {}", nl_date(c.valid_from), nl_date(c.valid_until)),
                budget => view::money(c.budget_cents),
            }
        })
        .collect();
    let bakens: Vec<Choice> = (1..=8)
        .filter_map(|n| Baken::new(n).ok())
        .map(|b| Choice {
            value: b.number().to_string(),
            label: b.to_string(),
        })
        .collect();
    let html = render(
        state,
        ctx,
        "commissioning/overview.html",
        "Opdrachten en resultaten",
        Value::from_serialize(context! {
            goals => goal_views, commissions => commission_views, bakens => bakens,
            districts => districts.iter().map(|d| Choice { value: d.code.clone(), label: d.name.clone() }).collect::<Vec<_>>(),
            providers => providers.iter().map(|p| Choice { value: p.id.to_string(), label: p.name.clone() }).collect::<Vec<_>>(),
            kinds => CommissionKind::ALL.iter().map(|k| Choice { value: k.code().into(), label: k.label().into() }).collect::<Vec<_>>(),
            steerings => SteeringModel::ALL.iter().map(|k| Choice { value: k.code().into(), label: k.label().into() }).collect::<Vec<_>>(),
            variants => CommissionVariant::ALL.iter().map(|k| Choice { value: k.code().into(), label: k.label().into() }).collect::<Vec<_>>(),
            saved => saved, errors => errors, form => form,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    overview_page(
        &state,
        &ctx,
        saved_text(&q),
        FieldErrors::new(),
        Form::new(),
        StatusCode::OK,
    )
    .await
}

async fn done(mut tx: Tx, ctx: &Ctx, object: (&str, i64), detail: String, to: &str) -> PageResult {
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some((object.0, object.1.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(to).into_response())
}

#[derive(Deserialize, Default)]
pub struct GoalForm {
    #[serde(default)]
    tekst: String,
    #[serde(default)]
    baken: String,
    #[serde(default)]
    wijk: String,
}

impl TryFrom<&GoalForm> for AgendaGoal {
    type Error = FieldErrors;
    fn try_from(f: &GoalForm) -> Result<AgendaGoal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let baken = f
            .baken
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| Baken::new(n).ok());
        if baken.is_none() {
            errors.add("baken", "Kies een van de acht bakens.");
        }
        let district = match f.wijk.trim() {
            "" => None,
            code => match DistrictCode::parse(code) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.add("wijk", "Kies een wijk uit de lijst, of geen.");
                    None
                }
            },
        };
        let goal = baken.map(|b| AgendaGoal::new(&f.tekst, b, district));
        match goal {
            Some(Ok(g)) if errors.is_empty() => Ok(g),
            Some(Err(e)) => {
                errors.add("tekst", e.dutch());
                Err(errors)
            }
            _ => Err(errors),
        }
    }
}

pub async fn add_goal(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<GoalForm>,
) -> PageResult {
    let goal = match AgendaGoal::try_from(&form) {
        Ok(g) => g,
        Err(errors) => {
            let kept = Form::from([
                ("tekst".into(), form.tekst.clone()),
                ("baken".into(), form.baken.clone()),
                ("wijk".into(), form.wijk.clone()),
            ]);
            return overview_page(&state, &ctx, "", errors, kept, StatusCode::BAD_REQUEST).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let id = cm::create_goal(&mut tx, &goal).await?;
    done(
        tx,
        &ctx,
        ("agenda_goal", id),
        format!("doel op de sociale agenda: {}", goal.text()),
        "/opdrachtgeverschap?opgeslagen=doel",
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct CommissionForm {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    doel: Vec<String>,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    sturingsmodel: String,
    #[serde(default)]
    uitvoeringsvariant: String,
    #[serde(default)]
    ketenpartners: String,
    #[serde(default)]
    vast_deel: String,
    #[serde(default)]
    voorschotten: String,
    #[serde(default)]
    plafond: String,
}

impl CommissionForm {
    fn kept(&self) -> Form {
        Form::from([
            ("titel".into(), self.titel.clone()),
            ("soort".into(), self.soort.clone()),
            ("aanbieder".into(), self.aanbieder.clone()),
            ("van".into(), self.van.clone()),
            ("tot".into(), self.tot.clone()),
            ("budget".into(), self.budget.clone()),
            ("sturingsmodel".into(), self.sturingsmodel.clone()),
            ("uitvoeringsvariant".into(), self.uitvoeringsvariant.clone()),
            ("ketenpartners".into(), self.ketenpartners.clone()),
            ("vast_deel".into(), self.vast_deel.clone()),
            ("voorschotten".into(), self.voorschotten.clone()),
            ("plafond".into(), self.plafond.clone()),
        ])
    }
}

impl TryFrom<&CommissionForm> for (Commission, PaymentTerms) {
    type Error = FieldErrors;
    fn try_from(f: &CommissionForm) -> Result<(Commission, PaymentTerms), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut need = |field: &str, message: &str, ok: bool| {
            if !ok {
                errors.add(field, message);
            }
        };
        let kind = CommissionKind::parse(&f.soort);
        need("soort", "Kies opdracht of subsidie.", kind.is_ok());
        let provider = f.aanbieder.trim().parse::<i64>().ok().filter(|p| *p > 0);
        need("aanbieder", "Kies een aanbieder.", provider.is_some());
        let goals: Vec<i64> = f
            .doel
            .iter()
            .filter_map(|g| g.trim().parse().ok())
            .collect();
        let from = parse_date(&f.van);
        need("van", "Vul een begindatum in (dd-mm-jjjj).", from.is_some());
        let until = parse_date(&f.tot);
        need("tot", "Vul een einddatum in (dd-mm-jjjj).", until.is_some());
        let budget = Cents::parse_euros(&f.budget);
        need(
            "budget",
            "Vul het budget in euro's in, bijvoorbeeld 400.000,00.",
            budget.is_ok(),
        );
        let steering = SteeringModel::parse(&f.sturingsmodel);
        need("sturingsmodel", "Kies een sturingsmodel.", steering.is_ok());
        let variant = CommissionVariant::parse(&f.uitvoeringsvariant);
        need(
            "uitvoeringsvariant",
            "Kies een uitvoeringsvariant.",
            variant.is_ok(),
        );
        let fixed = Hundredths::parse(&f.vast_deel)
            .ok()
            .map(Hundredths::value)
            .filter(|bp| (0..=FULL_BP).contains(bp));
        need(
            "vast_deel",
            "Het vaste deel is een percentage van 0 tot 100.",
            fixed.is_some(),
        );
        let advances = f
            .voorschotten
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=12).contains(n));
        need(
            "voorschotten",
            "Kies 1 tot 12 voorschotten.",
            advances.is_some(),
        );
        let cap = match f.plafond.trim() {
            "" => Ok(None),
            t => Cents::parse_euros(t).map(Some),
        };
        need(
            "plafond",
            "Vul het plafond in euro's in, of laat het leeg.",
            cap.is_ok(),
        );
        let (
            Ok(kind),
            Some(provider_id),
            Some(from),
            Some(until),
            Ok(budget),
            Ok(steering),
            Ok(variant),
            Some(fixed_bp),
            Some(advances),
            Ok(cap),
        ) = (
            kind, provider, from, until, budget, steering, variant, fixed, advances, cap,
        )
        else {
            return Err(errors);
        };
        let commission = Commission {
            title: f.titel.clone(),
            kind,
            provider_id,
            goals,
            from,
            until,
            budget,
            steering,
            variant,
            chain_partners: f.ketenpartners.lines().map(str::to_owned).collect(),
            year_plan: String::new(),
            work_plan: String::new(),
        }
        .check()
        .map_err(|e| FieldErrors::only(e.field(), e.dutch()))?;
        if cap.is_some_and(|c| c > budget) {
            return Err(FieldErrors::only(
                "plafond",
                "Het plafond is hooguit het budget.",
            ));
        }
        Ok((
            commission,
            PaymentTerms {
                fixed_bp,
                advances,
                cap,
            },
        ))
    }
}

pub async fn create_commission(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<CommissionForm>,
) -> PageResult {
    let (commission, terms) = match <(Commission, PaymentTerms)>::try_from(&form) {
        Ok(c) => c,
        Err(errors) => {
            return overview_page(
                &state,
                &ctx,
                "",
                errors,
                form.kept(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    let providers = areas::providers(&mut tx).await?;
    let goals = cm::goals(&mut tx).await?;
    let unknown_goal = commission
        .goals
        .iter()
        .any(|g| !goals.iter().any(|known| known.id == *g));
    if !providers.iter().any(|p| p.id == commission.provider_id) || unknown_goal {
        drop(tx);
        return overview_page(
            &state,
            &ctx,
            "",
            FieldErrors::only("aanbieder", "Kies een aanbieder en doelen uit de lijst."),
            form.kept(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let id = cm::create_commission(&mut tx, &commission, terms).await?;
    // The advances, as scheduled: equal parts of the fixed share, spread over
    // the period.
    let plan = advance_plan(
        commission.budget,
        terms.fixed_bp,
        terms.advances,
        commission.from,
        commission.until,
    );
    let n = plan.len();
    for (k, (on, amount)) in plan.iter().enumerate() {
        cm::record_payment(
            &mut tx,
            id,
            false,
            *on,
            amount.value(),
            &format!(
                "Voorschot {} van {n}: het vaste deel in gelijke delen",
                k + 1
            ),
        )
        .await?;
    }
    done(
        tx,
        &ctx,
        ("commission", id),
        format!(
            "opdracht {} aan aanbieder {}, budget {}",
            commission.title, commission.provider_id, commission.budget
        ),
        &format!("/opdrachtgeverschap/opdrachten/{id}?opgeslagen=opdracht"),
    )
    .await
}

// ---------------------------------------------------------------- one commission

/// What the commission page shows to beleid and its provider alike: the
/// commission, its indicators, reports (made for every ended period), trends,
/// payment and the provider's scorecard. The caller commits `tx`.
pub async fn commission_sections(
    tx: &mut Tx,
    row: &cm::CommissionRow,
) -> baken_store::Result<Value> {
    let goals = cm::commission_goals(tx, row.id).await?;
    let indicators = cm::indicators(tx, row.id).await?;
    let reports = cm::ensure_reports(tx, row, cm::report_cadence(&indicators), today()).await?;
    let trends = view::trends(tx, &indicators, &reports).await?;
    let payment = payment_section(tx, row, &indicators).await?;
    let (card, products) = scorecard(tx, row).await?;
    let report_views: Vec<_> = reports
        .iter()
        .map(|r| {
            context! {
                id => r.id, period => format!("{} tot en met {}", nl_date(r.period_from), nl_date(r.period_until)),
                status => status_label(&r.status),
            }
        })
        .collect();
    Ok(context! {
        commission => view::commission(row, &goals),
        indicators => view::indicators(&indicators),
        reports => report_views, trends => trends, payment => payment, scorecard => card,
        product_scorecard => products,
    })
}

async fn commission_page_with(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    saved: &str,
    errors: FieldErrors,
    form: Form,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let row = cm::commission(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = commission_sections(&mut tx, &row).await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "commissioning/commission.html",
        &row.title,
        Value::from_serialize(context! {
            beleid => true,
            sources => source_choices(), cadences => Cadence::ALL.iter().map(|c| Choice { value: c.code().into(), label: c.label().into() }).collect::<Vec<_>>(),
            from_default => row.valid_from.format("%Y-%m-%d").to_string(),
            saved => saved, errors => errors, form => form,
            ..sections
        }),
    )?;
    Ok((status, html).into_response())
}

fn source_choices() -> Vec<Choice> {
    let mut out = vec![Choice {
        value: "aanbieder".into(),
        label: "Aangeleverd door de aanbieder, met bewijs".into(),
    }];
    out.extend(ComputedMeasure::ALL.iter().map(|m| Choice {
        value: m.code().into(),
        label: format!("Berekend door Baken: {}", m.label()),
    }));
    out
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "Open: de aanbieder vult in",
        "ingediend" => "Ingediend: wacht op beoordeling",
        "vragen" => "Vragen gesteld",
        "geaccepteerd" => "Geaccepteerd",
        _ => "Onbekend",
    }
}

/// The payment: the settlement once the year-end report is accepted,
/// otherwise a provisional calculation over the last accepted report; and
/// the payments made.
pub async fn payment_section(
    tx: &mut Tx,
    row: &cm::CommissionRow,
    indicators: &[cm::IndicatorRow],
) -> baken_store::Result<minijinja::Value> {
    let payments: Vec<_> = cm::payments(tx, Some(row.id))
        .await?
        .iter()
        .map(|p| {
            context! {
                kind => if p.kind == "vaststelling" { "Vaststelling" } else { "Voorschot" },
                on => nl_date(p.on_date), amount => view::money(p.cents),
            }
        })
        .collect();
    let settled = cm::payments(tx, Some(row.id))
        .await?
        .iter()
        .any(|p| p.kind == "vaststelling");
    let rule = match cm::payment_rule(row, indicators) {
        Ok(rule) => rule,
        Err(e) => {
            return Ok(context! {
                problem => format!("De betaalregel is nog niet compleet: {}", e.dutch()),
                payments => payments,
            })
        }
    };
    if let Some(s) = cm::settle(tx, row, indicators, &rule).await? {
        return Ok(context! {
            settlement => true, settled => settled,
            lines => view::basis(&s.payment.lines), settlement_lines => view::basis(&s.lines),
            payments => payments,
        });
    }
    let (heading, lines) = match cm::accepted_figures(tx, row.id).await? {
        Some((report, figures)) => (
            format!(
                "Voorlopige berekening over de rapportage tot en met {}",
                nl_date(report.period_until)
            ),
            rule.compute(&|id| figures.get(&id).copied()).lines,
        ),
        None => (
            "Voorlopige berekening: nog geen geaccepteerde rapportage".to_owned(),
            rule.compute(&|_| None).lines,
        ),
    };
    Ok(context! {
        settlement => false, heading => heading, lines => view::basis(&lines), payments => payments,
    })
}

/// The provider's scorecard, protected: households per district and per
/// product through the cell-key method and, where there are enough, the
/// (adjusted) change in self-reliance.
pub async fn scorecard(
    tx: &mut Tx,
    row: &cm::CommissionRow,
) -> baken_store::Result<(Vec<minijinja::Value>, Vec<minijinja::Value>)> {
    let fmt = |v: Option<i64>, enough: bool| {
        v.filter(|_| enough)
            .map_or_else(|| "—".to_owned(), scorecard::signed)
    };
    let districts = cm::scorecard(tx, row.provider_id, row.valid_from, row.valid_until)
        .await?
        .into_iter()
        .map(|r| {
            let (shown, enough) = scorecard::households(r.households, &r.cell);
            context! {
                district => r.district_name, households => shown,
                change => fmt(r.zrm_change, enough), adjusted => fmt(r.zrm_adjusted, enough),
            }
        })
        .collect();
    let products = cm::product_scorecard(
        tx,
        Some(row.provider_id),
        None,
        row.valid_from,
        row.valid_until,
    )
    .await?
    .into_iter()
    .map(|r| {
        let (shown, enough) = scorecard::households(r.households, &r.cell);
        context! {
            product => r.product_name,
            district => r.district.map_or_else(|| "Hele gemeente".to_owned(), |d| d.1),
            households => shown,
            change => fmt(r.zrm_change, enough), adjusted => fmt(r.zrm_adjusted, enough),
        }
    })
    .collect();
    Ok((districts, products))
}

pub async fn commission_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    commission_page_with(
        &state,
        &ctx,
        id,
        saved_text(&q),
        FieldErrors::new(),
        Form::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct IndicatorForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    definitie: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    horizon: String,
    #[serde(default)]
    bron: String,
    #[serde(default)]
    gebruik: String,
    #[serde(default)]
    nulmeting: String,
    #[serde(default)]
    streefwaarde: String,
    #[serde(default)]
    frequentie: String,
    #[serde(default)]
    gewicht: String,
    #[serde(default)]
    vanaf: String,
}

impl IndicatorForm {
    fn kept(&self) -> Form {
        Form::from([
            ("naam".into(), self.naam.clone()),
            ("definitie".into(), self.definitie.clone()),
            ("soort".into(), self.soort.clone()),
            ("horizon".into(), self.horizon.clone()),
            ("bron".into(), self.bron.clone()),
            ("gebruik".into(), self.gebruik.clone()),
            ("nulmeting".into(), self.nulmeting.clone()),
            ("streefwaarde".into(), self.streefwaarde.clone()),
            ("frequentie".into(), self.frequentie.clone()),
            ("gewicht".into(), self.gewicht.clone()),
            ("vanaf".into(), self.vanaf.clone()),
        ])
    }

    /// The indicator and its weight in the results share (basis points).
    fn parse(&self, default_from: chrono::NaiveDate) -> Result<(Indicator, i64), FieldErrors> {
        let mut errors = FieldErrors::new();
        let optional = |raw: &str| match raw.trim() {
            "" => Ok(None),
            t => Hundredths::parse(t).map(Some),
        };
        let horizon = self.horizon.trim().parse::<i64>().ok();
        let kind = IndicatorKind::parse(&self.soort, horizon).map_err(|e| (e.field(), e.dutch()));
        if let Err((field, message)) = &kind {
            errors.add(*field, message.clone());
        }
        let source = cm::parse_source(&self.bron);
        if source.is_err() {
            errors.add("bron", "Kies waar het cijfer vandaan komt.");
        }
        let role = IndicatorRole::parse(&self.gebruik);
        if role.is_err() {
            errors.add("gebruik", "Kies: context, streefwaarde of betaald.");
        }
        let baseline = optional(&self.nulmeting);
        if baseline.is_err() {
            errors.add(
                "nulmeting",
                "Vul de nulmeting in als getal, bijvoorbeeld 200 of 12,5.",
            );
        }
        let target = optional(&self.streefwaarde);
        if target.is_err() {
            errors.add(
                "streefwaarde",
                "Vul de streefwaarde in als getal, bijvoorbeeld 230.",
            );
        }
        let cadence = Cadence::parse(&self.frequentie);
        if cadence.is_err() {
            errors.add("frequentie", "Kies hoe vaak er wordt gerapporteerd.");
        }
        let weight = match self.gewicht.trim() {
            "" => Some(FULL_BP),
            t => Hundredths::parse(t)
                .ok()
                .map(Hundredths::value)
                .filter(|w| (1..=FULL_BP).contains(w)),
        };
        if weight.is_none() {
            errors.add("gewicht", "Het gewicht is een percentage van 1 tot 100.");
        }
        let valid_from = match self.vanaf.trim() {
            "" => Some(default_from),
            t => parse_date(t),
        };
        if valid_from.is_none() {
            errors.add("vanaf", "Vul een datum in (dd-mm-jjjj).");
        }
        let (
            Ok(kind),
            Ok(source),
            Ok(role),
            Ok(baseline),
            Ok(target),
            Ok(cadence),
            Some(weight),
            Some(valid_from),
        ) = (
            kind, source, role, baseline, target, cadence, weight, valid_from,
        )
        else {
            return Err(errors);
        };
        let indicator = Indicator {
            name: self.naam.clone(),
            definition: self.definitie.clone(),
            kind,
            source,
            role,
            baseline,
            target,
            cadence,
            version: 1,
            valid_from,
        }
        .check()
        .map_err(|e| FieldErrors::only(e.field(), e.dutch()))?;
        let weight = if indicator.role == IndicatorRole::Paid {
            weight
        } else {
            0
        };
        Ok((indicator, weight))
    }
}

pub async fn add_indicator(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<IndicatorForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let row = cm::commission(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (indicator, weight) = match form.parse(row.valid_from) {
        Ok(x) => x,
        Err(errors) => {
            // Refused: audited, nothing written.
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Denied,
                    Some(("commission", id.to_string())),
                    format!(
                        "indicator geweigerd: {}",
                        errors.iter().map(|(f, _)| f).collect::<Vec<_>>().join(", ")
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            return commission_page_with(
                &state,
                &ctx,
                id,
                "",
                errors,
                form.kept(),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let username = ctx.user()?.user.username.to_string();
    let ind = cm::add_indicator(&mut tx, id, &indicator, weight, &username).await?;
    done(
        tx,
        &ctx,
        ("indicator", ind),
        format!("indicator {} bij opdracht {id}", indicator.name),
        &format!("/opdrachtgeverschap/opdrachten/{id}?opgeslagen=indicator#indicatoren"),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct DefinitionForm {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    definitie: String,
    #[serde(default)]
    vanaf: String,
}

pub async fn change_definition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<DefinitionForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let indicators = cm::indicators(&mut tx, id).await?;
    let chosen = form
        .indicator
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|i| indicators.iter().find(|r| r.id == i));
    let refuse = |field: &str, message: &str| {
        let mut kept = Form::new();
        kept.insert("def_definitie".into(), form.definitie.clone());
        kept.insert("def_vanaf".into(), form.vanaf.clone());
        (FieldErrors::only(field, message), kept)
    };
    let outcome = match (chosen, parse_date(&form.vanaf)) {
        (None, _) => Err(refuse("def_indicator", "Kies de indicator.")),
        (_, None) => Err(refuse(
            "def_vanaf",
            "Vul de datum in vanaf wanneer de nieuwe definitie geldt.",
        )),
        (Some(row), Some(from)) => {
            let current = row.current();
            let mut next = current.indicator.clone();
            next.definition = form.definitie.clone();
            next.valid_from = from;
            if from <= current.indicator.valid_from {
                Err(refuse(
                    "def_vanaf",
                    "De nieuwe definitie begint na de huidige.",
                ))
            } else {
                next.check()
                    .map(|n| (row.id, n, current.weight_bp))
                    .map_err(|e| refuse("def_definitie", &e.dutch()))
            }
        }
    };
    let (indicator_id, next, weight) = match outcome {
        Ok(x) => x,
        Err((errors, kept)) => {
            drop(tx);
            return commission_page_with(
                &state,
                &ctx,
                id,
                "",
                errors,
                kept,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let username = ctx.user()?.user.username.to_string();
    let version = cm::change_indicator(&mut tx, indicator_id, &next, weight, &username).await?;
    done(
        tx,
        &ctx,
        ("indicator", indicator_id),
        format!(
            "definitie versie {version} vanaf {}",
            nl_date(next.valid_from)
        ),
        &format!("/opdrachtgeverschap/opdrachten/{id}?opgeslagen=definitie#indicatoren"),
    )
    .await
}

/// Records the settlement's balance as a payment, once.
pub async fn settle(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let row = cm::commission(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let indicators = cm::indicators(&mut tx, id).await?;
    let already = cm::payments(&mut tx, Some(id))
        .await?
        .iter()
        .any(|p| p.kind == "vaststelling");
    let settlement = match cm::payment_rule(&row, &indicators) {
        Ok(rule) => cm::settle(&mut tx, &row, &indicators, &rule).await?,
        Err(_) => None,
    };
    let Some(s) = settlement.filter(|_| !already) else {
        drop(tx);
        let message = if already {
            "De vaststelling is al vastgelegd."
        } else {
            "Vaststellen kan pas als de rapportage over de laatste periode is geaccepteerd."
        };
        return commission_page_with(
            &state,
            &ctx,
            id,
            "",
            FieldErrors::only("vaststelling", message),
            Form::new(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let basis = s
        .payment
        .lines
        .iter()
        .chain(&s.lines)
        .map(|l| {
            format!(
                "{}: {}{}",
                l.label,
                view::money(l.cents),
                if l.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", l.detail)
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    cm::record_payment(&mut tx, id, true, today(), s.balance, &basis).await?;
    done(
        tx,
        &ctx,
        ("commission", id),
        format!(
            "vaststelling: {} (saldo {})",
            view::money(s.payment.total.value()),
            view::money(s.balance)
        ),
        &format!("/opdrachtgeverschap/opdrachten/{id}?opgeslagen=vaststelling#betaling"),
    )
    .await
}

// ---------------------------------------------------------------- reports

/// How a report page is shown: after a save (its message), or with a
/// refused form (the errors, what was entered, the status).
pub struct Shown<'a> {
    pub saved: &'a str,
    pub errors: FieldErrors,
    pub form: Form,
    pub status: StatusCode,
}

pub async fn report_page_with(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    own_provider: Option<i64>,
    shown: Shown<'_>,
) -> PageResult {
    let Shown {
        saved,
        errors,
        form,
        status,
    } = shown;
    let mut tx = state.db.begin().await?;
    let report = cm::report(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let row = cm::commission(&mut tx, report.commission_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if own_provider.is_some_and(|p| p != row.provider_id) {
        return Err(AppError::NotFound.into());
    }
    let goals = cm::commission_goals(&mut tx, row.id).await?;
    let indicators = cm::indicators(&mut tx, row.id).await?;
    let figures = view::report_figures(&mut tx, &row, &goals, &indicators, &report).await?;
    let events = cm::report_events(&mut tx, id).await?;
    tx.commit().await?;
    let share = view::prefilled_share(&figures);
    let open = matches!(report.status.as_str(), "open" | "vragen");
    let html = render(
        state,
        ctx,
        "commissioning/report.html",
        "Rapportage",
        Value::from_serialize(context! {
            report => context! {
                id => report.id, version => report.version, narrative => report.narrative,
                period => format!("{} tot en met {}", nl_date(report.period_from), nl_date(report.period_until)),
                status => status_label(&report.status), open => open,
                submitted => report.status == "ingediend", questions => report.status == "vragen",
            },
            commission => view::commission(&row, &goals),
            figures => figures, share => share,
            events => events.iter().map(|e| context! {
                at => crate::support::time::nl_local(e.at).format("%d-%m-%Y %H:%M").to_string(),
                what => view::event_text(&e.kind, &e.username, &e.role), text => e.text,
            }).collect::<Vec<_>>(),
            beleid => own_provider.is_none(),
            saved => saved, errors => errors, form => form,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    report_page_with(
        &state,
        &ctx,
        id,
        None,
        Shown {
            saved: saved_text(&q),
            errors: FieldErrors::new(),
            form: Form::new(),
            status: StatusCode::OK,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    actie: String,
    #[serde(default)]
    tekst: String,
}

/// Accept the report, or ask a question (the thread keeps it).
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReviewForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let step = match form.actie.as_str() {
        "accepteren" => ReportStep::Accept,
        "vragen" if form.tekst.trim().chars().count() >= 5 => ReportStep::Ask,
        "vragen" => {
            return report_page_with(
                &state,
                &ctx,
                id,
                None,
                Shown {
                    saved: "",
                    errors: FieldErrors::only("tekst", "Schrijf uw vraag (minstens 5 tekens)."),
                    form: Form::from([("tekst".to_owned(), form.tekst.clone())]),
                    status: StatusCode::BAD_REQUEST,
                },
            )
            .await
        }
        _ => {
            return report_page_with(
                &state,
                &ctx,
                id,
                None,
                Shown {
                    saved: "",
                    errors: FieldErrors::only("actie", "Kies: accepteren of een vraag stellen."),
                    form: Form::new(),
                    status: StatusCode::BAD_REQUEST,
                },
            )
            .await
        }
    };
    let user = ctx.user()?.user.username.to_string();
    let mut tx = state.db.begin().await?;
    cm::report(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let text = form.tekst.trim().chars().take(4000).collect::<String>();
    if !cm::report_step(&mut tx, id, step, "beleid", &user, &text).await? {
        drop(tx);
        return report_page_with(
            &state,
            &ctx,
            id,
            None,
            Shown {
                saved: "",
                errors: FieldErrors::only("actie", "Dit kan alleen bij een ingediende rapportage."),
                form: Form::new(),
                status: StatusCode::BAD_REQUEST,
            },
        )
        .await;
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("report", id.to_string())),
            if step == ReportStep::Accept {
                "rapportage geaccepteerd".to_owned()
            } else {
                "vraag gesteld bij de rapportage".to_owned()
            },
        ),
    )
    .await?;
    tx.commit().await?;
    let saved = if step == ReportStep::Accept {
        "geaccepteerd"
    } else {
        "vraag"
    };
    Ok(Redirect::to(&format!(
        "/opdrachtgeverschap/rapportages/{id}?opgeslagen={saved}"
    ))
    .into_response())
}

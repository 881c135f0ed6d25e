//! Plans through the API: open, goals, agreements (end, continue), evaluation, close.

use super::common::{
    check_justification, check_scores, code_of, finish, life_domain, parse, rung, ApiResult,
};
use super::conversations::{provider_name, scores_from};
use crate::casework::common::{internal, scoped_household, who};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::state::AppState;
use crate::support::time::today;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use baken_domain::casework::{
    AgreementActor, AgreementDecision, ConversationError, Evaluation, GoalOutcome, Justification,
    LifeDomain, NewAgreement, NewGoal, PlanError, ReferralStatus, Term,
};
use baken_domain::{AuditAction, AuditOutcome, LadderStep, SupportForm};
use baken_store::casework::{self as cw, CaseError};
use baken_store::{audit, Tx};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

fn plan_json(p: &baken_domain::casework::Plan, version: i64, day: NaiveDate) -> serde_json::Value {
    let (closed_on, close_reason) = match p.status() {
        baken_domain::casework::PlanStatus::Closed { on, reason } => {
            (Some(*on), Some(reason.clone()))
        }
        baken_domain::casework::PlanStatus::Open => (None, None),
    };
    json!({
        "id": p.id(), "householdId": p.household_id(), "openedOn": p.opened_on(), "open": p.is_open(), "version": version,
        "closedOn": closed_on, "closeReason": close_reason,
        "flagged": !p.flags(day).is_empty(),
        "goals": p.goals().iter().map(|g| json!({
            "id": g.id(), "domain": g.domain().as_str(), "description": g.description(), "measure": g.measure(),
            "targetDate": g.target_date(), "term": g.term().as_str(),
            "outcome": g.result().map(|r| json!({"result": r.outcome.as_str(), "on": r.on, "note": r.note})),
        })).collect::<Vec<_>>(),
        "agreements": p.agreements().iter().map(|a| {
            let t = a.terms();
            json!({
                "id": a.id(), "goalId": t.goal_id, "actor": t.actor.as_str(), "actorName": t.actor_name,
                "providerId": t.provider_id,
                "description": t.description, "step": t.step.value(), "form": t.form.label(),
                "frequency": t.frequency, "start": t.start, "endOrEvaluationDate": t.end_date,
                "ownContribution": t.own_contribution, "referralId": t.referral_id,
                "lastEvaluatedOn": a.last_evaluated(),
                "endedOn": a.ended_on(), "evaluationOverdue": a.evaluation_overdue(day),
            })
        }).collect::<Vec<_>>(),
        "referrals": p.referrals().iter().map(referral_json).collect::<Vec<_>>(),
    })
}

pub(crate) fn referral_json(r: &baken_domain::casework::Referral) -> serde_json::Value {
    let (note, decided_on) = match r.status() {
        ReferralStatus::Pending => (String::new(), None),
        ReferralStatus::Approved { note, on, .. } => (note.clone(), Some(*on)),
        ReferralStatus::Rejected { reason, on, .. } => (reason.clone(), Some(*on)),
    };
    json!({ "id": r.id(), "planId": r.plan_id(), "care": r.care(), "requestedOn": r.requested_on(), "status": r.status().code(), "decisionNote": note, "decidedOn": decided_on })
}

pub async fn plans(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Read).await
    );
    let case = cw::load_case(&mut tx, h.id).await.map_err(internal)?;
    let mut items = Vec::new();
    for p in case.plans() {
        let v = cw::plan_version(&mut tx, p.id()).await.map_err(internal)?;
        items.push(plan_json(p, v, day));
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", h.id.to_string())),
            "api: plannen",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(
        Json(json!({ "coordinatorId": case.coordinator(), "_embedded": { "plans": items } }))
            .into_response(),
    )
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OpenPlanJson {
    /// The day work on the plan started (recorded afterwards); today if absent.
    opened_on: Option<NaiveDate>,
}

pub async fn open_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: OpenPlanJson = if body.is_empty() {
        OpenPlanJson::default()
    } else {
        parse(&body)?
    };
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Create).await
    );
    let on = b.opened_on.unwrap_or_else(today);
    let result = cw::open_plan(&mut tx, h.id, on, today(), &who(&user))
        .await
        .map(|p| {
            (
                json!({ "id": p, "version": 1 }),
                format!("api: plan {p} geopend"),
            )
        });
    finish(&state, &ctx, tx, h.id, StatusCode::CREATED, result).await
}

/// The plan's household within scope.
pub(crate) async fn plan_scope(
    tx: &mut Tx,
    ctx: &Ctx,
    plan: &str,
    action: AuditAction,
) -> Result<(i64, i64), AppError> {
    let user = ctx.user()?.clone();
    let plan = path_id(plan)?;
    let hh = cw::plan_household(tx, plan)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    scoped_household(tx, ctx, &user, hh, action).await?;
    Ok((plan, hh))
}

/// An agreement's plan and household within scope.
async fn agreement_scope(
    tx: &mut Tx,
    ctx: &Ctx,
    agreement: &str,
) -> Result<(i64, i64, i64), AppError> {
    let user = ctx.user()?.clone();
    let agreement = path_id(agreement)?;
    let (hh, plan) = cw::agreement_household(tx, agreement)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    scoped_household(tx, ctx, &user, hh, AuditAction::Update).await?;
    Ok((agreement, plan, hh))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GoalJson {
    version: i64,
    domain: String,
    description: String,
    measure: String,
    target_date: NaiveDate,
    term: String,
}

pub async fn add_goal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: GoalJson = parse(&body)?;
    life_domain("domain", &b.domain)?;
    code_of("term", &b.term, Term::parse, Term::ALL, Term::as_str)?;
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let result: Result<_, CaseError> = async {
        let g = NewGoal {
            domain: LifeDomain::parse(&b.domain).map_err(|_| ConversationError::Domain)?,
            description: b.description.clone(),
            measure: b.measure.clone(),
            target_date: b.target_date,
            term: Term::parse(&b.term)?,
        };
        let gid = cw::add_goal(&mut tx, plan, b.version, &g, &who(&user)).await?;
        Ok((
            json!({ "id": gid, "version": b.version + 1 }),
            format!("api: doel {gid}"),
        ))
    }
    .await;
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AgreementJson {
    version: i64,
    goal_id: i64,
    actor: String,
    /// Who, by name; for a provider on the social map its name is used.
    #[serde(default)]
    actor_name: String,
    /// The provider on the social map that carries it out, if any.
    provider_id: Option<i64>,
    description: String,
    step: u8,
    form: String,
    #[serde(default)]
    frequency: String,
    start: NaiveDate,
    end_or_evaluation_date: Option<NaiveDate>,
    #[serde(default)]
    own_contribution: String,
    /// Why each lighter step does not suffice, keyed "1".."4".
    #[serde(default)]
    justification: BTreeMap<String, String>,
    referral_id: Option<i64>,
}

pub(crate) fn justification_from(map: &BTreeMap<String, String>) -> Option<Justification> {
    let j = Justification::new(
        map.iter()
            .filter_map(|(k, v)| Some((LadderStep::new(k.parse().ok()?).ok()?, v.clone()))),
    );
    let any = j.reasons().next().is_some();
    any.then_some(j)
}

pub async fn add_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: AgreementJson = parse(&body)?;
    let step = LadderStep::new(b.step).map_err(|e| AppError::invalid("step", e.to_string()))?;
    let form = SupportForm::parse(&b.form).map_err(|e| AppError::invalid("form", e.to_string()))?;
    let actor = code_of(
        "actor",
        &b.actor,
        AgreementActor::parse,
        AgreementActor::ALL,
        AgreementActor::as_str,
    )?;
    check_justification(&b.justification)?;
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let actor_name = match b.provider_id {
        Some(pid) => {
            let providers = baken_store::areas::providers(&mut tx).await?;
            provider_name(&providers, pid, "providerId")?
        }
        None => b.actor_name.clone(),
    };
    let a = NewAgreement {
        goal_id: b.goal_id,
        actor,
        actor_name,
        provider_id: b.provider_id,
        description: b.description.clone(),
        step,
        form,
        frequency: b.frequency.clone(),
        start: b.start,
        end_date: b.end_or_evaluation_date,
        own_contribution: b.own_contribution.clone(),
        justification: justification_from(&b.justification),
        referral_id: b.referral_id,
    };
    let result = cw::add_agreement(&mut tx, plan, b.version, &a, &who(&user))
        .await
        .map(|aid| {
            (
                json!({ "id": aid, "version": b.version + 1 }),
                format!("api: afspraak {aid} trede {}", step.value()),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EndAgreementJson {
    version: i64,
    /// The day it ended; today if absent.
    ended_on: Option<NaiveDate>,
}

pub async fn end_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: EndAgreementJson = parse(&body)?;
    let mut tx = state.db.begin().await?;
    let (aid, plan, hh) = in_scope!(tx, agreement_scope(&mut tx, &ctx, &id).await);
    let on = b.ended_on.unwrap_or_else(today);
    let result = cw::end_agreement(&mut tx, plan, b.version, aid, on, today(), &who(&user))
        .await
        .map(|()| {
            (
                json!({ "agreementId": aid, "planId": plan, "endedOn": on, "version": b.version + 1 }),
                format!("api: afspraak {aid} beëindigd"),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::OK, result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContinueAgreementJson {
    version: i64,
    /// The day it was evaluated; today if absent.
    evaluated_on: Option<NaiveDate>,
    /// Its new end or evaluation date (required for professional help).
    until: Option<NaiveDate>,
}

/// Evaluates an agreement and continues it to a new date: this clears an
/// overdue-evaluation flag without ending the agreement.
pub async fn continue_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: ContinueAgreementJson = parse(&body)?;
    let mut tx = state.db.begin().await?;
    let (aid, plan, hh) = in_scope!(tx, agreement_scope(&mut tx, &ctx, &id).await);
    let on = b.evaluated_on.unwrap_or_else(today);
    let result = cw::continue_agreement(
        &mut tx,
        plan,
        b.version,
        aid,
        on,
        b.until,
        today(),
        &who(&user),
    )
    .await
    .map(|()| {
        (
            json!({ "agreementId": aid, "planId": plan, "evaluatedOn": on, "until": b.until, "version": b.version + 1 }),
            format!("api: afspraak {aid} geëvalueerd en voortgezet"),
        )
    });
    finish(&state, &ctx, tx, hh, StatusCode::OK, result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClosePlanJson {
    version: i64,
    reason: String,
}

pub async fn close_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: ClosePlanJson = parse(&body)?;
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let day = today();
    let result = cw::close_plan(&mut tx, plan, b.version, day, &b.reason, day, &who(&user))
        .await
        .map(|()| {
            (
                json!({ "planId": plan, "closedOn": day, "version": b.version + 1 }),
                format!("api: plan {plan} gesloten"),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::OK, result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AgreementDecisionJson {
    /// continue or end.
    decision: String,
    /// For continue: the new end or evaluation date.
    until: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EvaluationJson {
    version: i64,
    held_on: NaiveDate,
    /// Per goal id: behaald, deels or niet.
    outcomes: BTreeMap<String, String>,
    #[serde(default)]
    notes: BTreeMap<String, String>,
    /// Per running agreement id: continue it to a new date, or end it.
    #[serde(default)]
    agreements: BTreeMap<String, AgreementDecisionJson>,
    #[serde(default)]
    scores: BTreeMap<String, String>,
    participation_rung: Option<u8>,
    #[serde(default)]
    note: String,
}

pub async fn add_evaluation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: EvaluationJson = parse(&body)?;
    for (g, o) in &b.outcomes {
        if g.parse::<i64>().ok().filter(|n| *n > 0).is_none() {
            return Err(AppError::invalid(
                format!("outcomes.{g}"),
                "the keys are goal ids (whole numbers)",
            )
            .into());
        }
        code_of(
            &format!("outcomes.{g}"),
            o,
            GoalOutcome::parse,
            GoalOutcome::ALL,
            GoalOutcome::as_str,
        )?;
    }
    check_scores("scores", &b.scores)?;
    let participation = rung(b.participation_rung)?;
    let mut agreements = Vec::new();
    for (a, d) in &b.agreements {
        let aid = a.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            AppError::invalid(
                format!("agreements.{a}"),
                "the keys are agreement ids (whole numbers)",
            )
        })?;
        let decision = match d.decision.as_str() {
            "continue" => AgreementDecision::Continue { until: d.until },
            "end" if d.until.is_none() => AgreementDecision::End,
            "end" => {
                return Err(AppError::invalid(
                    format!("agreements.{a}.until"),
                    "an ended agreement has no until date",
                )
                .into())
            }
            other => {
                return Err(AppError::invalid(
                    format!("agreements.{a}.decision"),
                    format!("'{other}' is not one of: continue, end"),
                )
                .into())
            }
        };
        agreements.push((aid, decision));
    }
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let result: Result<_, CaseError> = async {
        let mut outcomes = Vec::new();
        for (g, o) in &b.outcomes {
            let gid = g.parse::<i64>().map_err(|_| PlanError::UnknownGoal(0))?;
            outcomes.push((
                gid,
                GoalOutcome::parse(o)?,
                b.notes.get(g).cloned().unwrap_or_default(),
            ));
        }
        let scores = scores_from(&b.scores)?;
        let e = cw::record_evaluation(
            &mut tx,
            plan,
            b.version,
            &Evaluation {
                on: b.held_on,
                outcomes,
                agreements,
            },
            &scores,
            participation,
            &b.note,
            today(),
            &who(&user),
        )
        .await?;
        Ok((
            json!({ "id": e, "version": b.version + 1 }),
            format!("api: evaluatie {e}"),
        ))
    }
    .await;
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

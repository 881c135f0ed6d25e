//! Plans through the API: open, goals, agreements (end, continue), evaluation, close.

use super::common::{
    answer, check_scores, code_of, justification_of, life_domain, parse, rung, ApiResult,
};
use super::conversations::scores_from;
use crate::casework::change::{self, PlanTarget};
use crate::casework::common::{internal, scoped_household, EvaluationInput};
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
    AgreementActor, AgreementDecision, Evaluation, GoalOutcome, NewAgreement, NewGoal,
    ReferralStatus, Term,
};
use baken_domain::{AuditAction, AuditOutcome, LadderStep, SupportForm};
use baken_store::audit;
use baken_store::casework::{self as cw};
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
                "endedOn": a.ended_on(), "withdrawalReason": a.withdrawal_reason(),
                "evaluationOverdue": a.evaluation_overdue(day),
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
    let household = path_id(&id)?;
    let b: OpenPlanJson = if body.is_empty() {
        OpenPlanJson::default()
    } else {
        parse(&body)?
    };
    let result = change::open_plan(&state, &ctx, household, b.opened_on).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value, "version": 1 }),
    )
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
    let b: GoalJson = parse(&body)?;
    let goal = NewGoal {
        domain: life_domain("domain", &b.domain)?,
        description: b.description,
        measure: b.measure,
        target_date: b.target_date,
        term: code_of("term", &b.term, Term::parse, Term::ALL, Term::as_str)?,
    };
    let target = PlanTarget::plan(path_id(&id)?, b.version);
    let result = change::add_goal(&state, &ctx, target, &goal).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value, "version": b.version + 1 }),
    )
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

pub async fn add_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
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
    let justification = justification_of(&b.justification)?;
    let agreement = NewAgreement {
        goal_id: b.goal_id,
        actor,
        actor_name: b.actor_name,
        provider_id: b.provider_id,
        description: b.description,
        step,
        form,
        frequency: b.frequency,
        start: b.start,
        end_date: b.end_or_evaluation_date,
        own_contribution: b.own_contribution,
        justification,
        referral_id: b.referral_id,
    };
    let target = PlanTarget::plan(path_id(&id)?, b.version);
    let result = change::add_agreement(&state, &ctx, target, agreement).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value, "version": b.version + 1 }),
    )
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
    let b: EndAgreementJson = parse(&body)?;
    let agreement = path_id(&id)?;
    let target = PlanTarget::agreement(agreement, b.version);
    let result = change::end_agreement(&state, &ctx, target, agreement, b.ended_on).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "agreementId": agreement, "planId": c.value.plan, "endedOn": c.value.on, "version": b.version + 1 }),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithdrawAgreementJson {
    version: i64,
    /// Why the agreement lapses ("vervallen": entered by mistake).
    reason: String,
}

/// Withdraws an agreement entered by mistake, today, with a reason.
pub async fn withdraw_agreement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let b: WithdrawAgreementJson = parse(&body)?;
    let agreement = path_id(&id)?;
    let target = PlanTarget::agreement(agreement, b.version);
    let result = change::withdraw_agreement(&state, &ctx, target, agreement, &b.reason).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "agreementId": agreement, "planId": c.value.plan, "withdrawnOn": c.value.on, "version": b.version + 1 }),
    )
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
    let b: ContinueAgreementJson = parse(&body)?;
    let agreement = path_id(&id)?;
    let target = PlanTarget::agreement(agreement, b.version);
    let result =
        change::continue_agreement(&state, &ctx, target, agreement, b.evaluated_on, b.until).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "agreementId": agreement, "planId": c.value.plan, "evaluatedOn": c.value.on, "until": b.until, "version": b.version + 1 }),
    )
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
    let b: ClosePlanJson = parse(&body)?;
    let plan = path_id(&id)?;
    let target = PlanTarget::plan(plan, b.version);
    let result = change::close_plan(&state, &ctx, target, &b.reason).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "planId": plan, "closedOn": c.value, "version": b.version + 1 }),
    )
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
    let b: EvaluationJson = parse(&body)?;
    let mut outcomes = Vec::new();
    for (g, o) in &b.outcomes {
        let goal = g.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            AppError::invalid(
                format!("outcomes.{g}"),
                "the keys are goal ids (whole numbers)",
            )
        })?;
        let outcome = code_of(
            &format!("outcomes.{g}"),
            o,
            GoalOutcome::parse,
            GoalOutcome::ALL,
            GoalOutcome::as_str,
        )?;
        outcomes.push((goal, outcome, b.notes.get(g).cloned().unwrap_or_default()));
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
    let input = EvaluationInput {
        evaluation: Evaluation {
            on: b.held_on,
            outcomes,
            agreements,
        },
        scores: scores_from(&b.scores).map_err(internal)?,
        rung: participation,
        note: b.note,
    };
    let target = PlanTarget::plan(path_id(&id)?, b.version);
    let result = change::record_evaluation(&state, &ctx, target, &input).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value, "version": b.version + 1 }),
    )
}

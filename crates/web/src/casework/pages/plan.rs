//! Changing a household's plan from the dossier: opening it, goals, agreements
//! (adding, ending, continuing), a referral, closing. Each form is parsed into
//! the domain's input once; the change itself is `casework::change`'s.

use super::dossier::{answer_change, refused_form, Typed};
use super::shared::{optional_date, plan_version, refuse, required_date};
use crate::casework::change::{self, PlanPart, PlanTarget};
use crate::casework::common::{field, form_map, justification, FormMap};
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::parse_date;
use axum::extract::{Path, State};
use axum::Form;
use baken_domain::casework::{
    AgreementActor, ConversationError, Justification, LifeDomain, NewAgreement, NewGoal, PlanError,
    Term,
};
use baken_domain::{LadderStep, SupportForm};
use baken_store::casework::CaseError;
use chrono::NaiveDate;

/// A plan form that did not parse: the dossier of the plan's household again.
async fn refused_plan_form(
    state: &AppState,
    ctx: &Ctx,
    plan: i64,
    errors: FieldErrors,
    typed: Typed,
    anchor: &str,
) -> PageResult {
    let household = change::household_of_plan(state, ctx, PlanPart::Plan(plan)).await?;
    refused_form(state, ctx, household, errors, typed, anchor).await
}

pub async fn open_plan_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let household = path_id(&id)?;
    let f = form_map(pairs);
    let typed = Typed::of(&f);
    // The day work on the plan started; empty is today.
    let mut errors = FieldErrors::new();
    let started = optional_date(&mut errors, "gestart", "gestart", field(&f, "gestart"));
    if !errors.is_empty() {
        return refused_form(&state, &ctx, household, errors, typed, "plan").await;
    }
    let result = change::open_plan(&state, &ctx, household, started).await;
    // A date the plan refuses belongs to the start date of this form.
    answer_change(&state, &ctx, result, typed, "plan", |e| {
        matches!(e, CaseError::Plan(PlanError::Date(_))).then(|| "gestart".to_owned())
    })
    .await
}

fn parse_goal(f: &FormMap) -> Result<NewGoal, FieldErrors> {
    let mut errors = FieldErrors::new();
    let domain = LifeDomain::parse(field(f, "domein"))
        .map_err(|_| refuse(&mut errors, None, ConversationError::Domain))
        .ok();
    let target_date = required_date(
        &mut errors,
        "streefdatum",
        "streefdatum",
        field(f, "streefdatum"),
    );
    match (domain, target_date) {
        (Some(domain), Some(target_date)) => errors.or_ok(NewGoal {
            domain,
            description: field(f, "omschrijving").to_owned(),
            measure: field(f, "meetbaar").to_owned(),
            target_date,
            term: Term::parse(field(f, "termijn")).unwrap_or(Term::Short),
        }),
        _ => Err(errors),
    }
}

pub async fn goal_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let typed = Typed::of(&f);
    let goal = match parse_goal(&f) {
        Ok(goal) => goal,
        Err(errors) => return refused_plan_form(&state, &ctx, plan, errors, typed, "doelen").await,
    };
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::add_goal(&state, &ctx, target, &goal).await;
    answer_change(&state, &ctx, result, typed, "doelen", |_| None).await
}

/// Why each lighter step does not suffice: `reden1` … `reden4`.
fn reasons(f: &FormMap) -> Option<Justification> {
    justification([
        ("1", field(f, "reden1")),
        ("2", field(f, "reden2")),
        ("3", field(f, "reden3")),
        ("4", field(f, "reden4")),
    ])
}

fn parse_agreement(f: &FormMap) -> Result<NewAgreement, FieldErrors> {
    let mut errors = FieldErrors::new();
    let step = field(f, "trede")
        .parse::<u8>()
        .ok()
        .and_then(|s| LadderStep::new(s).ok());
    if step.is_none() {
        refuse(&mut errors, None, PlanError::Text("trede"));
    }
    let goal_id = field(f, "doel").parse::<i64>().ok();
    if goal_id.is_none() {
        refuse(&mut errors, None, PlanError::UnknownGoal(0));
    }
    let provider_id = match field(f, "aanbieder") {
        "" => None,
        id => {
            let id = id.parse::<i64>().ok();
            if id.is_none() {
                errors.add(
                    "aanbieder",
                    "Kies een aanbieder uit de lijst van de sociale kaart.",
                );
            }
            id
        }
    };
    let actor = AgreementActor::parse(field(f, "wie_soort"))
        .map_err(|_| refuse(&mut errors, None, PlanError::Text("wie_soort")))
        .ok();
    let support = SupportForm::parse(field(f, "vorm"))
        .map_err(|_| refuse(&mut errors, None, PlanError::Text("vorm")))
        .ok();
    let start = required_date(&mut errors, "start", "start", field(f, "start"));
    match (step, goal_id, actor, support, start) {
        (Some(step), Some(goal_id), Some(actor), Some(support), Some(start)) => {
            errors.or_ok(NewAgreement {
                goal_id,
                actor,
                // A provider's own name replaces this in the change.
                actor_name: field(f, "wie").to_owned(),
                provider_id,
                description: field(f, "wat").to_owned(),
                step,
                form: support,
                frequency: field(f, "frequentie").to_owned(),
                start,
                // An unreadable end date is no end date: the plan's rules
                // then ask for one where professional help needs it.
                end_date: parse_date(field(f, "einddatum")),
                own_contribution: field(f, "eigen_inzet").to_owned(),
                justification: reasons(f),
                referral_id: field(f, "verwijzing").parse::<i64>().ok(),
            })
        }
        _ => Err(errors),
    }
}

pub async fn agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let typed = Typed::of(&f);
    let agreement = match parse_agreement(&f) {
        Ok(agreement) => agreement,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await
        }
    };
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::add_agreement(&state, &ctx, target, agreement).await;
    answer_change(&state, &ctx, result, typed, "afspraken", |_| None).await
}

/// An agreement of the plan, by id (a hidden control).
fn agreement_id(errors: &mut FieldErrors, afspraak: &str) -> Option<i64> {
    let id = afspraak.trim().parse::<i64>().ok();
    if id.is_none() {
        refuse(errors, None, PlanError::UnknownAgreement(0));
    }
    id
}

pub async fn end_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let typed = Typed::of(&f);
    let mut errors = FieldErrors::new();
    let Some(agreement) = agreement_id(&mut errors, field(&f, "afspraak")) else {
        return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await;
    };
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::end_agreement(&state, &ctx, target, agreement, None).await;
    answer_change(&state, &ctx, result, typed, "afspraken", |_| None).await
}

/// Evaluates one agreement and continues it to a new end or evaluation date,
/// which clears its overdue flag without ending it.
pub async fn continue_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let typed = Typed::of(&f);
    let mut errors = FieldErrors::new();
    let agreement = agreement_id(&mut errors, field(&f, "afspraak"));
    // The day it was evaluated (empty is today), and its new date.
    let on: Option<NaiveDate> = optional_date(&mut errors, "datum", "datum", field(&f, "datum"));
    let until = optional_date(&mut errors, "tot", "tot", field(&f, "tot"));
    let Some(agreement) = agreement.filter(|_| errors.is_empty()) else {
        return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await;
    };
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::continue_agreement(&state, &ctx, target, agreement, on, until).await;
    // The form sits in the agreement's own row: every message goes there,
    // next to the new date or the evaluation date.
    answer_change(&state, &ctx, result, typed, "afspraken", |e| {
        Some(match e {
            CaseError::Plan(PlanError::EndDateMissing | PlanError::EndBeforeStart) => {
                format!("tot_{agreement}")
            }
            _ => format!("datum_{agreement}"),
        })
    })
    .await
}

pub async fn referral_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result =
        change::request_referral(&state, &ctx, target, field(&f, "zorg"), reasons(&f)).await;
    answer_change(&state, &ctx, result, Typed::of(&f), "verwijzingen", |_| {
        None
    })
    .await
}

pub async fn close_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let plan = path_id(&id)?;
    let f = form_map(pairs);
    let version = plan_version(field(&f, "versie"))?;
    let target = PlanTarget {
        part: PlanPart::Plan(plan),
        version,
    };
    let result = change::close_plan(&state, &ctx, target, field(&f, "reden")).await;
    answer_change(&state, &ctx, result, Typed::of(&f), "sluiten", |_| None).await
}

//! Changing a household's plan from the dossier: opening it, goals, agreements
//! (adding, ending, continuing), a referral, closing. Each form is parsed into
//! the domain's input once; the change itself is `casework::change`'s.

use super::dossier::{answer_change, refused_form, Typed};
use super::shared::{optional_date, plan_version, refuse, required_date};
use crate::casework::change::{self, PlanPart, PlanTarget};
use crate::casework::common::justification;
use crate::support::ctx::Ctx;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::parse_date;
use axum::extract::{Path, State};
use baken_domain::casework::{
    AgreementActor, ConversationError, Justification, LifeDomain, NewAgreement, NewGoal, PlanError,
    Term,
};
use baken_domain::contracting::{ReferralCare, ReferralCareError};
use baken_domain::{LadderStep, SupportForm};
use baken_store::casework::CaseError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A plan form that did not parse: the dossier of the plan's household again.
pub(crate) async fn refused_plan_form(
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

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct OpenPlanForm {
    /// The day work on the plan started; empty is today.
    #[serde(default)]
    gestart: String,
}

impl OpenPlanForm {
    fn parse(&self) -> Result<Option<NaiveDate>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let started = optional_date(&mut errors, "gestart", "gestart", &self.gestart);
        errors.or_ok(started)
    }
}

pub async fn open_plan_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<OpenPlanForm>,
) -> PageResult {
    let household = path_id(&id)?;
    let typed = Typed::of(&form);
    let started = match form.parse() {
        Ok(started) => started,
        Err(errors) => return refused_form(&state, &ctx, household, errors, typed, "plan").await,
    };
    let result = change::open_plan(&state, &ctx, household, started).await;
    // A date the plan refuses belongs to the start date of this form.
    answer_change(&state, &ctx, result, typed, "plan", |e| {
        matches!(e, CaseError::Plan(PlanError::Date(_))).then(|| "gestart".to_owned())
    })
    .await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct GoalForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    domein: String,
    #[serde(default)]
    omschrijving: String,
    #[serde(default)]
    meetbaar: String,
    #[serde(default)]
    streefdatum: String,
    #[serde(default)]
    termijn: String,
}

impl TryFrom<&GoalForm> for NewGoal {
    type Error = FieldErrors;

    fn try_from(form: &GoalForm) -> Result<NewGoal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let domain = LifeDomain::parse(form.domein.trim())
            .map_err(|_| refuse(&mut errors, None, ConversationError::Domain))
            .ok();
        let target_date =
            required_date(&mut errors, "streefdatum", "streefdatum", &form.streefdatum);
        match (domain, target_date) {
            (Some(domain), Some(target_date)) => errors.or_ok(NewGoal {
                domain,
                description: form.omschrijving.trim().to_owned(),
                measure: form.meetbaar.trim().to_owned(),
                target_date,
                term: Term::parse(form.termijn.trim()).unwrap_or(Term::Short),
            }),
            _ => Err(errors),
        }
    }
}

pub async fn goal_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<GoalForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let goal = match NewGoal::try_from(&form) {
        Ok(goal) => goal,
        Err(errors) => return refused_plan_form(&state, &ctx, plan, errors, typed, "doelen").await,
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::add_goal(&state, &ctx, target, &goal).await;
    answer_change(&state, &ctx, result, typed, "doelen", |_| None).await
}

/// Why each lighter step does not suffice: `reden1` … `reden4`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ReasonsForm {
    #[serde(default)]
    reden1: String,
    #[serde(default)]
    reden2: String,
    #[serde(default)]
    reden3: String,
    #[serde(default)]
    reden4: String,
}

impl ReasonsForm {
    fn justification(&self) -> Option<Justification> {
        justification([
            ("1", self.reden1.as_str()),
            ("2", self.reden2.as_str()),
            ("3", self.reden3.as_str()),
            ("4", self.reden4.as_str()),
        ])
    }
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct AgreementForm {
    #[serde(default)]
    versie: String,
    /// The goal it serves.
    #[serde(default)]
    doel: String,
    /// Who carries it out, by kind.
    #[serde(default)]
    wie_soort: String,
    /// A provider on the social map, by id; empty for none.
    #[serde(default)]
    aanbieder: String,
    /// Who carries it out, by name, when it is not a provider.
    #[serde(default)]
    wie: String,
    #[serde(default)]
    wat: String,
    #[serde(default)]
    trede: String,
    #[serde(default)]
    vorm: String,
    #[serde(default)]
    frequentie: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    einddatum: String,
    #[serde(default)]
    eigen_inzet: String,
    /// An approved referral (step 5), by id.
    #[serde(default)]
    verwijzing: String,
    #[serde(flatten)]
    reasons: ReasonsForm,
}

impl TryFrom<&AgreementForm> for NewAgreement {
    type Error = FieldErrors;

    fn try_from(form: &AgreementForm) -> Result<NewAgreement, FieldErrors> {
        let mut errors = FieldErrors::new();
        let step = form
            .trede
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|s| LadderStep::new(s).ok());
        if step.is_none() {
            refuse(&mut errors, None, PlanError::Text("trede"));
        }
        let goal_id = form.doel.trim().parse::<i64>().ok();
        if goal_id.is_none() {
            refuse(&mut errors, None, PlanError::UnknownGoal(0));
        }
        let provider_id = match form.aanbieder.trim() {
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
        let actor = AgreementActor::parse(form.wie_soort.trim())
            .map_err(|_| refuse(&mut errors, None, PlanError::Text("wie_soort")))
            .ok();
        let support = SupportForm::parse(form.vorm.trim())
            .map_err(|_| refuse(&mut errors, None, PlanError::Text("vorm")))
            .ok();
        let start = required_date(&mut errors, "start", "start", &form.start);
        match (step, goal_id, actor, support, start) {
            (Some(step), Some(goal_id), Some(actor), Some(support), Some(start)) => {
                errors.or_ok(NewAgreement {
                    goal_id,
                    actor,
                    // A provider's own name replaces this in the change.
                    actor_name: form.wie.trim().to_owned(),
                    provider_id,
                    description: form.wat.trim().to_owned(),
                    step,
                    form: support,
                    frequency: form.frequentie.trim().to_owned(),
                    start,
                    // An unreadable end date is no end date: the plan's rules
                    // then ask for one where professional help needs it.
                    end_date: parse_date(&form.einddatum),
                    own_contribution: form.eigen_inzet.trim().to_owned(),
                    justification: form.reasons.justification(),
                    referral_id: form.verwijzing.trim().parse::<i64>().ok(),
                })
            }
            _ => Err(errors),
        }
    }
}

pub async fn agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<AgreementForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let agreement = match NewAgreement::try_from(&form) {
        Ok(agreement) => agreement,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await
        }
    };
    let target = PlanTarget::plan(plan, version);
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

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct EndAgreementForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    afspraak: String,
}

pub async fn end_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<EndAgreementForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let mut errors = FieldErrors::new();
    let Some(agreement) = agreement_id(&mut errors, &form.afspraak) else {
        return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await;
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::end_agreement(&state, &ctx, target, agreement, None).await;
    answer_change(&state, &ctx, result, typed, "afspraken", |_| None).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct WithdrawAgreementForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    afspraak: String,
    /// Why the agreement lapses ("vervallen").
    #[serde(default)]
    reden: String,
}

/// `POST /plannen/{id}/afspraak-vervallen`: an agreement entered by mistake
/// lapses today, with a reason; a refusal goes next to the agreement's reason.
pub async fn withdraw_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<WithdrawAgreementForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let mut errors = FieldErrors::new();
    let Some(agreement) = agreement_id(&mut errors, &form.afspraak) else {
        return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await;
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::withdraw_agreement(&state, &ctx, target, agreement, &form.reden).await;
    answer_change(&state, &ctx, result, typed, "afspraken", |e| match e {
        CaseError::Store(_) => None,
        _ => Some(format!("vervallen_{agreement}")),
    })
    .await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ContinueAgreementForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    afspraak: String,
    /// The day it was evaluated; empty is today.
    #[serde(default)]
    datum: String,
    /// Its new end or evaluation date.
    #[serde(default)]
    tot: String,
}

/// An agreement continued: which, evaluated when, and until when.
struct Continuation {
    agreement: i64,
    on: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

impl ContinueAgreementForm {
    fn parse(&self) -> Result<Continuation, FieldErrors> {
        let mut errors = FieldErrors::new();
        let agreement = agreement_id(&mut errors, &self.afspraak);
        let on = optional_date(&mut errors, "datum", "datum", &self.datum);
        let until = optional_date(&mut errors, "tot", "tot", &self.tot);
        match agreement {
            Some(agreement) => errors.or_ok(Continuation {
                agreement,
                on,
                until,
            }),
            None => Err(errors),
        }
    }
}

/// Evaluates one agreement and continues it to a new end or evaluation date,
/// which clears its overdue flag without ending it.
pub async fn continue_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ContinueAgreementForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let continuation = match form.parse() {
        Ok(continuation) => continuation,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "afspraken").await
        }
    };
    let target = PlanTarget::plan(plan, version);
    let agreement = continuation.agreement;
    let result = change::continue_agreement(
        &state,
        &ctx,
        target,
        agreement,
        continuation.on,
        continuation.until,
    )
    .await;
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

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ReferralForm {
    #[serde(default)]
    versie: String,
    /// Which care, from whom.
    #[serde(default)]
    zorg: String,
    /// `maatwerk` (a contracted product) or `overig` (care the municipality
    /// does not buy).
    #[serde(default)]
    soort: String,
    /// The product bought (commissioning), by id; required for maatwerk.
    #[serde(default)]
    product: String,
    #[serde(flatten)]
    reasons: ReasonsForm,
}

impl ReferralForm {
    fn parse(&self) -> Result<ReferralCare, FieldErrors> {
        ReferralCare::parse(&self.soort, &self.product).map_err(|e| {
            let mut errors = FieldErrors::new();
            let message = match e {
                ReferralCareError::ProductMissing => {
                    "Kies een product: bij maatwerk is het product verplicht."
                }
                ReferralCareError::ProductNotAnId => "Kies een product uit de lijst.",
                ReferralCareError::UnknownKind => "Kies maatwerk of andere zorg.",
                ReferralCareError::ProductForOther => {
                    "Andere zorg heeft geen product. Kies maatwerk, of laat het product leeg."
                }
            };
            errors.add(e.field(), message);
            errors
        })
    }
}

pub async fn referral_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReferralForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let typed = Typed::of(&form);
    let kind = match form.parse() {
        Ok(kind) => kind,
        Err(errors) => {
            return refused_plan_form(&state, &ctx, plan, errors, typed, "verwijzingen").await
        }
    };
    let target = PlanTarget::plan(plan, version);
    let result = change::request_referral(
        &state,
        &ctx,
        target,
        form.zorg.trim(),
        kind,
        form.reasons.justification(),
    )
    .await;
    answer_change(&state, &ctx, result, typed, "verwijzingen", |_| None).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CloseForm {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    reden: String,
}

pub async fn close_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<CloseForm>,
) -> PageResult {
    let plan = path_id(&id)?;
    let version = plan_version(&form.versie)?;
    let target = PlanTarget::plan(plan, version);
    let result = change::close_plan(&state, &ctx, target, form.reden.trim()).await;
    answer_change(&state, &ctx, result, Typed::of(&form), "sluiten", |_| None).await
}

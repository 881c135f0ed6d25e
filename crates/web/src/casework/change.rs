//! Every casework change, written once. A page handler and its API twin call
//! the same function here and differ only in how they answer: a page redirects
//! or shows the form again with a Dutch message next to the field, the API
//! answers JSON or problem+json.
//!
//! Each change runs one pipeline: the scope check (a refusal there commits its
//! denied or not-found entry and ends in a 404), the domain's rules through
//! the store's casework functions, the store, the audit entry — in the same
//! transaction as the change — and the commit. When a rule refuses, the
//! transaction is rolled back and the refusal is audited in a fresh one: a
//! failed statement aborts a PostgreSQL transaction, so nothing more can be
//! written in the first.
//!
//! Input arrives parsed (a page's typed form, the API's JSON body) as the
//! domain's input types, or as a draft where the domain builds the value itself
//! ([`ConversationDraft`]); nothing here knows a form control or a JSON field.
//! What comes back is the change's value with the household it was made on
//! ([`Changed`]), or a [`ChangeError`] that each edge turns into its answer.

use crate::casework::common::{
    explain, internal, is_conflict, scoped_household, team_signal, who, ConferenceInput,
    ConsentGiven, ContactDraft, ConversationDraft, EvaluationInput, FamilyPlanInput, Party,
    SearchAttempt,
};
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use baken_domain::casework::{
    family_plan, AgreementDecision, ConferenceRequest, ContactMethod, ContactMoment, Conversation,
    Evaluation, HandOverBy, Invitee, Justification, NetworkMember, NewAgreement, NewGoal, Referral,
    ReferralError, SignalClosure, SignalRouting, UnderlyingNeed,
};
use baken_domain::contracting::{MandateDecision, ReferralCare, TeamMandate};
use baken_domain::{AuditAction, AuditOutcome, NotificationKind};
use baken_store::casework::{self as cw, CaseError, Hit, NewSignal, PlanRef, Who};
use baken_store::contracting as ct;
use baken_store::households::Household;
use baken_store::notifications::{self, NewNotification};
use baken_store::{areas, audit, conference, timeline, StoreError, Tx};
use chrono::NaiveDate;

/// A change that was made: its value, and the household it was made on (a
/// page goes back to that household's dossier).
#[derive(Debug)]
pub(crate) struct Changed<T> {
    pub household: i64,
    pub value: T,
}

/// The row of a form or body with rows that a refusal concerns, as numbered by
/// the edge that built the input (a page's row number, the API's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Row {
    Need(usize),
    Network(usize),
    Consent(usize),
    /// An agreement decided on in an evaluation, by its id.
    Agreement(i64),
}

/// A change a rule refused: rolled back, and audited as failed (or as a
/// conflict with someone else's change).
#[derive(Debug)]
pub(crate) struct Refusal {
    pub household: i64,
    pub error: CaseError,
    /// The row the broken rule is about, where the input has rows.
    pub row: Option<Row>,
}

/// Why a change was not made.
#[derive(Debug)]
pub(crate) enum ChangeError {
    /// A rule refused it (see [`Refusal`]).
    Refused(Refusal),
    /// The input names a provider that is not on the social map. Like input
    /// that does not parse, this is not audited: nothing was attempted.
    NoSuchProvider {
        household: i64,
        id: i64,
        row: Option<Row>,
    },
    /// The generalist to assign is not an active member of the user's team.
    NotTeamGeneralist,
    /// A first contact on a signal that is not linked to a household yet.
    NotTriaged,
    /// A rule refused a change on a signal not linked to a household yet
    /// (audited on the signal; there is no dossier to show it in).
    SignalRefused(CaseError),
    /// Out of scope or not found (404, its audit entry committed), or
    /// something the user cannot fix.
    Failed(AppError),
}

impl<E: Into<AppError>> From<E> for ChangeError {
    fn from(e: E) -> Self {
        ChangeError::Failed(e.into())
    }
}

/// Why the work between the scope check and the commit stopped.
enum Stop {
    Rule(CaseError, Option<Row>),
    NoSuchProvider(i64, Option<Row>),
}

impl<E: Into<CaseError>> From<E> for Stop {
    fn from(e: E) -> Self {
        Stop::Rule(e.into(), None)
    }
}

fn at_row<E: Into<CaseError>>(row: Row) -> impl FnOnce(E) -> Stop {
    move |e| Stop::Rule(e.into(), Some(row))
}

/// The end of every change on a household. Success: the audit entry (with
/// `detail`) is written in the change's transaction and both are committed.
/// A broken rule: the transaction is rolled back and the refusal audited in a
/// fresh one. A failure that is not a rule is returned unaudited, as an
/// internal error.
async fn finish<T>(
    state: &AppState,
    ctx: &Ctx,
    mut tx: Tx,
    household: i64,
    what: &str,
    result: Result<(T, String), Stop>,
) -> Result<Changed<T>, ChangeError> {
    let object = || Some(("household", household.to_string()));
    match result {
        Ok((value, detail)) => {
            audit::append(
                &mut tx,
                &ctx.audit(AuditAction::Update, AuditOutcome::Success, object(), detail),
            )
            .await?;
            tx.commit().await?;
            Ok(Changed { household, value })
        }
        Err(Stop::NoSuchProvider(id, row)) => {
            drop(tx);
            Err(ChangeError::NoSuchProvider { household, id, row })
        }
        Err(Stop::Rule(error, row)) => {
            drop(tx);
            // The audit log says in Dutch which rule refused (the beheerder
            // and, through the inzage, nobody else reads it).
            let Some((_, dutch)) = explain(&error) else {
                return Err(ChangeError::Failed(internal(error)));
            };
            let outcome = if is_conflict(&error) {
                AuditOutcome::Conflict
            } else {
                AuditOutcome::Failed
            };
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    outcome,
                    object(),
                    format!("{what} geweigerd: {dutch}"),
                ),
            )
            .await?;
            tx.commit().await?;
            Err(ChangeError::Refused(Refusal {
                household,
                error,
                row,
            }))
        }
    }
}

/// The outcome of a scope check run in `tx`. A refused check has written its
/// denied (or not-found) entry in `tx`; that entry is committed, so the
/// attempt stays on record, and the change ends there.
async fn after_check<S>(tx: Tx, check: Result<S, AppError>) -> Result<(Tx, S), ChangeError> {
    match check {
        Ok(checked) => Ok((tx, checked)),
        Err(e) => {
            tx.commit().await?;
            Err(ChangeError::Failed(e))
        }
    }
}

/// Opens a change on household `id` if the user's scope allows it: the
/// transaction, the household, and who makes the change.
async fn begin_on_household(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: AuditAction,
) -> Result<(Tx, Household, Who), ChangeError> {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let check = scoped_household(&mut tx, ctx, user, id, action).await;
    let (tx, household) = after_check(tx, check).await?;
    Ok((tx, household, who(user)))
}

/// What a plan change names: the plan, or one of its agreements or referrals
/// (the API addresses agreements and referrals by their own ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanPart {
    Plan(i64),
    Agreement(i64),
    Referral(i64),
}

/// The plan a change is made to, and the version the user saw: a stale
/// version is a conflict, never a lost update.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanTarget {
    pub part: PlanPart,
    pub version: i64,
}

impl PlanTarget {
    /// The plan `plan`, as the user saw it at `version`.
    pub(crate) fn plan(plan: i64, version: i64) -> PlanTarget {
        PlanTarget {
            part: PlanPart::Plan(plan),
            version,
        }
    }

    /// The plan that holds `agreement`, as the user saw it at `version`.
    pub(crate) fn agreement(agreement: i64, version: i64) -> PlanTarget {
        PlanTarget {
            part: PlanPart::Agreement(agreement),
            version,
        }
    }
}

/// A plan within the user's scope, and its household.
#[derive(Debug, Clone, Copy)]
struct ScopedPlan {
    household: i64,
    plan: i64,
}

impl ScopedPlan {
    /// The plan for the store, with the household this check already found.
    fn store_ref(self) -> PlanRef {
        PlanRef::in_household(self.household, self.plan)
    }
}

/// The one scope check of a plan change: the plan (of the agreement or
/// referral), then its household in the user's scope. An unknown plan,
/// agreement or referral is a 404 without an entry: there is no household to
/// write it on.
async fn plan_scope(
    tx: &mut Tx,
    ctx: &Ctx,
    part: PlanPart,
    action: AuditAction,
) -> Result<ScopedPlan, AppError> {
    let user = ctx.user()?;
    let found = match part {
        PlanPart::Plan(id) => cw::plan_household(tx, id)
            .await
            .map_err(internal)?
            .map(|household| (household, id)),
        PlanPart::Agreement(id) => cw::agreement_household(tx, id).await.map_err(internal)?,
        PlanPart::Referral(id) => cw::referral_household(tx, id).await.map_err(internal)?,
    };
    let (household, plan) = found.ok_or(AppError::NotFound)?;
    scoped_household(tx, ctx, user, household, action).await?;
    Ok(ScopedPlan { household, plan })
}

/// Opens a change on a plan if the user's scope allows it: the transaction,
/// the plan, and who makes the change.
async fn begin_on_plan(
    state: &AppState,
    ctx: &Ctx,
    part: PlanPart,
) -> Result<(Tx, ScopedPlan, Who), ChangeError> {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let check = plan_scope(&mut tx, ctx, part, AuditAction::Update).await;
    let (tx, plan) = after_check(tx, check).await?;
    Ok((tx, plan, who(user)))
}

/// The household of a plan in the user's scope, without changing anything: a
/// page shows that household's dossier again when a plan form did not parse.
pub(crate) async fn household_of_plan(
    state: &AppState,
    ctx: &Ctx,
    part: PlanPart,
) -> Result<i64, AppError> {
    let mut tx = state.db.begin().await?;
    let check = plan_scope(&mut tx, ctx, part, AuditAction::Update).await;
    // A refusal wrote its denied entry; a household in scope wrote nothing.
    tx.commit().await?;
    Ok(check?.household)
}

// ------------------------------------------------------------------ the kitchen-table conversation

/// The conversation under the domain's rules; a broken rule names its row.
/// Providers are resolved first, one by id.
async fn build_conversation(
    tx: &mut Tx,
    draft: &ConversationDraft,
    day: NaiveDate,
) -> Result<Conversation, Stop> {
    let mut parties = Vec::with_capacity(draft.consents.len());
    for consent in &draft.consents {
        parties.push(match &consent.party {
            Party::Provider(id) => match areas::provider(tx, *id).await? {
                Some(p) => (p.name, Some(p.id)),
                None => return Err(Stop::NoSuchProvider(*id, Some(Row::Consent(consent.row)))),
            },
            Party::Other(name) => (name.clone(), None),
        });
    }
    let mut conversation = Conversation::new(draft.held_on, &draft.question, day)?;
    for n in &draft.needs {
        let need = UnderlyingNeed::new(n.domain, &n.need).map_err(at_row(Row::Need(n.row)))?;
        conversation.add_need(need);
    }
    conversation.scores = draft.scores.clone();
    conversation.rung = draft.rung;
    for m in &draft.network {
        let member = NetworkMember::new(&m.name, &m.relation, &m.can_do, &m.will_do)
            .map_err(at_row(Row::Network(m.row)))?;
        conversation.add_network_member(member);
    }
    conversation.strengths = draft.strengths.chars().take(2000).collect();
    conversation.wishes = draft.wishes.chars().take(2000).collect();
    for (consent, (organisation, provider_id)) in draft.consents.iter().zip(&parties) {
        conversation
            .add_consent(organisation, *provider_id, &consent.purpose, consent.until)
            .map_err(at_row(Row::Consent(consent.row)))?;
    }
    Ok(conversation)
}

/// Records a kitchen-table conversation with the household.
pub(crate) async fn record_conversation(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    draft: &ConversationDraft,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, h, who) = begin_on_household(state, ctx, household, AuditAction::Create).await?;
    let result = async {
        let conversation = build_conversation(&mut tx, draft, today()).await?;
        let id = cw::create_conversation(&mut tx, h.id, &conversation, who.user_id).await?;
        Ok((
            id,
            format!(
                "keukentafelgesprek {id} vastgelegd: {} vragen achter de vraag, {} netwerkleden, {} toestemmingen",
                conversation.underlying_needs().len(),
                conversation.network().len(),
                conversation.consents().len()
            ),
        ))
    }
    .await;
    finish(state, ctx, tx, h.id, "gesprek", result).await
}

// ------------------------------------------------------------------ the timeline and consent

/// Records a contact moment with the household (a home visit, a call, an
/// e-mail, a meeting with the network). The note is the team's own.
pub(crate) async fn record_contact_moment(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    draft: &ContactDraft,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, h, who) = begin_on_household(state, ctx, household, AuditAction::Create).await?;
    let result = async {
        let moment =
            ContactMoment::new(draft.held_on, draft.kind, &draft.who, &draft.note, today())
                .map_err(CaseError::from)?;
        let id = timeline::add_contact_moment(&mut tx, h.id, &moment, who.user_id).await?;
        Ok((
            id,
            format!(
                "contactmoment {id} vastgelegd ({}, {})",
                moment.kind().label().to_lowercase(),
                nl_date(moment.held_on())
            ),
        ))
    }
    .await;
    finish(state, ctx, tx, h.id, "contactmoment", result).await
}

/// Records the resident's consent for a provider with its purpose: the
/// agreements of that provider (or the referral) it covers.
pub(crate) async fn give_consent(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    given: &ConsentGiven,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, h, _who) = begin_on_household(state, ctx, household, AuditAction::Create).await?;
    let result = async {
        let provider = match areas::provider(&mut tx, given.provider_id).await? {
            Some(p) => p,
            None => return Err(Stop::NoSuchProvider(given.provider_id, None)),
        };
        let id = timeline::give_consent(
            &mut tx,
            h.id,
            provider.id,
            &provider.name,
            &given.purpose,
            today(),
            given.until,
        )
        .await?;
        Ok((
            id,
            format!(
                "toestemming {id} vastgelegd voor aanbieder {} ({} afspraken{})",
                provider.id,
                given.purpose.agreements.len(),
                if given.purpose.referral.is_some() {
                    ", een verwijzing"
                } else {
                    ""
                }
            ),
        ))
    }
    .await;
    finish(state, ctx, tx, h.id, "toestemming", result).await
}

/// The team withdraws a consent of the household (the resident asked, or it
/// no longer fits). The provider's sight ends at once. An unknown or already
/// withdrawn consent is "not found".
pub(crate) async fn withdraw_consent(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    consent: i64,
    reason: &str,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, h, who) = begin_on_household(state, ctx, household, AuditAction::Update).await?;
    let reason: String = reason.trim().chars().take(500).collect();
    if !timeline::withdraw_consent(&mut tx, h.id, consent, who.user_id, &reason)
        .await
        .map_err(internal)?
    {
        return Err(ChangeError::Failed(AppError::NotFound));
    }
    let result = Ok((
        consent,
        format!("toestemming {consent} ingetrokken door het team"),
    ));
    finish(state, ctx, tx, h.id, "toestemming intrekken", result).await
}

// ------------------------------------------------------------------ Eigen Kracht-conferentie

/// Asks for an Eigen Kracht-conferentie in the plan: a step-2 agreement for
/// the coordinator, the household's consent covering just that (and the
/// network), and the invitees from the conversation's network.
pub(crate) async fn request_conference(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    input: &ConferenceInput,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let result = async {
        let coordinator = match areas::provider(&mut tx, input.coordinator_id).await? {
            Some(p) => p,
            None => return Err(Stop::NoSuchProvider(input.coordinator_id, None)),
        };
        let network: Vec<Invitee> = cw::network(&mut tx, plan.household)
            .await?
            .into_iter()
            .map(|n| Invitee {
                name: n.name,
                relation: n.relation,
            })
            .collect();
        let day = today();
        let request = ConferenceRequest::new(
            input.consent,
            coordinator.id,
            input.planned_on,
            &input.invitees,
            &network,
            day,
        )
        .map_err(CaseError::from)?;
        let id = conference::request_conference(
            &mut tx,
            plan.household,
            plan.plan,
            target.version,
            &request,
            &coordinator.name,
            input.goal_id,
            day,
            &who,
        )
        .await?;
        Ok((
            id,
            format!(
                "Eigen Kracht-conferentie {id} aangevraagd in plan {} (coördinator {}, {} genodigden, toestemming vastgelegd)",
                plan.plan,
                coordinator.id,
                request.invitees().len()
            ),
        ))
    }
    .await;
    finish(
        state,
        ctx,
        tx,
        plan.household,
        "Eigen Kracht-conferentie",
        result,
    )
    .await
}

/// Enters the family plan of conference `conference_id` in one go.
pub(crate) async fn record_family_plan(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    conference_id: i64,
    input: &FamilyPlanInput,
) -> Result<Changed<Vec<i64>>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let found = conference::conference(&mut tx, plan.household, conference_id)
        .await
        .map_err(internal)?;
    let Some(row) = found.filter(|c| c.plan_id == plan.plan) else {
        return Err(ChangeError::Failed(AppError::NotFound));
    };
    let result = async {
        let day = today();
        let agreements = family_plan(
            &input.rows,
            &row.invitees,
            row.planned_on,
            input.held_on,
            input.goal_id,
            day,
        )
        .map_err(CaseError::from)?;
        let ids = conference::record_family_plan(
            &mut tx,
            plan.household,
            &row,
            target.version,
            &agreements,
            input.held_on,
            day,
            &who,
        )
        .await?;
        let detail = format!(
            "familieplan van Eigen Kracht-conferentie {conference_id} ingevoerd: {} afspraken",
            ids.len()
        );
        Ok((ids, detail))
    }
    .await;
    finish(state, ctx, tx, plan.household, "familieplan", result).await
}

// ------------------------------------------------------------------ the plan

/// Opens the household's plan on `started_on` (today when not given).
pub(crate) async fn open_plan(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    started_on: Option<NaiveDate>,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, h, who) = begin_on_household(state, ctx, household, AuditAction::Create).await?;
    let day = today();
    let on = started_on.unwrap_or(day);
    let result = cw::open_plan(&mut tx, h.id, on, day, &who)
        .await
        .map(|plan| (plan, format!("plan {plan} geopend per {}", nl_date(on))))
        .map_err(Stop::from);
    finish(state, ctx, tx, h.id, "plan openen", result).await
}

pub(crate) async fn add_goal(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    goal: &NewGoal,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let result = cw::add_goal(&mut tx, plan.store_ref(), target.version, goal, &who)
        .await
        .map(|id| (id, format!("doel {id} toegevoegd aan plan {}", plan.plan)))
        .map_err(Stop::from);
    finish(state, ctx, tx, plan.household, "doel", result).await
}

/// Adds an agreement. One carried out by a provider on the social map
/// (`provider_id`) carries that provider's name, whatever name was typed.
pub(crate) async fn add_agreement(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    mut agreement: NewAgreement,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let result = async {
        if let Some(id) = agreement.provider_id {
            match areas::provider(&mut tx, id).await? {
                Some(provider) => agreement.actor_name = provider.name,
                None => return Err(Stop::NoSuchProvider(id, None)),
            }
        }
        let id =
            cw::add_agreement(&mut tx, plan.store_ref(), target.version, &agreement, &who).await?;
        Ok((
            id,
            format!(
                "afspraak {id} (trede {}) toegevoegd aan plan {}",
                agreement.step.value(),
                plan.plan
            ),
        ))
    }
    .await;
    finish(state, ctx, tx, plan.household, "afspraak", result).await
}

/// An agreement ended or continued: its plan and the day it happened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AgreementChange {
    pub plan: i64,
    pub on: NaiveDate,
}

/// Ends `agreement` of the target's plan on `on` (today when not given).
pub(crate) async fn end_agreement(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    agreement: i64,
    on: Option<NaiveDate>,
) -> Result<Changed<AgreementChange>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let on = on.unwrap_or(day);
    let ended = AgreementChange {
        plan: plan.plan,
        on,
    };
    let result = cw::end_agreement(
        &mut tx,
        plan.store_ref(),
        target.version,
        agreement,
        on,
        day,
        &who,
    )
    .await
    .map(|()| (ended, format!("afspraak {agreement} beëindigd")))
    .map_err(Stop::from);
    let what = "afspraak beëindigen";
    finish(state, ctx, tx, plan.household, what, result).await
}

/// Withdraws `agreement` of the target's plan today ("vervallen": entered by
/// mistake), with a reason; kept in the plan's history and on the timeline.
pub(crate) async fn withdraw_agreement(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    agreement: i64,
    reason: &str,
) -> Result<Changed<AgreementChange>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let withdrawn = AgreementChange {
        plan: plan.plan,
        on: day,
    };
    let result = cw::withdraw_agreement(
        &mut tx,
        plan.store_ref(),
        target.version,
        agreement,
        day,
        reason,
        day,
        &who,
    )
    .await
    .map(|()| {
        (
            withdrawn,
            format!("afspraak {agreement} vervallen (met reden)"),
        )
    })
    .map_err(Stop::from);
    finish(
        state,
        ctx,
        tx,
        plan.household,
        "afspraak laten vervallen",
        result,
    )
    .await
}

/// Evaluates `agreement` on `on` (today when not given) and continues it until
/// `until`: this clears an overdue-evaluation flag without ending it.
pub(crate) async fn continue_agreement(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    agreement: i64,
    on: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<Changed<AgreementChange>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let on = on.unwrap_or(day);
    let continued = AgreementChange {
        plan: plan.plan,
        on,
    };
    let result = cw::continue_agreement(
        &mut tx,
        plan.store_ref(),
        target.version,
        agreement,
        on,
        until,
        day,
        &who,
    )
    .await
    .map(|()| {
        let until = until.map(|u| format!(" tot {}", nl_date(u)));
        let detail = format!(
            "afspraak {agreement} geëvalueerd en voortgezet{}",
            until.unwrap_or_default()
        );
        (continued, detail)
    })
    .map_err(Stop::from);
    let what = "afspraak voortzetten";
    finish(state, ctx, tx, plan.household, what, result).await
}

/// Asks for step 5 (specialist care). A referral for maatwerk names its
/// product, and the team's mandate judges it in the same transaction: within
/// the mandate it is approved at once (no team lead; the resident's choice and
/// the toewijzing come next), above it the team's leads are asked to decide.
/// Either way the product and the judgement are recorded with the referral.
pub(crate) async fn request_referral(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    care: &str,
    kind: ReferralCare,
    justification: Option<Justification>,
) -> Result<Changed<ReferralRequested>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let team = ctx.user()?.user.team_id;
    let result = requested_referral(
        &mut tx,
        plan,
        target.version,
        care,
        kind,
        justification,
        team,
        day,
        &who,
    )
    .await;
    let waits = matches!(&result, Ok((r, _)) if !r.within_mandate);
    if waits {
        // The team's leads learn that a referral waits for their decision.
        let team = baken_store::households::get(&mut tx, plan.household)
            .await?
            .and_then(|h| h.team_id);
        if let Some(team) = team {
            notifications::notify_team_leads(
                &mut tx,
                team,
                NotificationKind::ReferralWaiting,
                &format!("Een verwijzing ({}) wacht op uw besluit.", care.trim()),
                "/teamoverzicht",
            )
            .await?;
        }
    }
    finish(state, ctx, tx, plan.household, "verwijzing", result).await
}

/// A referral just requested: its id, and whether the mandate covered it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReferralRequested {
    pub id: i64,
    pub within_mandate: bool,
}

#[allow(clippy::too_many_arguments)]
async fn requested_referral(
    tx: &mut Tx,
    plan: ScopedPlan,
    version: i64,
    care: &str,
    kind: ReferralCare,
    justification: Option<Justification>,
    team: Option<i64>,
    day: NaiveDate,
    who: &Who,
) -> Result<(ReferralRequested, String), Stop> {
    let product = match kind.product_id() {
        Some(id) => match ct::product_row(tx, id).await? {
            Some(row) => Some((id, row.product()?, row)),
            None => return Err(ReferralError::UnknownProduct(id).into()),
        },
        None => None,
    };
    let id = cw::request_referral(
        tx,
        plan.store_ref(),
        version,
        care,
        justification.unwrap_or_else(|| Justification::new([])),
        day,
        day,
        who,
    )
    .await?;
    let Some((product_id, product, row)) = product else {
        let requested = ReferralRequested {
            id,
            within_mandate: false,
        };
        return Ok((requested, format!("verwijzing {id} aangevraagd")));
    };
    let mandate = match team {
        Some(team) => ct::team_mandate(tx, team).await?,
        None => None,
    };
    // The referral names no volume yet: the step decides here, the cost
    // follows with the toewijzing.
    let decision = TeamMandate::decide_for(mandate.as_ref(), product.step(), 0);
    let note = match &decision {
        MandateDecision::Within => "binnen het mandaat van het team".to_owned(),
        MandateDecision::NeedsTeamLead(reasons) => reasons
            .iter()
            .map(|r| r.explain())
            .collect::<Vec<_>>()
            .join(" "),
    };
    ct::record_referral_product(tx, id, product_id, decision.is_within(), &note).await?;
    if decision.is_within() {
        cw::approve_within_mandate(tx, id, &decision, who).await?;
    }
    let requested = ReferralRequested {
        id,
        within_mandate: decision.is_within(),
    };
    let detail = format!(
        "verwijzing {id} aangevraagd voor product {}/{}: {note}",
        row.category, row.code
    );
    Ok((requested, detail))
}

/// The team lead approves or rejects a waiting referral.
pub(crate) async fn decide_referral(
    state: &AppState,
    ctx: &Ctx,
    referral: i64,
    approve: bool,
    note: &str,
) -> Result<Changed<Referral>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, PlanPart::Referral(referral)).await?;
    let day = today();
    let result = cw::decide_referral(&mut tx, referral, approve, note, day, day, &who)
        .await
        .map(|r| {
            let detail = format!("verwijzing {referral} {}", r.status().code());
            (r, detail)
        })
        .map_err(Stop::from);
    if let Ok((decided, _)) = &result {
        // The generalist who asked learns the decision (the reason is in the dossier).
        let outcome = if decided.is_approved() {
            "goedgekeurd"
        } else {
            "afgewezen"
        };
        notifications::notify(
            &mut tx,
            &NewNotification {
                user_id: decided.requested_by(),
                kind: NotificationKind::ReferralDecided,
                text: &format!(
                    "De teamleider heeft uw verwijzing ({}) {outcome}.",
                    decided.care()
                ),
                link: &format!("/dossier/{}#verwijzingen", plan.household),
            },
        )
        .await?;
    }
    finish(state, ctx, tx, plan.household, "besluit verwijzing", result).await
}

/// Records an evaluation: outcomes, agreement decisions and a measurement, all
/// or nothing. A decision the plan refuses names its agreement as the row.
pub(crate) async fn record_evaluation(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    input: &EvaluationInput,
) -> Result<Changed<i64>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let result = match cw::record_evaluation(
        &mut tx,
        plan.store_ref(),
        target.version,
        &input.evaluation,
        &input.scores,
        input.rung,
        &input.note,
        day,
        &who,
    )
    .await
    {
        Ok(id) => Ok((id, format!("evaluatie {id} vastgelegd"))),
        // A rule of the plan: the store wrote nothing, so the transaction is
        // still good for finding the agreement it is about.
        Err(CaseError::Plan(error)) => {
            let row = refused_agreement(&mut tx, plan, &input.evaluation, day)
                .await?
                .map(Row::Agreement);
            Err(Stop::Rule(error.into(), row))
        }
        Err(other) => Err(other.into()),
    };
    finish(state, ctx, tx, plan.household, "evaluatie", result).await
}

/// The agreement whose decision made the plan refuse `evaluation`, if it was
/// one: the domain checks the plan-wide conditions, then applies the
/// decisions in order and stops at the first it refuses, so replaying them on
/// the stored plan finds it.
async fn refused_agreement(
    tx: &mut Tx,
    plan: ScopedPlan,
    evaluation: &Evaluation,
    day: NaiveDate,
) -> Result<Option<i64>, StoreError> {
    if evaluation.agreements.is_empty() {
        return Ok(None);
    }
    let case = match cw::load_case(tx, plan.household).await {
        Ok(case) => case,
        Err(CaseError::Store(e)) => return Err(e),
        // Stored casework that breaks a rule: the refusal stays without a row.
        Err(_) => return Ok(None),
    };
    let Some(stored) = case.plan(plan.plan) else {
        return Ok(None);
    };
    let without_decisions = Evaluation {
        on: evaluation.on,
        outcomes: evaluation.outcomes.clone(),
        agreements: Vec::new(),
    };
    if stored.clone().evaluate(&without_decisions, day).is_err() {
        return Ok(None);
    }
    let mut replay = stored.clone();
    for (id, decision) in &evaluation.agreements {
        let applied = match decision {
            AgreementDecision::Continue { until } => {
                replay.continue_agreement(*id, evaluation.on, *until, day)
            }
            AgreementDecision::End => replay.end_agreement(*id, evaluation.on, day),
        };
        if applied.is_err() {
            return Ok(Some(*id));
        }
    }
    Ok(None)
}

/// Closes the plan today, once every agreement has ended; returns the day.
pub(crate) async fn close_plan(
    state: &AppState,
    ctx: &Ctx,
    target: PlanTarget,
    reason: &str,
) -> Result<Changed<NaiveDate>, ChangeError> {
    let (mut tx, plan, who) = begin_on_plan(state, ctx, target.part).await?;
    let day = today();
    let result = cw::close_plan(
        &mut tx,
        plan.store_ref(),
        target.version,
        day,
        reason,
        day,
        &who,
    )
    .await
    .map(|()| (day, format!("plan {} gesloten", plan.plan)))
    .map_err(Stop::from);
    finish(state, ctx, tx, plan.household, "plan sluiten", result).await
}

// ------------------------------------------------------------------ signals

/// Records a signal with its audit entry. A signal without a reporter came in
/// through the public page ("zorgmelding"); a signal recorded for an earlier
/// day says so in the entry.
pub(crate) async fn create_signal(
    state: &AppState,
    ctx: &Ctx,
    signal: &NewSignal,
) -> Result<i64, AppError> {
    let detail = match signal.reported_by {
        None => format!("zorgmelding {}", signal.category.as_str()),
        Some(_) if signal.reported_on != today() => format!(
            "signaal {}, binnengekomen op {}",
            signal.category.as_str(),
            nl_date(signal.reported_on)
        ),
        Some(_) => format!("signaal {}", signal.category.as_str()),
    };
    let mut tx = state.db.begin().await?;
    let id = cw::create_signal(&mut tx, signal).await.map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("signal", id.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Links a signal of the user's team to a household at its address and gives
/// it to the household's one contact person: the one it has, unless another
/// generalist of the team is chosen with a reason (a hand-over, said in the
/// audit entry), or the chosen one if it has none.
pub(crate) async fn triage_signal(
    state: &AppState,
    ctx: &Ctx,
    signal: i64,
    household: i64,
    generalist: Option<i64>,
    hand_over_reason: &str,
) -> Result<Changed<SignalRouting>, ChangeError> {
    let user = ctx.user()?;
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let check = team_signal(&mut tx, ctx, signal).await;
    let (mut tx, _) = after_check(tx, check).await?;
    let check = scoped_household(&mut tx, ctx, user, household, AuditAction::Update).await;
    let (mut tx, h) = after_check(tx, check).await?;
    let generalists = cw::team_generalists(&mut tx, team).await?;
    if let Some(generalist) = generalist {
        if !generalists.iter().any(|(id, _)| *id == generalist) {
            return Err(ChangeError::NotTeamGeneralist);
        }
    }
    let request = cw::TriageRequest {
        signal_id: signal,
        household_id: h.id,
        generalist,
        hand_over_reason,
        by_user: user.user.id,
        on: today(),
    };
    let result = cw::triage(&mut tx, &request)
        .await
        .map(|routing| {
            let detail = match &routing {
                SignalRouting::HandOver { from, to, .. } => format!(
                    "signaal {signal} toegewezen; contactpersoon overgedragen van {from} aan {to} (met reden)"
                ),
                other => format!(
                    "signaal {signal} toegewezen aan contactpersoon {}",
                    other.generalist()
                ),
            };
            (routing, detail)
        })
        .map_err(Stop::from);
    if let Ok((routing, _)) = &result {
        let link = format!("/dossier/{}", h.id);
        let mut tell = Vec::new();
        if let SignalRouting::HandOver { from, to, .. } = routing {
            tell.push((
                *to,
                NotificationKind::HandedOver,
                "U bent de nieuwe contactpersoon van een huishouden, met een signaal.",
            ));
            if *from != user.user.id {
                tell.push((
                    *from,
                    NotificationKind::HandedOver,
                    "Een huishouden is overgedragen aan een collega.",
                ));
            }
        } else if routing.generalist() != user.user.id {
            tell.push((
                routing.generalist(),
                NotificationKind::SignalAssigned,
                "Er is een signaal aan u gegeven.",
            ));
        }
        for (user_id, kind, text) in tell {
            notifications::notify(
                &mut tx,
                &NewNotification {
                    user_id,
                    kind,
                    text,
                    link: &link,
                },
            )
            .await?;
        }
    }
    finish(state, ctx, tx, h.id, "toewijzen", result).await
}

/// Hands household `id` over to generalist `to` of its team, from the
/// dossier: the team lead or the current contact person, with a reason.
/// The new and the old contact person are told; the resident sees it on
/// their own page.
pub(crate) async fn hand_over(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    to: i64,
    reason: &str,
) -> Result<Changed<SignalRouting>, ChangeError> {
    let user = ctx.user()?;
    let (mut tx, h, _) = begin_on_household(state, ctx, id, AuditAction::Update).await?;
    let team = h.team_id.ok_or(AppError::NotFound)?;
    let generalists = cw::team_generalists(&mut tx, team).await?;
    if !generalists.iter().any(|(g, _)| *g == to) {
        return Err(ChangeError::NotTeamGeneralist);
    }
    let by = if user.user.role == baken_domain::Role::Teamleider {
        HandOverBy::TeamLead
    } else {
        HandOverBy::Generalist(user.user.id)
    };
    let result = cw::hand_over_contact_person(&mut tx, h.id, by, to, reason, user.user.id, today())
        .await
        .map(|routing| {
            let detail = match &routing {
                SignalRouting::HandOver { from, to, .. } => format!(
                    "contactpersoon overgedragen van {from} aan {to} (met reden), vanuit het dossier"
                ),
                other => format!("contactpersoon {}", other.generalist()),
            };
            (routing, detail)
        })
        .map_err(Stop::from);
    if let Ok((SignalRouting::HandOver { from, to, .. }, _)) = &result {
        let link = format!("/dossier/{}", h.id);
        let mut tell = vec![(*to, "U bent de nieuwe contactpersoon van een huishouden.")];
        if *from != user.user.id {
            tell.push((*from, "Een huishouden is overgedragen aan een collega."));
        }
        for (user_id, text) in tell {
            notifications::notify(
                &mut tx,
                &NewNotification {
                    user_id,
                    kind: NotificationKind::HandedOver,
                    text,
                    link: &link,
                },
            )
            .await?;
        }
    }
    finish(state, ctx, tx, h.id, "contactpersoon overdragen", result).await
}

/// Records the first contact on a signal already linked to a household.
pub(crate) async fn first_contact(
    state: &AppState,
    ctx: &Ctx,
    signal: i64,
    on: NaiveDate,
    method: ContactMethod,
    outcome: &str,
) -> Result<Changed<()>, ChangeError> {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let check = team_signal(&mut tx, ctx, signal).await;
    let (mut tx, row) = after_check(tx, check).await?;
    let Some(household) = row.household_id else {
        return Err(ChangeError::NotTriaged);
    };
    let check = scoped_household(&mut tx, ctx, user, household, AuditAction::Update).await;
    let (mut tx, _) = after_check(tx, check).await?;
    let result = cw::record_first_contact(&mut tx, signal, on, method, outcome, today())
        .await
        .map(|()| ((), format!("eerste contact signaal {signal}")))
        .map_err(Stop::from);
    finish(state, ctx, tx, household, "eerste contact", result).await
}

/// Closes a signal of the user's team on `on`, with a reason. A signal linked
/// to a household is a change on that household (its scope checked, audited
/// on it); one not yet linked is audited on the signal itself.
pub(crate) async fn close_signal(
    state: &AppState,
    ctx: &Ctx,
    signal: i64,
    on: NaiveDate,
    reason: &str,
) -> Result<SignalClosure, ChangeError> {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    let check = team_signal(&mut tx, ctx, signal).await;
    let (tx, row) = after_check(tx, check).await?;
    let detail = format!("signaal {signal} gesloten (met reden)");
    let day = today();
    if let Some(household) = row.household_id {
        let mut tx = tx;
        let check = scoped_household(&mut tx, ctx, user, household, AuditAction::Update).await;
        let (mut tx, _) = after_check(tx, check).await?;
        let result = cw::close_signal(&mut tx, signal, on, reason, user.user.id, day)
            .await
            .map(|closure| (closure, detail))
            .map_err(Stop::from);
        return finish(state, ctx, tx, household, "signaal sluiten", result)
            .await
            .map(|changed| changed.value);
    }
    // Not linked to a household yet: the entry is about the signal.
    let mut tx = tx;
    let object = || Some(("signal", signal.to_string()));
    match cw::close_signal(&mut tx, signal, on, reason, user.user.id, day).await {
        Ok(closure) => {
            audit::append(
                &mut tx,
                &ctx.audit(AuditAction::Update, AuditOutcome::Success, object(), detail),
            )
            .await?;
            tx.commit().await?;
            Ok(closure)
        }
        Err(error) if explain(&error).is_some() => {
            drop(tx);
            let dutch = explain(&error)
                .map(|(_, message)| message)
                .unwrap_or_default();
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Failed,
                    object(),
                    format!("signaal sluiten geweigerd: {dutch}"),
                ),
            )
            .await?;
            tx.commit().await?;
            Err(ChangeError::SignalRefused(error))
        }
        Err(error) => Err(ChangeError::Failed(internal(error))),
    }
}

// ------------------------------------------------------------------ finding a household

/// Searches the households of the user's team, audited: the search with its
/// number of results, and an attempt that did not parse as failed (a run of
/// invalid BSNs is worth seeing). Nothing asked, nothing written.
pub(crate) async fn search_households(
    state: &AppState,
    ctx: &Ctx,
    attempt: &SearchAttempt,
) -> Result<Vec<Hit>, AppError> {
    let team = ctx.user()?.user.team_id.ok_or(AppError::NotFound)?;
    if attempt.on.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = state.db.begin().await?;
    let (hits, outcome, detail) = match &attempt.query {
        Some(search) => {
            let hits = cw::search(&mut tx, team, search).await.map_err(internal)?;
            let detail = format!("zoeken op {}; {} resultaten", attempt.on, hits.len());
            (hits, AuditOutcome::Success, detail)
        }
        None => (
            Vec::new(),
            AuditOutcome::Failed,
            format!("zoeken op {}: ongeldige invoer", attempt.on),
        ),
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            outcome,
            Some(households_shown(hits.iter().map(|h| h.id))),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(hits)
}

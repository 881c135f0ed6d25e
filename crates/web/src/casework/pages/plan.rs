//! Changing a household's case from the dossier: conversation, plan, goals, agreements,
//! referral, evaluation, closing.

use super::dossier::{dossier_page, rows, CONSENT_ROWS, NEED_ROWS, NETWORK_ROWS};
use super::shared::Errors;
use crate::casework::common::{
    explain, field, form_map, internal, is_conflict, scoped_household, who, FormMap,
};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::render::PageResult;
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::casework::{
    AgreementActor, AgreementDecision, Conversation, ConversationError, Evaluation, GoalOutcome,
    Justification, LifeDomain, NetworkMember, NewAgreement, NewGoal, PlanError, ScoreEntry, Scores,
    SignalError, Term, UnderlyingNeed,
};
use baken_domain::{AuditAction, AuditOutcome, LadderStep, ParticipationRung, SupportForm};
use baken_store::areas::Provider;
use baken_store::casework::{self as cw, CaseError};
use baken_store::{areas, audit, StoreError, Tx};

/// A change refused: the rule broken, and — for a form with rows — the field
/// of the row it belongs to, when that differs from the rule's own field.
struct Refusal {
    error: CaseError,
    field: Option<String>,
    /// A message of the form itself, where the rule's own would not fit.
    message: Option<String>,
}

impl Refusal {
    fn at(field: String) -> impl FnOnce(CaseError) -> Refusal {
        move |error| Refusal {
            error,
            field: Some(field),
            message: None,
        }
    }

    /// A choice in the form that is not one of its options.
    fn choice(field: String, message: &str) -> Refusal {
        Refusal {
            error: CaseError::Plan(PlanError::Text("keuze")),
            field: Some(field),
            message: Some(message.to_owned()),
        }
    }
}

macro_rules! refusal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Refusal {
            fn from(e: $t) -> Self {
                Refusal { error: e.into(), field: None, message: None }
            }
        }
    )*};
}
refusal_from!(
    CaseError,
    PlanError,
    ConversationError,
    SignalError,
    StoreError
);

/// After a change: back to the dossier, or the dossier with the error next to
/// its field and the form as typed.
async fn after_change(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    mut tx: Tx,
    result: Result<String, Refusal>,
    form: FormMap,
    anchor: &str,
) -> PageResult {
    match result {
        Ok(detail) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("household", household.to_string())),
                    detail,
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/dossier/{household}?opgeslagen={anchor}#{anchor}"
            ))
            .into_response())
        }
        Err(Refusal {
            error: e,
            field,
            message,
        }) => {
            // A failed statement aborts a PostgreSQL transaction: start over.
            drop(tx);
            let conflict = is_conflict(&e);
            let Some((rule_field, msg)) = explain(&e) else {
                return Err(internal(e).into());
            };
            {
                let mut tx = state.db.begin().await?;
                let outcome = if conflict {
                    AuditOutcome::Conflict
                } else {
                    AuditOutcome::Failed
                };
                audit::append(
                    &mut tx,
                    &ctx.audit(
                        AuditAction::Update,
                        outcome,
                        Some(("household", household.to_string())),
                        format!("{anchor}: {e}"),
                    ),
                )
                .await?;
                tx.commit().await?;
            }
            let mut errors = Errors::new();
            errors.insert(field.unwrap_or(rule_field), message.unwrap_or(msg));
            errors.insert("_which".into(), anchor.to_owned());
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            dossier_page(state, ctx, household, &errors, &form, status, "").await
        }
    }
}

fn parse_scores(f: &FormMap) -> Result<Scores, CaseError> {
    let mut scores = Scores::default();
    for d in LifeDomain::ALL {
        if let Some(s) = ScoreEntry::parse(*d, field(f, &format!("score_{}", d.as_str())))? {
            scores.0.insert(*d, s);
        }
    }
    Ok(scores)
}

fn parse_rung(f: &FormMap) -> Option<ParticipationRung> {
    field(f, "trede_participatie")
        .parse::<u8>()
        .ok()
        .and_then(|v| ParticipationRung::new(v).ok())
}

/// A required date field; a missing or malformed one is an error on that field.
fn date_or(f: &FormMap, name: &'static str) -> Result<chrono::NaiveDate, CaseError> {
    parse_date(field(f, name)).ok_or(CaseError::Plan(PlanError::Text(name)))
}

/// A chosen provider from the social map: its id and name. A value that is
/// not one of the providers is an error on `field_name`.
fn chosen_provider(
    f: &FormMap,
    field_name: &str,
    providers: &[Provider],
) -> Result<Option<(i64, String)>, Refusal> {
    match field(f, field_name) {
        "" => Ok(None),
        v => v
            .parse::<i64>()
            .ok()
            .and_then(|id| providers.iter().find(|p| p.id == id))
            .map(|p| Some((p.id, p.name.clone())))
            .ok_or_else(|| {
                Refusal::choice(
                    field_name.to_owned(),
                    "Kies een aanbieder uit de lijst van de sociale kaart.",
                )
            }),
    }
}

/// The conversation from its form, with an error on the row it concerns.
fn parse_conversation(
    f: &FormMap,
    providers: &[Provider],
    day: chrono::NaiveDate,
) -> Result<Conversation, Refusal> {
    let held = date_or(f, "datum")?;
    let mut conv = Conversation::new(held, field(f, "vraag"), day)?;
    for i in 1..=rows(f, "behoefte", NEED_ROWS) {
        let need = field(f, &format!("behoefte{i}"));
        if need.is_empty() {
            continue;
        }
        let d = LifeDomain::parse(field(f, &format!("behoefte{i}_domein")))
            .map_err(|_| ConversationError::Domain)
            .map_err(|e| Refusal::at(format!("behoefte{i}"))(e.into()))?;
        conv.add_need(
            UnderlyingNeed::new(d, need)
                .map_err(|e| Refusal::at(format!("behoefte{i}"))(e.into()))?,
        );
    }
    conv.scores = parse_scores(f)?;
    conv.rung = parse_rung(f);
    for i in 1..=rows(f, "netwerk", NETWORK_ROWS) {
        let name = field(f, &format!("netwerk{i}_naam"));
        let rel = field(f, &format!("netwerk{i}_relatie"));
        let can = field(f, &format!("netwerk{i}_kan"));
        let will = field(f, &format!("netwerk{i}_wil"));
        if [name, rel, can, will].iter().all(|s| s.is_empty()) {
            continue;
        }
        conv.add_network_member(
            NetworkMember::new(name, rel, can, will)
                .map_err(|e| Refusal::at(format!("netwerk{i}"))(e.into()))?,
        );
    }
    conv.strengths = field(f, "krachten").chars().take(2000).collect();
    conv.wishes = field(f, "wensen").chars().take(2000).collect();
    for i in 1..=rows(f, "toestemming", CONSENT_ROWS) {
        let (k_prov, k_org, k_doel, k_tot) = (
            format!("toestemming{i}_aanbieder"),
            format!("toestemming{i}_organisatie"),
            format!("toestemming{i}_doel"),
            format!("toestemming{i}_tot"),
        );
        if [&k_prov, &k_org, &k_doel, &k_tot]
            .iter()
            .all(|k| field(f, k).is_empty())
        {
            continue;
        }
        let at = |e: ConversationError| Refusal::at(format!("toestemming{i}"))(e.into());
        let provider = chosen_provider(f, &k_prov, providers)?;
        let other = field(f, &k_org);
        // A provider is chosen from the list; only another party is typed in.
        let (organisation, provider_id) = match (&provider, other) {
            (Some((id, name)), "") => (name.clone(), Some(*id)),
            (Some(_), _) => {
                return Err(Refusal::choice(
                    k_org,
                    "Kies een aanbieder uit de lijst óf typ de naam van een andere partij, niet allebei.",
                ))
            }
            (None, name) => (name.to_owned(), None),
        };
        let until =
            parse_date(field(f, &k_tot)).ok_or_else(|| at(ConversationError::ConsentEnd))?;
        conv.add_consent(&organisation, provider_id, field(f, &k_doel), until)
            .map_err(at)?;
    }
    Ok(conv)
}

pub async fn conversation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let f = form_map(pairs);
    if let Some(kind) = f.get("meer").cloned() {
        // "Nog een regel": the same form with one more row, nothing saved.
        let mut form = f.clone();
        for k in ["behoefte", "netwerk", "toestemming"] {
            let default = match k {
                "behoefte" => NEED_ROWS,
                "netwerk" => NETWORK_ROWS,
                _ => CONSENT_ROWS,
            };
            form.insert(format!("rijen_{k}"), rows(&f, k, default).to_string());
        }
        form.remove("meer");
        form.insert("_more".into(), kind);
        let mut errors = Errors::new();
        errors.insert("_which".into(), "gesprek".into());
        return dossier_page(&state, &ctx, id, &errors, &form, StatusCode::OK, "").await;
    }
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Create).await
    );
    let result: Result<String, Refusal> = async {
        let providers = areas::providers(&mut tx).await?;
        let conv = parse_conversation(&f, &providers, today())?;
        let cid = cw::create_conversation(&mut tx, h.id, &conv, user.user.id).await?;
        Ok(format!(
            "keukentafelgesprek {cid} vastgelegd: {} vragen achter de vraag, {} netwerkleden, {} toestemmingen",
            conv.underlying_needs().len(),
            conv.network().len(),
            conv.consents().len()
        ))
    }
    .await;
    after_change(&state, &ctx, h.id, tx, result, f, "gesprek").await
}

pub async fn open_plan_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Create).await
    );
    let result: Result<String, Refusal> = async {
        // The day work on the plan started; today unless recorded afterwards.
        let on = match field(&f, "gestart") {
            "" => today(),
            _ => date_or(&f, "gestart")?,
        };
        let p = cw::open_plan(&mut tx, h.id, on, today(), &who(&user))
            .await
            .map_err(|e| {
                let field =
                    matches!(e, CaseError::Plan(PlanError::Date(_))).then(|| "gestart".to_owned());
                Refusal {
                    error: e,
                    field,
                    message: None,
                }
            })?;
        Ok(format!("plan {p} geopend per {}", nl_date(on)))
    }
    .await;
    after_change(&state, &ctx, h.id, tx, result, f, "plan").await
}

/// Loads the plan's household within scope; the form's `versie` is required.
async fn plan_scope(
    tx: &mut Tx,
    ctx: &Ctx,
    plan: &str,
    f: &FormMap,
) -> Result<(i64, i64, i64), AppError> {
    let user = ctx.user()?.clone();
    let plan = path_id(plan)?;
    let hh = cw::plan_household(tx, plan)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    scoped_household(tx, ctx, &user, hh, AuditAction::Update).await?;
    let version = field(f, "versie").parse::<i64>().map_err(|_| {
        AppError::BadRequest(
            "Het formulier mist de versie van het plan. Laad de pagina opnieuw.".into(),
        )
    })?;
    Ok((plan, hh, version))
}

pub async fn goal_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let result: Result<String, Refusal> = async {
        let goal = NewGoal {
            domain: LifeDomain::parse(field(&f, "domein"))
                .map_err(|_| ConversationError::Domain)?,
            description: field(&f, "omschrijving").to_owned(),
            measure: field(&f, "meetbaar").to_owned(),
            target_date: date_or(&f, "streefdatum")?,
            term: Term::parse(field(&f, "termijn")).unwrap_or(Term::Short),
        };
        let g = cw::add_goal(&mut tx, plan, version, &goal, &who(&user)).await?;
        Ok(format!("doel {g} toegevoegd aan plan {plan}"))
    }
    .await;
    after_change(&state, &ctx, hh, tx, result, f, "doelen").await
}

fn justification_from(f: &FormMap) -> Justification {
    Justification::new((1..=4).filter_map(|s| {
        Some((
            LadderStep::new(s).ok()?,
            field(f, &format!("reden{s}")).to_owned(),
        ))
    }))
}

pub async fn agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let result: Result<String, Refusal> = async {
        let step = field(&f, "trede")
            .parse::<u8>()
            .ok()
            .and_then(|s| LadderStep::new(s).ok())
            .ok_or(PlanError::Text("trede"))?;
        let justification = justification_from(&f);
        let providers = areas::providers(&mut tx).await?;
        // A provider is chosen from the social map; its name is the provider's.
        let provider = chosen_provider(&f, "aanbieder", &providers)?;
        let a = NewAgreement {
            goal_id: field(&f, "doel").parse::<i64>().unwrap_or(0),
            actor: AgreementActor::parse(field(&f, "wie_soort"))
                .map_err(|_| PlanError::Text("wie_soort"))?,
            actor_name: provider
                .as_ref()
                .map(|p| p.1.clone())
                .unwrap_or_else(|| field(&f, "wie").to_owned()),
            provider_id: provider.map(|p| p.0),
            description: field(&f, "wat").to_owned(),
            step,
            form: SupportForm::parse(field(&f, "vorm")).map_err(|_| PlanError::Text("vorm"))?,
            frequency: field(&f, "frequentie").to_owned(),
            start: date_or(&f, "start")?,
            end_date: parse_date(field(&f, "einddatum")),
            own_contribution: field(&f, "eigen_inzet").to_owned(),
            justification: justification
                .reasons()
                .next()
                .map(|_| justification.clone()),
            referral_id: field(&f, "verwijzing").parse::<i64>().ok(),
        };
        let aid = cw::add_agreement(&mut tx, plan, version, &a, &who(&user)).await?;
        Ok(format!(
            "afspraak {aid} (trede {}) toegevoegd aan plan {plan}",
            step.value()
        ))
    }
    .await;
    after_change(&state, &ctx, hh, tx, result, f, "afspraken").await
}

pub async fn end_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let aid = field(&f, "afspraak").parse::<i64>().unwrap_or(0);
    let day = today();
    let result = cw::end_agreement(&mut tx, plan, version, aid, day, day, &who(&user))
        .await
        .map(|_| format!("afspraak {aid} beëindigd"))
        .map_err(Refusal::from);
    after_change(&state, &ctx, hh, tx, result, f, "afspraken").await
}

/// Evaluates one agreement and continues it to a new end or evaluation date,
/// which clears its overdue flag without ending it.
pub async fn continue_agreement_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let aid = field(&f, "afspraak").parse::<i64>().unwrap_or(0);
    let result: Result<String, Refusal> = async {
        let on = match field(&f, "datum") {
            "" => today(),
            _ => date_or(&f, "datum")?,
        };
        let next = match field(&f, "tot") {
            "" => None,
            _ => Some(date_or(&f, "tot")?),
        };
        cw::continue_agreement(&mut tx, plan, version, aid, on, next, today(), &who(&user))
            .await
            .map_err(|e| {
                let field = match &e {
                    CaseError::Plan(PlanError::EndDateMissing | PlanError::EndBeforeStart) => {
                        format!("tot_{aid}")
                    }
                    _ => format!("datum_{aid}"),
                };
                Refusal::at(field)(e)
            })?;
        Ok(format!(
            "afspraak {aid} geëvalueerd en voortgezet{}",
            next.map(|n| format!(" tot {}", nl_date(n)))
                .unwrap_or_default()
        ))
    }
    .await;
    after_change(&state, &ctx, hh, tx, result, f, "afspraken").await
}

pub async fn referral_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let day = today();
    let result = cw::request_referral(
        &mut tx,
        plan,
        version,
        field(&f, "zorg"),
        justification_from(&f),
        day,
        day,
        &who(&user),
    )
    .await
    .map(|r| format!("verwijzing {r} aangevraagd"))
    .map_err(Refusal::from);
    after_change(&state, &ctx, hh, tx, result, f, "verwijzingen").await
}

pub async fn evaluation_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let result: Result<String, Refusal> = async {
        let on = date_or(&f, "datum")?;
        let mut outcomes = Vec::new();
        let mut agreements = Vec::new();
        for (k, v) in &f {
            if let Some(goal) = k
                .strip_prefix("resultaat_")
                .and_then(|g| g.parse::<i64>().ok())
            {
                if let Ok(o) = GoalOutcome::parse(v) {
                    outcomes.push((
                        goal,
                        o,
                        field(&f, &format!("toelichting_{goal}")).to_owned(),
                    ));
                }
            }
            // Per running agreement: continue to a new date, end, or leave as it is.
            if let Some(aid) = k
                .strip_prefix("afspraak_")
                .and_then(|a| a.parse::<i64>().ok())
            {
                match v.as_str() {
                    "voortzetten" => {
                        let until = match field(&f, &format!("afspraak_{aid}_tot")) {
                            "" => None,
                            s => Some(parse_date(s).ok_or_else(|| {
                                Refusal::at(format!("afspraak_{aid}_tot"))(CaseError::Plan(
                                    PlanError::Text("tot"),
                                ))
                            })?),
                        };
                        agreements.push((aid, AgreementDecision::Continue { until }));
                    }
                    "beeindigen" => agreements.push((aid, AgreementDecision::End)),
                    _ => {}
                }
            }
        }
        let scores = parse_scores(&f)?;
        // A decision the plan refuses is explained next to that agreement: try
        // each on its own first (the store applies them all, or none).
        let case = cw::load_case(&mut tx, hh).await?;
        if let Some(p) = case.plan(plan) {
            for (aid, decision) in &agreements {
                let mut probe = p.clone();
                let tried = match decision {
                    AgreementDecision::Continue { until } => {
                        probe.continue_agreement(*aid, on, *until, today())
                    }
                    AgreementDecision::End => probe.end_agreement(*aid, on, today()),
                };
                match tried {
                    Err(
                        e @ (PlanError::Date(_)
                        | PlanError::DateBeforeOpening
                        | PlanError::PlanClosed),
                    ) => return Err(e.into()),
                    Err(e) => return Err(Refusal::at(format!("afspraak_{aid}_tot"))(e.into())),
                    Ok(()) => {}
                }
            }
        }
        let e = cw::record_evaluation(
            &mut tx,
            plan,
            version,
            &Evaluation {
                on,
                outcomes,
                agreements,
            },
            &scores,
            parse_rung(&f),
            field(&f, "notitie"),
            today(),
            &who(&user),
        )
        .await?;
        Ok(format!("evaluatie {e} vastgelegd"))
    }
    .await;
    after_change(&state, &ctx, hh, tx, result, f, "evaluatie").await
}

pub async fn close_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let (plan, hh, version) = in_scope!(tx, plan_scope(&mut tx, &ctx, &id, &f).await);
    let day = today();
    let result = cw::close_plan(
        &mut tx,
        plan,
        version,
        day,
        field(&f, "reden"),
        day,
        &who(&user),
    )
    .await
    .map(|_| format!("plan {plan} gesloten"))
    .map_err(Refusal::from);
    after_change(&state, &ctx, hh, tx, result, f, "sluiten").await
}

// ------------------------------------------------------------------ resident and provider

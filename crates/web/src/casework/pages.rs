//! The casework pages (Dutch).

use super::{
    current_norms, explain, explain_norms, field, form_map, internal, is_conflict, nl_date,
    parse_date, path_id, scoped_household, today, who, FormMap,
};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::households::audited_household_read;
use crate::pages::{render, PageResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::casework::{
    AgreementActor, AgreementDecision, ContactMethod, Conversation, ConversationError, Evaluation,
    GoalOutcome, Justification, LifeDomain, NetworkMember, NewAgreement, NewGoal, PlanError,
    PlanFlag, ReferralStatus, ResponseNorms, ScoreEntry, Scores, SignalCategory, SignalError, Term,
    UnderlyingNeed, Urgency,
};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, Bsn, HouseLetter, HouseNumber, LadderStep,
    ParticipationRung, Permission, Postcode, Role, SupportForm,
};
use baken_store::areas::Provider;
use baken_store::casework::{self as cw, CaseError, FigureFilter, NewSignal, Search};
use baken_store::households::Household;
use baken_store::{areas, audit, StoreError, Tx};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;

type Errors = BTreeMap<String, String>;

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
}

fn opts<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
        })
        .collect()
}

fn choices() -> Value {
    let steps: Vec<Opt> = (1..=5)
        .filter_map(|s| LadderStep::new(s).ok())
        .map(|s| Opt {
            value: s.value().to_string(),
            label: format!("{} – {} ({})", s.value(), s.name(), s.line()),
        })
        .collect();
    let rungs: Vec<Opt> = (1..=6)
        .filter_map(|s| ParticipationRung::new(s).ok())
        .map(|s| Opt {
            value: s.value().to_string(),
            label: format!("{} – {}", s.value(), s.name()),
        })
        .collect();
    let forms: Vec<Opt> = [
        SupportForm::Faciliteren,
        SupportForm::Ondersteunen,
        SupportForm::Intervenieren,
        SupportForm::Beschermen,
    ]
    .iter()
    .map(|f| Opt {
        value: f.label().to_owned(),
        label: f.label().to_owned(),
    })
    .collect();
    Value::from_serialize(context! {
        categories => opts(SignalCategory::ALL, SignalCategory::as_str, SignalCategory::label),
        urgencies => opts(Urgency::ALL, Urgency::as_str, Urgency::label),
        methods => opts(ContactMethod::ALL, ContactMethod::as_str, ContactMethod::label),
        domains => opts(LifeDomain::ALL, LifeDomain::as_str, LifeDomain::label),
        actors => opts(AgreementActor::ALL, AgreementActor::as_str, AgreementActor::label),
        terms => opts(Term::ALL, Term::as_str, Term::label),
        outcomes => opts(GoalOutcome::ALL, GoalOutcome::as_str, GoalOutcome::label),
        steps => steps, rungs => rungs, forms => forms,
    })
}

/// "dezelfde dag", "1 werkdag", "3 werkdagen".
fn working_days(n: u32) -> String {
    match n {
        0 => "dezelfde dag".to_owned(),
        1 => "1 werkdag".to_owned(),
        n => format!("{n} werkdagen"),
    }
}

fn norms_context(n: &ResponseNorms) -> Value {
    Value::from_serialize(context! {
        crisis => n.crisis(), urgent => n.urgent(), normaal => n.normaal(),
        crisis_text => working_days(n.crisis()), urgent_text => working_days(n.urgent()),
        normaal_text => working_days(n.normaal()),
    })
}

// ------------------------------------------------------------------ signals

/// Parses a signal form; errors keyed by field. Only the social team may give
/// the day a signal came in (by phone, by letter); everyone else reports today.
fn parse_signal(
    f: &FormMap,
    source: Option<&str>,
    reported_by: Option<i64>,
    may_backdate: bool,
    day: chrono::NaiveDate,
) -> Result<NewSignal, Errors> {
    let mut errors = Errors::new();
    let postcode = Postcode::parse(field(f, "postcode"))
        .map_err(|_| {
            errors.insert(
                "postcode".into(),
                "Vul een postcode in zoals 1234 AB.".into(),
            )
        })
        .ok();
    let number = HouseNumber::parse(field(f, "huisnummer"))
        .map_err(|_| {
            errors.insert(
                "huisnummer".into(),
                "Vul het huisnummer in (alleen cijfers).".into(),
            )
        })
        .ok();
    let letter = HouseLetter::parse_optional(field(f, "huisletter"))
        .map_err(|_| {
            errors.insert(
                "huisletter".into(),
                "Een huisletter is één letter, zoals A. Laat het leeg als er geen is.".into(),
            )
        })
        .ok();
    let addition = Addition::parse_optional(field(f, "toevoeging"))
        .map_err(|_| {
            errors.insert(
                "toevoeging".into(),
                "Een toevoeging is hooguit 4 letters of cijfers, zoals 2 of bis.".into(),
            )
        })
        .ok();
    let category = SignalCategory::parse(field(f, "categorie"))
        .map_err(|_| errors.insert("categorie".into(), "Kies waar de zorg over gaat.".into()))
        .ok();
    let urgency = Urgency::parse(field(f, "urgentie"))
        .map_err(|_| errors.insert("urgentie".into(), "Kies hoe dringend het is.".into()))
        .ok();
    let description = baken_domain::casework::signal::parse_description(field(f, "omschrijving"))
        .map_err(|_| {
            errors.insert(
                "omschrijving".into(),
                "Beschrijf uw zorg in een paar zinnen (hooguit 4000 tekens).".into(),
            )
        })
        .ok();
    let source = baken_domain::casework::signal::parse_source(source.unwrap_or(field(f, "bron")))
        .map_err(|_| {
            errors.insert(
                "bron".into(),
                "Vul in namens wie u meldt, bijvoorbeeld uw organisatie.".into(),
            )
        })
        .ok();
    let reported_on = match field(f, "ontvangen_op") {
        "" => Some(day),
        _ if !may_backdate => Some(day),
        s => match parse_date(s) {
            None => {
                errors.insert(
                    "ontvangen_op".into(),
                    "Vul een datum in, bijvoorbeeld 01-02-2026.".into(),
                );
                None
            }
            Some(d) => match baken_domain::casework::signal::check_reported(d, day) {
                Ok(()) => Some(d),
                Err(e) => {
                    let msg = explain(&CaseError::Signal(e))
                        .map(|e| e.1)
                        .unwrap_or_default();
                    errors.insert("ontvangen_op".into(), msg);
                    None
                }
            },
        },
    };
    match (
        postcode,
        number,
        letter,
        addition,
        category,
        urgency,
        description,
        source,
        reported_on,
    ) {
        (Some(p), Some(n), Some(l), Some(a), Some(c), Some(u), Some(d), Some(s), Some(on))
            if errors.is_empty() =>
        {
            Ok(NewSignal {
                reported_on: on,
                category: c,
                urgency: u,
                description: d,
                source: s,
                reported_by,
                postcode: p.to_string(),
                house_number: i64::from(n.value()),
                house_letter: l.map(|l| l.as_char().to_string()).unwrap_or_default(),
                addition: a.map(|a| a.as_str().to_owned()).unwrap_or_default(),
            })
        }
        _ => Err(errors),
    }
}

#[allow(clippy::too_many_arguments)]
async fn signal_form_page(
    state: &AppState,
    ctx: &Ctx,
    public: bool,
    errors: &Errors,
    form: &FormMap,
    done: bool,
    status: StatusCode,
) -> PageResult {
    let title = if public {
        "Zorg om iemand in uw buurt?"
    } else {
        "Zorg melden"
    };
    let mut tx = state.db.read().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    drop(tx);
    let backdate = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role().may(Permission::Casework));
    let html = render(
        state,
        ctx,
        "casework_signal_form.html",
        title,
        Value::from_serialize(context! {
            public => public, errors => errors, form => form, done => done, choices => choices(),
            action => if public { "/zorgmelding" } else { "/signalen/nieuw" },
            norms => norms_context(&norms), backdate => backdate, today => today().to_string(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn public_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(
        &state,
        &ctx,
        true,
        &Errors::new(),
        &FormMap::new(),
        false,
        StatusCode::OK,
    )
    .await
}

/// At most this many public reports per client address per hour.
pub const PUBLIC_REPORTS_PER_HOUR: i64 = 5;

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = form_map(pairs);
    let mut tx = state.db.begin().await?;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    if cw::public_reports_since(&mut tx, &ctx.route, &ctx.client, since).await?
        >= PUBLIC_REPORTS_PER_HOUR
    {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Access,
                AuditOutcome::Denied,
                None,
                "te veel meldingen vanaf dit adres",
            ),
        )
        .await?;
        tx.commit().await?;
        let mut errors = Errors::new();
        errors.insert("_form".into(), "U hebt het afgelopen uur al een aantal meldingen gedaan. Probeer het later opnieuw, of bel de gemeente.".into());
        return signal_form_page(
            &state,
            &ctx,
            true,
            &errors,
            &f,
            false,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    match parse_signal(&f, Some("Buurtbewoner (zorgmelding)"), None, false, today()) {
        Err(errors) => {
            drop(tx);
            signal_form_page(
                &state,
                &ctx,
                true,
                &errors,
                &f,
                false,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Ok(s) => {
            let id = cw::create_signal(&mut tx, &s).await.map_err(internal)?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("signal", id.to_string())),
                    format!("zorgmelding {}", s.category.as_str()),
                ),
            )
            .await?;
            tx.commit().await?;
            // Nothing of what was reported is shown back.
            signal_form_page(
                &state,
                &ctx,
                true,
                &Errors::new(),
                &FormMap::new(),
                true,
                StatusCode::OK,
            )
            .await
        }
    }
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(
        &state,
        &ctx,
        false,
        &Errors::new(),
        &FormMap::new(),
        false,
        StatusCode::OK,
    )
    .await
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let may_backdate = user.role().may(Permission::Casework);
    match parse_signal(&f, None, Some(user.user.id), may_backdate, today()) {
        Err(errors) => {
            signal_form_page(
                &state,
                &ctx,
                false,
                &errors,
                &f,
                false,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Ok(s) => {
            let mut tx = state.db.begin().await?;
            let id = cw::create_signal(&mut tx, &s).await.map_err(internal)?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("signal", id.to_string())),
                    format!(
                        "signaal {}{}",
                        s.category.as_str(),
                        if s.reported_on != today() {
                            format!(", binnengekomen op {}", nl_date(s.reported_on))
                        } else {
                            String::new()
                        }
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            signal_form_page(
                &state,
                &ctx,
                false,
                &Errors::new(),
                &FormMap::new(),
                true,
                StatusCode::OK,
            )
            .await
        }
    }
}

#[derive(Serialize)]
struct SignalView {
    id: i64,
    reported_on: String,
    category: String,
    urgency: String,
    description: String,
    source: String,
    address: String,
    household_id: Option<i64>,
    assigned: Option<String>,
    state: String,
    overdue: bool,
    contacted: bool,
    repeat: usize,
    candidates: Vec<(i64, String)>,
    contact: Option<String>,
    /// A hulpvraag from the Eigen Kracht Wijzer: the request with all answers.
    help_request: Option<i64>,
}

fn signal_view(s: &cw::SignalRow, norms: &ResponseNorms, day: chrono::NaiveDate) -> SignalView {
    let st = norms.state(s.reported_on, s.urgency(), s.first_contact_on, day);
    SignalView {
        id: s.id,
        reported_on: nl_date(s.reported_on),
        category: s
            .category()
            .map(|c| c.label())
            .unwrap_or("Overig")
            .to_owned(),
        urgency: s.urgency().label().to_owned(),
        description: s.description.clone(),
        source: s.source.clone(),
        address: s.address(),
        household_id: s.household_id,
        assigned: s.assigned_name.clone(),
        state: st.label(),
        overdue: st.is_overdue(),
        contacted: s.first_contact_on.is_some(),
        repeat: 0,
        candidates: Vec::new(),
        help_request: None,
        contact: s.first_contact_on.map(|d| {
            format!(
                "{} ({})",
                nl_date(d),
                s.contact_method
                    .as_deref()
                    .and_then(|m| ContactMethod::parse(m).ok())
                    .map(|m| m.label())
                    .unwrap_or("")
            )
        }),
    }
}

/// Open signals shown together: all those about one household, or — before
/// anyone linked them — all those about one dwelling (postcode, number,
/// letter and addition).
#[derive(Serialize)]
struct SignalGroup {
    address: String,
    linked: bool,
    signals: Vec<SignalView>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone)]
enum GroupKey {
    Household(i64),
    Address(String, i64, String, String),
}

async fn triage_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &Errors,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let Some(team) = user.user.team_id else {
        return Err(AppError::NotFound.into());
    };
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let rows = cw::team_signals(&mut tx, team, 300)
        .await
        .map_err(internal)?;
    let generalists = cw::team_generalists(&mut tx, team).await?;
    let from_wijzer: Vec<i64> = rows
        .iter()
        .filter(|s| s.category == "hulpvraag")
        .map(|s| s.id)
        .collect();
    let help_requests: BTreeMap<i64, i64> =
        baken_store::kaart::help_requests_of_signals(&mut tx, &from_wijzer)
            .await?
            .into_iter()
            .collect();
    let key = |s: &cw::SignalRow| match s.household_id {
        Some(h) => GroupKey::Household(h),
        None => {
            let (p, n, l, a) = s.address_key();
            GroupKey::Address(p, n, l, a)
        }
    };
    let mut per_key: BTreeMap<GroupKey, usize> = BTreeMap::new();
    for s in &rows {
        *per_key.entry(key(s)).or_default() += 1;
    }
    let mut views: Vec<(GroupKey, SignalView)> = Vec::new();
    for s in &rows {
        let mut v = signal_view(s, &norms, day);
        v.help_request = help_requests.get(&s.id).copied();
        v.repeat = per_key.get(&key(s)).copied().unwrap_or(0);
        if s.household_id.is_none() {
            let mut candidates: Vec<cw::Hit> = cw::at_address(&mut tx, &s.postcode, s.house_number)
                .await
                .map_err(internal)?
                .into_iter()
                .filter(|h| h.team_id == Some(team))
                .collect();
            // The household at exactly this dwelling first.
            candidates.sort_by_key(|h| {
                (
                    h.house_letter != s.house_letter || h.addition != s.addition,
                    h.id,
                )
            });
            v.candidates = candidates.iter().map(|h| (h.id, h.address())).collect();
        }
        views.push((key(s), v));
    }
    let overdue = views.iter().filter(|(_, v)| v.overdue).count();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("signal", "*".into())),
            format!("{} signalen", views.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let (open, done): (Vec<_>, Vec<_>) = views.into_iter().partition(|(_, v)| !v.contacted);
    // Groups in the order of their newest signal (the list is newest first).
    let mut groups: Vec<(GroupKey, SignalGroup)> = Vec::new();
    for (k, v) in open {
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, g)) => g.signals.push(v),
            None => groups.push((
                k.clone(),
                SignalGroup {
                    address: v.address.clone(),
                    linked: matches!(k, GroupKey::Household(_)),
                    signals: vec![v],
                },
            )),
        }
    }
    let groups: Vec<SignalGroup> = groups.into_iter().map(|(_, g)| g).collect();
    let done: Vec<SignalView> = done.into_iter().map(|(_, v)| v).collect();
    let html = render(
        state,
        ctx,
        "casework_triage.html",
        "Signalen",
        Value::from_serialize(context! {
            groups => groups, done => done, overdue => overdue, generalists => generalists, errors => errors,
            choices => choices(), today => day.to_string(), norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn triage(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    triage_page(&state, &ctx, &Errors::new(), StatusCode::OK).await
}

/// A signal the user's team may work on.
pub(crate) async fn team_signal(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
) -> Result<cw::SignalRow, AppError> {
    let user = ctx.user()?;
    let s = cw::signal(tx, id).await.map_err(internal)?;
    match s {
        Some(s) if s.team_id.is_none() || s.team_id == user.user.team_id => Ok(s),
        _ => {
            audit::append(
                tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Denied,
                    Some(("signal", id.to_string())),
                    "signaal buiten het eigen team",
                ),
            )
            .await?;
            Err(AppError::NotFound)
        }
    }
}

pub async fn triage_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let f = form_map(pairs);
    let mut errors = Errors::new();
    let hh = field(&f, "huishouden").parse::<i64>().ok();
    let generalist = field(&f, "generalist").parse::<i64>().ok();
    if hh.is_none() {
        errors.insert(
            format!("huishouden_{id}"),
            "Kies het huishouden op dit adres.".into(),
        );
    }
    if generalist.is_none() {
        errors.insert(format!("generalist_{id}"), "Kies een generalist.".into());
    }
    let (Some(hh), Some(generalist)) = (hh, generalist) else {
        return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = state.db.begin().await?;
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    in_scope!(tx, team_signal(&mut tx, &ctx, id).await);
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, hh, AuditAction::Update).await
    );
    if !cw::team_generalists(&mut tx, team)
        .await?
        .iter()
        .any(|g| g.0 == generalist)
    {
        drop(tx);
        errors.insert(
            format!("generalist_{id}"),
            "Kies een generalist uit uw team.".into(),
        );
        return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
    }
    let coordinator = match cw::triage(&mut tx, id, h.id, generalist, today()).await {
        Ok(c) => c,
        Err(e) => {
            drop(tx);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            errors.insert(format!("huishouden_{id}"), msg);
            return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
        }
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("household", h.id.to_string())),
            format!("signaal {id} toegewezen; contactpersoon {coordinator}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/signalen?opgeslagen=toegewezen").into_response())
}

pub async fn contact_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let f = form_map(pairs);
    let mut errors = Errors::new();
    let date = parse_date(field(&f, "datum"));
    let method = ContactMethod::parse(field(&f, "wijze")).ok();
    if date.is_none() {
        errors.insert(
            format!("datum_{id}"),
            "Vul de datum van het eerste contact in.".into(),
        );
    }
    if method.is_none() {
        errors.insert(format!("wijze_{id}"), "Kies hoe het contact was.".into());
    }
    let (Some(date), Some(method)) = (date, method) else {
        return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = state.db.begin().await?;
    let s = in_scope!(tx, team_signal(&mut tx, &ctx, id).await);
    let Some(hh) = s.household_id else {
        drop(tx);
        errors.insert(
            format!("datum_{id}"),
            "Wijs het signaal eerst toe aan een huishouden.".into(),
        );
        return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
    };
    in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, hh, AuditAction::Update).await
    );
    match cw::record_first_contact(&mut tx, id, date, method, field(&f, "uitkomst"), today()).await
    {
        Ok(()) => {}
        Err(e) => {
            drop(tx);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            errors.insert(format!("datum_{id}"), msg);
            return triage_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
        }
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            format!("eerste contact signaal {id}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/signalen?opgeslagen=contact").into_response())
}

// ------------------------------------------------------------------ working views

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let mut errors = Errors::new();
    let get = |k: &str| q.get(k).map(|s| s.trim()).unwrap_or("");
    let (postcode, street, number, name, bsn) = (
        get("postcode"),
        get("straat"),
        get("huisnummer"),
        get("naam"),
        get("bsn"),
    );
    let mut house_number = || {
        if number.is_empty() {
            Some(None)
        } else {
            HouseNumber::parse(number)
                .map(|n| Some(i64::from(n.value())))
                .map_err(|_| {
                    errors.insert(
                        "huisnummer".into(),
                        "Vul een huisnummer in (alleen cijfers).".into(),
                    )
                })
                .ok()
        }
    };
    // What was searched on, for the audit log (never the terms themselves).
    let kind = if !bsn.is_empty() {
        "bsn"
    } else if !postcode.is_empty() {
        "adres"
    } else if !street.is_empty() {
        "straat"
    } else if !name.is_empty() {
        "naam"
    } else {
        ""
    };
    let query = match kind {
        "bsn" => match Bsn::parse(bsn) {
            Ok(b) => Some(Search::Bsn(b)),
            Err(_) => {
                errors.insert(
                    "bsn".into(),
                    "Dit is geen geldig BSN: 9 cijfers die de elfproef doorstaan.".into(),
                );
                None
            }
        },
        "adres" => {
            let n = house_number();
            let p = Postcode::parse(postcode)
                .map_err(|_| {
                    errors.insert(
                        "postcode".into(),
                        "Vul een postcode in zoals 1234 AB.".into(),
                    )
                })
                .ok();
            match (p, n) {
                (Some(p), Some(n)) => Some(Search::Address {
                    postcode: p.to_string(),
                    house_number: n,
                }),
                _ => None,
            }
        }
        "straat" => {
            let n = house_number();
            if street.chars().count() < 2 {
                errors.insert(
                    "straat".into(),
                    "Vul minstens twee letters van de straatnaam in.".into(),
                );
                None
            } else {
                n.map(|n| Search::Street {
                    street: street.to_owned(),
                    house_number: n,
                })
            }
        }
        "naam" if name.chars().count() >= 2 => Some(Search::Name(name.to_owned())),
        "naam" => {
            errors.insert(
                "naam".into(),
                "Vul minstens twee letters van de naam in.".into(),
            );
            None
        }
        _ => None,
    };
    let mut hits = Vec::new();
    let searched = query.is_some();
    if let Some(search) = query {
        let mut tx = state.db.begin().await?;
        hits = cw::search(&mut tx, team, &search).await.map_err(internal)?;
        // The search terms themselves (a BSN, a name) are not written to the log.
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Search,
                AuditOutcome::Success,
                Some(("household", "*".into())),
                format!("zoeken op {kind}; {} resultaten", hits.len()),
            ),
        )
        .await?;
        tx.commit().await?;
    } else if !kind.is_empty() {
        // An attempt is audited too (a run of invalid BSNs is worth seeing),
        // again without what was typed.
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Search,
                AuditOutcome::Failed,
                Some(("household", "*".into())),
                format!("zoeken op {kind}: ongeldige invoer"),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    let rows: Vec<(i64, String, String)> = hits
        .iter()
        .map(|h| (h.id, h.address(), h.postcode.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = render(
        &state,
        &ctx,
        "casework_search.html",
        "Zoeken",
        Value::from_serialize(context! {
            q => q, errors => errors, rows => rows, searched => searched,
        }),
    )?;
    Ok((status, html).into_response())
}

/// Households per caseload page.
const CASELOAD_PAGE: i64 = 50;

pub async fn caseload(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let day = today();
    let page_no = crate::pages::households::page_number(q.get("pagina").map(String::as_str));
    let (me, audit_ctx) = (user.user.id, ctx.clone());
    let page = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let page = cw::caseload(
                    tx,
                    me,
                    day,
                    day - chrono::Duration::days(30),
                    page_no,
                    CASELOAD_PAGE,
                )
                .await
                .map_err(internal)?;
                let entry = audit_ctx.audit(
                    AuditAction::Read,
                    AuditOutcome::Success,
                    Some(("household", "*".into())),
                    format!(
                        "caseload: pagina {}, {} van {} huishoudens",
                        page.page,
                        page.items.len(),
                        page.total
                    ),
                );
                Ok::<_, AppError>((page, vec![entry]))
            })
        })
        .await?;
    let (total, pages, current) = (page.total, page.pages(), page.page);
    let rows = page.items;
    #[derive(Serialize)]
    struct Row {
        id: i64,
        address: String,
        plan: bool,
        next: String,
        overdue: i64,
        waiting: i64,
        answered: i64,
        signals: i64,
    }
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            id: r.household_id,
            address: format!(
                "{} {}{}{}",
                r.street,
                r.house_number,
                r.house_letter,
                if r.addition.is_empty() {
                    String::new()
                } else {
                    format!("-{}", r.addition)
                }
            ),
            plan: r.plan_id.is_some(),
            next: r.next_date.map(nl_date).unwrap_or_default(),
            overdue: r.overdue_agreements,
            waiting: r.referrals_waiting,
            answered: r.referrals_answered,
            signals: r.open_signals,
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "casework_caseload.html",
        "Mijn caseload",
        Value::from_serialize(context! {
            rows => rows, total => total,
            page => context! { page => current, pages => pages },
        }),
    )?
    .into_response())
}

async fn team_page(state: &AppState, ctx: &Ctx, errors: &Errors, status: StatusCode) -> PageResult {
    let user = ctx.user()?.clone();
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let load = cw::team_load(&mut tx, team).await.map_err(internal)?;
    let referrals = cw::team_referrals(&mut tx, team, false)
        .await
        .map_err(internal)?;
    let overdue: Vec<SignalView> = cw::overdue_signals(&mut tx, team, &norms, day)
        .await
        .map_err(internal)?
        .iter()
        .map(|s| signal_view(s, &norms, day))
        .collect();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("teamoverzicht: {} verwijzingen", referrals.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    #[derive(Serialize)]
    struct Ref {
        id: i64,
        household_id: i64,
        address: String,
        care: String,
        requested_on: String,
        by: String,
        status: String,
        note: String,
        waiting: bool,
    }
    let refs: Vec<Ref> = referrals
        .into_iter()
        .map(|r| Ref {
            id: r.id,
            household_id: r.household_id,
            address: format!("{} {}", r.street, r.house_number),
            care: r.care,
            requested_on: nl_date(r.requested_on),
            by: r.requested_by_name,
            waiting: r.status == "aangevraagd",
            status: r.status,
            note: r.decision_note.unwrap_or_default(),
        })
        .collect();
    let html = render(
        state,
        ctx,
        "casework_team.html",
        "Teamoverzicht",
        Value::from_serialize(context! {
            load => load, referrals => refs, overdue => overdue, errors => errors,
            norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn team(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    team_page(&state, &ctx, &Errors::new(), StatusCode::OK).await
}

pub async fn decide_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let f = form_map(pairs);
    let approve = match field(&f, "besluit") {
        "goedkeuren" => true,
        "afwijzen" => false,
        _ => {
            let mut errors = Errors::new();
            errors.insert(
                format!("besluit_{id}"),
                "Kies goedkeuren of afwijzen.".into(),
            );
            return team_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
        }
    };
    let mut tx = state.db.begin().await?;
    let (hh, _) = cw::referral_household(&mut tx, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, hh, AuditAction::Update).await
    );
    let day = today();
    match cw::decide_referral(
        &mut tx,
        id,
        approve,
        field(&f, "reden"),
        day,
        day,
        &who(&user),
    )
    .await
    {
        Ok(r) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("household", hh.to_string())),
                    format!("verwijzing {id} {}", r.status().code()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/teamoverzicht?opgeslagen=besluit").into_response())
        }
        Err(e) => {
            drop(tx);
            let conflict = is_conflict(&e);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            if conflict {
                let mut tx = state.db.begin().await?;
                audit::append(
                    &mut tx,
                    &ctx.audit(
                        AuditAction::Update,
                        AuditOutcome::Conflict,
                        Some(("household", hh.to_string())),
                        format!("verwijzing {id}: al beslist"),
                    ),
                )
                .await?;
                tx.commit().await?;
            }
            let mut errors = Errors::new();
            errors.insert(format!("reden_{id}"), msg.clone());
            if conflict {
                errors.insert("_form".into(), msg);
            }
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            team_page(&state, &ctx, &errors, status).await
        }
    }
}

// ------------------------------------------------------------------ the dossier

#[derive(Serialize)]
struct Point {
    x: i64,
    y: i64,
    label: String,
}

/// A chart as coordinates for an inline SVG (480 × 200, plot from y 170 for
/// `lo` up to y 20 for `hi`): the points, the polyline, and the grid values.
#[derive(Serialize)]
struct Chart {
    points: Vec<Point>,
    line: String,
    grid: Vec<(i64, i64)>,
}

fn chart(values: &[(chrono::NaiveDate, f64, String)], lo: f64, hi: f64) -> Chart {
    let n = values.len().max(1) as i64;
    let y = |v: f64| 170 - ((v - lo) * 150.0 / (hi - lo)).round() as i64;
    let points: Vec<Point> = values
        .iter()
        .enumerate()
        .map(|(i, (on, v, label))| Point {
            x: if n == 1 {
                250
            } else {
                50 + i as i64 * 400 / (n - 1)
            },
            y: y(*v),
            label: format!("{}: {label}", nl_date(*on)),
        })
        .collect();
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let grid = (lo as i64..=hi as i64).map(|v| (v, y(v as f64))).collect();
    Chart { points, line, grid }
}

/// Mean self-reliance (1–5) and the participation rung (1–6) over time.
fn charts(ms: &[cw::Measurement]) -> (Chart, Chart) {
    let means: Vec<(chrono::NaiveDate, f64, String)> = ms
        .iter()
        .filter_map(|m| {
            let v = m.scores.mean()?;
            Some((m.on, v, format!("{v:.1}").replace('.', ",")))
        })
        .collect();
    let rungs: Vec<(chrono::NaiveDate, f64, String)> = ms
        .iter()
        .filter_map(|m| {
            let r = ParticipationRung::new(u8::try_from(m.rung?).ok()?).ok()?;
            Some((
                m.on,
                f64::from(r.value()),
                format!("trede {} ({})", r.value(), r.name()),
            ))
        })
        .collect();
    (chart(&means, 1.0, 5.0), chart(&rungs, 1.0, 6.0))
}

/// Rows of the conversation form: how many, from the form (at least the
/// default, at most 20), one more when asked for.
fn rows(form: &FormMap, kind: &str, default: usize) -> usize {
    let n = field(form, &format!("rijen_{kind}"))
        .parse::<usize>()
        .unwrap_or(default)
        .clamp(default, 20);
    if form.get("meer").map(String::as_str) == Some(kind) {
        (n + 1).min(20)
    } else {
        n
    }
}

/// Default rows in the conversation form: needs, network members, consents.
const NEED_ROWS: usize = 3;
const NETWORK_ROWS: usize = 5;
const CONSENT_ROWS: usize = 2;

#[derive(Serialize)]
struct ProviderOpt {
    id: i64,
    name: String,
}

fn provider_opts(providers: &[Provider]) -> Vec<ProviderOpt> {
    providers
        .iter()
        .map(|p| ProviderOpt {
            id: p.id,
            name: p.name.clone(),
        })
        .collect()
}

/// Everything the dossier shows of one household, as read in its audited
/// transaction. Turning it into a page ([`dossier_context`]) happens after that
/// transaction, so the shared transaction of audited reads holds only the queries.
struct DossierData {
    case: baken_domain::casework::HouseholdCase,
    coordinator: Option<String>,
    signals: Vec<cw::SignalRow>,
    conversations: Vec<cw::ConversationRow>,
    needs: Vec<cw::NeedRow>,
    network: Vec<cw::NetworkRow>,
    consents: Vec<cw::ConsentRow>,
    measurements: Vec<cw::Measurement>,
    /// For the plan shown (the open one, or the last): history, progress, version.
    plan: Option<(Vec<cw::HistoryRow>, Vec<cw::ProgressRow>, i64)>,
}

async fn load_dossier(tx: &mut Tx, h: &Household) -> Result<DossierData, AppError> {
    let read = cw::read_case(tx, h.id).await.map_err(internal)?;
    let signals = cw::household_signals(tx, h.id).await.map_err(internal)?;
    let conversations = cw::conversations(tx, h.id).await.map_err(internal)?;
    let needs = cw::needs(tx, h.id).await.map_err(internal)?;
    let network = cw::network(tx, h.id).await.map_err(internal)?;
    let consents = cw::consents(tx, h.id).await.map_err(internal)?;
    let measurements = cw::measurements(tx, h.id).await.map_err(internal)?;
    let case = &read.case;
    let plan = match case.open_plan().or(case.plans().last()).map(|p| p.id()) {
        None => None,
        Some(id) => Some((
            cw::history(tx, id).await.map_err(internal)?,
            cw::progress(tx, id).await.map_err(internal)?,
            read.plan_version(id).ok_or_else(|| {
                internal(cw::CaseError::Store(StoreError::NotFound(format!(
                    "plan {id}"
                ))))
            })?,
        )),
    };
    Ok(DossierData {
        case: read.case,
        coordinator: read.coordinator_name,
        signals,
        conversations,
        needs,
        network,
        consents,
        measurements,
        plan,
    })
}

/// The dossier page's values. `norms` and `providers` are not a household's
/// data: they are read outside the audited transaction.
fn dossier_context(
    h: &Household,
    data: DossierData,
    norms: &ResponseNorms,
    providers: &[baken_store::areas::Provider],
    day: chrono::NaiveDate,
    form: &FormMap,
) -> Value {
    let DossierData {
        case,
        coordinator,
        signals,
        conversations,
        needs,
        network,
        consents,
        measurements: ms,
        plan: plan_rows,
    } = data;
    let signals: Vec<SignalView> = signals.iter().map(|s| signal_view(s, norms, day)).collect();
    let (score_chart, rung_chart) = charts(&ms);
    #[derive(Serialize)]
    struct ScoreRow {
        domain: String,
        code: String,
        first: String,
        last: String,
    }
    let score_rows: Vec<ScoreRow> = LifeDomain::ALL
        .iter()
        .map(|d| ScoreRow {
            domain: d.label().to_owned(),
            code: d.as_str().to_owned(),
            first: ms
                .first()
                .and_then(|m| m.scores.0.get(d))
                .map(|s| s.label())
                .unwrap_or_default(),
            last: ms
                .last()
                .filter(|_| ms.len() > 1)
                .and_then(|m| m.scores.0.get(d))
                .map(|s| s.label())
                .unwrap_or_default(),
        })
        .collect();
    let measurements: Vec<Value> = ms
        .iter()
        .map(|m| {
            Value::from_serialize(context! {
                on => nl_date(m.on), source => m.source,
                mean => m.scores.mean().map(|v| format!("{v:.1}").replace('.', ",")).unwrap_or_else(|| "–".into()),
                rung => m.rung.and_then(|r| u8::try_from(r).ok()).and_then(|r| ParticipationRung::new(r).ok()).map(|r| format!("{} – {}", r.value(), r.name())).unwrap_or_default(),
            })
        })
        .collect();
    let plan_value = match case.open_plan().or(case.plans().last()) {
        None => Value::from(()),
        Some(p) => {
            let refs = p.referrals();
            let (history, progress, version) = plan_rows.unwrap_or_default();
            let flags = p.flags(day);
            let goals: Vec<Value> = p
                .goals()
                .iter()
                .map(|g| {
                    Value::from_serialize(context! {
                        id => g.id(), domain => g.domain().label(), description => g.description(), measure => g.measure(),
                        target => nl_date(g.target_date()), term => g.term().label(),
                        outcome => g.result().map(|r| format!("{} op {}{}", r.outcome.label(), nl_date(r.on), if r.note.is_empty() { String::new() } else { format!(": {}", r.note) })),
                        due => flags.iter().any(|f| matches!(f, PlanFlag::GoalEvaluationDue { goal_id, .. } if *goal_id == g.id())),
                    })
                })
                .collect();
            let agreements: Vec<Value> = p
                .agreements()
                .iter()
                .map(|a| {
                    let t = a.terms();
                    Value::from_serialize(context! {
                        id => a.id(), actor => t.actor.label(), name => t.actor_name, what => t.description,
                        provider => t.provider_id.is_some(),
                        step => format!("{} – {}", t.step.value(), t.step.name()), form => t.form.label(),
                        frequency => t.frequency, start => nl_date(t.start), end => t.end_date.map(nl_date),
                        own => t.own_contribution, running => a.is_running(), ended => a.ended_on().map(nl_date),
                        evaluated => a.last_evaluated().map(nl_date),
                        professional => t.is_professional(),
                        overdue => a.evaluation_overdue(day),
                        goal => p.goal(t.goal_id).map(|g| g.description().to_owned()),
                        reasons => t.justification.as_ref().map(|j| j.reasons().map(|(s, r)| format!("Trede {s}: {r}")).collect::<Vec<_>>()),
                    })
                })
                .collect();
            let referrals: Vec<Value> = refs
                .iter()
                .map(|r| {
                    let (status, note) = match r.status() {
                        ReferralStatus::Pending => ("wacht op de teamleider".to_owned(), String::new()),
                        ReferralStatus::Approved { on, note, .. } => (format!("goedgekeurd op {}", nl_date(*on)), note.clone()),
                        ReferralStatus::Rejected { on, reason, .. } => (format!("afgewezen op {}", nl_date(*on)), reason.clone()),
                    };
                    Value::from_serialize(context! { id => r.id(), care => r.care(), requested => nl_date(r.requested_on()), status => status, note => note, approved => r.is_approved() })
                })
                .collect();
            let approved: Vec<(i64, String)> = refs
                .iter()
                .filter(|r| r.is_approved())
                .map(|r| (r.id(), r.care().to_owned()))
                .collect();
            let history: Vec<(String, String, String)> = history
                .into_iter()
                .map(|h| {
                    (
                        crate::pages::households::nl_local(h.at)
                            .format("%d-%m-%Y %H:%M")
                            .to_string(),
                        h.username,
                        h.change,
                    )
                })
                .collect();
            let progress: Vec<(String, String)> = progress
                .into_iter()
                .map(|p| {
                    (
                        crate::pages::households::nl_local(p.at)
                            .format("%d-%m-%Y")
                            .to_string(),
                        p.note,
                    )
                })
                .collect();
            Value::from_serialize(context! {
                id => p.id(), open => p.is_open(), opened => nl_date(p.opened_on()), version => version,
                closed => match p.status() { baken_domain::casework::PlanStatus::Closed { on, reason } => Some(format!("{} – {}", nl_date(*on), reason)), _ => None },
                goals => goals, agreements => agreements, referrals => referrals, approved => approved,
                history => history, progress => progress, flagged => !flags.is_empty(),
                running => p.agreements().iter().any(|a| a.is_running()),
                overdue_agreements => flags.iter().filter(|f| matches!(f, PlanFlag::AgreementEvaluationOverdue { .. })).count(),
            })
        }
    };
    let needs: Vec<(i64, String, String)> = needs
        .into_iter()
        .map(|n| {
            (
                n.conversation_id,
                LifeDomain::parse(&n.domain)
                    .map(|d| d.label())
                    .unwrap_or("")
                    .to_owned(),
                n.need,
            )
        })
        .collect();
    let consents: Vec<Value> = consents
        .into_iter()
        .map(|c| {
            Value::from_serialize(context! {
                organisation => c.organisation, provider => c.provider_id.is_some(), purpose => c.purpose,
                until => nl_date(c.until), holds => c.given_on <= day && c.until >= day,
            })
        })
        .collect();
    let conversations: Vec<Value> = conversations
        .into_iter()
        .map(|c| Value::from_serialize(context! { id => c.id, held => nl_date(c.held_on), question => c.presented_question, differs => c.need_differs, strengths => c.strengths, wishes => c.wishes, by => c.by_name }))
        .collect();
    let form_rows = context! {
        needs => (1..=rows(form, "behoefte", NEED_ROWS)).collect::<Vec<_>>(),
        network => (1..=rows(form, "netwerk", NETWORK_ROWS)).collect::<Vec<_>>(),
        consents => (1..=rows(form, "toestemming", CONSENT_ROWS)).collect::<Vec<_>>(),
    };
    Value::from_serialize(context! {
        household => context! { id => h.id, address => h.street_address(), postcode => h.postcode, city => h.city },
        coordinator => coordinator, signals => signals, conversations => conversations, needs => needs,
        network => network, consents => consents, measurements => measurements, score_rows => score_rows,
        score_chart => score_chart, rung_chart => rung_chart, plan => plan_value, today => day.to_string(),
        can_open_plan => case.open_plan().is_none() && case.coordinator().is_some(),
        providers => provider_opts(providers), rows => form_rows,
    })
}

async fn dossier_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: &Errors,
    form: &FormMap,
    status: StatusCode,
    audit_detail: &str,
) -> PageResult {
    let user = ctx.user()?.clone();
    let detail = if audit_detail.is_empty() {
        "dossier opnieuw getoond".to_owned()
    } else {
        audit_detail.to_owned()
    };
    let (h, data) = audited_household_read(
        state,
        ctx,
        user.scope(),
        id,
        AuditAction::Read,
        "casework",
        move |tx, h| Box::pin(async move { Ok((load_dossier(tx, h).await?, detail)) }),
    )
    .await?;
    let (norms, providers) = {
        let mut tx = state.db.lookup().await?;
        let (norms, _) = current_norms(&mut tx).await?;
        (norms, areas::providers(&mut tx).await?)
    };
    let data = dossier_context(&h, data, &norms, &providers, today(), form);
    let html = render(
        state,
        ctx,
        "casework_dossier.html",
        &format!("Dossier {}", h.street_address()),
        Value::from_serialize(context! {
            errors => errors, form => form, choices => choices(), ..data
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn dossier(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut form = FormMap::new();
    if let Some(s) = q.get("opgeslagen") {
        form.insert("_saved".into(), s.chars().take(30).collect());
    }
    dossier_page(
        &state,
        &ctx,
        id,
        &Errors::new(),
        &form,
        StatusCode::OK,
        "dossier ingezien",
    )
    .await
}

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

/// A plan in plain language, for the resident or a provider.
async fn plain_plan(tx: &mut Tx, hh: i64) -> Result<Value, AppError> {
    let case = cw::load_case(tx, hh).await.map_err(internal)?;
    let Some(p) = case.open_plan().or(case.plans().last()) else {
        return Ok(Value::from(()));
    };
    let progress = cw::progress(tx, p.id()).await.map_err(internal)?;
    let goals: Vec<Value> = p
        .goals()
        .iter()
        .map(|g| {
            let agreements: Vec<Value> = p
                .agreements()
                .iter()
                .filter(|a| a.terms().goal_id == g.id() && a.is_running())
                .map(|a| {
                    let t = a.terms();
                    Value::from_serialize(context! {
                        who => t.actor_name, what => t.description, how_often => t.frequency,
                        until => t.end_date.map(nl_date), own => t.own_contribution,
                    })
                })
                .collect();
            Value::from_serialize(context! {
                description => g.description(), measure => g.measure(), by => nl_date(g.target_date()), domain => g.domain().label(),
                outcome => g.result().map(|r| format!("{}{}", r.outcome.label(), if r.note.is_empty() { String::new() } else { format!(": {}", r.note) })),
                agreements => agreements,
            })
        })
        .collect();
    let coordinator = cw::coordinator(tx, hh)
        .await
        .map_err(internal)?
        .map(|c| c.1);
    let progress: Vec<(String, String)> = progress
        .into_iter()
        .map(|p| {
            (
                crate::pages::households::nl_local(p.at)
                    .format("%d-%m-%Y")
                    .to_string(),
                p.note,
            )
        })
        .collect();
    Ok(Value::from_serialize(
        context! { id => p.id(), open => p.is_open(), goals => goals, coordinator => coordinator, progress => progress },
    ))
}

async fn own_plan_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &Errors,
    form: &FormMap,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let plan = plain_plan(&mut tx, hh).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            "eigen plan",
        ),
    )
    .await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "casework_own_plan.html",
        "Mijn plan",
        Value::from_serialize(context! { plan => plan, errors => errors, form => form }),
    )?;
    Ok((status, html).into_response())
}

pub async fn own_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut form = FormMap::new();
    if q.contains_key("opgeslagen") {
        form.insert("_saved".into(), "ja".into());
    }
    own_plan_page(&state, &ctx, &Errors::new(), &form, StatusCode::OK).await
}

pub async fn own_progress_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let case = cw::load_case(&mut tx, hh).await.map_err(internal)?;
    let Some(plan) = case.open_plan().map(|p| p.id()) else {
        drop(tx);
        let mut errors = Errors::new();
        errors.insert(
            "voortgang".into(),
            "U hebt op dit moment geen open plan.".into(),
        );
        return own_plan_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await;
    };
    match cw::add_progress(&mut tx, plan, user.user.id, field(&f, "voortgang")).await {
        Ok(_) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("household", hh.to_string())),
                    "eigen voortgang toegevoegd",
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/mijn-plan?opgeslagen=ja").into_response())
        }
        Err(_) => {
            drop(tx);
            let mut errors = Errors::new();
            errors.insert(
                "voortgang".into(),
                "Schrijf in een paar zinnen hoe het gaat (hooguit 2000 tekens).".into(),
            );
            own_plan_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await
        }
    }
}

pub async fn provider_list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.clone();
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let list = cw::provider_households(&mut tx, provider, today())
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("aanbieder: {} huishoudens", list.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let rows: Vec<(i64, String)> = list.iter().map(|h| (h.id, h.address())).collect();
    Ok(render(
        &state,
        &ctx,
        "casework_provider.html",
        "Huishoudens met een afspraak",
        Value::from_serialize(context! { rows => rows, plan => (), list => true }),
    )?
    .into_response())
}

pub async fn provider_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let object = Some(("household", id.to_string()));
    if !cw::provider_may_see(&mut tx, provider, id, today())
        .await
        .map_err(internal)?
    {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Read,
                AuditOutcome::Denied,
                object,
                "geen lopende afspraak met toestemming",
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    }
    let h = baken_store::households::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = plain_plan(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            object,
            "aanbieder: plan met toestemming",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(render(
        &state,
        &ctx,
        "casework_provider.html",
        &format!("Plan {}", h.street_address()),
        Value::from_serialize(
            context! { plan => plan, address => h.street_address(), list => false },
        ),
    )?
    .into_response())
}

// ------------------------------------------------------------------ bakens

pub async fn bakens(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut errors = Errors::new();
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let team = q
        .get("team")
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|t| teams.iter().any(|x| x.id == *t));
    let district = q
        .get("wijk")
        .filter(|s| !s.is_empty())
        .cloned()
        .filter(|d| districts.iter().any(|x| x.code == *d));
    let mut date = |name: &str| match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse_date(s).or_else(|| {
            errors.insert(name.to_owned(), "Vul een datum in als dd-mm-jjjj.".into());
            None
        }),
    };
    let filter = FigureFilter {
        team_id: team,
        district,
        from: date("van"),
        until: date("tot"),
    };
    let facts = cw::bakens_facts(&mut tx, &filter, &norms)
        .await
        .map_err(internal)?;
    drop(tx);
    let figures = facts.figures();
    let teams: Vec<(i64, String)> = teams.into_iter().map(|t| (t.id, t.name)).collect();
    let districts: Vec<(String, String)> =
        districts.into_iter().map(|d| (d.code, d.name)).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = render(
        &state,
        &ctx,
        "casework_bakens.html",
        "Bakens",
        Value::from_serialize(context! {
            figures => figures, teams => teams, districts => districts, q => q, errors => errors,
            is_teamleider => ctx.user.as_ref().is_some_and(|u| u.role() == Role::Teamleider),
            norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

// ------------------------------------------------------------------ response norms

async fn norms_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &Errors,
    form: &FormMap,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let history = cw::norms_history(&mut tx, 20).await.map_err(internal)?;
    drop(tx);
    let current = history.first();
    let versions: Vec<Value> = history
        .iter()
        .map(|v| {
            Value::from_serialize(context! {
                version => v.version,
                at => crate::pages::households::nl_local(v.set_at).format("%d-%m-%Y %H:%M").to_string(),
                by => v.set_by.clone().unwrap_or_else(|| "standaard".into()),
                norms => norms_context(&v.norms),
            })
        })
        .collect();
    let norms = current.map(|v| v.norms).unwrap_or_default();
    let html = render(
        state,
        ctx,
        "casework_norms.html",
        "Responsnormen",
        Value::from_serialize(context! {
            errors => errors, form => form, versions => versions,
            version => current.map(|v| v.version).unwrap_or(0),
            norms => norms_context(&norms),
            max_crisis => ResponseNorms::MAX_CRISIS, max_normaal => ResponseNorms::MAX_NORMAAL,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn norms_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut form = FormMap::new();
    if q.contains_key("opgeslagen") {
        form.insert("_saved".into(), "ja".into());
    }
    norms_page(&state, &ctx, &Errors::new(), &form, StatusCode::OK).await
}

/// Saves new response norms: a new version, audited with old and new values.
pub async fn norms_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut errors = Errors::new();
    let mut days = |name: &str| match field(&f, name).parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(
                name.to_owned(),
                "Vul een heel aantal werkdagen in, zoals 0, 3 of 10.".into(),
            );
            None
        }
    };
    let (crisis, urgent, normaal) = (days("crisis"), days("urgent"), days("normaal"));
    let version = field(&f, "versie").parse::<i64>().map_err(|_| {
        AppError::BadRequest("Het formulier mist de versie. Laad de pagina opnieuw.".into())
    })?;
    let norms = match (crisis, urgent, normaal) {
        (Some(c), Some(u), Some(n)) if errors.is_empty() => match ResponseNorms::new(c, u, n) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.insert(e.field().to_owned(), explain_norms(e));
                None
            }
        },
        _ => None,
    };
    let Some(norms) = norms else {
        return norms_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = state.db.begin().await?;
    let (old, _) = current_norms(&mut tx).await?;
    match cw::set_response_norms(&mut tx, &norms, version, &who(&user)).await {
        Ok(v) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("instelling", "responsnormen".into())),
                    format!(
                        "responsnormen versie {v}: crisis {}, urgent {}, normaal {} werkdagen (was {}, {}, {})",
                        norms.crisis(),
                        norms.urgent(),
                        norms.normaal(),
                        old.crisis(),
                        old.urgent(),
                        old.normaal()
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/responsnormen?opgeslagen=ja").into_response())
        }
        Err(e) => {
            drop(tx);
            let conflict = is_conflict(&e);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    if conflict {
                        AuditOutcome::Conflict
                    } else {
                        AuditOutcome::Failed
                    },
                    Some(("instelling", "responsnormen".into())),
                    "responsnormen niet opgeslagen",
                ),
            )
            .await?;
            tx.commit().await?;
            errors.insert("_form".into(), msg);
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            norms_page(&state, &ctx, &errors, &f, status).await
        }
    }
}

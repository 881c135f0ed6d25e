//! The casework pages (Dutch).

use super::{
    explain, field, form_map, internal, nl_date, parse_date, path_id, scoped_household, today, who,
    FormMap,
};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::pages::{render, PageResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::casework::{
    AgreementActor, Consent, ContactMethod, Conversation, Evaluation, GoalOutcome, Justification,
    LifeDomain, NetworkMember, NewAgreement, NewGoal, PlanFlag, ReferralStatus, ResponseNorms,
    ScoreEntry, Scores, SignalCategory, Term, UnderlyingNeed, Urgency,
};
use baken_domain::{
    AuditAction, AuditOutcome, Bsn, HouseNumber, LadderStep, ParticipationRung, Postcode, Role,
    SupportForm,
};
use baken_store::casework::{self as cw, CaseError, FigureFilter, NewSignal, Search};
use baken_store::households::Household;
use baken_store::{areas, audit, Tx};
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

// ------------------------------------------------------------------ signals

/// Parses a signal form; errors keyed by field.
fn parse_signal(
    f: &FormMap,
    source: Option<&str>,
    reported_by: Option<i64>,
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
    match (postcode, number, category, urgency, description, source) {
        (Some(p), Some(n), Some(c), Some(u), Some(d), Some(s)) if errors.is_empty() => {
            Ok(NewSignal {
                reported_on: today(),
                category: c,
                urgency: u,
                description: d,
                source: s,
                reported_by,
                postcode: p.to_string(),
                house_number: i64::from(n.value()),
            })
        }
        _ => Err(errors),
    }
}

fn signal_form_page(
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
    let html = render(
        state,
        ctx,
        "casework_signal_form.html",
        title,
        Value::from_serialize(context! {
            public => public, errors => errors, form => form, done => done, choices => choices(),
            action => if public { "/zorgmelding" } else { "/signalen/nieuw" },
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
        );
    }
    match parse_signal(&f, Some("Buurtbewoner (zorgmelding)"), None) {
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
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    match parse_signal(&f, None, Some(user.user.id)) {
        Err(errors) => signal_form_page(
            &state,
            &ctx,
            false,
            &errors,
            &f,
            false,
            StatusCode::BAD_REQUEST,
        ),
        Ok(s) => {
            let mut tx = state.db.begin().await?;
            let id = cw::create_signal(&mut tx, &s).await.map_err(internal)?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("signal", id.to_string())),
                    format!("signaal {}", s.category.as_str()),
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
        address: format!(
            "{} {} {}",
            &s.postcode.get(..4).unwrap_or(""),
            s.postcode.get(4..).unwrap_or(""),
            s.house_number
        ),
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
    let norms = ResponseNorms::default();
    let mut tx = state.db.begin().await?;
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
    let mut views: Vec<SignalView> = Vec::new();
    let mut per_household: BTreeMap<i64, usize> = BTreeMap::new();
    for s in &rows {
        if let Some(h) = s.household_id {
            *per_household.entry(h).or_default() += 1;
        }
    }
    for s in &rows {
        let mut v = signal_view(s, &norms, day);
        v.help_request = help_requests.get(&s.id).copied();
        v.repeat = s
            .household_id
            .and_then(|h| per_household.get(&h).copied())
            .unwrap_or(0);
        if s.household_id.is_none() {
            v.candidates = cw::at_address(&mut tx, &s.postcode, s.house_number)
                .await
                .map_err(internal)?
                .into_iter()
                .filter(|h| h.team_id == Some(team))
                .map(|h| (h.id, h.address()))
                .collect();
        }
        views.push(v);
    }
    let overdue = views.iter().filter(|v| v.overdue).count();
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
    let (open, done): (Vec<SignalView>, Vec<SignalView>) =
        views.into_iter().partition(|v| !v.contacted);
    let html = render(
        state,
        ctx,
        "casework_triage.html",
        "Signalen",
        Value::from_serialize(context! {
            open => open, done => done, overdue => overdue, generalists => generalists, errors => errors,
            choices => choices(), today => day.to_string(),
            norms => context! { crisis => norms.crisis, urgent => norms.urgent, normaal => norms.normaal },
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn triage(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    triage_page(&state, &ctx, &Errors::new(), StatusCode::OK).await
}

/// A signal the user's team may work on.
async fn team_signal(tx: &mut Tx, ctx: &Ctx, id: i64) -> Result<cw::SignalRow, AppError> {
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
    let coordinator = cw::triage(&mut tx, id, h.id, generalist, today())
        .await
        .map_err(internal)?;
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
    match cw::record_first_contact(&mut tx, id, date, method, field(&f, "uitkomst")).await {
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
    let postcode = q.get("postcode").map(|s| s.trim()).unwrap_or("");
    let number = q.get("huisnummer").map(|s| s.trim()).unwrap_or("");
    let name = q.get("naam").map(|s| s.trim()).unwrap_or("");
    let bsn = q.get("bsn").map(|s| s.trim()).unwrap_or("");
    let query = if !bsn.is_empty() {
        match Bsn::parse(bsn) {
            Ok(b) => Some((Search::Bsn(b), "bsn")),
            Err(_) => {
                errors.insert(
                    "bsn".into(),
                    "Dit is geen geldig BSN: 9 cijfers die de elfproef doorstaan.".into(),
                );
                None
            }
        }
    } else if !postcode.is_empty() {
        let p = Postcode::parse(postcode)
            .map_err(|_| {
                errors.insert(
                    "postcode".into(),
                    "Vul een postcode in zoals 1234 AB.".into(),
                )
            })
            .ok();
        let n = if number.is_empty() {
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
        };
        match (p, n) {
            (Some(p), Some(n)) => Some((
                Search::Address {
                    postcode: p.to_string(),
                    house_number: n,
                },
                "adres",
            )),
            _ => None,
        }
    } else if name.chars().count() >= 2 {
        Some((Search::Name(name.to_owned()), "naam"))
    } else {
        if !name.is_empty() {
            errors.insert(
                "naam".into(),
                "Vul minstens twee letters van de naam in.".into(),
            );
        }
        None
    };
    let mut hits = Vec::new();
    let searched = query.is_some();
    if let Some((search, kind)) = query {
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
    let mut tx = state.db.begin().await?;
    let page = cw::caseload(
        &mut tx,
        user.user.id,
        day,
        day - chrono::Duration::days(30),
        page_no,
        CASELOAD_PAGE,
    )
    .await
    .map_err(internal)?;
    let (total, pages, current) = (page.total, page.pages(), page.page);
    let rows = page.items;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!(
                "caseload: pagina {current}, {} van {total} huishoudens",
                rows.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
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
    let norms = ResponseNorms::default();
    let mut tx = state.db.begin().await?;
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
    match cw::decide_referral(
        &mut tx,
        id,
        approve,
        field(&f, "reden"),
        today(),
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
                    format!("verwijzing {id} {}", r.status.code()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/teamoverzicht?opgeslagen=besluit").into_response())
        }
        Err(e) => {
            drop(tx);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            let mut errors = Errors::new();
            errors.insert(format!("reden_{id}"), msg);
            team_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await
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

/// The chart of mean self-reliance over time, as coordinates for an inline SVG.
fn chart(ms: &[cw::Measurement]) -> (Vec<Point>, String) {
    let scored: Vec<(&cw::Measurement, f64)> = ms
        .iter()
        .filter_map(|m| Some((m, m.scores.mean()?)))
        .collect();
    let n = scored.len().max(1) as i64;
    let points: Vec<Point> = scored
        .iter()
        .enumerate()
        .map(|(i, (m, mean))| Point {
            x: if n == 1 {
                240
            } else {
                40 + i as i64 * 400 / (n - 1)
            },
            y: 170 - ((mean - 1.0) * 37.5).round() as i64,
            label: format!(
                "{}: {}",
                nl_date(m.on),
                format!("{mean:.1}").replace('.', ",")
            ),
        })
        .collect();
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    (points, line)
}

async fn dossier_context(
    tx: &mut Tx,
    h: &Household,
    day: chrono::NaiveDate,
) -> Result<Value, AppError> {
    let case = cw::load_case(tx, h.id).await.map_err(internal)?;
    let coordinator = cw::coordinator(tx, h.id)
        .await
        .map_err(internal)?
        .map(|c| c.1);
    let norms = ResponseNorms::default();
    let signals: Vec<SignalView> = cw::household_signals(tx, h.id)
        .await
        .map_err(internal)?
        .iter()
        .map(|s| signal_view(s, &norms, day))
        .collect();
    let conversations = cw::conversations(tx, h.id).await.map_err(internal)?;
    let needs = cw::needs(tx, h.id).await.map_err(internal)?;
    let network = cw::network(tx, h.id).await.map_err(internal)?;
    let consents = cw::consents(tx, h.id).await.map_err(internal)?;
    let ms = cw::measurements(tx, h.id).await.map_err(internal)?;
    let (points, line) = chart(&ms);
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
    let plan_value = match case.open_plan().or(case.plans.last()) {
        None => Value::from(()),
        Some(p) => {
            let refs = cw::referrals(tx, p.id).await.map_err(internal)?;
            let history = cw::history(tx, p.id).await.map_err(internal)?;
            let progress = cw::progress(tx, p.id).await.map_err(internal)?;
            let version = cw::plan_version(tx, p.id).await.map_err(internal)?;
            let flags = p.flags(day);
            let goals: Vec<Value> = p
                .goals
                .iter()
                .map(|g| {
                    Value::from_serialize(context! {
                        id => g.id, domain => g.domain.label(), description => g.description, measure => g.measure,
                        target => nl_date(g.target_date), term => g.term.label(),
                        outcome => g.outcome.as_ref().map(|(o, on, note)| format!("{} op {}{}", o.label(), nl_date(*on), if note.is_empty() { String::new() } else { format!(": {note}") })),
                        due => flags.iter().any(|f| matches!(f, PlanFlag::GoalEvaluationDue { goal_id, .. } if *goal_id == g.id)),
                    })
                })
                .collect();
            let agreements: Vec<Value> = p
                .agreements
                .iter()
                .map(|a| {
                    let t = &a.terms;
                    Value::from_serialize(context! {
                        id => a.id, actor => t.actor.label(), name => t.actor_name, what => t.description,
                        step => format!("{} – {}", t.step.value(), t.step.name()), form => t.form.label(),
                        frequency => t.frequency, start => nl_date(t.start), end => t.end_date.map(nl_date),
                        own => t.own_contribution, running => a.is_running(), ended => a.ended_on.map(nl_date),
                        overdue => a.evaluation_overdue(day),
                        goal => p.goals.iter().find(|g| g.id == t.goal_id).map(|g| g.description.clone()),
                        reasons => t.justification.as_ref().map(|j| j.reasons().map(|(s, r)| format!("Trede {s}: {r}")).collect::<Vec<_>>()),
                    })
                })
                .collect();
            let referrals: Vec<Value> = refs
                .iter()
                .map(|r| {
                    let (status, note) = match &r.status {
                        ReferralStatus::Pending => ("wacht op de teamleider".to_owned(), String::new()),
                        ReferralStatus::Approved { on, note, .. } => (format!("goedgekeurd op {}", nl_date(*on)), note.clone()),
                        ReferralStatus::Rejected { on, reason, .. } => (format!("afgewezen op {}", nl_date(*on)), reason.clone()),
                    };
                    Value::from_serialize(context! { id => r.id, care => r.care, requested => nl_date(r.requested_on), status => status, note => note, approved => r.is_approved() })
                })
                .collect();
            let approved: Vec<(i64, String)> = refs
                .iter()
                .filter(|r| r.is_approved())
                .map(|r| (r.id, r.care.clone()))
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
                id => p.id, open => p.is_open(), opened => nl_date(p.opened_on), version => version,
                closed => match &p.status { baken_domain::casework::PlanStatus::Closed { on, reason } => Some(format!("{} – {}", nl_date(*on), reason)), _ => None },
                goals => goals, agreements => agreements, referrals => referrals, approved => approved,
                history => history, progress => progress, flagged => !flags.is_empty(),
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
    let consents: Vec<(String, String, String, bool)> = consents
        .into_iter()
        .map(|c| (c.organisation, c.purpose, nl_date(c.until), c.until >= day))
        .collect();
    let conversations: Vec<Value> = conversations
        .into_iter()
        .map(|c| Value::from_serialize(context! { id => c.id, held => nl_date(c.held_on), question => c.presented_question, differs => c.need_differs, strengths => c.strengths, wishes => c.wishes, by => c.by_name }))
        .collect();
    Ok(Value::from_serialize(context! {
        household => context! { id => h.id, address => h.street_address(), postcode => h.postcode, city => h.city },
        coordinator => coordinator, signals => signals, conversations => conversations, needs => needs,
        network => network, consents => consents, measurements => measurements, score_rows => score_rows,
        points => points, line => line, plan => plan_value, today => day.to_string(),
        can_open_plan => case.check_new_plan().is_ok(),
    }))
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
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, ctx, &user, id, AuditAction::Read).await
    );
    let data = dossier_context(&mut tx, &h, today()).await?;
    if !audit_detail.is_empty() {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Read,
                AuditOutcome::Success,
                Some(("household", h.id.to_string())),
                audit_detail,
            ),
        )
        .await?;
    }
    tx.commit().await?;
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

/// After a change: back to the dossier, or the dossier with the error next to
/// its field and the form as typed.
async fn after_change(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    mut tx: Tx,
    result: Result<String, CaseError>,
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
        Err(e) => {
            // A failed statement aborts a PostgreSQL transaction: start over.
            drop(tx);
            let conflict = matches!(
                e,
                CaseError::Store(baken_store::StoreError::Conflict { .. })
            );
            let Some((field, msg)) = explain(&e) else {
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
            errors.insert(field, msg);
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
    parse_date(field(f, name)).ok_or(CaseError::Plan(baken_domain::casework::PlanError::Text(
        name,
    )))
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
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Create).await
    );
    let result: Result<String, CaseError> = async {
        let held = date_or(&f, "datum")?;
        let mut conv = Conversation::new(held, field(&f, "vraag"))?;
        if !field(&f, "behoefte").is_empty() {
            let d = LifeDomain::parse(field(&f, "behoefte_domein"))
                .map_err(|_| baken_domain::casework::ConversationError::Domain)?;
            conv.underlying_needs
                .push(UnderlyingNeed::new(d, field(&f, "behoefte"))?);
        }
        conv.scores = parse_scores(&f)?;
        conv.rung = parse_rung(&f);
        for i in 1..=3 {
            let name = field(&f, &format!("netwerk{i}_naam"));
            let rel = field(&f, &format!("netwerk{i}_relatie"));
            if !name.is_empty() || !rel.is_empty() {
                conv.network.push(NetworkMember::new(
                    name,
                    rel,
                    field(&f, &format!("netwerk{i}_kan")),
                    field(&f, &format!("netwerk{i}_wil")),
                )?);
            }
        }
        conv.strengths = field(&f, "krachten").chars().take(2000).collect();
        conv.wishes = field(&f, "wensen").chars().take(2000).collect();
        if !field(&f, "toestemming_organisatie").is_empty()
            || !field(&f, "toestemming_doel").is_empty()
        {
            let until = parse_date(field(&f, "toestemming_tot"))
                .ok_or(baken_domain::casework::ConversationError::ConsentEnd)?;
            conv.consents.push(Consent::new(
                field(&f, "toestemming_organisatie"),
                field(&f, "toestemming_doel"),
                held,
                until,
            )?);
        }
        // A consent naming a provider on the social map links to it, so that
        // provider may see the plan while it has an agreement in it.
        let mut providers = Vec::new();
        for c in &conv.consents {
            let all = areas::providers(&mut tx).await?;
            providers.push(
                all.iter()
                    .find(|p| p.name.eq_ignore_ascii_case(&c.organisation))
                    .map(|p| p.id),
            );
        }
        let cid = cw::create_conversation(&mut tx, h.id, &conv, &providers, user.user.id).await?;
        Ok(format!("keukentafelgesprek {cid} vastgelegd"))
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
    let result = cw::open_plan(&mut tx, h.id, today(), &who(&user))
        .await
        .map(|p| format!("plan {p} geopend"));
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
    let result: Result<String, CaseError> = async {
        let goal = NewGoal {
            domain: LifeDomain::parse(field(&f, "domein"))
                .map_err(|_| baken_domain::casework::ConversationError::Domain)?,
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
    let result: Result<String, CaseError> = async {
        let step = field(&f, "trede")
            .parse::<u8>()
            .ok()
            .and_then(|s| LadderStep::new(s).ok())
            .ok_or(baken_domain::casework::PlanError::Text("trede"))?;
        let justification = justification_from(&f);
        let a = NewAgreement {
            goal_id: field(&f, "doel").parse::<i64>().unwrap_or(0),
            actor: AgreementActor::parse(field(&f, "wie_soort"))
                .map_err(|_| baken_domain::casework::PlanError::Text("wie_soort"))?,
            actor_name: field(&f, "wie").to_owned(),
            description: field(&f, "wat").to_owned(),
            step,
            form: SupportForm::parse(field(&f, "vorm"))
                .map_err(|_| baken_domain::casework::PlanError::Text("vorm"))?,
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
        let providers = areas::providers(&mut tx).await?;
        let provider = providers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(a.actor_name.trim()))
            .map(|p| p.id);
        let aid = cw::add_agreement(&mut tx, plan, version, &a, provider, &who(&user)).await?;
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
    let result = cw::end_agreement(&mut tx, plan, version, aid, today(), &who(&user))
        .await
        .map(|_| format!("afspraak {aid} beëindigd"));
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
    let result = cw::request_referral(
        &mut tx,
        plan,
        version,
        field(&f, "zorg"),
        justification_from(&f),
        today(),
        &who(&user),
    )
    .await
    .map(|r| format!("verwijzing {r} aangevraagd"));
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
    let result: Result<String, CaseError> = async {
        let on = date_or(&f, "datum")?;
        let mut outcomes = Vec::new();
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
        }
        let scores = parse_scores(&f)?;
        let e = cw::record_evaluation(
            &mut tx,
            plan,
            version,
            &Evaluation { on, outcomes },
            &scores,
            parse_rung(&f),
            field(&f, "notitie"),
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
    let result = cw::close_plan(
        &mut tx,
        plan,
        version,
        today(),
        field(&f, "reden"),
        &who(&user),
    )
    .await
    .map(|_| format!("plan {plan} gesloten"));
    after_change(&state, &ctx, hh, tx, result, f, "sluiten").await
}

// ------------------------------------------------------------------ resident and provider

/// A plan in plain language, for the resident or a provider.
async fn plain_plan(tx: &mut Tx, hh: i64, day: chrono::NaiveDate) -> Result<Value, AppError> {
    let case = cw::load_case(tx, hh).await.map_err(internal)?;
    let Some(p) = case.open_plan().or(case.plans.last()) else {
        return Ok(Value::from(()));
    };
    let progress = cw::progress(tx, p.id).await.map_err(internal)?;
    let goals: Vec<Value> = p
        .goals
        .iter()
        .map(|g| {
            let agreements: Vec<Value> = p
                .agreements
                .iter()
                .filter(|a| a.terms.goal_id == g.id && a.is_running())
                .map(|a| {
                    Value::from_serialize(context! {
                        who => a.terms.actor_name, what => a.terms.description, how_often => a.terms.frequency,
                        until => a.terms.end_date.map(nl_date), own => a.terms.own_contribution,
                    })
                })
                .collect();
            Value::from_serialize(context! {
                description => g.description, measure => g.measure, by => nl_date(g.target_date), domain => g.domain.label(),
                outcome => g.outcome.as_ref().map(|(o, _, note)| format!("{}{}", o.label(), if note.is_empty() { String::new() } else { format!(": {note}") })),
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
    let _ = day;
    Ok(Value::from_serialize(
        context! { id => p.id, open => p.is_open(), goals => goals, coordinator => coordinator, progress => progress },
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
    let plan = plain_plan(&mut tx, hh, today()).await?;
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
    let Some(plan) = case.open_plan().map(|p| p.id) else {
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
    let plan = plain_plan(&mut tx, id, today()).await?;
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
    let facts = cw::bakens_facts(&mut tx, &filter).await.map_err(internal)?;
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
        }),
    )?;
    Ok((status, html).into_response())
}

//! `/signalen`: the team's triage — signals grouped by address, assigning, the first contact.

use super::shared::{choice_lists, norms_context};
use crate::casework::change::{self, ChangeError, Refusal};
use crate::casework::common::{current_norms, explain, internal};
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::{ContactMethod, PlanError, ResponseNorms, SignalRouting, SignalStage};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw, CaseError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub(crate) struct SignalView {
    id: i64,
    reported_on: String,
    category: String,
    urgency: String,
    description: String,
    source: String,
    address: String,
    pub(crate) household_id: Option<i64>,
    assigned: Option<String>,
    state: String,
    /// "op 07-12-2026: dubbele melding" for a closed signal.
    closed: Option<String>,
    /// The number a neighbour left for a call-back (team only).
    callback: Option<String>,
    /// "3 werkdagen te laat" or "uiterlijk vr 11 dec".
    timeliness: String,
    overdue: bool,
    contacted: bool,
    repeat: usize,
    candidates: Vec<(i64, String)>,
    /// The household's contact person, who gets the signal by default.
    contact_person: Option<String>,
    contact: Option<String>,
    /// A hulpvraag from the Eigen Kracht Wijzer: the request with all answers.
    help_request: Option<i64>,
}

pub(crate) fn signal_view(
    s: &cw::SignalRow,
    norms: &ResponseNorms,
    day: chrono::NaiveDate,
) -> SignalView {
    let st = norms.state(s.reported_on, s.urgency(), s.first_contact_on, day);
    let priority = norms.priority(
        s.reported_on,
        s.urgency(),
        s.first_contact_on,
        s.closed_on,
        day,
    );
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
        closed: s.closed_on.map(|on| {
            format!(
                "gesloten op {}: {}",
                nl_date(on),
                s.closed_reason.as_deref().unwrap_or("")
            )
        }),
        callback: s.callback_phone.clone(),
        timeliness: priority.label(),
        overdue: st.is_overdue() && s.closed_on.is_none(),
        contacted: s.first_contact_on.is_some(),
        repeat: 0,
        candidates: Vec::new(),
        contact_person: None,
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

/// The triage filters, from the query string (plain links and a GET form:
/// no JavaScript). Anything unknown is no filter.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct TriageQuery {
    #[serde(default)]
    urgentie: String,
    #[serde(default)]
    stand: String,
    /// "mij", "niemand", or a colleague's user id.
    #[serde(default)]
    toegewezen: String,
    #[serde(default)]
    wijk: String,
    /// Which confirmation to show after a saved action.
    #[serde(default)]
    opgeslagen: Option<String>,
}

impl TriageQuery {
    fn keeps(&self, s: &cw::SignalRow, me: i64) -> bool {
        let urgency_ok = self.urgentie.is_empty() || s.urgency == self.urgentie;
        let stage_ok = self.stand.is_empty() || s.stage().code() == self.stand;
        let assigned_ok = match self.toegewezen.as_str() {
            "" => true,
            "mij" => s.assigned_to == Some(me),
            "niemand" => s.assigned_to.is_none(),
            other => other
                .parse::<i64>()
                .ok()
                .is_some_and(|id| s.assigned_to == Some(id)),
        };
        let district_ok = self.wijk.is_empty() || s.district_code.as_deref() == Some(&self.wijk);
        urgency_ok && stage_ok && assigned_ok && district_ok
    }
    fn is_filtered(&self) -> bool {
        !(self.urgentie.is_empty()
            && self.stand.is_empty()
            && self.toegewezen.is_empty()
            && self.wijk.is_empty())
    }
}

async fn triage_page(
    state: &AppState,
    ctx: &Ctx,
    query: &TriageQuery,
    errors: &FieldErrors,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let Some(team) = user.user.team_id else {
        return Err(AppError::NotFound.into());
    };
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let mut rows = cw::team_signals(&mut tx, team, 300)
        .await
        .map_err(internal)?;
    // The urgent first: overdue (the latest first), then by deadline.
    rows.sort_by_key(|s| {
        (
            norms.priority(
                s.reported_on,
                s.urgency(),
                s.first_contact_on,
                s.closed_on,
                day,
            ),
            s.id,
        )
    });
    let counts: Vec<(&str, &str, usize)> = SignalStage::ALL
        .into_iter()
        .map(|stage| {
            (
                stage.code(),
                stage.label(),
                rows.iter().filter(|s| s.stage() == stage).count(),
            )
        })
        .collect();
    let total = rows.len();
    rows.retain(|s| query.keeps(s, user.user.id));
    let generalists = cw::team_generalists(&mut tx, team).await?;
    let districts = baken_store::areas::districts(&mut tx).await?;
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
    let mut contact_people: BTreeMap<i64, Option<String>> = BTreeMap::new();
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
            for h in &candidates {
                if let std::collections::btree_map::Entry::Vacant(slot) = contact_people.entry(h.id)
                {
                    let person = cw::coordinator(&mut tx, h.id).await.map_err(internal)?;
                    slot.insert(person.map(|(_, name)| name));
                }
            }
            v.contact_person = candidates
                .first()
                .and_then(|h| contact_people.get(&h.id).cloned().flatten());
            v.candidates = candidates
                .iter()
                .map(|h| {
                    let label = match contact_people.get(&h.id).cloned().flatten() {
                        Some(name) => format!("{} (contactpersoon: {name})", h.address()),
                        None => format!("{} (nog geen contactpersoon)", h.address()),
                    };
                    (h.id, label)
                })
                .collect();
        }
        views.push((key(s), v));
    }
    let overdue = views.iter().filter(|(_, v)| v.overdue).count();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            // The households the signals are about, and those offered as
            // candidates for a signal not yet linked to one.
            Some(households_shown(views.iter().flat_map(|(_, v)| {
                v.household_id
                    .into_iter()
                    .chain(v.candidates.iter().map(|(id, _)| *id))
            }))),
            format!("{} signalen", views.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let (closed, views): (Vec<_>, Vec<_>) =
        views.into_iter().partition(|(_, v)| v.closed.is_some());
    let closed: Vec<SignalView> = closed.into_iter().map(|(_, v)| v).collect();
    let (open, done): (Vec<_>, Vec<_>) = views.into_iter().partition(|(_, v)| !v.contacted);
    // Groups in the order of their most urgent signal (the list is sorted).
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
    let districts: Vec<(String, String)> =
        districts.into_iter().map(|d| (d.code, d.name)).collect();
    let saved = match query.opgeslagen.as_deref() {
        Some("toegewezen") => Some("Het signaal is toegewezen aan de contactpersoon van het huishouden."),
        Some("overgedragen") => Some("Het signaal is toegewezen en het huishouden is overgedragen aan de nieuwe contactpersoon. De oude en de nieuwe contactpersoon en de bewoner zien dit."),
        Some("contact") => Some("Het eerste contact is vastgelegd."),
        Some("gesloten") => Some("Het signaal is gesloten. U vindt het onder Gesloten signalen."),
        _ => None,
    };
    let html = render(
        state,
        ctx,
        "casework/triage.html",
        "Signalen",
        Value::from_serialize(context! {
            groups => groups, done => done, closed => closed, overdue => overdue, generalists => generalists, errors => errors,
            choices => choice_lists(), today => day.to_string(), norms => norms_context(&norms),
            counts => counts, total => total, filter => query, filtered => query.is_filtered(),
            districts => districts, saved => saved,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn triage(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<TriageQuery>,
) -> PageResult {
    triage_page(&state, &ctx, &query, &FieldErrors::new(), StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TriageForm {
    /// The household at the signal's address it is about.
    #[serde(default)]
    huishouden: String,
    /// Empty: the household's contact person; otherwise the generalist who goes there.
    #[serde(default)]
    generalist: String,
    /// Why the household gets another contact person (only for a hand-over).
    #[serde(default)]
    overdracht: String,
}

impl TriageForm {
    /// The household and the generalist (None: the contact person); errors
    /// name the signal's row.
    fn parse(&self, signal: i64) -> Result<(i64, Option<i64>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let household = self.huishouden.trim().parse::<i64>().ok();
        let generalist = match self.generalist.trim() {
            "" => Ok(None),
            chosen => chosen.parse::<i64>().map(Some),
        };
        if household.is_none() {
            errors.add(
                format!("huishouden_{signal}"),
                "Kies het huishouden op dit adres.",
            );
        }
        if generalist.is_err() {
            errors.add(format!("generalist_{signal}"), "Kies een generalist.");
        }
        match (household, generalist) {
            (Some(household), Ok(generalist)) => Ok((household, generalist)),
            _ => Err(errors),
        }
    }
}

pub async fn triage_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<TriageForm>,
) -> PageResult {
    let signal = path_id(&id)?;
    let query = TriageQuery::default();
    let (household, generalist) = match form.parse(signal) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return triage_page(&state, &ctx, &query, &errors, StatusCode::BAD_REQUEST).await
        }
    };
    let result = change::triage_signal(
        &state,
        &ctx,
        signal,
        household,
        generalist,
        &form.overdracht,
    )
    .await;
    let mut errors = FieldErrors::new();
    match result {
        Ok(changed) => {
            let saved = match changed.value {
                SignalRouting::HandOver { .. } => "overgedragen",
                _ => "toegewezen",
            };
            return Ok(Redirect::to(&format!("/signalen?opgeslagen={saved}")).into_response());
        }
        Err(ChangeError::NotTeamGeneralist) => errors.add(
            format!("generalist_{signal}"),
            "Kies een generalist uit uw team.",
        ),
        Err(ChangeError::Refused(refusal)) => {
            let field = match &refusal.error {
                CaseError::Plan(PlanError::HandOverWithoutReason { .. }) => "overdracht",
                CaseError::Plan(PlanError::NoCoordinator) => "generalist",
                _ => "huishouden",
            };
            let (_, message) = explain(&refusal.error).ok_or_else(|| internal(refusal.error))?;
            let message = match field {
                "generalist" => "Dit huishouden heeft nog geen contactpersoon. Kies een generalist: die wordt de contactpersoon.".to_owned(),
                _ => message,
            };
            errors.add(format!("{field}_{signal}"), message);
        }
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(other) => return Err(AppError::bug(format!("triage refused as {other:?}")).into()),
    }
    triage_page(&state, &ctx, &query, &errors, StatusCode::BAD_REQUEST).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    datum: String,
    /// How the contact was (a visit, by phone …).
    #[serde(default)]
    wijze: String,
    #[serde(default)]
    uitkomst: String,
}

impl ContactForm {
    /// The day and the way of the first contact; errors name the signal's row.
    fn parse(&self, signal: i64) -> Result<(chrono::NaiveDate, ContactMethod), FieldErrors> {
        let mut errors = FieldErrors::new();
        let date = parse_date(&self.datum);
        let method = ContactMethod::parse(self.wijze.trim()).ok();
        if date.is_none() {
            errors.add(
                format!("datum_{signal}"),
                "Vul de datum van het eerste contact in.",
            );
        }
        if method.is_none() {
            errors.add(format!("wijze_{signal}"), "Kies hoe het contact was.");
        }
        match (date, method) {
            (Some(date), Some(method)) => Ok((date, method)),
            _ => Err(errors),
        }
    }
}

pub async fn contact_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ContactForm>,
) -> PageResult {
    let signal = path_id(&id)?;
    let (date, method) = match form.parse(signal) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return triage_page(
                &state,
                &ctx,
                &TriageQuery::default(),
                &errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let result =
        change::first_contact(&state, &ctx, signal, date, method, form.uitkomst.trim()).await;
    let mut errors = FieldErrors::new();
    match result {
        Ok(_) => return Ok(Redirect::to("/signalen?opgeslagen=contact").into_response()),
        Err(ChangeError::NotTriaged) => errors.add(
            format!("datum_{signal}"),
            "Wijs het signaal eerst toe aan een huishouden.",
        ),
        Err(ChangeError::Refused(refusal)) => {
            let (_, message) = explain(&refusal.error).ok_or_else(|| internal(refusal.error))?;
            errors.add(format!("datum_{signal}"), message);
        }
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(other) => {
            return Err(AppError::bug(format!("first contact refused as {other:?}")).into())
        }
    }
    triage_page(
        &state,
        &ctx,
        &TriageQuery::default(),
        &errors,
        StatusCode::BAD_REQUEST,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    /// Why the signal is closed.
    #[serde(default)]
    reden: String,
}

/// `POST /signalen/{id}/sluiten`: closes a signal of the team, today, with a
/// reason. A refused closing shows the triage again with the message next to
/// the signal's reason.
pub async fn close_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<CloseForm>,
) -> PageResult {
    let signal = path_id(&id)?;
    let result = change::close_signal(&state, &ctx, signal, today(), &form.reden).await;
    let mut errors = FieldErrors::new();
    match result {
        Ok(_) => return Ok(Redirect::to("/signalen?opgeslagen=gesloten").into_response()),
        Err(ChangeError::Refused(Refusal { error, .. }) | ChangeError::SignalRefused(error)) => {
            let (_, message) = explain(&error).ok_or_else(|| internal(error))?;
            errors.add(format!("sluiten_{signal}"), message);
        }
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(other) => return Err(AppError::bug(format!("closing refused as {other:?}")).into()),
    }
    triage_page(
        &state,
        &ctx,
        &TriageQuery::default(),
        &errors,
        StatusCode::BAD_REQUEST,
    )
    .await
}

// ------------------------------------------------------------------ working views

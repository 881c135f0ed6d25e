//! Signals through the API: the team's list, partners reporting, triage and the first contact.

use super::common::{answer, code_of, parse, problem, rule_broken, ApiResult, NormsJson};
use crate::casework::change;
use crate::casework::common::{current_norms, internal};
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::paging::PageQuery;
use crate::support::state::AppState;
use crate::support::time::today;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use baken_domain::casework::{
    ContactMethod, ResponseNorms, SignalCategory, SignalRouting, Urgency,
};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, HouseLetter, HouseNumber, Permission, Postcode,
};
use baken_store::audit;
use baken_store::casework::{self as cw, CaseError, NewSignal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignalJson {
    id: i64,
    reported_on: NaiveDate,
    category: String,
    urgency: String,
    description: String,
    source: String,
    postcode: String,
    house_number: i64,
    house_letter: String,
    addition: String,
    household_id: Option<i64>,
    assigned_to: Option<i64>,
    first_contact_on: Option<NaiveDate>,
    contact_method: Option<String>,
    /// The last day of the response norm.
    due_on: NaiveDate,
    overdue: bool,
    /// The day the team closed the signal, and why.
    closed_on: Option<NaiveDate>,
    closed_reason: Option<String>,
}

fn signal_json(s: cw::SignalRow, norms: &ResponseNorms, day: NaiveDate) -> SignalJson {
    SignalJson {
        overdue: s.closed_on.is_none()
            && norms
                .state(s.reported_on, s.urgency(), s.first_contact_on, day)
                .is_overdue(),
        due_on: norms.due(s.reported_on, s.urgency()),
        closed_on: s.closed_on,
        closed_reason: s.closed_reason,
        id: s.id,
        reported_on: s.reported_on,
        category: s.category,
        urgency: s.urgency,
        description: s.description,
        source: s.source,
        postcode: s.postcode,
        house_number: s.house_number,
        house_letter: s.house_letter,
        addition: s.addition,
        household_id: s.household_id,
        assigned_to: s.assigned_to,
        first_contact_on: s.first_contact_on,
        contact_method: s.contact_method,
    }
}

pub async fn signals(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let q = PageQuery::parse(raw.as_deref())?;
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, version) = current_norms(&mut tx).await?;
    let rows = cw::team_signals(&mut tx, team, 300)
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(households_shown(rows.iter().filter_map(|s| s.household_id))),
            format!("api: {} signalen", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let (rows, links, page) = q.cut(rows, "/api/v1/signals");
    let items: Vec<SignalJson> = rows
        .into_iter()
        .map(|s| signal_json(s, &norms, day))
        .collect();
    Ok(Json(json!({
        "responseNorms": NormsJson::new(&norms, version),
        "_embedded": { "signals": items },
        "_links": links,
        "page": page,
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewSignalJson {
    category: String,
    urgency: String,
    description: String,
    source: String,
    postcode: String,
    house_number: String,
    #[serde(default)]
    house_letter: String,
    #[serde(default)]
    addition: String,
    /// The day it came in (by phone, by letter); the social team only.
    reported_on: Option<NaiveDate>,
}

/// Reports a concern. Partners (every role that may report on the page) and
/// the social team alike; only the team may give an earlier day it came in.
pub async fn create_signal(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: NewSignalJson = parse(&body)?;
    let day = today();
    let reported_on = match b.reported_on {
        None => day,
        Some(_) if !user.role().may(Permission::Casework) => {
            return Ok(problem(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "only the social team may record the day a signal came in; a partner reports today".into(),
                "reportedOn",
                "Alleen het wijkteam legt vast op welke dag een melding binnenkwam. Laat reportedOn weg.".into(),
            ))
        }
        Some(d) => match baken_domain::casework::signal::check_reported(d, day) {
            Ok(()) => d,
            Err(e) => return Ok(rule_broken(&ctx, &CaseError::Signal(e))),
        },
    };
    let s = NewSignal {
        reported_on,
        category: code_of(
            "category",
            &b.category,
            SignalCategory::parse,
            SignalCategory::ALL,
            SignalCategory::as_str,
        )?,
        urgency: code_of(
            "urgency",
            &b.urgency,
            Urgency::parse,
            Urgency::ALL,
            Urgency::as_str,
        )?,
        description: baken_domain::casework::signal::parse_description(&b.description)
            .map_err(|e| AppError::invalid("description", e.to_string()))?,
        source: baken_domain::casework::signal::parse_source(&b.source)
            .map_err(|e| AppError::invalid("source", e.to_string()))?,
        reported_by: Some(user.user.id),
        postcode: Postcode::parse(&b.postcode)
            .map_err(|e| AppError::invalid("postcode", e.to_string()))?
            .to_string(),
        house_number: i64::from(
            HouseNumber::parse(&b.house_number)
                .map_err(|e| AppError::invalid("houseNumber", e.to_string()))?
                .value(),
        ),
        house_letter: HouseLetter::parse_optional(&b.house_letter)
            .map_err(|e| AppError::invalid("houseLetter", e.to_string()))?
            .map(|l| l.as_char().to_string())
            .unwrap_or_default(),
        addition: Addition::parse_optional(&b.addition)
            .map_err(|e| AppError::invalid("addition", e.to_string()))?
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        place: None,
        callback_phone: None,
    };
    let id = change::create_signal(&state, &ctx, &s).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "_links": { "self": { "href": "/api/v1/signals" } } })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TriageJson {
    household_id: i64,
    /// Absent: the household's contact person.
    #[serde(default)]
    generalist_id: Option<i64>,
    /// Needed when the generalist is not the contact person (a hand-over).
    #[serde(default)]
    hand_over_reason: String,
}

/// Links a signal to a household at its address and gives it to the
/// household's contact person (or hands the household over, with a reason).
pub async fn triage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let signal = path_id(&id)?;
    let b: TriageJson = parse(&body)?;
    let result = change::triage_signal(
        &state,
        &ctx,
        signal,
        b.household_id,
        b.generalist_id,
        &b.hand_over_reason,
    )
    .await;
    answer(&ctx, result, StatusCode::OK, |c| {
        let handed_over = matches!(c.value, SignalRouting::HandOver { .. });
        json!({ "signalId": signal, "householdId": c.household, "assignedTo": c.value.generalist(), "coordinatorId": c.value.generalist(), "handedOver": handed_over })
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FirstContactJson {
    on: NaiveDate,
    method: String,
    #[serde(default)]
    outcome: String,
}

pub async fn first_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let signal = path_id(&id)?;
    let b: FirstContactJson = parse(&body)?;
    let method = code_of(
        "method",
        &b.method,
        ContactMethod::parse,
        ContactMethod::ALL,
        ContactMethod::as_str,
    )?;
    let result = change::first_contact(&state, &ctx, signal, b.on, method, &b.outcome).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "signalId": signal, "householdId": c.household, "firstContactOn": b.on, "method": method.as_str() }),
    )
}

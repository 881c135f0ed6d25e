//! The casework JSON API (`/api/v1`): the same scope, rules and audit as the
//! pages. Bodies are JSON with camelCase keys, each described by a component
//! schema in `openapi.json`. Bad input — a body that is not JSON, an unknown or
//! missing field, a wrong type, or a value outside its type (an unknown code, a
//! number out of range) — is a 400 problem+json whose `invalidParams` names the
//! field, and nothing is written. Valid values that break a casework rule are a
//! 422 whose `detail` names the rule (and `field` the field); a stale plan
//! version or a referral someone else decided first is a 409.

use super::{current_norms, explain, internal, is_conflict, path_id, scoped_household, today, who};
use crate::ctx::Ctx;
use crate::error::{AppError, Failure};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::casework::{
    AgreementActor, AgreementDecision, ContactMethod, Conversation, ConversationError, Evaluation,
    GoalOutcome, Justification, LifeDomain, NetworkMember, NewAgreement, NewGoal, PlanError,
    ReferralStatus, ResponseNorms, ScoreEntry, Scores, SignalCategory, Term, UnderlyingNeed,
    Urgency,
};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, HouseLetter, HouseNumber, LadderStep, ParticipationRung,
    Permission, Postcode, SupportForm,
};
use baken_store::casework::{self as cw, CaseError, NewSignal};
use baken_store::{audit, Tx};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

type ApiResult = Result<Response, Failure>;

/// Reads a JSON body; a problem names the field (`scores.financien`,
/// `network[0].name`) where there is one.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    // Every body is an object; say so rather than report its first element.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AppError::BadRequest(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Ok(_) => "The body must be a JSON object.".to_owned(),
                Err(e) => format!("The body is not valid JSON: {e}"),
            },
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::BadRequest(format!("The body is not valid JSON: {inner}"))
        } else if path == "." {
            // Missing or unknown fields: serde names them in the message.
            AppError::BadRequest(format!("The body does not fit this operation: {inner}"))
        } else {
            AppError::invalid(path, inner.to_string())
        }
    })?;
    de.end()
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    Ok(value)
}

/// One of a fixed set of codes, or a 400 naming the field and the codes.
fn code_of<T: Copy, E>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Result<T, AppError> {
    parse(value).map_err(|_| {
        AppError::invalid(
            field,
            format!(
                "'{}' is not one of: {}",
                value.chars().take(40).collect::<String>(),
                all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

fn life_domain(field: &str, value: &str) -> Result<LifeDomain, AppError> {
    code_of(
        field,
        value,
        LifeDomain::parse,
        LifeDomain::ALL,
        LifeDomain::as_str,
    )
}

/// Scores keyed by life domain, each 1–5 or "nvt".
fn check_scores(field: &str, map: &BTreeMap<String, String>) -> Result<(), AppError> {
    for (k, v) in map {
        let d = life_domain(&format!("{field}.{k}"), k)?;
        ScoreEntry::parse(d, v).map_err(|_| {
            AppError::invalid(
                format!("{field}.{k}"),
                format!("'{v}' is not a score: use 1 to 5, or nvt"),
            )
        })?;
    }
    Ok(())
}

fn rung(value: Option<u8>) -> Result<Option<ParticipationRung>, AppError> {
    value
        .map(|r| {
            ParticipationRung::new(r).map_err(|_| {
                AppError::invalid(
                    "participationRung",
                    format!("{r} is not a rung: use 1 to 6"),
                )
            })
        })
        .transpose()
}

/// Reasons keyed by the lighter ladder step they are about: "1" to "4".
fn check_justification(map: &BTreeMap<String, String>) -> Result<(), AppError> {
    for k in map.keys() {
        if !matches!(k.as_str(), "1" | "2" | "3" | "4") {
            return Err(AppError::invalid(
                format!("justification.{k}"),
                "the keys are the lighter steps 1, 2, 3 and 4",
            ));
        }
    }
    Ok(())
}

fn problem(ctx: &Ctx, status: StatusCode, detail: String, field: &str, nl: String) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": if status == StatusCode::CONFLICT { "Conflict" } else { "Unprocessable Content" },
        "status": status.as_u16(),
        "detail": detail,
        "field": field,
        "nlDetail": nl,
        "instance": ctx.path,
    });
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// A broken domain rule as problem+json (422; 409 for a conflict), with the
/// rule in `detail` and the Dutch explanation in `nlDetail`.
fn rule_broken(ctx: &Ctx, e: &CaseError) -> Response {
    let (field, nl) = explain(e).unwrap_or_default();
    let status = if is_conflict(e) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    problem(ctx, status, e.to_string(), &field, nl)
}

/// Commits the change with its audit entry, or audits the refusal in a fresh
/// transaction (a failed statement aborts a PostgreSQL transaction).
async fn finish<T: Serialize>(
    state: &AppState,
    ctx: &Ctx,
    mut tx: Tx,
    household: i64,
    status: StatusCode,
    result: Result<(T, String), CaseError>,
) -> ApiResult {
    match result {
        Ok((body, detail)) => {
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
            Ok((status, Json(body)).into_response())
        }
        Err(e) => {
            drop(tx);
            if explain(&e).is_none() {
                return Err(internal(e).into());
            }
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    if is_conflict(&e) {
                        AuditOutcome::Conflict
                    } else {
                        AuditOutcome::Failed
                    },
                    Some(("household", household.to_string())),
                    format!("api: {e}"),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(rule_broken(ctx, &e))
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NormsJson {
    crisis: u32,
    urgent: u32,
    normaal: u32,
    version: i64,
}

impl NormsJson {
    fn new(n: &ResponseNorms, version: i64) -> NormsJson {
        NormsJson {
            crisis: n.crisis(),
            urgent: n.urgent(),
            normaal: n.normaal(),
            version,
        }
    }
}

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
}

fn signal_json(s: cw::SignalRow, norms: &ResponseNorms, day: NaiveDate) -> SignalJson {
    SignalJson {
        overdue: norms
            .state(s.reported_on, s.urgency(), s.first_contact_on, day)
            .is_overdue(),
        due_on: norms.due(s.reported_on, s.urgency()),
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

pub async fn signals(State(state): State<AppState>, ctx: Ctx) -> ApiResult {
    let user = ctx.user()?.clone();
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
            Some(("signal", "*".into())),
            format!("api: {} signalen", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<SignalJson> = rows
        .into_iter()
        .map(|s| signal_json(s, &norms, day))
        .collect();
    Ok(Json(json!({
        "responseNorms": NormsJson::new(&norms, version),
        "_embedded": { "signals": items },
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
    };
    let mut tx = state.db.begin().await?;
    let id = cw::create_signal(&mut tx, &s).await.map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("signal", id.to_string())),
            format!("api: signaal {}", s.category.as_str()),
        ),
    )
    .await?;
    tx.commit().await?;
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
    generalist_id: i64,
}

/// Links a signal to a household at its address and assigns a generalist,
/// who becomes the coordinator if the household has none.
pub async fn triage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: TriageJson = parse(&body)?;
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    in_scope!(tx, super::pages::team_signal(&mut tx, &ctx, id).await);
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, b.household_id, AuditAction::Update).await
    );
    if !cw::team_generalists(&mut tx, team)
        .await?
        .iter()
        .any(|g| g.0 == b.generalist_id)
    {
        return Err(
            AppError::invalid("generalistId", "not an active generalist of your team").into(),
        );
    }
    let result = cw::triage(&mut tx, id, h.id, b.generalist_id, today())
        .await
        .map(|coordinator| {
            (
                json!({ "signalId": id, "householdId": h.id, "assignedTo": b.generalist_id, "coordinatorId": coordinator }),
                format!("api: signaal {id} toegewezen; contactpersoon {coordinator}"),
            )
        });
    finish(&state, &ctx, tx, h.id, StatusCode::OK, result).await
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
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: FirstContactJson = parse(&body)?;
    let method = code_of(
        "method",
        &b.method,
        ContactMethod::parse,
        ContactMethod::ALL,
        ContactMethod::as_str,
    )?;
    let mut tx = state.db.begin().await?;
    let s = in_scope!(tx, super::pages::team_signal(&mut tx, &ctx, id).await);
    let Some(hh) = s.household_id else {
        return Ok(problem(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the signal is not linked to a household yet: triage it first".into(),
            "signal",
            "Wijs het signaal eerst toe aan een huishouden.".into(),
        ));
    };
    in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, hh, AuditAction::Update).await
    );
    let result = cw::record_first_contact(&mut tx, id, b.on, method, &b.outcome, today())
        .await
        .map(|()| {
            (
                json!({ "signalId": id, "householdId": hh, "firstContactOn": b.on, "method": method.as_str() }),
                format!("api: eerste contact signaal {id}"),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::OK, result).await
}

pub async fn conversations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Read).await
    );
    let convs = cw::conversations(&mut tx, h.id).await.map_err(internal)?;
    let needs = cw::needs(&mut tx, h.id).await.map_err(internal)?;
    let network = cw::network(&mut tx, h.id).await.map_err(internal)?;
    let consents = cw::consents(&mut tx, h.id).await.map_err(internal)?;
    let ms = cw::measurements(&mut tx, h.id).await.map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", h.id.to_string())),
            "api: gesprekken",
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<serde_json::Value> = convs
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "heldOn": c.held_on, "presentedQuestion": c.presented_question,
                "underlyingNeedDiffers": c.need_differs, "strengths": c.strengths, "wishes": c.wishes,
                "underlyingNeeds": needs.iter().filter(|n| n.conversation_id == c.id).map(|n| json!({"domain": n.domain, "need": n.need})).collect::<Vec<_>>(),
                "network": network.iter().filter(|n| n.conversation_id == c.id).map(|n| json!({"name": n.name, "relation": n.relation, "canDo": n.can_do, "willDo": n.will_do})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let consents: Vec<serde_json::Value> = consents
        .iter()
        .map(|k| json!({ "id": k.id, "organisation": k.organisation, "providerId": k.provider_id, "purpose": k.purpose, "givenOn": k.given_on, "until": k.until }))
        .collect();
    let measurements: Vec<serde_json::Value> = ms
        .iter()
        .map(|m| json!({
            "measuredOn": m.on, "source": m.source, "participationRung": m.rung,
            "scores": m.scores.0.iter().map(|(d, s)| (d.as_str().to_owned(), s.code())).collect::<BTreeMap<_, _>>(),
        }))
        .collect();
    Ok(Json(json!({ "_embedded": {
        "conversations": items, "consents": consents, "measurements": measurements,
    } }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NeedJson {
    domain: String,
    need: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NetworkJson {
    name: String,
    relation: String,
    #[serde(default)]
    can_do: String,
    #[serde(default)]
    will_do: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsentJson {
    /// A provider on the social map, by id …
    provider_id: Option<i64>,
    /// … or another party, by name.
    #[serde(default)]
    organisation: String,
    purpose: String,
    until: NaiveDate,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConversationJson {
    held_on: NaiveDate,
    presented_question: String,
    #[serde(default)]
    underlying_needs: Vec<NeedJson>,
    #[serde(default)]
    scores: BTreeMap<String, String>,
    participation_rung: Option<u8>,
    #[serde(default)]
    network: Vec<NetworkJson>,
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    wishes: String,
    #[serde(default)]
    consents: Vec<ConsentJson>,
}

fn scores_from(map: &BTreeMap<String, String>) -> Result<Scores, CaseError> {
    let mut scores = Scores::default();
    for (k, v) in map {
        let d = LifeDomain::parse(k).map_err(|_| ConversationError::Domain)?;
        if let Some(s) = ScoreEntry::parse(d, v)? {
            scores.0.insert(d, s);
        }
    }
    Ok(scores)
}

/// A provider on the social map by id: its name, or a 400 naming the field.
fn provider_name(
    providers: &[baken_store::areas::Provider],
    id: i64,
    field: &str,
) -> Result<String, AppError> {
    providers
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name.clone())
        .ok_or_else(|| {
            AppError::invalid(field, format!("{id} is not a provider on the social map"))
        })
}

pub async fn create_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: ConversationJson = parse(&body)?;
    for (i, n) in b.underlying_needs.iter().enumerate() {
        life_domain(&format!("underlyingNeeds[{i}].domain"), &n.domain)?;
    }
    check_scores("scores", &b.scores)?;
    let participation = rung(b.participation_rung)?;
    let mut tx = state.db.begin().await?;
    let h = in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, id, AuditAction::Create).await
    );
    let providers = baken_store::areas::providers(&mut tx).await?;
    let mut parties = Vec::new();
    for (i, k) in b.consents.iter().enumerate() {
        parties.push(match (k.provider_id, k.organisation.trim()) {
            (Some(pid), "") => (provider_name(&providers, pid, &format!("consents[{i}].providerId"))?, Some(pid)),
            (Some(_), _) => {
                return Err(AppError::invalid(
                    format!("consents[{i}]"),
                    "give providerId for a provider on the social map, or organisation for another party, not both",
                )
                .into())
            }
            (None, name) => (name.to_owned(), None),
        });
    }
    let result: Result<(serde_json::Value, String), CaseError> = async {
        let mut c = Conversation::new(b.held_on, &b.presented_question, today())?;
        for n in &b.underlying_needs {
            let d = LifeDomain::parse(&n.domain).map_err(|_| ConversationError::Domain)?;
            c.add_need(UnderlyingNeed::new(d, &n.need)?);
        }
        c.scores = scores_from(&b.scores)?;
        c.rung = participation;
        for n in &b.network {
            c.add_network_member(NetworkMember::new(
                &n.name,
                &n.relation,
                &n.can_do,
                &n.will_do,
            )?);
        }
        c.strengths = b.strengths.chars().take(2000).collect();
        c.wishes = b.wishes.chars().take(2000).collect();
        for (k, (organisation, provider_id)) in b.consents.iter().zip(&parties) {
            c.add_consent(organisation, *provider_id, &k.purpose, k.until)?;
        }
        let cid = cw::create_conversation(&mut tx, h.id, &c, user.user.id).await?;
        Ok((json!({ "id": cid }), format!("api: gesprek {cid}")))
    }
    .await;
    finish(&state, &ctx, tx, h.id, StatusCode::CREATED, result).await
}

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

fn referral_json(r: &baken_domain::casework::Referral) -> serde_json::Value {
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
async fn plan_scope(
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

fn justification_from(map: &BTreeMap<String, String>) -> Option<Justification> {
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

pub async fn referrals(State(state): State<AppState>, ctx: Ctx) -> ApiResult {
    let user = ctx.user()?.clone();
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let rows = cw::team_referrals(&mut tx, team, false)
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("api: {} verwijzingen", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| json!({ "id": r.id, "planId": r.plan_id, "householdId": r.household_id, "care": r.care, "requestedOn": r.requested_on, "status": r.status, "decisionNote": r.decision_note }))
        .collect();
    Ok(Json(json!({ "_embedded": { "referrals": items } })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReferralJson {
    version: i64,
    care: String,
    justification: BTreeMap<String, String>,
}

pub async fn request_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: ReferralJson = parse(&body)?;
    check_justification(&b.justification)?;
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let j = justification_from(&b.justification).unwrap_or_else(|| Justification::new([]));
    let day = today();
    let result = cw::request_referral(&mut tx, plan, b.version, &b.care, j, day, day, &who(&user))
        .await
        .map(|r| {
            (
                json!({ "id": r, "status": "aangevraagd", "version": b.version + 1 }),
                format!("api: verwijzing {r} aangevraagd"),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DecisionJson {
    #[serde(default)]
    reason: String,
}

async fn decide(state: AppState, ctx: Ctx, id: String, body: Bytes, approve: bool) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: DecisionJson = if body.is_empty() {
        DecisionJson::default()
    } else {
        parse(&body)?
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
    let result = cw::decide_referral(&mut tx, id, approve, &b.reason, day, day, &who(&user))
        .await
        .map(|r| {
            (
                referral_json(&r),
                format!("api: verwijzing {id} {}", r.status().code()),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    decide(state, ctx, id, body, true).await
}

pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    decide(state, ctx, id, body, false).await
}

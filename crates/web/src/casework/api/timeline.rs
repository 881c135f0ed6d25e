//! A household's timeline, its consents with their purpose, and its Eigen
//! Kracht-conferenties through the API: the same changes, scope and audit as
//! the dossier's forms (`casework::change`), for the wijkteam only.

use super::common::{answer, parse, ApiResult};
use crate::casework::change::{self, PlanTarget};
use crate::casework::common::{internal, ConferenceInput, ConsentGiven, ContactDraft};
use crate::support::audit::audited_household_read;
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
use baken_domain::casework::{timeline_for, ContactKind, EventKind, PurposeDraft, Viewer};
use baken_domain::AuditAction;
use baken_store::casework::CaseError;
use baken_store::reads::BoxFuture;
use baken_store::{conference, timeline, Tx};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

/// The timeline's kind of entry as the API names it, and a contact's kind.
fn event_kind(kind: &EventKind) -> (&'static str, Option<&'static str>) {
    match kind {
        EventKind::Contact(k) => ("contact", Some(k.as_str())),
        EventKind::AgreementMade => ("agreementMade", None),
        EventKind::AgreementEnded => ("agreementEnded", None),
        EventKind::AgreementWithdrawn => ("agreementWithdrawn", None),
        EventKind::ReferralRequested => ("referralRequested", None),
        EventKind::ReferralDecided => ("referralDecided", None),
        EventKind::Evaluation => ("evaluation", None),
        EventKind::ProviderReport { .. } => ("providerReport", None),
    }
}

/// Reads household `id` for the API through the audited read every household
/// read uses (in scope or 404, the read and its entry in one transaction).
async fn household_read<T: Send + 'static>(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    detail: &'static str,
    read: for<'a> fn(&'a mut Tx, i64) -> BoxFuture<'a, Result<T, CaseError>>,
) -> Result<(i64, T), crate::support::error::Failure> {
    let user = ctx.user()?.clone();
    let id = path_id(id)?;
    let (h, value) = audited_household_read(
        state,
        ctx,
        user.scope(),
        id,
        AuditAction::Read,
        "casework",
        move |tx, h| {
            Box::pin(async move {
                let value = read(tx, h.id).await.map_err(internal)?;
                Ok((value, detail.to_owned()))
            })
        },
    )
    .await?;
    Ok((h.id, value))
}

/// `GET /api/v1/households/{id}/timeline`: what the team sees in the
/// dossier's timeline, newest first (the team sees every note).
pub async fn household_timeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let (household, events) = household_read(&state, &ctx, &id, "api: tijdlijn", |tx, h| {
        Box::pin(timeline::timeline(tx, h))
    })
    .await?;
    let items: Vec<serde_json::Value> = timeline_for(&events, Viewer::Team)
        .into_iter()
        .map(|e| {
            let (kind, contact_kind) = event_kind(&e.kind);
            json!({ "on": e.on, "kind": kind, "contactKind": contact_kind, "title": e.title, "who": e.who, "note": e.note })
        })
        .collect();
    Ok(Json(json!({ "householdId": household, "_embedded": { "events": items } })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ContactMomentJson {
    held_on: NaiveDate,
    kind: String,
    who: String,
    note: String,
}

/// `POST /api/v1/households/{id}/contact-moments`
pub async fn create_contact_moment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let household = path_id(&id)?;
    let b: ContactMomentJson = parse(&body)?;
    let kind = ContactKind::parse(b.kind.trim()).ok_or_else(|| {
        AppError::invalid("kind", "one of huisbezoek, telefoon, email, netwerkoverleg")
    })?;
    let draft = ContactDraft {
        held_on: b.held_on,
        kind,
        who: b.who,
        note: b.note,
    };
    let result = change::record_contact_moment(&state, &ctx, household, &draft).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value }),
    )
}

/// `GET /api/v1/households/{id}/consents`: every consent with its purpose,
/// whether it holds today, and a withdrawal.
pub async fn consents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let (household, grants) = household_read(&state, &ctx, &id, "api: toestemmingen", |tx, h| {
        Box::pin(timeline::consent_grants(tx, h))
    })
    .await?;
    let day = today();
    let items: Vec<serde_json::Value> = grants
        .iter()
        .map(|k| {
            json!({
                "id": k.id, "organisation": k.organisation, "providerId": k.provider_id,
                "purpose": {
                    "text": k.purpose_text, "agreementIds": k.purpose.agreements,
                    "referralId": k.purpose.referral, "network": k.purpose.network, "scores": k.purpose.scores,
                },
                "givenOn": k.given_on, "until": k.until, "holds": k.holds_on(day),
                "withdrawnAt": k.withdrawn_at, "withdrawalReason": k.withdrawal_reason,
            })
        })
        .collect();
    Ok(
        Json(json!({ "householdId": household, "_embedded": { "consents": items } }))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConsentJson {
    provider_id: i64,
    #[serde(default)]
    agreement_ids: Vec<i64>,
    #[serde(default)]
    referral_id: Option<i64>,
    #[serde(default)]
    network: bool,
    #[serde(default)]
    scores: bool,
    until: NaiveDate,
}

/// `POST /api/v1/households/{id}/consents`: a consent for a provider, for a
/// purpose (the agreements it carries out, or a referral).
pub async fn give_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let household = path_id(&id)?;
    let b: ConsentJson = parse(&body)?;
    let given = ConsentGiven {
        provider_id: b.provider_id,
        purpose: PurposeDraft {
            agreements: b.agreement_ids,
            referral: b.referral_id,
            network: b.network,
            scores: b.scores,
        },
        until: b.until,
    };
    let result = change::give_consent(&state, &ctx, household, &given).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WithdrawJson {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/households/{id}/consents/{consent}/withdraw`: the provider's
/// access ends at once.
pub async fn withdraw_consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, consent)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let household = path_id(&id)?;
    let consent = path_id(&consent)?;
    let b: WithdrawJson = parse(&body)?;
    let result = change::withdraw_consent(&state, &ctx, household, consent, &b.reason).await;
    answer(
        &ctx,
        result,
        StatusCode::OK,
        |c| json!({ "id": c.value, "withdrawn": true }),
    )
}

/// `GET /api/v1/households/{id}/conferences`
pub async fn conferences(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let (household, rows) = household_read(
        &state,
        &ctx,
        &id,
        "api: Eigen Kracht-conferenties",
        |tx, h| Box::pin(conference::conferences(tx, h)),
    )
    .await?;
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "planId": c.plan_id, "agreementId": c.agreement_id,
                "coordinator": c.coordinator, "plannedOn": c.planned_on, "heldOn": c.held_on,
                "invitees": c.invitees.iter().map(|i| json!({ "name": i.name, "relation": i.relation })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(
        Json(json!({ "householdId": household, "_embedded": { "conferences": items } }))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConferenceJson {
    version: i64,
    goal_id: i64,
    coordinator_id: i64,
    planned_on: NaiveDate,
    invitees: Vec<String>,
    /// The household agreed to share its data with the coordinator.
    consent: bool,
}

/// `POST /api/v1/plans/{id}/conferences`: an Eigen Kracht-conferentie in the
/// plan, with the household's consent.
pub async fn request_conference(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let plan = path_id(&id)?;
    let b: ConferenceJson = parse(&body)?;
    let input = ConferenceInput {
        consent: b.consent,
        coordinator_id: b.coordinator_id,
        planned_on: b.planned_on,
        invitees: b.invitees,
        goal_id: b.goal_id,
    };
    let result =
        change::request_conference(&state, &ctx, PlanTarget::plan(plan, b.version), &input).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value }),
    )
}

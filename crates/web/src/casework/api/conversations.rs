//! The kitchen-table conversation through the API: list and record.

use super::common::{check_scores, finish, life_domain, parse, rung, ApiResult};
use crate::casework::common::{internal, scoped_household};
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
use baken_domain::casework::{
    Conversation, ConversationError, LifeDomain, NetworkMember, ScoreEntry, Scores, UnderlyingNeed,
};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw, CaseError};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

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

pub(crate) fn scores_from(map: &BTreeMap<String, String>) -> Result<Scores, CaseError> {
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
pub(crate) fn provider_name(
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

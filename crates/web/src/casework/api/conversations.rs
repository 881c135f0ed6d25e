//! The kitchen-table conversation through the API: list and record.

use super::common::{answer, check_scores, life_domain, parse, rung, ApiResult};
use crate::casework::change;
use crate::casework::common::{
    internal, scoped_household, ConsentDraft, ConversationDraft, NeedDraft, NetworkDraft, Party,
};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::paging::PageQuery;
use crate::support::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use baken_domain::casework::{ConversationError, LifeDomain, ScoreEntry, Scores};
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
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let q = PageQuery::parse(raw.as_deref())?;
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
    // The conversations are paged; consents and measurements belong to the
    // household and come whole with every page.
    let (convs, links, page) = q.cut(convs, &format!("/api/v1/households/{}/conversations", h.id));
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
    }, "_links": links, "page": page }))
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

pub async fn create_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let household = path_id(&id)?;
    let b: ConversationJson = parse(&body)?;
    let mut needs = Vec::with_capacity(b.underlying_needs.len());
    for (row, n) in b.underlying_needs.into_iter().enumerate() {
        needs.push(NeedDraft {
            row,
            domain: life_domain(&format!("underlyingNeeds[{row}].domain"), &n.domain)?,
            need: n.need,
        });
    }
    check_scores("scores", &b.scores)?;
    let scores = scores_from(&b.scores).map_err(internal)?;
    let participation = rung(b.participation_rung)?;
    let network = b
        .network
        .into_iter()
        .enumerate()
        .map(|(row, n)| NetworkDraft {
            row,
            name: n.name,
            relation: n.relation,
            can_do: n.can_do,
            will_do: n.will_do,
        })
        .collect();
    let mut consents = Vec::with_capacity(b.consents.len());
    for (row, k) in b.consents.into_iter().enumerate() {
        let party = match (k.provider_id, k.organisation.trim()) {
            (Some(provider), "") => Party::Provider(provider),
            (Some(_), _) => {
                return Err(AppError::invalid(
                    format!("consents[{row}]"),
                    "give providerId for a provider on the social map, or organisation for another party, not both",
                )
                .into())
            }
            (None, name) => Party::Other(name.to_owned()),
        };
        consents.push(ConsentDraft {
            row,
            party,
            purpose: k.purpose,
            until: k.until,
        });
    }
    let draft = ConversationDraft {
        held_on: b.held_on,
        question: b.presented_question,
        needs,
        scores,
        rung: participation,
        network,
        strengths: b.strengths,
        wishes: b.wishes,
        consents,
    };
    let result = change::record_conversation(&state, &ctx, household, &draft).await;
    answer(
        &ctx,
        result,
        StatusCode::CREATED,
        |c| json!({ "id": c.value }),
    )
}

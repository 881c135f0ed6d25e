//! What the casework API handlers share: reading a JSON body with the field named on failure,
//! codes and scores, problem+json for a broken rule, and committing a change with its audit entry.

use crate::casework::common::{explain, internal, is_conflict};
use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::problem::Problem;
use crate::support::state::AppState;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::casework::{LifeDomain, ResponseNorms, ScoreEntry};
use baken_domain::{AuditAction, AuditOutcome, ParticipationRung};
use baken_store::casework::CaseError;
use baken_store::{audit, Tx};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) type ApiResult = Result<Response, Failure>;

/// Reads a JSON body; a problem names the field (`scores.financien`,
/// `network[0].name`) where there is one.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
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
pub(crate) fn code_of<T: Copy, E>(
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

pub(crate) fn life_domain(field: &str, value: &str) -> Result<LifeDomain, AppError> {
    code_of(
        field,
        value,
        LifeDomain::parse,
        LifeDomain::ALL,
        LifeDomain::as_str,
    )
}

/// Scores keyed by life domain, each 1–5 or "nvt".
pub(crate) fn check_scores(field: &str, map: &BTreeMap<String, String>) -> Result<(), AppError> {
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

pub(crate) fn rung(value: Option<u8>) -> Result<Option<ParticipationRung>, AppError> {
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
pub(crate) fn check_justification(map: &BTreeMap<String, String>) -> Result<(), AppError> {
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

/// A casework refusal as problem+json: the rule in `detail`, the field it is
/// about in `field` and the Dutch explanation in `nlDetail`.
pub(crate) fn problem(
    ctx: &Ctx,
    status: StatusCode,
    detail: String,
    field: &str,
    nl: String,
) -> Response {
    let title = if status == StatusCode::CONFLICT {
        "Conflict"
    } else {
        "Unprocessable Content"
    };
    Problem::new(status, title, &detail, &ctx.path)
        .member("field", json!(field))
        .member("nlDetail", json!(nl))
        .into_response()
}

/// A broken domain rule as problem+json (422; 409 for a conflict), with the
/// rule in `detail` and the Dutch explanation in `nlDetail`.
pub(crate) fn rule_broken(ctx: &Ctx, e: &CaseError) -> Response {
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
pub(crate) async fn finish<T: Serialize>(
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
pub(crate) struct NormsJson {
    crisis: u32,
    urgent: u32,
    normaal: u32,
    version: i64,
}

impl NormsJson {
    pub(crate) fn new(n: &ResponseNorms, version: i64) -> NormsJson {
        NormsJson {
            crisis: n.crisis(),
            urgent: n.urgent(),
            normaal: n.normaal(),
            version,
        }
    }
}

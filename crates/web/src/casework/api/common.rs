//! What the casework API handlers share: reading a JSON body with the field named on failure,
//! codes and scores, problem+json for a broken rule, and the answer to a change.

use crate::casework::change::{ChangeError, Changed, Row};
use crate::casework::common::{explain, is_conflict, justification};
use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::problem::Problem;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::casework::{Justification, LifeDomain, ResponseNorms, ScoreEntry};
use baken_domain::ParticipationRung;
use baken_store::casework::CaseError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) type ApiResult = Result<Response, Failure>;

/// Reads a JSON body; a problem names the field (`scores.financien`,
/// `network[0].name`) where there is one.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    // A byte-order mark is allowed before JSON text (RFC 8259 §8.1 lets a
    // parser ignore it); some editors and Windows tools write one.
    let body: &[u8] = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // Every body is an object; say so rather than report its first element.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AppError::BadRequest(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Ok(_) => "The body must be a JSON object.".to_owned(),
                Err(e) => format!("The body is not valid JSON: {e}"),
            },
        ));
    }
    let document: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    // Control characters are refused before anything reads the values, by
    // JSON path, the same on both backends (baken_domain::text).
    if let Some((path, e)) = first_control_character(&document, "") {
        return Err(AppError::invalid(path, e.to_string()));
    }
    serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        match (path.as_str(), missing_field(&inner)) {
            // A missing field is named like any other bad field (invalidParams).
            (".", Some(field)) => AppError::invalid(field, "is required"),
            (".", None) => {
                AppError::BadRequest(format!("The body does not fit this operation: {inner}"))
            }
            (_, Some(field)) => AppError::invalid(format!("{path}.{field}"), "is required"),
            _ => AppError::invalid(path, inner),
        }
    })
}

/// The field serde says is missing ("missing field `name`").
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// The first string in `v` with a control character, and its path
/// (`network[0].name`).
fn first_control_character(
    v: &serde_json::Value,
    path: &str,
) -> Option<(String, baken_domain::text::ControlCharacter)> {
    use serde_json::Value;
    match v {
        Value::String(text) => baken_domain::text::check_text(text)
            .err()
            .map(|e| (path.to_owned(), e)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| first_control_character(item, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            first_control_character(item, &here)
        }),
        _ => None,
    }
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

/// Reasons keyed by the lighter ladder step they are about: "1" to "4"; any
/// other key is a 400 naming it.
pub(crate) fn justification_of(
    map: &BTreeMap<String, String>,
) -> Result<Option<Justification>, AppError> {
    for k in map.keys() {
        if !matches!(k.as_str(), "1" | "2" | "3" | "4") {
            return Err(AppError::invalid(
                format!("justification.{k}"),
                "the keys are the lighter steps 1, 2, 3 and 4",
            ));
        }
    }
    Ok(justification(
        map.iter()
            .map(|(step, reason)| (step.as_str(), reason.as_str())),
    ))
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

/// The API's answer to a change (`casework::change`): `status` with the JSON
/// `body` of what was done; a broken rule as problem+json (422, 409 for a
/// conflict); input the change could not use as a 400 naming its field.
pub(crate) fn answer<T>(
    ctx: &Ctx,
    result: Result<Changed<T>, ChangeError>,
    status: StatusCode,
    body: impl FnOnce(Changed<T>) -> serde_json::Value,
) -> ApiResult {
    match result {
        Ok(changed) => Ok((status, Json(body(changed))).into_response()),
        Err(ChangeError::Refused(refusal)) => Ok(rule_broken(ctx, &refusal.error)),
        Err(ChangeError::SignalRefused(error)) => Ok(rule_broken(ctx, &error)),
        Err(ChangeError::NoSuchProvider { id, row, .. }) => {
            let field = match row {
                Some(Row::Consent(i)) => format!("consents[{i}].providerId"),
                _ => "providerId".to_owned(),
            };
            Err(
                AppError::invalid(field, format!("{id} is not a provider on the social map"))
                    .into(),
            )
        }
        Err(ChangeError::NotTeamGeneralist) => {
            Err(AppError::invalid("generalistId", "not an active generalist of your team").into())
        }
        Err(ChangeError::NotTriaged) => Ok(problem(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the signal is not linked to a household yet: triage it first".into(),
            "signal",
            "Wijs het signaal eerst toe aan een huishouden.".into(),
        )),
        Err(ChangeError::Failed(e)) => Err(e.into()),
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

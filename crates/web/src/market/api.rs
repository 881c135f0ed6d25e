//! `/api/v1/market/…`: the buurtmarktplaats for programs (a participant's app,
//! a makelaar's tools), with a bearer token of a participating account:
//! the categories, open asks and offers (paged, filtered), one listing, posting
//! one as the token's participant, and the suggestions for one's own listing
//! with why they fit. Listings carry the public name only, as on the pages; no
//! contact detail is ever in this API. Bad input is problem+json naming every
//! field in `invalidParams`, and nothing is written.

use super::common::{me, refusal, ListingForm};
use crate::casework::api::common::parse;
use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::form::path_id;
use crate::support::paging::PageQuery;
use crate::support::problem::Problem;
use crate::support::state::AppState;
use crate::support::time::today;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::market::Direction;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::audit;
use baken_store::market::{self as mk, ListingFilter, ListingRow};
use serde::Deserialize;
use serde_json::{json, Value};

type ApiResult = Result<Response, Failure>;

/// A listing as the API shows it.
fn listing_json(row: &ListingRow) -> Value {
    json!({
        "id": row.id,
        "direction": row.direction,
        "category": row.category,
        "title": row.title,
        "text": row.body,
        "district": row.district_code,
        "districtName": row.district_name,
        "recurrence": row.recurrence,
        "date": row.on_date,
        "partOfDay": row.part_of_day,
        "urgent": row.urgent,
        "group": row.is_group,
        "places": row.places,
        "placesLeft": row.places - row.taken,
        "state": row.state,
        "postedBy": row.public_name,
        "postedOn": row.posted_on,
        "_links": { "self": { "href": format!("/api/v1/market/listings/{}", row.id) } },
    })
}

pub async fn categories(State(state): State<AppState>) -> ApiResult {
    let mut tx = state.db.read().await?;
    let rows = mk::categories(&mut tx, true).await?;
    drop(tx);
    let items: Vec<Value> = rows
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name }))
        .collect();
    Ok(Json(json!({ "_embedded": { "categories": items } })).into_response())
}

/// The list's filters beside `page` and `pageSize`; any other parameter, or a
/// bad value, is a 400 naming it.
#[derive(Debug)]
struct ListQuery {
    direction: Option<Direction>,
    category_id: Option<i64>,
    district: Option<DistrictCode>,
    urgent: bool,
    paging: PageQuery,
}

fn list_query(raw: Option<&str>) -> Result<ListQuery, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::invalid("query", "the query string is not valid URL encoding"))?;
    let mut q = ListQuery {
        direction: None,
        category_id: None,
        district: None,
        urgent: false,
        paging: PageQuery::parse(None)?,
    };
    let mut paging = Vec::new();
    for (key, value) in pairs {
        let shown: String = value.chars().take(40).collect();
        match key.as_str() {
            "direction" => {
                q.direction = Some(Direction::parse(&value).map_err(|_| {
                    AppError::invalid(
                        "direction",
                        format!("must be vraag (ask) or aanbod (offer); got '{shown}'"),
                    )
                })?)
            }
            "categoryId" => {
                q.category_id = Some(value.parse().map_err(|_| {
                    AppError::invalid(
                        "categoryId",
                        format!("must be a category's id (GET /market/categories); got '{shown}'"),
                    )
                })?)
            }
            "district" => {
                q.district = Some(DistrictCode::parse(&value).map_err(|_| {
                    AppError::invalid(
                        "district",
                        format!("must be a CBS district code such as WK999901; got '{shown}'"),
                    )
                })?)
            }
            "urgent" => {
                q.urgent = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(AppError::invalid(
                            "urgent",
                            format!("must be true or false; got '{shown}'"),
                        ))
                    }
                }
            }
            "page" | "pageSize" => paging.push((key, value)),
            other => {
                let name: String = other.chars().take(40).collect();
                return Err(AppError::invalid(
                    name.clone(),
                    format!("unknown query parameter '{name}'; allowed are direction, categoryId, district, urgent, page, pageSize"),
                ));
            }
        }
    }
    let paging = serde_urlencoded::to_string(&paging)
        .map_err(|_| AppError::invalid("query", "the query string is not valid URL encoding"))?;
    q.paging = PageQuery::parse(Some(&paging))?;
    Ok(q)
}

/// Open asks and offers, newest first.
pub async fn listings(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = list_query(raw.as_deref())?;
    let mut tx = state.db.read().await?;
    let rows = mk::search(
        &mut tx,
        &ListingFilter {
            direction: q.direction,
            category_id: q.category_id,
            district: q.district,
            urgent_only: q.urgent,
            participant_id: None,
            limit: 1000,
        },
    )
    .await?;
    drop(tx);
    let (rows, links, page) = q.paging.cut(rows, "/api/v1/market/listings");
    let items: Vec<Value> = rows.iter().map(listing_json).collect();
    Ok(
        Json(json!({ "_embedded": { "listings": items }, "_links": links, "page": page }))
            .into_response(),
    )
}

/// One listing; a hidden one only to its own participant.
pub async fn listing(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut tx = state.db.read().await?;
    let participant = me(&mut tx, &ctx).await?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let own = participant.is_some_and(|p| p.id == row.participant_id);
    if row.state == "verborgen" && !own {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(listing_json(&row)).into_response())
}

/// The listing to post, one field per form control (`docs` in openapi.json).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewListingJson {
    direction: String,
    category_id: i64,
    title: String,
    #[serde(default)]
    text: String,
    /// A district code; absent or null: the whole town.
    #[serde(default)]
    district: Option<String>,
    recurrence: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    part_of_day: Option<String>,
    #[serde(default)]
    urgent: bool,
    /// Set for a group listing: how many may join (2–500).
    #[serde(default)]
    places: Option<u16>,
}

/// The JSON field and the English reason for a field the form refused.
fn api_field(form_field: &str) -> (&'static str, &'static str) {
    match form_field {
        "soort" => ("direction", "must be vraag (ask) or aanbod (offer)"),
        "categorie" => (
            "categoryId",
            "must be the id of an active category (GET /market/categories)",
        ),
        "titel" => ("title", "must have 3 to 100 characters"),
        "tekst" => ("text", "must have at most 2000 characters"),
        "wijk" => (
            "district",
            "must be a district code of the municipality, or null for the whole town",
        ),
        "herhaling" => ("recurrence", "must be eenmalig or terugkerend"),
        "datum" => ("date", "must be a date (YYYY-MM-DD), not before today"),
        "dagdeel" => ("partOfDay", "must be ochtend, middag, avond or flexibel"),
        "plaatsen" => ("places", "a group listing has room for 2 to 500 people"),
        "spoed" => (
            "urgent",
            "only an ask can be urgent, and an urgent ask is for one person",
        ),
        _ => ("body", "this listing cannot be posted"),
    }
}

/// Posts an ask or offer as the token's participant (who has joined and
/// verified their e-mail address).
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult {
    let user_id = ctx.user()?.user.id;
    let b: NewListingJson = parse(&body)?;
    let form = ListingForm {
        soort: b.direction,
        categorie: b.category_id.to_string(),
        titel: b.title,
        tekst: b.text,
        wijk: b.district.unwrap_or_default(),
        herhaling: b.recurrence,
        datum: b.date.unwrap_or_default(),
        dagdeel: b.part_of_day.unwrap_or_default(),
        spoed: b.urgent.then(|| "1".to_owned()),
        groep: b.places.map(|_| "1".to_owned()),
        plaatsen: b.places.map(|n| n.to_string()).unwrap_or_default(),
    };
    let mut tx = state.db.begin().await?;
    let Some(participant) = me(&mut tx, &ctx).await? else {
        return Ok(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unprocessable Content",
            "this account does not take part in the marketplace yet; join at /buurtmarktplaats first",
            &ctx.path,
        )
        .into_response());
    };
    let (category_id, listing) = match form.parse(&mut tx).await {
        Ok(v) => v,
        Err(errors) => {
            let params: Vec<Value> = errors
                .iter()
                .map(|(field, _)| {
                    let (name, reason) = api_field(field);
                    json!({ "name": name, "code": "invalid", "reason": reason })
                })
                .collect();
            return Ok(Problem::new(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                "one or more fields are invalid; see invalidParams",
                &ctx.path,
            )
            .member("invalidParams", Value::Array(params))
            .into_response());
        }
    };
    let id = match mk::create_listing(
        &mut tx,
        participant.id,
        category_id,
        &listing,
        user_id,
        today(),
    )
    .await
    {
        Ok(id) => id,
        Err(e) if refusal(&e).is_some() => {
            return Ok(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unprocessable Content",
                &e.to_string(),
                &ctx.path,
            )
            .member("nlDetail", json!(refusal(&e)))
            .into_response())
        }
        Err(e) => return Err(super::common::internal(e).into()),
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_listing", id.to_string())),
            format!("api: {} geplaatst", listing.direction().as_str()),
        ),
    )
    .await?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(listing_json(&row))).into_response())
}

/// What fits one's own open listing, each with why.
pub async fn suggestions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let mut tx = state.db.read().await?;
    let participant = me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if row.participant_id != participant.id {
        return Err(AppError::NotFound.into());
    }
    let found = if row.state == "open" {
        mk::suggestions(&mut tx, &row, 20).await?
    } else {
        Vec::new()
    };
    drop(tx);
    let items: Vec<Value> = found
        .iter()
        .map(|(other, fit)| {
            json!({
                "listing": listing_json(other),
                "reasons": fit.reasons.iter().map(|r| r.label()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "_embedded": { "suggestions": items } })).into_response())
}

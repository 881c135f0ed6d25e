//! `/api/v1`: the JSON API, following the NL API Design Rules (bearer tokens,
//! plural kebab-case resources, camelCase keys, problem+json errors, the
//! `API-Version` header, pagination, an OpenAPI 3 document).

use crate::support::audit::households_shown;
use crate::support::audit::read_household_audited;
use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::households::{self, Household, HouseholdFilter, Resident};
use serde::Serialize;

pub const OPENAPI: &str = include_str!("../../openapi.json");

/// The document is public, and readable from any origin so that API consoles and
/// linters elsewhere can load it (it holds no data and needs no credentials).
pub async fn openapi() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        OPENAPI,
    )
        .into_response()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    street: String,
    house_number: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    house_letter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    house_number_addition: Option<String>,
    postcode: String,
    city: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HouseholdJson {
    id: i64,
    address: Address,
    neighbourhood_code: String,
    district_code: String,
    team_id: Option<i64>,
    number_of_residents: i64,
    version: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    residents: Option<Vec<ResidentJson>>,
    #[serde(rename = "_links")]
    links: Links,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResidentJson {
    id: i64,
    bsn: String,
    given_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    surname_prefix: Option<String>,
    surname: String,
    birth_date: String,
}

#[derive(Serialize)]
struct Link {
    href: String,
}

#[derive(Serialize)]
struct Links {
    #[serde(rename = "self")]
    self_: Link,
}

fn household_json(h: &Household, residents: Option<&[Resident]>) -> HouseholdJson {
    HouseholdJson {
        id: h.id,
        address: Address {
            street: h.street.clone(),
            house_number: h.house_number,
            house_letter: Some(h.house_letter.clone()).filter(|s| !s.is_empty()),
            house_number_addition: Some(h.addition.clone()).filter(|s| !s.is_empty()),
            postcode: h.postcode.clone(),
            city: h.city.clone(),
        },
        neighbourhood_code: h.neighbourhood_code.clone(),
        district_code: h.district_code.clone(),
        team_id: h.team_id,
        number_of_residents: h.residents,
        version: h.version,
        residents: residents.map(|rs| {
            rs.iter()
                .map(|r| ResidentJson {
                    id: r.id,
                    bsn: r.bsn.clone(),
                    given_name: r.given_name.clone(),
                    surname_prefix: r.surname_prefix.clone().filter(|p| !p.is_empty()),
                    surname: r.surname.clone(),
                    birth_date: r.birth_date.to_string(),
                })
                .collect()
        }),
        links: Links {
            self_: Link {
                href: format!("/api/v1/households/{}", h.id),
            },
        },
    }
}

/// The query of `GET /api/v1/households`, parsed strictly: unknown keys and bad
/// values are a 400 that names the parameter.
#[derive(Debug, PartialEq)]
pub struct HouseholdsQuery {
    pub page: i64,
    pub page_size: i64,
    pub district_code: Option<DistrictCode>,
}

pub const MAX_PAGE_SIZE: i64 = 100;

/// Parses the query; an error is the parameter's name and what is wrong with it.
pub fn parse_households_query(raw: Option<&str>) -> Result<HouseholdsQuery, (String, String)> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| {
            (
                "query".to_owned(),
                "the query string is not valid URL encoding".to_owned(),
            )
        })?;
    let mut q = HouseholdsQuery {
        page: 1,
        page_size: 20,
        district_code: None,
    };
    for (k, v) in pairs {
        let bad = |msg: String| (k.chars().take(40).collect::<String>(), msg);
        match k.as_str() {
            "page" => {
                q.page = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad(format!("query parameter 'page' must be a whole number of at least 1; got '{v}'")))?
            }
            "pageSize" => {
                q.page_size = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                    .ok_or_else(|| bad(format!("query parameter 'pageSize' must be a whole number from 1 to {MAX_PAGE_SIZE}; got '{v}'")))?
            }
            "districtCode" => {
                q.district_code = Some(DistrictCode::parse(&v).map_err(|e| bad(format!("query parameter 'districtCode': {e}")))?)
            }
            other => {
                return Err(bad(format!(
                    "unknown query parameter '{}'; allowed are page, pageSize, districtCode",
                    other.chars().take(40).collect::<String>()
                )))
            }
        }
    }
    Ok(q)
}

pub async fn households(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let user = ctx.user()?.clone();
    let q = parse_households_query(raw.as_deref())
        .map_err(|(name, reason)| AppError::invalid(name, reason))?;
    let filter = HouseholdFilter {
        district: q.district_code.as_ref().map(|d| d.to_string()),
        postcode: None,
    };
    let (scope, page_no, page_size, audit_ctx) = (user.scope(), q.page, q.page_size, ctx.clone());
    let page = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let page = households::list(tx, scope, &filter, page_no, page_size).await?;
                let detail = format!(
                    "districtCode={} page={} results={}",
                    filter.district.as_deref().unwrap_or("-"),
                    page_no,
                    page.total
                );
                let entry = audit_ctx.audit(
                    AuditAction::Search,
                    AuditOutcome::Success,
                    Some(households_shown(page.items.iter().map(|h| h.id))),
                    detail,
                );
                Ok::<_, AppError>((page, vec![entry]))
            })
        })
        .await?;

    let link = |p: i64| {
        let mut s = format!("/api/v1/households?page={p}&pageSize={}", q.page_size);
        if let Some(d) = &q.district_code {
            s.push_str(&format!("&districtCode={d}"));
        }
        serde_json::json!({ "href": s })
    };
    let pages = page.pages();
    let mut links =
        serde_json::json!({ "self": link(page.page), "first": link(1), "last": link(pages) });
    if page.page > 1 {
        links["prev"] = link(page.page - 1);
    }
    if page.page < pages {
        links["next"] = link(page.page + 1);
    }
    let items: Vec<HouseholdJson> = page.items.iter().map(|h| household_json(h, None)).collect();
    let body = serde_json::json!({
        "_embedded": { "households": items },
        "_links": links,
        "page": { "number": page.page, "size": page.page_size, "totalElements": page.total, "totalPages": pages },
    });
    let mut res = Json(body).into_response();
    if let Ok(v) = page.total.to_string().parse() {
        res.headers_mut().insert("x-total-count", v);
    }
    Ok(res)
}

pub async fn household(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let user = ctx.user()?.clone();
    let id: i64 = id.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
        AppError::invalid(
            "id",
            format!(
                "path parameter 'id' must be a positive whole number; got '{}'",
                id.chars().take(40).collect::<String>()
            ),
        )
    })?;
    let (h, residents, _team) = read_household_audited(&state, &ctx, user.scope(), id).await?;
    Ok(Json(household_json(&h, Some(&residents))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_defaults_and_limits() {
        assert_eq!(
            parse_households_query(None).unwrap(),
            HouseholdsQuery {
                page: 1,
                page_size: 20,
                district_code: None
            }
        );
        let q = parse_households_query(Some("page=2&pageSize=100&districtCode=wk999901")).unwrap();
        assert_eq!(
            (
                q.page,
                q.page_size,
                q.district_code.unwrap().as_str().to_owned()
            ),
            (2, 100, "WK999901".to_owned())
        );
    }

    #[test]
    fn bad_query_values_name_the_parameter() {
        for (raw, name) in [
            ("page=0", "'page'"),
            ("pageSize=1000", "'pageSize'"),
            ("districtCode=WK1", "'districtCode'"),
            ("page_size=5", "'page_size'"),
        ] {
            let (param, err) = parse_households_query(Some(raw)).unwrap_err();
            assert!(err.contains(name), "{raw}: {err}");
            assert_eq!(format!("'{param}'"), name, "{raw}");
        }
    }
}

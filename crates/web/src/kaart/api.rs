//! `/api/v1/hsds/…`: the social map, read-only and public, in Open Referral
//! HSDS 3.0 shape (the standard's snake_case field names, its paged-list
//! envelope), with filters. Errors are problem+json like the rest of `/api/v1`.

use super::view::MapFilter;
use crate::support::error::{AppError, Failure};
use crate::support::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::{Reach, ServiceAccess};
use baken_domain::{DistrictCode, LadderStep};
use baken_hsds::{all_taxonomies, district_names, organization_json_kept, service_json, Kept};
use baken_store::kaart::{self, MapService};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const MAX_PAGE_SIZE: usize = 100;

/// Parsed query parameters; every value is checked and named when wrong.
#[derive(Debug, Default, PartialEq)]
pub struct HsdsQuery {
    pub page: usize,
    pub per_page: usize,
    pub filter: MapFilterSpec,
    pub service_id: Option<String>,
    /// HSDS API parameters (schema/openapi.json of the standard).
    pub hsds: HsdsParams,
}

/// The parameters the HSDS 3.0 API declares, beside Baken's own filters.
#[derive(Debug, Default, PartialEq)]
pub struct HsdsParams {
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_id: Option<String>,
    pub organization_id: Option<String>,
    pub modified_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Nested objects (a service with its organisation and locations).
    pub full: bool,
    pub top_only: bool,
    pub parent_id: Option<String>,
    pub postcode: Option<String>,
}

/// `modified_after`: an RFC 3339 date-time, or a date (midnight UTC).
fn date_time(v: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            format!(
                "query parameter 'modified_after' must be a date-time such as 2026-01-31T12:00:00Z or a date such as 2026-01-31; got '{}'",
                v.chars().take(40).collect::<String>()
            )
        })
}

#[derive(Debug, Default, PartialEq)]
pub struct MapFilterSpec {
    pub text: String,
    pub domain: Option<LifeDomain>,
    pub district: Option<DistrictCode>,
    pub step: Option<LadderStep>,
    pub reach: Option<Reach>,
    pub access: Option<ServiceAccess>,
    pub volunteering: Option<bool>,
}

fn boolean(name: &str, v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "query parameter '{name}' must be true or false; got '{}'",
            v.chars().take(40).collect::<String>()
        )),
    }
}

/// Baken's own filters are camelCase (NL API Design Rules); the snake_case names
/// they had before 2026-12 are still accepted, as deprecated aliases. `page`,
/// `per_page` and `search` are HSDS 3.0's own names and stay as the standard has them.
pub const DEPRECATED_ALIASES: [(&str, &str); 4] = [
    ("district_code", "districtCode"),
    ("ladder_step", "ladderStep"),
    ("free_access", "freeAccess"),
    ("service_id", "serviceId"),
];

/// Parses the query; `allowed` names the parameters by their current names.
pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<HsdsQuery, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| "the query string is not valid URL encoding".to_owned())?;
    let mut q = HsdsQuery {
        page: 1,
        per_page: 20,
        ..HsdsQuery::default()
    };
    for (k, v) in pairs {
        let k = DEPRECATED_ALIASES
            .iter()
            .find(|(old, _)| *old == k)
            .map_or(k, |(_, new)| (*new).to_owned());
        if !allowed.contains(&k.as_str()) {
            return Err(format!(
                "unknown query parameter '{}'; allowed are {}",
                k.chars().take(40).collect::<String>(),
                allowed.join(", ")
            ));
        }
        match k.as_str() {
            "page" => q.page = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| format!("query parameter 'page' must be a whole number of at least 1; got '{v}'"))?,
            "per_page" => q.per_page = v.parse().ok().filter(|n| (1..=MAX_PAGE_SIZE).contains(n)).ok_or_else(|| format!("query parameter 'per_page' must be a whole number from 1 to {MAX_PAGE_SIZE}; got '{v}'"))?,
            "search" => q.filter.text = v.chars().take(200).collect(),
            "domain" => q.filter.domain = Some(LifeDomain::parse(&v).map_err(|_| format!("query parameter 'domain' must be a ZRM domain code such as sociaal_netwerk; got '{v}'"))?),
            "districtCode" => q.filter.district = Some(DistrictCode::parse(&v).map_err(|e| format!("query parameter 'districtCode': {e}"))?),
            "ladderStep" => q.filter.step = Some(v.parse::<u8>().ok().and_then(|s| LadderStep::new(s).ok()).ok_or_else(|| format!("query parameter 'ladderStep' must be 1 to 5; got '{v}'"))?),
            "collective" => {
                q.filter.reach = Some(if boolean("collective", &v)? {
                    Reach::Collective
                } else {
                    Reach::Individual
                })
            }
            "freeAccess" => {
                q.filter.access = Some(if boolean("freeAccess", &v)? {
                    ServiceAccess::Free
                } else {
                    ServiceAccess::Decision
                })
            }
            "volunteering" => q.filter.volunteering = Some(boolean("volunteering", &v)?),
            "serviceId" => q.service_id = Some(v),
            "format" if v != "json" => {
                return Err(format!(
                    "query parameter 'format' can only be json; got '{}'",
                    v.chars().take(40).collect::<String>()
                ))
            }
            "taxonomy_term_id" => q.hsds.taxonomy_term_id = Some(v),
            "taxonomy_id" => q.hsds.taxonomy_id = Some(v),
            "organization_id" => q.hsds.organization_id = Some(v),
            "modified_after" => q.hsds.modified_after = Some(date_time(&v)?),
            "full" | "full_service" => q.hsds.full |= boolean(&k, &v)?,
            // `minimal` asks for less; Baken's objects are small, so it
            // answers with the same objects (valid for the declared schema).
            "minimal" => {
                boolean("minimal", &v)?;
            }
            "top_only" => q.hsds.top_only = boolean("top_only", &v)?,
            "parent_id" => q.hsds.parent_id = Some(v),
            "postcode" => {
                q.hsds.postcode = Some(
                    v.chars()
                        .filter(|c| !c.is_whitespace())
                        .collect::<String>()
                        .to_uppercase(),
                )
            }
            // Baken's locations have no coordinates: proximity is accepted, not used.
            "proximity" => {
                v.parse::<f64>().map_err(|_| {
                    format!(
                        "query parameter 'proximity' must be a number; got '{}'",
                        v.chars().take(40).collect::<String>()
                    )
                })?;
            }
            _ => {}
        }
    }
    Ok(q)
}

/// HSDS's paged list envelope.
fn paged(items: Vec<Value>, q: &HsdsQuery) -> Value {
    let total = items.len();
    let pages = total.div_ceil(q.per_page).max(1);
    let contents: Vec<Value> = items
        .into_iter()
        // A page far past the end (page=922337203685477582) is empty, not an overflow.
        .skip((q.page - 1).saturating_mul(q.per_page))
        .take(q.per_page)
        .collect();
    json!({
        "total_items": total, "total_pages": pages, "page_number": q.page, "size": contents.len(),
        "first_page": q.page == 1, "last_page": q.page >= pages, "empty": contents.is_empty(), "contents": contents,
    })
}

fn filtered<'a>(services: &'a [MapService], f: &MapFilterSpec) -> Vec<&'a MapService> {
    MapFilter {
        text: f.text.clone(),
        domain: f.domain,
        district: f.district.clone(),
        step: f.step,
        reach: f.reach,
        access: f.access,
        volunteering: f.volunteering,
        include_ended: true,
    }
    .apply(services)
}

/// Baken's own filters, accepted by the service and service-at-location lists.
const BAKEN_FILTERS: &[&str] = &[
    "domain",
    "districtCode",
    "ladderStep",
    "collective",
    "freeAccess",
    "volunteering",
];

/// The parameters of a list: the HSDS API's (its `openapi.json`), then Baken's.
fn allowed(hsds: &[&'static str], baken: &[&'static str]) -> Vec<&'static str> {
    ["page", "per_page", "search", "format"]
        .iter()
        .chain(hsds)
        .chain(baken)
        .copied()
        .collect()
}

/// The published map, read once per request.
struct Published {
    services: Vec<MapService>,
    orgs: HashMap<i64, kaart::Organization>,
    names: HashMap<String, String>,
    kept: Kept,
    /// Term id → its taxonomy's id.
    term_taxonomy: HashMap<String, String>,
}

async fn published(state: &AppState) -> Result<Published, AppError> {
    let names = district_names(&state.db).await?;
    let mut tx = state.db.read().await?;
    let mut services = kaart::services(&mut tx, None).await?;
    // Like the public map: what waits to be classified is not published.
    services.retain(|s| s.classified);
    let orgs = kaart::organizations(&mut tx)
        .await?
        .into_iter()
        .map(|o| (o.provider_id, o))
        .collect();
    let kept = Kept::read(&mut tx).await?;
    let (_, terms) = all_taxonomies(&mut tx).await?;
    let term_taxonomy = terms
        .iter()
        .map(|t| (text(t, "id"), text(t, "taxonomy_id")))
        .collect();
    Ok(Published {
        services,
        orgs,
        names,
        kept,
        term_taxonomy,
    })
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

impl Published {
    fn org_uuid(&self, s: &MapService) -> &str {
        self.orgs
            .get(&s.provider_id)
            .map(|o| o.uuid.as_str())
            .unwrap_or_default()
    }

    fn organization(&self, o: &kaart::Organization) -> Value {
        organization_json_kept(o, self.kept.organizations.get(&o.uuid).map(String::as_str))
    }

    /// A service; `full`: with its organisation and its locations nested.
    fn service(&self, s: &MapService, full: bool) -> Value {
        if !full {
            return service_json(s, self.org_uuid(s), &self.names, false);
        }
        let mut v = self
            .kept
            .service_with_locations(s, self.org_uuid(s), &self.names);
        if let Some(o) = self.orgs.get(&s.provider_id) {
            v["organization"] = self.organization(o);
        }
        v
    }

    /// The HSDS API's filters on one service (and its HSDS object).
    fn matches(&self, s: &MapService, v: &Value, p: &HsdsParams) -> bool {
        let terms: Vec<String> = v
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|a| match a.get("taxonomy_term") {
                Some(t) if t.is_object() => text(t, "id"),
                _ => text(a, "taxonomy_term_id"),
            })
            .collect();
        p.organization_id
            .as_ref()
            .is_none_or(|id| id == self.org_uuid(s))
            && p.modified_after.is_none_or(|t| s.updated_at >= t)
            && p.taxonomy_term_id
                .as_ref()
                .is_none_or(|id| terms.contains(id))
            && p.taxonomy_id
                .as_ref()
                .is_none_or(|id| terms.iter().any(|t| self.term_taxonomy.get(t) == Some(id)))
    }
}

/// `GET /api/v1/hsds`: which HSDS version this API speaks.
pub async fn root() -> Response {
    Json(json!({
        "version": "3.0",
        "profile": "https://docs.openreferral.org/en/v3.0/hsds/overview.html",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    }))
    .into_response()
}

pub async fn services(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let params = allowed(
        &[
            "taxonomy_term_id",
            "taxonomy_id",
            "organization_id",
            "modified_after",
            "minimal",
            "full",
        ],
        BAKEN_FILTERS,
    );
    let q = parse_query(raw.as_deref(), &params).map_err(AppError::BadRequest)?;
    let map = published(&state).await?;
    let items = filtered(&map.services, &q.filter)
        .into_iter()
        .filter_map(|s| {
            let v = map.service(s, q.hsds.full);
            map.matches(s, &v, &q.hsds).then_some(v)
        })
        .collect();
    Ok(Json(paged(items, &q)).into_response())
}

/// An HSDS id is a UUID; anything else is a 400 that names the path parameter
/// (not a 404: the request could never name an object).
fn hsds_id(id: &str) -> Result<&str, AppError> {
    let b = id.as_bytes();
    let well_formed = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if well_formed {
        Ok(id)
    } else {
        Err(AppError::invalid(
            "id",
            format!(
                "path parameter 'id' must be a UUID such as 0b7f6a44-6c1a-5b2e-9d7e-1f2a3b4c5d6e; got '{}'",
                id.chars().take(40).collect::<String>()
            ),
        ))
    }
}

/// A taxonomy's or term's id as another publisher wrote it (HSDS asks for UUIDs, but
/// kept taxonomies keep their own ids): 1 to 200 visible ASCII characters, or a 400
/// that names the path parameter.
fn kept_id(id: &str) -> Result<&str, AppError> {
    if (1..=200).contains(&id.len()) && id.bytes().all(|c| c.is_ascii_graphic()) {
        Ok(id)
    } else {
        Err(AppError::invalid(
            "id",
            format!(
                "path parameter 'id' must be 1 to 200 visible ASCII characters; got '{}'",
                id.chars().take(40).collect::<String>()
            ),
        ))
    }
}

pub async fn service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    hsds_id(&id)?;
    let map = published(&state).await?;
    let s = map
        .services
        .iter()
        .find(|s| s.uuid == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(map.service(s, true)).into_response())
}

pub async fn organizations(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(raw.as_deref(), &allowed(&["full_service", "full"], &[]))
        .map_err(AppError::BadRequest)?;
    let map = published(&state).await?;
    let m = baken_domain::kaart::Matcher::new(&q.filter.text);
    let mut orgs: Vec<&kaart::Organization> = map.orgs.values().collect();
    orgs.sort_by(|a, b| (&a.name, &a.uuid).cmp(&(&b.name, &b.uuid)));
    let items = orgs
        .into_iter()
        .filter(|o| {
            m.is_empty()
                || m.matches_all(&baken_domain::kaart::tokens(&format!(
                    "{} {}",
                    o.name, o.description
                )))
        })
        .map(|o| organization_out(&map, o, q.hsds.full))
        .collect();
    Ok(Json(paged(items, &q)).into_response())
}

/// An organisation; `with_services`: its services nested.
fn organization_out(map: &Published, o: &kaart::Organization, with_services: bool) -> Value {
    let mut v = map.organization(o);
    if with_services {
        v["services"] = Value::Array(
            map.services
                .iter()
                .filter(|s| s.provider_id == o.provider_id)
                .map(|s| map.service(s, false))
                .collect(),
        );
    }
    v
}

pub async fn organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    hsds_id(&id)?;
    let map = published(&state).await?;
    let o = map
        .orgs
        .values()
        .find(|o| o.uuid == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(organization_out(&map, o, true)).into_response())
}

pub async fn service_at_locations(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let mut baken = BAKEN_FILTERS.to_vec();
    baken.push("serviceId");
    let params = allowed(
        &[
            "taxonomy_term_id",
            "taxonomy_id",
            "organization_id",
            "modified_after",
            "full",
            "postcode",
            "proximity",
        ],
        &baken,
    );
    let q = parse_query(raw.as_deref(), &params).map_err(AppError::BadRequest)?;
    let map = published(&state).await?;
    let mut items = Vec::new();
    for s in filtered(&map.services, &q.filter) {
        if q.service_id.as_ref().is_some_and(|id| *id != s.uuid) {
            continue;
        }
        let service = map.service(s, false);
        if !map.matches(s, &service, &q.hsds) {
            continue;
        }
        for l in &s.locations {
            if q.filter.district.as_ref().is_some_and(|d| {
                l.location
                    .district_code
                    .as_deref()
                    .is_some_and(|ld| ld != d.as_str())
            }) {
                continue;
            }
            if q.hsds
                .postcode
                .as_ref()
                .is_some_and(|p| l.location.postcode.replace(' ', "").to_uppercase() != *p)
            {
                continue;
            }
            let mut v = map.kept.service_at_location(&s.uuid, l, true);
            if q.hsds.full {
                v["service"] = map.service(s, false);
            }
            items.push(v);
        }
    }
    Ok(Json(paged(items, &q)).into_response())
}

pub async fn service_at_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    hsds_id(&id)?;
    let map = published(&state).await?;
    for s in &map.services {
        if let Some(l) = s.locations.iter().find(|l| l.uuid == id) {
            let mut v = map.kept.service_at_location(&s.uuid, l, true);
            v["service"] = map.service(s, false);
            return Ok(Json(v).into_response());
        }
    }
    Err(AppError::NotFound.into())
}

/// Does an HSDS object's name or description hold every word searched for?
fn found(m: &baken_domain::kaart::Matcher, v: &Value) -> bool {
    m.is_empty()
        || m.matches_all(&baken_domain::kaart::tokens(&format!(
            "{} {}",
            text(v, "name"),
            text(v, "description")
        )))
}

pub async fn taxonomies(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(raw.as_deref(), &allowed(&[], &[])).map_err(AppError::BadRequest)?;
    let mut tx = state.db.read().await?;
    let (taxonomies, _) = all_taxonomies(&mut tx).await?;
    drop(tx);
    let m = baken_domain::kaart::Matcher::new(&q.filter.text);
    let items = taxonomies.into_iter().filter(|t| found(&m, t)).collect();
    Ok(Json(paged(items, &q)).into_response())
}

/// One object of a list by its id, or "not found".
fn by_id(list: Vec<Value>, id: &str) -> Result<Response, Failure> {
    let found = list
        .into_iter()
        .find(|t| text(t, "id") == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(found).into_response())
}

pub async fn taxonomy(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    kept_id(&id)?;
    let mut tx = state.db.read().await?;
    let (taxonomies, _) = all_taxonomies(&mut tx).await?;
    drop(tx);
    by_id(taxonomies, &id)
}

pub async fn taxonomy_terms(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(
        raw.as_deref(),
        &allowed(&["taxonomy_id", "top_only", "parent_id"], &[]),
    )
    .map_err(AppError::BadRequest)?;
    let mut tx = state.db.read().await?;
    let (_, terms) = all_taxonomies(&mut tx).await?;
    drop(tx);
    let m = baken_domain::kaart::Matcher::new(&q.filter.text);
    let items = terms
        .into_iter()
        .filter(|t| {
            found(&m, t)
                && q.hsds
                    .taxonomy_id
                    .as_ref()
                    .is_none_or(|id| text(t, "taxonomy_id") == *id)
                && q.hsds
                    .parent_id
                    .as_ref()
                    .is_none_or(|id| text(t, "parent_id") == *id)
                && (!q.hsds.top_only || text(t, "parent_id").is_empty())
        })
        .collect();
    Ok(Json(paged(items, &q)).into_response())
}

pub async fn taxonomy_term(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    kept_id(&id)?;
    let mut tx = state.db.read().await?;
    let (_, terms) = all_taxonomies(&mut tx).await?;
    drop(tx);
    by_id(terms, &id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_query_values_name_the_parameter() {
        let allowed = [
            "page",
            "per_page",
            "domain",
            "districtCode",
            "ladderStep",
            "collective",
            "freeAccess",
            "volunteering",
        ];
        for (raw, name) in [
            ("page=0", "'page'"),
            ("per_page=1000", "'per_page'"),
            ("domain=geluk", "'domain'"),
            ("districtCode=WK1", "'districtCode'"),
            ("district_code=WK1", "'districtCode'"),
            ("ladderStep=6", "'ladderStep'"),
            ("pageSize=5", "'pageSize'"),
            ("collective=ja", "'collective'"),
            ("freeAccess=1", "'freeAccess'"),
            ("volunteering=yes", "'volunteering'"),
        ] {
            let err = parse_query(Some(raw), &allowed).unwrap_err();
            assert!(err.contains(name), "{raw}: {err}");
        }
        let q = parse_query(
            Some("ladderStep=3&domain=sociaal_netwerk&district_code=wk999902"),
            &allowed,
        )
        .unwrap();
        assert_eq!(q.filter.step.map(|s| s.value()), Some(3));
        assert_eq!(q.filter.district.unwrap().as_str(), "WK999902");
        let q = parse_query(
            Some("collective=false&free_access=true&volunteering=true"),
            &allowed,
        )
        .unwrap();
        assert_eq!(
            (q.filter.reach, q.filter.access, q.filter.volunteering),
            (
                Some(Reach::Individual),
                Some(ServiceAccess::Free),
                Some(true)
            )
        );
    }
}

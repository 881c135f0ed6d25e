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
use baken_hsds::{district_names, location_json, organization_json, service_json};
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

pub fn parse_query(raw: Option<&str>, allowed: &[&str]) -> Result<HsdsQuery, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| "the query string is not valid URL encoding".to_owned())?;
    let mut q = HsdsQuery {
        page: 1,
        per_page: 20,
        ..HsdsQuery::default()
    };
    for (k, v) in pairs {
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
            "district_code" => q.filter.district = Some(DistrictCode::parse(&v).map_err(|e| format!("query parameter 'district_code': {e}"))?),
            "ladder_step" => q.filter.step = Some(v.parse::<u8>().ok().and_then(|s| LadderStep::new(s).ok()).ok_or_else(|| format!("query parameter 'ladder_step' must be 1 to 5; got '{v}'"))?),
            "collective" => {
                q.filter.reach = Some(if boolean("collective", &v)? {
                    Reach::Collective
                } else {
                    Reach::Individual
                })
            }
            "free_access" => {
                q.filter.access = Some(if boolean("free_access", &v)? {
                    ServiceAccess::Free
                } else {
                    ServiceAccess::Decision
                })
            }
            "volunteering" => q.filter.volunteering = Some(boolean("volunteering", &v)?),
            "service_id" => q.service_id = Some(v),
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
        .skip((q.page - 1) * q.per_page)
        .take(q.per_page)
        .collect();
    json!({
        "total_items": total, "total_pages": pages, "page_number": q.page, "size": contents.len(),
        "first_page": q.page == 1, "last_page": q.page >= pages, "empty": contents.is_empty(), "contents": contents,
    })
}

async fn load(
    state: &AppState,
) -> Result<
    (
        Vec<MapService>,
        HashMap<i64, kaart::Organization>,
        HashMap<String, String>,
    ),
    AppError,
> {
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
    Ok((services, orgs, names))
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

pub async fn services(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(
        raw.as_deref(),
        &[
            "page",
            "per_page",
            "search",
            "domain",
            "district_code",
            "ladder_step",
            "collective",
            "free_access",
            "volunteering",
        ],
    )
    .map_err(AppError::BadRequest)?;
    let (services, orgs, names) = load(&state).await?;
    let items = filtered(&services, &q.filter)
        .into_iter()
        .map(|s| {
            service_json(
                s,
                orgs.get(&s.provider_id)
                    .map(|o| o.uuid.as_str())
                    .unwrap_or_default(),
                &names,
                false,
            )
        })
        .collect();
    Ok(Json(paged(items, &q)).into_response())
}

pub async fn service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let (services, orgs, names) = load(&state).await?;
    let s = services
        .iter()
        .find(|s| s.uuid == id)
        .ok_or(AppError::NotFound)?;
    let org = orgs.get(&s.provider_id);
    let mut v = service_json(
        s,
        org.map(|o| o.uuid.as_str()).unwrap_or_default(),
        &names,
        true,
    );
    if let Some(o) = org {
        v["organization"] = organization_json(o);
    }
    Ok(Json(v).into_response())
}

pub async fn organizations(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(raw.as_deref(), &["page", "per_page", "search"])
        .map_err(AppError::BadRequest)?;
    let mut tx = state.db.read().await?;
    let orgs = kaart::organizations(&mut tx).await?;
    let m = baken_domain::kaart::Matcher::new(&q.filter.text);
    let items = orgs
        .iter()
        .filter(|o| {
            m.is_empty()
                || m.matches_all(&baken_domain::kaart::tokens(&format!(
                    "{} {}",
                    o.name, o.description
                )))
        })
        .map(organization_json)
        .collect();
    Ok(Json(paged(items, &q)).into_response())
}

pub async fn organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let (services, orgs, names) = load(&state).await?;
    let o = orgs
        .values()
        .find(|o| o.uuid == id)
        .ok_or(AppError::NotFound)?;
    let mut v = organization_json(o);
    v["services"] = Value::Array(
        services
            .iter()
            .filter(|s| s.provider_id == o.provider_id)
            .map(|s| service_json(s, &o.uuid, &names, false))
            .collect(),
    );
    Ok(Json(v).into_response())
}

fn sal_json(s: &MapService, l: &kaart::ServiceLocation) -> Value {
    json!({ "id": l.uuid, "service_id": s.uuid, "location_id": l.location.uuid, "location": location_json(&l.location) })
}

pub async fn service_at_locations(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Failure> {
    let q = parse_query(
        raw.as_deref(),
        &[
            "page",
            "per_page",
            "search",
            "domain",
            "district_code",
            "ladder_step",
            "collective",
            "free_access",
            "volunteering",
            "service_id",
        ],
    )
    .map_err(AppError::BadRequest)?;
    let (services, _, _) = load(&state).await?;
    let mut items = Vec::new();
    for s in filtered(&services, &q.filter) {
        if q.service_id.as_ref().is_some_and(|id| *id != s.uuid) {
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
            items.push(sal_json(s, l));
        }
    }
    Ok(Json(paged(items, &q)).into_response())
}

pub async fn service_at_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let (services, _, names) = load(&state).await?;
    for s in &services {
        if let Some(l) = s.locations.iter().find(|l| l.uuid == id) {
            let mut v = sal_json(s, l);
            v["service"] = service_json(s, "", &names, false);
            if let Some(m) = v["service"].as_object_mut() {
                m.remove("organization_id");
            }
            return Ok(Json(v).into_response());
        }
    }
    Err(AppError::NotFound.into())
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
            "district_code",
            "ladder_step",
            "collective",
            "free_access",
            "volunteering",
        ];
        for (raw, name) in [
            ("page=0", "'page'"),
            ("per_page=1000", "'per_page'"),
            ("domain=geluk", "'domain'"),
            ("district_code=WK1", "'district_code'"),
            ("ladder_step=6", "'ladder_step'"),
            ("pageSize=5", "'pageSize'"),
            ("collective=ja", "'collective'"),
            ("free_access=1", "'free_access'"),
            ("volunteering=yes", "'volunteering'"),
        ] {
            let err = parse_query(Some(raw), &allowed).unwrap_err();
            assert!(err.contains(name), "{raw}: {err}");
        }
        let q = parse_query(
            Some("ladder_step=3&domain=sociaal_netwerk&district_code=wk999902"),
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

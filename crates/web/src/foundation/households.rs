//! Household pages: the team's list, one household, and a resident's own view.

use crate::support::audit::households_shown;
use crate::support::audit::read_household_audited;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{page_number, FieldErrors};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, Postcode};
use baken_store::households::{self, Household, HouseholdFilter};
use baken_store::{areas, audit, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

#[derive(Deserialize, Default, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    pagina: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    address: String,
    postcode: String,
    neighbourhood_code: String,
    residents: i64,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let (filter, errors) = q.filter();
    let page_no = page_number(q.pagina.as_deref());

    let (scope, team, audit_ctx) = (user.scope(), user.user.team_id, ctx.clone());
    let (page, team_name, districts) = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let page = households::list(tx, scope, &filter, page_no, PAGE_SIZE).await?;
                let detail = format!(
                    "wijk={} postcode={} pagina={} resultaten={}",
                    filter.district.as_deref().unwrap_or("-"),
                    filter.postcode.as_deref().unwrap_or("-"),
                    page_no,
                    page.total
                );
                let entry = audit_ctx.audit(
                    AuditAction::Search,
                    AuditOutcome::Success,
                    Some(households_shown(page.items.iter().map(|h| h.id))),
                    detail,
                );
                let team_name = team_name(tx, team).await?;
                let districts = areas::districts(tx).await?;
                Ok::<_, AppError>(((page, team_name, districts), vec![entry]))
            })
        })
        .await?;

    let rows: Vec<Row> = page
        .items
        .iter()
        .map(|h| Row {
            id: h.id,
            address: h.street_address(),
            postcode: spaced(&h.postcode),
            neighbourhood_code: h.neighbourhood_code.clone(),
            residents: h.residents,
        })
        .collect();
    let pager_base = format!(
        "/huishoudens?{}&",
        serde_urlencoded::to_string([("wijk", q.wijk.as_str()), ("postcode", q.postcode.as_str())])
            .unwrap_or_default()
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = render(
        &state,
        &ctx,
        "foundation/households.html",
        "Huishoudens",
        Value::from_serialize(context! {
            page => context! { items => rows, total => page.total, page => page.page, pages => page.pages() },
            filter => q, errors => errors, districts => districts, team_name => team_name.unwrap_or_else(|| "uw team".into()),
            pager_base => pager_base,
        }),
    )?;
    Ok((status, html).into_response())
}

impl ListQuery {
    /// The search the filter form asks for. A wrong field is left out of the
    /// search (the list still shows) and explained next to it.
    fn filter(&self) -> (HouseholdFilter, FieldErrors) {
        let mut errors = FieldErrors::new();
        let district = if self.wijk.trim().is_empty() {
            None
        } else {
            match DistrictCode::parse(&self.wijk) {
                Ok(d) => Some(d.to_string()),
                Err(_) => {
                    errors.add("wijk", "Kies een wijk uit de lijst.");
                    None
                }
            }
        };
        let postcode = postcode_filter(&self.postcode, &mut errors);
        (HouseholdFilter { district, postcode }, errors)
    }
}

/// A full postcode (`1234 AB`) or its four digits; anything else is a field error.
fn postcode_filter(input: &str, errors: &mut FieldErrors) -> Option<String> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) && !t.starts_with('0') {
        return Some(t.to_owned());
    }
    match Postcode::parse(t) {
        Ok(p) => Some(p.to_string()),
        Err(_) => {
            errors.add(
                "postcode",
                "Vul een postcode in zoals 1234 AB, of alleen de vier cijfers.",
            );
            None
        }
    }
}

fn spaced(postcode: &str) -> String {
    if postcode.len() == 6 {
        format!("{} {}", &postcode[..4], &postcode[4..])
    } else {
        postcode.to_owned()
    }
}

async fn team_name(tx: &mut Tx, team: Option<i64>) -> Result<Option<String>, AppError> {
    Ok(match team {
        Some(t) => areas::team(tx, t).await?.map(|t| t.name),
        None => None,
    })
}

#[derive(Serialize)]
struct ResidentView {
    name: String,
    birth_date: String,
    bsn: String,
}

fn household_page(
    state: &AppState,
    ctx: &Ctx,
    h: &Household,
    residents: &[households::Resident],
    team: Option<String>,
    own: bool,
) -> PageResult {
    let residents: Vec<ResidentView> = residents
        .iter()
        .map(|r| ResidentView {
            name: r.full_name(),
            birth_date: r.birth_date.format("%d-%m-%Y").to_string(),
            bsn: r.bsn.clone(),
        })
        .collect();
    let title = if own {
        "Mijn huishouden".to_owned()
    } else {
        format!("Huishouden {}", h.street_address())
    };
    Ok(render(state, ctx, "foundation/household.html", &title, Value::from_serialize(context! {
        household => context! {
            address => h.street_address(), postcode_spaced => spaced(&h.postcode), city => h.city,
            neighbourhood_code => h.neighbourhood_code, district_code => h.district_code,
            neighbourhood_name => h.neighbourhood_name, district_name => h.district_name,
        },
        residents => residents, team_name => team, own => own,
    }))?
    .into_response())
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let user = ctx.user()?.clone();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (h, residents, team) = read_household_audited(&state, &ctx, user.scope(), id).await?;
    household_page(&state, &ctx, &h, &residents, team, false)
}

pub async fn own(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.clone();
    let Some(id) = user.user.household_id else {
        return Err(AppError::NotFound.into());
    };
    let (h, residents, team) = read_household_audited(&state, &ctx, user.scope(), id).await?;
    household_page(&state, &ctx, &h, &residents, team, true)
}

#[derive(Serialize)]
struct AccessRow {
    when: String,
    who: String,
    what: String,
    /// Why, in plain words: "voor uw plan", "na een melding over uw huishouden".
    why: String,
}

pub async fn own_access_log(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.clone();
    let Some(hid) = user.user.household_id else {
        return Err(AppError::NotFound.into());
    };
    // Reading who looked is itself a read of the household's record: audited.
    let (me, audit_ctx) = (user.user.id, ctx.clone());
    let (rows, organisations) = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let rows = audit::accesses_to_household(tx, hid, me, 200).await?;
                // Which organisation each one works for (a few users at most).
                let mut organisations = std::collections::BTreeMap::new();
                for user_id in rows.iter().filter_map(|r| r.user_id) {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        organisations.entry(user_id)
                    {
                        slot.insert(baken_store::users::organisation(tx, user_id).await?);
                    }
                }
                let entry = audit_ctx.audit(
                    AuditAction::Read,
                    AuditOutcome::Success,
                    Some(("household", hid.to_string())),
                    format!("inzagelog: {} toegangen", rows.len()),
                );
                Ok::<_, AppError>(((rows, organisations), vec![entry]))
            })
        })
        .await?;
    let rows: Vec<AccessRow> = rows
        .into_iter()
        .map(|r| {
            let role = r
                .role
                .as_deref()
                .and_then(|x| baken_domain::Role::parse(x).ok())
                .map(|x| x.function())
                .unwrap_or("onbekende rol");
            let organisation = r
                .user_id
                .and_then(|id| organisations.get(&id).cloned().flatten());
            AccessRow {
                when: nl_local(r.at).format("%d-%m-%Y %H:%M").to_string(),
                // "Wijkteam Centrum, generalist (a.jansen)".
                who: match organisation {
                    Some(organisation) => format!(
                        "{organisation}, {role} ({})",
                        r.username.as_deref().unwrap_or("onbekend")
                    ),
                    None => format!(
                        "Gemeente, {role} ({})",
                        r.username.as_deref().unwrap_or("onbekend")
                    ),
                },
                what: baken_domain::AuditAction::parse(&r.action)
                    .map(|a| a.label())
                    .unwrap_or("")
                    .to_owned(),
                why: baken_domain::audit::reason_for_resident(&r.route).to_owned(),
            }
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "foundation/own_access.html",
        "Wie heeft mijn gegevens ingezien",
        Value::from_serialize(context! {
            rows => rows, privacy_contact => state.config.privacy_contact,
        }),
    )?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_filter_accepts_pc4_and_pc6() {
        let mut errors = FieldErrors::new();
        assert_eq!(
            postcode_filter("1234 ab", &mut errors).as_deref(),
            Some("1234AB")
        );
        assert_eq!(
            postcode_filter("1234", &mut errors).as_deref(),
            Some("1234")
        );
        assert!(errors.is_empty());
        assert_eq!(postcode_filter("12", &mut errors), None);
        assert!(errors.get("postcode").is_some());
    }
}

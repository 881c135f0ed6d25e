//! `/beheer/wijken`: the CBS division into districts and neighbourhoods (names; codes stay).

use crate::support::audit::refuse_stale;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{form_version, FieldErrors, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, NeighbourhoodCode};
use baken_store::{areas, audit, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct DistrictView {
    code: String,
    name: String,
    households: i64,
    neighbourhoods: i64,
    items: Vec<areas::Neighbourhood>,
}

pub async fn districts(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    let neighbourhoods = areas::neighbourhoods(&mut tx).await?;
    drop(tx);
    let view: Vec<DistrictView> = districts
        .into_iter()
        .map(|d| DistrictView {
            items: neighbourhoods
                .iter()
                .filter(|n| n.district_code == d.code)
                .cloned()
                .collect(),
            code: d.code,
            name: d.name,
            households: d.households,
            neighbourhoods: d.neighbourhoods,
        })
        .collect();
    let saved = match q.opgeslagen.as_deref() {
        Some("buurt") => "De naam van de buurt is opgeslagen.",
        Some(_) => "De naam van de wijk is opgeslagen.",
        None => "",
    };
    Ok(render(
        &state,
        &ctx,
        "foundation/admin/districts.html",
        "Wijken en buurten",
        Value::from_serialize(context! { districts => view, saved => saved }),
    )?
    .into_response())
}

#[derive(Deserialize, Serialize, Default)]
pub struct DistrictForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    versie: String,
}

/// The new name of a district or neighbourhood: 2–80 characters, trimmed,
/// without a line break or tab.
struct AreaName(String);

impl TryFrom<&DistrictForm> for AreaName {
    type Error = FieldErrors;

    fn try_from(form: &DistrictForm) -> Result<AreaName, FieldErrors> {
        let name = form.naam.trim().to_owned();
        if name.chars().count() < 2 || name.chars().count() > 80 {
            Err(FieldErrors::only(
                "naam",
                "Vul een naam in van 2 tot 80 tekens.",
            ))
        } else if name.chars().any(char::is_control) {
            Err(FieldErrors::only(
                "naam",
                "De naam mag geen regeleinde of tab bevatten.",
            ))
        } else {
            Ok(AreaName(name))
        }
    }
}

/// A part of the CBS division whose name a beheerder may change: a district or a
/// neighbourhood. Their codes never change — they are how the rest of the
/// country knows them.
#[derive(Clone, Copy)]
enum Area {
    District,
    Neighbourhood,
}

impl Area {
    /// "wijk" / "buurt", as the page says it.
    fn noun(self) -> &'static str {
        match self {
            Area::District => "wijk",
            Area::Neighbourhood => "buurt",
        }
    }
    fn object_type(self) -> &'static str {
        match self {
            Area::District => "district",
            Area::Neighbourhood => "neighbourhood",
        }
    }
    fn path(self, code: &str) -> String {
        match self {
            Area::District => format!("/beheer/wijken/{code}"),
            Area::Neighbourhood => format!("/beheer/buurten/{code}"),
        }
    }
}

/// What the rename form shows of a district or neighbourhood.
#[derive(Serialize)]
struct AreaView {
    code: String,
    name: String,
    version: i64,
    /// For a neighbourhood: the district it lies in.
    district: Option<(String, String)>,
}

async fn load_area(state: &AppState, area: Area, code: &str) -> Result<AreaView, AppError> {
    let mut tx = state.db.read().await?;
    let view = match area {
        Area::District => {
            let code = DistrictCode::parse(code).map_err(|_| AppError::NotFound)?;
            let d = areas::district(&mut tx, code.as_str())
                .await?
                .ok_or(AppError::NotFound)?;
            AreaView {
                code: d.code,
                name: d.name,
                version: d.version,
                district: None,
            }
        }
        Area::Neighbourhood => {
            let code = NeighbourhoodCode::parse(code).map_err(|_| AppError::NotFound)?;
            let n = areas::neighbourhood(&mut tx, code.as_str())
                .await?
                .ok_or(AppError::NotFound)?;
            let district = areas::district(&mut tx, &n.district_code)
                .await?
                .map(|d| (d.code, d.name));
            AreaView {
                code: n.code,
                name: n.name,
                version: n.version,
                district,
            }
        }
    };
    drop(tx);
    Ok(view)
}

fn area_form_page(
    state: &AppState,
    ctx: &Ctx,
    area: Area,
    view: &AreaView,
    form: DistrictForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let title = match area {
        Area::District => "Wijk wijzigen",
        Area::Neighbourhood => "Buurt wijzigen",
    };
    let html = render(
        state,
        ctx,
        "foundation/admin/area_form.html",
        title,
        Value::from_serialize(context! {
            area => view, noun => area.noun(), action => area.path(&view.code),
            form => form, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

async fn area_form(state: &AppState, ctx: &Ctx, area: Area, code: &str) -> PageResult {
    let view = load_area(state, area, code).await?;
    let form = DistrictForm {
        naam: view.name.clone(),
        versie: view.version.to_string(),
    };
    area_form_page(
        state,
        ctx,
        area,
        &view,
        form,
        FieldErrors::new(),
        StatusCode::OK,
    )
}

/// Renames a district or a neighbourhood (2–80 characters, optimistic locking,
/// audited; a stale version is a conflict and changes nothing).
async fn area_submit(
    state: &AppState,
    ctx: &Ctx,
    area: Area,
    code: &str,
    form: DistrictForm,
) -> PageResult {
    let view = load_area(state, area, code).await?;
    let version = form_version(&form.versie)?;
    let name = match AreaName::try_from(&form) {
        Ok(AreaName(name)) => name,
        Err(errors) => {
            return area_form_page(
                state,
                ctx,
                area,
                &view,
                form,
                errors,
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let mut tx = state.db.begin().await?;
    let renamed = match area {
        Area::District => areas::rename_district(&mut tx, &view.code, version, &name).await,
        Area::Neighbourhood => {
            areas::rename_neighbourhood(&mut tx, &view.code, version, &name).await
        }
    };
    let object = (area.object_type(), view.code.clone());
    match renamed {
        Ok(_) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(object),
                    format!("naam '{}' → '{name}'", view.name),
                ),
            )
            .await?;
            tx.commit().await?;
            let saved = match area {
                Area::District => "wijk",
                Area::Neighbourhood => "buurt",
            };
            Ok(Redirect::to(&format!("/beheer/wijken?opgeslagen={saved}")).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            let subject = format!("deze {}", area.noun());
            let errors = FieldErrors::only(
                "_form",
                refuse_stale(tx, state, ctx, object, version, &subject).await?,
            );
            area_form_page(state, ctx, area, &view, form, errors, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_district_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> PageResult {
    area_form(&state, &ctx, Area::District, &code).await
}

pub async fn edit_district_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(form): Form<DistrictForm>,
) -> PageResult {
    area_submit(&state, &ctx, Area::District, &code, form).await
}

pub async fn edit_neighbourhood_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> PageResult {
    area_form(&state, &ctx, Area::Neighbourhood, &code).await
}

pub async fn edit_neighbourhood_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(form): Form<DistrictForm>,
) -> PageResult {
    area_submit(&state, &ctx, Area::Neighbourhood, &code, form).await
}

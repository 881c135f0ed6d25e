//! `/beheer/kaart`: an aanbieder keeps its own services on the map (a beheerder all),
//! with their places.

use crate::kaart::view::{self, domain_options, step_options, Opt};
use crate::support::ctx::{Ctx, CurrentUser};
use crate::support::error::AppError;
use crate::support::form::page_number;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::kaart::service::ServiceStatus;
use baken_domain::kaart::{
    CostUnit, LocationDraft, NewLocation, Reach, ServiceAccess, ServiceDraft,
};
use baken_domain::{AuditAction, AuditOutcome, Role, SupportForm};
use baken_store::{areas, audit, kaart, StoreError};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) type Pairs = Vec<(String, String)>;

pub(crate) fn one<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
pub(crate) fn all(pairs: &Pairs, name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Which provider's services this user may manage: None = all (beheerder).
fn provider_scope(user: &CurrentUser) -> Result<Option<i64>, AppError> {
    match user.role() {
        Role::Beheerder => Ok(None),
        _ => user.user.provider_id.map(Some).ok_or_else(|| AppError::BadRequest("Uw account hoort niet bij een aanbieder. Vraag de beheerder om uw account aan uw organisatie te koppelen.".into())),
    }
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    provider: String,
    step: u8,
    status: &'static str,
    volunteering: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let scope = provider_scope(&user)?;
    let mut tx = state.db.read().await?;
    let services = kaart::services(&mut tx, scope).await?;
    drop(tx);
    let text = q.get("q").cloned().unwrap_or_default();
    let m = baken_domain::kaart::Matcher::new(&text);
    let rows: Vec<Row> = services
        .iter()
        .filter(|s| {
            m.is_empty() || m.matches_all(&baken_domain::kaart::tokens(&s.service.search_text()))
        })
        .map(|s| Row {
            id: s.id,
            name: s.service.name.clone(),
            provider: s.provider_name.clone(),
            step: s.service.step.value(),
            status: s.service.status.label(),
            volunteering: s.service.volunteering,
        })
        .collect();
    let total = rows.len();
    let pages = total.div_ceil(50).max(1);
    let page = (page_number(q.get("pagina").map(String::as_str)) as usize).min(pages);
    let rows: Vec<Row> = rows.into_iter().skip((page - 1) * 50).take(50).collect();
    let saved = match q.get("opgeslagen").map(String::as_str) {
        Some("nieuw") => "De voorziening is toegevoegd aan de sociale kaart.",
        Some("gewijzigd") => "De wijzigingen zijn opgeslagen.",
        _ => "",
    };
    let pager_base = format!(
        "/beheer/kaart?{}&",
        serde_urlencoded::to_string([("q", text.as_str())]).unwrap_or_default()
    );
    Ok(render(
        &state,
        &ctx,
        "kaart/beheer/list.html",
        "Voorzieningen beheren",
        Value::from_serialize(context! {
            rows => rows, total => total, q => text, saved => saved, all_providers => scope.is_none(),
            page => context! { page => page, pages => pages }, pager_base => pager_base,
        }),
    )?
    .into_response())
}

/// The form's values as typed, to show them again.
#[derive(Serialize, Default)]
struct FormView {
    draft: ServiceDraft,
    provider: String,
    version: String,
    /// The places the form showed as linked (ids), and those still ticked.
    shown: Vec<String>,
    kept: Vec<String>,
    /// An existing place to add, and a new one typed in.
    add: String,
    new_location: LocationDraft,
}

fn form_view(pairs: &Pairs) -> FormView {
    FormView {
        draft: draft_from(pairs),
        provider: one(pairs, "aanbieder").to_owned(),
        version: one(pairs, "versie").to_owned(),
        shown: all(pairs, "getoond"),
        kept: all(pairs, "locaties"),
        add: one(pairs, "locatie_erbij").trim().to_owned(),
        new_location: LocationDraft {
            name: one(pairs, "nieuw_naam").into(),
            address: one(pairs, "nieuw_adres").into(),
            postcode: one(pairs, "nieuw_postcode").into(),
            city: one(pairs, "nieuw_plaats").into(),
            district: one(pairs, "nieuw_wijk").into(),
        },
    }
}

/// What the form asks to change about a service's places.
struct PlacesChange {
    link: Vec<i64>,
    unlink: Vec<i64>,
    new_location: Option<NewLocation>,
}

/// Reads the places part of the form: ticked places stay, places the form
/// showed but are no longer ticked are unlinked, and places the form did not
/// show (linked by someone else meanwhile, or by an import) are left alone.
/// Every problem goes into `errors`.
fn places_from(
    form: &FormView,
    known: &[kaart::Location],
    errors: &mut BTreeMap<String, String>,
) -> PlacesChange {
    let ids = |list: &[String], errors: &mut BTreeMap<String, String>| -> Vec<i64> {
        list.iter()
            .filter_map(|v| {
                match v
                    .parse::<i64>()
                    .ok()
                    .filter(|id| known.iter().any(|l| l.id == *id))
                {
                    Some(id) => Some(id),
                    None => {
                        errors.insert(
                            "locatie_erbij".into(),
                            "Een van de adressen bestaat niet meer. Laad de pagina opnieuw.".into(),
                        );
                        None
                    }
                }
            })
            .collect()
    };
    let shown = ids(&form.shown, errors);
    let mut link = ids(&form.kept, errors);
    let unlink: Vec<i64> = shown.into_iter().filter(|id| !link.contains(id)).collect();
    if !form.add.is_empty() {
        match form
            .add
            .parse::<i64>()
            .ok()
            .filter(|id| known.iter().any(|l| l.id == *id))
        {
            Some(id) => link.push(id),
            None => {
                errors.insert(
                    "locatie_erbij".into(),
                    "Kies een adres uit de lijst.".into(),
                );
            }
        }
    }
    let new_location = if form.new_location.is_empty() {
        None
    } else {
        match form.new_location.parse() {
            Ok(l) => Some(l),
            Err(errs) => {
                for e in errs {
                    errors
                        .entry(e.field().to_owned())
                        .or_insert_with(|| e.dutch());
                }
                None
            }
        }
    };
    PlacesChange {
        link,
        unlink,
        new_location,
    }
}

/// Writes the places part inside the service's transaction; returns the
/// audit detail ("adressen +2 −1").
async fn apply_places(
    tx: &mut baken_store::Tx,
    service_id: i64,
    places: &PlacesChange,
) -> Result<String, StoreError> {
    let mut link = places.link.clone();
    let mut created = String::new();
    if let Some(l) = &places.new_location {
        let loc = kaart::create_location(tx, l).await?;
        created = format!(", nieuw adres {}", loc.id);
        link.push(loc.id);
    }
    let change = kaart::change_locations(tx, service_id, &link, &places.unlink).await?;
    Ok(format!(
        "adressen +{} −{}{created}",
        change.linked, change.unlinked
    ))
}

#[derive(Serialize)]
struct PlaceRow {
    value: String,
    label: String,
    checked: bool,
}

fn place_label(l: &kaart::Location) -> String {
    let postcode = baken_domain::Postcode::parse(&l.postcode)
        .map(|p| p.display_spaced())
        .unwrap_or_else(|_| l.postcode.clone());
    [
        l.name.as_str(),
        l.address.as_str(),
        &format!("{postcode} {}", l.city),
    ]
    .iter()
    .map(|s| s.trim())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

fn draft_from(p: &Pairs) -> ServiceDraft {
    ServiceDraft {
        name: one(p, "naam").into(),
        description: one(p, "omschrijving").into(),
        domains: all(p, "domeinen"),
        step: one(p, "trede").into(),
        form: one(p, "vorm").into(),
        reach: one(p, "bereik").into(),
        access: one(p, "toegang").into(),
        cost: one(p, "kosten").into(),
        cost_unit: one(p, "eenheid").into(),
        districts: all(p, "wijken"),
        schedule: one(p, "tijden").into(),
        eligibility: one(p, "voorwie").into(),
        min_age: one(p, "min_leeftijd").into(),
        max_age: one(p, "max_leeftijd").into(),
        how_to_apply: one(p, "aanmelden").into(),
        capacity: one(p, "capaciteit").into(),
        phone: one(p, "telefoon").into(),
        email: one(p, "email").into(),
        website: one(p, "website").into(),
        status: one(p, "status").into(),
        volunteering: one(p, "vrijwilligerswerk") == "ja",
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?;
    let mut tx = state.db.read().await?;
    let providers = areas::providers(&mut tx).await?;
    let locations = kaart::locations(&mut tx).await?;
    drop(tx);
    let (districts, _) = view::district_names(state).await?;
    let forms: Vec<Opt> = [
        SupportForm::Faciliteren,
        SupportForm::Ondersteunen,
        SupportForm::Intervenieren,
        SupportForm::Beschermen,
    ]
    .iter()
    .map(|f| Opt {
        value: f.label().into(),
        label: f.label().into(),
    })
    .collect();
    let units: Vec<Opt> = CostUnit::ALL
        .iter()
        .map(|u| Opt {
            value: u.as_str().into(),
            label: u.label().into(),
        })
        .collect();
    let statuses: Vec<Opt> = ServiceStatus::ALL
        .iter()
        .map(|u| Opt {
            value: u.as_str().into(),
            label: u.label().into(),
        })
        .collect();
    let reaches: Vec<Opt> = Reach::ALL
        .iter()
        .map(|u| Opt {
            value: u.as_str().into(),
            label: u.label().into(),
        })
        .collect();
    let accesses: Vec<Opt> = ServiceAccess::ALL
        .iter()
        .map(|u| Opt {
            value: u.as_str().into(),
            label: u.label().into(),
        })
        .collect();
    let linked: Vec<PlaceRow> = form
        .shown
        .iter()
        .filter_map(|id| locations.iter().find(|l| l.id.to_string() == *id))
        .map(|l| PlaceRow {
            value: l.id.to_string(),
            label: place_label(l),
            checked: form.kept.contains(&l.id.to_string()),
        })
        .collect();
    let addable: Vec<Opt> = locations
        .iter()
        .filter(|l| !form.shown.contains(&l.id.to_string()))
        .map(|l| Opt {
            value: l.id.to_string(),
            label: place_label(l),
        })
        .collect();
    let providers: Vec<Opt> = providers
        .iter()
        .map(|p| Opt {
            value: p.id.to_string(),
            label: p.name.clone(),
        })
        .collect();
    let action = match editing {
        Some(id) => format!("/beheer/kaart/{id}"),
        None => "/beheer/kaart/nieuw".into(),
    };
    let title = if editing.is_some() {
        "Voorziening wijzigen"
    } else {
        "Nieuwe voorziening"
    };
    let html = render(
        state,
        ctx,
        "kaart/beheer/form.html",
        title,
        Value::from_serialize(context! {
            editing => editing.is_some(), action => action, form => form, errors => errors,
            domains => domain_options(), steps => step_options(), forms => forms, units => units,
            statuses => statuses, reaches => reaches, accesses => accesses, districts => districts,
            linked => linked, addable => addable, providers => providers, choose_provider => user.role() == Role::Beheerder,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    provider_scope(ctx.user()?)?;
    let form = FormView {
        draft: ServiceDraft {
            step: "3".into(),
            form: "faciliteren".into(),
            reach: "collectief".into(),
            access: "vrij".into(),
            status: "actief".into(),
            ..ServiceDraft::default()
        },
        ..FormView::default()
    };
    form_page(&state, &ctx, None, form, BTreeMap::new(), StatusCode::OK).await
}

fn service_errors(errs: Vec<baken_domain::kaart::ServiceError>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in errs {
        out.entry(e.field().to_owned()).or_insert_with(|| e.dutch());
    }
    out
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let scope = provider_scope(&user)?;
    let mut errors = BTreeMap::new();
    let provider = match scope {
        Some(p) => Some(p),
        None => {
            let mut tx = state.db.read().await?;
            let providers = areas::providers(&mut tx).await?;
            let chosen = one(&pairs, "aanbieder")
                .parse::<i64>()
                .ok()
                .filter(|id| providers.iter().any(|p| p.id == *id));
            if chosen.is_none() {
                errors.insert(
                    "aanbieder".to_owned(),
                    "Kies de aanbieder uit de lijst.".to_owned(),
                );
            }
            chosen
        }
    };
    let parsed = draft_from(&pairs).parse();
    if let Err(e) = &parsed {
        errors.extend(service_errors(e.clone()));
    }
    let known = {
        let mut tx = state.db.read().await?;
        kaart::locations(&mut tx).await?
    };
    let mut view = form_view(&pairs);
    view.shown.clear();
    let places = places_from(&view, &known, &mut errors);
    let (Ok(service), Some(provider), true) = (parsed, provider, errors.is_empty()) else {
        return form_page(
            &state,
            &ctx,
            None,
            form_view(&pairs),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let id = kaart::create_service(&mut tx, provider, None, &service).await?;
    let places = apply_places(&mut tx, id, &places).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("service", id.to_string())),
            format!("trede {}, {places}", service.step.value()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/kaart?opgeslagen=nieuw").into_response())
}

/// The service, if this user may manage it; otherwise "not found" (an
/// aanbieder does not learn which ids belong to others).
async fn owned(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<kaart::MapService, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let scope = provider_scope(user)?;
    let mut tx = state.db.read().await?;
    let s = kaart::service(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match scope {
        Some(p) if p != s.provider_id => Err(AppError::NotFound),
        _ => Ok(s),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let s = owned(&state, ctx.user()?, &id).await?;
    let linked: Vec<String> = s
        .locations
        .iter()
        .map(|l| l.location.id.to_string())
        .collect();
    let form = FormView {
        draft: s.service.to_draft(),
        provider: s.provider_id.to_string(),
        version: s.version.to_string(),
        shown: linked.clone(),
        kept: linked,
        ..FormView::default()
    };
    form_page(
        &state,
        &ctx,
        Some(s.id),
        form,
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let current = owned(&state, ctx.user()?, &id).await?;
    let Ok(version) = one(&pairs, "versie").trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "Het formulier mist de versie van de gegevens. Laad de pagina opnieuw.".into(),
        )
        .into());
    };
    let parsed = draft_from(&pairs).parse();
    let mut errors = match &parsed {
        Ok(_) => BTreeMap::new(),
        Err(e) => service_errors(e.clone()),
    };
    let known = {
        let mut tx = state.db.read().await?;
        kaart::locations(&mut tx).await?
    };
    let places = places_from(&form_view(&pairs), &known, &mut errors);
    let (Ok(service), true) = (parsed, errors.is_empty()) else {
        return form_page(
            &state,
            &ctx,
            Some(current.id),
            form_view(&pairs),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    match kaart::update_service(&mut tx, current.id, version, &service).await {
        Ok(_) => {
            let places = apply_places(&mut tx, current.id, &places).await?;
            let detail = format!(
                "trede {} → {}, status {} → {}, {places}",
                current.service.step.value(),
                service.step.value(),
                current.service.status.as_str(),
                service.status.as_str()
            );
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("service", current.id.to_string())),
                    detail,
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/kaart?opgeslagen=gewijzigd").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            tx.rollback().await?;
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Conflict,
                    Some(("service", current.id.to_string())),
                    format!("versie {version} verouderd"),
                ),
            )
            .await?;
            tx.commit().await?;
            let errors = BTreeMap::from([("_form".to_owned(), "Iemand anders heeft deze voorziening intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw en voer uw wijziging nog eens in.".to_owned())]);
            form_page(
                &state,
                &ctx,
                Some(current.id),
                form_view(&pairs),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ wijzer content

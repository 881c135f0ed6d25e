//! `/beheer/kaart`: an aanbieder keeps its own services on the map (a beheerder all),
//! with their places.

use crate::kaart::view::{self, domain_options, step_options};
use crate::support::audit::refuse_stale;
use crate::support::choice::{choices, support_forms, Choice};
use crate::support::ctx::{Ctx, CurrentUser};
use crate::support::error::AppError;
use crate::support::form::{form_version, page_number, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::kaart::service::ServiceStatus;
use baken_domain::kaart::Wording;
use baken_domain::kaart::{
    CostUnit, LocationDraft, NewLocation, Reach, Service, ServiceAccess, ServiceDraft,
};
use baken_domain::{AuditAction, AuditOutcome, Role};
use baken_store::{areas, audit, kaart, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

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
    waiting: bool,
    name: String,
    provider: String,
    step: u8,
    status: &'static str,
    volunteering: bool,
}

/// The query of `/beheer/kaart`: a search, a page, and what was just saved.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    pagina: Option<String>,
    #[serde(default)]
    opgeslagen: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let scope = provider_scope(&user)?;
    let mut tx = state.db.read().await?;
    let services = kaart::services(&mut tx, scope).await?;
    drop(tx);
    let text = q.q;
    let m = baken_domain::kaart::Matcher::new(&text);
    let rows: Vec<Row> = services
        .iter()
        .filter(|s| {
            m.is_empty() || m.matches_all(&baken_domain::kaart::tokens(&s.service.search_text()))
        })
        .map(|s| Row {
            id: s.id,
            waiting: !s.classified,
            name: s.service.name.clone(),
            provider: s.provider_name.clone(),
            step: s.service.step.value(),
            status: s.service.status.label(),
            volunteering: s.service.volunteering,
        })
        .collect();
    let total = rows.len();
    let pages = total.div_ceil(50).max(1);
    let page = (page_number(q.pagina.as_deref()) as usize).min(pages);
    let rows: Vec<Row> = rows.into_iter().skip((page - 1) * 50).take(50).collect();
    let saved = match q.opgeslagen.as_deref() {
        Some("nieuw") => "De voorziening is toegevoegd aan de sociale kaart.",
        Some("gewijzigd") => "De wijzigingen zijn opgeslagen.",
        _ => "",
    };
    let waiting = services.iter().filter(|s| !s.classified).count();
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
            waiting => waiting,
        }),
    )?
    .into_response())
}

/// The service form as the page sends it.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    omschrijving: String,
    #[serde(default)]
    domeinen: Vec<String>,
    #[serde(default)]
    trede: String,
    #[serde(default)]
    vorm: String,
    #[serde(default)]
    bereik: String,
    #[serde(default)]
    toegang: String,
    #[serde(default)]
    kosten: String,
    #[serde(default)]
    eenheid: String,
    #[serde(default)]
    wijken: Vec<String>,
    #[serde(default)]
    tijden: String,
    #[serde(default)]
    voorwie: String,
    #[serde(default)]
    min_leeftijd: String,
    #[serde(default)]
    max_leeftijd: String,
    #[serde(default)]
    aanmelden: String,
    #[serde(default)]
    capaciteit: String,
    #[serde(default)]
    telefoon: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    vrijwilligerswerk: String,
    /// The provider a beheerder chose (an aanbieder's is their own).
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    versie: String,
    /// The places the form showed as linked, and those still ticked.
    #[serde(default)]
    getoond: Vec<String>,
    #[serde(default)]
    locaties: Vec<String>,
    /// An existing place to add, and a new one typed in.
    #[serde(default)]
    locatie_erbij: String,
    #[serde(default)]
    nieuw_naam: String,
    #[serde(default)]
    nieuw_adres: String,
    #[serde(default)]
    nieuw_postcode: String,
    #[serde(default)]
    nieuw_plaats: String,
    #[serde(default)]
    nieuw_wijk: String,
}

/// The values ticked in a group of checkboxes, trimmed, empty ones left out.
fn ticked(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

impl From<&ServiceForm> for ServiceDraft {
    fn from(form: &ServiceForm) -> ServiceDraft {
        ServiceDraft {
            name: form.naam.clone(),
            description: form.omschrijving.clone(),
            domains: ticked(&form.domeinen),
            step: form.trede.clone(),
            form: form.vorm.clone(),
            reach: form.bereik.clone(),
            access: form.toegang.clone(),
            cost: form.kosten.clone(),
            cost_unit: form.eenheid.clone(),
            districts: ticked(&form.wijken),
            schedule: form.tijden.clone(),
            eligibility: form.voorwie.clone(),
            min_age: form.min_leeftijd.clone(),
            max_age: form.max_leeftijd.clone(),
            how_to_apply: form.aanmelden.clone(),
            capacity: form.capaciteit.clone(),
            phone: form.telefoon.clone(),
            email: form.email.clone(),
            website: form.website.clone(),
            status: form.status.clone(),
            volunteering: form.vrijwilligerswerk == "ja",
        }
    }
}

impl From<&ServiceForm> for LocationDraft {
    fn from(form: &ServiceForm) -> LocationDraft {
        LocationDraft {
            name: form.nieuw_naam.clone(),
            address: form.nieuw_adres.clone(),
            postcode: form.nieuw_postcode.clone(),
            city: form.nieuw_plaats.clone(),
            district: form.nieuw_wijk.clone(),
        }
    }
}

/// A new service as the form describes it: whose it is, the service, and its places.
struct NewService {
    provider: i64,
    service: Service,
    places: PlacesChange,
}

/// A changed service and the change to its places.
struct ServiceChange {
    service: Service,
    places: PlacesChange,
}

impl ServiceForm {
    /// A new service. An aanbieder's is their `own` organisation's; a
    /// beheerder (`own` is `None`) chooses one of `providers`. It has no
    /// places yet, so none were shown and none are unlinked.
    fn parse_new(
        &self,
        own: Option<i64>,
        providers: &[areas::Provider],
        known: &[kaart::Location],
    ) -> Result<NewService, FieldErrors> {
        let mut errors = FieldErrors::new();
        let provider = own.or_else(|| {
            let chosen = self
                .aanbieder
                .parse::<i64>()
                .ok()
                .filter(|id| providers.iter().any(|p| p.id == *id));
            if chosen.is_none() {
                errors.add("aanbieder", "Kies de aanbieder uit de lijst.");
            }
            chosen
        });
        let service = self.service(&mut errors);
        let places = self.places(&[], known, &mut errors);
        match (provider, service) {
            (Some(provider), Some(service)) => errors.or_ok(NewService {
                provider,
                service,
                places,
            }),
            _ => Err(errors),
        }
    }

    /// The change to an existing service and its places.
    fn parse_change(&self, known: &[kaart::Location]) -> Result<ServiceChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let service = self.service(&mut errors);
        let places = self.places(&ticked(&self.getoond), known, &mut errors);
        match service {
            Some(service) => errors.or_ok(ServiceChange { service, places }),
            None => Err(errors),
        }
    }

    /// The service's own fields, every rule checked by the domain.
    fn service(&self, errors: &mut FieldErrors) -> Option<Service> {
        ServiceDraft::from(self)
            .parse()
            .map_err(|problems| {
                for e in problems {
                    errors.add(e.field(), e.dutch());
                }
            })
            .ok()
    }

    /// The places part: ticked places stay, places the form `shown` but are
    /// no longer ticked are unlinked, and places it did not show (linked by
    /// someone else meanwhile, or by an import) are left alone.
    fn places(
        &self,
        shown: &[String],
        known: &[kaart::Location],
        errors: &mut FieldErrors,
    ) -> PlacesChange {
        let known_id = |typed: &str| {
            typed
                .parse::<i64>()
                .ok()
                .filter(|id| known.iter().any(|l| l.id == *id))
        };
        // First: of the two messages for this field, this one is shown.
        let add = self.locatie_erbij.trim();
        let added = if add.is_empty() {
            None
        } else {
            let id = known_id(add);
            if id.is_none() {
                errors.add("locatie_erbij", "Kies een adres uit de lijst.");
            }
            id
        };
        let mut ids = |list: &[String]| -> Vec<i64> {
            list.iter()
                .filter_map(|typed| {
                    let id = known_id(typed);
                    if id.is_none() {
                        errors.add(
                            "locatie_erbij",
                            "Een van de adressen bestaat niet meer. Laad de pagina opnieuw.",
                        );
                    }
                    id
                })
                .collect()
        };
        let shown = ids(shown);
        let mut link = ids(&ticked(&self.locaties));
        let unlink: Vec<i64> = shown.into_iter().filter(|id| !link.contains(id)).collect();
        link.extend(added);
        let typed = LocationDraft::from(self);
        let new_location = if typed.is_empty() {
            None
        } else {
            typed
                .parse()
                .map_err(|problems| {
                    for e in problems {
                        errors.add(e.field(), e.dutch());
                    }
                })
                .ok()
        };
        PlacesChange {
            link,
            unlink,
            new_location,
        }
    }
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
    /// An imported service "nog in te delen": why its facts were suggested,
    /// a sentence per line (empty once a beheerder set them).
    waiting: Vec<String>,
}

/// The suggestion's reasons of a service that waits to be classified.
fn waiting_reasons(s: &kaart::MapService) -> Vec<String> {
    if s.classified {
        Vec::new()
    } else {
        s.classification_note
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

impl From<&ServiceForm> for FormView {
    fn from(form: &ServiceForm) -> FormView {
        FormView {
            draft: ServiceDraft::from(form),
            provider: form.aanbieder.clone(),
            version: form.versie.clone(),
            shown: ticked(&form.getoond),
            kept: ticked(&form.locaties),
            add: form.locatie_erbij.trim().to_owned(),
            new_location: LocationDraft::from(form),
            waiting: Vec::new(),
        }
    }
}

/// What the form asks to change about a service's places.
struct PlacesChange {
    link: Vec<i64>,
    unlink: Vec<i64>,
    new_location: Option<NewLocation>,
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

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?;
    let mut tx = state.db.read().await?;
    let providers = areas::providers(&mut tx).await?;
    let locations = kaart::locations(&mut tx).await?;
    drop(tx);
    let (districts, _) = view::district_names(state).await?;
    let units = choices(CostUnit::ALL, CostUnit::as_str, CostUnit::label);
    let statuses = choices(
        ServiceStatus::ALL,
        ServiceStatus::as_str,
        ServiceStatus::label,
    );
    let reaches = choices(Reach::ALL, Reach::as_str, Reach::label);
    let accesses = choices(
        ServiceAccess::ALL,
        ServiceAccess::as_str,
        ServiceAccess::label,
    );
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
    let addable: Vec<Choice> = locations
        .iter()
        .filter(|l| !form.shown.contains(&l.id.to_string()))
        .map(|l| Choice::new(l.id.to_string(), place_label(l)))
        .collect();
    let providers: Vec<Choice> = providers
        .iter()
        .map(|p| Choice::new(p.id.to_string(), p.name.clone()))
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
            domains => domain_options(Wording::Professional), steps => step_options(Wording::Professional), forms => support_forms(), units => units,
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
    form_page(&state, &ctx, None, form, FieldErrors::new(), StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ServiceForm>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let scope = provider_scope(&user)?;
    let mut tx = state.db.read().await?;
    // A beheerder chooses the provider; an aanbieder's is their own.
    let providers = match scope {
        None => areas::providers(&mut tx).await?,
        Some(_) => Vec::new(),
    };
    let known = kaart::locations(&mut tx).await?;
    drop(tx);
    let NewService {
        provider,
        service,
        places,
    } = match form.parse_new(scope, &providers, &known) {
        Ok(new) => new,
        Err(errors) => {
            let view = FormView::from(&form);
            return form_page(&state, &ctx, None, view, errors, StatusCode::BAD_REQUEST).await;
        }
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
        waiting: waiting_reasons(&s),
        ..FormView::default()
    };
    form_page(
        &state,
        &ctx,
        Some(s.id),
        form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ServiceForm>,
) -> PageResult {
    let current = owned(&state, ctx.user()?, &id).await?;
    let version = form_version(&form.versie)?;
    let known = {
        let mut tx = state.db.read().await?;
        kaart::locations(&mut tx).await?
    };
    let ServiceChange { service, places } = match form.parse_change(&known) {
        Ok(change) => change,
        Err(errors) => {
            return form_page(
                &state,
                &ctx,
                Some(current.id),
                FormView {
                    waiting: waiting_reasons(&current),
                    ..FormView::from(&form)
                },
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    match kaart::update_service(&mut tx, current.id, version, &service).await {
        Ok(_) => {
            let places = apply_places(&mut tx, current.id, &places).await?;
            let mut detail = format!(
                "trede {} → {}, status {} → {}, {places}",
                current.service.step.value(),
                service.step.value(),
                current.service.status.as_str(),
                service.status.as_str()
            );
            // Only a beheerder sets Baken's facts of an imported service; then
            // it goes on the public map.
            let classifies = !current.classified && ctx.user()?.role() == Role::Beheerder;
            if classifies {
                kaart::mark_classified(&mut tx, current.id).await?;
                detail.push_str(", ingedeeld (HSDS-import)");
            }
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
            Ok(Redirect::to(if classifies {
                "/beheer/kaart/in-te-delen?opgeslagen=ingedeeld"
            } else {
                "/beheer/kaart?opgeslagen=gewijzigd"
            })
            .into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            let message = refuse_stale(
                tx,
                &state,
                &ctx,
                ("service", current.id.to_string()),
                version,
                "deze voorziening",
            )
            .await?;
            let errors = FieldErrors::only("_form", message);
            form_page(
                &state,
                &ctx,
                Some(current.id),
                FormView {
                    waiting: waiting_reasons(&current),
                    ..FormView::from(&form)
                },
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// One service in the queue of imported services waiting to be classified.
#[derive(Serialize)]
struct WaitingRow {
    id: i64,
    name: String,
    provider: String,
    reasons: Vec<String>,
}

/// `/beheer/kaart/in-te-delen`: imported services without Baken's own facts
/// (life domain, ladder step, form, reach, access), with the suggestion's
/// reasons; a beheerder opens one, checks the facts and saves. An aanbieder
/// sees its own waiting services.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let scope = provider_scope(&user)?;
    let mut tx = state.db.read().await?;
    let services = kaart::services(&mut tx, scope).await?;
    drop(tx);
    let rows: Vec<WaitingRow> = services
        .iter()
        .filter(|s| !s.classified)
        .map(|s| WaitingRow {
            id: s.id,
            name: s.service.name.clone(),
            provider: s.provider_name.clone(),
            reasons: waiting_reasons(s),
        })
        .collect();
    let saved = match q.opgeslagen.as_deref() {
        Some("ingedeeld") => {
            "De voorziening is ingedeeld en staat nu op de openbare sociale kaart."
        }
        _ => "",
    };
    Ok(render(
        &state,
        &ctx,
        "kaart/beheer/queue.html",
        "Nog in te delen",
        Value::from_serialize(context! {
            rows => rows, saved => saved, beheerder => user.role() == Role::Beheerder,
        }),
    )?
    .into_response())
}

// ------------------------------------------------------------ wijzer content

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: i64) -> kaart::Location {
        kaart::Location {
            id,
            uuid: format!("place-{id}"),
            name: format!("Plek {id}"),
            address: "Dorpsstraat 1".into(),
            postcode: "9999AA".into(),
            city: "Proefstad".into(),
            district_code: None,
        }
    }

    fn form(body: &str) -> ServiceForm {
        serde_html_form::from_str(body).expect("the service form")
    }

    #[test]
    fn only_places_that_were_shown_and_are_no_longer_ticked_are_unlinked() {
        let known = [place(1), place(2), place(3)];
        let mut errors = FieldErrors::new();
        let places = form("getoond=1&getoond=2&locaties=2&locatie_erbij=3").places(
            &["1".into(), "2".into()],
            &known,
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(places.link, [2, 3]);
        assert_eq!(places.unlink, [1]);
        assert!(places.new_location.is_none());
    }

    #[test]
    fn a_place_to_add_that_is_not_in_the_list_is_named_before_a_vanished_one() {
        let known = [place(1)];
        let mut errors = FieldErrors::new();
        form("locaties=7&locatie_erbij=8").places(&[], &known, &mut errors);
        assert_eq!(
            errors.get("locatie_erbij"),
            Some("Kies een adres uit de lijst.")
        );
    }

    #[test]
    fn a_beheerder_must_choose_a_provider_from_the_list() {
        let Err(errors) = form("aanbieder=99").parse_new(None, &[], &[]) else {
            panic!("no provider chosen from the list");
        };
        assert_eq!(
            errors.get("aanbieder"),
            Some("Kies de aanbieder uit de lijst.")
        );
    }
}

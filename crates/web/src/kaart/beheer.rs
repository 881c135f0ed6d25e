//! Beheer of the social map (an aanbieder its own services, a beheerder all),
//! of the wijzer's content (beheerder), and the wijkteam's list of residents'
//! requests for help.

use super::view::{self, domain_options, step_options, Opt};
use crate::ctx::{Ctx, CurrentUser};
use crate::error::AppError;
use crate::pages::households::page_number;
use crate::pages::{render, PageResult};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::service::ServiceStatus;
use baken_domain::kaart::wijzer::{
    check_key, Condition, Interest, NetworkOption, Rule, RuleAction, SituationOption,
    SituationQuestion, Story, Topic, WijzerContent,
};
use baken_domain::kaart::{
    CostUnit, LocationDraft, NewLocation, Reach, ServiceAccess, ServiceDraft,
};
use baken_domain::{AuditAction, AuditOutcome, LadderStep, Role, SupportForm};
use baken_store::{areas, audit, kaart, StoreError};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;

type Pairs = Vec<(String, String)>;

fn one<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
fn all(pairs: &Pairs, name: &str) -> Vec<String> {
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
        "kaart/beheer_list.html",
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
        "kaart/beheer_form.html",
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

pub const KINDS: [(&str, &str); 6] = [
    ("topic", "Onderwerpen"),
    ("question", "Vragen over de situatie"),
    ("interest", "Wat mensen graag doen"),
    ("network", "Wie kan helpen"),
    ("story", "Eigenkrachtverhalen"),
    ("rule", "Regels"),
];

fn kind_label(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

#[derive(Serialize)]
struct ItemRow {
    key: String,
    summary: String,
}

#[derive(Serialize)]
struct KindView {
    kind: &'static str,
    label: &'static str,
    items: Vec<ItemRow>,
}

fn summary(kind: &str, body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let pick = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    match kind {
        "question" => pick("text"),
        "story" => pick("title"),
        "rule" => match v
            .get("then")
            .and_then(|t| t.get("type"))
            .and_then(|t| t.as_str())
        {
            Some("tip") => format!("Tip: {}", v["then"]["title"].as_str().unwrap_or("")),
            Some("network") => format!("Netwerk: {}", v["then"]["title"].as_str().unwrap_or("")),
            _ => "Voorzieningen van de kaart".into(),
        },
        _ => pick("label"),
    }
}

pub async fn wijzer_overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let items = kaart::wijzer_items(&mut tx, None).await?;
    drop(tx);
    let kinds: Vec<KindView> = KINDS
        .iter()
        .map(|(kind, label)| KindView {
            kind,
            label,
            items: items
                .iter()
                .filter(|i| i.kind == *kind)
                .map(|i| ItemRow {
                    key: i.key.clone(),
                    summary: summary(kind, &i.body),
                })
                .collect(),
        })
        .collect();
    let saved = match q.get("opgeslagen").map(String::as_str) {
        Some("verwijderd") => "Het onderdeel is verwijderd.",
        Some(_) => "De wijziging is opgeslagen. De wijzer gebruikt haar meteen.",
        None => "",
    };
    Ok(render(
        &state,
        &ctx,
        "kaart/beheer_wijzer.html",
        "Eigen Kracht Wijzer beheren",
        Value::from_serialize(context! { kinds => kinds, saved => saved }),
    )?
    .into_response())
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
fn commas(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
fn domains(p: &Pairs, name: &str) -> Vec<LifeDomain> {
    all(p, name)
        .iter()
        .filter_map(|d| LifeDomain::parse(d).ok())
        .collect()
}

/// The form's fields, flat, as the template shows them.
fn fields_of(kind: &str, body: &serde_json::Value) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let list = |v: &serde_json::Value, sep: &str| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
                    .join(sep)
            })
            .unwrap_or_default()
    };
    match kind {
        "topic" => {
            f.insert("label".into(), s(&body["label"]));
            f.insert("trefwoorden".into(), list(&body["keywords"], ", "));
            f.insert("domeinen".into(), list(&body["domains"], ","));
        }
        "question" => {
            f.insert("tekst".into(), s(&body["text"]));
            f.insert("domein".into(), s(&body["domain"]));
            let opts = body["options"].as_array().map(|a| {
                a.iter()
                    .map(|o| {
                        format!(
                            "{} | {} | {}",
                            s(&o["key"]),
                            s(&o["label"]),
                            if o["concern"].as_bool() == Some(true) {
                                "zorg"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            f.insert("antwoorden".into(), opts.unwrap_or_default());
        }
        "interest" => {
            f.insert("label".into(), s(&body["label"]));
            f.insert("trefwoorden".into(), list(&body["keywords"], ", "));
        }
        "network" => {
            f.insert("label".into(), s(&body["label"]));
        }
        "story" => {
            f.insert("titel".into(), s(&body["title"]));
            f.insert("tekst".into(), s(&body["text"]));
            f.insert("onderwerpen".into(), list(&body["topics"], ", "));
        }
        _ => {
            let w = &body["when"];
            f.insert("als_onderwerpen".into(), list(&w["topics"], ", "));
            f.insert("als_woorden".into(), list(&w["words"], ", "));
            f.insert("als_zorgen".into(), list(&w["concerns"], ", "));
            f.insert("als_graag".into(), list(&w["likes"], ", "));
            f.insert("als_hulp".into(), list(&w["helpers"], ", "));
            f.insert(
                "als_niemand".into(),
                if w["nobody_helps"].as_bool() == Some(true) {
                    "ja".into()
                } else {
                    String::new()
                },
            );
            let t = &body["then"];
            f.insert("dan_soort".into(), s(&t["type"]));
            f.insert("dan_titel".into(), s(&t["title"]));
            f.insert("dan_tekst".into(), s(&t["text"]));
            f.insert("dan_domeinen".into(), list(&t["domains"], ","));
            f.insert("dan_woorden".into(), list(&t["words"], ", "));
            f.insert(
                "dan_max_trede".into(),
                t["max_step"]
                    .as_u64()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "3".into()),
            );
            f.insert(
                "dan_collectief".into(),
                if t["collective_only"].as_bool() == Some(true) {
                    "ja".into()
                } else {
                    String::new()
                },
            );
        }
    }
    f
}

/// Reads the form into the item's JSON body, or a Dutch error.
fn body_from(kind: &str, key: &str, p: &Pairs) -> Result<String, String> {
    let enc = |v: Result<String, serde_json::Error>| v.map_err(|e| e.to_string());
    let text = |n: &str| one(p, n).trim().to_owned();
    match kind {
        "topic" => enc(serde_json::to_string(&Topic {
            key: key.into(),
            label: text("label"),
            domains: domains(p, "domeinen"),
            keywords: commas(one(p, "trefwoorden")),
        })),
        "question" => {
            let domain = LifeDomain::parse(one(p, "domein"))
                .map_err(|_| "Kies het levensgebied van de vraag.".to_owned())?;
            let mut options = Vec::new();
            for l in lines(one(p, "antwoorden")) {
                let parts: Vec<&str> = l.split('|').map(str::trim).collect();
                match parts.as_slice() {
                    [k, label, rest @ ..] if check_key(k).is_ok() && !label.is_empty() => options.push(SituationOption { key: (*k).into(), label: (*label).into(), concern: rest.first().is_some_and(|z| *z == "zorg") }),
                    _ => return Err(format!("Schrijf elk antwoord als 'sleutel | tekst | zorg' (zorg alleen als dit antwoord op een probleem wijst). Deze regel klopt niet: '{l}'.")),
                }
            }
            enc(serde_json::to_string(&SituationQuestion {
                key: key.into(),
                domain,
                text: text("tekst"),
                options,
            }))
        }
        "interest" => enc(serde_json::to_string(&Interest {
            key: key.into(),
            label: text("label"),
            keywords: commas(one(p, "trefwoorden")),
        })),
        "network" => enc(serde_json::to_string(&NetworkOption {
            key: key.into(),
            label: text("label"),
        })),
        "story" => enc(serde_json::to_string(&Story {
            key: key.into(),
            title: text("titel"),
            text: text("tekst"),
            topics: commas(one(p, "onderwerpen")),
        })),
        _ => {
            let when = Condition {
                topics: commas(one(p, "als_onderwerpen")),
                words: commas(one(p, "als_woorden")),
                concerns: commas(one(p, "als_zorgen")),
                likes: commas(one(p, "als_graag")),
                helpers: commas(one(p, "als_hulp")),
                nobody_helps: one(p, "als_niemand") == "ja",
            };
            let then = match one(p, "dan_soort") {
                "tip" => RuleAction::Tip {
                    title: text("dan_titel"),
                    text: text("dan_tekst"),
                },
                "network" => RuleAction::Network {
                    title: text("dan_titel"),
                    text: text("dan_tekst"),
                },
                "services" => RuleAction::Services {
                    domains: domains(p, "dan_domeinen"),
                    words: commas(one(p, "dan_woorden")),
                    collective_only: one(p, "dan_collectief") == "ja",
                    max_step: one(p, "dan_max_trede")
                        .parse::<u8>()
                        .ok()
                        .and_then(|s| LadderStep::new(s).ok())
                        .ok_or("Kies tot welke trede voorzieningen mogen komen.")?,
                },
                _ => return Err("Kies wat de regel voorstelt.".into()),
            };
            enc(serde_json::to_string(&Rule {
                key: key.into(),
                when,
                then,
            }))
        }
    }
}

/// Puts `body` in place of (or next to) the item in the content, to check the whole.
fn with_item(
    mut c: WijzerContent,
    kind: &str,
    key: &str,
    body: &str,
) -> Result<WijzerContent, String> {
    fn put<T: serde::de::DeserializeOwned>(
        list: &mut Vec<T>,
        key: &str,
        body: &str,
        key_of: fn(&T) -> &str,
    ) -> Result<(), String> {
        let v: T = serde_json::from_str(body).map_err(|e| e.to_string())?;
        match list.iter().position(|x| key_of(x) == key) {
            Some(i) => list[i] = v,
            None => list.push(v),
        }
        Ok(())
    }
    match kind {
        "topic" => put(&mut c.topics, key, body, |x| &x.key)?,
        "question" => put(&mut c.questions, key, body, |x| &x.key)?,
        "interest" => put(&mut c.interests, key, body, |x| &x.key)?,
        "network" => put(&mut c.network, key, body, |x| &x.key)?,
        "story" => put(&mut c.stories, key, body, |x| &x.key)?,
        _ => put(&mut c.rules, key, body, |x| &x.key)?,
    }
    Ok(c)
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    state: &AppState,
    ctx: &Ctx,
    kind: &str,
    key: &str,
    is_new: bool,
    fields: BTreeMap<String, String>,
    version: String,
    position: String,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let label = kind_label(kind).ok_or(AppError::NotFound)?;
    let html = render(
        state,
        ctx,
        "kaart/beheer_wijzer_item.html",
        label,
        Value::from_serialize(context! {
            kind => kind, kind_label => label, key => key, is_new => is_new, f => fields, version => version,
            position => position, errors => errors, domains => domain_options(), steps => step_options(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn wijzer_item_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    if key == "nieuw" {
        return item_page(
            &state,
            &ctx,
            &kind,
            "",
            true,
            fields_of(&kind, &serde_json::Value::Null),
            String::new(),
            "100".into(),
            vec![],
            StatusCode::OK,
        )
        .await;
    }
    let mut tx = state.db.read().await?;
    let item = kaart::wijzer_items(&mut tx, Some(&kind))
        .await?
        .into_iter()
        .find(|i| i.key == key)
        .ok_or(AppError::NotFound)?;
    drop(tx);
    let body: serde_json::Value = serde_json::from_str(&item.body).unwrap_or_default();
    item_page(
        &state,
        &ctx,
        &kind,
        &key,
        false,
        fields_of(&kind, &body),
        item.version.to_string(),
        item.position.to_string(),
        vec![],
        StatusCode::OK,
    )
    .await
}

pub async fn wijzer_item_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    let is_new = key == "nieuw";
    let key = if is_new {
        one(&pairs, "sleutel").trim().to_owned()
    } else {
        key
    };
    let version = one(&pairs, "versie").trim().parse::<i64>().ok();
    let position = one(&pairs, "volgorde").trim().parse::<i64>().unwrap_or(100);
    let typed: BTreeMap<String, String> =
        pairs
            .iter()
            .filter(|(k, _)| k != "csrf")
            .fold(BTreeMap::new(), |mut m, (k, v)| {
                m.entry(k.clone())
                    .and_modify(|e: &mut String| {
                        e.push(',');
                        e.push_str(v)
                    })
                    .or_insert_with(|| v.clone());
                m
            });
    let back = |errors: Vec<String>, status| {
        let state = state.clone();
        let ctx = ctx.clone();
        let kind = kind.clone();
        let key = key.clone();
        let typed = typed.clone();
        async move {
            item_page(
                &state,
                &ctx,
                &kind,
                &key,
                is_new,
                typed,
                version.map(|v| v.to_string()).unwrap_or_default(),
                position.to_string(),
                errors,
                status,
            )
            .await
        }
    };
    if let Err(e) = check_key(&key) {
        return back(
            vec![baken_domain::kaart::WijzerError::dutch(&e)],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if key == "nieuw" {
        return back(
            vec!["Kies een andere sleutel dan 'nieuw'.".into()],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let body = match body_from(&kind, &key, &pairs) {
        Ok(b) => b,
        Err(e) => return back(vec![e], StatusCode::BAD_REQUEST).await,
    };
    let mut tx = state.db.begin().await?;
    let content = kaart::wijzer_content(&mut tx).await?;
    let exists = kaart::wijzer_items(&mut tx, Some(&kind))
        .await?
        .iter()
        .any(|i| i.key == key);
    if is_new && exists {
        drop(tx);
        return back(
            vec![format!(
                "De sleutel '{key}' wordt al gebruikt. Kies een andere."
            )],
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let problems: Vec<String> = match with_item(content, &kind, &key, &body) {
        Ok(c) => c.check().iter().map(|e| e.dutch()).collect(),
        Err(e) => vec![e],
    };
    if !problems.is_empty() {
        drop(tx);
        return back(problems, StatusCode::BAD_REQUEST).await;
    }
    let expected = if is_new {
        None
    } else {
        Some(version.ok_or_else(|| {
            AppError::BadRequest("Het formulier mist de versie. Laad de pagina opnieuw.".into())
        })?)
    };
    match kaart::save_wijzer_item(&mut tx, &kind, &key, position, &body, expected).await {
        Ok(_) => {
            let action = if is_new {
                AuditAction::Create
            } else {
                AuditAction::Update
            };
            audit::append(
                &mut tx,
                &ctx.audit(
                    action,
                    AuditOutcome::Success,
                    Some(("wijzer", format!("{kind}:{key}"))),
                    String::new(),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/wijzer?opgeslagen=1").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            back(vec!["Iemand anders heeft dit onderdeel intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw.".into()], StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn wijzer_item_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, key)): Path<(String, String)>,
) -> PageResult {
    kind_label(&kind).ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let mut content = kaart::wijzer_content(&mut tx).await?;
    match kind.as_str() {
        "topic" => content.topics.retain(|x| x.key != key),
        "question" => content.questions.retain(|x| x.key != key),
        "interest" => content.interests.retain(|x| x.key != key),
        "network" => content.network.retain(|x| x.key != key),
        "story" => content.stories.retain(|x| x.key != key),
        _ => content.rules.retain(|x| x.key != key),
    }
    let problems: Vec<String> = content.check().iter().map(|e| e.dutch()).collect();
    if !problems.is_empty() {
        drop(tx);
        return Err(AppError::BadRequest(format!(
            "Dit onderdeel wordt nog gebruikt en is niet verwijderd. {}",
            problems.join(" ")
        ))
        .into());
    }
    kaart::delete_wijzer_item(&mut tx, &kind, &key).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Delete,
            AuditOutcome::Success,
            Some(("wijzer", format!("{kind}:{key}"))),
            String::new(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/wijzer?opgeslagen=verwijderd").into_response())
}

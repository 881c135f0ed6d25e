//! A volunteer's own page: their profile (skills, availability, languages,
//! training done, VOG valid until), the open vacancies with the ones that ask
//! a VOG marked, applying with a short motivation, and their applications.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::volunteering::{parse_text, ApplicationState, Availability, TagList, VogStatus};
use baken_domain::AuditAction;
use baken_store::areas;
use baken_store::volunteers::{self as vw, ProfileInput, VolunteerStoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The profile form, one field per control.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileForm {
    naam: String,
    wijk: String,
    vaardigheden: String,
    talen: String,
    cursussen: String,
    beschikbaarheid: Vec<String>,
    vog_tot: String,
}

/// Applying to a vacancy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    motivatie: String,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = match q.opgeslagen.as_deref() {
        Some("profiel") => "Uw profiel is opgeslagen.",
        Some("aangemeld") => {
            "U bent aangemeld. De consulent van het ServicePunt neemt contact met u op."
        }
        Some("ingetrokken") => "Uw aanmelding is ingetrokken.",
        _ => "",
    };
    show(
        &state,
        &ctx,
        None,
        saved,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The page, with the profile form as typed when `typed` is given.
async fn show(
    state: &AppState,
    ctx: &Ctx,
    typed: Option<&ProfileForm>,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.begin().await?;
    let profile = vw::own_profile(&mut tx, user.id).await?;
    let vacancies = vw::vacancies(&mut tx, true, None).await?;
    let applications = match &profile {
        Some(p) => vw::own_applications(&mut tx, p.id).await?,
        None => Vec::new(),
    };
    let districts = areas::districts(&mut tx).await?;
    tx.commit().await?;
    let form = match (typed, &profile) {
        (Some(f), _) => f.clone(),
        (None, Some(p)) => ProfileForm {
            naam: p.display_name.clone(),
            wijk: p.district_code.clone().unwrap_or_default(),
            vaardigheden: p.skills.clone(),
            talen: p.languages.clone(),
            cursussen: p.trainings.clone(),
            beschikbaarheid: p
                .availability()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            vog_tot: p.vog_valid_until.map(nl_date).unwrap_or_default(),
        },
        (None, None) => ProfileForm {
            naam: user.display_name.clone(),
            ..ProfileForm::default()
        },
    };
    let vog = VogStatus::of(profile.as_ref().and_then(|p| p.vog_valid_until), today());
    let applied: Vec<i64> = applications.iter().map(|a| a.vacancy_id).collect();
    let district_name = |code: &Option<String>| {
        code.as_ref()
            .and_then(|c| districts.iter().find(|d| &d.code == c))
            .map_or_else(|| "Hele gemeente".to_owned(), |d| d.name.clone())
    };
    let html = render(
        state,
        ctx,
        "volunteers/volunteer.html",
        "Vrijwilligerswerk",
        Value::from_serialize(context! {
            has_profile => profile.is_some(),
            vog => context! {
                label => vog.label(),
                warn => matches!(vog, VogStatus::EndsSoon(_) | VogStatus::Expired),
            },
            form => form,
            availability => Availability::ALL.iter().map(|a| context! { value => a.as_str(), label => a.label() }).collect::<Vec<_>>(),
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
            vacancies => vacancies.iter().map(|v| context! {
                id => v.id, title => v.title.clone(), body => v.body.clone(),
                provider => v.provider_name.clone(), service_id => v.service_id,
                service => v.service_name.clone(), vog_required => v.vog_required,
                district => district_name(&v.district_code),
                applied => applied.contains(&v.id),
            }).collect::<Vec<_>>(),
            applications => applications.iter().map(|a| context! {
                id => a.id, title => a.vacancy_title.clone(), provider => a.provider_name.clone(),
                state => ApplicationState::parse(&a.state).map(|s| s.label()).unwrap_or(""),
                waiting => a.state == ApplicationState::Aangemeld.as_str(),
                start => a.start_on.map(nl_date), reason => a.reason.clone(),
            }).collect::<Vec<_>>(),
            saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ProfileForm>,
) -> PageResult {
    let user = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let name = baken_domain::market::DisplayName::parse(&form.naam)
        .map_err(|_| errors.add("naam", "Vul uw naam in (2 tot 60 tekens)."))
        .ok();
    let mut tags = |field: &str, raw: &str, what: &str| {
        TagList::parse(raw, 12)
            .map_err(|_| {
                errors.add(
                    field,
                    format!("Vul {what} in met komma's ertussen: hooguit 12, elk 2 tot 40 tekens."),
                )
            })
            .ok()
    };
    let skills = tags("vaardigheden", &form.vaardigheden, "wat u kunt");
    let languages = tags("talen", &form.talen, "uw talen");
    let trainings = tags("cursussen", &form.cursussen, "uw cursussen");
    let mut availability = Vec::new();
    for code in &form.beschikbaarheid {
        match Availability::parse(code) {
            Ok(a) if !availability.contains(&a) => availability.push(a),
            Ok(_) => {}
            Err(_) => errors.add("beschikbaarheid", "Kies wanneer u kunt uit de lijst."),
        }
    }
    let vog = match form.vog_tot.trim() {
        "" => Some(None),
        typed => match parse_date(typed) {
            Some(d) => Some(Some(d)),
            None => {
                errors.add(
                    "vog_tot",
                    "Vul de datum in tot wanneer uw VOG geldig is, zoals 31-12-2027, of laat het leeg.",
                );
                None
            }
        },
    };
    let mut tx = state.db.begin().await?;
    let districts = areas::districts(&mut tx).await?;
    let district = match form.wijk.trim() {
        "" => Some(None),
        code if districts.iter().any(|d| d.code == code) => Some(Some(code.to_owned())),
        _ => {
            errors.add("wijk", "Kies uw wijk uit de lijst.");
            None
        }
    };
    let parsed = match (name, skills, languages, trainings, vog, district) {
        (Some(n), Some(s), Some(l), Some(t), Some(v), Some(d)) if errors.is_empty() => {
            Some((n, s, l, t, v, d))
        }
        _ => None,
    };
    let Some((name, skills, languages, trainings, vog, district)) = parsed else {
        drop(tx);
        return show(
            &state,
            &ctx,
            Some(&form),
            "",
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let id = vw::save_profile(
        &mut tx,
        user,
        &ProfileInput {
            display_name: name.as_str(),
            district_code: district.as_deref(),
            skills: &skills,
            languages: &languages,
            trainings: &trainings,
            availability: &availability,
            vog_valid_until: vog,
        },
    )
    .await
    .map_err(internal)?;
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("volunteer", id.to_string()),
        "eigen vrijwilligersprofiel".into(),
    )
    .await?;
    Ok(Redirect::to("/vrijwilligerswerk?opgeslagen=profiel#profiel").into_response())
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ApplyForm>,
) -> PageResult {
    let vacancy = path_id(&id)?;
    let user = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    if vw::vacancy(&mut tx, vacancy).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let refuse = |field: &str, message: &str| FieldErrors::only(field, message);
    let Some(profile) = vw::own_profile(&mut tx, user).await? else {
        drop(tx);
        let errors = refuse(
            &format!("motivatie-{vacancy}"),
            "Vul eerst uw profiel in; daarna kunt u zich aanmelden.",
        );
        return show(&state, &ctx, None, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let Ok(motivation) = parse_text(&form.motivatie) else {
        drop(tx);
        let errors = refuse(
            &format!("motivatie-{vacancy}"),
            "Schrijf hooguit 2000 tekens.",
        );
        return show(&state, &ctx, None, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let created = match vw::apply(&mut tx, vacancy, profile.id, &motivation).await {
        Ok(id) => id,
        Err(e @ (VolunteerStoreError::AlreadyApplied | VolunteerStoreError::Closed)) => {
            drop(tx);
            let message = match e {
                VolunteerStoreError::AlreadyApplied => "U bent al aangemeld voor deze vacature.",
                _ => "Deze vacature is gesloten.",
            };
            let errors = refuse(&format!("motivatie-{vacancy}"), message);
            return show(&state, &ctx, None, "", errors, StatusCode::BAD_REQUEST).await;
        }
        Err(e) => return Err(internal(e).into()),
    };
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("volunteer_application", created.to_string()),
        format!("aangemeld op vacature {vacancy}"),
    )
    .await?;
    Ok(Redirect::to("/vrijwilligerswerk?opgeslagen=aangemeld#aanmeldingen").into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let application = path_id(&id)?;
    let user = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let profile = vw::own_profile(&mut tx, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if !vw::withdraw(&mut tx, application, profile.id).await? {
        return Err(AppError::NotFound.into());
    }
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("volunteer_application", application.to_string()),
        "aanmelding ingetrokken".into(),
    )
    .await?;
    Ok(Redirect::to("/vrijwilligerswerk?opgeslagen=ingetrokken#aanmeldingen").into_response())
}

/// A store error that is not the user's to fix.
pub fn internal(e: VolunteerStoreError) -> AppError {
    match e {
        VolunteerStoreError::Store(s) => AppError::from(s),
        other => AppError::internal("volunteer work")(other),
    }
}

//! `/aanbieder/huishoudens`: the households a provider works for (agreement and consent).

use super::resident::{plain_plan, Shown};
use crate::casework::common::{explain, internal};
use crate::support::audit::households_shown;
use crate::support::choice::choices;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::{AgreementReport, ReportKind};
use baken_domain::{AuditAction, AuditOutcome, NotificationKind};
use baken_store::audit;
use baken_store::casework::CaseError;
use baken_store::casework::{self as cw};
use baken_store::notifications::{self, NewNotification};
use baken_store::timeline;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

pub async fn provider_list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.clone();
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let list = cw::provider_households(&mut tx, provider, today())
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            Some(households_shown(list.iter().map(|h| h.id))),
            format!("aanbieder: {} huishoudens", list.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let rows: Vec<(i64, String)> = list.iter().map(|h| (h.id, h.address())).collect();
    Ok(render(
        &state,
        &ctx,
        "casework/provider.html",
        "Huishoudens met een afspraak",
        Value::from_serialize(context! { rows => rows, plan => (), list => true }),
    )?
    .into_response())
}

/// What a provider may see of one household, read in one transaction: `None`
/// when it may not see it (the denied entry is then written in `tx`).
struct ProviderPage {
    household: baken_store::households::Household,
    names: String,
    coordinator: Option<String>,
    plan: Value,
    network: Vec<cw::NetworkRow>,
    scores: Vec<(String, String)>,
    reports: Vec<timeline::ReportRow>,
}

async fn provider_page(
    tx: &mut baken_store::Tx,
    ctx: &Ctx,
    provider: i64,
    id: i64,
    detail: &str,
) -> Result<Option<ProviderPage>, AppError> {
    let object = Some(("household", id.to_string()));
    let view = timeline::provider_view(tx, provider, id, today())
        .await
        .map_err(internal)?;
    if !view.may_see() {
        audit::append(
            tx,
            &ctx.audit(
                AuditAction::Read,
                AuditOutcome::Denied,
                object,
                "geen lopende afspraak met toestemming",
            ),
        )
        .await?;
        return Ok(None);
    }
    let household = baken_store::households::get(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut surnames: Vec<String> = Vec::new();
    for r in baken_store::households::residents(tx, id).await? {
        let name = match &r.surname_prefix {
            Some(prefix) if !prefix.is_empty() => format!("{prefix} {}", r.surname),
            _ => r.surname.clone(),
        };
        if !surnames.contains(&name) {
            surnames.push(name);
        }
    }
    let coordinator = cw::coordinator(tx, id)
        .await
        .map_err(internal)?
        .map(|c| c.1);
    let plan = plain_plan(tx, id, Shown::Only(&view.agreements)).await?;
    // The network and the scores only when a consent that holds says so.
    let network = if view.network {
        cw::network(tx, id).await.map_err(internal)?
    } else {
        Vec::new()
    };
    let scores = if view.scores {
        cw::measurements(tx, id)
            .await
            .map_err(internal)?
            .last()
            .map(|m| {
                m.scores
                    .0
                    .iter()
                    .map(|(domain, score)| (domain.label().to_owned(), score.label()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let reports = timeline::reports(tx, id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|r| r.provider_id == provider && view.agreements.contains(&r.agreement_id))
        .collect();
    audit::append(
        tx,
        &ctx.audit(AuditAction::Read, AuditOutcome::Success, object, detail),
    )
    .await?;
    Ok(Some(ProviderPage {
        household,
        names: surnames.join(" / "),
        coordinator,
        plan,
        network,
        scores,
        reports,
    }))
}

async fn show_provider_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: &FieldErrors,
    form: Value,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let detail = if errors.is_empty() {
        "aanbieder: eigen afspraken met toestemming"
    } else {
        "aanbieder: bericht opnieuw getoond"
    };
    let Some(page) = provider_page(&mut tx, ctx, provider, id, detail).await? else {
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    };
    tx.commit().await?;
    let h = &page.household;
    let reports: Vec<Value> = page
        .reports
        .iter()
        .rev()
        .map(|r| {
            Value::from_serialize(context! {
                agreement => r.agreement_id, on => nl_date(r.reported_on), what => r.description,
                kind => ReportKind::parse(&r.kind).map(|k| k.label()).unwrap_or(""), note => r.note,
            })
        })
        .collect();
    let html = render(
        state,
        ctx,
        "casework/provider.html",
        &format!("Huishouden {}", h.street_address()),
        Value::from_serialize(context! {
            id => h.id, plan => page.plan, address => h.street_address(),
            full_address => format!("{}, {} {}", h.street_address(), h.postcode, h.city),
            names => page.names, coordinator => page.coordinator, network => page.network,
            scores => page.scores, reports => reports, list => false,
            kinds => choices(&ReportKind::ALL, ReportKind::as_str, ReportKind::label),
            errors => errors, form => form,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ProviderQuery {
    /// Set after a report was sent: the page says so.
    #[serde(default)]
    verstuurd: Option<String>,
}

pub async fn provider_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ProviderQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let form = match query.verstuurd {
        Some(_) => context! { _saved => "ja" },
        None => context! {},
    };
    show_provider_page(&state, &ctx, id, &FieldErrors::new(), form, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ReportForm {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    notitie: String,
}

/// `POST /aanbieder/huishoudens/{id}/afspraken/{agreement}/bericht`: a
/// provider reports on one of its own agreements — started, progress, or
/// finished with the result in the resident's words. Only on an agreement its
/// consent covers today; any other is "not found" (audited as denied).
pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, agreement)): Path<(String, String)>,
    HtmlForm(form): HtmlForm<ReportForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let agreement = path_id(&agreement)?;
    let user = ctx.user()?.clone();
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let object = Some(("household", id.to_string()));
    let refused = |field: &str, message: &str| {
        let mut errors = FieldErrors::new();
        errors.add(format!("{field}_{agreement}"), message);
        errors
    };
    let report = match ReportKind::parse(form.soort.trim()) {
        None => Err(refused(
            "soort",
            "Kies wat u meldt: gestart, voortgang of afgerond.",
        )),
        Some(kind) => AgreementReport::new(kind, &form.notitie).map_err(|e| {
            let (_, message) = explain(&CaseError::Report(e)).unwrap_or_default();
            refused("notitie", &message)
        }),
    };
    let report = match report {
        Ok(report) => report,
        Err(errors) => {
            let typed = Value::from_serialize(context! {
                agreement => agreement, soort => form.soort, notitie => form.notitie,
            });
            return show_provider_page(&state, &ctx, id, &errors, typed, StatusCode::BAD_REQUEST)
                .await;
        }
    };
    let mut tx = state.db.begin().await?;
    let view = timeline::provider_view(&mut tx, provider, id, today())
        .await
        .map_err(internal)?;
    if !view.agreements.contains(&agreement) {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Create,
                AuditOutcome::Denied,
                object,
                format!("bericht over afspraak {agreement}: geen eigen afspraak met toestemming"),
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    }
    let report_id =
        timeline::add_report(&mut tx, agreement, provider, &report, today(), user.user.id)
            .await
            .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            object,
            format!(
                "aanbieder: bericht {report_id} ({}) over afspraak {agreement}",
                report.kind().as_str()
            ),
        ),
    )
    .await?;
    // The household's contact person learns that a provider reported, in the
    // same transaction as the report (the text names no one; it is in the app).
    if let Some((contact_person, _)) = cw::coordinator(&mut tx, id).await.map_err(internal)? {
        notifications::notify(
            &mut tx,
            &NewNotification {
                user_id: contact_person,
                kind: NotificationKind::ProviderReported,
                text: "Een aanbieder heeft een bericht gestuurd over een afspraak in een plan.",
                link: &format!("/dossier/{id}#tijdlijn"),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/aanbieder/huishoudens/{id}?verstuurd=ja#berichten"
    ))
    .into_response())
}

// ------------------------------------------------------------------ bakens

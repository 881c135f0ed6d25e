//! A provider's own commissions (aanbieder): the commission with its
//! indicators, trends and scorecard, its year plan and work plan, and the
//! reports — Baken's figures prefilled, the provider adds its narrative and
//! reported figures with evidence, submits, and answers questions.

use super::beleid::{self, commission_sections, report_page_with, saved_text, Form, Shown};
use super::view;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{form_version, path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::commissioning::Hundredths;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::commissioning::{self as cm, ReportStep};
use baken_store::{audit, StoreError};
use minijinja::{context, Value};
use serde::Deserialize;

fn provider_of(ctx: &Ctx) -> Result<i64, AppError> {
    ctx.user()?.user.provider_id.ok_or(AppError::NotFound)
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let provider = provider_of(&ctx)?;
    let mut tx = state.db.begin().await?;
    let mut commissions = Vec::new();
    for row in cm::commissions(&mut tx, Some(provider)).await? {
        let indicators = cm::indicators(&mut tx, row.id).await?;
        let reports =
            cm::ensure_reports(&mut tx, &row, cm::report_cadence(&indicators), today()).await?;
        commissions.push(context! {
            id => row.id, title => row.title,
            period => format!("{} tot en met {}", nl_date(row.valid_from), nl_date(row.valid_until)),
            budget => view::money(row.budget_cents),
            reports => reports.iter().map(|r| context! {
                id => r.id, status => beleid::status_label(&r.status), todo => matches!(r.status.as_str(), "open" | "vragen"),
                period => format!("{} tot en met {}", nl_date(r.period_from), nl_date(r.period_until)),
            }).collect::<Vec<_>>(),
        });
    }
    tx.commit().await?;
    let html = render(
        &state,
        &ctx,
        "commissioning/provider.html",
        "Opdrachten",
        Value::from_serialize(context! { commissions => commissions, saved => saved_text(&q) }),
    )?;
    Ok(html.into_response())
}

async fn own_commission(
    tx: &mut baken_store::Tx,
    ctx: &Ctx,
    id: i64,
) -> Result<cm::CommissionRow, AppError> {
    let provider = provider_of(ctx)?;
    cm::commission(tx, id)
        .await?
        .filter(|c| c.provider_id == provider)
        .ok_or(AppError::NotFound)
}

async fn commission_page_with(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let row = own_commission(&mut tx, ctx, id).await?;
    let sections = commission_sections(&mut tx, &row).await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "commissioning/commission.html",
        &row.title,
        Value::from_serialize(context! {
            beleid => false, saved => saved, errors => errors, form => Form::new(),
            ..sections
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn commission_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    commission_page_with(
        &state,
        &ctx,
        id,
        saved_text(&q),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct PlansForm {
    #[serde(default)]
    jaarplan: String,
    #[serde(default)]
    werkplan: String,
    #[serde(default)]
    versie: String,
}

/// The year plan and work plan (seed 001: "een jaarplan, begroting en werkplan").
pub async fn save_plans(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<PlansForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let version = form_version(&form.versie)?;
    let too_long = |t: &str| t.chars().count() > 20_000;
    if too_long(&form.jaarplan) || too_long(&form.werkplan) {
        return commission_page_with(
            &state,
            &ctx,
            id,
            "",
            FieldErrors::only("jaarplan", "Een plan is hooguit 20.000 tekens."),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    own_commission(&mut tx, &ctx, id).await?;
    match cm::set_plans(
        &mut tx,
        id,
        form.jaarplan.trim(),
        form.werkplan.trim(),
        version,
    )
    .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            return commission_page_with(
                &state,
                &ctx,
                id,
                "",
                FieldErrors::only(
                    "jaarplan",
                    "Iemand anders heeft de plannen intussen gewijzigd. Bekijk ze en probeer het opnieuw.",
                ),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("commission", id.to_string())),
            "jaarplan en werkplan",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/aanbod/opdrachten/{id}?opgeslagen=plannen")).into_response())
}

pub async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let provider = provider_of(&ctx)?;
    report_page_with(
        &state,
        &ctx,
        id,
        Some(provider),
        Shown {
            saved: saved_text(&q),
            errors: FieldErrors::new(),
            form: Form::new(),
            status: StatusCode::OK,
        },
    )
    .await
}

/// Save, submit, or answer a question. The form holds `waarde_{indicator}`
/// and `bewijs_{indicator}` per reported figure, `verhaal`, `antwoord`,
/// `versie` and `actie`.
pub async fn save_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<Form>,
) -> PageResult {
    let id = path_id(&id)?;
    let provider = provider_of(&ctx)?;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let action = field("actie").to_owned();
    let refuse = |errors: FieldErrors, status: StatusCode| {
        let state = state.clone();
        let ctx = &ctx;
        let form = form.clone();
        async move {
            report_page_with(
                &state,
                ctx,
                id,
                Some(provider),
                Shown {
                    saved: "",
                    errors,
                    form,
                    status,
                },
            )
            .await
        }
    };
    if !matches!(action.as_str(), "opslaan" | "indienen" | "antwoorden") {
        return refuse(
            FieldErrors::only("actie", "Kies: opslaan, indienen of antwoorden."),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let version = form_version(field("versie"))?;
    let user = ctx.user()?.user.username.to_string();
    let mut tx = state.db.begin().await?;
    let report = cm::report(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let row = own_commission(&mut tx, &ctx, report.commission_id).await?;

    if action == "antwoorden" {
        let text = field("antwoord")
            .trim()
            .chars()
            .take(4000)
            .collect::<String>();
        if text.chars().count() < 5 {
            drop(tx);
            return refuse(
                FieldErrors::only("antwoord", "Schrijf uw antwoord (minstens 5 tekens)."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        if !cm::report_step(&mut tx, id, ReportStep::Answer, "aanbieder", &user, &text).await? {
            drop(tx);
            return refuse(
                FieldErrors::only("antwoord", "Er staat geen vraag open bij deze rapportage."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        return finish(tx, &ctx, id, "antwoord op een vraag", "antwoord").await;
    }

    let goals = cm::commission_goals(&mut tx, row.id).await?;
    let indicators = cm::indicators(&mut tx, row.id).await?;
    let figures = view::report_figures(&mut tx, &row, &goals, &indicators, &report).await?;
    let mut values = cm::prefill(&mut tx, &row, &goals, &indicators, &report).await?;
    let mut errors = FieldErrors::new();
    let submit = action == "indienen";
    for v in values.iter_mut().filter(|v| !v.prefilled) {
        let Some(fig) = figures.iter().find(|f| f.indicator_id == v.indicator_id) else {
            continue;
        };
        if !fig.reported {
            continue;
        }
        let raw = field(&format!("waarde_{}", v.indicator_id))
            .trim()
            .to_owned();
        let evidence = field(&format!("bewijs_{}", v.indicator_id))
            .trim()
            .to_owned();
        match raw.as_str() {
            "" if submit => errors.add(
                format!("waarde_{}", v.indicator_id),
                "Vul dit cijfer in voordat u indient.",
            ),
            "" => {}
            t => match Hundredths::parse(t) {
                Ok(h) => v.value = Some(h.value()),
                Err(_) => errors.add(
                    format!("waarde_{}", v.indicator_id),
                    "Vul een getal in, bijvoorbeeld 221 of 12,5.",
                ),
            },
        }
        if submit && evidence.chars().count() < 5 {
            errors.add(
                format!("bewijs_{}", v.indicator_id),
                "Beschrijf het bewijs: welk document of welke registratie (minstens 5 tekens).",
            );
        }
        v.evidence = evidence.chars().take(2000).collect();
    }
    let narrative = field("verhaal")
        .trim()
        .chars()
        .take(20_000)
        .collect::<String>();
    if submit && narrative.chars().count() < 20 {
        errors.add(
            "verhaal",
            "Vertel in een paar zinnen wat het maatschappelijke effect was (minstens 20 tekens).",
        );
    }
    if !errors.is_empty() {
        drop(tx);
        return refuse(errors, StatusCode::BAD_REQUEST).await;
    }
    match cm::save_report(&mut tx, id, version, &narrative, &values).await {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            return refuse(
                FieldErrors::only(
                    "_form",
                    "De rapportage is intussen gewijzigd of al ingediend. Laad de pagina opnieuw.",
                ),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    if submit {
        cm::report_step(&mut tx, id, ReportStep::Submit, "aanbieder", &user, "").await?;
        return finish(tx, &ctx, id, "rapportage ingediend", "ingediend").await;
    }
    finish(tx, &ctx, id, "rapportage opgeslagen", "rapportage").await
}

async fn finish(
    mut tx: baken_store::Tx,
    ctx: &Ctx,
    id: i64,
    detail: &str,
    saved: &str,
) -> PageResult {
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("report", id.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/aanbod/rapportages/{id}?opgeslagen={saved}")).into_response())
}

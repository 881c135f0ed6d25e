//! Providers' verzoeken om toewijzing (WMO315) as tasks for the household's
//! team, with the deadline the municipality set; answered by a toewijzing
//! (answered at once by its WMO301) or a WMO319 with a reason.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::{AuditAction, AuditOutcome};
use baken_iwmo::exchange::{self, Answer, ExchangeError};
use baken_iwmo::RejectionReason;
use baken_store::{audit, contracting as ct};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    beantwoord: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    antwoord: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    toelichting: String,
}

#[derive(Serialize)]
struct RequestView {
    id: i64,
    provider: String,
    reference: String,
    product: String,
    period: String,
    volume: String,
    received: String,
    deadline: String,
    overdue: bool,
    status: String,
    answer: String,
    /// The message sent as the answer: its kind and XML.
    message: Option<(&'static str, String)>,
}

fn view(r: &ct::RequestRow) -> RequestView {
    let period = match r.end_date {
        Some(end) => format!("{} tot en met {}", nl_date(r.start_date), nl_date(end)),
        None => format!("vanaf {}", nl_date(r.start_date)),
    };
    let volume = match (r.volume, &r.unit, &r.frequency) {
        (Some(v), Some(u), Some(f)) => format!(
            "{v} {} {}",
            baken_domain::contracting::Unit::parse(u).map_or("", |u| u.label()),
            baken_domain::contracting::Frequency::parse(f).map_or("", |f| f.label())
        ),
        _ => String::new(),
    };
    let answer = match (r.status.as_str(), &r.answer_code) {
        ("toegewezen", _) => "Toegewezen (toewijzing verstuurd met WMO301).".into(),
        ("afgewezen", Some(code)) => format!(
            "Afgewezen: {} (WMO319 verstuurd).",
            RejectionReason::parse(code).map_or("", |r| r.label())
        ),
        _ => String::new(),
    };
    RequestView {
        id: r.id,
        provider: r.provider_name.clone(),
        reference: r.reference.clone(),
        product: r
            .product_name
            .clone()
            .unwrap_or_else(|| "Onbekend product (niet ingekocht)".into()),
        period,
        volume,
        received: nl_date(r.received_on),
        deadline: nl_date(r.deadline),
        overdue: r.status == "open" && r.deadline < today(),
        status: r.status.clone(),
        answer,
        message: r.answer_xml.clone().map(|xml| {
            let kind = if r.status == "toegewezen" {
                "WMO301"
            } else {
                "WMO319"
            };
            (kind, xml)
        }),
    }
}

#[derive(Serialize)]
struct ReasonView {
    code: &'static str,
    label: &'static str,
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    saved: &str,
    errors: (i64, FieldErrors),
    status: StatusCode,
) -> PageResult {
    let team = ctx.user()?.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let rows = ct::requests(&mut tx, Some(team), false).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("verzoeken om toewijzing: {}", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let (open, done): (Vec<_>, Vec<_>) = rows.iter().map(view).partition(|r| r.status == "open");
    let reasons: Vec<ReasonView> = RejectionReason::all()
        .map(|r| ReasonView {
            code: r.code(),
            label: r.label(),
        })
        .collect();
    let html = render(
        state,
        ctx,
        "contracting/requests.html",
        "Verzoeken van aanbieders",
        Value::from_serialize(context! {
            open => open, done => done, reasons => reasons, saved => saved,
            error_id => errors.0, errors => errors.1,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let saved = if q.beantwoord.is_some() {
        "Het antwoord is vastgelegd."
    } else {
        ""
    };
    list_page(&state, &ctx, saved, (0, FieldErrors::new()), StatusCode::OK).await
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<AnswerForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let team = ctx.user()?.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let request = ct::request(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    if request.team_id.is_some_and(|t| t != team) {
        return Err(AppError::NotFound.into());
    }
    let refuse = |field: &str, message: &str| FieldErrors::only(field, message);
    let answer = match form.antwoord.as_str() {
        "toewijzen" => Answer::Grant,
        "afwijzen" => match RejectionReason::parse(&form.reden) {
            Some(reason) => Answer::Refuse {
                reason,
                note: form.toelichting.trim().chars().take(2000).collect(),
            },
            None => {
                let errors = refuse("reden", "Kies de reden van de afwijzing.");
                return list_page(&state, &ctx, "", (id, errors), StatusCode::BAD_REQUEST).await;
            }
        },
        _ => {
            let errors = refuse("antwoord", "Kies: toewijzen of afwijzen.");
            return list_page(&state, &ctx, "", (id, errors), StatusCode::BAD_REQUEST).await;
        }
    };
    let entry = ctx.audit(
        AuditAction::Update,
        AuditOutcome::Success,
        None,
        String::new(),
    );
    match exchange::answer(&state.db, id, &answer, &entry, today()).await {
        Ok(_) => Ok(Redirect::to(&format!("/verzoeken?beantwoord={id}")).into_response()),
        Err(ExchangeError::Store(e)) => Err(AppError::from(e).into()),
        Err(e) => {
            let message = match e {
                ExchangeError::RequestWithoutProduct => {
                    "Dit product is niet ingekocht; wijs het verzoek af.".to_owned()
                }
                ExchangeError::RequestWithoutResident => {
                    "Deze inwoner is niet bekend; wijs het verzoek af.".to_owned()
                }
                ExchangeError::RequestNotOpen(_) => "Dit verzoek is al beantwoord.".to_owned(),
                other => format!("Het antwoord is niet vastgelegd: {other}"),
            };
            let errors = refuse("antwoord", &message);
            list_page(&state, &ctx, "", (id, errors), StatusCode::BAD_REQUEST).await
        }
    }
}

//! The team's views: search, the caseload, and the team lead's overview with referral decisions.

use super::shared::{norms_context, Errors};
use super::triage::{signal_view, SignalView};
use crate::casework::change::{self, ChangeError};
use crate::casework::common::{
    current_norms, explain, field, form_map, internal, is_conflict, SearchAttempt,
};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, Bsn, HouseNumber, Postcode};
use baken_store::audit;
use baken_store::casework::{self as cw, Search};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::BTreeMap;

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut errors = Errors::new();
    let get = |k: &str| q.get(k).map(|s| s.trim()).unwrap_or("");
    let (postcode, street, number, name, bsn) = (
        get("postcode"),
        get("straat"),
        get("huisnummer"),
        get("naam"),
        get("bsn"),
    );
    let mut house_number = || {
        if number.is_empty() {
            Some(None)
        } else {
            HouseNumber::parse(number)
                .map(|n| Some(i64::from(n.value())))
                .map_err(|_| {
                    errors.insert(
                        "huisnummer".into(),
                        "Vul een huisnummer in (alleen cijfers).".into(),
                    )
                })
                .ok()
        }
    };
    // What was searched on, for the audit log (never the terms themselves).
    let kind = if !bsn.is_empty() {
        "bsn"
    } else if !postcode.is_empty() {
        "adres"
    } else if !street.is_empty() {
        "straat"
    } else if !name.is_empty() {
        "naam"
    } else {
        ""
    };
    let query = match kind {
        "bsn" => match Bsn::parse(bsn) {
            Ok(b) => Some(Search::Bsn(b)),
            Err(_) => {
                errors.insert(
                    "bsn".into(),
                    "Dit is geen geldig BSN: 9 cijfers die de elfproef doorstaan.".into(),
                );
                None
            }
        },
        "adres" => {
            let n = house_number();
            let p = Postcode::parse(postcode)
                .map_err(|_| {
                    errors.insert(
                        "postcode".into(),
                        "Vul een postcode in zoals 1234 AB.".into(),
                    )
                })
                .ok();
            match (p, n) {
                (Some(p), Some(n)) => Some(Search::Address {
                    postcode: p.to_string(),
                    house_number: n,
                }),
                _ => None,
            }
        }
        "straat" => {
            let n = house_number();
            if street.chars().count() < 2 {
                errors.insert(
                    "straat".into(),
                    "Vul minstens twee letters van de straatnaam in.".into(),
                );
                None
            } else {
                n.map(|n| Search::Street {
                    street: street.to_owned(),
                    house_number: n,
                })
            }
        }
        "naam" if name.chars().count() >= 2 => Some(Search::Name(name.to_owned())),
        "naam" => {
            errors.insert(
                "naam".into(),
                "Vul minstens twee letters van de naam in.".into(),
            );
            None
        }
        _ => None,
    };
    let searched = query.is_some();
    let attempt = SearchAttempt { on: kind, query };
    let hits = change::search_households(&state, &ctx, &attempt).await?;
    let rows: Vec<(i64, String, String)> = hits
        .iter()
        .map(|h| (h.id, h.address(), h.postcode.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = render(
        &state,
        &ctx,
        "casework/search.html",
        "Zoeken",
        Value::from_serialize(context! {
            q => q, errors => errors, rows => rows, searched => searched,
        }),
    )?;
    Ok((status, html).into_response())
}

/// Households per caseload page.
const CASELOAD_PAGE: i64 = 50;

pub async fn caseload(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let day = today();
    let page_no = crate::support::form::page_number(q.get("pagina").map(String::as_str));
    let (me, audit_ctx) = (user.user.id, ctx.clone());
    let page = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let page = cw::caseload(
                    tx,
                    me,
                    day,
                    day - chrono::Duration::days(30),
                    page_no,
                    CASELOAD_PAGE,
                )
                .await
                .map_err(internal)?;
                let entry = audit_ctx.audit(
                    AuditAction::Read,
                    AuditOutcome::Success,
                    Some(("household", "*".into())),
                    format!(
                        "caseload: pagina {}, {} van {} huishoudens",
                        page.page,
                        page.items.len(),
                        page.total
                    ),
                );
                Ok::<_, AppError>((page, vec![entry]))
            })
        })
        .await?;
    let (total, pages, current) = (page.total, page.pages(), page.page);
    let rows = page.items;
    #[derive(Serialize)]
    struct Row {
        id: i64,
        address: String,
        plan: bool,
        next: String,
        overdue: i64,
        waiting: i64,
        answered: i64,
        signals: i64,
    }
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            id: r.household_id,
            address: format!(
                "{} {}{}{}",
                r.street,
                r.house_number,
                r.house_letter,
                if r.addition.is_empty() {
                    String::new()
                } else {
                    format!("-{}", r.addition)
                }
            ),
            plan: r.plan_id.is_some(),
            next: r.next_date.map(nl_date).unwrap_or_default(),
            overdue: r.overdue_agreements,
            waiting: r.referrals_waiting,
            answered: r.referrals_answered,
            signals: r.open_signals,
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "casework/caseload.html",
        "Mijn caseload",
        Value::from_serialize(context! {
            rows => rows, total => total,
            page => context! { page => current, pages => pages },
        }),
    )?
    .into_response())
}

async fn team_page(state: &AppState, ctx: &Ctx, errors: &Errors, status: StatusCode) -> PageResult {
    let user = ctx.user()?.clone();
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let load = cw::team_load(&mut tx, team).await.map_err(internal)?;
    let referrals = cw::team_referrals(&mut tx, team, false)
        .await
        .map_err(internal)?;
    let overdue: Vec<SignalView> = cw::overdue_signals(&mut tx, team, &norms, day)
        .await
        .map_err(internal)?
        .iter()
        .map(|s| signal_view(s, &norms, day))
        .collect();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", "*".into())),
            format!("teamoverzicht: {} verwijzingen", referrals.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    #[derive(Serialize)]
    struct Ref {
        id: i64,
        household_id: i64,
        address: String,
        care: String,
        requested_on: String,
        by: String,
        status: String,
        note: String,
        waiting: bool,
    }
    let refs: Vec<Ref> = referrals
        .into_iter()
        .map(|r| Ref {
            id: r.id,
            household_id: r.household_id,
            address: format!("{} {}", r.street, r.house_number),
            care: r.care,
            requested_on: nl_date(r.requested_on),
            by: r.requested_by_name,
            waiting: r.status == "aangevraagd",
            status: r.status,
            note: r.decision_note.unwrap_or_default(),
        })
        .collect();
    let html = render(
        state,
        ctx,
        "casework/team.html",
        "Teamoverzicht",
        Value::from_serialize(context! {
            load => load, referrals => refs, overdue => overdue, errors => errors,
            norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn team(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    team_page(&state, &ctx, &Errors::new(), StatusCode::OK).await
}

pub async fn decide_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = path_id(&id)?;
    let f = form_map(pairs);
    let approve = match field(&f, "besluit") {
        "goedkeuren" => true,
        "afwijzen" => false,
        _ => {
            let mut errors = Errors::new();
            errors.insert(
                format!("besluit_{id}"),
                "Kies goedkeuren of afwijzen.".into(),
            );
            return team_page(&state, &ctx, &errors, StatusCode::BAD_REQUEST).await;
        }
    };
    let result = change::decide_referral(&state, &ctx, id, approve, field(&f, "reden")).await;
    let refusal = match result {
        Ok(_) => return Ok(Redirect::to("/teamoverzicht?opgeslagen=besluit").into_response()),
        Err(ChangeError::Refused(refusal)) => refusal,
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(other) => return Err(AppError::bug(format!("a decision refused as {other:?}")).into()),
    };
    let conflict = is_conflict(&refusal.error);
    let (_, message) = explain(&refusal.error).ok_or_else(|| internal(refusal.error))?;
    let mut errors = Errors::new();
    errors.insert(format!("reden_{id}"), message.clone());
    let status = if conflict {
        // Decided in the meantime: said at the top of the page too.
        errors.insert("_form".into(), message);
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    team_page(&state, &ctx, &errors, status).await
}

// ------------------------------------------------------------------ the dossier

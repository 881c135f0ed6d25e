//! The team's views: search, the caseload, and the team lead's overview with referral decisions.

use super::shared::norms_context;
use super::triage::{signal_view, SignalView};
use crate::casework::change::{self, ChangeError};
use crate::casework::common::{current_norms, explain, internal, is_conflict, SearchAttempt};
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{page_number, path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::{
    AuditAction, AuditOutcome, Bsn, HouseNumber, LadderStep, ParticipationRung, Postcode,
};
use baken_store::audit;
use baken_store::casework::{self as cw, Search};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The household search, by one of: postcode and house number, street (and
/// number), name, or BSN.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SearchQuery {
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    straat: String,
    #[serde(default)]
    huisnummer: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    bsn: String,
}

impl SearchQuery {
    /// What is searched on — the first filled in of BSN, postcode, street and
    /// name — and the query if it parsed, with a Dutch message per field if not.
    fn parse(&self) -> (SearchAttempt, FieldErrors) {
        let mut errors = FieldErrors::new();
        let (postcode, street, number, name, bsn) = (
            self.postcode.trim(),
            self.straat.trim(),
            self.huisnummer.trim(),
            self.naam.trim(),
            self.bsn.trim(),
        );
        let mut house_number = || {
            if number.is_empty() {
                Some(None)
            } else {
                HouseNumber::parse(number)
                    .map(|n| Some(i64::from(n.value())))
                    .map_err(|_| {
                        errors.add("huisnummer", "Vul een huisnummer in (alleen cijfers).")
                    })
                    .ok()
            }
        };
        let on = if !bsn.is_empty() {
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
        let query = match on {
            "bsn" => match Bsn::parse(bsn) {
                Ok(b) => Some(Search::Bsn(b)),
                Err(_) => {
                    errors.add(
                        "bsn",
                        "Dit is geen geldig BSN: 9 cijfers die de elfproef doorstaan.",
                    );
                    None
                }
            },
            "adres" => {
                let n = house_number();
                let p = Postcode::parse(postcode)
                    .map_err(|_| errors.add("postcode", "Vul een postcode in zoals 1234 AB."))
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
                    errors.add("straat", "Vul minstens twee letters van de straatnaam in.");
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
                errors.add("naam", "Vul minstens twee letters van de naam in.");
                None
            }
            _ => None,
        };
        (SearchAttempt { on, query }, errors)
    }
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let (attempt, errors) = query.parse();
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
            q => query, errors => errors, rows => rows, searched => attempt.query.is_some(),
        }),
    )?;
    Ok((status, html).into_response())
}

/// Households per caseload page.
const CASELOAD_PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct CaseloadQuery {
    #[serde(default)]
    pagina: Option<String>,
}

pub async fn caseload(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<CaseloadQuery>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let day = today();
    let page_no = page_number(query.pagina.as_deref());
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
                    Some(households_shown(page.items.iter().map(|r| r.household_id))),
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

/// Everything a team lead needs to decide on a referral, in one place.
#[derive(Serialize)]
struct ApprovalTask {
    /// Per lighter step, why it does not suffice ("Trede 1 – …", reason).
    reasons: Vec<(String, String)>,
    /// The latest measurement: its date, the scores per life domain, the rung.
    measured_on: Option<String>,
    scores: Vec<(String, String)>,
    rung: Option<String>,
    /// Running agreements on steps 1–3: who, what, which step.
    lighter: Vec<(String, String, String)>,
    plan_since: String,
    plan_weeks: i64,
    contact_person: Option<String>,
}

async fn approval_task(
    tx: &mut baken_store::Tx,
    referral: &cw::WaitingReferral,
    day: chrono::NaiveDate,
) -> Result<ApprovalTask, AppError> {
    let case = cw::load_case(tx, referral.household_id)
        .await
        .map_err(internal)?;
    let measurements = cw::measurements(tx, referral.household_id)
        .await
        .map_err(internal)?;
    let coordinator = cw::coordinator(tx, referral.household_id)
        .await
        .map_err(internal)?;
    let plan = case
        .plan(referral.plan_id)
        .ok_or_else(|| AppError::bug(format!("referral {} without its plan", referral.id)))?;
    let reasons = plan
        .referrals()
        .iter()
        .find(|r| r.id() == referral.id)
        .map(|r| {
            r.justification()
                .reasons()
                .map(|(step, reason)| {
                    let name = LadderStep::new(step).map(|s| s.name()).unwrap_or("");
                    (format!("Trede {step} – {name}"), reason.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let latest = measurements.last();
    let lighter = plan
        .agreements()
        .iter()
        .filter(|a| a.is_running() && a.terms().step.value() <= 3)
        .map(|a| {
            let t = a.terms();
            (
                t.actor_name.clone(),
                t.description.clone(),
                format!("{} – {}", t.step.value(), t.step.name()),
            )
        })
        .collect();
    Ok(ApprovalTask {
        reasons,
        measured_on: latest.map(|m| nl_date(m.on)),
        scores: latest
            .map(|m| {
                m.scores
                    .0
                    .iter()
                    .map(|(domain, score)| (domain.label().to_owned(), score.label()))
                    .collect()
            })
            .unwrap_or_default(),
        rung: latest
            .and_then(|m| m.rung)
            .and_then(|r| u8::try_from(r).ok())
            .and_then(|r| ParticipationRung::new(r).ok())
            .map(|r| format!("{} – {}", r.value(), r.name())),
        lighter,
        plan_since: nl_date(plan.opened_on()),
        plan_weeks: (day - plan.opened_on()).num_weeks().max(0),
        contact_person: coordinator.map(|(_, name)| name),
    })
}

async fn team_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &FieldErrors,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let day = today();
    let mut tx = state.db.begin().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let load = cw::team_load(&mut tx, team).await.map_err(internal)?;
    let referrals = cw::team_referrals(&mut tx, team, false)
        .await
        .map_err(internal)?;
    let mut overdue_rows = cw::overdue_signals(&mut tx, team, &norms, day)
        .await
        .map_err(internal)?;
    // The same order as the triage: the latest first.
    overdue_rows.sort_by_key(|s| {
        (
            norms.priority(
                s.reported_on,
                s.urgency(),
                s.first_contact_on,
                s.closed_on,
                day,
            ),
            s.id,
        )
    });
    let overdue: Vec<SignalView> = overdue_rows
        .iter()
        .map(|s| signal_view(s, &norms, day))
        .collect();
    // What the team lead decides on: per waiting referral the household's
    // current scores, its running lighter agreements and the plan's age.
    let mut tasks: BTreeMap<i64, ApprovalTask> = BTreeMap::new();
    for r in referrals.iter().filter(|r| r.status == "aangevraagd") {
        let task = approval_task(&mut tx, r, day).await?;
        tasks.insert(r.id, task);
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(households_shown(
                referrals
                    .iter()
                    .map(|r| r.household_id)
                    .chain(overdue.iter().filter_map(|s| s.household_id)),
            )),
            format!(
                "teamoverzicht: {} verwijzingen, {} ter beoordeling (scores, afspraken, redenen)",
                referrals.len(),
                tasks.len()
            ),
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
        task: Option<ApprovalTask>,
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
            task: tasks.remove(&r.id),
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
            load => load, referrals => refs, overdue => overdue, errors => errors, saved => saved,
            norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn team(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(saved): Query<SavedQuery>,
) -> PageResult {
    let saved = saved.opgeslagen.as_deref() == Some("besluit");
    team_page(&state, &ctx, &FieldErrors::new(), saved, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    /// goedkeuren or afwijzen.
    #[serde(default)]
    besluit: String,
    /// Why (required to reject: the generalist reads it).
    #[serde(default)]
    reden: String,
}

pub async fn decide_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<DecisionForm>,
) -> PageResult {
    let referral = path_id(&id)?;
    let approve = match form.besluit.trim() {
        "goedkeuren" => true,
        "afwijzen" => false,
        _ => {
            let mut errors = FieldErrors::new();
            errors.add(
                format!("besluit_{referral}"),
                "Kies goedkeuren of afwijzen.",
            );
            return team_page(&state, &ctx, &errors, false, StatusCode::BAD_REQUEST).await;
        }
    };
    let result = change::decide_referral(&state, &ctx, referral, approve, form.reden.trim()).await;
    let refusal = match result {
        Ok(_) => return Ok(Redirect::to("/teamoverzicht?opgeslagen=besluit").into_response()),
        Err(ChangeError::Refused(refusal)) => refusal,
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(other) => return Err(AppError::bug(format!("a decision refused as {other:?}")).into()),
    };
    let conflict = is_conflict(&refusal.error);
    let (_, message) = explain(&refusal.error).ok_or_else(|| internal(refusal.error))?;
    let mut errors = FieldErrors::new();
    errors.add(format!("reden_{referral}"), message.clone());
    let status = if conflict {
        // Decided in the meantime: said at the top of the page too.
        errors.add("_form", message);
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    team_page(&state, &ctx, &errors, false, status).await
}

// ------------------------------------------------------------------ the dossier

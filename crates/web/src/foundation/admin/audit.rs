//! `/beheer/audit`: searching the audit log.

use crate::support::choice::choices;
use crate::support::ctx::Ctx;
use crate::support::form::{page_number, FieldErrors};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::audit::AuditFilter;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    gebruiker: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default, skip_serializing)]
    pagina: Option<String>,
}

#[derive(Serialize)]
struct AuditView {
    seq: i64,
    at: String,
    who: String,
    client_addr: String,
    action: String,
    outcome: String,
    object: String,
    route: String,
    detail: String,
}

fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

impl TryFrom<&AuditQuery> for AuditFilter {
    type Error = FieldErrors;

    /// The search the filter form asks for; an empty field filters nothing.
    fn try_from(q: &AuditQuery) -> Result<AuditFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut filter = AuditFilter {
            username: Some(q.gebruiker.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()),
            ..AuditFilter::default()
        };
        match q.actie.trim() {
            "" => {}
            a => match AuditAction::parse(a) {
                Some(a) => filter.action = Some(a.as_str().to_owned()),
                None => errors.add("actie", "Kies een actie uit de lijst."),
            },
        }
        match q.uitkomst.trim() {
            "" => {}
            o => match AuditOutcome::parse(o) {
                Some(o) => filter.outcome = Some(o.as_str().to_owned()),
                None => errors.add("uitkomst", "Kies een uitkomst uit de lijst."),
            },
        }
        if !q.object.trim().is_empty() {
            match q.object.trim().split_once(':') {
                Some((t, id)) if !t.is_empty() && !id.is_empty() => {
                    filter.object_type = Some(t.trim().to_owned());
                    filter.object_id = Some(id.trim().to_owned());
                }
                _ => errors.add(
                    "object",
                    "Schrijf het object als soort:nummer, bijvoorbeeld household:12.",
                ),
            }
        }
        if !q.van.trim().is_empty() {
            match parse_day(&q.van) {
                Some(d) => filter.from = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
                None => errors.add("van", "Vul een datum in als jjjj-mm-dd."),
            }
        }
        if !q.tot.trim().is_empty() {
            match parse_day(&q.tot) {
                Some(d) => {
                    filter.until = d
                        .succ_opt()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(|t| t.and_utc())
                }
                None => errors.add("tot", "Vul een datum in als jjjj-mm-dd."),
            }
        }
        if let (Some(from), Some(until)) = (filter.from, filter.until) {
            if until <= from {
                errors.add("tot", "De einddatum ligt vóór de begindatum.");
            }
        }
        errors.or_ok(filter)
    }
}

pub async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let page_no = page_number(q.pagina.as_deref());
    // With a wrong filter nothing is searched (and so nothing is audited): the
    // form comes back with the messages.
    let filter = AuditFilter::try_from(&q);
    let page = if let Ok(filter) = &filter {
        let mut tx = state.db.begin().await?;
        let page = audit::search(&mut tx, filter, page_no, 50).await?;
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Search,
                AuditOutcome::Success,
                Some(("audit_log", "*".into())),
                format!("resultaten={}", page.total),
            ),
        )
        .await?;
        tx.commit().await?;
        page
    } else {
        baken_store::Page {
            items: Vec::new(),
            total: 0,
            page: 1,
            page_size: 50,
        }
    };
    let items: Vec<AuditView> = page
        .items
        .iter()
        .map(|r| AuditView {
            seq: r.seq,
            // Dutch local time (Europe/Amsterdam), as every other page shows it.
            at: crate::support::time::nl_local(r.at)
                .format("%d-%m-%Y %H:%M:%S")
                .to_string(),
            who: match (&r.username, &r.role) {
                (Some(u), Some(role)) => format!("{u} ({role})"),
                (Some(u), None) => u.clone(),
                _ => "anoniem".into(),
            },
            client_addr: r.client_addr.clone(),
            action: baken_domain::AuditAction::parse(&r.action)
                .map(|a| a.label())
                .unwrap_or(&r.action)
                .to_owned(),
            outcome: baken_domain::AuditOutcome::parse(&r.outcome)
                .map(|o| o.label())
                .unwrap_or(&r.outcome)
                .to_owned(),
            object: match (&r.object_type, &r.object_id) {
                (Some(t), Some(i)) => format!("{t}:{i}"),
                _ => String::new(),
            },
            route: r.route.clone(),
            detail: r.detail.clone(),
        })
        .collect();
    let actions = choices(&AuditAction::ALL, AuditAction::as_str, AuditAction::label);
    let outcomes = choices(
        &AuditOutcome::ALL,
        AuditOutcome::as_str,
        AuditOutcome::label,
    );
    let pager_base = format!(
        "/beheer/audit?{}&",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    );
    let (status, errors) = match filter {
        Ok(_) => (StatusCode::OK, FieldErrors::new()),
        Err(errors) => (StatusCode::BAD_REQUEST, errors),
    };
    let html = render(
        &state,
        &ctx,
        "foundation/admin/audit.html",
        "Auditlog",
        Value::from_serialize(context! {
            page => context! { items => items, total => page.total, page => page.page, pages => page.pages() },
            filter => q, errors => errors, actions => actions, outcomes => outcomes, pager_base => pager_base,
        }),
    )?;
    Ok((status, html).into_response())
}

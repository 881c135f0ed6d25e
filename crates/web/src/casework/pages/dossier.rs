//! `/dossier/{id}`: a household's dossier with its plan and charts, and how a
//! change made from one of its forms is answered (back to the dossier, or the
//! dossier again with the refused form).

use super::shared::choice_lists;
use super::triage::{signal_view, SignalView};
use crate::casework::change::{ChangeError, Changed, Row};
use crate::casework::common::{current_norms, explain, internal, is_conflict};
use crate::support::audit::audited_household_read;
use crate::support::choice::choices;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::{
    timeline_for, ContactKind, EventKind, LifeDomain, PlanFlag, ReferralStatus, ResponseNorms,
    TimelineEntry, Viewer,
};
use baken_domain::{AuditAction, ParticipationRung, Role};
use baken_store::areas::Provider;
use baken_store::casework::{self as cw, CaseError};
use baken_store::contracting as ct;
use baken_store::households::Household;
use baken_store::{areas, timeline, StoreError, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Point {
    x: i64,
    y: i64,
    label: String,
}

/// A chart as coordinates for an inline SVG (480 × 200, plot from y 170 for
/// `lo` up to y 20 for `hi`): the points, the polyline, and the grid values.
#[derive(Serialize)]
struct Chart {
    points: Vec<Point>,
    line: String,
    grid: Vec<(i64, i64)>,
}

fn chart(values: &[(chrono::NaiveDate, f64, String)], lo: f64, hi: f64) -> Chart {
    let n = values.len().max(1) as i64;
    let y = |v: f64| 170 - ((v - lo) * 150.0 / (hi - lo)).round() as i64;
    let points: Vec<Point> = values
        .iter()
        .enumerate()
        .map(|(i, (on, v, label))| Point {
            x: if n == 1 {
                250
            } else {
                50 + i as i64 * 400 / (n - 1)
            },
            y: y(*v),
            label: format!("{}: {label}", nl_date(*on)),
        })
        .collect();
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let grid = (lo as i64..=hi as i64).map(|v| (v, y(v as f64))).collect();
    Chart { points, line, grid }
}

/// Mean self-reliance (1–5) and the participation rung (1–6) over time.
fn charts(ms: &[cw::Measurement]) -> (Chart, Chart) {
    let means: Vec<(chrono::NaiveDate, f64, String)> = ms
        .iter()
        .filter_map(|m| {
            let v = m.scores.mean()?;
            Some((m.on, v, format!("{v:.1}").replace('.', ",")))
        })
        .collect();
    let rungs: Vec<(chrono::NaiveDate, f64, String)> = ms
        .iter()
        .filter_map(|m| {
            let r = ParticipationRung::new(u8::try_from(m.rung?).ok()?).ok()?;
            Some((
                m.on,
                f64::from(r.value()),
                format!("trede {} ({})", r.value(), r.name()),
            ))
        })
        .collect();
    (chart(&means, 1.0, 5.0), chart(&rungs, 1.0, 6.0))
}

/// How many rows the conversation form shows of each kind: needs, network
/// members, consents. The form itself says how many it had and whether one
/// more was asked for (`pages::conversation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConversationRows {
    pub needs: usize,
    pub network: usize,
    pub consents: usize,
}

impl ConversationRows {
    /// The rows of an empty form.
    pub(crate) const DEFAULT: ConversationRows = ConversationRows {
        needs: 3,
        network: 5,
        consents: 2,
    };
    /// No form grows beyond this many rows of a kind.
    pub(crate) const MAX: usize = 20;
}

impl Default for ConversationRows {
    fn default() -> Self {
        ConversationRows::DEFAULT
    }
}

/// A dossier form as the user typed it, shown again when it was refused or
/// grew a row: its controls by name (and `_saved`/`_more` notices), and the
/// rows of the conversation form.
pub(crate) struct Typed {
    pub form: Value,
    pub rows: ConversationRows,
}

impl Typed {
    /// No form typed: the dossier as it is.
    pub(crate) fn none() -> Typed {
        Typed {
            form: context! {},
            rows: ConversationRows::default(),
        }
    }

    /// A typed form (a serde struct whose fields are named as its controls).
    pub(crate) fn of(form: &impl Serialize) -> Typed {
        Typed {
            form: Value::from_serialize(form),
            rows: ConversationRows::default(),
        }
    }
}

#[derive(Serialize)]
struct ProviderOpt {
    id: i64,
    name: String,
}

fn provider_opts(providers: &[Provider]) -> Vec<ProviderOpt> {
    providers
        .iter()
        .map(|p| ProviderOpt {
            id: p.id,
            name: p.name.clone(),
        })
        .collect()
}

/// Everything the dossier shows of one household, as read in its audited
/// transaction. Turning it into a page ([`dossier_context`]) happens after that
/// transaction, so the shared transaction of audited reads holds only the queries.
struct DossierData {
    case: baken_domain::casework::HouseholdCase,
    coordinator: Option<String>,
    /// The hand-overs of the contact person, newest first.
    hand_overs: Vec<cw::HandOverRow>,
    signals: Vec<cw::SignalRow>,
    conversations: Vec<cw::ConversationRow>,
    needs: Vec<cw::NeedRow>,
    network: Vec<cw::NetworkRow>,
    consents: Vec<timeline::ConsentGrant>,
    /// Every event of the household's timeline (the team sees all of it).
    timeline: Vec<TimelineEntry>,
    conferences: Vec<baken_store::conference::ConferenceRow>,
    measurements: Vec<cw::Measurement>,
    /// For the plan shown (the open one, or the last): history, progress, version.
    plan: Option<(Vec<cw::HistoryRow>, Vec<cw::ProgressRow>, i64)>,
}

async fn load_dossier(tx: &mut Tx, h: &Household) -> Result<DossierData, AppError> {
    let read = cw::read_case(tx, h.id).await.map_err(internal)?;
    let signals = cw::household_signals(tx, h.id).await.map_err(internal)?;
    let hand_overs = cw::hand_overs(tx, h.id).await.map_err(internal)?;
    let conversations = cw::conversations(tx, h.id).await.map_err(internal)?;
    let needs = cw::needs(tx, h.id).await.map_err(internal)?;
    let network = cw::network(tx, h.id).await.map_err(internal)?;
    let consents = timeline::consent_grants(tx, h.id).await.map_err(internal)?;
    let events = timeline::timeline(tx, h.id).await.map_err(internal)?;
    let conferences = baken_store::conference::conferences(tx, h.id)
        .await
        .map_err(internal)?;
    let measurements = cw::measurements(tx, h.id).await.map_err(internal)?;
    let case = &read.case;
    let plan = match case.open_plan().or(case.plans().last()).map(|p| p.id()) {
        None => None,
        Some(id) => Some((
            cw::history(tx, id).await.map_err(internal)?,
            cw::progress(tx, id).await.map_err(internal)?,
            read.plan_version(id).ok_or_else(|| {
                internal(cw::CaseError::Store(StoreError::NotFound(format!(
                    "plan {id}"
                ))))
            })?,
        )),
    };
    Ok(DossierData {
        case: read.case,
        coordinator: read.coordinator_name,
        hand_overs,
        signals,
        conversations,
        needs,
        network,
        consents,
        timeline: events,
        conferences,
        measurements,
        plan,
    })
}

/// The dossier page's values. `norms` and `providers` are not a household's
/// data: they are read outside the audited transaction.
fn dossier_context(
    h: &Household,
    data: DossierData,
    norms: &ResponseNorms,
    providers: &[baken_store::areas::Provider],
    day: chrono::NaiveDate,
    rows: ConversationRows,
) -> Value {
    let DossierData {
        case,
        coordinator,
        hand_overs,
        signals,
        conversations,
        needs,
        network,
        consents,
        timeline: events,
        conferences,
        measurements: ms,
        plan: plan_rows,
    } = data;
    let events: Vec<Value> = timeline_for(&events, Viewer::Team)
        .into_iter()
        .map(|e| {
            Value::from_serialize(context! {
                on => nl_date(e.on), title => e.title, who => e.who, note => e.note,
                contact => matches!(e.kind, EventKind::Contact(_)),
                report => matches!(e.kind, EventKind::ProviderReport { .. }),
            })
        })
        .collect();
    let signals: Vec<SignalView> = signals.iter().map(|s| signal_view(s, norms, day)).collect();
    let (score_chart, rung_chart) = charts(&ms);
    #[derive(Serialize)]
    struct ScoreRow {
        domain: String,
        code: String,
        first: String,
        last: String,
    }
    let score_rows: Vec<ScoreRow> = LifeDomain::ALL
        .iter()
        .map(|d| ScoreRow {
            domain: d.label().to_owned(),
            code: d.as_str().to_owned(),
            first: ms
                .first()
                .and_then(|m| m.scores.0.get(d))
                .map(|s| s.label())
                .unwrap_or_default(),
            last: ms
                .last()
                .filter(|_| ms.len() > 1)
                .and_then(|m| m.scores.0.get(d))
                .map(|s| s.label())
                .unwrap_or_default(),
        })
        .collect();
    let measurements: Vec<Value> = ms
        .iter()
        .map(|m| {
            Value::from_serialize(context! {
                on => nl_date(m.on), source => m.source,
                mean => m.scores.mean().map(|v| format!("{v:.1}").replace('.', ",")).unwrap_or_else(|| "–".into()),
                rung => m.rung.and_then(|r| u8::try_from(r).ok()).and_then(|r| ParticipationRung::new(r).ok()).map(|r| format!("{} – {}", r.value(), r.name())).unwrap_or_default(),
            })
        })
        .collect();
    let plan_value = match case.open_plan().or(case.plans().last()) {
        None => Value::from(()),
        Some(p) => {
            let refs = p.referrals();
            let (history, progress, version) = plan_rows.unwrap_or_default();
            let flags = p.flags(day);
            let goals: Vec<Value> = p
                .goals()
                .iter()
                .map(|g| {
                    Value::from_serialize(context! {
                        id => g.id(), domain => g.domain().label(), description => g.description(), measure => g.measure(),
                        target => nl_date(g.target_date()), term => g.term().label(),
                        outcome => g.result().map(|r| format!("{} op {}{}", r.outcome.label(), nl_date(r.on), if r.note.is_empty() { String::new() } else { format!(": {}", r.note) })),
                        due => flags.iter().any(|f| matches!(f, PlanFlag::GoalEvaluationDue { goal_id, .. } if *goal_id == g.id())),
                    })
                })
                .collect();
            let agreements: Vec<Value> = p
                .agreements()
                .iter()
                .map(|a| {
                    let t = a.terms();
                    Value::from_serialize(context! {
                        id => a.id(), actor => t.actor.label(), name => t.actor_name, what => t.description,
                        provider => t.provider_id.is_some(),
                        step => format!("{} – {}", t.step.value(), t.step.name()), form => t.form.label(),
                        frequency => t.frequency, start => nl_date(t.start), end => t.end_date.map(nl_date),
                        own => t.own_contribution, running => a.is_running(), ended => a.ended_on().map(nl_date),
                        withdrawn => a.withdrawal_reason(),
                        evaluated => a.last_evaluated().map(nl_date),
                        professional => t.is_professional(),
                        overdue => a.evaluation_overdue(day),
                        goal => p.goal(t.goal_id).map(|g| g.description().to_owned()),
                        reasons => t.justification.as_ref().map(|j| j.reasons().map(|(s, r)| format!("Trede {s}: {r}")).collect::<Vec<_>>()),
                    })
                })
                .collect();
            let referrals: Vec<Value> = refs
                .iter()
                .map(|r| {
                    let (status, note) = match r.status() {
                        ReferralStatus::Pending => ("wacht op de teamleider".to_owned(), String::new()),
                        ReferralStatus::Approved { on, note, .. } => (format!("goedgekeurd op {}", nl_date(*on)), note.clone()),
                        ReferralStatus::Rejected { on, reason, .. } => (format!("afgewezen op {}", nl_date(*on)), reason.clone()),
                    };
                    let reasons: Vec<String> = r.justification().reasons().map(|(s, reason)| format!("Trede {s}: {reason}")).collect();
                    Value::from_serialize(context! { id => r.id(), care => r.care(), requested => nl_date(r.requested_on()), status => status, note => note, approved => r.is_approved(), reasons => reasons })
                })
                .collect();
            let approved: Vec<(i64, String)> = refs
                .iter()
                .filter(|r| r.is_approved())
                .map(|r| (r.id(), r.care().to_owned()))
                .collect();
            let history: Vec<(String, String, String)> = history
                .into_iter()
                .map(|h| {
                    (
                        crate::support::time::nl_local(h.at)
                            .format("%d-%m-%Y %H:%M")
                            .to_string(),
                        h.username,
                        h.change,
                    )
                })
                .collect();
            let progress: Vec<(String, String)> = progress
                .into_iter()
                .map(|p| {
                    (
                        crate::support::time::nl_local(p.at)
                            .format("%d-%m-%Y")
                            .to_string(),
                        p.note,
                    )
                })
                .collect();
            Value::from_serialize(context! {
                id => p.id(), open => p.is_open(), opened => nl_date(p.opened_on()), version => version,
                closed => match p.status() { baken_domain::casework::PlanStatus::Closed { on, reason } => Some(format!("{} – {}", nl_date(*on), reason)), _ => None },
                goals => goals, agreements => agreements, referrals => referrals, approved => approved,
                history => history, progress => progress, flagged => !flags.is_empty(),
                running => p.agreements().iter().any(|a| a.is_running()),
                overdue_agreements => flags.iter().filter(|f| matches!(f, PlanFlag::AgreementEvaluationOverdue { .. })).count(),
            })
        }
    };
    let conferences: Vec<Value> = conferences
        .into_iter()
        .map(|c| {
            Value::from_serialize(context! {
                id => c.id, coordinator => c.coordinator, planned => nl_date(c.planned_on),
                planned_iso => c.planned_on.to_string(), held => c.held_on.map(nl_date),
                invitees => c.invitees,
            })
        })
        .collect();
    let mut network_names: Vec<String> = Vec::new();
    for member in &network {
        if !network_names.contains(&member.name) {
            network_names.push(member.name.clone());
        }
    }
    let needs: Vec<(i64, String, String)> = needs
        .into_iter()
        .map(|n| {
            (
                n.conversation_id,
                LifeDomain::parse(&n.domain)
                    .map(|d| d.label())
                    .unwrap_or("")
                    .to_owned(),
                n.need,
            )
        })
        .collect();
    let consents: Vec<Value> = consents
        .into_iter()
        .map(|c| {
            Value::from_serialize(context! {
                id => c.id, organisation => c.organisation, provider => c.provider_id.is_some(), purpose => c.purpose_text,
                until => nl_date(c.until), holds => c.holds_on(day),
                withdrawn => c.withdrawn_at.map(|at| crate::support::time::nl_local(at).format("%d-%m-%Y").to_string()),
                reason => c.withdrawal_reason,
            })
        })
        .collect();
    // What a new consent for a provider can cover: the running agreements a
    // provider carries out, and the open plan's referrals.
    /// (id, what it is) of an agreement or referral a consent can cover.
    type Coverable = Vec<(i64, String)>;
    let (consent_agreements, consent_referrals): (Coverable, Coverable) = match case.open_plan() {
        Some(p) => (
            p.agreements()
                .iter()
                .filter(|a| a.is_running() && a.terms().provider_id.is_some())
                .map(|a| {
                    (
                        a.id(),
                        format!("{} ({})", a.terms().description, a.terms().actor_name),
                    )
                })
                .collect(),
            p.referrals()
                .iter()
                .map(|r| (r.id(), r.care().to_owned()))
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let conversations: Vec<Value> = conversations
        .into_iter()
        .map(|c| Value::from_serialize(context! { id => c.id, held => nl_date(c.held_on), question => c.presented_question, differs => c.need_differs, strengths => c.strengths, wishes => c.wishes, by => c.by_name }))
        .collect();
    let form_rows = context! {
        needs => (1..=rows.needs).collect::<Vec<_>>(),
        network => (1..=rows.network).collect::<Vec<_>>(),
        consents => (1..=rows.consents).collect::<Vec<_>>(),
    };
    Value::from_serialize(context! {
        household => context! { id => h.id, address => h.street_address(), postcode => h.postcode, city => h.city },
        coordinator => coordinator, signals => signals,
        hand_overs => hand_overs.iter().map(|h| (nl_date(h.handed_over_on), h.from_name.clone(), h.to_name.clone(), h.reason.clone(), h.by_name.clone())).collect::<Vec<_>>(), conversations => conversations, needs => needs,
        network => network, consents => consents, measurements => measurements, score_rows => score_rows,
        score_chart => score_chart, rung_chart => rung_chart, plan => plan_value, today => day.to_string(),
        can_open_plan => case.open_plan().is_none() && case.coordinator().is_some(),
        providers => provider_opts(providers), rows => form_rows,
        timeline => events, contact_kinds => choices(&ContactKind::ALL, ContactKind::as_str, ContactKind::label),
        consent_agreements => consent_agreements, consent_referrals => consent_referrals,
        conferences => conferences, network_names => network_names,
        family_rows => (1..=crate::casework::common::FAMILY_PLAN_ROWS).collect::<Vec<_>>(),
    })
}

pub(crate) async fn dossier_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: &FieldErrors,
    typed: Typed,
    status: StatusCode,
    audit_detail: &str,
) -> PageResult {
    let user = ctx.user()?.clone();
    let detail = if audit_detail.is_empty() {
        "dossier opnieuw getoond".to_owned()
    } else {
        audit_detail.to_owned()
    };
    let (h, data) = audited_household_read(
        state,
        ctx,
        user.scope(),
        id,
        AuditAction::Read,
        "casework",
        move |tx, h| {
            Box::pin(async move {
                let dossier = load_dossier(tx, h).await?;
                // Commissioning: the household's toewijzingen with the provider's
                // start and stop, and the referrals that name a product.
                let toewijzingen = ct::household_toewijzingen(tx, h.id).await?;
                let referral_products = ct::household_referral_products(tx, h.id).await?;
                Ok(((dossier, toewijzingen, referral_products), detail))
            })
        },
    )
    .await?;
    let (data, toewijzingen, referral_products) = data;
    let (norms, providers, products, team_generalists) = {
        let mut tx = state.db.lookup().await?;
        let (norms, _) = current_norms(&mut tx).await?;
        let team_generalists = match h.team_id {
            Some(team) => cw::team_generalists(&mut tx, team).await?,
            None => Vec::new(),
        };
        (
            norms,
            areas::providers(&mut tx).await?,
            ct::products(&mut tx).await?,
            team_generalists,
        )
    };
    // The team lead and the contact person may hand the household over
    // (`HouseholdCase::hand_over` decides; this only offers the form).
    let contact_person = data.case.coordinator();
    let may_hand_over = contact_person.is_some()
        && (user.user.role == Role::Teamleider || contact_person == Some(user.user.id));
    let hand_over = context! {
        may => may_hand_over,
        colleagues => team_generalists.into_iter().filter(|(id, _)| Some(*id) != contact_person).collect::<Vec<_>>(),
    };
    let toewijzingen: Vec<Value> = toewijzingen
        .iter()
        .map(|t| {
            Value::from_serialize(context! {
                number => t.number, product => t.product_name, provider => t.provider_name,
                start => nl_date(t.start_date), end => t.end_date.map(nl_date), scope => t.scope_text(),
                delivery => t.delivery().unwrap_or_else(|| "nog niet gestart".into()),
            })
        })
        .collect();
    let products: Vec<(i64, String)> = products
        .into_iter()
        // Maatwerk (step 4 or 5) with a toewijzing per resident; a
        // taakgericht product is paid to the provider as a lump sum.
        .filter(|p| p.step >= 4 && p.variant != "taakgericht")
        .map(|p| {
            (
                p.id,
                format!("{} ({}/{}, trede {})", p.name, p.category, p.code, p.step),
            )
        })
        .collect();
    let data = dossier_context(&h, data, &norms, &providers, today(), typed.rows);
    let html = render(
        state,
        ctx,
        "casework/dossier.html",
        &format!("Dossier {}", h.street_address()),
        Value::from_serialize(context! {
            errors => errors, form => typed.form, choices => choice_lists(),
            toewijzingen => toewijzingen, referral_products => referral_products,
            products => products, hand_over => hand_over,
            // The household's carers page, for whom may register carers there.
            may_register_carers => user.user.role.may(baken_domain::Permission::RegisterCarer),
            ..data
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct DossierQuery {
    /// Which form was just saved (its anchor): the page says so.
    #[serde(default)]
    opgeslagen: Option<String>,
}

pub async fn dossier(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<DossierQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let typed = match query.opgeslagen {
        Some(anchor) => Typed {
            form: context! { _saved => anchor.chars().take(30).collect::<String>() },
            rows: ConversationRows::default(),
        },
        None => Typed::none(),
    };
    dossier_page(
        &state,
        &ctx,
        id,
        &FieldErrors::new(),
        typed,
        StatusCode::OK,
        "dossier ingezien",
    )
    .await
}

/// A dossier form that did not parse: the dossier again (400) with the
/// messages next to the fields, the form as typed and its section open.
pub(crate) async fn refused_form(
    state: &AppState,
    ctx: &Ctx,
    household: i64,
    mut errors: FieldErrors,
    typed: Typed,
    anchor: &str,
) -> PageResult {
    errors.add("_which", anchor);
    dossier_page(
        state,
        ctx,
        household,
        &errors,
        typed,
        StatusCode::BAD_REQUEST,
        "",
    )
    .await
}

/// The page's answer to a change made from the dossier: back to the dossier at
/// the form's anchor, or — refused — the dossier again with the Dutch message
/// next to its field (409 for a conflict, 400 otherwise) and the form as typed.
/// `field_of` may place a rule's message next to another control than the
/// rule's own (a form's own names for its dates); a refused row goes next to
/// that row.
pub(crate) async fn answer_change<T>(
    state: &AppState,
    ctx: &Ctx,
    result: Result<Changed<T>, ChangeError>,
    typed: Typed,
    anchor: &str,
    field_of: impl FnOnce(&CaseError) -> Option<String>,
) -> PageResult {
    let (household, field, message, status) = match result {
        Ok(changed) => {
            return Ok(Redirect::to(&format!(
                "/dossier/{}?opgeslagen={anchor}#{anchor}",
                changed.household
            ))
            .into_response())
        }
        Err(ChangeError::Refused(refusal)) => {
            let Some((rule_field, message)) = explain(&refusal.error) else {
                return Err(internal(refusal.error).into());
            };
            let status = if is_conflict(&refusal.error) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            let field = field_of(&refusal.error)
                .or_else(|| refusal.row.map(row_control))
                .unwrap_or(rule_field);
            (refusal.household, field, message, status)
        }
        Err(ChangeError::NoSuchProvider { household, row, .. }) => {
            let field = match row {
                Some(row) => format!("{}_aanbieder", row_control(row)),
                None if anchor == "toestemming" => "tm_aanbieder".to_owned(),
                None => "aanbieder".to_owned(),
            };
            let message = "Kies een aanbieder uit de lijst van de sociale kaart.".to_owned();
            (household, field, message, StatusCode::BAD_REQUEST)
        }
        Err(ChangeError::Failed(e)) => return Err(e.into()),
        Err(
            other @ (ChangeError::NotTeamGeneralist
            | ChangeError::NotTriaged
            | ChangeError::SignalRefused(_)),
        ) => return Err(AppError::bug(format!("a dossier change refused as {other:?}")).into()),
    };
    let mut errors = FieldErrors::new();
    errors.add(field, message);
    errors.add("_which", anchor);
    dossier_page(state, ctx, household, &errors, typed, status, "").await
}

/// The control (or group of controls) of a row in the dossier's forms.
fn row_control(row: Row) -> String {
    match row {
        Row::Need(i) => format!("behoefte{i}"),
        Row::Network(i) => format!("netwerk{i}"),
        Row::Consent(i) => format!("toestemming{i}"),
        Row::Agreement(id) => format!("afspraak_{id}_tot"),
    }
}

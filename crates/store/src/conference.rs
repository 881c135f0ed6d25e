//! The Eigen Kracht-conferentie as a step in the plan: the request (a step-2
//! agreement for the coordinator, the household's consent covering exactly
//! that agreement and the network, the invitees), and afterwards the family
//! plan's agreements, entered in one go. The rules are the domain's
//! ([`baken_domain::casework::conference`]); callers write the audit entry in
//! the same transaction.

use crate::casework::{add_agreement, end_agreement, plan_version, PlanRef, Result, Who};
use crate::{exec, now, timeline, with_conn, StoreError, Tx};
use baken_domain::casework::{ConferenceError, ConferenceRequest, Invitee, NewAgreement};
use chrono::NaiveDate;

/// How long the consent for the coordinator holds after the conference day.
pub const CONSENT_DAYS_AFTER: i64 = 90;

/// A conference as read back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConferenceRow {
    pub id: i64,
    pub plan_id: i64,
    pub agreement_id: i64,
    pub coordinator: String,
    pub planned_on: NaiveDate,
    pub held_on: Option<NaiveDate>,
    pub invitees: Vec<Invitee>,
}

/// Asks for a conference in the plan: the coordinator's step-2 agreement under
/// `goal_id`, the consent for the coordinator, the conference and its
/// invitees. Returns the conference's id.
#[allow(clippy::too_many_arguments)]
pub async fn request_conference(
    tx: &mut Tx,
    household_id: i64,
    plan_id: i64,
    version: i64,
    request: &ConferenceRequest,
    coordinator_name: &str,
    goal_id: i64,
    today: NaiveDate,
    who: &Who,
) -> Result<i64> {
    let plan = PlanRef::in_household(household_id, plan_id);
    let agreement = request.agreement(goal_id, coordinator_name, today);
    let agreement_id = add_agreement(tx, plan, version, &agreement, who).await?;
    let consent_id = timeline::give_consent(
        tx,
        household_id,
        request.coordinator_id(),
        coordinator_name,
        &ConferenceRequest::consent_purpose(agreement_id),
        today,
        request.planned_on() + chrono::Duration::days(CONSENT_DAYS_AFTER),
    )
    .await?;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_conferences (plan_id, agreement_id, consent_id, coordinator_id, planned_on, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id"
    )
    .bind(plan_id)
    .bind(agreement_id)
    .bind(consent_id)
    .bind(request.coordinator_id())
    .bind(request.planned_on())
    .bind(who.user_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    for invitee in request.invitees() {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO cw_conference_invitees (conference_id, name, relation) VALUES ($1,$2,$3)"
        )
        .bind(id)
        .bind(&invitee.name)
        .bind(&invitee.relation)
        .execute(&mut *c)
        .await)?;
    }
    Ok(id)
}

/// The household's conferences, oldest first.
pub async fn conferences(tx: &mut Tx, household_id: i64) -> Result<Vec<ConferenceRow>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, i64, i64, String, NaiveDate, Option<NaiveDate>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT f.id, f.plan_id, f.agreement_id, o.name, f.planned_on, f.held_on FROM cw_conferences f \
             JOIN cw_plans p ON p.id = f.plan_id JOIN providers o ON o.id = f.coordinator_id \
             WHERE p.household_id = $1 ORDER BY f.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    let invited: Vec<(i64, String, String)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT i.conference_id, i.name, i.relation FROM cw_conference_invitees i \
             JOIN cw_conferences f ON f.id = i.conference_id JOIN cw_plans p ON p.id = f.plan_id \
             WHERE p.household_id = $1 ORDER BY i.name",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(id, plan_id, agreement_id, coordinator, planned_on, held_on)| ConferenceRow {
                id,
                plan_id,
                agreement_id,
                coordinator,
                planned_on,
                held_on,
                invitees: invited
                    .iter()
                    .filter(|(c, _, _)| *c == id)
                    .map(|(_, name, relation)| Invitee {
                        name: name.clone(),
                        relation: relation.clone(),
                    })
                    .collect(),
            },
        )
        .collect())
}

/// The conference `conference_id` of the household, if it has one by that id.
pub async fn conference(
    tx: &mut Tx,
    household_id: i64,
    conference_id: i64,
) -> Result<Option<ConferenceRow>> {
    Ok(conferences(tx, household_id)
        .await?
        .into_iter()
        .find(|c| c.id == conference_id))
}

/// Enters the family plan of a conference that was held on `held_on`: every
/// agreement (checked by the domain first), the coordinator's agreement ended
/// that day, and the conference marked held — all in the caller's transaction,
/// so all or nothing. `version` is the plan's version the user saw.
#[allow(clippy::too_many_arguments)]
pub async fn record_family_plan(
    tx: &mut Tx,
    household_id: i64,
    conference: &ConferenceRow,
    version: i64,
    agreements: &[NewAgreement],
    held_on: NaiveDate,
    today: NaiveDate,
    who: &Who,
) -> Result<Vec<i64>> {
    let plan = PlanRef::in_household(household_id, conference.plan_id);
    let n = exec!(tx, |c| sqlx::query(
        "UPDATE cw_conferences SET held_on = $1 WHERE id = $2 AND held_on IS NULL"
    )
    .bind(held_on)
    .bind(conference.id)
    .execute(&mut *c)
    .await)?;
    if n != 1 {
        return Err(ConferenceError::AlreadyEntered.into());
    }
    let mut version = version;
    let mut ids = Vec::with_capacity(agreements.len());
    for a in agreements {
        ids.push(add_agreement(tx, plan, version, a, who).await?);
        version = plan_version(tx, conference.plan_id).await?;
    }
    let running: Option<(Option<NaiveDate>,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT ended_on FROM cw_agreements WHERE id = $1"
    )
    .bind(conference.agreement_id)
    .fetch_optional(&mut *c)
    .await)?;
    match running {
        Some((None,)) => {
            end_agreement(
                tx,
                plan,
                version,
                conference.agreement_id,
                held_on,
                today,
                who,
            )
            .await?
        }
        Some((Some(_),)) => {}
        None => {
            return Err(StoreError::Corrupt(format!(
                "conference {} without its agreement",
                conference.id
            ))
            .into())
        }
    }
    Ok(ids)
}

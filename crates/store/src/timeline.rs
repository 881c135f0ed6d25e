//! A household's timeline (contact moments and the plan's events), consents
//! with a purpose, and providers' reports on their own agreements.
//!
//! Who sees what is the domain's rule ([`baken_domain::casework::timeline_for`],
//! [`baken_domain::casework::provider_view`]); this module reads the rows those
//! rules take and writes what they allow. Callers write the audit entry in the
//! same transaction.

use crate::casework::{CaseError, Hit, Result};
use crate::{exec, now, with_conn, StoreError, Tx};
use baken_domain::casework::{
    provider_view as domain_provider_view, AgreementReport, ConsentPurpose, ContactKind,
    ContactMoment, EventKind, Grant, ProviderView, PurposeDraft, SharedAgreement, TimelineEntry,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- contact moments

/// Records a contact moment with the household.
pub async fn add_contact_moment(
    tx: &mut Tx,
    household_id: i64,
    moment: &ContactMoment,
    user_id: i64,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_contact_moments (household_id, held_on, kind, who, note, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id"
    )
    .bind(household_id)
    .bind(moment.held_on())
    .bind(moment.kind().as_str())
    .bind(moment.who())
    .bind(moment.note())
    .bind(user_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Every event of the household's casework as the team sees it, in no
/// particular order: `timeline_for` sorts it and decides what a viewer sees.
pub async fn timeline(tx: &mut Tx, household_id: i64) -> Result<Vec<TimelineEntry>> {
    let mut entries = Vec::new();
    let contacts: Vec<(NaiveDate, String, String, String, String)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT m.held_on, m.kind, m.who, m.note, u.display_name FROM cw_contact_moments m \
             JOIN users u ON u.id = m.created_by WHERE m.household_id = $1 ORDER BY m.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    for (on, kind, who, note, by) in contacts {
        let kind = ContactKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("contact kind {kind}")))?;
        entries.push(TimelineEntry {
            on,
            kind: EventKind::Contact(kind),
            title: kind.label().to_owned(),
            who: format!("{who} (vastgelegd door {by})"),
            note,
        });
    }
    #[allow(clippy::type_complexity)]
    let agreements: Vec<(
        NaiveDate,
        Option<NaiveDate>,
        String,
        String,
        i64,
        Option<String>,
    )> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT a.start_on, a.ended_on, a.description, a.actor_name, a.step, a.withdrawal_reason \
             FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id WHERE p.household_id = $1 ORDER BY a.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    for (start, ended, what, actor, step, withdrawal) in agreements {
        entries.push(TimelineEntry {
            on: start,
            kind: EventKind::AgreementMade,
            title: format!("Afspraak (trede {step}): {what}"),
            who: actor.clone(),
            note: String::new(),
        });
        match (ended, withdrawal) {
            (Some(on), Some(reason)) => entries.push(TimelineEntry {
                on,
                kind: EventKind::AgreementWithdrawn,
                title: format!("Afspraak vervallen: {what}"),
                who: actor,
                note: reason,
            }),
            (Some(on), None) => entries.push(TimelineEntry {
                on,
                kind: EventKind::AgreementEnded,
                title: format!("Afspraak beëindigd: {what}"),
                who: actor,
                note: String::new(),
            }),
            (None, _) => {}
        }
    }
    #[allow(clippy::type_complexity)]
    let referrals: Vec<(
        NaiveDate,
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<String>,
        Option<String>,
    )> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT r.requested_on, r.care, r.status, u.display_name, r.decided_on, r.decision_note, d.display_name \
             FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id JOIN users u ON u.id = r.requested_by \
             LEFT JOIN users d ON d.id = r.decided_by WHERE p.household_id = $1 ORDER BY r.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    for (on, care, status, by, decided_on, note, decider) in referrals {
        entries.push(TimelineEntry {
            on,
            kind: EventKind::ReferralRequested,
            title: format!("Verwijzing aangevraagd: {care}"),
            who: by,
            note: String::new(),
        });
        if let Some(decided) = decided_on {
            let verdict = if status == "goedgekeurd" {
                "goedgekeurd"
            } else {
                "afgewezen"
            };
            entries.push(TimelineEntry {
                on: decided,
                kind: EventKind::ReferralDecided,
                title: format!("Verwijzing {verdict}: {care}"),
                who: decider.unwrap_or_default(),
                note: note.unwrap_or_default(),
            });
        }
    }
    let evaluations: Vec<(NaiveDate, String, String)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT e.held_on, e.note, u.display_name FROM cw_evaluations e JOIN cw_plans p ON p.id = e.plan_id \
             JOIN users u ON u.id = e.created_by WHERE p.household_id = $1 ORDER BY e.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    for (on, note, by) in evaluations {
        entries.push(TimelineEntry {
            on,
            kind: EventKind::Evaluation,
            title: "Evaluatie van het plan".to_owned(),
            who: by,
            note,
        });
    }
    for r in reports(tx, household_id).await? {
        entries.push(r.entry());
    }
    Ok(entries)
}

// ---------------------------------------------------------------- consents with a purpose

/// A consent with what it covers and whether it was withdrawn.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConsentGrant {
    pub id: i64,
    pub organisation: String,
    pub provider_id: Option<i64>,
    pub purpose_text: String,
    pub given_on: NaiveDate,
    pub until: NaiveDate,
    pub withdrawn_at: Option<chrono::DateTime<chrono::Utc>>,
    pub withdrawal_reason: Option<String>,
    pub purpose: PurposeDraft,
}

impl ConsentGrant {
    /// The domain's view of it, for a consent given to a provider.
    pub fn grant(&self) -> Option<Grant> {
        Some(Grant {
            provider_id: self.provider_id?,
            given_on: self.given_on,
            until: self.until,
            withdrawn: self.withdrawn_at.is_some(),
            purpose: ConsentPurpose::from_stored(&self.purpose),
        })
    }

    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.withdrawn_at.is_none() && self.given_on <= day && day <= self.until
    }
}

/// The household's consents, oldest first, with what each covers.
pub async fn consent_grants(tx: &mut Tx, household_id: i64) -> Result<Vec<ConsentGrant>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        String,
        Option<i64>,
        String,
        NaiveDate,
        NaiveDate,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<String>,
        Option<i64>,
        bool,
        bool,
    )> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, organisation, provider_id, purpose, given_on, until, withdrawn_at, withdrawal_reason, \
             referral_id, shares_network, shares_scores FROM cw_consents WHERE household_id = $1 ORDER BY given_on, id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    let links: Vec<(i64, i64)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT l.consent_id, l.agreement_id FROM cw_consent_agreements l \
             JOIN cw_consents k ON k.id = l.consent_id WHERE k.household_id = $1 ORDER BY l.agreement_id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    let mut covered: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (consent, agreement) in links {
        covered.entry(consent).or_default().push(agreement);
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                organisation,
                provider_id,
                purpose_text,
                given_on,
                until,
                withdrawn_at,
                withdrawal_reason,
                referral,
                network,
                scores,
            )| ConsentGrant {
                id,
                organisation,
                provider_id,
                purpose_text,
                given_on,
                until,
                withdrawn_at,
                withdrawal_reason,
                purpose: PurposeDraft {
                    agreements: covered.remove(&id).unwrap_or_default(),
                    referral,
                    network,
                    scores,
                },
            },
        )
        .collect())
}

/// The agreements of the household's open plan as sharing sees them.
pub async fn shared_agreements(tx: &mut Tx, household_id: i64) -> Result<Vec<SharedAgreement>> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, Option<i64>, Option<i64>, Option<NaiveDate>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT a.id, a.provider_id, a.referral_id, a.ended_on FROM cw_agreements a \
             JOIN cw_plans p ON p.id = a.plan_id WHERE p.household_id = $1 AND p.status = 'open' ORDER BY a.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, provider_id, referral_id, ended_on)| SharedAgreement {
            id,
            provider_id,
            referral_id,
            running: ended_on.is_none(),
        })
        .collect())
}

/// The referrals of the household's open plan, by id.
async fn open_plan_referrals(tx: &mut Tx, household_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT r.id FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id \
             WHERE p.household_id = $1 AND p.status = 'open' ORDER BY r.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What `provider_id` may see of the household on `today` (the domain's rule
/// over the stored consents and the open plan's agreements).
pub async fn provider_view(
    tx: &mut Tx,
    provider_id: i64,
    household_id: i64,
    today: NaiveDate,
) -> Result<ProviderView> {
    let grants: Vec<Grant> = consent_grants(tx, household_id)
        .await?
        .iter()
        .filter_map(ConsentGrant::grant)
        .collect();
    let plan = shared_agreements(tx, household_id).await?;
    Ok(domain_provider_view(provider_id, today, &grants, &plan))
}

/// The households a provider may see today: the candidates (a running
/// agreement of its own in an open plan, and a consent for it), each passed
/// through the domain's rule.
pub async fn provider_households(
    tx: &mut Tx,
    provider_id: i64,
    today: NaiveDate,
) -> Result<Vec<Hit>> {
    let candidates: Vec<Hit> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT h.id, h.street, h.house_number, h.house_letter, h.addition, h.postcode, h.team_id \
         FROM households h JOIN cw_plans p ON p.household_id = h.id AND p.status = 'open' \
         JOIN cw_agreements a ON a.plan_id = p.id AND a.provider_id = $1 AND a.ended_on IS NULL \
         WHERE EXISTS (SELECT 1 FROM cw_consents k WHERE k.household_id = h.id AND k.provider_id = $1 \
                       AND k.withdrawn_at IS NULL AND k.given_on <= $2 AND k.until >= $2) ORDER BY h.id LIMIT 200"
    )
    .bind(provider_id)
    .bind(today)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut shown = Vec::with_capacity(candidates.len());
    for hit in candidates {
        if provider_view(tx, provider_id, hit.id, today)
            .await?
            .may_see()
        {
            shown.push(hit);
        }
    }
    Ok(shown)
}

/// Records the resident's consent for a provider, for the purpose the domain
/// checked against the household's open plan. Returns the consent's id.
#[allow(clippy::too_many_arguments)]
pub async fn give_consent(
    tx: &mut Tx,
    household_id: i64,
    provider_id: i64,
    provider_name: &str,
    draft: &PurposeDraft,
    given_on: NaiveDate,
    until: NaiveDate,
) -> Result<i64> {
    if until <= given_on {
        return Err(CaseError::Conversation(
            baken_domain::casework::ConversationError::ConsentEnd,
        ));
    }
    let plan = shared_agreements(tx, household_id).await?;
    let referrals = open_plan_referrals(tx, household_id).await?;
    let purpose = ConsentPurpose::new(provider_id, draft, &plan, &referrals)?;
    let text = purpose_text(tx, &purpose).await?;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_consents (household_id, conversation_id, organisation, provider_id, purpose, given_on, until, \
         referral_id, shares_network, shares_scores) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(household_id)
    .bind(provider_name)
    .bind(provider_id)
    .bind(&text)
    .bind(given_on)
    .bind(until)
    .bind(purpose.referral())
    .bind(purpose.shares_network())
    .bind(purpose.shares_scores())
    .fetch_one(&mut *c)
    .await
    })?;
    for agreement in purpose.agreements() {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO cw_consent_agreements (consent_id, agreement_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(agreement)
        .execute(&mut *c)
        .await)?;
    }
    Ok(id)
}

/// The purpose in words: the agreements and the referral it covers.
async fn purpose_text(tx: &mut Tx, purpose: &ConsentPurpose) -> Result<String> {
    let mut parts = Vec::new();
    for id in purpose.agreements() {
        let (what,): (String,) = with_conn!(tx, |c| sqlx::query_as(
            "SELECT description FROM cw_agreements WHERE id = $1"
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await)?;
        parts.push(format!("afspraak ‘{what}’"));
    }
    if let Some(id) = purpose.referral() {
        let (care,): (String,) = with_conn!(tx, |c| sqlx::query_as(
            "SELECT care FROM cw_referrals WHERE id = $1"
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await)?;
        parts.push(format!("verwijzing ‘{care}’"));
    }
    if purpose.shares_network() {
        parts.push("het netwerk".into());
    }
    if purpose.shares_scores() {
        parts.push("de scores op zelfredzaamheid".into());
    }
    Ok(format!("Voor {}", parts.join(", ")))
}

/// Withdraws a consent of the household (by the resident or the team). It
/// stops holding at once. False when there is no such consent in this
/// household, or it was already withdrawn.
pub async fn withdraw_consent(
    tx: &mut Tx,
    household_id: i64,
    consent_id: i64,
    user_id: i64,
    reason: &str,
) -> Result<bool> {
    let n = exec!(tx, |c| sqlx::query(
        "UPDATE cw_consents SET withdrawn_at = $1, withdrawn_by = $2, withdrawal_reason = $3 \
         WHERE id = $4 AND household_id = $5 AND withdrawn_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .bind(reason)
    .bind(consent_id)
    .bind(household_id)
    .execute(&mut *c)
    .await)?;
    Ok(n == 1)
}

// ---------------------------------------------------------------- providers' reports

/// A provider's report as read back.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportRow {
    pub agreement_id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub description: String,
    pub kind: String,
    pub reported_on: NaiveDate,
    pub note: String,
}

impl ReportRow {
    fn entry(&self) -> TimelineEntry {
        let kind = baken_domain::casework::ReportKind::parse(&self.kind)
            .map(|k| k.label())
            .unwrap_or("Bericht");
        TimelineEntry {
            on: self.reported_on,
            kind: EventKind::ProviderReport {
                provider_id: self.provider_id,
            },
            title: format!("{kind}: {}", self.description),
            who: self.provider_name.clone(),
            note: self.note.clone(),
        }
    }
}

/// Every provider report in the household, oldest first.
pub async fn reports(tx: &mut Tx, household_id: i64) -> Result<Vec<ReportRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT r.agreement_id, r.provider_id, o.name AS provider_name, a.description, r.kind, r.reported_on, r.note \
         FROM cw_agreement_reports r JOIN cw_agreements a ON a.id = r.agreement_id JOIN cw_plans p ON p.id = a.plan_id \
         JOIN providers o ON o.id = r.provider_id WHERE p.household_id = $1 ORDER BY r.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

/// Records a provider's report on agreement `agreement_id` of the household.
/// The caller has checked that the provider may see that agreement.
pub async fn add_report(
    tx: &mut Tx,
    agreement_id: i64,
    provider_id: i64,
    report: &AgreementReport,
    on: NaiveDate,
    user_id: i64,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_agreement_reports (agreement_id, provider_id, kind, reported_on, note, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id"
    )
    .bind(agreement_id)
    .bind(provider_id)
    .bind(report.kind().as_str())
    .bind(on)
    .bind(report.note())
    .bind(user_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Links every consent for a provider to that provider's agreements in the
/// same household — what a consent given before purposes existed covered.
/// The demo uses it after its plans are made (its consents are given at the
/// conversation, before the agreements exist); migration 0020 did the same.
#[cfg(feature = "demo")]
pub(crate) async fn cover_own_agreements(tx: &mut Tx) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO cw_consent_agreements (consent_id, agreement_id) \
         SELECT k.id, a.id FROM cw_consents k JOIN cw_plans p ON p.household_id = k.household_id \
         JOIN cw_agreements a ON a.plan_id = p.id AND a.provider_id = k.provider_id \
         WHERE k.provider_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM cw_consent_agreements l WHERE l.consent_id = k.id AND l.agreement_id = a.id)"
    )
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

//! Audited reads of a household — the read and its audit entry in one
//! transaction, and nothing returned before that transaction committed — and the
//! audited refusal of a form sent with a stale version.

use super::ctx::Ctx;
use super::error::AppError;
use super::state::AppState;
use baken_domain::{AuditAction, AuditOutcome, HouseholdScope};
use baken_store::households::{self, Household};
use baken_store::reads::BoxFuture;
use baken_store::{audit, Tx};

/// The audit object of a list view: the households it showed, by id, in one
/// entry (`household`, `"3,7,12"`). NEN 7513 asks for every access to a
/// client's data, and a list shows addresses and names; one entry per request
/// keeps the cost of a list view bounded. The ids are in the hashed entry, and
/// the audit search and the resident's "Wie heeft mijn gegevens ingezien" find
/// an id inside such a list (`baken_store::audit`).
pub fn households_shown(ids: impl IntoIterator<Item = i64>) -> (&'static str, String) {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    ("household", list)
}

/// Reads a household's data if `scope` allows it: `read` runs only for a
/// household in scope and returns its value and the detail of the audit entry.
/// The entry (success, denied or not found) is written in the same transaction
/// as the read — one it may share with other audited reads
/// ([`baken_store::Db::audited`]) — and the value is returned only once that
/// transaction has committed. Out of scope and absent look the same to the
/// caller (404), so ids cannot be probed. `what` names the kind of read in the
/// entries of refusals ("casework"; empty for the plain household page).
pub async fn audited_household_read<T, F>(
    state: &AppState,
    ctx: &Ctx,
    scope: HouseholdScope,
    id: i64,
    action: AuditAction,
    what: &'static str,
    read: F,
) -> Result<(Household, T), AppError>
where
    T: Send + 'static,
    F: for<'a> FnOnce(&'a mut Tx, &'a Household) -> BoxFuture<'a, Result<(T, String), AppError>>
        + Send
        + 'static,
{
    let ctx = ctx.clone();
    let found = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let object = Some(("household", id.to_string()));
                let found = households::get(tx, id).await?;
                Ok::<_, AppError>(match found {
                    Some(h) if scope.allows(h.id, h.team_id) => {
                        let (value, detail) = read(tx, &h).await?;
                        let entry = ctx.audit(action, AuditOutcome::Success, object, detail);
                        (Some((h, value)), vec![entry])
                    }
                    Some(_) => {
                        let detail = if what.is_empty() {
                            "buiten de eigen scope".to_owned()
                        } else {
                            format!("{what} buiten de eigen scope")
                        };
                        (
                            None,
                            vec![ctx.audit(action, AuditOutcome::Denied, object, detail)],
                        )
                    }
                    None => (
                        None,
                        vec![ctx.audit(action, AuditOutcome::NotFound, object, what)],
                    ),
                })
            })
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

/// A household with its residents and team name, audited like every read.
pub async fn read_household_audited(
    state: &AppState,
    ctx: &Ctx,
    scope: HouseholdScope,
    id: i64,
) -> Result<(Household, Vec<households::Resident>, Option<String>), AppError> {
    let (h, (residents, team)) =
        audited_household_read(state, ctx, scope, id, AuditAction::Read, "", |tx, h| {
            Box::pin(async move {
                let residents = households::residents(tx, h.id).await?;
                let team = h.team_name.clone();
                let detail = format!("{} bewoners", residents.len());
                Ok(((residents, team), detail))
            })
        })
        .await?;
    Ok((h, residents, team))
}

/// A form sent with a stale version: rolls back the transaction that found the
/// conflict, audits the refusal in a transaction of its own, and returns the
/// Dutch message for the top of the form. `subject` names what was changed
/// ("dit team", "deze aanbieder").
pub async fn refuse_stale(
    tx: Tx,
    state: &AppState,
    ctx: &Ctx,
    object: (&str, String),
    version: i64,
    subject: &str,
) -> Result<String, AppError> {
    tx.rollback().await?;
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Conflict,
            Some(object),
            format!("versie {version} verouderd"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(format!(
        "Iemand anders heeft {subject} intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw en voer uw wijziging nog eens in."
    ))
}

/// Audits a change the signed-in user made in `tx` (a success, on `object`)
/// and commits both together: the change and its audit entry land as one.
pub async fn commit_audited(
    mut tx: Tx,
    ctx: &Ctx,
    action: AuditAction,
    object: (&str, String),
    detail: String,
) -> Result<(), AppError> {
    audit::append(
        &mut tx,
        &ctx.audit(action, AuditOutcome::Success, Some(object), detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! The VOG reminder, applied once a day while the app runs: a volunteer whose
//! VOG ends within 30 days gets a notification (once per end date), which the
//! notification e-mail round announces by mail when SMTP is set — "er wacht
//! iets op u", never what (`baken_store::volunteers::remind_vog`).

use crate::support::time::today;
use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_store::{audit, volunteers, Db};
use std::time::Duration;

/// One round: leaves today's reminders, each audited.
pub async fn remind_round(db: &Db) -> Result<usize, baken_store::StoreError> {
    let mut tx = db.begin().await?;
    let reminded = volunteers::remind_vog(&mut tx, today()).await?;
    for profile in &reminded {
        audit::append(
            &mut tx,
            &AuditEntry {
                at: baken_store::now(),
                actor: Actor {
                    user_id: None,
                    username: Some("baken".into()),
                    role: None,
                    client_addr: "intern".into(),
                },
                route: "(VOG-herinnering)".into(),
                action: AuditAction::Create,
                outcome: AuditOutcome::Success,
                object_type: Some("volunteer".into()),
                object_id: Some(profile.to_string()),
                detail: "herinnering: VOG verloopt binnen 30 dagen".into(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(reminded.len())
}

/// Runs [`remind_round`] at start and then every 24 hours until the process ends.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            tick.tick().await;
            if let Err(e) = remind_round(&db).await {
                tracing::error!(error = %e, "vrijwilligers: VOG reminder round failed");
            }
        }
    });
}

//! Telling users by e-mail that something waits for them in Baken.
//!
//! **Invariant:** an e-mail carries no personal data: the same subject and
//! text for everyone ("Er wacht iets op u in Baken") and a link to
//! `/meldingen`, where the user logs in to see what it is. One e-mail per user
//! per round, however many notifications wait. Off unless `[smtp]` is set.

use crate::support::error::AppError;
use crate::support::state::MailSettings;
use crate::support::time::today;
use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_mail::{Mail, Mailer};
use baken_store::{audit, contracting, notifications, Db};
use std::time::Duration;

/// The one subject every notification e-mail has.
pub const SUBJECT: &str = "Er wacht iets op u in Baken";

/// The text of every notification e-mail: nothing but the link.
pub fn body(public_url: &str) -> String {
    format!(
        "Goedendag,\r\n\r\nEr wacht iets op u in Baken. Log in om te zien wat het is:\r\n{}/meldingen\r\n\r\nDit bericht is automatisch verstuurd. U kunt er niet op antwoorden.\r\n",
        public_url.trim_end_matches('/')
    )
}

/// Who sends: Baken itself, for the audit log.
fn system_entry(detail: String, outcome: AuditOutcome, user_id: i64) -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some("baken".into()),
            role: None,
            client_addr: "intern".into(),
        },
        route: "(meldingen per e-mail)".into(),
        action: AuditAction::Export,
        outcome,
        object_type: Some("user".into()),
        object_id: Some(user_id.to_string()),
        detail,
    }
}

/// One round: first leaves the reminders that fell due today (a licence to
/// renew, 60 days ahead: `baken_store::contracting::remind_renewals`, once per
/// licence), then e-mails every user with an address and notifications not
/// yet mailed, marks them mailed, and audits each attempt. Returns how many
/// e-mails went out. A refused e-mail stays due for the next round.
pub async fn deliver_due(db: &Db, mailer: &Mailer, public_url: &str) -> Result<usize, AppError> {
    let mut tx = db.begin().await?;
    let reminded = contracting::remind_renewals(&mut tx, today()).await?;
    for licence in &reminded {
        let mut entry = system_entry(
            "herinnering: licentie verlengen".into(),
            AuditOutcome::Success,
            0,
        );
        entry.action = AuditAction::Create;
        entry.object_type = Some("licence".into());
        entry.object_id = Some(licence.to_string());
        audit::append(&mut tx, &entry).await?;
    }
    let due = notifications::mail_due(&mut tx, 200).await?;
    tx.commit().await?;
    let text = body(public_url);
    let mut sent = 0;
    for user in due {
        let result = mailer
            .send(&Mail {
                to: &user.email,
                subject: SUBJECT,
                body: &text,
            })
            .await;
        let mut tx = db.begin().await?;
        match result {
            Ok(()) => {
                notifications::mark_mailed(&mut tx, user.user_id, user.up_to).await?;
                audit::append(
                    &mut tx,
                    &system_entry(
                        "e-mail: er wacht iets".into(),
                        AuditOutcome::Success,
                        user.user_id,
                    ),
                )
                .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(error = %e, user = user.user_id, "notification e-mail not sent");
                audit::append(
                    &mut tx,
                    &system_entry(
                        "e-mail niet verstuurd; volgende ronde opnieuw".into(),
                        AuditOutcome::Failed,
                        user.user_id,
                    ),
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Runs [`deliver_due`] every `settings.every_secs` until the process ends.
pub fn spawn(db: Db, settings: MailSettings) -> Result<(), baken_mail::MailError> {
    let mailer = Mailer::new(&settings.smtp)?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(settings.every_secs.max(5)));
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, &mailer, &settings.public_url).await {
                tracing::error!(error = %e, "notification e-mails: round failed");
            }
        }
    });
    Ok(())
}

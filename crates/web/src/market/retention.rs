//! The marketplace's retention, applied once a day while the app runs:
//! messages and closed listings older than the period set in beheer are
//! deleted (`baken_store::market::purge_expired`, which audits how much).

use crate::support::time::today;
use baken_store::market as mk;
use baken_store::Db;
use std::time::Duration;

/// One round: deletes what is past the retention period today.
pub async fn purge_round(db: &Db) -> Result<mk::Purged, baken_store::StoreError> {
    let mut tx = db.begin().await?;
    let purged = mk::purge_expired(&mut tx, today()).await?;
    tx.commit().await?;
    Ok(purged)
}

/// Runs [`purge_round`] at start and then every 24 hours until the process ends.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            tick.tick().await;
            if let Err(e) = purge_round(&db).await {
                tracing::error!(error = %e, "buurtmarktplaats: retention round failed");
            }
        }
    });
}

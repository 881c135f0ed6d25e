//! `baken iwmo export` of 10,000 toewijzingen, against xmllint validating the
//! same output. Fills a SQLite database with the demo municipality, adds
//! 10,000 toewijzingen for begeleiding individueel spread over the three
//! licensed providers and the residents, then times
//!
//! 1. the export (`baken_iwmo::exchange::export`: query, write one WMO301 per
//!    provider, day and client, its own xmllint check of every file, audit),
//! 2. `xmllint --noout --schema WMO301.xsd` over the same files alone.
//!
//! Run: `cargo run --release -p baken-bench --bin iwmo-export [-- N]`.

use baken_domain::audit::Actor;
use baken_domain::contracting::{Frequency, Scope, Toewijzing, ToewijzingNumber, Unit};
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_store::contracting::{self as ct, Choice, NewToewijzing};
use baken_store::{demo, sqlx, with_conn, Db};
use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let households = (n as u64 / 2).max(100);
    demo::load(
        &db,
        &baken_synth::municipality(),
        &baken_synth::Config::new(households, 7),
        "x",
        |_| {},
    )
    .await?;
    let mut tx = db.begin().await?;
    let residents: Vec<(i64, i64)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id, household_id FROM residents ORDER BY id")
            .fetch_all(&mut *c)
            .await
    })?;
    let product = ct::product_by_code(&mut tx, "02", "02A01")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo product 02A01"))?;
    let begeleiding = product.product()?;
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
    let offers = ct::offers(&mut tx, product.id, "WK999901", start).await?;
    for i in 0..n {
        let (resident, household) = residents[i % residents.len()];
        let provider = offers[i % offers.len()].provider_id;
        let t = Toewijzing::new(
            ToewijzingNumber::new(i as i64 + 1)?,
            (product.id, &begeleiding),
            provider,
            (start, Some(start + chrono::Days::new(364))),
            Scope::Volume {
                volume: 1 + (i % 6) as i64,
                unit: Unit::Hour,
                frequency: Frequency::PerWeek,
            },
        )?;
        ct::create_toewijzing(
            &mut tx,
            &NewToewijzing {
                household_id: household,
                resident_id: resident,
                referral_id: None,
                toewijzing: &t,
                choice: Choice::Resident,
                choice_note: "benchmark",
            },
        )
        .await?;
    }
    tx.commit().await?;

    let out = dir.path().join("uit");
    let entry = AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some("bench".into()),
            role: Some("cli".into()),
            client_addr: "lokaal".into(),
        },
        route: "bench: iwmo export".into(),
        action: AuditAction::Export,
        outcome: AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    };
    let t0 = Instant::now();
    let report = baken_iwmo::exchange::export(&db, None, &out, &entry, baken_store::now()).await?;
    let export = t0.elapsed();

    let t1 = Instant::now();
    let failed =
        baken_iwmo::schema::validate_files(baken_iwmo::MessageKind::Wmo301, &report.files)?;
    let xmllint = t1.elapsed();
    anyhow::ensure!(failed.is_empty(), "invalid output: {failed:?}");
    let bytes: u64 = report
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "{} toewijzingen, {} WMO301 files, {:.1} MB",
        report.toewijzingen,
        report.files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "export (query + write + its own xmllint check + audit): {:.2} s",
        export.as_secs_f64()
    );
    println!(
        "xmllint --schema WMO301.xsd alone on the same files:     {:.2} s",
        xmllint.as_secs_f64()
    );
    println!(
        "writing without the check: ~{:.2} s; export / xmllint = {:.2}",
        (export.as_secs_f64() - xmllint.as_secs_f64()).max(0.0),
        export.as_secs_f64() / xmllint.as_secs_f64()
    );
    Ok(())
}

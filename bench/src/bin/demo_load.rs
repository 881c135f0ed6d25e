//! How long does `baken demo` take to write N households, and how does the
//! number of households per INSERT statement change that? The alternative
//! measured in the same run is the obvious one: one INSERT per household.
//!
//! cargo run --release -p baken-bench --bin demo-load -- 100000 [postgres://…]
//!
//! With a PostgreSQL URL (a user that may create databases) it measures there
//! too. Prints a Markdown table for docs/benchmarks.md.

use baken_store::{demo, Db};
use std::time::Instant;

async fn fresh(url: Option<&str>, dir: &std::path::Path, name: &str) -> anyhow::Result<Db> {
    let db_url = match url {
        None => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
        Some(admin) => {
            let admin_db = Db::connect(admin).await?;
            let db_name = format!("baken_bench_{name}_{}", std::process::id());
            if let Some(p) = admin_db.postgres_pool() {
                baken_store::sqlx::query(&format!("DROP DATABASE IF EXISTS {db_name}"))
                    .execute(p)
                    .await?;
                baken_store::sqlx::query(&format!("CREATE DATABASE {db_name}"))
                    .execute(p)
                    .await?;
            }
            admin_db.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            format!("{base}/{db_name}")
        }
    };
    let db = Db::connect(&db_url).await?;
    db.migrate().await?;
    Ok(db)
}

async fn measure(
    url: Option<&str>,
    households: u64,
    batch: usize,
    label: &str,
) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let db = fresh(url, dir.path(), label).await?;
    let m = baken_synth::municipality();
    let config = baken_synth::Config::new(households, 2026);
    let started = Instant::now();
    demo::load_batched(&db, &m, &config, "bench-hash", batch, |_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    db.close().await;
    Ok(secs)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let households: u64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let pg = args.get(2).cloned();
    let sizes = [1usize, 10, 50, 200];
    println!("| backend | households | households per INSERT | time (best of 2) | households/s | vs one per INSERT |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut backends: Vec<(&str, Option<&str>)> = vec![("SQLite", None)];
    if let Some(url) = pg.as_deref() {
        backends.push(("PostgreSQL", Some(url)));
    }
    for (name, url) in backends {
        // Alternate the sizes and keep the best of two runs each, so that warm-up
        // and the order of runs do not decide the ratios.
        let mut best = vec![f64::MAX; sizes.len()];
        for round in 0..2 {
            for (i, size) in sizes.iter().enumerate() {
                let t = measure(url, households, *size, &format!("b{size}r{round}")).await?;
                best[i] = best[i].min(t);
            }
        }
        for (i, size) in sizes.iter().enumerate() {
            println!(
                "| {name} | {households} | {size} | {:.1} s | {:.0} | {:.2}× |",
                best[i],
                households as f64 / best[i],
                best[0] / best[i]
            );
        }
    }
    Ok(())
}

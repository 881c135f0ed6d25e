//! Recomputing every indicator of every commission over a municipality of
//! N households (issue 13), on SQLite and PostgreSQL; `run.sh` measures
//! DuckDB over the same tables' CSV export in the same run.
//!
//! Steps (each a subcommand, so `run.sh` can load PostgreSQL from the SQLite
//! export in between):
//!   base URL                 migrate; districts, neighbourhoods, a team, the
//!                            providers, one user; a fixed cell-key secret
//!   casework URL N           N households and their casework, generated in
//!                            SQL (SQLite only; PostgreSQL gets the export)
//!   commissions URL          a commission per provider and district (and one
//!                            municipality-wide per provider), five computed
//!                            indicators each, quarterly reports over 2025
//!   recompute URL OUT ROUNDS `commissioning::recompute_all`, timed; best of
//!                            ROUNDS; writes OUT/figures.csv and OUT/scopes.csv

use anyhow::{bail, Context};
use baken_bench::{base, casework, cpu_seconds, date};
use baken_domain::commissioning::{
    AgendaGoal, Baken, Cadence, Commission, CommissionKind, CommissionVariant, ComputedMeasure,
    Hundredths, Indicator, IndicatorKind, IndicatorRole, IndicatorSource, SteeringModel,
};
use baken_domain::contracting::Cents;
use baken_domain::DistrictCode;
use baken_store::commissioning::{self as cm, PaymentTerms};
use baken_store::{areas, Db};
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::time::Instant;

fn indicator(measure: ComputedMeasure, from: NaiveDate) -> anyhow::Result<Indicator> {
    Ok(Indicator {
        name: format!("{measure:?}"),
        definition: measure.how().into(),
        kind: IndicatorKind::Effect,
        source: IndicatorSource::Computed(measure),
        role: IndicatorRole::Target,
        baseline: Some(Hundredths::new(100)),
        target: Some(Hundredths::new(200)),
        cadence: Cadence::Quarter,
        version: 1,
        valid_from: from,
    }
    .check()?)
}

async fn commissions(db: &Db) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let districts = areas::districts(&mut tx).await?;
    let providers: Vec<(i64,)> =
        baken_store::with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT id FROM providers ORDER BY id"
        )
        .fetch_all(&mut *c)
        .await)?;
    let (from, until) = (date("2025-01-01")?, date("2025-12-31")?);
    let mut goals = vec![
        cm::create_goal(
            &mut tx,
            &AgendaGoal::new("Inwoners gaan vooruit", Baken::new(7)?, None)?,
        )
        .await?,
    ];
    for d in &districts {
        goals.push(
            cm::create_goal(
                &mut tx,
                &AgendaGoal::new(
                    &format!("Inwoners van {} gaan vooruit", d.name),
                    Baken::new(7)?,
                    Some(DistrictCode::parse(&d.code)?),
                )?,
            )
            .await?,
        );
    }
    let mut made = 0;
    for (p, &(provider,)) in providers.iter().enumerate() {
        // Municipality-wide, and two districts per provider.
        let mine = [0, 1 + p % districts.len(), 1 + (p + 3) % districts.len()];
        for g in mine {
            let commission = Commission {
                title: format!("Opdracht {provider}-{g}"),
                kind: CommissionKind::Subsidie,
                provider_id: provider,
                goals: vec![goals[g]],
                from,
                until,
                budget: Cents::new(10_000_000)?,
                steering: SteeringModel::Regisseur,
                variant: CommissionVariant::Prestatiesubsidie,
                chain_partners: vec!["Wijkteam".into()],
                year_plan: "Jaarplan".into(),
                work_plan: "Werkplan".into(),
            }
            .check()?;
            let id = cm::create_commission(
                &mut tx,
                &commission,
                PaymentTerms {
                    fixed_bp: 10_000,
                    advances: 4,
                    cap: None,
                },
            )
            .await?;
            for measure in [
                ComputedMeasure::GoalsAchieved,
                ComputedMeasure::ZrmChange,
                ComputedMeasure::LightSteps,
                ComputedMeasure::BackWithinYear,
                ComputedMeasure::DaysToFirstContact,
            ] {
                cm::add_indicator(&mut tx, id, &indicator(measure, from)?, 0, "beleid").await?;
            }
            let row = cm::commission(&mut tx, id).await?.context("commission")?;
            let indicators = cm::indicators(&mut tx, id).await?;
            cm::ensure_reports(
                &mut tx,
                &row,
                cm::report_cadence(&indicators),
                date("2026-01-15")?,
            )
            .await?;
            made += 1;
        }
    }
    tx.commit().await?;
    Ok(made)
}

async fn recompute(db: &Db, out: &std::path::Path, rounds: usize) -> anyhow::Result<()> {
    let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut figures = Vec::new();
    for round in 0..rounds.max(1) {
        let started = Instant::now();
        let cpu = cpu_seconds();
        let mut tx = db.read().await?;
        figures = cm::recompute_all(&mut tx).await?;
        drop(tx);
        let secs = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        eprintln!(
            "round {}: {secs:.3} s wall, {cpu:.3} s CPU in this process",
            round + 1
        );
        best = best.min(secs);
        best_cpu = best_cpu.min(cpu);
    }
    let (mut csv, mut scopes) = (String::new(), String::new());
    for f in &figures {
        let Some((measure, scope)) = &f.computed else {
            continue;
        };
        let v = &f.value;
        writeln!(
            csv,
            "{},{},{},{},{}",
            f.report_id,
            v.indicator_id,
            v.value.map_or(String::new(), |x| x.to_string()),
            v.households.unwrap_or(0),
            v.households_key.unwrap_or(0)
        )?;
        writeln!(
            scopes,
            "{},{},{measure:?},{},{},{},{}",
            f.report_id,
            v.indicator_id,
            scope.provider_id,
            scope.district.as_deref().unwrap_or(""),
            scope.from,
            scope.until
        )?;
    }
    std::fs::write(out.join("figures.csv"), csv)?;
    std::fs::write(out.join("scopes.csv"), scopes)?;
    println!(
        "{{\"figures\": {}, \"best_s\": {best:.3}, \"best_cpu_s\": {best_cpu:.3}}}",
        figures.iter().filter(|f| f.computed.is_some()).count()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(step), Some(url)) = (args.get(1), args.get(2)) else {
        bail!("usage: commissioning-recompute base|casework|commissions|recompute URL [N | OUT ROUNDS]");
    };
    let db = Db::connect(url).await?;
    match step.as_str() {
        "base" => base(&db).await?,
        "casework" => {
            let n: i64 = args.get(3).context("N households")?.parse()?;
            let started = Instant::now();
            casework(&db, n).await?;
            eprintln!(
                "casework for {n} households: {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        "commissions" => {
            let made = commissions(&db).await?;
            eprintln!("{made} commissions");
        }
        "recompute" => {
            let out = std::path::PathBuf::from(args.get(3).context("OUT dir")?);
            let rounds: usize = args.get(4).map_or(Ok(3), |s| s.parse())?;
            recompute(&db, &out, rounds).await?;
        }
        other => bail!("unknown step {other}"),
    }
    db.close().await;
    Ok(())
}

//! The verantwoording dashboard over a municipality of N households (issue
//! 15): `monitoring::dashboard::report` — everything `/dashboard` computes —
//! timed cold and warm on SQLite and PostgreSQL; `run.sh` measures DuckDB
//! computing the same figures over the CSV export of the same tables in the
//! same run, and `check` holds Baken's published figures against DuckDB's
//! true ones.
//!
//! Steps (each a subcommand, so `run.sh` can load PostgreSQL from the SQLite
//! export in between and drop the caches before a cold round):
//!   base URL                    migrate; areas, a team, providers, a user
//!   casework URL N              N households and their casework (SQLite)
//!   dashboard URL N             residents, conversations, contracted care
//!                               and toewijzingen (SQLite; after casework)
//!   report URL OUT ROUNDS TODAY the dashboard as of TODAY, ROUNDS times in
//!                               one process: the first round is as cold as
//!                               the caches the script left, the rest warm;
//!                               writes OUT/figures.csv and prints JSON
//!   profile URL TODAY           the time of each read the report makes
//!   check BAKEN_CSV DUCK_CSV    every true count DuckDB found must be one
//!                               Baken's published count is consistent with,
//!                               every true share must lie in Baken's band,
//!                               every cost must be equal

use anyhow::{bail, Context};
use baken_bench::{base, casework, cpu_seconds, dashboard_data};
use baken_domain::cell_key::consistent_counts;
use baken_store::Db;
use baken_web::monitoring::dashboard::{report, DashboardQuery, Report};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

/// The trends DuckDB recomputes (the eight bakens per quarter are timed in
/// Baken's report and computed by DuckDB too, but not compared: their
/// figures are the `/bakens` page's, tested on their own).
const CHECKED: [&str; 5] = [
    "stap-1-3",
    "stap-4",
    "stap-5",
    "maatwerk-per-1000",
    "terug-binnen-12-maanden",
];

fn opt(v: Option<impl ToString>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// The published figures the check compares, one per line.
fn figures(r: &Report) -> anyhow::Result<String> {
    let mut out = String::new();
    for (i, l) in r.pyramid.layers.iter().enumerate() {
        writeln!(
            out,
            "pyramid,{i},{},{}",
            l.households.value(),
            opt(l.cost_euros)
        )?;
    }
    for t in r.trends.iter().filter(|t| CHECKED.contains(&t.id.as_str())) {
        let areas =
            std::iter::once(("", &t.area)).chain(t.fan.iter().map(|(c, _, p)| (c.as_str(), p)));
        for (area, points) in areas {
            for p in points {
                writeln!(
                    out,
                    "trend,{},{area},{},{},{},{}",
                    t.id,
                    p.period,
                    opt(p.value),
                    opt(p.low),
                    opt(p.high)
                )?;
            }
        }
    }
    for (kind, list) in [("product", &r.products), ("provider", &r.providers)] {
        for f in list {
            writeln!(
                out,
                "{kind},{},{},{}",
                f.name,
                f.households.value(),
                opt(f.cost_euros)
            )?;
        }
    }
    Ok(out)
}

async fn time_report(
    db: &Db,
    out: &std::path::Path,
    rounds: usize,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let secret = {
        let mut tx = db.read().await?;
        baken_store::commissioning::cell_key_secret(&mut tx).await?
    };
    let query = DashboardQuery::default();
    let (mut first, mut first_cpu, mut warm, mut warm_cpu) = (0.0, 0.0, f64::MAX, f64::MAX);
    let mut last = None;
    for round in 0..rounds.max(1) {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let r = report(db, &secret, &query, today)
            .await
            .map_err(|e| anyhow::anyhow!("the dashboard failed: {e:?}"))?;
        let (secs, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        eprintln!(
            "round {}: {secs:.3} s wall, {cpu:.3} s CPU in this process",
            round + 1
        );
        if round == 0 {
            (first, first_cpu) = (secs, cpu);
        } else if secs < warm {
            (warm, warm_cpu) = (secs, cpu);
        }
        last = Some(r);
    }
    let r = last.context("no round ran")?;
    std::fs::write(out.join("figures.csv"), figures(&r)?)?;
    if warm == f64::MAX {
        // One round: nothing warm was measured.
        (warm, warm_cpu) = (f64::NAN, f64::NAN);
    }
    println!(
        "{{\"first_s\": {first:.3}, \"first_cpu_s\": {first_cpu:.3}, \"warm_s\": {warm:.3}, \
         \"warm_cpu_s\": {warm_cpu:.3}, \"households_in_pyramid\": {}, \"trends\": {}}}",
        r.pyramid.households.value(),
        r.trends.len()
    );
    Ok(())
}

/// Where the report's time goes: each read it makes, timed on its own.
async fn profile(db: &Db, today: NaiveDate) -> anyhow::Result<()> {
    use baken_domain::period::Period;
    use baken_store::{casework as cw, dashboard};
    let mut tx = db.read().await?;
    let secret = baken_store::commissioning::cell_key_secret(&mut tx).await?;
    let quarters = Period::last_quarters(Period::quarter_of(today).previous().last_day(), 8);
    let periods: Vec<(NaiveDate, NaiveDate)> = quarters
        .iter()
        .map(|q| (q.first_day(), q.last_day()))
        .collect();
    let since = quarters[0].first_day() - chrono::Days::new(366);
    let (norms, _) = cw::response_norms(&mut tx).await?;
    let t = Instant::now();
    let f = cw::bakens_facts_per_period(&mut tx, None, None, &periods, &norms, &secret).await?;
    eprintln!(
        "bakens facts: {:.3} s ({} quarters)",
        t.elapsed().as_secs_f64(),
        f.of(None).len()
    );
    let t = Instant::now();
    let uses = dashboard::support_uses_of(&mut tx, since, &secret, None).await?;
    eprintln!(
        "support uses: {:.3} s ({} rows)",
        t.elapsed().as_secs_f64(),
        uses.len()
    );
    let t = Instant::now();
    let bought = dashboard::purchases(&mut tx, since, &secret, None).await?;
    eprintln!(
        "purchases: {:.3} s ({} rows)",
        t.elapsed().as_secs_f64(),
        bought.len()
    );
    let t = Instant::now();
    let r = dashboard::resident_cells(&mut tx, None, &secret).await?;
    eprintln!(
        "resident cells: {:.3} s ({} districts)",
        t.elapsed().as_secs_f64(),
        r.len()
    );
    Ok(())
}

/// Baken's published figures against DuckDB's true ones.
fn check(baken: &str, duck: &str) -> anyhow::Result<()> {
    let read = |path: &str| -> anyhow::Result<BTreeMap<String, Vec<String>>> {
        let text = std::fs::read_to_string(path).with_context(|| path.to_owned())?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let f: Vec<String> = l.split(',').map(str::to_owned).collect();
                let key_len = if f[0] == "trend" { 4 } else { 2 };
                (
                    f[..key_len.min(f.len())].join(","),
                    f[key_len.min(f.len())..].to_vec(),
                )
            })
            .collect())
    };
    let (b, d) = (read(baken)?, read(duck)?);
    let num = |s: &str| -> anyhow::Result<Option<f64>> {
        Ok(if s.is_empty() { None } else { Some(s.parse()?) })
    };
    let (mut checked, mut bad) = (0, Vec::new());
    for (key, theirs) in &d {
        let Some(ours) = b.get(key) else {
            // A product or provider Baken leaves out must have a published count of 0.
            if !key.starts_with("trend")
                && theirs
                    .first()
                    .is_some_and(|t| t.parse::<u64>().unwrap_or(0) <= 4)
            {
                continue;
            }
            bad.push(format!("{key}: DuckDB {theirs:?}, Baken has none"));
            continue;
        };
        checked += 1;
        if key.starts_with("trend") {
            let truth = num(&theirs[0])?;
            let (value, low, high) = (num(&ours[0])?, num(&ours[1])?, num(&ours[2])?);
            let ok = match (truth, value, low, high) {
                (Some(t), Some(_), Some(lo), Some(hi)) => t >= lo - 1e-9 && t <= hi + 1e-9,
                // Nothing shown: DuckDB's whole was under 5 or Baken's published one was.
                (_, None, _, _) => true,
                (None, Some(_), _, _) => false,
                _ => false,
            };
            if !ok {
                bad.push(format!(
                    "{key}: true {truth:?}, Baken {value:?} in [{low:?}, {high:?}]"
                ));
            }
        } else {
            let truth: u64 = theirs[0].parse()?;
            let published: u64 = ours[0].parse()?;
            if !consistent_counts(published).contains(&truth) {
                bad.push(format!("{key}: true {truth}, published {published}"));
            }
            if theirs.get(1) != ours.get(1) {
                bad.push(format!(
                    "{key}: cost DuckDB {:?}, Baken {:?}",
                    theirs.get(1),
                    ours.get(1)
                ));
            }
        }
    }
    let missing: Vec<&String> = b.keys().filter(|k| !d.contains_key(*k)).collect();
    for k in &missing {
        bad.push(format!("{k}: Baken publishes it, DuckDB has none"));
    }
    println!("{checked} figures compared");
    if !bad.is_empty() {
        for line in bad.iter().take(20) {
            println!("  {line}");
        }
        bail!("{} figures differ", bad.len());
    }
    println!("every published figure is consistent with DuckDB's true one");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(step), Some(url)) = (args.get(1), args.get(2)) else {
        bail!("usage: dashboard-report base|casework|dashboard|report|check URL …");
    };
    if step == "check" {
        return check(url, args.get(3).context("DUCK_CSV")?);
    }
    let db = Db::connect(url).await?;
    match step.as_str() {
        "base" => base(&db).await?,
        "casework" | "dashboard" => {
            let n: i64 = args.get(3).context("N households")?.parse()?;
            let started = Instant::now();
            if step == "casework" {
                casework(&db, n).await?;
            } else {
                dashboard_data(&db, n).await?;
            }
            eprintln!(
                "{step} for {n} households: {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        "report" => {
            let out = std::path::PathBuf::from(args.get(3).context("OUT dir")?);
            let rounds: usize = args.get(4).map_or(Ok(3), |s| s.parse())?;
            let today = NaiveDate::parse_from_str(args.get(5).context("TODAY")?, "%Y-%m-%d")?;
            time_report(&db, &out, rounds, today).await?;
        }
        "profile" => {
            let today = NaiveDate::parse_from_str(args.get(3).context("TODAY")?, "%Y-%m-%d")?;
            profile(&db, today).await?;
        }
        other => bail!("unknown step {other}"),
    }
    db.close().await;
    Ok(())
}

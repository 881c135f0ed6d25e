//! Suggestions over many open listings (issue 14): p50, p95 and p99 of
//! `baken_store::market::suggestions` — the term index written with each
//! listing, candidates found and ranked in SQL, reasons given in Rust — over
//! N open listings, and on PostgreSQL the same query answered by PostgreSQL's
//! own full-text search (`to_tsvector('dutch', …)`, GIN index) in the same
//! run, query by query in turn. On SQLite the previous way (every open
//! listing of the other side read and analysed per request) is timed on a
//! few queries as the reference, and its answers must equal the index's.
//!
//!   cargo build --release -p baken-bench --bin market-suggest
//!   market-suggest sqlite 100000 [QUERIES]
//!   market-suggest postgres://USER@HOST/postgres 1000000 [QUERIES]
//!
//! PostgreSQL: a user that may create databases; the benchmark creates its
//! own database and drops it at the end. Prints Markdown rows for
//! docs/benchmarks.md. The texts are the demo's listings
//! (`baken_store::market::DEMO_LISTINGS`) with sentences added from a pool.

use baken_domain::market::{self as dm, Candidate};
use baken_store::market::{self as mk, ListingRow};
use baken_store::{demo, exec, with_conn, Db, Tx};
use std::time::Instant;

/// Sentences added to the demo's texts: places, times, people and the words
/// neighbours use, so texts differ and share words across categories.
const EXTRA: &[&str] = &[
    "Ik woon in de Kerkstraat, vlak bij de bakker.",
    "Dinsdagochtend komt mij het best uit.",
    "Op woensdagmiddag ben ik meestal thuis.",
    "Mijn dochter woont ver weg en kan niet vaak komen.",
    "Ik heb een rollator en loop langzaam.",
    "Een uurtje per week is genoeg.",
    "Graag iemand die geduld heeft.",
    "Ik kan een kopje koffie aanbieden.",
    "Ik ben met pensioen en heb tijd over.",
    "Sinds kort woon ik alleen in een flat zonder lift.",
    "Ik spreek ook Engels en een beetje Turks.",
    "Mijn buurvrouw is verhuisd en ik mis het contact.",
    "Het gaat om een klein klusje, niet veel werk.",
    "Ik heb zelf gereedschap: boor, ladder en schroevendraaiers.",
    "In het weekend kan ik ook.",
    "Ik fiets graag en ken de wijk goed.",
    "De huisarts zit aan de andere kant van de stad.",
    "Ik kook elke avond en maak graag wat extra.",
    "Mijn tuin is groot en het gras groeit hard.",
    "De brieven van de gemeente begrijp ik niet goed.",
    "Mijn kleinzoon helpt soms, maar hij studeert nu.",
    "Ik lees graag voor aan kinderen in de buurt.",
    "Met de computer ben ik niet handig.",
    "Ik heb een hond, een rustige labrador.",
    "Samen boodschappen doen is ook gezellig.",
    "Ik zoek iemand voor een vaste afspraak.",
    "Na de operatie mag ik niet tillen.",
    "In de buurtmaaltijd van het wijkcentrum eet ik soms mee.",
    "Ik wil graag iets terugdoen voor de buurt.",
    "Mijn scootmobiel staat in de berging.",
    "Ik help ook met formulieren en de belastingaangifte.",
    "Taalles of huiswerk maken met kinderen vind ik leuk.",
];

/// First names, streets and things neighbours mention, so the vocabulary has
/// a long tail as real texts have.
const NAMES: &[&str] = &[
    "Anneke", "Bert", "Carla", "Dirk", "Els", "Fatima", "Gerrit", "Hanneke", "Ibrahim", "Joke",
    "Kees", "Lotte", "Mustafa", "Nel", "Oscar", "Petra", "Rachid", "Sanne", "Theo", "Ursula",
    "Vera", "Willem", "Yusuf", "Zeynep", "Bram", "Ineke", "Jan", "Marga", "Piet", "Truus",
];
const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Schoolstraat",
    "Stationsweg",
    "Julianalaan",
    "Beatrixstraat",
    "Lindelaan",
    "Kastanjelaan",
    "Eikenlaan",
    "Nieuwstraat",
    "Marktplein",
    "Havenkade",
    "Singel",
    "Parkweg",
    "Tulpstraat",
    "Rozenstraat",
    "Wilhelminastraat",
    "Oranjestraat",
    "Zuiderweg",
    "Noorderhaven",
    "Vondelstraat",
    "Rembrandtlaan",
    "Berkenhof",
];
const THINGS: &[&str] = &[
    "puzzelen",
    "breien",
    "schaken",
    "dammen",
    "biljarten",
    "fotograferen",
    "schilderen",
    "zingen",
    "gitaar",
    "piano",
    "accordeon",
    "vissen",
    "kaarten",
    "bingo",
    "handwerken",
    "borduren",
    "haken",
    "naaimachine",
    "gordijnen",
    "schilderij",
    "kledingkast",
    "fiets",
    "band",
    "ketting",
    "stofzuiger",
    "wasmachine",
    "vaatwasser",
    "televisie",
    "afstandsbediening",
    "router",
    "wifi",
    "printer",
    "laptop",
    "e-mail",
    "whatsapp",
    "digid",
    "bankieren",
    "toeslagen",
    "huurtoeslag",
    "zorgverzekering",
    "apotheek",
    "fysiotherapeut",
    "tandarts",
    "ziekenhuis",
    "kapper",
    "bibliotheek",
    "markt",
    "zwembad",
    "moestuin",
    "kippen",
    "konijn",
    "kat",
    "parkiet",
    "vijver",
    "schutting",
    "dakgoot",
    "regenpijp",
    "stoep",
    "balkon",
    "plantenbakken",
    "tomaten",
    "aardbeien",
    "appeltaart",
    "soep",
    "stamppot",
    "nasi",
    "couscous",
    "verjaardag",
    "kerst",
    "suikerfeest",
    "sinterklaas",
    "carnaval",
    "koningsdag",
    "verhuizing",
    "dozen",
    "meubels",
    "bank",
    "matras",
    "bed",
    "kast",
    "lamp",
    "gordijnrails",
    "vloerkleed",
    "rolstoel",
    "rollator",
    "krukken",
    "gehoorapparaat",
    "bril",
    "medicijnen",
    "weegschaal",
];

/// A fresh database of its own: SQLite in a temporary directory, or a new
/// PostgreSQL database (its name returned so it can be dropped).
async fn fresh(target: &str, dir: &std::path::Path) -> anyhow::Result<(Db, Option<String>)> {
    if target == "sqlite" {
        let db = Db::connect(&format!("sqlite://{}", dir.join("market.db").display())).await?;
        db.migrate().await?;
        return Ok((db, None));
    }
    let admin = Db::connect(target).await?;
    let name = format!("baken_bench_market_{}", std::process::id());
    if let Some(p) = admin.postgres_pool() {
        baken_store::sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(p)
            .await?;
        baken_store::sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(p)
            .await?;
    }
    admin.close().await;
    let base = target.rsplit_once('/').map(|(b, _)| b).unwrap_or(target);
    let db = Db::connect(&format!("{base}/{name}")).await?;
    db.migrate().await?;
    Ok((db, Some(name)))
}

async fn drop_db(target: &str, name: &str) -> anyhow::Result<()> {
    let admin = Db::connect(target).await?;
    if let Some(p) = admin.postgres_pool() {
        baken_store::sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(p)
            .await?;
    }
    admin.close().await;
    Ok(())
}

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

async fn ids(tx: &mut Tx, sql: &str) -> anyhow::Result<Vec<(i64, String)>> {
    Ok(with_conn!(tx, |c| {
        baken_store::sqlx::query_as(sql).fetch_all(&mut *c).await
    })?)
}

/// Writes `n` open listings by `participants` proxy participants, in
/// statements of 400 rows; returns the seconds the term index took.
async fn generate(db: &Db, n: usize, participants: usize) -> anyhow::Result<(f64, f64)> {
    let mut tx = db.begin().await?;
    let districts: Vec<String> = ids(
        &mut tx,
        "SELECT CAST(0 AS BIGINT), code FROM districts ORDER BY code",
    )
    .await?
    .into_iter()
    .map(|(_, c)| c)
    .collect();
    let categories = ids(&mut tx, "SELECT id, name FROM mk_categories").await?;
    let (makelaar, _) = ids(
        &mut tx,
        "SELECT id, username FROM users WHERE username = 'makelaar'",
    )
    .await?
    .into_iter()
    .next()
    .ok_or_else(|| anyhow::anyhow!("the demo has no makelaar"))?;
    let mut rng = Rng(2026);
    let now = baken_store::now();
    let today = now.date_naive();
    for start in (0..participants).step_by(400) {
        let rows = (start..participants.min(start + 400))
            .map(|i| {
                format!(
                    "('Buur {i}', '{}', 'proxy', {makelaar}, $1)",
                    districts[rng.next(districts.len())]
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO mk_participants (display_name, district_code, kind, makelaar_user_id, created_at) VALUES {rows}"
        );
        exec!(&mut tx, |c| baken_store::sqlx::query(&sql)
            .bind(now)
            .execute(&mut *c)
            .await)?;
    }
    let people = ids(
        &mut tx,
        "SELECT id, display_name FROM mk_participants WHERE display_name LIKE 'Buur %'",
    )
    .await?;
    tx.commit().await?;
    let started = Instant::now();
    let mut written = 0;
    while written < n {
        let mut tx = db.begin().await?;
        let count = (n - written).min(400);
        let mut values = Vec::with_capacity(count);
        let mut texts: Vec<(String, String)> = Vec::with_capacity(count);
        for _ in 0..count {
            let (direction, cat, title, text, recurring) =
                mk::DEMO_LISTINGS[rng.next(mk::DEMO_LISTINGS.len())];
            // Half keep the demo's direction; a category is sometimes another one.
            let direction = match rng.next(4) {
                0 => "vraag",
                1 => "aanbod",
                _ => direction,
            };
            let category = if rng.next(5) == 0 {
                categories[rng.next(categories.len())].0
            } else {
                categories
                    .iter()
                    .find(|(_, n)| n == cat)
                    .map_or(categories[0].0, |c| c.0)
            };
            let mut body = text.to_owned();
            match rng.next(6) {
                0 => body.push_str(&format!(" Ik ben {}.", NAMES[rng.next(NAMES.len())])),
                1 => body.push_str(&format!(
                    " Groet, {} van de {}.",
                    NAMES[rng.next(NAMES.len())],
                    STREETS[rng.next(STREETS.len())]
                )),
                _ => {}
            }
            if rng.next(3) == 0 {
                body.push_str(&format!(
                    " Het gaat ook om {} en {}.",
                    THINGS[rng.next(THINGS.len())],
                    THINGS[rng.next(THINGS.len())]
                ));
            }
            for _ in 0..rng.next(4) {
                body.push(' ');
                body.push_str(EXTRA[rng.next(EXTRA.len())]);
            }
            let district = match rng.next(6) {
                0 => "NULL".to_owned(),
                _ => format!("'{}'", districts[rng.next(districts.len())]),
            };
            let part = ["flexibel", "flexibel", "ochtend", "middag", "avond"][rng.next(5)];
            let on_date = match rng.next(4) {
                0 => format!("'{}'", today + chrono::Days::new(rng.next(30) as u64)),
                _ => "NULL".to_owned(),
            };
            let recurrence = if recurring { "terugkerend" } else { "eenmalig" };
            let i = texts.len();
            values.push(format!(
                "({who}, '{direction}', {category}, ${t}, ${b}, {district}, '{recurrence}', {on_date}, '{part}', {urgent}, 1, FALSE, {makelaar}, $1, $2)",
                who = people[rng.next(people.len())].0,
                t = 3 + 2 * i,
                b = 4 + 2 * i,
                urgent = if direction == "vraag" && rng.next(20) == 0 { "TRUE" } else { "FALSE" },
            ));
            texts.push((title.to_owned(), body));
        }
        let sql = format!(
            "INSERT INTO mk_listings (participant_id, direction, category_id, title, body, district_code, \
             recurrence, on_date, part_of_day, urgent, places, is_group, posted_by_user_id, posted_on, created_at) \
             VALUES {}",
            values.join(", ")
        );
        exec!(&mut tx, |c| {
            let mut q = baken_store::sqlx::query(&sql).bind(today).bind(now);
            for (t, b) in &texts {
                q = q.bind(t.as_str()).bind(b.as_str());
            }
            q.execute(&mut *c).await
        })?;
        tx.commit().await?;
        written += count;
    }
    let write_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    loop {
        let mut tx = db.begin().await?;
        let done = mk::index_pending(&mut tx, 5000).await?;
        tx.commit().await?;
        if done == 0 {
            break;
        }
    }
    let index_secs = started.elapsed().as_secs_f64();
    db.analyze().await?;
    Ok((write_secs, index_secs))
}

/// The same suggestions through PostgreSQL's full-text search: candidates in
/// the same category or whose `to_tsvector('dutch', title || ' ' || body)`
/// (GIN-indexed) shares a lexeme with the listing's, ranked with the same
/// weights — shared words counted as shared lexemes.
async fn fts(tx: &mut Tx, row: &ListingRow, limit: i64) -> anyhow::Result<Vec<i64>> {
    use dm::weights as w;
    let text = format!("{} {}", row.title, row.body);
    let baken_store::Conn::Postgres(c) = tx.conn() else {
        anyhow::bail!("full-text search is PostgreSQL's");
    };
    let (lexemes,): (Vec<String>,) =
        baken_store::sqlx::query_as("SELECT tsvector_to_array(to_tsvector('dutch', $1))")
            .bind(text.as_str())
            .fetch_one(&mut *c)
            .await?;
    let query = lexemes
        .iter()
        .map(|l| format!("'{}'", l.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(" | ");
    let area = match &row.district_code {
        Some(_) => format!(
            "CASE WHEN l.district_code IS NULL THEN {} WHEN l.district_code = $6 THEN {} \
             WHEN EXISTS (SELECT 1 FROM mk_neighbours nb WHERE nb.district_code = $6 \
             AND nb.neighbour_code = l.district_code) THEN {} ELSE 0 END",
            w::WHOLE_TOWN,
            w::SAME_DISTRICT,
            w::NEIGHBOURING_DISTRICT
        ),
        None => format!("{} + 0 * length(coalesce($6, ''))", w::WHOLE_TOWN),
    };
    let sql = format!(
        "SELECT l.id FROM mk_listings l JOIN mk_participants p ON p.id = l.participant_id \
         WHERE l.state = 'open' AND l.direction = $1 AND l.participant_id <> $2 AND p.blocked = FALSE \
         AND (l.category_id = $3 OR l.tsv @@ $4::tsquery) \
         ORDER BY (CASE WHEN l.category_id = $3 THEN {cat} ELSE 0 END) \
           + {word} * LEAST({max}, cardinality(ARRAY(SELECT unnest(tsvector_to_array(l.tsv)) \
                                                    INTERSECT SELECT unnest($5::text[])))) \
           + ({area}) \
           + (CASE WHEN l.on_date = $7 THEN {day} ELSE 0 END) \
           + (CASE WHEN l.part_of_day = $8 AND $8 <> 'flexibel' THEN {part} ELSE 0 END) DESC, l.id DESC \
         LIMIT $9",
        cat = w::CATEGORY,
        word = w::WORD,
        max = w::MAX_WORDS,
        day = w::SAME_DAY,
        part = w::SAME_PART_OF_DAY,
    );
    let query = if query.is_empty() {
        "''".to_owned()
    } else {
        query
    };
    let rows: Vec<(i64,)> = baken_store::sqlx::query_as(&sql)
        .bind(row.direction().opposite().as_str())
        .bind(row.participant_id)
        .bind(row.category_id)
        .bind(query.as_str())
        .bind(&lexemes)
        .bind(row.district_code.as_deref())
        .bind(row.on_date)
        .bind(row.part_of_day.as_str())
        .bind(limit)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The previous way: every open listing of the other side, analysed.
async fn in_memory(tx: &mut Tx, row: &ListingRow, limit: usize) -> anyhow::Result<Vec<dm::Fit>> {
    let others = mk::open_listings(tx, row.direction().opposite()).await?;
    let neighbours = mk::neighbours(tx).await?;
    let all: Vec<Candidate> = others.iter().map(ListingRow::candidate).collect();
    let query = format!("{} {}", row.title, row.body);
    Ok(dm::suggest(
        &row.candidate(),
        &query,
        &all,
        &neighbours,
        limit,
    ))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn row(backend: &str, n: usize, what: &str, times: &mut [f64], found: f64) {
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "| {backend} | {n} | {what} | {} | {:.1} | {:.1} | {:.1} | {found:.1} |",
        times.len(),
        percentile(times, 50.0),
        percentile(times, 95.0),
        percentile(times, 99.0),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let target = args.get(1).cloned().unwrap_or_else(|| "sqlite".to_owned());
    let n: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let queries: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(300);
    let backend = if target == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let dir = tempfile::tempdir()?;
    let (db, pg_name) = fresh(&target, dir.path()).await?;
    demo::load(
        &db,
        &baken_synth::municipality(),
        &baken_synth::Config::new(5, 3),
        "x",
        |_| {},
    )
    .await?;
    let (write_secs, index_secs) = generate(&db, n, (n / 20).max(50)).await?;
    eprintln!("{backend}: {n} listings written in {write_secs:.1} s, indexed in {index_secs:.1} s");
    let mut fts_secs = 0.0;
    if pg_name.is_some() {
        let started = Instant::now();
        let mut tx = db.begin().await?;
        exec!(&mut tx, |c| baken_store::sqlx::query(
            "ALTER TABLE mk_listings ADD COLUMN tsv tsvector \
             GENERATED ALWAYS AS (to_tsvector('dutch', title || ' ' || body)) STORED"
        )
        .execute(&mut *c)
        .await)?;
        exec!(&mut tx, |c| baken_store::sqlx::query(
            "CREATE INDEX mk_listings_tsv ON mk_listings USING GIN (tsv)"
        )
        .execute(&mut *c)
        .await)?;
        tx.commit().await?;
        fts_secs = started.elapsed().as_secs_f64();
        // What autovacuum does for a table this size by itself, done now so
        // both queries start from the same state (visibility map, statistics).
        if let Some(p) = db.postgres_pool() {
            baken_store::sqlx::query("VACUUM ANALYZE")
                .execute(p)
                .await?;
        }
        eprintln!("PostgreSQL full-text column and GIN index in {fts_secs:.1} s");
    }
    let (terms, postings): (i64, i64) = {
        let mut tx = db.read().await?;
        with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM mk_terms), (SELECT COUNT(*) FROM mk_listing_terms)"
        )
        .fetch_one(&mut *c)
        .await)?
    };
    // Query listings spread over the whole range, both directions.
    let all: Vec<(i64, String)> = {
        let mut tx = db.read().await?;
        ids(
            &mut tx,
            "SELECT id, direction FROM mk_listings WHERE state = 'open' ORDER BY id",
        )
        .await?
    };
    let step = (all.len() / queries.max(1)).max(1);
    let picks: Vec<i64> = all
        .iter()
        .step_by(step)
        .take(queries)
        .map(|(id, _)| *id)
        .collect();
    let mut index_ms = Vec::new();
    let mut fts_ms = Vec::new();
    let (mut index_found, mut fts_found) = (0usize, 0usize);
    let mut worded = 0usize;
    for id in &picks {
        let mut tx = db.read().await?;
        let row = mk::listing(&mut tx, *id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("listing {id}"))?;
        let started = Instant::now();
        let got = mk::suggestions(&mut tx, &row, 10).await?;
        index_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        index_found += got.len();
        worded += got
            .iter()
            .filter(|(_, f)| f.reasons.iter().any(|r| matches!(r, dm::Reason::Words(_))))
            .count();
        if pg_name.is_some() {
            let started = Instant::now();
            let base = fts(&mut tx, &row, 10).await?;
            fts_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            fts_found += base.len();
        }
    }
    let q = picks.len().max(1) as f64;
    println!("| backend | open listings | query | queries | p50 ms | p95 ms | p99 ms | suggestions per query |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    row(
        backend,
        n,
        "term index (Baken)",
        &mut index_ms,
        index_found as f64 / q,
    );
    if pg_name.is_some() {
        row(
            backend,
            n,
            "PostgreSQL full-text search (GIN)",
            &mut fts_ms,
            fts_found as f64 / q,
        );
    } else {
        // The previous way, on a few queries: also its answers must be the same.
        let mut old_ms = Vec::new();
        for id in picks.iter().take(10) {
            let mut tx = db.read().await?;
            let row = mk::listing(&mut tx, *id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("listing {id}"))?;
            let started = Instant::now();
            let expected = in_memory(&mut tx, &row, 10).await?;
            old_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            let got: Vec<dm::Fit> = mk::suggestions(&mut tx, &row, 10)
                .await?
                .into_iter()
                .map(|(_, f)| f)
                .collect();
            anyhow::ensure!(
                got == expected,
                "listing {id}: the index gave {got:?}, analysing all gave {expected:?}"
            );
        }
        row(
            backend,
            n,
            "every open listing analysed (before)",
            &mut old_ms,
            10.0,
        );
    }
    eprintln!(
        "{terms} terms, {postings} listing terms; {:.1} of 10 suggestions per query share words",
        worded as f64 / q
    );
    println!();
    println!(
        "{backend}: {n} listings written in {write_secs:.0} s; term index built in {index_secs:.0} s \
         ({terms} terms, {postings} listing terms){}; {:.1} of the suggestions per query share words.",
        if fts_secs > 0.0 { format!("; full-text column and GIN index in {fts_secs:.0} s") } else { String::new() },
        worded as f64 / q
    );
    db.close().await;
    if pg_name.is_none() && std::env::var_os("KEEP_DB").is_some() {
        eprintln!("kept {}", dir.keep().join("market.db").display());
    }
    if let Some(name) = pg_name {
        if std::env::var_os("KEEP_DB").is_some() {
            eprintln!("kept database {name}");
        } else {
            drop_db(&target, &name).await?;
        }
    }
    Ok(())
}

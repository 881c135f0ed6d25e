//! The Eigen Kracht Wijzer's suggestion step over a large social map.
//!
//! `cargo run --release -p baken-bench --bin kaart-wijzer [-- SERVICES ROUNDS [indexed|naive]]`
//!
//! The map: the synthetic municipality's 319 demo services plus generated
//! ones up to SERVICES (default 10,000) from `baken_synth::kaart_large` —
//! names and descriptions combined from a Dutch vocabulary of a few thousand
//! words, varied domains, districts, steps, reach, status and volunteering.
//! With the demo wijzer content, `suggest` runs for ten resident profiles
//! (the two stories of PRODUCT.md, three that need the Dutch text analysis —
//! negation and synonyms, a contra-indication, a talent — and five others), ROUNDS times each (default
//! 300), in the same run:
//!
//! - **indexed**: the map is indexed once (`ServiceIndex`: vocabulary,
//!   postings) and the content compiled against it once (`RuleIndex`: per-rule
//!   candidate lists, grouped by district), as the web app keeps them between
//!   requests; only `suggest_with` is timed. Measured twice per round: the
//!   profiles back to back (as a server answering residents one after
//!   another), and each right after a naive scan (the scan has pushed the index
//!   out of the CPU caches: the worst case).
//! - **naive full scan**: every request tokenises and stems every service's
//!   text again and compiles the rules against it — what a server without a
//!   kept index does.
//!
//! Each call is timed by the wall clock and by the thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), which does not count time the thread waited
//! for a core: on a shared machine the CPU-time percentiles are the steadier
//! figure. A warm-up checks both ways give identical advice. The optional third
//! argument runs one way only, and `KAART_PROFILES=0,3` only those profiles
//! (for `valgrind --tool=callgrind`, see `bench/kaart/callgrind.sh`); the last
//! line counts the calls, so instruction counts can be divided by them.

use baken_domain::kaart::wijzer::{suggest_with, Answers, RuleIndex, ServiceIndex};
use baken_domain::kaart::Service;
use baken_domain::DistrictCode;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn profiles() -> Vec<(&'static str, Answers)> {
    let noord = DistrictCode::parse("WK999902").ok();
    let a = |question: &str,
             topics: &[&str],
             situation: &[(&str, &str)],
             likes: &[&str],
             helpers: &[&str]| Answers {
        question: question.into(),
        topics: topics.iter().map(|s| s.to_string()).collect(),
        situation: situation
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        likes: likes.iter().map(|s| s.to_string()).collect(),
        nobody_helps: helpers.contains(&"niemand"),
        helpers: helpers
            .iter()
            .filter(|h| **h != "niemand")
            .map(|s| s.to_string())
            .collect(),
        district: noord.clone(),
    };
    vec![
        (
            "maaltijd (verhaal 1)",
            a(
                "Ik wil maaltijden thuis",
                &["eten"],
                &[("alleen_eten", "vaak"), ("gezelschap", "ja")],
                &["mensen"],
                &[],
            ),
        ),
        (
            "scootmobiel (verhaal 2)",
            a(
                "Ik wil een scootmobiel, mijn heup is slecht",
                &[],
                &[("lopen", "moeilijk")],
                &["lezen", "mensen"],
                &[],
            ),
        ),
        (
            "schulden",
            a(
                "Ik kan mijn rekeningen niet meer betalen en krijg steeds brieven",
                &["geld"],
                &[("rekeningen", "moeilijk")],
                &["techniek"],
                &["familie"],
            ),
        ),
        (
            "opvoeden",
            a(
                "Mijn puber luistert niet en er is veel ruzie thuis",
                &["opvoeden"],
                &[("thuis", "soms")],
                &["koken"],
                &[],
            ),
        ),
        (
            "alcohol",
            a(
                "Ik drink te veel sinds mijn vrouw is overleden",
                &["middelen", "contact"],
                &[("middelen", "moeilijk"), ("stemming", "soms")],
                &["wandelen", "klussen"],
                &["niemand"],
            ),
        ),
        (
            "alleen vrije tekst",
            a(
                "eenzaam en weinig te doen overdag, huishouden lukt niet, graag wandelen of tuinieren met anderen",
                &[],
                &[],
                &[],
                &[],
            ),
        ),
        (
            "weduwe: negatie, synoniemen",
            a(
                "Mijn man is overleden, ik ben niet ziek maar wel vaak alleen en heb geen familie of vrienden in de buurt",
                &[],
                &[("gezelschap", "ja")],
                &[],
                &["niemand"],
            ),
        ),
        (
            "rolstoel: contra-indicatie",
            a(
                "Ik zit in een rolstoel en kan niet meer lopen, maar ik wil wel naar buiten",
                &["bewegen"],
                &[("lopen", "moeilijk"), ("eropuit", "moeilijk")],
                &[],
                &[],
            ),
        ),
        (
            "breien: talent",
            a(
                "Ik brei heel graag en kook goed, maar sinds mijn pensioen verveel ik me",
                &[],
                &[],
                &[],
                &[],
            ),
        ),
        ("leeg", a("", &[], &[], &[], &[])),
    ]
}

/// The calling thread's CPU time.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the pointer we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` and returns (wall, cpu) time.
fn timed(f: impl FnOnce()) -> (Duration, Duration) {
    let (w, c) = (Instant::now(), thread_cpu());
    f();
    let cpu = thread_cpu().saturating_sub(c);
    (w.elapsed(), cpu)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

struct Series {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Series {
    fn new(n: usize) -> Series {
        Series {
            wall: Vec::with_capacity(n),
            cpu: Vec::with_capacity(n),
        }
    }
    fn push(&mut self, (w, c): (Duration, Duration)) {
        self.wall.push(w);
        self.cpu.push(c);
    }
    fn sort(&mut self) {
        self.wall.sort();
        self.cpu.sort();
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let only = args.next();
    let (run_indexed, run_naive) = match only.as_deref() {
        Some("indexed") => (true, false),
        Some("naive") => (false, true),
        _ => (true, true),
    };

    let m = baken_synth::municipality();
    let content = baken_synth::kaart::wijzer();
    let mut drafts: Vec<_> = baken_synth::kaart::kaart(&m)
        .services
        .into_iter()
        .map(|s| s.draft)
        .collect();
    let demo = drafts.len();
    drafts.extend(baken_synth::kaart_large::large_map(
        &m,
        n.saturating_sub(demo),
        2026,
    ));
    drafts.truncate(n);
    let services: Vec<(i64, Service)> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let s = d
                .parse()
                .unwrap_or_else(|e| panic!("service {}: {e:?}", d.name));
            (i as i64 + 1, s)
        })
        .collect();
    let load_before = load();
    let started = Instant::now();
    let index = ServiceIndex::new(services.clone());
    let build = started.elapsed();
    let started = Instant::now();
    let rules = RuleIndex::new(content.clone(), &index);
    let compile = started.elapsed();
    let mut profiles = profiles();
    if let Ok(only) = std::env::var("KAART_PROFILES") {
        let keep: Vec<usize> = only
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .collect();
        profiles = profiles
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, p)| p)
            .collect();
    }
    let (mut suggest_calls, mut builds) = (0usize, 1usize);

    let naive = |p: &Answers| {
        let fresh = ServiceIndex::new(services.clone());
        let rules = RuleIndex::new(content.clone(), &fresh);
        suggest_with(&rules, &fresh, p)
    };
    // Warm up, and check both ways agree.
    for (_, p) in &profiles {
        let fast = suggest_with(&rules, &index, p);
        suggest_calls += 1;
        if run_naive {
            assert_eq!(fast, naive(p), "both ways give the same advice");
            (suggest_calls, builds) = (suggest_calls + 1, builds + 1);
        }
        assert!(!fast.suggestions.is_empty() || p.question.is_empty());
    }

    let total = rounds * profiles.len();
    let mut indexed = Series::new(total);
    let mut cold = Series::new(total);
    let mut scan = Series::new(total);
    for _ in 0..rounds {
        if run_indexed {
            for (_, p) in &profiles {
                indexed.push(timed(|| {
                    black_box(suggest_with(&rules, &index, black_box(p)));
                }));
                suggest_calls += 1;
            }
        }
        for (_, p) in &profiles {
            if run_naive {
                // The naive scan gets its copy of the raw services outside the
                // timing: only tokenising, indexing and matching are measured.
                let raw = services.clone();
                scan.push(timed(|| {
                    let fresh = ServiceIndex::new(raw);
                    let rules = RuleIndex::new(content.clone(), &fresh);
                    black_box(suggest_with(&rules, &fresh, black_box(p)));
                }));
                (suggest_calls, builds) = (suggest_calls + 1, builds + 1);
                if run_indexed {
                    cold.push(timed(|| {
                        black_box(suggest_with(&rules, &index, black_box(p)));
                    }));
                    suggest_calls += 1;
                }
            }
        }
    }
    indexed.sort();
    cold.sort();
    scan.sort();
    println!(
        "Eigen Kracht Wijzer, suggestion step: {n} services ({demo} demo + {} generated), {} distinct stems, {} profiles x {rounds} rounds",
        n.saturating_sub(demo),
        index.vocabulary_size(),
        profiles.len()
    );
    println!(
        "map indexed once in {}, content compiled against it in {}; load average {load_before} before, {} after",
        ms(build),
        ms(compile),
        load()
    );
    let candidates: usize = rules.candidates_per_rule().iter().map(|(_, n)| n).sum();
    println!(
        "{} rules could suggest {candidates} services in all (their candidate lists)",
        content.rules.len()
    );
    println!(
        "{:<30} {:>6} {:>11} {:>11} {:>11} {:>11}",
        "way", "clock", "p50", "p99", "p99.9", "max"
    );
    for (name, s) in [
        ("indexed, back to back", &indexed),
        ("indexed, after a naive scan", &cold),
        ("naive full scan", &scan),
    ] {
        for (clock, d) in [("wall", &s.wall), ("cpu", &s.cpu)] {
            if d.is_empty() {
                continue;
            }
            println!(
                "{:<30} {:>6} {:>11} {:>11} {:>11} {:>11}",
                name,
                clock,
                ms(percentile(d, 0.5)),
                ms(percentile(d, 0.99)),
                ms(percentile(d, 0.999)),
                ms(*d.last().unwrap_or(&Duration::ZERO))
            );
        }
    }
    if run_indexed && run_naive {
        for (what, b) in [("back to back", &indexed), ("after a scan", &cold)] {
            for (clock, x, y) in [("wall", &scan.wall, &b.wall), ("cpu", &scan.cpu, &b.cpu)] {
                let ratio =
                    percentile(x, 0.99).as_secs_f64() / percentile(y, 0.99).as_secs_f64().max(1e-9);
                println!("naive p99 / indexed ({what}) p99, {clock}: {ratio:.0}x");
            }
        }
    }
    for (what, s) in [("back to back", &indexed), ("after a naive scan", &cold)] {
        if s.wall.is_empty() {
            continue;
        }
        let over = |d: &[Duration]| d.iter().filter(|d| **d >= Duration::from_millis(5)).count();
        println!(
            "indexed ({what}): {} of {} calls took 5 ms or more by the wall clock, {} by CPU time",
            over(&s.wall),
            s.wall.len(),
            over(&s.cpu)
        );
    }
    if let Some((name, p)) = profiles.first() {
        let advice = suggest_with(&rules, &index, p);
        suggest_calls += 1;
        println!(
            "({name} gives {} suggestions and {} ways to give)",
            advice.suggestions.len(),
            advice.give.len()
        );
    }
    println!("calls: suggest_with {suggest_calls}, index builds (ServiceIndex::new and RuleIndex::new each) {builds}");
}

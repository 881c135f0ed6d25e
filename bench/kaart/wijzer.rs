//! The Eigen Kracht Wijzer's suggestion step over a large social map.
//!
//! `cargo run --release -p baken-bench --bin kaart-wijzer [-- SERVICES ROUNDS]`
//!
//! Builds a map of SERVICES services (default 10,000) by repeating the
//! synthetic municipality's ~300 services, then times `suggest` for six
//! resident profiles (the two stories of PRODUCT.md and four others), ROUNDS
//! times each (default 300), two ways in the same run:
//!
//! - **indexed**: the map's search stems are computed once (`ServiceIndex`),
//!   as a server would keep them between requests; only the suggestion step is timed.
//! - **naive full scan**: every request tokenises and stems every service's
//!   text again before matching — what a straightforward implementation does.
//!
//! Reports p50, p99 and max per way and the ratio of the p99s.

use baken_domain::kaart::wijzer::{suggest, Answers, ServiceIndex};
use baken_domain::kaart::Service;
use baken_domain::DistrictCode;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn profiles() -> Vec<(&'static str, Answers)> {
    let noord = DistrictCode::parse("WK999902").ok();
    let a = |question: &str, topics: &[&str], situation: &[(&str, &str)], likes: &[&str]| Answers {
        question: question.into(),
        topics: topics.iter().map(|s| s.to_string()).collect(),
        situation: situation
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        likes: likes.iter().map(|s| s.to_string()).collect(),
        helpers: vec![],
        nobody_helps: false,
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
            ),
        ),
        (
            "scootmobiel (verhaal 2)",
            a(
                "Ik wil een scootmobiel, mijn heup is slecht",
                &[],
                &[("lopen", "moeilijk")],
                &["lezen", "mensen"],
            ),
        ),
        (
            "schulden",
            a(
                "Ik kan mijn rekeningen niet meer betalen",
                &["geld"],
                &[("rekeningen", "moeilijk")],
                &["techniek"],
            ),
        ),
        (
            "opvoeden",
            a(
                "Mijn puber luistert niet",
                &["opvoeden"],
                &[("thuis", "soms")],
                &["koken"],
            ),
        ),
        (
            "alleen vrije tekst",
            a(
                "eenzaam en weinig te doen overdag, huishouden lukt niet",
                &[],
                &[],
                &[],
            ),
        ),
        ("leeg", a("", &[], &[], &[])),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);

    let m = baken_synth::municipality();
    let kaart = baken_synth::kaart::kaart(&m);
    let content = baken_synth::kaart::wijzer();
    let base: Vec<Service> = kaart
        .services
        .iter()
        .map(|s| {
            s.draft
                .parse()
                .unwrap_or_else(|e| panic!("demo service {}: {e:?}", s.draft.name))
        })
        .collect();
    let services: Vec<(i64, Service)> = (0..n)
        .map(|i| {
            let mut s = base[i % base.len()].clone();
            if i >= base.len() {
                s.name = format!("{} ({})", s.name, i / base.len());
            }
            (i as i64 + 1, s)
        })
        .collect();
    let started = Instant::now();
    let index = ServiceIndex::new(services.clone());
    let build = started.elapsed();
    let profiles = profiles();

    // Warm up, and check both ways agree.
    for (_, p) in &profiles {
        let fast = suggest(&content, &index, p);
        let slow = suggest(&content, &ServiceIndex::new(services.clone()), p);
        assert_eq!(fast, slow, "both ways give the same advice");
    }

    let mut indexed = Vec::with_capacity(rounds * profiles.len());
    let mut naive = Vec::with_capacity(rounds * profiles.len());
    for _ in 0..rounds {
        for (_, p) in &profiles {
            let t = Instant::now();
            black_box(suggest(&content, &index, black_box(p)));
            indexed.push(t.elapsed());
            // The naive scan gets its own copy of the raw services outside the
            // timing, so only the tokenising and matching are measured.
            let raw = services.clone();
            let t = Instant::now();
            let fresh = ServiceIndex::new(raw);
            black_box(suggest(&content, &fresh, black_box(p)));
            naive.push(t.elapsed());
        }
    }
    indexed.sort();
    naive.sort();
    let advice = suggest(&content, &index, &profiles[0].1);
    println!(
        "Eigen Kracht Wijzer, suggestion step: {n} services, {} profiles x {rounds} rounds",
        profiles.len()
    );
    println!("index built once in {}", ms(build));
    println!("{:<18} {:>12} {:>12} {:>12}", "way", "p50", "p99", "max");
    for (name, d) in [("indexed", &indexed), ("naive full scan", &naive)] {
        println!(
            "{:<18} {:>12} {:>12} {:>12}",
            name,
            ms(percentile(d, 0.5)),
            ms(percentile(d, 0.99)),
            ms(*d.last().unwrap_or(&Duration::ZERO))
        );
    }
    let ratio =
        percentile(&naive, 0.99).as_secs_f64() / percentile(&indexed, 0.99).as_secs_f64().max(1e-9);
    println!("naive p99 / indexed p99 = {ratio:.1}x");
    println!(
        "(story 1 gives {} suggestions and {} ways to give)",
        advice.suggestions.len(),
        advice.give.len()
    );
}

//! The wijzer's golden set: residents' stories in their own words
//! (`wijzer_stories.toml`), each with what must and must not be suggested,
//! run against the demo municipality's map and wijzer content.
//!
//! A story fixes its expected first suggestions (`eerst`, in order) and ways
//! to give (`geven_eerst`): a change to the text analysis or the ranking that
//! moves them fails here, by name. `WIJZER_STORIES_PRINT=1` prints every
//! story's advice, to see what a change did before updating the file.

use baken_domain::kaart::wijzer::{suggest_with, Answers, RuleIndex, ServiceIndex, Suggestion};
use baken_domain::kaart::Service;
use baken_domain::DistrictCode;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct File {
    verhaal: Vec<StoryCase>,
}

/// One resident's story and what the wijzer must make of it. Titles are
/// matched from their start ("Buurtmaaltijd" matches "Buurtmaaltijd Vlietland").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoryCase {
    naam: String,
    vraag: String,
    #[serde(default)]
    onderwerpen: Vec<String>,
    #[serde(default)]
    situatie: BTreeMap<String, String>,
    #[serde(default)]
    graag: Vec<String>,
    #[serde(default)]
    hulp: Vec<String>,
    #[serde(default)]
    wijk: Option<String>,
    /// The first suggestions, in this order.
    #[serde(default)]
    eerst: Vec<String>,
    /// Among the suggestions, anywhere.
    #[serde(default)]
    wel: Vec<String>,
    /// Not among the suggestions nor the ways to give.
    #[serde(default)]
    niet: Vec<String>,
    /// The first ways to give, in this order.
    #[serde(default)]
    geven_eerst: Vec<String>,
    /// Among the ways to give.
    #[serde(default)]
    geven: Vec<String>,
    /// No way to give at all.
    #[serde(default)]
    niets_geven: bool,
    /// Texts that some reason of some suggestion contains.
    #[serde(default)]
    redenen: Vec<String>,
    /// Texts no reason contains.
    #[serde(default)]
    geen_redenen: Vec<String>,
}

fn map() -> Vec<(i64, Service)> {
    let m = baken_synth::municipality();
    baken_synth::kaart::kaart(&m)
        .services
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let service = s
                .draft
                .parse()
                .unwrap_or_else(|e| panic!("service {}: {e:?}", s.draft.name));
            (i as i64 + 1, service)
        })
        .collect()
}

fn answers(c: &StoryCase) -> Answers {
    Answers {
        question: c.vraag.clone(),
        topics: c.onderwerpen.clone(),
        situation: c.situatie.clone(),
        likes: c.graag.clone(),
        nobody_helps: c.hulp.iter().any(|h| h == "niemand"),
        helpers: c.hulp.iter().filter(|h| *h != "niemand").cloned().collect(),
        district: c.wijk.as_deref().map(|w| {
            DistrictCode::parse(w).unwrap_or_else(|e| panic!("{}: wijk {w}: {e:?}", c.naam))
        }),
    }
}

fn titles(list: &[Suggestion]) -> Vec<&str> {
    list.iter().map(|s| s.title.as_str()).collect()
}

fn has(list: &[Suggestion], title: &str) -> bool {
    list.iter().any(|s| s.title.starts_with(title))
}

/// What is wrong with the advice for one story; empty when it passes.
fn check(c: &StoryCase, rules: &RuleIndex, index: &ServiceIndex) -> Vec<String> {
    let advice = suggest_with(rules, index, &answers(c));
    let (s, g) = (&advice.suggestions, &advice.give);
    if std::env::var_os("WIJZER_STORIES_PRINT").is_some() {
        println!("== {}", c.naam);
        for x in s {
            let r: Vec<&str> = x.reasons.iter().map(|r| r.0.as_str()).collect();
            println!(
                "  {} [{:?}] {}  <- {}",
                x.step.value(),
                x.kind,
                x.title,
                r.join(" | ")
            );
        }
        for x in g {
            let r: Vec<&str> = x.reasons.iter().map(|r| r.0.as_str()).collect();
            println!("  geven: {}  <- {}", x.title, r.join(" | "));
        }
    }
    let mut problems = Vec::new();
    for (i, want) in c.eerst.iter().enumerate() {
        match s.get(i) {
            Some(got) if got.title.starts_with(want.as_str()) => {}
            got => problems.push(format!(
                "suggestion {} should be '{want}', is {:?}",
                i + 1,
                got.map(|x| &x.title)
            )),
        }
    }
    for (i, want) in c.geven_eerst.iter().enumerate() {
        match g.get(i) {
            Some(got) if got.title.starts_with(want.as_str()) => {}
            got => problems.push(format!(
                "way to give {} should be '{want}', is {:?}",
                i + 1,
                got.map(|x| &x.title)
            )),
        }
    }
    for want in &c.wel {
        if !has(s, want) {
            problems.push(format!("'{want}' is not suggested"));
        }
    }
    for want in &c.geven {
        if !has(g, want) {
            problems.push(format!("'{want}' is not a way to give"));
        }
    }
    for bad in &c.niet {
        if has(s, bad) || has(g, bad) {
            problems.push(format!("'{bad}' is suggested but must not be"));
        }
    }
    if c.niets_geven && !g.is_empty() {
        problems.push(format!("no way to give expected, got {:?}", titles(g)));
    }
    let reasons: Vec<&str> = s
        .iter()
        .chain(g)
        .flat_map(|x| x.reasons.iter().map(|r| r.0.as_str()))
        .collect();
    for want in &c.redenen {
        if !reasons.iter().any(|r| r.contains(want.as_str())) {
            problems.push(format!("no reason says '{want}'"));
        }
    }
    for bad in &c.geen_redenen {
        if let Some(r) = reasons.iter().find(|r| r.contains(bad.as_str())) {
            problems.push(format!("a reason says '{bad}': {r}"));
        }
    }
    for x in s.iter().chain(g) {
        if x.reasons.is_empty() {
            problems.push(format!("'{}' has no reason", x.title));
        }
        for r in &x.reasons {
            // The wijzer says "u", never "je" or "jij".
            let words: Vec<&str> = r.0.split(|c: char| !c.is_alphanumeric()).collect();
            if words
                .iter()
                .any(|w| matches!(*w, "je" | "jij" | "jouw" | "jou"))
            {
                problems.push(format!("a reason is not in 'u': {}", r.0));
            }
        }
    }
    problems
}

#[test]
fn the_residents_stories_get_the_advice_they_need() {
    let file: File = toml::from_str(include_str!("wijzer_stories.toml"))
        .unwrap_or_else(|e| panic!("wijzer_stories.toml: {e}"));
    assert!(
        file.verhaal.len() >= 30,
        "the golden set keeps at least 30 stories, has {}",
        file.verhaal.len()
    );
    let content = baken_synth::kaart::wijzer();
    assert_eq!(content.check(), vec![], "the demo content is valid");
    let index = ServiceIndex::new(map());
    let rules = RuleIndex::new(content, &index);
    let mut failed = Vec::new();
    for c in &file.verhaal {
        assert!(
            !c.eerst.is_empty() || !c.wel.is_empty() || !c.niet.is_empty() || !c.geven.is_empty(),
            "story '{}' expects nothing",
            c.naam
        );
        let problems = check(c, &rules, &index);
        if !problems.is_empty() {
            failed.push(format!("{}:\n  - {}", c.naam, problems.join("\n  - ")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} stories fail:\n{}",
        failed.len(),
        file.verhaal.len(),
        failed.join("\n")
    );
}

//! The Eigen Kracht Wijzer's matching engine.
//!
//! [`suggest`] is a pure function: a resident's [`Answers`], the wijzer's
//! [`WijzerContent`] (topics, situation questions, interests, network options,
//! stories and matching rules — data a beheerder edits, not code) and the
//! social map ([`ServiceIndex`]) go in; [`Advice`] comes out: suggestions
//! ordered **lightest first** on the responsibility ladder (own strength, network,
//! collective services, light support, and only then "ask the wijkteam" for an
//! individual provision), each with the reasons it fits, plus ways to *give*.

use super::service::{Reach, Service, ServiceStatus};
use super::text::{tokens, Matcher};
use crate::casework::LifeDomain;
use crate::{DistrictCode, LadderStep};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A topic a resident can choose ("Eten en drinken"); free text that matches one
/// of its keywords selects it too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub key: String,
    pub label: String,
    pub domains: Vec<LifeDomain>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// One answer option of a situation question. `concern` marks the answers
/// that say something does not go well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationOption {
    pub key: String,
    pub label: String,
    pub concern: bool,
}

/// A simple question about the resident's situation in one life domain; asked
/// when the domain matters for their question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationQuestion {
    pub key: String,
    pub domain: LifeDomain,
    pub text: String,
    pub options: Vec<SituationOption>,
}

/// Something a resident can still do and likes doing ("lezen", "koken").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interest {
    pub key: String,
    pub label: String,
    /// Words that find matching volunteer opportunities and activities.
    pub keywords: Vec<String>,
}

/// Who around them could help ("familie", "buren", "niemand").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkOption {
    pub key: String,
    pub label: String,
}

/// An *eigenkrachtvoorbeeld*: a short story of someone who found their own way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    pub key: String,
    pub title: String,
    pub text: String,
    pub topics: Vec<String>,
}

/// When a rule fires. Every group that is not empty must hold (one match within
/// a group is enough); a rule with only empty groups never fires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(default)]
    pub topics: Vec<String>,
    /// Words in the resident's own question (matched Dutch-aware).
    #[serde(default)]
    pub words: Vec<String>,
    /// Situation questions answered with a concern.
    #[serde(default)]
    pub concerns: Vec<String>,
    /// Interests the resident chose.
    #[serde(default)]
    pub likes: Vec<String>,
    /// Network options the resident chose.
    #[serde(default)]
    pub helpers: Vec<String>,
    /// The resident said nobody around them can help.
    #[serde(default)]
    pub nobody_helps: bool,
}

impl Condition {
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
            && self.words.is_empty()
            && self.concerns.is_empty()
            && self.likes.is_empty()
            && self.helpers.is_empty()
            && !self.nobody_helps
    }
}

/// What a rule suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleAction {
    /// Step 1: something the resident can do themself.
    Tip { title: String, text: String },
    /// Step 2: someone around them, or a neighbourhood help.
    Network { title: String, text: String },
    /// Services from the map that help in these domains or mention these words,
    /// up to a ladder step.
    Services {
        #[serde(default)]
        domains: Vec<LifeDomain>,
        #[serde(default)]
        words: Vec<String>,
        #[serde(default)]
        collective_only: bool,
        max_step: LadderStep,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub key: String,
    pub when: Condition,
    pub then: RuleAction,
}

/// Everything a beheerder can change about the wijzer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WijzerContent {
    pub topics: Vec<Topic>,
    pub questions: Vec<SituationQuestion>,
    pub interests: Vec<Interest>,
    pub network: Vec<NetworkOption>,
    pub stories: Vec<Story>,
    pub rules: Vec<Rule>,
}

/// A problem with the wijzer's content, named so a beheerder can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WijzerError {
    #[error("key '{0}' is used twice")]
    DuplicateKey(String),
    #[error("a key is 2 to 40 lower-case letters, digits or '_'; got '{0}'")]
    Key(String),
    #[error("'{0}' is empty or too long")]
    Text(String),
    #[error("rule '{rule}' refers to unknown {what} '{key}'")]
    Unknown {
        rule: String,
        what: &'static str,
        key: String,
    },
    #[error("rule '{0}' has no condition and would never fire")]
    EmptyCondition(String),
    #[error("question '{0}' needs at least two answer options")]
    Options(String),
}

impl WijzerError {
    pub fn dutch(&self) -> String {
        match self {
            WijzerError::DuplicateKey(k) => {
                format!("De sleutel '{k}' wordt al gebruikt. Kies een andere.")
            }
            WijzerError::Key(_) => {
                "Een sleutel heeft 2 tot 40 tekens: kleine letters, cijfers of _.".into()
            }
            WijzerError::Text(what) => format!("Vul '{what}' in (niet te lang)."),
            WijzerError::Unknown { what, key, .. } => {
                format!("Er is geen {what} met de sleutel '{key}'.")
            }
            WijzerError::EmptyCondition(_) => {
                "Geef minstens één voorwaarde op, anders doet deze regel nooit iets.".into()
            }
            WijzerError::Options(_) => "Geef minstens twee antwoorden, één per regel.".into(),
        }
    }
}

pub fn check_key(key: &str) -> Result<(), WijzerError> {
    let ok = (2..=40).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(())
        .ok_or_else(|| WijzerError::Key(key.chars().take(40).collect()))
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), WijzerError> {
    let n = text.trim().chars().count();
    (n >= 1 && n <= max)
        .then_some(())
        .ok_or_else(|| WijzerError::Text(what.to_owned()))
}

impl WijzerContent {
    /// Every problem in the content: keys, texts, and rules that refer to
    /// things that do not exist.
    pub fn check(&self) -> Vec<WijzerError> {
        let mut errors = Vec::new();
        // Keys are unique per kind: a topic and a question may share one.
        let mut seen = BTreeSet::new();
        let mut key = |kind: &'static str, k: &str, errors: &mut Vec<WijzerError>| {
            if let Err(e) = check_key(k) {
                errors.push(e);
            }
            if !seen.insert((kind, k.to_owned())) {
                errors.push(WijzerError::DuplicateKey(k.to_owned()));
            }
        };
        for t in &self.topics {
            key("topic", &t.key, &mut errors);
            errors.extend(check_text("onderwerp", &t.label, 80).err());
        }
        for q in &self.questions {
            key("question", &q.key, &mut errors);
            errors.extend(check_text("vraag", &q.text, 200).err());
            if q.options.len() < 2 {
                errors.push(WijzerError::Options(q.key.clone()));
            }
        }
        for i in &self.interests {
            key("interest", &i.key, &mut errors);
            errors.extend(check_text("bezigheid", &i.label, 80).err());
        }
        for n in &self.network {
            key("network", &n.key, &mut errors);
            errors.extend(check_text("netwerk", &n.label, 80).err());
        }
        for s in &self.stories {
            key("story", &s.key, &mut errors);
            errors.extend(check_text("titel", &s.title, 120).err());
            errors.extend(check_text("verhaal", &s.text, 2000).err());
            for t in &s.topics {
                if !self.topics.iter().any(|x| &x.key == t) {
                    errors.push(WijzerError::Unknown {
                        rule: s.key.clone(),
                        what: "onderwerp",
                        key: t.clone(),
                    });
                }
            }
        }
        for r in &self.rules {
            key("rule", &r.key, &mut errors);
            errors.extend(self.check_rule(r));
        }
        errors
    }

    /// The problems of one rule against this content.
    pub fn check_rule(&self, r: &Rule) -> Vec<WijzerError> {
        let mut errors = Vec::new();
        if r.when.is_empty() {
            errors.push(WijzerError::EmptyCondition(r.key.clone()));
        }
        let unknown = |what: &'static str, key: &String| WijzerError::Unknown {
            rule: r.key.clone(),
            what,
            key: key.clone(),
        };
        for t in &r.when.topics {
            if !self.topics.iter().any(|x| &x.key == t) {
                errors.push(unknown("onderwerp", t));
            }
        }
        for q in &r.when.concerns {
            if !self.questions.iter().any(|x| &x.key == q) {
                errors.push(unknown("vraag", q));
            }
        }
        for l in &r.when.likes {
            if !self.interests.iter().any(|x| &x.key == l) {
                errors.push(unknown("bezigheid", l));
            }
        }
        for h in &r.when.helpers {
            if !self.network.iter().any(|x| &x.key == h) {
                errors.push(unknown("netwerk", h));
            }
        }
        match &r.then {
            RuleAction::Tip { title, text } | RuleAction::Network { title, text } => {
                errors.extend(check_text("titel", title, 120).err());
                errors.extend(check_text("tekst", text, 1000).err());
            }
            RuleAction::Services { domains, words, .. } => {
                if domains.is_empty() && words.is_empty() {
                    errors.push(WijzerError::Text("levensgebieden of woorden".into()));
                }
            }
        }
        errors
    }

    /// The situation questions that matter for the chosen topics and the
    /// question text: those on the topics' life domains.
    pub fn questions_for(&self, question: &str, topics: &[String]) -> Vec<&SituationQuestion> {
        let domains = self.domains_of(&self.selected_topics(question, topics));
        self.questions
            .iter()
            .filter(|q| domains.contains(&q.domain))
            .collect()
    }

    /// Topics chosen, plus topics whose keywords occur in the question text,
    /// each with why it was selected.
    fn selected_topics(&self, question: &str, chosen: &[String]) -> Vec<(&Topic, Reason)> {
        let q = tokens(question);
        let mut out = Vec::new();
        for t in &self.topics {
            if chosen.contains(&t.key) {
                out.push((t, Reason(format!("U koos het onderwerp '{}'.", t.label))));
                continue;
            }
            let m = Matcher::new(&t.keywords.join(" "));
            if let Some(w) = m.matched(&q).first() {
                out.push((
                    t,
                    Reason(format!("U schreef '{w}'; dat gaat over '{}'.", t.label)),
                ));
            }
        }
        out
    }

    fn domains_of(&self, topics: &[(&Topic, Reason)]) -> BTreeSet<LifeDomain> {
        topics
            .iter()
            .flat_map(|(t, _)| t.domains.iter().copied())
            .collect()
    }
}

/// What a resident answered. Keys refer to the [`WijzerContent`]; unknown keys
/// are ignored (content may have changed since the form was shown).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub question: String,
    pub topics: Vec<String>,
    /// Situation question key → chosen option key.
    pub situation: BTreeMap<String, String>,
    pub likes: Vec<String>,
    pub helpers: Vec<String>,
    /// The resident said nobody around them can help.
    #[serde(default)]
    pub nobody_helps: bool,
    pub district: Option<DistrictCode>,
}

/// Why a suggestion fits, in plain Dutch, pointing at the answer that led to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reason(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SuggestionKind {
    Tip,
    Story,
    Network,
    /// A service on the map the resident can go to themself (steps 3–4).
    Service {
        id: i64,
    },
    /// An individual provision (step 5): only through the wijkteam.
    AskWijkteam {
        id: i64,
    },
    /// A volunteer opportunity: a way to give.
    Give {
        id: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub step: LadderStep,
    pub kind: SuggestionKind,
    pub title: String,
    pub text: String,
    pub reasons: Vec<Reason>,
    pub score: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    /// Lightest first; within a step, best fit first.
    pub suggestions: Vec<Suggestion>,
    /// "Iets voor een ander doen?"
    pub give: Vec<Suggestion>,
    /// The life domains the answers touch on.
    pub domains: Vec<LifeDomain>,
}

/// A service with its search words computed once, so that a suggestion over
/// 10,000 services does not re-tokenise them: each distinct stem of the map
/// is a number in the index's vocabulary.
#[derive(Debug, Clone)]
pub struct IndexedService {
    pub id: i64,
    pub service: Service,
    /// Vocabulary numbers of everything searchable (name, description,
    /// eligibility, domains), sorted, without repeats.
    pub stem_ids: Vec<u32>,
    /// Vocabulary numbers of the name alone: a word in the name says what the
    /// service *is*.
    pub name_ids: Vec<u32>,
    domain_mask: u16,
}

/// The social map prepared for matching.
#[derive(Debug, Clone, Default)]
pub struct ServiceIndex {
    pub services: Vec<IndexedService>,
    vocabulary: Vec<String>,
}

impl ServiceIndex {
    pub fn new(services: impl IntoIterator<Item = (i64, Service)>) -> ServiceIndex {
        let mut vocabulary: Vec<String> = Vec::new();
        let mut number: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut ids = |text: &str| {
            let mut v: Vec<u32> = tokens(text)
                .into_iter()
                .map(|t| {
                    *number.entry(t.clone()).or_insert_with(|| {
                        vocabulary.push(t);
                        vocabulary.len() as u32 - 1
                    })
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let services = services
            .into_iter()
            .map(|(id, service)| IndexedService {
                id,
                stem_ids: ids(&service.search_text()),
                name_ids: ids(&service.name),
                domain_mask: domain_mask(&service.domains),
                service,
            })
            .collect();
        ServiceIndex {
            services,
            vocabulary,
        }
    }

    /// A query against this map: for each typed word, which vocabulary stems it matches.
    fn compile<'m>(&self, m: &'m Matcher) -> Compiled<'m> {
        let terms = m
            .terms()
            .map(|(word, stem)| {
                let hits: Vec<bool> = self
                    .vocabulary
                    .iter()
                    .map(|v| super::text::stem_matches(stem, v))
                    .collect();
                (word, hits)
            })
            .collect();
        Compiled { terms }
    }
}

/// A query compiled against a map's vocabulary.
struct Compiled<'m> {
    terms: Vec<(&'m str, Vec<bool>)>,
}

impl Compiled<'_> {
    fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
    fn words(&self) -> Vec<&str> {
        self.terms.iter().map(|(w, _)| *w).collect()
    }
    /// The numbers of the terms found among these stems.
    fn hits(&self, ids: &[u32]) -> Vec<usize> {
        (0..self.terms.len())
            .filter(|&t| ids.iter().any(|&i| self.terms[t].1[i as usize]))
            .collect()
    }
    fn count(&self, ids: &[u32]) -> usize {
        self.terms
            .iter()
            .filter(|(_, h)| ids.iter().any(|&i| h[i as usize]))
            .count()
    }
    fn any(&self, ids: &[u32]) -> bool {
        self.terms
            .iter()
            .any(|(_, h)| ids.iter().any(|&i| h[i as usize]))
    }
}

/// How many suggestions of each step are shown at most: enough to choose from,
/// few enough to read on a phone.
fn cap(step: u8) -> usize {
    match step {
        1 => 5,
        2 => 3,
        3 => 5,
        4 => 3,
        _ => 3,
    }
}
const GIVE_CAP: usize = 5;

fn step(n: u8) -> LadderStep {
    LadderStep::new(n).unwrap_or_else(|_| unreachable!("steps 1 to 5 are constants here"))
}

/// Reasons shown per suggestion at most: the first ones are the answers that
/// led to it; more would not be read on a phone.
const MAX_REASONS: usize = 4;

#[derive(Default, Clone, Copy)]
struct Candidate {
    score: u32,
    /// Reason numbers in the order found, without repeats; the first few only.
    ids: [u16; MAX_REASONS],
    len: usize,
}

impl Candidate {
    fn add(&mut self, r: u16) {
        if self.len < MAX_REASONS && !self.ids[..self.len].contains(&r) {
            self.ids[self.len] = r;
            self.len += 1;
        }
    }
    fn reasons(&self) -> impl Iterator<Item = u16> + '_ {
        self.ids[..self.len].iter().copied()
    }
}

/// The wijzer's suggestion step. Pure: same input, same advice.
pub fn suggest(content: &WijzerContent, map: &ServiceIndex, answers: &Answers) -> Advice {
    let q_stems = tokens(&answers.question);
    let q_matcher = Matcher::new(&answers.question);
    let topics = content.selected_topics(&answers.question, &answers.topics);
    let topic_keys: BTreeSet<&str> = topics.iter().map(|(t, _)| t.key.as_str()).collect();

    // Concerns: situation questions answered with a worrying option.
    let mut concerns: BTreeMap<&str, Reason> = BTreeMap::new();
    let mut domains: BTreeSet<LifeDomain> = content.domains_of(&topics);
    for q in &content.questions {
        let Some(chosen) = answers.situation.get(&q.key) else {
            continue;
        };
        if let Some(opt) = q.options.iter().find(|o| &o.key == chosen && o.concern) {
            concerns.insert(
                &q.key,
                Reason(format!("U antwoordde '{}' op '{}'.", opt.label, q.text)),
            );
            domains.insert(q.domain);
        }
    }
    let label_of = |list: &[(String, String)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, l)| l.clone())
    };
    let interests: Vec<(String, String)> = content
        .interests
        .iter()
        .map(|i| (i.key.clone(), i.label.clone()))
        .collect();
    let network: Vec<(String, String)> = content
        .network
        .iter()
        .map(|n| (n.key.clone(), n.label.clone()))
        .collect();

    let fires = |c: &Condition| -> Option<Vec<Reason>> {
        if c.is_empty() {
            return None;
        }
        let mut reasons = Vec::new();
        if !c.topics.is_empty() {
            let hit: Vec<&Reason> = topics
                .iter()
                .filter(|(t, _)| c.topics.contains(&t.key))
                .map(|(_, r)| r)
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.extend(hit.into_iter().cloned());
        }
        if !c.words.is_empty() {
            let m = Matcher::new(&c.words.join(" "));
            let hit = m.matched(&q_stems);
            if hit.is_empty() {
                return None;
            }
            // Show the resident's own word, not the rule's.
            let typed: Vec<&str> = hit
                .iter()
                .filter_map(|w| q_matcher.matched(&tokens(w)).first().copied())
                .collect();
            let shown = typed.first().copied().unwrap_or(hit[0]);
            reasons.push(Reason(format!("U schreef '{shown}'.")));
        }
        if !c.concerns.is_empty() {
            let hit: Vec<&Reason> = c
                .concerns
                .iter()
                .filter_map(|k| concerns.get(k.as_str()))
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.extend(hit.into_iter().cloned());
        }
        if !c.likes.is_empty() {
            let hit: Vec<String> = c
                .likes
                .iter()
                .filter(|l| answers.likes.contains(l))
                .filter_map(|l| label_of(&interests, l))
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.push(Reason(format!(
                "U gaf aan: {}.",
                hit.join(", ").to_lowercase()
            )));
        }
        if !c.helpers.is_empty() {
            let hit: Vec<String> = c
                .helpers
                .iter()
                .filter(|h| answers.helpers.contains(h))
                .filter_map(|h| label_of(&network, h))
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.push(Reason(format!(
                "U noemde wie kan helpen: {}.",
                hit.join(", ").to_lowercase()
            )));
        }
        if c.nobody_helps {
            if !answers.nobody_helps {
                return None;
            }
            reasons.push(Reason(
                "U gaf aan dat er nu niemand is die kan helpen.".into(),
            ));
        }
        Some(reasons)
    };

    let usable = |s: &IndexedService| {
        s.service.status == ServiceStatus::Active
            && answers
                .district
                .as_ref()
                .is_none_or(|d| s.service.serves(d))
    };
    // Services the resident can use at all, once; the volunteer opportunities apart.
    let (help, give_from): (Vec<usize>, Vec<usize>) = (0..map.services.len())
        .filter(|&i| usable(&map.services[i]))
        .partition(|&i| !map.services[i].service.volunteering);

    let mut reasons = ReasonTable::default();
    let mut fixed: Vec<Suggestion> = Vec::new();
    let mut services: Vec<Candidate> = vec![Candidate::default(); map.services.len()];

    for rule in &content.rules {
        let Some(rule_reasons) = fires(&rule.when) else {
            continue;
        };
        match &rule.then {
            RuleAction::Tip { title, text } | RuleAction::Network { title, text } => {
                let (s, kind) = match rule.then {
                    RuleAction::Tip { .. } => (1, SuggestionKind::Tip),
                    _ => (2, SuggestionKind::Network),
                };
                fixed.push(Suggestion {
                    step: step(s),
                    kind,
                    title: title.clone(),
                    text: text.clone(),
                    reasons: rule_reasons,
                    score: 10,
                });
            }
            RuleAction::Services {
                domains: rd,
                words,
                collective_only,
                max_step,
            } => {
                let matcher = Matcher::new(&words.join(" "));
                let m = map.compile(&matcher);
                let ids: Vec<u16> = rule_reasons.into_iter().map(|r| reasons.id(r)).collect();
                let rule_mask = domain_mask(rd);
                for &i in &help {
                    let s = &map.services[i];
                    if s.service.step > *max_step
                        || (*collective_only && s.service.reach != Reach::Collective)
                    {
                        continue;
                    }
                    let shared = s.domain_mask & rule_mask;
                    let words_hit = m.any(&s.stem_ids);
                    if shared == 0 && !words_hit {
                        continue;
                    }
                    let c = &mut services[i];
                    c.score += shared.count_ones() + if words_hit { 4 } else { 0 };
                    for &r in &ids {
                        c.add(r);
                    }
                    if shared != 0 {
                        c.add(reasons.helps_with(shared));
                    }
                }
            }
        }
    }

    // The resident's own words, straight onto the map: someone who asks for a
    // scootmobiel sees it — on its own step, via the wijkteam.
    let q = map.compile(&q_matcher);
    if !q.is_empty() {
        let typed: Vec<u16> = q
            .words()
            .iter()
            .map(|w| reasons.id(Reason(format!("U schreef '{w}'."))))
            .collect();
        for &i in &help {
            let s = &map.services[i];
            // One common word in a description ("thuis") says little; a word
            // in the name, or two of the resident's words together, say more.
            let in_name = q.count(&s.name_ids);
            let hit = q.hits(&s.stem_ids);
            if in_name == 0 && hit.len() < 2 {
                continue;
            }
            let c = &mut services[i];
            c.score += 5 * (in_name + hit.len()) as u32;
            for t in hit {
                c.add(typed[t]);
            }
        }
    }

    for story in &content.stories {
        let shared: Vec<&str> = story
            .topics
            .iter()
            .filter(|t| topic_keys.contains(t.as_str()))
            .map(String::as_str)
            .collect();
        if shared.is_empty() {
            continue;
        }
        let labels: Vec<&str> = topics
            .iter()
            .filter(|(t, _)| shared.contains(&t.key.as_str()))
            .map(|(t, _)| t.label.as_str())
            .collect();
        fixed.push(Suggestion {
            step: step(1),
            kind: SuggestionKind::Story,
            title: story.title.clone(),
            text: story.text.clone(),
            reasons: vec![Reason(format!(
                "Een verhaal van iemand anders over '{}'.",
                labels.join("', '")
            ))],
            score: 5,
        });
    }

    // Lightest first; within a step the best fit, then by name. Only the few
    // shown per step are turned into suggestions.
    let order = |a: &(u8, u32, usize), b: &(u8, u32, usize)| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(
                map.services[a.2]
                    .service
                    .name
                    .cmp(&map.services[b.2].service.name),
            )
            .then(a.2.cmp(&b.2))
    };
    let mut per_step: [Vec<(u8, u32, usize)>; 6] = Default::default();
    for (i, c) in services.iter().enumerate() {
        if c.len > 0 {
            let st = map.services[i].service.step.value();
            per_step[st as usize].push((st, c.score, i));
        }
    }
    let mut suggestions = fixed;
    suggestions.sort_by(|a, b| {
        a.step
            .cmp(&b.step)
            .then(b.score.cmp(&a.score))
            .then(a.title.cmp(&b.title))
    });
    let mut shown = [0usize; 6];
    suggestions.retain(|s| {
        let n = &mut shown[s.step.value() as usize];
        *n += 1;
        *n <= cap(s.step.value())
    });
    let mut kept: Vec<(u8, u32, usize)> = Vec::new();
    for (st, list) in per_step.iter_mut().enumerate() {
        let room = cap(st as u8).saturating_sub(
            suggestions
                .iter()
                .filter(|s| s.step.value() as usize == st)
                .count(),
        );
        if list.len() > room && room > 0 {
            list.select_nth_unstable_by(room - 1, order);
        }
        list.truncate(room);
        list.sort_by(order);
        kept.extend(list.iter().copied());
    }
    for (_, score, i) in kept {
        let s = &map.services[i];
        let individual = s.service.step.value() == 5;
        suggestions.push(Suggestion {
            step: s.service.step,
            kind: if individual { SuggestionKind::AskWijkteam { id: s.id } } else { SuggestionKind::Service { id: s.id } },
            title: s.service.name.clone(),
            text: if individual {
                "Hiervoor is een beslissing (beschikking) van de gemeente nodig. Vraag het wijkteam: samen kijkt u eerst wat lichter kan.".to_owned()
            } else {
                s.service.description.clone()
            },
            reasons: services[i].reasons().map(|r| reasons.get(r)).collect(),
            score,
        });
    }
    // Tips and stories first within their step (they carry the higher fixed
    // scores), services after; a stable sort keeps that.
    suggestions.sort_by_key(|a| a.step);

    // Ways to give: volunteer opportunities that fit what they like doing.
    let mut give_c: Vec<Candidate> = vec![Candidate::default(); map.services.len()];
    for interest in content
        .interests
        .iter()
        .filter(|i| answers.likes.contains(&i.key))
    {
        let matcher = Matcher::new(&interest.keywords.join(" "));
        let m = map.compile(&matcher);
        if m.is_empty() {
            continue;
        }
        let reason = reasons.id(Reason(format!(
            "U doet graag: {}.",
            interest.label.to_lowercase()
        )));
        for &i in &give_from {
            if m.any(&map.services[i].stem_ids) {
                let c = &mut give_c[i];
                c.score += 1;
                c.add(reason);
            }
        }
    }
    let mut ranked: Vec<(u8, u32, usize)> = give_c
        .iter()
        .enumerate()
        .filter(|(_, c)| c.len > 0)
        .map(|(i, c)| (0, c.score, i))
        .collect();
    if ranked.len() > GIVE_CAP {
        ranked.select_nth_unstable_by(GIVE_CAP - 1, order);
        ranked.truncate(GIVE_CAP);
    }
    ranked.sort_by(order);
    let give = ranked
        .into_iter()
        .map(|(_, score, i)| {
            let s = &map.services[i];
            Suggestion {
                step: s.service.step,
                kind: SuggestionKind::Give { id: s.id },
                title: s.service.name.clone(),
                text: s.service.description.clone(),
                reasons: give_c[i].reasons().map(|r| reasons.get(r)).collect(),
                score,
            }
        })
        .collect();

    Advice {
        suggestions,
        give,
        domains: domains.into_iter().collect(),
    }
}

fn domain_index(d: LifeDomain) -> u32 {
    LifeDomain::ALL.iter().position(|x| *x == d).unwrap_or(0) as u32
}

fn domain_mask(ds: &[LifeDomain]) -> u16 {
    ds.iter().fold(0u16, |m, d| m | (1 << domain_index(*d)))
}

/// The reasons of one request, each stored once; candidates refer to them by
/// number, so ten thousand candidates do not copy strings.
#[derive(Default)]
struct ReasonTable {
    list: Vec<Reason>,
    by_text: std::collections::HashMap<String, u16>,
    helps: std::collections::HashMap<u16, u16>,
}

impl ReasonTable {
    fn id(&mut self, r: Reason) -> u16 {
        if let Some(&i) = self.by_text.get(&r.0) {
            return i;
        }
        let i = self.list.len() as u16;
        self.by_text.insert(r.0.clone(), i);
        self.list.push(r);
        i
    }
    fn helps_with(&mut self, mask: u16) -> u16 {
        if let Some(&i) = self.helps.get(&mask) {
            return i;
        }
        let labels: Vec<&str> = LifeDomain::ALL
            .iter()
            .filter(|d| mask & (1 << domain_index(**d)) != 0)
            .map(|d| d.label())
            .collect();
        let i = self.id(Reason(format!("Helpt bij: {}.", labels.join(", "))));
        self.helps.insert(mask, i);
        i
    }
    fn get(&self, i: u16) -> Reason {
        self.list[i as usize].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kaart::service::tests::meal_draft;
    use crate::kaart::ServiceDraft;
    use proptest::prelude::*;

    fn svc(name: &str, desc: &str, step: u8, domains: &[&str], volunteering: bool) -> Service {
        let mut d: ServiceDraft = meal_draft();
        d.name = name.into();
        d.description = desc.into();
        d.step = step.to_string();
        d.domains = domains.iter().map(|s| s.to_string()).collect();
        d.access = if step == 5 { "beschikking" } else { "vrij" }.into();
        d.reach = if step >= 4 {
            "individueel"
        } else {
            "collectief"
        }
        .into();
        d.volunteering = volunteering;
        d.districts = vec![];
        d.parse().unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    fn opt(key: &str, label: &str, concern: bool) -> SituationOption {
        SituationOption {
            key: key.into(),
            label: label.into(),
            concern,
        }
    }

    pub(crate) fn content() -> WijzerContent {
        use LifeDomain as D;
        WijzerContent {
            topics: vec![
                Topic {
                    key: "eten".into(),
                    label: "Eten en drinken".into(),
                    domains: vec![D::InstrumenteleAdl, D::SociaalNetwerk],
                    keywords: vec!["maaltijd".into(), "koken".into(), "eten".into()],
                },
                Topic {
                    key: "vervoer".into(),
                    label: "Erop uit en vervoer".into(),
                    domains: vec![D::LichamelijkeGezondheid, D::MaatschappelijkeParticipatie],
                    keywords: vec!["scootmobiel".into(), "lopen".into(), "heup".into()],
                },
            ],
            questions: vec![
                SituationQuestion {
                    key: "alleen_eten".into(),
                    domain: D::SociaalNetwerk,
                    text: "Eet u vaak alleen?".into(),
                    options: vec![opt("nee", "Nee", false), opt("vaak", "Ja, vaak", true)],
                },
                SituationQuestion {
                    key: "lopen".into(),
                    domain: D::LichamelijkeGezondheid,
                    text: "Kunt u goed lopen?".into(),
                    options: vec![
                        opt("ja", "Ja", false),
                        opt("moeilijk", "Het gaat moeilijk", true),
                    ],
                },
            ],
            interests: vec![
                Interest {
                    key: "lezen".into(),
                    label: "Lezen".into(),
                    keywords: vec!["lezen".into(), "boek".into()],
                },
                Interest {
                    key: "gezelschap".into(),
                    label: "Onder de mensen zijn".into(),
                    keywords: vec!["ontmoeten".into(), "koffie".into()],
                },
            ],
            network: vec![NetworkOption {
                key: "buren".into(),
                label: "Buren".into(),
            }],
            stories: vec![Story {
                key: "truus".into(),
                title: "Truus kookt weer".into(),
                text: "Truus kookt nu één keer per week voor haar buurvrouw.".into(),
                topics: vec!["eten".into()],
            }],
            rules: vec![
                Rule {
                    key: "samen_eten".into(),
                    when: Condition {
                        topics: vec!["eten".into()],
                        concerns: vec!["alleen_eten".into()],
                        ..Condition::default()
                    },
                    then: RuleAction::Services {
                        domains: vec![],
                        words: vec!["samen eten".into(), "maaltijd".into()],
                        collective_only: true,
                        max_step: step(3),
                    },
                },
                Rule {
                    key: "erop_uit".into(),
                    when: Condition {
                        likes: vec!["gezelschap".into()],
                        ..Condition::default()
                    },
                    then: RuleAction::Services {
                        domains: vec![D::SociaalNetwerk],
                        words: vec![],
                        collective_only: true,
                        max_step: step(3),
                    },
                },
                Rule {
                    key: "tip_boodschappen".into(),
                    when: Condition {
                        topics: vec!["eten".into()],
                        ..Condition::default()
                    },
                    then: RuleAction::Tip {
                        title: "Kook een grote pan".into(),
                        text: "Vries porties in.".into(),
                    },
                },
            ],
        }
    }

    fn map() -> ServiceIndex {
        ServiceIndex::new(vec![
            (
                1,
                svc(
                    "Buurtmaaltijd De Brug",
                    "Elke woensdag samen eten in het buurthuis.",
                    3,
                    &["sociaal_netwerk"],
                    false,
                ),
            ),
            (
                2,
                svc(
                    "Maaltijdservice aan huis",
                    "Warme maaltijden thuis bezorgd.",
                    4,
                    &["instrumentele_adl"],
                    false,
                ),
            ),
            (
                3,
                svc(
                    "Huishoudelijke hulp",
                    "Hulp bij het huishouden en maaltijden thuis.",
                    5,
                    &["instrumentele_adl"],
                    false,
                ),
            ),
            (
                4,
                svc(
                    "Scootmobiel",
                    "Een scootmobiel via de Wmo.",
                    5,
                    &["lichamelijke_gezondheid"],
                    false,
                ),
            ),
            (
                5,
                svc(
                    "Koffieochtend in het buurthuis",
                    "Ontmoeten bij een kop koffie.",
                    3,
                    &["sociaal_netwerk"],
                    false,
                ),
            ),
            (
                6,
                svc(
                    "Voorlezen op de basisschool",
                    "Lees kinderen voor op school.",
                    3,
                    &["maatschappelijke_participatie"],
                    true,
                ),
            ),
        ])
    }

    fn position(advice: &Advice, title: &str) -> usize {
        advice
            .suggestions
            .iter()
            .position(|s| s.title == title)
            .unwrap_or_else(|| panic!("{title} not suggested: {advice:#?}"))
    }

    #[test]
    fn a_lonely_eater_gets_the_neighbourhood_meal_before_any_individual_provision() {
        let answers = Answers {
            question: "Ik wil maaltijden thuis".into(),
            situation: [("alleen_eten".to_owned(), "vaak".to_owned())].into(),
            likes: vec!["gezelschap".into()],
            ..Answers::default()
        };
        let advice = suggest(&content(), &map(), &answers);
        let meal = position(&advice, "Buurtmaaltijd De Brug");
        for s in &advice.suggestions {
            if s.step.value() >= 4 {
                assert!(meal < position(&advice, &s.title));
            }
        }
        let reasons = &advice.suggestions[meal].reasons;
        assert!(
            reasons.iter().any(|r| r.0.contains("Eet u vaak alleen?")),
            "{reasons:?}"
        );
    }

    #[test]
    fn the_scooter_comes_last_via_the_wijkteam_and_reading_is_a_way_to_give() {
        let answers = Answers {
            question: "Ik wil een scootmobiel, mijn heup is slecht".into(),
            situation: [("lopen".to_owned(), "moeilijk".to_owned())].into(),
            likes: vec!["lezen".into(), "gezelschap".into()],
            ..Answers::default()
        };
        let advice = suggest(&content(), &map(), &answers);
        let last = advice.suggestions.last().unwrap();
        assert_eq!(last.title, "Scootmobiel");
        assert_eq!(last.kind, SuggestionKind::AskWijkteam { id: 4 });
        assert!(
            position(&advice, "Koffieochtend in het buurthuis") < position(&advice, "Scootmobiel")
        );
        assert_eq!(advice.give[0].title, "Voorlezen op de basisschool");
        assert!(advice.give[0].reasons[0].0.contains("lezen"));
    }

    #[test]
    fn a_free_text_topic_selects_its_questions() {
        let c = content();
        let qs = c.questions_for("Ik kan niet meer koken", &[]);
        assert_eq!(qs.len(), 1);
        assert_eq!(qs[0].key, "alleen_eten");
    }

    #[test]
    fn stories_come_with_their_topic() {
        let advice = suggest(
            &content(),
            &map(),
            &Answers {
                topics: vec!["eten".into()],
                ..Answers::default()
            },
        );
        assert!(advice
            .suggestions
            .iter()
            .any(|s| s.kind == SuggestionKind::Story && s.step.value() == 1));
    }

    #[test]
    fn content_checks_find_dangling_references() {
        let mut c = content();
        c.rules[0].when.topics.push("bestaat_niet".into());
        c.rules.push(Rule {
            key: "leeg".into(),
            when: Condition::default(),
            then: RuleAction::Tip {
                title: "x".into(),
                text: "y".into(),
            },
        });
        let errs = c.check();
        assert!(
            errs.iter()
                .any(|e| matches!(e, WijzerError::Unknown { key, .. } if key == "bestaat_niet")),
            "{errs:?}"
        );
        assert!(errs.contains(&WijzerError::EmptyCondition("leeg".into())));
        assert!(content().check().is_empty(), "{:?}", content().check());
    }

    #[test]
    fn a_closed_service_or_one_elsewhere_is_not_suggested() {
        let mut m = map();
        m.services[0].service.status = ServiceStatus::TemporarilyClosed;
        m.services[4].service.districts = vec![DistrictCode::parse("WK999903").unwrap()];
        let answers = Answers {
            topics: vec!["eten".into()],
            situation: [("alleen_eten".to_owned(), "vaak".to_owned())].into(),
            likes: vec!["gezelschap".into()],
            district: Some(DistrictCode::parse("WK999901").unwrap()),
            ..Answers::default()
        };
        let advice = suggest(&content(), &m, &answers);
        assert!(
            !advice
                .suggestions
                .iter()
                .any(|s| s.title.contains("Buurtmaaltijd") || s.title.contains("Koffie")),
            "{advice:#?}"
        );
    }

    fn arb_answers() -> impl Strategy<Value = Answers> {
        (
            prop::sample::select(vec![
                "",
                "maaltijd",
                "scootmobiel heup",
                "koffie",
                "huishouden maaltijden thuis",
                "boeken",
            ]),
            prop::collection::vec(prop::sample::select(vec!["eten", "vervoer"]), 0..2),
            prop::option::of(prop::sample::select(vec!["nee", "vaak"])),
            prop::option::of(prop::sample::select(vec!["ja", "moeilijk"])),
            prop::collection::vec(prop::sample::select(vec!["lezen", "gezelschap"]), 0..2),
        )
            .prop_map(|(q, topics, a, b, likes)| {
                let mut situation = BTreeMap::new();
                if let Some(a) = a {
                    situation.insert("alleen_eten".to_owned(), a.to_owned());
                }
                if let Some(b) = b {
                    situation.insert("lopen".to_owned(), b.to_owned());
                }
                Answers {
                    question: q.into(),
                    topics: topics.into_iter().map(String::from).collect(),
                    situation,
                    likes: likes.into_iter().map(String::from).collect(),
                    ..Answers::default()
                }
            })
    }

    fn arb_map() -> impl Strategy<Value = ServiceIndex> {
        let words = vec![
            "maaltijd",
            "koffie",
            "scootmobiel",
            "huishouden",
            "boeken",
            "wandelen",
            "samen eten",
        ];
        let domains = vec![
            "sociaal_netwerk",
            "instrumentele_adl",
            "lichamelijke_gezondheid",
            "maatschappelijke_participatie",
        ];
        prop::collection::vec(
            (
                1u8..=5,
                prop::sample::select(words),
                prop::sample::select(domains),
                any::<bool>(),
            ),
            0..30,
        )
        .prop_map(|v| {
            ServiceIndex::new(
                v.into_iter()
                    .enumerate()
                    .map(|(i, (step, word, domain, vol))| {
                        let vol = vol && step <= 3;
                        (
                            i as i64 + 1,
                            svc(
                                &format!("Dienst {i} {word}"),
                                &format!("Een dienst met {word} voor iedereen."),
                                step,
                                &[domain],
                                vol,
                            ),
                        )
                    }),
            )
        })
    }

    proptest! {
        #[test]
        fn suggestions_are_always_ordered_by_ladder_step(m in arb_map(), a in arb_answers()) {
            let advice = suggest(&content(), &m, &a);
            let steps: Vec<u8> = advice.suggestions.iter().map(|s| s.step.value()).collect();
            let mut sorted = steps.clone();
            sorted.sort();
            prop_assert_eq!(steps, sorted);
        }

        #[test]
        fn a_step_five_suggestion_never_precedes_a_lighter_one(m in arb_map(), a in arb_answers()) {
            let advice = suggest(&content(), &m, &a);
            if let Some(first5) = advice.suggestions.iter().position(|s| s.step.value() == 5) {
                prop_assert!(advice.suggestions[first5..].iter().all(|s| s.step.value() == 5));
                let all_via_wijkteam = advice.suggestions[first5..].iter().all(|s| matches!(s.kind, SuggestionKind::AskWijkteam { .. }));
                prop_assert!(all_via_wijkteam);
            }
        }

        #[test]
        fn every_suggestion_has_a_reason(m in arb_map(), a in arb_answers()) {
            let advice = suggest(&content(), &m, &a);
            for s in advice.suggestions.iter().chain(&advice.give) {
                prop_assert!(!s.reasons.is_empty(), "{:?}", s);
                prop_assert!(s.reasons.iter().all(|r| !r.0.trim().is_empty()));
            }
        }

        #[test]
        fn ways_to_give_are_volunteer_opportunities_only(m in arb_map(), a in arb_answers()) {
            let advice = suggest(&content(), &m, &a);
            for g in &advice.give {
                let SuggestionKind::Give { id } = g.kind else { return Err(TestCaseError::fail("not a give")) };
                prop_assert!(m.services.iter().any(|s| s.id == id && s.service.volunteering));
            }
            for s in &advice.suggestions {
                if let SuggestionKind::Service { id } | SuggestionKind::AskWijkteam { id } = s.kind {
                    prop_assert!(m.services.iter().any(|x| x.id == id && !x.service.volunteering));
                }
            }
        }
    }
}

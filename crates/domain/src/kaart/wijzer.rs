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

/// A service with its search stems computed once, so that a suggestion over
/// 10,000 services does not re-tokenise them.
#[derive(Debug, Clone)]
pub struct IndexedService {
    pub id: i64,
    pub service: Service,
    pub stems: Vec<String>,
}

/// The social map prepared for matching.
#[derive(Debug, Clone, Default)]
pub struct ServiceIndex {
    pub services: Vec<IndexedService>,
}

impl ServiceIndex {
    pub fn new(services: impl IntoIterator<Item = (i64, Service)>) -> ServiceIndex {
        ServiceIndex {
            services: services
                .into_iter()
                .map(|(id, service)| IndexedService {
                    id,
                    stems: tokens(&service.search_text()),
                    service,
                })
                .collect(),
        }
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

#[derive(Default)]
struct Candidate {
    score: u32,
    reasons: BTreeSet<Reason>,
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

    let mut fixed: Vec<Suggestion> = Vec::new();
    let mut services: BTreeMap<usize, Candidate> = BTreeMap::new();

    for rule in &content.rules {
        let Some(reasons) = fires(&rule.when) else {
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
                    reasons,
                    score: 10,
                });
            }
            RuleAction::Services {
                domains: rd,
                words,
                collective_only,
                max_step,
            } => {
                let m = Matcher::new(&words.join(" "));
                for (i, s) in map.services.iter().enumerate() {
                    if s.service.volunteering || !usable(s) || s.service.step > *max_step {
                        continue;
                    }
                    if *collective_only && s.service.reach != Reach::Collective {
                        continue;
                    }
                    let shared: Vec<LifeDomain> = s
                        .service
                        .domains
                        .iter()
                        .copied()
                        .filter(|d| rd.contains(d))
                        .collect();
                    let words_hit = !m.is_empty() && !m.matched(&s.stems).is_empty();
                    if shared.is_empty() && !words_hit {
                        continue;
                    }
                    let c = services.entry(i).or_default();
                    c.score += shared.len() as u32 + if words_hit { 4 } else { 0 };
                    c.reasons.extend(reasons.iter().cloned());
                    if !shared.is_empty() {
                        let labels: Vec<&str> = shared.iter().map(|d| d.label()).collect();
                        c.reasons
                            .insert(Reason(format!("Helpt bij: {}.", labels.join(", "))));
                    }
                }
            }
        }
    }

    // The resident's own words, straight onto the map: someone who asks for a
    // scootmobiel sees it — on its own step, via the wijkteam.
    if !q_matcher.is_empty() {
        for (i, s) in map.services.iter().enumerate() {
            if s.service.volunteering || !usable(s) {
                continue;
            }
            let hit = q_matcher.matched(&s.stems);
            if hit.is_empty() {
                continue;
            }
            let c = services.entry(i).or_default();
            c.score += 5 * hit.len() as u32;
            for w in hit {
                c.reasons.insert(Reason(format!("U schreef '{w}'.")));
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

    let mut suggestions = fixed;
    for (i, c) in services {
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
            reasons: c.reasons.into_iter().collect(),
            score: c.score,
        });
    }
    suggestions.sort_by(|a, b| {
        a.step
            .cmp(&b.step)
            .then(b.score.cmp(&a.score))
            .then(a.title.cmp(&b.title))
    });
    let mut per_step = [0usize; 6];
    suggestions.retain(|s| {
        let n = &mut per_step[s.step.value() as usize];
        *n += 1;
        *n <= cap(s.step.value())
    });

    // Ways to give: volunteer opportunities that fit what they like doing.
    let mut give: Vec<Suggestion> = Vec::new();
    for interest in content
        .interests
        .iter()
        .filter(|i| answers.likes.contains(&i.key))
    {
        let m = Matcher::new(&interest.keywords.join(" "));
        if m.is_empty() {
            continue;
        }
        for s in map
            .services
            .iter()
            .filter(|s| s.service.volunteering && usable(s))
        {
            if m.matched(&s.stems).is_empty() {
                continue;
            }
            let reason = Reason(format!("U doet graag: {}.", interest.label.to_lowercase()));
            match give
                .iter_mut()
                .find(|g| g.kind == SuggestionKind::Give { id: s.id })
            {
                Some(g) => {
                    g.score += 1;
                    if !g.reasons.contains(&reason) {
                        g.reasons.push(reason);
                    }
                }
                None => give.push(Suggestion {
                    step: s.service.step,
                    kind: SuggestionKind::Give { id: s.id },
                    title: s.service.name.clone(),
                    text: s.service.description.clone(),
                    reasons: vec![reason],
                    score: 1,
                }),
            }
        }
    }
    give.sort_by(|a, b| b.score.cmp(&a.score).then(a.title.cmp(&b.title)));
    give.truncate(GIVE_CAP);

    Advice {
        suggestions,
        give,
        domains: domains.into_iter().collect(),
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

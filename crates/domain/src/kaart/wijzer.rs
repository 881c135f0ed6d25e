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
use super::text::{analyse, compound_first_part, tokens, Matcher, SynonymGroup, Synonyms, Term};
use crate::casework::LifeDomain;
use crate::{DistrictCode, LadderStep};
use memchr::memmem;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// A contra-indication: something the resident cannot do (walk, read, go out
/// alone), shown by an answer or their own words. A suggestion that needs it
/// is left out, or — when it says how it is accessible — kept with that said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limitation {
    pub key: String,
    /// What the resident cannot do, as the reason says it: "lopen gaat niet (goed)".
    pub label: String,
    /// Answers that show it, as `question=option` ("lopen=moeilijk").
    #[serde(default)]
    pub answers: Vec<String>,
    /// Words in the resident's text that show it ("rolstoel", "niet lopen").
    #[serde(default)]
    pub words: Vec<String>,
    /// A suggestion that mentions one of these needs what the resident cannot do.
    pub avoid: Vec<String>,
    /// … unless it also mentions one of these ("rolstoeltoegankelijk", "haalt u op").
    #[serde(default)]
    pub accessible: Vec<String>,
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
    /// Words that mean the same to a resident (eenzaam ↔ alleen, maatje).
    #[serde(default)]
    pub synonyms: Vec<SynonymGroup>,
    /// Contra-indications from the resident's answers.
    #[serde(default)]
    pub limitations: Vec<Limitation>,
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
    #[error("synonym group '{0}' needs at least two words")]
    Synonyms(String),
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
            WijzerError::Synonyms(_) => {
                "Geef minstens twee woorden die hetzelfde betekenen.".into()
            }
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
        for g in &self.synonyms {
            key("synonym", &g.key, &mut errors);
            if g.words.iter().filter(|w| !tokens(w).is_empty()).count() < 2 {
                errors.push(WijzerError::Synonyms(g.key.clone()));
            }
        }
        for l in &self.limitations {
            key("limitation", &l.key, &mut errors);
            errors.extend(check_text("wat niet gaat", &l.label, 120).err());
            if l.answers.is_empty() && l.words.is_empty() {
                errors.push(WijzerError::EmptyCondition(l.key.clone()));
            }
            if l.avoid.is_empty() {
                errors.push(WijzerError::Text("woorden die niet passen".into()));
            }
            for a in &l.answers {
                let known = a.split_once('=').is_some_and(|(q, o)| {
                    self.questions
                        .iter()
                        .any(|x| x.key == q && x.options.iter().any(|y| y.key == o))
                });
                if !known {
                    errors.push(WijzerError::Unknown {
                        rule: l.key.clone(),
                        what: "antwoord",
                        key: a.clone(),
                    });
                }
            }
        }
        errors
    }

    /// The synonyms, ready to expand a resident's words.
    pub fn synonym_table(&self) -> Synonyms {
        Synonyms::new(&self.synonyms)
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
        let qm = Matcher::with_synonyms(question, &self.synonym_table());
        let q = qm.keys();
        let mut out = Vec::new();
        for t in &self.topics {
            if chosen.contains(&t.key) {
                out.push((t, Reason(format!("U koos het onderwerp '{}'.", t.label))));
                continue;
            }
            let m = Matcher::keywords(&t.keywords);
            let hit = m.matched(&q);
            if let Some(first) = hit.first() {
                let w = written(&hit, &qm).unwrap_or(first);
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

/// The resident's own words for the first of the keywords their text matched
/// (`hit`, from a keyword matcher): a reason quotes what they wrote ("niet meer
/// lopen", "eenzaam"), not the keyword or the synonym that led there.
fn written<'q>(hit: &[&str], question: &'q Matcher) -> Option<&'q str> {
    hit.iter()
        .find_map(|w| question.matched(&tokens(w)).first().copied())
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

/// A resident's answers in the words they saw: what a professional reads
/// when the resident asks the wijkteam to think along. Kept as given, so a
/// later change to the wijzer's content does not change what they answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledAnswers {
    pub question: String,
    pub topics: Vec<String>,
    /// (question, chosen answer), in the order the wijzer asks them.
    pub situation: Vec<(String, String)>,
    pub likes: Vec<String>,
    pub helpers: Vec<String>,
    pub nobody_helps: bool,
}

impl LabelledAnswers {
    /// The answers as the text of the casework signal: short lines, each ending
    /// in a full stop, so they read well on one line too.
    pub fn signal_text(&self, district: &str, who: &str, id: i64) -> String {
        let l = self;
        let mut lines = vec![format!(
            "Vraag: {}",
            if l.question.trim().is_empty() {
                "(geen tekst)".to_owned()
            } else {
                l.question.trim().to_owned()
            }
        )];
        lines.push(format!("Contact: {who}."));
        if !l.topics.is_empty() {
            lines.push(format!("Onderwerpen: {}.", l.topics.join(", ")));
        }
        for (q, a) in &l.situation {
            lines.push(format!("{q} {a}."));
        }
        if !l.likes.is_empty() {
            lines.push(format!("Doet graag: {}.", l.likes.join(", ")));
        }
        if !l.helpers.is_empty() {
            lines.push(format!("Wie kan helpen: {}.", l.helpers.join(", ")));
        }
        if l.nobody_helps {
            lines.push("Er is nu niemand die kan helpen.".into());
        }
        lines.push(format!("Wijk: {district}."));
        lines.push(format!(
            "Alle antwoorden: hulpvraag {id} in 'Hulpvragen uit de wijzer'."
        ));
        lines.join("\n")
    }
}

impl WijzerContent {
    /// The answers in this content's words. A key the content no longer has
    /// (it changed since the form was shown) is kept as the key itself, marked.
    pub fn label(&self, a: &Answers) -> LabelledAnswers {
        let gone = |k: &str| format!("{k} (niet meer in de wijzer)");
        let topics = a
            .topics
            .iter()
            .map(|k| {
                self.topics
                    .iter()
                    .find(|t| &t.key == k)
                    .map_or_else(|| gone(k), |t| t.label.clone())
            })
            .collect();
        let mut situation: Vec<(String, String)> = Vec::new();
        for q in &self.questions {
            if let Some(chosen) = a.situation.get(&q.key) {
                let answer = q
                    .options
                    .iter()
                    .find(|o| &o.key == chosen)
                    .map_or_else(|| gone(chosen), |o| o.label.clone());
                situation.push((q.text.clone(), answer));
            }
        }
        for (k, v) in &a.situation {
            if !self.questions.iter().any(|q| &q.key == k) {
                situation.push((gone(k), v.clone()));
            }
        }
        let likes = a
            .likes
            .iter()
            .map(|k| {
                self.interests
                    .iter()
                    .find(|i| &i.key == k)
                    .map_or_else(|| gone(k), |i| i.label.clone())
            })
            .collect();
        let helpers = a
            .helpers
            .iter()
            .map(|k| {
                self.network
                    .iter()
                    .find(|n| &n.key == k)
                    .map_or_else(|| gone(k), |n| n.label.clone())
            })
            .collect();
        LabelledAnswers {
            question: a.question.clone(),
            topics,
            situation,
            likes,
            helpers,
            nobody_helps: a.nobody_helps,
        }
    }
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

/// A service as the wijzer matches it: its search words computed once, as
/// numbers in the map's vocabulary.
#[derive(Debug, Clone)]
pub struct IndexedService {
    pub id: i64,
    pub service: Service,
    /// Vocabulary numbers of everything searchable (name, description,
    /// eligibility, domains), sorted, without repeats.
    stem_ids: Vec<u32>,
    domain_mask: u16,
}

/// What a request asks about a service again and again, packed small and kept
/// apart from the service's texts, so ranking thousands of candidates reads
/// 16 bytes each, not a whole service.
#[derive(Debug, Clone, Copy)]
struct Hot {
    /// The districts served, one bit per district of the map; 0 = everywhere.
    district_mask: u64,
    /// Position in the map ordered by name (then by position): ties in the
    /// ranking are broken by comparing two numbers, not two names.
    name_rank: u32,
    step: u8,
    active: bool,
    volunteering: bool,
}

/// The distinct stems of a map, in one buffer (`\0stem\0stem\0…`) so that a
/// query stem is found in all of them by one substring search instead of one
/// comparison per stem.
#[derive(Debug, Clone)]
struct Vocabulary {
    text: Vec<u8>,
    /// Where each stem starts in `text`, ascending.
    starts: Vec<u32>,
    number: HashMap<String, u32>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            text: vec![0],
            starts: Vec::new(),
            number: HashMap::new(),
        }
    }
}

impl Vocabulary {
    fn id(&mut self, stem: String) -> u32 {
        if let Some(&i) = self.number.get(&stem) {
            return i;
        }
        let i = self.starts.len() as u32;
        self.starts.push(self.text.len() as u32);
        self.text.extend_from_slice(stem.as_bytes());
        self.text.push(0);
        self.number.insert(stem, i);
        i
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// The stem that holds byte `offset` of the buffer.
    fn stem_at(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s as usize <= offset) - 1) as u32
    }

    /// The numbers of the stems a query key matches (as
    /// [`super::text::stem_matches`] decides), ascending, without repeats.
    fn matching(&self, q: &str) -> Vec<u32> {
        let mut out = Vec::new();
        if q.len() < 3 || q.starts_with('~') {
            out.extend(self.number.get(q).copied());
            return out;
        }
        // A stem that ends with the key (or is it): the needle ends in a NUL.
        let mut needle = Vec::with_capacity(q.len() + 1);
        needle.extend_from_slice(q.as_bytes());
        needle.push(0);
        out.extend(memmem::find_iter(&self.text, &needle).filter_map(|o| {
            let i = self.stem_at(o);
            let start = self.starts[i as usize] as usize;
            let first_part = o - start;
            (self.text[start] != b'~'
                && (first_part == 0 || first_part >= compound_first_part(q.len())))
            .then_some(i)
        }));
        if q.len() >= 5 {
            // A stem that starts with the key: the needle starts with a NUL.
            needle.pop();
            needle.insert(0, 0);
            out.extend(memmem::find_iter(&self.text, &needle).map(|o| self.stem_at(o + 1)));
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// For each stem, the services that have it (ascending positions): the
/// inverted index, in one flat array.
#[derive(Debug, Clone, Default)]
struct Postings {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Postings {
    fn build(
        stems: usize,
        lists: impl Iterator<Item = (u32, impl Iterator<Item = u32>)> + Clone,
    ) -> Postings {
        let mut counts = vec![0u32; stems + 1];
        for (_, ids) in lists.clone() {
            for s in ids {
                counts[s as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut items = vec![0u32; counts[stems] as usize];
        let mut next = counts.clone();
        for (service, ids) in lists {
            for s in ids {
                items[next[s as usize] as usize] = service;
                next[s as usize] += 1;
            }
        }
        Postings {
            offsets: counts,
            items,
        }
    }

    fn get(&self, stem: u32) -> &[u32] {
        let (a, b) = (self.offsets[stem as usize], self.offsets[stem as usize + 1]);
        &self.items[a as usize..b as usize]
    }
}

/// The social map prepared for matching: every service's stems, the
/// vocabulary, and which services have each stem (in all their searchable text,
/// and in their name alone — a word in the name says what a service *is*).
#[derive(Debug, Clone, Default)]
pub struct ServiceIndex {
    services: Vec<IndexedService>,
    hot: Vec<Hot>,
    /// Per service, its offer: places with the same [`offer_key`] share one.
    offers: Vec<u32>,
    vocabulary: Vocabulary,
    postings: Postings,
    name_postings: Postings,
    /// The districts the services name; bit i of a district mask is `districts[i]`.
    districts: Vec<DistrictCode>,
    /// More than 64 districts: masks cannot say it, so `serves` is asked.
    many_districts: bool,
}

impl ServiceIndex {
    /// The service with this id, if the index holds it.
    pub fn service(&self, id: i64) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.id == id)
            .map(|s| &s.service)
    }

    pub fn new(services: impl IntoIterator<Item = (i64, Service)>) -> ServiceIndex {
        let mut vocabulary = Vocabulary::default();
        let ids = |text: &str, vocabulary: &mut Vocabulary| {
            let mut v: Vec<u32> = tokens(text).into_iter().map(|t| vocabulary.id(t)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut names = Vec::new();
        let mut districts: Vec<DistrictCode> = Vec::new();
        let mut hot: Vec<Hot> = Vec::new();
        let services: Vec<IndexedService> = services
            .into_iter()
            .map(|(id, service)| {
                let stem_ids = ids(&service.search_text(), &mut vocabulary);
                names.push(ids(&service.name, &mut vocabulary));
                let mut district_mask = 0u64;
                for d in &service.districts {
                    let bit = match districts.iter().position(|x| x == d) {
                        Some(b) => b,
                        None => {
                            districts.push(d.clone());
                            districts.len() - 1
                        }
                    };
                    if bit < 64 {
                        district_mask |= 1 << bit;
                    }
                }
                hot.push(Hot {
                    district_mask,
                    name_rank: 0,
                    step: service.step.value(),
                    active: service.status == ServiceStatus::Active,
                    volunteering: service.volunteering,
                });
                IndexedService {
                    id,
                    stem_ids,
                    domain_mask: domain_mask(&service.domains),
                    service,
                }
            })
            .collect();
        let mut offer_ids: HashMap<String, u32> = HashMap::new();
        let offers = services
            .iter()
            .map(|s| {
                let next = offer_ids.len() as u32;
                *offer_ids.entry(offer_key(&s.service)).or_insert(next)
            })
            .collect();
        let mut by_name: Vec<u32> = (0..services.len() as u32).collect();
        by_name.sort_by(|&a, &b| {
            services[a as usize]
                .service
                .name
                .cmp(&services[b as usize].service.name)
                .then(a.cmp(&b))
        });
        for (rank, &i) in by_name.iter().enumerate() {
            hot[i as usize].name_rank = rank as u32;
        }
        let n = vocabulary.len();
        let postings = Postings::build(
            n,
            services
                .iter()
                .enumerate()
                .map(|(i, s)| (i as u32, s.stem_ids.iter().copied())),
        );
        let name_postings = Postings::build(
            n,
            names
                .iter()
                .enumerate()
                .map(|(i, ids)| (i as u32, ids.iter().copied())),
        );
        ServiceIndex {
            services,
            hot,
            offers,
            vocabulary,
            postings,
            name_postings,
            many_districts: districts.len() > 64,
            districts,
        }
    }

    pub fn services(&self) -> &[IndexedService] {
        &self.services
    }

    pub fn len(&self) -> usize {
        self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// How many distinct stems the map's texts have.
    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary.len()
    }

    /// For each typed word, the vocabulary stems it (or a synonym) matches.
    fn compile<'m>(&self, m: &'m Matcher) -> Vec<(&'m str, Vec<u32>)> {
        m.terms()
            .map(|(word, own, synonyms)| {
                let mut ids: Vec<u32> = own
                    .iter()
                    .flat_map(|k| self.vocabulary.matching(k))
                    .chain(
                        synonyms
                            .iter()
                            .filter_map(|k| self.vocabulary.number.get(k.as_str()).copied()),
                    )
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                (word, ids)
            })
            .collect()
    }

    /// Marks the services that have any of these words.
    fn mark_having(&self, terms: &[(&str, Vec<u32>)], marks: &mut [bool]) {
        for (_, stems) in terms {
            for &st in stems {
                for &s in self.postings.get(st) {
                    marks[s as usize] = true;
                }
            }
        }
    }

    /// Where a resident lives, as the masks of this map say it.
    fn place(&self, district: Option<&DistrictCode>) -> Place {
        match district {
            None => Place::Anywhere,
            Some(_) if self.many_districts => Place::Ask(district.cloned()),
            Some(d) => Place::Mask(
                self.districts
                    .iter()
                    .position(|x| x == d)
                    .map_or(0, |b| 1u64 << b),
            ),
        }
    }

    /// Does service `i` serve a resident at `place`? (Status is checked apart.)
    fn serves(&self, i: usize, mask: u64, place: &Place) -> bool {
        match place {
            Place::Anywhere => true,
            Place::Mask(bit) => mask == 0 || mask & bit != 0,
            Place::Ask(d) => d
                .as_ref()
                .is_none_or(|d| self.services[i].service.serves(d)),
        }
    }
}

/// A resident's district against a map: every service serves them, or those
/// whose mask has this bit (or no district at all), or — on a map with more
/// than 64 districts — ask each service.
enum Place {
    Anywhere,
    Mask(u64),
    Ask(Option<DistrictCode>),
}

/// A service a "services" rule can suggest, found once per map and content.
#[derive(Debug, Clone, Copy)]
struct RuleCandidate {
    service: u32,
    /// Which of the rule's `shared` masks (the life domains the service
    /// shares with it), if any.
    helps: u16,
    /// What the service adds to its score when the rule fires.
    score: u16,
    hot: Hot,
}

const NO_HELPS: u16 = u16::MAX;

/// Services a rule or an interest can suggest, grouped by where they are, so
/// a request from one district reads only what serves it.
#[derive(Debug, Clone, Default)]
struct ByPlace<T> {
    /// All of them, in map order (a resident who did not say where they live).
    all: Vec<T>,
    /// Those for the whole municipality.
    everywhere: Vec<T>,
    /// Per district bit of the map, the services for that district.
    district: Vec<Vec<T>>,
}

impl<T: Copy> ByPlace<T> {
    fn new(items: Vec<T>, mask: impl Fn(&T) -> u64, map: &ServiceIndex) -> ByPlace<T> {
        let bits = if map.many_districts {
            0
        } else {
            map.districts.len()
        };
        let mut by = ByPlace {
            all: Vec::new(),
            everywhere: Vec::new(),
            district: vec![Vec::new(); bits],
        };
        for item in &items {
            let m = mask(item);
            if m == 0 {
                by.everywhere.push(*item);
            }
            for (b, list) in by.district.iter_mut().enumerate() {
                if m & (1 << b) != 0 {
                    list.push(*item);
                }
            }
        }
        by.all = items;
        by
    }

    /// What a resident at `place` may see: each service once. (With more than
    /// 64 districts there are no groups; the caller asks each service.)
    fn at<'a>(&'a self, place: &Place) -> (&'a [T], &'a [T]) {
        match place {
            Place::Mask(bit) if *bit != 0 => {
                let b = bit.trailing_zeros() as usize;
                (
                    &self.everywhere,
                    self.district.get(b).map_or(&[][..], Vec::as_slice),
                )
            }
            Place::Mask(_) => (&self.everywhere, &[]),
            Place::Anywhere | Place::Ask(_) => (&self.all, &[]),
        }
    }

    fn len(&self) -> usize {
        self.all.len()
    }
}

#[derive(Debug, Clone)]
struct PreparedRule {
    /// The condition's words, parsed once.
    when_words: Matcher,
    /// For a "services" rule: every active, non-volunteering service within
    /// the rule's step and reach that shares a domain or a word with it, in map
    /// order. Which of them a resident sees depends on where they live only.
    candidates: ByPlace<RuleCandidate>,
    /// The distinct sets of life domains candidates share with the rule, so a
    /// request writes each "Helpt bij: …" reason once per rule.
    shared: Vec<u16>,
}

/// The wijzer's content compiled against one map: what every rule and every
/// interest could suggest is worked out here once, so a resident's request
/// only looks at the rules their answers fire. Built again whenever the content
/// or the map changes (the web app keeps it next to the [`ServiceIndex`]).
#[derive(Debug, Clone)]
pub struct RuleIndex {
    content: WijzerContent,
    map_len: usize,
    map_vocabulary: usize,
    rules: Vec<PreparedRule>,
    /// Per topic, its keywords parsed once.
    topic_words: Vec<Matcher>,
    /// Per interest: None when it has no keywords, else the active volunteer
    /// opportunities that mention one, in map order.
    interests: Vec<Option<ByPlace<(u32, Hot)>>>,
    /// Per interest, its keywords parsed once: a talent the resident writes
    /// about in their own words ("ik brei graag").
    interest_words: Vec<Matcher>,
    synonyms: Synonyms,
    limitations: Vec<PreparedLimitation>,
}

/// A contra-indication compiled against one map.
#[derive(Debug, Clone)]
struct PreparedLimitation {
    words: Matcher,
    avoid: Matcher,
    accessible: Matcher,
    /// The services (map positions, ascending) that mention an `avoid` word,
    /// each with the first `accessible` word it mentions, if any.
    services: Vec<(u32, Option<String>)>,
}

impl PreparedLimitation {
    fn new(l: &Limitation) -> PreparedLimitation {
        PreparedLimitation {
            words: Matcher::keywords(&l.words),
            avoid: Matcher::keywords(&l.avoid),
            accessible: Matcher::keywords(&l.accessible),
            services: Vec::new(),
        }
    }

    /// Does a text need what the resident cannot do? Only what it says
    /// positively counts: a scooter "voor wie niet meer kan lopen" is no walk.
    /// `None`: no. `Some(None)`: yes, leave it out. `Some(Some(w))`: yes, but
    /// it mentions `w`, which says how it is accessible.
    fn verdict(&self, text: &[Term]) -> Option<Option<String>> {
        let positive: Vec<String> = text
            .iter()
            .filter(|t| !t.negated)
            .map(|t| t.stem.clone())
            .collect();
        if self.avoid.matched(&positive).is_empty() {
            return None;
        }
        let all: Vec<String> = text.iter().flat_map(Term::keys).collect();
        Some(
            self.accessible
                .matched(&all)
                .first()
                .map(|w| (*w).to_owned()),
        )
    }
}

/// The contra-indications a resident's answers show, each with its reason.
struct ActiveLimits<'a> {
    list: Vec<(&'a Limitation, &'a PreparedLimitation)>,
}

impl<'a> ActiveLimits<'a> {
    fn new(
        content: &'a WijzerContent,
        prepared: &'a [PreparedLimitation],
        answers: &Answers,
        question_keys: &[String],
    ) -> ActiveLimits<'a> {
        let list = content
            .limitations
            .iter()
            .zip(prepared)
            .filter(|(l, p)| {
                l.answers.iter().any(|a| {
                    a.split_once('=')
                        .is_some_and(|(q, o)| answers.situation.get(q).is_some_and(|x| x == o))
                }) || !p.words.matched(question_keys).is_empty()
            })
            .collect();
        ActiveLimits { list }
    }

    /// What the active limits say about a text: `None` to leave it out, else
    /// the reasons to add (how it is accessible).
    fn check_text(&self, text: &[Term]) -> Option<Vec<Reason>> {
        let mut out = Vec::new();
        for (l, p) in &self.list {
            match p.verdict(text) {
                None => {}
                Some(None) => return None,
                Some(Some(w)) => out.push(accessible_reason(l, &w)),
            }
        }
        Some(out)
    }
}

fn accessible_reason(l: &Limitation, word: &str) -> Reason {
    Reason(format!("U gaf aan: {}. Hier staat '{word}'.", l.label))
}

impl RuleIndex {
    pub fn new(content: WijzerContent, map: &ServiceIndex) -> RuleIndex {
        let n = map.len();
        let mut marks = vec![false; n];
        let rules = content
            .rules
            .iter()
            .map(|rule| {
                let when_words = Matcher::keywords(&rule.when.words);
                let mut candidates = Vec::new();
                let mut shared_masks: Vec<u16> = Vec::new();
                if let RuleAction::Services {
                    domains,
                    words,
                    collective_only,
                    max_step,
                } = &rule.then
                {
                    let m = Matcher::keywords(words);
                    marks.iter_mut().for_each(|x| *x = false);
                    map.mark_having(&map.compile(&m), &mut marks);
                    let rule_mask = domain_mask(domains);
                    for (i, s) in map.services.iter().enumerate() {
                        let v = &s.service;
                        if v.status != ServiceStatus::Active
                            || v.volunteering
                            || v.step > *max_step
                            || (*collective_only && v.reach != Reach::Collective)
                        {
                            continue;
                        }
                        let shared = s.domain_mask & rule_mask;
                        if shared != 0 || marks[i] {
                            let helps = if shared == 0 {
                                NO_HELPS
                            } else {
                                match shared_masks.iter().position(|m| *m == shared) {
                                    Some(k) => k as u16,
                                    None => {
                                        shared_masks.push(shared);
                                        shared_masks.len() as u16 - 1
                                    }
                                }
                            };
                            candidates.push(RuleCandidate {
                                service: i as u32,
                                helps,
                                score: shared.count_ones() as u16 + if marks[i] { 4 } else { 0 },
                                hot: map.hot[i],
                            });
                        }
                    }
                }
                PreparedRule {
                    when_words,
                    candidates: ByPlace::new(candidates, |c| c.hot.district_mask, map),
                    shared: shared_masks,
                }
            })
            .collect();
        let topic_words = content
            .topics
            .iter()
            .map(|t| Matcher::keywords(&t.keywords))
            .collect();
        let interests = content
            .interests
            .iter()
            .map(|interest| {
                let m = Matcher::keywords(&interest.keywords);
                if m.is_empty() {
                    return None;
                }
                marks.iter_mut().for_each(|x| *x = false);
                map.mark_having(&map.compile(&m), &mut marks);
                let found = (0..n)
                    .filter(|&i| {
                        let v = &map.services[i].service;
                        marks[i] && v.volunteering && v.status == ServiceStatus::Active
                    })
                    .map(|i| (i as u32, map.hot[i]))
                    .collect();
                Some(ByPlace::new(found, |(_, h)| h.district_mask, map))
            })
            .collect();
        let interest_words = content
            .interests
            .iter()
            .map(|i| Matcher::keywords(&i.keywords))
            .collect();
        let limitations = content
            .limitations
            .iter()
            .map(|l| {
                let mut p = PreparedLimitation::new(l);
                marks.iter_mut().for_each(|x| *x = false);
                map.mark_having(&map.compile(&p.avoid), &mut marks);
                // The index finds every service with an avoided word; its own
                // text then tells whether it needs it or says it is not needed.
                p.services = (0..n)
                    .filter(|&i| marks[i])
                    .filter_map(|i| {
                        let text = analyse(&map.services[i].service.search_text());
                        p.verdict(&text).map(|word| (i as u32, word))
                    })
                    .collect();
                p
            })
            .collect();
        RuleIndex {
            synonyms: content.synonym_table(),
            content,
            map_len: n,
            map_vocabulary: map.vocabulary_size(),
            rules,
            topic_words,
            interests,
            interest_words,
            limitations,
        }
    }

    /// The content this index was built from.
    pub fn content(&self) -> &WijzerContent {
        &self.content
    }

    /// Per rule, how many services it could suggest (its candidate list).
    pub fn candidates_per_rule(&self) -> Vec<(&str, usize)> {
        self.content
            .rules
            .iter()
            .zip(&self.rules)
            .map(|(r, p)| (r.key.as_str(), p.candidates.len()))
            .collect()
    }

    fn fits(&self, map: &ServiceIndex) -> bool {
        self.map_len == map.len() && self.map_vocabulary == map.vocabulary_size()
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

const ASK_WIJKTEAM_TEXT: &str = "Hiervoor is een beslissing (beschikking) van de gemeente nodig. Vraag het wijkteam: samen kijkt u eerst wat lichter kan.";

/// A service being considered for one request.
#[derive(Clone, Copy)]
struct Candidate {
    service: u32,
    name_rank: u32,
    step: u8,
    score: u32,
    /// Reason numbers in the order found, without repeats; the first few only.
    ids: [u16; MAX_REASONS],
    len: u8,
}

impl Candidate {
    fn add(&mut self, r: u16) {
        let len = self.len as usize;
        if len < MAX_REASONS && !self.ids[..len].contains(&r) {
            self.ids[len] = r;
            self.len += 1;
        }
    }
    /// Adds a reason that must be shown: in the last place when all are taken.
    fn add_last(&mut self, r: u16) {
        if self.ids[..self.len as usize].contains(&r) {
            return;
        }
        if (self.len as usize) < MAX_REASONS {
            self.add(r);
        } else {
            self.ids[MAX_REASONS - 1] = r;
        }
    }
    fn reasons(&self) -> impl Iterator<Item = u16> + '_ {
        self.ids[..self.len as usize].iter().copied()
    }
}

/// The services one request touches, without a slot per service of the map
/// for those it does not.
struct Candidates {
    slot: Vec<u32>,
    list: Vec<Candidate>,
}

impl Candidates {
    fn new(n: usize) -> Candidates {
        Candidates {
            slot: vec![u32::MAX; n],
            list: Vec::new(),
        }
    }
    fn entry(&mut self, service: u32, hot: &Hot) -> &mut Candidate {
        let slot = &mut self.slot[service as usize];
        if *slot == u32::MAX {
            *slot = self.list.len() as u32;
            self.list.push(Candidate {
                service,
                name_rank: hot.name_rank,
                step: hot.step,
                score: 0,
                ids: [0; MAX_REASONS],
                len: 0,
            });
        }
        &mut self.list[*slot as usize]
    }
}

/// The wijzer's suggestion step. Pure: same input, same advice. Compiles the
/// content against the map first; a server that answers many residents keeps
/// a [`RuleIndex`] and calls [`suggest_with`].
pub fn suggest(content: &WijzerContent, map: &ServiceIndex, answers: &Answers) -> Advice {
    suggest_with(&RuleIndex::new(content.clone(), map), map, answers)
}

/// The suggestion step with the content already compiled against this map.
/// An index built for another map is not trusted: it is built again.
pub fn suggest_with(rules: &RuleIndex, map: &ServiceIndex, answers: &Answers) -> Advice {
    if !rules.fits(map) {
        return suggest_with(&RuleIndex::new(rules.content.clone(), map), map, answers);
    }
    let content = &rules.content;
    let q_matcher = Matcher::with_synonyms(&answers.question, &rules.synonyms);
    let talents = Matcher::talents(&answers.question, &rules.synonyms);
    let q_stems = q_matcher.keys();
    // Topics chosen, and topics whose keywords occur in the question text.
    let mut topics: Vec<(&Topic, Reason)> = Vec::new();
    for (t, words) in content.topics.iter().zip(&rules.topic_words) {
        if answers.topics.contains(&t.key) {
            topics.push((t, Reason(format!("U koos het onderwerp '{}'.", t.label))));
        } else if let Some(first) = words.matched(&q_stems).first() {
            let w = written(&words.matched(&q_stems), &q_matcher).unwrap_or(first);
            topics.push((
                t,
                Reason(format!("U schreef '{w}'; dat gaat over '{}'.", t.label)),
            ));
        }
    }
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

    let fires = |c: &Condition, when_words: &Matcher| -> Option<Vec<Reason>> {
        if c.is_empty() {
            return None;
        }
        let mut reasons = Vec::new();
        if !c.topics.is_empty() {
            let before = reasons.len();
            reasons.extend(
                topics
                    .iter()
                    .filter(|(t, _)| c.topics.contains(&t.key))
                    .map(|(_, r)| r.clone()),
            );
            if reasons.len() == before {
                return None;
            }
        }
        if !c.words.is_empty() {
            let hit = when_words.matched(&q_stems);
            if hit.is_empty() {
                return None;
            }
            // Show the resident's own word, not the rule's.
            let shown = hit
                .iter()
                .find_map(|w| q_matcher.matched(&tokens(w)).first().copied())
                .unwrap_or(hit[0]);
            reasons.push(Reason(format!("U schreef '{shown}'.")));
        }
        if !c.concerns.is_empty() {
            let before = reasons.len();
            reasons.extend(
                c.concerns
                    .iter()
                    .filter_map(|k| concerns.get(k.as_str()).cloned()),
            );
            if reasons.len() == before {
                return None;
            }
        }
        if !c.likes.is_empty() {
            let hit: Vec<&str> = c
                .likes
                .iter()
                .filter(|l| answers.likes.contains(l))
                .filter_map(|l| content.interests.iter().find(|i| &i.key == l))
                .map(|i| i.label.as_str())
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
            let hit: Vec<&str> = c
                .helpers
                .iter()
                .filter(|h| answers.helpers.contains(h))
                .filter_map(|h| content.network.iter().find(|n| &n.key == h))
                .map(|n| n.label.as_str())
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

    let limits = ActiveLimits::new(content, &rules.limitations, answers, &q_stems);
    let place = map.place(answers.district.as_ref());
    let mut reasons = ReasonTable::default();
    let mut fixed: Vec<Suggestion> = Vec::new();
    let mut cands = Candidates::new(map.len());

    for (rule, prepared) in content.rules.iter().zip(&rules.rules) {
        let Some(mut rule_reasons) = fires(&rule.when, &prepared.when_words) else {
            continue;
        };
        match &rule.then {
            RuleAction::Tip { title, text } | RuleAction::Network { title, text } => {
                if !limits.list.is_empty() {
                    match limits.check_text(&analyse(&format!("{title} {text}"))) {
                        None => continue,
                        Some(extra) => rule_reasons.extend(extra),
                    }
                }
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
            RuleAction::Services { .. } => {
                let ids: Vec<u16> = rule_reasons.into_iter().map(|r| reasons.id(r)).collect();
                let helps: Vec<u16> = prepared
                    .shared
                    .iter()
                    .map(|&m| reasons.helps_with(m))
                    .collect();
                let (a, b) = prepared.candidates.at(&place);
                for c in a.iter().chain(b) {
                    if !map.serves(c.service as usize, c.hot.district_mask, &place) {
                        continue;
                    }
                    let e = cands.entry(c.service, &c.hot);
                    e.score += u32::from(c.score);
                    for &r in &ids {
                        e.add(r);
                    }
                    if c.helps != NO_HELPS {
                        e.add(helps[c.helps as usize]);
                    }
                }
            }
        }
    }

    // The resident's own words, straight onto the map: someone who asks for a
    // scootmobiel sees it — on its own step, via the wijkteam. One common word
    // in a description ("thuis") says little; a word in the name, or two of the
    // resident's words together, say more.
    let q_positive = q_matcher.positive();
    let q = map.compile(&q_positive);
    if !q.is_empty() {
        /// A service one of the typed words was found in.
        struct Touch {
            service: u32,
            /// How many typed words are in its text, and in its name.
            words: u16,
            in_name: u16,
            /// The last word counted for each (a word can match several stems).
            last: u16,
            last_in_name: u16,
            /// Which of the first 64 words hit it (the rest are looked up).
            mask: u64,
        }
        let mut slot = vec![u32::MAX; map.len()];
        let mut touched: Vec<Touch> = Vec::new();
        for (t, (_, stems)) in q.iter().enumerate() {
            let t = t as u16;
            for &st in stems {
                for &s in map.postings.get(st) {
                    let k = &mut slot[s as usize];
                    if *k == u32::MAX {
                        *k = touched.len() as u32;
                        touched.push(Touch {
                            service: s,
                            words: 0,
                            in_name: 0,
                            last: u16::MAX,
                            last_in_name: u16::MAX,
                            mask: 0,
                        });
                    }
                    let h = &mut touched[*k as usize];
                    if h.last != t {
                        h.last = t;
                        h.words += 1;
                        if t < 64 {
                            h.mask |= 1 << t;
                        }
                    }
                }
                // A name's stems are among the text's: the service is touched.
                for &s in map.name_postings.get(st) {
                    let h = &mut touched[slot[s as usize] as usize];
                    if h.last_in_name != t {
                        h.last_in_name = t;
                        h.in_name += 1;
                    }
                }
            }
        }
        let typed: Vec<u16> = q
            .iter()
            .map(|(w, _)| reasons.id(Reason(format!("U schreef '{w}'."))))
            .collect();
        for h in &touched {
            let i = h.service as usize;
            let hot = &map.hot[i];
            if (h.in_name == 0 && h.words < 2)
                || hot.volunteering
                || !hot.active
                || !map.serves(i, hot.district_mask, &place)
            {
                continue;
            }
            let e = cands.entry(h.service, hot);
            e.score += 5 * u32::from(h.in_name + h.words);
            // The reasons name the typed words in the order typed.
            let mut m = h.mask;
            while m != 0 && (e.len as usize) < MAX_REASONS {
                e.add(typed[m.trailing_zeros() as usize]);
                m &= m - 1;
            }
            if q.len() > 64 {
                let stem_ids = &map.services[i].stem_ids;
                for (t, (_, stems)) in q.iter().enumerate().skip(64) {
                    if e.len as usize == MAX_REASONS {
                        break;
                    }
                    if stem_ids.iter().any(|id| stems.binary_search(id).is_ok()) {
                        e.add(typed[t]);
                    }
                }
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

    // Within a step the best fit first, then by name (then position): one
    // number per candidate, highest score in the high bits, name rank below.
    let key =
        |c: &Candidate| -> u64 { (u64::from(u32::MAX - c.score) << 32) | u64::from(c.name_rank) };
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
    // Contra-indications: per candidate, left out, or the reasons that say how
    // it is accessible.
    let limit_of = |service: u32, reasons: &mut ReasonTable| -> Option<Vec<u16>> {
        let mut extra = Vec::new();
        for (l, p) in &limits.list {
            if let Ok(k) = p.services.binary_search_by_key(&service, |(s, _)| *s) {
                match &p.services[k].1 {
                    None => return None,
                    Some(w) => extra.push(reasons.id(accessible_reason(l, w))),
                }
            }
        }
        Some(extra)
    };
    let mut per_step: [Vec<(u64, u32)>; 6] = Default::default();
    for (k, c) in cands.list.iter_mut().enumerate().filter(|(_, c)| c.len > 0) {
        let Some(extra) = limit_of(c.service, &mut reasons) else {
            continue;
        };
        for r in extra {
            c.add_last(r);
        }
        per_step[c.step as usize].push((key(c), k as u32));
    }
    // Per step the best `room` offers, each with all its places that made it.
    let mut kept: Vec<u32> = Vec::new();
    let mut offers: Vec<u32> = Vec::new();
    for (st, list) in per_step.iter_mut().enumerate() {
        let room = cap(st as u8).saturating_sub(shown[st].min(cap(st as u8)));
        list.sort_unstable();
        offers.clear();
        for &(_, k) in list.iter() {
            let offer = map.offers[cands.list[k as usize].service as usize];
            if !offers.contains(&offer) {
                if offers.len() == room {
                    continue;
                }
                offers.push(offer);
            }
            kept.push(k);
        }
    }
    for k in kept {
        let c = &cands.list[k as usize];
        let (i, score) = (c.service as usize, c.score);
        let s = &map.services[i];
        let individual = s.service.step.value() == 5;
        suggestions.push(Suggestion {
            step: s.service.step,
            kind: if individual {
                SuggestionKind::AskWijkteam { id: s.id }
            } else {
                SuggestionKind::Service { id: s.id }
            },
            title: s.service.name.clone(),
            text: if individual {
                ASK_WIJKTEAM_TEXT.to_owned()
            } else {
                s.service.description.clone()
            },
            reasons: c.reasons().map(|r| reasons.get(r)).collect(),
            score,
        });
    }
    // Tips and stories first within their step (they carry the higher fixed
    // scores), services after; a stable sort keeps that.
    suggestions.sort_by_key(|a| a.step);

    // Ways to give: volunteer opportunities that fit what they like doing.
    // The candidates' slots are reused: clear those the help suggestions took.
    let mut give_c = cands;
    for c in &give_c.list {
        give_c.slot[c.service as usize] = u32::MAX;
    }
    give_c.list.clear();
    for ((interest, found), words) in content
        .interests
        .iter()
        .zip(&rules.interests)
        .zip(&rules.interest_words)
    {
        let Some(found) = found else { continue };
        let reason = match talent(interest, words, answers, &talents) {
            Some(r) => reasons.id(r),
            None => continue,
        };
        let (a, b) = found.at(&place);
        for (s, hot) in a.iter().chain(b) {
            if !map.serves(*s as usize, hot.district_mask, &place) {
                continue;
            }
            let c = give_c.entry(*s, hot);
            c.score += 1;
            c.add(reason);
        }
    }
    let mut ranked: Vec<(u64, u32)> = Vec::new();
    for (k, c) in give_c.list.iter_mut().enumerate() {
        let Some(extra) = limit_of(c.service, &mut reasons) else {
            continue;
        };
        for r in extra {
            c.add_last(r);
        }
        ranked.push((key(c), k as u32));
    }
    if ranked.len() > GIVE_CAP {
        ranked.select_nth_unstable(GIVE_CAP - 1);
        ranked.truncate(GIVE_CAP);
    }
    ranked.sort_unstable();
    let give = ranked
        .into_iter()
        .map(|(_, k)| {
            let c = &give_c.list[k as usize];
            let (i, score) = (c.service as usize, c.score);
            let s = &map.services[i];
            Suggestion {
                step: s.service.step,
                kind: SuggestionKind::Give { id: s.id },
                title: s.service.name.clone(),
                text: s.service.description.clone(),
                reasons: c.reasons().map(|r| reasons.get(r)).collect(),
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

/// What makes places of a service one offer (a buurtmaaltijd in every
/// neighbourhood): the same description and facts. A step's cap counts an
/// offer once, and the pages show it as one card with its places.
pub(crate) fn offer_key(s: &Service) -> String {
    format!(
        "{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{}\u{0}{:?}",
        s.description,
        s.step.value(),
        s.form,
        s.reach,
        s.access,
        s.volunteering,
        s.status
    )
}

/// Why an interest is a way for this resident to give: they ticked it, or
/// they wrote about it in their own words ("ik brei heel graag"). `None`: neither.
fn talent(
    interest: &Interest,
    words: &Matcher,
    answers: &Answers,
    talents: &Matcher,
) -> Option<Reason> {
    if answers.likes.contains(&interest.key) {
        return Some(Reason(format!(
            "U doet graag: {}.",
            interest.label.to_lowercase()
        )));
    }
    let hit = words.matched(&talents.keys());
    let first = hit.first()?;
    let w = written(&hit, talents).unwrap_or(first);
    Some(Reason(format!(
        "U schreef '{w}': daarmee kunt u ook iets voor een ander doen."
    )))
}

fn domain_index(d: LifeDomain) -> u32 {
    LifeDomain::ALL.iter().position(|x| *x == d).unwrap_or(0) as u32
}

fn domain_mask(ds: &[LifeDomain]) -> u16 {
    ds.iter().fold(0u16, |m, d| m | (1 << domain_index(*d)))
}

/// The reasons of one request, each stored once; candidates refer to them by
/// number, so thousands of candidates do not copy strings.
#[derive(Default)]
struct ReasonTable {
    list: Vec<Reason>,
    by_text: HashMap<String, u16>,
    helps: HashMap<u16, u16>,
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
#[path = "wijzer_reference.rs"]
mod reference;

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
            synonyms: vec![],
            limitations: vec![],
        }
    }

    fn map() -> ServiceIndex {
        ServiceIndex::new(services())
    }

    fn services() -> Vec<(i64, Service)> {
        vec![
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
        ]
    }

    fn shown(advice: &Advice, title: &str) -> bool {
        advice.suggestions.iter().any(|s| s.title == title)
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

    /// The test content with a walking limitation, a walking tip, and a
    /// handicraft interest; and the test map with three walks and a knitting club.
    fn limited() -> (WijzerContent, Vec<(i64, Service)>) {
        let mut c = content();
        c.rules.push(Rule {
            key: "tip_lopen".into(),
            when: Condition {
                topics: vec!["vervoer".into()],
                ..Condition::default()
            },
            then: RuleAction::Tip {
                title: "Blijf in beweging".into(),
                text: "Loop elke dag een stukje.".into(),
            },
        });
        c.rules.push(Rule {
            key: "samen".into(),
            when: Condition {
                topics: vec!["vervoer".into()],
                ..Condition::default()
            },
            then: RuleAction::Services {
                domains: vec![],
                words: vec!["samen".into()],
                collective_only: false,
                max_step: step(3),
            },
        });
        c.interests.push(Interest {
            key: "handwerk".into(),
            label: "Handwerk".into(),
            keywords: vec!["breien".into(), "handwerk".into()],
        });
        c.limitations.push(Limitation {
            key: "lopen".into(),
            label: "lopen gaat niet (goed)".into(),
            answers: vec!["lopen=moeilijk".into()],
            words: vec!["rolstoel".into(), "niet lopen".into()],
            avoid: vec!["lopen".into(), "wandelen".into()],
            accessible: vec!["rolstoel".into()],
        });
        assert_eq!(c.check(), vec![]);
        let mut list = services();
        for (id, name, text, volunteering) in [
            (20, "Wandelclub", "Samen wandelen door het park.", false),
            (
                21,
                "Rolstoelwandeling",
                "Samen wandelen, ook met uw rolstoel.",
                false,
            ),
            (
                22,
                "Samen naar de markt",
                "Samen erop uit voor wie niet meer kan lopen.",
                false,
            ),
            (23, "Breiclub", "Samen breien voor de voedselbank.", true),
        ] {
            list.push((id, svc(name, text, 3, &["sociaal_netwerk"], volunteering)));
        }
        (c, list)
    }

    #[test]
    fn someone_who_cannot_walk_gets_no_walking_advice() {
        let (c, list) = limited();
        let map = ServiceIndex::new(list.clone());
        let walking = |a: &Answers| {
            let advice = suggest(&c, &map, a);
            assert_eq!(advice, reference::suggest(&c, &list, a));
            advice
        };
        let free = walking(&Answers {
            question: "ik wil eruit, mijn heup".into(),
            ..Answers::default()
        });
        assert!(shown(&free, "Blijf in beweging"), "{free:#?}");
        assert!(shown(&free, "Wandelclub"), "{free:#?}");
        for a in [
            Answers {
                question: "ik wil eruit, mijn heup".into(),
                situation: [("lopen".to_owned(), "moeilijk".to_owned())].into(),
                ..Answers::default()
            },
            Answers {
                question: "ik zit in een rolstoel, mijn heup".into(),
                ..Answers::default()
            },
            Answers {
                question: "mijn heup: ik kan niet meer lopen".into(),
                ..Answers::default()
            },
        ] {
            let advice = walking(&a);
            assert!(!shown(&advice, "Blijf in beweging"), "{a:?}");
            assert!(!shown(&advice, "Wandelclub"), "{a:?}");
            // Said to be accessible: kept, with the reason.
            let kept = &advice.suggestions[position(&advice, "Rolstoelwandeling")];
            assert_eq!(
                kept.reasons.last().unwrap().0,
                "U gaf aan: lopen gaat niet (goed). Hier staat 'rolstoel'."
            );
            // "Voor wie niet meer kan lopen" does not ask for walking.
            assert!(shown(&advice, "Samen naar de markt"), "{a:?}");
        }
    }

    #[test]
    fn a_talent_in_the_residents_own_words_is_a_way_to_give() {
        let (c, list) = limited();
        let map = ServiceIndex::new(list.clone());
        let give = |q: &str| -> Vec<(String, String)> {
            let a = Answers {
                question: q.into(),
                ..Answers::default()
            };
            let advice = suggest(&c, &map, &a);
            assert_eq!(advice, reference::suggest(&c, &list, &a));
            advice
                .give
                .into_iter()
                .map(|s| (s.title, s.reasons[0].0.clone()))
                .collect()
        };
        assert_eq!(
            give("Ik brei heel graag"),
            vec![(
                "Breiclub".to_owned(),
                "U schreef 'brei': daarmee kunt u ook iets voor een ander doen.".to_owned()
            )]
        );
        // A wish, a negation or a need is no talent.
        assert!(give("Ik wil graag leren breien").is_empty());
        assert!(give("Ik brei niet graag").is_empty());
        assert!(give("breien lukt niet meer").is_empty());
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
    fn answers_are_labelled_in_the_words_the_resident_saw() {
        let a = Answers {
            question: "Ik eet vaak alleen".into(),
            topics: vec!["eten".into(), "weg".into()],
            situation: [
                ("alleen_eten".to_owned(), "vaak".to_owned()),
                ("lopen".to_owned(), "ja".to_owned()),
            ]
            .into(),
            likes: vec!["lezen".into()],
            helpers: vec!["buren".into()],
            nobody_helps: true,
            district: None,
        };
        let l = content().label(&a);
        assert_eq!(
            l.topics,
            vec!["Eten en drinken", "weg (niet meer in de wijzer)"]
        );
        assert_eq!(
            l.situation,
            vec![
                ("Eet u vaak alleen?".to_owned(), "Ja, vaak".to_owned()),
                ("Kunt u goed lopen?".to_owned(), "Ja".to_owned()),
            ]
        );
        assert_eq!(
            (l.likes, l.helpers),
            (vec!["Lezen".to_owned()], vec!["Buren".to_owned()])
        );
        assert!(l.nobody_helps);
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
        let mut list = services();
        list[0].1.status = ServiceStatus::TemporarilyClosed;
        list[4].1.districts = vec![DistrictCode::parse("WK999903").unwrap()];
        let m = ServiceIndex::new(list);
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

    /// Words of every length the matcher treats differently (two, three and
    /// four or more letters; compounds), for maps and questions alike.
    const WORDS: &[&str] = &[
        "eet",
        "les",
        "kok",
        "hulp",
        "maaltijd",
        "buurtmaaltijd",
        "koffie",
        "koffieochtend",
        "scootmobiel",
        "huishouden",
        "huishoudelijke",
        "boeken",
        "voorlezen",
        "lezen",
        "wandelen",
        "wandelgroep",
        "samen",
        "eten",
        "thuis",
        "heup",
        "tuin",
        "moestuin",
        "alcohol",
        "boete",
        "ik",
        "de",
        "op",
        "ok",
        "zingen",
        "koor",
        "taal",
        "taalcafe",
        "niet",
        "geen",
        "eenzaam",
        "maatje",
        "rolstoel",
        "toegankelijk",
        "breien",
        "handwerk",
        "mantelzorg",
        "man",
    ];

    fn arb_services() -> impl Strategy<Value = Vec<(i64, Service)>> {
        let domain = prop::sample::select(LifeDomain::ALL.to_vec());
        prop::collection::vec(
            (
                1u8..=5,
                prop::collection::vec(prop::sample::select(WORDS), 1..4),
                prop::collection::vec(prop::sample::select(WORDS), 0..6),
                prop::collection::vec(domain, 1..3),
                any::<bool>(),
                any::<bool>(),
                0u8..10,
                0u8..3,
            ),
            0..40,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(
                    |(i, (step, name, desc, domains, collective, vol, status, district))| {
                        let mut d: ServiceDraft = meal_draft();
                        d.name = format!("Dienst {} {}", name.join(" "), i % 7);
                        d.description = format!("Een dienst {} voor iedereen.", desc.join(" "));
                        d.step = step.to_string();
                        d.domains = domains.iter().map(|x| x.as_str().to_owned()).collect();
                        d.access = if step == 5 { "beschikking" } else { "vrij" }.into();
                        d.reach = if collective && step < 5 {
                            "collectief"
                        } else {
                            "individueel"
                        }
                        .into();
                        d.volunteering = vol && step <= 3;
                        d.status = match status {
                            0 => "tijdelijk_gesloten",
                            1 => "beeindigd",
                            _ => "actief",
                        }
                        .into();
                        d.districts = match district {
                            0 => vec![],
                            1 => vec!["WK999901".into()],
                            _ => vec!["WK999902".into()],
                        };
                        (i as i64 + 1, d.parse().unwrap_or_else(|e| panic!("{e:?}")))
                    },
                )
                .collect()
        })
    }

    /// The test content plus rules on words of every length, likes, helpers
    /// and "nobody helps".
    fn rich_content() -> WijzerContent {
        let mut c = content();
        c.network.push(NetworkOption {
            key: "familie".into(),
            label: "Familie".into(),
        });
        for (key, when, then) in [
            (
                "woorden",
                Condition {
                    words: vec!["eet".into(), "koffie".into()],
                    ..Condition::default()
                },
                RuleAction::Services {
                    domains: vec![],
                    words: vec!["les".into(), "tuin".into(), "ok".into()],
                    collective_only: false,
                    max_step: step(5),
                },
            ),
            (
                "familie",
                Condition {
                    helpers: vec!["familie".into(), "buren".into()],
                    ..Condition::default()
                },
                RuleAction::Services {
                    domains: vec![LifeDomain::SociaalNetwerk, LifeDomain::Justitie],
                    words: vec![],
                    collective_only: false,
                    max_step: step(4),
                },
            ),
            (
                "niemand",
                Condition {
                    nobody_helps: true,
                    ..Condition::default()
                },
                RuleAction::Network {
                    title: "Leer de buurt kennen".into(),
                    text: "In het buurthuis.".into(),
                },
            ),
        ] {
            c.rules.push(Rule {
                key: key.into(),
                when,
                then,
            });
        }
        c.interests.push(Interest {
            key: "handwerk".into(),
            label: "Handwerk".into(),
            keywords: vec!["breien".into(), "handwerk".into()],
        });
        c.synonyms = vec![
            SynonymGroup {
                key: "eenzaam".into(),
                words: vec!["eenzaam".into(), "maatje".into(), "koffie".into()],
            },
            SynonymGroup {
                key: "breien".into(),
                words: vec!["breien".into(), "handwerk".into()],
            },
        ];
        c.limitations = vec![Limitation {
            key: "lopen".into(),
            label: "lopen gaat niet".into(),
            answers: vec!["lopen=moeilijk".into()],
            words: vec!["rolstoel".into(), "niet wandelen".into()],
            avoid: vec!["wandelen".into(), "tuin".into(), "buurthuis".into()],
            accessible: vec!["toegankelijk".into(), "thuis".into()],
        }];
        assert_eq!(c.check(), vec![]);
        c
    }

    fn arb_rich_answers() -> impl Strategy<Value = Answers> {
        (
            arb_answers(),
            prop::collection::vec(prop::sample::select(WORDS), 0..6),
            prop::collection::vec(prop::sample::select(vec!["buren", "familie"]), 0..2),
            any::<bool>(),
            0u8..3,
        )
            .prop_map(|(mut a, words, helpers, nobody, district)| {
                if !words.is_empty() {
                    a.question = format!("{} {}", a.question, words.join(" "));
                }
                a.helpers = helpers.into_iter().map(String::from).collect();
                a.nobody_helps = nobody;
                a.district = match district {
                    0 => None,
                    1 => DistrictCode::parse("WK999901").ok(),
                    _ => DistrictCode::parse("WK999902").ok(),
                };
                a
            })
    }

    #[test]
    fn the_indexed_engine_gives_the_plain_definitions_advice_on_the_examples() {
        let c = content();
        for a in [
            Answers {
                question: "Ik wil maaltijden thuis".into(),
                situation: [("alleen_eten".to_owned(), "vaak".to_owned())].into(),
                likes: vec!["gezelschap".into(), "lezen".into()],
                ..Answers::default()
            },
            Answers {
                question: "Ik wil een scootmobiel, mijn heup is slecht".into(),
                situation: [("lopen".to_owned(), "moeilijk".to_owned())].into(),
                likes: vec!["lezen".into()],
                ..Answers::default()
            },
        ] {
            assert_eq!(
                suggest(&c, &map(), &a),
                reference::suggest(&c, &services(), &a)
            );
        }
    }

    #[test]
    fn a_map_with_more_districts_than_a_mask_holds_still_filters_by_district() {
        let list: Vec<(i64, Service)> = (1..=70)
            .map(|n| {
                let mut d: ServiceDraft = meal_draft();
                d.name = format!("Koffieochtend {n}");
                d.districts = vec![format!("WK9999{n:02}")];
                (n as i64, d.parse().unwrap())
            })
            .collect();
        let a = Answers {
            question: "koffieochtend".into(),
            district: DistrictCode::parse("WK999970").ok(),
            ..Answers::default()
        };
        let advice = suggest(&content(), &ServiceIndex::new(list.clone()), &a);
        let titles: Vec<&str> = advice
            .suggestions
            .iter()
            .map(|s| s.title.as_str())
            .collect();
        assert_eq!(titles, vec!["Koffieochtend 70"]);
        assert_eq!(advice, reference::suggest(&content(), &list, &a));
    }

    #[test]
    fn a_question_of_more_than_64_words_still_names_the_words_that_matched() {
        let mut d: ServiceDraft = meal_draft();
        d.name = "Dienst xq68a".into();
        d.description = "Hier xq2a en xq66a en xq67a en xq69a en xq70a.".into();
        let list = vec![(1, d.parse().unwrap())];
        let a = Answers {
            question: (1..=70)
                .map(|i| format!("xq{i}a"))
                .collect::<Vec<_>>()
                .join(" "),
            ..Answers::default()
        };
        let advice = suggest(&content(), &ServiceIndex::new(list.clone()), &a);
        assert_eq!(advice, reference::suggest(&content(), &list, &a));
        let reasons: Vec<&str> = advice.suggestions[0]
            .reasons
            .iter()
            .map(|r| r.0.as_str())
            .collect();
        assert_eq!(
            reasons,
            vec![
                "U schreef 'xq2a'.",
                "U schreef 'xq66a'.",
                "U schreef 'xq67a'.",
                "U schreef 'xq68a'."
            ]
        );
    }

    #[test]
    fn a_rule_index_for_another_map_is_not_trusted() {
        let small = ServiceIndex::new(services().into_iter().take(2));
        let rules = RuleIndex::new(content(), &small);
        let a = Answers {
            topics: vec!["eten".into()],
            situation: [("alleen_eten".to_owned(), "vaak".to_owned())].into(),
            ..Answers::default()
        };
        assert_eq!(
            suggest_with(&rules, &map(), &a),
            suggest(&content(), &map(), &a)
        );
    }

    proptest! {
        #[test]
        fn the_indexed_engine_gives_exactly_the_plain_definitions_advice(
            list in arb_services(),
            a in arb_rich_answers(),
        ) {
            let c = rich_content();
            let index = ServiceIndex::new(list.clone());
            let rules = RuleIndex::new(c.clone(), &index);
            prop_assert_eq!(suggest_with(&rules, &index, &a), reference::suggest(&c, &list, &a));
        }

        #[test]
        fn the_vocabulary_finds_what_stem_matches_finds(
            stems in prop::collection::vec("[a-e]{1,6}", 0..40),
            q in "[a-e]{1,5}",
        ) {
            let mut v = Vocabulary::default();
            let mut distinct: Vec<String> = Vec::new();
            for s in stems {
                v.id(s.clone());
                if !distinct.contains(&s) {
                    distinct.push(s);
                }
            }
            let expected: Vec<u32> = (0..distinct.len() as u32)
                .filter(|&i| super::super::text::stem_matches(&q, &distinct[i as usize]))
                .collect();
            prop_assert_eq!(v.matching(&q), expected);
        }
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
                prop_assert!(m.services().iter().any(|s| s.id == id && s.service.volunteering));
            }
            for s in &advice.suggestions {
                if let SuggestionKind::Service { id } | SuggestionKind::AskWijkteam { id } = s.kind {
                    prop_assert!(m.services().iter().any(|x| x.id == id && !x.service.volunteering));
                }
            }
        }
    }
}

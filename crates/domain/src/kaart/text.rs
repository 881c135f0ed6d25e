//! Dutch text analysis: what a resident types ("ik ben niet meer zo mobiel, loop
//! slecht", "maaltijden", "Scootmobiel") compared with what a service or the
//! wijzer's content says. Pure: no I/O, the same answer for the same text.
//!
//! This is the one text analysis of Baken's resident-facing matching — the
//! public map's search, the wijzer, and whatever else suggests things from free
//! text (the buurtmarktplaats). Its public API is small:
//!
//! - [`analyse`]: text → [`Term`]s: each meaningful word with its Snowball Dutch
//!   stem and whether it is negated ("niet eenzaam", "geen geld").
//! - [`Synonyms`]: groups of words that mean the same to a resident (eenzaam ↔
//!   alleen, ontmoeting, maatje), edited by a beheerder.
//! - [`TermSet`]: a list of words or short phrases (keywords) to look for;
//!   [`TermSet::find`] gives every keyword a text matches, each with the
//!   resident's own words that matched and whether a synonym led there — the
//!   material for a reason in plain Dutch ("U schreef 'eenzaam'").
//! - [`Matcher`] and [`tokens`]: the same, shaped for the indexed search (a query
//!   against many texts' stems).
//!
//! How words match (*whole words*): stems are equal, or one of the text's
//! words is a compound that ends in the keyword's stem (the head of a Dutch
//! compound is at the end: "maaltijd" in "buurtmaaltijd") or, for stems of five
//! letters or more, starts with it ("scootmobiel" in "scootmobielpool"). So
//! "man" no longer finds "mantelzorg" (but does find "buurman": a buurman is a man). A negated word only matches a negated
//! keyword: "ik ben niet eenzaam" does not match "eenzaam", and a beheerder who
//! wants "geen geld" to count writes the keyword "geen geld".
//!
//! Negation is deliberately simple: a negator ("niet", "geen", "nooit", "niets",
//! "niks", "nergens", "zonder") negates the first meaningful word after it in
//! the same clause, skipping small words and intensifiers ("niet meer lopen",
//! "niet echt eenzaam"), and a word joined to that one by "of" ("geen familie of
//! vrienden"). Punctuation and "maar" end a clause.

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Lower case, diacritics folded to ASCII (é → e, ë → e, ĳ → ij), everything that
/// is not a letter or digit turned into a space.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().flat_map(char::to_lowercase) {
        push_folded(&mut out, c, ' ');
    }
    out
}

/// Appends `c` (already lower case) folded to ASCII; anything that is not part
/// of a word becomes `other`.
fn push_folded(out: &mut String, c: char, other: char) {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => out.push('a'),
        'é' | 'è' | 'ê' | 'ë' => out.push('e'),
        'í' | 'ì' | 'î' | 'ï' => out.push('i'),
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => out.push('o'),
        'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
        'ý' | 'ÿ' => out.push('y'),
        'ç' => out.push('c'),
        'ñ' => out.push('n'),
        'ĳ' => out.push_str("ij"),
        'ß' => out.push_str("ss"),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        // An apostrophe belongs to the word: "auto's" is one word.
        '\'' | '’' => {}
        c if c.is_alphanumeric() => out.push(c),
        _ => out.push(other),
    }
}

/// A diminutive's ending: "-je" after most consonants ("maatje", "kopje"),
/// "-tje" after l, n, r, w ("tafeltje", "tuintje"), "-etje" after a doubled
/// consonant ("balletje"); each with a plural s.
fn strip_diminutive(w: &str) -> &str {
    let base = w.strip_suffix('s').unwrap_or(w);
    let Some(stem) = base.strip_suffix("je") else {
        return w;
    };
    if stem.len() < 3 {
        return w;
    }
    let b = stem.as_bytes();
    let n = b.len();
    if let Some(e) = stem.strip_suffix("et") {
        let eb = e.as_bytes();
        if eb.len() >= 3 && eb[eb.len() - 1] == eb[eb.len() - 2] {
            return e;
        }
    }
    if b[n - 1] == b't' && n >= 4 && b"lnrw".contains(&b[n - 2]) {
        return &stem[..n - 1];
    }
    stem
}

fn snowball() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Dutch))
}

/// The Dutch stem of one normalised word: the Snowball Dutch stemmer, with
/// diminutives taken off first ("maatjes" → "maat"; Snowball leaves them) and,
/// after it, a doubled final consonant undone ("boodschapp" → "boodschap") and a
/// final z/v spelled s/f ("lez" → "les"), so the forms of one word meet.
///
/// Repeated until nothing changes, so a stem is stable (`stem(stem(w)) ==
/// stem(w)`), whichever side — query or text — it comes from.
pub fn stem(word: &str) -> String {
    let mut w = stem_once(word);
    // Every round shortens the word or leaves it; a handful is plenty.
    for _ in 0..8 {
        let next = stem_once(&w);
        if next == w {
            break;
        }
        w = next;
    }
    w
}

fn stem_once(word: &str) -> String {
    if word.chars().count() <= 3 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return word.to_owned();
    }
    let mut w = snowball().stem(strip_diminutive(word)).into_owned();
    let b = w.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b[n - 2] && !b"aeiou".contains(&b[n - 1]) {
        w.pop();
    }
    if w.len() >= 3 {
        if w.ends_with('z') {
            w.pop();
            w.push('s');
        } else if w.ends_with('v') {
            w.pop();
            w.push('f');
        }
    }
    w
}

/// Small words that say nothing about what someone needs.
const STOPWORDS: &[&str] = &[
    "de",
    "het",
    "een",
    "en",
    "of",
    "van",
    "ik",
    "mij",
    "me",
    "mijn",
    "je",
    "jij",
    "u",
    "uw",
    "wij",
    "we",
    "ons",
    "onze",
    "zij",
    "ze",
    "hij",
    "haar",
    "hem",
    "voor",
    "met",
    "op",
    "in",
    "te",
    "is",
    "ben",
    "naar",
    "aan",
    "bij",
    "om",
    "wil",
    "graag",
    "niet",
    "geen",
    "maar",
    "die",
    "dat",
    "dit",
    "deze",
    "er",
    "hoe",
    "wat",
    "wie",
    "waar",
    "kan",
    "kun",
    "kunt",
    "heb",
    "hebt",
    "heeft",
    "zou",
    "zo",
    "ook",
    "nog",
    "al",
    "als",
    "dan",
    "door",
    "over",
    "uit",
    "tot",
    "meer",
    "veel",
    "erg",
    "heel",
    "wel",
    "eens",
    "toch",
    "zijn",
    "was",
    "word",
    "wordt",
    "worden",
    "nooit",
    "niets",
    "niks",
    "nergens",
    "zonder",
    "echt",
    "helemaal",
    "eigenlijk",
    "best",
    "zo'n",
    "zon",
    "t",
    "k",
    "m",
    "n",
    "s",
    "da",
    "ff",
    "effe",
    "even",
    "kon",
    "had",
    "hebben",
    "mee",
    "iets",
    "ander",
    "andere",
    "anderen",
    "doe",
    "doet",
    "doen",
    "kom",
    "komt",
    "komen",
    "ga",
    "gaat",
    "gaan",
    "zit",
    "zitten",
    "sinds",
    "nu",
    "net",
    "na",
    "tijd",
];

/// Words that negate the next meaningful word.
const NEGATORS: &[&str] = &[
    "niet", "geen", "nooit", "niets", "niks", "nergens", "zonder", "nie",
];

/// Words that end a negation's clause.
const CLAUSE_ENDS: &[&str] = &["maar", "want", "omdat", "doordat", "terwijl"];

/// One meaningful word of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// The word as written, normalised (lower case, no accents).
    pub word: String,
    /// Its Dutch stem.
    pub stem: String,
    /// Negated ("niet eenzaam"): it says the opposite of the word.
    pub negated: bool,
    /// Negated after "kan", "lukt", "durf" … ("ik kan niet meer koken"): the
    /// resident *cannot* do it — a need about the word, so it matches the word
    /// itself as well as a negated keyword ("niet koken").
    pub unable: bool,
    /// Said with liking, in a clause that is no wish ("ik brei heel graag",
    /// "koken kan ik goed"): something the resident could offer others.
    #[serde(default)]
    pub liked: bool,
    /// The words as the resident wrote them, from the negator on ("niet meer
    /// lopen"); the word itself when not negated. What a reason quotes.
    pub phrase: String,
}

impl Term {
    /// The key the matching compares: the stem, with a mark when negated so a
    /// negated word can only meet a negated keyword. (An inability is the
    /// stem: what the resident cannot do is what they need help with.)
    pub fn key(&self) -> String {
        if self.negated && !self.unable {
            format!("{NEGATED}{}", self.stem)
        } else {
            self.stem.clone()
        }
    }

    /// Every key the term is found by: its [`key`](Term::key), and for an
    /// inability also the negated key, so "ik kan niet meer lopen" meets both
    /// "lopen" and "niet lopen".
    pub fn keys(&self) -> Vec<String> {
        if self.unable {
            vec![self.stem.clone(), format!("{NEGATED}{}", self.stem)]
        } else {
            vec![self.key()]
        }
    }
}

/// Words before a negator that make it an inability: "ik kan niet", "het lukt
/// niet meer", "ik durf niet".
const MODALS: &[&str] = &[
    "kan", "kon", "kun", "kunt", "konden", "kunnen", "lukt", "lukte", "durf", "durft", "durfde",
];

/// The mark a negated key starts with (no stem contains it: stems are made
/// of letters and digits).
const NEGATED: char = '~';

fn is_negated_key(key: &str) -> bool {
    key.starts_with(NEGATED)
}

/// Words that, in a clause, say the resident likes doing or is good at what
/// the clause is about ("ik brei heel graag", "koken kan ik goed", "mijn
/// hobby is tuinieren"): a talent, a way to give.
const LIKING: &[&str] = &[
    "graag", "goed", "handig", "leuk", "fijn", "heerlijk", "hobby", "hobbys", "dol", "hou", "houd",
    "geniet", "genieten", "vroeger",
];

/// Words that make a clause a wish ("ik wil graag maaltijden thuis"): its
/// "graag" is no talent.
const WISHING: &[&str] = &[
    "wil", "wilt", "willen", "zou", "zouden", "hoop", "zoek", "zoekt", "mag",
];

/// The meaningful words of `text`, in order, each stemmed and marked when
/// negated. Stopwords are left out; a word may occur more than once.
pub fn analyse(text: &str) -> Vec<Term> {
    // Words, and where a clause ends (punctuation other than an apostrophe
    // or a hyphen inside a word).
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut clause_end = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        push_folded(&mut current, c, '\u{0}');
        if current.ends_with('\u{0}') {
            current.pop();
            if !current.is_empty() {
                words.push((std::mem::take(&mut current), clause_end));
                clause_end = false;
            }
            if matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | '(' | ')' | '\n' | '/'
            ) {
                clause_end = true;
            }
        }
    }
    if !current.is_empty() {
        words.push((current, clause_end));
    }
    let mut terms: Vec<Term> = Vec::new();
    // The negator waiting for its word, with the words since it, and whether
    // a modal came before it in the clause.
    let mut pending: Option<Vec<String>> = None;
    let mut modal = false;
    let mut unable = false;
    // The last negated term, which "of" may carry on to the next word.
    let mut carry: Option<usize> = None;
    let mut after_of = false;
    // Where the clause's terms start, and whether it speaks of liking or a wish.
    let mut clause_start = 0;
    let mut liking = false;
    let mut wishing = false;
    let end_clause = |terms: &mut Vec<Term>, from: usize, liking: bool| {
        if liking {
            for t in &mut terms[from..] {
                t.liked = !t.negated;
            }
        }
    };
    for (word, starts_clause) in words {
        if starts_clause || CLAUSE_ENDS.contains(&word.as_str()) {
            end_clause(&mut terms, clause_start, liking);
            clause_start = terms.len();
            (liking, wishing) = (false, false);
            pending = None;
            carry = None;
            after_of = false;
            modal = false;
        }
        if WISHING.contains(&word.as_str()) {
            wishing = true;
        }
        // A liking word counts unless it is negated ("niet goed"), and
        // "graag" unless a wish came first ("ik wil graag …").
        if LIKING.contains(&word.as_str()) && pending.is_none() && !(word == "graag" && wishing) {
            liking = true;
        }
        if MODALS.contains(&word.as_str()) {
            modal = true;
            // "… niet meer goed kan lopen": the modal after the negator.
            if pending.is_some() {
                unable = true;
            }
        }
        if NEGATORS.contains(&word.as_str()) {
            pending = Some(vec![word]);
            unable = modal;
            carry = None;
            continue;
        }
        if word == "of" && carry.is_some() {
            after_of = true;
            continue;
        }
        if STOPWORDS.contains(&word.as_str())
            || CLAUSE_ENDS.contains(&word.as_str())
            || LIKING.contains(&word.as_str())
        {
            // "niet goed lopen", "ik spreek niet goed Nederlands": not well
            // is not at all — a need, like "kan niet".
            if word == "goed" && pending.is_some() {
                unable = true;
            }
            if let Some(p) = pending.as_mut() {
                p.push(word);
            }
            continue;
        }
        let stem = stem(&word);
        if let Some(mut p) = pending.take() {
            p.push(word.clone());
            carry = Some(terms.len());
            terms.push(Term {
                word,
                stem,
                negated: true,
                unable,
                liked: false,
                phrase: p.join(" "),
            });
        } else if let (true, Some(c)) = (after_of, carry) {
            after_of = false;
            // Quoted with the first word's negation: "geen … of vrienden"
            // reads "geen vrienden".
            let negator = terms[c].phrase.split(' ').next().unwrap_or("niet");
            terms.push(Term {
                phrase: format!("{negator} {word}"),
                word,
                stem,
                negated: true,
                unable,
                liked: false,
            });
        } else {
            carry = None;
            after_of = false;
            terms.push(Term {
                phrase: word.clone(),
                word,
                stem,
                negated: false,
                unable: false,
                liked: false,
            });
        }
    }
    end_clause(&mut terms, clause_start, liking);
    terms
}

/// The keys of a text's meaningful words, in order: what a text is searched by.
pub fn tokens(input: &str) -> Vec<String> {
    analyse(input).iter().flat_map(Term::keys).collect()
}

/// Does a query key match a text key? Equal; or, whole words only, the text's
/// word is a compound ending in the query's stem (stems of three letters or
/// more: "maaltijd" in "buurtmaaltijd", "les" in "voorles") or starting with it (five or more:
/// "scootmobiel" in "scootmobielpool"). Negated keys match only when equal.
pub(crate) fn stem_matches(query: &str, text: &str) -> bool {
    if query == text {
        return true;
    }
    if is_negated_key(query) || is_negated_key(text) {
        return false;
    }
    (query.len() >= 3
        && text.ends_with(query)
        && text.len() - query.len() >= compound_first_part(query.len()))
        || (query.len() >= 5 && text.starts_with(query))
}

/// How long the first part of a compound must be before a stem of `len`
/// letters counts as its head: "voor|les", "buur|man", "buurt|maaltijd" — but
/// not "sp|rek" (spreek) for "rek" (rekening).
pub(crate) fn compound_first_part(len: usize) -> usize {
    if len <= 3 {
        4
    } else {
        3
    }
}

/// A beheerder's list of words that mean the same to a resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub key: String,
    /// The words, each one word or a short phrase ("niet lopen").
    pub words: Vec<String>,
}

/// Synonym groups, ready to expand a text's words: a word that is in a group
/// also stands for every other word of it.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Key of a word → the keys of the others in its groups, with the word shown.
    alternatives: HashMap<String, Vec<(String, String)>>,
}

impl Synonyms {
    pub fn new(groups: &[SynonymGroup]) -> Synonyms {
        let mut alternatives: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for g in groups {
            let keys: Vec<(String, String)> = g
                .words
                .iter()
                .filter_map(|w| {
                    let t = analyse(w);
                    // A group word of several meaningful words stands for its
                    // last one ("samen eten" → "eten"): the head of the phrase.
                    t.last().map(|t| (t.key(), w.trim().to_owned()))
                })
                .collect();
            for (k, _) in &keys {
                let list = alternatives.entry(k.clone()).or_default();
                for (other, shown) in &keys {
                    if other != k && !list.iter().any(|(o, _)| o == other) {
                        list.push((other.clone(), shown.clone()));
                    }
                }
            }
        }
        Synonyms { alternatives }
    }

    pub fn is_empty(&self) -> bool {
        self.alternatives.is_empty()
    }

    /// The keys a term's key also stands for, with the synonym as written.
    pub fn of(&self, key: &str) -> &[(String, String)] {
        self.alternatives.get(key).map_or(&[], Vec::as_slice)
    }
}

/// One keyword of a [`TermSet`] that a text matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    /// The keyword as the set has it ("eenzaam", "niet lopen").
    pub keyword: String,
    /// The resident's words that matched it ("niet meer lopen").
    pub written: String,
    /// The synonym that led from the written word to the keyword, if any.
    pub via_synonym: Option<String>,
}

impl TermMatch {
    /// The reason in plain Dutch, addressed with "u".
    pub fn reason(&self) -> String {
        match &self.via_synonym {
            None => format!("U schreef '{}'.", self.written),
            Some(_) => format!(
                "U schreef '{}'; dat past bij '{}'.",
                self.written, self.keyword
            ),
        }
    }
}

/// Keywords (words or short phrases) to find in texts.
#[derive(Debug, Clone, Default)]
pub struct TermSet {
    /// (keyword as given, its keys)
    keywords: Vec<(String, Vec<String>)>,
}

impl TermSet {
    pub fn new<S: AsRef<str>>(keywords: &[S]) -> TermSet {
        TermSet {
            keywords: keywords
                .iter()
                .map(|k| {
                    let k = k.as_ref().trim();
                    (k.to_owned(), tokens(k))
                })
                .filter(|(_, keys)| !keys.is_empty())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// Every keyword the analysed text matches, in the set's order. A keyword
    /// of several words matches when each of them does.
    pub fn find(&self, text: &[Term], synonyms: &Synonyms) -> Vec<TermMatch> {
        let mut out = Vec::new();
        for (keyword, keys) in &self.keywords {
            let mut written = Vec::new();
            let mut via = None;
            let all = keys.iter().all(|k| {
                for t in text {
                    if t.keys().iter().any(|own| stem_matches(k, own)) {
                        written.push(t.phrase.clone());
                        return true;
                    }
                }
                for t in text {
                    for own in t.keys() {
                        for (alt, shown) in synonyms.of(&own) {
                            if stem_matches(k, alt) {
                                written.push(t.phrase.clone());
                                via = Some(shown.clone());
                                return true;
                            }
                        }
                    }
                }
                false
            });
            if all {
                written.dedup();
                out.push(TermMatch {
                    keyword: keyword.clone(),
                    written: written.join(" "),
                    via_synonym: via,
                });
            }
        }
        out
    }
}

/// The keys an index must look up for a [`Matcher`]: keys equal to one of
/// `exact`, starting with one of `prefixes`, or ending in one of `suffixes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLookups {
    pub exact: Vec<String>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
}

impl KeyLookups {
    /// Is `key` among what is looked up?
    pub fn covers(&self, key: &str) -> bool {
        self.exact.iter().any(|e| e == key)
            || self.prefixes.iter().any(|p| key.starts_with(p.as_str()))
            || self.suffixes.iter().any(|s| key.ends_with(s.as_str()))
    }
}

/// A parsed query: the words a person typed, each with the keys it stands for
/// (its own, then its synonyms'). Shaped for searching many texts' keys.
///
/// A word's own keys match whole words and compounds ([`stem_matches`]); a
/// synonym matches only the same word: "alleen" stands for "maatje", but not
/// for the "mantelzorgmaatje" (a maatje for carers).
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    terms: Vec<QueryTerm>,
}

#[derive(Debug, Clone)]
struct QueryTerm {
    /// The words as typed, shown in a reason.
    word: String,
    /// Own keys first, then the synonyms' keys.
    keys: Vec<String>,
    /// How many of `keys` are the word's own.
    own: usize,
}

impl QueryTerm {
    fn own(&self) -> &[String] {
        &self.keys[..self.own]
    }
    fn synonyms(&self) -> &[String] {
        &self.keys[self.own..]
    }
    fn matches(&self, text_keys: &[String]) -> bool {
        self.own()
            .iter()
            .any(|q| text_keys.iter().any(|t| stem_matches(q, t)))
            || self.synonyms().iter().any(|q| text_keys.contains(q))
    }
    fn first_key(&self) -> &str {
        &self.keys[0]
    }
}

impl Matcher {
    pub fn new(query: &str) -> Matcher {
        Matcher::with_synonyms(query, &Synonyms::default())
    }

    /// The query's terms, each also standing for its synonyms.
    pub fn with_synonyms(query: &str, synonyms: &Synonyms) -> Matcher {
        Matcher::of_terms(analyse(query), synonyms)
    }

    /// The words of `query` said with liking ("ik brei heel graag"), each
    /// also standing for its synonyms: the resident's talents.
    pub fn talents(query: &str, synonyms: &Synonyms) -> Matcher {
        Matcher::of_terms(analyse(query).into_iter().filter(|t| t.liked), synonyms)
    }

    fn of_terms(list: impl IntoIterator<Item = Term>, synonyms: &Synonyms) -> Matcher {
        let mut terms: Vec<QueryTerm> = Vec::new();
        for t in list {
            let own = t.keys();
            if terms.iter().any(|x| x.first_key() == own[0]) {
                continue;
            }
            let mut keys = own.clone();
            for k in &own {
                for (alt, _) in synonyms.of(k) {
                    if !keys.contains(alt) {
                        keys.push(alt.clone());
                    }
                }
            }
            terms.push(QueryTerm {
                word: t.phrase,
                keys,
                own: own.len(),
            });
        }
        Matcher { terms }
    }

    /// Keywords as a beheerder lists them, each analysed on its own (so "niet
    /// lopen" stays one negated term), without synonyms.
    pub fn keywords<S: AsRef<str>>(list: &[S]) -> Matcher {
        let mut terms: Vec<QueryTerm> = Vec::new();
        for k in list {
            for t in analyse(k.as_ref()) {
                let keys = t.keys();
                if !terms.iter().any(|x| x.first_key() == keys[0]) {
                    terms.push(QueryTerm {
                        word: t.phrase,
                        own: keys.len(),
                        keys,
                    });
                }
            }
        }
        Matcher { terms }
    }

    /// The same query without its negated words: what is looked up on the
    /// map ("niet eenzaam" finds nothing there).
    pub fn positive(&self) -> Matcher {
        Matcher {
            terms: self
                .terms
                .iter()
                .filter(|t| !is_negated_key(t.first_key()))
                .map(|t| {
                    let own = t.own().iter().filter(|k| !is_negated_key(k)).count();
                    QueryTerm {
                        word: t.word.clone(),
                        keys: t
                            .keys
                            .iter()
                            .filter(|k| !is_negated_key(k))
                            .cloned()
                            .collect(),
                        own,
                    }
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The typed words (normalised), each with its own keys (matched as
    /// whole words and compounds) and its synonyms' keys (matched exactly).
    pub fn terms(&self) -> impl Iterator<Item = (&str, &[String], &[String])> {
        self.terms
            .iter()
            .map(|t| (t.word.as_str(), t.own(), t.synonyms()))
    }

    /// Every key the query stands for, synonyms included: the query as a text.
    pub fn keys(&self) -> Vec<String> {
        self.terms
            .iter()
            .flat_map(|t| t.keys.iter().cloned())
            .collect()
    }

    /// The typed words (normalised) that occur in the text's keys.
    pub fn matched<'a>(&'a self, text_keys: &[String]) -> Vec<&'a str> {
        self.terms
            .iter()
            .filter(|t| t.matches(text_keys))
            .map(|t| t.word.as_str())
            .collect()
    }

    /// The query terms (by position in [`terms`](Matcher::terms)) that one
    /// key of a text matches. A term matches a text when one of the text's
    /// keys matches it, so a text's matched terms are the union over its keys:
    /// what an index of keys needs to find the texts a query matches.
    pub fn terms_matched_by(&self, text_key: &str) -> Vec<usize> {
        let one = [text_key.to_owned()];
        self.terms
            .iter()
            .enumerate()
            .filter(|(_, t)| t.matches(&one))
            .map(|(i, _)| i)
            .collect()
    }

    /// Where an index of keys must look for the keys this query may match: a
    /// superset, to be narrowed with [`terms_matched_by`](Matcher::terms_matched_by).
    pub fn lookups(&self) -> KeyLookups {
        let mut l = KeyLookups::default();
        for t in &self.terms {
            for q in t.own() {
                l.exact.push(q.clone());
                if is_negated_key(q) {
                    continue;
                }
                if q.len() >= 5 {
                    l.prefixes.push(q.clone());
                }
                if q.len() >= 3 {
                    l.suffixes.push(q.clone());
                }
            }
            l.exact.extend(t.synonyms().iter().cloned());
        }
        l.exact.sort();
        l.exact.dedup();
        l
    }

    /// Does every typed word occur in the text? (The map's search: all words.)
    pub fn matches_all(&self, text_keys: &[String]) -> bool {
        self.terms.iter().all(|t| t.matches(text_keys))
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn finds(query: &str, text: &str) -> bool {
        !Matcher::new(query).matched(&tokens(text)).is_empty()
    }

    #[test]
    fn matching_ignores_case() {
        assert!(finds("SCOOTMOBIEL", "Scootmobiel via de Wmo"));
    }

    #[test]
    fn matching_ignores_diacritics() {
        assert!(finds("financien", "Hulp bij financiën"));
        assert!(finds("café", "Het buurtcafe is open"));
        assert_eq!(normalize("Ĳsbaan Zoë"), "ijsbaan zoe");
    }

    #[test]
    fn plural_finds_singular_and_back() {
        assert!(finds("maaltijden", "Een warme maaltijd"));
        assert!(finds("maaltijd", "Maaltijden aan huis"));
        assert!(finds("boodschappen", "Hulp bij de boodschap"));
        assert!(finds("buren", "Vraag uw buurman of buur"));
    }

    #[test]
    fn verb_forms_and_compounds_match() {
        assert!(finds("lezen", "Voorlezen op de basisschool"));
        assert!(finds("lees", "Voorlezen op de basisschool"));
        assert!(finds("koken", "Samen kook je een maaltijd"));
        assert!(finds("maaltijd", "De buurtmaaltijd in het buurthuis"));
        assert!(finds("eenzaamheid", "Voor wie zich eenzaam voelt"));
    }

    #[test]
    fn diminutives_match_their_word() {
        assert!(finds("boekjes", "Boeken lenen"));
        assert!(finds("kopje", "Een kop koffie"));
    }

    #[test]
    fn the_forms_of_one_word_meet_in_one_stem() {
        for (a, b) in [
            ("eenzaam", "eenzaamheid"),
            ("eenzaam", "eenzame"),
            ("boodschap", "boodschappen"),
            ("maatje", "maatjes"),
            ("maaltijd", "maaltijden"),
            ("lezen", "lees"),
            ("breien", "brei"),
            ("schuld", "schulden"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
    }

    #[test]
    fn a_word_is_matched_whole_not_as_the_start_of_another() {
        // "mijn man is overleden" must not reach the carer services.
        assert!(!finds("man", "Mantelzorgmaatje voor mantelzorgers"));
        assert!(!finds("mijn man is overleden", "Mantelzorgconsulent"));
        // The head of a compound is at its end: a buurtmaaltijd is a maaltijd.
        assert!(finds("maaltijd", "De buurtmaaltijd"));
        assert!(finds("scootmobiel", "Scootmobielpool in de wijk"));
    }

    #[test]
    fn a_negated_word_does_not_match_the_word() {
        assert!(!finds("ik ben niet eenzaam", "Voor wie zich eenzaam voelt"));
        assert!(!finds("nooit eenzaam hoor", "eenzaamheid"));
        assert!(!finds("ik ben niet echt eenzaam", "eenzaam"));
        assert!(!finds("geen familie of vrienden", "familie"));
        assert!(!finds("geen familie of vrienden", "vrienden"));
        // The negation ends with its clause.
        assert!(finds("niet ziek, maar wel eenzaam", "eenzaam"));
        assert!(finds("ik ben niet ziek. eenzaam wel", "eenzaam"));
        // A keyword that is negated itself finds the negated word.
        assert!(finds("ik heb geen geld", "geen geld"));
        assert!(!finds("ik heb geld genoeg", "geen geld"));
    }

    #[test]
    fn not_being_able_to_is_a_need_and_a_limitation() {
        let t = analyse("Ik kan niet meer lopen sinds de val");
        assert!(t[0].negated && t[0].unable, "{t:?}");
        assert_eq!(t[0].phrase, "niet meer lopen");
        // Found by "lopen" (the need) and by "niet lopen" (the limitation).
        assert!(finds("Ik kan niet meer lopen", "lopen"));
        assert!(finds("Ik kan niet meer lopen", "niet lopen"));
        assert!(finds("het koken lukt niet meer", "koken"));
        // Without a modal a negation says the opposite.
        assert!(!finds("ik loop niet graag", "niet lopen") || finds("ik loop niet graag", "lopen"));
    }

    #[test]
    fn analyse_gives_stems_negation_and_the_words_as_written() {
        let t = analyse("Ik ben niet eenzaam, maar mis mijn maatjes!");
        let got: Vec<(&str, &str, bool)> = t
            .iter()
            .map(|t| (t.word.as_str(), t.stem.as_str(), t.negated))
            .collect();
        assert_eq!(
            got,
            vec![
                ("eenzaam", "eenzam", true),
                ("mis", "mis", false),
                ("maatjes", "mat", false)
            ]
        );
        assert_eq!(t[0].phrase, "niet eenzaam");
    }

    #[test]
    fn synonyms_find_what_the_resident_means() {
        let syn = Synonyms::new(&[SynonymGroup {
            key: "eenzaam".into(),
            words: vec!["eenzaam".into(), "alleen".into(), "maatje".into()],
        }]);
        let m = Matcher::with_synonyms("ik voel me eenzaam", &syn);
        assert_eq!(
            m.matched(&tokens("Maatje voor een oudere")),
            vec!["eenzaam"]
        );
        let set = TermSet::new(&["maatje", "koken"]);
        let found = set.find(&analyse("zo eenzaam sinds mn vrouw er niet meer is"), &syn);
        assert_eq!(
            found,
            vec![TermMatch {
                keyword: "maatje".into(),
                written: "eenzaam".into(),
                via_synonym: Some("maatje".into()),
            }]
        );
        assert_eq!(
            found[0].reason(),
            "U schreef 'eenzaam'; dat past bij 'maatje'."
        );
        // A negated word gets no synonyms of the positive word.
        assert!(set.find(&analyse("ik ben niet eenzaam"), &syn).is_empty());
    }

    #[test]
    fn a_term_set_quotes_the_residents_own_words() {
        let set = TermSet::new(&["niet lopen", "breien"]);
        let found = set.find(
            &analyse("kan nie meer lopen, brei wel graag"),
            &Synonyms::default(),
        );
        let reasons: Vec<String> = found.iter().map(TermMatch::reason).collect();
        assert_eq!(
            reasons,
            vec!["U schreef 'nie meer lopen'.", "U schreef 'brei'."]
        );
    }

    #[test]
    fn stopwords_and_unrelated_words_do_not_match() {
        assert!(!finds("de het een", "De maaltijd in het buurthuis"));
        assert!(!finds("scootmobiel", "Voorlezen op de basisschool"));
        assert!(Matcher::new("ik wil graag").is_empty());
    }

    #[test]
    fn search_needs_every_word() {
        let m = Matcher::new("maaltijd buurthuis");
        assert!(m.matches_all(&tokens("Buurtmaaltijd in het buurthuis De Brug")));
        assert!(!m.matches_all(&tokens("Maaltijdservice aan huis")));
    }

    /// Words, compounds of them and negations, for the index property.
    const INDEX_WORDS: &[&str] = &[
        "maaltijd",
        "buurtmaaltijd",
        "kok",
        "buurtkok",
        "scootmobiel",
        "scootmobielpool",
        "man",
        "buurman",
        "mantelzorg",
        "lamp",
        "lampen",
        "les",
        "voorles",
        "niet",
        "geen",
        "koken",
        "rekening",
        "spreek",
        "boodschappen",
        "tuin",
        "tuinieren",
        ",",
    ];

    proptest! {
        /// An index of keys finds a text exactly when the matcher does: a
        /// text's matched terms are the union of what each of its keys
        /// matches, and every key that matches is among the lookups.
        #[test]
        fn an_index_of_keys_finds_what_the_matcher_finds(
            query in proptest::collection::vec(proptest::sample::select(INDEX_WORDS), 0..6),
            text in proptest::collection::vec(proptest::sample::select(INDEX_WORDS), 0..10),
            noise in "[a-z ]{0,30}",
            neg in proptest::bool::ANY,
        ) {
            let query = query.join(" ");
            let query = if neg { format!("ik kan niet {query}") } else { query };
            let text = format!("{} {noise}", text.join(" "));
            let m = Matcher::new(&query);
            let keys = tokens(&text);
            let direct: Vec<&str> = m.matched(&keys);
            let mut via_index: Vec<usize> = keys.iter().flat_map(|k| m.terms_matched_by(k)).collect();
            via_index.sort_unstable();
            via_index.dedup();
            let words: Vec<&str> = m.terms().map(|(w, _, _)| w).collect();
            let via_index: Vec<&str> = via_index.into_iter().map(|i| words[i]).collect();
            prop_assert_eq!(direct, via_index);
            let lookups = m.lookups();
            for k in &keys {
                if !m.terms_matched_by(k).is_empty() {
                    prop_assert!(lookups.covers(k), "{} not looked up in {:?}", k, lookups);
                }
            }
        }

        #[test]
        fn stemming_is_idempotent_on_its_own_output(w in "[a-z]{1,14}") {
            // A stem is stable: stemming it again changes nothing.
            let once = stem(&w);
            prop_assert_eq!(stem(&once), once);
        }

        #[test]
        fn a_text_always_matches_itself(s in "[A-Za-zéëïöü ]{1,40}") {
            let m = Matcher::new(&s);
            prop_assert!(m.matches_all(&tokens(&s)));
        }

        #[test]
        fn case_never_changes_a_match(s in "[a-zA-Zéë]{4,12}", t in "[a-z ]{0,30}") {
            let text = format!("{t} {s}");
            prop_assert_eq!(finds(&s.to_uppercase(), &text), finds(&s.to_lowercase(), &text));
        }
    }
}

//! Dutch-aware free-text matching: what a resident types ("maaltijden",
//! "Scootmobiel", "financiën") finds what a service says ("maaltijd",
//! "scootmobielen", "Financien").
//!
//! Both sides go through the same [`normalize`] (lower case, diacritics folded,
//! punctuation to spaces) and [`stem`] (a small Dutch stemmer: diminutives,
//! plurals, *-ing*, *-heid*, doubled consonants, final *z/v*, doubled vowels). The
//! stemmer does not have to be linguistically right, only consistent, because it
//! is applied to the query and the text alike.

/// Lower case, diacritics folded to ASCII (é → e, ë → e, ĳ → ij), everything that
/// is not a letter or digit turned into a space.
pub fn normalize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().flat_map(char::to_lowercase) {
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
            _ => out.push(' '),
        }
    }
    out
}

const DIMINUTIVES: &[&str] = &["etjes", "etje", "tjes", "tje", "pjes", "pje", "jes", "je"];
/// Plural "-s" is only taken off after -el, -er, -em ("tafels", "kappers"):
/// elsewhere a final s is usually the word's own ("huis", "lees", "mens").
const ENDINGS: &[&str] = &[
    "ingen", "ing", "heden", "heid", "en", "els", "ers", "ems", "e",
];

/// A consistent Dutch stem of one normalised word.
///
/// One round of [`stem_once`] can leave a word that another round would shorten
/// again ("allee" → "alle" → "al"), so the rounds repeat until nothing changes:
/// a stem is then stable (`stem(stem(w)) == stem(w)`), whichever side — query or
/// text — it comes from. Every round either shortens the word or only swaps a
/// final z/v for s/f, so this ends.
pub fn stem(word: &str) -> String {
    let mut w = stem_once(word);
    loop {
        let next = stem_once(&w);
        if next == w {
            return w;
        }
        w = next;
    }
}

fn stem_once(word: &str) -> String {
    let mut w = word.to_owned();
    if w.chars().count() <= 3 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return w;
    }
    let strip = |w: &mut String, suffixes: &[&str]| {
        for s in suffixes {
            if w.len() >= s.len() + 3 && w.ends_with(s) {
                w.truncate(w.len() - s.len());
                return;
            }
        }
    };
    strip(&mut w, DIMINUTIVES);
    strip(&mut w, ENDINGS);
    // Put back what "els"/"ers"/"ems" took too much: only the s goes.
    if word.ends_with("els") || word.ends_with("ers") || word.ends_with("ems") {
        if let Some(stripped) = word.strip_suffix('s') {
            if w.len() + 2 == stripped.len() {
                w = stripped.to_owned();
            }
        }
    }
    // "heid" after a plural: "eenzaamheden" → "eenzaam" is covered by "heden".
    let bytes = w.as_bytes();
    let n = bytes.len();
    if n >= 2 && bytes[n - 1] == bytes[n - 2] && !b"aeiou".contains(&bytes[n - 1]) {
        w.pop();
    }
    if w.ends_with('z') {
        w.pop();
        w.push('s');
    } else if w.ends_with('v') {
        w.pop();
        w.push('f');
    }
    for (double, single) in [("aa", "a"), ("ee", "e"), ("oo", "o"), ("uu", "u")] {
        while w.contains(double) {
            w = w.replace(double, single);
        }
    }
    w
}

/// Small words that say nothing about what someone needs.
const STOPWORDS: &[&str] = &[
    "de", "het", "een", "en", "of", "van", "ik", "mij", "me", "mijn", "je", "jij", "u", "uw",
    "wij", "we", "ons", "onze", "zij", "ze", "hij", "haar", "hem", "voor", "met", "op", "in", "te",
    "is", "ben", "naar", "aan", "bij", "om", "wil", "graag", "niet", "geen", "maar", "die", "dat",
    "dit", "deze", "er", "hoe", "wat", "wie", "waar", "kan", "kun", "kunt", "heb", "hebt", "heeft",
    "zou", "zo", "ook", "nog", "al", "als", "dan", "door", "over", "uit", "tot", "meer", "veel",
    "erg", "heel", "wel", "eens", "toch", "zijn", "was", "word", "wordt", "worden",
];

/// The stems of a text's meaningful words, in order.
pub fn tokens(input: &str) -> Vec<String> {
    normalize(input)
        .split_whitespace()
        .filter(|w| !STOPWORDS.contains(w))
        .map(stem)
        .collect()
}

/// Does a query stem match a text stem? Exact; or, for stems of four or more
/// characters, contained in the text's word (Dutch compounds: "maaltijd" in
/// "buurtmaaltijd"); a three-letter stem matches the start or end of a word
/// ("les" in "voorles").
pub(crate) fn stem_matches(query: &str, text: &str) -> bool {
    if query == text {
        return true;
    }
    match query.len() {
        0..=2 => false,
        3 => text.starts_with(query) || text.ends_with(query),
        _ => text.contains(query),
    }
}

/// A parsed query: the words a person typed, each with its stem.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    terms: Vec<(String, String)>,
}

impl Matcher {
    pub fn new(query: &str) -> Matcher {
        let mut terms: Vec<(String, String)> = Vec::new();
        for w in normalize(query).split_whitespace() {
            if STOPWORDS.contains(&w) {
                continue;
            }
            let s = stem(w);
            if !terms.iter().any(|(_, t)| *t == s) {
                terms.push((w.to_owned(), s));
            }
        }
        Matcher { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The typed words (normalised), each with its stem.
    pub fn terms(&self) -> impl Iterator<Item = (&str, &str)> {
        self.terms.iter().map(|(w, s)| (w.as_str(), s.as_str()))
    }

    /// The typed words (normalised) that occur in the text's stems.
    pub fn matched<'a>(&'a self, text_stems: &[String]) -> Vec<&'a str> {
        self.terms
            .iter()
            .filter(|(_, q)| text_stems.iter().any(|t| stem_matches(q, t)))
            .map(|(w, _)| w.as_str())
            .collect()
    }

    /// Does every typed word occur in the text? (The map's search: all words.)
    pub fn matches_all(&self, text_stems: &[String]) -> bool {
        self.terms
            .iter()
            .all(|(_, q)| text_stems.iter().any(|t| stem_matches(q, t)))
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
    fn a_stem_is_stable_even_when_one_round_leaves_an_ending() {
        // One round takes "allee" to "alle", a second to "al".
        assert_eq!(stem("allee"), "al");
        assert_eq!(stem(&stem("allee")), stem("allee"));
        assert_eq!(stem("abfee"), stem(&stem("abfee")));
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

    proptest! {
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

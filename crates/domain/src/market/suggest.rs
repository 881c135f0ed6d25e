//! Suggestions: for an ask, the offers that fit (and for an offer, the asks),
//! each with why it fits — the same category, words the two texts share (the
//! wijzer's Dutch text analysis, [`crate::kaart::text`]), the same or a
//! neighbouring district, and the time.
//!
//! The text side calls only [`Matcher`] and [`tokens`], so improvements to the
//! wijzer's analysis (stemming, negation) reach the marketplace unchanged.

use super::listing::{Area, Direction, PartOfDay};
use crate::kaart::text::{tokens, Matcher};
use crate::DistrictCode;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Which districts border each other (kept in beheer; symmetric).
#[derive(Debug, Clone, Default)]
pub struct Neighbours {
    pairs: BTreeSet<(String, String)>,
}

impl Neighbours {
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a DistrictCode, &'a DistrictCode)>) -> Self {
        let mut set = BTreeSet::new();
        for (a, b) in pairs {
            set.insert((a.as_str().to_owned(), b.as_str().to_owned()));
            set.insert((b.as_str().to_owned(), a.as_str().to_owned()));
        }
        Neighbours { pairs: set }
    }

    pub fn adjacent(&self, a: &DistrictCode, b: &DistrictCode) -> bool {
        self.pairs
            .contains(&(a.as_str().to_owned(), b.as_str().to_owned()))
    }
}

/// One listing as suggestions see it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub participant_id: i64,
    pub direction: Direction,
    pub category: String,
    /// The stems of title and text ([`Candidate::stems_of`]).
    pub stems: Vec<String>,
    pub area: Area,
    pub date: Option<NaiveDate>,
    pub part_of_day: PartOfDay,
}

impl Candidate {
    /// The stems a listing's title and text give (the wijzer's [`tokens`]).
    pub fn stems_of(title: &str, text: &str) -> Vec<String> {
        let mut stems = tokens(title);
        stems.extend(tokens(text));
        stems
    }

    /// The distinct keys a listing is indexed by: a query matches the listing
    /// exactly when it matches one of these ([`Matcher::terms_matched_by`]).
    pub fn index_keys(title: &str, text: &str) -> Vec<String> {
        let mut keys = Candidate::stems_of(title, text);
        keys.sort();
        keys.dedup();
        keys
    }
}

/// How much each reason weighs. The store ranks candidates in SQL with the
/// same numbers, so they live here once.
pub mod weights {
    pub const CATEGORY: u32 = 40;
    /// Per shared word, up to [`MAX_WORDS`] words.
    pub const WORD: u32 = 15;
    pub const MAX_WORDS: u32 = 4;
    pub const SAME_DISTRICT: u32 = 20;
    pub const NEIGHBOURING_DISTRICT: u32 = 10;
    pub const WHOLE_TOWN: u32 = 5;
    pub const SAME_DAY: u32 = 10;
    pub const SAME_PART_OF_DAY: u32 = 5;
}

/// Why a suggestion fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Category(String),
    Words(Vec<String>),
    SameDistrict,
    NeighbouringDistrict,
    WholeTown,
    SameDay(NaiveDate),
    SamePartOfDay(PartOfDay),
}

impl Reason {
    /// The Dutch sentence shown beside the suggestion.
    pub fn label(&self) -> String {
        match self {
            Reason::Category(c) => format!("zelfde soort hulp: {c}"),
            Reason::Words(w) => format!("zelfde woorden: {}", w.join(", ")),
            Reason::SameDistrict => "in dezelfde wijk".to_owned(),
            Reason::NeighbouringDistrict => "in een wijk ernaast".to_owned(),
            Reason::WholeTown => "voor de hele stad".to_owned(),
            Reason::SameDay(d) => format!("op dezelfde dag ({})", d.format("%d-%m-%Y")),
            Reason::SamePartOfDay(p) => format!("zelfde dagdeel: {}", p.label().to_lowercase()),
        }
    }

    /// What the reason adds to a suggestion's score ([`weights`]).
    pub fn weight(&self) -> u32 {
        match self {
            Reason::Category(_) => weights::CATEGORY,
            Reason::Words(w) => weights::WORD * w.len().min(weights::MAX_WORDS as usize) as u32,
            Reason::SameDistrict => weights::SAME_DISTRICT,
            Reason::NeighbouringDistrict => weights::NEIGHBOURING_DISTRICT,
            Reason::WholeTown => weights::WHOLE_TOWN,
            Reason::SameDay(_) => weights::SAME_DAY,
            Reason::SamePartOfDay(_) => weights::SAME_PART_OF_DAY,
        }
    }
}

/// A candidate that fits, its score and the reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub id: i64,
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// Why `candidate` fits `listing` — `None` when it is of the same direction or
/// the same participant, or fits on neither category nor words (place and time
/// alone are not a reason to meet).
pub fn fit(
    listing: &Candidate,
    matcher: &Matcher,
    candidate: &Candidate,
    neighbours: &Neighbours,
) -> Option<Fit> {
    if candidate.direction != listing.direction.opposite()
        || candidate.participant_id == listing.participant_id
    {
        return None;
    }
    let mut reasons = Vec::new();
    if candidate.category == listing.category {
        reasons.push(Reason::Category(candidate.category.clone()));
    }
    let words: Vec<String> = matcher
        .matched(&candidate.stems)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !words.is_empty() {
        reasons.push(Reason::Words(words));
    }
    if reasons.is_empty() {
        return None;
    }
    match (&listing.area, &candidate.area) {
        (Area::District(a), Area::District(b)) if a == b => reasons.push(Reason::SameDistrict),
        (Area::District(a), Area::District(b)) if neighbours.adjacent(a, b) => {
            reasons.push(Reason::NeighbouringDistrict)
        }
        (Area::District(_), Area::District(_)) => {}
        _ => reasons.push(Reason::WholeTown),
    }
    if let (Some(a), Some(b)) = (listing.date, candidate.date) {
        if a == b {
            reasons.push(Reason::SameDay(a));
        }
    }
    if listing.part_of_day == candidate.part_of_day && listing.part_of_day != PartOfDay::Flexible {
        reasons.push(Reason::SamePartOfDay(listing.part_of_day));
    }
    let score = reasons.iter().map(Reason::weight).sum();
    Some(Fit {
        id: candidate.id,
        score,
        reasons,
    })
}

/// The `limit` best fits for `listing` among `candidates`, best first (ties:
/// the newest listing, i.e. the highest id, first).
pub fn suggest<'a>(
    listing: &Candidate,
    query_text: &str,
    candidates: impl IntoIterator<Item = &'a Candidate>,
    neighbours: &Neighbours,
    limit: usize,
) -> Vec<Fit> {
    let matcher = Matcher::new(query_text);
    let mut fits: Vec<Fit> = candidates
        .into_iter()
        .filter_map(|c| fit(listing, &matcher, c, neighbours))
        .collect();
    fits.sort_by(|a, b| b.score.cmp(&a.score).then(b.id.cmp(&a.id)));
    fits.truncate(limit);
    fits
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wk(n: u8) -> DistrictCode {
        DistrictCode::parse(&format!("WK9999{n:02}")).unwrap()
    }

    fn cand(
        id: i64,
        who: i64,
        direction: Direction,
        category: &str,
        text: &str,
        area: Area,
    ) -> Candidate {
        Candidate {
            id,
            participant_id: who,
            direction,
            category: category.into(),
            stems: Candidate::stems_of(text, ""),
            area,
            date: None,
            part_of_day: PartOfDay::Flexible,
        }
    }

    #[test]
    fn an_offer_of_shopping_fits_an_urgent_shopping_ask_and_says_why() {
        let ask = cand(
            1,
            10,
            Direction::Ask,
            "Boodschappen",
            "Boodschappen doen, ik ben ziek",
            Area::District(wk(1)),
        );
        let offers = [
            cand(
                2,
                11,
                Direction::Offer,
                "Boodschappen",
                "Ik doe graag boodschappen voor buren",
                Area::District(wk(2)),
            ),
            cand(
                3,
                12,
                Direction::Offer,
                "Tuin",
                "Tuinieren en snoeien",
                Area::District(wk(1)),
            ),
            cand(
                4,
                13,
                Direction::Ask,
                "Boodschappen",
                "Boodschappen",
                Area::District(wk(1)),
            ),
        ];
        let neighbours = Neighbours::new([(&wk(1), &wk(2))]);
        let fits = suggest(
            &ask,
            "Boodschappen doen, ik ben ziek",
            &offers,
            &neighbours,
            10,
        );
        assert_eq!(fits.len(), 1, "{fits:?}");
        let labels: Vec<String> = fits[0].reasons.iter().map(Reason::label).collect();
        assert_eq!(
            labels,
            vec![
                "zelfde soort hulp: Boodschappen",
                "zelfde woorden: boodschappen",
                "in een wijk ernaast"
            ]
        );
    }

    #[test]
    fn words_alone_fit_across_categories() {
        let ask = cand(
            1,
            10,
            Direction::Ask,
            "Klusje in huis",
            "lamp ophangen",
            Area::WholeTown,
        );
        let offer = cand(
            2,
            11,
            Direction::Offer,
            "Technologie",
            "Ik hang lampen op",
            Area::WholeTown,
        );
        let fits = suggest(&ask, "lamp ophangen", [&offer], &Neighbours::default(), 5);
        assert_eq!(fits.len(), 1);
        assert!(matches!(&fits[0].reasons[0], Reason::Words(w) if w == &vec!["lamp".to_owned()]));
    }

    proptest! {
        #[test]
        fn a_suggestion_is_never_of_the_same_direction_or_person(
            specs in proptest::collection::vec((0i64..4, any::<bool>(), 0usize..3), 0..30)
        ) {
            let cats = ["Koken", "Tuin", "Boodschappen"];
            let ask = cand(0, 0, Direction::Ask, "Koken", "koken maaltijd", Area::WholeTown);
            let candidates: Vec<Candidate> = specs.iter().enumerate().map(|(i, (who, offer, cat))| {
                let dir = if *offer { Direction::Offer } else { Direction::Ask };
                cand(i as i64 + 1, *who, dir, cats[*cat], "maaltijd koken", Area::WholeTown)
            }).collect();
            let fits = suggest(&ask, "koken maaltijd", &candidates, &Neighbours::default(), 100);
            for f in &fits {
                let c = &candidates[(f.id - 1) as usize];
                prop_assert_eq!(c.direction, Direction::Offer);
                prop_assert_ne!(c.participant_id, 0);
                prop_assert!(!f.reasons.is_empty());
            }
            for pair in fits.windows(2) {
                prop_assert!(pair[0].score >= pair[1].score);
            }
        }
    }
}

//! Asks and offers.

use crate::coded::coded_enum;
use crate::text::check_text;
use crate::DistrictCode;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    #[error("unknown direction '{0}': vraag or aanbod")]
    Direction(String),
    #[error("unknown recurrence '{0}': eenmalig or terugkerend")]
    Recurrence(String),
    #[error("unknown part of the day '{0}': ochtend, middag, avond or flexibel")]
    PartOfDay(String),
    #[error("a category name has 2 to 60 characters")]
    CategoryName,
    #[error("a title has 3 to 100 characters")]
    Title,
    #[error("a description has at most 2000 characters")]
    Text,
    #[error("a group listing has room for 2 to 500 people")]
    GroupSize,
    #[error("only an ask can be urgent")]
    UrgentOffer,
    #[error("an urgent ask is for one person, not a group")]
    UrgentGroup,
    #[error("the date lies before the day it is posted")]
    DateInPast,
    #[error("this listing is {0} and takes no new matches")]
    NotOpen(&'static str),
    #[error("this listing is full: every place is taken")]
    Full,
}

coded_enum!(
    /// An ask (vraag) or an offer (aanbod).
    Direction, ListingError::Direction, {
    Ask => ("vraag", "Vraag"),
    Offer => ("aanbod", "Aanbod"),
});

impl Direction {
    /// The direction a listing's suggestions come from.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Ask => Direction::Offer,
            Direction::Offer => Direction::Ask,
        }
    }
}

coded_enum!(
    /// Once, or again and again.
    Recurrence, ListingError::Recurrence, {
    Once => ("eenmalig", "Eenmalig"),
    Recurring => ("terugkerend", "Terugkerend"),
});

coded_enum!(
    /// When in the day.
    PartOfDay, ListingError::PartOfDay, {
    Morning => ("ochtend", "Ochtend"),
    Afternoon => ("middag", "Middag"),
    Evening => ("avond", "Avond"),
    Flexible => ("flexibel", "Flexibel"),
});

/// A category's name (koken, boodschappen, …); the list itself is kept in
/// beheer, these are the ones a new installation starts with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryName(String);

impl CategoryName {
    pub const DEFAULTS: [&'static str; 12] = [
        "Koken",
        "Gezelschap",
        "Hond uitlaten",
        "Lift naar de dokter",
        "Klusje in huis",
        "Tuin",
        "Boodschappen",
        "Administratie",
        "Technologie",
        "Voorlezen",
        "Huiswerk en taal",
        "Samen activiteit",
    ];

    pub fn parse(input: &str) -> Result<CategoryName, ListingError> {
        let t = input.trim();
        let n = t.chars().count();
        if !(2..=60).contains(&n) || check_text(t).is_err() || t.contains(['\n', '\r']) {
            return Err(ListingError::CategoryName);
        }
        Ok(CategoryName(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A listing's one-line title: 3–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingTitle(String);

impl ListingTitle {
    pub fn parse(input: &str) -> Result<ListingTitle, ListingError> {
        let t = input.trim();
        let n = t.chars().count();
        if !(3..=100).contains(&n) || check_text(t).is_err() || t.contains(['\n', '\r']) {
            return Err(ListingError::Title);
        }
        Ok(ListingTitle(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A listing's free text: at most 2000 characters (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingText(String);

impl ListingText {
    pub fn parse(input: &str) -> Result<ListingText, ListingError> {
        let t = input.trim();
        if t.chars().count() > 2000 || check_text(t).is_err() {
            return Err(ListingError::Text);
        }
        Ok(ListingText(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where: one district, or the whole town.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Area {
    District(DistrictCode),
    WholeTown,
}

impl Area {
    /// Stored as the district code, or NULL for the whole town.
    pub fn district(&self) -> Option<&DistrictCode> {
        match self {
            Area::District(d) => Some(d),
            Area::WholeTown => None,
        }
    }
}

/// How many people a group listing has room for (2–500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupSize(u16);

impl GroupSize {
    pub fn new(n: u16) -> Result<GroupSize, ListingError> {
        if (2..=500).contains(&n) {
            Ok(GroupSize(n))
        } else {
            Err(ListingError::GroupSize)
        }
    }
    pub fn get(self) -> u16 {
        self.0
    }
}

/// Where a listing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingState {
    /// Takes matches.
    Open,
    /// Every place taken (one for a normal listing, the group's size for a group).
    Full,
    /// Closed by its participant or the makelaar, or after its date.
    Closed,
    /// Hidden by a makelaar (moderation).
    Hidden,
}

impl ListingState {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingState::Open => "open",
            ListingState::Full => "vol",
            ListingState::Closed => "gesloten",
            ListingState::Hidden => "verborgen",
        }
    }

    pub fn parse(code: &str) -> Option<ListingState> {
        [
            ListingState::Open,
            ListingState::Full,
            ListingState::Closed,
            ListingState::Hidden,
        ]
        .into_iter()
        .find(|s| s.as_str() == code)
    }
}

/// An ask or offer, as posted. Constructed only through [`Listing::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    direction: Direction,
    category: CategoryName,
    title: ListingTitle,
    text: ListingText,
    area: Area,
    recurrence: Recurrence,
    date: Option<NaiveDate>,
    part_of_day: PartOfDay,
    urgent: bool,
    group: Option<GroupSize>,
}

/// What a listing is made from (the form's parsed fields).
#[derive(Debug, Clone)]
pub struct NewListing {
    pub direction: Direction,
    pub category: CategoryName,
    pub title: ListingTitle,
    pub text: ListingText,
    pub area: Area,
    pub recurrence: Recurrence,
    pub date: Option<NaiveDate>,
    pub part_of_day: PartOfDay,
    pub urgent: bool,
    pub group: Option<GroupSize>,
}

impl Listing {
    /// The rules a listing keeps: only an ask is urgent, an urgent ask is
    /// for one person (not a group), and its date is not before `today`.
    pub fn new(input: NewListing, today: NaiveDate) -> Result<Listing, ListingError> {
        if input.urgent && input.direction == Direction::Offer {
            return Err(ListingError::UrgentOffer);
        }
        if input.urgent && input.group.is_some() {
            return Err(ListingError::UrgentGroup);
        }
        if input.date.is_some_and(|d| d < today) {
            return Err(ListingError::DateInPast);
        }
        Ok(Listing {
            direction: input.direction,
            category: input.category,
            title: input.title,
            text: input.text,
            area: input.area,
            recurrence: input.recurrence,
            date: input.date,
            part_of_day: input.part_of_day,
            urgent: input.urgent,
            group: input.group,
        })
    }

    pub fn direction(&self) -> Direction {
        self.direction
    }
    pub fn category(&self) -> &CategoryName {
        &self.category
    }
    pub fn title(&self) -> &ListingTitle {
        &self.title
    }
    pub fn text(&self) -> &ListingText {
        &self.text
    }
    pub fn area(&self) -> &Area {
        &self.area
    }
    pub fn recurrence(&self) -> Recurrence {
        self.recurrence
    }
    pub fn date(&self) -> Option<NaiveDate> {
        self.date
    }
    pub fn part_of_day(&self) -> PartOfDay {
        self.part_of_day
    }
    pub fn urgent(&self) -> bool {
        self.urgent
    }
    pub fn group(&self) -> Option<GroupSize> {
        self.group
    }

    /// How many matches the listing takes: one, or the group's size.
    pub fn places(&self) -> u16 {
        places(self.group)
    }
}

/// How many accepted matches a listing with this group size takes.
pub fn places(group: Option<GroupSize>) -> u16 {
    group.map_or(1, GroupSize::get)
}

/// May a listing in `state`, with `taken` accepted matches and room for
/// `places`, take one more? The one rule the store's accept runs under its lock,
/// so 100 simultaneous accepts on a one-place listing leave exactly one match.
pub fn may_take_another(state: ListingState, taken: u16, places: u16) -> Result<(), ListingError> {
    match state {
        ListingState::Closed => return Err(ListingError::NotOpen("gesloten")),
        ListingState::Hidden => return Err(ListingError::NotOpen("verborgen")),
        ListingState::Open | ListingState::Full => {}
    }
    if taken >= places {
        return Err(ListingError::Full);
    }
    Ok(())
}

/// The state after one more accepted match: full when every place is taken.
pub fn state_after_accept(taken_after: u16, places: u16) -> ListingState {
    if taken_after >= places {
        ListingState::Full
    } else {
        ListingState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn input(direction: Direction, urgent: bool, group: Option<u16>) -> NewListing {
        NewListing {
            direction,
            category: CategoryName::parse("Boodschappen").unwrap(),
            title: ListingTitle::parse("Boodschappen doen").unwrap(),
            text: ListingText::parse("").unwrap(),
            area: Area::WholeTown,
            recurrence: Recurrence::Once,
            date: None,
            part_of_day: PartOfDay::Flexible,
            urgent,
            group: group.map(|n| GroupSize::new(n).unwrap()),
        }
    }

    #[test]
    fn an_urgent_offer_is_refused() {
        let today = d(2026, 12, 7);
        assert_eq!(
            Listing::new(input(Direction::Offer, true, None), today),
            Err(ListingError::UrgentOffer)
        );
        assert!(Listing::new(input(Direction::Ask, true, None), today).is_ok());
    }

    #[test]
    fn an_urgent_group_ask_is_refused() {
        assert_eq!(
            Listing::new(input(Direction::Ask, true, Some(5)), d(2026, 12, 7)),
            Err(ListingError::UrgentGroup)
        );
    }

    #[test]
    fn a_date_before_today_is_refused() {
        let mut i = input(Direction::Ask, false, None);
        i.date = Some(d(2026, 12, 6));
        assert_eq!(
            Listing::new(i, d(2026, 12, 7)),
            Err(ListingError::DateInPast)
        );
    }

    #[test]
    fn titles_and_categories_have_lengths() {
        assert!(ListingTitle::parse("ab").is_err());
        assert!(ListingTitle::parse("Hond uitlaten").is_ok());
        assert!(CategoryName::parse("x").is_err());
        assert!(ListingText::parse(&"x".repeat(2001)).is_err());
        assert!(GroupSize::new(1).is_err());
        assert!(GroupSize::new(501).is_err());
    }

    #[test]
    fn defaults_are_valid_category_names() {
        for name in CategoryName::DEFAULTS {
            assert!(CategoryName::parse(name).is_ok(), "{name}");
        }
    }

    proptest! {
        #[test]
        fn accepting_never_takes_more_places_than_there_are(
            group in proptest::option::of(2u16..20), attempts in 0usize..60
        ) {
            let places = places(group.map(|n| GroupSize::new(n).unwrap()));
            let mut state = ListingState::Open;
            let mut taken = 0u16;
            for _ in 0..attempts {
                if may_take_another(state, taken, places).is_ok() {
                    taken += 1;
                    state = state_after_accept(taken, places);
                }
            }
            prop_assert!(taken <= places);
            prop_assert_eq!(taken, places.min(attempts as u16));
            prop_assert_eq!(state == ListingState::Full, taken == places);
        }

        #[test]
        fn closed_and_hidden_listings_take_nothing(taken in 0u16..5, places in 1u16..5) {
            prop_assert!(may_take_another(ListingState::Closed, taken, places).is_err());
            prop_assert!(may_take_another(ListingState::Hidden, taken, places).is_err());
        }

        #[test]
        fn only_asks_for_one_are_ever_urgent(ask: bool, urgent: bool, group in proptest::option::of(2u16..9)) {
            let dir = if ask { Direction::Ask } else { Direction::Offer };
            let made = Listing::new(input(dir, urgent, group), d(2026, 12, 7));
            if let Ok(l) = made {
                prop_assert!(!l.urgent() || (l.direction() == Direction::Ask && l.group().is_none()));
            } else {
                prop_assert!(urgent);
            }
        }
    }
}

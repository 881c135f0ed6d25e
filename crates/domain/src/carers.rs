//! Mantelzorg: support for informal carers.
//!
//! - **Registration**: hours of care per week ([`CareHours`]) and whom one
//!   cares for ([`CareRelation`] and a few words) — by the carer, or by a
//!   generalist from the kitchen-table conversation's network, with consent.
//! - **Burden check**: the EDIZ, *Ervaren Druk door Informele Zorg* — Pot, A.M.,
//!   Dyck, R. van, & Deeg, D.J.H. (1995). Ervaren druk door informele zorg:
//!   constructie van een schaal. *Tijdschrift voor Gerontologie en Geriatrie*,
//!   26, 214–219. Nine statements, five answers each ("Nee!" … "Ja!"); "Min of
//!   meer", "Ja" and "Ja!" score 1, so the score runs 0–9 ([`Ediz`]). The bands
//!   ([`BurdenLevel`]) are those Dutch carer-support services commonly use with
//!   the EDIZ: 0–3 hardly burdened, 4–6 moderately, 7–9 heavily. The scale is
//!   used as published; only the word "naaste" stands for the person cared for.
//! - **Mantelzorgwaardering**: the yearly token of appreciation the Wmo 2015
//!   (art. 2.1.6) asks a municipality to give, applied for in at most five
//!   fields ([`WAARDERING_FIELDS`]), once per carer per year.
//! - **Signal**: a heavy burden becomes a signal for the wijkteam only with the
//!   carer's consent ([`check_signal`]).

use crate::coded::coded_enum;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarerError {
    #[error("hours of care per week are a whole number from 1 to 168")]
    Hours,
    #[error("unknown relation '{0}'")]
    Relation(String),
    #[error("unknown answer '{0}'")]
    Answer(String),
    #[error("the EDIZ has nine statements; {0} answered")]
    Incomplete(usize),
    #[error("unknown appreciation '{0}'")]
    Choice(String),
    #[error("'whom you care for' has 2 to 80 characters")]
    CaresFor,
    #[error("a signal to the wijkteam needs the carer's consent")]
    NoConsent,
    #[error("a signal is for a heavy burden only")]
    NotHeavy,
    #[error("not a Dutch IBAN with valid check digits")]
    Iban,
}

/// Hours of care per week: 1 to 168.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CareHours(u8);

impl CareHours {
    pub fn new(hours: i64) -> Result<CareHours, CarerError> {
        u8::try_from(hours)
            .ok()
            .filter(|h| (1..=168).contains(h))
            .map(CareHours)
            .ok_or(CarerError::Hours)
    }

    pub fn parse(input: &str) -> Result<CareHours, CarerError> {
        input
            .trim()
            .parse::<i64>()
            .map_err(|_| CarerError::Hours)
            .and_then(CareHours::new)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

coded_enum!(
    /// Whom the carer cares for.
    CareRelation, CarerError::Relation, {
    Partner => ("partner", "Partner"),
    Ouder => ("ouder", "(Schoon)ouder"),
    Kind => ("kind", "Kind"),
    Familie => ("familie", "Ander familielid"),
    Buur => ("buur", "Buur, vriend of kennis"),
});

/// Whom one cares for, in a few words ("mijn moeder, dementie").
pub fn parse_cares_for(input: &str) -> Result<String, CarerError> {
    let t = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=80).contains(&t.chars().count()) {
        return Err(CarerError::CaresFor);
    }
    Ok(t)
}

coded_enum!(
    /// An answer to an EDIZ statement.
    EdizAnswer, CarerError::Answer, {
    NeeUitroep => ("nee!", "Nee!"),
    Nee => ("nee", "Nee"),
    MinOfMeer => ("min_of_meer", "Min of meer"),
    Ja => ("ja", "Ja"),
    JaUitroep => ("ja!", "Ja!"),
});

impl EdizAnswer {
    /// "Min of meer", "Ja" and "Ja!" score 1; "Nee" and "Nee!" 0.
    pub fn points(self) -> u8 {
        u8::from(matches!(
            self,
            EdizAnswer::MinOfMeer | EdizAnswer::Ja | EdizAnswer::JaUitroep
        ))
    }
}

/// The nine EDIZ statements, as published ("Geef aan of de afgelopen paar
/// weken de volgende stellingen op u van toepassing waren").
pub const EDIZ_STATEMENTS: [&str; 9] = [
    "Door de situatie van mijn naaste kom ik te weinig aan mijn eigen leven toe.",
    "Het combineren van de verantwoordelijkheid voor mijn naaste en de verantwoordelijkheid voor mijn werk en/of gezin valt niet mee.",
    "Door mijn betrokkenheid bij mijn naaste doe ik anderen tekort.",
    "Ik moet altijd maar klaarstaan voor mijn naaste.",
    "Mijn zelfstandigheid komt in de knel.",
    "De situatie van mijn naaste eist voortdurend mijn aandacht.",
    "Door mijn betrokkenheid bij mijn naaste krijg ik conflicten thuis en/of op mijn werk.",
    "De situatie van mijn naaste laat mij nooit los.",
    "Ik voel me over het geheel genomen erg onder druk staan door de situatie van mijn naaste.",
];

/// A complete EDIZ: one answer to each of the nine statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ediz([EdizAnswer; 9]);

impl Ediz {
    pub fn new(answers: [EdizAnswer; 9]) -> Ediz {
        Ediz(answers)
    }

    /// From the form: every one of the nine must be answered.
    pub fn from_answers(answers: &[Option<EdizAnswer>]) -> Result<Ediz, CarerError> {
        let given: Vec<EdizAnswer> = answers.iter().flatten().copied().collect();
        if answers.len() != 9 || given.len() != 9 {
            return Err(CarerError::Incomplete(given.len()));
        }
        let mut all = [EdizAnswer::Nee; 9];
        all.copy_from_slice(&given);
        Ok(Ediz(all))
    }

    /// The scale score, 0–9.
    pub fn score(&self) -> u8 {
        self.0.iter().map(|a| a.points()).sum()
    }

    pub fn level(&self) -> BurdenLevel {
        BurdenLevel::of(self.score())
    }

    pub fn answers(&self) -> &[EdizAnswer; 9] {
        &self.0
    }

    /// As stored: the nine codes, comma-separated.
    pub fn to_codes(&self) -> String {
        self.0
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

coded_enum!(
    /// How heavy the care weighs, from the EDIZ score.
    BurdenLevel, CarerError::Answer, {
    Licht => ("licht", "Niet of nauwelijks belast"),
    Matig => ("matig", "Matig belast"),
    Zwaar => ("zwaar", "Zwaar belast"),
});

impl BurdenLevel {
    /// 0–3 light, 4–6 moderate, 7–9 heavy.
    pub fn of(score: u8) -> BurdenLevel {
        match score {
            0..=3 => BurdenLevel::Licht,
            4..=6 => BurdenLevel::Matig,
            _ => BurdenLevel::Zwaar,
        }
    }

    /// High enough to offer a signal to the wijkteam.
    pub fn is_high(self) -> bool {
        self == BurdenLevel::Zwaar
    }
}

/// May a burden check become a signal for the wijkteam? Only a heavy burden,
/// and only with the carer's consent.
pub fn check_signal(level: BurdenLevel, consent: bool) -> Result<(), CarerError> {
    if !level.is_high() {
        return Err(CarerError::NotHeavy);
    }
    if !consent {
        return Err(CarerError::NoConsent);
    }
    Ok(())
}

coded_enum!(
    /// What the carer chooses as the year's appreciation.
    WaarderingChoice, CarerError::Choice, {
    Cadeaubon => ("cadeaubon", "Een cadeaubon voor een winkel in de gemeente"),
    Bijdrage => ("bijdrage", "Een bijdrage op uw rekening"),
    Uitje => ("uitje", "Een dagje uit of activiteit voor mantelzorgers"),
});

/// The form for the mantelzorgwaardering: at most five fields, so applying
/// takes a minute. Name, district, hours and whom one cares for come from the
/// registration and the year is the current one; the form asks only what the
/// registration does not hold (the account number only for a contribution).
pub const WAARDERING_FIELDS: [&str; 2] = ["keuze", "rekening"];

/// Why typed or stored waardering settings are refused, one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WaarderingSettingsError {
    #[error("the amount is 1 to 1000 euros, at most two decimals")]
    Amount,
    #[error("the year is 2000 to 2100")]
    Year,
    #[error("the first day to apply is not a date")]
    From,
    #[error("the last day to apply is not a date")]
    Until,
    #[error("the last day to apply comes before the first")]
    Order,
    #[error("the window lies outside the year and the year after it")]
    Window,
    #[error("on/off is 'true' or 'false'")]
    Open,
}

/// The mantelzorgwaardering as beheer sets it: on or off, the amount of the
/// contribution on one's account, the year it is for and the window in which
/// carers can apply. The window lies in the year itself or the year after
/// it (many municipalities let carers apply for a year until early the next).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaarderingSettings {
    pub open: bool,
    pub amount_cents: u32,
    pub year: i32,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl WaarderingSettings {
    /// The highest amount, in euros.
    pub const MAX_EUROS: u32 = 1000;
    /// The amount until beheer sets one, in euros.
    pub const DEFAULT_EUROS: u32 = 100;

    /// Open all of `today`'s year, 100 euros.
    pub fn default_for(today: NaiveDate) -> WaarderingSettings {
        let year = today.year();
        WaarderingSettings {
            open: true,
            amount_cents: Self::DEFAULT_EUROS * 100,
            year,
            from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today),
            until: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today),
        }
    }

    /// Settings from what beheer typed (dates as `yyyy-mm-dd` or `d-m-yyyy`, the amount in
    /// euros like `150` or `150,50`); every wrong field is named.
    pub fn from_typed(
        open: bool,
        amount: &str,
        year: &str,
        from: &str,
        until: &str,
    ) -> Result<WaarderingSettings, Vec<WaarderingSettingsError>> {
        use WaarderingSettingsError as E;
        let mut errors = Vec::new();
        let amount_cents = parse_euros(amount).ok_or(E::Amount);
        let year = year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(E::Year);
        let date = |typed: &str| {
            let t = typed.trim();
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(t, "%d-%m-%Y"))
                .ok()
        };
        let from = date(from).ok_or(E::From);
        let until = date(until).ok_or(E::Until);
        for e in [&amount_cents.map(|_| ()), &year.map(|_| ())] {
            if let Err(e) = e {
                errors.push(*e);
            }
        }
        for e in [&from, &until] {
            if let Err(e) = e {
                errors.push(*e);
            }
        }
        let (Ok(amount_cents), Ok(year), Ok(from), Ok(until)) = (amount_cents, year, from, until)
        else {
            return Err(errors);
        };
        let settings = WaarderingSettings {
            open,
            amount_cents,
            year,
            from,
            until,
        };
        settings.check().map_err(|e| vec![e])
    }

    /// Settings as stored (`true`/`false`, cents, year, two ISO dates).
    pub fn from_stored(
        open: &str,
        cents: &str,
        year: &str,
        from: &str,
        until: &str,
    ) -> Result<WaarderingSettings, WaarderingSettingsError> {
        let open = match open {
            "true" => true,
            "false" => false,
            _ => return Err(WaarderingSettingsError::Open),
        };
        let cents: u32 = cents.parse().map_err(|_| WaarderingSettingsError::Amount)?;
        let euros = format!("{},{:02}", cents / 100, cents % 100);
        WaarderingSettings::from_typed(open, &euros, year, from, until).map_err(|errors| errors[0])
    }

    fn check(self) -> Result<WaarderingSettings, WaarderingSettingsError> {
        if self.until < self.from {
            return Err(WaarderingSettingsError::Order);
        }
        if self.from.year() < self.year || self.until.year() > self.year + 1 {
            return Err(WaarderingSettingsError::Window);
        }
        Ok(self)
    }

    /// Whether a carer can apply on `day`.
    pub fn accepts_on(&self, day: NaiveDate) -> bool {
        self.open && self.from <= day && day <= self.until
    }

    /// The amount in euros as the Dutch write it: `100` or `87,50`.
    pub fn amount_label(&self) -> String {
        match self.amount_cents % 100 {
            0 => format!("{}", self.amount_cents / 100),
            c => format!("{},{c:02}", self.amount_cents / 100),
        }
    }
}

/// Euros typed as `150`, `150,5`, `150,50` or `150.50` → cents, 1 to 1000 euros.
fn parse_euros(typed: &str) -> Option<u32> {
    let t = typed
        .trim()
        .trim_start_matches('€')
        .trim()
        .replace('.', ",");
    let (whole, part) = t.split_once(',').unwrap_or((t.as_str(), ""));
    if whole.is_empty() || whole.len() > 4 || part.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let euros: u32 = whole.parse().ok()?;
    let cents: u32 = match part.len() {
        0 => 0,
        1 => part.parse::<u32>().ok()? * 10,
        _ => part.parse().ok()?,
    };
    Some(euros * 100 + cents).filter(|c| (100..=WaarderingSettings::MAX_EUROS * 100).contains(c))
}

/// An IBAN for the contribution on one's account: a Dutch IBAN (NL, two check
/// digits, four letters of the bank, ten digits) with a valid ISO 7064 check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, CarerError> {
        let t: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let bad = || CarerError::Iban;
        let b = t.as_bytes();
        let shape = b.len() == 18
            && &b[..2] == b"NL"
            && b[2..4].iter().all(u8::is_ascii_digit)
            && b[4..8].iter().all(u8::is_ascii_uppercase)
            && b[8..].iter().all(u8::is_ascii_digit);
        if !shape {
            return Err(bad());
        }
        let rearranged = format!("{}{}", &t[4..], &t[..4]);
        let mut rest: u32 = 0;
        for c in rearranged.chars() {
            let v = c.to_digit(36).ok_or_else(bad)?;
            rest = if v >= 10 {
                (rest * 100 + v) % 97
            } else {
                (rest * 10 + v) % 97
            };
        }
        if rest != 1 {
            return Err(bad());
        }
        Ok(Iban(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Words that mark a service on the social map as respite care
/// (respijtzorg) or other support that gives a carer a break.
pub const RESPITE_WORDS: [&str; 7] = [
    "mantelzorg",
    "respijt",
    "logeer",
    "dagbesteding",
    "maatje",
    "oppas",
    "ontlast",
];

/// Does a service's name and description speak of respite for carers?
pub fn is_respite(text: &str) -> bool {
    let t = text.to_lowercase();
    RESPITE_WORDS.iter().any(|w| t.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_ediz_scores_min_of_meer_ja_and_ja_uitroep_as_one() {
        use EdizAnswer as A;
        let e = Ediz::new([
            A::NeeUitroep,
            A::Nee,
            A::MinOfMeer,
            A::Ja,
            A::JaUitroep,
            A::Nee,
            A::Nee,
            A::Nee,
            A::Nee,
        ]);
        assert_eq!(e.score(), 3);
        assert_eq!(e.level(), BurdenLevel::Licht);
        assert_eq!(Ediz::new([A::Ja; 9]).level(), BurdenLevel::Zwaar);
        assert_eq!(BurdenLevel::of(4), BurdenLevel::Matig);
        assert_eq!(BurdenLevel::of(6), BurdenLevel::Matig);
        assert_eq!(BurdenLevel::of(7), BurdenLevel::Zwaar);
    }

    #[test]
    fn an_ediz_with_an_unanswered_statement_is_refused() {
        let mut answers = vec![Some(EdizAnswer::Ja); 9];
        answers[4] = None;
        assert_eq!(Ediz::from_answers(&answers), Err(CarerError::Incomplete(8)));
    }

    #[test]
    fn a_signal_needs_a_heavy_burden_and_consent() {
        assert_eq!(check_signal(BurdenLevel::Zwaar, true), Ok(()));
        assert_eq!(
            check_signal(BurdenLevel::Zwaar, false),
            Err(CarerError::NoConsent)
        );
        assert_eq!(
            check_signal(BurdenLevel::Matig, true),
            Err(CarerError::NotHeavy)
        );
    }

    #[test]
    fn waardering_settings_name_every_wrong_field() {
        use WaarderingSettingsError as E;
        let ok = WaarderingSettings::from_typed(true, "150,5", "2026", "2026-03-01", "2027-01-31")
            .unwrap();
        assert_eq!(ok.amount_cents, 15050);
        assert_eq!(ok.amount_label(), "150,50");
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(ok.accepts_on(day(3, 1)));
        assert!(!ok.accepts_on(day(2, 28)));
        assert_eq!(
            WaarderingSettings::from_typed(true, "0", "20x6", "2026-13-01", "2026-04-01"),
            Err(vec![E::Amount, E::Year, E::From])
        );
        assert_eq!(
            WaarderingSettings::from_typed(true, "100", "2026", "2026-04-01", "2026-03-01"),
            Err(vec![E::Order])
        );
        assert_eq!(
            WaarderingSettings::from_typed(true, "100", "2026", "2025-12-01", "2026-03-01"),
            Err(vec![E::Window])
        );
        assert_eq!(
            WaarderingSettings::from_typed(true, "1000,01", "2026", "2026-01-01", "2026-03-01"),
            Err(vec![E::Amount])
        );
        let closed = WaarderingSettings { open: false, ..ok };
        assert!(!closed.accepts_on(day(3, 1)));
    }

    #[test]
    fn the_waardering_form_has_at_most_five_fields() {
        assert!(WAARDERING_FIELDS.len() <= 5);
    }

    #[test]
    fn respite_is_found_by_its_words() {
        assert!(is_respite("Mantelzorgmaatje: even tijd voor uzelf"));
        assert!(is_respite("Logeerhuis De Linde"));
        assert!(!is_respite("Schuldhulpverlening"));
    }

    #[test]
    fn hours_run_from_one_to_a_whole_week() {
        assert!(CareHours::parse("0").is_err());
        assert_eq!(CareHours::parse(" 12 ").unwrap().get(), 12);
        assert!(CareHours::parse("169").is_err());
        assert!(CareHours::parse("twaalf").is_err());
    }

    #[test]
    fn a_dutch_iban_needs_its_check_digits() {
        assert_eq!(
            Iban::parse("nl91 abna 0417 1643 00").unwrap().as_str(),
            "NL91ABNA0417164300"
        );
        assert!(Iban::parse("NL92ABNA0417164300").is_err());
        assert!(Iban::parse("DE89370400440532013000").is_err());
    }

    fn answer() -> impl Strategy<Value = EdizAnswer> {
        prop::sample::select(EdizAnswer::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn stored_waardering_settings_read_back_the_same(
            open in any::<bool>(), cents in 100u32..=100_000, year in 2000i32..=2099,
            start in 0u32..365, len in 0u32..365,
        ) {
            let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + chrono::Days::new(u64::from(start));
            let until = from + chrono::Days::new(u64::from(len));
            let s = WaarderingSettings { open, amount_cents: cents, year, from, until };
            let back = WaarderingSettings::from_stored(
                &open.to_string(), &cents.to_string(), &year.to_string(),
                &from.to_string(), &until.to_string(),
            ).unwrap();
            prop_assert_eq!(back, s);
            prop_assert_eq!(s.accepts_on(from), open);
            prop_assert!(!s.accepts_on(from - chrono::Days::new(1)));
            prop_assert!(!s.accepts_on(until + chrono::Days::new(1)));
        }
        #[test]
        fn the_score_counts_the_agreeing_answers_and_fixes_the_band(
            answers in prop::array::uniform9(answer())
        ) {
            let e = Ediz::new(answers);
            let agreeing = answers.iter().filter(|a| a.points() == 1).count();
            prop_assert_eq!(usize::from(e.score()), agreeing);
            prop_assert!(e.score() <= 9);
            let band = match e.score() { 0..=3 => BurdenLevel::Licht, 4..=6 => BurdenLevel::Matig, _ => BurdenLevel::Zwaar };
            prop_assert_eq!(e.level(), band);
        }

        #[test]
        fn agreeing_more_never_lowers_the_burden(
            answers in prop::array::uniform9(answer()), i in 0usize..9
        ) {
            let before = Ediz::new(answers);
            let mut more = answers;
            more[i] = EdizAnswer::JaUitroep;
            let after = Ediz::new(more);
            prop_assert!(after.score() >= before.score());
            prop_assert!(after.level() >= before.level());
        }

        #[test]
        fn stored_codes_read_back_as_the_same_answers(
            answers in prop::array::uniform9(answer())
        ) {
            let e = Ediz::new(answers);
            let back: Vec<Option<EdizAnswer>> = e.to_codes().split(',').map(|c| EdizAnswer::parse(c).ok()).collect();
            prop_assert_eq!(Ediz::from_answers(&back), Ok(e));
        }
    }
}

//! Indicators: what a commission is judged on. Effect indicators (short
//! term), end outcomes (with a horizon) and the residents' judgement (oordeel),
//! each with a definition, baseline, target, cadence and source — and the rule
//! that an activity or attendance count is context only.

use super::agenda::code_enum;
use super::CommissionError;
use chrono::{Months, NaiveDate};
use std::fmt;

/// A figure in hundredths (12,5 % is 1250; a ZRM change of +0,4 is 40; 18
/// volunteers is 1800). Integer, so every comparison and payment is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hundredths(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a figure is a number with at most two decimals, e.g. 12,5 or -0,4; got '{0}'")]
pub struct HundredthsError(pub String);

impl Hundredths {
    pub const fn new(hundredths: i64) -> Hundredths {
        Hundredths(hundredths)
    }
    pub fn whole(units: i64) -> Hundredths {
        Hundredths(units.saturating_mul(100))
    }
    pub fn value(self) -> i64 {
        self.0
    }
    /// Parses `12`, `12,5`, `-0,40`, `+3` or `12.5`.
    pub fn parse(input: &str) -> Result<Hundredths, HundredthsError> {
        let err = || HundredthsError(input.trim().chars().take(20).collect());
        let t = input.trim().trim_end_matches('%').trim();
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = t.split_once([',', '.']).unwrap_or((t, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || whole.len() > 12 || frac.len() > 2 || !digits(whole) || !digits(frac)
        {
            return Err(err());
        }
        let units: i64 = whole.parse().map_err(|_| err())?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse().map_err(|_| err())?,
        };
        let value = units * 100 + cents;
        Ok(Hundredths(if negative { -value } else { value }))
    }
}

impl fmt::Display for Hundredths {
    /// Dutch notation without trailing zeros: `12,5`, `-0,4`, `230`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 100, abs % 100);
        match frac {
            0 => write!(f, "{sign}{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole},{}", f10 / 10),
            _ => write!(f, "{sign}{whole},{frac:02}"),
        }
    }
}

/// Effect (short term), end outcome (with a horizon in months) or the
/// residents' judgement (baken 7, seed 002: "een gezonde mix").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorKind {
    Effect,
    Outcome { horizon_months: u32 },
    Oordeel,
}

impl IndicatorKind {
    pub fn code(self) -> &'static str {
        match self {
            IndicatorKind::Effect => "effect",
            IndicatorKind::Outcome { .. } => "uitkomst",
            IndicatorKind::Oordeel => "oordeel",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Effect => "Effect (korte termijn)",
            IndicatorKind::Outcome { .. } => "Einduitkomst (lange termijn)",
            IndicatorKind::Oordeel => "Oordeel van inwoners",
        }
    }
    /// `horizon_months` is read for an outcome only (1–120 months).
    pub fn parse(code: &str, horizon_months: Option<i64>) -> Result<IndicatorKind, IndicatorError> {
        match code.trim() {
            "effect" => Ok(IndicatorKind::Effect),
            "oordeel" => Ok(IndicatorKind::Oordeel),
            "uitkomst" => horizon_months
                .and_then(|m| u32::try_from(m).ok())
                .filter(|m| (1..=120).contains(m))
                .map(|horizon_months| IndicatorKind::Outcome { horizon_months })
                .ok_or(IndicatorError::Horizon),
            other => Err(IndicatorError::Code(CommissionError::UnknownCode {
                list: "soort indicator",
                input: other.chars().take(20).collect(),
            })),
        }
    }
    pub fn horizon_months(self) -> Option<u32> {
        match self {
            IndicatorKind::Outcome { horizon_months } => Some(horizon_months),
            _ => None,
        }
    }
}

/// Is a higher figure better, or a lower one (days to first contact)?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Higher,
    Lower,
}

/// Whether Baken has the data a computed measure needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataStatus {
    Available,
    /// The module that holds the data is not there yet; shown as
    /// "nog geen gegevens", never as a number.
    NotYet {
        waits_for: &'static str,
    },
}

code_enum!(
    /// What Baken computes from its own data.
    ComputedMeasure, "berekening" {
        GoalsAchieved => ("doelen_behaald", "Behaalde doelen in plannen met een afspraak van de aanbieder"),
        ZrmChange => ("zrm_verandering", "Verandering in zelfredzaamheid (ZRM) van gesprek tot evaluatie"),
        LightSteps => ("lichte_treden", "Huishoudens geholpen op trede 1 tot en met 3"),
        BackWithinYear => ("terug_binnen_jaar", "Huishoudens binnen 12 maanden terug"),
        DaysToFirstContact => ("dagen_eerste_contact", "Dagen van signaal tot eerste contact"),
        ActiveVolunteers => ("actieve_vrijwilligers", "Actieve vrijwilligers in de wijk"),
        Matches => ("matches", "Matches op de buurtmarktplaats in de wijk"),
        ResidentJudgement => ("oordeel_inwoners", "Oordeel van inwoners (cliëntervaringsonderzoek Wmo)"),
    }
);

impl ComputedMeasure {
    /// "Hoe berekend", shown with every computed figure.
    pub fn how(self) -> &'static str {
        match self {
            ComputedMeasure::GoalsAchieved => {
                "Van de doelen die in de periode zijn geëvalueerd, in plannen waarin de aanbieder een afspraak \
                 uitvoerde: het percentage dat is behaald."
            }
            ComputedMeasure::ZrmChange => {
                "Per huishouden met een afspraak van de aanbieder en een evaluatie in de periode: de gemiddelde \
                 ZRM-score (1–5) bij de evaluatie min die bij het keukentafelgesprek; daarvan het gemiddelde. \
                 Gecorrigeerd voor de startscore (zie de methode)."
            }
            ComputedMeasure::LightSteps => {
                "Van de huishoudens met een afspraak van de aanbieder die in de periode begon: het percentage \
                 waarvan alle afspraken op trede 1 tot en met 3 lagen."
            }
            ComputedMeasure::BackWithinYear => {
                "Van de plannen met een afspraak van de aanbieder die in de 12 maanden vóór de periode sloten: \
                 het percentage huishoudens dat binnen 12 maanden een nieuw plan kreeg."
            }
            ComputedMeasure::DaysToFirstContact => {
                "Van de signalen over huishoudens met een afspraak van de aanbieder, met een eerste contact in de \
                 periode: het gemiddelde aantal dagen van melding tot eerste contact."
            }
            ComputedMeasure::ActiveVolunteers => {
                "Het aantal vrijwilligers in de wijk dat in de periode minstens één keer hielp via de \
                 buurtmarktplaats."
            }
            ComputedMeasure::Matches => "Het aantal matches op de buurtmarktplaats in de wijk in de periode.",
            ComputedMeasure::ResidentJudgement => {
                "Van de inwoners die in het cliëntervaringsonderzoek Wmo over deze aanbieder een mening gaven \
                 op de stelling 'Door de ondersteuning die ik krijg kan ik mij beter redden': het percentage \
                 dat (helemaal) mee eens antwoordde. Antwoorden tellen mee in het jaar waarin de ondersteuning \
                 eindigde; het team bepaalt de wijk."
            }
        }
    }
    pub fn direction(self) -> Direction {
        match self {
            ComputedMeasure::BackWithinYear | ComputedMeasure::DaysToFirstContact => {
                Direction::Lower
            }
            _ => Direction::Higher,
        }
    }
    /// The unit shown after the figure.
    pub fn unit(self) -> &'static str {
        match self {
            ComputedMeasure::GoalsAchieved
            | ComputedMeasure::LightSteps
            | ComputedMeasure::BackWithinYear
            | ComputedMeasure::ResidentJudgement => "%",
            ComputedMeasure::ZrmChange => "punt",
            ComputedMeasure::DaysToFirstContact => "dagen",
            ComputedMeasure::ActiveVolunteers => "vrijwilligers",
            ComputedMeasure::Matches => "matches",
        }
    }
    /// Volunteers and matches come from the buurtmarktplaats; until that
    /// module holds data, Baken says so. The judgement comes from the Wmo
    /// client survey (`baken_domain::survey`, stored by `store::survey`).
    pub fn data_status(self) -> DataStatus {
        match self {
            ComputedMeasure::ActiveVolunteers | ComputedMeasure::Matches => DataStatus::NotYet {
                waits_for: "de buurtmarktplaats",
            },
            _ => DataStatus::Available,
        }
    }
}

/// Computed by Baken, or reported by the provider with evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorSource {
    Computed(ComputedMeasure),
    Reported,
}

/// Context only (no target, no payment), steered on (a target), or paid on
/// (a target that the payment rule reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorRole {
    Context,
    Target,
    Paid,
}

impl IndicatorRole {
    pub fn code(self) -> &'static str {
        match self {
            IndicatorRole::Context => "context",
            IndicatorRole::Target => "streefwaarde",
            IndicatorRole::Paid => "betaald",
        }
    }
    pub fn parse(code: &str) -> Result<IndicatorRole, IndicatorError> {
        match code.trim() {
            "context" => Ok(IndicatorRole::Context),
            "streefwaarde" => Ok(IndicatorRole::Target),
            "betaald" => Ok(IndicatorRole::Paid),
            other => Err(IndicatorError::Code(CommissionError::UnknownCode {
                list: "gebruik",
                input: other.chars().take(20).collect(),
            })),
        }
    }
}

code_enum!(
    /// How often the provider reports.
    Cadence, "rapportagefrequentie" {
        Quarter => ("kwartaal", "Per kwartaal"),
        HalfYear => ("halfjaar", "Per half jaar"),
        Year => ("jaar", "Per jaar"),
    }
);

impl Cadence {
    pub fn months(self) -> u32 {
        match self {
            Cadence::Quarter => 3,
            Cadence::HalfYear => 6,
            Cadence::Year => 12,
        }
    }
    /// The reporting periods of a commission period: consecutive blocks of
    /// the cadence's length, the last one cut at `until`.
    pub fn periods(self, from: NaiveDate, until: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut start = from;
        while start <= until && out.len() < 400 {
            let next = start
                .checked_add_months(Months::new(self.months()))
                .unwrap_or(NaiveDate::MAX);
            let end = next.pred_opt().unwrap_or(next).min(until);
            out.push((start, end));
            start = next;
        }
        out
    }

    /// The measuring window of this cadence that ends within a report's
    /// period, if any: a yearly indicator appears only in the report that
    /// closes its year, over the whole year.
    pub fn window_in(
        self,
        commission: (NaiveDate, NaiveDate),
        report: (NaiveDate, NaiveDate),
    ) -> Option<(NaiveDate, NaiveDate)> {
        self.periods(commission.0, commission.1)
            .into_iter()
            .find(|(_, end)| report.0 <= *end && *end <= report.1)
    }
}

/// Why an activity or attendance count cannot carry a target or a payment,
/// in the seeds' words.
pub const ACTIVITY_COUNT_REASON: &str = "Een telling van activiteiten of bezoekers mag alleen als context \
    worden vastgelegd, zonder streefwaarde en zonder betaling. De gemeenten sturen niet op \
    activiteitenniveau: de aanbieder legt verantwoording af over het maatschappelijke effect (visie \
    welzijn, seed 001). Enkel een inspanningsverplichting is te vrijblijvend; het gaat om een gezonde mix \
    van effectindicatoren en einduitkomsten (baken 7). Kies een effect of uitkomst, zoals meer actieve \
    vrijwilligers of minder eenzaamheid.";

/// Words that mark a count of activities or attendance (input, not effect).
const ACTIVITY_WORDS: [&str; 9] = [
    "activiteit",
    "bezoeker",
    "bezoeken",
    "deelnemer",
    "bijeenkomst",
    "cursussen",
    "evenement",
    "uren inzet",
    "contactmomenten",
];

/// Does this name or definition count activities or attendance?
fn counts_activities(text: &str) -> bool {
    let lower = text.to_lowercase();
    let counts = lower.contains("aantal") || lower.contains("hoeveel") || lower.contains("telling");
    counts && ACTIVITY_WORDS.iter().any(|w| lower.contains(w))
}

/// One version of an indicator's definition. A new definition is a new
/// version from a date; the old one stays, and every report that spans the
/// change shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub name: String,
    pub definition: String,
    pub kind: IndicatorKind,
    pub source: IndicatorSource,
    pub role: IndicatorRole,
    pub baseline: Option<Hundredths>,
    pub target: Option<Hundredths>,
    pub cadence: Cadence,
    pub version: i64,
    pub valid_from: NaiveDate,
}

impl Indicator {
    /// Checks the rules: a name and definition; a target for a steered or paid
    /// indicator, never for context; an activity count context only; a paid
    /// indicator with a baseline, and no judgement or outcome that cannot be
    /// measured within a year paid on.
    pub fn check(mut self) -> Result<Indicator, IndicatorError> {
        self.name = self.name.trim().to_owned();
        self.definition = self.definition.trim().to_owned();
        if !(3..=120).contains(&self.name.chars().count()) {
            return Err(IndicatorError::Name);
        }
        if !(10..=1000).contains(&self.definition.chars().count()) {
            return Err(IndicatorError::Definition);
        }
        let activity = counts_activities(&self.name) || counts_activities(&self.definition);
        if activity && (self.role != IndicatorRole::Context || self.target.is_some()) {
            return Err(IndicatorError::ActivityCount);
        }
        match self.role {
            IndicatorRole::Context => {
                if self.target.is_some() {
                    return Err(IndicatorError::ContextWithTarget);
                }
            }
            IndicatorRole::Target | IndicatorRole::Paid => {
                if self.target.is_none() {
                    return Err(IndicatorError::NoTarget);
                }
            }
        }
        if self.role == IndicatorRole::Paid {
            let Some(baseline) = self.baseline else {
                return Err(IndicatorError::NoBaseline);
            };
            if self.target == Some(baseline) {
                return Err(IndicatorError::TargetIsBaseline);
            }
        }
        if self.version < 1 {
            self.version = 1;
        }
        Ok(self)
    }

    pub fn direction(&self) -> Direction {
        match self.source {
            IndicatorSource::Computed(m) => m.direction(),
            IndicatorSource::Reported => Direction::Higher,
        }
    }

    /// The first day an outcome can be measured: the commission's start plus
    /// the horizon. Effects and judgements are measurable from the start.
    pub fn measurable_from(&self, commission_from: NaiveDate) -> NaiveDate {
        match self.kind.horizon_months() {
            Some(months) => commission_from
                .checked_add_months(Months::new(months))
                .unwrap_or(NaiveDate::MAX),
            None => commission_from,
        }
    }

    /// What a report for the period ending `period_end` shows: "nog niet
    /// meetbaar" before the horizon, "nog geen gegevens" when the data's
    /// module is not there, otherwise the figure handed in (`None`: nothing
    /// measured or reported).
    pub fn reading(
        &self,
        commission_from: NaiveDate,
        period_end: NaiveDate,
        figure: Option<Hundredths>,
    ) -> Reading {
        let from = self.measurable_from(commission_from);
        if period_end < from {
            return Reading::NotYetMeasurable { from };
        }
        if let IndicatorSource::Computed(m) = self.source {
            if let DataStatus::NotYet { waits_for } = m.data_status() {
                return Reading::NoData { waits_for };
            }
        }
        match figure {
            Some(f) => Reading::Figure(f),
            None => Reading::Missing,
        }
    }
}

/// What a report shows for one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Figure(Hundredths),
    NotYetMeasurable {
        from: NaiveDate,
    },
    NoData {
        waits_for: &'static str,
    },
    /// Measurable, but no figure (too few cases, or not reported yet).
    Missing,
}

impl Reading {
    pub fn text(&self) -> String {
        match self {
            Reading::Figure(f) => f.to_string(),
            Reading::NotYetMeasurable { from } => {
                format!("nog niet meetbaar (vanaf {})", from.format("%d-%m-%Y"))
            }
            Reading::NoData { waits_for } => format!("nog geen gegevens (wacht op {waits_for})"),
            Reading::Missing => "nog niet ingevuld".into(),
        }
    }
}

/// The definition versions that applied during `from..=until`, oldest
/// first; more than one means the definition changed mid-period.
pub fn definition_changes(
    versions: &[Indicator],
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<&Indicator> {
    let mut sorted: Vec<&Indicator> = versions.iter().collect();
    sorted.sort_by_key(|v| (v.valid_from, v.version));
    let mut out = Vec::new();
    for (i, v) in sorted.iter().enumerate() {
        let ends = sorted
            .get(i + 1)
            .and_then(|next| next.valid_from.pred_opt())
            .unwrap_or(NaiveDate::MAX);
        if v.valid_from <= until && ends >= from {
            out.push(*v);
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("an indicator needs a name of 3 to 120 characters")]
    Name,
    #[error("an indicator needs a definition of 10 to 1000 characters")]
    Definition,
    #[error("an activity or attendance count may be context only, without a target or a payment")]
    ActivityCount,
    #[error("a context indicator carries no target")]
    ContextWithTarget,
    #[error("a steered or paid indicator needs a target")]
    NoTarget,
    #[error("a paid indicator needs a baseline")]
    NoBaseline,
    #[error("a paid indicator's target must differ from its baseline")]
    TargetIsBaseline,
    #[error("an end outcome needs a horizon of 1 to 120 months")]
    Horizon,
    #[error(transparent)]
    Code(CommissionError),
}

impl IndicatorError {
    pub fn field(&self) -> &'static str {
        match self {
            IndicatorError::Name => "naam",
            IndicatorError::Definition => "definitie",
            IndicatorError::ActivityCount | IndicatorError::ContextWithTarget => "gebruik",
            IndicatorError::NoTarget | IndicatorError::TargetIsBaseline => "streefwaarde",
            IndicatorError::NoBaseline => "nulmeting",
            IndicatorError::Horizon => "horizon",
            IndicatorError::Code(e) => e.field(),
        }
    }
    pub fn dutch(&self) -> String {
        match self {
            IndicatorError::Name => "Geef de indicator een naam van 3 tot 120 tekens.".into(),
            IndicatorError::Definition => {
                "Beschrijf precies wat er wordt gemeten (10 tot 1000 tekens).".into()
            }
            IndicatorError::ActivityCount => ACTIVITY_COUNT_REASON.into(),
            IndicatorError::ContextWithTarget => {
                "Een contextindicator heeft geen streefwaarde. Laat de streefwaarde leeg.".into()
            }
            IndicatorError::NoTarget => "Vul een streefwaarde in.".into(),
            IndicatorError::NoBaseline => {
                "Vul een nulmeting in: de betaling rekent van nulmeting naar streefwaarde.".into()
            }
            IndicatorError::TargetIsBaseline => {
                "De streefwaarde moet verschillen van de nulmeting.".into()
            }
            IndicatorError::Horizon => {
                "Geef bij een einduitkomst de termijn in maanden (1 tot 120).".into()
            }
            IndicatorError::Code(e) => e.dutch(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn indicator(name: &str, role: IndicatorRole, target: Option<i64>) -> Indicator {
        Indicator {
            name: name.into(),
            definition: "Telt wat in de wijk gebeurt, per jaar gemeten.".into(),
            kind: IndicatorKind::Effect,
            source: IndicatorSource::Reported,
            role,
            baseline: Some(Hundredths::whole(200)),
            target: target.map(Hundredths::whole),
            cadence: Cadence::Quarter,
            version: 1,
            valid_from: date("2026-01-01"),
        }
    }

    #[test]
    fn aantal_activiteiten_as_a_paid_indicator_is_refused_with_the_reason() {
        let err = indicator("Aantal activiteiten", IndicatorRole::Paid, Some(300))
            .check()
            .unwrap_err();
        assert_eq!(err, IndicatorError::ActivityCount);
        assert_eq!(err.field(), "gebruik");
        let text = err.dutch();
        assert!(text.contains("sturen niet op activiteitenniveau"), "{text}");
        assert!(text.contains("te vrijblijvend"), "{text}");
    }

    #[test]
    fn aantal_bezoekers_with_a_target_is_refused_but_fits_as_context() {
        let err = indicator(
            "Aantal bezoekers buurthuis",
            IndicatorRole::Target,
            Some(5000),
        )
        .check()
        .unwrap_err();
        assert_eq!(err, IndicatorError::ActivityCount);
        assert!(
            indicator("Aantal bezoekers buurthuis", IndicatorRole::Context, None)
                .check()
                .is_ok()
        );
    }

    #[test]
    fn active_volunteers_may_be_paid_on() {
        let i = indicator(
            "Aantal actieve vrijwilligers",
            IndicatorRole::Paid,
            Some(230),
        )
        .check()
        .unwrap();
        assert_eq!(i.role, IndicatorRole::Paid);
    }

    #[test]
    fn a_paid_indicator_needs_a_baseline_and_a_target_that_differs() {
        let mut i = indicator("Actieve vrijwilligers", IndicatorRole::Paid, Some(230));
        i.baseline = None;
        assert_eq!(i.check().unwrap_err(), IndicatorError::NoBaseline);
        let i = indicator("Actieve vrijwilligers", IndicatorRole::Paid, Some(200));
        assert_eq!(i.check().unwrap_err(), IndicatorError::TargetIsBaseline);
        let i = indicator("Actieve vrijwilligers", IndicatorRole::Context, Some(230));
        assert_eq!(i.check().unwrap_err(), IndicatorError::ContextWithTarget);
    }

    #[test]
    fn an_outcome_with_a_two_year_horizon_reads_nog_niet_meetbaar_before_it() {
        let mut i = indicator(
            "Minder eenzaamheid onder ouderen",
            IndicatorRole::Target,
            Some(150),
        );
        i.kind = IndicatorKind::parse("uitkomst", Some(24)).unwrap();
        let start = date("2026-01-01");
        let r = i.reading(start, date("2026-12-31"), Some(Hundredths::whole(3)));
        assert!(r.text().starts_with("nog niet meetbaar"), "{}", r.text());
        assert_eq!(
            r,
            Reading::NotYetMeasurable {
                from: date("2028-01-01")
            }
        );
        assert_eq!(
            i.reading(start, date("2028-03-31"), Some(Hundredths::whole(3))),
            Reading::Figure(Hundredths::whole(3))
        );
        assert_eq!(
            IndicatorKind::parse("uitkomst", None),
            Err(IndicatorError::Horizon)
        );
    }

    #[test]
    fn marketplace_and_survey_measures_say_nog_geen_gegevens() {
        let mut i = indicator("Actieve vrijwilligers", IndicatorRole::Paid, Some(230));
        i.source = IndicatorSource::Computed(ComputedMeasure::ActiveVolunteers);
        let r = i.reading(
            date("2026-01-01"),
            date("2026-03-31"),
            Some(Hundredths::whole(9)),
        );
        assert!(r.text().starts_with("nog geen gegevens"), "{}", r.text());
    }

    #[test]
    fn a_definition_change_mid_period_shows_both_versions() {
        let v1 = indicator("Actieve vrijwilligers", IndicatorRole::Context, None);
        let mut v2 = v1.clone();
        v2.version = 2;
        v2.valid_from = date("2026-05-01");
        let versions = [v2.clone(), v1.clone()];
        let q2 = definition_changes(&versions, date("2026-04-01"), date("2026-06-30"));
        assert_eq!(q2.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
        let q3 = definition_changes(&versions, date("2026-07-01"), date("2026-09-30"));
        assert_eq!(q3.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn cadence_cuts_the_period_into_reports() {
        let q = Cadence::Quarter.periods(date("2026-01-01"), date("2026-12-31"));
        assert_eq!(q.len(), 4);
        assert_eq!(q[1], (date("2026-04-01"), date("2026-06-30")));
        let year = (date("2026-01-01"), date("2026-12-31"));
        assert_eq!(Cadence::Year.window_in(year, q[1]), None);
        assert_eq!(Cadence::Year.window_in(year, q[3]), Some(year));
        assert_eq!(Cadence::Quarter.window_in(year, q[1]), Some(q[1]));
        let y = Cadence::Year.periods(date("2026-01-01"), date("2026-12-31"));
        assert_eq!(y, vec![(date("2026-01-01"), date("2026-12-31"))]);
    }

    #[test]
    fn hundredths_parse_and_print_in_dutch() {
        assert_eq!(Hundredths::parse("12,5").unwrap().value(), 1250);
        assert_eq!(Hundredths::parse("-0,4").unwrap().to_string(), "-0,4");
        assert_eq!(Hundredths::parse("230").unwrap().to_string(), "230");
        assert_eq!(Hundredths::parse("1,25").unwrap().to_string(), "1,25");
        assert!(Hundredths::parse("1,255").is_err());
        assert!(Hundredths::parse("veel").is_err());
    }

    proptest! {
        #[test]
        fn hundredths_round_trip(v in -1_000_000_000i64..1_000_000_000) {
            let h = Hundredths::new(v);
            prop_assert_eq!(Hundredths::parse(&h.to_string()).unwrap(), h);
        }

        #[test]
        fn an_activity_count_never_carries_a_target(
            word in proptest::sample::select(vec!["activiteiten", "bezoekers", "deelnemers", "bijeenkomsten"]),
            paid: bool,
            target in 1i64..10_000,
        ) {
            let role = if paid { IndicatorRole::Paid } else { IndicatorRole::Target };
            let name = format!("Aantal {word} per wijk");
            prop_assert_eq!(
                indicator(&name, role, Some(target)).check().unwrap_err(),
                IndicatorError::ActivityCount
            );
        }
    }
}

//! The toewijzing: the municipality's assignment of a product to a provider for
//! one resident, from a start date, with a volume (inspanningsgericht, or
//! pieces for outputgericht) or a budget (outputgericht). A taakgericht product
//! has none: the agreement names the provider directly.

use super::{from_list, Cents, ExecutionVariant, Frequency, Product, Unit, UnknownCode};
use chrono::NaiveDate;
use std::fmt;

/// The toewijzing's number in iWmo (`LDT_Nummer`: 0 to 999,999,999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ToewijzingNumber(i64);

impl ToewijzingNumber {
    pub fn new(n: i64) -> Result<Self, ToewijzingError> {
        if (1..=999_999_999).contains(&n) {
            Ok(ToewijzingNumber(n))
        } else {
            Err(ToewijzingError::Number(n))
        }
    }
    pub fn value(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ToewijzingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a toewijzing grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `volume` units per `frequency` (iWmo Omvang).
    Volume {
        volume: i64,
        unit: Unit,
        frequency: Frequency,
    },
    /// A budget in cents for the whole toewijzing (iWmo Budget).
    Budget(Cents),
}

/// WMO002: why a toewijzing changed (sent as RedenWijziging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeReason {
    Administrative,
    Death,
    Revised,
    Cancelled,
    Moved,
    Other,
}

const CHANGE_REASONS: [(&str, ChangeReason); 6] = [
    ("01", ChangeReason::Administrative),
    ("02", ChangeReason::Death),
    ("03", ChangeReason::Revised),
    ("05", ChangeReason::Cancelled),
    ("07", ChangeReason::Moved),
    ("13", ChangeReason::Other),
];

impl ChangeReason {
    pub fn parse(input: &str) -> Result<Self, UnknownCode> {
        from_list("WMO002 reason for change", &CHANGE_REASONS, input)
    }
    pub fn code(self) -> &'static str {
        CHANGE_REASONS
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("", |(c, _)| c)
    }
    pub fn label(self) -> &'static str {
        match self {
            ChangeReason::Administrative => "Administratieve correctie",
            ChangeReason::Death => "Overlijden",
            ChangeReason::Revised => "Herbeoordeling",
            ChangeReason::Cancelled => "Intrekking",
            ChangeReason::Moved => "Verhuizing",
            ChangeReason::Other => "Overig",
        }
    }
}

/// WMO588: why delivery stopped (a provider's stop zorg, WMO307).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StopReason(&'static str, &'static str);

const STOP_REASONS: [(&str, &str); 11] = [
    ("02", "overlijden"),
    ("19", "levering volgens plan beëindigd"),
    ("20", "levering tijdelijk beëindigd"),
    ("21", "eenzijdig door de cliënt beëindigd"),
    ("22", "eenzijdig door de aanbieder beëindigd"),
    ("23", "in overeenstemming voortijdig beëindigd"),
    ("31", "verhuizing naar een andere gemeente"),
    ("36", "op initiatief van de gemeente"),
    ("37", "in verband met een wijzigingsverzoek"),
    ("38", "overstap naar een andere aanbieder"),
    ("39", "uitstroom naar een ander domein"),
];

impl StopReason {
    pub fn parse(input: &str) -> Result<Self, UnknownCode> {
        let t = input.trim();
        STOP_REASONS
            .iter()
            .find(|(c, _)| *c == t)
            .map(|(c, l)| StopReason(c, l))
            .ok_or_else(|| UnknownCode {
                list: "WMO588 reason for ending",
                allowed: STOP_REASONS.map(|(c, _)| c).join(", "),
                input: t.chars().take(20).collect(),
            })
    }
    pub fn code(self) -> &'static str {
        self.0
    }
    pub fn label(self) -> &'static str {
        self.1
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToewijzingError {
    #[error("a toewijzing number is 1 to 999999999; got {0}")]
    Number(i64),
    #[error("a taakgericht product is paid as a lump sum and needs no toewijzing")]
    TaskNeedsNone,
    #[error("this inspanningsgericht product is counted in {unit} {frequency}; give a volume in that unit")]
    EffortNeedsVolume {
        unit: &'static str,
        frequency: &'static str,
    },
    #[error("an outputgericht product takes pieces (unit 82), euros (unit 83) or a budget")]
    OutputScope,
    #[error("the volume must be 1 to 99999999")]
    Volume,
    #[error("the end date ({end}) lies before the start date ({start})")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("a volume per week, or a budget, needs an end date")]
    EndRequired,
}

impl ToewijzingError {
    pub fn field(&self) -> &'static str {
        match self {
            ToewijzingError::Number(_) => "nummer",
            ToewijzingError::TaskNeedsNone => "product",
            ToewijzingError::EffortNeedsVolume { .. }
            | ToewijzingError::OutputScope
            | ToewijzingError::Volume => "omvang",
            ToewijzingError::EndBeforeStart { .. } | ToewijzingError::EndRequired => "einddatum",
        }
    }
}

/// A toewijzing, checked against its product's execution variant and iWmo's
/// table of variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toewijzing {
    number: ToewijzingNumber,
    product_id: i64,
    provider_id: i64,
    start: NaiveDate,
    end: Option<NaiveDate>,
    scope: Scope,
}

impl Toewijzing {
    pub fn new(
        number: ToewijzingNumber,
        (product_id, product): (i64, &Product),
        provider_id: i64,
        (start, end): (NaiveDate, Option<NaiveDate>),
        scope: Scope,
    ) -> Result<Toewijzing, ToewijzingError> {
        match (product.variant(), scope) {
            (ExecutionVariant::Task, _) => return Err(ToewijzingError::TaskNeedsNone),
            (
                ExecutionVariant::Effort { unit, frequency },
                Scope::Volume {
                    unit: u,
                    frequency: f,
                    ..
                },
            ) if u == unit && f == frequency => {}
            (ExecutionVariant::Effort { unit, frequency }, _) => {
                return Err(ToewijzingError::EffortNeedsVolume {
                    unit: unit.label(),
                    frequency: frequency.label(),
                })
            }
            (ExecutionVariant::Output, Scope::Budget(_)) => {}
            (
                ExecutionVariant::Output,
                Scope::Volume {
                    unit: Unit::PiecesOutput | Unit::Euros,
                    ..
                },
            ) => {}
            (ExecutionVariant::Output, Scope::Volume { .. }) => {
                return Err(ToewijzingError::OutputScope)
            }
        }
        if let Scope::Volume { volume, .. } = scope {
            if !(1..=99_999_999).contains(&volume) {
                return Err(ToewijzingError::Volume);
            }
        }
        match end {
            Some(end) if end < start => return Err(ToewijzingError::EndBeforeStart { start, end }),
            None if matches!(
                scope,
                Scope::Budget(_)
                    | Scope::Volume {
                        frequency: Frequency::PerWeek,
                        ..
                    }
            ) =>
            {
                return Err(ToewijzingError::EndRequired)
            }
            _ => {}
        }
        Ok(Toewijzing {
            number,
            product_id,
            provider_id,
            start,
            end,
            scope,
        })
    }
    pub fn number(&self) -> ToewijzingNumber {
        self.number
    }
    pub fn product_id(&self) -> i64 {
        self.product_id
    }
    pub fn provider_id(&self) -> i64 {
        self.provider_id
    }
    pub fn start(&self) -> NaiveDate {
        self.start
    }
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

/// What a grant costs per year at `tariff` (per unit, or per piece): a volume
/// per period times the periods in a year; a total or a budget counts in full.
pub fn yearly_cost(scope: Scope, tariff: Cents) -> i64 {
    match scope {
        Scope::Budget(cents) => cents.value(),
        Scope::Volume {
            volume,
            unit: Unit::Euros,
            frequency,
        } => volume
            .saturating_mul(100)
            .saturating_mul(frequency.per_year().unwrap_or(1)),
        Scope::Volume {
            volume, frequency, ..
        } => tariff
            .value()
            .saturating_mul(volume)
            .saturating_mul(frequency.per_year().unwrap_or(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracting::{ProductCategory, ProductCode};
    use crate::LadderStep;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn product(variant: ExecutionVariant) -> Product {
        Product::new(
            ProductCategory::parse("02").unwrap(),
            ProductCode::parse("02A01").unwrap(),
            "Begeleiding individueel",
            LadderStep::new(5).unwrap(),
            variant,
        )
        .unwrap()
    }

    fn hours_per_week(volume: i64) -> Scope {
        Scope::Volume {
            volume,
            unit: Unit::Hour,
            frequency: Frequency::PerWeek,
        }
    }

    const EFFORT: ExecutionVariant = ExecutionVariant::Effort {
        unit: Unit::Hour,
        frequency: Frequency::PerWeek,
    };

    fn number() -> ToewijzingNumber {
        ToewijzingNumber::new(1).unwrap()
    }

    #[test]
    fn a_taakgericht_product_gets_no_toewijzing() {
        let p = product(ExecutionVariant::Task);
        let t = Toewijzing::new(
            number(),
            (1, &p),
            2,
            (d("2026-01-01"), Some(d("2026-12-31"))),
            hours_per_week(2),
        );
        assert_eq!(t, Err(ToewijzingError::TaskNeedsNone));
    }

    #[test]
    fn an_effort_toewijzing_counts_in_its_products_unit() {
        let p = product(EFFORT);
        let period = (d("2026-01-01"), Some(d("2026-12-31")));
        assert!(Toewijzing::new(number(), (1, &p), 2, period, hours_per_week(3)).is_ok());
        let minutes = Scope::Volume {
            volume: 180,
            unit: Unit::Minute,
            frequency: Frequency::PerWeek,
        };
        assert!(matches!(
            Toewijzing::new(number(), (1, &p), 2, period, minutes),
            Err(ToewijzingError::EffortNeedsVolume { .. })
        ));
        assert!(matches!(
            Toewijzing::new(
                number(),
                (1, &p),
                2,
                period,
                Scope::Budget(Cents::new(1).unwrap())
            ),
            Err(ToewijzingError::EffortNeedsVolume { .. })
        ));
    }

    #[test]
    fn per_week_needs_an_end_date_and_the_end_follows_the_start() {
        let p = product(EFFORT);
        assert_eq!(
            Toewijzing::new(
                number(),
                (1, &p),
                2,
                (d("2026-01-01"), None),
                hours_per_week(3)
            ),
            Err(ToewijzingError::EndRequired)
        );
        assert!(matches!(
            Toewijzing::new(
                number(),
                (1, &p),
                2,
                (d("2026-01-01"), Some(d("2025-12-31"))),
                hours_per_week(3)
            ),
            Err(ToewijzingError::EndBeforeStart { .. })
        ));
    }

    #[test]
    fn yearly_cost_of_three_hours_a_week_at_sixty_euros() {
        let cost = yearly_cost(hours_per_week(3), Cents::new(6000).unwrap());
        assert_eq!(cost, 3 * 6000 * 52);
    }

    #[test]
    fn stop_reasons_are_the_wmo588_codes() {
        assert_eq!(
            StopReason::parse("31").unwrap().label(),
            "verhuizing naar een andere gemeente"
        );
        assert!(StopReason::parse("99").is_err());
    }
}

//! Products: what a municipality buys, coded as in iWmo (category WMO020 plus a
//! five-character product code), with a plain-Dutch name, the ladder step it
//! sits on (4 or 5: maatwerk) and how it is executed.

use super::{from_list, UnknownCode};
use crate::LadderStep;
use std::fmt;

/// WMO020: the product category (two digits, `01` to `18`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductCategory(u8);

const CATEGORIES: [&str; 18] = [
    "Hulp bij het huishouden",
    "Begeleiding",
    "Persoonlijke verzorging",
    "Kortdurend verblijf",
    "Woondiensten",
    "Overige ondersteuning gericht op het individu of huishouden/gezin",
    "Dagbesteding",
    "Vervoerdiensten",
    "Overige groepsgerichte ondersteuning",
    "Overige maatwerk arrangementen",
    "Rolstoelen",
    "Vervoervoorzieningen",
    "Woonvoorzieningen",
    "Overige hulpmiddelen",
    "Beschermd wonen",
    "Opvang",
    "Spoedopvang",
    "Overige beschermd wonen en opvang",
];

impl ProductCategory {
    pub fn parse(input: &str) -> Result<Self, ProductError> {
        let t = input.trim();
        match t.parse::<u8>() {
            Ok(n) if t.len() == 2 && (1..=18).contains(&n) => Ok(ProductCategory(n)),
            _ => Err(ProductError::Category(t.chars().take(20).collect())),
        }
    }
    /// The code as iWmo writes it: two digits.
    pub fn code(self) -> String {
        format!("{:02}", self.0)
    }
    /// The category's name in the code list.
    pub fn label(self) -> &'static str {
        CATEGORIES[usize::from(self.0 - 1)]
    }
    /// Every category, in code order.
    pub fn all() -> impl Iterator<Item = ProductCategory> {
        (1..=18).map(ProductCategory)
    }
}

/// The product code within a category: five characters, `A`–`Z` and `0`–`9`
/// (iWmo `LDT_ProductCode`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductCode(String);

impl ProductCode {
    pub fn parse(input: &str) -> Result<Self, ProductError> {
        let t = input.trim().to_ascii_uppercase();
        if t.len() == 5
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            Ok(ProductCode(t))
        } else {
            Err(ProductError::Code(input.trim().chars().take(20).collect()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// WJ756: the unit a volume is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Minute,
    Hour,
    Day,
    HalfDay,
    PiecesOutput,
    Euros,
    PiecesEffort,
}

const UNITS: [(&str, Unit); 7] = [
    ("01", Unit::Minute),
    ("04", Unit::Hour),
    ("14", Unit::Day),
    ("16", Unit::HalfDay),
    ("82", Unit::PiecesOutput),
    ("83", Unit::Euros),
    ("84", Unit::PiecesEffort),
];

impl Unit {
    pub fn parse(input: &str) -> Result<Self, UnknownCode> {
        from_list("WJ756 unit", &UNITS, input)
    }
    pub fn code(self) -> &'static str {
        UNITS
            .iter()
            .find(|(_, u)| *u == self)
            .map_or("", |(c, _)| c)
    }
    pub fn label(self) -> &'static str {
        match self {
            Unit::Minute => "minuten",
            Unit::Hour => "uur",
            Unit::Day => "etmalen",
            Unit::HalfDay => "dagdelen",
            Unit::PiecesOutput | Unit::PiecesEffort => "stuks",
            Unit::Euros => "euro",
        }
    }
    /// Units an inspanningsgericht product counts in (the variant table).
    pub fn is_effort(self) -> bool {
        matches!(
            self,
            Unit::Minute | Unit::Hour | Unit::Day | Unit::HalfDay | Unit::PiecesEffort
        )
    }
    pub fn all() -> [Unit; 7] {
        UNITS.map(|(_, u)| u)
    }
}

/// WMO757: how often the volume is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    PerDay,
    PerWeek,
    PerMonth,
    /// Totaal binnen geldigheidsduur toewijzing.
    Total,
}

const FREQUENCIES: [(&str, Frequency); 4] = [
    ("1", Frequency::PerDay),
    ("2", Frequency::PerWeek),
    ("4", Frequency::PerMonth),
    ("6", Frequency::Total),
];

impl Frequency {
    pub fn parse(input: &str) -> Result<Self, UnknownCode> {
        from_list("WMO757 frequency", &FREQUENCIES, input)
    }
    pub fn code(self) -> &'static str {
        FREQUENCIES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(c, _)| c)
    }
    pub fn label(self) -> &'static str {
        match self {
            Frequency::PerDay => "per dag",
            Frequency::PerWeek => "per week",
            Frequency::PerMonth => "per maand",
            Frequency::Total => "in totaal",
        }
    }
    /// How many periods a year holds; `None` for a total over the toewijzing.
    pub fn per_year(self) -> Option<i64> {
        match self {
            Frequency::PerDay => Some(365),
            Frequency::PerWeek => Some(52),
            Frequency::PerMonth => Some(12),
            Frequency::Total => None,
        }
    }
    pub fn all() -> [Frequency; 4] {
        FREQUENCIES.map(|(_, f)| f)
    }
}

/// How a product is delivered and paid (iWmo's execution variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionVariant {
    /// Paid per unit of effort: a toewijzing states volume, unit and frequency;
    /// the product fixes the unit and the frequency, the tariff is per unit.
    Effort { unit: Unit, frequency: Frequency },
    /// Paid for a result: a toewijzing states pieces or a budget.
    Output,
    /// A lump sum to a provider: no individual toewijzing.
    Task,
}

impl ExecutionVariant {
    pub fn code(self) -> &'static str {
        match self {
            ExecutionVariant::Effort { .. } => "inspanningsgericht",
            ExecutionVariant::Output => "outputgericht",
            ExecutionVariant::Task => "taakgericht",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ExecutionVariant::Effort { .. } => "Inspanningsgericht (tijd of inzet)",
            ExecutionVariant::Output => "Outputgericht (resultaat of budget)",
            ExecutionVariant::Task => "Taakgericht (vast bedrag per aanbieder)",
        }
    }
    /// Builds a variant from its stored parts; `unit` and `frequency` are
    /// required for (and only for) inspanningsgericht.
    pub fn parse(
        code: &str,
        unit: Option<&str>,
        frequency: Option<&str>,
    ) -> Result<Self, ProductError> {
        match code.trim() {
            "inspanningsgericht" => {
                let unit = Unit::parse(unit.unwrap_or_default()).map_err(ProductError::Unit)?;
                if !unit.is_effort() {
                    return Err(ProductError::UnitNotEffort(unit.code()));
                }
                let frequency = Frequency::parse(frequency.unwrap_or_default())
                    .map_err(ProductError::Frequency)?;
                Ok(ExecutionVariant::Effort { unit, frequency })
            }
            "outputgericht" => Ok(ExecutionVariant::Output),
            "taakgericht" => Ok(ExecutionVariant::Task),
            other => Err(ProductError::Variant(other.chars().take(30).collect())),
        }
    }
    pub fn needs_toewijzing(self) -> bool {
        self != ExecutionVariant::Task
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("product category must be a WMO020 code, two digits from 01 to 18; got '{0}'")]
    Category(String),
    #[error("product code must be five characters A-Z or 0-9, e.g. 02A05; got '{0}'")]
    Code(String),
    #[error("product name must be 3 to 120 characters")]
    Name,
    #[error("a product for maatwerk sits on ladder step 4 or 5; got {0}")]
    Step(u8),
    #[error(
        "execution variant must be inspanningsgericht, outputgericht or taakgericht; got '{0}'"
    )]
    Variant(String),
    #[error("{0}")]
    Unit(UnknownCode),
    #[error("unit {0} counts output or money; an inspanningsgericht product counts time or effort (01, 04, 14, 16, 84)")]
    UnitNotEffort(&'static str),
    #[error("{0}")]
    Frequency(UnknownCode),
}

impl ProductError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ProductError::Category(_) => "categorie",
            ProductError::Code(_) => "code",
            ProductError::Name => "naam",
            ProductError::Step(_) => "trede",
            ProductError::Variant(_) => "variant",
            ProductError::Unit(_) | ProductError::UnitNotEffort(_) => "eenheid",
            ProductError::Frequency(_) => "frequentie",
        }
    }
}

/// A product as a municipality buys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    category: ProductCategory,
    code: ProductCode,
    name: String,
    step: LadderStep,
    variant: ExecutionVariant,
}

impl Product {
    pub fn new(
        category: ProductCategory,
        code: ProductCode,
        name: &str,
        step: LadderStep,
        variant: ExecutionVariant,
    ) -> Result<Product, ProductError> {
        let name = name.trim();
        if !(3..=120).contains(&name.chars().count()) {
            return Err(ProductError::Name);
        }
        if step.value() < 4 {
            return Err(ProductError::Step(step.value()));
        }
        Ok(Product {
            category,
            code,
            name: name.to_owned(),
            step,
            variant,
        })
    }
    /// A product from its parts as typed (a beheer form): each part parsed,
    /// the first problem named by its field ([`ProductError::field`]). The
    /// unit and frequency count only for an inspanningsgericht product.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        category: &str,
        code: &str,
        name: &str,
        step: &str,
        variant: &str,
        unit: &str,
        frequency: &str,
    ) -> Result<Product, ProductError> {
        let category = ProductCategory::parse(category)?;
        let code = ProductCode::parse(code)?;
        let step = step
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|s| LadderStep::new(s).ok())
            .ok_or(ProductError::Step(0))?;
        let variant = ExecutionVariant::parse(variant, Some(unit), Some(frequency))?;
        Product::new(category, code, name, step, variant)
    }
    pub fn category(&self) -> ProductCategory {
        self.category
    }
    pub fn code(&self) -> &ProductCode {
        &self.code
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn step(&self) -> LadderStep {
        self.step
    }
    pub fn variant(&self) -> ExecutionVariant {
        self.variant
    }
    /// `02A05`-style full code: category and product code.
    pub fn full_code(&self) -> String {
        format!("{}/{}", self.category.code(), self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(n: u8) -> LadderStep {
        LadderStep::new(n).unwrap()
    }

    #[test]
    fn category_outside_wmo020_is_rejected() {
        assert!(ProductCategory::parse("00").is_err());
        assert!(ProductCategory::parse("19").is_err());
        assert!(ProductCategory::parse("2").is_err());
        assert_eq!(ProductCategory::parse("02").unwrap().label(), "Begeleiding");
    }

    #[test]
    fn product_code_is_five_letters_or_digits() {
        assert_eq!(ProductCode::parse(" 02a05 ").unwrap().as_str(), "02A05");
        assert!(ProductCode::parse("02A0").is_err());
        assert!(ProductCode::parse("02-05").is_err());
    }

    #[test]
    fn a_typed_product_names_the_field_of_its_first_problem() {
        let ok = Product::parse(
            "02",
            "02a01",
            "Begeleiding individueel",
            "5",
            "inspanningsgericht",
            "04",
            "2",
        )
        .unwrap();
        assert_eq!(ok.full_code(), "02/02A01");
        assert_eq!(
            ok.variant(),
            ExecutionVariant::Effort {
                unit: Unit::parse("04").unwrap(),
                frequency: Frequency::parse("2").unwrap()
            }
        );
        // Unit and frequency count only for inspanningsgericht.
        assert_eq!(
            Product::parse("08", "08A01", "Rolstoel", "5", "outputgericht", "", "")
                .unwrap()
                .variant(),
            ExecutionVariant::Output
        );
        let field = |c: &str, code: &str, n: &str, st: &str, v: &str, u: &str, f: &str| {
            Product::parse(c, code, n, st, v, u, f).unwrap_err().field()
        };
        assert_eq!(
            field("99", "02A01", "Naam", "5", "outputgericht", "", ""),
            "categorie"
        );
        assert_eq!(
            field("02", "2A", "Naam", "5", "outputgericht", "", ""),
            "code"
        );
        assert_eq!(
            field("02", "02A01", "Naam", "drie", "outputgericht", "", ""),
            "trede"
        );
        assert_eq!(
            field("02", "02A01", "Naam", "3", "outputgericht", "", ""),
            "trede"
        );
        assert_eq!(field("02", "02A01", "Naam", "5", "los", "", ""), "variant");
        assert_eq!(
            field("02", "02A01", "Naam", "5", "inspanningsgericht", "", "2"),
            "eenheid"
        );
        assert_eq!(
            field("02", "02A01", "Naam", "5", "inspanningsgericht", "04", "9"),
            "frequentie"
        );
        assert_eq!(
            field("02", "02A01", " x ", "5", "outputgericht", "", ""),
            "naam"
        );
    }

    #[test]
    fn a_product_below_step_four_is_not_maatwerk() {
        let p = Product::new(
            ProductCategory::parse("02").unwrap(),
            ProductCode::parse("02A01").unwrap(),
            "Begeleiding individueel",
            step(3),
            ExecutionVariant::Output,
        );
        assert_eq!(p, Err(ProductError::Step(3)));
    }

    #[test]
    fn effort_variant_needs_an_effort_unit_and_a_frequency() {
        assert_eq!(
            ExecutionVariant::parse("inspanningsgericht", Some("04"), Some("2")),
            Ok(ExecutionVariant::Effort {
                unit: Unit::Hour,
                frequency: Frequency::PerWeek
            })
        );
        assert_eq!(
            ExecutionVariant::parse("inspanningsgericht", Some("83"), Some("2")),
            Err(ProductError::UnitNotEffort("83"))
        );
        assert!(ExecutionVariant::parse("inspanningsgericht", Some("04"), None).is_err());
        assert_eq!(
            ExecutionVariant::parse("taakgericht", None, None),
            Ok(ExecutionVariant::Task)
        );
    }
}

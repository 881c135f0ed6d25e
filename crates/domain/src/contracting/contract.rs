//! Contracts: a lot, the municipalities that buy it together, its products,
//! the quality requirements a provider must meet, and a tariff per product and
//! period. Tariffs are versioned: a new tariff from a date closes the one
//! before it the day before, so on any date a product has at most one tariff.

use crate::MunicipalityCode;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::fmt;

/// An amount in euro cents (never floating point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("amount must be euros with at most two decimals, e.g. 62,50; got '{0}'")]
pub struct CentsError(pub String);

impl Cents {
    /// Cents are never negative here: tariffs, budgets and mandates.
    pub fn new(cents: i64) -> Result<Cents, CentsError> {
        if (0..=9_999_999_999).contains(&cents) {
            Ok(Cents(cents))
        } else {
            Err(CentsError(cents.to_string()))
        }
    }
    /// Parses `62,50`, `62.50`, `€ 62` or `1.250,00` (Dutch thousands dots).
    pub fn parse_euros(input: &str) -> Result<Cents, CentsError> {
        let err = || CentsError(input.trim().chars().take(20).collect());
        let t = input.trim().trim_start_matches('€').trim();
        let (whole, frac) = match t.rsplit_once(',') {
            Some((w, f)) => (w.replace('.', ""), f.to_owned()),
            None => match t.rsplit_once('.') {
                Some((w, f)) if f.len() <= 2 => (w.to_owned(), f.to_owned()),
                _ => (t.replace('.', ""), String::new()),
            },
        };
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || !frac.chars().all(|c| c.is_ascii_digit())
            || whole.len() > 10
        {
            return Err(err());
        }
        let euros: i64 = whole.parse().map_err(|_| err())?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse().map_err(|_| err())?,
        };
        Cents::new(euros * 100 + cents).map_err(|_| err())
    }
    pub fn value(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Cents {
    /// Dutch notation: `€ 1.250,00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let euros = self.0 / 100;
        let digits = euros.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(c);
        }
        write!(f, "€ {grouped},{:02}", self.0 % 100)
    }
}

/// A quality requirement of a contract (e.g. "HKZ-certificaat of gelijkwaardig").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub id: i64,
    pub name: String,
}

/// The price of one unit (or one piece, or the lump sum) of a product in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tariff {
    pub id: i64,
    pub product_id: i64,
    pub cents: Cents,
    pub valid_from: NaiveDate,
    /// Inclusive; `None` while no later tariff has been set.
    pub valid_until: Option<NaiveDate>,
}

impl Tariff {
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|until| date <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    #[error("the lot needs a name of 3 to 120 characters")]
    Lot,
    #[error("a contract is bought by at least one municipality")]
    NoMunicipality,
    #[error("the contract period ends ({until}) before it starts ({from})")]
    Period { from: NaiveDate, until: NaiveDate },
    #[error("product {0} is not part of this contract")]
    ProductNotInContract(i64),
    #[error("a new tariff must start after the current one ({current}); got {from}")]
    TariffNotLater { current: NaiveDate, from: NaiveDate },
    #[error("the tariff starts outside the contract period")]
    TariffOutsidePeriod,
}

impl ContractError {
    pub fn field(&self) -> &'static str {
        match self {
            ContractError::Lot => "perceel",
            ContractError::NoMunicipality => "gemeenten",
            ContractError::Period { .. } => "einddatum",
            ContractError::ProductNotInContract(_) => "product",
            ContractError::TariffNotLater { .. } | ContractError::TariffOutsidePeriod => {
                "ingangsdatum"
            }
        }
    }
}

/// A contract (one lot) with its products, requirements and tariffs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: i64,
    lot: String,
    municipalities: Vec<MunicipalityCode>,
    from: NaiveDate,
    until: NaiveDate,
    products: BTreeSet<i64>,
    requirements: Vec<Requirement>,
    tariffs: Vec<Tariff>,
}

impl Contract {
    pub fn new(
        id: i64,
        lot: &str,
        municipalities: Vec<MunicipalityCode>,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<Contract, ContractError> {
        let lot = lot.trim();
        if !(3..=120).contains(&lot.chars().count()) {
            return Err(ContractError::Lot);
        }
        if municipalities.is_empty() {
            return Err(ContractError::NoMunicipality);
        }
        if until < from {
            return Err(ContractError::Period { from, until });
        }
        Ok(Contract {
            id,
            lot: lot.to_owned(),
            municipalities,
            from,
            until,
            products: BTreeSet::new(),
            requirements: Vec::new(),
            tariffs: Vec::new(),
        })
    }

    /// Adds stored parts back (the store reads them as they were written).
    pub fn with_parts(
        mut self,
        products: impl IntoIterator<Item = i64>,
        requirements: Vec<Requirement>,
        tariffs: Vec<Tariff>,
    ) -> Contract {
        self.products.extend(products);
        self.requirements = requirements;
        self.tariffs = tariffs;
        self
    }

    /// The contract as it stood before any tariff was set (what an
    /// application made at the start of the period saw).
    pub fn without_tariffs(&self) -> Contract {
        Contract {
            tariffs: Vec::new(),
            ..self.clone()
        }
    }

    pub fn lot(&self) -> &str {
        &self.lot
    }
    pub fn municipalities(&self) -> &[MunicipalityCode] {
        &self.municipalities
    }
    pub fn from(&self) -> NaiveDate {
        self.from
    }
    pub fn until(&self) -> NaiveDate {
        self.until
    }
    pub fn products(&self) -> &BTreeSet<i64> {
        &self.products
    }
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
    pub fn tariffs(&self) -> &[Tariff] {
        &self.tariffs
    }
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.until
    }

    /// The tariff of `product` on `date`, if any.
    pub fn tariff_on(&self, product: i64, date: NaiveDate) -> Option<&Tariff> {
        self.tariffs
            .iter()
            .find(|t| t.product_id == product && t.is_valid_on(date))
    }

    /// The newest tariff of a product (the one without an end, or the latest).
    pub fn latest_tariff(&self, product: i64) -> Option<&Tariff> {
        self.tariffs
            .iter()
            .filter(|t| t.product_id == product)
            .max_by_key(|t| t.valid_from)
    }

    /// Plans a new tariff for `product` from `from`: the current latest tariff
    /// ends the day before. Returns the change: the id of the tariff that is
    /// closed (with its new end) and the new tariff (id 0 until stored).
    pub fn set_tariff(
        &mut self,
        product: i64,
        cents: Cents,
        from: NaiveDate,
    ) -> Result<(Option<(i64, NaiveDate)>, Tariff), ContractError> {
        if !self.products.contains(&product) {
            return Err(ContractError::ProductNotInContract(product));
        }
        if !self.covers(from) {
            return Err(ContractError::TariffOutsidePeriod);
        }
        let mut closed = None;
        if let Some(latest) = self.latest_tariff(product) {
            if from <= latest.valid_from {
                return Err(ContractError::TariffNotLater {
                    current: latest.valid_from,
                    from,
                });
            }
            let id = latest.id;
            let end = from.pred_opt().unwrap_or(from);
            for t in self.tariffs.iter_mut().filter(|t| t.id == id) {
                t.valid_until = Some(end);
            }
            closed = Some((id, end));
        }
        let tariff = Tariff {
            id: 0,
            product_id: product,
            cents,
            valid_from: from,
            valid_until: None,
        };
        self.tariffs.push(tariff.clone());
        Ok((closed, tariff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn contract() -> Contract {
        Contract::new(
            1,
            "Perceel 2: begeleiding",
            vec![MunicipalityCode::parse("GM9999").unwrap()],
            d("2026-01-01"),
            d("2027-12-31"),
        )
        .unwrap()
        .with_parts([7], vec![], vec![])
    }

    #[test]
    fn euros_parse_in_dutch_and_plain_notation() {
        assert_eq!(Cents::parse_euros("62,50").unwrap().value(), 6250);
        assert_eq!(Cents::parse_euros("€ 1.250,00").unwrap().value(), 125_000);
        assert_eq!(Cents::parse_euros("62.5").unwrap().value(), 6250);
        assert_eq!(Cents::parse_euros("500").unwrap().value(), 50_000);
        assert!(Cents::parse_euros("-5").is_err());
        assert!(Cents::parse_euros("12,345").is_err());
        assert!(Cents::parse_euros("").is_err());
        assert_eq!(Cents::new(125_050).unwrap().to_string(), "€ 1.250,50");
    }

    #[test]
    fn a_new_tariff_closes_the_previous_one_the_day_before() {
        let mut c = contract();
        c.set_tariff(7, Cents::new(6000).unwrap(), d("2026-01-01"))
            .unwrap();
        c.tariffs[0].id = 1;
        let (closed, _) = c
            .set_tariff(7, Cents::new(6400).unwrap(), d("2026-07-01"))
            .unwrap();
        assert_eq!(closed, Some((1, d("2026-06-30"))));
        assert_eq!(c.tariff_on(7, d("2026-06-30")).unwrap().cents.value(), 6000);
        assert_eq!(c.tariff_on(7, d("2026-07-01")).unwrap().cents.value(), 6400);
    }

    #[test]
    fn a_tariff_for_a_product_outside_the_contract_is_refused() {
        let mut c = contract();
        assert_eq!(
            c.set_tariff(8, Cents::new(1).unwrap(), d("2026-01-01")),
            Err(ContractError::ProductNotInContract(8))
        );
    }

    proptest! {
        /// However tariffs are set, a product has at most one tariff on any date.
        #[test]
        fn at_most_one_tariff_per_product_and_date(
            starts in proptest::collection::vec(0i64..700, 1..8),
            probe in 0i64..730,
        ) {
            let mut c = contract();
            let base = d("2026-01-01");
            for (i, s) in starts.iter().enumerate() {
                let from = base + chrono::Days::new(*s as u64);
                if let Ok((_, _)) = c.set_tariff(7, Cents::new(100 + i as i64).unwrap(), from) {
                    let n = c.tariffs.len() as i64;
                    c.tariffs.last_mut().unwrap().id = n;
                }
            }
            let date = base + chrono::Days::new(probe as u64);
            let valid = c.tariffs().iter().filter(|t| t.is_valid_on(date)).count();
            prop_assert!(valid <= 1);
        }
    }
}

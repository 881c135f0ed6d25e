//! What a referral asks for: a contracted product (maatwerk, the product is
//! then required: nothing downstream — the mandate, the resident's choice, the
//! toewijzing, iWmo — works without one), or other care that the municipality
//! does not buy (for example through the GP or the health insurer), described
//! in words only.

/// The kind of care a referral asks for, as parsed from a form or a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralCare {
    /// Maatwerk: a contracted product, by its id.
    Maatwerk { product_id: i64 },
    /// Care outside the municipality's contracts: no product.
    Other,
}

/// Why a referral's kind and product do not parse; [`Self::field`] names the
/// input that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferralCareError {
    #[error("kind must be 'maatwerk' or 'overig'")]
    UnknownKind,
    #[error("a referral for maatwerk needs a product")]
    ProductMissing,
    #[error("product must be a product id")]
    ProductNotAnId,
    #[error("a referral for other care names no product")]
    ProductForOther,
}

impl ReferralCareError {
    /// The input this error is about: `soort` or `product`.
    pub fn field(self) -> &'static str {
        match self {
            ReferralCareError::UnknownKind | ReferralCareError::ProductForOther => "soort",
            ReferralCareError::ProductMissing | ReferralCareError::ProductNotAnId => "product",
        }
    }
}

/// The kind's code for maatwerk.
pub const MAATWERK: &str = "maatwerk";
/// The kind's code for other care.
pub const OTHER_CARE: &str = "overig";

impl ReferralCare {
    /// Parses a kind (`maatwerk`, `overig`, or empty) and a product id (empty
    /// for none). An empty kind follows the product: a product makes it
    /// maatwerk (what clients that predate the kind send).
    pub fn parse(kind: &str, product: &str) -> Result<ReferralCare, ReferralCareError> {
        let product = product.trim();
        let product_id = if product.is_empty() {
            None
        } else {
            match product.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => return Err(ReferralCareError::ProductNotAnId),
            }
        };
        match (kind.trim(), product_id) {
            (MAATWERK | "", Some(product_id)) => Ok(ReferralCare::Maatwerk { product_id }),
            (MAATWERK, None) => Err(ReferralCareError::ProductMissing),
            (OTHER_CARE | "", None) => Ok(ReferralCare::Other),
            (OTHER_CARE, Some(_)) => Err(ReferralCareError::ProductForOther),
            _ => Err(ReferralCareError::UnknownKind),
        }
    }

    pub fn product_id(self) -> Option<i64> {
        match self {
            ReferralCare::Maatwerk { product_id } => Some(product_id),
            ReferralCare::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn maatwerk_without_a_product_is_refused_on_the_product() {
        let e = ReferralCare::parse("maatwerk", " ").unwrap_err();
        assert_eq!(e, ReferralCareError::ProductMissing);
        assert_eq!(e.field(), "product");
    }

    #[test]
    fn kinds_and_products() {
        assert_eq!(
            ReferralCare::parse("maatwerk", "7"),
            Ok(ReferralCare::Maatwerk { product_id: 7 })
        );
        assert_eq!(ReferralCare::parse("overig", ""), Ok(ReferralCare::Other));
        assert_eq!(ReferralCare::parse("", ""), Ok(ReferralCare::Other));
        assert_eq!(
            ReferralCare::parse("", "3"),
            Ok(ReferralCare::Maatwerk { product_id: 3 })
        );
        assert_eq!(
            ReferralCare::parse("overig", "3"),
            Err(ReferralCareError::ProductForOther)
        );
        assert_eq!(
            ReferralCare::parse("maatwerk", "drie"),
            Err(ReferralCareError::ProductNotAnId)
        );
        assert_eq!(
            ReferralCare::parse("maatwerk", "0"),
            Err(ReferralCareError::ProductNotAnId)
        );
        assert_eq!(
            ReferralCare::parse("ggz", ""),
            Err(ReferralCareError::UnknownKind)
        );
    }

    proptest! {
        /// A parsed referral for maatwerk always names a product, and one
        /// for other care never does.
        #[test]
        fn maatwerk_always_has_a_product(kind in "(maatwerk|overig|)|\\PC{0,8}", product in "\\PC{0,6}|[0-9]{1,5}") {
            if let Ok(care) = ReferralCare::parse(&kind, &product) {
                match care {
                    ReferralCare::Maatwerk { product_id } => prop_assert!(product_id > 0),
                    ReferralCare::Other => prop_assert!(product.trim().is_empty()),
                }
                if kind.trim() == MAATWERK {
                    prop_assert!(care.product_id().is_some());
                }
            }
        }
    }
}

//! A provider's scorecard as it is published: the households its results
//! rest on through the cell-key method (`baken_domain::cell_key::protect`),
//! a mean only when it rests on at least five households, and the sentence a
//! resident reads when choosing a provider (plain B1 Dutch).
//!
//! Used by commissioning (beleid and the provider see the scorecard per
//! district and per product) and contracting (the resident's choice), so both
//! publish the same figures in the same way.

use baken_domain::cell_key::{protect, CellKeys};
use baken_domain::commissioning::Hundredths;
use baken_domain::protect::MIN_SHOWN;

/// The published number of households, and whether a mean over them may be
/// shown: only when the true count and the published count are both at
/// least five (a published 0 reads "0 to 5").
pub fn households(true_count: i64, cell: &CellKeys) -> (u64, bool) {
    let published = protect(cell).value();
    let enough = true_count >= MIN_SHOWN && published >= MIN_SHOWN as u64;
    (published, enough)
}

/// A change in hundredths of a point with its sign: `+0,4`, `-0,25`, `0`.
pub fn signed(value: i64) -> String {
    let text = Hundredths::new(value.abs()).to_string();
    match value {
        0 => text,
        v if v > 0 => format!("+{text}"),
        _ => format!("-{text}"),
    }
}

/// The result of one provider for one product, for a resident choosing:
/// short sentences, no jargon. `change` and `adjusted` are in hundredths of
/// a point on the self-reliance scale of 1 to 5.
pub fn for_resident(
    true_count: i64,
    cell: &CellKeys,
    change: Option<i64>,
    adjusted: Option<i64>,
) -> String {
    let (published, enough) = households(true_count, cell);
    let (Some(change), true) = (change, enough) else {
        return "Nog te weinig huishoudens om iets over het resultaat te zeggen.".to_owned();
    };
    let points = |v: i64| format!("{} punt", Hundredths::new(v.abs()));
    let first = match change {
        0 => "Huishoudens gingen gemiddeld niet vooruit of achteruit.".to_owned(),
        c if c > 0 => format!("Huishoudens gingen gemiddeld {} vooruit.", points(c)),
        c => format!("Huishoudens gingen gemiddeld {} achteruit.", points(c)),
    };
    let second = match adjusted {
        None => String::new(),
        Some(a) if a.abs() < 10 => " Dat is ongeveer wat we verwachtten.".to_owned(),
        Some(a) if a > 0 => format!(" Dat is {} meer dan we verwachtten.", points(a)),
        Some(a) => format!(" Dat is {} minder dan we verwachtten.", points(a)),
    };
    format!("{first}{second} Gemeten bij {published} huishoudens.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_five_households_say_nothing_about_the_result() {
        let cell = CellKeys::from_parts(3, 12345);
        let text = for_resident(3, &cell, Some(80), Some(20));
        assert_eq!(
            text,
            "Nog te weinig huishoudens om iets over het resultaat te zeggen."
        );
        assert_eq!(households(3, &cell), (0, false));
    }

    #[test]
    fn a_result_reads_as_plain_sentences_with_a_protected_count() {
        let cell = CellKeys::from_parts(40, 0);
        let text = for_resident(40, &cell, Some(60), Some(-25));
        assert!(
            text.starts_with("Huishoudens gingen gemiddeld 0,6 punt vooruit."),
            "{text}"
        );
        assert!(
            text.contains("Dat is 0,25 punt minder dan we verwachtten."),
            "{text}"
        );
        // A cell key of 0 takes the first outcome of the row for 7 and more: no change.
        assert!(text.ends_with("Gemeten bij 40 huishoudens."), "{text}");
        let about = for_resident(40, &cell, Some(60), Some(5));
        assert!(about.contains("ongeveer wat we verwachtten"), "{about}");
    }

    #[test]
    fn signed_changes_carry_their_sign() {
        assert_eq!(signed(40), "+0,4");
        assert_eq!(signed(-25), "-0,25");
        assert_eq!(signed(0), "0");
    }
}

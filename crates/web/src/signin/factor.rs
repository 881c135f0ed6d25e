//! What the enrolment and beheer pages both show about a second factor (a leaf:
//! it imports no page of `signin`).

/// When a second factor was set up, as the pages show it (Dutch local time).
pub(super) fn confirmed_since(factor: &baken_store::second_factor::Factor) -> Option<String> {
    factor.confirmed_at.map(|t| {
        crate::support::time::nl_local(t)
            .format("%d-%m-%Y om %H:%M")
            .to_string()
    })
}

//! Small-count protection for figures shown to policy roles and team leads.
//!
//! Architecture invariant: every count that reaches a beleid view passes through
//! [`protect_count`]. A count from 1 to 4 could point at a person; it is shown as
//! "<5". Zero is shown as 0 (an empty cell discloses nobody).

use serde::Serialize;

/// The smallest count shown as a number.
pub const MIN_SHOWN: i64 = 5;

/// A count as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProtectedCount {
    Shown(i64),
    /// 1..=4, shown as "<5".
    Small,
}

impl ProtectedCount {
    pub fn display(self) -> String {
        match self {
            ProtectedCount::Shown(n) => n.to_string(),
            ProtectedCount::Small => format!("<{MIN_SHOWN}"),
        }
    }
}

pub fn protect_count(n: i64) -> ProtectedCount {
    if n > 0 && n < MIN_SHOWN {
        ProtectedCount::Small
    } else {
        ProtectedCount::Shown(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn no_count_from_one_to_four_is_shown(n in 0i64..10_000) {
            let p = protect_count(n);
            match p {
                ProtectedCount::Shown(v) => { prop_assert_eq!(v, n); prop_assert!(n == 0 || n >= MIN_SHOWN); }
                ProtectedCount::Small => prop_assert!((1..MIN_SHOWN).contains(&n)),
            }
        }
    }

    #[test]
    fn small_counts_display_as_less_than_five() {
        assert_eq!(protect_count(3).display(), "<5");
        assert_eq!(protect_count(0).display(), "0");
        assert_eq!(protect_count(12).display(), "12");
    }
}

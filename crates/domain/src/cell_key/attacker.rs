//! A differencing attacker's arithmetic, for the property tests of every
//! table published through the cell key (here and in the modules that publish).

use super::consistent_counts;

/// A range of candidate counts, inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Range(pub i64, pub i64);

impl Range {
    /// What one published count says of its true count.
    pub fn of(published: u64) -> Range {
        let c = consistent_counts(published);
        Range(c[0] as i64, *c.last().unwrap_or(&c[0]) as i64)
    }
    pub fn minus(self, o: Range) -> Range {
        Range(self.0 - o.1, self.1 - o.0)
    }
    pub fn plus(self, o: Range) -> Range {
        Range(self.0 + o.0, self.1 + o.1)
    }
    pub fn meet(self, o: Range) -> Range {
        Range(self.0.max(o.0).max(0), self.1.min(o.1))
    }
    pub fn pins(self) -> Option<i64> {
        (self.0 == self.1).then_some(self.0)
    }
}

/// One route to a set of `truth` records, met with the set's own published
/// count when some table publishes exactly that set: the truth must remain a
/// candidate, and no count from 1 to 4 may be pinned.
pub(crate) fn judge(truth: i64, route: Range, own: Option<u64>) -> Result<(), String> {
    let mut known = route.meet(Range(0, i64::MAX));
    if let Some(own) = own {
        known = known.meet(Range::of(own));
    }
    if !(known.0 <= truth && truth <= known.1) {
        return Err(format!("the truth {truth} is no candidate ({known:?})"));
    }
    match known.pins() {
        Some(v) if (1..=4).contains(&v) => Err(format!("pins the count {v}")),
        _ => Ok(()),
    }
}

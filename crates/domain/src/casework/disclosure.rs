//! Which counts of a bakens figure may be published, so that no count from 1
//! to 4 can be read *or recomputed* from what is shown.
//!
//! A *family* is a set of records (the agreements of a period, say) split into
//! a few disjoint cells; every count a family of figures publishes is a union
//! of cells (a bitmask). Three ways to leak a small count are closed here:
//!
//! - the count itself is 1–4: shown as "<5" (or, see below, not at all);
//! - it can be recomputed from counts shown exactly — "8 van 10" gives away
//!   the 2 that are not, "10 in total, 6 on steps 1–2, 2 on step 3" gives away
//!   the 2 on steps 4–5: any union of cells whose value is 1–4 that is a
//!   linear combination of the exactly shown counts. A count that would make
//!   such a union recomputable is not shown (`Hidden`, "x" — Statistics
//!   Netherlands' sign for a suppressed cell);
//! - the *way* a count is withheld can give it away: if "<5" meant "1–4" and
//!   "x" meant "would reveal a small complement", then "x van 6" would say
//!   "5 of 6". And two "<5" adding up to a known 8 are 4 and 4. So only a
//!   family's total may say "<5"; a part that is not shown exactly is always
//!   "x", whatever the reason.
//!
//! Counts are decided in order of importance (the first is the family's
//! total), so the headline figures survive and the secondary ones give way.
//! A share is shown only when its part and its whole are both shown exactly,
//! which by the rule above also protects the complement.

use crate::cell_key::{self, CellKeys};
use crate::protect::MIN_SHOWN;

/// One count as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Shown as the number: 0, or 5 and more, and recomputes nothing small.
    Exact(i64),
    /// A family's total of 1–4, shown as "<5".
    Small,
    /// Not shown: it would let someone recompute a count from 1 to 4.
    Hidden,
}

impl Shown {
    pub fn display(self) -> String {
        match self {
            Shown::Exact(n) => n.to_string(),
            Shown::Small => format!("<{MIN_SHOWN}"),
            Shown::Hidden => "x".to_owned(),
        }
    }

    pub fn exact(self) -> Option<i64> {
        match self {
            Shown::Exact(n) => Some(n),
            _ => None,
        }
    }
}

fn is_small(n: i64) -> bool {
    n > 0 && n < MIN_SHOWN
}

/// The value of a union of cells.
pub fn value(cells: &[i64], mask: u32) -> i64 {
    cells
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, v)| *v)
        .sum()
}

/// Vectors in reduced row-echelon form: is a union of cells a linear
/// combination of the exactly published ones?
#[derive(Default)]
struct Span {
    rows: Vec<(usize, Vec<f64>)>,
}

impl Span {
    fn vector(mask: u32, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| if mask & (1 << i) != 0 { 1.0 } else { 0.0 })
            .collect()
    }

    fn reduce(&self, mut v: Vec<f64>) -> Vec<f64> {
        for (pivot, row) in &self.rows {
            let f = v[*pivot];
            if f.abs() > 1e-9 {
                for (x, r) in v.iter_mut().zip(row) {
                    *x -= f * r;
                }
            }
        }
        v
    }

    fn contains(&self, mask: u32, n: usize) -> bool {
        self.reduce(Span::vector(mask, n))
            .iter()
            .all(|x| x.abs() < 1e-9)
    }

    fn add(&mut self, mask: u32, n: usize) {
        let v = self.reduce(Span::vector(mask, n));
        let Some(pivot) = v.iter().position(|x| x.abs() > 1e-9) else {
            return;
        };
        let p = v[pivot];
        let v: Vec<f64> = v.iter().map(|x| x / p).collect();
        for (_, row) in self.rows.iter_mut() {
            let f = row[pivot];
            if f.abs() > 1e-9 {
                for (r, x) in row.iter_mut().zip(&v) {
                    *r -= f * x;
                }
            }
        }
        self.rows.push((pivot, v));
    }
}

/// Decides how each of `stats` (unions of `cells`, most important first; the
/// first is the family's total) may be published. At most 16 cells.
pub fn publish(cells: &[i64], stats: &[u32]) -> Vec<Shown> {
    let n = cells.len().min(16);
    let all_masks = 1u32..(1u32 << n);
    // The unions that must never become recomputable.
    let small: Vec<u32> = all_masks.filter(|m| is_small(value(cells, *m))).collect();
    let mut span = Span::default();
    let mut out = Vec::with_capacity(stats.len());
    for (i, mask) in stats.iter().enumerate() {
        let v = value(cells, *mask);
        let shown = if is_small(v) {
            if i == 0 {
                Shown::Small
            } else {
                Shown::Hidden
            }
        } else if span.contains(*mask, n) {
            // Already recomputable from what is shown: showing it adds nothing.
            Shown::Exact(v)
        } else {
            let mut tentative = Span {
                rows: span.rows.clone(),
            };
            tentative.add(*mask, n);
            if small.iter().any(|s| tentative.contains(*s, n)) {
                Shown::Hidden
            } else {
                span = tentative;
                Shown::Exact(v)
            }
        };
        out.push(shown);
    }
    out
}

/// [`publish`] with the cell-key method on top: the decisions are taken on the
/// true counts as above, and every count that is shown is then published through
/// [`cell_key::protect`] with the keys of its records — so the same figure asked
/// for another team, district or period cannot be subtracted from this one to
/// find a small count either. A family's total of 1–4 is published as
/// `protect` publishes it (0), not as "<5": "<5" would tell the reader that the
/// count is 1–4, which a second figure could pin.
pub fn publish_keyed(cells: &[CellKeys], stats: &[u32]) -> Vec<Shown> {
    let counts: Vec<i64> = cells.iter().map(|c| c.count() as i64).collect();
    let union = |mask: u32| -> CellKeys {
        cells
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, c)| *c)
            .sum()
    };
    publish(&counts, stats)
        .into_iter()
        .zip(stats)
        .map(|(shown, mask)| match shown {
            Shown::Exact(_) | Shown::Small => {
                Shown::Exact(cell_key::protect(&union(*mask)).value() as i64)
            }
            Shown::Hidden => Shown::Hidden,
        })
        .collect()
}

/// A share in whole percents, when part and whole are shown exactly and the
/// whole is at least 5.
pub fn share(part: Shown, whole: Shown) -> Option<i64> {
    match (part, whole) {
        // Noise is added to part and whole each, so a part can exceed its whole.
        (Shown::Exact(p), Shown::Exact(w)) if w >= MIN_SHOWN => {
            Some(((p as f64 * 100.0 / w as f64).round() as i64).min(100))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_whose_complement_is_small_is_not_shown() {
        // 8 of 10: the 2 that are not would follow.
        let s = publish(&[8, 2], &[0b11, 0b01]);
        assert_eq!(s, vec![Shown::Exact(10), Shown::Hidden]);
        // 2 of 10: not shown either, and in the same way, so that "x" does
        // not tell which of the two is small.
        let s = publish(&[2, 8], &[0b11, 0b01]);
        assert_eq!(s, vec![Shown::Exact(10), Shown::Hidden]);
        assert_eq!(share(s[1], s[0]), None);
        // A total of 1–4 says "<5".
        assert_eq!(
            publish(&[3, 0], &[0b11, 0b10]),
            vec![Shown::Small, Shown::Exact(0)]
        );
    }

    #[test]
    fn a_difference_of_two_shown_counts_is_protected_too() {
        // Cells: steps 1–2, step 3, steps 4–5. Total 12, steps 1–2 = 7, step 3 = 5:
        // steps 4–5 = 0 — fine. With step 3 = 3, showing steps 1–2 and
        // "steps 1–3" would give the 3 away.
        let s = publish(&[7, 3, 2], &[0b111, 0b001, 0b011]);
        assert_eq!(s[0], Shown::Exact(12));
        assert_eq!(s[1], Shown::Exact(7));
        assert_eq!(s[2], Shown::Hidden, "10 would give away 3 (and 2)");
    }

    #[test]
    fn small_parts_are_hidden() {
        let s = publish(&[4, 4], &[0b11, 0b01, 0b10]);
        assert_eq!(s, vec![Shown::Exact(8), Shown::Hidden, Shown::Hidden]);
    }
}

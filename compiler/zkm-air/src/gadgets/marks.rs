//! `Marks`: the indicator of a fixed set of rows `M`, a union of disjoint intervals
//! `[a_0, b_0) ∪ [a_1, b_1) ∪ …` (single rows or longer), from one column, in place of two prefix
//! selectors per interval.
//!
//! The column `q` counts the marked rows at or after the row: `q[r] = |{m ∈ M : m ≥ r}|`, so
//! that `f = q − q'` is 1 on the marked rows and 0 on every other row. Constraint and
//! assertions:
//!
//! - `(q − q')·(q − q' − 1) = 0` (degree 2): every step is 0 or 1;
//! - `q[0] = |M|`, `q[a_i]` and `q[b_i]` at their values above (so `q = 0` at the last
//!   interval's end), and `q = 0` on the dead row `L` (the last row the LogUp sum and the
//!   transitions cover).
//!
//! Between two asserted rows the steps are 0 or 1 and add up (as integers: fewer steps than the
//! field's characteristic) to the difference of the asserted values, which is the length of an
//! interval across it and 0 across a gap: so every step is 1 in an interval and 0 in a gap, `f`
//! is exactly the indicator of `M` on every row before `L`, and `q` is zero from the last
//! interval's end on (the honest cells of a gadget's column outside its region).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::builder::AirBuilder;
use crate::expr::ExprId;
use crate::field::Felt;
use crate::witness::Witness;

/// One marks column and the rows it marks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    /// The counter column `q`.
    pub col: u16,
    /// The marked intervals, increasing, disjoint and not empty.
    pub rows: Vec<Range<usize>>,
}

impl Marks {
    /// Allocates the column `name`, emits its constraint and assertions, and returns the marks
    /// with `f = q − q'` (degree 1). `rows` must be increasing, disjoint, not empty, and end
    /// before the dead row.
    pub fn lower(
        b: &mut AirBuilder,
        name: &str,
        meaning: &str,
        rows: Vec<Range<usize>>,
    ) -> (Self, ExprId) {
        debug_assert!(rows.iter().all(|r| r.start < r.end));
        debug_assert!(rows.windows(2).all(|w| w[0].end <= w[1].start));
        let col = b.main_col(name.to_owned(), meaning.to_owned());
        let (q, q_next) = (b.cur(col), b.next(col));
        let f = b.e().sub(q, q_next);
        let one = b.e().constant(1);
        let f_minus_1 = b.e().sub(f, one);
        let c = b.e().mul(f, f_minus_1);
        b.constraint(&format!("{name}_steps_0_or_1"), c);
        let marks = Marks { col, rows };
        for (row, v) in marks.asserted() {
            b.assert_const(
                col,
                row,
                v as i128,
                format!("{name} counts {v} marks at row {row}"),
            );
        }
        let label = format!("{name} counts 0 marks on the dead row");
        b.assert_const(col, crate::builder::LAST_ROW, 0, label);
        (marks, f)
    }

    /// Marked rows in all.
    fn count(&self) -> usize {
        self.rows.iter().map(ExactSizeIterator::len).sum()
    }

    /// The asserted values, one per row (module doc).
    fn asserted(&self) -> BTreeMap<usize, usize> {
        let mut left = self.count();
        let mut at = BTreeMap::from([(0, left)]);
        for r in &self.rows {
            at.insert(r.start, left);
            left -= r.len();
            at.insert(r.end, left);
        }
        at
    }

    /// Fills `q` up to the last interval's end (it is 0 from there on).
    pub fn fill(&self, w: &mut Witness<'_>) {
        let mut left = self.count();
        let mut next = self.rows.iter().peekable();
        let end = self.rows.last().map_or(0, |r| r.end);
        for row in 0..end {
            w.set(self.col, row, Felt::new(left as u64));
            next.next_if(|r| r.end <= row);
            if next.peek().is_some_and(|r| r.contains(&row)) {
                left -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asserted_values_pin_every_step() {
        let m = Marks {
            col: 0,
            rows: vec![0..1, 5..6, 6..9, 12..14],
        };
        let want = [(0, 7), (1, 6), (5, 6), (6, 5), (9, 2), (12, 2), (14, 0)];
        let want = BTreeMap::from(want);
        assert_eq!(m.asserted(), want);
    }
}

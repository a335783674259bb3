//! Sub-gadget: a column `I` that splits a region into `count` blocks of exactly `c` rows
//! (`I = ⌊row / c⌋` inside the region, `count` after it), used by the products that spread one
//! output or one weight column over several rows. With `E = I' − I`:
//! - `s·E·(E − 1) = 0` (degree 3): the index steps by 0 or 1;
//! - `s·E·(row' − c·I') = 0` (degree 3): every block starts on row `c·i`;
//! - `I[0] = 0` and `I[count·c] = count`: exactly `count` blocks.
//!
//! `E` is 1 on a block's last row. Constraints ([`Blocks::lower`], [`Blocks::assert_bounds`]) and
//! witness ([`Blocks::fill`]) are here together.

use crate::builder::AirBuilder;
use crate::expr::ExprId;
use crate::witness::Witness;

/// The block index column of a product gadget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocks {
    /// The index column `I`.
    pub index: u16,
    /// Rows per block.
    pub rows: usize,
    /// Number of blocks.
    pub count: usize,
}

impl Blocks {
    /// Emits the step and block-start constraints gated by `s`; returns `E = I' − I`.
    pub fn lower(&self, b: &mut AirBuilder, s: ExprId, name: &str) -> ExprId {
        let row_col = b.row_col();
        let (i, i_next, row_next) = (b.cur(self.index), b.next(self.index), b.next(row_col));
        let e = b.e().sub(i_next, i);
        let one = b.e().constant(1);
        let e1 = b.e().sub(e, one);
        let step = b.e().mul(e, e1);
        let step = b.gated(s, step);
        b.constraint(&format!("{name}.index_step"), step);
        let start = b.e().scale(self.rows as i128, i_next);
        let off = b.e().sub(row_next, start);
        let starts = b.e().mul(e, off);
        let starts = b.gated(s, starts);
        b.constraint(&format!("{name}.block_start"), starts);
        e
    }

    /// Pins `I[0] = 0` and `I[count·c] = count`; `what` names a block (`output`, `column`).
    pub fn assert_bounds(&self, b: &mut AirBuilder, what: &str, name: &str) {
        let count = self.count;
        b.assert_const(self.index, 0, 0, format!("{name} starts with {what} 0"));
        let end = count * self.rows;
        let label = format!("{name} ends after {count} {what}s");
        b.assert_const(self.index, end, count as i128, label);
    }

    /// Fills `I` on every row.
    pub fn fill(&self, w: &mut Witness<'_>) {
        for r in 0..w.program.trace_len {
            w.set_int(self.index, r, (r / self.rows).min(self.count) as i128);
        }
    }
}

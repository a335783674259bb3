//! Columns shared by every gadget: the row counter and region selectors. Their constraints and
//! their witness generation live together here.

use crate::builder::AirBuilder;
use crate::field::Felt;
use crate::program::AirProgram;

impl AirBuilder {
    /// Allocates the row counter.
    ///
    /// `row' − row − 1 = 0` (degree 1) and `row[0] = 0`, so `row[i] = i` on every row.
    pub(crate) fn add_row_counter(&mut self) {
        let col = self.main_col("row".into(), "row counter: row[i] = i");
        self.prog_mut().globals.row = col;
        let (cur, next) = (self.cur(col), self.next(col));
        let one = self.e().constant(1);
        let step = self.e().sub(next, cur);
        let c = self.e().sub(step, one);
        self.push_constraint("row.step", c, crate::Segment::Main, None);
        self.assert_const(col, 0, 0, "row starts at 0".into());
    }

    /// Allocates a selector that is 1 on rows `0..len` and 0 after.
    ///
    /// `s·(s − 1) = 0` (degree 2: boolean), `(1 − s)·s' = 0` (degree 2: once 0, stays 0), and the
    /// assertions `s[0] = 1`, `s[len − 1] = 1`, `s[len] = 0`. Together they fix every cell.
    pub(crate) fn new_selector(&mut self, len: u32) -> u16 {
        let col = self.main_col(format!("sel{len}"), format!("1 on rows 0..{len}, 0 after"));
        self.prog_mut().globals.selectors.push((col, len));
        let (s, s_next) = (self.cur(col), self.next(col));
        let one = self.e().constant(1);
        let s_minus_1 = self.e().sub(s, one);
        let boolean = self.e().mul(s, s_minus_1);
        self.push_constraint("selector.boolean", boolean, crate::Segment::Main, None);
        let off = self.e().sub(one, s);
        let stays = self.e().mul(off, s_next);
        self.push_constraint("selector.stays_off", stays, crate::Segment::Main, None);
        let len = len as usize;
        self.assert_const(col, 0, 1, format!("sel{len} on at row 0"));
        if len > 1 {
            self.assert_const(col, len - 1, 1, format!("sel{len} on at row {}", len - 1));
        }
        self.assert_const(col, len, 0, format!("sel{len} off at row {len}"));
        col
    }
}

/// Fills the row counter and every selector.
pub(crate) fn fill(program: &AirProgram, main: &mut [Vec<Felt>]) {
    let g = &program.globals;
    for (i, cell) in main[g.row as usize].iter_mut().enumerate() {
        *cell = Felt::new(i as u64);
    }
    for &(col, len) in &g.selectors {
        for cell in main[col as usize].iter_mut().take(len as usize) {
            *cell = Felt::new(1);
        }
    }
}

//! Index of the largest element (the first one on ties).
//!
//! Row `j` receives `v[j]`. Columns: `e` (one-hot: the chosen row), `before` (number of chosen
//! rows above: `before[0] = 0`, `before' = before + s·e`, and `before[len] = 1`, so exactly one
//! row is chosen), `max` and `idx` (constant down the column: `max' = max`, `idx' = idx`).
//! On the chosen row `e·(v − max) = 0` and `e·(row − idx) = 0`. On every row
//! `max − v − 1 + before + e ∈ [0, 2^K)`: rows above the choice are strictly smaller, rows below
//! are not larger. All gated constraints have degree ≤ 3. The last row sends `idx`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::contract::{limbs, GadgetOp, Owned};

/// Columns of an argmax gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Argmax {
    /// Input tensor (a vector).
    pub input: TensorId,
    /// Output tensor (one element).
    pub out: TensorId,
    /// Element count of the input.
    pub len: usize,
    /// Received input column.
    pub v_col: u16,
    /// One-hot choice.
    pub e: u16,
    /// Chosen rows above.
    pub before: u16,
    /// The maximum.
    pub max: u16,
    /// Its index.
    pub idx: u16,
    /// Range check of the differences.
    pub range: RangeCheck,
}

impl Argmax {
    /// The width of the gap comparison for values spread over `spread`: `K` with
    /// `spread < 2^K`. The lowering refuses widths above [`super::MAX_COMPARE_BITS`].
    pub fn compare_bits(spread: i128) -> u32 {
        super::limb_bits(spread + 1)
    }

    /// Lowers `out = argmax(input)`; `spread` bounds `max(v) − min(v)`.
    pub fn lower(
        b: &mut AirBuilder,
        input: TensorId,
        out: TensorId,
        spread: i128,
        name: &str,
    ) -> Self {
        let len = b.tensor_info(input).map_or(0, |t| t.len());
        let sel = b.selector(len);
        let s = b.cur(sel);
        let col =
            |b: &mut AirBuilder, n: &str, m: &str| b.main_col(format!("{name}.{n}"), m.to_owned());
        let v_col = col(b, "in", "compared element");
        let e = col(b, "e", "1 on the row of the chosen maximum");
        let before = col(b, "before", "chosen rows above this one");
        let max = col(b, "max", "the maximum (constant)");
        let idx = col(b, "idx", "index of the maximum (constant)");
        let row = b.row();
        let v = b.cur(v_col);
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        emit_choice(b, [e, before, max, idx], v, s, name);
        b.assert_const(before, 0, 0, format!("{name}: none chosen above row 0"));
        b.assert_const(before, len, 1, format!("{name}: exactly one row chosen"));
        let (m, ec, bc) = (b.cur(max), b.cur(e), b.cur(before));
        let one = b.e().constant(1);
        let m_v = b.e().sub(m, v);
        let d0 = b.e().sub(m_v, one);
        let d1 = b.e().add(d0, bc);
        let d = b.e().add(d1, ec);
        let k = Self::compare_bits(spread);
        let range = b.range_check(&format!("{name}.gap"), d, k, s);
        let last = b.last_row(sel);
        let (i, zero) = (b.cur(idx), b.e().constant(0));
        b.send_tensor(out, zero, i, last, format!("{name} result"));
        Argmax {
            input,
            out,
            len,
            v_col,
            e,
            before,
            max,
            idx,
            range,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.input).to_vec();
        let (mut best, mut best_i) = (i128::MIN, 0usize);
        for (i, &v) in vals.iter().enumerate() {
            if v > best {
                (best, best_i) = (v, i);
            }
        }
        for row in 0..w.program.trace_len {
            w.set_int(self.max, row, best);
            w.set_int(self.idx, row, best_i as i128);
            w.set_int(self.before, row, (row > best_i) as i128);
        }
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            w.set_int(self.e, i, (i == best_i) as i128);
            let gap = best - v - 1 + (i > best_i) as i128 + (i == best_i) as i128;
            self.range.fill(w, i, gap);
        }
        w.set_tensor(self.out, vec![best_i as i128]);
    }
}

/// `e` boolean, `before' = before + s·e`, `max' = max`, `idx' = idx`, and on the chosen row
/// `v = max` and `row = idx`.
fn emit_choice(
    b: &mut AirBuilder,
    cols: [u16; 4],
    v: crate::expr::ExprId,
    s: crate::expr::ExprId,
    name: &str,
) {
    let [e, before, max, idx] = cols;
    let (ec, one) = (b.cur(e), b.e().constant(1));
    let e1 = b.e().sub(ec, one);
    let boolean = b.e().mul(ec, e1);
    let c = b.gated(s, boolean);
    b.constraint(&format!("{name}.one_hot_boolean"), c);
    let (bc, bn) = (b.cur(before), b.next(before));
    let step = b.e().sub(bn, bc);
    let se = b.e().mul(s, ec);
    let c = b.e().sub(step, se);
    b.constraint(&format!("{name}.count_chosen"), c);
    for (col, what) in [(max, "max"), (idx, "idx")] {
        let (cur, next) = (b.cur(col), b.next(col));
        let c = b.e().sub(next, cur);
        b.constraint(&format!("{name}.{what}_constant"), c);
    }
    let m = b.cur(max);
    let v_m = b.e().sub(v, m);
    let c = b.e().mul(ec, v_m);
    let c = b.gated(s, c);
    b.constraint(&format!("{name}.chosen_is_max"), c);
    let (i, row) = (b.cur(idx), b.row());
    let r_i = b.e().sub(row, i);
    let c = b.e().mul(ec, r_i);
    let c = b.gated(s, c);
    b.constraint(&format!("{name}.chosen_index"), c);
}

impl GadgetOp for Argmax {
    fn op(&self) -> &'static str {
        "argmax"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![
            Owned::main(self.v_col, "in"),
            Owned::main(self.e, "e"),
            Owned::main(self.before, "before"),
            Owned::main(self.max, "max"),
            Owned::main(self.idx, "idx"),
        ];
        cols.extend(limbs("gap", &self.range));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.input, self.out]
    }
}

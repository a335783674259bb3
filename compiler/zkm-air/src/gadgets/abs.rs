//! `y = |v|` through a sign bit.
//!
//! With `K` the bit length such that `|v| < 2^K`: `b` boolean (`s·b·(b − 1) = 0`, degree 3),
//! `v + b·2^K ∈ [0, 2^K)` by limbs (so `b = 1 ⇔ v < 0`), and `s·(y − v + 2·b·v) = 0` (degree 3).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};
use super::sign::SignBit;
use super::unary::{max_abs, UnaryOp};

/// `abs(x)` as a builtin: codes in `[0, max(|lo|, |hi|)]`, or the input interval reflected when
/// it does not contain 0.
pub(crate) const ABS: UnaryOp = UnaryOp {
    name: "abs",
    range: |(lo, hi)| match (lo >= 0, hi <= 0) {
        (true, _) => (lo, hi),
        (_, true) => (-hi, -lo),
        _ => (0, max_abs((lo, hi))),
    },
    compare_bits: |r| super::limb_bits(max_abs(r) + 1),
    lower: |b, input, out, r, name| Abs::lower(b, input, out, max_abs(r), name).into(),
};

/// Columns of an absolute-value gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abs {
    /// Input tensor.
    pub input: TensorId,
    /// Output tensor.
    pub out: TensorId,
    /// Element count.
    pub len: usize,
    /// Received input column.
    pub v_col: u16,
    /// Output column.
    pub out_col: u16,
    /// The input's sign bit.
    pub sign: SignBit,
}

impl Abs {
    /// Lowers `out = abs(input)`; `max_abs` bounds `|input|` (static range analysis).
    pub fn lower(
        b: &mut AirBuilder,
        input: TensorId,
        out: TensorId,
        max_abs: i128,
        name: &str,
    ) -> Self {
        let len = b.tensor_info(out).map_or(0, |t| t.len());
        let sel = b.selector(len);
        let s = b.cur(sel);
        let v_col = b.main_col(format!("{name}.in"), "value before abs");
        let sign = b.main_col(format!("{name}.sign"), "1 when the input is negative");
        let out_col = b.main_col(format!("{name}.out"), "|value|");
        let (v, sb, y, row) = (b.cur(v_col), b.cur(sign), b.cur(out_col), b.row());
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        b.send_tensor(out, row, y, s, format!("{name}[i]"));
        let k = super::limb_bits(max_abs + 1);
        let sign = SignBit::lower(b, sign, v, s, k, name);
        let y_minus_v = b.e().sub(y, v);
        let bv = b.e().mul(sb, v);
        let two_bv = b.e().scale(2, bv);
        let rel = b.e().add(y_minus_v, two_bv);
        let c = b.gated(s, rel);
        b.constraint(&format!("{name}.output"), c);
        Abs {
            input,
            out,
            len,
            v_col,
            out_col,
            sign,
        }
    }
}

impl GadgetOp for Abs {
    fn op(&self) -> &'static str {
        "abs"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let vals = w.tensor(self.input).to_vec();
        let mut out = Vec::with_capacity(vals.len());
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            self.sign.fill(w, i, v);
            w.set_int(self.out_col, i, v.abs());
            out.push(v.abs());
        }
        w.set_tensor(self.out, out);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![Owned::main(self.v_col, "in")];
        cols.extend(self.sign.columns());
        cols.push(Owned::main(self.out_col, "out"));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.input, self.out]
    }
}

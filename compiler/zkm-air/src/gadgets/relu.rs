//! `y = max(v, 0)` through a sign bit.
//!
//! With `K` the bit length such that `|v| < 2^K`: `b` boolean (`s·b·(b − 1) = 0`, degree 3),
//! `v + b·2^K ∈ [0, 2^K)` by limbs (so `b = 1 ⇔ v < 0`), and `s·(y − v + b·v) = 0` (degree 3).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};
use super::sign::SignBit;
use super::unary::{max_abs, UnaryOp};

/// `relu(x)` as a builtin: codes `[max(lo, 0), max(hi, 0)]`.
pub(crate) const RELU: UnaryOp = UnaryOp {
    name: "relu",
    range: |(lo, hi)| (lo.max(0), hi.max(0)),
    compare_bits: |r| Relu::compare_bits(max_abs(r)),
    lower: |b, input, out, r, name| Relu::lower(b, input, out, max_abs(r), name).into(),
};

/// Columns of a ReLU gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relu {
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

impl Relu {
    /// The width of the sign comparison for inputs bounded by `max_abs`: `K` with
    /// `max_abs < 2^K`. The lowering refuses widths above [`super::MAX_COMPARE_BITS`].
    pub fn compare_bits(max_abs: i128) -> u32 {
        super::limb_bits(max_abs + 1)
    }

    /// Lowers `out = relu(input)`; `max_abs` bounds `|input|` (static range analysis).
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
        let v_col = b.main_col(format!("{name}.in"), "value before relu");
        let sign = b.main_col(format!("{name}.sign"), "1 when the input is negative");
        let out_col = b.main_col(format!("{name}.out"), "max(value, 0)");
        let (v, sb, y, row) = (b.cur(v_col), b.cur(sign), b.cur(out_col), b.row());
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        b.send_tensor(out, row, y, s, format!("{name}[i]"));
        let k = Self::compare_bits(max_abs);
        let sign = SignBit::lower(b, sign, v, s, k, name);
        let y_minus_v = b.e().sub(y, v);
        let bv = b.e().mul(sb, v);
        let rel = b.e().add(y_minus_v, bv);
        let c = b.gated(s, rel);
        b.constraint(&format!("{name}.output"), c);
        Relu {
            input,
            out,
            len,
            v_col,
            out_col,
            sign,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.input).to_vec();
        let mut out = Vec::with_capacity(vals.len());
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            self.sign.fill(w, i, v);
            let y = v.max(0);
            w.set_int(self.out_col, i, y);
            out.push(y);
        }
        w.set_tensor(self.out, out);
    }
}

impl GadgetOp for Relu {
    fn op(&self) -> &'static str {
        "relu"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
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

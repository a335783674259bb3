//! Sub-gadget: the sign bit `b` of a value `v` with `|v| < 2^K`. `b` is boolean
//! (`s·b·(b − 1) = 0`, degree 3) and `v + b·2^K ∈ [0, 2^K)` by 8-bit limbs, so `b = 1 ⇔ v < 0`.
//! Constraints ([`SignBit::lower`]) and witness ([`SignBit::fill`]) are here together.
//! [`SignedMap`] builds an elementwise map on it, shared by relu and abs.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::ExprId;
use crate::range::RangeCheck;
use crate::witness::Witness;

use super::contract::{limbs, Owned};

/// The sign column and the range check that defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignBit {
    /// The sign bit column `b`.
    pub sign: u16,
    /// Range check of `v + b·2^K`.
    pub range: RangeCheck,
}

impl SignBit {
    /// Constrains column `sign` to be the sign bit of `v` (with `|v| < 2^k`) on rows where `s`
    /// is 1.
    pub fn lower(b: &mut AirBuilder, sign: u16, v: ExprId, s: ExprId, k: u32, name: &str) -> Self {
        let sb = b.cur(sign);
        let one = b.e().constant(1);
        let sb_minus_1 = b.e().sub(sb, one);
        let boolean = b.e().mul(sb, sb_minus_1);
        let c = b.gated(s, boolean);
        b.constraint(&format!("{name}.sign_boolean"), c);
        let shifted = b.e().scale(1i128 << k, sb);
        let d = b.e().add(v, shifted);
        let range = b.range_check(&format!("{name}.sign_dist"), d, k, s);
        SignBit { sign, range }
    }

    /// Fills the sign bit and the range check of value `v` on `row`.
    pub fn fill(&self, w: &mut Witness<'_>, row: usize, v: i128) {
        let neg = v < 0;
        w.set_int(self.sign, row, neg as i128);
        let offset = if neg { 1i128 << self.range.bits } else { 0 };
        self.range.fill(w, row, v + offset);
    }

    /// The owned columns: `sign` and the limbs `sign_dist.limbN`.
    pub fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![Owned::main(self.sign, "sign")];
        cols.extend(limbs("sign_dist", &self.range));
        cols
    }
}

/// The columns and constraints shared by elementwise maps built on a sign bit (`relu`, `abs`):
/// row `i` receives `v = x[i]`, holds its sign bit `b` and sends `y` with
/// `s·(y − v + c·b·v) = 0` (degree 3), where the owning gadget picks `c` (1: `max(v, 0)`;
/// 2: `|v|`) and fills `y` with the matching function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedMap {
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

/// What distinguishes one sign-bit map from another in [`SignedMap::lower`].
#[derive(Clone, Copy, Debug)]
pub struct SignedMapSpec {
    /// The operation's name, for column meanings.
    pub op: &'static str,
    /// The output column's meaning.
    pub meaning: &'static str,
    /// `c` in `y − v + c·b·v = 0`.
    pub coef: i128,
}

impl SignedMap {
    /// Lowers `out = map(input)`; `max_abs` bounds `|input|` (static range analysis).
    pub fn lower(
        b: &mut AirBuilder,
        (input, out): (TensorId, TensorId),
        max_abs: i128,
        spec: SignedMapSpec,
        name: &str,
    ) -> Self {
        let len = b.tensor_info(out).map_or(0, |t| t.len());
        let s = b.gate(len);
        let v_col = b.main_col(format!("{name}.in"), format!("value before {}", spec.op));
        let sign = b.main_col(format!("{name}.sign"), "1 when the input is negative");
        let out_col = b.main_col(format!("{name}.out"), spec.meaning);
        let (v, sb, y, row) = (b.cur(v_col), b.cur(sign), b.cur(out_col), b.row());
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        b.send_tensor(out, row, y, s, format!("{name}[i]"));
        let sign = SignBit::lower(b, sign, v, s, super::limb_bits(max_abs + 1), name);
        let y_minus_v = b.e().sub(y, v);
        let bv = b.e().mul(sb, v);
        let cbv = b.e().scale(spec.coef, bv);
        let rel = b.e().add(y_minus_v, cbv);
        let c = b.gated(s, rel);
        b.constraint(&format!("{name}.output"), c);
        SignedMap {
            input,
            out,
            len,
            v_col,
            out_col,
            sign,
        }
    }

    /// Fills every row with `y = map(v)` and stores the output tensor.
    pub fn fill(&self, w: &mut Witness<'_>, map: fn(i128) -> i128) {
        let vals = w.tensor(self.input).to_vec();
        let mut out = Vec::with_capacity(vals.len());
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            self.sign.fill(w, i, v);
            w.set_int(self.out_col, i, map(v));
            out.push(map(v));
        }
        w.set_tensor(self.out, out);
    }

    /// The owned columns: `in`, the sign bit's, `out`.
    pub fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![Owned::main(self.v_col, "in")];
        cols.extend(self.sign.columns());
        cols.push(Owned::main(self.out_col, "out"));
        cols
    }
}

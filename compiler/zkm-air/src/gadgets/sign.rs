//! Sub-gadget: the sign bit `b` of a value `v` with `|v| < 2^K`. `b` is boolean
//! (`s·b·(b − 1) = 0`, degree 3) and `v + b·2^K ∈ [0, 2^K)` by 8-bit limbs, so `b = 1 ⇔ v < 0`.
//! Constraints ([`SignBit::lower`]) and witness ([`SignBit::fill`]) are here together; relu and
//! abs build their outputs on it.

use serde::{Deserialize, Serialize};

use crate::builder::AirBuilder;
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

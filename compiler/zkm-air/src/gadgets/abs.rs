//! `y = |v|` through a sign bit.
//!
//! With `K` the bit length such that `|v| < 2^K`: `b` boolean (`s·b·(b − 1) = 0`, degree 3),
//! `v + b·2^K ∈ [0, 2^K)` by limbs (so `b = 1 ⇔ v < 0`), and `s·(y − v + 2·b·v) = 0` (degree 3).
//! The columns and constraints are [`SignedMap`]'s with `c = 2`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};
use super::sign::{SignedMap, SignedMapSpec};
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
    row_local: true,
};

/// An absolute-value gadget (serialized as its [`SignedMap`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abs(pub SignedMap);

impl Abs {
    /// Lowers `out = abs(input)`; `max_abs` bounds `|input|` (static range analysis).
    pub fn lower(
        b: &mut AirBuilder,
        input: TensorId,
        out: TensorId,
        max_abs: i128,
        name: &str,
    ) -> Self {
        let (op, meaning, coef) = ("abs", "|value|", 2);
        let spec = SignedMapSpec { op, meaning, coef };
        Abs(SignedMap::lower(b, (input, out), max_abs, spec, name))
    }
}

impl GadgetOp for Abs {
    fn op(&self) -> &'static str {
        "abs"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.0.fill(w, i128::abs);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        self.0.columns()
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.0.input, self.0.out]
    }
}

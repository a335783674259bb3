//! `y = max(v, 0)` through a sign bit.
//!
//! With `K` the bit length such that `|v| < 2^K`: `b` boolean (`s·b·(b − 1) = 0`, degree 3),
//! `v + b·2^K ∈ [0, 2^K)` by limbs (so `b = 1 ⇔ v < 0`), and `s·(y − v + b·v) = 0` (degree 3).
//! The columns and constraints are [`SignedMap`]'s with `c = 1`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};
use super::sign::{SignedMap, SignedMapSpec};
use super::unary::{max_abs, UnaryOp};

/// `relu(x)` as a builtin: codes `[max(lo, 0), max(hi, 0)]`.
pub(crate) const RELU: UnaryOp = UnaryOp {
    name: "relu",
    range: |(lo, hi)| (lo.max(0), hi.max(0)),
    compare_bits: |r| Relu::compare_bits(max_abs(r)),
    lower: |b, input, out, r, name| Relu::lower(b, input, out, max_abs(r), name).into(),
    row_local: true,
};

/// A ReLU gadget (serialized as its [`SignedMap`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relu(pub SignedMap);

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
        let (op, meaning, coef) = ("relu", "max(value, 0)", 1);
        let spec = SignedMapSpec { op, meaning, coef };
        Relu(SignedMap::lower(b, (input, out), max_abs, spec, name))
    }
}

impl GadgetOp for Relu {
    fn op(&self) -> &'static str {
        "relu"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.0.fill(w, |v| v.max(0));
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        self.0.columns()
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.0.input, self.0.out]
    }
}

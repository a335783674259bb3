//! The registry of elementwise unary operations: everything the compiler needs to offer a
//! gadget as a `.zkm` builtin `name(x)` — its static range rule, its comparison width and its
//! lowering — so that such an operation is one gadget file plus its registration in `gadgets/mod.rs`
//! (the `register_gadgets!` list and [`UNARY_OPS`]). The
//! result has the operand's shape and scale.

use crate::builder::{AirBuilder, TensorId};

use super::{Gadget, UNARY_OPS};

/// A unary elementwise operation as the compiler sees it.
#[derive(Clone, Copy, Debug)]
pub struct UnaryOp {
    /// The builtin's name in `.zkm`, e.g. `relu`; also the prefix of its columns.
    pub name: &'static str,
    /// The output interval of integer codes for an input interval `(lo, hi)`.
    pub range: fn((i128, i128)) -> (i128, i128),
    /// The widest comparison the gadget needs for inputs in `(lo, hi)` (the lowering refuses
    /// more than [`super::MAX_COMPARE_BITS`]).
    pub compare_bits: fn((i128, i128)) -> u32,
    /// Lowers `out = name(input)` for inputs in `(lo, hi)`.
    pub lower: fn(&mut AirBuilder, TensorId, TensorId, (i128, i128), &str) -> Gadget,
    /// Row-local: every constraint and bus term reads the current row only, is gated by
    /// `AirBuilder::gate`, and indexes elements by `AirBuilder::row`, so the lowering may stack
    /// the gadget on shared columns (`stack.rs`).
    pub row_local: bool,
}

/// The unary operation called `name` in [`UNARY_OPS`].
pub fn unary_op(name: &str) -> Option<(u8, &'static UnaryOp)> {
    let found = UNARY_OPS.iter().enumerate().find(|(_, op)| op.name == name);
    found.map(|(i, op)| (i as u8, op))
}

/// The largest magnitude in `(lo, hi)`.
pub(crate) fn max_abs((lo, hi): (i128, i128)) -> i128 {
    lo.abs().max(hi.abs())
}

#[cfg(test)]
mod tests {
    use super::unary_op;

    #[test]
    fn range_rules() {
        let rule = |name: &str, r| (unary_op(name).expect("registered").1.range)(r);
        assert_eq!(rule("relu", (-5, 9)), (0, 9));
        assert_eq!(rule("relu", (-5, -1)), (0, 0));
        assert_eq!(rule("abs", (-5, 9)), (0, 9));
        assert_eq!(rule("abs", (-12, 3)), (0, 12));
        assert_eq!(rule("abs", (-7, -2)), (2, 7));
        assert_eq!(rule("abs", (2, 7)), (2, 7));
        assert!(unary_op("tanh").is_none());
    }
}

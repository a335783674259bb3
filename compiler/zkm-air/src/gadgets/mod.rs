//! Gadgets: one file per operation, each holding the constraints it emits at compile time and
//! the witness generation that satisfies them, so the two cannot drift apart.
//!
//! Every gadget owns its columns and uses rows `0..len` of them, gated by a region selector
//! `s` (1 on those rows, 0 after). Tensors move between gadgets over the LogUp bus: the producer
//! sends `(tag = id·2^32 + index, value)` once per reader, each reader receives it.

mod abs;
mod argmax;
mod blocks;
mod commit;
mod commit_rows;
mod contract;
mod conv;
mod conv_layout;
mod dense;
mod div;
mod elementwise;
mod io;
mod marks;
mod max_pool;
mod packing;
mod private_conv;
mod private_product;
mod product_bank;
mod public_product;
mod relu;
mod rescale;
mod rpo;
mod sign;
mod sum;
mod table_fn;
mod unary;
mod zside;

use serde::{Deserialize, Serialize};

pub use abs::Abs;
pub use argmax::Argmax;
pub use blocks::Blocks;
pub use commit::{Chain, Commit, Committed};
pub use contract::{AuxFill, DeclRef, FoldedBias, GadgetOp, Owned, MAX_COMPARE_BITS};
pub use conv::{Conv, ConvGeometry, MAX_CONV_TAPS};
pub use conv_layout::{ConvLayout, MAX_LANES as CONV_MAX_LANES};
pub use dense::{Dense, DenseShape};
pub use div::DivScalar;
pub use elementwise::{Elementwise, EwOp, Operand};
pub use io::{Output, Store};
pub use marks::Marks;
pub use max_pool::MaxPool;
pub use packing::{digest, digest_hex, pack, per_element, sequence};
pub use private_conv::PrivateConv;
pub use private_product::PrivateProduct;
pub(crate) use product_bank::ProductBanks;
pub use public_product::{pinned_column, ProductShape, PublicProduct, GAMMA};
pub use relu::Relu;
pub use rescale::{ClampSide, Rescale, RescaleSpec};
pub use rpo::{permute, RpoRows};
pub use sign::{SignBit, SignedMap, SignedMapSpec};
pub use sum::Sum;
pub use table_fn::{TableFn, TableFnDef, TableSpec, MAX_TABLE_ROWS, TABLE_FNS};
pub use unary::{unary_op, UnaryOp};
pub use zside::ZSide;

use crate::builder::{AirBuilder, TensorId};
use crate::expr::ExprId;
use crate::field::{Felt, FieldElement};
use crate::program::Direction;
use crate::witness::{Witness, WitnessError};

/// Registers the gadgets: one line each. Generates the [`Gadget`] enum (serialized in the
/// artifact under the type's name), `From` conversions, and the dispatch of [`GadgetOp`].
macro_rules! register_gadgets {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// One lowered operation with its columns.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum Gadget {
            $($(#[$doc])* $name($name),)*
        }

        $(impl From<$name> for Gadget {
            fn from(g: $name) -> Self {
                Gadget::$name(g)
            }
        })*

        impl Gadget {
            /// A short name of the operation, as shown in listings.
            pub fn op_name(&self) -> &'static str {
                match self { $(Gadget::$name(g) => g.op(),)* }
            }

            /// Fills the gadget's columns and its output tensor ([`GadgetOp::fill`]).
            ///
            /// # Errors
            /// As [`GadgetOp::fill`].
            pub fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
                match self { $(Gadget::$name(g) => g.fill(w),)* }
            }

            /// Fills the gadget's auxiliary columns ([`GadgetOp::fill_aux`]).
            pub fn fill_aux<E: FieldElement<BaseField = Felt>>(&self, f: &mut AuxFill<'_, E>) {
                match self { $(Gadget::$name(g) => g.fill_aux(f),)* }
            }

            /// The columns the gadget owns, by role ([`GadgetOp::columns`]).
            pub fn columns(&self) -> Vec<Owned> {
                match self { $(Gadget::$name(g) => g.columns(),)* }
            }

            /// The bus tensors it touches ([`GadgetOp::tensors`]).
            pub fn tensors(&self) -> Vec<TensorId> {
                match self { $(Gadget::$name(g) => g.tensors(),)* }
            }

            /// The public-vector ranges it writes ([`GadgetOp::public_ranges`]).
            pub fn public_ranges(&self) -> Vec<std::ops::Range<usize>> {
                match self { $(Gadget::$name(g) => g.public_ranges(),)* }
            }

            /// See [`GadgetOp::saturated`].
            pub fn saturated(&self, tensors: &[Vec<i128>]) -> Option<(TensorId, usize)> {
                match self { $(Gadget::$name(g) => g.saturated(tensors),)* }
            }
        }
    };
}

register_gadgets! {
    /// An input or parameter tensor stored in a column.
    Store,
    /// A matrix-vector product.
    Dense,
    /// A matrix-vector product with public weights, checked by a random linear combination.
    PublicProduct,
    /// A matrix-vector product with private weights, checked by a random linear combination.
    PrivateProduct,
    /// A convolution with a private kernel, checked by a random linear combination.
    PrivateConv,
    /// Elementwise add, subtract, multiply or negate.
    Elementwise,
    /// Requantization with a range-checked remainder, optionally saturating.
    Rescale,
    /// `max(v, 0)` through a sign bit.
    Relu,
    /// `|v|` through a sign bit.
    Abs,
    /// Index of the maximum.
    Argmax,
    /// The maximum of each pooling window.
    MaxPool,
    /// Sum of all elements.
    Sum,
    /// An activation by lookup table.
    TableFn,
    /// Division by a scalar, rounding half up.
    DivScalar,
    /// A model output.
    Output,
    /// The in-AIR RPO-256 digests of committed tensors.
    Commit,
}

/// The elementwise unary operations the compiler offers as builtins `name(x)` (see
/// [`UnaryOp`]), in the order it lists them.
pub const UNARY_OPS: &[UnaryOp] = &[relu::RELU, abs::ABS];

impl AirBuilder {
    /// Receives element `index` of tensor `t` with value `value` on rows where `gate` is 1.
    pub fn recv_tensor(
        &mut self,
        t: TensorId,
        index: ExprId,
        value: ExprId,
        gate: ExprId,
        label: String,
    ) {
        let tag = self.tag(t, index);
        self.bus(Direction::Receive, gate, tag, value, label);
    }

    /// Sends element `index` of tensor `t` once per reader on rows where `gate` is 1.
    pub fn send_tensor(
        &mut self,
        t: TensorId,
        index: ExprId,
        value: ExprId,
        gate: ExprId,
        label: String,
    ) {
        let reads = self.reads(t);
        let mult = self.e().scale(reads as i128, gate);
        let tag = self.tag(t, index);
        self.bus(Direction::Send, mult, tag, value, label);
    }

    /// How many times each element of `t` is read.
    pub fn reads(&self, t: TensorId) -> u32 {
        self.tensor_info(t).map_or(0, |i| i.reads)
    }

    /// The display name of tensor `t`.
    pub fn tensor_name(&self, t: TensorId) -> String {
        self.tensor_info(t)
            .map_or_else(|| format!("t{t}"), |i| i.name.clone())
    }

    /// `s·(1 − s')`: 1 on the last row of a region whose selector is `sel`, 0 elsewhere.
    pub fn last_row(&mut self, sel: u16) -> ExprId {
        let (s, s_next) = (self.cur(sel), self.next(sel));
        let one = self.e().constant(1);
        let off_next = self.e().sub(one, s_next);
        self.e().mul(s, off_next)
    }

    /// `gate·expr`: a constraint switched on by `gate`.
    pub fn gated(&mut self, gate: ExprId, expr: ExprId) -> ExprId {
        self.e().mul(gate, expr)
    }
}

/// Row-major index of weight `W[i][j]` (output `i`, input `j`) in a matrix stored `[n, m]`
/// (`transposed`, as in `x @ W`) or `[m, n]` (as in `W @ x`).
pub(crate) fn weight_index(transposed: bool, n: usize, m: usize, i: usize, j: usize) -> usize {
    if transposed {
        j * m + i
    } else {
        i * n + j
    }
}

/// The number of bits `K` with `m < 2^K` (at least 1): the width of a range check that proves
/// a value of magnitude at most `m` below `2^K`.
pub(crate) fn limb_bits(m: i128) -> u32 {
    (128 - (m.max(1) as u128).leading_zeros()).max(1)
}

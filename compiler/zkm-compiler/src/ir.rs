//! The typed tensor IR: the output of semantic analysis and the input of lowering.
//!
//! A [`Program`] is a straight-line graph of tensor operations in topological order (every
//! operand index is smaller than the node's own index). Functions are already inlined, names
//! resolved, shapes and fixed-point scales checked, and every node carries the interval of
//! integer values it can take (static range analysis). Values are integers `q` that stand for
//! `q / 2^frac`.

use zkm_diagnostics::Span;

pub use zkm_syntax::ast::{DeclKind, Visibility};

/// Index of a node in [`Program::nodes`].
pub type NodeId = usize;

/// Index of a declaration in [`Program::decls`].
pub type DeclId = usize;

pub use zkm_air::gadgets::ConvGeometry;
pub use zkm_air::NumType;

/// The interval of a [`NumType`] (a trait because the type lives in `zkm-air`).
pub trait TypeRange {
    /// The interval of integers `q` this type can hold: `[-2^(W-1), 2^(W-1) - 1]`.
    fn range(self) -> Interval;
}

impl TypeRange for NumType {
    fn range(self) -> Interval {
        let (lo, hi) = self.bounds();
        Interval { lo, hi }
    }
}

/// A closed interval of integers `[lo, hi]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Smallest possible value.
    pub lo: i128,
    /// Largest possible value.
    pub hi: i128,
}

impl Interval {
    /// The interval holding exactly one value.
    pub fn point(v: i128) -> Self {
        Interval { lo: v, hi: v }
    }

    /// The largest absolute value in the interval.
    pub fn max_abs(self) -> i128 {
        self.lo.abs().max(self.hi.abs())
    }
}

/// A declared input, parameter or output of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    /// Declared name.
    pub name: String,
    /// input, param or output.
    pub kind: DeclKind,
    /// Visibility after defaults (input: private, param: private, output: public).
    pub visibility: Visibility,
    /// Element type.
    pub ty: NumType,
    /// Static shape, outermost first; empty for a scalar.
    pub shape: Vec<usize>,
    /// `///` doc comment, joined with newlines.
    pub doc: String,
    /// The declaration's span.
    pub span: Span,
}

impl Decl {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for a tensor with a zero dimension.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One tensor operation.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The value of a declared input or parameter.
    Load(DeclId),
    /// A constant tensor filled with one integer `q` (already at the node's scale).
    Const(i128),
    /// Elementwise `a + b` with broadcasting (same scale).
    Add(NodeId, NodeId),
    /// Elementwise `a - b` with broadcasting (same scale).
    Sub(NodeId, NodeId),
    /// Elementwise `a * b` with broadcasting (scales add).
    Mul(NodeId, NodeId),
    /// `-a`.
    Neg(NodeId),
    /// Matrix product `a @ b` (scales add): `[n] @ [n, m]`, `[m, n] @ [n]` or `[k, n] @ [n, m]`.
    MatMul(NodeId, NodeId),
    /// Requantize `a` to `ty`: `round_half_up(a * 2^ty.frac / 2^a.frac)`. With `clamp`
    /// (`rescale_clamp`) the result saturates into `ty`'s range; without it, semantic analysis
    /// has proved that it fits.
    Rescale {
        /// The operand.
        arg: NodeId,
        /// Target type.
        ty: NumType,
        /// Saturate into `ty` instead of requiring a proof that it fits.
        clamp: bool,
    },
    /// A registered elementwise unary operation (index into `zkm_air::gadgets::UNARY_OPS`,
    /// e.g. `relu`, `abs`): same shape and scale.
    Unary(u8, NodeId),
    /// Index of the largest element of a vector (the first one on ties); an `int` scalar.
    Argmax(NodeId),
    /// Sum of all elements; a scalar at the operand's scale.
    Sum(NodeId),
    /// Same elements in row-major order, new shape (`reshape`, `flatten`).
    Reshape(NodeId),
    /// 2-D convolution, channels first: `x [C, H, W]`, `kernel [CO, C, KH, KW]`, `bias [CO]`
    /// at the products' scale (scales of `x` and `kernel` add); result `[CO, OH, OW]`.
    Conv2d {
        /// The input.
        x: NodeId,
        /// The kernel.
        kernel: NodeId,
        /// The bias.
        bias: NodeId,
        /// Sizes, stride and padding.
        geometry: ConvGeometry,
    },
    /// The sum of each `k × k` window (stride `k`) of `x [C, H, W]`, per channel. For
    /// `avg_pool2d` with a power-of-two `k` the node's scale has `2·log2 k` more fractional bits
    /// than `x`'s, so the sum *is* the exact average; for other `k` the node is at `x`'s scale and
    /// sema divides it by `k²` exactly (`sema/divide.rs`). `geometry.pool` is set.
    AvgPool2d {
        /// The input.
        x: NodeId,
        /// Sizes and window.
        geometry: ConvGeometry,
    },
    /// A table function (index into `zkm_air::gadgets::TABLE_FNS`): `round_half_up(f(x)·2^F)`
    /// per element, `F = out_frac`.
    Table {
        /// Index into `TABLE_FNS`.
        function: u8,
        /// The operand (already rescaled to fit the table).
        arg: NodeId,
        /// Output fractional bits.
        out_frac: u32,
    },
    /// `round_half_up(num·2^shift / den)` per element of `num`, for a one-element `den ≥ 1`
    /// (inside `softmax`).
    DivScalar {
        /// The numerators.
        num: NodeId,
        /// The divisor (one element).
        den: NodeId,
        /// Extra fractional bits of the quotient.
        shift: u32,
    },
    /// `max_pool2d`: the largest element of each `k × k` window (stride `k`) of `x [C, H, W]`,
    /// per channel; same scale. `geometry.pool` is set.
    MaxPool2d {
        /// The input.
        x: NodeId,
        /// Sizes and window.
        geometry: ConvGeometry,
    },
}

impl Op {
    /// The operand nodes, in order.
    pub fn operands(&self) -> Vec<NodeId> {
        match *self {
            Op::Load(_) | Op::Const(_) => vec![],
            Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::MatMul(a, b) => vec![a, b],
            Op::DivScalar { num, den, .. } => vec![num, den],
            Op::Conv2d {
                x, kernel, bias, ..
            } => vec![x, kernel, bias],
            Op::Neg(a)
            | Op::Rescale { arg: a, .. }
            | Op::Unary(_, a)
            | Op::Argmax(a)
            | Op::Sum(a)
            | Op::Reshape(a)
            | Op::AvgPool2d { x: a, .. }
            | Op::MaxPool2d { x: a, .. }
            | Op::Table { arg: a, .. } => vec![a],
        }
    }
}

/// A node of the tensor graph: an operation with its static facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The operation.
    pub op: Op,
    /// Result shape.
    pub shape: Vec<usize>,
    /// Result fractional bits (the scale is `2^frac`).
    pub frac: u32,
    /// Interval of every element's integer value.
    pub range: Interval,
    /// The source expression this node came from (inside an inlined function, the expression
    /// in the function body).
    pub span: Span,
}

impl Node {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for a tensor with a zero dimension.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A model after semantic analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The model's name.
    pub name: String,
    /// The model's `///` doc comment.
    pub doc: String,
    /// The `model` item's span.
    pub span: Span,
    /// Inputs, parameters and outputs in declaration order.
    pub decls: Vec<Decl>,
    /// The operation graph in topological order.
    pub nodes: Vec<Node>,
    /// For every output declaration, the node assigned to it and the assignment's span.
    pub outputs: Vec<(DeclId, NodeId, Span)>,
}

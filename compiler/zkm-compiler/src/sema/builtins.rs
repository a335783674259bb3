//! The builtin operations: the elementwise unary operations registered in
//! `zkm_air::gadgets::UNARY_OPS` (`relu`, `abs`, …), `argmax`, `sum`, `rescale`,
//! `rescale_clamp`, `reshape`, `flatten`, `conv2d`, `avg_pool2d` and `max_pool2d` (in `conv.rs`),
//! and the table functions `sigmoid`, `tanh`, `gelu`, `exp` and `softmax` (in `tables.rs`).
//!
//! Builtin names are ordinary identifiers, resolved after local values and functions. Their
//! signatures (the number and kind of arguments) are checked by name resolution; evaluation
//! checks shapes, scales and ranges.

use crate::ir::TypeRange as _;
use zkm_diagnostics::{Span, Spanned};
use zkm_syntax::ast;

use super::errors;
use super::eval::{Env, Eval, Value};
use super::range;
use super::types;
use super::world::ModId;
use crate::ir::{Node, NodeId, Op};
use zkm_air::gadgets::{TABLE_FNS, UNARY_OPS};

/// A builtin operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Builtin {
    /// A registered elementwise unary operation (index into `UNARY_OPS`): same shape and scale,
    /// the operation's own range rule.
    Unary(u8),
    /// `argmax(x)`: index of the largest element of a vector.
    Argmax,
    /// `sum(x)`: sum of all elements.
    Sum,
    /// `rescale(x, T)`: requantize, proving that the result fits `T`.
    Rescale,
    /// `rescale_clamp(x, T)`: requantize, saturating into `T`.
    RescaleClamp,
    /// `reshape(x, [d1, ...])`.
    Reshape,
    /// `flatten(x)`: reshape to one dimension.
    Flatten,
    /// `conv2d(x, kernel, bias, stride, padding)`: 2-D convolution, channels first.
    Conv2d,
    /// `avg_pool2d(x, k)`: exact average of each `k × k` window, stride `k`.
    AvgPool2d,
    /// `max_pool2d(x, k)`: largest element of each `k × k` window, stride `k`.
    MaxPool2d,
    /// A table function (index into `TABLE_FNS`): `sigmoid`, `tanh`, `gelu`, `exp`.
    Table(u8),
    /// `softmax(x)` of a vector.
    Softmax,
}

/// The kind of one builtin argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgKind {
    /// A tensor value.
    Value,
    /// A scalar type such as `fixed<16, 8>`.
    Type,
    /// A shape literal `[d1, d2, ...]`.
    Shape,
    /// A whole-number literal such as `1`.
    Int,
}

impl Builtin {
    /// Every builtin.
    pub(crate) fn all() -> impl Iterator<Item = Builtin> {
        let unary = (0..UNARY_OPS.len()).map(|i| Builtin::Unary(i as u8));
        let tables = (0..TABLE_FNS.len()).map(|i| Builtin::Table(i as u8));
        let fixed = [
            Builtin::Argmax,
            Builtin::Sum,
            Builtin::Rescale,
            Builtin::RescaleClamp,
            Builtin::Reshape,
            Builtin::Flatten,
            Builtin::Conv2d,
            Builtin::AvgPool2d,
            Builtin::MaxPool2d,
            Builtin::Softmax,
        ];
        unary.chain(fixed).chain(tables)
    }

    /// The name it is called by.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Builtin::Unary(i) => UNARY_OPS[i as usize].name,
            Builtin::Argmax => "argmax",
            Builtin::Sum => "sum",
            Builtin::Rescale => "rescale",
            Builtin::RescaleClamp => "rescale_clamp",
            Builtin::Reshape => "reshape",
            Builtin::Flatten => "flatten",
            Builtin::Conv2d => "conv2d",
            Builtin::AvgPool2d => "avg_pool2d",
            Builtin::MaxPool2d => "max_pool2d",
            Builtin::Table(i) => TABLE_FNS[i as usize].name,
            Builtin::Softmax => "softmax",
        }
    }

    /// The builtin called `name`.
    pub(crate) fn from_name(name: &str) -> Option<Builtin> {
        Builtin::all().find(|b| b.name() == name)
    }

    /// The kinds of its arguments, in order.
    pub(crate) fn params(self) -> &'static [ArgKind] {
        match self {
            Builtin::Unary(_)
            | Builtin::Argmax
            | Builtin::Sum
            | Builtin::Flatten
            | Builtin::Table(_)
            | Builtin::Softmax => &[ArgKind::Value],
            Builtin::Rescale | Builtin::RescaleClamp => &[ArgKind::Value, ArgKind::Type],
            Builtin::Reshape => &[ArgKind::Value, ArgKind::Shape],
            Builtin::Conv2d => &[
                ArgKind::Value,
                ArgKind::Value,
                ArgKind::Value,
                ArgKind::Int,
                ArgKind::Int,
            ],
            Builtin::AvgPool2d | Builtin::MaxPool2d => &[ArgKind::Value, ArgKind::Int],
        }
    }

    /// How it is called, for messages: `rescale(x, fixed<W, F>)`.
    pub(crate) fn signature(self) -> String {
        let fixed = match self {
            Builtin::Unary(i) => return format!("{}(x)", UNARY_OPS[i as usize].name),
            Builtin::Table(i) => return format!("{}(x)", TABLE_FNS[i as usize].name),
            Builtin::Argmax => "argmax(x)",
            Builtin::Sum => "sum(x)",
            Builtin::Rescale => "rescale(x, fixed<W, F>)",
            Builtin::RescaleClamp => "rescale_clamp(x, fixed<W, F>)",
            Builtin::Reshape => "reshape(x, [d1, d2, ...])",
            Builtin::Flatten => "flatten(x)",
            Builtin::Conv2d => "conv2d(x, kernel, bias, stride, padding)",
            Builtin::AvgPool2d => "avg_pool2d(x, k)",
            Builtin::MaxPool2d => "max_pool2d(x, k)",
            Builtin::Softmax => "softmax(x)",
        };
        fixed.to_owned()
    }

    /// True if `args` have the right number and kinds (a type argument must be a scalar type).
    pub(crate) fn accepts(self, args: &[ast::Arg]) -> bool {
        let params = self.params();
        args.len() == params.len()
            && args.iter().zip(params).all(|(a, k)| match (a, k) {
                (ast::Arg::Expr(_), ArgKind::Value) | (ast::Arg::Shape(..), ArgKind::Shape) => true,
                (ast::Arg::Type(t), ArgKind::Type) => t.shape.is_empty(),
                (ast::Arg::Expr(e), ArgKind::Int) => int_literal(e).is_some(),
                _ => false,
            })
    }
}

/// The value of a whole-number literal argument such as `2` (at most 2^16).
pub(crate) fn int_literal(e: &ast::Expr) -> Option<usize> {
    match &e.kind {
        ast::ExprKind::Number(text) => text.parse::<usize>().ok().filter(|&v| v <= 1 << 16),
        _ => None,
    }
}

/// The evaluated first argument of a builtin: its node id, a copy of the node, and the
/// argument's span.
pub(crate) type Evaluated = (NodeId, Node, Span);

impl Eval<'_, '_> {
    /// Evaluates a call of builtin `b` at `span`.
    pub(crate) fn builtin(
        &mut self,
        env: &Env,
        m: ModId,
        b: Builtin,
        args: &[ast::Arg],
        span: Span,
    ) -> Value {
        let (true, Some(ast::Arg::Expr(first))) = (b.accepts(args), args.first()) else {
            return self.quiet_poison();
        };
        let x = self.expr(env, m, first);
        let Some(id) = self.as_node(x) else {
            return Value::Poison;
        };
        let Some(n) = self.node(id) else {
            return Value::Poison;
        };
        let arg = (id, n, first.span);
        match (b, args.get(1)) {
            (Builtin::Unary(i), _) => self.unary(i, arg, span),
            (Builtin::Table(i), _) => self.table_fn(i, arg, span),
            (Builtin::Softmax, _) => self.softmax(arg, span),
            (Builtin::Argmax, _) => self.argmax(arg, span),
            (Builtin::Sum, _) => self.sum(arg, span),
            (Builtin::Flatten, _) => {
                let len = arg.1.len();
                self.reshaped(arg, vec![len], span)
            }
            (Builtin::Rescale, Some(ast::Arg::Type(t))) => self.rescale(arg, t, false, span),
            (Builtin::RescaleClamp, Some(ast::Arg::Type(t))) => self.rescale(arg, t, true, span),
            (Builtin::Reshape, Some(ast::Arg::Shape(dims, s))) => self.reshape(arg, dims, *s, span),
            (Builtin::Conv2d, _) => self.conv2d(env, m, arg, args, span),
            (Builtin::AvgPool2d, Some(ast::Arg::Expr(k))) => self.avg_pool2d(arg, k, span),
            (Builtin::MaxPool2d, Some(ast::Arg::Expr(k))) => self.max_pool2d(arg, k, span),
            _ => self.quiet_poison(),
        }
    }

    /// A registered unary operation: same shape and scale, its own range rule.
    fn unary(&mut self, i: u8, (id, n, _): Evaluated, span: Span) -> Value {
        let (lo, hi) = (UNARY_OPS[i as usize].range)((n.range.lo, n.range.hi));
        let r = crate::ir::Interval { lo, hi };
        self.push(Op::Unary(i, id), n.shape, n.frac, Some(r), span)
    }

    /// `argmax(x)`: x must be a non-empty vector; the result is an `int` scalar in `[0, n-1]`.
    fn argmax(&mut self, (id, n, at): Evaluated, span: Span) -> Value {
        if n.shape.len() != 1 || n.is_empty() {
            return self.fail(errors::argmax_rank(&n.shape, at, self.snippet(at)));
        }
        self.push(
            Op::Argmax(id),
            vec![],
            0,
            Some(range::argmax(n.len())),
            span,
        )
    }

    /// `sum(x)`: a scalar at x's scale.
    fn sum(&mut self, (id, n, _): Evaluated, span: Span) -> Value {
        self.push(
            Op::Sum(id),
            vec![],
            n.frac,
            range::sum(n.range, n.len()),
            span,
        )
    }

    /// `reshape(x, [dims])`: the element count must not change.
    fn reshape(&mut self, arg: Evaluated, dims: &[Spanned<u64>], at: Span, span: Span) -> Value {
        let shape = match types::shape(dims, at) {
            Ok(s) => s,
            Err(d) => return self.fail(d),
        };
        if shape.iter().product::<usize>() != arg.1.len() {
            return self.fail(errors::reshape_size(&arg.1, &shape, arg.2, at));
        }
        self.reshaped(arg, shape, span)
    }

    /// A reshape node with the operand's elements.
    fn reshaped(&mut self, (id, n, _): Evaluated, shape: Vec<usize>, span: Span) -> Value {
        self.push(Op::Reshape(id), shape, n.frac, Some(n.range), span)
    }

    /// `rescale(x, T)` / `rescale_clamp(x, T)`.
    fn rescale(
        &mut self,
        (id, n, _): Evaluated,
        t: &ast::TensorType,
        clamp: bool,
        span: Span,
    ) -> Value {
        let ty = match types::num_type(&t.scalar) {
            Ok(ty) => ty,
            Err(d) => return self.fail(d),
        };
        let shift = n.frac as i32 - ty.frac as i32;
        if shift > range::MAX_SHIFT as i32 {
            return self.fail(errors::rescale_shift(n.frac, n.range, ty, clamp, span));
        }
        let op = Op::Rescale { arg: id, ty, clamp };
        let r = range::rescale(n.range, shift);
        match r {
            _ if clamp => self.push(
                op,
                n.shape,
                ty.frac,
                Some(range::clamp(r.unwrap_or(ty.range()), ty)),
                span,
            ),
            Some(r) if !range::within(r, ty.range()) => {
                self.fail(errors::rescale_overflow(r, ty, span))
            }
            _ => self.push(op, n.shape, ty.frac, r, span),
        }
    }
}

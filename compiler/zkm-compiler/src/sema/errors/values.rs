//! Messages about values: literals, shapes, scales, ranges and the field bound.

use zkm_diagnostics::{codes, Diagnostic, Span};
use zkm_syntax::ast::BinOp;

use crate::ir::{Decl, Interval, Node, NumType, Op};
use crate::sema::inline::Expected;
use crate::sema::literal::{Lit, LitError};
use crate::sema::range::{self, MAX_SHIFT};
use crate::sema::types::{fmt_decl_type, fmt_shape, fmt_value_type, MAX_BITS};

/// One operand of a binary operator, for messages.
#[derive(Debug)]
pub(crate) struct Operand<'n> {
    /// Its node.
    pub node: &'n Node,
    /// Its expression.
    pub span: Span,
    /// Its source text, when short enough to quote.
    pub text: Option<String>,
}

impl Operand<'_> {
    fn quoted(&self, fallback: &str) -> String {
        self.text.clone().unwrap_or_else(|| fallback.to_string())
    }
}

// LITERALS
// ================================================================================================

/// A literal that is not a decimal number (E0409).
pub(crate) fn malformed_literal(text: &str, e: LitError, span: Span) -> Diagnostic {
    let why = match e {
        LitError::TooLarge => "it exceeds 2^62, the largest supported magnitude",
        LitError::TooPrecise => "it has more than 30 digits after the decimal point",
        _ => "only decimal numbers such as `3` or `0.25` are supported",
    };
    Diagnostic::error(
        codes::INEXACT_LITERAL,
        format!("unsupported number literal `{text}`"),
    )
    .with_primary(span, why)
}

/// A literal that cannot be represented at the scale it needs (E0409). `frac` is the scale
/// imposed by the other operand, or `None` when the literal chose its own.
pub(crate) fn bad_literal(lit: Lit, e: LitError, frac: Option<u32>) -> Diagnostic {
    let d = |m: String| Diagnostic::error(codes::INEXACT_LITERAL, m);
    match (e, frac) {
        (LitError::Inexact, Some(f)) => d(format!(
            "`{lit}` is not exactly representable with {f} fractional bits"
        ))
        .with_primary(
            lit.span,
            format!("the other operand has {f} fractional bits: steps of 2^-{f}"),
        )
        .with_help(nearest_help(lit, f)),
        (LitError::Inexact, None) => d(format!("`{lit}` has no exact fixed-point representation"))
            .with_primary(lit.span, "not a multiple of any power of two 2^-F")
            .with_help(nearest_help(lit, 8)),
        (LitError::TooLarge, Some(f)) => d(format!("`{lit}` is too large at {f} fractional bits"))
            .with_primary(lit.span, "its code would exceed 2^62 in magnitude"),
        (LitError::TooLarge, None) => {
            d(format!("`{lit}` is too large")).with_primary(lit.span, "its magnitude exceeds 2^62")
        }
        _ => d("this constant expression cannot be folded exactly".into())
            .with_primary(lit.span, "too many digits"),
    }
}

fn nearest_help(lit: Lit, frac: u32) -> String {
    match lit.nearest(frac) {
        Some(near) => format!("use a multiple of 2^-{frac}, e.g. `{near}`"),
        None => format!("use a multiple of 2^-{frac}"),
    }
}

// SHAPES
// ================================================================================================

fn verb(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "add",
        BinOp::Sub => "subtract",
        BinOp::Mul => "multiply",
        BinOp::MatMul => "matrix-multiply",
    }
}

fn symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::MatMul => "@",
    }
}

/// Elementwise operands whose shapes do not broadcast (E0401).
pub(crate) fn broadcast_mismatch(
    op: BinOp,
    x: &Operand<'_>,
    y: &Operand<'_>,
    at: Span,
) -> Diagnostic {
    let (sx, sy) = (fmt_shape(&x.node.shape), fmt_shape(&y.node.shape));
    Diagnostic::error(
        codes::SHAPE_MISMATCH,
        format!("cannot {} tensors of shapes {sx} and {sy}", verb(op)),
    )
    .with_primary(at, "these shapes do not broadcast")
    .with_secondary(x.span, format!("shape {sx}"))
    .with_secondary(y.span, format!("shape {sy}"))
    .with_note(
        "shapes are aligned from the right; each pair of dimensions must be equal or one of them 1",
    )
}

/// `@` with unsupported ranks (E0403).
pub(crate) fn matmul_rank(x: &Operand<'_>, y: &Operand<'_>, at: Span) -> Diagnostic {
    let (sx, sy) = (fmt_shape(&x.node.shape), fmt_shape(&y.node.shape));
    let d = Diagnostic::error(
        codes::MATMUL_SHAPE,
        format!("cannot matrix-multiply shapes {sx} and {sy}"),
    )
    .with_primary(
        at,
        "`@` needs a vector or matrix on each side, not both vectors",
    )
    .with_secondary(x.span, format!("shape {sx}"))
    .with_secondary(y.span, format!("shape {sy}"))
    .with_note("supported: `[n] @ [n, m]`, `[m, n] @ [n]` and `[k, n] @ [n, m]`");
    match (x.node.shape.len(), y.node.shape.len()) {
        (1, 1) => d.with_help(format!(
            "for a dot product write `sum({} * {})`",
            x.quoted("a"),
            y.quoted("b")
        )),
        (0, _) | (_, 0) => d.with_help("to scale by a scalar, use elementwise `*`"),
        _ => d,
    }
}

/// `@` with different inner dimensions (E0403).
pub(crate) fn matmul_inner(x: &Operand<'_>, y: &Operand<'_>, at: Span) -> Diagnostic {
    let (sx, sy) = (fmt_shape(&x.node.shape), fmt_shape(&y.node.shape));
    let left = match x.node.shape.as_slice() {
        [n] => format!("{sx}: {} elements", n),
        [_, n] => format!("{sx}: {n} columns"),
        _ => sx.clone(),
    };
    let right = match y.node.shape.as_slice() {
        [n] => format!("{sy}: {} elements", n),
        [n, _] => format!("{sy}: {n} rows"),
        _ => sy.clone(),
    };
    Diagnostic::error(
        codes::MATMUL_SHAPE,
        format!("inner dimensions of `@` do not match: {sx} @ {sy}"),
    )
    .with_primary(at, "inner dimensions differ")
    .with_secondary(x.span, left)
    .with_secondary(y.span, right)
    .with_note("the last dimension of the left operand must equal the first of the right operand")
}

/// `reshape` to a different element count (E0406).
pub(crate) fn reshape_size(n: &Node, shape: &[usize], arg: Span, dims: Span) -> Diagnostic {
    let total: usize = shape.iter().product();
    let msg = format!(
        "cannot reshape {} elements into {} ({total} elements)",
        n.len(),
        fmt_shape(shape)
    );
    Diagnostic::error(codes::RESHAPE_SIZE, msg)
        .with_primary(dims, format!("{total} elements"))
        .with_secondary(
            arg,
            format!("shape {}: {} elements", fmt_shape(&n.shape), n.len()),
        )
}

/// `argmax` of something other than a vector (E0407).
pub(crate) fn argmax_rank(shape: &[usize], arg: Span, call: Span) -> Diagnostic {
    let what = if shape.is_empty() {
        "a scalar".to_string()
    } else {
        format!("shape {}", fmt_shape(shape))
    };
    let d = Diagnostic::error(
        codes::BAD_RANK,
        format!("`argmax` needs a vector, but its argument has {what}"),
    )
    .with_primary(arg, format!("{what}, expected [n]"))
    .with_secondary(call, "in this `argmax`");
    if shape.len() >= 2 {
        d.with_help("to take the argmax over all elements, flatten first: `argmax(flatten(x))`")
    } else {
        d
    }
}

// SCALES
// ================================================================================================

/// `+`/`-` with different fractional bits (E0402).
pub(crate) fn scale_mismatch(op: BinOp, x: &Operand<'_>, y: &Operand<'_>, at: Span) -> Diagnostic {
    let (tx, ty) = (
        fmt_value_type(x.node.frac, &[]),
        fmt_value_type(y.node.frac, &[]),
    );
    Diagnostic::error(
        codes::SCALE_MISMATCH,
        format!("cannot {} `{tx}` and `{ty}` values", verb(op)),
    )
    .with_primary(
        at,
        format!(
            "`{}` needs operands with the same fractional bits",
            symbol(op)
        ),
    )
    .with_secondary(x.span, format!("{} fractional bits", x.node.frac))
    .with_secondary(y.span, format!("{} fractional bits", y.node.frac))
    .with_help(rescale_suggestion(x, y))
}

/// Suggests rescaling the operand with fewer fractional bits up (exact), or else the other
/// one down.
fn rescale_suggestion(x: &Operand<'_>, y: &Operand<'_>) -> String {
    let (lo, hi) = if x.node.frac < y.node.frac {
        (x, y)
    } else {
        (y, x)
    };
    let shift = lo.node.frac as i32 - hi.node.frac as i32;
    let up = range::rescale(lo.node.range, shift).map(range::bits_needed);
    let (target, frac, w) = match up {
        Some(w) if u64::from(w) <= MAX_BITS => (lo, hi.node.frac, w),
        _ => {
            let down = range::rescale(hi.node.range, -shift).map_or(128, range::bits_needed);
            (hi, lo.node.frac, down)
        }
    };
    let ty = NumType {
        bits: w.max(frac).max(1),
        frac,
    };
    format!(
        "rescale one operand first, e.g. `rescale({}, {ty})`",
        target.quoted("value")
    )
}

/// A product with too many fractional bits (E0501).
pub(crate) fn product_frac(op: BinOp, fa: u32, fb: u32, at: Span) -> Diagnostic {
    let total = fa + fb;
    Diagnostic::error(
        codes::FIELD_OVERFLOW,
        format!(
            "the result of `{}` would have {total} fractional bits",
            symbol(op)
        ),
    )
    .with_primary(
        at,
        format!("{fa} + {fb} fractional bits, at most 62 fit the field"),
    )
    .with_help("rescale an operand to fewer fractional bits first")
}

// RANGES
// ================================================================================================

/// `2^63.2`: the magnitude as a power of two, rounded up to one decimal.
fn pow2(v: i128) -> String {
    let log = (v.unsigned_abs() as f64).log2();
    format!("2^{:.1}", (log * 10.0).ceil() / 10.0)
}

fn op_phrase(op: &Op) -> &'static str {
    match op {
        Op::Add(..) => "the result of `+`",
        Op::Sub(..) => "the result of `-`",
        Op::Mul(..) => "the result of `*`",
        Op::Neg(_) => "the negation",
        Op::MatMul(..) => "the accumulator of `@`",
        Op::Sum(_) => "the accumulator of `sum`",
        Op::Rescale { .. } => "the result of `rescale`",
        Op::Const(_) => "this constant",
        _ => "this value",
    }
}

/// A node whose range leaves the field's safe signed range (E0501).
pub(crate) fn field_overflow(op: &Op, r: Option<Interval>, at: Span) -> Diagnostic {
    let mag = r.map_or_else(|| "more than 2^127".to_string(), |r| pow2(r.max_abs()));
    let msg = format!(
        "{} can reach {mag} in magnitude, beyond the field's safe signed range ±2^62",
        op_phrase(op)
    );
    Diagnostic::error(codes::FIELD_OVERFLOW, msg)
        .with_primary(at, "may overflow the field")
        .with_help("rescale the operands to fewer fractional bits or narrower types first")
}

/// "the value can reach 1048575 (> 32767, the largest `fixed<16, 8>` code)".
fn exceeds(r: Interval, ty: NumType) -> String {
    let t = ty.range();
    if r.hi > t.hi {
        format!(
            "the value can reach {} (> {}, the largest `{ty}` code)",
            r.hi, t.hi
        )
    } else {
        format!(
            "the value can reach {} (< {}, the smallest `{ty}` code)",
            r.lo, t.lo
        )
    }
}

/// A wider type that holds `r`, if one exists.
fn widened(r: Interval, ty: NumType) -> Option<NumType> {
    let w = range::bits_needed(r);
    (u64::from(w) <= MAX_BITS).then_some(NumType {
        bits: w,
        frac: ty.frac,
    })
}

/// `rescale` whose result may not fit the target (E0502).
pub(crate) fn rescale_overflow(r: Interval, ty: NumType, at: Span) -> Diagnostic {
    let help = match widened(r, ty) {
        Some(w) => format!("widen the target type (`{w}` fits) or saturate with `rescale_clamp`"),
        None => "saturate with `rescale_clamp`, or drop more fractional bits".to_string(),
    };
    Diagnostic::error(
        codes::TYPE_OVERFLOW,
        format!("`rescale` to `{ty}` may overflow: {}", exceeds(r, ty)),
    )
    .with_primary(at, format!("result range [{}, {}]", r.lo, r.hi))
    .with_help(help)
}

/// `rescale` by more than 40 bits (E0503).
pub(crate) fn rescale_shift(
    from: u32,
    r: Interval,
    ty: NumType,
    clamp: bool,
    at: Span,
) -> Diagnostic {
    let name = if clamp { "rescale_clamp" } else { "rescale" };
    let shift = from - ty.frac;
    let msg = format!("`{name}` to `{ty}` would drop {shift} fractional bits at once");
    let d = Diagnostic::error(codes::BAD_RESCALE, msg).with_primary(
        at,
        format!(
            "from {from} to {} fractional bits; at most {MAX_SHIFT} at once",
            ty.frac
        ),
    );
    let mid = from - MAX_SHIFT;
    let w = range::rescale(r, MAX_SHIFT as i32).map_or(128, range::bits_needed);
    match u64::from(w) <= MAX_BITS {
        true => d.with_help(format!(
            "rescale in two steps: first to `{}`, then to `{ty}`",
            NumType {
                bits: w.max(mid),
                frac: mid
            }
        )),
        false => d.with_help("rescale the operands to fewer fractional bits before multiplying"),
    }
}

// ARGUMENTS AND OUTPUTS
// ================================================================================================

fn annotation(want: &Expected<'_>) -> (Span, String) {
    let span = want.param.ty.as_ref().map_or(want.param.span, |t| t.span);
    let label = format!(
        "`{}` is declared `{}` here",
        want.param.name.name,
        fmt_decl_type(want.ty, want.shape)
    );
    (span, label)
}

/// An argument whose shape differs from its parameter's annotation (E0401).
pub(crate) fn param_shape(want: &Expected<'_>, n: &Node) -> Diagnostic {
    let (span, label) = annotation(want);
    let msg = format!(
        "argument `{}` of `{}` must have shape {}, but this value has shape {}",
        want.param.name.name,
        want.func,
        fmt_shape(want.shape),
        fmt_shape(&n.shape)
    );
    Diagnostic::error(codes::SHAPE_MISMATCH, msg)
        .with_primary(want.at, format!("shape {}", fmt_shape(&n.shape)))
        .with_secondary(span, label)
}

/// An argument whose scale differs from its parameter's annotation (E0402).
pub(crate) fn param_scale(want: &Expected<'_>, n: &Node) -> Diagnostic {
    let (span, label) = annotation(want);
    let msg = format!(
        "argument `{}` of `{}` must be `{}`, but this value is `{}`",
        want.param.name.name,
        want.func,
        want.ty,
        fmt_value_type(n.frac, &[])
    );
    Diagnostic::error(codes::SCALE_MISMATCH, msg)
        .with_primary(
            want.at,
            format!("{} fractional bits, expected {}", n.frac, want.ty.frac),
        )
        .with_secondary(span, label)
        .with_help(format!("rescale it first: `rescale(..., {})`", want.ty))
}

/// An argument whose range exceeds its parameter's annotated type (E0502).
pub(crate) fn param_overflow(want: &Expected<'_>, n: &Node) -> Diagnostic {
    let (span, label) = annotation(want);
    let msg = format!(
        "argument `{}` of `{}` may overflow `{}`: {}",
        want.param.name.name,
        want.func,
        want.ty,
        exceeds(n.range, want.ty)
    );
    Diagnostic::error(codes::TYPE_OVERFLOW, msg)
        .with_primary(want.at, format!("range [{}, {}]", n.range.lo, n.range.hi))
        .with_secondary(span, label)
        .with_help(format!(
            "saturate it first: `rescale_clamp(..., {})`",
            want.ty
        ))
}

/// A value whose shape or scale differs from its output's declaration (E0408).
pub(crate) fn output_type(decl: &Decl, n: &Node, at: Span) -> Diagnostic {
    let declared = fmt_decl_type(decl.ty, &decl.shape);
    let actual = fmt_value_type(n.frac, &n.shape);
    let msg = format!(
        "output `{}` is declared `{declared}` but this value is `{actual}`",
        decl.name
    );
    let d = Diagnostic::error(codes::OUTPUT_TYPE, msg)
        .with_primary(at, format!("`{actual}`"))
        .with_secondary(decl.span, "declared here");
    if n.shape != decl.shape && n.len() == decl.len() {
        d.with_help(format!(
            "reshape it: `reshape(..., {})`",
            fmt_shape(&decl.shape)
        ))
    } else if n.shape == decl.shape {
        d.with_help(format!(
            "rescale it: `{} = rescale(..., {});`",
            decl.name, decl.ty
        ))
    } else {
        d.with_note(
            "an output must have exactly its declared shape; values do not broadcast into outputs",
        )
    }
}

/// A value whose range exceeds its output's declared type (E0502).
pub(crate) fn output_overflow(decl: &Decl, n: &Node, at: Span) -> Diagnostic {
    let msg = format!(
        "output `{}` may overflow `{}`: {}",
        decl.name,
        decl.ty,
        exceeds(n.range, decl.ty)
    );
    let help = match widened(n.range, decl.ty) {
        Some(w) => format!(
            "saturate with `rescale_clamp(..., {})` or widen the output to `{w}`",
            decl.ty
        ),
        None => format!("saturate with `rescale_clamp(..., {})`", decl.ty),
    };
    Diagnostic::error(codes::TYPE_OVERFLOW, msg)
        .with_primary(at, format!("range [{}, {}]", n.range.lo, n.range.hi))
        .with_secondary(decl.span, "declared here")
        .with_help(help)
}

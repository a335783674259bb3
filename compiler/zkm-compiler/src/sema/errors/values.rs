//! Messages about values: literals, shapes and scales.

use zkm_diagnostics::{codes, Diagnostic, Span};
use zkm_syntax::ast::BinOp;

use crate::ir::{Node, NumType};
use crate::sema::literal::{Lit, LitError};
use crate::sema::range;
use crate::sema::types::{fmt_shape, fmt_value_type, MAX_BITS};

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

/// Where the scale of a literal comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LitScale<'s> {
    /// Its own smallest exact scale.
    Free,
    /// The fractional bits of the other operand of `+`/`-`.
    Operand(u32),
    /// The declared type of an output or annotated parameter.
    Declared(&'s str, NumType),
}

impl LitScale<'_> {
    /// The imposed fractional bits, if any.
    pub(crate) fn frac(self) -> Option<u32> {
        match self {
            LitScale::Free => None,
            LitScale::Operand(f) => Some(f),
            LitScale::Declared(_, ty) => Some(ty.frac),
        }
    }

    fn reason(self, f: u32) -> String {
        match self {
            LitScale::Declared(name, ty) => format!("`{name}` is `{ty}`: steps of 2^-{f}"),
            _ => format!("the other operand has {f} fractional bits: steps of 2^-{f}"),
        }
    }
}

/// A literal that cannot be represented at the scale it needs (E0409).
pub(crate) fn bad_literal(lit: Lit, e: LitError, scale: LitScale<'_>) -> Diagnostic {
    let d = |m: String| Diagnostic::error(codes::INEXACT_LITERAL, m);
    match (e, scale.frac()) {
        (LitError::Inexact, Some(f)) => d(format!(
            "`{lit}` is not exactly representable with {f} fractional bits"
        ))
        .with_primary(lit.span, scale.reason(f))
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

/// "shape [4, 3]", or "scalar".
fn shape_label(shape: &[usize]) -> String {
    if shape.is_empty() {
        "scalar".to_string()
    } else {
        format!("shape {}", fmt_shape(shape))
    }
}

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
    .with_secondary(x.span, shape_label(&x.node.shape))
    .with_secondary(y.span, shape_label(&y.node.shape))
    .with_note(
        "shapes are aligned from the right; each pair of dimensions must be equal or one of them 1",
    )
}

/// `@` with unsupported ranks (E0403).
pub(crate) fn matmul_rank(x: &Operand<'_>, y: &Operand<'_>, at: Span) -> Diagnostic {
    let (sx, sy) = (fmt_shape(&x.node.shape), fmt_shape(&y.node.shape));
    let (rx, ry) = (x.node.shape.len(), y.node.shape.len());
    let why = match (rx, ry) {
        (1, 1) => "both operands are vectors".to_string(),
        (0, _) | (_, 0) => "`@` does not take scalars".to_string(),
        _ => format!("`@` takes vectors and matrices, not rank {}", rx.max(ry)),
    };
    let d = Diagnostic::error(
        codes::MATMUL_SHAPE,
        format!("cannot matrix-multiply shapes {sx} and {sy}"),
    )
    .with_primary(at, why)
    .with_secondary(x.span, shape_label(&x.node.shape))
    .with_secondary(y.span, shape_label(&y.node.shape))
    .with_note("supported: `[n] @ [n, m]`, `[m, n] @ [n]` and `[k, n] @ [n, m]`");
    match (rx, ry) {
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
pub(crate) fn argmax_rank(shape: &[usize], arg: Span, text: Option<String>) -> Diagnostic {
    let what = if shape.is_empty() {
        "a scalar".to_string()
    } else {
        format!("shape {}", fmt_shape(shape))
    };
    let d = Diagnostic::error(
        codes::BAD_RANK,
        format!("`argmax` needs a vector, but its argument has {what}"),
    )
    .with_primary(arg, format!("{what}, expected [n]"));
    if shape.len() >= 2 {
        d.with_help(format!(
            "to take the argmax over all elements, flatten first: `argmax(flatten({}))`",
            text.as_deref().unwrap_or("x")
        ))
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

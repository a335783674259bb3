//! Messages about ranges: the field bound, rescales, and values checked against declared types
//! (annotated parameters and outputs).

use crate::ir::TypeRange as _;
use zkm_diagnostics::{codes, Diagnostic, Span};

use crate::ir::{Decl, Interval, Node, NumType, Op};
use crate::sema::inline::Expected;
use crate::sema::range::{self, MAX_SHIFT};
use crate::sema::types::{fmt_decl_type, fmt_shape, fmt_value_type, MAX_BITS};

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
        Op::Conv2d { .. } => "the accumulator of `conv2d`",
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

//! Messages about `conv2d`, the poolings and the table functions: ranks, channel counts, stride,
//! padding and window, scales, table sizes.

use zkm_diagnostics::{codes, Diagnostic, Span};

use crate::sema::types::{fmt_shape, fmt_value_type};

/// "a scalar" or "shape [2, 3]".
fn shape_phrase(shape: &[usize]) -> String {
    match shape.len() {
        0 => "a scalar".to_string(),
        _ => format!("shape {}", fmt_shape(shape)),
    }
}

/// An operand of `conv2d` with the wrong rank (E0407).
pub(crate) fn conv_rank(role: &str, expected: &str, shape: &[usize], at: Span) -> Diagnostic {
    let got = shape_phrase(shape);
    Diagnostic::error(
        codes::BAD_RANK,
        format!("`conv2d` needs {role} of shape {expected}, but it has {got}"),
    )
    .with_primary(at, format!("{got}, expected {expected}"))
    .with_note("`conv2d` works channels first: input [C, H, W], kernel [CO, C, KH, KW], bias [CO]")
}

/// Operand shapes of `conv2d` that do not fit together (E0401).
pub(crate) fn conv_mismatch(
    msg: String,
    primary: (Span, String),
    secondary: (Span, String),
) -> Diagnostic {
    Diagnostic::error(codes::SHAPE_MISMATCH, msg)
        .with_primary(primary.0, primary.1)
        .with_secondary(secondary.0, secondary.1)
}

/// A stride or padding `conv2d` cannot use (E0404).
pub(crate) fn conv_argument(msg: String, at: Span, label: String) -> Diagnostic {
    Diagnostic::error(codes::BAD_ARGUMENTS, msg)
        .with_primary(at, label)
        .with_note("signature: `conv2d(x, kernel, bias, stride, padding)`")
}

/// A bias at another scale than the convolution's products (E0402).
pub(crate) fn conv_bias_scale(bias_frac: u32, frac: u32, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::SCALE_MISMATCH,
        format!(
            "the bias of `conv2d` is {}, but the products are {}",
            fmt_value_type(bias_frac, &[]),
            fmt_value_type(frac, &[])
        ),
    )
    .with_primary(at, format!("{bias_frac} fractional bits, expected {frac}"))
    .with_help("declare the bias with the input's plus the kernel's fractional bits")
}

/// Products with more fractional bits than fit the field (E0501).
pub(crate) fn conv_frac(fx: u32, fk: u32, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FIELD_OVERFLOW,
        format!(
            "the result of `conv2d` would have {} fractional bits",
            fx + fk
        ),
    )
    .with_primary(
        at,
        format!("{fx} + {fk} fractional bits, at most 62 fit the field"),
    )
    .with_help("rescale the input to fewer fractional bits first")
}

/// A pooling of something other than `[C, H, W]` (E0407).
pub(crate) fn pool_rank(op: &str, shape: &[usize], at: Span) -> Diagnostic {
    let got = shape_phrase(shape);
    Diagnostic::error(
        codes::BAD_RANK,
        format!("`{op}` needs an input of shape [C, H, W], but it has {got}"),
    )
    .with_primary(at, format!("{got}, expected [C, H, W]"))
    .with_help("reshape a single-channel image to [1, H, W] first")
}

/// A pooling window `op` cannot use (E0404).
pub(crate) fn pool_argument(op: &str, msg: String, at: Span, label: String) -> Diagnostic {
    let note = match op {
        "avg_pool2d" => "`avg_pool2d(x, k)` averages k×k windows with stride k",
        _ => "`max_pool2d(x, k)` takes the largest element of k×k windows with stride k",
    };
    Diagnostic::error(codes::BAD_ARGUMENTS, msg)
        .with_primary(at, label)
        .with_note(note)
}

/// An average with more fractional bits than fit the field (E0501).
pub(crate) fn pool_frac(frac: u32, extra: u32, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::FIELD_OVERFLOW,
        format!(
            "the result of `avg_pool2d` would have {} fractional bits",
            frac + extra
        ),
    )
    .with_primary(
        at,
        format!("{frac} + {extra} fractional bits, at most 62 fit the field"),
    )
    .with_help("rescale the input to fewer fractional bits first")
}

/// A table function whose input spans too many codes even without fractional bits (E0503).
pub(crate) fn table_input(name: &str, r: crate::ir::Interval, frac: u32, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_RESCALE,
        format!(
            "`{name}` of values spanning {} codes needs a table that is too large",
            r.hi - r.lo + 1
        ),
    )
    .with_primary(
        at,
        format!("range [{}, {}] at {frac} fractional bits", r.lo, r.hi),
    )
    .with_note(format!(
        "the table has at most {} entries; zkmc drops fractional bits to fit, but not integer bits",
        zkm_air::gadgets::MAX_TABLE_ROWS
    ))
    .with_help("saturate the input first, e.g. `rescale_clamp(x, fixed<12, 8>)`")
}

/// `exp` of inputs so large that the output does not fit 16 bits (E0502).
pub(crate) fn table_output(name: &str, r: crate::ir::Interval, frac: u32, at: Span) -> Diagnostic {
    let hi = r.hi as f64 / 2f64.powi(frac as i32);
    Diagnostic::error(
        codes::TYPE_OVERFLOW,
        format!("`{name}` of inputs up to {hi} does not fit a 16-bit output"),
    )
    .with_primary(at, "the output would need more than 16 bits")
    .with_help("subtract the maximum first (as softmax does) or saturate the input")
}

/// `softmax` of something other than a non-empty vector (E0407).
pub(crate) fn softmax_rank(shape: &[usize], at: Span) -> Diagnostic {
    let got = shape_phrase(shape);
    Diagnostic::error(
        codes::BAD_RANK,
        format!("`softmax` needs a vector, but its argument has {got}"),
    )
    .with_primary(at, format!("{got}, expected [n]"))
    .with_help("flatten it first, or apply it to one row at a time")
}

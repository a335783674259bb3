//! Element types, shapes, broadcasting and matrix-product shapes.
//!
//! Written types (`int<W>`, `fixed<W, F>`, `[d1, d2]`) are validated here and turned into
//! [`NumType`]s and `Vec<usize>` shapes; the shape rules of the binary operators live here too.

use zkm_diagnostics::{Diagnostic, Span, Spanned};
use zkm_syntax::ast;

use super::errors;
use crate::ir::NumType;

/// The widest element type: `int<48>` / `fixed<48, F>`.
pub(crate) const MAX_BITS: u64 = 48;

/// The most fractional bits a written type may have.
pub(crate) const MAX_FRAC: u64 = 40;

/// The most elements one tensor may have: `2^24`.
pub(crate) const MAX_ELEMENTS: u64 = 1 << 24;

/// Validates a written element type.
pub(crate) fn num_type(t: &ast::ScalarType) -> Result<NumType, Diagnostic> {
    let (bits, frac) = match t {
        ast::ScalarType::Int { bits } => (bits, None),
        ast::ScalarType::Fixed { bits, frac } => (bits, Some(frac)),
    };
    if bits.node < 1 || bits.node > MAX_BITS {
        return Err(errors::bad_width(bits.span, bits.node));
    }
    let f = frac.map_or(0, |f| f.node);
    if let Some(frac) = frac {
        if f > MAX_FRAC {
            return Err(errors::bad_frac(frac.span, f));
        }
        if f > bits.node {
            return Err(errors::frac_above_width(frac.span, f, bits.node));
        }
    }
    // Both bounds were just checked, so the casts are lossless.
    Ok(NumType {
        bits: bits.node as u32,
        frac: f as u32,
    })
}

/// Validates a written shape: every dimension at least 1, at most [`MAX_ELEMENTS`] in total.
pub(crate) fn shape(dims: &[Spanned<u64>], whole: Span) -> Result<Vec<usize>, Diagnostic> {
    let mut total: u64 = 1;
    for d in dims {
        if d.node == 0 {
            return Err(errors::zero_dim(d.span));
        }
        total = total.saturating_mul(d.node);
    }
    if total > MAX_ELEMENTS {
        return Err(errors::too_many_elements(whole, total));
    }
    // Each dimension is at most the total, which is at most 2^24.
    Ok(dims.iter().map(|d| d.node as usize).collect())
}

/// Validates a written tensor type.
pub(crate) fn tensor_type(t: &ast::TensorType) -> Result<(NumType, Vec<usize>), Diagnostic> {
    Ok((num_type(&t.scalar)?, shape(&t.shape, t.span)?))
}

/// The numpy broadcast of two shapes: aligned from the right, each pair of dimensions equal or
/// one of them 1 or missing. `None` if they do not broadcast.
pub(crate) fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| {
        let pad = rank - s.len();
        if i < pad {
            1
        } else {
            s[i - pad]
        }
    };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Why two shapes cannot be multiplied with `@`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatMulError {
    /// A scalar operand, a tensor of rank 3 or more, or two vectors.
    Rank,
    /// The inner dimensions differ.
    Inner,
}

/// The result shape and inner dimension of `a @ b`:
/// `[n] @ [n, m] → [m]`, `[m, n] @ [n] → [m]`, `[k, n] @ [n, m] → [k, m]`.
pub(crate) fn matmul(a: &[usize], b: &[usize]) -> Result<(Vec<usize>, usize), MatMulError> {
    let (n_a, n_b, out) = match (a, b) {
        (&[n], &[n2, m]) => (n, n2, vec![m]),
        (&[m, n], &[n2]) => (n, n2, vec![m]),
        (&[k, n], &[n2, m]) => (n, n2, vec![k, m]),
        _ => return Err(MatMulError::Rank),
    };
    if n_a != n_b {
        return Err(MatMulError::Inner);
    }
    Ok((out, n_a))
}

/// `[3, 4]`; `[]` for a scalar.
pub(crate) fn fmt_shape(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", dims.join(", "))
}

/// The type of a value as far as it is known: `fixed<_, 12>[10]` (`int<_>` for frac 0, no
/// brackets for a scalar).
pub(crate) fn fmt_value_type(frac: u32, shape: &[usize]) -> String {
    let elem = if frac == 0 {
        "int<_>".to_string()
    } else {
        format!("fixed<_, {frac}>")
    };
    if shape.is_empty() {
        elem
    } else {
        format!("{elem}{}", fmt_shape(shape))
    }
}

/// A declared type with its shape: `fixed<16, 8>[10]`.
pub(crate) fn fmt_decl_type(ty: NumType, shape: &[usize]) -> String {
    if shape.is_empty() {
        ty.to_string()
    } else {
        format!("{ty}{}", fmt_shape(shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_aligns_trailing_dimensions() {
        assert_eq!(broadcast(&[4, 3], &[3]), Some(vec![4, 3]));
        assert_eq!(broadcast(&[4, 1], &[1, 5]), Some(vec![4, 5]));
        assert_eq!(broadcast(&[], &[2, 2]), Some(vec![2, 2]));
        assert_eq!(broadcast(&[4, 3], &[4]), None);
    }

    #[test]
    fn matmul_shapes() {
        assert_eq!(matmul(&[3], &[3, 5]), Ok((vec![5], 3)));
        assert_eq!(matmul(&[5, 3], &[3]), Ok((vec![5], 3)));
        assert_eq!(matmul(&[2, 3], &[3, 5]), Ok((vec![2, 5], 3)));
        assert_eq!(matmul(&[2, 4], &[3, 5]), Err(MatMulError::Inner));
        assert_eq!(matmul(&[3], &[3]), Err(MatMulError::Rank));
        assert_eq!(matmul(&[], &[3, 5]), Err(MatMulError::Rank));
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_value_type(12, &[10]), "fixed<_, 12>[10]");
        assert_eq!(fmt_value_type(0, &[]), "int<_>");
        assert_eq!(
            fmt_decl_type(NumType { bits: 16, frac: 8 }, &[2, 3]),
            "fixed<16, 8>[2, 3]"
        );
    }
}

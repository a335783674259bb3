//! Static range analysis: the interval rules of every tensor operation.
//!
//! Values are integer codes `q` (the fixed-point value is `q / 2^frac`). Each rule maps operand
//! intervals to a sound interval for the result, using checked `i128` arithmetic: `None` means
//! the bound does not even fit an `i128`, which callers treat as exceeding every limit.
//! Nothing here reports diagnostics; the callers compare the results with the field bound
//! ([`FIELD_BOUND`]) and with declared types.

use crate::ir::TypeRange as _;
use crate::ir::{Interval, NumType};

/// The largest magnitude an intermediate value may reach: `2^62`, the field's safe signed range
/// (Goldilocks is just under `2^64`, so `±2^62` leaves room for sign handling).
pub(crate) const FIELD_BOUND: i128 = 1 << 62;

/// The largest fixed-point shift a rescale may perform, in bits.
pub(crate) const MAX_SHIFT: u32 = 40;

/// `[a.lo + b.lo, a.hi + b.hi]`.
pub(crate) fn add(a: Interval, b: Interval) -> Option<Interval> {
    Some(Interval {
        lo: a.lo.checked_add(b.lo)?,
        hi: a.hi.checked_add(b.hi)?,
    })
}

/// `[a.lo - b.hi, a.hi - b.lo]`.
pub(crate) fn sub(a: Interval, b: Interval) -> Option<Interval> {
    Some(Interval {
        lo: a.lo.checked_sub(b.hi)?,
        hi: a.hi.checked_sub(b.lo)?,
    })
}

/// `[-hi, -lo]`.
pub(crate) fn neg(a: Interval) -> Option<Interval> {
    Some(Interval {
        lo: a.hi.checked_neg()?,
        hi: a.lo.checked_neg()?,
    })
}

/// The smallest and largest of the four corner products.
pub(crate) fn mul(a: Interval, b: Interval) -> Option<Interval> {
    let corners = [
        a.lo.checked_mul(b.lo)?,
        a.lo.checked_mul(b.hi)?,
        a.hi.checked_mul(b.lo)?,
        a.hi.checked_mul(b.hi)?,
    ];
    let lo = corners.iter().copied().min()?;
    let hi = corners.iter().copied().max()?;
    Some(Interval { lo, hi })
}

/// A sum of `n` terms that each lie in `x`: `[n * x.lo, n * x.hi]`.
pub(crate) fn sum(x: Interval, n: usize) -> Option<Interval> {
    let n = i128::try_from(n).ok()?;
    Some(Interval {
        lo: x.lo.checked_mul(n)?,
        hi: x.hi.checked_mul(n)?,
    })
}

/// A dot product of length `n`: a sum of `n` products of `a` and `b` elements.
pub(crate) fn matmul(a: Interval, b: Interval, n: usize) -> Option<Interval> {
    sum(mul(a, b)?, n)
}

/// The index of an element of a vector of `n > 0` elements: `[0, n - 1]`.
pub(crate) fn argmax(n: usize) -> Interval {
    let n = i128::try_from(n).unwrap_or(i128::MAX);
    Interval {
        lo: 0,
        hi: (n - 1).max(0),
    }
}

/// A rescale that drops `shift` fractional bits (`shift > 0`, rounding half up:
/// `floor((v + 2^(shift-1)) / 2^shift)`) or adds `-shift` bits (`shift < 0`: `v * 2^-shift`).
/// Monotone, so applying it to both bounds is exact.
pub(crate) fn rescale(a: Interval, shift: i32) -> Option<Interval> {
    Some(Interval {
        lo: shift_code(a.lo, shift)?,
        hi: shift_code(a.hi, shift)?,
    })
}

/// The rescale of one code; see [`rescale`].
pub(crate) fn shift_code(v: i128, shift: i32) -> Option<i128> {
    let bits = shift.unsigned_abs();
    if bits > 126 {
        return None;
    }
    let pow = 1i128 << bits;
    if shift > 0 {
        Some(v.checked_add(pow / 2)?.div_euclid(pow))
    } else {
        v.checked_mul(pow)
    }
}

/// Saturates `a` into `ty`'s range. The result always lies within `ty`, even when `a` lies
/// entirely outside it (then it is the nearest end point).
pub(crate) fn clamp(a: Interval, ty: NumType) -> Interval {
    let t = ty.range();
    let lo = a.lo.clamp(t.lo, t.hi);
    let hi = a.hi.clamp(t.lo, t.hi);
    Interval { lo, hi }
}

/// True if `inner` lies entirely within `outer`.
pub(crate) fn within(inner: Interval, outer: Interval) -> bool {
    outer.lo <= inner.lo && inner.hi <= outer.hi
}

/// True if every value of `a` has magnitude at most [`FIELD_BOUND`].
pub(crate) fn field_safe(a: Interval) -> bool {
    a.lo >= -FIELD_BOUND && a.hi <= FIELD_BOUND
}

/// The smallest width `W` such that `int<W>` (any `frac`) holds every value of `a`.
pub(crate) fn bits_needed(a: Interval) -> u32 {
    (1..=127u32)
        .find(|&w| {
            let half = 1i128 << (w - 1);
            -half <= a.lo && a.hi < half
        })
        .unwrap_or(128)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(lo: i128, hi: i128) -> Interval {
        Interval { lo, hi }
    }

    #[test]
    fn add_sub_neg() {
        assert_eq!(add(iv(-1, 2), iv(3, 5)), Some(iv(2, 7)));
        assert_eq!(sub(iv(-1, 2), iv(3, 5)), Some(iv(-6, -1)));
        assert_eq!(neg(iv(-3, 7)), Some(iv(-7, 3)));
        assert_eq!(add(iv(0, i128::MAX), iv(0, 1)), None);
    }

    #[test]
    fn mul_takes_all_four_corners() {
        assert_eq!(mul(iv(-2, 3), iv(-5, 4)), Some(iv(-15, 12)));
        assert_eq!(mul(iv(2, 3), iv(4, 5)), Some(iv(8, 15)));
        assert_eq!(
            mul(iv(-32768, 32767), iv(-32768, 32767)),
            Some(iv(-1073709056, 1 << 30))
        );
    }

    #[test]
    fn matmul_is_n_times_the_corner_products() {
        assert_eq!(matmul(iv(-2, 3), iv(-5, 4), 10), Some(iv(-150, 120)));
        assert_eq!(sum(iv(-1, 1), 64), Some(iv(-64, 64)));
    }

    #[test]
    fn argmax_is_an_index() {
        assert_eq!(argmax(10), iv(0, 9));
    }

    #[test]
    fn rescale_rounds_half_up_also_for_negative_bounds() {
        // -5 / 4 = -1.25 → -1; -6 / 4 = -1.5 → -1 (half up); -7 / 4 = -1.75 → -2.
        assert_eq!(rescale(iv(-5, 5), 2), Some(iv(-1, 1)));
        assert_eq!(rescale(iv(-6, 6), 2), Some(iv(-1, 2)));
        assert_eq!(rescale(iv(-7, 7), 2), Some(iv(-2, 2)));
        assert_eq!(rescale(iv(-32768, 32767), 8), Some(iv(-128, 128)));
    }

    #[test]
    fn rescale_to_more_fractional_bits_multiplies() {
        assert_eq!(rescale(iv(-3, 5), -4), Some(iv(-48, 80)));
        assert_eq!(rescale(iv(-3, 5), 0), Some(iv(-3, 5)));
    }

    #[test]
    fn clamp_always_lands_inside_the_type() {
        let t = NumType { bits: 8, frac: 0 };
        assert_eq!(clamp(iv(-1000, 1000), t), iv(-128, 127));
        assert_eq!(clamp(iv(-5, 5), t), iv(-5, 5));
        assert_eq!(clamp(iv(500, 1000), t), iv(127, 127));
    }

    #[test]
    fn field_bound_and_bits_needed() {
        assert!(field_safe(iv(-FIELD_BOUND, FIELD_BOUND)));
        assert!(!field_safe(iv(0, FIELD_BOUND + 1)));
        assert_eq!(bits_needed(iv(-32768, 32767)), 16);
        assert_eq!(bits_needed(iv(0, 1048575)), 21);
        assert_eq!(bits_needed(iv(-1, 0)), 1);
    }
}

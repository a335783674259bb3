//! Exact division by a constant with the operations the AIR already has: for integer codes
//! `s ∈ [lo, hi]` and a divisor `d ≥ 1`, `round_half_up(s / d)` equals
//! `round_half_up((s·M + C) / 2^P)` — a multiplication by a constant, an addition of one, and a
//! rescale (whose gadget range-checks its remainder) — for the `M`, `C`, `P` computed here.
//!
//! Derivation: `round_half_up(s/d) = ⌊(2s + d) / D⌋` with `D = 2d`. Shift the numerator to
//! `n = 2s + d + D·K ≥ 0` (`K` the smallest whole number making `n ≥ 0` on the range), so
//! `⌊n/D⌋ = round_half_up(s/d) + K`, with `0 ≤ n < 2^N`. With `l = ⌈log2 D⌉` and
//! `m = ⌈2^(N+l) / D⌉`, `⌊n/D⌋ = ⌊n·m / 2^(N+l)⌋` for every such `n` (division by invariant
//! integers, Granlund and Montgomery 1994, Theorem 4.2: `2^(N+l) ≤ m·D ≤ 2^(N+l) + 2^l`). So with
//! `P = N + l`: `round_half_up(s/d) = ⌊(n·m − K·2^P) / 2^P⌋`, and a rescale computes
//! `⌊(v + 2^(P−1)) / 2^P⌋`, hence `M = 2m` and `C = (d + D·K)·m − K·2^P − 2^(P−1)`.

use crate::ir::Interval;

/// `round_half_up(s/d) = round_half_up((s·mult + add) / 2^shift)` on a range of `s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByConstant {
    pub(crate) mult: i128,
    pub(crate) add: i128,
    pub(crate) shift: u32,
}

/// The multiplier, addend and shift dividing codes in `s` by `d` (`None` when the numbers would
/// not fit in `i128`, far beyond what the field allows anyway).
pub(crate) fn by_constant(s: Interval, d: i128) -> Option<ByConstant> {
    if d < 1 || s.lo > s.hi {
        return None;
    }
    let big_d = d.checked_mul(2)?;
    let lowest = s.lo.checked_mul(2)?.checked_add(d)?;
    let k = match lowest < 0 {
        true => (-lowest).checked_add(big_d - 1)? / big_d,
        false => 0,
    };
    let n_max =
        s.hi.checked_mul(2)?
            .checked_add(d)?
            .checked_add(big_d.checked_mul(k)?)?;
    let n_bits = 128 - n_max.leading_zeros();
    let l = 128 - (big_d - 1).leading_zeros();
    let shift = n_bits + l;
    if shift > 100 {
        return None;
    }
    let pow = 1i128 << shift;
    let m = (pow + big_d - 1) / big_d;
    let add = d
        .checked_add(big_d.checked_mul(k)?)?
        .checked_mul(m)?
        .checked_sub(k.checked_mul(pow)?)?
        .checked_sub(pow / 2)?;
    Some(ByConstant {
        mult: m.checked_mul(2)?,
        add,
        shift,
    })
}

#[cfg(test)]
mod tests {
    use super::by_constant;
    use crate::ir::Interval;

    fn round_half_up(s: i128, d: i128) -> i128 {
        (2 * s + d).div_euclid(2 * d)
    }

    #[test]
    fn every_code_of_small_ranges_divides_exactly() {
        for d in 1..=50 {
            let r = Interval {
                lo: -3000,
                hi: 3000,
            };
            let c = by_constant(r, d).expect("fits");
            for s in r.lo..=r.hi {
                let v = s * c.mult + c.add;
                let y = (v + (1 << (c.shift - 1))).div_euclid(1 << c.shift);
                assert_eq!(y, round_half_up(s, d), "s = {s}, d = {d}");
            }
        }
    }

    #[test]
    fn ends_of_wide_ranges_divide_exactly() {
        for (lo, hi, d) in [
            (-(1 << 20) * 9, (1 << 20) * 9 - 1, 9),
            (0, 1 << 30, 49),
            (-5, -1, 3),
        ] {
            let c = by_constant(Interval { lo, hi }, d).expect("fits");
            for s in [lo, lo + 1, hi - 1, hi, (lo + hi) / 2, 0.max(lo).min(hi)] {
                let v = s * c.mult + c.add;
                let y = (v + (1 << (c.shift - 1))).div_euclid(1 << c.shift);
                assert_eq!(y, round_half_up(s, d), "s = {s}, d = {d}");
            }
        }
    }
}

//! Activations by lookup table (`sigmoid`, `tanh`, `gelu`, `exp`; `zkm_air::gadgets::TABLE_FNS`):
//! the table size, the input rounding that fits it, the output scale and the range rule
//! (`spec/semantics.md`).

use zkm_air::gadgets::{TableSpec, MAX_TABLE_ROWS, TABLE_FNS};
use zkm_air::NumType;
use zkm_diagnostics::Span;

use super::builtins::Evaluated;
use super::errors;
use super::eval::{Eval, Value};
use super::range;
use crate::ir::{Interval, Op};

/// Output fractional bits of the bounded functions (`sigmoid`, `tanh`, and `exp` up to 1).
const OUT_FRAC: u32 = 14;

impl Eval<'_, '_> {
    /// `f(x)` for table function `k`: the input is first rescaled (rounding half up) to the
    /// fewest dropped fractional bits whose codes fit [`MAX_TABLE_ROWS`] entries.
    pub(crate) fn table_fn(&mut self, k: u8, (id, n, at): Evaluated, span: Span) -> Value {
        let name = TABLE_FNS[k as usize].name;
        let spread = |r: Interval| (r.hi - r.lo + 1) as u128;
        let mut shift = 0u32;
        let mut r = n.range;
        while spread(r) > MAX_TABLE_ROWS as u128 {
            shift += 1;
            match range::rescale(n.range, shift as i32) {
                Some(reduced) => r = reduced,
                None => break,
            }
        }
        if spread(r) > MAX_TABLE_ROWS as u128 || shift > n.frac {
            return self.fail(errors::table_input(name, n.range, n.frac, at));
        }
        let (input, frac) = match shift {
            0 => (id, n.frac),
            _ => {
                let ty = NumType {
                    bits: range::bits_needed(r),
                    frac: n.frac - shift,
                };
                let op = Op::Rescale {
                    arg: id,
                    ty,
                    clamp: false,
                };
                let Value::Node(rescaled) = self.push(op, n.shape.clone(), ty.frac, Some(r), at)
                else {
                    return Value::Poison;
                };
                (rescaled, ty.frac)
            }
        };
        let Some(out_frac) = out_frac(name, r, frac) else {
            return self.fail(errors::table_output(name, r, frac, span));
        };
        let spec = TableSpec {
            function: k,
            input: (r.lo as i64, r.hi as i64, frac),
            out_frac,
        };
        let entries = spec.entries();
        let lo = entries.iter().copied().min().unwrap_or(0) as i128;
        let hi = entries.iter().copied().max().unwrap_or(0) as i128;
        let op = Op::Table {
            function: k,
            arg: input,
            out_frac,
        };
        self.push(op, n.shape, out_frac, Some(Interval { lo, hi }), span)
    }
}

/// The output's fractional bits: 14 for `sigmoid` and `tanh` (codes within ±2^14), the input's
/// for `gelu` (≈ x for large x), and for `exp` 14 less the bits `e^hi` needs above 1 (`None`
/// when even 0 fractional bits would not fit 16 bits).
fn out_frac(name: &str, r: Interval, frac: u32) -> Option<u32> {
    match name {
        "gelu" => Some(frac),
        "exp" => {
            let hi = r.hi as f64 / 2f64.powi(frac as i32);
            let above = (hi / std::f64::consts::LN_2).ceil().max(0.0) as u32;
            OUT_FRAC.checked_sub(above)
        }
        _ => Some(OUT_FRAC),
    }
}

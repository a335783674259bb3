//! Requantization `y = round_half_up(v / 2^s)` (or `v · 2^−s` for `s < 0`), optionally
//! saturated into the target type.
//!
//! For `s > 0`: column `y0` and the remainder `r = v + 2^(s−1) − y0·2^s`, range-checked to
//! `[0, 2^s)` through limbs (the limb-sum constraint has degree 2 with the gate). `y0` is then
//! unique once it is range-checked too: to the target width `W` (plain rescale), or implicitly by
//! the clamp comparisons below.
//!
//! Clamp to `[lo, hi]`: flags `b_lo, b_hi` (boolean, degree 3 gated), range checks of
//! `y0 − lo + b_lo·2^K` and `hi − y0 + b_hi·2^K` in `[0, 2^K)` (so `b_lo = 1 ⇔ y0 < lo`, likewise
//! `hi`), and `s·(y − y0 − b_lo·(lo − y0) − b_hi·(hi − y0)) = 0` (degree 3).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::ExprId;
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::contract::{limbs, GadgetOp, Owned};

/// One saturating side of a clamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClampSide {
    /// The bound (`lo` or `hi`).
    pub bound: i64,
    /// Flag column: 1 when the bound applies.
    pub flag: u16,
    /// Range check of the signed distance to the bound.
    pub range: RangeCheck,
}

/// Columns of a rescale gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rescale {
    /// Input tensor.
    pub input: TensorId,
    /// Output tensor.
    pub out: TensorId,
    /// Element count.
    pub len: usize,
    /// Shift `s` (fractional bits removed; negative scales up).
    pub shift: i32,
    /// Received input column.
    pub v_col: u16,
    /// The rounded value `y0` (`s > 0` only).
    pub y0_col: Option<u16>,
    /// Remainder check (`s > 0` only).
    pub rem: Option<RangeCheck>,
    /// Target-width check of `y0` (plain rescale with `s > 0`).
    pub width: Option<RangeCheck>,
    /// Target width `W`.
    pub bits: u32,
    /// Saturation below and above.
    pub clamp: [Option<ClampSide>; 2],
    /// The output column.
    pub out_col: u16,
}

/// Static facts the compiler passes to [`Rescale::lower`].
#[derive(Clone, Copy, Debug)]
pub struct RescaleSpec {
    /// Fractional bits removed (negative: added).
    pub shift: i32,
    /// Target width.
    pub bits: u32,
    /// Range of `y0` before clamping.
    pub y0_range: (i128, i128),
    /// Saturate into the target type.
    pub clamp: bool,
}

impl RescaleSpec {
    /// The widest comparison the gadget relies on, shift included: the rounded value is unique
    /// only if its checked width plus the shift stays well inside the field (otherwise a
    /// remainder off by a multiple of p/2^s is possible). The lowering refuses widths above
    /// [`super::MAX_COMPARE_BITS`].
    pub fn compare_bits(&self) -> u32 {
        let half = 1i128 << (self.bits - 1);
        let (lo, hi) = self.y0_range;
        let shift_bits = self.shift.max(0) as u32;
        let checked = match self.clamp {
            true => super::limb_bits(lo.abs().max(hi.abs()) + half + 1),
            false if self.shift > 0 => self.bits,
            false => 0,
        };
        checked + shift_bits
    }
}

impl Rescale {
    /// Lowers `out = rescale(input)`.
    pub fn lower(
        b: &mut AirBuilder,
        input: TensorId,
        out: TensorId,
        spec: RescaleSpec,
        name: &str,
    ) -> Self {
        let len = b.tensor_info(out).map_or(0, |t| t.len());
        let s = b.gate(len);
        let v_col = b.main_col(format!("{name}.in"), "value before rescaling");
        let (v, row) = (b.cur(v_col), b.row());
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        let (y0, y0_col, rem) = round(b, v, s, spec.shift, name);
        let half = 1i128 << (spec.bits - 1);
        let (lo, hi) = (-half, half - 1);
        let need = [
            spec.clamp && spec.y0_range.0 < lo,
            spec.clamp && spec.y0_range.1 > hi,
        ];
        let mut clamp = [None, None];
        let mut width = None;
        let out_col = if need == [false, false] {
            if y0_col.is_some() {
                let h = b_const(b, half);
                let shifted = b.e().add(y0, h);
                width = Some(b.range_check(&format!("{name}.width"), shifted, spec.bits, s));
            }
            output_column(b, y0_col, y0, s, name)
        } else {
            let k = super::limb_bits(spec.y0_range.0.abs().max(spec.y0_range.1.abs()) + half + 1);
            clamp[0] = need[0].then(|| clamp_side(b, y0, lo, k, s, false, name));
            clamp[1] = need[1].then(|| clamp_side(b, y0, hi, k, s, true, name));
            clamped_output(b, y0, &clamp, s, name)
        };
        let y = b.cur(out_col);
        b.send_tensor(out, row, y, s, format!("{name}[i]"));
        let (shift, bits) = (spec.shift, spec.bits);
        Rescale {
            input,
            out,
            len,
            shift,
            v_col,
            y0_col,
            rem,
            width,
            bits,
            clamp,
            out_col,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.input).to_vec();
        let mut out = Vec::with_capacity(vals.len());
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            let y0 = self.fill_round(w, i, v);
            let y = self.fill_clamp(w, i, y0);
            w.set_int(self.out_col, i, y);
            out.push(y);
        }
        w.set_tensor(self.out, out);
    }

    fn fill_round(&self, w: &mut Witness<'_>, i: usize, v: i128) -> i128 {
        if self.shift <= 0 {
            return v << (-self.shift);
        }
        let half = 1i128 << (self.shift - 1);
        let y0 = (v + half) >> self.shift;
        if let (Some(col), Some(rem)) = (self.y0_col, &self.rem) {
            w.set_int(col, i, y0);
            rem.fill(w, i, v + half - (y0 << self.shift));
        }
        if let Some(width) = &self.width {
            width.fill(w, i, y0 + (1i128 << (self.bits - 1)));
        }
        y0
    }

    fn fill_clamp(&self, w: &mut Witness<'_>, i: usize, y0: i128) -> i128 {
        let mut y = y0;
        for (k, side) in self.clamp.iter().enumerate() {
            let Some(side) = side else { continue };
            let bound = side.bound as i128;
            let (dist, active) = if k == 0 {
                (y0 - bound, y0 < bound)
            } else {
                (bound - y0, y0 > bound)
            };
            let k_bits = side.range.bits;
            w.set_int(side.flag, i, active as i128);
            side.range
                .fill(w, i, dist + if active { 1i128 << k_bits } else { 0 });
            if active {
                y = bound;
            }
        }
        y
    }
}

/// `v + 2^(s−1) − y0·2^s ∈ [0, 2^s)` for `s > 0`; `y0 = v·2^−s` otherwise.
fn round(
    b: &mut AirBuilder,
    v: ExprId,
    s: ExprId,
    shift: i32,
    name: &str,
) -> (ExprId, Option<u16>, Option<RangeCheck>) {
    if shift <= 0 {
        return (b.e().scale(1i128 << (-shift), v), None, None);
    }
    let col = b.main_col(format!("{name}.y0"), "rounded value before saturation");
    let y0 = b.cur(col);
    let half = b_const(b, 1i128 << (shift - 1));
    let biased = b.e().add(v, half);
    let scaled = b.e().scale(1i128 << shift, y0);
    let r = b.e().sub(biased, scaled);
    let rem = b.range_check(&format!("{name}.rem"), r, shift as u32, s);
    (y0, Some(col), Some(rem))
}

fn clamp_side(
    b: &mut AirBuilder,
    y0: ExprId,
    bound: i128,
    k: u32,
    s: ExprId,
    upper: bool,
    name: &str,
) -> ClampSide {
    let which = if upper { "hi" } else { "lo" };
    let flag = b.main_col(
        format!("{name}.{which}"),
        format!("1 when the value is clamped to {bound}"),
    );
    let f = b.cur(flag);
    let one = b_const(b, 1);
    let f_minus_1 = b.e().sub(f, one);
    let boolean = b.e().mul(f, f_minus_1);
    let c = b.gated(s, boolean);
    b.constraint(&format!("{name}.{which}_boolean"), c);
    let bound_e = b_const(b, bound);
    let dist = if upper {
        b.e().sub(bound_e, y0)
    } else {
        b.e().sub(y0, bound_e)
    };
    let shifted = b.e().scale(1i128 << k, f);
    let d = b.e().add(dist, shifted);
    let range = b.range_check(&format!("{name}.{which}_dist"), d, k, s);
    ClampSide {
        bound: bound as i64,
        flag,
        range,
    }
}

fn clamped_output(
    b: &mut AirBuilder,
    y0: ExprId,
    clamp: &[Option<ClampSide>; 2],
    s: ExprId,
    name: &str,
) -> u16 {
    let col = b.main_col(format!("{name}.out"), "rescaled and saturated value");
    let mut rhs = y0;
    for side in clamp.iter().flatten() {
        let (f, bound) = (b.cur(side.flag), b_const(b, side.bound as i128));
        let towards = b.e().sub(bound, y0);
        let term = b.e().mul(f, towards);
        rhs = b.e().add(rhs, term);
    }
    let y = b.cur(col);
    let diff = b.e().sub(y, rhs);
    let c = b.gated(s, diff);
    b.constraint(&format!("{name}.clamp"), c);
    col
}

fn output_column(
    b: &mut AirBuilder,
    y0_col: Option<u16>,
    y0: ExprId,
    s: ExprId,
    name: &str,
) -> u16 {
    if let Some(col) = y0_col {
        return col;
    }
    let col = b.main_col(format!("{name}.out"), "rescaled value");
    let y = b.cur(col);
    let diff = b.e().sub(y, y0);
    let c = b.gated(s, diff);
    b.constraint(&format!("{name}.scale_up"), c);
    col
}

fn b_const(b: &mut AirBuilder, v: i128) -> ExprId {
    b.e().constant(v)
}

impl GadgetOp for Rescale {
    fn op(&self) -> &'static str {
        "rescale"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![Owned::main(self.v_col, "in")];
        cols.extend(self.y0_col.map(|c| Owned::main(c, "y0")));
        cols.extend(self.rem.iter().flat_map(|r| limbs("rem", r)));
        cols.extend(self.width.iter().flat_map(|r| limbs("width", r)));
        for (side, which) in self.clamp.iter().zip(["lo", "hi"]) {
            if let Some(side) = side {
                cols.push(Owned::main(side.flag, which));
                cols.extend(limbs(&format!("{which}_dist"), &side.range));
            }
        }
        if self.y0_col != Some(self.out_col) {
            cols.push(Owned::main(self.out_col, "out"));
        }
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.input, self.out]
    }

    /// Elements whose rounded value `y0` lay outside `[lo, hi]` (the output then holds the bound).
    fn saturated(&self, tensors: &[Vec<i128>]) -> Option<(TensorId, usize)> {
        if self.clamp.iter().all(Option::is_none) {
            return None;
        }
        let (input, out) = (
            tensors.get(self.input.index())?,
            tensors.get(self.out.index())?,
        );
        let rounded = |v: i128| match self.shift {
            s if s <= 0 => v << (-s),
            s => (v + (1i128 << (s - 1))) >> s,
        };
        let count = input
            .iter()
            .zip(out)
            .filter(|(v, y)| rounded(**v) != **y)
            .count();
        Some((self.out, count))
    }
}

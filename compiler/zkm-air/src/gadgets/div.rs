//! Division by a positive scalar, rounding half up: `y[i] = ⌊(a[i]·2^(k+1) + s) / (2s)⌋`
//! (`= round_half_up(a[i]·2^k / s)`), as `softmax` needs.
//!
//! Row `i` receives `a[i]` in `A` and the scalar `s` in `S` (element 0 on every row), holds
//! `y[i]` in `Y` (sent) and the remainder `R`. With `s` the region selector:
//! - `s·(A·2^(k+1) + S − 2·Y·S − R) = 0` (degree 3);
//! - `R ∈ [0, 2^K)` and `2S − 1 − R ∈ [0, 2^K)` (range checks, `2·max(s) ≤ 2^K`): so
//!   `0 ≤ R < 2S`, which also proves `S ≥ 1`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::contract::{limbs, GadgetOp, Owned};

/// Columns of a division by a scalar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DivScalar {
    /// Numerators `a`, the scalar `s`, the quotients `y`.
    pub io: [TensorId; 3],
    /// The extra fractional bits `k` of the quotient.
    pub shift: u32,
    /// Main columns `A`, `S`, `Y`, `R`.
    pub main: [u16; 4],
    /// Range checks of `R` and `2S − 1 − R`.
    pub ranges: [RangeCheck; 2],
}

impl DivScalar {
    /// The width of the remainder checks for divisors up to `max_den`.
    pub fn compare_bits(max_den: i128) -> u32 {
        super::limb_bits(2 * max_den)
    }

    /// Lowers `y = round_half_up(a·2^shift / s)` for `s ∈ [1, max_den]`.
    pub fn lower(
        b: &mut AirBuilder,
        io: [TensorId; 3],
        shift: u32,
        max_den: i128,
        name: &str,
    ) -> Self {
        let [a, s_t, y] = io;
        let len = b.tensor_info(a).map_or(0, |t| t.len());
        let col =
            |b: &mut AirBuilder, n: &str, m: &str| b.main_col(format!("{name}.{n}"), m.to_owned());
        let main = [
            col(b, "a", "numerator a[i] on row i"),
            col(b, "s", "the divisor (every row)"),
            col(b, "y", "quotient y[i], rounded half up"),
            col(b, "r", "remainder of a·2^(k+1) + s by 2s"),
        ];
        let sel = b.selector(len);
        let (s, row) = (b.cur(sel), b.row());
        let [av, sv, yv, rv] = main.map(|c| b.cur(c));
        let zero = b.e().constant(0);
        let (an, sn) = (b.tensor_name(a), b.tensor_name(s_t));
        b.recv_tensor(a, row, av, s, format!("{name} reads {an}[i]"));
        b.recv_tensor(s_t, zero, sv, s, format!("{name} reads {sn}"));
        b.send_tensor(y, row, yv, s, format!("{name}[i]"));
        let scaled = b.e().scale(1i128 << (shift + 1), av);
        let ys = b.e().mul(yv, sv);
        let ys2 = b.e().scale(2, ys);
        let lhs = b.e().add(scaled, sv);
        let c = b.e().sub(lhs, ys2);
        let c = b.e().sub(c, rv);
        let c = b.gated(s, c);
        b.constraint(&format!("{name}.division"), c);
        let bits = Self::compare_bits(max_den);
        let below = b.e().scale(2, sv);
        let one = b.e().constant(1);
        let below = b.e().sub(below, one);
        let below = b.e().sub(below, rv);
        let ranges = [
            b.range_check(&format!("{name}.r"), rv, bits, s),
            b.range_check(&format!("{name}.r_below_2s"), below, bits, s),
        ];
        DivScalar {
            io,
            shift,
            main,
            ranges,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let [a, s_t, y] = self.io;
        let (a, s) = (
            w.tensor(a).to_vec(),
            w.tensor(s_t).first().copied().unwrap_or(1),
        );
        let [a_col, s_col, y_col, r_col] = self.main;
        let den = 2 * s.max(1);
        let mut out = Vec::with_capacity(a.len());
        for (i, &v) in a.iter().enumerate() {
            let num = (v << (self.shift + 1)) + s;
            let (q, r) = (num.div_euclid(den), num.rem_euclid(den));
            w.set_int(a_col, i, v);
            w.set_int(s_col, i, s);
            w.set_int(y_col, i, q);
            w.set_int(r_col, i, r);
            self.ranges[0].fill(w, i, r);
            self.ranges[1].fill(w, i, 2 * s - 1 - r);
            out.push(q);
        }
        w.set_tensor(y, out);
        Ok(())
    }
}

impl GadgetOp for DivScalar {
    fn op(&self) -> &'static str {
        "divide"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn columns(&self) -> Vec<Owned> {
        let roles = ["a", "s", "y", "r"];
        let mut cols: Vec<Owned> = self
            .main
            .iter()
            .zip(roles)
            .map(|(&c, r)| Owned::main(c, r))
            .collect();
        cols.extend(limbs("r", &self.ranges[0]));
        cols.extend(limbs("r_below_2s", &self.ranges[1]));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        self.io.to_vec()
    }
}

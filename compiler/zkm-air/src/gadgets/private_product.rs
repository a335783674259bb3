//! Matrix-vector product `z = W·x` with **private** W (m×n), by a randomized check computed in
//! the trace: about one main cell per weight plus its 8-bit range check.
//!
//! W is stored column by column: block `j` (rows `j·C .. (j+1)·C`, `C = ⌈m/k⌉`) holds column `j`
//! of W, `k` weights per row (row `c` of the block, lane `t` holds `W[c·k + t][j]`; padding
//! weights past `m` are 0). With `E = I' − I` marking the block's last row:
//! - `s·E·(E − 1) = 0`, `s·E·(row' − C·I') = 0`, `I[0] = 0`, `I[n·C] = n` (blocks of exactly C
//!   rows; degree 3), and `G − s·E = 0` (the block-end flag as a column, degree 2);
//! - each `W_t + 2^(W−1)` is range-checked to the declared width;
//! - column `X` holds `x[j]` on every row of block `j`: `(1 − E)·(X' − X) = 0` (degree 2), and on
//!   block ends (`G = 1`) it receives `x[I]` over the bus;
//! - for committed weights, each lane *sends* its weight once with the tag of its row-major
//!   index in W's declared layout, an affine function of `row` and `I` (degree 1), gated by `s`
//!   (by `s − G` for a lane that is padding on the block's last row), so the commitment gadget
//!   receives W over the bus.
//!
//! Auxiliary columns, after γ is drawn (`S = Σ_t γ^t·W_t`): `PW` with `PW[0] = 1`,
//! `PW' − (1 − E)·γ^k·PW − E = 0` (γ^(c·k) within a block, so the block's rows' `PW·S` add up to
//! `u_j = Σ_i γ^i·W[i][j]`); the `z` side as in the public product: `Z` on rows `i < m`,
//! `(1 − s_m)·Z = 0`, `P[0] = 1`, `P' − γ·P = 0`; and `D[0] = 0`, `D' − D − s·PW·S·X + P·Z = 0`
//! (degree 4: `s` keeps the unconstrained lanes past the blocks out), `D[N−1] = 0`. So
//! `Σ_j u_j·x_j = Σ_i γ^i·z_i`. Summing `PW·S·X` row by row (`X` constant in the block) needs no
//! running per-block sum, which two more auxiliary columns would hold.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId, LAST_ROW};
use crate::expr::{Expr, ExprId};
use crate::field::{Felt, FieldElement};
use crate::program::{AirProgram, AssertValue};
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::contract::{limbs, AuxFill, DeclRef, GadgetOp, Owned};

use super::blocks::Blocks;
use super::zside::ZSide;
use super::GAMMA;

/// Columns of a private-weight product check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateProduct {
    /// The vector operand.
    pub x: TensorId,
    /// The output tensor.
    pub out: TensorId,
    /// Inputs n, outputs m, lanes k.
    pub dims: [usize; 3],
    /// Weights laid out `[n, m]` (`x @ W`) rather than `[m, n]`.
    pub transposed: bool,
    /// The weights' declared name and width.
    pub w_decl: DeclRef,
    /// Committed weights: the bus tensor every weight is sent on once (to the commitment).
    pub w_tensor: Option<TensorId>,
    /// Main columns `I`, `G`, `X`, `Z`.
    pub main: [u16; 4],
    /// Weight lanes.
    pub lanes: Vec<u16>,
    /// Range checks of the lanes.
    pub ranges: Vec<RangeCheck>,
    /// Aux columns `PW`, `P`, `D`.
    pub aux: [u16; 3],
}

impl PrivateProduct {
    /// Lowers `out = W·x` for private W stored in `k` lanes; committed W (`w_tensor`) is also
    /// sent on the bus.
    #[allow(clippy::too_many_arguments)]
    pub fn lower(
        b: &mut AirBuilder,
        x: TensorId,
        out: TensorId,
        dims: [usize; 3],
        transposed: bool,
        w_decl: DeclRef,
        w_tensor: Option<TensorId>,
        name: &str,
    ) -> Self {
        let [n, m, k] = dims;
        let c = m.div_ceil(k);
        let col = |b: &mut AirBuilder, s: &str, what: &str| {
            b.main_col(format!("{name}.{s}"), what.to_owned())
        };
        let main = [
            col(b, "I", "input index j of this row's block"),
            col(b, "G", "1 on the last row of a block"),
            col(b, "x", "x[j] on every row of block j"),
            col(b, "z", "claimed W·x [i] on row i"),
        ];
        let lanes = (0..k)
            .map(|t| col(b, &format!("w{t}"), &format!("W[c·{k} + {t}][j]")))
            .collect();
        let aux_names = [
            ("pw", "γ^(c·k) within the block"),
            ("p", "γ^row (shared)"),
            ("d", "Σ u·x − Σ γ^i·z over earlier rows"),
        ];
        let aux = b.product_aux(name, aux_names);
        let mut g = PrivateProduct {
            x,
            out,
            dims,
            transposed,
            w_decl,
            w_tensor,
            main,
            lanes,
            ranges: vec![],
            aux,
        };
        let (sel, sel_m) = (b.selector(n * c), b.selector(m));
        let e = g.emit_blocks(b, sel, name);
        g.emit_lanes(b, sel, name);
        g.emit_sends(b, sel, name);
        g.emit_checks(b, e, [sel, sel_m], name);
        g
    }

    /// Block structure; returns `E = I' − I`.
    fn emit_blocks(&self, b: &mut AirBuilder, sel: u16, name: &str) -> ExprId {
        let [i_col, g_col, x_col, _] = self.main;
        let (s, i, g) = (b.cur(sel), b.cur(i_col), b.cur(g_col));
        let blocks = self.blocks();
        let e = blocks.lower(b, s, name);
        let se = b.e().mul(s, e);
        let flag = b.e().sub(g, se);
        b.constraint(&format!("{name}.block_end_flag"), flag);
        let xv = b.cur(x_col);
        let xname = b.tensor_name(self.x);
        b.recv_tensor(self.x, i, xv, g, format!("{name}.x reads {xname}[j]"));
        blocks.assert_bounds(b, "column", name);
        e
    }

    /// The block structure: weight column `j` on rows `j·C .. (j+1)·C`, `C = ⌈m/k⌉`.
    fn blocks(&self) -> Blocks {
        let [n, m, k] = self.dims;
        let (index, rows, count) = (self.main[0], m.div_ceil(k), n);
        Blocks { index, rows, count }
    }

    /// The claimed-output side: `Z`, `P`, `D`.
    fn z_side(&self) -> ZSide {
        let (z_col, p, d) = (self.main[3], self.aux[1], self.aux[2]);
        ZSide { z_col, p, d }
    }

    fn emit_lanes(&mut self, b: &mut AirBuilder, sel: u16, name: &str) {
        let bits = self.w_decl.bits;
        for (t, &lane) in self.lanes.iter().enumerate() {
            let (s, w) = (b.cur(sel), b.cur(lane));
            let half = b.e().constant(1i128 << (bits - 1));
            let shifted = b.e().add(w, half);
            self.ranges
                .push(b.range_check(&format!("{name}.w{t}.range"), shifted, bits, s));
        }
    }

    /// Committed weights: lane `t` sends `W[i][j]` (`i = (row − C·I)·k + t`, `j = I`) with the
    /// tag of its row-major index, `s` (or `s − G` on padding) times.
    fn emit_sends(&self, b: &mut AirBuilder, sel: u16, name: &str) {
        let Some(wt) = self.w_tensor else {
            return;
        };
        let [n, m, k] = self.dims;
        let c = m.div_ceil(k);
        let (row, i_col) = (b.row(), b.cur(self.main[0]));
        let (n_, m_, k_, c_) = (n as i128, m as i128, k as i128, c as i128);
        // Row-major index: `I·m + i` for W laid out [n, m], `i·n + I` for [m, n].
        let (row_coef, i_coef, t_coef) = match self.transposed {
            true => (k_, m_ - c_ * k_, 1),
            false => (k_ * n_, 1 - c_ * k_ * n_, n_),
        };
        let (s, g) = (b.cur(sel), b.cur(self.main[1]));
        for (t, &lane) in self.lanes.iter().enumerate() {
            let base = wt.tag_base() as i128 + t_coef * t as i128;
            let r = b.e().scale(row_coef, row);
            let ic = b.e().scale(i_coef, i_col);
            let konst = b.e().constant(base);
            let tag = b.e().sum(&[r, ic, konst]);
            let mult = match (c - 1) * k + t >= m {
                true => b.e().sub(s, g),
                false => s,
            };
            let v = b.cur(lane);
            let label = format!("{name}.w{t} sends {}[i][j]", self.w_decl.name);
            b.bus(crate::program::Direction::Send, mult, tag, v, label);
        }
    }

    /// `X` constant in each block, the auxiliary recurrence and the final check.
    fn emit_checks(&self, b: &mut AirBuilder, e: ExprId, [sel, sel_m]: [u16; 2], name: &str) {
        let pw = b.e().push(Expr::Aux {
            col: self.aux[0],
            next: false,
        });
        let pw_n = b.aux_next(self.aux[0]);
        let gamma = b.e().push(Expr::Rand(GAMMA));
        let powers = gamma_powers(b, gamma, self.dims[2] + 1);
        let lanes: Vec<ExprId> = self.lanes.iter().map(|&l| b.cur(l)).collect();
        let terms: Vec<ExprId> = lanes
            .iter()
            .zip(&powers)
            .map(|(&w, &g)| b.e().mul(g, w))
            .collect();
        let s_w = b.e().sum(&terms);
        let one = b.e().constant(1);
        let keep = b.e().sub(one, e);
        // X' = X inside a block (degree 2).
        let x_col = self.main[2];
        let (xv, xv_n) = (b.cur(x_col), b.next(x_col));
        let step = b.e().sub(xv_n, xv);
        let c = b.e().mul(keep, step);
        b.constraint(&format!("{name}.x_in_block"), c);
        let next_pw = b.e().mul(powers[self.dims[2]], pw);
        let next_pw = b.e().mul(keep, next_pw);
        let next_pw = b.e().add(next_pw, e);
        let c = b.e().sub(pw_n, next_pw);
        b.aux_constraint(&format!("{name}.block_powers"), c);
        // keyed = s·PW·S·X (degree 4).
        let s = b.cur(sel);
        let keyed = b.e().mul(s, pw);
        let keyed = b.e().mul(keyed, s_w);
        let keyed = b.e().mul(keyed, xv);
        self.z_side().lower(b, self.out, keyed, sel_m, name);
        b.aux_assert(
            self.aux[0],
            0,
            AssertValue::Const(1),
            format!("{name}.pw starts at 1"),
        );
        b.aux_assert(
            self.aux[2],
            LAST_ROW,
            AssertValue::Const(0),
            format!("{name}: Σ γ^i·z_i = Σ u_j·x_j"),
        );
    }

    fn weight_index(&self, i: usize, j: usize) -> usize {
        let [n, m, _] = self.dims;
        super::weight_index(self.transposed, n, m, i, j)
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let [n, m, k] = self.dims;
        let weights = w.input(&self.w_decl.name, n * m, self.w_decl.bits)?;
        let x = w.tensor(self.x).to_vec();
        let c = m.div_ceil(k);
        let [_, g_col, x_col, _] = self.main;
        let half = 1i128 << (self.w_decl.bits - 1);
        self.blocks().fill(w);
        for j in 0..n {
            for chunk in 0..c {
                let r = j * c + chunk;
                for (t, &lane) in self.lanes.iter().enumerate() {
                    let i = chunk * k + t;
                    let v = if i < m {
                        weights[self.weight_index(i, j)]
                    } else {
                        0
                    };
                    w.set_int(lane, r, v);
                    self.ranges[t].fill(w, r, v + half);
                }
            }
            w.set_int(g_col, j * c + c - 1, 1);
            for chunk in 0..c {
                w.set_int(x_col, j * c + chunk, x[j]);
            }
        }
        let z: Vec<i128> = (0..m)
            .map(|i| {
                (0..n)
                    .map(|j| weights[self.weight_index(i, j)] * x[j])
                    .sum()
            })
            .collect();
        self.z_side().fill(w, &z);
        w.set_tensor(self.out, z);
        if let Some(wt) = self.w_tensor {
            w.set_tensor(wt, weights);
        }
        Ok(())
    }

    /// Fills `PW`, `P` and `D` once γ is known.
    fn fill_aux_rows<E: FieldElement<BaseField = Felt>>(
        &self,
        p: &AirProgram,
        main: &[Vec<Felt>],
        rand: &[E],
        aux: &mut [Vec<E>],
    ) {
        let gamma = rand[GAMMA as usize];
        let [n, m, k] = self.dims;
        let c = m.div_ceil(k);
        let powers: Vec<E> = std::iter::successors(Some(E::ONE), |x| Some(*x * gamma))
            .take(k + 1)
            .collect();
        let pw_c = self.aux[0] as usize;
        let x_col = self.main[2] as usize;
        let mut pw = E::ONE;
        let mut keyed = vec![E::ZERO; p.trace_len];
        for (r, keyed) in keyed.iter_mut().enumerate().take(n * c) {
            let s_w = self
                .lanes
                .iter()
                .zip(&powers)
                .fold(E::ZERO, |a, (&l, &g)| a + g.mul_base(main[l as usize][r]));
            aux[pw_c][r] = pw;
            *keyed = (pw * s_w).mul_base(main[x_col][r]);
            pw = match r % c == c - 1 {
                true => E::ONE,
                false => pw * powers[k],
            };
        }
        for cell in &mut aux[pw_c][n * c..p.trace_len] {
            *cell = pw;
            pw *= powers[k];
        }
        self.z_side().fill_aux(main, &keyed, gamma, aux);
    }
}

/// `[1, γ, γ², …]`, `count` powers as expressions.
fn gamma_powers(b: &mut AirBuilder, gamma: ExprId, count: usize) -> Vec<ExprId> {
    let mut out = vec![b.e().constant(1)];
    for _ in 1..count {
        let last = out[out.len() - 1];
        out.push(b.e().mul(last, gamma));
    }
    out
}

impl GadgetOp for PrivateProduct {
    fn op(&self) -> &'static str {
        "private product"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn fill_aux<E: FieldElement<BaseField = Felt>>(&self, f: &mut AuxFill<'_, E>) {
        self.fill_aux_rows(f.program, f.main, f.rand, f.aux);
    }

    fn columns(&self) -> Vec<Owned> {
        let main = self.main.iter().zip(["I", "G", "x", "z"]);
        let mut cols: Vec<Owned> = main.map(|(&c, role)| Owned::main(c, role)).collect();
        for (t, (&lane, range)) in self.lanes.iter().zip(&self.ranges).enumerate() {
            cols.push(Owned::main(lane, format!("w{t}")));
            cols.extend(limbs(&format!("w{t}.range"), range));
        }
        let aux = self.aux.iter().zip(["pw", "p", "d"]);
        cols.extend(aux.map(|(&c, role)| Owned::aux(c, role)));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        let mut t = vec![self.x, self.out];
        t.extend(self.w_tensor);
        t
    }
}

//! 2-D convolution with a **private** kernel `K [CO, T]` (`T = CI·KH·KW` taps per output), by a
//! randomized check computed in the trace. With `P = OH·OW` output positions, output
//! `i = co·P + p` and `patch_p[t]` the input element tap `t` of position `p` reads (0 in the
//! padding), one random γ factors as `γ^i = (γ^P)^co · γ^p`, so
//!
//! `Σ_i γ^i·(z_i − b[co]) = Σ_t A_t·Q_t` with `A_t = Σ_co γ^(P·co)·K[co][t]`, `Q_t = Σ_p γ^p·patch_p[t]`,
//!
//! and the bias is one more tap whose patch is 1 everywhere (`A_T = Σ_co γ^(P·co)·b[co]`,
//! `Q_T = Σ_p γ^p`).
//!
//! Layout (`conv_layout.rs`): `k` gather lanes `XV_j` and `T + 1` blocks of
//! `L = max(⌈P/k⌉, CO)` rows (`Blocks`: columns `I`, `G − s·E = 0`); position `p` of a block is
//! lane `p mod k` of its row `⌊p/k⌋`. In block `t < T`, lane `j` of row `r` **gathers**
//! `patch_{rk+j}[t]`: it receives `x[IDX_j]` where `IDX_j` and the gate `XG_j` are periodic
//! columns (fixed by the geometry, known to the verifier); in block `T`, lane `j` is 1 on the
//! rows that hold a position (`(s_{LT+B_j} − s_{LT})·(XV_j − 1) = 0`); every other cell of the
//! lanes in the blocks is 0 (`(s_{(T+1)L} − C_j)·XV_j = 0`). Row `co` of block `t` holds
//! `K[co][t]` in column `K` (range-checked to the declared width on rows before block `T`);
//! block `T`'s `K` receives the bias `b[co]` on its row `co`. Since the bus needs every element
//! of `x` read equally often, *filler* rows after the blocks receive each element read by fewer
//! taps (border elements) the `R − count` times it lacks (lane 0, `XG_0` is that multiplicity;
//! `R` the most any element is read); they take no part in the check.
//!
//! Auxiliary columns, after γ is drawn, with `E = I' − I`:
//! - `PQ[0] = 1`, `PQ' − (1 − E)·γ^k·PQ − E = 0` (`γ^(k·r)` within a block);
//! - `PW[0] = 1`, `PW' − (1 − E)·γ^P·PW − E = 0` (`γ^(P·co)` within a block);
//! - `TA − BA − PW·K = 0`, `BA' − (1 − E)·TA = 0`, `BA[0] = 0` (`TA = A_t` on a block's last row);
//! - `TQ − BQ − PQ·Σ_j γ^j·C_j·XV_j = 0` with `C_j = XG_j·s_{(T+1)L} + s_{LT+B_j} − s_{LT}`,
//!   `BQ' − (1 − E)·TQ = 0`, `BQ[0] = 0` (`TQ = Q_t` on a block's last row; degree 3 with one
//!   periodic factor);
//! - the `z` side of the product checks (`ZSide`) with `keyed = G·TA·TQ` (degree 3), and
//!   `D[N−1] = 0`.
//!
//! A kernel value on a row `co ≥ CO` of a block adds the monomials `γ^(P·co + p)`, which no
//! output carries, so the identity fails unless those values change no output.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId, LAST_ROW};
use crate::expr::{Expr, ExprId};
use crate::field::{Felt, FieldElement};
use crate::program::AssertValue;
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::blocks::Blocks;
use super::contract::{limbs, AuxFill, DeclRef, GadgetOp, Owned};
use super::conv::ConvGeometry;
use super::conv_layout::ConvLayout;
use super::zside::ZSide;
use super::GAMMA;

/// Columns of a private-kernel convolution check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateConv {
    /// The input `[CI, H, W]`.
    pub x: TensorId,
    /// The bias `[CO]`.
    pub bias: TensorId,
    /// The output `[CO, OH, OW]`.
    pub out: TensorId,
    /// The convolution's shape.
    pub geometry: ConvGeometry,
    /// The kernel's declared name and width.
    pub k_decl: DeclRef,
    /// A committed kernel: the bus tensor the lane sends it on (to the commitment gadget), and
    /// the periodic column marking the kernel's rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<(TensorId, u16)>,
    /// Main columns `I`, `G`, `K`, `Z`.
    pub main: [u16; 4],
    /// Main columns `XV_j`, one per gather lane.
    pub xv: Vec<u16>,
    /// Range check of the kernel lane.
    pub range: RangeCheck,
    /// Periodic columns `IDX_j`, `XG_j` of every lane.
    pub periodic: Vec<[u16; 2]>,
    /// Auxiliary columns `PQ`, `PW`, `BA`, `TA`, `BQ`, `TQ`, `P`, `D`.
    pub aux: [u16; 8],
}

impl PrivateConv {
    /// Lowers `out = conv(x, K) + bias` for a private kernel declared as `k_decl`; a committed
    /// kernel (`k_tensor`) is also sent on the bus.
    pub fn lower(
        b: &mut AirBuilder,
        [x, bias, out]: [TensorId; 3],
        layout: &ConvLayout,
        geometry: ConvGeometry,
        (k_decl, k_tensor): (DeclRef, Option<TensorId>),
        name: &str,
    ) -> Self {
        let col = |b: &mut AirBuilder, s: &str, what: &str| {
            b.main_col(format!("{name}.{s}"), what.to_owned())
        };
        let main = [
            col(b, "I", "tap t of this row's block (T: the bias)"),
            col(b, "G", "1 on the last row of a block"),
            col(
                b,
                "k",
                "K[co][t] on row co of block t; b[co] in the bias block",
            ),
            col(b, "z", "claimed conv(x) + bias [i] on row i"),
        ];
        let xv = (0..layout.lanes)
            .map(|j| {
                let what = format!(
                    "patch_p[t], p = row·{} + {j}, in block t; 1 in the bias block",
                    layout.lanes
                );
                col(b, &format!("xv{j}"), &what)
            })
            .collect();
        let periodic = layout.periodic().into_iter().enumerate();
        let periodic = periodic
            .map(|(j, [idx, gate])| {
                [
                    b.push_periodic(&format!("{name}.idx{j}"), idx),
                    b.push_periodic(&format!("{name}.xg{j}"), gate),
                ]
            })
            .collect();
        let aux_names = [
            ("pq", "γ^p within the block"),
            ("pw", "γ^(P·co) within the block"),
            ("ba", "earlier rows' part of A_t"),
            ("ta", "A_t = Σ γ^(P·co)·K[co][t] so far"),
            ("bq", "earlier rows' part of Q_t"),
            ("tq", "Q_t = Σ γ^p·patch_p[t] so far"),
            ("p", "γ^row (shared)"),
            ("d", "Σ A_t·Q_t − Σ γ^i·z over earlier rows"),
        ];
        let aux = b.product_aux(name, aux_names);
        let committed = k_tensor.map(|t| {
            let rows = layout.kernel_rows();
            (t, b.push_periodic(&format!("{name}.kg"), rows))
        });
        let mut g = PrivateConv {
            x,
            bias,
            out,
            geometry,
            k_decl,
            committed,
            main,
            xv,
            range: RangeCheck {
                limbs: vec![],
                bits: 0,
            },
            periodic,
            aux,
        };
        let e = g.emit_rows(b, layout, name);
        g.emit_sends(b, layout, name);
        g.emit_checks(b, layout, e, name);
        g
    }

    /// The row layout: the geometry's, with as many gather lanes as the gadget has `XV` columns
    /// (validation checks that they are a power of two, at most `MAX_LANES`).
    pub fn layout(&self) -> ConvLayout {
        ConvLayout::with_lanes(&self.geometry, self.xv.len())
    }

    /// A committed kernel: row `co` of block `t` sends `K[co][t]` with the tag of its row-major
    /// index `co·T + t = T·row − (T·L − 1)·I` (degree 1), on the rows `KG·s_{LT}` marks.
    fn emit_sends(&self, b: &mut AirBuilder, layout: &ConvLayout, name: &str) {
        let Some((kt, kg)) = self.committed else {
            return;
        };
        let (taps, block) = (layout.taps as i128, layout.block as i128);
        let (row, i) = (b.row(), b.cur(self.main[0]));
        let r = b.e().scale(taps, row);
        let i = b.e().scale(-(taps * block - 1), i);
        let index = b.e().add(r, i);
        let taps_sel = b.selector(layout.taps * layout.block);
        let in_taps = b.cur(taps_sel);
        let kg = b.e().push(Expr::Periodic(kg));
        let gate = b.e().mul(kg, in_taps);
        let k = b.cur(self.main[2]);
        let label = format!("{name}.k sends {}[co][t]", self.k_decl.name);
        b.send_tensor(kt, index, k, gate, label);
    }

    fn blocks(&self, layout: &ConvLayout) -> Blocks {
        let (index, rows, count) = (self.main[0], layout.block, layout.taps + 1);
        Blocks { index, rows, count }
    }

    fn z_side(&self) -> ZSide {
        let (z_col, p, d) = (self.main[3], self.aux[6], self.aux[7]);
        ZSide { z_col, p, d }
    }

    /// Blocks, the gathers, the bias block's ones, the kernel lane; returns `E = I' − I`.
    fn emit_rows(&mut self, b: &mut AirBuilder, layout: &ConvLayout, name: &str) -> ExprId {
        let [_, g_col, k_col, _] = self.main;
        let bias_start = layout.taps * layout.block;
        let sel = b.selector(layout.block_rows());
        let (s, g) = (b.cur(sel), b.cur(g_col));
        let blocks = self.blocks(layout);
        let e = blocks.lower(b, s, name);
        let se = b.e().mul(s, e);
        let flag = b.e().sub(g, se);
        b.constraint(&format!("{name}.block_end_flag"), flag);
        blocks.assert_bounds(b, "tap", name);
        for lane in 0..self.xv.len() {
            self.emit_lane(b, layout, lane, name);
        }
        // The kernel lane: range-checked in the tap blocks, the bias received in block T.
        let (k, row) = (b.cur(k_col), b.row());
        let taps_sel = b.selector(bias_start);
        let in_taps = b.cur(taps_sel);
        let bits = self.k_decl.bits;
        let half = b.e().constant(1i128 << (bits - 1));
        let shifted = b.e().add(k, half);
        self.range = b.range_check(&format!("{name}.k.range"), shifted, bits, in_taps);
        let bias_rows = self.window(b, bias_start, self.geometry.out_channels);
        let start = b.e().constant(-(bias_start as i128));
        let index = b.e().add(row, start);
        let bname = b.tensor_name(self.bias);
        let label = format!("{name}.k reads {bname}[row − {bias_start}]");
        b.recv_tensor(self.bias, index, k, bias_rows, label);
        e
    }

    /// Lane `j`: gathers `x[IDX_j]` where `XG_j` says (inside the gadget's rows), holds 0 on the
    /// blocks' other rows and 1 on its rows of the bias block's patch.
    fn emit_lane(&self, b: &mut AirBuilder, layout: &ConvLayout, lane: usize, name: &str) {
        let used = b.selector(layout.rows());
        let (used, xv) = (b.cur(used), b.cur(self.xv[lane]));
        let [idx, xg] = self.periodic[lane].map(|p| b.e().push(Expr::Periodic(p)));
        let gate = b.e().mul(used, xg);
        let xname = b.tensor_name(self.x);
        let label = format!("{name}.xv{lane} gathers {xname}[idx]");
        b.recv_tensor(self.x, idx, xv, gate, label);
        let blocks_sel = b.selector(layout.block_rows());
        let in_blocks = b.cur(blocks_sel);
        let weight = self.tap_weight(b, layout, lane);
        let off_taps = b.e().sub(in_blocks, weight);
        let c = b.e().mul(off_taps, xv);
        b.constraint(&format!("{name}.xv{lane}_zero_off_taps"), c);
        let ones = self.window(b, layout.taps * layout.block, layout.bias_rows(lane));
        let one = b.e().constant(1);
        let off = b.e().sub(xv, one);
        let c = b.e().mul(ones, off);
        b.constraint(&format!("{name}.xv{lane}_bias_patch_is_one"), c);
    }

    /// `s_{start+len} − s_start`: 1 on rows `start .. start + len`.
    fn window(&self, b: &mut AirBuilder, start: usize, len: usize) -> ExprId {
        let (lo, hi) = (b.selector(start), b.selector(start + len));
        let (lo, hi) = (b.cur(lo), b.cur(hi));
        b.e().sub(hi, lo)
    }

    /// The auxiliary recurrences and the final check.
    fn emit_checks(&self, b: &mut AirBuilder, layout: &ConvLayout, e: ExprId, name: &str) {
        let aux = |b: &mut AirBuilder, k: usize| {
            b.e().push(Expr::Aux {
                col: self.aux[k],
                next: false,
            })
        };
        let [pq, pw, ba, ta, bq, tq] = [0, 1, 2, 3, 4, 5].map(|k| aux(b, k));
        let gamma = b.e().push(Expr::Rand(GAMMA));
        let gamma_p = power(b, gamma, layout.positions);
        let gamma_k = power(b, gamma, layout.lanes);
        let one = b.e().constant(1);
        let keep = b.e().sub(one, e);
        for (k, (col, step), what) in [
            (0, (pq, gamma_k), "patch_powers"),
            (1, (pw, gamma_p), "kernel_powers"),
        ] {
            let next = b.aux_next(self.aux[k]);
            let stepped = b.e().mul(step, col);
            let stepped = b.e().mul(keep, stepped);
            let reset = b.e().add(stepped, e);
            let c = b.e().sub(next, reset);
            b.aux_constraint(&format!("{name}.{what}"), c);
            let label = format!("{name}.{} starts at 1", ["pq", "pw"][k]);
            b.aux_assert(self.aux[k], 0, AssertValue::Const(1), label);
        }
        let k = b.cur(self.main[2]);
        let kernel_term = b.e().mul(pw, k);
        // Σ_j γ^j·C_j·XV_j: lane j holds position row·k + j.
        let mut lanes = Vec::with_capacity(self.xv.len());
        for lane in 0..self.xv.len() {
            let c = self.tap_weight(b, layout, lane);
            let xv = b.cur(self.xv[lane]);
            let cx = b.e().mul(c, xv);
            let g = power(b, gamma, lane);
            lanes.push(b.e().mul(g, cx));
        }
        let lanes = b.e().sum(&lanes);
        let patch_term = b.e().mul(pq, lanes);
        let sums = [
            (2, ba, ta, kernel_term, "kernel_key"),
            (4, bq, tq, patch_term, "patch_key"),
        ];
        for (k, before, total, term, what) in sums {
            let c = b.e().sub(total, before);
            let c = b.e().sub(c, term);
            b.aux_constraint(&format!("{name}.{what}"), c);
            let next = b.aux_next(self.aux[k]);
            let kept = b.e().mul(keep, total);
            let c = b.e().sub(next, kept);
            b.aux_constraint(&format!("{name}.{what}_earlier_rows"), c);
            let label = format!("{name}.{} starts at 0", ["ba", "bq"][k / 2 - 1]);
            b.aux_assert(self.aux[k], 0, AssertValue::Const(0), label);
        }
        let g = b.cur(self.main[1]);
        let keyed = b.e().mul(g, ta);
        let keyed = b.e().mul(keyed, tq);
        let sel_m = b.selector(self.geometry.output_len());
        self.z_col_side(b, keyed, sel_m, name);
    }

    /// `C_j = XG_j·s_{(T+1)L} + (s_{LT+B_j} − s_{LT})` (`B_j` = the lane's rows of the bias
    /// patch): 1 on lane `j`'s tap rows and on its part of the bias block's patch.
    fn tap_weight(&self, b: &mut AirBuilder, layout: &ConvLayout, lane: usize) -> ExprId {
        let blocks = b.selector(layout.block_rows());
        let blocks = b.cur(blocks);
        let xg = b.e().push(Expr::Periodic(self.periodic[lane][1]));
        let taps = b.e().mul(xg, blocks);
        let bias_rows = layout.bias_rows(lane);
        let bias = self.window(b, layout.taps * layout.block, bias_rows);
        b.e().add(taps, bias)
    }

    fn z_col_side(&self, b: &mut AirBuilder, keyed: ExprId, sel_m: u16, name: &str) {
        self.z_side().lower(b, self.out, keyed, sel_m, name);
        let label = format!("{name}: Σ γ^i·z_i = Σ A_t·Q_t");
        b.aux_assert(self.aux[7], LAST_ROW, AssertValue::Const(0), label);
    }
}

/// `base^e` as an expression (square and multiply).
fn power(b: &mut AirBuilder, base: ExprId, e: usize) -> ExprId {
    let mut result = b.e().constant(1);
    let mut square = base;
    let mut e = e;
    while e > 0 {
        if e & 1 == 1 {
            result = b.e().mul(result, square);
        }
        e >>= 1;
        if e > 0 {
            square = b.e().mul(square, square);
        }
    }
    result
}

impl PrivateConv {
    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let g = &self.geometry;
        let layout = self.layout();
        let kernel = w.input(&self.k_decl.name, g.kernel_len(), self.k_decl.bits)?;
        let (x, bias) = (w.tensor(self.x).to_vec(), w.tensor(self.bias).to_vec());
        let [_, g_col, k_col, _] = self.main;
        self.blocks(&layout).fill(w);
        let bias_start = layout.taps * layout.block;
        for t in 0..=layout.taps {
            w.set_int(g_col, t * layout.block + layout.block - 1, 1);
        }
        for gather in &layout.gathers {
            w.set_int(self.xv[gather.lane], gather.row, x[gather.input]);
        }
        for (lane, &col) in self.xv.iter().enumerate() {
            for r in 0..layout.bias_rows(lane) {
                w.set_int(col, bias_start + r, 1);
            }
        }
        let half = 1i128 << (self.k_decl.bits - 1);
        for t in 0..layout.taps {
            for co in 0..g.out_channels {
                let (row, v) = (t * layout.block + co, kernel[co * layout.taps + t]);
                w.set_int(k_col, row, v);
                self.range.fill(w, row, v + half);
            }
            for co in g.out_channels..layout.block {
                self.range.fill(w, t * layout.block + co, half);
            }
        }
        for (co, &v) in bias.iter().enumerate() {
            w.set_int(k_col, bias_start + co, v);
        }
        let z = g.apply(&x, &kernel, &bias);
        self.z_side().fill(w, &z);
        w.set_tensor(self.out, z);
        if let Some((kt, _)) = self.committed {
            w.set_tensor(kt, kernel);
        }
        Ok(())
    }

    /// Fills the auxiliary columns once γ is known.
    fn fill_aux_rows<E: FieldElement<BaseField = Felt>>(
        &self,
        n: usize,
        main: &[Vec<Felt>],
        rand: &[E],
        aux: &mut [Vec<E>],
    ) {
        let gamma = rand[GAMMA as usize];
        let layout = self.layout();
        let gamma_p = gamma.exp((layout.positions as u64).into());
        let gamma_k = gamma.exp((layout.lanes as u64).into());
        let [pq_c, pw_c, ba_c, ta_c, bq_c, tq_c, _, _] = self.aux.map(|a| a as usize);
        let [_, g_col, k_col, _] = self.main.map(|c| c as usize);
        let patch = self.weighted_patches(&layout, main, gamma, n);
        let (mut pq, mut pw, mut ba, mut bq) = (E::ONE, E::ONE, E::ZERO, E::ZERO);
        let mut keyed = vec![E::ZERO; n];
        for r in 0..n {
            let ta = ba + pw.mul_base(main[k_col][r]);
            let tq = bq + pq * patch[r];
            (aux[pq_c][r], aux[pw_c][r], aux[ba_c][r], aux[ta_c][r]) = (pq, pw, ba, ta);
            (aux[bq_c][r], aux[tq_c][r]) = (bq, tq);
            keyed[r] = (ta * tq).mul_base(main[g_col][r]);
            let end = r < layout.block_rows() && r % layout.block == layout.block - 1;
            (pq, pw, ba, bq) = match end {
                true => (E::ONE, E::ONE, E::ZERO, E::ZERO),
                false => (pq * gamma_k, pw * gamma_p, ta, tq),
            };
        }
        self.z_side().fill_aux(main, &keyed, gamma, aux);
    }

    /// `Σ_j γ^j·C_j·XV_j` per row (`C_j`: 1 on lane `j`'s tap rows and bias-patch rows).
    fn weighted_patches<E: FieldElement<BaseField = Felt>>(
        &self,
        layout: &ConvLayout,
        main: &[Vec<Felt>],
        gamma: E,
        n: usize,
    ) -> Vec<E> {
        let powers: Vec<E> = std::iter::successors(Some(E::ONE), |p| Some(*p * gamma))
            .take(layout.lanes)
            .collect();
        let mut out = vec![E::ZERO; n];
        let mut add = |lane: usize, row: usize| {
            let v = main[self.xv[lane] as usize][row];
            out[row] += powers[lane].mul_base(v);
        };
        for g in &layout.gathers[..layout.tap_rows] {
            add(g.lane, g.row);
        }
        let bias_start = layout.taps * layout.block;
        for lane in 0..layout.lanes {
            for r in 0..layout.bias_rows(lane) {
                add(lane, bias_start + r);
            }
        }
        out
    }
}

impl GadgetOp for PrivateConv {
    fn op(&self) -> &'static str {
        "private conv"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn fill_aux<E: FieldElement<BaseField = Felt>>(&self, f: &mut AuxFill<'_, E>) {
        self.fill_aux_rows(f.program.trace_len, f.main, f.rand, f.aux);
    }

    fn columns(&self) -> Vec<Owned> {
        let main = self.main.iter().zip(["I", "G", "k", "z"]);
        let mut cols: Vec<Owned> = main.map(|(&c, role)| Owned::main(c, role)).collect();
        let lanes = self.xv.iter().enumerate();
        cols.extend(lanes.map(|(j, &c)| Owned::main(c, format!("xv{j}"))));
        cols.extend(limbs("k.range", &self.range));
        let roles = ["pq", "pw", "ba", "ta", "bq", "tq", "p", "d"];
        cols.extend(
            self.aux
                .iter()
                .zip(roles)
                .map(|(&c, role)| Owned::aux(c, role)),
        );
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        let kernel = self.committed.map(|(t, _)| t);
        [self.x, self.bias, self.out]
            .into_iter()
            .chain(kernel)
            .collect()
    }
}

//! `max_pool2d(x, k)`: the largest element of each `k × k` window (stride `k`) of `x [C, H, W]`.
//!
//! Layout: one block of `w = k²` rows per output `o` (`Blocks`: column `I = o`, `E = I' − I`,
//! `G − s·E = 0`). Row `e` of block `o` **gathers** window element `e` into `XV`: it receives
//! `x[IDX]` where `IDX` is a periodic column fixed by the geometry; rows after the blocks receive
//! the elements no window covers (the rows and columns past the last whole window), so that every
//! element is read exactly once. Columns `M` (the block's maximum), `S` (the chosen row) and `CS`
//! (chosen rows above, within the block):
//! - `s·(1 − E)·(M' − M) = 0` (degree 3): `M` is constant within a block;
//! - `M − XV ∈ [0, 2^K)` on every block row (range check; `K` from the input's spread): no window
//!   element exceeds `M`;
//! - `s·S·(S − 1) = 0`, `S·(M − XV) = 0`: `M` equals the chosen element;
//! - `CS' − (1 − E)·(CS + S) = 0`, `CS[0] = 0`, `G·(CS + S − 1) = 0`: exactly one row per block
//!   is chosen;
//! - the block's last row sends `out[I] = M` (tag affine in `I`, gate `G`).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::{Expr, ExprId};
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::blocks::Blocks;
use super::contract::{limbs, GadgetOp, Owned};
use super::conv::ConvGeometry;

/// Columns of a max-pool gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxPool {
    /// The input `[C, H, W]`.
    pub x: TensorId,
    /// The output `[C, OH, OW]`.
    pub out: TensorId,
    /// The pooling shape (`pool` set, stride = window).
    pub geometry: ConvGeometry,
    /// Main columns `I`, `G`, `XV`, `M`, `S`, `CS`.
    pub main: [u16; 6],
    /// Range check of `M − XV`.
    pub range: RangeCheck,
    /// Periodic column `IDX`.
    pub idx: u16,
}

impl MaxPool {
    /// The width of the comparison for inputs spread over `spread`.
    pub fn compare_bits(spread: i128) -> u32 {
        super::limb_bits(spread)
    }

    /// `(row, input element)` of every gather: window element `e` of output `o` on row
    /// `o·k² + e`, then the uncovered elements on the rows after the blocks.
    pub fn gathers(g: &ConvGeometry) -> Vec<(usize, usize)> {
        let window = g.kernel[0] * g.kernel[1];
        let mut seen = vec![false; g.input_len()];
        let mut gathers = Vec::with_capacity(g.input_len());
        let mut slot = vec![0usize; g.output_len()];
        g.for_each_tap(|out, input, _| {
            gathers.push((out * window + slot[out], input));
            slot[out] += 1;
            seen[input] = true;
        });
        let uncovered = (0..seen.len()).filter(|&i| !seen[i]);
        gathers.extend((g.output_len() * window..).zip(uncovered));
        gathers
    }

    /// Lowers `out = max_pool2d(x)`; `spread` bounds `max(x) − min(x)`.
    pub fn lower(
        b: &mut AirBuilder,
        [x, out]: [TensorId; 2],
        geometry: ConvGeometry,
        spread: i128,
        name: &str,
    ) -> Self {
        let col = |b: &mut AirBuilder, s: &str, what: &str| {
            b.main_col(format!("{name}.{s}"), what.to_owned())
        };
        let main = [
            col(b, "I", "output o of this row's window"),
            col(b, "G", "1 on the last row of a window"),
            col(b, "xv", "window element e of output o on row o·k² + e"),
            col(b, "max", "the window's maximum (constant in the window)"),
            col(b, "S", "1 on the chosen element's row"),
            col(b, "CS", "chosen rows above, in the window"),
        ];
        let gathers = Self::gathers(&geometry);
        let mut idx = vec![0u64; gathers.len().next_power_of_two().max(2)];
        for &(row, input) in &gathers {
            idx[row] = input as u64;
        }
        let idx = b.push_periodic(&format!("{name}.idx"), idx);
        let mut g = MaxPool {
            x,
            out,
            geometry,
            main,
            range: RangeCheck {
                limbs: vec![],
                bits: 0,
            },
            idx,
        };
        g.emit(b, gathers.len(), Self::compare_bits(spread), name);
        g
    }

    fn blocks(&self) -> Blocks {
        let window = self.geometry.kernel[0] * self.geometry.kernel[1];
        let (index, count) = (self.main[0], self.geometry.output_len());
        Blocks {
            index,
            rows: window,
            count,
        }
    }

    fn emit(&mut self, b: &mut AirBuilder, rows: usize, bits: u32, name: &str) {
        let [_, g_col, xv_col, m_col, s_col, cs_col] = self.main;
        let blocks = self.blocks();
        let sel = b.selector(blocks.rows * blocks.count);
        let (s, g) = (b.cur(sel), b.cur(g_col));
        let e = blocks.lower(b, s, name);
        let se = b.e().mul(s, e);
        let flag = b.e().sub(g, se);
        b.constraint(&format!("{name}.block_end_flag"), flag);
        blocks.assert_bounds(b, "window", name);
        let all = b.selector(rows);
        let (all, xv) = (b.cur(all), b.cur(xv_col));
        let idx = b.e().push(Expr::Periodic(self.idx));
        let xname = b.tensor_name(self.x);
        b.recv_tensor(
            self.x,
            idx,
            xv,
            all,
            format!("{name}.xv gathers {xname}[idx]"),
        );
        let (m, m_next, c, c_next) = (b.cur(m_col), b.next(m_col), b.cur(s_col), b.cur(cs_col));
        let one = b.e().constant(1);
        let keep = b.e().sub(one, e);
        let step = b.e().sub(m_next, m);
        let constant = b.e().mul(keep, step);
        let constant = b.gated(s, constant);
        b.constraint(&format!("{name}.max_constant"), constant);
        let gap = b.e().sub(m, xv);
        self.range = b.range_check(&format!("{name}.gap"), gap, bits, s);
        self.emit_choice(b, [s, g, e, gap, c, c_next], name);
        let i = b.cur(self.main[0]);
        b.send_tensor(self.out, i, m, g, format!("{name}[o]"));
    }

    /// Exactly one chosen row per window, holding the maximum.
    fn emit_choice(&self, b: &mut AirBuilder, [s, g, e, gap, c, cs]: [ExprId; 6], name: &str) {
        let one = b.e().constant(1);
        let c1 = b.e().sub(c, one);
        let binary = b.e().mul(c, c1);
        let binary = b.gated(s, binary);
        b.constraint(&format!("{name}.choice_binary"), binary);
        let hit = b.e().mul(c, gap);
        b.constraint(&format!("{name}.choice_is_max"), hit);
        let cs_next = b.next(self.main[5]);
        let sum = b.e().add(cs, c);
        let keep = b.e().sub(one, e);
        let kept = b.e().mul(keep, sum);
        let step = b.e().sub(cs_next, kept);
        b.constraint(&format!("{name}.chosen_above"), step);
        let total = b.e().sub(sum, one);
        let once = b.e().mul(g, total);
        b.constraint(&format!("{name}.one_choice"), once);
        b.assert_const(self.main[5], 0, 0, format!("{name}.CS starts at 0"));
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let x = w.tensor(self.x).to_vec();
        let [_, g_col, xv_col, m_col, s_col, cs_col] = self.main;
        let blocks = self.blocks();
        let window = blocks.rows;
        blocks.fill(w);
        let gathers = Self::gathers(&self.geometry);
        for &(row, input) in &gathers {
            w.set_int(xv_col, row, x[input]);
        }
        let mut z = Vec::with_capacity(blocks.count);
        for o in 0..blocks.count {
            let rows = o * window..(o + 1) * window;
            let values: Vec<i128> = gathers[rows.clone()].iter().map(|&(_, i)| x[i]).collect();
            let max = values.iter().copied().max().unwrap_or(0);
            let chosen = values.iter().position(|&v| v == max).unwrap_or(0);
            for (e, r) in rows.enumerate() {
                w.set_int(m_col, r, max);
                w.set_int(s_col, r, (e == chosen) as i128);
                w.set_int(cs_col, r, (e > chosen) as i128);
                self.range.fill(w, r, max - values[e]);
            }
            w.set_int(g_col, (o + 1) * window - 1, 1);
            z.push(max);
        }
        w.set_tensor(self.out, z);
        Ok(())
    }
}

impl GadgetOp for MaxPool {
    fn op(&self) -> &'static str {
        "max pool"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn columns(&self) -> Vec<Owned> {
        let roles = ["I", "G", "xv", "max", "S", "CS"];
        let mut cols: Vec<Owned> = self
            .main
            .iter()
            .zip(roles)
            .map(|(&c, r)| Owned::main(c, r))
            .collect();
        cols.extend(limbs("gap", &self.range));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.x, self.out]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_gathered_once_and_windows_are_whole() {
        let g = ConvGeometry {
            in_channels: 2,
            input: [5, 4],
            out_channels: 2,
            kernel: [2, 2],
            stride: 2,
            padding: 0,
            pool: true,
        };
        let gathers = MaxPool::gathers(&g);
        assert_eq!(gathers.len(), g.input_len());
        let mut inputs: Vec<usize> = gathers.iter().map(|&(_, i)| i).collect();
        inputs.sort_unstable();
        assert_eq!(inputs, (0..g.input_len()).collect::<Vec<_>>());
        // Output 0 is the top-left window of channel 0: elements 0, 1, 4, 5.
        let first: Vec<usize> = gathers[..4].iter().map(|&(_, i)| i).collect();
        assert_eq!(first, vec![0, 1, 4, 5]);
        let rows: Vec<usize> = gathers.iter().map(|&(r, _)| r).collect();
        assert_eq!(
            rows,
            (0..g.input_len()).collect::<Vec<_>>(),
            "rows in order"
        );
    }
}

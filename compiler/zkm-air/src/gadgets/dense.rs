//! Matrix-vector product `z = W·x` (W is m×n), k multiply-accumulates per row.
//!
//! Rows `i·C .. (i+1)·C` (C = n/k) compute output `i`; on row `r` lane `t` holds
//! `W[i][j]` and `x[j]` with `j = (r − C·i)·k + t`. Columns: `I` (output index), `A` (sum of the
//! lanes' products on earlier rows of the block), `W_t`, `X_t`. With `P = Σ_t W_t·X_t` and
//! `E = I' − I` (1 on the last row of a block):
//! - `s·E·(E − 1) = 0` (degree 3): the index steps by 0 or 1;
//! - `s·E·(row' − C·I') = 0` (degree 3): every block starts on row `C·i`;
//! - `A' − (1 − E)·(A + P) = 0` (degree 3): accumulate, restarting at each block;
//! - `I[0] = 0`, `A[0] = 0`, `I[m·C] = m`.
//!
//! `x[j]` is received on the bus for each lane; a block longer than C would read `x[j ≥ n]`, which
//! no gadget sends. The last row of block `i` sends `z[i] = A + P`. The weights are a computed
//! tensor, received from the bus like `x` (weights declared as parameters use the product checks
//! in `public_product.rs` and `private_product.rs` instead).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::ExprId;
use crate::witness::{Witness, WitnessError};

use super::blocks::Blocks;
use super::contract::{GadgetOp, Owned};

/// Columns of a dense gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dense {
    /// The vector operand.
    pub x: TensorId,
    /// The weights tensor (`[m, n]` or `[n, m]`, see `transposed`).
    pub w: TensorId,
    /// The output tensor.
    pub out: TensorId,
    /// Inputs n.
    pub n: usize,
    /// Outputs m.
    pub m: usize,
    /// Lanes k (divides n).
    pub k: usize,
    /// True when the weights are laid out `[n, m]` (`x @ W`), false for `[m, n]` (`W @ x`).
    pub transposed: bool,
    /// Output index column `I`.
    pub index: u16,
    /// Accumulator column `A`.
    pub acc: u16,
    /// Weight lanes `W_t`.
    pub w_cols: Vec<u16>,
    /// Input lanes `X_t`.
    pub x_cols: Vec<u16>,
}

/// Shape facts for [`Dense::lower`].
#[derive(Clone, Copy, Debug)]
pub struct DenseShape {
    /// Inputs.
    pub n: usize,
    /// Outputs.
    pub m: usize,
    /// Weights laid out `[n, m]`.
    pub transposed: bool,
}

impl Dense {
    /// Lowers `out = W·x`.
    pub fn lower(
        b: &mut AirBuilder,
        x: TensorId,
        w: TensorId,
        out: TensorId,
        shape: DenseShape,
        name: &str,
    ) -> Self {
        let DenseShape { n, m, transposed } = shape;
        let k = lanes(n);
        let c = n / k;
        let sel = b.selector(m * c);
        let s = b.cur(sel);
        let index = b.main_col(format!("{name}.I"), "output index of this row's block");
        let acc = b.main_col(
            format!("{name}.A"),
            "partial dot product of earlier rows in the block",
        );
        let w_cols: Vec<u16> = (0..k)
            .map(|t| b.main_col(format!("{name}.w{t}"), format!("weight, lane {t}")))
            .collect();
        let x_cols: Vec<u16> = (0..k)
            .map(|t| b.main_col(format!("{name}.x{t}"), format!("input, lane {t}")))
            .collect();
        let g = Dense {
            x,
            w,
            out,
            n,
            m,
            k,
            transposed,
            index,
            acc,
            w_cols,
            x_cols,
        };
        let blocks = g.blocks();
        let e = blocks.lower(b, s, name);
        let p = g.emit_lanes(b, s, c, name);
        g.emit_accumulator(b, e, p, name);
        let (a, last) = (b.cur(acc), b.gated(s, e));
        let z = b.e().add(a, p);
        let i = b.cur(index);
        b.send_tensor(out, i, z, last, format!("{name}[i]"));
        blocks.assert_bounds(b, "output", name);
        b.assert_const(acc, 0, 0, format!("{name} accumulator starts at 0"));
        g
    }

    /// The block structure: output `i` on rows `i·c .. (i+1)·c`.
    fn blocks(&self) -> Blocks {
        let (index, rows, count) = (self.index, self.n / self.k, self.m);
        Blocks { index, rows, count }
    }

    /// Receives the lanes and the weights; returns `P = Σ_t W_t·X_t`.
    fn emit_lanes(&self, b: &mut AirBuilder, s: ExprId, c: usize, name: &str) -> ExprId {
        let (row, i) = (b.row(), b.cur(self.index));
        let ci = b.e().scale(c as i128, i);
        let chunk = b.e().sub(row, ci);
        let base = b.e().scale(self.k as i128, chunk);
        let xname = b.tensor_name(self.x);
        let mut products = Vec::with_capacity(self.k);
        for t in 0..self.k {
            let off = b.e().constant(t as i128);
            let j = b.e().add(base, off);
            let (xv, wv) = (b.cur(self.x_cols[t]), b.cur(self.w_cols[t]));
            b.recv_tensor(self.x, j, xv, s, format!("{name}.x{t} reads {xname}[j]"));
            self.emit_weight(b, t, j, i, s, name);
            products.push(b.e().mul(wv, xv));
        }
        b.e().sum(&products)
    }

    fn emit_weight(
        &self,
        b: &mut AirBuilder,
        t: usize,
        j: ExprId,
        i: ExprId,
        s: ExprId,
        name: &str,
    ) {
        let wv = b.cur(self.w_cols[t]);
        let flat = flat_index(b, j, i, self.n, self.m, self.transposed);
        let wname = b.tensor_name(self.w);
        b.recv_tensor(self.w, flat, wv, s, format!("{name}.w{t} reads {wname}"));
    }

    /// `A' − (1 − E)·(A + P) = 0`.
    fn emit_accumulator(&self, b: &mut AirBuilder, e: ExprId, p: ExprId, name: &str) {
        let (a, a_next) = (b.cur(self.acc), b.next(self.acc));
        let one = b.e().constant(1);
        let keep = b.e().sub(one, e);
        let sum = b.e().add(a, p);
        let kept = b.e().mul(keep, sum);
        let c = b.e().sub(a_next, kept);
        b.constraint(&format!("{name}.accumulate"), c);
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let x = w.tensor(self.x).to_vec();
        let weights = w.tensor(self.w).to_vec();
        let c = self.n / self.k;
        self.blocks().fill(w);
        let mut out = Vec::with_capacity(self.m);
        for i in 0..self.m {
            let mut acc = 0i128;
            for chunk in 0..c {
                let r = i * c + chunk;
                w.set_int(self.acc, r, acc);
                for t in 0..self.k {
                    let j = chunk * self.k + t;
                    let idx = self.weight_index(i, j);
                    w.set_int(self.w_cols[t], r, weights[idx]);
                    w.set_int(self.x_cols[t], r, x[j]);
                    acc += weights[idx] * x[j];
                }
            }
            out.push(acc);
        }
        w.set_tensor(self.out, out);
    }

    fn weight_index(&self, i: usize, j: usize) -> usize {
        super::weight_index(self.transposed, self.n, self.m, i, j)
    }
}

/// Lanes per row: the largest power of two ≤ 8 dividing `n`.
pub fn lanes(n: usize) -> usize {
    let mut k = 8;
    while !n.is_multiple_of(k) {
        k /= 2;
    }
    k
}

fn flat_index(
    b: &mut AirBuilder,
    j: ExprId,
    i: ExprId,
    n: usize,
    m: usize,
    transposed: bool,
) -> ExprId {
    if transposed {
        let jm = b.e().scale(m as i128, j);
        b.e().add(jm, i)
    } else {
        let in_ = b.e().scale(n as i128, i);
        b.e().add(in_, j)
    }
}

impl GadgetOp for Dense {
    fn op(&self) -> &'static str {
        "dense"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols = vec![Owned::main(self.index, "I"), Owned::main(self.acc, "acc")];
        let lanes = self.w_cols.iter().zip(&self.x_cols).enumerate();
        for (t, (&w, &x)) in lanes {
            cols.push(Owned::main(w, format!("w{t}")));
            cols.push(Owned::main(x, format!("x{t}")));
        }
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.x, self.w, self.out]
    }
}

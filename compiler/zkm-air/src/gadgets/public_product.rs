//! Matrix-vector product `z = W·x` with **public** W, by a randomized (Freivalds) check: W never
//! enters the trace.
//!
//! After the main trace (holding `x` and the claimed `z`) is committed, the verifier draws `γ`
//! and computes `u_j = Σ_i γ^i·W[i][j]` itself. The trace then proves
//! `Σ_i γ^i·z_i = Σ_j u_j·x_j`; if `z ≠ W·x` this fails except with probability `m/|F_p²|`.
//!
//! Columns: main `X` (row `j < n` receives `x[j]`), main `Z` (row `i < m` holds `z[i]` and sends
//! it; `(1 − s_m)·Z = 0`, degree 2); aux `U` pinned by the verifier to `u_row` (`0` past `n`) with
//! two sequence assertions (even and odd rows); aux `P` with `P[0] = 1`, `P' − γ·P = 0` (so
//! `P[i] = γ^i`); aux `D` with `D[0] = 0`, `D' − D − U·X + P·Z = 0` (degree 2), `D[N−1] = 0`.
//!
//! A public bias `b` added to the product is folded in: the gadget then claims `z = W·x + b` and
//! the verifier pins `D[N−1] = −Σ_i γ^i·b_i` instead of 0.
//!
//! A convolution with a public kernel ([`Conv`], `conv.rs`) is the same check of another linear
//! map: `X` also receives the bias `b[c]` on row `n + c` (gate `s_{n+CO} − s_n`), and the keys
//! are the convolution's, over `x` and then `b`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::Expr;
use crate::field::{Felt, FieldElement};
use crate::program::{AirProgram, AssertValue, Segment};
use crate::witness::{Witness, WitnessError};

use super::contract::{AuxFill, DeclRef, FoldedBias, GadgetOp, Owned};
use super::conv::Conv;
use super::zside::ZSide;

/// The random element used by product checks.
pub const GAMMA: u16 = 2;

/// Columns of a public-weight product check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProduct {
    /// The vector operand.
    pub x: TensorId,
    /// The output tensor.
    pub out: TensorId,
    /// Inputs n.
    pub n: usize,
    /// Outputs m.
    pub m: usize,
    /// Weights laid out `[n, m]` (`x @ W`) rather than `[m, n]`.
    pub transposed: bool,
    /// Offset of W in the public vector.
    pub weights: usize,
    /// The weights' declared name and width.
    pub w_decl: DeclRef,
    /// A folded public bias.
    pub bias: Option<FoldedBias>,
    /// For a convolution: its shape and bias (then `W` is the kernel, `n` and `m` the input's
    /// and output's element counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<Conv>,
    /// Main column `X`.
    pub x_col: u16,
    /// Main column `Z`.
    pub z_col: u16,
    /// Aux columns `U`, `P`, `D`.
    pub aux: [u16; 3],
}

/// Shape facts for [`PublicProduct::lower`].
#[derive(Clone, Debug)]
pub struct ProductShape {
    /// Inputs.
    pub n: usize,
    /// Outputs.
    pub m: usize,
    /// Weights laid out `[n, m]`.
    pub transposed: bool,
    /// Offset of W in the public vector.
    pub weights: usize,
    /// The weights' declared name and width.
    pub w_decl: DeclRef,
    /// A folded public bias.
    pub bias: Option<FoldedBias>,
    /// For a convolution: its shape and bias.
    pub conv: Option<Conv>,
}

impl PublicProduct {
    /// Lowers `out = W·x` for public W.
    pub fn lower(
        b: &mut AirBuilder,
        x: TensorId,
        out: TensorId,
        shape: ProductShape,
        name: &str,
    ) -> Self {
        let ProductShape {
            n,
            m,
            transposed,
            weights,
            w_decl,
            bias,
            conv,
        } = shape;
        let (sel_n, sel_m) = (b.selector(n), b.selector(m));
        let [x_means, z_means, u_means] = meanings(conv.as_ref());
        let x_col = b.main_col(format!("{name}.x"), x_means);
        let z_col = b.main_col(format!("{name}.z"), z_means);
        let aux = [
            b.aux_col(format!("{name}.u"), u_means),
            b.gamma_powers(),
            b.aux_col(format!("{name}.d"), "Σ u·x − Σ γ^i·z over earlier rows"),
        ];
        let g = PublicProduct {
            x,
            out,
            n,
            m,
            transposed,
            weights,
            w_decl,
            bias,
            conv,
            x_col,
            z_col,
            aux,
        };
        g.emit(b, sel_n, sel_m, name);
        g
    }

    fn emit(&self, b: &mut AirBuilder, sel_n: u16, sel_m: u16, name: &str) {
        let (sn, row) = (b.cur(sel_n), b.row());
        let xv = b.cur(self.x_col);
        let xname = b.tensor_name(self.x);
        b.recv_tensor(self.x, row, xv, sn, format!("{name}.x reads {xname}[j]"));
        if let Some((conv, bias)) = self.conv.as_ref().and_then(|c| Some((c, c.bias?))) {
            self.recv_bias(b, conv, bias, xv, name);
        }
        let u = b.e().push(Expr::Aux {
            col: self.aux[0],
            next: false,
        });
        let ux = b.e().mul(u, xv);
        self.z_side().lower(b, self.out, ux, sel_m, name);
        let gadget = b.current_gadget();
        let keys = AssertValue::ProductKeys(gadget);
        b.aux_assert(self.aux[0], 0, keys, format!("{name}.u = verifier's u_j"));
        let claim = match self.bias {
            Some(_) => "Σ γ^i·(z_i − b_i) = Σ u_j·x_j",
            None => "Σ γ^i·z_i = Σ u_j·x_j",
        };
        let last = crate::builder::LAST_ROW;
        let offset = AssertValue::ProductOffset(gadget);
        b.aux_assert(self.aux[2], last, offset, format!("{name}: {claim}"));
    }

    /// A convolution's bias on `X`: row `n + c` receives `b[c]`, gated by `s_{n+CO} − s_n`.
    fn recv_bias(
        &self,
        b: &mut AirBuilder,
        conv: &Conv,
        bias: TensorId,
        xv: crate::expr::ExprId,
        name: &str,
    ) {
        let channels = conv.geometry.out_channels;
        let (lo, hi) = (b.selector(self.n), b.selector(self.n + channels));
        let (lo, hi) = (b.cur(lo), b.cur(hi));
        let gate = b.e().sub(hi, lo);
        let row = b.row();
        let start = b.e().constant(-(self.n as i128));
        let index = b.e().add(row, start);
        let bname = b.tensor_name(bias);
        let label = format!("{name}.x reads {bname}[row − {}]", self.n);
        b.recv_tensor(bias, index, xv, gate, label);
    }

    /// Elements of `W` in the public vector.
    pub fn weights_len(&self) -> usize {
        match &self.conv {
            Some(c) => c.geometry.kernel_len(),
            None => self.n * self.m,
        }
    }

    /// The claimed-output side: `Z`, `P`, `D`.
    fn z_side(&self) -> ZSide {
        let (z_col, p, d) = (self.z_col, self.aux[1], self.aux[2]);
        ZSide { z_col, p, d }
    }

    /// `u_j = Σ_i γ^i·W[i][j]` for `j < n`, computed from the public weights (for a
    /// convolution, its keys over `x` and then the bias).
    pub fn keys<E: FieldElement<BaseField = Felt>>(&self, public: &[Felt], gamma: E) -> Vec<E> {
        let (n, m) = (self.n, self.m);
        let powers: Vec<E> = std::iter::successors(Some(E::ONE), |p| Some(*p * gamma))
            .take(m)
            .collect();
        let weights = public
            .get(self.weights..self.weights + self.weights_len())
            .unwrap_or(&[]);
        if let Some(conv) = &self.conv {
            return conv.geometry.keys(weights, &powers, conv.bias.is_some());
        }
        if weights.len() != n * m {
            return vec![E::ZERO; n];
        }
        let mut u = vec![E::ZERO; n];
        // Keys in independent ranges of `j` (on every core with the `parallel` feature).
        const KEYS_PER_TASK: usize = 128;
        if self.transposed {
            // W[i][j] at j·m + i: each key is one contiguous row of the stored matrix.
            crate::par::for_chunks(&mut u, KEYS_PER_TASK, |start, keys| {
                let rows = weights[start * m..].chunks_exact(m);
                for (uj, row) in keys.iter_mut().zip(rows) {
                    *uj = row
                        .iter()
                        .zip(&powers)
                        .fold(E::ZERO, |acc, (&w, &p)| acc + p.mul_base(w));
                }
            });
        } else {
            // W[i][j] at i·n + j: walk the rows, adding γ^i·W[i][·] to every key of the range.
            crate::par::for_chunks(&mut u, KEYS_PER_TASK, |start, keys| {
                for (row, &p) in weights.chunks_exact(n).zip(&powers) {
                    for (uj, &w) in keys.iter_mut().zip(&row[start..]) {
                        *uj += p.mul_base(w);
                    }
                }
            });
        }
        u
    }

    /// `−Σ_i γ^i·b_i` for the folded bias (0 without one): the value `D` must end at.
    pub fn offset<E: FieldElement<BaseField = Felt>>(&self, public: &[Felt], gamma: E) -> E {
        let Some(FoldedBias { offset: at, .. }) = self.bias else {
            return E::ZERO;
        };
        let mut power = E::ONE;
        let mut sum = E::ZERO;
        for i in 0..self.m {
            sum += power.mul_base(public.get(at + i).copied().unwrap_or(Felt::ZERO));
            power *= gamma;
        }
        -sum
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let weights = match self.weights_len() {
            // A sum pool has no weights (and no declaration to read them from).
            0 => vec![],
            len => w.input(&self.w_decl.name, len, self.w_decl.bits)?,
        };
        for (k, &v) in weights.iter().enumerate() {
            w.set_public(self.weights + k, v);
        }
        let mut bias = vec![0i128; self.m];
        if let Some(FoldedBias { decl, offset: at }) = &self.bias {
            bias = w.input(&decl.name, self.m, decl.bits)?;
            for (k, &v) in bias.iter().enumerate() {
                w.set_public(at + k, v);
            }
        }
        let x = w.tensor(self.x).to_vec();
        let mut z = vec![0i128; self.m];
        for (j, &xv) in x.iter().enumerate() {
            w.set_int(self.x_col, j, xv);
        }
        if let Some(conv) = &self.conv {
            let b = conv.bias.map_or(vec![], |t| w.tensor(t).to_vec());
            for (c, &bv) in b.iter().enumerate() {
                w.set_int(self.x_col, self.n + c, bv);
            }
            z = conv.geometry.apply(&x, &weights, &b);
            self.z_side().fill(w, &z);
            w.set_tensor(self.out, z);
            return Ok(());
        }
        for (i, zi) in z.iter_mut().enumerate() {
            *zi = bias[i];
            for (j, &xv) in x.iter().enumerate() {
                let idx = super::weight_index(self.transposed, self.n, self.m, i, j);
                *zi += weights[idx] * xv;
            }
        }
        self.z_side().fill(w, &z);
        w.set_tensor(self.out, z);
        Ok(())
    }

    /// Fills `U`, `P` and `D` once the random elements are known.
    fn fill_aux_rows<E: FieldElement<BaseField = Felt>>(
        &self,
        p: &AirProgram,
        main: &[Vec<Felt>],
        public: &[Felt],
        rand: &[E],
        aux: &mut [Vec<E>],
    ) {
        let gamma = rand[GAMMA as usize];
        let keys = pinned_column(self, p.trace_len, public, rand);
        let x = &main[self.x_col as usize];
        let keyed: Vec<E> = keys.iter().zip(x).map(|(&u, &xv)| u.mul_base(xv)).collect();
        aux[self.aux[0] as usize].copy_from_slice(&keys);
        self.z_side().fill_aux(main, &keyed, gamma, aux);
    }
}

/// What columns `X`, `Z` and `U` hold, for the listing.
fn meanings(conv: Option<&Conv>) -> [&'static str; 3] {
    match conv {
        None => [
            "x[j] on row j",
            "claimed W·x [i] on row i",
            "γ-combination of W's column j, pinned by the verifier",
        ],
        Some(c) if c.geometry.pool => [
            "x[j] on row j",
            "claimed window sum [i] on row i",
            "γ^i of the window reading x[j], pinned by the verifier",
        ],
        Some(_) => [
            "x[j] on row j, then bias[c] on row n + c",
            "claimed conv(x) + bias [i] on row i",
            "Σ γ^i·K over the taps reading x[j] (then bias keys), pinned by the verifier",
        ],
    }
}

/// The values the verifier pins column `U` to: `u_row` for `row < n`, 0 after.
pub fn pinned_column<E: FieldElement<BaseField = Felt>>(
    g: &PublicProduct,
    trace_len: usize,
    public: &[Felt],
    rand: &[E],
) -> Vec<E> {
    let mut col = g.keys(public, rand[GAMMA as usize]);
    col.resize(trace_len, E::ZERO);
    col
}

impl AirBuilder {
    /// Allocates an auxiliary (extension-field) column.
    pub fn aux_col(&mut self, name: String, meaning: &str) -> u16 {
        let loc = self.current_loc();
        let prog = self.prog_mut();
        prog.aux_columns.push(crate::program::Column {
            name,
            meaning: meaning.to_owned(),
            loc,
        });
        (prog.aux_columns.len() - 1) as u16
    }

    /// The auxiliary cell of `col` on the next row.
    pub fn aux_next(&mut self, col: u16) -> crate::expr::ExprId {
        self.e().push(Expr::Aux { col, next: true })
    }

    /// Emits an auxiliary-segment transition constraint.
    pub fn aux_constraint(&mut self, label: &str, expr: crate::expr::ExprId) {
        let g = Some(self.current_gadget());
        self.push_constraint(label, expr, Segment::Aux, g);
    }

    /// Pins an auxiliary cell ([`crate::builder::LAST_ROW`] stands for the trace's last row).
    pub fn aux_assert(&mut self, col: u16, row: usize, value: AssertValue, label: String) {
        self.push_assertion(Segment::Aux, col, row, value, label);
    }
}

impl GadgetOp for PublicProduct {
    fn op(&self) -> &'static str {
        match &self.conv {
            Some(c) if c.geometry.pool => "pool",
            Some(_) => "conv",
            None => "product",
        }
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn fill_aux<E: FieldElement<BaseField = Felt>>(&self, f: &mut AuxFill<'_, E>) {
        self.fill_aux_rows(f.program, f.main, f.public, f.rand, f.aux);
    }

    fn columns(&self) -> Vec<Owned> {
        let [u, p, d] = self.aux;
        vec![
            Owned::main(self.x_col, "x"),
            Owned::main(self.z_col, "z"),
            Owned::aux(u, "u"),
            Owned::aux(p, "p"),
            Owned::aux(d, "d"),
        ]
    }

    fn tensors(&self) -> Vec<TensorId> {
        let bias = self.conv.as_ref().and_then(|c| c.bias);
        [self.x, self.out].into_iter().chain(bias).collect()
    }

    fn public_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let weights = self.weights..self.weights + self.weights_len();
        let bias = self.bias.as_ref().map(|b| b.offset..b.offset + self.m);
        std::iter::once(weights).chain(bias).collect()
    }
}

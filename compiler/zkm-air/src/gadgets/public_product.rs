//! Matrix-vector product `z = W·x` with **public** W, by a randomized (Freivalds) check: W never
//! enters the trace.
//!
//! After the main trace (holding `x` and the claimed `z`) is committed, the verifier draws `γ`
//! and computes `u_j = Σ_i γ^i·W[i][j]` itself. The trace then proves
//! `Σ_i γ^i·z_i = Σ_j u_j·x_j`; if `z ≠ W·x` this fails except with probability `m/|F_p²|`.
//!
//! Columns: `X` and `U` are a product bank's (`product_bank.rs`), shared with the program's
//! other public products: this product owns their rows `o..o + n` (its region, gate
//! `g = sel_{o+n} − sel_o`), where row `o + j` of `X` receives `x[j]` and row `o + j` of aux `U`
//! is pinned by the verifier to `u_j` (the bank's one pinned column: two sequence assertions,
//! even and odd rows). Main `Z` (row `i < m` holds `z[i]` and sends it; `(1 − s_m)·Z = 0`,
//! degree 2); aux `P` with `P[0] = 1`, `P' − γ·P = 0` (so `P[i] = γ^i`, shared by every
//! product); aux `D` with `D[0] = 0`, `D' − D − g·U·X + P·Z = 0` (degree 3), `D[N−1] = 0`.
//!
//! A public bias `b` added to the product is folded in: the gadget then claims `z = W·x + b` and
//! the verifier pins `D[N−1] = −Σ_i γ^i·b_i` instead of 0.
//!
//! A convolution with a public kernel ([`Conv`], `conv.rs`) is the same check of another linear
//! map: its region also holds the bias, `b[c]` on row `o + n + c` (gate `s_{o+n+CO} − s_{o+n}`),
//! and the keys are the convolution's, over `x` and then `b`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::{Expr, ExprId};
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
    /// Main column `X` (its product bank's).
    pub x_col: u16,
    /// The first row of this product's region of `X` and `U`.
    pub x_at: usize,
    /// Main column `Z`.
    pub z_col: u16,
    /// Aux columns `U` (its product bank's), `P`, `D`.
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
        let sel_m = b.selector(m);
        let [x_means, z_means] = meanings(conv.as_ref());
        let len = n + conv.as_ref().map_or(0, Conv::bias_rows);
        let bank = b.bank_place(len, name, x_means);
        let z_col = b.main_col(format!("{name}.z"), z_means);
        let aux = [
            bank.u_col,
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
            x_col: bank.x_col,
            x_at: bank.first_row,
            z_col,
            aux,
        };
        if bank.opens {
            b.pin_bank_keys(bank.u_col);
        }
        g.emit(b, sel_m, name);
        g
    }

    /// Rows of `X` this product owns.
    pub fn region_len(&self) -> usize {
        let bias = self.conv.as_ref().map_or(0, Conv::bias_rows);
        self.n.saturating_add(bias)
    }

    /// `row − first`: the index of the region's element on this row.
    fn index(b: &mut AirBuilder, first: usize) -> ExprId {
        let row = b.row();
        if first == 0 {
            return row;
        }
        let start = b.e().constant(-(first as i128));
        b.e().add(row, start)
    }

    fn emit(&self, b: &mut AirBuilder, sel_m: u16, name: &str) {
        let o = self.x_at;
        let xv = b.cur(self.x_col);
        let xname = b.tensor_name(self.x);
        let reads = b.rows_gate(o, o + self.n);
        let index = Self::index(b, o);
        b.recv_tensor(
            self.x,
            index,
            xv,
            reads,
            format!("{name}.x reads {xname}[j]"),
        );
        if let Some((conv, bias)) = self.conv.as_ref().and_then(|c| Some((c, c.bias?))) {
            self.recv_bias(b, conv, bias, xv, name);
        }
        let u = b.e().push(Expr::Aux {
            col: self.aux[0],
            next: false,
        });
        let gate = b.rows_gate(o, o + self.region_len());
        let ux = b.e().mul(u, xv);
        let keyed = b.e().mul(gate, ux);
        self.z_side().lower(b, self.out, keyed, sel_m, name);
        let gadget = b.current_gadget();
        let claim = match self.bias {
            Some(_) => "Σ γ^i·(z_i − b_i) = Σ u_j·x_j",
            None => "Σ γ^i·z_i = Σ u_j·x_j",
        };
        let last = crate::builder::LAST_ROW;
        let offset = AssertValue::ProductOffset(gadget);
        b.aux_assert(self.aux[2], last, offset, format!("{name}: {claim}"));
    }

    /// A convolution's bias on `X`: row `o + n + c` receives `b[c]`, gated by
    /// `s_{o+n+CO} − s_{o+n}`.
    fn recv_bias(&self, b: &mut AirBuilder, conv: &Conv, bias: TensorId, xv: ExprId, name: &str) {
        let first = self.x_at + self.n;
        let gate = b.rows_gate(first, first + conv.bias_rows());
        let index = Self::index(b, first);
        let bname = b.tensor_name(bias);
        let label = format!("{name}.x reads {bname}[row − {first}]");
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
            w.set_int(self.x_col, self.x_at + j, xv);
        }
        if let Some(conv) = &self.conv {
            let b = conv.bias.map_or(vec![], |t| w.tensor(t).to_vec());
            for (c, &bv) in b.iter().enumerate() {
                w.set_int(self.x_col, self.x_at + self.n + c, bv);
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

    /// Fills this product's rows of `U`, and `P` and `D`, once the random elements are known.
    fn fill_aux_rows<E: FieldElement<BaseField = Felt>>(
        &self,
        main: &[Vec<Felt>],
        public: &[Felt],
        rand: &[E],
        aux: &mut [Vec<E>],
    ) {
        let gamma = rand[GAMMA as usize];
        let keys = self.keys(public, gamma);
        let x = &main[self.x_col as usize];
        let mut keyed = vec![E::ZERO; x.len()];
        let rows = self.x_at..self.x_at + keys.len();
        let u = &mut aux[self.aux[0] as usize];
        for ((r, &k), (uk, kx)) in rows
            .zip(&keys)
            .zip(u[self.x_at..].iter_mut().zip(&mut keyed[self.x_at..]))
        {
            *uk = k;
            *kx = k.mul_base(x[r]);
        }
        self.z_side().fill_aux(main, &keyed, gamma, aux);
    }
}

/// What this product's rows of `X`, and its `Z`, hold, for the listing.
fn meanings(conv: Option<&Conv>) -> [&'static str; 2] {
    match conv {
        None => ["x[j] on row j of the region", "claimed W·x [i] on row i"],
        Some(c) if c.geometry.pool => [
            "x[j] on row j of the region",
            "claimed window sum [i] on row i",
        ],
        Some(_) => [
            "x[j] on row j of the region, then bias[c] on row n + c",
            "claimed conv(x) + bias [i] on row i",
        ],
    }
}

/// The values the verifier pins bank column `u` to: the keys of every public product on it, on
/// its region, and 0 elsewhere.
pub fn pinned_column<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    u: u16,
    public: &[Felt],
    rand: &[E],
) -> Vec<E> {
    let mut col = vec![E::ZERO; program.trace_len];
    let Some(&gamma) = rand.get(GAMMA as usize) else {
        return col;
    };
    let members = program.gadgets.iter().filter_map(|g| match g {
        super::Gadget::PublicProduct(p) if p.aux[0] == u => Some(p),
        _ => None,
    });
    for p in members {
        let keys = p.keys(public, gamma);
        let region = col.iter_mut().skip(p.x_at).take(p.region_len());
        for (c, k) in region.zip(keys) {
            *c = k;
        }
    }
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
        self.fill_aux_rows(f.main, f.public, f.rand, f.aux);
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

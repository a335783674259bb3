//! Sub-gadget: the claimed-output side shared by both product checks. Column `Z` holds the
//! claimed `z_i` on rows `i < m` and sends it on the bus (`(1 − s_m)·Z = 0`, degree 2); auxiliary
//! `P` has `P[0] = 1`, `P' − γ·P = 0` (so `P[i] = γ^i`; one column that every product check of
//! the program shares, made by [`AirBuilder::gamma_powers`]); auxiliary `D` has `D[0] = 0` and
//! `D' − D − keyed + P·Z = 0` (degree ≤ 3), where `keyed` is the row's `u_j·x_j` term that the
//! owning product supplies. The owner pins `D` on the last row. Constraints ([`ZSide::lower`]) and
//! witness ([`ZSide::fill`], [`ZSide::fill_aux`]) are here together.

use crate::builder::{AirBuilder, TensorId};
use crate::expr::{Expr, ExprId};
use crate::field::{Felt, FieldElement};
use crate::program::AssertValue;
use crate::witness::Witness;

use super::GAMMA;

/// The `Z`, `P` and `D` columns of a product check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZSide {
    /// Main column `Z`.
    pub z_col: u16,
    /// Auxiliary column `P`.
    pub p: u16,
    /// Auxiliary column `D`.
    pub d: u16,
}

impl ZSide {
    /// Emits the constraints, the bus term sending `z` as tensor `out` and the starting values.
    pub fn lower(&self, b: &mut AirBuilder, out: TensorId, keyed: ExprId, sel_m: u16, name: &str) {
        let (zv, sm, row) = (b.cur(self.z_col), b.cur(sel_m), b.row());
        b.send_tensor(out, row, zv, sm, format!("{name}[i]"));
        let one = b.e().constant(1);
        let off = b.e().sub(one, sm);
        let c = b.e().mul(off, zv);
        b.constraint(&format!("{name}.z_zero_after_m"), c);
        let [p, d] = [self.p, self.d].map(|col| b.e().push(Expr::Aux { col, next: false }));
        let d_next = b.aux_next(self.d);
        let pz = b.e().mul(p, zv);
        let step = b.e().sub(d_next, d);
        let step = b.e().sub(step, keyed);
        let c = b.e().add(step, pz);
        b.aux_constraint(&format!("{name}.product_check"), c);
        let zero = AssertValue::Const(0);
        b.aux_assert(self.d, 0, zero, format!("{name}.d starts at 0"));
    }

    /// Fills `Z` with the claimed outputs (0 after them).
    pub fn fill(&self, w: &mut Witness<'_>, z: &[i128]) {
        for (i, &v) in z.iter().enumerate() {
            w.set_int(self.z_col, i, v);
        }
    }

    /// Fills `P` and `D` from the row's `keyed` terms, once γ is known (every product check
    /// writes the same `P`).
    pub fn fill_aux<E: FieldElement<BaseField = Felt>>(
        &self,
        main: &[Vec<Felt>],
        keyed: &[E],
        gamma: E,
        aux: &mut [Vec<E>],
    ) {
        let (p, d, z) = (self.p as usize, self.d as usize, &main[self.z_col as usize]);
        let (mut power, mut acc) = (E::ONE, E::ZERO);
        for (r, &k) in keyed.iter().enumerate() {
            aux[p][r] = power;
            aux[d][r] = acc;
            acc += k - power.mul_base(z[r]);
            power *= gamma;
        }
    }
}

impl AirBuilder {
    /// The auxiliary column `P = γ^row` of every product check: allocated on first use with its
    /// constraint `P' − γ·P = 0` (degree 2) and `P[0] = 1`, then shared (one column instead of
    /// one per product).
    pub fn gamma_powers(&mut self) -> u16 {
        if let Some(col) = self.gamma_powers {
            return col;
        }
        let col = self.aux_col("products.p".into(), "γ^row, shared by every product check");
        let model = self.model_loc();
        self.prog_mut().aux_columns[col as usize].loc = model;
        self.gamma_powers = Some(col);
        let p = self.e().push(Expr::Aux { col, next: false });
        let p_next = self.aux_next(col);
        let gamma = self.e().push(Expr::Rand(GAMMA));
        let gp = self.e().mul(gamma, p);
        let c = self.e().sub(p_next, gp);
        self.push_constraint("products.powers", c, crate::Segment::Aux, None);
        let one = AssertValue::Const(1);
        self.aux_assert(col, 0, one, "products.p starts at 1".into());
        col
    }

    /// A product check's auxiliary columns `{name}.{role}` in `roles` order; the role `p` is the
    /// shared [`AirBuilder::gamma_powers`] column (its meaning is not used).
    pub fn product_aux<const N: usize>(
        &mut self,
        name: &str,
        roles: [(&str, &str); N],
    ) -> [u16; N] {
        roles.map(|(role, meaning)| match role {
            "p" => self.gamma_powers(),
            _ => self.aux_col(format!("{name}.{role}"), meaning),
        })
    }
}

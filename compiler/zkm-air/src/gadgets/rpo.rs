//! Sub-gadget: the rows of the Rescue Prime Optimized permutation, bit-exact with
//! winter-crypto's `Rp64_256` (state width 12, 7 rounds; `spec/commitment.md`).
//!
//! One permutation takes an 8-row cycle aligned on multiples of 8. Round `r` of the permutation
//! is computed on cycle row `r = 0..6`: the state `s` at the start of the round, `t = s³`, the
//! output `w` of the inverse S-box and `v = w³` (12 columns each). Row 7 holds the permutation's
//! output in `s` (its `t`, `w`, `v` are filled by the same rules, with a zero round constant); the
//! owner constrains the step from row 7 to the next cycle (absorption). With `M` the MDS matrix,
//! `K1_i`, `K2_i` the round constants of lane `i` as periodic columns (round `r`'s on cycle row
//! `r`, 0 on row 7), `R` the periodic round flag (1 on rows 0..6) and `sel` the owner's region
//! selector, for every lane `i`:
//!
//! - `t_i − s_i³ = 0` (degree 3);
//! - `v_i − w_i³ = 0` (degree 3);
//! - `v_i²·w_i − Σ_j M_ij·t_j²·s_j − sel·K1_i = 0` (degree 3): `w_i⁷ = (M·s⁷ + K1)_i`, and
//!   `x ↦ x⁷` is a bijection of the field, so `w` is the inverse S-box of `M·s⁷ + K1`;
//! - `R·(s'_i − Σ_j M_ij·w_j) − sel·K2_i = 0` (degree 1 times one periodic factor): the next
//!   round starts from `M·w + K2`.
//!
//! Every constraint has degree plus periodic factors at most 3, as the rest of the program.
//! Rows outside the owner's region are zero and satisfy all of them (the constants are gated by
//! `sel`); rows inside are filled honestly, including a cycle whose output the owner discards.

use serde::{Deserialize, Serialize};
use winter_crypto::hashers::Rp64_256;

use crate::builder::AirBuilder;
use crate::expr::{Expr, ExprId};
use crate::field::{Felt, FieldElement};
use crate::witness::Witness;

use super::contract::Owned;

/// Field elements in the permutation's state.
pub const STATE_WIDTH: usize = 12;
/// Rows per permutation: 7 rounds and the output row.
pub const CYCLE: usize = 8;
/// Rounds per permutation.
pub const ROUNDS: usize = 7;
/// `1/7 mod (p − 1)`: the exponent of the inverse S-box.
pub const INV_ALPHA: u64 = 10_540_996_611_094_048_183;

/// A permutation state.
pub type State = [Felt; STATE_WIDTH];

/// The permutation's columns, 12 of each kind, and its periodic round flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpoRows {
    /// State at the start of the row's round (the permutation's output on cycle row 7).
    pub s: Vec<u16>,
    /// `s³`.
    pub t: Vec<u16>,
    /// The inverse S-box of `M·s⁷ + K1`.
    pub w: Vec<u16>,
    /// `w³`.
    pub v: Vec<u16>,
    /// Periodic column `R`: 1 on cycle rows 0..6, 0 on row 7.
    pub round: u16,
}

/// The cells of one row: `[s, t, w, v]` and the state the row's round leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowCells {
    /// `s`, `t`, `w`, `v`.
    pub cells: [State; 4],
    /// `M·w + K2` (the next round's `s` on rounds rows).
    pub next: State,
}

impl RpoRows {
    /// Allocates the columns and periodic constants and emits the constraints of the module doc;
    /// `sel` is the owner's region selector (1 on its rows, 0 after).
    pub fn lower(b: &mut AirBuilder, name: &str, sel: ExprId) -> Self {
        let mut cols = |kind: &str, meaning: &str| -> Vec<u16> {
            (0..STATE_WIDTH)
                .map(|i| b.main_col(format!("{name}.{kind}{i}"), format!("{meaning}, lane {i}")))
                .collect()
        };
        let s = cols(
            "s",
            "RPO state at the start of the round (output on cycle row 7)",
        );
        let t = cols("t", "RPO s^3");
        let w = cols("w", "RPO inverse S-box of M·s^7 + ARK1");
        let v = cols("v", "RPO w^3");
        let flag = (0..CYCLE).map(|r| u64::from(r < ROUNDS)).collect();
        let round = periodic(b, "rpo.round", flag);
        let rows = RpoRows { s, t, w, v, round };
        rows.emit(b, name, sel);
        rows
    }

    fn emit(&self, b: &mut AirBuilder, name: &str, sel: ExprId) {
        let cur = |b: &mut AirBuilder, c: &[u16]| -> Vec<ExprId> {
            c.iter().map(|&c| b.cur(c)).collect()
        };
        let (s, t, w, v) = (
            cur(b, &self.s),
            cur(b, &self.t),
            cur(b, &self.w),
            cur(b, &self.v),
        );
        let s_next: Vec<ExprId> = self.s.iter().map(|&c| b.next(c)).collect();
        let sbox: Vec<ExprId> = (0..STATE_WIDTH).map(|j| pow7(b, t[j], s[j])).collect();
        let mixed_sbox = mds(b, &sbox);
        let mixed_w = mds(b, &w);
        let r = b.e().push(Expr::Periodic(self.round));
        for i in 0..STATE_WIDTH {
            let c = cube_minus(b, t[i], s[i]);
            b.constraint(&format!("{name}.t{i}_cube"), c);
            let c = cube_minus(b, v[i], w[i]);
            b.constraint(&format!("{name}.v{i}_cube"), c);
            let k1 = ark(b, "rpo.ark1", &Rp64_256::ARK1, i, sel);
            let w7 = pow7(b, v[i], w[i]);
            let y = b.e().add(mixed_sbox[i], k1);
            let c = b.e().sub(w7, y);
            b.constraint(&format!("{name}.w{i}_inverse_sbox"), c);
            let k2 = ark(b, "rpo.ark2", &Rp64_256::ARK2, i, sel);
            let step = b.e().sub(s_next[i], mixed_w[i]);
            let gated = b.e().mul(r, step);
            let c = b.e().sub(gated, k2);
            b.constraint(&format!("{name}.s{i}_round"), c);
        }
    }

    /// Fills the 8 rows of the cycle starting at `row0` from input state `input` and returns the
    /// permutation's output (the state on the cycle's last row).
    pub fn fill(&self, w: &mut Witness<'_>, row0: usize, input: &State) -> State {
        let mut state = *input;
        for r in 0..CYCLE {
            let row = row_cells(&state, r);
            for (kind, cols) in [&self.s, &self.t, &self.w, &self.v].into_iter().enumerate() {
                for (i, &c) in cols.iter().enumerate() {
                    w.set(c, row0 + r, row.cells[kind][i]);
                }
            }
            if r < ROUNDS {
                state = row.next;
            }
        }
        state
    }

    /// The owned columns: `rpo.s0` … `rpo.v11`.
    pub fn columns(&self) -> Vec<Owned> {
        let kinds = [
            ("s", &self.s),
            ("t", &self.t),
            ("w", &self.w),
            ("v", &self.v),
        ];
        kinds
            .into_iter()
            .flat_map(|(kind, cols)| {
                let cols = cols.iter().enumerate();
                cols.map(move |(i, &c)| Owned::main(c, format!("rpo.{kind}{i}")))
            })
            .collect()
    }
}

/// The cells of cycle row `r` for state `s` (round `r`'s constants; none on row 7).
pub fn row_cells(s: &State, r: usize) -> RowCells {
    let zero = [Felt::ZERO; STATE_WIDTH];
    let (k1, k2) = match r {
        r if r < ROUNDS => (Rp64_256::ARK1[r], Rp64_256::ARK2[r]),
        _ => (zero, zero),
    };
    let t = s.map(|x| x * x * x);
    let sbox: State = std::array::from_fn(|i| t[i] * t[i] * s[i]);
    let y = add(&mds_apply(&sbox), &k1);
    let w = y.map(|x| x.exp(INV_ALPHA));
    let v = w.map(|x| x * x * x);
    let next = add(&mds_apply(&w), &k2);
    RowCells {
        cells: [*s, t, w, v],
        next,
    }
}

/// The permutation, computed the way the rows compute it.
pub fn permute(state: &State) -> State {
    (0..ROUNDS).fold(*state, |s, r| row_cells(&s, r).next)
}

/// `M·x` with winter-crypto's MDS matrix.
pub fn mds_apply(x: &State) -> State {
    std::array::from_fn(|i| {
        let row = Rp64_256::MDS[i].iter().zip(x);
        row.fold(Felt::ZERO, |acc, (&m, &xj)| acc + m * xj)
    })
}

fn add(a: &State, b: &State) -> State {
    std::array::from_fn(|i| a[i] + b[i])
}

/// `c − x³` for cells `c` and `x` (degree 3).
fn cube_minus(b: &mut AirBuilder, c: ExprId, x: ExprId) -> ExprId {
    let x2 = b.e().mul(x, x);
    let x3 = b.e().mul(x2, x);
    b.e().sub(c, x3)
}

/// `c²·x`, which is `x⁷` when `c = x³` (degree 3).
fn pow7(b: &mut AirBuilder, c: ExprId, x: ExprId) -> ExprId {
    let c2 = b.e().mul(c, c);
    b.e().mul(c2, x)
}

/// `Σ_j M_ij·x_j` for every lane `i` (degree of `x`).
fn mds(b: &mut AirBuilder, x: &[ExprId]) -> Vec<ExprId> {
    (0..STATE_WIDTH)
        .map(|i| {
            let terms: Vec<ExprId> = (0..STATE_WIDTH)
                .map(|j| b.e().scale(Rp64_256::MDS[i][j].as_int() as i128, x[j]))
                .collect();
            b.e().sum(&terms)
        })
        .collect()
}

/// `sel·K_i` with `K_i` lane `i` of round constants `table` as a periodic column.
fn ark(b: &mut AirBuilder, name: &str, table: &[State; ROUNDS], i: usize, sel: ExprId) -> ExprId {
    let mut values: Vec<u64> = table.iter().map(|k| k[i].as_int()).collect();
    values.push(0);
    let col = periodic(b, &format!("{name}[{i}]"), values);
    let k = b.e().push(Expr::Periodic(col));
    b.e().mul(sel, k)
}

/// The periodic column `name` with one period `values`, shared with an earlier gadget that
/// created the same one.
pub(crate) fn periodic(b: &mut AirBuilder, name: &str, values: Vec<u64>) -> u16 {
    let existing = b
        .prog_mut()
        .periodic
        .iter()
        .position(|p| p.name == name && p.values == values);
    match existing {
        Some(i) => i as u16,
        None => b.push_periodic(name, values),
    }
}

#[cfg(test)]
mod tests {
    use winter_crypto::hashers::Rp64_256;

    use super::*;

    /// A deterministic pseudo-random state.
    fn state(seed: u64) -> State {
        let mut x = seed;
        std::array::from_fn(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            Felt::new(x)
        })
    }

    #[test]
    fn inverse_alpha_inverts_the_sbox() {
        let p_minus_1 = (crate::field::MODULUS - 1) as u128;
        assert_eq!((7 * INV_ALPHA as u128) % p_minus_1, 1);
        let x = Felt::new(123_456_789);
        assert_eq!(x.exp(7).exp(INV_ALPHA), x);
    }

    #[test]
    fn mds_is_the_circulant_of_its_first_row() {
        let c = [7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8];
        for i in 0..STATE_WIDTH {
            for j in 0..STATE_WIDTH {
                let expected = c[(j + STATE_WIDTH - i) % STATE_WIDTH];
                assert_eq!(Rp64_256::MDS[i][j].as_int(), expected, "M[{i}][{j}]");
            }
        }
    }

    #[test]
    fn rows_compute_winter_crypto_rounds() {
        for seed in 0..20 {
            let s = state(seed);
            for r in 0..ROUNDS {
                let mut expected = s;
                Rp64_256::apply_round(&mut expected, r);
                let row = row_cells(&s, r);
                assert_eq!(row.next, expected, "round {r}, seed {seed}");
                let [_, t, w, v] = row.cells;
                for i in 0..STATE_WIDTH {
                    assert_eq!(t[i], s[i].exp(3));
                    assert_eq!(v[i], w[i].exp(3));
                }
            }
            let mut expected = s;
            Rp64_256::apply_permutation(&mut expected);
            assert_eq!(permute(&s), expected);
        }
    }
}

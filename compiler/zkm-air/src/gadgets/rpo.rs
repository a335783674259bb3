//! Sub-gadget: the rows of the Rescue Prime Optimized permutation, bit-exact with
//! winter-crypto's `Rp64_256` (state width 12, 7 rounds; `spec/commitment.md`).
//!
//! One permutation takes an 8-row cycle aligned on multiples of 8: the state at the start of
//! round `r` on cycle row `r = 0..6`, the permutation's output on row 7 (12 columns `s`); the
//! owner constrains the step from row 7 to the next cycle (absorption). A round maps `s` to
//! `s' = M·w + K2` with `w = (M·s⁷ + K1)^(1/7)`, so `w = M⁻¹·s' − M⁻¹·K2` is a linear function of
//! the next row and needs no column. With `M` the MDS matrix, `K1_i` and `L_i = (M⁻¹·K2)_i` the
//! round constants of lane `i` as periodic columns (round `r`'s on cycle row `r`, 0 on row 7) and
//! `R` the periodic round flag (1 on rows 0..6), for every lane `i`:
//!
//! - `R·((Σ_j M⁻¹_ij·s'_j − L_i)⁷ − Σ_j M_ij·s_j⁷ − K1_i) = 0` (degree 7 times one periodic
//!   factor): `x ↦ x⁷` is a bijection of the field, so the next row holds exactly round `r`'s
//!   output.
//!
//! Degree 7 needs a constraint-evaluation blowup of 8 (the trace's blowup), where three columns
//! `s³`, `w`, `w³` per lane kept the degree at 3: 12 columns instead of 48, for a composition
//! polynomial of 7 columns instead of 4 (`spec/commitment.md` §6). The rounds hold on every cycle
//! of the trace: the owner fills the cycles past its region with permutations of the zero state.

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

/// The permutation's state columns and its periodic round flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpoRows {
    /// State at the start of the row's round (the permutation's output on cycle row 7).
    pub s: Vec<u16>,
    /// Periodic column `R`: 1 on cycle rows 0..6, 0 on row 7.
    pub round: u16,
}

impl RpoRows {
    /// Allocates the columns and periodic constants and emits the constraints of the module doc.
    pub fn lower(b: &mut AirBuilder, name: &str) -> Self {
        let s = (0..STATE_WIDTH)
            .map(|i| {
                let meaning = format!(
                    "RPO state at the start of the round (output on cycle row 7), lane {i}"
                );
                b.main_col(format!("{name}.s{i}"), meaning)
            })
            .collect();
        let flag = (0..CYCLE).map(|r| u64::from(r < ROUNDS)).collect();
        let round = periodic(b, "rpo.round", flag);
        let rows = RpoRows { s, round };
        rows.emit(b, name);
        rows
    }

    /// `R·((M⁻¹·s' − L)_i⁷ − (M·s⁷)_i − K1_i) = 0` for every lane (degree 7 + periodic).
    fn emit(&self, b: &mut AirBuilder, name: &str) {
        let s: Vec<ExprId> = self.s.iter().map(|&c| b.cur(c)).collect();
        let s_next: Vec<ExprId> = self.s.iter().map(|&c| b.next(c)).collect();
        let sbox: Vec<ExprId> = s.iter().map(|&x| pow7(b, x)).collect();
        let forward = mat(b, &Rp64_256::MDS, &sbox);
        let inverse = mds_inverse();
        let backward = mat(b, &inverse, &s_next);
        let back_ark = ark2_back(&inverse);
        let r = b.e().push(Expr::Periodic(self.round));
        for i in 0..STATE_WIDTH {
            let l = ark(b, "rpo.ark2_back", &back_ark, i);
            let w = b.e().sub(backward[i], l);
            let w7 = pow7(b, w);
            let k1 = ark(b, "rpo.ark1", &Rp64_256::ARK1, i);
            let y = b.e().add(forward[i], k1);
            let diff = b.e().sub(w7, y);
            let c = b.e().mul(r, diff);
            b.constraint(&format!("{name}.s{i}_round"), c);
        }
    }

    /// Fills the 8 rows of the cycle starting at `row0` from input state `input` and returns the
    /// permutation's output (the state on the cycle's last row).
    pub fn fill(&self, w: &mut Witness<'_>, row0: usize, input: &State) -> State {
        let states = cycle_states(input);
        self.set_cycle(w, row0, &states);
        states[CYCLE - 1]
    }

    /// Writes the states of one cycle (from [`cycle_states`]) on rows `row0..row0 + 8`.
    pub fn set_cycle(&self, w: &mut Witness<'_>, row0: usize, states: &[State; CYCLE]) {
        for (r, state) in states.iter().enumerate() {
            for (i, &c) in self.s.iter().enumerate() {
                w.set(c, row0 + r, state[i]);
            }
        }
    }

    /// The owned columns: `rpo.s0` … `rpo.s11`.
    pub fn columns(&self) -> Vec<Owned> {
        let cols = self.s.iter().enumerate();
        cols.map(|(i, &c)| Owned::main(c, format!("rpo.s{i}")))
            .collect()
    }
}

/// The states on the rows of one cycle from input `input`: round `r`'s input on row `r`, the
/// output on row 7.
pub fn cycle_states(input: &State) -> [State; CYCLE] {
    let mut states = [*input; CYCLE];
    for r in 0..ROUNDS {
        states[r + 1] = round(&states[r], r);
    }
    states
}

/// Round `r` of the permutation applied to `s`: `M·(M·s⁷ + K1)^(1/7) + K2`.
pub fn round(s: &State, r: usize) -> State {
    let sbox: State = s.map(|x| x.exp(7));
    let y = add(&mds_apply(&sbox), &Rp64_256::ARK1[r]);
    let w = y.map(|x| x.exp(INV_ALPHA));
    add(&mds_apply(&w), &Rp64_256::ARK2[r])
}

/// The permutation, computed the way the rows compute it.
pub fn permute(state: &State) -> State {
    (0..ROUNDS).fold(*state, |s, r| round(&s, r))
}

/// `M·x` with winter-crypto's MDS matrix.
pub fn mds_apply(x: &State) -> State {
    apply(&Rp64_256::MDS, x)
}

/// `m·x` for a 12 × 12 matrix `m`.
fn apply(m: &[State; STATE_WIDTH], x: &State) -> State {
    std::array::from_fn(|i| {
        let row = m[i].iter().zip(x);
        row.fold(Felt::ZERO, |acc, (&mij, &xj)| acc + mij * xj)
    })
}

fn add(a: &State, b: &State) -> State {
    std::array::from_fn(|i| a[i] + b[i])
}

/// `x⁷` (degree 7 times that of `x`).
fn pow7(b: &mut AirBuilder, x: ExprId) -> ExprId {
    let x2 = b.e().mul(x, x);
    let x3 = b.e().mul(x2, x);
    let x4 = b.e().mul(x2, x2);
    b.e().mul(x4, x3)
}

/// `Σ_j m_ij·x_j` for every lane `i` (degree of `x`).
fn mat(b: &mut AirBuilder, m: &[State; STATE_WIDTH], x: &[ExprId]) -> Vec<ExprId> {
    (0..STATE_WIDTH)
        .map(|i| {
            let terms: Vec<ExprId> = (0..STATE_WIDTH)
                .map(|j| b.e().scale(m[i][j].as_int() as i128, x[j]))
                .collect();
            b.e().sum(&terms)
        })
        .collect()
}

/// `M⁻¹`, by Gauss–Jordan elimination over the field (`M` is MDS, hence invertible).
pub fn mds_inverse() -> [State; STATE_WIDTH] {
    let mut a = Rp64_256::MDS;
    let mut inv: [State; STATE_WIDTH] =
        std::array::from_fn(|i| std::array::from_fn(|j| Felt::new(u64::from(i == j))));
    for col in 0..STATE_WIDTH {
        let pivot = (col..STATE_WIDTH)
            .find(|&r| a[r][col] != Felt::ZERO)
            .expect("the MDS matrix is invertible");
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let scale = a[col][col].inv();
        for j in 0..STATE_WIDTH {
            a[col][j] *= scale;
            inv[col][j] *= scale;
        }
        for r in (0..STATE_WIDTH).filter(|&r| r != col) {
            let f = a[r][col];
            for j in 0..STATE_WIDTH {
                let (x, y) = (a[col][j], inv[col][j]);
                a[r][j] -= f * x;
                inv[r][j] -= f * y;
            }
        }
    }
    inv
}

/// `M⁻¹·K2` for every round: the constants of the backward half of the round constraint.
fn ark2_back(inverse: &[State; STATE_WIDTH]) -> [State; ROUNDS] {
    std::array::from_fn(|r| apply(inverse, &Rp64_256::ARK2[r]))
}

/// `K_i`: lane `i` of round constants `table` as a periodic column (0 on cycle row 7).
fn ark(b: &mut AirBuilder, name: &str, table: &[State; ROUNDS], i: usize) -> ExprId {
    let mut values: Vec<u64> = table.iter().map(|k| k[i].as_int()).collect();
    values.push(0);
    let col = periodic(b, &format!("{name}[{i}]"), values);
    b.e().push(Expr::Periodic(col))
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
    fn the_inverse_inverts_the_mds_matrix() {
        let inverse = mds_inverse();
        for seed in 0..5 {
            let x = state(seed);
            assert_eq!(apply(&inverse, &mds_apply(&x)), x);
        }
    }

    #[test]
    fn rounds_are_winter_crypto_rounds_and_meet_the_constraint() {
        let inverse = mds_inverse();
        let back = ark2_back(&inverse);
        for seed in 0..20 {
            let s = state(seed);
            for (r, back) in back.iter().enumerate() {
                let mut expected = s;
                Rp64_256::apply_round(&mut expected, r);
                let next = round(&s, r);
                assert_eq!(next, expected, "round {r}, seed {seed}");
                // (M⁻¹·s' − L)⁷ = M·s⁷ + K1, lane by lane.
                let sbox = mds_apply(&s.map(|x| x.exp(7)));
                let w = apply(&inverse, &next);
                for i in 0..STATE_WIDTH {
                    assert_eq!((w[i] - back[i]).exp(7), sbox[i] + Rp64_256::ARK1[r][i]);
                }
            }
            let mut expected = s;
            Rp64_256::apply_permutation(&mut expected);
            assert_eq!(permute(&s), expected);
        }
    }
}

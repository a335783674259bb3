//! The zero-knowledge layout (`spec/zk.md`): random rows at the end of the trace, and the two
//! mask columns plus the gate that hide what a Winterfell proof opens.
//!
//! A program proves in zero-knowledge when any declaration is private or committed. Then:
//! - the last `r` rows of every column are uniformly random (`r` = [`RESERVED_RANDOM_ROWS`],
//!   enough for every security level zkmc offers, `r ≥ q + 2e + 1`); rows `0..R` with
//!   `R = n − r` hold the computation, row `R − 1` is the dead row, and every transition
//!   constraint is switched off on rows `R − 1..n` by `r + 1` Winterfell transition exemptions;
//! - `zk.deep` (`Rm`) is an extension-field column, uniform on every row and unconstrained: its
//!   term in the DEEP composition makes everything FRI opens uniform;
//! - `zk.quotient` (`A`), uniform on every row, and `zk.gate` (`B`), zero on the enforced rows
//!   `0..R−1` and uniform on the exempt ones, enter one constraint
//!   `p·B^k·A' = 0` (degree `k + 1`, times the periodic column `p = [1, 2, …, 2]` of period `c`),
//!   which holds on every enforced row because `B` vanishes there. Its quotient is a fresh random
//!   multiple of `A` spread over every composition column, which masks the composition openings.
//!   The power `k` (2, or 6 with the degree-7 permutation rounds of a commitment) and then the
//!   period `c` are the smallest that give the mask an evaluation degree at least that of every
//!   other constraint, so that the mask reaches the top composition column.

use serde::{Deserialize, Serialize};

use crate::builder::AirBuilder;
use crate::expr::Expr;
use crate::program::{AirProgram, AssertValue, Column, Segment};

/// Random rows the compiler reserves in a zero-knowledge trace: `q + 2e + 1` for the strongest
/// security zkmc proves at (128 bits: 38 queries over the cubic extension, `e = 3`). Weaker
/// levels need fewer (33 at the 100-bit default: 28 queries).
pub const RESERVED_RANDOM_ROWS: u32 = 45;

/// The shortest zero-knowledge trace: the quotient mask needs `n ≥ (m + 1)(q + 2) − 1` (199 at
/// 128 bits with `m = 4` composition columns, what degree-4 constraints give) and the exemptions
/// `r + 1 ≤ n/2 + 1`.
pub const MIN_ZK_TRACE_LEN: usize = 256;

/// The shortest trace of a program with a commitment: its degree-7 permutation rounds make a
/// composition of `m = 7` columns, and `(m + 1)(q + 2) − 1` is 319 at 128 bits.
pub const MIN_COMMIT_TRACE_LEN: usize = 512;

/// The quotient mask's rank condition `n ≥ (m + 1)(q + 2) − 1` at the most queries zkmc uses
/// (38, at 128 bits), for `m` composition columns.
pub fn mask_rank_holds(n: usize, composition_columns: usize) -> bool {
    (composition_columns + 1) * (38 + 2) - 1 <= n
}

/// Random rows a proof with `queries` queries over an extension of degree `extension` needs:
/// each opened or out-of-domain value of a column is one functional of its random rows (the
/// out-of-domain points `z` and `g·z` count `e` base-field functionals each), plus one row of
/// margin so every unopened point keeps a uniform coordinate.
pub fn random_rows_needed(queries: usize, extension: usize) -> usize {
    queries + 2 * extension + 1
}

/// Where the zero-knowledge masks live in a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkLayout {
    /// Random rows at the end of the trace.
    pub random_rows: u32,
    /// The DEEP mask column `Rm` (auxiliary segment).
    pub deep: u16,
    /// The quotient mask column `A` (auxiliary segment).
    pub quotient: u16,
    /// The gate column `B`: 0 on enforced rows (auxiliary segment).
    pub gate: u16,
    /// The periodic column `p` of the mask constraint.
    pub periodic: u16,
}

impl ZkLayout {
    /// Winterfell transition exemptions: the random rows and the dead row.
    pub fn exemptions(&self) -> usize {
        self.random_rows as usize + 1
    }
}

impl AirProgram {
    /// The last row the computation uses (the dead row): `n − 1`, or `n − r − 1` with random rows.
    pub fn last_row(&self) -> usize {
        self.trace_len - 1 - self.random_rows()
    }

    /// Random rows at the end of the trace (0 without zero-knowledge).
    pub fn random_rows(&self) -> usize {
        self.zk.as_ref().map_or(0, |z| z.random_rows as usize)
    }

    /// True when the proof must be zero-knowledge.
    pub fn is_zero_knowledge(&self) -> bool {
        self.zk.is_some()
    }

    /// Columns of `segment` the prover fills with random values on the random rows: every column
    /// but those the verifier pins on every row (a public product's keys, computed from public
    /// weights and the random elements alone).
    pub fn randomized_columns(&self, segment: Segment) -> Vec<usize> {
        let pinned: Vec<usize> = self
            .assertions
            .iter()
            .filter(|a| a.segment == segment)
            .filter(|a| matches!(a.value, AssertValue::ProductKeys(_)))
            .map(|a| a.column as usize)
            .collect();
        let width = match segment {
            Segment::Main => self.main_columns.len(),
            Segment::Aux => self.aux_columns.len(),
        };
        (0..width).filter(|c| !pinned.contains(c)).collect()
    }
}

/// Values of the mask's periodic column for period `c`: `[1, 2, …, 2]`. Its polynomial has no
/// zero on any low-degree-extension coset zkmc uses (`tests::gate_never_vanishes`).
pub fn gate_values(period: usize) -> Vec<u64> {
    let mut v = vec![2; period];
    v[0] = 1;
    v
}

/// The mask's power `k` of `B` (at least 2) and period `c` (a power of two in `2..=n`), each
/// the smallest for which the mask's evaluation degree `(k + 1)(n−1) + n − n/c` reaches
/// `max_eval`, the largest of the other constraints.
pub fn mask_shape(n: usize, max_eval: usize) -> (usize, usize) {
    let eval = |k: usize, c: usize| (k + 1) * (n - 1) + n - n / c;
    let mut k = 2;
    while eval(k, n) < max_eval {
        k += 1;
    }
    let mut c = 2;
    while c < n && eval(k, c) < max_eval {
        c *= 2;
    }
    (k, c)
}

impl AirBuilder {
    /// Adds the three mask columns and the mask constraint (after the LogUp layout; degrees are
    /// computed afterwards by `finish`).
    pub(crate) fn add_zk_masks(&mut self, random_rows: u32) {
        let n = self.prog_mut().trace_len;
        let periods = self.prog_mut().periods();
        let degrees = self.prog_mut().exprs.degrees(n, &periods);
        let prog = self.prog_mut();
        let max_eval = prog
            .constraints
            .iter()
            .map(|c| degrees[c.expr as usize].evaluation_degree(n))
            .max()
            .unwrap_or(0);
        let (power, period) = mask_shape(n, max_eval);
        let loc = self.model_loc();
        self.set_loc(loc);
        let mut aux = |name: &str, meaning: &str| {
            let prog = self.prog_mut();
            prog.aux_columns.push(Column {
                name: name.into(),
                meaning: meaning.into(),
                loc,
            });
            (prog.aux_columns.len() - 1) as u16
        };
        let deep = aux(
            "zk.deep",
            "zero-knowledge: uniform on every row (DEEP mask)",
        );
        let quotient = aux("zk.quotient", "zero-knowledge: uniform on every row");
        let gate = aux(
            "zk.gate",
            "zero-knowledge: 0 on enforced rows, uniform after",
        );
        let periodic = self.push_periodic("zk.p", gate_values(period));
        let p = self.e().push(Expr::Periodic(periodic));
        let b = self.e().push(Expr::Aux {
            col: gate,
            next: false,
        });
        let a_next = self.e().push(Expr::Aux {
            col: quotient,
            next: true,
        });
        let bk = (1..power).fold(b, |acc, _| self.e().mul(acc, b));
        let pbk = self.e().mul(p, bk);
        let mask = self.e().mul(pbk, a_next);
        self.push_constraint("zk.mask", mask, Segment::Aux, None);
        self.prog_mut().zk = Some(ZkLayout {
            random_rows,
            deep,
            quotient,
            gate,
            periodic,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Felt, FieldElement, StarkField};
    use winter_math::fft;

    /// `p(x) = q(x^(n/c))` with `q` interpolating `[1, 2, …, 2]` on the `c`-th roots of unity.
    /// On the LDE coset `7·⟨ω_{8n}⟩`, `x^(n/c)` runs over `7^(n/c)·⟨ω_{8c}⟩`: check `q` there,
    /// for every trace length up to 2^24 and every period the mask uses.
    #[test]
    fn gate_never_vanishes() {
        for period in [2usize, 4, 8, 16, 32] {
            let mut coeffs: Vec<Felt> = gate_values(period).into_iter().map(Felt::new).collect();
            let inv = fft::get_inv_twiddles::<Felt>(period);
            fft::interpolate_poly(&mut coeffs, &inv);
            for log_n in period.ilog2()..=24 {
                let n = 1u64 << log_n;
                let offset = Felt::GENERATOR.exp(n / period as u64);
                let root = Felt::get_root_of_unity((8 * period).ilog2());
                let mut x = offset;
                for _ in 0..8 * period {
                    let v = coeffs.iter().rev().fold(Felt::ZERO, |acc, &c| acc * x + c);
                    assert_ne!(v, Felt::ZERO, "period {period}, n = 2^{log_n}");
                    x *= root;
                }
            }
        }
    }

    #[test]
    fn mask_shape_covers_the_top_constraint() {
        let n = 1024;
        assert_eq!(mask_shape(n, 3 * (n - 1)), (2, 2));
        assert_eq!(mask_shape(n, 3 * (n - 1) + n - n / 8), (2, 8));
        // Degree-4 constraints: B² with the period n.
        assert_eq!(mask_shape(n, 4 * (n - 1)), (2, n));
        // The commitment's rounds: degree 7 times a period-8 factor.
        assert_eq!(mask_shape(n, 7 * (n - 1) + n - n / 8), (6, 8));
        assert_eq!(random_rows_needed(29, 2), 34);
        assert_eq!(random_rows_needed(38, 3) as u32, RESERVED_RANDOM_ROWS);
    }
}

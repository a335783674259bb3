//! `Commit`: the digests of committed tensors, enforced in the AIR. The digest of a tensor of
//! `bits`-bit codes `v` with nonce `ν` is `Rp64_256::hash_elements([e_0, …, e_{m−1}, ν])`, where
//! `e_q` packs `k = ⌊63/bits⌋` offset codes `u = v + 2^(bits−1)` as `Σ_j u_j·2^(bits·j)`
//! (`spec/commitment.md`). One gadget hashes every committed tensor, each in its own *chain*.
//!
//! Chain `c` loads its sequence one element per row from row `D_c` (a multiple of 8) on, 8 per
//! cycle, and its permutations run one cycle behind: the block loaded in a cycle is absorbed at
//! the end of that cycle. Chain 0 starts at row 0, so cycle 0 permutes a zero state whose output
//! is discarded; chain `c + 1` loads during chain `c`'s last permutation. The region ends one
//! cycle after the last load (`8 + D_C`, `D_C` the end of the loads). On row `r` of chain `c`'s
//! loads, slot `j < k_c` holds `x_j = v[k_c·(r − D_c) + j]`, received over the bus with
//! multiplicity `μ_{bits,j}` (1 on the rows where slot `j` of a chain of that width holds a
//! value). Columns: the [`RpoRows`], the slots `x_j` (slot 0 holds the nonce `n` on the chain's
//! nonce row, where no value is loaded), a 7-column shift register `b`, and the [`Marks`] columns
//! of the row indicators that are not made of selectors. With `ν` the indicator of the nonce
//! rows, `R` the periodic round flag, `A = 1 − R` (1 on absorb rows) and `γ` 1 on an absorb row
//! whose next block continues the same chain (0 on each chain's first absorb row `D_c + 7` and
//! on the region's last row); `μ`, `ν`, `γ` have degree 1 (`commit_rows.rs`):
//!
//! - element `e = Σ_bits Σ_j μ_{bits,j}·(x_j + 2^(bits−1))·2^(bits·j) + ν·x_0` (degree 2);
//! - `(1 − Σ_bits μ_{bits,j})·x_j = 0` for `j > 0` and `(1 − Σ_bits μ_{bits,0} − ν)·x_0 = 0`
//!   (degree 2): unused cells are zero;
//! - `b_j' − b_{j+1} = 0` (`j < 6`) and `b_6' − e = 0` (degree 1, 2): on an absorb row `b_j` is
//!   the element loaded on cycle row `j`, and `e` itself the one on row 7;
//! - rate: `A·sel·(s'_{4+j} − γ·s_{4+j} − b_j) = 0`, `A·sel·(s'_11 − γ·s_11 − e) = 0` (degree 3
//!   times one periodic factor; `sel` is 1 on the region's rows): a continuing chain adds the
//!   block to the output, a new chain starts from the block;
//! - capacity: `A·sel·γ·(s'_i − s_i) = 0` for `i < 4` (degree 3 times one periodic factor), and the
//!   assertions `s = (m_c + 1, 0, 0, 0)` on capacity at chain `c`'s first permutation row
//!   `D_c + 8`;
//! - the digest: `s_{4..8}` on the chain's last permutation row `D_{c+1} + 7` equals the public
//!   slot (four assertions).
//!
//! With `b_0[0] = 0` asserted, every cell in the region is determined by the values, the nonces
//! and the layout, except cycle 0's discarded permutation, which may start from any state. Past
//! the region the permutation rounds still hold (`rpo.rs`) and nothing is absorbed: the honest
//! cycles there permute the zero state, every other cell is zero. The tensor's `reads` must
//! count the commitment as one read; the gadget must be lowered after the tensors' stores.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::{Expr, ExprId};
use crate::field::{Felt, FieldElement};
use crate::witness::{Witness, WitnessError};

use super::commit_rows::{indicator, RowIndicators};
use super::contract::{GadgetOp, Owned};
use super::marks::Marks;
use super::packing::{per_element, sequence};
use super::rpo::{cycle_states, RpoRows, State, CYCLE, STATE_WIDTH};

/// Rate elements absorbed per permutation.
pub const RATE: usize = 8;
/// Shift-register columns: the elements of cycle rows 0..6.
const BUFFER: usize = RATE - 1;
/// Column name prefix.
const NAME: &str = "commit";

/// A declaration to commit: what [`Commit::lower`] takes per chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Declared name (the key of its nonce in `Inputs::nonces`).
    pub name: String,
    /// Its bus tensor (stored and range-checked to `bits` by its `Store`).
    pub tensor: TensorId,
    /// Declared width in bits, 1 to 63: the width its store range-checks, which makes the
    /// packing injective.
    pub bits: u32,
    /// Offset of its 4-element digest slot in the public vector.
    pub digest: usize,
}

/// One committed tensor's chain of permutations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// Declared name.
    pub name: String,
    /// Bus tensor.
    pub tensor: TensorId,
    /// Declared width in bits.
    pub bits: u32,
    /// Element count.
    pub len: usize,
    /// Offset of the digest in the public vector.
    pub digest: usize,
    /// `D`: the row its first element is loaded on (a multiple of 8).
    pub start: usize,
}

impl Chain {
    /// `k`: values packed per element.
    pub fn per_element(&self) -> usize {
        per_element(self.bits)
    }

    /// `m`: packed elements.
    pub fn elements(&self) -> usize {
        self.len.div_ceil(self.per_element())
    }

    /// Permutations: blocks of the `m + 1` hashed elements.
    pub fn perms(&self) -> usize {
        (self.elements() + 1).div_ceil(RATE)
    }

    /// The row after its last load (the next chain's `D`).
    pub fn end(&self) -> usize {
        self.start + CYCLE * self.perms()
    }

    /// The row its nonce is loaded on.
    pub fn nonce_row(&self) -> usize {
        self.start + self.elements()
    }

    /// The row its digest is read on: the output row of its last permutation.
    pub fn digest_row(&self) -> usize {
        self.end() + CYCLE - 1
    }

    /// One past the last row on which slot `j` holds a value.
    pub(crate) fn slot_end(&self, j: usize) -> usize {
        let k = self.per_element();
        self.start + self.len / k + usize::from(j < self.len % k)
    }
}

/// The commitment gadget: every committed tensor's chain and the shared columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The chains, in row order.
    pub chains: Vec<Chain>,
    /// The permutation's columns.
    pub perm: RpoRows,
    /// Slots `x_j` (as many as the widest chain's `k`).
    pub values: Vec<u16>,
    /// The shift register `b_0..b_6`.
    pub buffer: Vec<u16>,
    /// Rows used: `0..region`.
    pub region: usize,
    /// The [`Marks`] columns of the row indicators that are not made of selectors
    /// (`commit_rows.rs`).
    pub marks: Vec<Marks>,
}

impl Commit {
    /// Lowers the commitments of `decls`, each tensor in its own chain.
    pub fn lower(b: &mut AirBuilder, decls: &[Committed]) -> Self {
        let chains = lay_out(b, decls);
        let region = chains.last().map_or(0, Chain::end) + CYCLE;
        let perm = RpoRows::lower(b, &format!("{NAME}.rpo"));
        b.require_trace_len(crate::zk::MIN_COMMIT_TRACE_LEN);
        let k_max = chains.iter().map(Chain::per_element).max().unwrap_or(1);
        let values = (0..k_max)
            .map(|j| b.main_col(format!("{NAME}.x{j}"), format!("packed value slot {j}")))
            .collect();
        let buffer = (0..BUFFER)
            .map(|j| b.main_col(format!("{NAME}.b{j}"), format!("element of cycle row {j}")))
            .collect();
        let rows = RowIndicators::lower(b, NAME, &chains, region);
        let g = Commit {
            chains,
            perm,
            values,
            buffer,
            region,
            marks: rows.marks,
        };
        let e = g.element(b, rows.nu, &rows.mu);
        g.shift(b, e);
        g.absorb(b, e, rows.gamma, region);
        g.assert_ends(b);
        g
    }

    /// Receives the values, pins unused slots and the nonce to zero, and returns `e`; `nu`
    /// indicates the nonce rows, `mu[(bits, j)]` the rows of slot `j` of the chains of `bits`.
    fn element(
        &self,
        b: &mut AirBuilder,
        nu: ExprId,
        mu: &BTreeMap<(u32, usize), ExprId>,
    ) -> ExprId {
        let mut terms = Vec::new();
        let mut present = vec![Vec::new(); self.values.len()];
        for (&(bits, j), &m) in mu {
            let x = b.cur(self.values[j]);
            let half = b.e().constant(1i128 << (bits - 1));
            let u = b.e().add(x, half);
            let weighted = b.e().scale(1i128 << (bits as usize * j), u);
            terms.push(b.e().mul(m, weighted));
            present[j].push(m);
            self.receive(b, bits, j, m);
        }
        // Slot 0 carries the nonce on nonce rows (no value is loaded there).
        present[0].push(nu);
        for (j, slot) in present.iter().enumerate() {
            let x = b.cur(self.values[j]);
            let c = zero_off(b, slot, x);
            b.constraint(&format!("{NAME}.x{j}_unused_zero"), c);
        }
        let n = b.cur(self.values[0]);
        terms.push(b.e().mul(nu, n));
        b.e().sum(&terms)
    }

    /// One bus term per slot `j` and width `bits`: multiplicity `μ` (the slot's rows in the
    /// chains of that width) and tag `k·row + Σ_c [D_c, E_c)·(id_c·2^32 + j − k·D_c)`, both of
    /// degree 1, with `[D_c, E_c)` chain `c`'s rows (`E_c` its end, the region's for the last
    /// chain). The chains' rows are disjoint, so where `μ = 1` the tag is that chain's; where
    /// `μ = 0` the term vanishes whatever its tag. Affine denominators let three such terms
    /// share one LogUp column.
    fn receive(&self, b: &mut AirBuilder, bits: u32, j: usize, mult: ExprId) {
        let k = per_element(bits);
        let mut shifts = Vec::new();
        let mut names = Vec::new();
        for (i, c) in self.chains.iter().enumerate() {
            if c.bits != bits || c.start >= c.slot_end(j) {
                continue;
            }
            let end = match i + 1 == self.chains.len() {
                true => self.region,
                false => c.end(),
            };
            let Some(rows) = indicator(b, c.start, end) else {
                continue;
            };
            let shift = c.tensor.tag_base() as i128 + j as i128 - (k * c.start) as i128;
            shifts.push(b.e().scale(shift, rows));
            names.push(c.name.as_str());
        }
        let row = b.row();
        let kr = b.e().scale(k as i128, row);
        let shift = b.e().sum(&shifts);
        let tag = b.e().add(kr, shift);
        let x = b.cur(self.values[j]);
        let label = format!("{NAME}.x{j} reads {}", names.join(", "));
        b.bus(crate::program::Direction::Receive, mult, tag, x, label);
    }

    /// `b_j' = b_{j+1}`, `b_6' = e`.
    fn shift(&self, b: &mut AirBuilder, e: ExprId) {
        for j in 0..BUFFER {
            let next = b.next(self.buffer[j]);
            let src = match self.buffer.get(j + 1) {
                Some(&col) => b.cur(col),
                None => e,
            };
            let c = b.e().sub(next, src);
            b.constraint(&format!("{NAME}.b{j}_shift"), c);
        }
    }

    /// The absorption from an output row to the next permutation's input, on the region's
    /// absorb rows (module doc).
    fn absorb(&self, b: &mut AirBuilder, e: ExprId, gamma: Option<ExprId>, region: usize) {
        let r = b.e().push(Expr::Periodic(self.perm.round));
        let one = b.e().constant(1);
        let a = b.e().sub(one, r);
        let sel = b.rows_gate(0, region);
        let a = b.e().mul(a, sel);
        for lane in 0..STATE_WIDTH {
            let (s, s_next) = (b.cur(self.perm.s[lane]), b.next(self.perm.s[lane]));
            let expr = if lane < 4 {
                let Some(g) = gamma else { continue };
                let step = b.e().sub(s_next, s);
                b.e().mul(g, step)
            } else {
                let block = self.buffer.get(lane - 4).map_or(e, |&col| b.cur(col));
                let added = b.e().sub(s_next, block);
                match gamma {
                    Some(g) => {
                        let kept = b.e().mul(g, s);
                        b.e().sub(added, kept)
                    }
                    None => added,
                }
            };
            let c = b.e().mul(a, expr);
            b.constraint(&format!("{NAME}.s{lane}_absorb"), c);
        }
    }

    /// The capacity of every chain's first input and its digest; `b_0[0] = 0` (the one buffer
    /// cell no constraint reads).
    fn assert_ends(&self, b: &mut AirBuilder) {
        b.assert_const(self.buffer[0], 0, 0, format!("{NAME}.b0 starts at 0"));
        for c in &self.chains {
            let first = c.start + CYCLE;
            for i in 0..4 {
                let v = if i == 0 { c.elements() as i128 + 1 } else { 0 };
                let label = format!("{} capacity[{i}] starts at {v}", c.name);
                b.assert_const(self.perm.s[i], first, v, label);
            }
            for i in 0..4 {
                let label = format!("{} digest[{i}] is public", c.name);
                b.assert_public(self.perm.s[4 + i], c.digest_row(), c.digest + i, label);
            }
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        for m in &self.marks {
            m.fill(w);
        }
        let mut elements = vec![Felt::ZERO; self.region];
        for c in &self.chains {
            let values: Vec<i64> = w.tensor(c.tensor).iter().map(|&v| v as i64).collect();
            let nonce = w.nonce(&c.name)?;
            let k = c.per_element();
            for (i, &v) in values.iter().enumerate() {
                w.set_int(self.values[i % k], c.start + i / k, v as i128);
            }
            w.set(self.values[0], c.nonce_row(), nonce);
            let seq = sequence(&values, c.bits, nonce);
            elements[c.start..c.start + seq.len()].copy_from_slice(&seq);
        }
        for (row, &e) in elements
            .iter()
            .enumerate()
            .filter(|(_, e)| **e != Felt::ZERO)
        {
            for (j, &col) in self.buffer.iter().enumerate() {
                w.set(col, row + BUFFER - j, e);
            }
        }
        let mut out = [Felt::ZERO; STATE_WIDTH];
        self.fill_past_region(w);
        for row0 in (0..self.region).step_by(CYCLE) {
            let input = match row0.checked_sub(CYCLE) {
                None => out,
                Some(load) => self.next_input(&out, &elements[load..row0], load),
            };
            out = self.perm.fill(w, row0, &input);
            for c in self.chains.iter().filter(|c| c.end() == row0) {
                for i in 0..4 {
                    w.set_public(c.digest + i, out[4 + i].as_int() as i128);
                }
            }
        }
        Ok(())
    }

    /// The cycles from the region's end to the dead row: permutations of the zero state (the
    /// rounds hold on every cycle; past the region nothing is absorbed), computed once.
    fn fill_past_region(&self, w: &mut Witness<'_>) {
        let end = w.program.last_row() + 1;
        if self.region >= end {
            return;
        }
        let states = cycle_states(&[Felt::ZERO; STATE_WIDTH]);
        for row0 in (self.region..end).step_by(CYCLE) {
            self.perm.set_cycle(w, row0, &states);
        }
    }

    /// The input of the permutation after the cycle whose loads start on row `load`.
    fn next_input(&self, out: &State, block: &[Felt], load: usize) -> State {
        let chain = self
            .chains
            .iter()
            .find(|c| (c.start..c.end()).contains(&load));
        let mut state = match chain {
            Some(c) if load >= c.start + CYCLE => *out,
            Some(c) => initial_state(c.elements() + 1),
            None => [Felt::ZERO; STATE_WIDTH],
        };
        for (lane, &x) in state[4..].iter_mut().zip(block) {
            *lane += x;
        }
        state
    }
}

impl GadgetOp for Commit {
    fn op(&self) -> &'static str {
        "commit"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols = self.perm.columns();
        let values = self.values.iter().enumerate();
        cols.extend(values.map(|(j, &c)| Owned::main(c, format!("x{j}"))));
        let buffer = self.buffer.iter().enumerate();
        cols.extend(buffer.map(|(j, &c)| Owned::main(c, format!("b{j}"))));
        let marks = self.marks.iter().enumerate();
        cols.extend(marks.map(|(i, m)| Owned::main(m.col, format!("marks{i}"))));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        self.chains.iter().map(|c| c.tensor).collect()
    }

    fn public_ranges(&self) -> Vec<std::ops::Range<usize>> {
        self.chains.iter().map(|c| c.digest..c.digest + 4).collect()
    }
}

/// Places the chains one after another from row 0.
fn lay_out(b: &AirBuilder, decls: &[Committed]) -> Vec<Chain> {
    let mut start = 0;
    let mut chains = Vec::with_capacity(decls.len());
    for d in decls {
        let len = b.tensor_info(d.tensor).map_or(0, |t| t.len());
        let chain = Chain {
            name: d.name.clone(),
            tensor: d.tensor,
            bits: d.bits.clamp(1, 63),
            len,
            digest: d.digest,
            start,
        };
        start = chain.end();
        chains.push(chain);
    }
    chains
}

/// `(1 − Σ on)·x`: `x` vanishes off the rows indicated by `on` (degree 2).
fn zero_off(b: &mut AirBuilder, on: &[ExprId], x: ExprId) -> ExprId {
    let one = b.e().constant(1);
    let total = b.e().sum(on);
    let off = b.e().sub(one, total);
    b.e().mul(off, x)
}

/// The sponge state before the first block: the capacity holds the number of hashed elements.
fn initial_state(hashed: usize) -> State {
    let mut state = [Felt::ZERO; STATE_WIDTH];
    state[0] = Felt::new(hashed as u64);
    state
}

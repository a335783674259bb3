//! The row indicators of the commitment gadget (`commit.rs`): which rows hold a nonce (`ν`),
//! which absorb rows continue a chain (`γ`), and which rows hold a value in each slot (`μ`).
//!
//! Each is a union of row intervals, expressed at degree 1 in one of two ways: as sums of
//! `sel_hi − sel_lo` over prefix selectors (shared by every gadget that uses the same
//! threshold), or as one [`Marks`] column. The selectors are used when they need at most one
//! selector column that does not exist yet (a single chain's thresholds often coincide, or are
//! already allocated); otherwise a marks column replaces them, whatever the number of chains.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::commit::Chain;
use super::marks::Marks;
use super::rpo::CYCLE;
use crate::builder::AirBuilder;
use crate::expr::ExprId;

/// The indicators of a commitment region and the marks columns they took.
pub(crate) struct RowIndicators {
    /// `ν`: the nonce rows.
    pub(crate) nu: ExprId,
    /// `γ`: 1 on an absorb row whose next block continues the same chain, 0 on a chain's first
    /// absorb row and on the region's last row; none when no chain has a second block.
    pub(crate) gamma: Option<ExprId>,
    /// `μ[(bits, j)]`: the rows of slot `j` of the chains of width `bits`.
    pub(crate) mu: BTreeMap<(u32, usize), ExprId>,
    /// The marks columns, in allocation order.
    pub(crate) marks: Vec<Marks>,
}

impl RowIndicators {
    /// The indicators of `chains`, whose region ends at `region`; `name` prefixes the marks
    /// columns.
    pub(crate) fn lower(b: &mut AirBuilder, name: &str, chains: &[Chain], region: usize) -> Self {
        // Slots first: a chain's nonce row is where its slots end, so their selectors often
        // serve the nonce rows too.
        let mut marks = Vec::new();
        let mut mu = BTreeMap::new();
        let mut seen: BTreeMap<Vec<(usize, usize)>, ExprId> = BTreeMap::new();
        for (key, rows) in slot_rows(chains) {
            let id: Vec<(usize, usize)> = rows.iter().map(|r| (r.start, r.end)).collect();
            let f = match seen.get(&id) {
                Some(&f) => f,
                None => {
                    let slot_name = format!("{name}.slots{}", marks.len());
                    let meaning = "value rows at or below this one (μ = this − next)";
                    let f = union(b, &slot_name, meaning, rows, &mut marks);
                    seen.insert(id, f);
                    f
                }
            };
            mu.insert(key, f);
        }
        let nonces = chains.iter().map(|c| c.nonce_row()..c.nonce_row() + 1);
        let meaning = "nonce rows at or below this one (ν = this − next)";
        let nonce_name = format!("{name}.nonces");
        let nu = union(b, &nonce_name, meaning, nonces.collect(), &mut marks);
        let gamma = continues(b, name, chains, region, &mut marks);
        RowIndicators {
            nu,
            gamma,
            mu,
            marks,
        }
    }
}

/// `γ`: `Σ_c [D_c + 8, E_c)` from selectors, or `1 − φ` with `φ` marking each chain's first
/// absorb row `D_c + 7` and the region's last row; none when every chain has one block.
fn continues(
    b: &mut AirBuilder,
    name: &str,
    chains: &[Chain],
    region: usize,
    marks: &mut Vec<Marks>,
) -> Option<ExprId> {
    let later = chains.iter().map(|c| c.start + CYCLE..c.end());
    let later: Vec<_> = later.filter(|r| !r.is_empty()).collect();
    if later.is_empty() {
        return None;
    }
    if new_selectors(b, &later) <= 1 {
        return Some(from_selectors(b, &later));
    }
    let row = |r: usize| r..r + 1;
    let mut firsts: Vec<_> = chains.iter().map(|c| row(c.start + CYCLE - 1)).collect();
    firsts.push(row(region - 1));
    let meaning = "first absorb rows at or below this one (φ = this − next)";
    let (m, phi) = Marks::lower(b, &format!("{name}.firsts"), meaning, firsts);
    marks.push(m);
    let one = b.e().constant(1);
    Some(b.e().sub(one, phi))
}

/// The indicator of `rows` (increasing, disjoint, not empty): from selectors when at most one
/// is new, else from a new marks column `name`.
fn union(
    b: &mut AirBuilder,
    name: &str,
    meaning: &str,
    rows: Vec<Range<usize>>,
    marks: &mut Vec<Marks>,
) -> ExprId {
    if new_selectors(b, &rows) <= 1 {
        return from_selectors(b, &rows);
    }
    let (m, f) = Marks::lower(b, name, meaning, rows);
    marks.push(m);
    f
}

/// Selector columns the intervals `rows` would add.
fn new_selectors(b: &AirBuilder, rows: &[Range<usize>]) -> usize {
    let ends = rows.iter().flat_map(|r| [r.start, r.end]);
    let new: BTreeSet<usize> = ends.filter(|&t| t > 0 && !b.has_selector(t)).collect();
    new.len()
}

/// `Σ (sel_hi − sel_lo)` over `rows` (0 when empty).
fn from_selectors(b: &mut AirBuilder, rows: &[Range<usize>]) -> ExprId {
    let parts: Vec<ExprId> = rows
        .iter()
        .filter_map(|r| indicator(b, r.start, r.end))
        .collect();
    b.e().sum(&parts)
}

/// The rows on which slot `j` of the chains of width `bits` holds a value, per `(bits, j)`.
fn slot_rows(chains: &[Chain]) -> BTreeMap<(u32, usize), Vec<Range<usize>>> {
    let mut rows: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for c in chains {
        for j in 0..c.per_element() {
            if c.start < c.slot_end(j) {
                rows.entry((c.bits, j))
                    .or_default()
                    .push(c.start..c.slot_end(j));
            }
        }
    }
    rows
}

/// The indicator of rows `lo..hi`: `sel_hi − sel_lo` (`sel_hi` when `lo = 0`; none if empty).
pub(crate) fn indicator(b: &mut AirBuilder, lo: usize, hi: usize) -> Option<ExprId> {
    (lo < hi).then(|| b.rows_gate(lo, hi))
}

//! LogUp helper columns shared by stacked gadgets on different shelves.
//!
//! A bus term of a stacked gadget is gated by the gadget's region gate `g` (1 on its rows, 0
//! elsewhere; `stack.rs`), and regions on different shelves never share a row. So one helper
//! column `h` can carry a *slot* per shelf: slot `k` is a small group `G_k` of one gadget's terms
//! with gate `g_k`, and
//!
//! - `Σ_k g_k·(h·Π_{t∈G_k} d_t − Σ_{t∈G_k} m_t·Π_{u∈G_k, u≠t} d_u) = 0` (degree 4 for two terms
//!   of degree-1 keys: the gate adds one to the group's own degree), so on a row of region `k`,
//!   `h = Σ_{t∈G_k} m_t/d_t`;
//! - `(1 − Σ_k g_k)·h = 0` (degree 2), so `h = 0` on every row outside the slots' regions, where
//!   every slot's terms have multiplicity 0 as well.
//!
//! On every row `h` is therefore the sum of the fractions of all its terms, as for an ordinary
//! helper column, and the running sum is unchanged. The witness fills it the same way
//! (`aux.rs` sums the fractions of the column's terms).

use crate::builder::AirBuilder;
use crate::expr::{Degree, ExprId};
use crate::logup::{fraction_identity, new_helper, pack};
use crate::program::Segment;
use crate::stack::GatedTerm;

/// One shared helper column: a slot (gate, terms) per shelf.
#[derive(Clone, Debug)]
pub(crate) struct SharedColumn {
    slots: Vec<(ExprId, Vec<u32>)>,
}

impl SharedColumn {
    /// Every term the column carries.
    pub(crate) fn terms(&self) -> Vec<u32> {
        self.slots
            .iter()
            .flat_map(|(_, g)| g.iter().copied())
            .collect()
    }
}

/// Groups gated terms: each gadget's terms packed within degree `limit − 1` (the gate adds
/// one), and the `c`-th group of every shelf in column `c`.
pub(crate) fn columns(
    b: &AirBuilder,
    gated: &[GatedTerm],
    degrees: &[Degree],
    limit: u32,
) -> Vec<SharedColumn> {
    let mut shelves: Vec<Vec<(ExprId, Vec<u32>)>> = Vec::new();
    let mut i = 0;
    while i < gated.len() {
        let first = gated[i];
        let same = gated[i..]
            .iter()
            .take_while(|g| g.gadget == first.gadget && g.gate == first.gate)
            .count();
        let terms: Vec<u32> = gated[i..i + same].iter().map(|g| g.term).collect();
        if shelves.len() <= first.shelf {
            shelves.resize_with(first.shelf + 1, Vec::new);
        }
        for group in pack(b.prog_ref(), &terms, degrees, limit - 1) {
            shelves[first.shelf].push((first.gate, group));
        }
        i += same;
    }
    let width = shelves.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|c| SharedColumn {
            slots: shelves.iter().filter_map(|s| s.get(c).cloned()).collect(),
        })
        .collect()
}

/// Adds the helper column of `column` and its two constraints; returns its cell.
pub(crate) fn helper_column(
    b: &mut AirBuilder,
    column: &SharedColumn,
    alpha: ExprId,
    beta: ExprId,
) -> ExprId {
    let (col, h, loc) = new_helper(b, &column.terms());
    let mut gated = Vec::with_capacity(column.slots.len());
    let mut gates = Vec::with_capacity(column.slots.len());
    for (gate, group) in &column.slots {
        let identity = fraction_identity(b, h, group, alpha, beta);
        gated.push(b.e().mul(*gate, identity));
        gates.push(*gate);
    }
    let slots = b.e().sum(&gated);
    let one = b.e().constant(1);
    let covered = b.e().sum(&gates);
    let outside = b.e().sub(one, covered);
    let zero_outside = b.e().mul(outside, h);
    b.set_loc(loc);
    b.push_constraint(&format!("bus{col}.fractions"), slots, Segment::Aux, None);
    b.push_constraint(
        &format!("bus{col}.outside"),
        zero_outside,
        Segment::Aux,
        None,
    );
    h
}

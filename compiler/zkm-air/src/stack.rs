//! Stacked layouts: short row-local gadgets share main columns vertically.
//!
//! A trace is as long as its longest region (a private product's weight lanes, say), yet most
//! gadgets (stores, element-wise operations, rescales, relu) need only as many rows as their
//! tensor has elements. With stacking on, such a gadget is placed on a *shelf*: a band of rows
//! `o..o + h` of a pool of shared columns `stack0, stack1, …`. Gadgets on one shelf sit side by
//! side (each takes the next free pool columns); shelves sit one above the other, so a pool
//! column holds one gadget per shelf.
//!
//! Only *row-local* gadgets are stacked: every constraint reads the current row only and is
//! gated, and every bus term is gated, by the gadget's region gate `g = sel_{o+len} − sel_o`
//! (1 exactly on rows `o..o + len`; both selectors are fixed columns, so `g` is degree 1), and
//! element `i` lives on row `o + i` with bus index `row − o`. Outside its region a gadget
//! constrains nothing, so gadgets sharing a column never constrain each other's rows. Witness
//! generation writes gadget `k`'s rows at `placements[k]` ([`crate::witness`]).
//!
//! A new shelf opens (at the top of the last one) while rows remain before the usable limit
//! (the dead row, with zero-knowledge); after that a gadget joins the narrowest shelf at least
//! as tall as its region, or, when none is, gets columns of its own.

use crate::builder::AirBuilder;
use crate::expr::{Expr, ExprId};
use crate::program::Column;

/// The stacking state of a builder.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stack {
    /// Regions must end at or before this row.
    usable: usize,
    shelves: Vec<Shelf>,
    /// The shared columns, in pool order.
    pool: Vec<u16>,
    /// Where the gadget being lowered sits, if stacked.
    place: Option<Place>,
    /// The region gate of the gadget being lowered, once built.
    gate: Option<ExprId>,
    /// Bus terms gated by their stacked gadget's region: (term, shelf, gadget, gate).
    pub(crate) gated_terms: Vec<GatedTerm>,
}

/// A bus term whose multiplicity is a constant times its stacked gadget's region gate: it is
/// zero outside the region, so it can share a LogUp helper column with terms of other shelves
/// (`logup.rs`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct GatedTerm {
    pub(crate) term: u32,
    pub(crate) shelf: usize,
    pub(crate) gadget: u32,
    pub(crate) gate: ExprId,
}

#[derive(Clone, Copy, Debug)]
struct Shelf {
    offset: usize,
    height: usize,
    /// Pool columns taken on this shelf.
    width: usize,
}

/// The placement of the gadget being lowered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub(crate) offset: usize,
    len: usize,
    shelf: usize,
}

impl AirBuilder {
    /// Turns stacking on: stacked gadgets' regions end at or before row `usable`.
    pub fn enable_stacking(&mut self, usable: usize) {
        self.stack = Some(Stack {
            usable,
            ..Stack::default()
        });
    }

    /// Lowers a row-local gadget of `len` rows (see the module docs) on a shelf when stacking is
    /// on and one fits, else as [`AirBuilder::gadget`] does.
    pub fn stacked_gadget<G: Into<crate::gadgets::Gadget>>(
        &mut self,
        loc: crate::program::Loc,
        len: usize,
        lower: impl FnOnce(&mut Self) -> G,
    ) {
        let place = self.stack.as_mut().and_then(|s| s.choose(len));
        if let Some(stack) = self.stack.as_mut() {
            stack.place = place;
        }
        self.gadget(loc, lower);
        if let Some(stack) = self.stack.as_mut() {
            stack.place = None;
            stack.gate = None;
        }
    }

    /// Notes bus term `term` (just pushed with multiplicity `mult`) when it is gated by the
    /// current stacked gadget's region: `mult` is the gate or a constant times it.
    pub(crate) fn note_gated_term(&mut self, term: u32, mult: ExprId) {
        let gadget = self.current_gadget();
        let Some(stack) = self.stack.as_ref() else {
            return;
        };
        let (Some(place), Some(gate)) = (stack.place, stack.gate) else {
            return;
        };
        let gated = mult == gate
            || match self.prog_ref().exprs.get(mult) {
                Expr::Mul(a, b) => {
                    let is_const = |e| matches!(self.prog_ref().exprs.get(e), Expr::Const(_));
                    (a == gate && is_const(b)) || (b == gate && is_const(a))
                }
                _ => false,
            };
        if gated {
            if let Some(stack) = self.stack.as_mut() {
                stack.gated_terms.push(GatedTerm {
                    term,
                    shelf: place.shelf,
                    gadget,
                    gate,
                });
            }
        }
    }

    /// The row offset of the gadget being lowered (0 unless stacked).
    pub(crate) fn row_offset(&self) -> usize {
        self.place().map_or(0, |p| p.offset)
    }

    pub(crate) fn place(&self) -> Option<Place> {
        self.stack.as_ref().and_then(|s| s.place)
    }

    /// Runs `f` with no placement, for columns every gadget shares (selectors, the table).
    pub(crate) fn unplaced<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let place = self.stack.as_mut().and_then(|s| s.place.take());
        let r = f(self);
        if let Some(stack) = self.stack.as_mut() {
            stack.place = place;
        }
        r
    }

    /// The gate of the current gadget's `len` rows: `sel_len` on rows `0..len`, or
    /// `sel_{o+len} − sel_o` for a gadget stacked at offset `o` (degree 1 either way).
    pub fn gate(&mut self, len: usize) -> ExprId {
        let offset = self.row_offset();
        let gate = self.rows_gate(offset, offset + len);
        if let Some(stack) = self.stack.as_mut().filter(|s| s.place.is_some()) {
            stack.gate.get_or_insert(gate);
        }
        gate
    }

    /// The pool column for the current stacked gadget's next column, named in its meaning.
    pub(crate) fn stacked_col(&mut self, place: Place, name: &str, meaning: &str) -> u16 {
        let (loc, model) = (self.current_loc(), self.model_loc());
        let (o, end) = (place.offset, place.offset + place.len);
        let Some(stack) = self.stack.as_mut() else {
            return self.own_col(name.to_owned(), meaning);
        };
        let shelf = &mut stack.shelves[place.shelf];
        let j = shelf.width;
        shelf.width += 1;
        let existing = stack.pool.get(j).copied();
        let prog = self.prog_mut();
        let column = match existing {
            Some(col) => col,
            None => {
                prog.main_columns.push(Column {
                    name: format!("stack{j}"),
                    meaning: "shared by stacked gadgets (== stacked regions)".into(),
                    loc: model,
                });
                let col = (prog.main_columns.len() - 1) as u16;
                if let Some(stack) = self.stack.as_mut() {
                    stack.pool.push(col);
                }
                col
            }
        };
        let gadget = self.current_gadget();
        self.prog_mut().aliases.push(crate::program::ColumnAlias {
            name: name.to_owned(),
            column,
            first_row: o as u32,
            rows: (end - o) as u32,
            meaning: meaning.to_owned(),
            loc,
            gadget,
        });
        column
    }
}

impl Stack {
    /// A shelf for a region of `len` rows: a new one while rows remain, else the narrowest tall
    /// enough; `None` when none fits.
    fn choose(&mut self, len: usize) -> Option<Place> {
        if len == 0 {
            return None;
        }
        let top = self.shelves.last().map_or(0, |s| s.offset + s.height);
        let fitting = self
            .shelves
            .iter()
            .enumerate()
            .filter(|(_, s)| s.height >= len)
            .min_by_key(|(_, s)| s.width)
            .map(|(i, s)| (i, s.width));
        let shelf = match fitting {
            Some((i, 0)) => i,
            _ if top + len <= self.usable => {
                self.shelves.push(Shelf {
                    offset: top,
                    height: len,
                    width: 0,
                });
                self.shelves.len() - 1
            }
            Some((i, _)) => i,
            None => return None,
        };
        let offset = self.shelves[shelf].offset;
        Some(Place { offset, len, shelf })
    }
}

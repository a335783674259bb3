//! [`AirBuilder`]: what gadgets use at compile time to allocate columns and emit constraints,
//! assertions and bus terms, and the final assembly of an [`AirProgram`].

use std::collections::BTreeMap;

use crate::expr::{Expr, ExprArena, ExprId};
use crate::gadgets::Gadget;
use crate::program::{
    AirProgram, AssertValue, Assertion, BusTerm, Column, Constraint, Direction, Globals, Loc,
    PeriodicColumn, PublicKind, PublicSlot, Segment, TensorInfo,
};

/// Winterfell's limit on main plus auxiliary columns.
pub const MAX_TRACE_WIDTH: usize = 254;
/// The longest trace zkmc builds (2^24 rows).
pub const MAX_TRACE_LEN: usize = 1 << 24;
/// A row number standing for the trace's last row until the length is known.
pub const LAST_ROW: usize = u32::MAX as usize;
/// Tensor ids are shifted by this many bits in bus tags, leaving room for the element index.
pub const TAG_SHIFT: u32 = 32;

/// Why a program could not be assembled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// More than [`MAX_TRACE_WIDTH`] columns.
    TooWide {
        /// Columns needed.
        columns: usize,
    },
    /// More than [`MAX_TRACE_LEN`] rows.
    TooLong {
        /// Rows needed.
        rows: usize,
    },
}

pub use crate::program::TensorId;

/// Builds an [`AirProgram`] gadget by gadget.
#[derive(Debug)]
pub struct AirBuilder {
    prog: AirProgram,
    selectors: BTreeMap<u32, u16>,
    max_rows: usize,
    /// The shortest trace the gadgets allow (a power of two; 8 unless one asks for more).
    min_trace_len: usize,
    random_rows: Option<u32>,
    gadget: u32,
    loc: Loc,
    model: Loc,
    pub(crate) stack: Option<crate::stack::Stack>,
    /// The auxiliary column `γ^row` every product check shares, once one asked for it.
    pub(crate) gamma_powers: Option<u16>,
    /// The shared columns of public products (`gadgets/product_bank.rs`).
    pub(crate) banks: crate::gadgets::ProductBanks,
}

impl AirBuilder {
    /// Starts a program named `name`; `loc` is the model's location (for global columns).
    pub fn new(name: &str, files: Vec<String>, loc: Loc) -> Self {
        let prog = AirProgram {
            name: name.to_owned(),
            files,
            trace_len: 0,
            main_columns: vec![],
            aux_columns: vec![],
            num_rand: 3,
            periodic: vec![],
            exprs: ExprArena::default(),
            constraints: vec![],
            assertions: vec![],
            bus: vec![],
            public_bus: vec![],
            tensors: vec![],
            decls: vec![],
            public: vec![],
            public_len: 0,
            gadgets: vec![],
            globals: Globals::default(),
            bus_columns: vec![],
            zk: None,
            placements: vec![],
            aliases: vec![],
        };
        let selectors = BTreeMap::new();
        let mut b = AirBuilder {
            prog,
            selectors,
            max_rows: 1,
            min_trace_len: 8,
            random_rows: None,
            gadget: 0,
            loc,
            model: loc,
            stack: None,
            gamma_powers: None,
            banks: Default::default(),
        };
        b.add_row_counter();
        b
    }

    /// The expression arena, for building constraint expressions.
    pub fn e(&mut self) -> &mut ExprArena {
        &mut self.prog.exprs
    }

    /// Lowers one gadget: everything `lower` emits (columns, constraints, assertions, bus terms)
    /// is attributed to the gadget and to `loc`, and the gadget is recorded in witness-generation
    /// order. The only way gadgets enter a program.
    pub fn gadget<G: Into<Gadget>>(&mut self, loc: Loc, lower: impl FnOnce(&mut Self) -> G) {
        self.gadget = self.prog.gadgets.len() as u32;
        self.loc = loc;
        let g = lower(self).into();
        let offset = self.row_offset() as u32;
        self.prog.gadgets.push(g);
        self.prog.placements.push(offset);
    }

    /// Allocates a main column attributed to the current gadget's location.
    /// For a stacked gadget it is the next shared column of its shelf (`stack.rs`).
    pub fn main_col(&mut self, name: String, meaning: impl Into<String>) -> u16 {
        match self.place() {
            Some(place) => self.stacked_col(place, &name, &meaning.into()),
            None => self.own_col(name, meaning),
        }
    }

    /// A new main column of the current gadget's own.
    pub(crate) fn own_col(&mut self, name: String, meaning: impl Into<String>) -> u16 {
        let loc = self.loc;
        self.prog.main_columns.push(Column {
            name,
            meaning: meaning.into(),
            loc,
        });
        (self.prog.main_columns.len() - 1) as u16
    }

    /// The cell of main column `col` on the current row.
    pub fn cur(&mut self, col: u16) -> ExprId {
        self.prog.exprs.push(Expr::Main { col, next: false })
    }

    /// The cell of main column `col` on the next row.
    pub fn next(&mut self, col: u16) -> ExprId {
        self.prog.exprs.push(Expr::Main { col, next: true })
    }

    /// The index of the current row in the current gadget's region: the row counter, minus
    /// the region's first row for a stacked gadget.
    pub fn row(&mut self) -> ExprId {
        let col = self.prog.globals.row;
        let row = self.cur(col);
        match self.row_offset() {
            0 => row,
            o => {
                let o = self.e().constant(o as i128);
                self.e().sub(row, o)
            }
        }
    }

    /// The row counter column.
    pub fn row_col(&self) -> u16 {
        self.prog.globals.row
    }

    /// Information about tensor `t`.
    pub fn tensor_info(&self, t: TensorId) -> Option<&TensorInfo> {
        self.prog.tensors.get(t.index())
    }

    /// Makes the proof zero-knowledge: `random_rows` random rows end the trace, and the masks of
    /// `zk.rs` join the auxiliary segment.
    pub fn zero_knowledge(&mut self, random_rows: u32) {
        self.random_rows = Some(random_rows);
    }

    /// Notes that the program's trace needs at least `len` rows (a power of two), whatever rows
    /// its gadgets use.
    pub fn require_trace_len(&mut self, len: usize) {
        self.min_trace_len = self.min_trace_len.max(len);
    }

    /// Notes that the current gadget uses rows `0..rows`.
    pub fn use_rows(&mut self, rows: usize) {
        self.max_rows = self.max_rows.max(rows);
    }

    /// True when the selector of `len` rows exists already.
    pub fn has_selector(&self, len: usize) -> bool {
        u32::try_from(len).is_ok_and(|len| self.selectors.contains_key(&len))
    }

    /// The selector column that is 1 on rows `0..len` and 0 after (shared by equal lengths).
    pub fn selector(&mut self, len: usize) -> u16 {
        self.use_rows(len);
        let len = len as u32;
        if let Some(&c) = self.selectors.get(&len) {
            return c;
        }
        let col = self.unplaced(|b| b.new_selector(len));
        self.selectors.insert(len, col);
        col
    }

    /// The indicator of rows `from..to` (`from < to`): `sel_to − sel_from`, or `sel_to` when
    /// `from = 0` (degree 1 either way).
    pub fn rows_gate(&mut self, from: usize, to: usize) -> ExprId {
        let end = self.selector(to);
        let end = self.cur(end);
        if from == 0 {
            return end;
        }
        let start = self.selector(from);
        let start = self.cur(start);
        self.e().sub(end, start)
    }

    /// Emits a main-segment transition constraint `expr = 0`.
    pub fn constraint(&mut self, label: &str, expr: ExprId) {
        self.push_constraint(label, expr, Segment::Main, Some(self.gadget));
    }

    /// Pins main column `col` at `row` to a constant.
    pub fn assert_const(&mut self, col: u16, row: usize, v: i128, label: String) {
        let value = AssertValue::Const(crate::field::canonical(v));
        self.push_assertion(Segment::Main, col, row, value, label);
    }

    /// Pins main column `col` at `row` to public input element `index`.
    pub fn assert_public(&mut self, col: u16, row: usize, index: usize, label: String) {
        self.push_assertion(
            Segment::Main,
            col,
            row,
            AssertValue::Public(index as u32),
            label,
        );
    }

    /// Adds a send (`Direction::Send`) or receive term to the bus.
    pub fn bus(
        &mut self,
        direction: Direction,
        mult: ExprId,
        tag: ExprId,
        value: ExprId,
        label: String,
    ) {
        let (gadget, loc) = (self.gadget, self.loc);
        self.prog.bus.push(BusTerm {
            direction,
            mult,
            tag,
            value,
            label,
            gadget,
            loc,
        });
        let term = (self.prog.bus.len() - 1) as u32;
        self.note_gated_term(term, mult);
    }

    /// Records a declared input, parameter or output.
    pub fn decl(&mut self, d: crate::program::DeclInfo) {
        self.prog.decls.push(d);
    }

    /// Lets the verifier send (or receive) every element of tensor `t` from the public values
    /// starting at `offset`, once per read (once for a receive).
    pub fn public_bus(&mut self, direction: Direction, t: TensorId, offset: usize, label: String) {
        let info = self.tensor_info(t);
        let len = info.map_or(0, |i| i.len()) as u32;
        let reads = match direction {
            Direction::Send => info.map_or(0, |i| i.reads),
            Direction::Receive => 1,
        };
        let (tensor, offset, loc) = (t, offset as u32, self.loc);
        let term = crate::program::PublicBusTerm {
            direction,
            tensor,
            offset,
            len,
            reads,
            label,
            loc,
        };
        self.prog.public_bus.push(term);
    }

    /// Registers a tensor and returns its id.
    pub fn tensor(&mut self, info: TensorInfo) -> TensorId {
        self.prog.tensors.push(info);
        TensorId::from_index(self.prog.tensors.len() - 1)
    }

    /// Adds `n` more reads per element to tensor `t`.
    pub fn add_reads(&mut self, t: TensorId, n: u32) {
        if let Some(info) = self.prog.tensors.get_mut(t.index()) {
            info.reads += n;
        }
    }

    /// The bus tag of element `index` of tensor `t`: `t·2^32 + index`.
    pub fn tag(&mut self, t: TensorId, index: ExprId) -> ExprId {
        let base = self.prog.exprs.constant(t.tag_base() as i128);
        self.prog.exprs.add(base, index)
    }

    /// Reserves a range of the public input vector and returns its offset.
    pub fn public_slot(&mut self, mut slot: PublicSlot) -> usize {
        slot.offset = self.prog.public_len as u32;
        self.prog.public_len += slot.len as usize;
        self.prog.public.push(slot);
        self.prog.public_len - self.prog.public.last().map_or(0, |s| s.len as usize)
    }

    /// The offset of the first public slot of kind `kind` named `name`.
    pub fn find_public(&self, name: &str, kind: PublicKind) -> Option<usize> {
        let slot = self
            .prog
            .public
            .iter()
            .find(|s| s.name == name && s.kind == kind)?;
        Some(slot.offset as usize)
    }

    /// The 8-bit range table, created on first use.
    pub fn range8(&mut self) -> crate::program::Range8 {
        if let Some(t) = self.prog.globals.range8 {
            return t;
        }
        let t = self.unplaced(|b| b.new_range8());
        self.prog.globals.range8 = Some(t);
        t
    }

    pub(crate) fn push_constraint(
        &mut self,
        label: &str,
        expr: ExprId,
        seg: Segment,
        g: Option<u32>,
    ) {
        let c = Constraint {
            expr,
            segment: seg,
            degree: Default::default(),
            label: label.to_owned(),
            gadget: g,
            loc: self.loc,
        };
        self.prog.constraints.push(c);
    }

    pub(crate) fn push_assertion(
        &mut self,
        seg: Segment,
        col: u16,
        row: usize,
        value: AssertValue,
        label: String,
    ) {
        let loc = self.loc;
        let a = Assertion {
            segment: seg,
            column: col,
            row: row as u32,
            value,
            label,
            loc,
        };
        self.prog.assertions.push(a);
    }

    pub(crate) fn push_periodic(&mut self, name: &str, values: Vec<u64>) -> u16 {
        self.prog.periodic.push(PeriodicColumn {
            name: name.to_owned(),
            values,
        });
        (self.prog.periodic.len() - 1) as u16
    }

    pub(crate) fn set_loc(&mut self, loc: Loc) {
        self.loc = loc;
    }

    /// The model's location (for global columns and model-wide gadgets).
    pub fn model_loc(&self) -> Loc {
        self.model
    }

    pub(crate) fn current_loc(&self) -> Loc {
        self.loc
    }

    pub(crate) fn current_gadget(&self) -> u32 {
        self.gadget
    }

    pub(crate) fn prog_ref(&self) -> &AirProgram {
        &self.prog
    }

    pub(crate) fn prog_mut(&mut self) -> &mut AirProgram {
        &mut self.prog
    }

    /// Finishes the program: sizes the trace, lays out the LogUp columns and computes degrees.
    ///
    /// # Errors
    /// When the trace would be wider or longer than the prover allows.
    pub fn finish(mut self) -> Result<AirProgram, LayoutError> {
        let mut rows = self.max_rows;
        if self.prog.globals.range8.is_some() {
            // The table lies on rows 0..128, all summed: before the dead row.
            rows = rows.max(crate::range::TABLE_ROWS);
        }
        let random = self.random_rows.unwrap_or(0) as usize;
        let mut n = (rows + 1 + random)
            .next_power_of_two()
            .max(self.min_trace_len);
        if self.random_rows.is_some() {
            n = n.max(crate::zk::MIN_ZK_TRACE_LEN);
        }
        if n > MAX_TRACE_LEN {
            return Err(LayoutError::TooLong { rows: n });
        }
        self.prog.trace_len = n;
        crate::logup::lay_out(&mut self);
        if let Some(r) = self.random_rows {
            self.add_zk_masks(r);
        }
        let last = (n - 1 - random) as u32;
        // A last-row assertion that repeats one already made on that row is dropped.
        let cell = |a: &Assertion| (a.segment == Segment::Main, a.column, a.value);
        let pinned: Vec<_> = (self.prog.assertions.iter())
            .filter(|a| a.row == last)
            .map(cell)
            .collect();
        (self.prog.assertions).retain(|a| a.row != LAST_ROW as u32 || !pinned.contains(&cell(a)));
        for a in &mut self.prog.assertions {
            if a.row == LAST_ROW as u32 {
                a.row = last;
            }
        }
        let width = self.prog.width();
        if width > MAX_TRACE_WIDTH {
            return Err(LayoutError::TooWide { columns: width });
        }
        let degrees = self.prog.exprs.degrees(n, &self.prog.periods());
        for c in &mut self.prog.constraints {
            c.degree = degrees[c.expr as usize].clone();
        }
        self.prog
            .constraints
            .sort_by_key(|c| c.segment == Segment::Aux);
        Ok(self.prog)
    }
}

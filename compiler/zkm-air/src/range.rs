//! Range checks through the 8-bit lookup table: constraints and witness together.
//!
//! The table is sent in two halves on rows `0..128`: the periodic column `range8` (value
//! `row mod 128`) and `range8_hi` (value `128 + row mod 128`), each with a multiplicity column;
//! each *sends* its entry `mult` times on the bus with tag 0. Keeping the table in 128 rows keeps
//! it clear of the dead row and the zero-knowledge random rows of a 256-row trace. A range check of
//! `d ∈ [0, 2^bits)` splits `d` into `L = ⌈bits/8⌉` limb columns, each *received* from the table,
//! and when `bits` is not a multiple of 8 the top limb is also received scaled by
//! `2^(8L − bits)`, which proves it is below `2^(bits − 8(L−1))`. A check of at most 8 bits on an
//! affine value (a column plus a constant, as for a weight lane or an input) needs no limb: the
//! value itself is received, so it costs one lookup and no main column.

use serde::{Deserialize, Serialize};

use crate::builder::AirBuilder;
use crate::expr::ExprId;
use crate::field::Felt;
use crate::program::Direction;
use crate::witness::Witness;

/// Rows the 8-bit table occupies: `0..128`, two entries per row.
pub const TABLE_ROWS: usize = 128;

/// The limb columns of one range check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeCheck {
    /// Limb columns, least significant first.
    pub limbs: Vec<u16>,
    /// The checked width in bits.
    pub bits: u32,
}

impl AirBuilder {
    /// Proves `value ∈ [0, 2^bits)` on rows where `gate` is 1.
    ///
    /// An affine `value` of at most 8 bits is looked up directly (no limb columns). Otherwise it
    /// emits `gate·(value − Σ limb_i·256^i) = 0` (degree 1 + deg(value)) and one lookup per limb.
    pub fn range_check(
        &mut self,
        name: &str,
        value: ExprId,
        bits: u32,
        gate: ExprId,
    ) -> RangeCheck {
        if bits <= 8 && self.e().is_affine(value) {
            // The value itself is received: no limb column and no constraint, and the lookup
            // keeps degree 1, so it shares a helper column with others.
            self.lookup_piece(name, value, bits, gate);
            let limbs = Vec::new();
            return RangeCheck { limbs, bits };
        }
        let n_limbs = bits.div_ceil(8).max(1);
        let mut limbs = Vec::with_capacity(n_limbs as usize);
        let mut parts = Vec::with_capacity(n_limbs as usize);
        for i in 0..n_limbs {
            let col = self.main_col(
                format!("{name}.limb{i}"),
                format!("8-bit limb {i} of {name}"),
            );
            let cell = self.cur(col);
            parts.push(self.e().scale(1i128 << (8 * i), cell));
            let piece_bits = (bits - 8 * i).min(8);
            self.lookup_piece(&format!("{name}.limb{i}"), cell, piece_bits, gate);
            limbs.push(col);
        }
        let sum = self.e().sum(&parts);
        let diff = self.e().sub(value, sum);
        let gated = self.e().mul(gate, diff);
        self.constraint(&format!("{name}.limbs"), gated);
        RangeCheck { limbs, bits }
    }

    /// Receives `piece` (claimed in `[0, 2^bits)`, `bits ≤ 8`) from the table, and below 8 bits
    /// `piece·2^(8 − bits)` too, which bounds it by `2^bits`.
    fn lookup_piece(&mut self, name: &str, piece: ExprId, bits: u32, gate: ExprId) {
        self.lookup8(gate, piece, format!("{name} in [0, 256)"));
        if bits < 8 {
            let shifted = self.e().scale(1i128 << (8 - bits), piece);
            self.lookup8(gate, shifted, format!("{name} < 2^{bits}"));
        }
    }

    fn lookup8(&mut self, gate: ExprId, value: ExprId, label: String) {
        let _ = self.range8();
        let tag = self.e().constant(0);
        self.bus(Direction::Receive, gate, tag, value, label);
    }

    /// Creates the table: the periodic halves `range8` and `range8_hi` and their multiplicity
    /// columns, which send every entry `mult` times (the multiplicity is the prover's count of
    /// lookups of that entry).
    pub(crate) fn new_range8(&mut self) -> crate::program::Range8 {
        let (periodic, mult) = self.table_send("range8", 0);
        let (periodic_hi, mult_hi) = self.table_send("range8_hi", TABLE_ROWS as u64);
        crate::program::Range8 {
            periodic,
            mult,
            periodic_hi,
            mult_hi,
        }
    }

    /// One half of the table: periodic values `shift + row mod 128`, sent `mult` times.
    fn table_send(&mut self, name: &str, shift: u64) -> (u16, u16) {
        let values = (0..TABLE_ROWS as u64).map(|r| r + shift).collect();
        let periodic = self.push_periodic(name, values);
        let mult = self.main_col(format!("{name}.mult"), "lookups of this row's table value");
        let m = self.cur(mult);
        let v = self.e().push(crate::expr::Expr::Periodic(periodic));
        let tag = self.e().constant(0);
        self.bus(Direction::Send, m, tag, v, format!("{name} table entry"));
        (periodic, mult)
    }
}

impl RangeCheck {
    /// Writes the limbs of `value` (which must lie in `[0, 2^bits)` for an honest trace; other
    /// values are written truncated so that the checker reports the failing constraint).
    pub fn fill(&self, w: &mut Witness<'_>, row: usize, value: i128) {
        let v = if value < 0 { 0 } else { value as u128 };
        for (i, &col) in self.limbs.iter().enumerate() {
            let limb = (v >> (8 * i)) & 0xff;
            w.set(col, row, Felt::new(limb as u64));
        }
    }
}

/// Counts table lookups and fills the multiplicity column (run after every gadget).
pub(crate) fn fill_table(w: &mut Witness<'_>) {
    let Some(table) = w.program.globals.range8 else {
        return;
    };
    let mut counts = [0u64; 256];
    let bus = &w.program.bus;
    w.for_each_bus_value(|_, ti, mult, tag, value| {
        if bus[ti].direction == Direction::Receive && tag == Felt::new(0) {
            let v = value.as_int();
            if v < 256 {
                counts[v as usize] += mult.as_int();
            }
        }
    });
    for i in 0..TABLE_ROWS {
        w.set(table.mult, i, Felt::new(counts[i]));
        w.set(table.mult_hi, i, Felt::new(counts[TABLE_ROWS + i]));
    }
}

//! Activations by lookup table: `y = round(f(x)·2^Fy)` for every input code `x` in `[lo, hi]`
//! (`sigmoid`, `tanh`, `gelu`, `exp`; the registry is [`TABLE_FNS`]).
//!
//! The table has `T = 2^⌈log2(hi − lo + 1)⌉` rows (at most [`MAX_TABLE_ROWS`]); row `r` holds
//! entry `x = lo + r` in the periodic column `TY` (`f`'s output code, fixed at compile time and
//! evaluated by the verifier). Columns: `IN` (row `i` receives `x[i]`), `OUT` (row `i` holds and
//! sends `y[i]`), `M` (row `r < T`: how many elements look entry `r` up, the prover's count).
//! Bus terms, on a tag space of the gadget's own (`tab`):
//! - rows `i < len` receive `(tab + IN − lo, OUT)` once: the pair must be a table entry;
//! - rows `r < T` send `(tab + r, TY)` `M` times (gate `s_T`).
//!
//! No other constraint: the LogUp sum balances only if every `(IN, OUT)` pair is an entry. Past
//! `hi − lo` the table repeats `f(hi)`'s neighbours of the periodic column, which no honest
//! element looks up (their multiplicity is 0).

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::Expr;
use crate::field::Felt;
use crate::program::{Direction, TensorInfo};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};

/// The most rows a function table may have.
pub const MAX_TABLE_ROWS: usize = 1 << 12;

/// A function offered as a table builtin.
#[derive(Clone, Copy, Debug)]
pub struct TableFnDef {
    /// The builtin's name.
    pub name: &'static str,
    /// The real function.
    pub f: fn(f64) -> f64,
    /// A bound on `|f'|` over inputs up to `hi` (for the input-rounding error).
    pub slope: fn(f64) -> f64,
}

/// Every table function, in the order the compiler lists them.
pub const TABLE_FNS: &[TableFnDef] = &[
    TableFnDef {
        name: "sigmoid",
        f: |x| 1.0 / (1.0 + (-x).exp()),
        slope: |_| 0.25,
    },
    TableFnDef {
        name: "tanh",
        f: f64::tanh,
        slope: |_| 1.0,
    },
    TableFnDef {
        name: "gelu",
        f: |x| 0.5 * x * (1.0 + libm::erf(x / std::f64::consts::SQRT_2)),
        slope: |_| 1.13,
    },
    TableFnDef {
        name: "exp",
        f: f64::exp,
        slope: |hi| hi.exp(),
    },
];

/// One table lookup gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFn {
    /// Index into [`TABLE_FNS`].
    pub function: u8,
    /// The input tensor and the output tensor.
    pub io: [TensorId; 2],
    /// The table's own tag space (a tensor holding the table's outputs).
    pub table: TensorId,
    /// The smallest input code (entry 0).
    pub lo: i64,
    /// Entries `hi − lo + 1` (the periodic column `TY` holds their output codes).
    pub len: usize,
    /// Main columns `IN`, `OUT`, `M`.
    pub main: [u16; 3],
    /// Periodic column `TY`.
    pub ty: u16,
}

/// What the compiler decides about one table.
#[derive(Clone, Debug)]
pub struct TableSpec {
    /// Index into [`TABLE_FNS`].
    pub function: u8,
    /// Input codes `[lo, hi]` and their fractional bits.
    pub input: (i64, i64, u32),
    /// Output fractional bits.
    pub out_frac: u32,
}

impl TableSpec {
    /// The output codes `round_half_up(f(x / 2^Fx)·2^Fy)` for `x = lo ..= hi`.
    pub fn entries(&self) -> Vec<i64> {
        let def = &TABLE_FNS[self.function as usize];
        let (lo, hi, fx) = self.input;
        let (sx, sy) = (2f64.powi(-(fx as i32)), 2f64.powi(self.out_frac as i32));
        (lo..=hi)
            .map(|x| ((def.f)(x as f64 * sx) * sy + 0.5).floor() as i64)
            .collect()
    }

    /// The largest `|f(x) − y|` over `entries` (this spec's [`Self::entries`]), in real units
    /// (output rounding only).
    pub fn worst_error(&self, entries: &[i64]) -> f64 {
        let def = &TABLE_FNS[self.function as usize];
        let (lo, _, fx) = self.input;
        let (sx, sy) = (2f64.powi(-(fx as i32)), 2f64.powi(-(self.out_frac as i32)));
        let errors = entries.iter().enumerate().map(|(r, &y)| {
            let x = (lo + r as i64) as f64 * sx;
            ((def.f)(x) - y as f64 * sy).abs()
        });
        errors.fold(0.0, f64::max)
    }
}

impl TableFn {
    /// Lowers `out = f(input)` by a table of every input code.
    pub fn lower(
        b: &mut AirBuilder,
        [input, out]: [TensorId; 2],
        spec: &TableSpec,
        name: &str,
    ) -> Self {
        let entries = spec.entries();
        let rows = entries.len().next_power_of_two().max(2);
        let mut values: Vec<u64> = entries
            .iter()
            .map(|&y| crate::field::canonical(y as i128))
            .collect();
        let last = values.last().copied().unwrap_or(0);
        values.resize(rows, last);
        let ty = b.push_periodic(&format!("{name}.table"), values);
        let error = spec.worst_error(&entries);
        let def = &TABLE_FNS[spec.function as usize];
        let col =
            |b: &mut AirBuilder, s: &str, what: String| b.main_col(format!("{name}.{s}"), what);
        let main = [
            col(b, "in", "input code x[i] on row i".into()),
            col(
                b,
                "out",
                format!("{}(x[i]) on row i (table error ≤ {error:.2e})", def.name),
            ),
            col(b, "mult", "lookups of this row's table entry".into()),
        ];
        let (lo, hi, _) = spec.input;
        let info = TensorInfo {
            name: format!("{name}_table"),
            shape: vec![rows],
            frac: spec.out_frac,
            range: (
                entries.iter().copied().min().unwrap_or(0),
                entries.iter().copied().max().unwrap_or(0),
            ),
            reads: 0,
            loc: b.current_loc(),
        };
        let table = b.tensor(info);
        let g = TableFn {
            function: spec.function,
            io: [input, out],
            table,
            lo,
            len: entries.len(),
            main,
            ty,
        };
        g.emit(b, rows, (lo, hi), name);
        g
    }

    fn emit(&self, b: &mut AirBuilder, rows: usize, (lo, _): (i64, i64), name: &str) {
        let [input, out] = self.io;
        let len = b.tensor_info(input).map_or(0, |t| t.len());
        let [in_col, out_col, m_col] = self.main;
        let (sel, sel_t) = (b.selector(len), b.selector(rows));
        let (s, st, row) = (b.cur(sel), b.cur(sel_t), b.row());
        let (x, y, m) = (b.cur(in_col), b.cur(out_col), b.cur(m_col));
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, x, s, format!("{name} reads {src}[i]"));
        b.send_tensor(out, row, y, s, format!("{name}[i]"));
        let offset = b.e().constant(-(lo as i128));
        let entry = b.e().add(x, offset);
        let def = TABLE_FNS[self.function as usize].name;
        b.recv_tensor(
            self.table,
            entry,
            y,
            s,
            format!("{name}: (x, y) is an entry of the {def} table"),
        );
        let ty = b.e().push(Expr::Periodic(self.ty));
        let gate = b.e().mul(st, m);
        let tag = b.tag(self.table, row);
        b.bus(
            Direction::Send,
            gate,
            tag,
            ty,
            format!("{name} table entry"),
        );
    }

    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let [input, out] = self.io;
        let x = w.tensor(input).to_vec();
        let [in_col, out_col, m_col] = self.main;
        let table = &w.program.periodic[self.ty as usize].values;
        let entries: Vec<i128> = table[..self.len]
            .iter()
            .map(|&v| crate::field::signed(Felt::new(v)))
            .collect();
        let mut counts = vec![0u64; self.len];
        let mut y = Vec::with_capacity(x.len());
        for (i, &v) in x.iter().enumerate() {
            // An input outside the table (only in a dishonest witness) is clamped, so the checker
            // reports the failing lookup.
            let r = (v - self.lo as i128).clamp(0, self.len as i128 - 1) as usize;
            counts[r] += 1;
            w.set_int(in_col, i, v);
            w.set_int(out_col, i, entries[r]);
            y.push(entries[r]);
        }
        for (r, &c) in counts.iter().enumerate() {
            w.set(m_col, r, Felt::new(c));
        }
        w.set_tensor(out, y);
        Ok(())
    }
}

impl GadgetOp for TableFn {
    fn op(&self) -> &'static str {
        TABLE_FNS
            .get(self.function as usize)
            .map_or("table", |d| d.name)
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn columns(&self) -> Vec<Owned> {
        let roles = ["in", "out", "mult"];
        self.main
            .iter()
            .zip(roles)
            .map(|(&c, r)| Owned::main(c, r))
            .collect()
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.io[0], self.io[1], self.table]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's worst-case error against the float function is at most half an output
    /// unit, and `gelu` matches known values.
    #[test]
    fn tables_are_within_half_an_output_unit() {
        for (k, def) in TABLE_FNS.iter().enumerate() {
            let spec = TableSpec {
                function: k as u8,
                input: (-128, 127, 4),
                out_frac: if def.name == "exp" { 8 } else { 14 },
            };
            let half_unit = 2f64.powi(-(spec.out_frac as i32 + 1));
            let entries = spec.entries();
            let err = spec.worst_error(&entries);
            assert!(err <= half_unit + 1e-12, "{}: {err}", def.name);
            assert_eq!(entries.len(), 256);
        }
        // gelu against x·Φ(x) from an independent erf (Python's math.erf).
        let gelu = TABLE_FNS.iter().find(|d| d.name == "gelu").expect("gelu");
        for (x, y) in [
            (1.0, 0.841_344_746_068_542_9),
            (-0.5, -0.154_268_769_362_993_4),
        ] {
            assert!(((gelu.f)(x) - y).abs() < 1e-12, "gelu({x})");
        }
    }
}

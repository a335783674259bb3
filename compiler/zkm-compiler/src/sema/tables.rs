//! Activations by lookup table (`sigmoid`, `tanh`, `gelu`, `exp`; `zkm_air::gadgets::TABLE_FNS`):
//! the table size, the input rounding that fits it, the output scale and the range rule; and
//! `softmax`, built from a maximum, the `exp` table, a sum and a division (`spec/semantics.md`).

use zkm_air::gadgets::{ConvGeometry, TableSpec, MAX_TABLE_ROWS, TABLE_FNS, UNARY_OPS};
use zkm_air::NumType;
use zkm_diagnostics::Span;

use super::builtins::Evaluated;
use super::errors;
use super::eval::{Eval, Value};
use super::range;
use crate::ir::{Interval, Op};

/// Output fractional bits of the bounded functions (`sigmoid`, `tanh`, and `exp` up to 1).
const OUT_FRAC: u32 = 14;

/// Entries of `softmax`'s `exp` table: its input spans at most 16 units (`exp_floor`), so 2048
/// entries keep 7 fractional bits, and the table with the zero-knowledge rows fits 4096 rows.
const SOFTMAX_ROWS: usize = 2048;

impl Eval<'_, '_> {
    /// `f(x)` for table function `k`: the input is first rescaled (rounding half up) to the
    /// fewest dropped fractional bits whose codes fit [`MAX_TABLE_ROWS`] entries.
    pub(crate) fn table_fn(&mut self, k: u8, arg: Evaluated, span: Span) -> Value {
        self.table_within(k, arg, span, MAX_TABLE_ROWS)
    }

    /// [`Self::table_fn`] with a table of at most `max_rows` entries.
    fn table_within(
        &mut self,
        k: u8,
        (id, n, at): Evaluated,
        span: Span,
        max_rows: usize,
    ) -> Value {
        let name = TABLE_FNS[k as usize].name;
        let spread = |r: Interval| (r.hi - r.lo + 1) as u128;
        let mut shift = 0u32;
        let mut r = n.range;
        while spread(r) > max_rows as u128 {
            shift += 1;
            match range::rescale(n.range, shift as i32) {
                Some(reduced) => r = reduced,
                None => break,
            }
        }
        if spread(r) > max_rows as u128 || shift > n.frac {
            return self.fail(errors::table_input(name, n.range, n.frac, at));
        }
        let (input, frac) = match shift {
            0 => (id, n.frac),
            _ => {
                let ty = NumType {
                    bits: range::bits_needed(r),
                    frac: n.frac - shift,
                };
                let op = Op::Rescale {
                    arg: id,
                    ty,
                    clamp: false,
                };
                let Value::Node(rescaled) = self.push(op, n.shape.clone(), ty.frac, Some(r), at)
                else {
                    return Value::Poison;
                };
                (rescaled, ty.frac)
            }
        };
        let Some(out_frac) = out_frac(name, r, frac) else {
            return self.fail(errors::table_output(name, r, frac, span));
        };
        let spec = TableSpec {
            function: k,
            input: (r.lo as i64, r.hi as i64, frac),
            out_frac,
        };
        let entries = spec.entries();
        let lo = entries.iter().copied().min().unwrap_or(0) as i128;
        let hi = entries.iter().copied().max().unwrap_or(0) as i128;
        let op = Op::Table {
            function: k,
            arg: input,
            out_frac,
        };
        self.push(op, n.shape, out_frac, Some(Interval { lo, hi }), span)
    }
}

/// The output's fractional bits: 14 for `sigmoid` and `tanh` (codes within ±2^14), the input's
/// for `gelu` (≈ x for large x), and for `exp` 14 less the bits `e^hi` needs above 1 (`None`
/// when even 0 fractional bits would not fit 16 bits).
fn out_frac(name: &str, r: Interval, frac: u32) -> Option<u32> {
    match name {
        "gelu" => Some(frac),
        "exp" => {
            let hi = r.hi as f64 / 2f64.powi(frac as i32);
            let above = (hi / std::f64::consts::LN_2).ceil().max(0.0) as u32;
            OUT_FRAC.checked_sub(above)
        }
        _ => Some(OUT_FRAC),
    }
}

impl Eval<'_, '_> {
    /// `softmax(x)` of a vector `[n]`: `m = max(x)` (a max pool with one `1 × n` window),
    /// `e = exp(x − m)` (codes at 14 fractional bits, at most `2^14`), `s = Σ e ≥ 2^14`, and
    /// `y = round_half_up(e·2^14 / s)` at 14 fractional bits.
    pub(crate) fn softmax(&mut self, (id, n, at): Evaluated, span: Span) -> Value {
        if n.shape.len() != 1 || n.is_empty() {
            return self.fail(errors::softmax_rank(&n.shape, at));
        }
        let len = n.len();
        let Some(flat) = self.node_value(Op::Reshape(id), vec![1, 1, len], n.frac, n.range, span)
        else {
            return Value::Poison;
        };
        let geometry = ConvGeometry {
            in_channels: 1,
            input: [1, len],
            out_channels: 1,
            kernel: [1, len],
            stride: len,
            padding: 0,
            pool: true,
        };
        let pooled = Op::MaxPool2d { x: flat, geometry };
        let Some(m3) = self.node_value(pooled, vec![1, 1, 1], n.frac, n.range, span) else {
            return Value::Poison;
        };
        let Some(m) = self.node_value(Op::Reshape(m3), vec![], n.frac, n.range, span) else {
            return Value::Poison;
        };
        let centred = Interval {
            lo: n.range.lo - n.range.hi,
            hi: 0,
        };
        let Some(d) = self.node_value(Op::Sub(id, m), n.shape.clone(), n.frac, centred, span)
        else {
            return Value::Poison;
        };
        let Some(d) = self.exp_floor(d, n.frac, centred, span) else {
            return Value::Poison;
        };
        let Some(d_node) = self.node(d) else {
            return Value::Poison;
        };
        let exp = TABLE_FNS.iter().position(|f| f.name == "exp").unwrap_or(0) as u8;
        let Value::Node(e) = self.table_within(exp, (d, d_node, at), span, SOFTMAX_ROWS) else {
            return Value::Poison;
        };
        let Some(e_node) = self.node(e) else {
            return Value::Poison;
        };
        let sum = range::sum(e_node.range, len).unwrap_or(e_node.range);
        let Some(s) = self.node_value(Op::Sum(e), vec![], e_node.frac, sum, span) else {
            return Value::Poison;
        };
        let op = Op::DivScalar {
            num: e,
            den: s,
            shift: OUT_FRAC,
        };
        let unit = Interval {
            lo: 0,
            hi: 1 << OUT_FRAC,
        };
        self.push(op, n.shape, OUT_FRAC, Some(unit), span)
    }

    /// `max(d, −16 + 2^−F)` for `d ≤ 0` at `F` fractional bits, as `relu(d + c) − c` with
    /// `c = 16·2^F − 1` (only when `d` can go lower): `round(e^d·2^14) = 0` for every `d` below it,
    /// so `exp`'s table needs only `16·2^F` entries, whatever the spread of the logits.
    fn exp_floor(&mut self, d: usize, frac: u32, r: Interval, span: Span) -> Option<usize> {
        let c = (16i128 << frac) - 1;
        if r.lo >= -c {
            return Some(d);
        }
        let constant = |q: i128| (Op::Const(q), Interval { lo: q, hi: q });
        let (up, up_range) = constant(c);
        let up = self.node_value(up, vec![], frac, up_range, span)?;
        let shape = self.node(d)?.shape.clone();
        let lifted = Interval {
            lo: r.lo + c,
            hi: c,
        };
        let a = self.node_value(Op::Add(d, up), shape.clone(), frac, lifted, span)?;
        let relu = UNARY_OPS.iter().position(|u| u.name == "relu").unwrap_or(0) as u8;
        let floored = Interval { lo: 0, hi: c };
        let z = self.node_value(Op::Unary(relu, a), shape.clone(), frac, floored, span)?;
        let back = Interval { lo: -c, hi: 0 };
        self.node_value(Op::Sub(z, up), shape, frac, back, span)
    }

    /// Pushes a node and returns its id (`None` after a reported failure).
    fn node_value(
        &mut self,
        op: Op,
        shape: Vec<usize>,
        frac: u32,
        r: Interval,
        span: Span,
    ) -> Option<crate::ir::NodeId> {
        match self.push(op, shape, frac, Some(r), span) {
            Value::Node(id) => Some(id),
            _ => None,
        }
    }
}

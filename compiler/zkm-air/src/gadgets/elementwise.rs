//! Elementwise `a + b`, `a − b`, `a · b` and `−a`, where an operand is a tensor of the output's
//! shape, a tensor with one element (broadcast), or a constant.
//!
//! On row `i < len`: receive `a[i]` (or `a[0]`) into column `a`, likewise `b`, send `out[i]`, and
//! `s·(out − f(a, b)) = 0` — degree 2 for `+`/`−`, 3 for `·`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::expr::ExprId;
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};

/// The operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EwOp {
    /// `a + b`
    Add,
    /// `a − b`
    Sub,
    /// `a · b`
    Mul,
    /// `−a` (`b` is ignored)
    Neg,
}

/// An elementwise operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operand {
    /// A tensor with the output's element count, read at the same index.
    Tensor(TensorId),
    /// A one-element tensor, broadcast to every row.
    Broadcast(TensorId),
    /// An integer constant.
    Const(i64),
}

/// Columns of an elementwise gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Elementwise {
    /// The operation.
    pub op: EwOp,
    /// Operands.
    pub a: Operand,
    /// Second operand (a zero constant for `Neg`).
    pub b: Operand,
    /// Columns holding the received operands (`None` for constants).
    pub cols: [Option<u16>; 2],
    /// The output column.
    pub out_col: u16,
    /// The output tensor.
    pub out: TensorId,
    /// Element count.
    pub len: usize,
}

impl Elementwise {
    /// Lowers `out = op(a, b)`.
    pub fn lower(
        b: &mut AirBuilder,
        op: EwOp,
        operands: [Operand; 2],
        out: TensorId,
        name: &str,
    ) -> Self {
        let len = b.tensor_info(out).map_or(0, |t| t.len());
        let s = b.gate(len);
        let mut cols = [None, None];
        let mut vals = [0; 2];
        for (k, operand) in operands.iter().enumerate() {
            let (col, val) = operand_expr(b, *operand, s, &format!("{name}.{}", ["a", "b"][k]));
            cols[k] = col;
            vals[k] = val;
        }
        let out_col = b.main_col(format!("{name}.out"), format!("{name}[i] on row i"));
        let (o, row) = (b.cur(out_col), b.row());
        b.send_tensor(out, row, o, s, format!("{name}[i]"));
        let f = match op {
            EwOp::Add => b.e().add(vals[0], vals[1]),
            EwOp::Sub => b.e().sub(vals[0], vals[1]),
            EwOp::Mul => b.e().mul(vals[0], vals[1]),
            EwOp::Neg => b.e().push(crate::expr::Expr::Neg(vals[0])),
        };
        let diff = b.e().sub(o, f);
        let c = b.gated(s, diff);
        b.constraint(&format!("{name}.{}", op_label(op)), c);
        let [a, bb] = operands;
        Elementwise {
            op,
            a,
            b: bb,
            cols,
            out_col,
            out,
            len,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let mut out = Vec::with_capacity(self.len);
        for i in 0..self.len {
            let a = operand_value(w, self.a, i);
            let b = operand_value(w, self.b, i);
            for (col, v) in self.cols.iter().zip([a, b]) {
                if let Some(c) = col {
                    w.set_int(*c, i, v);
                }
            }
            let v = apply(self.op, a, b);
            w.set_int(self.out_col, i, v);
            out.push(v);
        }
        w.set_tensor(self.out, out);
    }
}

/// The exact integer result.
pub(crate) fn apply(op: EwOp, a: i128, b: i128) -> i128 {
    match op {
        EwOp::Add => a + b,
        EwOp::Sub => a - b,
        EwOp::Mul => a * b,
        EwOp::Neg => -a,
    }
}

fn op_label(op: EwOp) -> &'static str {
    match op {
        EwOp::Add => "add",
        EwOp::Sub => "sub",
        EwOp::Mul => "mul",
        EwOp::Neg => "neg",
    }
}

fn operand_expr(b: &mut AirBuilder, op: Operand, s: ExprId, name: &str) -> (Option<u16>, ExprId) {
    let (t, index) = match op {
        Operand::Const(c) => return (None, b.e().constant(c as i128)),
        Operand::Tensor(t) => (t, b.row()),
        Operand::Broadcast(t) => (t, b.e().constant(0)),
    };
    let src = b.tensor_name(t);
    let col = b.main_col(name.to_owned(), format!("operand {src}"));
    let v = b.cur(col);
    b.recv_tensor(t, index, v, s, format!("{name} reads {src}"));
    (Some(col), v)
}

fn operand_value(w: &Witness<'_>, op: Operand, i: usize) -> i128 {
    match op {
        Operand::Const(c) => c as i128,
        Operand::Tensor(t) => w.tensor(t)[i],
        Operand::Broadcast(t) => w.tensor(t)[0],
    }
}

impl GadgetOp for Elementwise {
    fn op(&self) -> &'static str {
        "elementwise"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        let operands = self.cols.iter().zip(["a", "b"]);
        let mut cols: Vec<Owned> = operands
            .filter_map(|(c, role)| c.map(|c| Owned::main(c, role)))
            .collect();
        cols.push(Owned::main(self.out_col, "out"));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        let operand = |o: Operand| match o {
            Operand::Tensor(t) | Operand::Broadcast(t) => Some(t),
            Operand::Const(_) => None,
        };
        let mut out: Vec<TensorId> = [self.a, self.b].into_iter().filter_map(operand).collect();
        out.push(self.out);
        out
    }
}

//! The arithmetic operators `+ - * @` and unary `-`: literal scaling, shape, scale and range
//! rules.
//!
//! A literal next to a tensor in `+`/`-` takes the tensor's fractional bits; in `*`/`@` it
//! takes the smallest fractional bits that represent it exactly. Two literals fold exactly.

use zkm_diagnostics::Span;
use zkm_syntax::ast::BinOp;

use super::errors::{self, LitScale, Operand};
use super::eval::{Eval, Value};
use super::literal::Lit;
use super::range;
use super::types::{self, MatMulError};
use crate::ir::{Node, NodeId, Op};

/// The most fractional bits a value may carry (a product's scales add).
pub(crate) const MAX_VALUE_FRAC: u32 = 62;

impl Eval<'_, '_> {
    /// `-v`.
    pub(crate) fn neg(&mut self, v: Value, span: Span) -> Value {
        match v {
            Value::Poison => Value::Poison,
            Value::Lit(lit) => match lit.neg(span) {
                Ok(l) => Value::Lit(l),
                Err(e) => self.fail(errors::bad_literal(lit, e, LitScale::Free)),
            },
            Value::Node(id) => {
                let Some(n) = self.node(id) else {
                    return Value::Poison;
                };
                self.push(Op::Neg(id), n.shape, n.frac, range::neg(n.range), span)
            }
        }
    }

    /// `a op b`, each operand with the span of its expression.
    pub(crate) fn binary(
        &mut self,
        op: BinOp,
        a: (Value, Span),
        b: (Value, Span),
        span: Span,
    ) -> Value {
        match (a.0, b.0) {
            (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
            (Value::Lit(x), Value::Lit(y)) if op != BinOp::MatMul => self.fold(op, x, y, span),
            (va, vb) => {
                let (Some(na), Some(nb)) = self.operands(op, va, vb) else {
                    return Value::Poison;
                };
                self.tensor_binary(op, (na, a.1), (nb, b.1), span)
            }
        }
    }

    /// Folds two literals exactly.
    fn fold(&mut self, op: BinOp, x: Lit, y: Lit, span: Span) -> Value {
        let folded = match op {
            BinOp::Add => x.add(y, false, span),
            BinOp::Sub => x.add(y, true, span),
            BinOp::Mul | BinOp::MatMul => x.mul(y, span),
        };
        match folded {
            Ok(l) => Value::Lit(l),
            Err(e) => self.fail(errors::bad_literal(Lit { span, ..x }, e, LitScale::Free)),
        }
    }

    /// Turns literal operands into constants at the right scale.
    fn operands(&mut self, op: BinOp, a: Value, b: Value) -> (Option<NodeId>, Option<NodeId>) {
        let additive = matches!(op, BinOp::Add | BinOp::Sub);
        match (a, b) {
            (Value::Lit(l), Value::Node(n)) if additive => (self.lit_like(l, n), Some(n)),
            (Value::Node(n), Value::Lit(l)) if additive => (Some(n), self.lit_like(l, n)),
            _ => (self.as_node(a), self.as_node(b)),
        }
    }

    /// A literal at the scale of node `n`.
    fn lit_like(&mut self, lit: Lit, n: NodeId) -> Option<NodeId> {
        let frac = self.node(n)?.frac;
        match self.lit_at(lit, LitScale::Operand(frac)) {
            Value::Node(id) => Some(id),
            _ => None,
        }
    }

    /// `a op b` on two tensor nodes.
    fn tensor_binary(
        &mut self,
        op: BinOp,
        a: (NodeId, Span),
        b: (NodeId, Span),
        span: Span,
    ) -> Value {
        let (Some(na), Some(nb)) = (self.node(a.0), self.node(b.0)) else {
            return Value::Poison;
        };
        let (x, y) = (self.operand(&na, a.1), self.operand(&nb, b.1));
        let at = self.op_span(op, a.1, b.1).unwrap_or(span);
        if op == BinOp::MatMul {
            return self.matmul(&x, &y, (a.0, b.0), (at, span));
        }
        let Some(shape) = types::broadcast(&na.shape, &nb.shape) else {
            return self.fail(errors::broadcast_mismatch(op, &x, &y, at));
        };
        if op != BinOp::Mul && na.frac != nb.frac {
            return self.fail(errors::scale_mismatch(op, &x, &y, at));
        }
        let (ids, frac) = ((a.0, b.0), Some(na.frac));
        let (node, frac, r) = match op {
            BinOp::Add => (Op::Add(ids.0, ids.1), frac, range::add(na.range, nb.range)),
            BinOp::Sub => (Op::Sub(ids.0, ids.1), frac, range::sub(na.range, nb.range)),
            _ => {
                let frac = self.product_frac(&na, &nb, op, at);
                (Op::Mul(ids.0, ids.1), frac, range::mul(na.range, nb.range))
            }
        };
        let Some(frac) = frac else {
            return Value::Poison;
        };
        self.push(node, shape, frac, r, span)
    }

    /// An operand for messages, quoting its source text when short.
    fn operand<'n>(&self, node: &'n Node, span: Span) -> Operand<'n> {
        Operand {
            node,
            span,
            text: self.snippet(span),
        }
    }

    /// `a @ b`; `spans` are the operator's and the whole expression's.
    fn matmul(
        &mut self,
        x: &Operand<'_>,
        y: &Operand<'_>,
        ids: (NodeId, NodeId),
        spans: (Span, Span),
    ) -> Value {
        let (at, span) = spans;
        let (shape, n) = match types::matmul(&x.node.shape, &y.node.shape) {
            Ok(r) => r,
            Err(MatMulError::Rank) => return self.fail(errors::matmul_rank(x, y, at)),
            Err(MatMulError::Inner) => return self.fail(errors::matmul_inner(x, y, at)),
        };
        let Some(frac) = self.product_frac(x.node, y.node, BinOp::MatMul, at) else {
            return Value::Poison;
        };
        let r = range::matmul(x.node.range, y.node.range, n);
        self.push(Op::MatMul(ids.0, ids.1), shape, frac, r, span)
    }

    /// The span of the operator symbol between two operands, found in the source text.
    fn op_span(&self, op: BinOp, a: Span, b: Span) -> Option<Span> {
        let symbol = match op {
            BinOp::Add => '+',
            BinOp::Sub => '-',
            BinOp::Mul => '*',
            BinOp::MatMul => '@',
        };
        if a.file != b.file || a.end > b.start {
            return None;
        }
        let gap = self
            .sources
            .text(a.file)
            .get(a.end as usize..b.start as usize)?;
        let at = a.end as usize + gap.find(symbol)?;
        Some(Span::new(a.file, at, at + 1))
    }

    /// The fractional bits of a product, at most [`MAX_VALUE_FRAC`] (E0501 otherwise).
    fn product_frac(&mut self, a: &Node, b: &Node, op: BinOp, span: Span) -> Option<u32> {
        let frac = a.frac + b.frac;
        if frac > MAX_VALUE_FRAC {
            self.report(errors::product_frac(op, a.frac, b.frac, span));
            return None;
        }
        Some(frac)
    }
}

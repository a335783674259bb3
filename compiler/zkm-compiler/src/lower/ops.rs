//! One gadget per IR node.

use zkm_air::gadgets::{
    Argmax, DivScalar, Elementwise, EwOp, MaxPool, Operand, Rescale, RescaleSpec, Sum, TableFn,
    TableSpec, MAX_COMPARE_BITS, UNARY_OPS,
};
use zkm_air::TensorId;
use zkm_diagnostics::Diagnostic;

use super::{unsupported, Lowering};
use crate::ir::{NodeId, Op};

impl Lowering<'_> {
    /// Lowers node `id` (operands are already lowered).
    pub(crate) fn node(&mut self, id: NodeId) -> Result<(), Diagnostic> {
        let node = self.program.nodes[id].clone();
        if self.plan.root[id] != id {
            self.tensor_of[id] = self.tensor_of[self.plan.root[id]];
            return Ok(());
        }
        let op = if self.plan.fold[id].is_some() {
            "affine"
        } else {
            op_name(&node.op)
        };
        let name = format!("{op}{id}");
        let loc = self.loc(node.span);
        match node.op {
            Op::Load(d) => {
                if !self.plan.stored_in_dense[d]
                    && !self.plan.public_product[d]
                    && !self.plan.is_folded_bias(d)
                {
                    self.tensor_of[id] = Some(self.decl_tensor(d, id));
                }
            }
            Op::Const(_) | Op::Reshape(_) => {}
            Op::Add(..) if self.plan.fold[id].is_some() => self.folded_product(id, &name)?,
            Op::MatMul(..) if self.plan.folded[id] => {}
            Op::Add(a, b) => self.elementwise(id, EwOp::Add, [a, b], &name)?,
            Op::Sub(a, b) => self.elementwise(id, EwOp::Sub, [a, b], &name)?,
            Op::Mul(a, b) => self.elementwise(id, EwOp::Mul, [a, b], &name)?,
            Op::Neg(a) => self.elementwise(id, EwOp::Neg, [a, a], &name)?,
            Op::MatMul(a, b) => self.matmul(id, a, b, &name)?,
            Op::Conv2d {
                x,
                kernel,
                bias,
                geometry,
            } => self.conv(id, [x, kernel, bias], geometry, &name)?,
            Op::AvgPool2d { x, geometry } => self.sum_pool(id, x, geometry, &name)?,
            Op::Table {
                function,
                arg,
                out_frac,
            } => {
                let (input, out) = (self.operand(id, arg)?, self.output(id, &name));
                let (r, frac) = (self.program.nodes[arg].range, self.program.nodes[arg].frac);
                let spec = TableSpec {
                    function,
                    input: (r.lo as i64, r.hi as i64, frac),
                    out_frac,
                };
                self.b
                    .gadget(loc, |b| TableFn::lower(b, [input, out], &spec, &name));
            }
            Op::DivScalar { num, den, shift } => {
                let (a, s) = (self.operand(id, num)?, self.operand(id, den)?);
                let out = self.output(id, &name);
                let max_den = self.program.nodes[den].range.hi;
                self.comparable(node.span, DivScalar::compare_bits(max_den), "softmax")?;
                self.b.gadget(loc, |b| {
                    DivScalar::lower(b, [a, s, out], shift, max_den, &name)
                });
            }
            Op::MaxPool2d { x, geometry } => {
                let (input, out) = (self.operand(id, x)?, self.output(id, &name));
                let r = self.program.nodes[x].range;
                let spread = r.hi - r.lo;
                self.comparable(node.span, MaxPool::compare_bits(spread), "max_pool2d")?;
                self.b.gadget(loc, |b| {
                    MaxPool::lower(b, [input, out], geometry, spread, &name)
                });
            }
            Op::Rescale { arg, ty, clamp } => {
                let (input, out) = (self.operand(id, arg)?, self.output(id, &name));
                let a = &self.program.nodes[arg];
                let shift = a.frac as i32 - ty.frac as i32;
                let y0_range = (round(a.range.lo, shift), round(a.range.hi, shift));
                let spec = RescaleSpec {
                    shift,
                    bits: ty.bits,
                    y0_range,
                    clamp,
                };
                self.comparable(node.span, spec.compare_bits(), "rescale")?;
                let len = node.len();
                self.b
                    .stacked_gadget(loc, len, |b| Rescale::lower(b, input, out, spec, &name));
            }
            Op::Unary(k, a) => {
                let (input, out) = (self.operand(id, a)?, self.output(id, &name));
                let op = &UNARY_OPS[k as usize];
                let r = self.program.nodes[a].range;
                let r = (r.lo, r.hi);
                self.comparable(node.span, (op.compare_bits)(r), op.name)?;
                let lower = |b: &mut zkm_air::AirBuilder| (op.lower)(b, input, out, r, &name);
                match op.row_local {
                    true => self.b.stacked_gadget(loc, node.len(), lower),
                    false => self.b.gadget(loc, lower),
                }
            }
            Op::Argmax(a) => {
                let (input, out) = (self.operand(id, a)?, self.output(id, &name));
                let spread = self.program.nodes[a].range.hi - self.program.nodes[a].range.lo;
                self.comparable(node.span, Argmax::compare_bits(spread), "argmax")?;
                self.b
                    .gadget(loc, |b| Argmax::lower(b, input, out, spread, &name));
            }
            Op::Sum(a) => {
                let (input, out) = (self.operand(id, a)?, self.output(id, &name));
                self.b.gadget(loc, |b| Sum::lower(b, input, out, &name));
            }
        }
        Ok(())
    }

    /// Rejects comparisons (sign bits, range checks) wider than [`MAX_COMPARE_BITS`]: beyond
    /// that a range check of a Goldilocks element would no longer prove an ordering.
    fn comparable(
        &self,
        span: zkm_diagnostics::Span,
        bits: u32,
        op: &str,
    ) -> Result<(), Diagnostic> {
        if bits <= MAX_COMPARE_BITS {
            return Ok(());
        }
        let what = format!(
            "`{op}` of values needing {bits}-bit comparisons (the limit is {MAX_COMPARE_BITS})"
        );
        Err(unsupported(
            span,
            &what,
            "rescale the operand to fewer bits first",
        ))
    }

    /// The bus tensor of operand `a` of node `id`.
    pub(crate) fn operand(&mut self, id: NodeId, a: NodeId) -> Result<TensorId, Diagnostic> {
        if let Some(t) = self.tensor_of[self.plan.root[a]] {
            return Ok(t);
        }
        let span = self.program.nodes[id].span;
        Err(unsupported(
            span,
            "an operation on a constant",
            "compute it from an input or parameter",
        ))
    }

    /// Registers the output tensor of node `id`.
    pub(crate) fn output(&mut self, id: NodeId, name: &str) -> TensorId {
        let span = self.program.nodes[id].span;
        let t = self.new_tensor(id, name.to_owned(), span);
        self.tensor_of[id] = Some(t);
        t
    }

    fn elementwise(
        &mut self,
        id: NodeId,
        op: EwOp,
        args: [NodeId; 2],
        name: &str,
    ) -> Result<(), Diagnostic> {
        let len = self.program.nodes[id].len();
        let mut operands = [Operand::Const(0); 2];
        let count = if op == EwOp::Neg { 1 } else { 2 };
        for k in 0..count {
            operands[k] = self.ew_operand(id, args[k], len)?;
        }
        let out = self.output(id, name);
        let loc = self.loc(self.program.nodes[id].span);
        self.b
            .stacked_gadget(loc, len, |b| Elementwise::lower(b, op, operands, out, name));
        Ok(())
    }

    fn ew_operand(&mut self, id: NodeId, a: NodeId, len: usize) -> Result<Operand, Diagnostic> {
        let node = &self.program.nodes[a];
        if let Op::Const(c) = node.op {
            let c = i64::try_from(c).map_err(|_| self.too_big(id))?;
            return Ok(Operand::Const(c));
        }
        let t = self.operand(id, a)?;
        match node.len() {
            l if l == len => Ok(Operand::Tensor(t)),
            1 => Ok(Operand::Broadcast(t)),
            _ => Err(unsupported(
                self.program.nodes[id].span,
                "broadcasting between tensors of different shapes",
                "reshape the operands to the same shape; scalars and equal shapes are supported",
            )),
        }
    }

    fn too_big(&self, id: NodeId) -> Diagnostic {
        unsupported(
            self.program.nodes[id].span,
            "a constant beyond ±2^63",
            "use a smaller constant",
        )
    }
}

/// `round_half_up(v / 2^shift)` for `shift > 0`, `v · 2^−shift` otherwise.
fn round(v: i128, shift: i32) -> i128 {
    if shift > 0 {
        (v + (1i128 << (shift - 1))) >> shift
    } else {
        v << (-shift)
    }
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Load(_) => "load",
        Op::Const(_) => "const",
        Op::Add(..) => "add",
        Op::Sub(..) => "sub",
        Op::Mul(..) => "mul",
        Op::Neg(_) => "neg",
        Op::MatMul(..) => "dense",
        Op::Rescale { clamp: true, .. } => "rescale_clamp",
        Op::Rescale { .. } => "rescale",
        Op::Unary(k, _) => UNARY_OPS[*k as usize].name,
        Op::Argmax(_) => "argmax",
        Op::Sum(_) => "sum",
        Op::Reshape(_) => "reshape",
        Op::Conv2d { .. } => "conv2d",
        Op::AvgPool2d { .. } => "avg_pool2d",
        Op::MaxPool2d { .. } => "max_pool2d",
        Op::DivScalar { .. } => "div",
        Op::Table { function, .. } => zkm_air::gadgets::TABLE_FNS[*function as usize].name,
    }
}

//! `conv2d(x, kernel, bias, stride, padding)` and `avg_pool2d(x, k)`: shape, scale and range
//! rules of a 2-D convolution and of average pooling, channels first (`spec/semantics.md`).

use zkm_air::gadgets::ConvGeometry;
use zkm_air::NumType;
use zkm_diagnostics::Span;
use zkm_syntax::ast;

use super::builtins::{int_literal, Evaluated};
use super::divide;
use super::errors;
use super::eval::{Env, Eval, Value};
use super::ops::MAX_VALUE_FRAC;
use super::range;
use super::types::fmt_shape;
use super::world::ModId;
use crate::ir::{Interval, Node, NodeId, Op};

/// The evaluated kernel and bias operands.
struct Operands {
    kernel: (NodeId, Node, Span),
    bias: (NodeId, Node, Span),
}

impl Eval<'_, '_> {
    /// Evaluates `conv2d(x, kernel, bias, stride, padding)`; `x` is already evaluated.
    pub(crate) fn conv2d(
        &mut self,
        env: &Env,
        m: ModId,
        x: Evaluated,
        args: &[ast::Arg],
        span: Span,
    ) -> Value {
        let [_, ast::Arg::Expr(k), ast::Arg::Expr(b), ast::Arg::Expr(s), ast::Arg::Expr(p)] = args
        else {
            return self.quiet_poison();
        };
        let (Some(kernel), Some(bias)) = (self.operand_of(env, m, k), self.operand_of(env, m, b))
        else {
            return Value::Poison;
        };
        let (Some(stride), Some(padding)) = (int_literal(s), int_literal(p)) else {
            return self.quiet_poison();
        };
        let ops = Operands { kernel, bias };
        let Some(geometry) = self.conv_geometry(&x, &ops, (stride, s.span), (padding, p.span))
        else {
            return Value::Poison;
        };
        self.conv_node(x, ops, geometry, span)
    }

    /// Evaluates a value argument to a node.
    fn operand_of(&mut self, env: &Env, m: ModId, e: &ast::Expr) -> Option<(NodeId, Node, Span)> {
        let v = self.expr(env, m, e);
        let id = self.as_node(v)?;
        Some((id, self.node(id)?, e.span))
    }

    /// Checks ranks, channels, stride and padding; reports the first problem.
    fn conv_geometry(
        &mut self,
        x: &Evaluated,
        ops: &Operands,
        stride: (usize, Span),
        padding: (usize, Span),
    ) -> Option<ConvGeometry> {
        let (xs, ks, bs) = (&x.1.shape, &ops.kernel.1.shape, &ops.bias.1.shape);
        let rank = [
            (xs, 3, "an input", "[C, H, W]", x.2),
            (ks, 4, "a kernel", "[CO, C, KH, KW]", ops.kernel.2),
            (bs, 1, "a bias", "[CO]", ops.bias.2),
        ];
        for (shape, want, role, expected, at) in rank {
            if shape.len() != want {
                self.report(errors::conv_rank(role, expected, shape, at));
                return None;
            }
        }
        if ks[1] != xs[0] {
            let msg = format!(
                "`conv2d` kernel expects {} input channels, but the input has {}",
                ks[1], xs[0]
            );
            let primary = (ops.kernel.2, format!("kernel {}", fmt_shape(ks)));
            let secondary = (x.2, format!("input {}: {} channels", fmt_shape(xs), xs[0]));
            self.report(errors::conv_mismatch(msg, primary, secondary));
            return None;
        }
        if bs[0] != ks[0] {
            let msg = format!(
                "`conv2d` bias has {} elements, but the kernel has {} output channels",
                bs[0], ks[0]
            );
            let primary = (ops.bias.2, format!("bias {}", fmt_shape(bs)));
            let secondary = (ops.kernel.2, format!("kernel {}", fmt_shape(ks)));
            self.report(errors::conv_mismatch(msg, primary, secondary));
            return None;
        }
        let g = ConvGeometry {
            in_channels: xs[0],
            input: [xs[1], xs[2]],
            out_channels: ks[0],
            kernel: [ks[2], ks[3]],
            stride: stride.0,
            padding: padding.0,
            pool: false,
        };
        self.conv_arguments(g, x, ops, stride.1, padding.1)
    }

    /// Stride at least 1, padding below the kernel, and a kernel that fits the padded input.
    fn conv_arguments(
        &mut self,
        g: ConvGeometry,
        x: &Evaluated,
        ops: &Operands,
        stride_at: Span,
        padding_at: Span,
    ) -> Option<ConvGeometry> {
        let smallest = g.kernel[0].min(g.kernel[1]);
        let problem = if g.stride == 0 {
            Some((
                stride_at,
                "the stride of `conv2d` must be at least 1".to_string(),
            ))
        } else if g.padding >= smallest {
            let msg =
                format!("the padding of `conv2d` must be smaller than the kernel ({smallest})");
            Some((padding_at, msg))
        } else {
            None
        };
        if let Some((at, msg)) = problem {
            let label = "not allowed here".to_string();
            self.report(errors::conv_argument(msg, at, label));
            return None;
        }
        if g.output().is_some() {
            return Some(g);
        }
        let [h, w] = g.input;
        let msg = format!(
            "`conv2d` kernel {}×{} is larger than the padded input {}×{}",
            g.kernel[0],
            g.kernel[1],
            h + 2 * g.padding,
            w + 2 * g.padding
        );
        let primary = (
            ops.kernel.2,
            format!("kernel {}", fmt_shape(&ops.kernel.1.shape)),
        );
        let secondary = (x.2, format!("input {}", fmt_shape(&x.1.shape)));
        self.report(errors::conv_mismatch(msg, primary, secondary));
        None
    }

    /// The checked node: scale `x.frac + kernel.frac` (the bias's), range from the taps.
    fn conv_node(&mut self, x: Evaluated, ops: Operands, g: ConvGeometry, span: Span) -> Value {
        let (kernel, bias) = (&ops.kernel.1, &ops.bias.1);
        let frac = x.1.frac + kernel.frac;
        if frac > MAX_VALUE_FRAC {
            return self.fail(errors::conv_frac(x.1.frac, kernel.frac, span));
        }
        if bias.frac != frac {
            return self.fail(errors::conv_bias_scale(bias.frac, frac, ops.bias.2));
        }
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        let taps = g.in_channels * g.kernel[0] * g.kernel[1];
        // Padding reads zeros, which the input's own range may not contain.
        let xr = x.1.range;
        let xr = Interval {
            lo: xr.lo.min(0),
            hi: xr.hi.max(0),
        };
        let r = range::matmul(xr, kernel.range, taps).and_then(|p| range::add(p, bias.range));
        let op = Op::Conv2d {
            x: x.0,
            kernel: ops.kernel.0,
            bias: ops.bias.0,
            geometry: g,
        };
        self.push(op, vec![g.out_channels, oh, ow], frac, r, span)
    }
}

impl Eval<'_, '_> {
    /// `avg_pool2d(x, k)`: `x [C, H, W]`, windows `k × k` with stride `k` (rows and columns past
    /// the last whole window are dropped). For a power-of-two `k` the window sum at `2·log2 k`
    /// more fractional bits is the exact average; other windows are divided exactly.
    pub(crate) fn avg_pool2d(&mut self, x: Evaluated, k: &ast::Expr, span: Span) -> Value {
        let Some(g) = self.pool_geometry("avg_pool2d", &x, k) else {
            return Value::Poison;
        };
        let window = g.kernel[0];
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        if !window.is_power_of_two() {
            return self.divided_pool(x, g, vec![g.in_channels, oh, ow], span);
        }
        let extra = 2 * window.trailing_zeros();
        let frac = x.1.frac + extra;
        if frac > MAX_VALUE_FRAC {
            return self.fail(errors::pool_frac(x.1.frac, extra, span));
        }
        let r = range::sum(x.1.range, window * window);
        let op = Op::AvgPool2d {
            x: x.0,
            geometry: g,
        };
        self.push(op, vec![g.in_channels, oh, ow], frac, r, span)
    }

    /// `avg_pool2d` with a window that is not a power of two: the window sum at `x`'s scale,
    /// divided exactly by `k²` with rounding half up as `rescale(sum·M + C, …)`
    /// (`divide.rs`), the rescale range-checking the remainder. Same scale as `x`.
    fn divided_pool(
        &mut self,
        x: Evaluated,
        g: ConvGeometry,
        shape: Vec<usize>,
        span: Span,
    ) -> Value {
        let d = (g.kernel[0] * g.kernel[0]) as i128;
        let sum_range = range::sum(x.1.range, g.kernel[0] * g.kernel[0]);
        let pool = Op::AvgPool2d {
            x: x.0,
            geometry: g,
        };
        let Value::Node(s) = self.push(pool, shape.clone(), x.1.frac, sum_range, span) else {
            return Value::Poison;
        };
        let Some((sum, c)) = sum_range.and_then(|r| Some((r, divide::by_constant(r, d)?))) else {
            // Only sums far beyond the field's range have no multiplier in `i128`.
            let op = Op::AvgPool2d {
                x: x.0,
                geometry: g,
            };
            return self.fail(errors::field_overflow(&op, None, span));
        };
        let frac = x.1.frac + c.shift;
        if frac > MAX_VALUE_FRAC {
            return self.fail(errors::pool_frac(x.1.frac, c.shift, span));
        }
        let out = Interval {
            lo: (2 * x.1.range.lo * d + d).div_euclid(2 * d),
            hi: (2 * x.1.range.hi * d + d).div_euclid(2 * d),
        };
        let constant = |q: i128| (Op::Const(q), Interval { lo: q, hi: q });
        let (m_op, m_range) = constant(c.mult);
        let Value::Node(m) = self.push(m_op, vec![], c.shift, Some(m_range), span) else {
            return Value::Poison;
        };
        let scaled = range::mul(sum, m_range);
        let Value::Node(p) = self.push(Op::Mul(s, m), shape.clone(), frac, scaled, span) else {
            return Value::Poison;
        };
        let (a_op, a_range) = constant(c.add);
        let Value::Node(a) = self.push(a_op, vec![], frac, Some(a_range), span) else {
            return Value::Poison;
        };
        let shifted = scaled.and_then(|r| range::add(r, a_range));
        let Value::Node(v) = self.push(Op::Add(p, a), shape.clone(), frac, shifted, span) else {
            return Value::Poison;
        };
        let ty = NumType {
            bits: range::bits_needed(out),
            frac: x.1.frac,
        };
        let op = Op::Rescale {
            arg: v,
            ty,
            clamp: false,
        };
        self.push(op, shape, x.1.frac, Some(out), span)
    }

    /// `max_pool2d(x, k)`: the largest element of each `k × k` window (stride `k`), same scale
    /// and range as `x`.
    pub(crate) fn max_pool2d(&mut self, x: Evaluated, k: &ast::Expr, span: Span) -> Value {
        let Some(g) = self.pool_geometry("max_pool2d", &x, k) else {
            return Value::Poison;
        };
        let [oh, ow] = g.output().unwrap_or([0, 0]);
        let op = Op::MaxPool2d {
            x: x.0,
            geometry: g,
        };
        self.push(
            op,
            vec![g.in_channels, oh, ow],
            x.1.frac,
            Some(x.1.range),
            span,
        )
    }

    /// The pooling shape of `op(x, k)`: `x [C, H, W]`, `1 ≤ k ≤ H, W` (reported otherwise).
    fn pool_geometry(&mut self, op: &str, x: &Evaluated, k: &ast::Expr) -> Option<ConvGeometry> {
        let Some(window) = int_literal(k) else {
            self.quiet_poison();
            return None;
        };
        let shape = &x.1.shape;
        if shape.len() != 3 {
            self.report(errors::pool_rank(op, shape, x.2));
            return None;
        }
        let g = ConvGeometry {
            in_channels: shape[0],
            input: [shape[1], shape[2]],
            out_channels: shape[0],
            kernel: [window, window],
            stride: window,
            padding: 0,
            pool: true,
        };
        let (problem, label) = match g.output() {
            Some(_) if shape[0] > 0 => return Some(g),
            _ if window == 0 => (format!("the window of `{op}` must be at least 1"), "zero"),
            _ => (
                format!(
                    "the window of `{op}` ({window}×{window}) is larger than the input ({}×{})",
                    shape[1], shape[2]
                ),
                "too large",
            ),
        };
        self.report(errors::pool_argument(op, problem, k.span, label.into()));
        None
    }
}

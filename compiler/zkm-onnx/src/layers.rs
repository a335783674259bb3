//! Translators of the operators that carry weights: Gemm, MatMul, Add, Conv and
//! BatchNormalization (folded).

use tract_onnx::pb::NodeProto;

use crate::graph::{Builder, Op, Source, Value};
use crate::ops::{attr_error, constant_arg, optional_const, refuse, tensor, Arg, Refusal};
use crate::proto::{self, Array};

/// `MatMul(x, W)`: a dense layer with a zero bias (a following `Add` folds in).
pub(crate) fn matmul(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "first input")?;
    let w = constant_arg(args, 1, "second input (the weights)")?;
    dense(b, node, x, w, None)
}

/// `Gemm(A, B, C)` = `alpha·A'·B' + beta·C`.
pub(crate) fn gemm(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input A")?;
    let mut w = constant_arg(args, 1, "input B (the weights)")?;
    let c = optional_const(args, 2, "input C (the bias)")?;
    let int = |n| proto::int_attr(node, n, 0).map_err(attr_error);
    let float = |n| proto::float_attr(node, n, 1.0).map_err(attr_error);
    if int("transA")? != 0 {
        return refuse(
            "transA = 1 (the batch would be the inner dimension)",
            "export with transA = 0",
        );
    }
    if w.shape.len() != 2 {
        return refuse(
            format!("B has shape {:?}, not a matrix", w.shape),
            "use 2-D weights",
        );
    }
    if int("transB")? != 0 {
        w = transpose(&w);
    }
    let (alpha, beta) = (float("alpha")?, float("beta")?);
    w.data.iter_mut().for_each(|v| *v *= alpha);
    let out = w.shape[1];
    let bias = match c {
        None => None,
        Some(c) => Some(
            broadcast_vector(&c, out, "C")?
                .into_iter()
                .map(|v| v * beta)
                .collect(),
        ),
    };
    dense(b, node, x, w, bias)
}

fn dense(
    b: &mut Builder,
    node: &NodeProto,
    x: Source,
    w: Array,
    bias: Option<Vec<f64>>,
) -> Result<(), Refusal> {
    let xs = b.graph.shape(x).to_vec();
    if w.shape.len() != 2 || w.shape.contains(&0) {
        return refuse(
            format!(
                "the weights have shape {:?}, not a non-empty matrix",
                w.shape
            ),
            "use 2-D weights",
        );
    }
    if xs.len() != 1 || xs[0] != w.shape[0] {
        return refuse(
            format!(
                "its input has shape {xs:?} (batch removed) but the weights are {:?}",
                w.shape
            ),
            "Flatten the input before the product",
        );
    }
    let out = w.shape[1];
    let bias = bias.unwrap_or_else(|| vec![0.0; out]);
    b.push(node, Op::Dense { w, b: bias }, vec![x], vec![out]);
    Ok(())
}

/// `[m, n]` → `[n, m]`.
fn transpose(a: &Array) -> Array {
    let (m, n) = (a.shape[0], a.shape[1]);
    let mut data = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            data[j * m + i] = a.data[i * n + j];
        }
    }
    Array {
        shape: vec![n, m],
        data,
    }
}

/// A constant broadcast along the last axis to `n` values (`[n]`, `[1, n]`, a scalar).
fn broadcast_vector(c: &Array, n: usize, what: &str) -> Result<Vec<f64>, Refusal> {
    let len = c.data.len();
    let leading_ones = c.shape.iter().rev().skip(1).all(|&d| d == 1);
    match (len, leading_ones) {
        (1, _) => Ok(vec![c.data[0]; n]),
        (l, true) if l == n && c.shape.last() == Some(&n) => Ok(c.data.clone()),
        _ => refuse(
            format!(
                "{what} has shape {:?}, which does not broadcast to [{n}] along the last axis",
                c.shape
            ),
            "use one bias value per output",
        ),
    }
}

/// `Add`: a constant folds into the bias of the product before it; two tensors of one shape
/// become a sum.
pub(crate) fn add(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    match (args.first(), args.get(1)) {
        (Some(Some(Arg::Tensor(x))), Some(Some(Arg::Const(c))))
        | (Some(Some(Arg::Const(c))), Some(Some(Arg::Tensor(x)))) => {
            let k = usize::from(matches!(args.first(), Some(Some(Arg::Const(_)))));
            fold_bias(b, node, *x, &node.input[k], c)
        }
        (Some(Some(Arg::Tensor(x))), Some(Some(Arg::Tensor(y)))) => {
            let (xs, ys) = (b.graph.shape(*x).to_vec(), b.graph.shape(*y).to_vec());
            if xs != ys {
                return refuse(
                    format!("it adds shapes {xs:?} and {ys:?} (broadcasting is not supported)"),
                    "add tensors of the same shape",
                );
            }
            b.push(node, Op::Add, vec![*x, *y], xs);
            Ok(())
        }
        _ => refuse(
            "it needs two inputs",
            "add two tensors, or a bias after a product",
        ),
    }
}

/// The layer that computes `value` when only one node reads it and it is a product.
fn sole_product<'a>(
    b: &'a mut Builder,
    x: Source,
    value: &str,
) -> Option<&'a mut crate::graph::Layer> {
    let Source::Layer(i) = x else { return None };
    if b.readers.get(value).copied() != Some(1) {
        return None;
    }
    let layer = &mut b.graph.layers[i];
    matches!(layer.op, Op::Dense { .. } | Op::Conv { .. }).then_some(layer)
}

fn fold_bias(
    b: &mut Builder,
    node: &NodeProto,
    x: Source,
    value: &str,
    c: &Array,
) -> Result<(), Refusal> {
    let Some(layer) = sole_product(b, x, value) else {
        return refuse(
            "it adds a constant to a tensor that is not the output of a MatMul, Gemm or Conv read only here",
            "add constants only as the bias of a product (Gemm's C, Conv's B)",
        );
    };
    // `sole_product` returns dense and convolution layers only.
    let (bias, add) = match &mut layer.op {
        Op::Conv { b, .. } => {
            let add = channel_vector(c, b.len())?;
            (b, add)
        }
        Op::Dense { b, .. } => {
            let add = broadcast_vector(c, b.len(), "the constant")?;
            (b, add)
        }
        _ => {
            return refuse(
                "it adds a constant to a layer without a bias",
                "add the constant as a bias",
            )
        }
    };
    bias.iter_mut().zip(add).for_each(|(v, a)| *v += a);
    layer.nodes.push((node.op_type.clone(), node.name.clone()));
    b.values.insert(node.output[0].clone(), Value::Tensor(x));
    Ok(())
}

/// A per-channel constant of a `[C, H, W]` tensor: `[C, 1, 1]`, `[1, C, 1, 1]` or a scalar.
fn channel_vector(c: &Array, channels: usize) -> Result<Vec<f64>, Refusal> {
    let s = &c.shape;
    let per_channel = s.len() >= 3
        && s[s.len() - 3] == channels
        && s[s.len() - 2..] == [1, 1]
        && s[..s.len() - 3].iter().all(|&d| d == 1);
    match (c.data.len(), per_channel) {
        (1, _) => Ok(vec![c.data[0]; channels]),
        (_, true) => Ok(c.data.clone()),
        _ => refuse(
            format!("the constant has shape {s:?}, not one value per channel ([{channels}, 1, 1])"),
            "add a per-channel bias",
        ),
    }
}

/// `Conv`: square kernel, equal strides and paddings, no dilation, one group.
pub(crate) fn conv(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input X")?;
    let k = constant_arg(args, 1, "input W (the kernel)")?;
    let bias = optional_const(args, 2, "input B (the bias)")?;
    let xs = b.graph.shape(x).to_vec();
    let [co, ci, kh, kw] = k.shape[..] else {
        return refuse(
            format!(
                "the kernel has shape {:?}; zkmc supports 2-D convolutions",
                k.shape
            ),
            "use Conv2d",
        );
    };
    if k.shape.contains(&0) {
        return refuse(
            format!("the kernel has shape {:?}", k.shape),
            "use a non-empty kernel",
        );
    }
    if xs.len() != 3 || xs[0] != ci {
        return refuse(
            format!("its input has shape {xs:?} (batch removed), not [{ci}, H, W]"),
            "feed Conv a [N, C, H, W] tensor",
        );
    }
    if kh != kw {
        return refuse(format!("the kernel is {kh}×{kw}"), "use a square kernel");
    }
    if proto::int_attr(node, "group", 1).map_err(attr_error)? != 1 {
        return refuse(
            "group ≠ 1 (grouped or depthwise convolution)",
            "use group = 1",
        );
    }
    let stride = uniform(node, "strides", 1)?;
    let dilation = uniform(node, "dilations", 1)?;
    if dilation != 1 {
        return refuse(format!("dilation {dilation}"), "use dilation 1");
    }
    let pad = padding(node, kh)?;
    let (h, w) = (xs[1] + 2 * pad, xs[2] + 2 * pad);
    if kh > h || kh > w || stride == 0 {
        return refuse(
            "the kernel is larger than the padded input",
            "use a smaller kernel or more padding",
        );
    }
    let shape = vec![co, (h - kh) / stride + 1, (w - kh) / stride + 1];
    let bias = match bias {
        Some(c) if c.data.len() == co => c.data,
        Some(c) => {
            return refuse(
                format!("B has {} values for {co} channels", c.data.len()),
                "give one bias per output channel",
            )
        }
        None => vec![0.0; co],
    };
    b.push(
        node,
        Op::Conv {
            k,
            b: bias,
            stride,
            pad,
        },
        vec![x],
        shape,
    );
    Ok(())
}

/// An attribute list whose entries must all be equal (`strides`, `dilations`), or `default`.
pub(crate) fn uniform(node: &NodeProto, name: &str, default: usize) -> Result<usize, Refusal> {
    match proto::ints_attr(node, name).map_err(attr_error)? {
        None => Ok(default),
        Some(v)
            if !v.is_empty() && v.iter().all(|&d| d == v[0]) && v[0] >= 0 && v[0] <= 1 << 16 =>
        {
            Ok(v[0] as usize)
        }
        Some(v) => refuse(
            format!("{name} {v:?} differ per axis"),
            format!("use equal {name}"),
        ),
    }
}

/// The padding: `pads` all equal, or `auto_pad` VALID (none) / NOTSET.
fn padding(node: &NodeProto, _kernel: usize) -> Result<usize, Refusal> {
    let auto = proto::string_attr(node, "auto_pad", "NOTSET").map_err(attr_error)?;
    match auto.as_str() {
        "NOTSET" => uniform_pads(node),
        "VALID" => Ok(0),
        other => refuse(format!("auto_pad = {other}"), "export with explicit pads"),
    }
}

pub(crate) fn uniform_pads(node: &NodeProto) -> Result<usize, Refusal> {
    match proto::ints_attr(node, "pads").map_err(attr_error)? {
        None => Ok(0),
        Some(v)
            if !v.is_empty() && v.iter().all(|&d| d == v[0]) && (0..=1 << 16).contains(&v[0]) =>
        {
            Ok(v[0] as usize)
        }
        Some(v) => refuse(
            format!("pads {v:?} are not equal on every side"),
            "use the same padding on every side",
        ),
    }
}

/// `BatchNormalization` after a product read only by it: folded into its weights and bias.
pub(crate) fn batch_norm(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input X")?;
    let parts: Vec<Array> = (1..5)
        .map(|k| constant_arg(args, k, ["", "scale", "bias", "mean", "var"][k]))
        .collect::<Result<_, _>>()?;
    let eps = proto::float_attr(node, "epsilon", 1e-5).map_err(attr_error)?;
    let Some(layer) = sole_product(b, x, &node.input[0]) else {
        return refuse(
            "it normalises a tensor that is not the output of a Conv, Gemm or MatMul read only here",
            "place BatchNormalization right after a Conv or Gemm (it is folded into its weights)",
        );
    };
    let channels = match &layer.op {
        Op::Dense { b, .. } | Op::Conv { b, .. } => b.len(),
        _ => 0,
    };
    if let Some(p) = parts.iter().find(|p| p.data.len() != channels) {
        return refuse(
            format!(
                "a parameter has {} values for {channels} channels",
                p.data.len()
            ),
            "give one value per channel",
        );
    }
    let factor: Vec<f64> = (0..channels)
        .map(|c| parts[0].data[c] / (parts[3].data[c] + eps).sqrt())
        .collect();
    if factor.iter().any(|f| !f.is_finite()) {
        return refuse(
            "a variance plus epsilon is not positive",
            "export trained statistics",
        );
    }
    match &mut layer.op {
        Op::Dense { w, b } => {
            for (i, v) in w.data.iter_mut().enumerate() {
                *v *= factor[i % channels];
            }
            scale_bias(b, &factor, &parts);
        }
        Op::Conv { k, b, .. } => {
            let per = k.data.len() / channels.max(1);
            for (i, v) in k.data.iter_mut().enumerate() {
                *v *= factor[i / per];
            }
            scale_bias(b, &factor, &parts);
        }
        _ => {}
    }
    layer.nodes.push((node.op_type.clone(), node.name.clone()));
    b.values.insert(node.output[0].clone(), Value::Tensor(x));
    Ok(())
}

/// `b ← (b − mean)·factor + beta`.
fn scale_bias(bias: &mut [f64], factor: &[f64], parts: &[Array]) {
    for (c, v) in bias.iter_mut().enumerate() {
        *v = (*v - parts[2].data[c]) * factor[c] + parts[1].data[c];
    }
}

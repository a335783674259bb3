//! Translators of the operators without weights: the poolings, Flatten, Reshape and Softmax.

use tract_onnx::pb::NodeProto;

use crate::graph::{Builder, Op};
use crate::layers::{uniform, uniform_pads};
use crate::ops::{attr_error, constant_arg, refuse, tensor, Arg, Refusal};
use crate::proto;

/// `MaxPool` / `AveragePool`: square window equal to the stride, no padding.
pub(crate) fn pool(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input")?;
    let xs = b.graph.shape(x).to_vec();
    let Some(k) = proto::ints_attr(node, "kernel_shape").map_err(attr_error)? else {
        return refuse("it has no kernel_shape", "give the window size");
    };
    if k.len() != 2 || k[0] != k[1] || k[0] < 1 {
        return refuse(
            format!("window {k:?} is not square and 2-D"),
            "use a square 2-D window",
        );
    }
    let k = k[0] as usize;
    let stride = uniform(node, "strides", 1)?;
    if stride != k {
        return refuse(
            format!("stride {stride} differs from the window {k}"),
            format!("use stride {k} (non-overlapping windows)"),
        );
    }
    if uniform_pads(node)? != 0 || proto::int_attr(node, "ceil_mode", 0).map_err(attr_error)? != 0 {
        return refuse(
            "it pads the input (pads or ceil_mode)",
            "pool without padding",
        );
    }
    if xs.len() != 3 || !xs[1].is_multiple_of(k) || !xs[2].is_multiple_of(k) {
        return refuse(
            format!("its input has shape {xs:?}, not [C, H, W] with H and W multiples of {k}"),
            "pool a [N, C, H, W] tensor whose sides the window divides",
        );
    }
    let op = if node.op_type == "MaxPool" {
        if node.output.len() > 1 && b.readers.contains_key(&node.output[1]) {
            return refuse("its indices output is read", "read only the pooled values");
        }
        Op::MaxPool(k)
    } else {
        Op::AvgPool(k)
    };
    b.push(node, op, vec![x], vec![xs[0], xs[1] / k, xs[2] / k]);
    Ok(())
}

/// `GlobalAveragePool` over a square input.
pub(crate) fn global_pool(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input")?;
    let xs = b.graph.shape(x).to_vec();
    if xs.len() != 3 || xs[1] != xs[2] {
        return refuse(
            format!("its input has shape {xs:?}, not [C, S, S]"),
            "use AveragePool over square windows",
        );
    }
    b.push(node, Op::AvgPool(xs[1]), vec![x], vec![xs[0], 1, 1]);
    Ok(())
}

/// `Flatten` at axis 1 (after the batch).
pub(crate) fn flatten(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input")?;
    let axis = proto::int_attr(node, "axis", 1).map_err(attr_error)?;
    if axis != i64::from(b.graph.batched) {
        return refuse(
            format!("axis {axis} would keep more than the batch apart"),
            "flatten at axis 1",
        );
    }
    let len = b.graph.shape(x).iter().product();
    b.push(node, Op::Reshape, vec![x], vec![len]);
    Ok(())
}

/// `Reshape` to a constant shape whose leading dimension is the batch.
pub(crate) fn reshape(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input")?;
    let target = constant_arg(args, 1, "shape")?;
    let mut full: Vec<usize> = b.graph.shape(x).to_vec();
    if b.graph.batched {
        full.insert(0, 1);
    }
    let len: usize = full.iter().product();
    let mut dims = Vec::new();
    let mut infer = None;
    for (i, &d) in target.data.iter().enumerate() {
        if d.fract() != 0.0 {
            return refuse(
                format!("target dimension {d} is not a whole number"),
                "use an int64 shape",
            );
        }
        match d as i64 {
            0 => dims.push(*full.get(i).unwrap_or(&1)),
            -1 if infer.is_none() => {
                infer = Some(i);
                dims.push(1);
            }
            n if (1..=1 << 24).contains(&n) => dims.push(n as usize),
            n => {
                return refuse(
                    format!("target dimension {n} is invalid"),
                    "use positive sizes and at most one -1",
                )
            }
        }
    }
    let known: usize = dims.iter().product();
    if let Some(i) = infer {
        if known == 0 || !len.is_multiple_of(known) {
            return refuse(
                "the -1 dimension cannot be inferred",
                "give a shape with the input's element count",
            );
        }
        dims[i] = len / known;
    }
    if dims.iter().product::<usize>() != len {
        return refuse(
            format!("target shape {dims:?} does not hold the input's {len} elements"),
            "keep the element count",
        );
    }
    if b.graph.batched {
        if dims.first() != Some(&1) {
            return refuse(
                format!("target shape {dims:?} mixes the batch with other dimensions"),
                "keep the batch as the first dimension",
            );
        }
        dims.remove(0);
    }
    if dims.is_empty() {
        dims.push(1);
    }
    b.push(node, Op::Reshape, vec![x], dims);
    Ok(())
}

/// `Softmax` over the last axis of a vector.
pub(crate) fn softmax(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let x = tensor(args, 0, "input")?;
    let xs = b.graph.shape(x).to_vec();
    let rank = xs.len() as i64 + i64::from(b.graph.batched);
    let default = if b.opset >= 13 { -1 } else { 1 };
    let axis = proto::int_attr(node, "axis", default).map_err(attr_error)?;
    let last = axis == -1 || axis == rank - 1;
    if xs.len() != 1 || !last {
        return refuse(
            format!("softmax over axis {axis} of shape {xs:?}"),
            "apply Softmax to a flat vector (after Flatten)",
        );
    }
    b.push(node, Op::Softmax, vec![x], xs);
    Ok(())
}

//! Shape computations folded at import time. `torch.onnx.export` writes `x.view(x.size(0), -1)`
//! as `Shape → Gather → Unsqueeze → Concat → Reshape`; every shape is known here (batch 1), so
//! `Shape` of a tensor and `Gather`, `Unsqueeze`, `Squeeze` and `Concat` of constants become
//! constants, and the `Reshape` reads a constant as usual. Anything else on these operators is
//! refused: zkmc does not index or concatenate computed tensors.

use tract_onnx::pb::NodeProto;

use crate::graph::{Builder, Value};
use crate::ops::{attr_error, refuse, Arg, Refusal};
use crate::proto::{self, Array};

/// `Shape(x)`: the dimensions of `x`, the batch of 1 included when the graph has one.
pub(crate) fn shape(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let mut dims: Vec<usize> = match args.first() {
        Some(Some(Arg::Tensor(s))) => b.graph.shape(*s).to_vec(),
        Some(Some(Arg::Const(a))) => a.shape.clone(),
        _ => return refuse("its input is missing", "give Shape an input"),
    };
    if matches!(args.first(), Some(Some(Arg::Tensor(_)))) && b.graph.batched {
        dims.insert(0, 1);
    }
    let rank = dims.len() as i64;
    let clamp = |v: i64| (if v < 0 { v + rank } else { v }).clamp(0, rank) as usize;
    let start = clamp(proto::int_attr(node, "start", 0).map_err(attr_error)?);
    let end = clamp(proto::int_attr(node, "end", rank).map_err(attr_error)?);
    let picked: Vec<f64> = dims[start..end.max(start)]
        .iter()
        .map(|&d| d as f64)
        .collect();
    bind(
        b,
        node,
        Array {
            shape: vec![picked.len()],
            data: picked,
        },
    )
}

/// `Gather(data, indices)` on constants, along `axis` 0 of a vector (or a scalar index).
pub(crate) fn gather(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let (data, idx) = (constant(args, 0, "data")?, constant(args, 1, "indices")?);
    let axis = proto::int_attr(node, "axis", 0).map_err(attr_error)?;
    if data.shape.len() != 1 || axis != 0 {
        return refuse(
            "it gathers from a computed or multi-dimensional tensor",
            "gather only from shape vectors",
        );
    }
    let n = data.data.len() as i64;
    let mut picked = Vec::with_capacity(idx.data.len());
    for &v in &idx.data {
        let i = v as i64;
        let j = if i < 0 { i + n } else { i };
        if v.fract() != 0.0 || !(0..n).contains(&j) {
            return refuse(
                format!("index {v} is outside a vector of {n}"),
                "index within the shape",
            );
        }
        picked.push(data.data[j as usize]);
    }
    bind(
        b,
        node,
        Array {
            shape: idx.shape.clone(),
            data: picked,
        },
    )
}

/// `Unsqueeze` / `Squeeze` of a constant: only the shape changes (axes from the attribute, or
/// from the second input since opset 13).
pub(crate) fn squeeze(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let mut a = constant(args, 0, "input")?;
    let axes = match proto::ints_attr(node, "axes").map_err(attr_error)? {
        Some(axes) => axes,
        None => match args.get(1) {
            Some(Some(Arg::Const(c))) => c.data.iter().map(|&v| v as i64).collect(),
            _ => Vec::new(),
        },
    };
    let unsqueeze = node.op_type == "Unsqueeze";
    let rank = (a.shape.len() + if unsqueeze { axes.len() } else { 0 }) as i64;
    let mut sorted: Vec<i64> = axes
        .iter()
        .map(|&x| if x < 0 { x + rank } else { x })
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.iter().any(|&x| !(0..rank).contains(&x)) || sorted.len() != axes.len() {
        return refuse(
            format!("axes {axes:?} are out of range or repeated"),
            "use distinct axes within the rank",
        );
    }
    if unsqueeze {
        for x in sorted {
            a.shape.insert(x as usize, 1);
        }
    } else if sorted.is_empty() {
        a.shape.retain(|&d| d != 1);
    } else {
        for x in sorted.into_iter().rev() {
            if a.shape[x as usize] != 1 {
                return refuse(
                    format!("axis {x} has size {}, not 1", a.shape[x as usize]),
                    "squeeze unit axes",
                );
            }
            a.shape.remove(x as usize);
        }
    }
    bind(b, node, a)
}

/// `Concat` of constant vectors along axis 0.
pub(crate) fn concat(
    b: &mut Builder,
    node: &NodeProto,
    args: &[Option<Arg>],
) -> Result<(), Refusal> {
    let axis = proto::int_attr(node, "axis", 0).map_err(attr_error)?;
    let mut data = Vec::new();
    for k in 0..args.len() {
        let a = constant(args, k, "input")?;
        if a.shape.len() > 1 || (axis != 0 && axis != -1) {
            return refuse(
                "it concatenates more than vectors",
                "concatenate only shape vectors",
            );
        }
        data.extend(a.data);
    }
    bind(
        b,
        node,
        Array {
            shape: vec![data.len()],
            data,
        },
    )
}

fn constant(args: &[Option<Arg>], k: usize, what: &str) -> Result<Array, Refusal> {
    match args.get(k) {
        Some(Some(Arg::Const(a))) => Ok(a.clone()),
        Some(Some(Arg::Tensor(_))) => refuse(
            format!("its {what} is computed from the input; only shape computations on constants are folded"),
            "use Flatten or Reshape with a constant shape",
        ),
        _ => refuse(format!("its {what} is missing"), "give every input"),
    }
}

/// Binds the node's output to a constant.
pub(crate) fn bind(b: &mut Builder, node: &NodeProto, a: Array) -> Result<(), Refusal> {
    b.graph.folded_constants += 1;
    if let Some(o) = node.output.first() {
        b.values.insert(o.clone(), Value::Const(a));
    }
    Ok(())
}

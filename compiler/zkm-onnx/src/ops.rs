//! One translator per ONNX operator: attributes checked, constants folded (a bias `Add` into its
//! product, `BatchNormalization` into its convolution or dense layer), no-ops removed. A node
//! that cannot be translated is reported and its outputs poisoned, so translation goes on and
//! reports every unsupported node.

use tract_onnx::pb::NodeProto;

use crate::errors;
use crate::graph::{Builder, Op, Source, Value};
use crate::proto::{self, Array};
use crate::{consts, layers, shapes};

/// Why a node was refused: what is wrong and the closest supported alternative.
pub(crate) struct Refusal {
    pub(crate) what: String,
    pub(crate) instead: String,
}

/// A refusal with its alternative.
pub(crate) fn refuse<T>(what: impl Into<String>, instead: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        what: what.into(),
        instead: instead.into(),
    })
}

/// The outcome of reading a node's arguments: poisoned arguments stop translation silently.
pub(crate) enum Arg {
    Tensor(Source),
    Const(Array),
}

/// The operators translated here.
const SUPPORTED: &[&str] = &[
    "Identity",
    "Dropout",
    "Cast",
    "Constant",
    "Relu",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "MatMul",
    "Gemm",
    "Add",
    "Conv",
    "BatchNormalization",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "Flatten",
    "Reshape",
    "Shape",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
];

/// Translates node `i`, reporting it when it cannot be.
pub(crate) fn node(b: &mut Builder, i: usize, node: &NodeProto) {
    let args = match args(b, node) {
        Some(a) => a,
        None if SUPPORTED.contains(&node.op_type.as_str()) => return poison(b, node),
        // An unsupported operator after a refused node is reported too: every one is.
        None => vec![],
    };
    if let Err(r) = translate(b, node, args) {
        let name = if node.name.is_empty() {
            "(unnamed)"
        } else {
            &node.name
        };
        b.problems.push(errors::unsupported(
            i,
            name,
            &node.op_type,
            &r.what,
            &r.instead,
        ));
        poison(b, node);
    }
}

fn poison(b: &mut Builder, node: &NodeProto) {
    for o in &node.output {
        b.values.insert(o.clone(), Value::Poison);
    }
}

/// The node's arguments, or `None` when one is poisoned. An unknown name is a refusal later.
fn args(b: &Builder, node: &NodeProto) -> Option<Vec<Option<Arg>>> {
    let mut out = Vec::new();
    for name in &node.input {
        match b.values.get(name) {
            _ if name.is_empty() => out.push(None),
            Some(Value::Poison) => return None,
            Some(Value::Tensor(s)) => out.push(Some(Arg::Tensor(*s))),
            Some(Value::Const(a)) => out.push(Some(Arg::Const(a.clone()))),
            None => out.push(None),
        }
    }
    Some(out)
}

fn translate(b: &mut Builder, node: &NodeProto, args: Vec<Option<Arg>>) -> Result<(), Refusal> {
    if !node.domain.is_empty() && node.domain != "ai.onnx" {
        return refuse(
            format!("operator domain `{}` is not supported", node.domain),
            "export with the default ONNX domain only",
        );
    }
    match node.op_type.as_str() {
        "Identity" | "Dropout" => alias(b, node, &args),
        "Cast" => cast(b, node, &args),
        "Constant" => constant(b, node),
        "Relu" => unary(b, node, &args, Op::Relu),
        "Sigmoid" => unary(b, node, &args, Op::Sigmoid),
        "Tanh" => unary(b, node, &args, Op::Tanh),
        "Softmax" => shapes::softmax(b, node, &args),
        "MatMul" => layers::matmul(b, node, &args),
        "Gemm" => layers::gemm(b, node, &args),
        "Add" => layers::add(b, node, &args),
        "Conv" => layers::conv(b, node, &args),
        "BatchNormalization" => layers::batch_norm(b, node, &args),
        "MaxPool" | "AveragePool" => shapes::pool(b, node, &args),
        "GlobalAveragePool" => shapes::global_pool(b, node, &args),
        "Flatten" => shapes::flatten(b, node, &args),
        "Reshape" => shapes::reshape(b, node, &args),
        "Shape" => consts::shape(b, node, &args),
        "Gather" => consts::gather(b, node, &args),
        "Unsqueeze" | "Squeeze" => consts::squeeze(b, node, &args),
        "Concat" => consts::concat(b, node, &args),
        other => refuse(
            format!("operator {other} is not supported"),
            alternative(other),
        ),
    }
}

/// The closest supported alternative to an unsupported operator.
fn alternative(op: &str) -> String {
    let s = match op {
        "LeakyRelu" | "PRelu" | "Elu" | "Selu" | "Clip" | "HardSigmoid" | "HardSwish" => {
            "use Relu (or Sigmoid/Tanh, imported as lookup tables)"
        }
        "Gelu" | "Erf" | "Exp" => "use Sigmoid or Tanh (lookup tables); the language's `gelu` and `exp` tables can be written by hand",
        "Sub" | "Mul" | "Div" | "Sum" => "use Add of two tensors, or fold the constant into the preceding Gemm/Conv",
        "LogSoftmax" => "use Softmax, or drop it: the predicted class is the argmax of the logits",
        "ArgMax" => "drop it: the generated model outputs the argmax of the imported output as `class`",
        "Transpose" => "use Flatten or Reshape",
        "ConvTranspose" | "DepthwiseConv" => "use Conv with group = 1",
        "GlobalMaxPool" => "use MaxPool with the window equal to the input size",
        "LSTM" | "GRU" | "RNN" | "Attention" => "recurrent and attention layers are not supported yet",
        _ => "supported: Gemm, MatMul, Add, Relu, Conv, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, BatchNormalization, Sigmoid, Tanh, Softmax, Identity, Dropout; Shape, Gather, Unsqueeze, Squeeze and Concat on constants",
    };
    s.into()
}

/// Input `k` as a computed tensor.
pub(crate) fn tensor(args: &[Option<Arg>], k: usize, what: &str) -> Result<Source, Refusal> {
    match args.get(k) {
        Some(Some(Arg::Tensor(s))) => Ok(*s),
        Some(Some(Arg::Const(_))) => refuse(
            format!("its {what} is a constant; zkmc needs a computed tensor there"),
            "fold the constant away before exporting",
        ),
        _ => refuse(
            format!("its {what} is missing or computed by no earlier node"),
            "export a topologically sorted graph with every input defined",
        ),
    }
}

/// Input `k` as a constant (initializer or `Constant` node).
pub(crate) fn constant_arg(args: &[Option<Arg>], k: usize, what: &str) -> Result<Array, Refusal> {
    match args.get(k) {
        Some(Some(Arg::Const(a))) => Ok(a.clone()),
        Some(Some(Arg::Tensor(_))) => refuse(
            format!("its {what} is computed from the input; zkmc needs trained constants there"),
            "export the weights as initializers",
        ),
        _ => refuse(
            format!("its {what} is missing"),
            "export the weights as initializers",
        ),
    }
}

/// An optional constant input.
pub(crate) fn optional_const(
    args: &[Option<Arg>],
    k: usize,
    what: &str,
) -> Result<Option<Array>, Refusal> {
    match args.get(k) {
        None | Some(None) => Ok(None),
        _ => constant_arg(args, k, what).map(Some),
    }
}

fn alias(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    let s = tensor(args, 0, "input")?;
    if node.op_type == "Dropout" && node.output.len() > 1 && b.readers.contains_key(&node.output[1])
    {
        return refuse(
            "its mask output is read",
            "read only the Dropout's first output",
        );
    }
    b.graph
        .removed
        .push((node.op_type.clone(), node.name.clone()));
    if let Some(o) = node.output.first() {
        b.values.insert(o.clone(), Value::Tensor(s));
    }
    Ok(())
}

fn cast(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>]) -> Result<(), Refusal> {
    let to = proto::int_attr(node, "to", 0).map_err(|e| Refusal {
        what: e,
        instead: String::new(),
    })?;
    if !proto::is_float(to as i32) {
        return refuse(
            format!("it casts to element type {to}, not to float"),
            "zkmc imports float computations; drop the cast",
        );
    }
    alias(b, node, args)
}

fn constant(b: &mut Builder, node: &NodeProto) -> Result<(), Refusal> {
    let Some(t) = proto::attr(node, "value").and_then(|a| a.t.as_ref()) else {
        return refuse("it has no tensor `value`", "use an initializer instead");
    };
    let a = proto::array(t).map_err(|e| Refusal {
        what: format!("its value {e}"),
        instead: "use a float or int64 tensor stored in the file".into(),
    })?;
    consts::bind(b, node, a)
}

fn unary(b: &mut Builder, node: &NodeProto, args: &[Option<Arg>], op: Op) -> Result<(), Refusal> {
    let s = tensor(args, 0, "input")?;
    let shape = b.graph.shape(s).to_vec();
    b.push(node, op, vec![s], shape);
    Ok(())
}

/// An attribute error as a refusal.
pub(crate) fn attr_error(e: String) -> Refusal {
    Refusal {
        what: e,
        instead: "export with the operator's documented attribute types".into(),
    }
}

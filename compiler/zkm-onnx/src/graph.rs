//! The imported graph: the ONNX nodes that compute the chosen output, translated to the
//! language's operations (one [`Layer`] per kept node, with folded nodes recorded), batch
//! dimension removed.

use std::collections::{HashMap, HashSet};

use tract_onnx::pb;

use crate::errors::{self, Problem};
use crate::ops;
use crate::proto::{self, Array, Dim};

/// Where a layer's argument comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The graph's input.
    Input,
    /// The output of layer `i`.
    Layer(usize),
}

/// An operation of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `x @ w + b` with `w: [in, out]`.
    Dense {
        /// Weights, `[in, out]`.
        w: Array,
        /// Bias, `[out]`.
        b: Vec<f64>,
    },
    /// `conv2d(x, k, b, stride, padding)`.
    Conv {
        /// Kernel `[CO, CI, K, K]`.
        k: Array,
        /// Bias `[CO]`.
        b: Vec<f64>,
        /// Stride.
        stride: usize,
        /// Zero padding on every side.
        pad: usize,
    },
    /// `relu(x)`.
    Relu,
    /// `sigmoid(x)`.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
    /// `softmax(x)` over a vector.
    Softmax,
    /// `max_pool2d(x, k)`.
    MaxPool(usize),
    /// `avg_pool2d(x, k)`.
    AvgPool(usize),
    /// `flatten(x)` or `reshape(x, shape)` (the layer's shape).
    Reshape,
    /// The sum of two tensors of one shape.
    Add,
}

/// One operation of the imported model.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The `let` name (from the first ONNX node's name).
    pub name: String,
    /// The ONNX nodes it stands for: `(op type, node name)`, first the one that made it.
    pub nodes: Vec<(String, String)>,
    /// The operation.
    pub op: Op,
    /// Its arguments.
    pub args: Vec<Source>,
    /// Its output shape (no batch dimension).
    pub shape: Vec<usize>,
}

/// An ONNX graph in the language's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The ONNX input's name.
    pub input_name: String,
    /// The input's shape without the batch dimension.
    pub input_shape: Vec<usize>,
    /// True when the ONNX input has a leading batch dimension (removed here).
    pub batched: bool,
    /// The layers in order.
    pub layers: Vec<Layer>,
    /// The imported output.
    pub output: Source,
    /// The ONNX output's name.
    pub output_name: String,
    /// Outputs left out (not float tensors, or not the first float one).
    pub dropped_outputs: Vec<String>,
    /// Nodes that compute only left-out outputs, or nothing (`op name` pairs).
    pub unused_nodes: Vec<(String, String)>,
    /// Nodes removed as no-ops (Identity, Dropout, float-to-float Cast).
    pub removed: Vec<(String, String)>,
    /// Nodes computed at import time (Constant, and shape computations on constants).
    pub folded_constants: usize,
    /// `producer name version, opset N` for the header comment.
    pub producer: String,
}

impl Graph {
    /// The shape of `s`.
    pub fn shape(&self, s: Source) -> &[usize] {
        match s {
            Source::Input => &self.input_shape,
            Source::Layer(i) => &self.layers[i].shape,
        }
    }
}

/// What translation knows about one ONNX value.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    /// A computed tensor.
    Tensor(Source),
    /// A constant (initializer or `Constant` node).
    Const(Array),
    /// The output of a node that could not be translated (already reported).
    Poison,
}

/// Translation state shared by the op translators.
#[derive(Debug)]
pub(crate) struct Builder {
    pub(crate) graph: Graph,
    pub(crate) values: HashMap<String, Value>,
    /// How many live nodes (and graph outputs) read each value.
    pub(crate) readers: HashMap<String, usize>,
    pub(crate) problems: Vec<Problem>,
    pub(crate) opset: i64,
    names: HashSet<String>,
}

/// Translates a decoded model.
///
/// # Errors
/// Every problem found: unsupported nodes (all of them), bad tensors, unusable inputs/outputs.
pub fn translate(model: &pb::ModelProto) -> Result<Graph, Vec<Problem>> {
    let Some(g) = model.graph.as_ref() else {
        return Err(vec![errors::bad_onnx("the model has no graph".into())]);
    };
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(1, |o| o.version);
    let who = [model.producer_name.trim(), model.producer_version.trim()];
    let who: Vec<&str> = who.into_iter().filter(|w| !w.is_empty()).collect();
    let producer = match who.is_empty() {
        true => format!("opset {opset}"),
        false => format!("{}, opset {opset}", who.join(" ")),
    };
    let mut b = Builder::new(g, opset, producer).map_err(|p| vec![p])?;
    let output_name = b.pick_output(g).map_err(|p| vec![p])?;
    let input_name = b.graph.input_name.clone();
    b.reserve(&input_name);
    b.reserve(&output_name);
    let live = live_nodes(g, &output_name);
    b.count_readers(g, &live, &output_name);
    for (i, node) in g.node.iter().enumerate() {
        if !live.contains(&i) {
            b.graph
                .unused_nodes
                .push((node.op_type.clone(), node.name.clone()));
            continue;
        }
        ops::node(&mut b, i, node);
    }
    match b.values.get(&output_name) {
        Some(Value::Tensor(s)) if b.problems.is_empty() => {
            b.graph.output = *s;
            b.graph.output_name = output_name;
            Ok(b.graph)
        }
        Some(Value::Tensor(_) | Value::Poison) => Err(b.problems),
        Some(Value::Const(_)) => {
            b.problems.push(errors::graph(format!(
                "output `{output_name}` is a constant: it does not depend on the input"
            )));
            Err(b.problems)
        }
        None => {
            b.problems.push(errors::graph(format!(
                "no node computes output `{output_name}`"
            )));
            Err(b.problems)
        }
    }
}

/// The indices of the nodes the output depends on.
pub(crate) fn live_nodes(g: &pb::GraphProto, output: &str) -> HashSet<usize> {
    let producer: HashMap<&str, usize> = g
        .node
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.output.iter().map(move |o| (o.as_str(), i)))
        .collect();
    let mut live = HashSet::new();
    let mut stack = vec![output];
    while let Some(v) = stack.pop() {
        if let Some(&i) = producer.get(v) {
            if live.insert(i) {
                stack.extend(g.node[i].input.iter().map(String::as_str));
            }
        }
    }
    live
}

impl Builder {
    fn new(g: &pb::GraphProto, opset: i64, producer: String) -> Result<Self, Problem> {
        let mut values = HashMap::new();
        for t in &g.initializer {
            let a = proto::array(t).map_err(|e| errors::bad_tensor(&t.name, e))?;
            values.insert(t.name.clone(), Value::Const(a));
        }
        let inputs: Vec<&pb::ValueInfoProto> = g
            .input
            .iter()
            .filter(|v| !values.contains_key(&v.name))
            .collect();
        let [input] = inputs[..] else {
            let names: Vec<String> = inputs.iter().map(|v| format!("`{}`", v.name)).collect();
            return Err(errors::graph(format!(
                "the graph has {} inputs ({}); zkmc imports models with exactly one input",
                inputs.len(),
                names.join(", ")
            )));
        };
        let (input_shape, batched) = input_shape(input)?;
        values.insert(input.name.clone(), Value::Tensor(Source::Input));
        let graph = Graph {
            input_name: input.name.clone(),
            input_shape,
            batched,
            layers: Vec::new(),
            output: Source::Input,
            output_name: String::new(),
            dropped_outputs: Vec::new(),
            unused_nodes: Vec::new(),
            removed: Vec::new(),
            folded_constants: 0,
            producer,
        };
        Ok(Builder {
            graph,
            values,
            readers: HashMap::new(),
            problems: Vec::new(),
            opset,
            names: HashSet::new(),
        })
    }

    /// The first float output; the others are recorded as dropped.
    fn pick_output(&mut self, g: &pb::GraphProto) -> Result<String, Problem> {
        let float =
            |v: &pb::ValueInfoProto| proto::value_type(v).is_some_and(|(t, _)| proto::is_float(t));
        let Some(i) = g.output.iter().position(float) else {
            return Err(errors::graph(
                "the graph has no float output (zkmc proves a model's float result)".into(),
            ));
        };
        for (j, o) in g.output.iter().enumerate() {
            if j != i {
                self.graph.dropped_outputs.push(o.name.clone());
            }
        }
        Ok(g.output[i].name.clone())
    }

    fn count_readers(&mut self, g: &pb::GraphProto, live: &HashSet<usize>, output: &str) {
        // `Shape` reads a tensor's dimensions, not its values: it does not stop a fold.
        for i in live.iter().filter(|&&i| g.node[i].op_type != "Shape") {
            for v in &g.node[*i].input {
                *self.readers.entry(v.clone()).or_default() += 1;
            }
        }
        *self.readers.entry(output.into()).or_default() += 1;
    }

    /// Adds a layer and binds `output` to it.
    pub(crate) fn push(
        &mut self,
        node: &pb::NodeProto,
        op: Op,
        args: Vec<Source>,
        shape: Vec<usize>,
    ) {
        let name = self.fresh_name(&node.name, &node.op_type);
        self.graph.layers.push(Layer {
            name,
            nodes: vec![(node.op_type.clone(), node.name.clone())],
            op,
            args,
            shape,
        });
        let s = Source::Layer(self.graph.layers.len() - 1);
        if let Some(o) = node.output.first() {
            self.values.insert(o.clone(), Value::Tensor(s));
        }
    }

    /// A unique identifier for a layer named `name` (or after its op when unnamed).
    fn fresh_name(&mut self, name: &str, op: &str) -> String {
        let base = crate::names::identifier(if name.is_empty() { op } else { name });
        let mut candidate = base.clone();
        let mut n = 1;
        let taken = |names: &HashSet<String>, c: &str| {
            [c.to_string(), format!("{c}_w"), format!("{c}_b")]
                .iter()
                .any(|x| names.contains(x))
        };
        while taken(&self.names, &candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        for x in [
            candidate.clone(),
            format!("{candidate}_w"),
            format!("{candidate}_b"),
        ] {
            self.names.insert(x);
        }
        candidate
    }

    /// Reserves the identifier of `name` so no layer takes it (the input and the output).
    fn reserve(&mut self, name: &str) {
        self.names.insert(crate::names::identifier(name));
    }
}

/// The input's shape with its batch dimension removed.
fn input_shape(v: &pb::ValueInfoProto) -> Result<(Vec<usize>, bool), Problem> {
    let Some((elem, dims)) = proto::value_type(v) else {
        return Err(errors::graph(format!("input `{}` is not a tensor", v.name)));
    };
    if !proto::is_float(elem) {
        return Err(errors::graph(format!(
            "input `{}` is not a float tensor (element type {elem})",
            v.name
        )));
    }
    let batched = dims.len() >= 2;
    if batched {
        if let Dim::Fixed(n) = dims[0] {
            if n != 1 {
                return Err(errors::graph(format!(
                    "input `{}` has a batch of {n}; zkmc proves one sample at a time (export with batch size 1 or a symbolic batch)",
                    v.name
                )));
            }
        }
    }
    let rest = &dims[usize::from(batched)..];
    let mut shape = Vec::new();
    for (i, d) in rest.iter().enumerate() {
        match d {
            Dim::Fixed(n) if *n >= 1 => shape.push(*n as usize),
            _ => {
                return Err(errors::graph(format!(
                    "dimension {} of input `{}` is not a fixed size ({d:?}); export the model with a fixed input shape",
                    i + usize::from(batched),
                    v.name
                )))
            }
        }
    }
    if shape.is_empty()
        || shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .is_none_or(|n| n > proto::MAX_ELEMENTS)
    {
        return Err(errors::graph(format!(
            "input `{}` has shape {shape:?}: zkmc needs 1 to 2^24 elements",
            v.name
        )));
    }
    Ok((shape, batched))
}

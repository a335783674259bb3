//! The generated files: the `.zkm` model (one `let` per kept ONNX node, named after it, with a
//! comment naming the nodes it stands for), the weights as safetensors and a sample input.

use std::fmt::Write as _;

use safetensors::tensor::{Dtype, TensorView};
use serde_json::Value as Json;

use crate::calibrate::{Calibration, Fixed};
use crate::errors::Problem;
use crate::graph::{Graph, Layer, Op, Source};
use crate::names::{identifier, shown};
use zkm_diagnostics::Diagnostic;

/// Who sees the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Part of the statement: the verifier reads them.
    #[default]
    Public,
    /// Hidden by the zero-knowledge proof.
    Private,
    /// Hidden, with a public digest in the statement.
    Committed,
}

impl Visibility {
    fn keyword(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Committed => "committed",
        }
    }
}

/// The declared names of the generated model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// The model.
    pub model: String,
    /// The input.
    pub input: String,
    /// The imported output.
    pub output: String,
    /// The predicted class (`argmax` of a vector output), when there is one.
    pub class: Option<String>,
}

impl Names {
    /// The names for `g` in a model called `model`.
    pub fn of(g: &Graph, model: &str) -> Self {
        let out_len: usize = g.shape(g.output).iter().product();
        Names {
            model: identifier(model),
            input: identifier(&g.input_name),
            output: identifier(&g.output_name),
            class: (g.shape(g.output).len() == 1 && out_len >= 2).then(|| "class".into()),
        }
    }
}

/// The `.zkm` source.
pub fn model(g: &Graph, cal: &Calibration, names: &Names, vis: Visibility, origin: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "//! Imported from `{}` by `zkmc import` ({}).",
        shown(origin),
        shown(g.producer.trim())
    );
    let _ = writeln!(s, "//! Types calibrated {}.", calibrated_on(cal));
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "/// The ONNX graph's output `{}`.",
        shown(&g.output_name)
    );
    let _ = writeln!(s, "model {} {{", names.model);
    let batch = if g.batched {
        ", batch dimension removed"
    } else {
        ""
    };
    let _ = writeln!(s, "    /// ONNX input `{}`{batch}.", shown(&g.input_name));
    let _ = writeln!(
        s,
        "    private input {}: {}{};",
        names.input,
        cal.input.ty,
        dims(&g.input_shape)
    );
    for (i, layer) in g.layers.iter().enumerate() {
        declare_params(&mut s, layer, cal, i, vis);
    }
    let out_ty = cal.of(g.output);
    let _ = writeln!(s, "    /// ONNX output `{}`.", shown(&g.output_name));
    let _ = writeln!(
        s,
        "    public output {}: {}{};",
        names.output,
        out_ty,
        dims(g.shape(g.output))
    );
    if let Some(class) = &names.class {
        let len: usize = g.shape(g.output).iter().product();
        let bits = if len <= 127 { 8 } else { 32 };
        let _ = writeln!(s, "    /// The index of the largest output.");
        let _ = writeln!(s, "    public output {class}: int<{bits}>;");
    }
    let _ = writeln!(s);
    for (i, layer) in g.layers.iter().enumerate() {
        let nodes: Vec<String> = layer
            .nodes
            .iter()
            .map(|(op, n)| format!("{} `{}`", shown(op), shown(n)))
            .collect();
        let _ = writeln!(s, "    // {}", nodes.join(" + "));
        let _ = writeln!(s, "    let {} = {};", layer.name, expr(g, cal, names, i));
    }
    let _ = writeln!(
        s,
        "    {} = {};",
        names.output,
        source_name(g, names, g.output)
    );
    if let Some(class) = &names.class {
        let _ = writeln!(s, "    {class} = argmax({});", names.output);
    }
    s.push_str("}\n");
    s
}

fn calibrated_on(cal: &Calibration) -> String {
    match cal.samples {
        0 => "from the weights alone (input assumed within ±1)".into(),
        n => format!("on {n} sample input{}", if n == 1 { "" } else { "s" }),
    }
}

fn dims(shape: &[usize]) -> String {
    let d: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", d.join(", "))
}

/// The parameter names of a product layer.
pub fn param_names(layer: &Layer) -> (String, String) {
    (format!("{}_w", layer.name), format!("{}_b", layer.name))
}

fn declare_params(s: &mut String, layer: &Layer, cal: &Calibration, i: usize, vis: Visibility) {
    let Some(wt) = cal.layers[i].weights else {
        return;
    };
    let (w, b, layout) = match &layer.op {
        Op::Dense { w, b } => (w, b, "[inputs, outputs]"),
        Op::Conv { k, b, .. } => (k, b, "[out channels, in channels, height, width]"),
        _ => return,
    };
    let (wn, bn) = param_names(layer);
    let v = vis.keyword();
    let _ = writeln!(s, "    /// `{}` weights, {layout}.", layer.name);
    let _ = writeln!(s, "    {v} param {wn}: {}{};", wt.w, dims(&w.shape));
    let _ = writeln!(
        s,
        "    /// `{}` bias, at the scale of its product.",
        layer.name
    );
    let _ = writeln!(s, "    {v} param {bn}: {}[{}];", wt.b, b.len());
}

fn source_name(g: &Graph, names: &Names, s: Source) -> String {
    match s {
        Source::Input => names.input.clone(),
        Source::Layer(i) => g.layers[i].name.clone(),
    }
}

fn expr(g: &Graph, cal: &Calibration, names: &Names, i: usize) -> String {
    let layer = &g.layers[i];
    let arg = |k: usize| source_name(g, names, layer.args[k]);
    let ty = cal.layers[i].ty;
    let (wn, bn) = param_names(layer);
    match &layer.op {
        Op::Dense { .. } => format!("rescale_clamp({} @ {wn} + {bn}, {ty})", arg(0)),
        Op::Conv { stride, pad, .. } => {
            format!(
                "rescale_clamp(conv2d({}, {wn}, {bn}, {stride}, {pad}), {ty})",
                arg(0)
            )
        }
        Op::Relu => format!("relu({})", arg(0)),
        Op::Sigmoid => format!("sigmoid({})", table_arg(arg(0), cal.of(layer.args[0]), 4)),
        Op::Tanh => format!("tanh({})", table_arg(arg(0), cal.of(layer.args[0]), 4)),
        Op::Softmax => format!("softmax({})", table_arg(arg(0), cal.of(layer.args[0]), 9)),
        Op::MaxPool(k) => format!("max_pool2d({}, {k})", arg(0)),
        Op::AvgPool(k) if !k.is_power_of_two() => format!("avg_pool2d({}, {k})", arg(0)),
        Op::AvgPool(k) => format!(
            "rescale(avg_pool2d({}, {k}), {})",
            arg(0),
            cal.of(layer.args[0])
        ),
        Op::Reshape if layer.shape.len() == 1 => format!("flatten({})", arg(0)),
        Op::Reshape => format!("reshape({}, {})", arg(0), dims(&layer.shape)),
        Op::Add => {
            let (a, b) = (cal.of(layer.args[0]), cal.of(layer.args[1]));
            let common = Fixed {
                bits: 16,
                frac: a.frac.min(b.frac),
            };
            let side = |k: usize, t: Fixed| match t.frac == common.frac {
                true => arg(k),
                false => format!("rescale({}, {common})", arg(k)),
            };
            format!("rescale_clamp({} + {}, {ty})", side(0, a), side(1, b))
        }
    }
}

/// A table function's argument, saturated to `±2^limit` when its type reaches further: the
/// compiler's tables hold at most 4096 entries, so an input spanning more integer values than
/// that cannot be tabulated. `sigmoid` and `tanh` are within half an output unit of their limits
/// beyond ±16 (`limit` 4); `softmax` (`limit` 9) changes only for logits beyond ±512, which
/// `zkmc eval` counts as clamped.
fn table_arg(name: String, ty: Fixed, limit: u32) -> String {
    if ty.bits <= ty.frac + 1 + limit {
        return name;
    }
    let bounded = Fixed {
        bits: ty.frac + 1 + limit,
        frac: ty.frac,
    };
    format!("rescale_clamp({name}, {bounded})")
}

/// The weights as a safetensors file (`f32`, the parameter names of [`model`]).
///
/// # Errors
/// Only if the safetensors writer refuses a tensor (its byte length always matches its shape).
pub fn weights(g: &Graph) -> Result<Vec<u8>, Problem> {
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for layer in &g.layers {
        let (w, b) = match &layer.op {
            Op::Dense { w, b } | Op::Conv { k: w, b, .. } => (w, b),
            _ => continue,
        };
        let (wn, bn) = param_names(layer);
        tensors.push((wn, w.shape.clone(), f32_bytes(&w.data)));
        tensors.push((bn, vec![b.len()], f32_bytes(b)));
    }
    let fail =
        |e: safetensors::SafeTensorError| Diagnostic::bug(format!("writing the weights: {e}"));
    let mut views = Vec::with_capacity(tensors.len());
    for (n, shape, bytes) in &tensors {
        views.push((
            n.clone(),
            TensorView::new(Dtype::F32, shape.clone(), bytes).map_err(fail)?,
        ));
    }
    safetensors::tensor::serialize(views, None).map_err(fail)
}

fn f32_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect()
}

/// A sample input file: `{"<input>": nested values}`.
pub fn input_json(g: &Graph, names: &Names, sample: &[f64]) -> String {
    let mut map = serde_json::Map::new();
    map.insert(names.input.clone(), nested(&g.input_shape, sample));
    let mut text = serde_json::to_string(&Json::Object(map)).unwrap_or_default();
    text.push('\n');
    text
}

fn nested(shape: &[usize], values: &[f64]) -> Json {
    match shape {
        [] | [_] => Json::Array(values.iter().map(|v| Json::from(*v)).collect()),
        [_, rest @ ..] => {
            let inner: usize = rest.iter().product();
            Json::Array(
                values
                    .chunks(inner.max(1))
                    .map(|c| nested(rest, c))
                    .collect(),
            )
        }
    }
}

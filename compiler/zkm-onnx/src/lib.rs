//! ONNX import: an ONNX model becomes a readable `.zkm` model, a safetensors weights file and a
//! sample input, with every fixed-point type calibrated from the weights and sample data.
//!
//! `proto` reads the protobuf (through `tract-onnx`), `graph`/`ops`/`layers` translate the nodes
//! the output depends on, `float` evaluates the result in `f64`, `calibrate` picks the types,
//! `emit` writes the files and `report` the summary. Nothing here does IO: bytes and strings in,
//! strings and bytes out. `spec/onnx-import.md` is the user-facing description.

pub mod calibrate;
mod consts;
pub mod emit;
pub mod errors;
pub mod float;
pub mod graph;
mod layers;
pub mod names;
mod ops;
pub mod proto;
pub mod reference;
pub mod report;
pub mod samples;
mod shapes;

pub use emit::{Names, Visibility};
pub use errors::Problem;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The model's name (the `.onnx` file's stem).
    pub model: String,
    /// The file name, for the generated header.
    pub origin: String,
    /// The weights' visibility.
    pub weights: Visibility,
    /// Calibration data (JSON text), if any.
    pub calibration: Option<String>,
}

/// The generated files and what to tell the user.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The `.zkm` source.
    pub source: String,
    /// The weights, safetensors.
    pub weights: Vec<u8>,
    /// A sample input (the first calibration sample, or zeros).
    pub input: String,
    /// The summary and calibration table.
    pub report: String,
    /// The declared names.
    pub names: Names,
    /// The translated graph.
    pub graph: graph::Graph,
    /// The chosen types.
    pub calibration: calibrate::Calibration,
}

/// Imports the ONNX model in `bytes`.
///
/// # Errors
/// Every problem found: an unreadable model, every unsupported node, unusable inputs or outputs,
/// bad calibration data.
pub fn import(bytes: &[u8], opts: &Options) -> Result<Imported, Vec<Problem>> {
    let model = proto::decode(bytes).map_err(|p| vec![p])?;
    let graph = graph::translate(&model)?;
    let names = Names::of(&graph, &opts.model);
    let len: usize = graph.input_shape.iter().product();
    let samples = match &opts.calibration {
        Some(text) => {
            samples::parse(text, &[&names.input, &graph.input_name], len).map_err(|p| vec![p])?
        }
        None => Vec::new(),
    };
    let calibration = calibrate::calibrate(&graph, &samples).map_err(|p| vec![p])?;
    let zeros = vec![0.0; len];
    let sample = samples.first().unwrap_or(&zeros);
    Ok(Imported {
        source: emit::model(&graph, &calibration, &names, opts.weights, &opts.origin),
        weights: emit::weights(&graph).map_err(|p| vec![p])?,
        input: emit::input_json(&graph, &names, sample),
        report: report::text(&graph, &calibration, &names),
        names,
        graph,
        calibration,
    })
}

//! The float reference: the original ONNX graph run by `tract` (a maintained ONNX runtime), pruned
//! to the nodes the imported output needs, so `zkmc eval` compares the quantized model with the
//! model the user exported rather than with zkmc's own reading of it.

use std::sync::Arc;

use tract_onnx::prelude::*;

use crate::errors::{self, Problem};
use crate::graph;
use crate::proto;

/// A runnable float model and its input shape (batch of 1 included when the graph has one).
#[derive(Debug)]
pub struct Reference {
    plan: Arc<TypedRunnableModel>,
    shape: Vec<usize>,
    /// The ONNX output it computes.
    pub output: String,
}

impl Reference {
    /// Loads `bytes` for float evaluation.
    ///
    /// # Errors
    /// A model the importer refuses, or one `tract` cannot load.
    pub fn new(bytes: &[u8]) -> Result<Self, Vec<Problem>> {
        let mut model = proto::decode(bytes).map_err(|p| vec![p])?;
        let g = graph::translate(&model)?;
        if let Some(gp) = model.graph.as_mut() {
            let live = graph::live_nodes(gp, &g.output_name);
            let nodes = std::mem::take(&mut gp.node);
            gp.node = nodes
                .into_iter()
                .enumerate()
                .filter(|(i, _)| live.contains(i))
                .map(|(_, n)| n)
                .collect();
            gp.output.retain(|o| o.name == g.output_name);
        }
        let mut shape = g.input_shape.clone();
        if g.batched {
            shape.insert(0, 1);
        }
        let plan = tract_onnx::onnx()
            .model_for_proto_model(&model)
            .and_then(|m| m.with_input_fact(0, f32::fact(&shape).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| vec![failed(&e)])?;
        Ok(Reference {
            plan,
            shape,
            output: g.output_name,
        })
    }

    /// The output for one input sample (row-major, batch removed).
    ///
    /// # Errors
    /// When `tract` fails on the sample.
    pub fn run(&self, x: &[f64]) -> Result<Vec<f64>, Problem> {
        let data: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let run = || -> TractResult<Vec<f64>> {
            let t = Tensor::from_shape(&self.shape, &data)?;
            let out = self.plan.run(tvec!(t.into()))?;
            let first = out.first().ok_or_else(|| TractError::msg("no output"))?;
            let v = first.cast_to::<f64>()?;
            Ok(v.to_plain_array_view::<f64>()?.iter().copied().collect())
        };
        run().map_err(|e| failed(&e))
    }
}

fn failed(e: &TractError) -> Problem {
    errors::bad_onnx(format!(
        "the ONNX runtime (tract) cannot run the model: {}",
        e.root_cause()
    ))
}

//! `zkmc eval MODEL --data DATA [--onnx MODEL.onnx]`: runs the quantized model (the witness the
//! prover would use) over a dataset and reports top-1 agreement and output error against the
//! float model run by `tract`, and how many values each saturating rescale clamped.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value as Json;
use zkm_air::{Artifact, DeclKind, OutputKind, Trace};
use zkm_diagnostics::{codes, Diagnostic};
use zkm_runtime::files;

use crate::cli::EvalCommand;
use crate::common::{out, read_file, report, shown, EXIT_OK, EXIT_USER};
use crate::pipeline::{compile, input_error, outputs, weights_path};

/// One sample's quantized result.
struct Sample {
    /// The first non-class output, as reals.
    output: Vec<f64>,
    /// Per saturating rescale: its output tensor, the clamped elements and all elements.
    clamped: Vec<(zkm_air::TensorId, usize, usize)>,
}

/// A sample's quantized result and, with `--onnx`, the float output.
type Evaluated = (Sample, Option<Vec<f64>>);

/// Runs the command and returns the exit code.
pub fn run(cmd: &EvalCommand) -> i32 {
    let (sources, artifact) = match compile(&cmd.model) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fail = |d: Diagnostic| report(&sources, &[d]).max(EXIT_USER);
    let program = &artifact.program;
    let weights = weights_path(&cmd.model, &cmd.weights);
    let map = match zkm_runtime::weights::read(program, &weights) {
        Ok(m) => m,
        Err(e) => return fail(input_error(e).with_note(format!("in {}", shown(&weights)))),
    };
    let texts = match read_samples(&cmd.data) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let reference = match cmd.onnx.as_deref().map(load_reference).transpose() {
        Ok(r) => r,
        Err(ds) => return report(&sources, &ds).max(EXIT_USER),
    };
    let params = match parameters(program, map, &texts[0]) {
        Ok(p) => p,
        Err(d) => {
            return fail(Diagnostic {
                message: format!("sample 0: {}", d.message),
                ..d
            })
        }
    };
    let bar = progress(texts.len());
    let results: Vec<Result<Evaluated, Diagnostic>> = texts
        .par_iter()
        .enumerate()
        .map(|(i, text)| {
            let r = one(&artifact, &params, text, reference.as_ref()).map_err(|d| Diagnostic {
                message: format!("sample {i}: {}", d.message),
                ..d
            });
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut done = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(x) => done.push(x),
            Err(d) => return fail(d),
        }
    }
    let label = |name: &str, loc: &zkm_air::Loc| {
        bound_name(&sources, loc).unwrap_or_else(|| name.to_string())
    };
    let t = tally(&artifact, &done, &label);
    match cmd.json {
        true => print_json(&t),
        false => print_text(cmd, &artifact, &t),
    }
    EXIT_OK
}

fn progress(n: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(n as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} samples ({eta})")
    {
        bar.set_style(style);
    }
    bar
}

/// The samples as separate input JSON texts: an array's elements, EZKL rows one by one, or the
/// one input object.
fn read_samples(path: &Path) -> Result<Vec<String>, Diagnostic> {
    let bytes = read_file(path, files::DATA_LIMIT)?;
    let bad =
        |what: String| Diagnostic::error(codes::BAD_INPUT, format!("`{}`: {what}", shown(path)));
    let json: Json =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let texts: Vec<String> = match &json {
        Json::Array(items) => items.iter().map(Json::to_string).collect(),
        Json::Object(m) if m.len() == 1 && matches!(m.get("input_data"), Some(Json::Array(_))) => {
            let rows = m["input_data"].as_array().map_or(&[][..], |v| v.as_slice());
            rows.iter()
                .map(|r| serde_json::json!({ "input_data": [r] }).to_string())
                .collect()
        }
        _ => vec![json.to_string()],
    };
    if texts.is_empty() {
        return Err(bad("holds no samples".into()));
    }
    Ok(texts)
}

fn load_reference(path: &Path) -> Result<zkm_onnx::reference::Reference, Vec<Diagnostic>> {
    let bytes = read_file(path, files::DATA_LIMIT).map_err(|d| vec![d])?;
    zkm_onnx::reference::Reference::new(&bytes)
}

/// The quantized output of one sample and, with a reference, the float one. `params` holds the
/// parameters (quantized once, with the nonces of committed declarations).
fn one(
    artifact: &Artifact,
    params: &zkm_air::Inputs,
    text: &str,
    reference: Option<&zkm_onnx::reference::Reference>,
) -> Result<Evaluated, Diagnostic> {
    let program = &artifact.program;
    let (reals, codes) = zkm_runtime::inputs::load_inputs(program, text).map_err(input_error)?;
    let mut inputs = params.clone();
    inputs.values.extend(codes);
    let trace = zkm_air::witness::generate(program, &inputs)
        .map_err(|e| Diagnostic::error(codes::BAD_INPUT, e.to_string()))?;
    let sample = quantized(artifact, &trace);
    let Some(r) = reference else {
        return Ok((sample, None));
    };
    let input = program.decls.iter().find(|d| d.kind == DeclKind::Input);
    let x = input.and_then(|d| reals.get(&d.name)).ok_or_else(|| {
        Diagnostic::error(
            codes::BAD_INPUT,
            "the model has no input to compare".to_string(),
        )
    })?;
    let float = r.run(x)?;
    if float.len() != sample.output.len() {
        return Err(Diagnostic::error(
            codes::BAD_INPUT,
            format!(
                "the ONNX model's output `{}` has {} values, the model's {}",
                r.output,
                float.len(),
                sample.output.len()
            ),
        ));
    }
    Ok((sample, Some(float)))
}

/// The parameters, quantized once (the inputs of `first` are dropped again), and a nonce of 0
/// for every committed declaration: eval fills traces and checks nothing against a digest.
fn parameters(
    program: &zkm_air::AirProgram,
    map: BTreeMap<String, Vec<f64>>,
    first: &str,
) -> Result<zkm_air::Inputs, Diagnostic> {
    let mut loaded = zkm_runtime::inputs::load_with(program, first, map).map_err(input_error)?;
    for d in program.decls.iter() {
        if d.kind == DeclKind::Input {
            loaded.inputs.values.remove(&d.name);
        }
        if d.visibility == zkm_air::Visibility::Committed {
            loaded.inputs.nonces.insert(d.name.clone(), 0);
        }
    }
    Ok(loaded.inputs)
}

fn quantized(artifact: &Artifact, trace: &Trace) -> Sample {
    let program = &artifact.program;
    let values = outputs(artifact, &trace.public);
    let output = values
        .iter()
        .find(|v| v.output != Some(OutputKind::Class))
        .map_or(Vec::new(), |v| v.reals());
    let clamped = program
        .gadgets
        .iter()
        .filter_map(|g| g.saturated(&trace.tensors))
        .map(|(t, n)| {
            let len = program
                .tensors
                .get(t.index())
                .map_or(0, |i| i.shape.iter().product());
            (t, n, len)
        })
        .collect();
    Sample { output, clamped }
}

fn argmax(v: &[f64]) -> usize {
    (0..v.len()).fold(0, |best, i| if v[i] > v[best] { i } else { best })
}

/// The name a `let` or an output assignment gives the value at `loc` (`h1` in
/// `let h1 = rescale_clamp(...)`), read from the model's source when there is one.
fn bound_name(sources: &zkm_diagnostics::SourceMap, loc: &zkm_air::Loc) -> Option<String> {
    if loc.file as usize >= sources.len() {
        return None;
    }
    let text = sources.text(zkm_diagnostics::FileId(loc.file));
    let start = text
        .get(..loc.start as usize)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text.get(start..loc.start as usize)?.trim_start();
    let line = line.strip_prefix("let ").unwrap_or(line);
    let (name, rest) = line.split_once('=')?;
    let name = name.trim();
    let ident = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ident && rest.trim().is_empty()).then(|| name.to_string())
}

/// What `eval` reports.
struct Tally {
    samples: usize,
    /// With `--onnx`: `(agreeing samples, max error, mean error)`.
    reference: Option<(usize, f64, f64)>,
    /// Predicted classes and their counts.
    classes: BTreeMap<usize, usize>,
    /// Per saturating rescale: its name, line, clamped and total elements.
    clamps: Vec<(String, u32, usize, usize)>,
}

fn tally(
    artifact: &Artifact,
    done: &[Evaluated],
    label: &dyn Fn(&str, &zkm_air::Loc) -> String,
) -> Tally {
    let pairs: Vec<(&[f64], &[f64])> = done
        .iter()
        .filter_map(|(s, f)| f.as_deref().map(|f| (s.output.as_slice(), f)))
        .collect();
    let reference = (!pairs.is_empty()).then(|| {
        let agree = pairs.iter().filter(|(q, f)| argmax(q) == argmax(f)).count();
        let errors: Vec<f64> = pairs
            .iter()
            .flat_map(|(q, f)| q.iter().zip(f.iter()).map(|(a, b)| (a - b).abs()))
            .collect();
        let max = errors.iter().fold(0.0f64, |m, &e| m.max(e));
        let mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64;
        (agree, max, mean)
    });
    let mut classes = BTreeMap::new();
    for (s, _) in done {
        *classes.entry(argmax(&s.output)).or_insert(0usize) += 1;
    }
    // Every sample runs the same gadgets, in the same order.
    let mut totals: Vec<(zkm_air::TensorId, usize, usize)> = Vec::new();
    for (s, _) in done {
        for (i, &(t, k, len)) in s.clamped.iter().enumerate() {
            match totals.get_mut(i) {
                Some(total) => (total.1, total.2) = (total.1 + k, total.2 + len),
                None => totals.push((t, k, len)),
            }
        }
    }
    let clamps = totals
        .into_iter()
        .map(
            |(t, k, len)| match artifact.program.tensors.get(t.index()) {
                Some(info) => (label(&info.name, &info.loc), info.loc.line, k, len),
                None => (format!("tensor {}", t.index()), 0, k, len),
            },
        )
        .collect();
    Tally {
        samples: done.len(),
        reference,
        classes,
        clamps,
    }
}

fn print_text(cmd: &EvalCommand, artifact: &Artifact, t: &Tally) {
    let n = t.samples;
    out(&format!(
        "evaluated {n} samples of `{}` on model `{}` (quantized)",
        shown(&cmd.data),
        artifact.program.name
    ));
    match (&cmd.onnx, t.reference) {
        (Some(onnx), Some((agree, max, mean))) => {
            out(&format!(
                "  top-1 agreement with `{}` (tract, f32): {agree}/{n} ({:.1}%)",
                shown(onnx),
                100.0 * agree as f64 / n.max(1) as f64
            ));
            out(&format!(
                "  output error |quantized − float|: max {max:.2e}, mean {mean:.2e}"
            ));
        }
        _ => {
            let shown: Vec<String> = t.classes.iter().map(|(c, k)| format!("{c}: {k}")).collect();
            out(&format!(
                "  predicted classes (no --onnx to compare with): {}",
                shown.join(", ")
            ));
        }
    }
    out("  clamped values per saturating rescale:");
    for (name, line, k, len) in &t.clamps {
        let name = format!("{name} (line {line})");
        out(&format!("    {name:<32} {k} of {len}"));
    }
}

/// `v` to 3 significant digits: the float reference runs in `f32` with the machine's kernels,
/// so further digits are not reproducible from one machine to another.
fn three_digits(v: f64) -> f64 {
    format!("{v:.2e}").parse().unwrap_or(v)
}

fn print_json(t: &Tally) {
    let mut o = serde_json::Map::new();
    o.insert("samples".into(), t.samples.into());
    if let Some((agree, max, mean)) = t.reference {
        o.insert("top1_agreement".into(), agree.into());
        o.insert("max_error".into(), three_digits(max).into());
        o.insert("mean_error".into(), three_digits(mean).into());
    }
    let classes: serde_json::Map<String, Json> = t
        .classes
        .iter()
        .map(|(c, k)| (c.to_string(), (*k).into()))
        .collect();
    o.insert("predicted_classes".into(), Json::Object(classes));
    let clamps: Vec<Json> = t
        .clamps
        .iter()
        .map(|(name, line, k, len)| {
            serde_json::json!({ "name": name, "line": line, "clamped": k, "elements": len })
        })
        .collect();
    o.insert("clamped".into(), Json::Array(clamps));
    out(&Json::Object(o).to_string());
}

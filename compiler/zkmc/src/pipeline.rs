//! The steps shared by `run`, `prove` and `verify`: compile a model (or read a built artifact),
//! read and quantize its data files, fill and check the trace, and print outputs.

use std::path::{Path, PathBuf};

use zkm_air::field::Felt;
use zkm_air::{Artifact, OutputKind, PublicKind, Trace};
use zkm_diagnostics::{codes, Diagnostic, FileId, SourceMap, Span};
use zkm_runtime::api::PublicValue;
use zkm_runtime::QuantReport;

use zkm_runtime::files;

use crate::common::{load_source, out, read_file, report, shown, EXIT_OK, EXIT_USER};

/// Compiles `path` (a `.zkm` file), or reads it as a built artifact when it ends in `.json`.
pub fn compile(path: &Path) -> Result<(SourceMap, Artifact), i32> {
    if path.extension().is_some_and(|e| e == "json") {
        return read_artifact(path);
    }
    let (mut sources, file) = load_source(path)?;
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let code = report(&sources, &diags);
    match artifact {
        Some(a) if code == EXIT_OK => Ok((sources, a)),
        _ => Err(code.max(EXIT_USER)),
    }
}

fn read_artifact(path: &Path) -> Result<(SourceMap, Artifact), i32> {
    let sources = SourceMap::new();
    let bytes = read_file(path, files::ARTIFACT_LIMIT).map_err(|d| report(&sources, &[d]))?;
    let bad = |e: String| {
        let d = Diagnostic::error(codes::BAD_ARTIFACT, format!("`{}`: {e}", shown(path)));
        report(&SourceMap::new(), &[d])
    };
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".into()))?;
    Artifact::from_json(&text)
        .map(|a| (sources, a))
        .map_err(|e| bad(e.to_string()))
}

/// The data file `explicit`, or `default_name` next to the model.
pub fn data_path(model: &Path, explicit: &Option<PathBuf>, default_name: &str) -> PathBuf {
    let dir = model.parent().unwrap_or(Path::new("."));
    explicit.clone().unwrap_or_else(|| dir.join(default_name))
}

/// The weights file: `explicit`, else `weights.json` next to the model, else
/// `weights.safetensors` there (what `zkmc import` writes) when only that one exists.
pub fn weights_path(model: &Path, explicit: &Option<PathBuf>) -> PathBuf {
    let json = data_path(model, explicit, "weights.json");
    let binary = data_path(model, &None, "weights.safetensors");
    match explicit.is_none() && !json.exists() && binary.exists() {
        true => binary,
        false => json,
    }
}

/// Reads a text file of at most `limit` bytes into the source map so diagnostics can point into
/// it.
pub fn read(sources: &mut SourceMap, path: &Path, limit: u64) -> Result<FileId, i32> {
    let bytes = read_file(path, limit).map_err(|d| report(sources, &[d]))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let msg = format!(
            "`{}` is not UTF-8 text (invalid byte at offset {at})",
            shown(path)
        );
        report(sources, &[Diagnostic::error(codes::BAD_INPUT, msg)])
    })?;
    Ok(sources.add(path.display().to_string(), text))
}

/// True for weights in a binary format (a `.safetensors` file or a folder of `.npy` files).
pub fn binary_weights(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e == "safetensors")
}

/// Loads and quantizes the inputs and weights. An error names the file it is in.
pub fn load_data(
    sources: &mut SourceMap,
    artifact: &Artifact,
    input: &Path,
    weights: &Path,
) -> Result<zkm_runtime::Loaded, i32> {
    let input_file = read(sources, input, files::DATA_LIMIT)?;
    let program = &artifact.program;
    if binary_weights(weights) {
        let in_weights =
            |e: zkm_runtime::InputError| input_error(e).with_note(format!("in {}", shown(weights)));
        let map = zkm_runtime::weights::read(program, weights)
            .map_err(|e| report(sources, &[in_weights(e)]))?;
        zkm_runtime::inputs::load_with(program, sources.text(input_file), map).map_err(|e| {
            let d = match e.in_weights {
                true => in_weights(e),
                false => input_diagnostic(sources, input_file, e),
            };
            report(sources, &[d])
        })
    } else {
        let weights_file = read(sources, weights, files::DATA_LIMIT)?;
        let (input_text, weights_text) = (sources.text(input_file), sources.text(weights_file));
        zkm_runtime::load(program, input_text, weights_text).map_err(|e| {
            let file = match e.in_weights {
                true => weights_file,
                false => input_file,
            };
            report(sources, &[input_diagnostic(sources, file, e)])
        })
    }
}

/// Loads the inputs and weights, takes the committed declarations' nonces from `nonces`, fills
/// the trace and, when `check` is set, runs the constraint checker (`zkm_runtime::api::prove`
/// runs it itself).
pub fn witness(
    sources: &mut SourceMap,
    artifact: &Artifact,
    data: (&Path, &Path),
    nonces: crate::committed::Nonces<'_>,
    check: bool,
) -> Result<(Trace, QuantReport), i32> {
    // A built artifact carries spans but not the source text they point into.
    let has_source = !sources.names().is_empty();
    let mut loaded = load_data(sources, artifact, data.0, data.1)?;
    crate::committed::apply(sources, artifact, &mut loaded.inputs, nonces)?;
    let program = &artifact.program;
    let trace = zkm_air::witness::generate(program, &loaded.inputs).map_err(|e| {
        let code = match e {
            zkm_air::witness::WitnessError::Malformed { .. } => codes::BAD_ARTIFACT,
            _ => codes::BAD_INPUT,
        };
        report(sources, &[Diagnostic::error(code, e.to_string())])
    })?;
    let failures = match check {
        true => zkm_air::check::check(program, &trace),
        false => vec![],
    };
    if !failures.is_empty() {
        let ds: Vec<Diagnostic> = failures
            .iter()
            .map(|f| match has_source {
                true => f.to_diagnostic(),
                false => without_source(f, program),
            })
            .collect();
        report(sources, &ds);
        return Err(EXIT_USER);
    }
    Ok((trace, loaded.report))
}

/// The failure's diagnostic without its labels, which point into a `.zkm` file that was not read
/// (the model was given as a built artifact): a note names the file, line and column instead.
fn without_source(f: &zkm_air::check::Failure, program: &zkm_air::AirProgram) -> Diagnostic {
    let mut d = f.to_diagnostic();
    d.labels.clear();
    let file = program
        .files
        .get(f.loc.file as usize)
        .map_or("?", String::as_str);
    d.with_note(format!(
        "enforced at {}:{}:{} (the model was given as an artifact, so its source is not shown)",
        crate::common::escape_controls(file),
        f.loc.line,
        f.loc.col
    ))
}

/// The diagnostic of an input or weights error, with its help when it has one.
pub fn input_error(e: zkm_runtime::InputError) -> Diagnostic {
    let d = Diagnostic::error(e.code, e.message);
    match e.help {
        Some(help) => d.with_help(help),
        None => d,
    }
}

/// A diagnostic for a problem in an input or weights file.
pub fn input_diagnostic(
    sources: &SourceMap,
    file: FileId,
    e: zkm_runtime::InputError,
) -> Diagnostic {
    let line_col = e.line_col;
    let d = input_error(e);
    let Some((line, col)) = line_col else {
        return d.with_note(format!("in {}", sources.name(file)));
    };
    let text = sources.text(file);
    let before: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = (before + col.saturating_sub(1)).min(text.len());
    d.with_primary(Span::new(file, offset, offset), "here")
}

/// The public outputs of a public vector, typed (scalars, classes, values).
pub fn outputs(artifact: &Artifact, public: &[Felt]) -> Vec<PublicValue> {
    let values = zkm_runtime::api::public_values(artifact, public);
    values
        .into_iter()
        .filter(|v| v.kind == PublicKind::Output)
        .collect()
}

/// The values of the committed outputs, from the tensors their output gadgets read (the exact
/// integers the trace holds, wherever the layout put them): what the prover shows to whoever it
/// opens a digest for (with the nonce).
pub fn committed_outputs(artifact: &Artifact, trace: &Trace) -> Vec<PublicValue> {
    let p = &artifact.program;
    let committed = p.decls.iter().filter(|d| {
        d.kind == zkm_air::DeclKind::Output && d.visibility == zkm_air::Visibility::Committed
    });
    committed
        .filter_map(|d| {
            let source = p.gadgets.iter().find_map(|g| match g {
                zkm_air::gadgets::Gadget::Output(o) if o.name == d.name => Some(o.source),
                _ => None,
            })?;
            let values = trace.tensors.get(source.index())?.get(..d.len())?;
            Some(PublicValue {
                name: d.name.clone(),
                kind: PublicKind::Output,
                shape: d.shape.clone(),
                ty: d.ty,
                output: d.output,
                codes: values.iter().map(|&v| v as i64).collect(),
            })
        })
        .collect()
}

/// The outputs as a JSON object: a scalar as a number, a tensor as a flat array; `int` values as
/// integers.
pub fn outputs_json(outputs: &[PublicValue]) -> serde_json::Map<String, serde_json::Value> {
    let json = |v: &PublicValue| {
        let numbers: Vec<serde_json::Value> = match v.ty.frac {
            0 => v.codes.iter().map(|&q| q.into()).collect(),
            _ => v.reals().into_iter().map(|x| x.into()).collect(),
        };
        match (v.is_scalar(), numbers.as_slice()) {
            (true, [x]) => x.clone(),
            _ => serde_json::Value::Array(numbers),
        }
    };
    outputs.iter().map(|v| (v.name.clone(), json(v))).collect()
}

/// Prints the public outputs (a scalar as `name = v`), and the predicted class of a classifier.
pub fn print_outputs(outputs: &[PublicValue]) {
    for v in outputs {
        let shown: Vec<String> = v.reals().iter().map(|&x| number(x, v.ty.frac)).collect();
        match (v.is_scalar(), shown.as_slice()) {
            (true, [x]) => out(&format!("{} = {x}", v.name)),
            _ => out(&format!("{} = [{}]", v.name, shown.join(", "))),
        }
        if v.output == Some(OutputKind::Class) {
            out(&format!("predicted class: {}", v.codes[0]));
        }
    }
}

/// An integer as is, a fixed-point value with four decimals.
fn number(x: f64, frac: u32) -> String {
    match frac {
        0 => format!("{x}"),
        _ => format!("{x:.4}"),
    }
}

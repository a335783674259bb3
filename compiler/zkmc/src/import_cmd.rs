//! `zkmc import MODEL.onnx -o DIR [--calibrate DATA] [--weights V]`: an ONNX model becomes
//! `DIR/<name>.zkm`, `DIR/weights.safetensors` and `DIR/input.json`, all or nothing. The generated
//! model is compiled before anything is written.

use std::path::Path;

use zkm_diagnostics::{Diagnostic, SourceMap};
use zkm_runtime::files;

use crate::cli::{ImportCommand, WeightsArg};
use crate::common::{out, out_raw, read_file, report, shown, EXIT_BUG, EXIT_OK, EXIT_USER};
use crate::outputs::{refuse_clobber, sanitize, write_all_atomic};

/// Runs the command and returns the exit code.
pub fn run(cmd: &ImportCommand) -> i32 {
    let sources = SourceMap::new();
    let fail = |d: Diagnostic| report(&sources, &[d]);
    let bytes = match read_file(&cmd.model, files::DATA_LIMIT) {
        Ok(b) => b,
        Err(d) => return fail(d),
    };
    let calibration = match &cmd.calibrate {
        None => None,
        Some(path) => match read_text(path) {
            Ok(t) => Some(t),
            Err(d) => return fail(d),
        },
    };
    let stem = cmd
        .model
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let model = cmd.name.clone().unwrap_or(stem);
    let options = zkm_onnx::Options {
        model: model.clone(),
        origin: cmd
            .model
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        weights: match cmd.weights {
            WeightsArg::Public => zkm_onnx::Visibility::Public,
            WeightsArg::Private => zkm_onnx::Visibility::Private,
            WeightsArg::Committed => zkm_onnx::Visibility::Committed,
        },
        calibration,
    };
    let imported = match zkm_onnx::import(&bytes, &options) {
        Ok(i) => i,
        Err(problems) => return report(&sources, &problems).max(EXIT_USER),
    };
    let zkm_path = cmd.out_dir.join(format!("{}.zkm", sanitize(&model)));
    if let Err(code) = compiles(&zkm_path, &imported.source) {
        return code;
    }
    let files = [
        (zkm_path.clone(), imported.source.into_bytes()),
        (cmd.out_dir.join("weights.safetensors"), imported.weights),
        (cmd.out_dir.join("input.json"), imported.input.into_bytes()),
    ];
    let mut inputs: Vec<&Path> = vec![&cmd.model];
    inputs.extend(cmd.calibrate.as_deref());
    let outputs: Vec<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
    if let Err(d) = refuse_clobber(&outputs, &inputs) {
        return fail(d);
    }
    if let Err(d) = write_all_atomic(&cmd.out_dir, &files) {
        return fail(d);
    }
    out(&format!(
        "imported `{}` as model `{}`",
        shown(&cmd.model),
        imported.names.model
    ));
    out_raw(&imported.report);
    for (path, _) in &files {
        out(&format!("  wrote {}", shown(path)));
    }
    out(&format!("next: zkmc prove {}", shown(&zkm_path)));
    EXIT_OK
}

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = read_file(path, files::DATA_LIMIT)?;
    String::from_utf8(bytes).map_err(|_| {
        Diagnostic::error(
            zkm_diagnostics::codes::BAD_INPUT,
            format!("`{}` is not UTF-8 text", shown(path)),
        )
    })
}

/// Compiles the generated model; a failure is zkmc's bug (calibration promises a model that
/// compiles), shown against the generated text.
fn compiles(path: &Path, source: &str) -> Result<(), i32> {
    let mut sources = SourceMap::new();
    let file = sources.add(path.display().to_string(), source.to_string());
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let code = report(&sources, &diags);
    match artifact {
        Some(_) if code == EXIT_OK => Ok(()),
        _ => {
            let d = Diagnostic::bug("the imported model does not compile (nothing was written)");
            report(&SourceMap::new(), &[d]);
            Err(EXIT_BUG)
        }
    }
}

//! `zkmc verify MODEL PROOF [--weights F] [--expect NAME=HEX]... [--input F] [--json]`: check a
//! proof file against a model and its public parameters, then the expected digests and public
//! inputs, and print every public value of the statement.

use std::time::Instant;

use zkm_diagnostics::{codes, Diagnostic, SourceMap};
use zkm_runtime::api;
use zkm_runtime::proof_file::ProofFile;

use crate::cli::VerifyCommand;
use crate::common::{out, report, EXIT_OK, EXIT_USER};
use crate::pipeline::{compile, input_diagnostic, outputs_json, print_outputs, read};

/// Runs the command and returns the exit code.
pub fn run(cmd: &VerifyCommand) -> i32 {
    match verify(cmd) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn verify(cmd: &VerifyCommand) -> Result<(), i32> {
    crate::limits::check_security(cmd.security, cmd.insecure_test_security)
        .map_err(|d| report(&SourceMap::new(), &[d]))?;
    crate::limits::warn_insecure(cmd.security);
    let (mut sources, artifact) = compile(&cmd.model)?;
    let params = public_params(&mut sources, cmd, &artifact)?;
    let bytes = crate::common::read_file(&cmd.proof, zkm_runtime::files::PROOF_LIMIT)
        .map_err(|d| report(&sources, &[d]))?;
    let file = ProofFile::from_bytes(&bytes).map_err(|e| reject(&cmd.proof, &e.into()))?;
    let start = Instant::now();
    let statement =
        api::verify(&artifact, &file, &params, cmd.security).map_err(|e| reject(&cmd.proof, &e))?;
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    crate::expect::check(&mut sources, cmd, &artifact, &statement)?;
    let security = statement.security;
    let outputs: Vec<_> = statement.outputs().cloned().collect();
    let inputs: Vec<_> = statement
        .values
        .iter()
        .filter(|v| v.kind == zkm_air::PublicKind::Input)
        .cloned()
        .collect();
    let digests = statement.digests();
    if cmd.json {
        let outs = outputs_json(&outputs);
        let ins = outputs_json(&inputs);
        let digs: serde_json::Map<String, serde_json::Value> = digests
            .iter()
            .map(|(n, h)| (n.clone(), h.clone().into()))
            .collect();
        let v = serde_json::json!({
            "verified": true,
            "model": artifact.program.name,
            "verify_ms": elapsed,
            "security": {"conjectured": security.conjectured, "proven_ldr": security.proven_ldr, "proven_udr": security.proven_udr},
            "zero_knowledge": statement.is_zero_knowledge(),
            "digests": digs,
            "inputs": ins,
            "outputs": outs,
        });
        out(&v.to_string());
    } else {
        out(&format!(
            "verified: model `{}` ({elapsed:.2} ms)",
            artifact.program.name
        ));
        out(&format!(
            "  security   {} bits conjectured, {} bits proven (list decoding; {} unique decoding)",
            security.conjectured, security.proven_ldr, security.proven_udr
        ));
        out(&format!(
            "  zk         {}",
            match statement.random_rows {
                0 => "off (every value is public)".to_string(),
                r => format!("on: private values are hidden ({r} random rows)"),
            }
        ));
        for (name, hex) in &digests {
            out(&format!("  digest     {name} = {hex}"));
        }
        print_outputs(&inputs);
        print_outputs(&outputs);
    }
    Ok(())
}

/// The public parameters, read from the weights file when the model has any.
fn public_params(
    sources: &mut SourceMap,
    cmd: &VerifyCommand,
    artifact: &zkm_air::Artifact,
) -> Result<Vec<zkm_air::field::Felt>, i32> {
    let needs = artifact
        .program
        .public
        .iter()
        .any(|s| s.kind == zkm_air::PublicKind::Param);
    if !needs {
        return Ok(vec![]);
    }
    let path = crate::pipeline::weights_path(&cmd.model, &cmd.weights);
    if !path.exists() {
        return Err(report(sources, &[missing_params(artifact, &path)]));
    }
    if crate::pipeline::binary_weights(&path) {
        let map = zkm_runtime::weights::read(&artifact.program, &path);
        let params =
            map.and_then(|m| zkm_runtime::inputs::public_params_from(&artifact.program, &m));
        return params.map_err(|e| {
            let d = crate::pipeline::input_error(e).with_note(format!("in {}", path.display()));
            report(sources, &[d])
        });
    }
    let file = read(sources, &path, zkm_runtime::files::DATA_LIMIT)?;
    zkm_runtime::inputs::load_public_params(&artifact.program, sources.text(file))
        .map_err(|e| report(sources, &[input_diagnostic(sources, file, e)]))
}

/// The verifier of a model with public parameters was not given them.
fn missing_params(artifact: &zkm_air::Artifact, path: &std::path::Path) -> Diagnostic {
    let slots = artifact.program.public.iter();
    let params = slots.filter(|s| s.kind == zkm_air::PublicKind::Param);
    let names: Vec<String> = params.map(|s| format!("`{}`", s.name)).collect();
    let msg = format!(
        "the public parameters are needed to verify, and `{}` does not exist",
        path.display()
    );
    Diagnostic::error(codes::FILE_UNREADABLE, msg)
        .with_note(format!(
            "model `{}` declares public parameters {}: they are part of the statement, so the verifier must have the same values as the prover",
            artifact.program.name,
            names.join(", ")
        ))
        .with_help(
            "pass them with `--weights FILE` (JSON, a .safetensors file or a folder of .npy files); without it zkmc looks for `weights.json` next to the model",
        )
}

fn reject(path: &std::path::Path, why: &api::VerifyError) -> i32 {
    report(&SourceMap::new(), &[crate::errors::verify_error(path, why)]);
    EXIT_USER
}

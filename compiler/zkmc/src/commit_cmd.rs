//! `zkmc commit MODEL [--input F] [--weights F] [-o OPENINGS] [--seed N] [--json]`: commit the
//! model's committed inputs and weights. Prints each digest (what the data owner publishes and a
//! verifier expects with `zkmc verify --expect NAME=HEX`) and writes the openings (the nonces,
//! which the owner keeps and `zkmc prove` reads).

use std::path::PathBuf;

use zkm_diagnostics::{codes, Diagnostic, SourceMap};
use zkm_runtime::openings::{committed, Openings};
use zkm_runtime::stark::{Randomness, ZkRng};

use crate::cli::CommitCommand;
use crate::common::{out, report, EXIT_OK, EXIT_USER};
use crate::outputs::{refuse_clobber, write_all_atomic};
use crate::pipeline::{compile, data_path, load_data};

/// Runs the command and returns the exit code.
pub fn run(cmd: &CommitCommand) -> i32 {
    match commit(cmd) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn commit(cmd: &CommitCommand) -> Result<(), i32> {
    let (mut sources, artifact) = compile(&cmd.model)?;
    let program = &artifact.program;
    if committed(program).is_empty() {
        let d = Diagnostic::error(
            codes::BAD_INPUT,
            format!("model `{}` commits nothing", program.name),
        )
        .with_help("declare an input or parameter `committed` to give it a public digest");
        report(&SourceMap::new(), &[d]);
        return Err(EXIT_USER);
    }
    let input = data_path(&cmd.model, &cmd.input, "input.json");
    let weights = crate::pipeline::weights_path(&cmd.model, &cmd.weights);
    let path = data_path(&cmd.model, &cmd.out, "openings.json");
    refuse_clobber(&[&path], &[&cmd.model, &input, &weights])
        .map_err(|d| report(&sources, &[d]))?;
    let loaded = load_data(&mut sources, &artifact, &input, &weights)?;
    let source = cmd.seed.map_or(Randomness::Os, Randomness::Seed);
    let rng = ZkRng::new(source).map_err(|e| crate::committed::no_randomness(&sources, &e))?;
    let openings = Openings::commit(program, &loaded.inputs, &rng).map_err(|e| {
        report(
            &sources,
            &[Diagnostic::error(codes::BAD_INPUT, e.to_string())],
        )
    })?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let bytes = openings.to_json().into_bytes();
    write_all_atomic(&dir, &[(path.clone(), bytes)]).map_err(|d| report(&sources, &[d]))?;
    print(cmd, program, &openings, &path);
    Ok(())
}

fn print(cmd: &CommitCommand, program: &zkm_air::AirProgram, o: &Openings, path: &std::path::Path) {
    if cmd.json {
        let digests: serde_json::Map<String, serde_json::Value> = o
            .openings
            .iter()
            .map(|(n, op)| (n.clone(), op.digest.clone().into()))
            .collect();
        let v = serde_json::json!({
            "model": program.name,
            "digests": digests,
            "openings": path.display().to_string(),
        });
        out(&v.to_string());
        return;
    }
    out(&format!("committed model `{}`", program.name));
    for (name, _, _) in committed(program) {
        let digest = o.openings[name].digest.as_deref();
        let shown = digest.unwrap_or("(an output: its digest is in each proof's statement)");
        out(&format!("  {name:<10} {shown}"));
    }
    out(&format!(
        "  openings   {} (keep it private: its nonces open the digests)",
        path.display()
    ));
}

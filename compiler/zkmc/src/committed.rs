//! Committed declarations on the command line: reading an openings file and giving its nonces to
//! the witness (or throwaway nonces for `zkmc run`), with diagnostics that say how to fix it.

use std::path::Path;

use zkm_air::{Artifact, Inputs};
use zkm_diagnostics::{codes, Diagnostic, SourceMap};
use zkm_runtime::openings::{committed, Openings};
use zkm_runtime::stark::{Randomness, ZkRng};

use crate::common::report;
use crate::pipeline::read;

/// Where the nonces of committed declarations come from.
#[derive(Clone, Copy, Debug)]
pub enum Nonces<'a> {
    /// An openings file written by `zkmc commit`.
    File(&'a Path),
    /// Fresh random nonces (a trace check whose digests nobody sees).
    Fresh,
}

/// Gives `inputs` the nonces of the model's committed declarations (nothing to do when it has
/// none), checking that the data still has the committed digests.
pub fn apply(
    sources: &mut SourceMap,
    artifact: &Artifact,
    inputs: &mut Inputs,
    nonces: Nonces<'_>,
) -> Result<(), i32> {
    let program = &artifact.program;
    if committed(program).is_empty() {
        return Ok(());
    }
    let openings = match nonces {
        Nonces::Fresh => fresh(sources, artifact, inputs)?,
        Nonces::File(path) => read_openings(sources, artifact, path)?,
    };
    openings.apply(inputs).map_err(|e| {
        let d = Diagnostic::error(codes::BAD_INPUT, e.to_string()).with_help(
            "prove with the committed data, or commit the new data with `zkmc commit` (its digests change)",
        );
        report(sources, &[d])
    })
}

/// Reads and checks the openings file at `path`.
pub fn read_openings(
    sources: &mut SourceMap,
    artifact: &Artifact,
    path: &Path,
) -> Result<Openings, i32> {
    if !path.exists() {
        let d = Diagnostic::error(
            codes::FILE_UNREADABLE,
            format!(
                "`{}` does not exist: model `{}` commits {}",
                path.display(),
                artifact.program.name,
                names(artifact)
            ),
        )
        .with_help("create the openings with `zkmc commit MODEL` (it prints the digests), or pass `--openings FILE`");
        return Err(report(sources, &[d]));
    }
    let file = read(sources, path, zkm_runtime::files::OPENINGS_LIMIT)?;
    Openings::from_json(&artifact.program, sources.text(file)).map_err(|e| {
        let d = Diagnostic::error(codes::BAD_INPUT, e.to_string())
            .with_note(format!("in {}", path.display()));
        report(sources, &[d])
    })
}

fn fresh(sources: &mut SourceMap, artifact: &Artifact, inputs: &Inputs) -> Result<Openings, i32> {
    let rng = ZkRng::new(Randomness::Os).map_err(|e| no_randomness(sources, &e))?;
    Openings::commit(&artifact.program, inputs, &rng).map_err(|e| {
        report(
            sources,
            &[Diagnostic::error(codes::BAD_INPUT, e.to_string())],
        )
    })
}

/// The diagnostic when the operating system's generator fails.
pub fn no_randomness(sources: &SourceMap, why: &str) -> i32 {
    report(
        sources,
        &[Diagnostic::bug(format!(
            "the operating system's random generator failed: {why}"
        ))],
    )
}

fn names(artifact: &Artifact) -> String {
    let list: Vec<String> = committed(&artifact.program)
        .iter()
        .map(|(n, _, _)| format!("`{n}`"))
        .collect();
    list.join(", ")
}

//! The bundled examples as test fixtures: compiled artifacts and honest traces.

use std::path::{Path, PathBuf};

use zkm_air::{Artifact, Trace};
use zkm_diagnostics::{render, SourceMap};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Compiles `examples/<name>/<name>.zkm` under that stable file name, with its source map.
///
/// # Panics
/// When the example does not compile (a test failure).
pub fn build_with_sources(name: &str) -> (SourceMap, Artifact) {
    let rel = format!("examples/{name}/{name}.zkm");
    let text = std::fs::read_to_string(root().join(&rel)).expect("example source");
    let mut sources = SourceMap::new();
    let file = sources.add(rel, text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    (sources, artifact.expect("artifact"))
}

/// Compiles an example.
///
/// # Panics
/// When the example does not compile.
pub fn build(name: &str) -> Artifact {
    build_with_sources(name).1
}

/// A data file of an example, as text.
///
/// # Panics
/// When the file cannot be read.
pub fn data(name: &str, file: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name).join(file)).expect("data file")
}

/// The honest trace of an example on its bundled input and weights.
///
/// # Panics
/// When loading or witness generation fails.
pub fn honest_trace(name: &str, artifact: &Artifact) -> Trace {
    let loaded = zkm_runtime::load(
        &artifact.program,
        &data(name, "input.json"),
        &data(name, "weights.json"),
    )
    .expect("inputs load");
    zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness")
}

/// Two stacked regions of one shared column that meet: the column, the first row of the upper
/// region (the lower one ends just before it), the lower one's name and the upper one's.
pub fn meeting_regions(p: &zkm_air::AirProgram) -> Option<(usize, usize, String, String)> {
    p.aliases.iter().find_map(|a| {
        let end = a.first_row + a.rows;
        let b = p
            .aliases
            .iter()
            .find(|b| b.column == a.column && b.first_row == end)?;
        Some((
            a.column as usize,
            end as usize,
            a.name.clone(),
            b.name.clone(),
        ))
    })
}

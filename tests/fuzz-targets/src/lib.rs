//! The fuzz targets of zkmc, as plain functions of the input bytes.
//!
//! `tests/fuzz` (cargo-fuzz, nightly) wraps each in a libFuzzer target; the stable test
//! `tests/tests/fuzz_corpus.rs` replays the committed corpus and the regression inputs through
//! the same functions. A target returns normally on input zkmc rejects; it panics only on a
//! defect: a panic inside zkmc, an artifact that passes validation but that the checker or the
//! verifier cannot handle, or a changed proof that verifies with another statement.
//!
//! - [`front_end`]: `.zkm` source → check, build, diagnostics, listing;
//! - [`artifact`]: artifact JSON, with its hash recomputed → validation, listing, witness,
//!   checker, verifier;
//! - [`proof_file`]: proof bytes → decoding and verification against a fixed model;
//! - [`data_files`]: input, weights (JSON, safetensors, `.npy`) and openings files.

mod fixture;

use zkm_air::{AirProgram, Artifact};
use zkm_diagnostics::{render, SourceMap};

pub use fixture::{fixture, Fixture, TINY_INPUT, TINY_SOURCE, TINY_WEIGHTS};

/// The most trace cells the artifact target fills (its RSS budget is 2 GB).
const MAX_CELLS: usize = 1 << 20;

/// A `.zkm` source through the whole front end.
pub fn front_end(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let file = sources.add("fuzz.zkm", text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let _ = render::render(&sources, &diags);
    if let Some(a) = artifact {
        let json = a.to_json();
        let back = Artifact::from_json(&json);
        assert!(back.is_ok(), "a built artifact does not load: {back:?}");
        let _ = zkm_air::listing::render(&a);
    }
}

/// An artifact whose hash anyone could recompute: the `program` of the JSON is re-wrapped with a
/// fresh hash, then loaded, listed, run on zero inputs, checked, and given to the verifier with
/// the fixture's proof.
pub fn artifact(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Artifact::from_json(text);
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let program = match value.get_mut("program") {
        Some(p) => p.take(),
        None => value,
    };
    let Ok(program) = serde_json::from_value::<AirProgram>(program) else {
        return;
    };
    let Ok(artifact) = Artifact::from_json(&Artifact::new(program).to_json()) else {
        return;
    };
    let _ = zkm_air::listing::render(&artifact);
    let f = fixture();
    let _ = zkm_verifier::verify(&artifact, &f.proof, &f.params, 80);
    let p = &artifact.program;
    if p.trace_len.saturating_mul(p.width()) > MAX_CELLS {
        return;
    }
    let mut inputs = zkm_air::Inputs::default();
    for d in &p.decls {
        inputs.values.insert(d.name.clone(), vec![0; d.len()]);
        inputs.nonces.insert(d.name.clone(), 1);
    }
    if let Ok(trace) = zkm_air::witness::generate(p, &inputs) {
        let _ = zkm_air::check::check(p, &trace);
    }
}

/// Proof bytes against the fixture's model: whatever verifies must state what the genuine proof
/// states.
pub fn proof_file(data: &[u8]) {
    let f = fixture();
    let Ok(file) = zkm_runtime::proof_file::ProofFile::from_bytes(data) else {
        return;
    };
    if let Ok(statement) = zkm_verifier::verify_file(&f.artifact, &file, &f.params, 80) {
        assert_eq!(
            statement, f.statement,
            "changed proof bytes verified with another statement"
        );
    }
}

/// A data file: the first byte picks the reader (input JSON, weights JSON, safetensors, `.npy`,
/// openings), the rest is the file.
pub fn data_files(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let program = &f.artifact.program;
    let text = std::str::from_utf8(rest);
    match (mode % 5, text) {
        (0, Ok(text)) => drop(zkm_runtime::load(program, text, TINY_WEIGHTS)),
        (1, Ok(text)) => drop(zkm_runtime::load(program, TINY_INPUT, text)),
        (2, _) => drop(zkm_runtime::weights::from_safetensors(
            program, rest, "fuzz",
        )),
        (3, _) => drop(zkm_runtime::weights::from_npy(program, "w", rest, "fuzz")),
        (4, Ok(text)) => {
            let committed = &f.committed.program;
            if let Ok(openings) = zkm_runtime::Openings::from_json(committed, text) {
                let mut inputs = zkm_air::Inputs::default();
                let _ = openings.apply(&mut inputs);
            }
        }
        _ => {}
    }
}

#[cfg(feature = "onnx")]
/// An ONNX file for `zkmc import`: refused with diagnostics, or imported into a model that
/// compiles (the importer's promise: calibration rules out compile-time overflow). The first
/// byte, when it is `{`, starts calibration data instead (a JSON array, then the model after a
/// NUL byte).
pub fn onnx_import(data: &[u8]) {
    let (calibration, model) = match data.first() {
        Some(b'{') | Some(b'[') => match data.iter().position(|&b| b == 0) {
            Some(i) => (
                std::str::from_utf8(&data[..i]).ok().map(str::to_owned),
                &data[i + 1..],
            ),
            None => (None, data),
        },
        _ => (None, data),
    };
    let options = zkm_onnx::Options {
        model: "fuzz".into(),
        origin: "fuzz.onnx".into(),
        calibration,
        ..Default::default()
    };
    let Ok(imported) = zkm_onnx::import(model, &options) else {
        return;
    };
    let mut sources = zkm_diagnostics::SourceMap::new();
    let file = sources.add("fuzz.zkm", imported.source.clone());
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let errors: Vec<&str> = diags
        .iter()
        .filter(|d| d.is_fatal())
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        artifact.is_some() && errors.is_empty(),
        "an imported model does not compile: {errors:?}\n{}",
        imported.source
    );
}

//! The fuzz targets on stable: every committed corpus input (`tests/fuzz/corpus/<target>/`) and
//! every regression input (`tests/fuzz/regressions/<target>/`, crash inputs found by hand or by
//! fuzzing) runs through the same function the libFuzzer target calls, which panics on a defect.
//! Fuzzing itself runs on nightly: see the README's development section.

use std::path::{Path, PathBuf};

use zkm_fuzz_targets as targets;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `tests/fuzz/<kind>/<target>/`, sorted (none when the folder does not exist).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every corpus and regression input of `target` through `f`; returns how many ran.
fn replay(target: &str, f: fn(&[u8])) -> usize {
    let corpus = inputs("corpus", target);
    assert!(!corpus.is_empty(), "no corpus for `{target}`");
    let all: Vec<PathBuf> = corpus
        .into_iter()
        .chain(inputs("regressions", target))
        .collect();
    for path in &all {
        let bytes = std::fs::read(path).expect("corpus file");
        let run = std::panic::catch_unwind(|| f(&bytes));
        assert!(run.is_ok(), "`{target}` failed on {}", path.display());
    }
    all.len()
}

#[test]
fn front_end_corpus_and_regressions() {
    replay("front_end", targets::front_end);
}

#[test]
fn artifact_corpus_and_regressions() {
    replay("artifact", targets::artifact);
}

#[test]
fn proof_file_corpus_and_regressions() {
    replay("proof_file", targets::proof_file);
}

#[test]
fn data_files_corpus_and_regressions() {
    replay("data_files", targets::data_files);
}

#[cfg(feature = "onnx")]
#[test]
fn onnx_import_corpus_and_regressions() {
    replay("onnx_import", targets::onnx_import);
}

#[test]
fn data_seeds_are_accepted() {
    // A seed the readers refuse would keep the fuzzer in the error paths.
    let f = targets::fixture();
    let program = &f.artifact.program;
    for path in inputs("corpus", "data_files") {
        let bytes = std::fs::read(&path).expect("seed");
        let (mode, rest) = bytes.split_first().expect("a mode byte");
        let text = std::str::from_utf8(rest).unwrap_or("");
        let name = path.display();
        match mode {
            0 => drop(zkm_runtime::load(program, text, targets::TINY_WEIGHTS).expect("input")),
            1 => drop(zkm_runtime::load(program, targets::TINY_INPUT, text).expect("weights")),
            2 => drop(zkm_runtime::weights::from_safetensors(program, rest, "seed").expect("st")),
            3 => drop(zkm_runtime::weights::from_npy(program, "w", rest, "seed").expect("npy")),
            4 => drop(
                zkm_runtime::Openings::from_json(&f.committed.program, text).expect("openings"),
            ),
            _ => panic!("{name}: unknown mode {mode}"),
        }
    }
}

#[test]
fn artifact_seeds_load_and_proof_seed_verifies() {
    for path in inputs("corpus", "artifact") {
        let text = std::fs::read_to_string(&path).expect("seed");
        let loaded = zkm_air::Artifact::from_json(&text);
        assert!(
            loaded.is_ok(),
            "{}: {loaded:?}; rerun zkm-fuzz-seeds",
            path.display()
        );
    }
    let f = targets::fixture();
    for path in inputs("corpus", "proof_file") {
        let bytes = std::fs::read(&path).expect("seed");
        let verified = zkm_verifier::verify(&f.artifact, &bytes, &f.params, 80);
        assert!(
            verified.is_ok(),
            "{}: {verified:?}; rerun zkm-fuzz-seeds",
            path.display()
        );
    }
}

#[test]
fn proof_file_bit_flips_never_verify_another_statement() {
    let proof = &targets::fixture().proof;
    // About 600 bits spread over the whole file (header, statement, commitments, queries).
    let stride = proof.len() * 8 / 601 + 1;
    for bit in (0..proof.len() * 8).step_by(stride) {
        let mut bytes = proof.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        targets::proof_file(&bytes);
    }
}

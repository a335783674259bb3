//! Writes the seed corpus of the fuzz targets into `tests/fuzz/corpus/<target>/`:
//! `cargo run -p zkm-fuzz-targets --bin zkm-fuzz-seeds`. Run it again when the artifact or proof
//! format changes (the seeds of `artifact` and `proof_file` are built and proved by the current
//! code). The `front_end` seeds are the examples, the stdlib and the UI cases.

use std::path::{Path, PathBuf};

use zkm_fuzz_targets::{fixture, TINY_INPUT, TINY_WEIGHTS};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = root().join("tests/fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).expect("corpus folder");
    std::fs::write(dir.join(name), bytes).expect("seed");
}

/// Every file under `dir` whose name ends in `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn seed_front_end() {
    for dir in ["examples", "stdlib", "tests/ui"] {
        for path in files(&root().join(dir), ".zkm") {
            let rel = path.strip_prefix(root()).unwrap_or(&path);
            let name = rel.to_string_lossy().replace('/', "__");
            write("front_end", &name, &std::fs::read(&path).expect("source"));
        }
    }
}

fn seed_artifact_and_proof() {
    let f = fixture();
    write("artifact", "tiny.air.json", f.artifact.to_json().as_bytes());
    write(
        "artifact",
        "tiny_committed.air.json",
        f.committed.to_json().as_bytes(),
    );
    write("proof_file", "tiny.proof", &f.proof);
    // Artifacts with the gadgets a tiny MLP lacks: convolutions (public and private kernel),
    // pools, table functions and the division.
    for case in ["conv2d", "conv2d_private", "max_pool", "softmax"] {
        let rel = format!("tests/programs/{case}.zkm");
        let text = std::fs::read_to_string(root().join(&rel)).expect("gadget program");
        let mut sources = zkm_diagnostics::SourceMap::new();
        let file = sources.add(rel, text);
        let (artifact, _) = zkm_compiler::driver::build(&mut sources, file);
        let artifact = artifact.expect("the gadget program compiles");
        write(
            "artifact",
            &format!("{case}.air.json"),
            artifact.to_json().as_bytes(),
        );
    }
}

/// A `.npy` file of little-endian `f8` values.
fn npy(shape: &[usize], values: &[f64]) -> Vec<u8> {
    let dims: String = shape.iter().map(|d| format!("{d}, ")).collect();
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}",
        dims.trim_end()
    );
    while (header.len() + 11) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    values
        .iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out
}

/// A safetensors file holding `w` as `F64`.
fn safetensors(shape: &[usize], values: &[f64]) -> Vec<u8> {
    let len = values.len() * 8;
    let header = format!(r#"{{"w":{{"dtype":"F64","shape":{shape:?},"data_offsets":[0,{len}]}}}}"#);
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    values
        .iter()
        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out
}

fn seed_data_files() {
    let with_mode = |mode: u8, bytes: &[u8]| [&[mode][..], bytes].concat();
    let w = [0.5, 1.0, -1.0, 0.25, 0.0, 2.0];
    write(
        "data_files",
        "input.json",
        &with_mode(0, TINY_INPUT.as_bytes()),
    );
    let ezkl = br#"{"input_data": [[1.0, -0.5, 2.0]]}"#;
    write("data_files", "input_ezkl.json", &with_mode(0, ezkl));
    write(
        "data_files",
        "weights.json",
        &with_mode(1, TINY_WEIGHTS.as_bytes()),
    );
    write(
        "data_files",
        "w.safetensors",
        &with_mode(2, &safetensors(&[3, 2], &w)),
    );
    write("data_files", "w.npy", &with_mode(3, &npy(&[3, 2], &w)));
    let f = fixture();
    let loaded = zkm_runtime::load(&f.committed.program, TINY_INPUT, TINY_WEIGHTS).expect("data");
    let rng = zkm_runtime::stark::ZkRng::new(zkm_runtime::stark::Randomness::Seed(1)).expect("rng");
    let openings =
        zkm_runtime::Openings::commit(&f.committed.program, &loaded.inputs, &rng).expect("commit");
    write(
        "data_files",
        "openings.json",
        &with_mode(4, openings.to_json().as_bytes()),
    );
}

fn main() {
    seed_front_end();
    seed_artifact_and_proof();
    seed_data_files();
    println!("seeds written under tests/fuzz/corpus/");
}

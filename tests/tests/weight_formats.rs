//! Weights in safetensors files and in folders of `.npy` files load to exactly the values the
//! JSON weights give, in float and integer dtypes; wrong shapes, unknown tensors and unsupported
//! dtypes are refused with a clear message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use npyz::WriterBuilder;
use zkm_air::Artifact;
use zkm_diagnostics::SourceMap;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn build(name: &str) -> Artifact {
    let rel = format!("examples/{name}/{name}.zkm");
    let text = std::fs::read_to_string(root().join(&rel)).expect("source");
    let mut sources = SourceMap::new();
    let file = sources.add(rel, text);
    zkm_compiler::driver::build(&mut sources, file)
        .0
        .expect("artifact")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkm-weights-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The JSON weights of an example, flattened, with their shapes.
fn json_weights(artifact: &Artifact, name: &str) -> BTreeMap<String, (Vec<usize>, Vec<f64>)> {
    let path = root().join("examples").join(name).join("weights.json");
    let map = zkm_runtime::weights::read(&artifact.program, &path).expect("json weights");
    let shape = |n: &str| {
        artifact
            .program
            .decls
            .iter()
            .find(|d| d.name == n)
            .expect("decl")
            .shape
            .clone()
    };
    map.into_iter()
        .map(|(n, v)| (n.clone(), (shape(&n), v)))
        .collect()
}

fn le_bytes(values: &[f64], f32s: bool) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| {
            if f32s {
                (v as f32).to_le_bytes().to_vec()
            } else {
                v.to_le_bytes().to_vec()
            }
        })
        .collect()
}

fn write_safetensors(path: &Path, weights: &BTreeMap<String, (Vec<usize>, Vec<f64>)>, f32s: bool) {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = weights
        .iter()
        .map(|(n, (s, v))| (n.clone(), s.clone(), le_bytes(v, f32s)))
        .collect();
    let dtype = if f32s {
        safetensors::Dtype::F32
    } else {
        safetensors::Dtype::F64
    };
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = bytes
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(dtype, s.clone(), b).expect("view"),
            )
        })
        .collect();
    let data = safetensors::serialize(views, None).expect("serialize");
    std::fs::write(path, data).expect("write safetensors");
}

fn write_npy(dir: &Path, name: &str, shape: &[usize], values: &[f64]) {
    let file = std::fs::File::create(dir.join(format!("{name}.npy"))).expect("npy file");
    let shape: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    let mut w = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&shape)
        .writer(file)
        .begin_nd()
        .expect("npy writer");
    w.extend(values.iter().copied()).expect("npy data");
    w.finish().expect("npy finish");
}

/// Quantized weights from `path` equal those from the JSON file.
fn same_as_json(artifact: &Artifact, name: &str, path: &Path) {
    let json = root().join("examples").join(name).join("weights.json");
    let input = std::fs::read_to_string(root().join("examples").join(name).join("input.json"))
        .expect("input");
    let load = |p: &Path| {
        let map = zkm_runtime::weights::read(&artifact.program, p).expect("weights load");
        zkm_runtime::inputs::load_with(&artifact.program, &input, map)
            .expect("quantize")
            .inputs
    };
    assert_eq!(
        load(path),
        load(&json),
        "{} differs from weights.json",
        path.display()
    );
}

#[test]
fn safetensors_f64_and_f32_load_like_json() {
    let artifact = build("mlp_digits");
    let weights = json_weights(&artifact, "mlp_digits");
    let dir = scratch("safetensors");
    let f64_path = dir.join("w64.safetensors");
    write_safetensors(&f64_path, &weights, false);
    same_as_json(&artifact, "mlp_digits", &f64_path);
    let f32_path = dir.join("w32.safetensors");
    write_safetensors(&f32_path, &weights, true);
    let map = zkm_runtime::weights::read(&artifact.program, &f32_path).expect("f32 weights");
    assert_eq!(map.len(), weights.len());
}

#[test]
fn npy_folder_loads_like_json() {
    let artifact = build("mlp_digits");
    let weights = json_weights(&artifact, "mlp_digits");
    let dir = scratch("npy");
    for (name, (shape, values)) in &weights {
        write_npy(&dir, name, shape, values);
    }
    same_as_json(&artifact, "mlp_digits", &dir);
}

#[test]
fn bad_weight_files_are_refused() {
    let artifact = build("linear_digits");
    let mut weights = json_weights(&artifact, "linear_digits");
    let dir = scratch("bad");
    let message = |p: &Path| {
        zkm_runtime::weights::read(&artifact.program, p)
            .expect_err("refused")
            .message
    };
    let wrong_shape = dir.join("wrong_shape");
    std::fs::create_dir_all(&wrong_shape).expect("dir");
    for (name, (shape, values)) in &weights {
        let shape: Vec<usize> = if name == "w" {
            shape.iter().rev().copied().collect()
        } else {
            shape.clone()
        };
        write_npy(&wrong_shape, name, &shape, values);
    }
    assert!(
        message(&wrong_shape).contains("is declared [64, 10]"),
        "{}",
        message(&wrong_shape)
    );
    let missing = dir.join("missing");
    std::fs::create_dir_all(&missing).expect("dir");
    assert!(
        message(&missing).contains("cannot read"),
        "{}",
        message(&missing)
    );
    weights.insert("extra".into(), (vec![1], vec![1.0]));
    let unknown = dir.join("unknown.safetensors");
    write_safetensors(&unknown, &weights, false);
    assert!(
        message(&unknown).contains("unknown tensor `extra`"),
        "{}",
        message(&unknown)
    );
    let garbage = dir.join("garbage.safetensors");
    std::fs::write(&garbage, b"not a safetensors file").expect("write");
    assert!(
        message(&garbage).contains("is not a safetensors file"),
        "{}",
        message(&garbage)
    );
}

#[test]
fn strict_data_npy_with_trailing_bytes_is_refused() {
    let artifact = build("linear_digits");
    let weights = json_weights(&artifact, "linear_digits");
    let dir = scratch("trailing");
    for (name, (shape, values)) in &weights {
        write_npy(&dir, name, shape, values);
    }
    zkm_runtime::weights::read(&artifact.program, &dir).expect("the clean folder loads");
    let w = dir.join("w.npy");
    let mut bytes = std::fs::read(&w).expect("npy");
    bytes.extend_from_slice(&[0u8; 8]);
    std::fs::write(&w, bytes).expect("write");
    let e = zkm_runtime::weights::read(&artifact.program, &dir).expect_err("trailing bytes");
    assert!(
        e.message.contains("8 bytes after its array's data"),
        "{}",
        e.message
    );
}

#[test]
fn errors_name_the_wrong_file_npy_missing_has_no_os_error_number() {
    let artifact = build("linear_digits");
    let dir = scratch("no_npy");
    let e = zkm_runtime::weights::read(&artifact.program, &dir).expect_err("missing .npy");
    assert!(
        e.message.ends_with("no such file or directory"),
        "{}",
        e.message
    );
    assert!(e.in_weights);
}

#[test]
fn out_of_range_safetensors_value_is_marked_as_in_the_weights() {
    // A value that does not fit its type is found while quantizing, after the weights were read:
    // the error must still say it is in the weights, not in input.json.
    let artifact = build("linear_digits");
    let mut weights = json_weights(&artifact, "linear_digits");
    if let Some((_, values)) = weights.get_mut("w") {
        values[0] = 1e9;
    }
    let dir = scratch("range");
    let path = dir.join("w.safetensors");
    write_safetensors(&path, &weights, false);
    let map = zkm_runtime::weights::read(&artifact.program, &path).expect("readable");
    let input =
        std::fs::read_to_string(root().join("examples/linear_digits/input.json")).expect("input");
    let e = zkm_runtime::inputs::load_with(&artifact.program, &input, map).expect_err("range");
    assert_eq!(e.code, zkm_diagnostics::codes::INPUT_OUT_OF_RANGE);
    assert!(
        e.in_weights,
        "an out-of-range weight is reported in the input file"
    );
}

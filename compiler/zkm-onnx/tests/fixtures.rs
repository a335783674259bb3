//! The `.zkm` text `zkmc import` generates for each ONNX fixture (`tests/onnx`), as an auditor
//! reads it: one `let` per kept node with the nodes it stands for, folded constants, calibrated
//! types. Also checks the float evaluation of the translated graph against tract's run of the
//! original file, which catches a wrong fold (BatchNormalization, bias `Add`, Gemm's `alpha`,
//! `beta`, `transB`) independently of quantization.

use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/onnx")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(format!("{name}.onnx"))).expect("fixture")
}

/// The fixtures that import: those with samples (`NAME_data.json`), sorted.
fn good() -> Vec<String> {
    let entries = std::fs::read_dir(dir()).expect("tests/onnx");
    let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok());
    let mut good: Vec<String> = names
        .filter_map(|f| Some(f.strip_suffix("_data.json")?.to_owned()))
        .collect();
    good.sort();
    assert!(good.len() >= 6, "the fixtures are there: {good:?}");
    good
}

#[test]
fn generated_sources() {
    for name in &good() {
        let options = zkm_onnx::Options {
            model: name.to_string(),
            origin: format!("{name}.onnx"),
            ..Default::default()
        };
        let imported = zkm_onnx::import(&fixture(name), &options).expect("imports");
        insta::assert_snapshot!(name.as_str(), imported.source);
    }
}

#[test]
fn translated_graphs_compute_what_tract_computes() {
    for name in &good() {
        let bytes = fixture(name);
        let model = zkm_onnx::proto::decode(&bytes).expect("decodes");
        let graph = zkm_onnx::graph::translate(&model).expect("translates");
        let reference = zkm_onnx::reference::Reference::new(&bytes).expect("tract loads it");
        let len: usize = graph.input_shape.iter().product();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5 {
            let x: Vec<f64> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 2001) as f64 / 1000.0 - 1.0
                })
                .collect();
            let outs = zkm_onnx::float::run(&graph, &x);
            let ours = zkm_onnx::float::value(graph.output, &x, &outs);
            let theirs = reference.run(&x).expect("tract runs");
            assert_eq!(ours.len(), theirs.len(), "{name}");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!(
                    (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
                    "{name}: {a} vs tract {b}"
                );
            }
        }
    }
}

#[test]
fn every_unsupported_node_is_reported() {
    let problems =
        zkm_onnx::import(&fixture("unsupported"), &Default::default()).expect_err("refused");
    let ops: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    assert_eq!(problems.len(), 3, "{ops:?}");
    for op in ["LeakyRelu", "Mul", "Erf"] {
        assert!(
            ops.iter().any(|m| m.contains(op)),
            "{op} not reported: {ops:?}"
        );
    }
}

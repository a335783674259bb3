//! CLI regression tests of the hardening issue whose inputs cannot be case files: huge and
//! special files, artifacts edited with a recomputed hash, interrupted writes. The defect each
//! test guards against is in its name; the cases under `tests/cases/hardening_*.cli` cover the
//! rest. Snapshots are laid out as in `cli.rs`.

mod common;

use common::*;

const LINEAR: &str = "examples/linear_digits/linear_digits.zkm";

#[test]
fn no_size_limit_on_reads_huge_proof_is_refused_from_its_size() {
    let mut s = Session::new(&[]);
    let big = std::fs::File::create(s.path("huge.proof")).expect("create");
    big.set_len(1 << 30).expect("sparse 1 GiB file");
    s.run(&["verify", LINEAR, "<TMP>/huge.proof"]);
    insta::assert_snapshot!(s.finish());
}

#[cfg(unix)]
#[test]
fn no_size_limit_on_reads_dev_zero_everywhere() {
    let mut s = Session::new(&[]);
    s.run(&["check", "/dev/zero"]);
    s.run(&["verify", LINEAR, "/dev/zero"]);
    s.run(&["run", LINEAR, "--input", "/dev/zero"]);
    s.run(&["run", LINEAR, "--weights", "/dev/zero"]);
    insta::assert_snapshot!(s.finish());
}

#[test]
fn errors_name_the_wrong_file_checker_on_a_built_artifact() {
    let mut s = Session::new(&[]);
    s.run(&["build", LINEAR, "-o", "<TMP>"]);
    // A constant of the first constraint changed, the hash recomputed: the checker fails. Its
    // span points into the `.zkm` file, which `run` on an artifact never read; it used to be
    // drawn in input.json, the first file read.
    let path = s.path("linear_digits.air.json");
    let text = std::fs::read_to_string(&path).expect("artifact");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut program: zkm_air::AirProgram =
        serde_json::from_value(json["program"].clone()).expect("program");
    let edited = edit_first_constant(&mut program);
    assert!(edited, "the artifact has a constant");
    let artifact = zkm_air::Artifact::new(program);
    std::fs::write(&path, artifact.to_json()).expect("write artifact");
    let input = "examples/linear_digits/input.json";
    let weights = "examples/linear_digits/weights.json";
    s.run(&[
        "run",
        "<TMP>/linear_digits.air.json",
        "--input",
        input,
        "--weights",
        weights,
    ]);
    let shown = s.finish();
    assert!(!shown.contains("input.json:"), "{shown}");
    insta::assert_snapshot!(shown);
}

/// Adds one to the first constant node of the expression arena; false when there is none.
fn edit_first_constant(program: &mut zkm_air::AirProgram) -> bool {
    let mut json = serde_json::to_value(&program.exprs).expect("arena");
    let Some(nodes) = json["nodes"].as_array_mut() else {
        return false;
    };
    let Some(c) = nodes.iter_mut().find_map(|n| n.get_mut("Const")) else {
        return false;
    };
    *c = (c.as_i64().unwrap_or(0) + 1).into();
    program.exprs = serde_json::from_value(json).expect("arena");
    true
}

/// A `.npy` file of little-endian `f8` values.
fn npy(shape: &[usize], values: &[f64]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| format!("{d}, ")).collect();
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}",
        dims.concat().trim_end()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[test]
fn errors_name_the_wrong_file_out_of_range_npy_weight() {
    let model = b"model m {\n    input x: fixed<8, 4>[3];\n    param w: fixed<8, 4>[3, 2];\n    output y: fixed<17, 8>[2];\n    y = x @ w;\n}\n";
    let w = npy(&[3, 2], &[0.5, 1.0, -1.0, 1e9, 0.0, 2.0]);
    let shown = run_cli(
        &[
            "run",
            "<TMP>/m.zkm",
            "--input",
            "<TMP>/in.json",
            "--weights",
            "<TMP>/w",
        ],
        &[
            ("m.zkm", model),
            ("in.json", b"{\"x\": [1.0, -0.5, 2.0]}"),
            ("w/", b""),
            ("w/w.npy", &w),
        ],
    );
    assert!(shown.contains("in <TMP>/w"), "{shown}");
    insta::assert_snapshot!(shown);
}

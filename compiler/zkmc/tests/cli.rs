//! CLI tests whose inputs are generated (binary garbage, deep nesting, huge identifiers, wide
//! models, out-of-range numbers) or whose output is cut; every other CLI case is a file under
//! `tests/cases/` run by `cases.rs`.
//!
//! Each test runs the binary once with [`run_cli`], in the repository root, with its own scratch
//! folder under the system temp dir (written to `<TMP>` in arguments). The snapshot holds the exit
//! status, the files left in the scratch folder, standard error and standard output, with the
//! scratch folder shown as `<TMP>` and the repository as `<ROOT>`. Tests that prove and then
//! verify run several commands in one scratch folder with a [`Session`]; durations are shown as
//! `<MS>`.
//!
//! Every run must end without a panic and with an exit status that is not 3 (bug); a failing run
//! (status 1) must print a diagnostic with a code and leave no file behind. Create or update the
//! snapshots with `INSTA_UPDATE=always cargo test -p zkmc --test cli` and read them.

mod common;

use common::*;

// ERROR CASES
// ================================================================================================

#[test]
fn build_binary_garbage() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", &garbage())]
    ));
}

#[test]
fn check_binary_garbage() {
    insta::assert_snapshot!(run_cli(&["check", "<TMP>/m.zkm"], &[("m.zkm", &garbage())]));
}

#[test]
fn build_deep_parentheses() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", &deep_parens(20_000))]
    ));
}

#[test]
fn check_deep_parentheses() {
    insta::assert_snapshot!(run_cli(
        &["check", "<TMP>/m.zkm"],
        &[("m.zkm", &deep_parens(20_000))]
    ));
}

#[test]
fn build_long_identifier() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", &long_ident(200_000))]
    ));
}

#[test]
fn build_too_many_columns() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", &relu_chain(300))]
    ));
}

#[test]
fn run_input_out_of_range() {
    insta::assert_snapshot!(run_cli(
        &["run", LINEAR, "--input", "<TMP>/in.json"],
        &[("in.json", &input_with_first(1e9))]
    ));
}

// SUCCESS CASES
// ================================================================================================

#[test]
fn build_emit_air_linear_digits() {
    insta::assert_snapshot!(head(&run_cli(&["build", LINEAR, "--emit", "air"], &[]), 12));
}

// ONNX IMPORT
// ================================================================================================

/// Importing each example's committed `model.onnx` with its calibration data gives exactly the
/// committed `imported/` files (which `cli_prove.rs` proves and verifies).
#[test]
fn import_reproduces_the_committed_examples() {
    for name in ["sklearn_mlp", "cnn_digits", "lenet_digits"] {
        let dir = scratch_dir();
        let ex = root().join("examples").join(name);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_zkmc"))
            .arg("import")
            .arg(ex.join("model.onnx"))
            .arg("--calibrate")
            .arg(ex.join("calibration.json"))
            .args(["--name", &format!("{name}_onnx"), "-o"])
            .arg(&dir)
            .output()
            .expect("zkmc runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        for file in [
            format!("{name}_onnx.zkm"),
            "weights.safetensors".into(),
            "input.json".into(),
        ] {
            let fresh = std::fs::read(dir.join(&file)).expect("written");
            let committed = std::fs::read(ex.join("imported").join(&file)).expect("committed");
            assert!(
                fresh == committed,
                "{name}/imported/{file} differs from a fresh import"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Each ONNX fixture imports, and the quantized model agrees with tract's float run of the same
/// file on the fixture's samples (the snapshot holds the agreement and the errors).
#[test]
fn import_then_eval_every_fixture() {
    let mut s = Session::new(&[]);
    // The fixtures with samples (`NAME_data.json`) are the ones that import.
    let entries = std::fs::read_dir(root().join("tests/onnx")).expect("tests/onnx");
    let names = entries.filter_map(|e| e.ok()?.file_name().into_string().ok());
    let mut fixtures: Vec<String> = names
        .filter_map(|f| Some(f.strip_suffix("_data.json")?.to_owned()))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 6, "the fixtures are there: {fixtures:?}");
    for f in &fixtures {
        let (onnx, data) = (
            format!("tests/onnx/{f}.onnx"),
            format!("tests/onnx/{f}_data.json"),
        );
        let out = format!("<TMP>/{f}");
        s.run(&["import", &onnx, "--calibrate", &data, "-o", &out]);
        let model = format!("<TMP>/{f}/{f}.zkm");
        s.run(&["eval", &model, "--data", &data, "--onnx", &onnx]);
    }
    let shown = s.finish();
    let agreements: Vec<&str> = shown
        .lines()
        .filter(|l| l.contains("top-1 agreement"))
        .collect();
    assert_eq!(
        agreements.len(),
        fixtures.len(),
        "every fixture evaluates:\n{shown}"
    );
    for line in agreements {
        let agree = line
            .split(": ")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .expect("agreement");
        assert!(agree.trim().parse::<u32>().expect("count") >= 19, "{line}");
    }
    insta::assert_snapshot!(shown);
}

/// Top-1 agreement with the float model is at least 99% on 200 held-out digits for each
/// imported example (the snapshots of `cases/eval_*_onnx.cli` show the whole report).
#[test]
fn imported_examples_agree_with_the_float_models() {
    for name in ["sklearn_mlp", "cnn_digits", "lenet_digits"] {
        let ex = format!("examples/{name}");
        let out = run_cli(
            &[
                "eval",
                &format!("{ex}/imported/{name}_onnx.zkm"),
                "--data",
                &format!("{ex}/heldout.json"),
                "--onnx",
                &format!("{ex}/model.onnx"),
            ],
            &[],
        );
        let line = out
            .lines()
            .find(|l| l.contains("top-1 agreement"))
            .expect("agreement line");
        let agree: u32 = line
            .split(": ")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|n| n.trim().parse().ok())
            .expect("count");
        assert!(agree >= 198, "{name}: {line}");
    }
}

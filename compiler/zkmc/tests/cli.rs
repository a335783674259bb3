//! CLI tests: what a user of the real `zkmc` binary sees.
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
fn build_empty_file() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", b"")]
    ));
}

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
fn build_unclosed_brace() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", UNCLOSED)]
    ));
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
fn build_undefined_name() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", UNDEFINED)]
    ));
}

#[test]
fn build_missing_file() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/missing.zkm", "-o", "<TMP>/out"],
        &[]
    ));
}

#[test]
fn check_missing_file() {
    insta::assert_snapshot!(run_cli(&["check", "<TMP>/missing.zkm"], &[]));
}

#[test]
fn build_directory() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/dir.zkm", "-o", "<TMP>/out"],
        &[("dir.zkm/", b"")]
    ));
}

#[test]
fn check_directory() {
    insta::assert_snapshot!(run_cli(&["check", "<TMP>/dir.zkm"], &[("dir.zkm/", b"")]));
}

#[test]
fn build_shape_mismatch() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", SHAPES)]
    ));
}

#[test]
fn build_matrix_matrix_product() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", MATMAT)]
    ));
}

#[test]
fn build_too_many_columns() {
    insta::assert_snapshot!(run_cli(
        &["build", "<TMP>/m.zkm", "-o", "<TMP>/out"],
        &[("m.zkm", &relu_chain(60))]
    ));
}

#[test]
fn build_output_dir_is_a_file() {
    insta::assert_snapshot!(run_cli(
        &["build", LINEAR, "-o", "<TMP>/out"],
        &[("out", b"a file")]
    ));
}

#[test]
fn build_listing_path_is_a_directory() {
    insta::assert_snapshot!(run_cli(
        &["build", LINEAR, "-o", "<TMP>/out"],
        &[("out/linear_digits.air.txt/", b"")]
    ));
}

#[test]
fn explain_unknown_code() {
    insta::assert_snapshot!(run_cli(&["explain", "E9999"], &[]));
}

#[test]
fn explain_not_a_code() {
    insta::assert_snapshot!(run_cli(&["explain", "hello"], &[]));
}

#[test]
fn unknown_subcommand() {
    insta::assert_snapshot!(run_cli(&["frobnicate", "m.zkm"], &[]));
}

#[test]
fn build_without_file() {
    insta::assert_snapshot!(run_cli(&["build"], &[]));
}

#[test]
fn run_weights_not_numbers() {
    insta::assert_snapshot!(run_cli(
        &["run", LINEAR, "--weights", "<TMP>/w.json"],
        &[("w.json", br#"{"w": "oops"}"#)]
    ));
}

#[test]
fn run_input_out_of_range() {
    insta::assert_snapshot!(run_cli(
        &["run", LINEAR, "--input", "<TMP>/in.json"],
        &[("in.json", &input_with_first(1e9))]
    ));
}

#[test]
fn run_input_malformed_json() {
    insta::assert_snapshot!(run_cli(
        &["run", LINEAR, "--input", "<TMP>/in.json"],
        &[("in.json", MALFORMED)]
    ));
}

#[test]
fn run_missing_input_file() {
    insta::assert_snapshot!(run_cli(
        &["run", LINEAR, "--input", "<TMP>/missing.json"],
        &[]
    ));
}

// SUCCESS CASES
// ================================================================================================

#[test]
fn explain_e0502() {
    insta::assert_snapshot!(run_cli(&["explain", "E0502"], &[]));
}

#[test]
fn explain_lowercase() {
    insta::assert_snapshot!(run_cli(&["explain", "e0301"], &[]));
}

#[test]
fn check_linear_digits() {
    insta::assert_snapshot!(run_cli(&["check", LINEAR], &[]));
}

#[test]
fn build_linear_digits() {
    insta::assert_snapshot!(run_cli(&["build", LINEAR, "-o", "<TMP>/out"], &[]));
}

#[test]
fn build_emit_air_linear_digits() {
    insta::assert_snapshot!(head(&run_cli(&["build", LINEAR, "--emit", "air"], &[]), 12));
}

#[test]
fn run_mlp_digits() {
    insta::assert_snapshot!(run_cli(&["run", "examples/mlp_digits/mlp_digits.zkm"], &[]));
}

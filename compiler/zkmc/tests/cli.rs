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

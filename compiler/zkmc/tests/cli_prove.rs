//! CLI snapshots of `zkmc prove` and `zkmc verify`: a proof that verifies, corrupted and
//! mismatched proof files, JSON output, and the guards (memory, security, artifacts). Proofs are
//! seeded (`--seed`) so that their sizes and bytes repeat.

mod common;

use common::*;

// PROVE AND VERIFY
// ================================================================================================

#[test]
fn prove_and_verify_linear_digits() {
    let mut s = Session::new(&[]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        LINEAR,
        "-o",
        "<TMP>/l.proof",
    ]);
    s.run(&["verify", LINEAR, "<TMP>/l.proof"]);
    insta::assert_snapshot!(s.finish());
}

#[test]
fn prove_json_linear_digits() {
    let mut s = Session::new(&[]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        LINEAR,
        "-o",
        "<TMP>/l.proof",
        "--json",
    ]);
    s.run(&["verify", LINEAR, "<TMP>/l.proof", "--json"]);
    insta::assert_snapshot!(s.finish());
}

#[test]
fn verify_corrupted_proof() {
    let mut s = Session::new(&[]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        LINEAR,
        "-o",
        "<TMP>/l.proof",
    ]);
    s.edit("l.proof", |bytes| {
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
    });
    s.run(&["verify", LINEAR, "<TMP>/l.proof"]);
    insta::assert_snapshot!(s.finish());
}

#[test]
fn verify_proof_of_another_model() {
    let mut s = Session::new(&[]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        LINEAR,
        "-o",
        "<TMP>/l.proof",
    ]);
    s.run(&["verify", MLP, "<TMP>/l.proof"]);
    insta::assert_snapshot!(s.finish());
}

/// The artifact hash covers the source file name as given, so a proof made with one spelling of
/// the model's path is rejected when verified with another.
#[test]
fn verify_with_another_spelling_of_the_model_path() {
    let mut s = Session::new(&[]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        LINEAR,
        "-o",
        "<TMP>/l.proof",
    ]);
    s.run(&["verify", &format!("./{LINEAR}"), "<TMP>/l.proof"]);
    let shown = s.finish();
    let verify = shown.rsplit("$ zkmc verify").next().unwrap_or_default();
    assert!(verify.contains("status: 0"), "{shown}");
}

#[test]
fn prove_max_memory_too_small() {
    insta::assert_snapshot!(run_cli(
        &[
            "prove",
            "--backend",
            "cpu",
            LINEAR,
            "-o",
            "<TMP>/l.proof",
            "--max-memory",
            "1"
        ],
        &[]
    ));
}

#[test]
fn prove_from_a_tampered_artifact() {
    let artifact = br#"{"format":"zkmc-air","version":1,"hash":"00","program":{}}"#;
    insta::assert_snapshot!(run_cli(
        &[
            "prove",
            "--backend",
            "cpu",
            "<TMP>/m.air.json",
            "-o",
            "<TMP>/m.proof"
        ],
        &[("m.air.json", artifact)]
    ));
}

#[test]
fn prove_security_out_of_reach() {
    insta::assert_snapshot!(run_cli(
        &[
            "prove",
            "--backend",
            "cpu",
            LINEAR,
            "-o",
            "<TMP>/l.proof",
            "--security",
            "200"
        ],
        &[]
    ));
}

#[test]
fn verify_missing_proof_file() {
    insta::assert_snapshot!(run_cli(&["verify", LINEAR, "<TMP>/missing.proof"], &[]));
}

#[test]
fn verify_empty_proof_file() {
    insta::assert_snapshot!(run_cli(
        &["verify", LINEAR, "<TMP>/empty.proof"],
        &[("empty.proof", b"")]
    ));
}

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

// COMMITTED WEIGHTS
// ================================================================================================

const COMMITTED: &str = "examples/mlp_committed/mlp_committed.zkm";
const W1: &str = "w1=e4b70bde276f95601d7776f55aa5a6df1ee4d62e0c2521b970aa7ed4e86063b6";
const W2: &str = "w2=7212890bcd02c5a076dcd20f522d4b74ad4aff00935c0ecb263a44729babe96b";

/// The shipped openings: the proof's digests are the published ones; a wrong expectation, an
/// unknown name and a different public input are rejected after the STARK verified.
#[test]
fn committed_weights_prove_and_verify_against_expected_digests() {
    let mut s = Session::new(&[]);
    let proof = "<TMP>/c.proof";
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        COMMITTED,
        "-o",
        proof,
    ]);
    s.run(&["verify", COMMITTED, proof, "--expect", W1, "--expect", W2]);
    let wrong = "w2=e4b70bde276f95601d7776f55aa5a6df1ee4d62e0c2521b970aa7ed4e86063b6";
    s.run(&["verify", COMMITTED, proof, "--expect", wrong]);
    s.run(&["verify", COMMITTED, proof, "--expect", "b1=00"]);
    insta::assert_snapshot!(s.finish());
}

/// `zkmc commit` with a seed (digests repeat), proving without openings, and with weights that
/// are not the committed ones.
#[test]
fn commit_then_prove_with_missing_or_stale_openings() {
    let weights = b"{\"w\": [[1, 2], [3, -4]]}";
    let model = b"model m {\n    input x: int<8>[2];\n    committed param w: int<8>[2, 2];\n    output y: int<20>[2];\n    y = x @ w;\n}\n";
    let mut s = Session::new(&[
        ("m.zkm", model),
        ("input.json", b"{\"x\": [5, 6]}"),
        ("weights.json", weights),
        ("w2.json", b"{\"w\": [[1, 2], [3, -5]]}"),
    ]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "<TMP>/m.zkm",
        "-o",
        "<TMP>/m.proof",
    ]);
    s.run(&["commit", "<TMP>/m.zkm", "--seed", "7"]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        "<TMP>/m.zkm",
        "-o",
        "<TMP>/m.proof",
        "--weights",
        "<TMP>/w2.json",
    ]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        "<TMP>/m.zkm",
        "-o",
        "<TMP>/m.proof",
    ]);
    s.run(&["verify", "<TMP>/m.zkm", "<TMP>/m.proof", "--json"]);
    insta::assert_snapshot!(s.finish());
}

/// `zkmc verify --input`: the proof's public inputs must be the file's.
#[test]
fn verify_requires_the_given_public_inputs() {
    let model = b"model m {\n    public input x: int<8>[2];\n    param w: int<8>[2, 2];\n    output y: int<20>[2];\n    y = x @ w;\n}\n";
    let mut s = Session::new(&[
        ("m.zkm", model),
        ("input.json", b"{\"x\": [5, 6]}"),
        ("other.json", b"{\"x\": [5, 7]}"),
        ("weights.json", b"{\"w\": [[1, 2], [3, -4]]}"),
    ]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        "<TMP>/m.zkm",
        "-o",
        "<TMP>/m.proof",
    ]);
    s.run(&[
        "verify",
        "<TMP>/m.zkm",
        "<TMP>/m.proof",
        "--input",
        "<TMP>/input.json",
    ]);
    s.run(&[
        "verify",
        "<TMP>/m.zkm",
        "<TMP>/m.proof",
        "--input",
        "<TMP>/other.json",
    ]);
    insta::assert_snapshot!(s.finish());
}

/// A committed output: `commit` draws its nonce, `prove` shows its values to the prover, `verify`
/// shows its digest only.
#[test]
fn committed_output_values_go_to_the_prover_only() {
    let model = b"model m {\n    input x: int<8>[2];\n    param w: int<8>[2, 2];\n    committed output y: int<20>[2];\n    y = x @ w;\n}\n";
    let mut s = Session::new(&[
        ("m.zkm", model),
        ("input.json", b"{\"x\": [5, 6]}"),
        ("weights.json", b"{\"w\": [[1, 2], [3, -4]]}"),
    ]);
    s.run(&["commit", "<TMP>/m.zkm", "--seed", "9"]);
    s.run(&[
        "prove",
        "--backend",
        "cpu",
        "--seed",
        "1",
        "<TMP>/m.zkm",
        "-o",
        "<TMP>/m.proof",
    ]);
    s.run(&["verify", "<TMP>/m.zkm", "<TMP>/m.proof"]);
    insta::assert_snapshot!(s.finish());
}

// IMPORTED ONNX MODELS
// ================================================================================================

/// The models `zkmc import` wrote from the committed ONNX files (`cli.rs` checks that importing
/// again gives the same files): each proves from its folder's defaults (`weights.safetensors`,
/// `input.json`) and verifies; a proof of one does not verify against another.
#[test]
fn imported_onnx_models_prove_and_verify() {
    let mut s = Session::new(&[]);
    for name in ["sklearn_mlp", "cnn_digits", "lenet_digits"] {
        let model = format!("examples/{name}/imported/{name}_onnx.zkm");
        let proof = format!("<TMP>/{name}.proof");
        s.run(&[
            "prove",
            "--backend",
            "cpu",
            "--seed",
            "1",
            &model,
            "-o",
            &proof,
        ]);
        s.run(&["verify", &model, &proof]);
    }
    s.run(&[
        "verify",
        "examples/cnn_digits/imported/cnn_digits_onnx.zkm",
        "<TMP>/sklearn_mlp.proof",
    ]);
    insta::assert_snapshot!(s.finish());
}

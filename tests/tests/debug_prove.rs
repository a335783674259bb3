//! Proves zero-knowledge models in a debug build, where Winterfell validates the trace against
//! every assertion and transition constraint and checks that each constraint's observed degree
//! equals its declared one (the workspace enables `winter-prover`'s debug assertions for test
//! builds). This covers the zero-knowledge layout: the exemptions, the dead row, the random rows
//! and the mask constraint `p·B^k·A'` declared with its periodic cycle (`k = 6` with a
//! commitment's degree-7 permutation rounds and helper columns). In debug builds the
//! prover's own constraint evaluator (`runtime/src/stark/evaluator.rs`, the lane interpreter) is
//! also compared with Winterfell's default one on every proof: the composition values must be
//! the same field elements (public-weight examples bring sequence assertions, the private
//! kernel periodic columns).

mod common;

use common::*;

#[test]
fn zero_knowledge_examples_prove_under_winterfells_debug_checks() {
    for name in EXAMPLES {
        let artifact = build(name);
        assert!(artifact.program.is_zero_knowledge());
        let trace = honest_trace(name, &artifact);
        let file = prove(&artifact, &trace);
        let params = api::split_public(&artifact.program, &trace.public).1;
        verify(&artifact, &file, &params).expect("verifies");
    }
}

/// The private-kernel convolution's gadget (periodic gather columns, degree-3 keys) under the
/// same checks.
#[test]
fn private_kernel_convolution_proves_under_winterfells_debug_checks() {
    let ex = Example::private_param("cnn_digits", "k1");
    verify(&ex.artifact, &ex.file, &ex.params).expect("verifies");
}

/// A commitment: the degree-7 permutation rounds and LogUp helpers, the constraint-evaluation
/// blowup 8 and the mask `p·B⁶·A'` under the same checks (the private-product case with its
/// weights committed).
#[test]
fn committed_weights_prove_under_winterfells_debug_checks() {
    let rel = "tests/programs/private_product.zkm";
    let text = std::fs::read_to_string(root().join(rel)).expect("program source");
    let text = text.replace("private param w:", "committed param w:");
    let artifact = compile(rel, text);
    let data = std::fs::read_to_string(root().join("tests/programs/private_product.json"));
    let data: serde_json::Value = serde_json::from_str(&data.expect("data")).expect("JSON");
    let (input, weights) = (data["input"].to_string(), data["weights"].to_string());
    let mut inputs = zkm_runtime::load(&artifact.program, &input, &weights)
        .expect("data loads")
        .inputs;
    inputs.nonces.insert("w".into(), 12_345);
    let trace = zkm_air::witness::generate(&artifact.program, &inputs).expect("witness");
    let degree = |c: &zkm_air::program::Constraint| c.degree.base;
    let top = artifact.program.constraints.iter().map(degree).max();
    assert_eq!(
        top,
        Some(7),
        "the permutation rounds and the mask have degree 7"
    );
    let file = prove(&artifact, &trace);
    let params = api::split_public(&artifact.program, &trace.public).1;
    verify(&artifact, &file, &params).expect("verifies");
}

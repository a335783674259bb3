//! Proves zero-knowledge models in a debug build, where Winterfell validates the trace against
//! every assertion and transition constraint and checks that each constraint's observed degree
//! equals its declared one (the workspace enables `winter-prover`'s debug assertions for test
//! builds). This covers the zero-knowledge layout: the exemptions, the dead row, the random rows
//! and the mask constraint `p·B²·A'` declared with its periodic cycle. In debug builds the
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

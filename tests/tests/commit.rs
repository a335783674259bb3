//! Committed weights (`spec/commitment.md`, `spec/zk.md` §8) on the bundled `mlp_committed`
//! example: the digests a proof's statement carries are the in-AIR RPO-256 digests of the
//! weights it used, and every way of using other weights or another nonce shows up as another
//! digest or a rejected proof.

mod common;

use common::*;
use zkm_runtime::openings::{Openings, OpeningsError};

const NAME: &str = "mlp_committed";

fn openings(a: &Artifact) -> Openings {
    Openings::from_json(&a.program, &data(NAME, "openings.json")).expect("shipped openings")
}

/// The example's quantized inputs and weights (without nonces).
fn loaded(a: &Artifact, weights: &str) -> zkm_air::Inputs {
    let loaded = zkm_runtime::load(&a.program, &data(NAME, "input.json"), weights);
    loaded.expect("data loads").inputs
}

fn params(a: &Artifact, t: &Trace) -> Vec<Felt> {
    api::split_public(&a.program, &t.public).1
}

fn trace(a: &Artifact, inputs: &zkm_air::Inputs) -> Trace {
    zkm_air::witness::generate(&a.program, inputs).expect("witness")
}

#[test]
fn digests_in_the_statement_are_the_committed_ones() {
    let a = build(NAME);
    assert!(a.program.is_zero_knowledge());
    let o = openings(&a);
    let mut inputs = loaded(&a, &data(NAME, "weights.json"));
    o.apply(&mut inputs)
        .expect("the shipped weights are the committed ones");
    let t = trace(&a, &inputs);
    let file = prove(&a, &t);
    let statement = verify(&a, &file, &params(&a, &t)).expect("verifies");
    let digests = statement.digests();
    assert_eq!(digests.len(), 3);
    for (name, hex) in &digests {
        assert_eq!(Some(hex), o.openings[name].digest.as_ref(), "{name}");
        let nonce = Felt::new(o.openings[name].nonce.parse().expect("nonce"));
        let values = &inputs.values[name];
        let d = zkm_air::gadgets::digest(values, 8, nonce);
        assert_eq!(*hex, zkm_air::gadgets::digest_hex(&d), "{name}");
    }
    // Editing a digest in the proof file breaks the STARK.
    let slot = io_offset(&a, "w2");
    let mut edited = file.clone();
    edited.io[slot] += Felt::new(1);
    let err = verify(&a, &edited, &params(&a, &t)).expect_err("edited digest");
    assert!(matches!(err, VerifyError::Stark(_)), "{err}");
}

#[test]
fn other_weights_or_nonces_give_other_digests() {
    let a = build(NAME);
    let o = openings(&a);
    let published = o.openings["w1"].digest.clone().expect("a weight digest");
    // The same shape, rows swapped: the openings refuse them ...
    let weights: serde_json::Value =
        serde_json::from_str(&data(NAME, "weights.json")).expect("json");
    let mut swapped = weights.clone();
    let rows = swapped["w1"].as_array_mut().expect("rows");
    rows.swap(0, 1);
    let mut inputs = loaded(&a, &swapped.to_string());
    let err = o.apply(&mut inputs).expect_err("swapped weights");
    assert!(matches!(err, OpeningsError::DataChanged { ref name, .. } if name == "w1"));
    // ... and committed afresh they prove, under another digest.
    let rng = stark::ZkRng::new(stark::Randomness::Seed(3)).expect("rng");
    let fresh = Openings::commit(&a.program, &inputs, &rng).expect("commit");
    fresh.apply(&mut inputs).expect("fresh openings");
    let w1 = proved_digest(&a, &inputs, "w1");
    assert_ne!(w1, published, "swapped weights under the published digest");
    // The same weights under another nonce: another digest.
    let mut inputs = loaded(&a, &data(NAME, "weights.json"));
    o.apply(&mut inputs).expect("shipped");
    *inputs.nonces.get_mut("w1").expect("nonce") += 1;
    let w1 = proved_digest(&a, &inputs, "w1");
    assert_ne!(w1, published, "another nonce under the published digest");
}

/// A trace whose public digest was replaced by the published one, proved past the checker,
/// does not verify.
#[test]
fn a_forged_digest_does_not_verify() {
    let a = build(NAME);
    let o = openings(&a);
    let mut inputs = loaded(&a, &data(NAME, "weights.json"));
    o.apply(&mut inputs).expect("shipped");
    *inputs.nonces.get_mut("w3").expect("nonce") += 1;
    let mut t = trace(&a, &inputs);
    let honest = trace(&a, &{
        let mut i = inputs.clone();
        o.apply(&mut i).expect("shipped");
        i
    });
    let slot = public_offset(&a, "w3");
    t.public[slot..slot + 4].copy_from_slice(&honest.public[slot..slot + 4]);
    assert!(
        !check(&a.program, &t).is_empty(),
        "the checker accepts the forged digest"
    );
    let proved = api::prove_unchecked(&a, &t, &seeded());
    if let Ok(p) = proved {
        let err = verify(&a, &p.file, &params(&a, &t)).expect_err("forged digest");
        assert!(matches!(err, VerifyError::Stark(_)), "{err}");
    }
}

/// Proves `inputs` (nonces included), verifies, and returns the statement's digest of `name`.
fn proved_digest(a: &Artifact, inputs: &zkm_air::Inputs, name: &str) -> String {
    let t = trace(a, inputs);
    let statement = verify(a, &prove(a, &t), &params(a, &t)).expect("verifies");
    let digests = statement.digests().into_iter();
    digests
        .filter(|(n, _)| n == name)
        .map(|(_, h)| h)
        .next()
        .expect("digest")
}

/// Offset of `name`'s digest in the public vector.
fn public_offset(a: &Artifact, name: &str) -> usize {
    let slot = a.program.public.iter().find(|s| s.name == name);
    slot.expect("digest slot").offset as usize
}

/// Offset of `name`'s digest among the proof file's I/O values (the public vector without its
/// parameter slots).
fn io_offset(a: &Artifact, name: &str) -> usize {
    let before = a.program.public.iter().take_while(|s| s.name != name);
    let io = before.filter(|s| s.kind != PublicKind::Param);
    io.map(|s| s.len as usize).sum()
}

/// A committed output: its nonce comes from `zkmc commit`, its digest from the proof, and it is
/// the RPO-256 digest of the output the model computed.
#[test]
fn a_committed_output_has_the_digest_of_the_computed_values() {
    let source = "model co {\n    input x: int<8>[4];\n    param w: int<8>[4, 3];\n    committed output y: int<20>[3];\n    y = x @ w;\n}\n";
    let a = compile("co.zkm", source.into());
    let weights = r#"{"w": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -2, -3]]}"#;
    let loaded = zkm_runtime::load(&a.program, r#"{"x": [1, 2, 3, 4]}"#, weights);
    let mut inputs = loaded.expect("data loads").inputs;
    let rng = stark::ZkRng::new(stark::Randomness::Seed(4)).expect("rng");
    let o = Openings::commit(&a.program, &inputs, &rng).expect("commit");
    assert_eq!(
        o.openings["y"].digest, None,
        "an output's digest is known after proving"
    );
    o.apply(&mut inputs).expect("nonce");
    let t = trace(&a, &inputs);
    let statement = verify(&a, &prove(&a, &t), &params(&a, &t)).expect("verifies");
    let nonce = Felt::new(o.openings["y"].nonce.parse().expect("nonce"));
    let expected = zkm_air::gadgets::digest(&[26, 28, 30], 20, nonce);
    let digests = statement.digests();
    assert_eq!(
        digests,
        vec![("y".to_string(), zkm_air::gadgets::digest_hex(&expected))]
    );
}

/// A committed convolution kernel (the CNN example with `committed param k1`): the statement's
/// digest is the RPO-256 digest of the kernel the convolution used; kernel values swapped in the
/// trace (every range lookup unchanged) are caught, and the forced proof does not verify.
#[test]
fn a_committed_convolution_kernel_is_bound_to_its_digest() {
    let name = "cnn_digits";
    let source = example_source(name).replace("public param k1:", "committed param k1:");
    let a = compile("examples/cnn_digits/cnn_digits_committed.zkm", source);
    let loaded = zkm_runtime::load(
        &a.program,
        &data(name, "input.json"),
        &data(name, "weights.json"),
    );
    let mut inputs = loaded.expect("data loads").inputs;
    let rng = stark::ZkRng::new(stark::Randomness::Seed(6)).expect("rng");
    let o = Openings::commit(&a.program, &inputs, &rng).expect("commit");
    o.apply(&mut inputs).expect("nonce");
    let t = trace(&a, &inputs);
    let statement = verify(&a, &prove(&a, &t), &params(&a, &t)).expect("verifies");
    let nonce = Felt::new(o.openings["k1"].nonce.parse().expect("nonce"));
    let expected = zkm_air::gadgets::digest(&inputs.values["k1"], 8, nonce);
    let digests = statement.digests();
    assert_eq!(
        digests,
        vec![("k1".to_string(), zkm_air::gadgets::digest_hex(&expected))]
    );
    // Two kernel values of one tap swapped in the lane.
    let (k, col_name, _) = column(&a, "conv2d", ".k");
    let value = |r: usize| zkm_air::field::signed(t.main[k][r]);
    let (r, s) = (0..8)
        .flat_map(|r| (0..8).map(move |s| (r, s)))
        .find(|&(r, s)| value(r) != value(s))
        .expect("two different kernel values");
    let mut bad = t.clone();
    bad.main[k].swap(r, s);
    let failures = check(&a.program, &bad);
    assert!(
        !failures.is_empty(),
        "{col_name}: swapped kernel values accepted"
    );
    if let Ok(p) = api::prove_unchecked(&a, &bad, &seeded()) {
        let err = verify(&a, &p.file, &params(&a, &bad)).expect_err("swapped kernel");
        assert!(matches!(err, VerifyError::Stark(_)), "{err}");
    }
}

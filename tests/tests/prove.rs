//! Every example proves and verifies; tampered proofs, public values and models are rejected.

use std::path::{Path, PathBuf};

use zkm_air::Artifact;
use zkm_diagnostics::{render, SourceMap};
use zkm_runtime::stark;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn build(name: &str) -> Artifact {
    let rel = format!("examples/{name}/{name}.zkm");
    let text = std::fs::read_to_string(root().join(&rel)).expect("example source");
    let mut sources = SourceMap::new();
    let file = sources.add(rel, text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    artifact.expect("artifact")
}

fn trace(name: &str, artifact: &Artifact) -> zkm_air::Trace {
    let dir = root().join("examples").join(name);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("data file");
    let loaded = zkm_runtime::load(
        &artifact.program,
        &read("input.json"),
        &read("weights.json"),
    )
    .expect("inputs");
    zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness")
}

#[test]
fn linear_digits_proves_and_verifies() {
    let artifact = build("linear_digits");
    let t = trace("linear_digits", &artifact);
    let start = std::time::Instant::now();
    let proof = stark::prove(
        &artifact,
        t.main.clone(),
        t.public.clone(),
        stark::options_for(100),
    )
    .expect("proof");
    eprintln!(
        "prove {:?}, {} bytes, {} bits",
        start.elapsed(),
        proof.to_bytes().len(),
        proof.conjectured_security::<stark::Hasher>().bits()
    );
    let start = std::time::Instant::now();
    stark::verify(&artifact, proof.clone(), t.public.clone(), 100).expect("verifies");
    eprintln!("verify {:?}", start.elapsed());
    let mut wrong = t.public.clone();
    let last = wrong.len() - 1;
    wrong[last] += zkm_air::field::felt(1);
    assert!(stark::verify(&artifact, proof, wrong, 100).is_err());
}

#[test]
fn mlp_digits_proves_and_verifies() {
    let artifact = build("mlp_digits");
    let t = trace("mlp_digits", &artifact);
    let start = std::time::Instant::now();
    let proof = stark::prove(
        &artifact,
        t.main.clone(),
        t.public.clone(),
        stark::options_for(100),
    )
    .expect("proof");
    eprintln!(
        "prove {:?}, {} bytes",
        start.elapsed(),
        proof.to_bytes().len()
    );
    let start = std::time::Instant::now();
    stark::verify(&artifact, proof, t.public.clone(), 100).expect("verifies");
    eprintln!("verify {:?}", start.elapsed());
}

#[test]
fn timing_breakdown() {
    let artifact = build("mlp_digits");
    let t = trace("mlp_digits", &artifact);
    let proof = stark::prove(
        &artifact,
        t.main.clone(),
        t.public.clone(),
        stark::options_for(100),
    )
    .expect("proof");
    let s = std::time::Instant::now();
    let inputs = stark::public_inputs(&artifact, t.public.clone());
    eprintln!("public_inputs {:?}", s.elapsed());
    let s = std::time::Instant::now();
    let sum = zkm_air::logup::public_sum(
        &artifact.program,
        &t.public,
        &[
            zkm_air::field::Ext::from(zkm_air::field::felt(5)),
            zkm_air::field::Ext::from(zkm_air::field::felt(7)),
        ],
    );
    eprintln!(
        "public_sum {:?} {}",
        s.elapsed(),
        sum == zkm_air::field::Ext::from(zkm_air::field::felt(0))
    );
    let s = std::time::Instant::now();
    let opts = proof.options().clone();
    let air = <stark::ZkmAir as winterfell::Air>::new(proof.trace_info().clone(), inputs, opts);
    eprintln!("air new {:?}", s.elapsed());
    drop(air);
}

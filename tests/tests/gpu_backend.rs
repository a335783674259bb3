//! The GPU backend gives byte-identical proofs: every example is proved with the trace LDE and
//! commitment on the GPU and on the CPU, and the proof files must be equal and verify. Without a
//! GPU adapter the test reports a skip, unless `ZKM_REQUIRE_GPU=1` (as in CI, on Mesa lavapipe),
//! where a missing adapter is a failure. Proofs are also byte-identical for any number of prover
//! threads.

use zkm_runtime::api;
use zkm_runtime::stark::backend::{self, Backend};
use zkm_tests::fixtures::{build, honest_trace};

/// The GPU, or `None` after reporting why the test is skipped.
fn gpu() -> Option<backend::Selected> {
    match backend::select(Backend::Gpu) {
        Ok(selected) => Some(selected),
        Err(why) if std::env::var("ZKM_REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("ZKM_REQUIRE_GPU=1 but no GPU adapter could be opened: {why}")
        }
        Err(why) => {
            eprintln!("skipping: no GPU adapter ({why})");
            None
        }
    }
}

/// Proves `name`'s honest trace with one seed (the random rows, masks and salts are then the same
/// on both backends) on the CPU and on `selected`'s GPU: the files must be equal, the GPU path
/// must not have fallen back, and the proof must verify.
fn assert_backends_agree(name: &str, artifact: &zkm_air::Artifact, selected: &backend::Selected) {
    let t = honest_trace(name, artifact);
    let config = api::ProveConfig::new(100).seeded(7);
    let cpu = api::prove_with(artifact, &t, &config).expect("CPU proof");
    let on_gpu = config.clone().on(selected.gpu.clone());
    let gpu = api::prove_with(artifact, &t, &on_gpu).expect("GPU proof");
    assert_eq!(
        gpu.fallback, None,
        "{name}: the GPU path fell back to the CPU"
    );
    assert_eq!(
        gpu.file.to_bytes(),
        cpu.file.to_bytes(),
        "{name}: GPU and CPU proofs differ"
    );
    let params = api::split_public(&artifact.program, &t.public).1;
    assert!(
        api::verify(artifact, &gpu.file, &params, 100).is_ok(),
        "{name}: GPU proof"
    );
}

#[test]
fn gpu_and_cpu_proofs_are_identical() {
    let Some(selected) = gpu() else { return };
    eprintln!("GPU adapter: {}", selected.device);
    for name in ["linear_digits", "mlp_digits"] {
        assert_backends_agree(name, &build(name), &selected);
    }
}

/// Without zero-knowledge the trace tree is built from the GPU's own Merkle nodes (cut to 25
/// bytes on the device), not rebuilt on the CPU: the proof still equals the CPU's.
#[test]
fn gpu_and_cpu_proofs_without_zero_knowledge_are_identical() {
    let Some(selected) = gpu() else { return };
    let rel = "examples/mlp_digits/mlp_digits.zkm";
    let text = std::fs::read_to_string(zkm_tests::fixtures::root().join(rel)).expect("source");
    let mut sources = zkm_diagnostics::SourceMap::new();
    let file = sources.add(rel, text);
    let (artifact, _) = zkm_compiler::driver::build_with_random_rows(&mut sources, file, Some(0));
    let artifact = artifact.expect("artifact");
    assert!(!artifact.program.is_zero_knowledge());
    assert_backends_agree("mlp_digits", &artifact, &selected);
}

#[test]
fn auto_does_not_probe_for_a_small_trace() {
    // Opening a device costs more than the CPU spends on a small trace's LDE and commitment.
    // With any adapter present (lavapipe in CI), a probe shows in the notice or the device.
    let artifact = build("mlp_digits");
    let p = &artifact.program;
    assert!(p.trace_len * p.main_columns.len() < backend::AUTO_MIN_MAIN_CELLS);
    let selected = backend::select_for(Backend::Auto, p).expect("the CPU");
    assert_eq!(selected.device, "cpu");
    assert!(selected.gpu.is_none());
    assert_eq!(selected.notice, None, "auto probed for an adapter");
}

#[test]
fn seeded_proofs_are_identical_for_any_thread_count() {
    // Winterfell searches the proof-of-work nonce in parallel; `GrindCoin` makes every search
    // return the nonce a single thread finds, so the bytes depend on the seed alone.
    for name in ["linear_digits", "mlp_digits"] {
        let artifact = build(name);
        let t = honest_trace(name, &artifact);
        let config = api::ProveConfig::new(100).seeded(11);
        let bytes = |c: &api::ProveConfig| {
            let proved = api::prove_with(&artifact, &t, c).expect("proof");
            proved.file.to_bytes()
        };
        let one = bytes(&config.clone().threads(1));
        for threads in [2, 3, 8] {
            let many = bytes(&config.clone().threads(threads));
            assert!(many == one, "{name}: {threads} threads give another proof");
        }
        assert!(
            bytes(&config) == one,
            "{name}: the default pool gives another proof"
        );
        if let Some(selected) = gpu() {
            let on_gpu = config.clone().threads(2).on(selected.gpu.clone());
            assert!(
                bytes(&on_gpu) == one,
                "{name}: the GPU with 2 threads differs"
            );
        }
    }
}

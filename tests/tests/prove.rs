//! Soundness of proving and verifying: every example proves and verifies, and each positive case
//! has negative twins: changed public values, proofs checked against another model or trace
//! shape, dishonest witnesses forced through the prover, and insufficient security. Byte-level
//! tampering of proof files is in `proof_bytes.rs`.
//!
//! The two example artifacts and their proofs are built once per process (see
//! `common::example`); run the suite with `--release`, proving in debug is slow.

mod common;

use common::*;

// PROVE AND VERIFY
// ================================================================================================

#[test]
fn examples_prove_verify_and_round_trip() {
    for name in EXAMPLES {
        let ex = example(name);
        let start = Instant::now();
        let statement = verify(&ex.artifact, &ex.file, &ex.params).expect("verifies");
        let security = statement.security;
        assert_eq!(statement.model, ex.artifact.program.name);
        let verify_time = start.elapsed();
        assert!(security.conjectured >= BITS, "{security:?}");
        let decoded = ProofFile::from_bytes(&ex.bytes).expect("decodes");
        assert_eq!(decoded.to_bytes(), ex.bytes, "{name}: re-encoding differs");
        assert_eq!(decoded.io, ex.file.io);
        assert_eq!(decoded.artifact_hash, api::hash_bytes(&ex.artifact));
        assert_eq!(decoded.params_digest, params_digest(&ex.params));
        assert_eq!(
            verify(&ex.artifact, &decoded, &ex.params),
            Ok(statement.clone())
        );
        let p = &ex.artifact.program;
        eprintln!(
            "{}: {} rows x {} columns, proof {} bytes ({:.1} KB), security {} conjectured / \
             {} proven (ldr) / {} proven (udr), prove {:?}, verify {:?}",
            ex.name,
            p.trace_len,
            p.width(),
            ex.bytes.len(),
            ex.bytes.len() as f64 / 1024.0,
            security.conjectured,
            security.proven_ldr,
            security.proven_udr,
            ex.prove_time,
            verify_time,
        );
    }
}

/// The LeNet-style example (two convolutions, two max pools, three dense layers) proves and
/// verifies, and a changed public output is rejected.
#[test]
fn lenet_proves_verifies_and_rejects_another_class() {
    let name = "lenet_digits";
    let artifact = build(name);
    let trace = honest_trace(name, &artifact);
    let file = prove(&artifact, &trace);
    let params = api::split_public(&artifact.program, &trace.public).1;
    let statement = verify(&artifact, &file, &params).expect("verifies");
    assert_eq!(statement.model, name);
    let slot = artifact.program.public.iter().find(|s| s.name == "class");
    let at = slot.expect("class slot").offset as usize;
    let io_at = artifact
        .program
        .public
        .iter()
        .take_while(|s| s.name != "class");
    let io_at: usize = io_at
        .filter(|s| s.kind != PublicKind::Param)
        .map(|s| s.len as usize)
        .sum();
    assert_eq!(file.io[io_at], trace.public[at]);
    let mut other = file.clone();
    other.io[io_at] += Felt::new(1);
    verify(&artifact, &other, &params).expect_err("another class");
}

/// One seed gives one proof; the operating system's randomness gives a fresh proof each time
/// (both verify), and fresh salts.
#[test]
fn seeded_proofs_repeat_and_fresh_proofs_differ() {
    let ex = example("linear_digits");
    assert!(ex.artifact.program.is_zero_knowledge());
    let again = prove(&ex.artifact, &ex.trace).to_bytes();
    assert!(again == ex.bytes, "two proofs with one seed differ");
    let fresh: Vec<ProofFile> = (0..3)
        .map(|_| {
            api::prove(&ex.artifact, &ex.trace, BITS)
                .expect("proof")
                .file
        })
        .collect();
    for (i, f) in fresh.iter().enumerate() {
        verify(&ex.artifact, f, &ex.params).expect("a fresh proof verifies");
        assert_ne!(f.to_bytes(), ex.bytes, "proof {i} repeats the seeded one");
        for g in &fresh[..i] {
            assert_ne!(
                f.proof.commitments, g.proof.commitments,
                "two fresh proofs share roots"
            );
        }
    }
}

// CHANGED STATEMENTS
// ================================================================================================

#[test]
fn changed_public_outputs_are_rejected() {
    for name in EXAMPLES {
        let ex = example(name);
        let outputs: usize = ex
            .artifact
            .program
            .public
            .iter()
            .filter(|s| s.kind == PublicKind::Output)
            .map(|s| s.len as usize)
            .sum();
        assert!(outputs > 0 && outputs <= ex.file.io.len());
        for i in 0..ex.file.io.len() {
            let mut file = ex.file.clone();
            file.io[i] += felt(1);
            let err = verify(&ex.artifact, &file, &ex.params).expect_err("changed output");
            // Every value here still fits its width: the STARK itself must reject it.
            assert!(
                matches!(err, VerifyError::Stark(_)),
                "{name} io[{i}]: {err}"
            );
        }
    }
}

/// A public value outside its declared width (here a field element far beyond `int<8>`, whose
/// range the compiler's analysis assumes) is refused by every public verify entry point before
/// the STARK is even checked.
#[test]
fn public_values_beyond_their_width_are_rejected_everywhere() {
    let ex = example("mlp_digits");
    let io_slots = ex.artifact.program.public.iter();
    let io_slots: Vec<_> = io_slots.filter(|s| s.kind != PublicKind::Param).collect();
    let class = io_slots.iter().position(|s| s.name == "class");
    let before = &io_slots[..class.expect("a `class` output")];
    let at: usize = before.iter().map(|s| s.len as usize).sum();
    for forged_value in [felt(1 << 40), felt(-129), felt(128)] {
        let mut file = ex.file.clone();
        file.io[at] = forged_value;
        let expected = |e: &VerifyError| matches!(e, VerifyError::PublicOutOfRange { name, bits: 8, .. } if name == "class");
        let err = api::verify(&ex.artifact, &file, &ex.params, BITS).expect_err("api::verify");
        assert!(expected(&err), "{err}");
        let err = zkm_verifier::verify_file(&ex.artifact, &file, &ex.params, BITS)
            .expect_err("verify_file");
        assert!(expected(&err), "{err}");
        let bytes = file.to_bytes();
        let err = zkm_verifier::verify(&ex.artifact, &bytes, &ex.params, BITS).expect_err("verify");
        assert!(expected(&err), "{err}");
    }
}

/// On a small model (the digest checked first) and on public LeNet, whose 44k parameters are
/// hashed beside the STARK check: a changed parameter is `WrongParams` either way, also when the
/// proof is otherwise broken, and a digest forged to match leaves the STARK to reject it.
#[test]
fn changed_public_parameter_is_rejected() {
    for (name, side_by_side) in [("mlp_digits", false), ("lenet_digits", true)] {
        let ex = example(name);
        let many = ex.params.len() >= zkm_verifier::SIDE_BY_SIDE_PARAMS;
        assert_eq!(many, side_by_side, "{name}");
        let mut params = ex.params.clone();
        let last = params.len() - 1;
        params[last] += felt(1);
        let err = verify(&ex.artifact, &ex.file, &params).expect_err("changed parameter");
        assert_eq!(err, VerifyError::WrongParams, "{name}");
        let mut broken = ex.file.clone();
        broken.io[0] += felt(1);
        let err = verify(&ex.artifact, &broken, &params).expect_err("changed parameter");
        assert_eq!(
            err,
            VerifyError::WrongParams,
            "{name}: before the STARK's own error"
        );
        // With the digest forged to match, the STARK must still reject the changed parameter.
        let mut forged = ex.file.clone();
        forged.params_digest = params_digest(&params);
        let err = verify(&ex.artifact, &forged, &params).expect_err("forged digest");
        assert!(matches!(err, VerifyError::Stark(_)), "{name}: {err}");
        // And a parameter vector of the wrong length is refused.
        let mut longer = ex.params.clone();
        longer.push(felt(0));
        forged.params_digest = params_digest(&longer);
        assert!(verify(&ex.artifact, &forged, &longer).is_err(), "{name}");
        verify(&ex.artifact, &ex.file, &ex.params).expect("the unchanged parameters verify");
    }
}

#[test]
fn proof_of_another_model_is_rejected() {
    let (mlp, linear) = (example("mlp_digits"), example("linear_digits"));
    let err = verify(&linear.artifact, &mlp.file, &linear.params).expect_err("other model");
    assert_eq!(err, VerifyError::WrongModel);
    let err = verify(&mlp.artifact, &linear.file, &mlp.params).expect_err("other model");
    assert_eq!(err, VerifyError::WrongModel);
    // Forging the artifact hash does not help: the public vector no longer fits the model.
    let mut forged = mlp.file.clone();
    forged.artifact_hash = api::hash_bytes(&linear.artifact);
    forged.params_digest = params_digest(&linear.params);
    assert!(verify(&linear.artifact, &forged, &linear.params).is_err());
}

#[test]
fn proof_of_a_changed_weight_type_is_rejected() {
    let ex = example("mlp_digits");
    let source = example_source("mlp_digits");
    let changed = source.replacen("w3: fixed<8, 7>", "w3: fixed<9, 7>", 1);
    assert_ne!(
        changed, source,
        "the example no longer declares w3: fixed<8, 7>"
    );
    let rel = "examples/mlp_digits/mlp_digits.zkm";
    let other = compile(rel, changed);
    assert_ne!(other.hash, ex.artifact.hash);
    let params = zkm_runtime::inputs::load_public_params(
        &other.program,
        &data("mlp_digits", "weights.json"),
    )
    .expect("weights fit the wider type");
    assert_eq!(params, ex.params, "same integer weights");
    let err = verify(&other, &ex.file, &params).expect_err("changed weight type");
    assert_eq!(err, VerifyError::WrongModel);
    // With the artifact hash forged, the STARK (whose transcript absorbs the hash) rejects it.
    let mut forged = ex.file.clone();
    forged.artifact_hash = api::hash_bytes(&other);
    let err = verify(&other, &forged, &params).expect_err("forged artifact hash");
    assert!(matches!(err, VerifyError::Stark(_)), "{err}");
    // The same model compiled again gives the same artifact, and the proof verifies.
    let same = compile(rel, source);
    assert_eq!(same.hash, ex.artifact.hash);
    assert!(verify(&same, &ex.file, &ex.params).is_ok());
}

/// The same program with twice the rows, proved under the original artifact hash (the rows
/// appended: the row counter continued, every other column held at its last value). The
/// verifier builds its AIR from the trace shape the proof declares, so it must itself insist on
/// the compiled program's shape.
#[test]
fn proof_with_another_trace_length_is_rejected() {
    let text =
        "model tiny {\n    input x: int<8>[4];\n    output y: int<8>[4];\n    y = relu(x);\n}\n";
    let artifact = compile("tiny.zkm", text.into());
    let loaded = zkm_runtime::load(&artifact.program, r#"{"x": [1, -2, 3, -4]}"#, "{}")
        .expect("inputs load");
    let trace = zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness");
    assert!(check(&artifact.program, &trace).is_empty());
    let file = prove(&artifact, &trace);
    assert!(verify(&artifact, &file, &[]).is_ok());

    let mut longer = artifact.clone();
    let n = artifact.program.trace_len;
    longer.program.trace_len = 2 * n;
    let mut long_trace = trace.clone();
    for (c, col) in long_trace.main.iter_mut().enumerate() {
        let is_row = artifact.program.main_columns[c].name == "row";
        let last = col[n - 1];
        col.extend((n..2 * n).map(|i| if is_row { felt(i as i64) } else { last }));
    }
    let failures = check(&longer.program, &long_trace);
    assert!(failures.is_empty(), "the longer trace fails: {failures:?}");
    assert_eq!(longer.hash, artifact.hash);
    let proof = api::prove_unchecked(&longer, &long_trace, &seeded())
        .expect("the longer trace proves")
        .file
        .proof;
    assert_eq!(proof.trace_info().length(), 2 * n);
    let forged = ProofFile { proof, ..file };
    let outcome = catch_unwind(AssertUnwindSafe(|| verify(&artifact, &forged, &[])));
    assert!(
        matches!(outcome, Ok(Err(_))),
        "a proof of a {}-row trace verifies for a {n}-row program: {outcome:?}",
        2 * n
    );
}

// DISHONEST WITNESSES
// ================================================================================================

#[test]
fn dishonest_relu_output_is_rejected() {
    let ex = example("mlp_digits");
    let (col, name, first) = column(&ex.artifact, "relu", ".out");
    let mut trace = ex.trace.clone();
    trace.main[col][first + 7] += felt(3);
    let failures = check_fails(ex, &trace, gadget_of(&name));
    assert!(failures
        .iter()
        .any(|f| f.kind == FailureKind::Constraint && f.label.starts_with(gadget_of(&name))));
    forced_proof_is_rejected(ex, &trace);
}

/// `y0 + 1` with the input unchanged: the remainder `in + 2^(s−1) − 2^s·y0`, which the range
/// check looks up directly, drops by `2^s` below zero. Only that lookup can catch it.
#[test]
fn out_of_range_rescale_remainder_is_rejected() {
    let ex = example("mlp_digits");
    let (y0, name, first) = column(&ex.artifact, "rescale_clamp", ".y0");
    let gadget = gadget_of(&name).to_owned();
    let row = first + 2;
    let mut trace = ex.trace.clone();
    trace.main[y0][row] += felt(1);
    let failures = check_fails(ex, &trace, &gadget);
    let range = failures
        .iter()
        .any(|f| f.kind == FailureKind::Bus && f.label.contains(&format!("{gadget}.rem")));
    assert!(
        range,
        "no range lookup of the remainder fails: {:?}",
        failures.iter().map(|f| &f.label).collect::<Vec<_>>()
    );
    forced_proof_is_rejected(ex, &trace);
}

/// A shared column where one stacked gadget's region ends and another's begins: the last row of
/// the lower one and the first row of the upper one are each changed, and each forced proof must
/// be rejected.
#[test]
fn dishonest_cells_where_two_stacked_gadgets_meet_are_rejected() {
    let ex = example("mlp_digits");
    let p = &ex.artifact.program;
    let meeting = zkm_tests::fixtures::meeting_regions(p);
    let (col, end, lower, upper) = meeting.expect("two stacked regions meeting in one column");
    for (row, owner) in [(end - 1, &lower), (end, &upper)] {
        let mut trace = ex.trace.clone();
        trace.main[col][row] += felt(1);
        check_fails(ex, &trace, gadget_of(owner));
        forced_proof_is_rejected(ex, &trace);
    }
}

// SECURITY
// ================================================================================================

#[test]
fn security_level_is_enforced() {
    let ex = example("linear_digits");
    let options = stark::options_for(BITS);
    assert_eq!(ex.file.proof.options(), &options);
    let security = Security::of(&ex.file.proof);
    assert!(security.conjectured >= BITS, "{security:?}");
    let err = api::verify(&ex.artifact, &ex.file, &ex.params, 128).expect_err("128 bits");
    let expected = VerifyError::InsufficientSecurity {
        reached: security.conjectured,
        required: 128,
    };
    assert_eq!(err, expected);
    // A proof made for 120 bits verifies at 120 and not at 128.
    let strong = api::prove(&ex.artifact, &ex.trace, 120).expect("120-bit proof");
    assert!(strong.security.conjectured >= 120, "{:?}", strong.security);
    let file = ProofFile::from_bytes(&strong.file.to_bytes()).expect("decodes");
    assert!(api::verify(&ex.artifact, &file, &ex.params, 120).is_ok());
    assert!(api::verify(&ex.artifact, &file, &ex.params, 128).is_err());
    // One prepared verifier, proofs of two settings in turn: each gets its own security (the
    // verifier keeps the last proof context's, and must not reuse it for another).
    let verifier = zkm_verifier::Verifier::new(&ex.artifact).expect("intact artifact");
    for _ in 0..2 {
        let weak = verifier.verify_file(&ex.file, &ex.params, 120);
        assert!(matches!(
            weak,
            Err(VerifyError::InsufficientSecurity { .. })
        ));
        let ok = verifier
            .verify_file(&file, &ex.params, 120)
            .expect("120-bit proof");
        assert_eq!(ok.security, strong.security);
        let ok = verifier
            .verify_file(&ex.file, &ex.params, BITS)
            .expect("100-bit proof");
        assert_eq!(ok.security, security);
    }
    eprintln!(
        "options_for(100): {} queries, {security:?}; options_for(120): {} queries, {:?}",
        options.num_queries(),
        stark::options_for(120).num_queries(),
        strong.security
    );
}

/// Bytes per commitment digest of `proof`: its commitments (trace segments, composition, FRI
/// layers, remainder) over their count.
fn digest_bytes(proof: &winterfell::Proof) -> usize {
    let layers = proof
        .options()
        .to_fri_options()
        .num_fri_layers(proof.lde_domain_size());
    let count = proof.trace_info().num_segments() + 2 + layers;
    let bytes = winter_utils::Serializable::to_bytes(&proof.commitments).len() - 2;
    assert_eq!(bytes % count, 0, "{bytes} bytes for {count} commitments");
    bytes / count
}

/// Proofs at up to 100 bits commit with BLAKE3 cut to 25 bytes, stronger ones with BLAKE3-256, on
/// both sides; a proof whose options call for the other hash does not decode.
#[test]
fn the_commitment_hash_follows_the_options() {
    let ex = example("linear_digits");
    assert!(!zkm_verifier::wide_digests(ex.file.proof.options()));
    assert_eq!(digest_bytes(&ex.file.proof), 25);
    let strong = api::prove(&ex.artifact, &ex.trace, 110).expect("110-bit proof");
    assert!(zkm_verifier::wide_digests(strong.file.proof.options()));
    assert_eq!(digest_bytes(&strong.file.proof), 32);
    assert!(strong.security.conjectured >= 110, "{:?}", strong.security);
    // The default proof with its query count raised to what 110 bits take: the verifier now
    // reads 32-byte digests from 25-byte ones and refuses the proof.
    let mut file = ex.file.clone();
    let o = file.proof.options().clone();
    let wide_options = winterfell::ProofOptions::new(
        strong.file.proof.options().num_queries(),
        o.blowup_factor(),
        o.grinding_factor(),
        o.field_extension(),
        o.to_fri_options().folding_factor(),
        o.to_fri_options().remainder_max_degree(),
        winterfell::BatchingMethod::Linear,
        winterfell::BatchingMethod::Linear,
    );
    assert!(zkm_verifier::wide_digests(&wide_options));
    file.proof.context = winter_air::proof::Context::new::<zkm_air::field::Felt>(
        file.proof.trace_info().clone(),
        wide_options,
        file.proof.context.num_constraints(),
    );
    let bytes = file.to_bytes();
    let err = zkm_verifier::verify(&ex.artifact, &bytes, &ex.params, BITS).expect_err("refused");
    let text = format!("{err:?}");
    assert!(text.contains("malformed Merkle opening"), "{text}");
}

/// The quadratic extension caps conjectured security at 127 bits; 128 needs the cubic one, and
/// more than 128 (BLAKE3-256's collision resistance) is refused rather than silently missed.
#[test]
fn security_128_is_reached_and_more_is_refused() {
    let ex = example("linear_digits");
    let p = api::prove(&ex.artifact, &ex.trace, 128).expect("a 128-bit proof");
    assert!(p.security.conjectured >= 128, "{:?}", p.security);
    assert!(api::verify(&ex.artifact, &p.file, &ex.params, 128).is_ok());
    let err = api::prove(&ex.artifact, &ex.trace, 129).expect_err("129 bits");
    assert!(
        matches!(
            err,
            ProveError::InsufficientSecurity {
                requested: 129,
                max: 128,
                ..
            }
        ),
        "{err}"
    );
}

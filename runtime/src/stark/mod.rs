//! Proving and verifying compiled programs with Winterfell.

mod air;
pub mod backend;
mod lde;
mod prover;
mod tape;

use std::sync::Arc;

use winterfell::{
    AcceptableOptions, BatchingMethod, FieldExtension, Proof, ProofOptions, Prover as _,
};
use zkm_air::field::Felt;
use zkm_air::{AirProgram, Artifact};

pub use air::{PublicInputs, ZkmAir};
pub use prover::{Coin, Commitment, Hasher, ZkmProver, ZkmTrace};

/// Blowup factor of the trace low-degree extension.
pub const BLOWUP: usize = 8;
/// Proof-of-work bits.
pub const GRINDING: u32 = 16;
/// Default conjectured security target in bits.
pub const DEFAULT_SECURITY: u32 = 100;

/// The highest conjectured security zkmc can reach: BLAKE3-256's collision resistance.
pub const MAX_SECURITY: u32 = 128;

/// Proof options reaching at least `bits` of conjectured security (capped at [`MAX_SECURITY`]):
/// f64 with its quadratic extension (cubic above 127 bits), blowup 8, FRI folding 8, 16 grinding
/// bits, and the fewest queries that reach the target under Winterfell's formula (grinding counts
/// only once the queries alone give 80 bits).
pub fn options_for(bits: u32) -> ProofOptions {
    let bits = bits.min(MAX_SECURITY);
    let extension = if bits > 127 {
        FieldExtension::Cubic
    } else {
        FieldExtension::Quadratic
    };
    let field_bits = 64 * extension.degree();
    let per_query = BLOWUP.ilog2();
    let reached = |q: u32| {
        let mut query_bits = per_query * q;
        if query_bits >= 80 {
            query_bits += GRINDING;
        }
        field_bits.min(query_bits) - 1
    };
    let queries = (1..=255u32).find(|&q| reached(q) >= bits).unwrap_or(255) as usize;
    ProofOptions::new(
        queries,
        BLOWUP,
        GRINDING,
        extension,
        8,
        31,
        BatchingMethod::Linear,
        BatchingMethod::Linear,
    )
}

/// Checks that a proof's trace has exactly the compiled program's shape (Winterfell builds the
/// AIR from the shape the proof declares).
pub fn check_shape(program: &AirProgram, proof: &Proof) -> Result<(), String> {
    let info = proof.trace_info();
    let expected = (
        program.main_columns.len(),
        program.aux_columns.len(),
        program.num_rand,
        program.trace_len,
    );
    let found = (
        info.main_trace_width(),
        info.aux_segment_width(),
        info.get_num_aux_segment_rand_elements(),
        info.length(),
    );
    if expected != found {
        return Err(format!(
            "the proof is for a trace of {} main + {} aux columns, {} random elements and {} rows; the model has {} + {}, {} and {}",
            found.0, found.1, found.2, found.3, expected.0, expected.1, expected.2, expected.3
        ));
    }
    Ok(())
}

/// The public inputs of `artifact` for the public vector `values`.
pub fn public_inputs(artifact: &Artifact, values: Vec<Felt>) -> PublicInputs {
    let (_, params) = crate::api::split_public(artifact, &values);
    let digest = crate::proof_file::params_digest(&params);
    public_inputs_with(artifact, values, digest)
}

/// [`public_inputs`] with the public parameters' digest already computed.
pub fn public_inputs_with(
    artifact: &Artifact,
    values: Vec<Felt>,
    digest: [u8; 32],
) -> PublicInputs {
    let hash = blake3::Hash::from_hex(&artifact.hash)
        .map(|h| *h.as_bytes())
        .unwrap_or([0; 32]);
    let (io, _) = crate::api::split_public(artifact, &values);
    let words = |bytes: [u8; 32]| {
        let chunks: Vec<Felt> = bytes
            .chunks(4)
            .map(|c| Felt::new(u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as u64))
            .collect();
        chunks
    };
    let mut statement = words(hash);
    statement.extend(words(digest));
    statement.extend(io);
    PublicInputs {
        program: Arc::new(artifact.program.clone()),
        values,
        statement,
    }
}

/// Proves a filled main trace.
///
/// # Errors
/// Winterfell's error when the trace does not satisfy the program (run the checker first).
pub fn prove(
    artifact: &Artifact,
    main: Vec<Vec<Felt>>,
    public: Vec<Felt>,
    options: ProofOptions,
) -> Result<Proof, winterfell::ProverError> {
    prove_on(artifact, main, public, options, None).map(|(proof, _)| proof)
}

/// Proves a filled main trace, extending and committing it on `gpu` when given. Returns the
/// proof and, when the GPU failed and the CPU took over, the reason.
///
/// # Errors
/// Winterfell's error when the trace does not satisfy the program.
pub fn prove_on(
    artifact: &Artifact,
    main: Vec<Vec<Felt>>,
    public: Vec<Felt>,
    options: ProofOptions,
    gpu: Option<backend::GpuHandle>,
) -> Result<(Proof, Option<String>), winterfell::ProverError> {
    let program: &AirProgram = &artifact.program;
    let trace = ZkmTrace::new(program, main);
    let prover = ZkmProver::new(options, public_inputs(artifact, public)).with_gpu(gpu);
    let proof = prover.prove(trace)?;
    Ok((proof, prover.fallback()))
}

/// Verifies a proof against an artifact and public values, requiring `min_bits` of conjectured
/// security. Never panics: a malformed proof is an error.
///
/// # Errors
/// A proof of another trace shape, or Winterfell's verification error.
pub fn verify(
    artifact: &Artifact,
    proof: Proof,
    public: Vec<Felt>,
    min_bits: u32,
) -> Result<(), String> {
    check_shape(&artifact.program, &proof)?;
    if public.len() != artifact.program.public_len {
        return Err(format!(
            "{} public values for a model with {}",
            public.len(),
            artifact.program.public_len
        ));
    }
    verify_inputs(artifact, proof, public_inputs(artifact, public), min_bits)
}

/// [`verify`] with the public inputs already assembled (see [`public_inputs_with`]).
///
/// # Errors
/// As [`verify`].
pub fn verify_inputs(
    artifact: &Artifact,
    proof: Proof,
    inputs: PublicInputs,
    min_bits: u32,
) -> Result<(), String> {
    check_shape(&artifact.program, &proof)?;
    if inputs.values.len() != artifact.program.public_len {
        let (got, want) = (inputs.values.len(), artifact.program.public_len);
        return Err(format!("{got} public values for a model with {want}"));
    }
    let acceptable = AcceptableOptions::MinConjecturedSecurity(min_bits);
    let run = || winterfell::verify::<ZkmAir, Hasher, Coin, Commitment>(proof, inputs, &acceptable);
    match crate::guard::quiet_catch(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err("malformed proof".into()),
    }
}

/// A rough estimate of the prover's peak memory in bytes: the trace and composition LDEs, their
/// Merkle trees, and the polynomials Winterfell keeps, for the default blowup.
pub fn estimate_memory(program: &AirProgram) -> u64 {
    let lde_rows = (program.trace_len * BLOWUP) as u64;
    let main = program.main_columns.len() as u64;
    let aux = 2 * program.aux_columns.len() as u64;
    let composition = 2 * program.max_degree().max(2) as u64;
    let cells = lde_rows * (main + aux + composition);
    let trees = 3 * 2 * lde_rows * 32;
    let polys = (program.trace_len as u64) * (main + aux) * 8;
    cells * 8 + trees + polys + (32 << 20)
}

//! Proving and verifying compiled programs with Winterfell.

mod air;
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

/// Proof options reaching at least `bits` of conjectured security: f64 with its quadratic
/// extension, blowup 8, 16 grinding bits, FRI folding 8, and as many queries as needed.
pub fn options_for(bits: u32) -> ProofOptions {
    let per_query = BLOWUP.ilog2();
    let queries = (bits + 1)
        .saturating_sub(GRINDING)
        .div_ceil(per_query)
        .clamp(1, 255) as usize;
    ProofOptions::new(
        queries,
        BLOWUP,
        GRINDING,
        FieldExtension::Quadratic,
        8,
        31,
        BatchingMethod::Linear,
        BatchingMethod::Linear,
    )
}

/// The public inputs of `artifact` for the public vector `values`.
pub fn public_inputs(artifact: &Artifact, values: Vec<Felt>) -> PublicInputs {
    let mut hash = [0u8; 32];
    if let Ok(bytes) = blake3::Hash::from_hex(&artifact.hash) {
        hash = *bytes.as_bytes();
    }
    PublicInputs {
        program: Arc::new(artifact.program.clone()),
        hash,
        values,
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
    let program: &AirProgram = &artifact.program;
    let trace = ZkmTrace::new(program, main);
    let prover = ZkmProver::new(options, public_inputs(artifact, public));
    prover.prove(trace)
}

/// Verifies a proof against an artifact and public values, requiring `min_bits` of conjectured
/// security.
///
/// # Errors
/// Winterfell's verification error.
pub fn verify(
    artifact: &Artifact,
    proof: Proof,
    public: Vec<Felt>,
    min_bits: u32,
) -> Result<(), winterfell::VerifierError> {
    let inputs = public_inputs(artifact, public);
    let acceptable = AcceptableOptions::MinConjecturedSecurity(min_bits);
    winterfell::verify::<ZkmAir, Hasher, Coin, Commitment>(proof, inputs, &acceptable)
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

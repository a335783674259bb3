//! Proving compiled programs with Winterfell: the two-segment trace and the prover
//! ([`prover`]), and where the main trace's LDE and commitment run ([`backend`], `lde`).
//! Verification lives in the `zkm-verifier` crate, whose `ZkmAir` the prover uses.

pub mod backend;
mod boundary;
mod dft;
mod evaluator;
mod grind;
mod lde;
mod prover;
pub mod zk;

use winterfell::{Proof, ProofOptions, Prover as _};
use zkm_air::field::Felt;
use zkm_air::{AirProgram, Artifact};
use zkm_verifier::hash::{Short, Wide, ZkmHasher};

pub use grind::{with_grinding, GrindCoin};
pub use prover::{Coin, Commitment, Hasher, ZkmProver, ZkmTrace};
pub use zk::{Randomness, ZkRng};
pub use zkm_verifier::{
    grinding_for, options_for, options_with, BLOWUP, DEFAULT_SECURITY, GRINDING, GRINDING_LARGE,
    MAX_SECURITY,
};

/// The public inputs of `artifact` for the public vector `values`.
pub fn public_inputs(artifact: &Artifact, values: Vec<Felt>) -> zkm_verifier::PublicInputs {
    let (_, params) = zkm_verifier::split_public(&artifact.program, &values);
    let digest = zkm_verifier::params_digest(&params);
    let prepared = zkm_verifier::Prepared::new(std::sync::Arc::new(artifact.program.clone()));
    zkm_verifier::public_inputs(artifact, std::sync::Arc::new(prepared), values, digest)
}

/// Why the STARK prover could not run.
#[derive(Debug)]
pub enum StarkError {
    /// Winterfell's prover failed.
    Prover(winterfell::ProverError),
    /// The operating system's random generator failed.
    Randomness(String),
}

/// Proves a filled main trace, extending and committing it on `gpu` when given, with the hash
/// the options call for ([`zkm_verifier::wide_digests`]). A zero-knowledge program's trace gets
/// its random rows, masks and salted commitments from `randomness`. Returns the proof and, when
/// the GPU failed and the CPU took over, the reason.
///
/// # Errors
/// Winterfell's error when the trace does not satisfy the program, or a randomness failure.
pub(crate) fn prove_on(
    artifact: &Artifact,
    main: Vec<Vec<Felt>>,
    public: Vec<Felt>,
    options: ProofOptions,
    gpu: Option<backend::GpuHandle>,
    randomness: Randomness,
) -> Result<(Proof, Option<String>), StarkError> {
    match zkm_verifier::wide_digests(&options) {
        true => prove_with::<Wide>(artifact, main, public, options, gpu, randomness),
        false => prove_with::<Short>(artifact, main, public, options, gpu, randomness),
    }
}

/// [`prove_on`] committing with the hash `H`.
fn prove_with<H: ZkmHasher>(
    artifact: &Artifact,
    mut main: Vec<Vec<Felt>>,
    public: Vec<Felt>,
    options: ProofOptions,
    gpu: Option<backend::GpuHandle>,
    randomness: Randomness,
) -> Result<(Proof, Option<String>), StarkError> {
    let program: &AirProgram = &artifact.program;
    let inputs = public_inputs(artifact, public);
    let grinding = options.grinding_factor();
    if !program.is_zero_knowledge() {
        let trace = ZkmTrace::new(program, main);
        let prover = ZkmProver::<H>::new(options, inputs).with_gpu(gpu);
        let run = || with_grinding(grinding, || prover.prove(trace));
        let proof = zkm_verifier::salted::with_unsalted(run).map_err(StarkError::Prover)?;
        return Ok((proof, prover.fallback()));
    }
    let rng = ZkRng::new(randomness).map_err(StarkError::Randomness)?;
    zk::randomize_main(program, &mut main, &rng);
    let trace = ZkmTrace::new(program, main);
    let prover = ZkmProver::<H>::new(options, inputs)
        .with_gpu(gpu)
        .with_rng(Some(rng.clone()));
    let salts = rng.salt_source();
    let run = || with_grinding(grinding, || prover.prove(trace));
    let proof = zkm_verifier::salted::with_salt_source(salts, run).map_err(StarkError::Prover)?;
    Ok((proof, prover.fallback()))
}

/// An estimate of a proving process's peak memory in bytes, fitted to `zkm-bench`'s measured
/// peak RSS with one malloc arena (`crate::memory`; −10% … +11% on every row of one full run,
/// README): 9 MiB of fixed cost, 1.55 times the low-degree extension of the main and
/// auxiliary segments (8 bytes per base-field cell at the blowup, auxiliary cells counted twice:
/// the LDE itself, its Merkle tree, the polynomials and one block of the DFT's working matrix
/// together, `stark/dft.rs`), and 44 bytes per input and parameter element (the data files as
/// read, the quantized values and the tensors of the witness). A program whose constraints need
/// a constraint-evaluation blowup above 4 (a commitment's degree-7 rounds) adds 4 bytes per
/// transition constraint for each further row of the evaluation domain (fitted on the committed
/// rows of the same run: the wider composition and the longer evaluation).
pub fn estimate_memory(program: &AirProgram) -> u64 {
    let lde_rows = (program.trace_len * BLOWUP) as u64;
    let width = program.main_columns.len() as u64 + 2 * program.aux_columns.len() as u64;
    let lde = lde_rows.saturating_mul(width).saturating_mul(8);
    let data: u64 = program
        .decls
        .iter()
        .filter(|d| d.kind != zkm_air::DeclKind::Output)
        .map(|d| d.len() as u64)
        .sum();
    let evaluation = (program.ce_blowup().saturating_sub(4) * program.trace_len) as u64;
    let evaluation = evaluation.saturating_mul(4 * program.constraints.len() as u64);
    (9 << 20) + lde.saturating_mul(155) / 100 + data.saturating_mul(44) + evaluation
}

//! zkmc's standalone verifier: everything needed to check a proof and nothing else — no compiler
//! front end, no prover, no GPU, no weight-file formats. It builds for `wasm32-unknown-unknown`.
//!
//! One entry point, [`verify`] (or [`verify_file`] for a decoded proof file; a [`Verifier`]
//! prepared once for many proofs of one model), checks in order:
//! the artifact against its own hash, the proof file's artifact hash and parameter digest, the
//! count and declared width of every public value, the trace shape, the security level, and the
//! STARK proof itself through Winterfell's verifier. It returns the proven [`Statement`] or a
//! [`VerifyError`] that says why, as data.

mod air;
pub mod anatomy;
mod error;
pub mod guard;
pub mod hash;
mod options;
pub mod params;
mod prepared;
pub mod proof_file;
mod public;
pub mod salted;
mod statement;

pub use air::{PublicInputs, ZkmAir};
pub use error::VerifyError;
pub use options::{
    grinding_for, options_for, options_with, wide_digests, Coin, Commitment, Hasher, Security,
    BLOWUP, DEFAULT_SECURITY, GRINDING, GRINDING_LARGE, LARGE_TRACE_CELLS, MAX_SECURITY,
};
pub use prepared::Prepared;
pub use proof_file::{ProofFile, ProofFileError};
pub use public::{
    hash_bytes, join_public, param_len, params_digest, public_inputs, split_public, TraceShape,
};
pub use statement::{public_values, PublicValue, Statement};

use std::sync::{Arc, Mutex};

/// From this many public parameters on, [`Verifier::verify_file`] hashes them for the digest
/// check on one pool thread while the other checks run on another (below, a pool thread's
/// wake-up costs more than it saves).
pub const SIDE_BY_SIDE_PARAMS: usize = 1 << 14;

use winter_air::proof::{Context, Proof};
use winter_verifier::AcceptableOptions;
use zkm_air::field::Felt;
use zkm_air::Artifact;

/// Verifies proof-file bytes against a compiled model and its public parameter values (in slot
/// order, quantized; empty when the model has none), requiring `min_bits` of conjectured
/// security. Never panics on untrusted bytes. Checks the artifact's integrity first; to verify
/// many proofs of one model, prepare a [`Verifier`] once instead.
///
/// # Errors
/// Every reason a proof is not accepted, as a [`VerifyError`] variant.
pub fn verify(
    artifact: &Artifact,
    proof: &[u8],
    params: &[Felt],
    min_bits: u32,
) -> Result<Statement, VerifyError> {
    Verifier::new(artifact)?.verify(proof, params, min_bits)
}

/// [`verify`] for a proof file already decoded.
///
/// # Errors
/// As [`verify`].
pub fn verify_file(
    artifact: &Artifact,
    file: &ProofFile,
    params: &[Felt],
    min_bits: u32,
) -> Result<Statement, VerifyError> {
    Verifier::new(artifact)?.verify_file(file, params, min_bits)
}

/// A verifier for one compiled model whose integrity (format, version, hash, indices) was
/// checked once, by [`Verifier::new`], which also prepares the constraint tapes and periodic
/// columns that every proof of the model shares.
#[derive(Clone, Debug)]
pub struct Verifier<'a> {
    artifact: &'a Artifact,
    prepared: Arc<Prepared>,
    /// The security of the last proof context seen: proofs of one model at one setting share
    /// it, and Winterfell's proven-security formula is worth computing once.
    security: Arc<Mutex<Option<(Context, Security)>>>,
}

impl<'a> Verifier<'a> {
    /// Checks the artifact: this build's format and version, a hash that matches the program,
    /// and indices that validate.
    ///
    /// # Errors
    /// [`VerifyError::ArtifactCorrupt`].
    pub fn new(artifact: &'a Artifact) -> Result<Self, VerifyError> {
        if !artifact.is_intact() {
            return Err(VerifyError::ArtifactCorrupt);
        }
        let prepared = Arc::new(Prepared::new(Arc::new(artifact.program.clone())));
        let security = Arc::new(Mutex::new(None));
        Ok(Verifier {
            artifact,
            prepared,
            security,
        })
    }

    /// Verifies proof-file bytes (see [`verify`]).
    ///
    /// # Errors
    /// As [`verify`].
    pub fn verify(
        &self,
        proof: &[u8],
        params: &[Felt],
        min_bits: u32,
    ) -> Result<Statement, VerifyError> {
        let file = ProofFile::from_bytes(proof)?;
        self.verify_file(&file, params, min_bits)
    }

    /// Verifies a decoded proof file: the artifact hash and parameter digest it carries, the
    /// count and width of every public value, the trace shape, the security level, then the STARK.
    ///
    /// # Errors
    /// As [`verify`].
    pub fn verify_file(
        &self,
        file: &ProofFile,
        params: &[Felt],
        min_bits: u32,
    ) -> Result<Statement, VerifyError> {
        let artifact = self.artifact;
        if file.artifact_hash != hash_bytes(artifact) {
            return Err(VerifyError::WrongModel);
        }
        // The parameters' digest (one sequential blake3 pass over them) is checked beside
        // everything else: Fiat–Shamir absorbs the digest the proof file carries, and the proof
        // is accepted only if that digest is also the one of `params`. Side by side only where
        // there are enough parameters to pay for a pool thread's wake-up; the STARK check then
        // also runs on a pool thread, where the parallel parts of Winterfell's verifier (the
        // pinned columns' interpolation) and the product keys start without a cross-thread
        // hand-off (public LeNet: 3.9 → 2.8 ms, 200 warm verifies).
        let (verified, digest_matches) = zkm_air::par::join(
            params.len() >= SIDE_BY_SIDE_PARAMS,
            || self.verify_claimed(file, params, min_bits),
            || params_digest(params) == file.params_digest,
        );
        if !digest_matches {
            return Err(VerifyError::WrongParams);
        }
        verified
    }

    /// [`Verifier::verify_file`] taking the parameter digest the proof file carries as the one of
    /// `params`, which the caller checks.
    fn verify_claimed(
        &self,
        file: &ProofFile,
        params: &[Felt],
        min_bits: u32,
    ) -> Result<Statement, VerifyError> {
        let (artifact, digest) = (self.artifact, file.params_digest);
        let program = &artifact.program;
        let public = join_public(program, &file.io, params)?;
        public::check_ranges(program, &public)?;
        public::check_shape(program, &file.proof)?;
        check_zk(program, file)?;
        let security = self.security_of(&file.proof)?;
        if security.conjectured < min_bits {
            let (reached, required) = (security.conjectured, min_bits);
            return Err(VerifyError::InsufficientSecurity { reached, required });
        }
        let inputs = public_inputs(artifact, self.prepared.clone(), public, digest);
        let statement = Statement::new(artifact, &inputs.values, digest, security);
        stark_verify(file.proof.clone(), inputs, min_bits)?;
        Ok(statement)
    }

    /// The security of `proof`, from the cache when its context (options, trace shape,
    /// constraint counts) is the last one seen.
    fn security_of(&self, proof: &Proof) -> Result<Security, VerifyError> {
        let mut cache = self.security.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((context, security)) = cache.as_ref() {
            if *context == proof.context {
                return Ok(*security);
            }
        }
        let security = guard::quiet_catch(|| Security::of(proof))
            .map_err(|_| VerifyError::MalformedOptions)?;
        *cache = Some((proof.context.clone(), security));
        Ok(security)
    }
}

/// The zero-knowledge shape: the random rows the proof file records are the ones the artifact
/// reserves, and they are enough for the proof's queries and extension (`r ≥ q + 2e + 1`).
fn check_zk(program: &zkm_air::AirProgram, file: &ProofFile) -> Result<(), VerifyError> {
    let expected = program.random_rows() as u32;
    if file.random_rows != expected {
        let found = file.random_rows;
        return Err(VerifyError::ZkShape { expected, found });
    }
    let options = file.proof.options();
    let needed = zkm_air::zk::random_rows_needed(
        options.num_queries(),
        options.field_extension().degree() as usize,
    );
    if program.is_zero_knowledge() && (expected as usize) < needed {
        let needed = needed as u32;
        return Err(VerifyError::TooFewRandomRows { expected, needed });
    }
    Ok(())
}

/// Winterfell's verifier on assembled public inputs, with panics turned into errors, with the
/// hash the proof's options call for ([`wide_digests`]). Openings of every proof parse as
/// [`Commitment`]'s; [`guard::decode_proof`] has checked which carry salts.
fn stark_verify(proof: Proof, inputs: PublicInputs, min_bits: u32) -> Result<(), VerifyError> {
    let run = || match wide_digests(proof.options()) {
        true => stark_verify_with::<hash::Wide>(proof, inputs, min_bits),
        false => stark_verify_with::<hash::Short>(proof, inputs, min_bits),
    };
    match guard::quiet_catch(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result.map_err(VerifyError::Stark),
        Err(_) => Err(VerifyError::Malformed),
    }
}

/// [`stark_verify`] with the hash `H`.
fn stark_verify_with<H: hash::ZkmHasher>(
    proof: Proof,
    inputs: PublicInputs,
    min_bits: u32,
) -> Result<(), winter_verifier::VerifierError> {
    let acceptable = AcceptableOptions::MinConjecturedSecurity(min_bits);
    winter_verifier::verify::<ZkmAir, H, Coin<H>, Commitment<H>>(proof, inputs, &acceptable)
}

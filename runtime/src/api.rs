//! Proving and verifying whole statements: the public vector split into what the proof file
//! carries (inputs, outputs, digest slots) and what the verifier already has (public parameters,
//! from the weights file), range checks of public values, and security reporting.

use std::time::{Duration, Instant};

use winterfell::Proof;
use zkm_air::field::{signed, Felt};
use zkm_air::{Artifact, PublicKind, Trace};

use crate::proof_file::{params_digest, ProofFile};
use crate::stark;

/// Security of a proof, in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Security {
    /// Conjectured security.
    pub conjectured: u32,
    /// Proven security, list-decoding regime.
    pub proven_ldr: u32,
    /// Proven security, unique-decoding regime.
    pub proven_udr: u32,
}

impl Security {
    /// The security of `proof`.
    pub fn of(proof: &Proof) -> Self {
        let proven = proof.proven_security::<stark::Hasher>();
        Security {
            conjectured: proof.conjectured_security::<stark::Hasher>().bits(),
            proven_ldr: proven.ldr_bits(),
            proven_udr: proven.udr_bits(),
        }
    }
}

/// A finished proof.
#[derive(Debug)]
pub struct Proved {
    /// The proof file.
    pub file: ProofFile,
    /// Its security.
    pub security: Security,
    /// Wall-clock proving time (Winterfell only, witness excluded).
    pub time: Duration,
    /// Why the GPU was abandoned for the CPU, if it was.
    pub fallback: Option<String>,
}

/// Why verification failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError(pub String);

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The public vector split into `(io, params)`: parameter slots go to `params`, all other slots
/// to `io`, each in slot order.
pub fn split_public(artifact: &Artifact, public: &[Felt]) -> (Vec<Felt>, Vec<Felt>) {
    let (mut io, mut params) = (Vec::new(), Vec::new());
    for s in &artifact.program.public {
        let values = &public[s.offset as usize..(s.offset + s.len) as usize];
        let dest = if s.kind == PublicKind::Param {
            &mut params
        } else {
            &mut io
        };
        dest.extend_from_slice(values);
    }
    (io, params)
}

/// The inverse of [`split_public`].
///
/// # Errors
/// When `io` or `params` has the wrong length for the artifact.
pub fn join_public(
    artifact: &Artifact,
    io: &[Felt],
    params: &[Felt],
) -> Result<Vec<Felt>, VerifyError> {
    let p = &artifact.program;
    let want_params: usize = p
        .public
        .iter()
        .filter(|s| s.kind == PublicKind::Param)
        .map(|s| s.len as usize)
        .sum();
    if params.len() != want_params || io.len() + params.len() != p.public_len {
        return Err(VerifyError(format!(
            "the proof carries {} public values but the model has {} public input/output elements",
            io.len(),
            p.public_len - want_params
        )));
    }
    let (mut io_it, mut param_it) = (io.iter(), params.iter());
    let mut out = Vec::with_capacity(p.public_len);
    for s in &p.public {
        let src = if s.kind == PublicKind::Param {
            &mut param_it
        } else {
            &mut io_it
        };
        out.extend(src.by_ref().take(s.len as usize).copied());
    }
    Ok(out)
}

/// Checks that every public value fits its declared width (the range analysis assumes it).
///
/// # Errors
/// Names the first value out of range.
pub fn check_public_ranges(artifact: &Artifact, public: &[Felt]) -> Result<(), VerifyError> {
    for s in artifact
        .program
        .public
        .iter()
        .filter(|s| s.kind != PublicKind::Commitment)
    {
        let half = 1i128 << (s.bits - 1);
        for i in 0..s.len as usize {
            let v = signed(public[s.offset as usize + i]);
            if !(-half..half).contains(&v) {
                return Err(VerifyError(format!(
                    "public value {}[{i}] = {v} does not fit {} bits",
                    s.name, s.bits
                )));
            }
        }
    }
    Ok(())
}

/// Proves a trace that the checker accepted.
///
/// # Errors
/// When Winterfell rejects the trace.
pub fn prove(artifact: &Artifact, trace: &Trace, bits: u32) -> Result<Proved, VerifyError> {
    prove_on(artifact, trace, bits, None)
}

/// [`prove`] with the main trace's LDE and commitment on `gpu` when given; `Proved::fallback`
/// says why the CPU took over if the GPU failed.
///
/// # Errors
/// As [`prove`].
pub fn prove_on(
    artifact: &Artifact,
    trace: &Trace,
    bits: u32,
    gpu: Option<stark::backend::GpuHandle>,
) -> Result<Proved, VerifyError> {
    let start = Instant::now();
    let options = stark::options_for(bits);
    let (proof, fallback) = stark::prove_on(
        artifact,
        trace.main.clone(),
        trace.public.clone(),
        options,
        gpu,
    )
    .map_err(|e| VerifyError(format!("the prover failed: {e}")))?;
    let time = start.elapsed();
    let security = Security::of(&proof);
    if security.conjectured < bits {
        let max = stark::MAX_SECURITY;
        return Err(VerifyError(format!(
            "the proof reaches {} bits of conjectured security, below the {bits} asked for (zkmc reaches at most {max})",
            security.conjectured
        )));
    }
    let (io, params) = split_public(artifact, &trace.public);
    let artifact_hash = hash_bytes(artifact);
    let file = ProofFile {
        artifact_hash,
        params_digest: params_digest(&params),
        io,
        proof,
    };
    Ok(Proved {
        file,
        security,
        time,
        fallback,
    })
}

/// Verifies a proof file against an artifact and the public parameters.
///
/// # Errors
/// A proof for another model or other parameters, out-of-range public values, insufficient
/// security, or a proof that does not verify.
pub fn verify(
    artifact: &Artifact,
    file: &ProofFile,
    params: &[Felt],
    min_bits: u32,
) -> Result<Security, VerifyError> {
    if file.artifact_hash != hash_bytes(artifact) {
        return Err(VerifyError(
            "the proof is for a different compiled model (artifact hash differs)".into(),
        ));
    }
    let digest = params_digest(params);
    if file.params_digest != digest {
        return Err(VerifyError(
            "the proof was made with different public parameters (weights differ)".into(),
        ));
    }
    let public = join_public(artifact, &file.io, params)?;
    check_public_ranges(artifact, &public)?;
    stark::check_shape(&artifact.program, &file.proof).map_err(VerifyError)?;
    let security = crate::guard::quiet_catch(|| Security::of(&file.proof))
        .map_err(|_| VerifyError("the proof does not verify: malformed proof options".into()))?;
    let inputs = stark::public_inputs_with(artifact, public, digest);
    stark::verify_inputs(artifact, file.proof.clone(), inputs, min_bits)
        .map_err(|e| VerifyError(format!("the proof does not verify: {e}")))?;
    Ok(security)
}

/// The artifact hash as bytes.
pub fn hash_bytes(artifact: &Artifact) -> [u8; 32] {
    blake3::Hash::from_hex(&artifact.hash)
        .map(|h| *h.as_bytes())
        .unwrap_or([0; 32])
}

//! The runtime's entry points: [`prove`] a filled trace (the constraint checker runs first, so a
//! dishonest or buggy witness is reported constraint by constraint instead of failing inside
//! Winterfell) and [`verify`] a proof file through the standalone `zkm-verifier`. Errors are
//! data ([`ProveError`], [`VerifyError`]); the CLI maps them to codes and help.

use std::time::{Duration, Instant};

use zkm_air::check::Failure;
use zkm_air::{Artifact, Trace};

use crate::stark;
pub use crate::stark::Randomness;
pub use zkm_verifier::{
    hash_bytes, join_public, params_digest, public_values, split_public, ProofFile, PublicValue,
    Security, Statement, VerifyError,
};

/// A finished proof.
#[derive(Debug)]
pub struct Proved {
    /// The proof file.
    pub file: ProofFile,
    /// Its security.
    pub security: Security,
    /// Wall-clock proving time (Winterfell only: witness and checker excluded).
    pub time: Duration,
    /// Why the GPU was abandoned for the CPU, if it was.
    pub fallback: Option<String>,
}

/// Why a proof could not be made.
#[derive(Debug)]
pub enum ProveError {
    /// The trace does not satisfy the program: every failing constraint, assertion and bus term.
    Unsatisfied(Vec<Failure>),
    /// The trace's public vector does not have the program's length.
    PublicLength {
        /// Elements the program's public vector has.
        expected: usize,
        /// Elements the trace's has.
        found: usize,
    },
    /// The artifact's program fails validation (a library caller built or edited it; artifacts
    /// read through [`Artifact::from_json`] are validated already).
    Malformed(String),
    /// Winterfell's prover failed.
    Stark(winterfell::ProverError),
    /// The operating system's random generator failed (zero-knowledge proofs need it).
    Randomness(String),
    /// The prover's threads could not be started.
    Threads(String),
    /// The proof options cannot reach the security asked for.
    InsufficientSecurity {
        /// Bits reached.
        reached: u32,
        /// Bits asked for.
        requested: u32,
        /// The most zkmc reaches.
        max: u32,
    },
}

impl std::fmt::Display for ProveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProveError::Unsatisfied(fails) => write!(
                f,
                "the trace does not satisfy the program ({} failing checks)",
                fails.len()
            ),
            ProveError::PublicLength { expected, found } => write!(
                f,
                "the trace has {found} public values; the program has {expected}"
            ),
            ProveError::Malformed(why) => write!(f, "the artifact is malformed: {why}"),
            ProveError::Stark(e) => write!(f, "the prover failed: {e}"),
            ProveError::Randomness(e) => write!(f, "no randomness for a zero-knowledge proof: {e}"),
            ProveError::Threads(e) => write!(f, "{e}"),
            ProveError::InsufficientSecurity {
                reached,
                requested,
                max,
            } => write!(
                f,
                "the proof reaches {reached} bits of conjectured security, below the {requested} asked for (zkmc reaches at most {max})"
            ),
        }
    }
}

impl std::error::Error for ProveError {}

/// How to prove: the security target, where the trace LDE runs, and where zero-knowledge
/// randomness comes from.
#[derive(Clone, Debug)]
pub struct ProveConfig {
    /// Conjectured security in bits.
    pub bits: u32,
    /// The GPU for the main trace's LDE and commitment, if any.
    pub gpu: Option<stark::backend::GpuHandle>,
    /// The operating system's CSPRNG, or a seed (reproducible; hiding only while it is secret).
    pub randomness: Randomness,
    /// Prover threads: `None` for one per core. The proof bytes do not depend on it.
    pub threads: Option<usize>,
}

impl ProveConfig {
    /// `bits` of security on the CPU with the operating system's randomness.
    pub fn new(bits: u32) -> Self {
        ProveConfig {
            bits,
            gpu: None,
            randomness: Randomness::Os,
            threads: None,
        }
    }

    /// The same on `threads` prover threads (at least 1).
    pub fn threads(self, threads: usize) -> Self {
        let threads = Some(threads.max(1));
        ProveConfig { threads, ..self }
    }

    /// The same with randomness derived from `seed`.
    pub fn seeded(self, seed: u64) -> Self {
        let randomness = Randomness::Seed(seed);
        ProveConfig { randomness, ..self }
    }

    /// The same on `gpu`.
    pub fn on(self, gpu: Option<stark::backend::GpuHandle>) -> Self {
        ProveConfig { gpu, ..self }
    }
}

/// Checks a trace with [`zkm_air::check::check`], then proves it on the CPU with the operating
/// system's randomness.
///
/// # Errors
/// Failing checks, or the prover's or the security level's failure.
pub fn prove(artifact: &Artifact, trace: &Trace, bits: u32) -> Result<Proved, ProveError> {
    prove_with(artifact, trace, &ProveConfig::new(bits))
}

/// [`prove`] as `config` says; `Proved::fallback` says why the CPU took over if the GPU failed.
///
/// # Errors
/// As [`prove`].
pub fn prove_with(
    artifact: &Artifact,
    trace: &Trace,
    config: &ProveConfig,
) -> Result<Proved, ProveError> {
    zkm_air::validate::validate(&artifact.program).map_err(ProveError::Malformed)?;
    // The checker runs on the prover's threads too.
    on_prover_threads(config.threads, || {
        let failures = zkm_air::check::check(&artifact.program, trace);
        if !failures.is_empty() {
            return Err(ProveError::Unsatisfied(failures));
        }
        prove_here(artifact, trace, config)
    })?
}

/// `f` on the prover's own thread pool ([`prover_pool`]).
fn on_prover_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, ProveError> {
    Ok(match prover_pool(threads)? {
        Some(pool) => pool.install(f),
        None => f(),
    })
}

/// The prover's own thread pool: `threads`, or one thread per core. Where no thread can be
/// started and none was asked for, the calling thread proves alone: `None` when it already is a
/// rayon worker (zkmc's main thread then is), else a pool of just the calling thread. Proving
/// never relies on rayon's global pool, whose lazy start panics where threads cannot be created.
fn prover_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>, ProveError> {
    let cores = || std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = threads.unwrap_or_else(cores);
    let refused = |e: rayon::ThreadPoolBuildError| {
        ProveError::Threads(format!("cannot start {n} prover threads: {e}"))
    };
    match (
        rayon::ThreadPoolBuilder::new().num_threads(n).build(),
        threads,
    ) {
        (Ok(pool), _) => Ok(Some(pool)),
        (Err(e), Some(_)) => Err(refused(e)),
        (Err(_), None) if rayon::current_thread_index().is_some() => Ok(None),
        (Err(_), None) => rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .map(Some)
            .map_err(refused),
    }
}

/// Proves without running the checker first. Soundness tests use it to force a proof from a
/// dishonest trace, which the verifier must then reject; everything else uses [`prove`].
///
/// # Errors
/// As [`prove`], without [`ProveError::Unsatisfied`].
pub fn prove_unchecked(
    artifact: &Artifact,
    trace: &Trace,
    config: &ProveConfig,
) -> Result<Proved, ProveError> {
    // Winterfell asserts on programs it cannot prove; validation refuses them first.
    zkm_air::validate::validate(&artifact.program).map_err(ProveError::Malformed)?;
    on_prover_threads(config.threads, || prove_here(artifact, trace, config))?
}

/// Proves a validated artifact's trace on the calling thread's pool; the time reported is this
/// function's alone.
fn prove_here(
    artifact: &Artifact,
    trace: &Trace,
    config: &ProveConfig,
) -> Result<Proved, ProveError> {
    let (bits, gpu) = (config.bits, config.gpu.clone());
    let program = &artifact.program;
    if trace.public.len() != program.public_len {
        let (expected, found) = (program.public_len, trace.public.len());
        return Err(ProveError::PublicLength { expected, found });
    }
    let start = Instant::now();
    let options = stark::options_with(bits, stark::grinding_for(program));
    let (main, public) = (trace.main.clone(), trace.public.clone());
    let proved = stark::prove_on(artifact, main, public, options, gpu, config.randomness);
    let (proof, fallback) = proved.map_err(|e| match e {
        stark::StarkError::Prover(e) => ProveError::Stark(e),
        stark::StarkError::Randomness(e) => ProveError::Randomness(e),
    })?;
    let time = start.elapsed();
    let security = Security::of(&proof);
    if security.conjectured < bits {
        let (reached, requested, max) = (security.conjectured, bits, stark::MAX_SECURITY);
        return Err(ProveError::InsufficientSecurity {
            reached,
            requested,
            max,
        });
    }
    let (io, params) = split_public(program, &trace.public);
    let file = ProofFile {
        artifact_hash: hash_bytes(artifact),
        params_digest: params_digest(&params),
        random_rows: program.random_rows() as u32,
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

/// Verifies a proof file against an artifact and the public parameter values (quantized, in slot
/// order), through [`zkm_verifier::verify_file`].
///
/// # Errors
/// Every reason the proof is not accepted, as a [`VerifyError`] variant.
pub fn verify(
    artifact: &Artifact,
    file: &ProofFile,
    params: &[zkm_air::field::Felt],
    min_bits: u32,
) -> Result<Statement, VerifyError> {
    zkm_verifier::verify_file(artifact, file, params, min_bits)
}

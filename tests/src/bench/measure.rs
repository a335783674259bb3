//! One measurement, run in a fresh child process so that its peak RSS is its own: compile, load,
//! generate the witness (timed), run the constraint checker once (untimed, must pass), prove
//! [`PROVE_RUNS`] times and verify [`VERIFY_RUNS`] times, reporting medians.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use zkm_air::{Artifact, Trace};
use zkm_diagnostics::{Diagnostic, SourceMap};
use zkm_runtime::api::{self, Proved};
use zkm_runtime::stark::DEFAULT_SECURITY;

use super::models::{materialize, Materials, Spec, Visibility};

/// Proofs per measurement (the median is reported).
pub const PROVE_RUNS: usize = 3;
/// Verifications per measurement (the median is reported).
pub const VERIFY_RUNS: usize = 10;

/// One table row: a (model, visibility) pair and its measurement or why there is none.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// Model name.
    pub model: String,
    /// `public` or `private`.
    pub weights: String,
    /// Zero-knowledge on (the compiler's rule) or off (no random rows).
    pub zk: bool,
    /// The numbers, or the error that stopped the measurement.
    pub outcome: Result<Measurement, String>,
}

/// The numbers of one (model, visibility) pair.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measurement {
    /// Multiply-accumulates: Σ n_in·n_out over the 2-D parameters (the weight matrices).
    pub macs: u64,
    /// Trace length.
    pub rows: usize,
    /// Main (base-field) columns.
    pub main: usize,
    /// Auxiliary (extension-field) columns.
    pub aux: usize,
    /// One witness generation, in ms.
    pub witness_ms: f64,
    /// Median proving time on every core (Winterfell only, as `api::prove` measures it), in ms.
    pub prove_ms: f64,
    /// The same on one prover thread, in ms.
    pub prove_1t_ms: f64,
    /// Prover threads of the `prove_ms` runs (rayon's global pool).
    pub threads: usize,
    /// Median verification time of a prepared `zkm_verifier::Verifier`, in ms.
    pub verify_ms: f64,
    /// Proof file size in bytes.
    pub proof_bytes: usize,
    /// Peak resident set size of the process (`VmHWM`), in MiB.
    pub peak_rss_mb: f64,
    /// `zkmc`'s estimate of the prover's peak memory (`stark::estimate_memory`), in MiB.
    pub estimate_mb: f64,
    /// Conjectured security in bits.
    pub conjectured_bits: u32,
    /// Proven security in bits (list-decoding regime).
    pub proven_bits: u32,
    /// Where the proof's bytes go.
    pub parts: Parts,
}

/// Bytes of each part of the STARK proof ([`zkm_verifier::anatomy`]).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Parts {
    /// Opened trace rows, main and auxiliary.
    pub trace_values: usize,
    /// Their Merkle openings (salts and paths).
    pub trace_openings: usize,
    /// Opened composition rows and their opening.
    pub composition: usize,
    /// Opened FRI cosets.
    pub fri_values: usize,
    /// Their Merkle openings.
    pub fri_openings: usize,
    /// The FRI remainder.
    pub remainder: usize,
    /// The out-of-domain frame.
    pub ood: usize,
    /// Everything else: the proof file's header and public values, commitments, context.
    pub other: usize,
}

impl Parts {
    /// The parts of `file`.
    fn of(file: &zkm_verifier::ProofFile) -> Result<Self, String> {
        let a = zkm_verifier::anatomy::anatomy(&file.proof)?;
        let composition = a.composition_values + a.composition_openings;
        let counted = a.trace_values + a.trace_openings + composition + a.fri_values;
        let counted = counted + a.fri_openings + a.fri_remainder + a.ood;
        Ok(Parts {
            trace_values: a.trace_values,
            trace_openings: a.trace_openings,
            composition,
            fri_values: a.fri_values,
            fri_openings: a.fri_openings,
            remainder: a.fri_remainder,
            ood: a.ood,
            other: file.to_bytes().len() - counted,
        })
    }
}

impl Measurement {
    /// Trace cells per MAC, counting each auxiliary (quadratic-extension) column twice.
    pub fn cells_per_mac(&self) -> f64 {
        (self.rows * (self.main + 2 * self.aux)) as f64 / self.macs.max(1) as f64
    }

    /// `(estimate − peak RSS) / peak RSS`.
    pub fn estimate_error(&self) -> f64 {
        (self.estimate_mb - self.peak_rss_mb) / self.peak_rss_mb.max(1e-9)
    }

    /// Median proving time per MAC, in ns.
    pub fn ns_per_mac(&self) -> f64 {
        self.prove_ms * 1e6 / self.macs.max(1) as f64
    }
}

/// Measures `spec` with `vis` weights, with zero-knowledge or without; call it in a fresh
/// process.
pub fn run(spec: Spec, vis: Visibility, zk: bool) -> Row {
    Row {
        model: spec.name.to_string(),
        weights: vis.as_str().to_string(),
        zk,
        outcome: measure(spec, vis, zk),
    }
}

fn measure(spec: Spec, vis: Visibility, zk: bool) -> Result<Measurement, String> {
    let materials = materialize(spec, vis)?;
    let artifact = compile(&materials, zk)?;
    let (trace, witness) = witness(&artifact, &materials)?;
    check(&artifact, &trace)?;
    let (_, prove_1t) = prove(&artifact, &trace, Some(1))?;
    let (proved, prove) = prove(&artifact, &trace, None)?;
    let verify = verify(&artifact, &trace, &proved)?;
    let program = &artifact.program;
    Ok(Measurement {
        macs: macs(&artifact),
        rows: program.trace_len,
        main: program.main_columns.len(),
        aux: program.aux_columns.len(),
        witness_ms: ms(witness),
        prove_ms: ms(prove),
        prove_1t_ms: ms(prove_1t),
        threads: rayon::current_num_threads(),
        verify_ms: ms(verify),
        proof_bytes: proved.file.to_bytes().len(),
        peak_rss_mb: peak_rss_mb().ok_or("cannot read VmHWM from /proc/self/status")?,
        estimate_mb: zkm_runtime::stark::estimate_memory(program) as f64 / (1 << 20) as f64,
        conjectured_bits: proved.security.conjectured,
        proven_bits: proved.security.proven_ldr,
        parts: Parts::of(&proved.file)?,
    })
}

/// Compiles a benchmarked model, with zero-knowledge's random rows or without.
///
/// # Errors
/// The model's fatal diagnostics, on one line.
pub fn compile(m: &Materials, zk: bool) -> Result<Artifact, String> {
    let mut sources = SourceMap::new();
    let file = sources.add(m.file_name.clone(), m.source.clone());
    let rows = if zk { None } else { Some(0) };
    let (artifact, diags) = zkm_compiler::driver::build_with_random_rows(&mut sources, file, rows);
    artifact.ok_or_else(|| {
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_fatal())
            .map(one_line)
            .collect();
        format!("compile failed: {}", errors.join("; "))
    })
}

fn one_line(d: &Diagnostic) -> String {
    format!("[{}] {}", d.code, d.message)
}

fn witness(artifact: &Artifact, m: &Materials) -> Result<(Trace, Duration), String> {
    let mut loaded = zkm_runtime::load(&artifact.program, &m.input, &m.weights)
        .map_err(|e| format!("load failed: [{}] {}", e.code, e.message))?;
    commit(artifact, &mut loaded.inputs)?;
    let start = Instant::now();
    let trace = zkm_air::witness::generate(&artifact.program, &loaded.inputs)
        .map_err(|e| format!("witness failed: {e}"))?;
    Ok((trace, start.elapsed()))
}

/// Commits the committed declarations with seeded nonces (outside the timed path) and gives
/// the nonces to the witness.
fn commit(artifact: &Artifact, inputs: &mut zkm_air::Inputs) -> Result<(), String> {
    if zkm_runtime::openings::committed(&artifact.program).is_empty() {
        return Ok(());
    }
    let rng = zkm_runtime::stark::ZkRng::new(zkm_runtime::stark::Randomness::Seed(0))?;
    let openings = zkm_runtime::Openings::commit(&artifact.program, inputs, &rng)
        .map_err(|e| e.to_string())?;
    openings.apply(inputs).map_err(|e| e.to_string())
}

/// Runs the checker once (outside the timed path); the benchmark refuses a failing trace.
fn check(artifact: &Artifact, trace: &Trace) -> Result<(), String> {
    let failures = zkm_air::check::check(&artifact.program, trace);
    match failures.first() {
        None => Ok(()),
        Some(f) => Err(format!(
            "checker failed ({} failures), first: {}",
            failures.len(),
            one_line(&f.to_diagnostic())
        )),
    }
}

/// [`PROVE_RUNS`] proofs on `threads` prover threads (`None`: one per core).
fn prove(
    artifact: &Artifact,
    trace: &Trace,
    threads: Option<usize>,
) -> Result<(Proved, Duration), String> {
    let mut config = api::ProveConfig::new(DEFAULT_SECURITY);
    if let Some(n) = threads {
        config = config.threads(n);
    }
    let mut times = Vec::with_capacity(PROVE_RUNS);
    let mut last = None;
    for _ in 0..PROVE_RUNS {
        let proved = api::prove_with(artifact, trace, &config).map_err(|e| e.to_string())?;
        times.push(proved.time);
        last = Some(proved);
    }
    let proved = last.ok_or("no proof runs")?;
    Ok((proved, median(times)))
}

fn verify(artifact: &Artifact, trace: &Trace, proved: &Proved) -> Result<Duration, String> {
    let (_, params) = api::split_public(&artifact.program, &trace.public);
    let verifier = zkm_verifier::Verifier::new(artifact).map_err(|e| e.to_string())?;
    let mut times = Vec::with_capacity(VERIFY_RUNS);
    for _ in 0..VERIFY_RUNS {
        let start = Instant::now();
        verifier
            .verify_file(&proved.file, &params, DEFAULT_SECURITY)
            .map_err(|e| format!("verify failed: {e}"))?;
        times.push(start.elapsed());
    }
    Ok(median(times))
}

/// Σ n_in·n_out over the model's 2-D parameters (the MACs of its matrix products) plus the taps
/// of its convolutions, public or private kernel (pools are additions, not counted).
pub fn macs(artifact: &Artifact) -> u64 {
    use zkm_air::gadgets::Gadget;
    let p = &artifact.program;
    let dense: u64 = p
        .decls
        .iter()
        .filter(|d| d.kind == zkm_air::DeclKind::Param && d.shape.len() == 2)
        .map(|d| d.len() as u64)
        .sum();
    let convs = p.gadgets.iter().filter_map(|g| match g {
        Gadget::PublicProduct(q) => q.conv.as_ref().map(|c| c.geometry),
        Gadget::PrivateConv(c) => Some(c.geometry),
        _ => None,
    });
    let mut taps = 0u64;
    for geometry in convs.filter(|g| !g.pool) {
        geometry.for_each_tap(|_, _, _| taps += 1);
    }
    dense + taps
}

/// The median (the mean of the middle two for an even count); zero for none.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    let n = times.len();
    match n {
        0 => Duration::ZERO,
        _ if n % 2 == 1 => times[n / 2],
        _ => (times[n / 2 - 1] + times[n / 2]) / 2,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// This process's peak resident set size (`VmHWM` in `/proc/self/status`), in MiB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

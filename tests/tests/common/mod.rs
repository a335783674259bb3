//! Helpers shared by the soundness suites (`prove.rs`, `proof_bytes.rs`): example artifacts,
//! honest traces and proofs built once per process, column lookups, a seeded RNG, and the byte
//! layout of a proof file.

#![allow(dead_code, unused_imports)]

pub use std::ops::Range;
pub use std::panic::{catch_unwind, AssertUnwindSafe};
pub use std::path::{Path, PathBuf};
pub use std::sync::OnceLock;
pub use std::time::{Duration, Instant};
pub use zkm_air::check::{check, Failure, FailureKind};
pub use zkm_air::field::{felt, Felt};
pub use zkm_air::{Artifact, PublicKind, Trace};
pub use zkm_diagnostics::{render, SourceMap};
pub use zkm_runtime::api::params_digest;
pub use zkm_runtime::api::{self, ProveError, Security, Statement, VerifyError};
pub use zkm_runtime::proof_file::{ProofFile, ProofFileError, MAGIC, VERSION, WINTERFELL};
pub use zkm_runtime::stark;
/// Conjectured security every proof of this suite is made and verified with.
pub const BITS: u32 = 100;

// HELPERS
// ================================================================================================

pub use zkm_tests::fixtures::{build, data, honest_trace, root};

pub fn example_source(name: &str) -> String {
    data(name, &format!("{name}.zkm"))
}

/// Compiles `text` under the file name `rel` (only shown in diagnostics; not hashed).
pub fn compile(rel: &str, text: String) -> Artifact {
    let mut sources = SourceMap::new();
    let file = sources.add(rel.to_owned(), text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    artifact.expect("artifact")
}

/// The suite's proving configuration: [`BITS`] bits, the CPU, randomness from a fixed seed (so
/// byte-level tests see one proof).
pub fn seeded() -> api::ProveConfig {
    api::ProveConfig::new(BITS).seeded(1)
}

/// Proves a trace the checker accepts, at [`BITS`] bits, with the suite's seed.
pub fn prove(artifact: &Artifact, trace: &Trace) -> ProofFile {
    api::prove_with(artifact, trace, &seeded())
        .expect("proof")
        .file
}

/// Verifies a proof file the way `zkmc verify` does.
pub fn verify(
    artifact: &Artifact,
    file: &ProofFile,
    params: &[Felt],
) -> Result<Statement, VerifyError> {
    api::verify(artifact, file, params, BITS)
}

/// One example, compiled, run, proved and encoded.
#[derive(Debug)]
pub struct Example {
    pub name: &'static str,
    pub artifact: Artifact,
    pub trace: Trace,
    /// The public parameters (what the verifier reads from the weights file).
    pub params: Vec<Felt>,
    pub file: ProofFile,
    pub bytes: Vec<u8>,
    pub prove_time: Duration,
}

impl Example {
    pub fn new(name: &'static str) -> Self {
        Example::from_artifact(name, build(name))
    }

    /// The example `name` with `public param from` made `param from` (private), under the same
    /// data files.
    pub fn private_param(name: &'static str, param: &str) -> Self {
        let text = example_source(name);
        let public = format!("public param {param}:");
        assert!(text.contains(&public), "{name} has no public param {param}");
        let text = text.replace(&public, &format!("param {param}:"));
        let artifact = compile(&format!("examples/{name}/{name}_private.zkm"), text);
        Example::from_artifact(name, artifact)
    }

    /// A gadget case `tests/programs/<name>.zkm` with its `<name>.json` data.
    pub fn program(name: &'static str) -> Self {
        let rel = format!("tests/programs/{name}.zkm");
        let text = std::fs::read_to_string(root().join(&rel)).expect("program source");
        let artifact = compile(&rel, text);
        let data = std::fs::read_to_string(root().join(format!("tests/programs/{name}.json")));
        let data: serde_json::Value = serde_json::from_str(&data.expect("data")).expect("JSON");
        let (input, weights) = (data["input"].to_string(), data["weights"].to_string());
        let loaded = zkm_runtime::load(&artifact.program, &input, &weights).expect("data loads");
        let trace = zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness");
        Example::with_trace(name, artifact, trace)
    }

    fn from_artifact(name: &'static str, artifact: Artifact) -> Self {
        let trace = honest_trace(name, &artifact);
        Example::with_trace(name, artifact, trace)
    }

    fn with_trace(name: &'static str, artifact: Artifact, trace: Trace) -> Self {
        let failures = check(&artifact.program, &trace);
        assert!(
            failures.is_empty(),
            "{name}: honest trace fails: {failures:?}"
        );
        let params = api::split_public(&artifact.program, &trace.public).1;
        let start = Instant::now();
        let file = prove(&artifact, &trace);
        let prove_time = start.elapsed();
        let bytes = file.to_bytes();
        Example {
            name,
            artifact,
            trace,
            params,
            file,
            bytes,
            prove_time,
        }
    }

    /// Decodes `bytes` and verifies them against this example; a panic is reported, not raised.
    pub fn decode_and_verify(&self, bytes: &[u8]) -> Outcome {
        let run = || {
            let file = ProofFile::from_bytes(bytes)?;
            verify(&self.artifact, &file, &self.params)
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(_)) => Outcome::Accepted,
            Ok(Err(e)) => Outcome::Rejected(e),
            Err(_) => Outcome::Panicked,
        }
    }
}

/// What decoding and verifying some bytes came to.
#[derive(Debug)]
pub enum Outcome {
    Accepted,
    Rejected(VerifyError),
    Panicked,
}

impl Outcome {
    pub fn is_rejected(&self) -> bool {
        matches!(self, Outcome::Rejected(_))
    }
}

/// The example, built and proved once per process.
pub fn example(name: &str) -> &'static Example {
    static MLP: OnceLock<Example> = OnceLock::new();
    static LINEAR: OnceLock<Example> = OnceLock::new();
    static CNN: OnceLock<Example> = OnceLock::new();
    static CNN_PRIVATE: OnceLock<Example> = OnceLock::new();
    static MLP_PRIVATE: OnceLock<Example> = OnceLock::new();
    static LENET: OnceLock<Example> = OnceLock::new();
    match name {
        // The CNN with its convolution kernel private (checked in the trace).
        "cnn_digits_private_kernel" => {
            CNN_PRIVATE.get_or_init(|| Example::private_param("cnn_digits", "k1"))
        }
        // The MLP with its first weight matrix private (a private product in the trace).
        "mlp_digits_private_weights" => {
            MLP_PRIVATE.get_or_init(|| Example::private_param("mlp_digits", "w1"))
        }
        "cnn_digits" => CNN.get_or_init(|| Example::new("cnn_digits")),
        "mlp_digits" => MLP.get_or_init(|| Example::new("mlp_digits")),
        "linear_digits" => LINEAR.get_or_init(|| Example::new("linear_digits")),
        // Public weights: its 44k parameters take the verifier's side-by-side digest check.
        "lenet_digits" => LENET.get_or_init(|| Example::new("lenet_digits")),
        _ => panic!("no example {name}"),
    }
}

pub const EXAMPLES: [&str; 3] = ["mlp_digits", "linear_digits", "cnn_digits"];

/// The first main column whose name starts with `prefix` and ends with `suffix` (names carry
/// node ids such as `relu10.out`, which move when the model or the lowering changes), its name,
/// and the row its gadget's region starts on (a stacked gadget's shared column).
pub fn column(artifact: &Artifact, prefix: &str, suffix: &str) -> (usize, String, usize) {
    let p = &artifact.program;
    let matches = |name: &str| name.starts_with(prefix) && name.ends_with(suffix);
    let own = p.main_columns.iter().map(|c| c.name.as_str());
    let aliases = p.aliases.iter().map(|a| a.name.as_str());
    let name = own.chain(aliases).find(|n| matches(n));
    let name = name.unwrap_or_else(|| panic!("no main column {prefix}*{suffix}"));
    let (col, first_row) = p.find_column(name).expect("a named column");
    (col as usize, name.to_owned(), first_row)
}

/// The gadget a column belongs to: `relu10` for `relu10.out`.
pub fn gadget_of(column: &str) -> &str {
    column.split('.').next().unwrap_or(column)
}

/// A small deterministic generator (splitmix64), so that failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

// FILE LAYOUT
// ================================================================================================

/// Byte offsets of the parts of an encoded proof file (see `runtime/src/proof_file.rs`).
#[derive(Debug)]
pub struct Layout {
    /// The whole file's regions, in order, with a name each.
    pub regions: Vec<(Range<usize>, &'static str)>,
    /// Where the Winterfell proof starts.
    pub proof: Range<usize>,
    /// Length of the Winterfell proof's context (trace info, field modulus, proof options,
    /// constraint count), which the proof bytes start with.
    pub context_len: usize,
    /// Offset in the proof bytes of the last proof option, the partition hash rate.
    pub hash_rate: usize,
}

impl Layout {
    pub fn of(ex: &Example) -> Self {
        let wf = 11 + WINTERFELL.len();
        let io = wf + 32 + 32 + 4 + 4;
        let io_end = io + 8 * ex.file.io.len();
        let proof = io_end + 4..ex.bytes.len();
        let (hash_rate, context_len) = context_len(&ex.bytes[proof.clone()], &ex.file.proof);
        let p = proof.start;
        let regions = vec![
            (0..8, "magic"),
            (8..10, "format version"),
            (10..11, "winterfell version length"),
            (11..wf, "winterfell version"),
            (wf..wf + 32, "artifact hash"),
            (wf + 32..wf + 64, "params digest"),
            (wf + 64..wf + 68, "zero-knowledge random rows"),
            (wf + 68..io, "public value count"),
            (io..io_end, "public values"),
            (io_end..p, "proof length"),
            (p..p + context_len, "stark: context"),
            (
                p + context_len..p + context_len + 1,
                "stark: num_unique_queries",
            ),
            (
                p + context_len + 1..proof.end - 9,
                "stark: commitments, queries, ood, fri",
            ),
            (proof.end - 9..proof.end - 8, "stark: fri num_partitions"),
            (proof.end - 8..proof.end, "stark: pow nonce"),
        ];
        Layout {
            regions,
            proof,
            context_len,
            hash_rate,
        }
    }

    pub fn region(&self, at: usize) -> &'static str {
        let found = self.regions.iter().find(|(r, _)| r.contains(&at));
        found.map_or("past the end", |(_, name)| name)
    }
}

/// The context is the first thing in the proof bytes and ends with the serialized proof options
/// (num_queries, blowup, grinding, field extension, FRI folding, FRI remainder degree, two
/// batching methods, partition count and hash rate: one byte each) and the constraint count (a
/// `vint64`). Returns the offset of the hash rate byte and the context's length.
pub fn context_len(proof_bytes: &[u8], proof: &winterfell::Proof) -> (usize, usize) {
    let o = proof.options();
    let partitions = o.partition_options();
    assert_eq!(partitions, winterfell::PartitionOptions::default());
    let options = [
        o.num_queries() as u8,
        o.blowup_factor() as u8,
        o.grinding_factor() as u8,
        2, // FieldExtension::Quadratic
        o.to_fri_options().folding_factor() as u8,
        o.to_fri_options().remainder_max_degree() as u8,
        0, // BatchingMethod::Linear
        0, // BatchingMethod::Linear
        1, // one partition
        1, // hash rate 1
    ];
    let at = proof_bytes
        .windows(options.len())
        .position(|w| w == options)
        .expect("serialized proof options in the proof context");
    let end = at + options.len();
    let constraints = proof_bytes[end].trailing_zeros() as usize + 1;
    (end - 1, end + constraints)
}

// DISHONEST WITNESSES
// ================================================================================================

/// Runs the checker on a corrupted trace: it must fail, and some failure must name `gadget`.
pub fn check_fails(ex: &Example, trace: &Trace, gadget: &str) -> Vec<Failure> {
    let failures = check(&ex.artifact.program, trace);
    assert!(
        !failures.is_empty(),
        "the checker accepts the corrupted trace"
    );
    let labels: Vec<&str> = failures.iter().map(|f| f.label.as_str()).collect();
    assert!(
        labels.iter().any(|l| l.contains(gadget)),
        "no failure mentions {gadget}: {labels:?}"
    );
    failures
}

/// Proves a trace the checker rejects, bypassing the checker: the prover must refuse, or the
/// proof must not verify (through the STARK alone and through the proof file).
pub fn forced_proof_is_rejected(ex: &Example, trace: &Trace) {
    let a = &ex.artifact;
    let err = api::prove(a, trace, BITS).expect_err("the checker runs before proving");
    assert!(
        matches!(err, ProveError::Unsatisfied(ref f) if !f.is_empty()),
        "{err}"
    );
    let proved = catch_unwind(AssertUnwindSafe(|| {
        api::prove_unchecked(a, trace, &seeded())
    }));
    let file = match proved {
        Err(_) => panic!("the prover panicked on a bad trace instead of returning an error"),
        Ok(Err(e)) => {
            eprintln!("the prover refused the bad trace: {e}");
            return;
        }
        Ok(Ok(proved)) => proved.file,
    };
    let params = api::split_public(&a.program, &trace.public).1;
    let err = api::verify(a, &file, &params, BITS).expect_err("forged proof");
    assert!(matches!(err, VerifyError::Stark(_)), "{err}");
    let outcome = ex.decode_and_verify(&file.to_bytes());
    assert!(matches!(outcome, Outcome::Rejected(_)), "{outcome:?}");
}

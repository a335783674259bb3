//! Soundness of proving and verifying: every example proves and verifies, and each positive case
//! has negative twins: flipped and truncated proof files, changed public values, proofs checked
//! against another model, dishonest witnesses forced through the prover, insufficient security,
//! and random bytes given to the decoder.
//!
//! The two example artifacts and their proofs are built once per process (see [`example`]); run
//! the suite with `--release`, proving in debug is slow.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use zkm_air::check::{check, Failure, FailureKind};
use zkm_air::field::{felt, Felt};
use zkm_air::{Artifact, PublicKind, Trace};
use zkm_diagnostics::{render, SourceMap};
use zkm_runtime::api::{self, Security, VerifyError};
use zkm_runtime::proof_file::{params_digest, ProofFile, MAGIC, VERSION, WINTERFELL};
use zkm_runtime::stark;

/// Conjectured security every proof of this suite is made and verified with.
const BITS: u32 = 100;

// HELPERS
// ================================================================================================

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example_source(name: &str) -> String {
    let path = root().join(format!("examples/{name}/{name}.zkm"));
    std::fs::read_to_string(path).expect("example source")
}

/// Compiles `text` under the file name `rel` (the name is part of the artifact hash).
fn compile(rel: &str, text: String) -> Artifact {
    let mut sources = SourceMap::new();
    let file = sources.add(rel.to_owned(), text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    artifact.expect("artifact")
}

/// Compiles `examples/<name>/<name>.zkm` with its repository-relative name.
fn build(name: &str) -> Artifact {
    compile(&format!("examples/{name}/{name}.zkm"), example_source(name))
}

fn data(name: &str, file: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name).join(file)).expect("data file")
}

/// The honest trace of an example on its bundled input and weights.
fn honest_trace(name: &str, artifact: &Artifact) -> Trace {
    let loaded = zkm_runtime::load(
        &artifact.program,
        &data(name, "input.json"),
        &data(name, "weights.json"),
    )
    .expect("inputs load");
    zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness")
}

/// Proves a trace the checker accepts, at [`BITS`] bits.
fn prove(artifact: &Artifact, trace: &Trace) -> ProofFile {
    api::prove(artifact, trace, BITS).expect("proof").file
}

/// Verifies a proof file the way `zkmc verify` does.
fn verify(artifact: &Artifact, file: &ProofFile, params: &[Felt]) -> Result<Security, VerifyError> {
    api::verify(artifact, file, params, BITS)
}

/// One example, compiled, run, proved and encoded.
#[derive(Debug)]
struct Example {
    name: &'static str,
    artifact: Artifact,
    trace: Trace,
    /// The public parameters (what the verifier reads from the weights file).
    params: Vec<Felt>,
    file: ProofFile,
    bytes: Vec<u8>,
    prove_time: Duration,
}

impl Example {
    fn new(name: &'static str) -> Self {
        let artifact = build(name);
        let trace = honest_trace(name, &artifact);
        let failures = check(&artifact.program, &trace);
        assert!(
            failures.is_empty(),
            "{name}: honest trace fails: {failures:?}"
        );
        let params = api::split_public(&artifact, &trace.public).1;
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
    fn decode_and_verify(&self, bytes: &[u8]) -> Outcome {
        let run = || {
            let file = ProofFile::from_bytes(bytes).map_err(|e| e.0)?;
            verify(&self.artifact, &file, &self.params).map_err(|e| e.0)
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
enum Outcome {
    Accepted,
    Rejected(String),
    Panicked,
}

impl Outcome {
    fn is_rejected(&self) -> bool {
        matches!(self, Outcome::Rejected(_))
    }
}

/// The example, built and proved once per process.
fn example(name: &str) -> &'static Example {
    static MLP: OnceLock<Example> = OnceLock::new();
    static LINEAR: OnceLock<Example> = OnceLock::new();
    match name {
        "mlp_digits" => MLP.get_or_init(|| Example::new("mlp_digits")),
        "linear_digits" => LINEAR.get_or_init(|| Example::new("linear_digits")),
        _ => panic!("no example {name}"),
    }
}

const EXAMPLES: [&str; 2] = ["mlp_digits", "linear_digits"];

/// The first main column whose name starts with `prefix` and ends with `suffix` (names carry
/// node ids such as `relu10.out`, which move when the model or the lowering changes).
fn column(artifact: &Artifact, prefix: &str, suffix: &str) -> (usize, String) {
    let cols = &artifact.program.main_columns;
    let found = cols
        .iter()
        .position(|c| c.name.starts_with(prefix) && c.name.ends_with(suffix));
    let i = found.unwrap_or_else(|| panic!("no main column {prefix}*{suffix}"));
    (i, cols[i].name.clone())
}

/// The column named exactly `name`.
fn column_named(artifact: &Artifact, name: &str) -> usize {
    let cols = &artifact.program.main_columns;
    let found = cols.iter().position(|c| c.name == name);
    found.unwrap_or_else(|| panic!("no main column {name}"))
}

/// The gadget a column belongs to: `relu10` for `relu10.out`.
fn gadget_of(column: &str) -> &str {
    column.split('.').next().unwrap_or(column)
}

/// A small deterministic generator (splitmix64), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

// FILE LAYOUT
// ================================================================================================

/// Byte offsets of the parts of an encoded proof file (see `runtime/src/proof_file.rs`).
#[derive(Debug)]
struct Layout {
    /// The whole file's regions, in order, with a name each.
    regions: Vec<(Range<usize>, &'static str)>,
    /// Where the Winterfell proof starts.
    proof: Range<usize>,
    /// Length of the Winterfell proof's context (trace info, field modulus, proof options,
    /// constraint count), which the proof bytes start with.
    context_len: usize,
    /// Offset in the proof bytes of the last proof option, the partition hash rate.
    hash_rate: usize,
}

impl Layout {
    fn of(ex: &Example) -> Self {
        let wf = 11 + WINTERFELL.len();
        let io = wf + 32 + 32 + 4;
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
            (wf + 64..io, "public value count"),
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

    fn region(&self, at: usize) -> &'static str {
        let found = self.regions.iter().find(|(r, _)| r.contains(&at));
        found.map_or("past the end", |(_, name)| name)
    }
}

/// The context is the first thing in the proof bytes and ends with the serialized proof options
/// (num_queries, blowup, grinding, field extension, FRI folding, FRI remainder degree, two
/// batching methods, partition count and hash rate: one byte each) and the constraint count (a
/// `vint64`). Returns the offset of the hash rate byte and the context's length.
fn context_len(proof_bytes: &[u8], proof: &winterfell::Proof) -> (usize, usize) {
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

// PROVE AND VERIFY
// ================================================================================================

#[test]
fn examples_prove_verify_and_round_trip() {
    for name in EXAMPLES {
        let ex = example(name);
        let start = Instant::now();
        let security = verify(&ex.artifact, &ex.file, &ex.params).expect("verifies");
        let verify_time = start.elapsed();
        assert!(security.conjectured >= BITS, "{security:?}");
        let decoded = ProofFile::from_bytes(&ex.bytes).expect("decodes");
        assert_eq!(decoded.to_bytes(), ex.bytes, "{name}: re-encoding differs");
        assert_eq!(decoded.io, ex.file.io);
        assert_eq!(decoded.artifact_hash, api::hash_bytes(&ex.artifact));
        assert_eq!(decoded.params_digest, params_digest(&ex.params));
        assert_eq!(verify(&ex.artifact, &decoded, &ex.params), Ok(security));
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

#[test]
fn proving_is_deterministic() {
    let ex = example("linear_digits");
    let again = prove(&ex.artifact, &ex.trace).to_bytes();
    assert!(again == ex.bytes, "two proofs of the same statement differ");
}

// TAMPERED FILES
// ================================================================================================

/// Offsets to flip: every byte of the header and the public values, every byte of the proof's
/// context and its last nine bytes (FRI partition count, proof-of-work nonce), and about 150
/// offsets spread evenly over the rest of the STARK proof.
fn flip_positions(layout: &Layout) -> Vec<usize> {
    let p = &layout.proof;
    let mut at: Vec<usize> = (0..p.start + layout.context_len + 1).collect();
    let step = (p.len() / 150).max(1);
    at.extend((p.start..p.end).step_by(step));
    at.extend(p.end - 9..p.end);
    at.sort_unstable();
    at.dedup();
    at
}

/// Flips one byte at a time (`^ 0x01` and `^ 0x80`) at every offset of [`flip_positions`]:
/// decoding and verifying must fail, and never panic. The one flip known to verify anyway is
/// [`is_hash_rate_flip`]; anything else accepted fails the test.
fn flip_sweep(name: &str) {
    let ex = example(name);
    let layout = Layout::of(ex);
    let positions = flip_positions(&layout);
    let start = Instant::now();
    let mut accepted = Vec::new();
    let mut known = Vec::new();
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for &at in &positions {
        for mask in [0x01u8, 0x80] {
            let mut bytes = ex.bytes.clone();
            bytes[at] ^= mask;
            match ex.decode_and_verify(&bytes) {
                Outcome::Rejected(why) => {
                    let mut short = why.split(':').next().unwrap_or(&why).to_owned();
                    if short.starts_with("public value") {
                        short = "a public value out of range".into();
                    }
                    *reasons.entry(short).or_default() += 1;
                }
                Outcome::Accepted if is_hash_rate_flip(&layout, at, mask) => known.push(at),
                outcome => accepted.push(format!(
                    "offset {at} ({}, proof byte {}) ^ {mask:#04x}: {outcome:?}",
                    layout.region(at),
                    at.checked_sub(layout.proof.start)
                        .map_or("-".into(), |o| o.to_string()),
                )),
            }
        }
    }
    eprintln!(
        "{name}: {} offsets x 2 flips over {} bytes in {:?}; rejections: {reasons:#?}",
        positions.len(),
        ex.bytes.len(),
        start.elapsed()
    );
    for at in known {
        eprintln!(
            "{name}: KNOWN GAP: offset {at} (proof byte {}, the partition hash rate) ^ 0x80 \
             verifies",
            at - layout.proof.start
        );
    }
    assert!(
        accepted.is_empty(),
        "{name}: flipped proof files not rejected:\n{}",
        accepted.join("\n")
    );
}

/// The last proof option in the context (just before the constraint count) is Winterfell's
/// `PartitionOptions::hash_rate`. With one partition (ours) Winterfell never reads it and the
/// context's `to_elements` leaves it out of the transcript, so 1 ^ 0x80 = 129 (a valid rate)
/// verifies: a second encoding of the same proof, not a false statement. (1 ^ 0x01 = 0 is
/// refused by Winterfell's decoder.)
fn is_hash_rate_flip(layout: &Layout, at: usize, mask: u8) -> bool {
    at == layout.proof.start + layout.hash_rate && mask == 0x80
}

#[test]
#[ignore = "known gap: Winterfell ignores the partition hash rate byte (see is_hash_rate_flip)"]
fn hash_rate_byte_is_bound() {
    let ex = example("linear_digits");
    let layout = Layout::of(ex);
    let mut bytes = ex.bytes.clone();
    bytes[layout.proof.start + layout.hash_rate] ^= 0x80;
    let outcome = ex.decode_and_verify(&bytes);
    assert!(matches!(outcome, Outcome::Rejected(_)), "{outcome:?}");
}

#[test]
fn flipped_bytes_are_rejected_mlp() {
    flip_sweep("mlp_digits");
}

#[test]
fn flipped_bytes_are_rejected_linear() {
    flip_sweep("linear_digits");
}

#[test]
fn truncated_files_are_rejected() {
    let ex = example("mlp_digits");
    let layout = Layout::of(ex);
    let (p, len) = (layout.proof.clone(), ex.bytes.len());
    let io = layout.regions[7].0.clone();
    let mut lengths = vec![0, 1, 8, 9, 12, 30, 60, 81, io.start, io.start + 20, io.end];
    lengths.extend([
        p.start - 1,
        p.start,
        p.start + 1,
        p.start + layout.context_len,
    ]);
    lengths.extend((1..6).map(|k| p.start + k * p.len() / 6));
    lengths.extend([len - 9, len - 1]);
    assert!(lengths.len() >= 20);
    for n in lengths {
        let err = ProofFile::from_bytes(&ex.bytes[..n]).expect_err("truncated file decodes");
        assert!(err.0.contains("truncated"), "length {n}: {err}");
    }
    let mut longer = ex.bytes.clone();
    longer.push(0);
    let err = ProofFile::from_bytes(&longer).expect_err("longer file decodes");
    assert!(err.0.contains("unexpected bytes"), "{err}");
}

/// Re-frames the proof file with `proof` as its STARK proof bytes (the length field updated).
fn reframe(ex: &Example, layout: &Layout, proof: &[u8]) -> Vec<u8> {
    let mut out = ex.bytes[..layout.proof.start - 4].to_vec();
    out.extend_from_slice(&(proof.len() as u32).to_le_bytes());
    out.extend_from_slice(proof);
    out
}

#[test]
fn truncated_stark_proofs_are_rejected() {
    let ex = example("mlp_digits");
    let layout = Layout::of(ex);
    let proof = &ex.bytes[layout.proof.clone()];
    let mut cuts = vec![0, 1, layout.context_len - 1, layout.context_len + 1];
    cuts.extend((1..10).map(|k| k * proof.len() / 10));
    cuts.extend([proof.len() - 9, proof.len() - 1]);
    for n in cuts {
        let bytes = reframe(ex, &layout, &proof[..n]);
        let err = ProofFile::from_bytes(&bytes).expect_err("truncated STARK proof decodes");
        assert!(err.0.contains("malformed STARK proof"), "cut at {n}: {err}");
    }
}

/// Only one encoding of a proof may verify. Winterfell's decoder stops at the end of the proof
/// and ignores what follows, so bytes appended inside the length frame make a second encoding;
/// and it reads a length in any `vint64` form, so a length re-encoded in nine bytes makes a
/// third.
#[test]
#[ignore = "known gap: non-canonical STARK proof encodings verify (see report)"]
fn stark_proof_encoding_is_canonical() {
    let ex = example("linear_digits");
    let layout = Layout::of(ex);
    let mut proof = ex.bytes[layout.proof.clone()].to_vec();
    proof.extend_from_slice(b"junk");
    let outcome = ex.decode_and_verify(&reframe(ex, &layout, &proof));
    assert!(outcome.is_rejected(), "trailing bytes: {outcome:?}");
    let proof = &ex.bytes[layout.proof.clone()];
    let len = vint_at(proof, first_query(ex, &layout)) as u64;
    let outcome = ex.decode_and_verify(&with_query_length(ex, &layout, len));
    assert!(outcome.is_rejected(), "a nine-byte length: {outcome:?}");
}

/// Winterfell's `vint64` encoding of `v` in its 9-byte form (accepted for any value).
fn vint9(v: u64) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&v.to_le_bytes());
    out
}

/// Length in bytes of the `vint64` starting with `first`.
fn vint_len(first: u8) -> usize {
    first.trailing_zeros() as usize + 1
}

/// Value of the `vint64` at `at`.
fn vint_at(bytes: &[u8], at: usize) -> usize {
    let n = vint_len(bytes[at]);
    if n == 9 {
        let mut v = [0u8; 8];
        v.copy_from_slice(&bytes[at + 1..at + 9]);
        return u64::from_le_bytes(v) as usize;
    }
    let mut v = [0u8; 8];
    v[..n].copy_from_slice(&bytes[at..at + n]);
    (u64::from_le_bytes(v) >> n) as usize
}

/// Offset in the proof bytes of the first trace query's value-byte length: after the context,
/// the unique-query count and the commitments (a `u16` length and its bytes).
fn first_query(ex: &Example, layout: &Layout) -> usize {
    let proof = &ex.bytes[layout.proof.clone()];
    let at = layout.context_len + 1;
    at + 2 + u16::from_le_bytes([proof[at], proof[at + 1]]) as usize
}

/// The proof with the first trace query's value-byte length declared as `len`: Winterfell's
/// decoder reads it.
fn with_query_length(ex: &Example, layout: &Layout, len: u64) -> Vec<u8> {
    let proof = &ex.bytes[layout.proof.clone()];
    let at = first_query(ex, layout);
    let mut forged = proof[..at].to_vec();
    forged.extend(vint9(len));
    forged.extend_from_slice(&proof[at + vint_len(proof[at])..]);
    reframe(ex, layout, &forged)
}

/// The proof with the node-vector count of the first trace query's batch Merkle proof declared
/// as `count`: Winterfell's verifier reads it when it parses the queries.
fn with_merkle_node_count(ex: &Example, layout: &Layout, count: u64) -> Vec<u8> {
    let proof = &ex.bytes[layout.proof.clone()];
    let values = first_query(ex, layout);
    let opening = values + vint_len(proof[values]) + vint_at(proof, values);
    let opening_len = vint_at(proof, opening);
    let body = opening + vint_len(proof[opening]);
    let end = body + opening_len;
    // The opening proof: the tree depth (one byte), the node-vector count, the vectors.
    let count_at = body + 1;
    let mut inner = proof[body..count_at].to_vec();
    inner.extend(vint9(count));
    inner.extend_from_slice(&proof[count_at + vint_len(proof[count_at])..end]);
    let mut forged = proof[..opening].to_vec();
    forged.extend(vint9(inner.len() as u64));
    forged.extend(inner);
    forged.extend_from_slice(&proof[end..]);
    reframe(ex, layout, &forged)
}

/// Runs the test `name` of this binary in a child process with `ZKM_CHILD` set and returns its
/// exit status, so that an abort (which no `catch_unwind` stops) fails only this test.
fn in_child(name: &str) -> std::process::ExitStatus {
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args(["--exact", name, "--include-ignored", "--nocapture"])
        .env("ZKM_CHILD", "1")
        .output()
        .expect("child runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out.status
}

/// A declared length far beyond the file's size must not make the decoder allocate it: an
/// allocation failure aborts the process, which no `catch_unwind` can turn into an error.
#[test]
#[ignore = "known gap: Winterfell allocates declared lengths; 2^40 aborts the process"]
fn huge_declared_lengths_do_not_abort_decoding() {
    if std::env::var_os("ZKM_CHILD").is_none() {
        let status = in_child("huge_declared_lengths_do_not_abort_decoding");
        assert!(
            status.success(),
            "decoding a forged length killed the process: {status}"
        );
        return;
    }
    let ex = example("linear_digits");
    let layout = Layout::of(ex);
    for shift in [20, 30, 40, 50, 62] {
        let err = decode_never_panics(&with_query_length(ex, &layout, 1 << shift));
        eprintln!("query value length 2^{shift}: {err}");
    }
}

/// The same for a length that only the verifier reads (inside a Merkle opening proof).
#[test]
#[ignore = "known gap: Winterfell allocates declared counts; 2^30 Merkle node vectors abort"]
fn huge_declared_lengths_do_not_abort_verifying() {
    if std::env::var_os("ZKM_CHILD").is_none() {
        let status = in_child("huge_declared_lengths_do_not_abort_verifying");
        assert!(
            status.success(),
            "verifying a forged length killed the process: {status}"
        );
        return;
    }
    let ex = example("linear_digits");
    let layout = Layout::of(ex);
    for shift in [1, 20, 30, 40, 50, 62] {
        let bytes = with_merkle_node_count(ex, &layout, 1 << shift);
        let outcome = ex.decode_and_verify(&bytes);
        eprintln!("merkle node vectors 2^{shift}: {outcome:?}");
        assert!(outcome.is_rejected(), "{outcome:?}");
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
                err.0.starts_with("the proof does not verify"),
                "{name} io[{i}]: {err}"
            );
        }
    }
}

#[test]
fn changed_public_parameter_is_rejected() {
    let ex = example("mlp_digits");
    let mut params = ex.params.clone();
    params[0] += felt(1);
    let err = verify(&ex.artifact, &ex.file, &params).expect_err("changed parameter");
    assert!(err.0.contains("different public parameters"), "{err}");
    // With the digest forged to match, the STARK must still reject the changed parameter.
    let mut forged = ex.file.clone();
    forged.params_digest = params_digest(&params);
    let err = verify(&ex.artifact, &forged, &params).expect_err("forged digest");
    assert!(err.0.starts_with("the proof does not verify"), "{err}");
    // And a parameter vector of the wrong length is refused.
    let mut longer = ex.params.clone();
    longer.push(felt(0));
    forged.params_digest = params_digest(&longer);
    assert!(verify(&ex.artifact, &forged, &longer).is_err());
}

#[test]
fn proof_of_another_model_is_rejected() {
    let (mlp, linear) = (example("mlp_digits"), example("linear_digits"));
    let err = verify(&linear.artifact, &mlp.file, &linear.params).expect_err("other model");
    assert!(err.0.contains("different compiled model"), "{err}");
    let err = verify(&mlp.artifact, &linear.file, &mlp.params).expect_err("other model");
    assert!(err.0.contains("different compiled model"), "{err}");
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
    assert!(err.0.contains("different compiled model"), "{err}");
    // With the artifact hash forged, the STARK (whose transcript absorbs the hash) rejects it.
    let mut forged = ex.file.clone();
    forged.artifact_hash = api::hash_bytes(&other);
    let err = verify(&other, &forged, &params).expect_err("forged artifact hash");
    assert!(err.0.starts_with("the proof does not verify"), "{err}");
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
#[ignore = "known gap: the verifier takes the trace shape from the proof (see report)"]
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
    let options = stark::options_for(BITS);
    let proof = stark::prove(&longer, long_trace.main, long_trace.public.clone(), options)
        .expect("the longer trace proves");
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

/// Runs the checker on a corrupted trace: it must fail, and some failure must name `gadget`.
fn check_fails(ex: &Example, trace: &Trace, gadget: &str) -> Vec<Failure> {
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
fn forced_proof_is_rejected(ex: &Example, trace: &Trace) {
    let (a, public) = (&ex.artifact, trace.public.clone());
    let options = stark::options_for(BITS);
    let proved = catch_unwind(AssertUnwindSafe(|| {
        stark::prove(a, trace.main.clone(), public.clone(), options)
    }));
    let proof = match proved {
        Err(_) => panic!("the prover panicked on a bad trace instead of returning an error"),
        Ok(Err(e)) => {
            eprintln!("the prover refused the bad trace: {e}");
            return;
        }
        Ok(Ok(proof)) => proof,
    };
    let err = stark::verify(a, proof.clone(), public.clone(), BITS).expect_err("forged proof");
    eprintln!("forged proof rejected: {err}");
    let (io, params) = api::split_public(a, &public);
    let file = ProofFile {
        artifact_hash: api::hash_bytes(a),
        params_digest: params_digest(&params),
        io,
        proof,
    };
    let bytes = file.to_bytes();
    let outcome = ex.decode_and_verify(&bytes);
    assert!(matches!(outcome, Outcome::Rejected(_)), "{outcome:?}");
}

#[test]
fn dishonest_relu_output_is_rejected() {
    let ex = example("mlp_digits");
    let (col, name) = column(&ex.artifact, "relu", ".out");
    let mut trace = ex.trace.clone();
    trace.main[col][7] += felt(3);
    let failures = check_fails(ex, &trace, gadget_of(&name));
    assert!(failures
        .iter()
        .any(|f| f.kind == FailureKind::Constraint && f.label.starts_with(gadget_of(&name))));
    forced_proof_is_rejected(ex, &trace);
}

#[test]
fn out_of_range_rescale_remainder_is_rejected() {
    let ex = example("mlp_digits");
    let (y0, name) = column(&ex.artifact, "rescale_clamp", ".y0");
    let gadget = gadget_of(&name).to_owned();
    let limb = column_named(&ex.artifact, &format!("{gadget}.rem.limb0"));
    let row = 2;
    let limb_sum_fails = |t: &Trace| {
        check(&ex.artifact.program, t).iter().any(|f| {
            f.kind == FailureKind::Constraint && f.label.starts_with(&format!("{gadget}.rem"))
        })
    };
    // y0 + 1 and the remainder 2^s lower keep `in + half = 2^s·y0 + rem`; find s.
    let mut trace = ex.trace.clone();
    trace.main[y0][row] += felt(1);
    assert!(limb_sum_fails(&trace));
    let honest_limb = trace.main[limb][row];
    let shift = (1..32).find(|&s| {
        trace.main[limb][row] = honest_limb - felt(1 << s);
        !limb_sum_fails(&trace)
    });
    let shift = shift.expect("a remainder that keeps the limb sum");
    eprintln!(
        "{gadget}: y0[{row}] + 1, rem.limb0[{row}] = {} - 2^{shift}",
        honest_limb.as_int()
    );
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

/// The column holding the first matrix product's result: the accumulator `dense*.A` of a
/// lane-wise dot product, or the claimed product `affine*.z` of a random-combination check.
fn matmul_column(artifact: &Artifact) -> (usize, String) {
    let cols = &artifact.program.main_columns;
    let patterns = [
        ("dense", ".A"),
        ("affine", ".z"),
        ("product", ".z"),
        ("matmul", ".z"),
    ];
    let found = patterns.iter().find_map(|(prefix, suffix)| {
        let i = cols
            .iter()
            .position(|c| c.name.starts_with(prefix) && c.name.ends_with(suffix))?;
        Some((i, cols[i].name.clone()))
    });
    found.unwrap_or_else(|| {
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        panic!("no matrix product column among {names:?}")
    })
}

#[test]
fn dishonest_matmul_sum_is_rejected() {
    let ex = example("mlp_digits");
    let (col, name) = matmul_column(&ex.artifact);
    let mut trace = ex.trace.clone();
    trace.main[col][3] += felt(1);
    check_fails(ex, &trace, gadget_of(&name));
    forced_proof_is_rejected(ex, &trace);
}

/// A wrong product whose consumer is changed to match, so that the bus balances and only the
/// product's own random-combination check can catch it. Two rows `r`, `s` whose consumer
/// remainders differ by one are chosen; `z[r] + 1`, `z[s] − 1`, the consumer's input likewise,
/// and its remainder limb `rem[r] + 1`, `rem[s] − 1`, which swaps the two remainders so that
/// every range lookup keeps its multiplicity.
#[test]
fn dishonest_matmul_sum_with_consistent_consumer_is_rejected() {
    let ex = example("mlp_digits");
    let (z, name) = matmul_column(&ex.artifact);
    let gadget = gadget_of(&name).to_owned();
    let cols = &ex.artifact.program.main_columns;
    let consumer = (z + 1..cols.len()).find(|&i| cols[i].name.ends_with(".in"));
    let consumer = consumer.expect("a gadget reading the product");
    let next = gadget_of(&cols[consumer].name).to_owned();
    let rem = column_named(&ex.artifact, &format!("{next}.rem.limb0"));
    let limb = |row: usize| ex.trace.main[rem][row].as_int();
    let rows = 16;
    let pair = (0..rows)
        .flat_map(|r| (0..rows).map(move |s| (r, s)))
        .find(|&(r, s)| limb(s) == limb(r) + 1);
    let (r, s) = pair.expect("two rows whose remainders differ by one");
    let mut trace = ex.trace.clone();
    for (col, row, delta) in [(z, r, 1), (z, s, -1), (consumer, r, 1), (consumer, s, -1)] {
        trace.main[col][row] += felt(delta);
    }
    trace.main[rem][r] += felt(1);
    trace.main[rem][s] -= felt(1);
    let failures = check_fails(ex, &trace, &gadget);
    let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
    eprintln!("{name}[{r}] + 1, {name}[{s}] - 1, {next} adjusted: {labels:?}");
    assert!(
        labels.iter().all(|l| l.starts_with(&gadget)),
        "only {gadget}'s check should fail: {labels:?}"
    );
    forced_proof_is_rejected(ex, &trace);
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
    assert!(err.0.contains("security"), "{err}");
    let public = ex.trace.public.clone();
    let err = stark::verify(&ex.artifact, ex.file.proof.clone(), public, 128).expect_err("128");
    assert!(
        matches!(err, winterfell::VerifierError::InsufficientConjecturedSecurity(128, b) if b == security.conjectured),
        "{err}"
    );
    // A proof made for 120 bits verifies at 120 and not at 128.
    let strong = api::prove(&ex.artifact, &ex.trace, 120).expect("120-bit proof");
    assert!(strong.security.conjectured >= 120, "{:?}", strong.security);
    let file = ProofFile::from_bytes(&strong.file.to_bytes()).expect("decodes");
    assert!(api::verify(&ex.artifact, &file, &ex.params, 120).is_ok());
    assert!(api::verify(&ex.artifact, &file, &ex.params, 128).is_err());
    eprintln!(
        "options_for(100): {} queries, {security:?}; options_for(120): {} queries, {:?}",
        options.num_queries(),
        stark::options_for(120).num_queries(),
        strong.security
    );
}

/// Winterfell's conjectured security is `min(64·2, queries) − 1` bits over the quadratic
/// extension of Goldilocks, at most 127: `options_for(128)` cannot reach what it promises.
#[test]
#[ignore = "known gap: options_for(128) gives 127 conjectured bits (quadratic extension)"]
fn security_128_is_reached_or_refused() {
    let ex = example("linear_digits");
    match api::prove(&ex.artifact, &ex.trace, 128) {
        Ok(p) => assert!(p.security.conjectured >= 128, "{:?}", p.security),
        Err(e) => eprintln!("refused: {e}"),
    }
}

// RANDOM BYTES
// ================================================================================================

fn decode_never_panics(bytes: &[u8]) -> String {
    match catch_unwind(|| ProofFile::from_bytes(bytes)) {
        Ok(Ok(_)) => panic!("{} random bytes decode as a proof file", bytes.len()),
        Ok(Err(e)) => e.0,
        Err(_) => panic!("decoding {} bytes panicked", bytes.len()),
    }
}

#[test]
fn random_bytes_are_not_proof_files() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..200 {
        let n = rng.below(2000);
        decode_never_panics(&rng.bytes(n));
    }
    let mut header = MAGIC.to_vec();
    header.extend_from_slice(&VERSION.to_le_bytes());
    for _ in 0..200 {
        let n = rng.below(2000);
        let mut bytes = header.clone();
        bytes.extend(rng.bytes(n));
        decode_never_panics(&bytes);
    }
    // Past the header: the right Winterfell version, random hashes, a few public values and a
    // correctly framed STARK proof of random bytes, which reaches Winterfell's decoder.
    header.push(WINTERFELL.len() as u8);
    header.extend_from_slice(WINTERFELL.as_bytes());
    for _ in 0..200 {
        let mut bytes = header.clone();
        bytes.extend(rng.bytes(64));
        let io = rng.below(4);
        bytes.extend_from_slice(&(io as u32).to_le_bytes());
        bytes.extend((0..io).flat_map(|_| (rng.next() >> 1).to_le_bytes()));
        let n = rng.below(2000);
        let proof = rng.bytes(n);
        bytes.extend_from_slice(&(proof.len() as u32).to_le_bytes());
        bytes.extend(proof);
        let err = decode_never_panics(&bytes);
        assert!(err.starts_with("malformed STARK proof"), "{err}");
    }
}

//! Proof files as untrusted bytes: flipped bytes anywhere in the file, truncations, forged
//! lengths that would make a decoder allocate without bound, non-canonical encodings and random
//! bytes are all rejected with an error, never a panic or an abort.

mod common;

use common::*;

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
                    let kind = format!("{why:?}");
                    let short = kind.split(['(', ' ']).next().unwrap_or(&kind).to_owned();
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
        assert!(
            matches!(err, ProofFileError::Truncated(_)),
            "length {n}: {err}"
        );
    }
    let mut longer = ex.bytes.clone();
    longer.push(0);
    let err = ProofFile::from_bytes(&longer).expect_err("longer file decodes");
    assert_eq!(err, ProofFileError::TrailingBytes(1));
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
        assert!(
            matches!(err, ProofFileError::MalformedProof(_)),
            "cut at {n}: {err}"
        );
    }
}

/// Only one encoding of a proof may verify. Winterfell's decoder stops at the end of the proof
/// and ignores what follows, so bytes appended inside the length frame make a second encoding;
/// and it reads a length in any `vint64` form, so a length re-encoded in nine bytes makes a
/// third.
#[test]
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

// RANDOM BYTES
// ================================================================================================

fn decode_never_panics(bytes: &[u8]) -> String {
    match catch_unwind(|| ProofFile::from_bytes(bytes)) {
        Ok(Ok(_)) => panic!("{} random bytes decode as a proof file", bytes.len()),
        Ok(Err(e)) => e.to_string(),
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
        let random_rows = [0u32, 45][rng.below(2)];
        bytes.extend_from_slice(&random_rows.to_le_bytes());
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

// ANATOMY
// ================================================================================================

/// `zkm_verifier::anatomy` splits a proof into parts that add up to it: everything but the
/// commitments, the context, the nonce and the length prefixes (a few hundred bytes).
#[test]
fn the_anatomy_accounts_for_the_proof() {
    for name in ["lenet_digits", "linear_digits"] {
        let ex = example(name);
        let a = zkm_verifier::anatomy::anatomy(&ex.file.proof).expect("splits");
        let parts = [
            a.trace_values,
            a.trace_openings,
            a.composition_values,
            a.composition_openings,
            a.fri_values,
            a.fri_openings,
            a.fri_remainder,
            a.ood,
        ];
        assert!(
            parts.iter().all(|&p| p > 0) || a.fri_values == 0,
            "{name}: {a:?}"
        );
        let counted: usize = parts.iter().sum();
        assert!(
            counted < a.total && a.total - counted < 512,
            "{name}: {a:?}"
        );
        // Opened trace values: one base element per main column and two per auxiliary column
        // (quadratic extension), 8 bytes each, per distinct query position.
        let info = ex.file.proof.trace_info();
        let width = info.main_trace_width() + 2 * info.aux_segment_width();
        assert_eq!(a.trace_values % (8 * width), 0, "{name}: {a:?}");
    }
}

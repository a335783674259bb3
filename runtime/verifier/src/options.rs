//! The proof system's fixed choices: hash, vector commitment and coin, the proof options that
//! reach a security target, and the security a proof reaches.

use winter_air::proof::Proof;
use winter_air::{BatchingMethod, FieldExtension, ProofOptions};
use winter_crypto::DefaultRandomCoin;

use crate::hash::{Short, SHORT_BYTES};

/// The hash of every commitment of a proof at [`DEFAULT_SECURITY`] or less (see
/// [`wide_digests`] for the others).
pub type Hasher = Short;
/// The vector commitment of every proof: Merkle trees with leaves salted with fresh randomness in
/// the trace and composition trees of zero-knowledge proofs, unsalted elsewhere.
pub type Commitment<H = Hasher> = crate::salted::Salted<H>;
/// The Fiat–Shamir coin.
pub type Coin<H = Hasher> = DefaultRandomCoin<H>;

/// Blowup factor of the trace low-degree extension.
pub const BLOWUP: usize = 8;
/// Proof-of-work bits of traces below [`LARGE_TRACE_CELLS`].
pub const GRINDING: u32 = 17;
/// Proof-of-work bits of traces of at least [`LARGE_TRACE_CELLS`]: at 100 bits, 27 queries
/// instead of 28 (one query's openings, about 4% of the proof) for 2^20 hashes on average
/// instead of 2^17. Measured on the private 1024-256-128-10 MLP (2^20 cells): 104.5–105.8 →
/// 100.2–101.5 KB, proving +22 ms on two threads (+4%) and +65–125 ms on one.
pub const GRINDING_LARGE: u32 = 20;
/// Trace cells (auxiliary cells counted twice) from which a proof grinds [`GRINDING_LARGE`]
/// bits: 3·2^18, where proving takes about 0.3 s or more on two cores. Format 7 took the private
/// 1024-256-128-10 MLP just below 2^20 cells (1,044,480); with 17 bits its proof had 28 queries
/// and 99.6 KiB, with 20 bits 27 and 97.0 KiB.
pub const LARGE_TRACE_CELLS: usize = 3 << 18;
/// Default conjectured security target in bits.
pub const DEFAULT_SECURITY: u32 = 100;
/// The highest conjectured security zkmc can reach: BLAKE3-256's collision resistance.
pub const MAX_SECURITY: u32 = 128;

/// Proof options reaching at least `bits` of conjectured security (capped at [`MAX_SECURITY`]):
/// f64 with its quadratic extension (cubic above 127 bits), blowup 8, FRI folding 8 down to a
/// remainder of degree at most 255 (Winterfell's largest: one FRI layer fewer than degree 31 on
/// most traces, 1–2 KB off a proof), [`GRINDING`] bits of proof of work, and the fewest queries
/// that reach the target under Winterfell's formula (grinding counts only once the queries alone
/// give 80 bits).
pub fn options_for(bits: u32) -> ProofOptions {
    options_with(bits, GRINDING)
}

/// The proof-of-work bits of `program`'s proofs: [`GRINDING_LARGE`] from
/// [`LARGE_TRACE_CELLS`] trace cells on, [`GRINDING`] below.
pub fn grinding_for(program: &zkm_air::AirProgram) -> u32 {
    let width = program.main_columns.len() + 2 * program.aux_columns.len();
    match program.trace_len.saturating_mul(width) >= LARGE_TRACE_CELLS {
        true => GRINDING_LARGE,
        false => GRINDING,
    }
}

/// [`options_for`] with `grinding` bits of proof of work.
pub fn options_with(bits: u32, grinding: u32) -> ProofOptions {
    let bits = bits.min(MAX_SECURITY);
    let extension = if bits > 127 {
        FieldExtension::Cubic
    } else {
        FieldExtension::Quadratic
    };
    let reached = |q: u32| unhashed_bits(extension.degree(), BLOWUP, q, grinding);
    let queries = (1..=255u32).find(|&q| reached(q) >= bits).unwrap_or(255) as usize;
    ProofOptions::new(
        queries,
        BLOWUP,
        grinding,
        extension,
        8,
        255,
        BatchingMethod::Linear,
        BatchingMethod::Linear,
    )
}

/// Winterfell's conjectured security before its cap at the hash's collision resistance: the
/// field's bits and the queries' (`log2(blowup)` each, plus the grinding bits once the queries
/// alone give 80), less one.
fn unhashed_bits(extension_degree: u32, blowup: usize, queries: u32, grinding: u32) -> u32 {
    let field_bits = 64 * extension_degree;
    let mut query_bits = blowup.ilog2().saturating_mul(queries);
    if query_bits >= 80 {
        query_bits = query_bits.saturating_add(grinding);
    }
    field_bits.min(query_bits).saturating_sub(1)
}

/// Whether proofs with `options` commit with [`crate::hash::Wide`] (BLAKE3-256) rather than
/// [`Hasher`] ([`crate::hash::Short`], 200 bits): when the options reach more than the short
/// digest's 100 bits of collision resistance, so that the hash never caps what was asked.
/// Prover and verifier both decide from the options alone.
pub fn wide_digests(options: &ProofOptions) -> bool {
    let bits = unhashed_bits(
        options.field_extension().degree(),
        options.blowup_factor(),
        options.num_queries() as u32,
        options.grinding_factor(),
    );
    bits > 8 * SHORT_BYTES as u32 / 2
}

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
    /// The security of `proof` (may panic on proofs with malformed options: see
    /// [`crate::guard::quiet_catch`]).
    pub fn of(proof: &Proof) -> Self {
        match wide_digests(proof.options()) {
            true => Self::with::<crate::hash::Wide>(proof),
            false => Self::with::<Short>(proof),
        }
    }

    fn with<H: winter_crypto::Hasher>(proof: &Proof) -> Self {
        let proven = proof.proven_security::<H>();
        Security {
            conjectured: proof.conjectured_security::<H>().bits(),
            proven_ldr: proven.ldr_bits(),
            proven_udr: proven.udr_bits(),
        }
    }
}

//! The public vector and the statement: the split between what the proof file carries (inputs,
//! outputs, digest slots) and what the verifier already has (public parameters), the width check
//! of every public value, the trace shape a proof must declare, and the words Fiat–Shamir absorbs.

use std::sync::Arc;

use winter_air::proof::Proof;
use zkm_air::field::{signed, Felt, MODULUS};
use zkm_air::{AirProgram, Artifact, PublicKind};

use crate::air::PublicInputs;
use crate::error::VerifyError;
use crate::prepared::Prepared;

/// The public vector split into `(io, params)`: parameter slots go to `params`, all other slots
/// to `io`, each in slot order.
pub fn split_public(program: &AirProgram, public: &[Felt]) -> (Vec<Felt>, Vec<Felt>) {
    let (mut io, mut params) = (Vec::new(), Vec::new());
    for s in &program.public {
        let values = &public[s.offset as usize..s.offset as usize + s.len as usize];
        let dest = if s.kind == PublicKind::Param {
            &mut params
        } else {
            &mut io
        };
        dest.extend_from_slice(values);
    }
    (io, params)
}

/// Number of public parameter values the model has.
pub fn param_len(program: &AirProgram) -> usize {
    let params = program
        .public
        .iter()
        .filter(|s| s.kind == PublicKind::Param);
    params.map(|s| s.len as usize).sum()
}

/// The inverse of [`split_public`].
///
/// # Errors
/// When `io` or `params` has the wrong length for the program.
pub fn join_public(
    program: &AirProgram,
    io: &[Felt],
    params: &[Felt],
) -> Result<Vec<Felt>, VerifyError> {
    let want_params = param_len(program);
    if params.len() != want_params {
        let (expected, found) = (want_params, params.len());
        return Err(VerifyError::ParamCount { expected, found });
    }
    let want_io = program.public_len.saturating_sub(want_params);
    if io.len() != want_io {
        let (expected, found) = (want_io, io.len());
        return Err(VerifyError::PublicCount { expected, found });
    }
    let (mut io_it, mut param_it) = (io.iter(), params.iter());
    let mut out = Vec::with_capacity(program.public_len);
    for s in &program.public {
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
/// A canonical element `x` stands for a signed value in `[−2^(W−1), 2^(W−1))` exactly when
/// `x < 2^(W−1)` or `x ≥ p − 2^(W−1)`: two integer comparisons per value, which matters for
/// hundreds of thousands of public weights.
///
/// # Errors
/// Names the first value out of range.
pub fn check_ranges(program: &AirProgram, public: &[Felt]) -> Result<(), VerifyError> {
    let slots = program.public.iter();
    for s in slots.filter(|s| s.kind != PublicKind::Commitment) {
        let half = 1u64 << (s.ty.bits.clamp(1, 63) - 1);
        let values = &public[s.offset as usize..s.offset as usize + s.len as usize];
        if let Some(index) = first_out_of_range(values, half) {
            let (name, bits, value) = (s.name.clone(), s.ty.bits, signed(values[index]));
            return Err(VerifyError::PublicOutOfRange {
                name,
                index,
                value,
                bits,
            });
        }
    }
    Ok(())
}

/// The index of the first value of `values` outside `[−half, half)`. Values with random signs
/// make a short-circuiting test mispredict on every other value (1.4 ms on 296k weights in a
/// verify); both comparisons are made on every value of a block instead, without a branch (on
/// every core with the `parallel` feature), and only a block with a bad value is searched.
fn first_out_of_range(values: &[Felt], half: u64) -> Option<usize> {
    const BLOCK: usize = 4096;
    let bad = |v: &Felt| {
        let x = v.as_int();
        (x >= half) & (x < MODULUS - half)
    };
    let any_bad = |c: &[Felt]| c.iter().fold(false, |acc, v| acc | bad(v));
    let block = zkm_air::par::first_chunk(values, BLOCK, any_bad)?;
    let within = values[block * BLOCK..].iter().position(bad)?;
    Some(block * BLOCK + within)
}

/// The shape of a trace: what a proof declares and the compiled program fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceShape {
    /// Main columns.
    pub main: usize,
    /// Auxiliary columns.
    pub aux: usize,
    /// Auxiliary random elements.
    pub rand: usize,
    /// Rows.
    pub rows: usize,
}

impl std::fmt::Display for TraceShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} main + {} aux columns, {} random elements and {} rows",
            self.main, self.aux, self.rand, self.rows
        )
    }
}

impl TraceShape {
    /// The shape a program fixes.
    pub fn of_program(program: &AirProgram) -> Self {
        TraceShape {
            main: program.main_columns.len(),
            aux: program.aux_columns.len(),
            rand: program.num_rand,
            rows: program.trace_len,
        }
    }

    /// The shape a proof declares.
    pub fn of_proof(proof: &Proof) -> Self {
        let info = proof.trace_info();
        TraceShape {
            main: info.main_trace_width(),
            aux: info.aux_segment_width(),
            rand: info.get_num_aux_segment_rand_elements(),
            rows: info.length(),
        }
    }
}

/// Checks that a proof's trace has exactly the compiled program's shape (Winterfell builds the
/// AIR from the shape the proof declares).
///
/// # Errors
/// [`VerifyError::TraceShape`] with both shapes.
pub fn check_shape(program: &AirProgram, proof: &Proof) -> Result<(), VerifyError> {
    let (expected, found) = (TraceShape::of_program(program), TraceShape::of_proof(proof));
    if expected != found {
        return Err(VerifyError::TraceShape { expected, found });
    }
    Ok(())
}

/// The artifact hash as bytes (zeros when it is not hex, which no valid artifact has).
pub fn hash_bytes(artifact: &Artifact) -> [u8; 32] {
    blake3::Hash::from_hex(&artifact.hash)
        .map(|h| *h.as_bytes())
        .unwrap_or([0; 32])
}

/// The blake3 digest of public parameter values (canonical little-endian u64s). The bytes are
/// laid out a block at a time into one reused buffer and hashed in large updates: blake3 then
/// hashes many chunks at once (SIMD), which per-value updates prevent (5× slower on 296k
/// parameters), and no allocation as large as the parameters is made.
pub fn params_digest(values: &[Felt]) -> [u8; 32] {
    /// Values per block: 512 KiB of bytes.
    const BLOCK: usize = 64 * 1024;
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"zkmc-public-params");
    let mut buffer = vec![0u8; 8 * BLOCK.min(values.len())];
    for block in values.chunks(BLOCK) {
        let bytes = &mut buffer[..8 * block.len()];
        for (out, v) in bytes.chunks_exact_mut(8).zip(block) {
            out.copy_from_slice(&v.as_int().to_le_bytes());
        }
        hasher.update(bytes);
    }
    *hasher.finalize().as_bytes()
}

/// The public inputs of a proof of `artifact` (prepared as `prepared`) with public vector
/// `values`, whose parameters have digest `digest`: the artifact hash, the digest (eight 32-bit
/// words each) and every public value that is not a parameter are what Fiat–Shamir absorbs.
pub fn public_inputs(
    artifact: &Artifact,
    prepared: Arc<Prepared>,
    values: Vec<Felt>,
    digest: [u8; 32],
) -> PublicInputs {
    let slots = artifact.program.public.iter();
    let io = slots.filter(|s| s.kind != PublicKind::Param).flat_map(|s| {
        let at = s.offset as usize;
        values[at..at + s.len as usize].iter().copied()
    });
    let words = |bytes: [u8; 32]| {
        let chunks = bytes.chunks(4);
        let words: Vec<Felt> = chunks
            .map(|c| Felt::new(u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as u64))
            .collect();
        words
    };
    let mut statement = words(hash_bytes(artifact));
    statement.extend(words(digest));
    statement.extend(io);
    PublicInputs {
        prepared,
        values,
        statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first value outside `[−128, 128)`, wherever its block: in the first, in a later one,
    /// on both edges of the range, or none.
    #[test]
    fn first_out_of_range_finds_the_first_bad_value_in_any_block() {
        let half = 128;
        let felt = zkm_air::field::felt;
        let mut values: Vec<Felt> = (0..10_000).map(|i| felt(i % 256 - 128)).collect();
        assert_eq!(first_out_of_range(&values, half), None);
        values[9000] = felt(128);
        values[9500] = felt(-129);
        assert_eq!(first_out_of_range(&values, half), Some(9000));
        values[4096] = felt(-129);
        assert_eq!(first_out_of_range(&values, half), Some(4096));
        values[3] = felt(1 << 40);
        assert_eq!(first_out_of_range(&values, half), Some(3));
        assert_eq!(first_out_of_range(&values[..3], half), None);
    }
    use winter_math::FieldElement;

    /// The digest's definition, byte string first (`spec/proof-format.md`).
    fn reference(values: &[Felt]) -> [u8; 32] {
        let mut bytes = b"zkmc-public-params".to_vec();
        for v in values {
            bytes.extend_from_slice(&v.as_int().to_le_bytes());
        }
        *blake3::hash(&bytes).as_bytes()
    }

    #[test]
    fn blockwise_digest_is_the_digest_of_the_whole_byte_string() {
        let block = 64 * 1024;
        for n in [0, 1, 7, block - 1, block, block + 1, 3 * block + 5] {
            let values: Vec<Felt> = (0..n as u64)
                .map(|i| Felt::new(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) - Felt::ONE)
                .collect();
            assert_eq!(params_digest(&values), reference(&values), "{n} values");
        }
    }
}

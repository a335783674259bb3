//! The encoding a commitment hashes: `bits`-bit codes packed `k = ⌊63/bits⌋` to a field
//! element, the nonce after them, and the RPO-256 digest of that sequence
//! (`spec/commitment.md`).

use winter_crypto::{hashers::Rp64_256, Digest, ElementHasher, Hasher};

use crate::field::{Felt, FieldElement};

/// `k = ⌊63 / bits⌋`: values packed per field element (`bits` is clamped to 1..=63).
pub fn per_element(bits: u32) -> usize {
    63 / bits.clamp(1, 63) as usize
}

/// Packs `bits`-bit codes, `k` per element in row-major order: `e = Σ_j u_j·2^(bits·j)` with
/// `u = v + 2^(bits−1)`; the last element may hold fewer. Codes must fit `bits` signed bits.
pub fn pack(values: &[i64], bits: u32) -> Vec<Felt> {
    let bits = bits.clamp(1, 63);
    let half = 1i128 << (bits - 1);
    values
        .chunks(per_element(bits))
        .map(|chunk| {
            let packed = chunk.iter().enumerate().fold(0u128, |acc, (j, &v)| {
                let u = (v as i128 + half) as u128;
                acc | (u << (bits as usize * j))
            });
            Felt::new(packed as u64)
        })
        .collect()
}

/// The hashed sequence: the packed values, then the nonce.
pub fn sequence(values: &[i64], bits: u32, nonce: Felt) -> Vec<Felt> {
    let mut seq = pack(values, bits);
    seq.push(nonce);
    seq
}

/// The digest of a committed tensor: `Rp64_256::hash_elements` of its [`sequence`].
pub fn digest(values: &[i64], bits: u32, nonce: Felt) -> [Felt; 4] {
    let d = Rp64_256::hash_elements(&sequence(values, bits, nonce));
    let mut out = [Felt::ZERO; 4];
    out.copy_from_slice(d.as_elements());
    out
}

/// A digest as lower-case hex of its 32 bytes (each element's canonical value little-endian, as
/// winter-crypto serializes an `ElementDigest`).
pub fn digest_hex(d: &[Felt; 4]) -> String {
    let bytes = <Rp64_256 as Hasher>::Digest::from(*d).as_bytes();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

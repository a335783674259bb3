//! The commitment hashes: BLAKE3 with its output cut to 200 bits ([`Short`], the default) and
//! Winterfell's full BLAKE3-256 ([`Wide`], for proofs asking more than 100 bits).
//!
//! A proof's security is capped by its hash's collision resistance (half the digest bits), so
//! 200 bits reach the default 100 with 7 bytes less per digest than 256: a default proof
//! carries several hundred to a thousand digests (authentication paths of five trees); the
//! private 1024-256-128-10 MLP's proof went from 111,579 to 106,912 bytes.
//! [`Short`] is BLAKE3-256 on the same bytes with the output's last 7 bytes dropped; digests it
//! merges are zero-padded back to 32 bytes first, so a GPU computing BLAKE3-256 Merkle levels
//! only has to clear those bytes of every digest it writes to produce the same tree.

use winter_crypto::hashers::Blake3_256;
use winter_crypto::{Digest, ElementHasher, Hasher};
use winter_math::FieldElement;
use winter_utils::{ByteReader, ByteWriter, Deserializable, DeserializationError, Serializable};
use zkm_air::field::Felt;

/// Bytes a [`Short`] digest keeps (200 bits: 100 bits of collision resistance).
pub const SHORT_BYTES: usize = 25;

/// Winterfell's BLAKE3-256: 128 bits of collision resistance.
pub type Wide = Blake3_256<Felt>;

/// BLAKE3 cut to [`SHORT_BYTES`]: 100 bits of collision resistance.
#[derive(Debug, PartialEq, Eq)]
pub struct Short;

/// A [`Short`] digest: stored as 32 bytes whose last 7 are zero, serialized as its 25.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ShortDigest([u8; 32]);

impl ShortDigest {
    /// The digest whose 25 bytes are the first 25 of `full` (the rest dropped).
    pub fn truncate(full: [u8; 32]) -> Self {
        let mut bytes = full;
        bytes[SHORT_BYTES..].fill(0);
        ShortDigest(bytes)
    }
}

impl Digest for ShortDigest {
    fn as_bytes(&self) -> [u8; 32] {
        self.0
    }
}

impl Serializable for ShortDigest {
    fn write_into<W: ByteWriter>(&self, target: &mut W) {
        target.write_bytes(&self.0[..SHORT_BYTES]);
    }

    fn get_size_hint(&self) -> usize {
        SHORT_BYTES
    }
}

impl Deserializable for ShortDigest {
    fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
        let kept: [u8; SHORT_BYTES] = source.read_array()?;
        let mut bytes = [0u8; 32];
        bytes[..SHORT_BYTES].copy_from_slice(&kept);
        Ok(ShortDigest(bytes))
    }
}

/// BLAKE3-256 of `bytes`, cut.
fn short(bytes: &[u8]) -> ShortDigest {
    ShortDigest::truncate(*blake3::hash(bytes).as_bytes())
}

impl Hasher for Short {
    type Digest = ShortDigest;

    const COLLISION_RESISTANCE: u32 = 8 * SHORT_BYTES as u32 / 2;

    fn hash(bytes: &[u8]) -> ShortDigest {
        short(bytes)
    }

    /// BLAKE3 of the two digests zero-padded to 32 bytes each (64 bytes), cut.
    fn merge(values: &[ShortDigest; 2]) -> ShortDigest {
        let mut data = [0u8; 64];
        data[..32].copy_from_slice(&values[0].0);
        data[32..].copy_from_slice(&values[1].0);
        short(&data)
    }

    fn merge_many(values: &[ShortDigest]) -> ShortDigest {
        let data: Vec<u8> = values.iter().flat_map(|d| d.0).collect();
        short(&data)
    }

    /// BLAKE3 of the zero-padded seed and the value's 8 little-endian bytes, cut.
    fn merge_with_int(seed: ShortDigest, value: u64) -> ShortDigest {
        let mut data = [0u8; 40];
        data[..32].copy_from_slice(&seed.0);
        data[32..].copy_from_slice(&value.to_le_bytes());
        short(&data)
    }
}

impl ElementHasher for Short {
    type BaseField = Felt;

    /// BLAKE3 of the elements' canonical little-endian bytes, cut (what [`Wide`] hashes).
    fn hash_elements<E: FieldElement<BaseField = Felt>>(elements: &[E]) -> ShortDigest {
        ShortDigest::truncate(Wide::hash_elements(elements).as_bytes())
    }
}

/// A commitment hash zkmc proves with: [`Short`] or [`Wide`].
pub trait ZkmHasher: ElementHasher<BaseField = Felt> + Send + Sync + 'static {
    /// Whether a GPU computing BLAKE3-256 must clear the last 7 bytes of every digest it writes.
    const CUT: bool;

    /// The digest a GPU wrote as 32 bytes (already cut for [`Short`]).
    ///
    /// # Errors
    /// When the bytes are not a digest of this hash (a [`Short`] digest with a nonzero tail).
    fn from_gpu(bytes: &[u8; 32]) -> Result<Self::Digest, String>;
}

impl ZkmHasher for Short {
    const CUT: bool = true;

    fn from_gpu(bytes: &[u8; 32]) -> Result<ShortDigest, String> {
        match bytes[SHORT_BYTES..].iter().all(|&b| b == 0) {
            true => Ok(ShortDigest(*bytes)),
            false => Err("GPU digest is not cut to 200 bits".into()),
        }
    }
}

impl ZkmHasher for Wide {
    const CUT: bool = false;

    fn from_gpu(bytes: &[u8; 32]) -> Result<Self::Digest, String> {
        Self::Digest::read_from_bytes(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(d: &ShortDigest) -> <Wide as Hasher>::Digest {
        <Wide as Hasher>::Digest::read_from_bytes(&d.0).expect("32 bytes")
    }

    #[test]
    fn short_is_wide_on_padded_digests_cut() {
        let a = Short::hash(b"a");
        let b = Short::hash(b"b");
        let cut = |d: <Wide as Hasher>::Digest| ShortDigest::truncate(d.as_bytes());
        assert_eq!(a, cut(Wide::hash(b"a")));
        assert_eq!(
            Short::merge(&[a, b]),
            cut(Wide::merge(&[wide(&a), wide(&b)]))
        );
        assert_eq!(
            Short::merge_with_int(a, 7),
            cut(Wide::merge_with_int(wide(&a), 7))
        );
        assert_eq!(
            Short::merge_many(&[a, b, a]),
            cut(Wide::merge_many(&[wide(&a), wide(&b), wide(&a)]))
        );
        let row = [Felt::new(1), Felt::new(u64::MAX - 5), Felt::new(3)];
        assert_eq!(Short::hash_elements(&row), cut(Wide::hash_elements(&row)));
        assert_eq!(a.0[SHORT_BYTES..], [0; 32 - SHORT_BYTES]);
    }

    #[test]
    fn digests_travel_as_25_bytes() {
        let d = Short::hash(b"x");
        let bytes = d.to_bytes();
        assert_eq!(bytes.len(), SHORT_BYTES);
        assert_eq!(ShortDigest::read_from_bytes(&bytes).expect("parses"), d);
        assert!(ShortDigest::read_from_bytes(&bytes[1..]).is_err());
        assert_eq!(Short::COLLISION_RESISTANCE, 100);
    }

    #[test]
    fn a_gpu_digest_with_a_tail_is_refused() {
        let mut bytes = Short::hash(b"y").as_bytes();
        assert!(Short::from_gpu(&bytes).is_ok());
        bytes[31] = 1;
        assert!(Short::from_gpu(&bytes).is_err());
    }
}

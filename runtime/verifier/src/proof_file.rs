//! The proof file: magic, format version, Winterfell version, artifact hash, a digest of the
//! public parameters, the zero-knowledge shape, the public inputs and outputs, and the Winterfell
//! proof. See
//! `spec/proof-format.md`. Decoding untrusted bytes never panics and never allocates more than
//! the file's own size.

use winter_air::proof::Proof;
use zkm_air::field::{Felt, MODULUS};

/// First eight bytes of every proof file.
pub const MAGIC: &[u8; 8] = b"ZKMCPROF";
/// The format version this build writes and reads.
/// Version 3: commitments with BLAKE3 cut to 200 bits at 100 bits of security or less
/// (`crate::hash::Short`).
pub const VERSION: u16 = 3;
/// The Winterfell release whose proof bytes the file carries.
pub const WINTERFELL: &str = "0.13.1";
/// Largest proof file accepted (64 MiB).
pub const MAX_LEN: usize = 64 << 20;

/// A decoded proof file.
#[derive(Clone, Debug)]
pub struct ProofFile {
    /// blake3 hash of the artifact the proof is for.
    pub artifact_hash: [u8; 32],
    /// blake3 digest of the public parameter values (see [`crate::params_digest`]).
    pub params_digest: [u8; 32],
    /// Zero-knowledge random rows at the end of the trace (0: the proof is not zero-knowledge).
    pub random_rows: u32,
    /// The public vector without its parameter slots, in slot order.
    pub io: Vec<Felt>,
    /// The STARK proof.
    pub proof: Proof,
}

/// Why a proof file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofFileError {
    /// Larger than [`MAX_LEN`].
    TooLarge,
    /// Does not start with [`MAGIC`].
    BadMagic,
    /// Another proof format version.
    Version(u16),
    /// Made with another Winterfell release (as written in the file).
    Winterfell(String),
    /// Ends before the part being read (at this byte offset).
    Truncated(usize),
    /// Bytes after the proof.
    TrailingBytes(usize),
    /// A public value that is not a canonical field element.
    NotFieldElement(u64),
    /// The STARK proof inside is malformed (the decoder's reason).
    MalformedProof(String),
}

impl std::fmt::Display for ProofFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProofFileError::TooLarge => write!(f, "file is larger than {MAX_LEN} bytes"),
            ProofFileError::BadMagic => f.write_str("not a zkmc proof file (bad magic)"),
            ProofFileError::Version(v) => {
                write!(f, "proof format version {v}; this zkmc reads {VERSION}")
            }
            ProofFileError::Winterfell(found) => write!(
                f,
                "proof made with Winterfell {found}; this zkmc uses {WINTERFELL}"
            ),
            ProofFileError::Truncated(at) => write!(f, "file is truncated (at byte {at})"),
            ProofFileError::TrailingBytes(n) => write!(f, "{n} unexpected bytes after the proof"),
            ProofFileError::NotFieldElement(v) => {
                write!(f, "public value {v} is not a field element")
            }
            ProofFileError::MalformedProof(why) => write!(f, "malformed STARK proof: {why}"),
        }
    }
}

impl ProofFile {
    /// Encodes the file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let proof = self.proof.to_bytes();
        let mut out = Vec::with_capacity(proof.len() + 8 * self.io.len() + 128);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(WINTERFELL.len() as u8);
        out.extend_from_slice(WINTERFELL.as_bytes());
        out.extend_from_slice(&self.artifact_hash);
        out.extend_from_slice(&self.params_digest);
        out.extend_from_slice(&self.random_rows.to_le_bytes());
        out.extend_from_slice(&(self.io.len() as u32).to_le_bytes());
        for v in &self.io {
            out.extend_from_slice(&v.as_int().to_le_bytes());
        }
        out.extend_from_slice(&(proof.len() as u32).to_le_bytes());
        out.extend_from_slice(&proof);
        out
    }

    /// Decodes untrusted bytes.
    ///
    /// # Errors
    /// When the bytes are not a complete, well-formed proof file of this version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofFileError> {
        if bytes.len() > MAX_LEN {
            return Err(ProofFileError::TooLarge);
        }
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(ProofFileError::BadMagic);
        }
        let version = u16::from_le_bytes(r.array()?);
        if version != VERSION {
            return Err(ProofFileError::Version(version));
        }
        let wf_len = r.take(1)?[0] as usize;
        let wf = r.take(wf_len)?;
        if wf != WINTERFELL.as_bytes() {
            let found = String::from_utf8_lossy(wf);
            return Err(ProofFileError::Winterfell(found.into_owned()));
        }
        let artifact_hash = r.array()?;
        let params_digest = r.array()?;
        let random_rows = u32::from_le_bytes(r.array()?);
        let io = r.felts()?;
        let proof_len = u32::from_le_bytes(r.array()?) as usize;
        let proof_bytes = r.take(proof_len)?;
        if r.at != bytes.len() {
            return Err(ProofFileError::TrailingBytes(bytes.len() - r.at));
        }
        let proof = decode_proof(proof_bytes, random_rows > 0)?;
        Ok(ProofFile {
            artifact_hash,
            params_digest,
            random_rows,
            io,
            proof,
        })
    }
}

/// Winterfell's decoder behind zkmc's guards (bounded allocations, canonical encoding, no panic).
fn decode_proof(bytes: &[u8], salted: bool) -> Result<Proof, ProofFileError> {
    crate::guard::decode_proof(bytes, salted).map_err(ProofFileError::MalformedProof)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ProofFileError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(ProofFileError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ProofFileError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn felts(&mut self) -> Result<Vec<Felt>, ProofFileError> {
        let n = u32::from_le_bytes(self.array()?) as usize;
        if n.saturating_mul(8) > self.bytes.len() - self.at {
            return Err(ProofFileError::Truncated(self.at));
        }
        (0..n)
            .map(|_| {
                let v = u64::from_le_bytes(self.array()?);
                if v >= MODULUS {
                    return Err(ProofFileError::NotFieldElement(v));
                }
                Ok(Felt::new(v))
            })
            .collect()
    }
}

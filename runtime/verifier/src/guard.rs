//! Defences for decoding untrusted proofs: a byte reader that refuses element counts larger than
//! the bytes left (Winterfell's readers reserve a declared count before reading anything), a check
//! of every Merkle opening inside a proof before the verifier parses it, and panic isolation.

use winter_air::proof::Proof;
use winter_crypto::BatchMerkleProof;
use winter_utils::{ByteReader, Deserializable, DeserializationError, Serializable};

/// A slice reader whose `read_many` refuses counts above the remaining byte count (every element
/// takes at least one byte), so a forged length cannot make it allocate more than the input.
#[derive(Debug)]
pub struct GuardedReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> GuardedReader<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        GuardedReader { bytes, at: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }
}

fn eof() -> DeserializationError {
    DeserializationError::UnexpectedEOF
}

impl ByteReader for GuardedReader<'_> {
    fn read_u8(&mut self) -> Result<u8, DeserializationError> {
        let b = *self.bytes.get(self.at).ok_or_else(eof)?;
        self.at += 1;
        Ok(b)
    }

    fn peek_u8(&self) -> Result<u8, DeserializationError> {
        self.bytes.get(self.at).copied().ok_or_else(eof)
    }

    fn read_slice(&mut self, len: usize) -> Result<&[u8], DeserializationError> {
        self.check_eor(len)?;
        let out = &self.bytes[self.at..self.at + len];
        self.at += len;
        Ok(out)
    }

    fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DeserializationError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.read_slice(N)?);
        Ok(out)
    }

    fn check_eor(&self, num_bytes: usize) -> Result<(), DeserializationError> {
        if num_bytes > self.remaining() {
            return Err(eof());
        }
        Ok(())
    }

    fn has_more_bytes(&self) -> bool {
        self.at < self.bytes.len()
    }

    fn read_many<D: Deserializable>(&mut self, n: usize) -> Result<Vec<D>, DeserializationError> {
        if n > self.remaining() {
            return Err(DeserializationError::InvalidValue(format!(
                "{n} elements declared but only {} bytes left",
                self.remaining()
            )));
        }
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(D::read_from(self)?);
        }
        Ok(out)
    }
}

/// Decodes a STARK proof from untrusted bytes: bounded allocations, no panic, the canonical
/// encoding only (re-encoding gives the same bytes), default partitioning (of the trace and of
/// FRI), and Merkle openings (salted ones when `salted`: a zero-knowledge proof) that the
/// verifier can parse without unbounded allocations.
pub fn decode_proof(bytes: &[u8], salted: bool) -> Result<Proof, String> {
    let decoded = quiet_catch(|| {
        let mut reader = GuardedReader::new(bytes);
        let proof = Proof::read_from(&mut reader).map_err(|e| e.to_string())?;
        if reader.has_more_bytes() {
            return Err("trailing bytes inside the STARK proof".to_string());
        }
        Ok(proof)
    });
    let proof = decoded.map_err(|_| "malformed STARK proof".to_string())??;
    if proof.options().partition_options() != winter_air::PartitionOptions::default() {
        return Err("unsupported trace partitioning".into());
    }
    // Winterfell's FRI prover always writes one partition; its verifier reads the count only to
    // fold query positions, so with no FRI layer (a remainder of the whole polynomial) another
    // count would be a second encoding of the same proof. (The count is `2^byte`, which
    // overflows for large bytes: caught.)
    if quiet_catch(|| proof.fri_proof.num_partitions()).ok() != Some(1) {
        return Err("FRI partitions other than one".into());
    }
    if quiet_catch(|| proof.to_bytes()).ok().as_deref() != Some(bytes) {
        return Err("non-canonical STARK proof encoding".into());
    }
    match crate::wide_digests(proof.options()) {
        true => check_openings::<crate::hash::Wide>(&proof, salted)?,
        false => check_openings::<crate::hash::Short>(&proof, salted)?,
    }
    Ok(proof)
}

/// Every Merkle opening in the proof must parse with bounded allocations, with digests of `H`.
fn check_openings<H: winter_crypto::Hasher>(proof: &Proof, salted: bool) -> Result<(), String> {
    let mut blobs = Vec::new();
    for q in proof
        .trace_queries
        .iter()
        .chain([&proof.constraint_queries])
    {
        let salts = match salted {
            true => Salts::Some,
            false => Salts::None,
        };
        blobs.push((split_queries(&q.to_bytes())?.1, salts));
    }
    let (fri, _) = split_fri(&proof.fri_proof.to_bytes())?;
    blobs.extend(fri.into_iter().map(|(_, blob)| (blob, Salts::None)));
    for (blob, salts) in blobs {
        check_opening::<H>(skip_salts(&blob, salts)?)?;
    }
    Ok(())
}

/// Which openings carry salts: the trace and composition trees' of a zero-knowledge proof (at
/// least one), not the FRI layers' nor any of a proof without zero-knowledge (none:
/// `crate::salted`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Salts {
    Some,
    None,
}

/// Serialized `Queries` split into its value bytes and its opening-proof bytes.
pub(crate) fn split_queries(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut r = GuardedReader::new(bytes);
    let values: Vec<u8> = Vec::read_from(&mut r).map_err(|e| e.to_string())?;
    let opening: Vec<u8> = Vec::read_from(&mut r).map_err(|e| e.to_string())?;
    Ok((values, opening))
}

/// A FRI layer of a serialized proof: its value byte count and its opening-proof bytes.
pub(crate) type FriLayer = (usize, Vec<u8>);

/// A serialized FRI proof split into its layers and the remainder's byte count.
pub(crate) fn split_fri(bytes: &[u8]) -> Result<(Vec<FriLayer>, usize), String> {
    let err = |e: DeserializationError| e.to_string();
    let mut r = GuardedReader::new(bytes);
    let layers = r.read_u8().map_err(err)?;
    let mut out = Vec::new();
    for _ in 0..layers {
        let values = r.read_u32().map_err(err)? as usize;
        r.read_slice(values).map_err(err)?;
        let paths = r.read_u32().map_err(err)? as usize;
        out.push((values, r.read_slice(paths).map_err(err)?.to_vec()));
    }
    let remainder = r.read_u16().map_err(err)? as usize;
    Ok((out, remainder))
}

/// The batch path of a salted opening: a salt count no larger than the bytes that follow (0
/// exactly when `salts` is [`Salts::None`]), the salts ([`crate::salted::SALT_BYTES`] each), then
/// the path.
fn skip_salts(bytes: &[u8], salts: Salts) -> Result<&[u8], String> {
    let mut r = GuardedReader::new(bytes);
    let count = r.read_u32().map_err(|e| e.to_string())? as usize;
    match (salts, count) {
        (Salts::Some, 0) => return Err("trace or composition opening without salts".into()),
        (Salts::None, 1..) => return Err(format!("FRI opening with {count} salts")),
        _ => {}
    }
    r.read_slice(count.saturating_mul(crate::salted::SALT_BYTES))
        .map_err(|_| {
            format!(
                "salted opening declares {count} salts in {} bytes",
                bytes.len()
            )
        })?;
    Ok(&bytes[r.at..])
}

/// A batch Merkle opening: depth, a node-vector count no larger than the bytes that follow, and
/// node vectors parsed with the guarded reader.
fn check_opening<H: winter_crypto::Hasher>(bytes: &[u8]) -> Result<(), String> {
    let mut r = GuardedReader::new(bytes);
    r.read_u8().map_err(|e| e.to_string())?;
    let count = r.read_usize().map_err(|e| e.to_string())?;
    if count > r.remaining() {
        return Err(format!(
            "Merkle opening declares {count} node vectors in {} bytes",
            r.remaining()
        ));
    }
    let mut whole = GuardedReader::new(bytes);
    BatchMerkleProof::<H>::read_from(&mut whole)
        .map_err(|e| format!("malformed Merkle opening: {e}"))?;
    Ok(())
}

/// Runs `f`, turning a panic into an error without printing the panic message.
pub fn quiet_catch<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> std::thread::Result<R> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(f);
    std::panic::set_hook(previous);
    result
}

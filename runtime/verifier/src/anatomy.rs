//! Where a proof's bytes go: values and Merkle openings of the trace, composition and FRI
//! queries, the FRI remainder and the out-of-domain frame, read from Winterfell's encoding of a
//! decoded proof. `zkm-bench` prints it per model, to say which part a smaller proof must shrink.

use winter_air::proof::Proof;
use winter_utils::{ByteReader, Deserializable, Serializable};

use crate::guard::GuardedReader;

/// Bytes of each part of a STARK proof (`Proof::to_bytes`; the proof file adds its header and
/// public values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Anatomy {
    /// Opened trace rows (main and auxiliary segments).
    pub trace_values: usize,
    /// Their Merkle openings (salts and authentication paths).
    pub trace_openings: usize,
    /// Opened composition rows.
    pub composition_values: usize,
    /// Their Merkle opening.
    pub composition_openings: usize,
    /// Opened FRI cosets, every layer.
    pub fri_values: usize,
    /// Their Merkle openings.
    pub fri_openings: usize,
    /// The FRI remainder polynomial.
    pub fri_remainder: usize,
    /// The out-of-domain frame.
    pub ood: usize,
    /// The whole STARK proof (the parts above, commitments, context, nonce and lengths).
    pub total: usize,
}

/// The parts of `proof`.
///
/// # Errors
/// When the proof's own encoding does not split as Winterfell writes it (never for a proof that
/// decoded).
pub fn anatomy(proof: &Proof) -> Result<Anatomy, String> {
    let mut a = Anatomy {
        total: proof.to_bytes().len(),
        ood: proof.ood_frame.to_bytes().len(),
        ..Anatomy::default()
    };
    for q in &proof.trace_queries {
        let (values, openings) = queries_parts(&q.to_bytes())?;
        a.trace_values += values;
        a.trace_openings += openings;
    }
    let (values, openings) = queries_parts(&proof.constraint_queries.to_bytes())?;
    (a.composition_values, a.composition_openings) = (values, openings);
    let fri = proof.fri_proof.to_bytes();
    let mut r = GuardedReader::new(&fri);
    let err = |e: winter_utils::DeserializationError| e.to_string();
    for _ in 0..r.read_u8().map_err(err)? {
        let values = r.read_u32().map_err(err)? as usize;
        r.read_slice(values).map_err(err)?;
        let paths = r.read_u32().map_err(err)? as usize;
        r.read_slice(paths).map_err(err)?;
        a.fri_values += values;
        a.fri_openings += paths;
    }
    a.fri_remainder = r.read_u16().map_err(err)? as usize;
    Ok(a)
}

/// The value bytes and opening bytes of serialized `Queries` (values, then the opening).
fn queries_parts(bytes: &[u8]) -> Result<(usize, usize), String> {
    let mut r = GuardedReader::new(bytes);
    let values: Vec<u8> = Vec::read_from(&mut r).map_err(|e| e.to_string())?;
    let opening: Vec<u8> = Vec::read_from(&mut r).map_err(|e| e.to_string())?;
    Ok((values.len(), opening.len()))
}

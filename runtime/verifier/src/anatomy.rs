//! Where a proof's bytes go: values and Merkle openings of the trace, composition and FRI
//! queries, the FRI remainder and the out-of-domain frame, read from Winterfell's encoding of a
//! decoded proof. `zkm-bench` prints it per model, to say which part a smaller proof must shrink.

use winter_air::proof::Proof;
use winter_utils::Serializable;

use crate::guard::{split_fri, split_queries};

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
        let (values, opening) = split_queries(&q.to_bytes())?;
        a.trace_values += values.len();
        a.trace_openings += opening.len();
    }
    let (values, opening) = split_queries(&proof.constraint_queries.to_bytes())?;
    (a.composition_values, a.composition_openings) = (values.len(), opening.len());
    let (layers, remainder) = split_fri(&proof.fri_proof.to_bytes())?;
    for (values, opening) in layers {
        a.fri_values += values;
        a.fri_openings += opening.len();
    }
    a.fri_remainder = remainder;
    Ok(a)
}

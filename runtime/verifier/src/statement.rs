//! What a verified proof establishes, as data: the model, the security reached, and every public
//! value of the statement (public inputs, public outputs, commitment digests) with its declared
//! type. Public parameters are the verifier's own input and are summarised by their digest.

use zkm_air::field::{signed, Felt};
use zkm_air::{Artifact, PublicKind};

use crate::options::Security;

/// One public tensor of the statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicValue {
    /// Declared name.
    pub name: String,
    /// Input, output or commitment digest.
    pub kind: PublicKind,
    /// Declared shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Width in bits.
    pub bits: u32,
    /// Fractional bits: the real value of code `q` is `q / 2^frac`.
    pub frac: u32,
    /// Integer codes, row-major.
    pub codes: Vec<i64>,
}

impl PublicValue {
    /// The values as real numbers.
    pub fn reals(&self) -> Vec<f64> {
        let scale = 2f64.powi(self.frac as i32);
        self.codes.iter().map(|&q| q as f64 / scale).collect()
    }

    /// True for a scalar (declared without a shape).
    pub fn is_scalar(&self) -> bool {
        self.shape.is_empty()
    }
}

/// A verified statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Model name.
    pub model: String,
    /// The artifact's hash (hex).
    pub artifact_hash: String,
    /// Digest of the public parameters the verifier supplied.
    pub params_digest: [u8; 32],
    /// Security of the proof.
    pub security: Security,
    /// Every public input, output and digest, in slot order.
    pub values: Vec<PublicValue>,
}

impl Statement {
    /// The statement of `artifact` for the public vector `public`.
    pub fn new(
        artifact: &Artifact,
        public: &[Felt],
        params_digest: [u8; 32],
        security: Security,
    ) -> Self {
        let slots = artifact.program.public.iter();
        let values = slots
            .filter(|s| s.kind != PublicKind::Param)
            .map(|s| PublicValue {
                name: s.name.clone(),
                kind: s.kind,
                shape: s.shape.clone(),
                bits: s.bits,
                frac: s.frac,
                codes: public[s.offset as usize..s.offset as usize + s.len as usize]
                    .iter()
                    .map(|&v| signed(v) as i64)
                    .collect(),
            })
            .collect();
        Statement {
            model: artifact.program.name.clone(),
            artifact_hash: artifact.hash.clone(),
            params_digest,
            security,
            values,
        }
    }

    /// The public value named `name`.
    pub fn value(&self, name: &str) -> Option<&PublicValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The public outputs.
    pub fn outputs(&self) -> impl Iterator<Item = &PublicValue> {
        self.values.iter().filter(|v| v.kind == PublicKind::Output)
    }
}

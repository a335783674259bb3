//! What a verified proof establishes, as data: the model, the security reached, and every public
//! value of the statement (public inputs, public outputs, commitment digests) with its declared
//! type. Public parameters are the verifier's own input and are summarised by their digest.

use zkm_air::field::{signed, Felt, FieldElement};
use zkm_air::{Artifact, DeclKind, NumType, OutputKind, PublicKind};

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
    /// Element type: the real value of code `q` is `q / 2^frac`.
    pub ty: NumType,
    /// How an output reads (a class index or numbers); `None` for inputs and digests.
    pub output: Option<OutputKind>,
    /// Integer codes, row-major.
    pub codes: Vec<i64>,
}

impl PublicValue {
    /// The values as real numbers.
    pub fn reals(&self) -> Vec<f64> {
        self.codes
            .iter()
            .map(|&q| self.ty.real(q as i128))
            .collect()
    }

    /// True for a scalar (declared without a shape).
    pub fn is_scalar(&self) -> bool {
        self.shape.is_empty()
    }

    /// A commitment's digest as 64 lower-case hex digits (`spec/commitment.md`); `None` for
    /// other values.
    pub fn digest_hex(&self) -> Option<String> {
        if self.kind != PublicKind::Commitment || self.codes.len() != 4 {
            return None;
        }
        let mut d = [Felt::ZERO; 4];
        for (x, &q) in d.iter_mut().zip(&self.codes) {
            *x = zkm_air::field::felt(q);
        }
        Some(zkm_air::gadgets::digest_hex(&d))
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
    /// Zero-knowledge random rows of the proof (0: every value is public and nothing is hidden).
    pub random_rows: u32,
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
        Statement {
            model: artifact.program.name.clone(),
            artifact_hash: artifact.hash.clone(),
            params_digest,
            security,
            random_rows: artifact.program.random_rows() as u32,
            values: public_values(artifact, public),
        }
    }

    /// True when the proof hides every private value (`spec/zk.md`).
    pub fn is_zero_knowledge(&self) -> bool {
        self.random_rows > 0
    }

    /// The public value named `name`.
    pub fn value(&self, name: &str) -> Option<&PublicValue> {
        self.values.iter().find(|v| v.name == name)
    }

    /// The commitment digests, `(name, hex)`, in slot order.
    pub fn digests(&self) -> Vec<(String, String)> {
        let d = self
            .values
            .iter()
            .filter_map(|v| Some((v.name.clone(), v.digest_hex()?)));
        d.collect()
    }

    /// The public outputs.
    pub fn outputs(&self) -> impl Iterator<Item = &PublicValue> {
        self.values.iter().filter(|v| v.kind == PublicKind::Output)
    }
}

/// Every public input, output and digest of the public vector `public`, in slot order (public
/// parameters left out).
pub fn public_values(artifact: &Artifact, public: &[Felt]) -> Vec<PublicValue> {
    let slots = artifact.program.public.iter();
    let slots = slots.filter(|s| s.kind != PublicKind::Param);
    slots
        .map(|s| PublicValue {
            name: s.name.clone(),
            kind: s.kind,
            shape: s.shape.clone(),
            ty: s.ty,
            output: output_kind(artifact, &s.name, s.kind),
            codes: public[s.offset as usize..s.offset as usize + s.len as usize]
                .iter()
                .map(|&v| signed(v) as i64)
                .collect(),
        })
        .collect()
}

/// The output kind of the declaration behind an output slot.
fn output_kind(artifact: &Artifact, name: &str, kind: PublicKind) -> Option<OutputKind> {
    if kind != PublicKind::Output {
        return None;
    }
    let decls = artifact.program.decls.iter();
    let mut outputs = decls.filter(|d| d.kind == DeclKind::Output);
    outputs.find(|d| d.name == name).and_then(|d| d.output)
}

//! Why verification failed, as data: one variant per reason, with the values involved. The CLI
//! maps variants to diagnostic codes and help text; tests match variants, never prose.

use crate::proof_file::ProofFileError;
use crate::public::TraceShape;

/// Why a proof was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The artifact's content does not match its own hash (edited or corrupt).
    ArtifactCorrupt,
    /// The proof file could not be decoded.
    MalformedFile(ProofFileError),
    /// The proof is for a different compiled model (the artifact hashes differ).
    WrongModel,
    /// The proof was made with different public parameters (their digests differ).
    WrongParams,
    /// The verifier was given the wrong number of public parameter values.
    ParamCount {
        /// Values the model's public parameters hold.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// The proof carries the wrong number of public input and output values.
    PublicCount {
        /// Values the model's public inputs, outputs and digests hold.
        expected: usize,
        /// Values in the proof file.
        found: usize,
    },
    /// A public value does not fit its declared width.
    PublicOutOfRange {
        /// The declared tensor.
        name: String,
        /// Row-major element index.
        index: usize,
        /// The value, as a signed integer.
        value: i128,
        /// Declared width in bits.
        bits: u32,
    },
    /// The proof's trace has another shape than the compiled program.
    TraceShape {
        /// The model's shape.
        expected: TraceShape,
        /// The shape the proof declares.
        found: TraceShape,
    },
    /// The proof file records another number of zero-knowledge random rows than the model
    /// reserves (0: not zero-knowledge).
    ZkShape {
        /// Random rows the model reserves.
        expected: u32,
        /// Random rows the proof file records.
        found: u32,
    },
    /// The model's random rows cannot hide the proof's openings (`q + 2e + 1` are needed).
    TooFewRandomRows {
        /// Random rows the model reserves.
        expected: u32,
        /// Random rows the proof's options need.
        needed: u32,
    },
    /// The proof options are not ones Winterfell can evaluate.
    MalformedOptions,
    /// The proof reaches less conjectured security than asked for.
    InsufficientSecurity {
        /// Bits the proof reaches.
        reached: u32,
        /// Bits asked for.
        required: u32,
    },
    /// Winterfell rejected the proof.
    Stark(winter_verifier::VerifierError),
    /// Winterfell's verifier panicked on the proof (malformed input it does not guard against).
    Malformed,
}

impl VerifyError {
    /// The variant's name, for bindings that report errors as data (`"WrongParams"`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyError::ArtifactCorrupt => "ArtifactCorrupt",
            VerifyError::MalformedFile(_) => "MalformedFile",
            VerifyError::WrongModel => "WrongModel",
            VerifyError::WrongParams => "WrongParams",
            VerifyError::ParamCount { .. } => "ParamCount",
            VerifyError::PublicCount { .. } => "PublicCount",
            VerifyError::PublicOutOfRange { .. } => "PublicOutOfRange",
            VerifyError::TraceShape { .. } => "TraceShape",
            VerifyError::ZkShape { .. } => "ZkShape",
            VerifyError::TooFewRandomRows { .. } => "TooFewRandomRows",
            VerifyError::MalformedOptions => "MalformedOptions",
            VerifyError::InsufficientSecurity { .. } => "InsufficientSecurity",
            VerifyError::Stark(_) => "Stark",
            VerifyError::Malformed => "Malformed",
        }
    }
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::ArtifactCorrupt => {
                f.write_str("the compiled model does not match its own hash (corrupt or edited)")
            }
            VerifyError::MalformedFile(e) => write!(f, "{e}"),
            VerifyError::WrongModel => {
                f.write_str("the proof is for a different compiled model (artifact hash differs)")
            }
            VerifyError::WrongParams => f.write_str(
                "the proof was made with different public parameters (weights differ)",
            ),
            VerifyError::ParamCount { expected, found } => write!(
                f,
                "{found} public parameter values given; the model's public parameters hold {expected}"
            ),
            VerifyError::PublicCount { expected, found } => write!(
                f,
                "the proof carries {found} public values but the model has {expected} public input/output elements"
            ),
            VerifyError::PublicOutOfRange {
                name,
                index,
                value,
                bits,
            } => write!(f, "public value {name}[{index}] = {value} does not fit {bits} bits"),
            VerifyError::TraceShape { expected, found } => write!(
                f,
                "the proof is for a trace of {found}; the model has {expected}"
            ),
            VerifyError::ZkShape { expected, found } => write!(
                f,
                "the proof records {found} zero-knowledge random rows; the model reserves {expected}"
            ),
            VerifyError::TooFewRandomRows { expected, needed } => write!(
                f,
                "the model's {expected} random rows cannot hide this proof's openings ({needed} needed)"
            ),
            VerifyError::MalformedOptions => {
                f.write_str("the proof does not verify: malformed proof options")
            }
            VerifyError::InsufficientSecurity { reached, required } => write!(
                f,
                "the proof reaches {reached} bits of conjectured security, below the {required} required"
            ),
            VerifyError::Stark(e) => write!(f, "the proof does not verify: {e}"),
            VerifyError::Malformed => f.write_str("the proof does not verify: malformed proof"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<ProofFileError> for VerifyError {
    fn from(e: ProofFileError) -> Self {
        VerifyError::MalformedFile(e)
    }
}

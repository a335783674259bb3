//! Stable diagnostic codes.
//!
//! Every code is documented by a `## CODE: title` section of `spec/diagnostics.md`, which is also
//! what `zkmc explain CODE` prints. A tidy test checks that every code listed in [`ALL`] has a
//! section there and appears in at least one UI snapshot.

/// A stable diagnostic code such as `E0301`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub &'static str);

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        $($(#[$doc])* pub const $name: Code = Code($code);)*
        /// Every code, in numeric order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    /// An internal error of zkmc.
    INTERNAL = "E0000";
    /// A file could not be read.
    FILE_UNREADABLE = "E0001";
    /// A file is not valid UTF-8 text.
    FILE_NOT_TEXT = "E0002";
    /// A source file contains no model.
    EMPTY_SOURCE = "E0003";
    /// An output file or directory could not be written.
    FILE_UNWRITABLE = "E0004";
    /// An output path that names one of the command's own input files.
    OUTPUT_IS_INPUT = "E0005";
    /// A file larger than zkmc reads for its kind.
    FILE_TOO_LARGE = "E0006";
    /// A character that starts no token.
    UNKNOWN_CHARACTER = "E0101";
    /// A number literal that is malformed or too large.
    BAD_NUMBER = "E0102";
    /// An identifier longer than the limit.
    IDENT_TOO_LONG = "E0103";
    /// A token that does not fit the grammar here.
    UNEXPECTED_TOKEN = "E0201";
    /// The file ends in the middle of a construct.
    UNEXPECTED_EOF = "E0202";
    /// An opening bracket without its closing bracket.
    UNCLOSED_DELIMITER = "E0203";
    /// Brackets nested deeper than the limit.
    NESTING_TOO_DEEP = "E0204";
    /// A name that is not defined.
    UNKNOWN_NAME = "E0301";
    /// A name defined twice in one scope.
    DUPLICATE_NAME = "E0302";
    /// A `use` path that names no stdlib module or item.
    UNKNOWN_IMPORT = "E0303";
    /// An output that is never assigned.
    OUTPUT_NOT_ASSIGNED = "E0304";
    /// An output assigned more than once.
    OUTPUT_ASSIGNED_TWICE = "E0305";
    /// A function that calls itself, directly or indirectly.
    RECURSIVE_CALL = "E0306";
    /// No `model` in the file, or more than one.
    MODEL_COUNT = "E0307";
    /// An assignment to something that is not an output.
    NOT_AN_OUTPUT = "E0308";
    /// A name used as the wrong kind of thing (a function as a value, a value as a function).
    WRONG_KIND = "E0309";
    /// Operand shapes that do not broadcast.
    SHAPE_MISMATCH = "E0401";
    /// Operands with different fixed-point scales.
    SCALE_MISMATCH = "E0402";
    /// Matrix product operands whose inner dimensions differ or whose ranks are unsupported.
    MATMUL_SHAPE = "E0403";
    /// A call with the wrong number or kind of arguments.
    BAD_ARGUMENTS = "E0404";
    /// A numeric type whose width or fractional bits are out of bounds.
    BAD_TYPE = "E0405";
    /// A reshape whose element count differs from its operand's.
    RESHAPE_SIZE = "E0406";
    /// An operation applied to a tensor of the wrong rank.
    BAD_RANK = "E0407";
    /// A value assigned to an output whose declared type it does not match.
    OUTPUT_TYPE = "E0408";
    /// A literal that cannot be represented exactly at the scale it needs.
    INEXACT_LITERAL = "E0409";
    /// An intermediate value that may leave the field's safe signed range.
    FIELD_OVERFLOW = "E0501";
    /// A value that may overflow its declared type without an explicit rescale.
    TYPE_OVERFLOW = "E0502";
    /// A rescale that would lose the integer part or shift by too much.
    BAD_RESCALE = "E0503";
    /// A construct the AIR lowering does not support yet.
    UNSUPPORTED_LOWERING = "E0601";
    /// The compiled trace is wider or longer than the prover allows.
    TRACE_TOO_LARGE = "E0602";
    /// The model expands beyond the compiler's budget (inlining, operations, trace cells).
    BUDGET_EXCEEDED = "E0603";
    /// Input data that is missing, malformed or of the wrong shape.
    BAD_INPUT = "E0701";
    /// An input value that does not fit its declared type.
    INPUT_OUT_OF_RANGE = "E0702";
    /// A corrupt or incompatible compiled artifact.
    BAD_ARTIFACT = "E0703";
    /// A proof file that is malformed, for another model, or does not verify.
    PROOF_REJECTED = "E0704";
    /// A security target zkmc cannot reach.
    SECURITY_UNREACHABLE = "E0705";
    /// `--backend gpu` without a usable GPU.
    NO_GPU = "E0706";
    /// Proving would need more memory than the limit.
    MEMORY_LIMIT = "E0707";
    /// A security level below the minimum zkmc proves or verifies at.
    INSECURE_SECURITY = "E0708";
    /// `zkmc prove --threads N` could not start its threads.
    NO_THREADS = "E0709";
    /// A transition constraint that does not hold on the trace.
    CONSTRAINT_FAILED = "E0801";
    /// A boundary assertion that does not hold on the trace.
    ASSERTION_FAILED = "E0802";
    /// A bus or lookup argument whose sends and receives do not balance.
    BUS_UNBALANCED = "E0803";
    /// An unknown code passed to `zkmc explain`.
    UNKNOWN_CODE = "E0901";
    /// A file that is not a readable ONNX model.
    BAD_ONNX = "E1001";
    /// An ONNX node zkmc cannot import (its operator, or an attribute of it).
    UNSUPPORTED_ONNX = "E1002";
    /// An ONNX graph whose inputs or outputs zkmc cannot import.
    ONNX_GRAPH = "E1003";
}

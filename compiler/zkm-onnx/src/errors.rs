//! The importer's diagnostics (codes E1001–E1003 and E0701 for calibration data): plain data,
//! rendered by the CLI like every other diagnostic.

use zkm_diagnostics::{codes, Diagnostic};

/// A reason the import cannot go on.
pub type Problem = Diagnostic;

/// E1001: the bytes are not a usable ONNX model.
pub fn bad_onnx(what: String) -> Problem {
    Diagnostic::error(codes::BAD_ONNX, what)
}

/// E1001: a tensor (initializer or constant) that cannot be read.
pub fn bad_tensor(name: &str, what: String) -> Problem {
    Diagnostic::error(codes::BAD_ONNX, format!("tensor `{name}` {what}"))
}

/// E1002: a node that cannot be imported, with the closest supported alternative.
pub fn unsupported(index: usize, name: &str, op: &str, what: &str, instead: &str) -> Problem {
    Diagnostic::error(
        codes::UNSUPPORTED_ONNX,
        format!(
            "node {index} `{}` ({}): {what}",
            crate::names::shown(name),
            crate::names::shown(op)
        ),
    )
    .with_help(instead.to_string())
}

/// E1003: a graph whose inputs or outputs cannot be imported.
pub fn graph(what: String) -> Problem {
    Diagnostic::error(codes::ONNX_GRAPH, what)
}

/// E0701: calibration data that does not fit the graph's input.
pub fn bad_data(what: String) -> Problem {
    Diagnostic::error(codes::BAD_INPUT, what)
}

//! Semantic analysis: name resolution, function inlining, type, shape and scale checking, and
//! static range analysis, producing the typed tensor IR.

use zkm_diagnostics::{Diagnostics, SourceMap};
use zkm_syntax::ast;

use crate::ir::Program;

/// Analyzes the single `model` of `module`. Stdlib modules named by `use` are parsed and added
/// to `sources`. Returns `None` when an error was reported.
pub fn analyze(
    sources: &mut SourceMap,
    module: &ast::Module,
    diags: &mut Diagnostics,
) -> Option<Program> {
    let _ = (sources, module, diags);
    None
}

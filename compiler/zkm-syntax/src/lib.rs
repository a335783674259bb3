//! Lexer, grammar and AST of the `.zkm` language.
//!
//! [`parse`] never panics and never stops at the first error: it returns a (possibly partial)
//! [`ast::Module`] together with every diagnostic found.
//!
//! The pipeline is: [`lexer::tokenize`] (logos; E0101–E0103) → a nesting check on the token
//! stream (E0204; a too-deep file is not parsed at all) → the LALRPOP grammar in
//! `grammar.lalrpop` with `!` error recovery (E0201–E0203, and E0204 for expression trees deeper
//! than [`MAX_EXPR_DEPTH`]). Diagnostics come back sorted by position, at most
//! [`MAX_DIAGNOSTICS`] of them plus one final "too many errors" diagnostic.
//!
//! Invariant for later stages: no AST returned by [`parse`] has an expression deeper than
//! [`MAX_EXPR_DEPTH`], so recursive walks over it are safe on a default-sized stack.

mod actions;
pub mod ast;
mod brackets;
pub mod lexer;
mod parser;

#[cfg(test)]
mod tests;

use zkm_diagnostics::{codes, Diagnostic, FileId};

pub use actions::MAX_EXPR_DEPTH;
pub use brackets::MAX_NESTING;

/// The most diagnostics [`parse`] reports for one file (before its final "too many errors").
pub const MAX_DIAGNOSTICS: usize = 50;

/// Parses one source file.
///
/// Returns the module (items that failed to parse are left out, broken expressions become
/// [`ast::ExprKind::Error`]) and the diagnostics, sorted by position.
pub fn parse(file: FileId, text: &str) -> (ast::Module, Vec<Diagnostic>) {
    let lexed = lexer::tokenize(text);
    let mut diags: Vec<Diagnostic> = lexed
        .errors
        .iter()
        .map(|e| e.to_diagnostic(file, text))
        .collect();
    if let Some(too_deep) = brackets::check_nesting(file, &lexed.tokens) {
        diags.push(too_deep);
        return (ast::Module::default(), finish(diags));
    }
    let (module, syntax) = parser::parse_tokens(file, text, &lexed, MAX_DIAGNOSTICS + 1);
    diags.extend(syntax);
    diags.extend(missing_results(&module));
    (module, finish(diags))
}

/// A function body must end with its result expression (written without `;`).
fn missing_results(module: &ast::Module) -> Vec<Diagnostic> {
    let fns = module.items.iter().filter_map(|i| match i {
        ast::Item::Fn(f) if f.body.result.is_none() => Some(f),
        _ => None,
    });
    fns.map(|f| {
        let end = f.body.span.end.saturating_sub(1) as usize;
        let at = zkm_diagnostics::Span::new(f.body.span.file, end, end + 1);
        Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("function `{}` has no result", f.name.name),
        )
        .with_primary(at, "expected the result expression before `}`")
        .with_help("end the body with an expression and no `;`, e.g. `x @ w + b`")
    })
    .collect()
}

/// Sorts diagnostics by position and caps their number.
fn finish(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| d.labels.iter().find(|l| l.primary).map(|l| l.span.start));
    if diags.len() > MAX_DIAGNOSTICS {
        diags.truncate(MAX_DIAGNOSTICS);
        diags.push(Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("too many errors; stopping after {MAX_DIAGNOSTICS}"),
        ));
    }
    diags
}

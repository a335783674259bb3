//! The compiler pipeline as plain functions: parse → analyze → lower.

use zkm_diagnostics::{Diagnostic, FileId, SourceMap};

use crate::ir::Program;

/// Parses and type-checks the model in `file` (stdlib modules it uses are added to `sources`).
///
/// Returns the typed program when there were no errors, and every diagnostic found (warnings
/// included) in the order found.
pub fn check(sources: &mut SourceMap, file: FileId) -> (Option<Program>, Vec<Diagnostic>) {
    let text = sources.text(file).to_owned();
    let (module, mut diags) = zkm_syntax::parse(file, &text);
    if diags.iter().any(Diagnostic::is_fatal) {
        return (None, diags);
    }
    let mut sema = zkm_diagnostics::Diagnostics::new();
    let program = crate::sema::analyze(sources, &module, &mut sema);
    let failed = sema.has_errors();
    diags.extend(sema.into_vec());
    (program.filter(|_| !failed), diags)
}

/// Checks and lowers the model in `file` to an artifact.
pub fn build(
    sources: &mut SourceMap,
    file: FileId,
) -> (Option<zkm_air::Artifact>, Vec<Diagnostic>) {
    build_with_random_rows(sources, file, None)
}

/// [`build`] with `random_rows` zero-knowledge random rows instead of the rule (zero-knowledge
/// with [`zkm_air::zk::RESERVED_RANDOM_ROWS`] rows whenever anything is private or committed);
/// `Some(0)` turns zero-knowledge off. For the leakage tests and their negative controls: the
/// verifier refuses a zero-knowledge proof whose random rows are too few for its options.
pub fn build_with_random_rows(
    sources: &mut SourceMap,
    file: FileId,
    random_rows: Option<u32>,
) -> (Option<zkm_air::Artifact>, Vec<Diagnostic>) {
    let (program, mut diags) = check(sources, file);
    let Some(program) = program else {
        return (None, diags);
    };
    match crate::lower::lower(&program, sources, random_rows) {
        Ok(artifact) => (Some(artifact), diags),
        Err(errors) => {
            diags.extend(errors);
            (None, diags)
        }
    }
}

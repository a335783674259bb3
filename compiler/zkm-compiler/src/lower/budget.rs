//! The budgets of lowering, checked after every node instead of once the whole program is
//! lowered.
//!
//! Every tensor a gadget writes to the bus has a main column of its own, so the number of such
//! tensors is a lower bound on the trace width, and the row target times it a lower bound on the
//! trace cells. Lowering stops at the first node that takes the width past the prover's limit
//! (E0602, the same code as the final layout check), or the AIR expression arena past
//! [`MAX_AIR_EXPRS`] (E0603).

use zkm_air::builder::{MAX_TRACE_LEN, MAX_TRACE_WIDTH};
use zkm_diagnostics::{codes, Diagnostic, Span};

/// The most nodes of constraint expressions (the AIR expression arena) one program may have.
pub(crate) const MAX_AIR_EXPRS: usize = 4_000_000;

/// What lowering has allocated so far.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// Bus tensors written by gadgets (each with at least one main column).
    pub(crate) tensors: usize,
}

/// Checks the running usage after lowering node `at`: `exprs` is the expression arena's size.
pub(crate) fn check(usage: &Usage, rows: usize, exprs: usize, at: Span) -> Result<(), Diagnostic> {
    if usage.tensors > MAX_TRACE_WIDTH {
        let cells = usage.tensors.saturating_mul(rows);
        return Err(too_wide(usage.tensors, cells, at));
    }
    if exprs > MAX_AIR_EXPRS {
        return Err(too_many_exprs(at));
    }
    Ok(())
}

/// Refuses a plan whose tensors alone need more rows than the prover allows.
pub(crate) fn check_rows(rows: usize, model: Span) -> Result<(), Diagnostic> {
    if rows <= MAX_TRACE_LEN {
        return Ok(());
    }
    Err(Diagnostic::error(
        codes::TRACE_TOO_LARGE,
        format!("the compiled trace needs {rows} rows; zkmc allows at most {MAX_TRACE_LEN}"),
    )
    .with_primary(model, "this model")
    .with_help("use smaller tensors"))
}

fn too_wide(columns: usize, cells: usize, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::TRACE_TOO_LARGE,
        format!(
            "the compiled trace needs more than {MAX_TRACE_WIDTH} columns; the prover allows \
             at most {MAX_TRACE_WIDTH}"
        ),
    )
    .with_primary(at, format!("lowering stopped here, at column {columns}"))
    .with_note(format!("at least {cells} trace cells so far"))
    .with_help("split the model into smaller layers, or use fewer elementwise operations")
}

fn too_many_exprs(at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::BUDGET_EXCEEDED,
        "the model expands beyond the compiler's budget",
    )
    .with_primary(
        at,
        format!("the constraints need more than {MAX_AIR_EXPRS} expression nodes here"),
    )
    .with_help("split the model into smaller models")
}

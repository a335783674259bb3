//! Messages about the compile budgets (E0603): a model that expands beyond them.

use zkm_diagnostics::{codes, Diagnostic, Span};

use crate::sema::budget::Exceeded;

/// Calls of a chain shown in full; a longer chain shows its first and last few.
const CHAIN_SHOWN: usize = 8;

/// Calls shown at each end of an elided chain.
const CHAIN_ENDS: usize = 3;

/// A budget exceeded at `at` with the inlined calls `chain` active (outermost first, each with
/// its call site): the primary label is the outermost call (the one in the model that expands
/// too far), a secondary label the innermost call, and a note names the whole chain.
pub(crate) fn budget_exceeded(what: Exceeded, chain: &[(&str, Span)], at: Span) -> Diagnostic {
    let limit = what.limit();
    let unit = what.unit();
    let d = Diagnostic::error(
        codes::BUDGET_EXCEEDED,
        "the model expands beyond the compiler's budget",
    );
    let (Some(&(outer, outer_call)), Some(&(inner, inner_call))) = (chain.first(), chain.last())
    else {
        return d
            .with_primary(at, format!("the model needs more than {limit} {unit} here"))
            .with_help("split the model into smaller models");
    };
    let d = d.with_primary(
        outer_call,
        format!("this call to `{outer}` expands to more than {limit} {unit}"),
    );
    let d = match chain.len() {
        1 => d,
        _ => d.with_secondary(
            inner_call,
            format!("the budget ran out in this call to `{inner}`"),
        ),
    };
    d.with_note(format!("the chain of inlined calls: {}", chain_text(chain)))
        .with_help(
            "functions are inlined at every call, so a function that calls another twice \
             doubles the model at every level; call each function fewer times",
        )
}

/// `` `f3` → `f2` → `f1` ``, eliding the middle of a long chain.
fn chain_text(chain: &[(&str, Span)]) -> String {
    let names: Vec<String> = chain.iter().map(|(n, _)| format!("`{n}`")).collect();
    if names.len() <= CHAIN_SHOWN {
        return names.join(" → ");
    }
    let hidden = names.len() - 2 * CHAIN_ENDS;
    let head = names[..CHAIN_ENDS].join(" → ");
    let tail = names[names.len() - CHAIN_ENDS..].join(" → ");
    format!("{head} → … ({hidden} more) … → {tail}")
}

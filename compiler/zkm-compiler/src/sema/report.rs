//! Collects the diagnostics of semantic analysis, dropping exact repeats.
//!
//! A function is inlined at every call, so a problem inside its body that does not depend on
//! the arguments would otherwise be reported once per call; the same message with the same
//! labels is therefore reported only once. At the end, diagnostics are sorted into reading
//! order of the user's file.

use std::collections::HashSet;

use zkm_diagnostics::{Diagnostic, Diagnostics, FileId, Span};

/// Identity of a reported diagnostic: code, message and labelled spans.
type Key = (&'static str, String, Vec<Span>);

/// A diagnostics sink that suppresses duplicates.
#[derive(Debug, Default)]
pub(crate) struct Reporter {
    items: Vec<Diagnostic>,
    seen: HashSet<Key>,
}

impl Reporter {
    /// An empty sink.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Records a diagnostic unless an identical one was already recorded.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        let key = (
            d.code.0,
            d.message.clone(),
            d.labels.iter().map(|l| l.span).collect(),
        );
        if self.seen.insert(key) {
            self.items.push(d);
        }
    }

    /// Records several diagnostics.
    pub(crate) fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.push(d);
        }
    }

    /// True if an error (or bug) was recorded.
    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_fatal)
    }

    /// Moves the diagnostics into `diags`, in reading order of `main` (the user's file): by the
    /// primary label, or for a problem inside a stdlib function by its call site in `main`.
    pub(crate) fn finish(mut self, main: Option<FileId>, diags: &mut Diagnostics) {
        self.items.sort_by_key(|d| sort_key(d, main));
        diags.extend(self.items);
    }
}

/// Where a diagnostic sorts: labels in `main` by position, others after them.
fn sort_key(d: &Diagnostic, main: Option<FileId>) -> (u32, u32) {
    let in_main = |s: &Span| Some(s.file) == main;
    let primary = d.labels.iter().find(|l| l.primary).map(|l| l.span);
    match primary {
        None => (0, 0),
        Some(p) if in_main(&p) => (1, p.start),
        Some(p) => match d.labels.iter().rev().map(|l| l.span).find(in_main) {
            Some(site) => (1, site.start),
            None => (2 + p.file.0.min(u32::MAX - 2), p.start),
        },
    }
}

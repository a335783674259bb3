//! Spans, source files and diagnostics shared by every zkmc stage.
//!
//! Every stage reports problems as plain [`Diagnostic`] values carrying a stable [`Code`] and
//! labelled [`Span`]s. Nothing here prints: the CLI renders diagnostics once, through
//! [`render::render`], with codespan-reporting.

mod clean;
pub mod codes;
mod excerpt;
pub mod render;
mod source;
mod span;

pub use clean::MAX_WORD_CHARS;
pub use codes::Code;
pub use excerpt::{MAX_LINE_CHARS, WINDOW_CHARS};
pub use source::{FileId, SourceMap, BOM};
pub use span::{Span, Spanned};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// The input is wrong; the command fails.
    Error,
    /// The input is accepted but probably not what was meant.
    Warning,
    /// Additional information.
    Note,
    /// An internal inconsistency of zkmc itself (never the user's fault).
    Bug,
}

/// A labelled source range inside a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub message: String,
    /// Primary labels mark the cause; secondary labels give context.
    pub primary: bool,
}

/// One problem found in the user's input, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error, warning, note or bug.
    pub severity: Severity,
    /// Stable code, documented in `spec/diagnostics.md`.
    pub code: Code,
    /// One-line summary.
    pub message: String,
    /// Source locations; the first primary label is the main location.
    pub labels: Vec<Label>,
    /// Extra lines printed after the snippet (`= note: ...`).
    pub notes: Vec<String>,
    /// A suggestion printed last (`= help: ...`).
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with the given code and message and no labels yet.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// An internal error: zkmc reached a state it considers impossible.
    pub fn bug(message: impl Into<String>) -> Self {
        Self::new(Severity::Bug, codes::INTERNAL, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Adds the primary label.
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary (context) label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors and bugs, the severities that make a command fail.
    pub fn is_fatal(&self) -> bool {
        matches!(self.severity, Severity::Error | Severity::Bug)
    }
}

/// A collection of diagnostics gathered by one stage.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Records many diagnostics.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// True if any error or bug was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_fatal)
    }

    /// Number of recorded diagnostics.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The recorded diagnostics, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Takes the recorded diagnostics out.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

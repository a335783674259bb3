//! The one place where diagnostics become text.
//!
//! Each diagnostic is rendered against an [`Excerpt`] of the files it points at (labelled lines
//! only, long lines cut around their labels, control characters escaped) and its messages are
//! cleaned the same way ([`clean::message`]), so no input, however large or hostile, makes the
//! output large or puts raw control characters on the terminal. Standard error is written
//! through a buffer and flushed once.

use std::io::Write as _;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor};

use crate::clean;
use crate::excerpt::Excerpt;
use crate::{Diagnostic, Severity, SourceMap};

/// Renders diagnostics as plain text (no colour), the form used in snapshots and pipes.
pub fn render(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut buf = termcolor::Buffer::no_color();
    write_all(sources, diagnostics, &mut buf);
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Renders diagnostics to standard error, in colour when `colour` is set, through one buffer.
pub fn emit_stderr(sources: &SourceMap, diagnostics: &[Diagnostic], colour: bool) {
    let choice = if colour {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    };
    let mut out = termcolor::BufferedStandardStream::stderr(choice);
    write_all(sources, diagnostics, &mut out);
    // Writing to stderr only fails if it is closed; nothing useful can be done then.
    let _ = out.flush();
}

fn write_all(sources: &SourceMap, diagnostics: &[Diagnostic], out: &mut dyn termcolor::WriteColor) {
    let config = term::Config::default();
    for d in diagnostics {
        let excerpt = Excerpt::new(sources, d);
        // Writing to an in-memory buffer or stderr only fails if stderr is closed; nothing
        // useful can be done then.
        let _ = term::emit_to_write_style(out, &config, &excerpt, &to_codespan(&excerpt, d));
    }
}

fn to_codespan(excerpt: &Excerpt<'_>, d: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
        Severity::Bug => cs::Severity::Bug,
    };
    let labels = d
        .labels
        .iter()
        .filter_map(|l| {
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            let (file, range) = excerpt.range(l.span)?;
            Some(cs::Label::new(style, file, range).with_message(clean::message(&l.message)))
        })
        .collect();
    let mut notes: Vec<String> = d.notes.iter().map(|n| clean::message(n)).collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", clean::message(help)));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code.0)
        .with_message(clean::message(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

//! The one place where diagnostics become text.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor};

use crate::{Diagnostic, Severity, SourceMap};

/// Renders diagnostics as plain text (no colour), the form used in snapshots and pipes.
pub fn render(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut buf = termcolor::Buffer::no_color();
    write_all(sources, diagnostics, &mut buf);
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Renders diagnostics to standard error, in colour when `colour` is set.
pub fn emit_stderr(sources: &SourceMap, diagnostics: &[Diagnostic], colour: bool) {
    let choice = if colour {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    };
    let writer = termcolor::StandardStream::stderr(choice);
    let mut lock = writer.lock();
    write_all(sources, diagnostics, &mut lock);
}

fn write_all(sources: &SourceMap, diagnostics: &[Diagnostic], out: &mut dyn termcolor::WriteColor) {
    let config = term::Config::default();
    for d in diagnostics {
        // Writing to an in-memory buffer or stderr only fails if stderr is closed; nothing
        // useful can be done then.
        let _ = term::emit_to_write_style(out, &config, sources.files(), &to_codespan(d));
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
        Severity::Bug => cs::Severity::Bug,
    };
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let style = if l.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, l.span.file.0 as usize, l.span.range()).with_message(&l.message)
        })
        .collect();
    let mut notes = d.notes.clone();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code.0)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

//! Shared CLI plumbing: reading files with size limits, rendering diagnostics, printing.

use std::io::IsTerminal;
use std::path::Path;

use zkm_diagnostics::{codes, render, Diagnostic, FileId, SourceMap};
use zkm_runtime::files;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when the input is wrong (diagnostics were printed).
pub const EXIT_USER: i32 = 1;
/// Exit code for an internal error.
pub const EXIT_BUG: i32 = 3;

/// Reads a source file into a new source map.
///
/// # Errors
/// When the file cannot be read or is not UTF-8 text, prints the diagnostic and returns the exit
/// code.
pub fn load_source(path: &Path) -> Result<(SourceMap, FileId), i32> {
    let mut sources = SourceMap::new();
    let text = read_text(path).map_err(|d| report(&sources, &[d]))?;
    let file = sources.add(path.display().to_string(), text);
    Ok((sources, file))
}

fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = read_file(path, files::SOURCE_LIMIT)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let msg = format!(
            "`{}` is not UTF-8 text (invalid byte at offset {at})",
            path.display()
        );
        Diagnostic::error(codes::FILE_NOT_TEXT, msg).with_help("zkmc reads `.zkm` source files")
    })
}

/// Reads `path` whole, refusing it (E0006) when it holds more than `limit` bytes.
///
/// # Errors
/// E0001 for a file that cannot be read (missing, a directory, a device), E0006 for one over the
/// limit.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    files::read_limited(path, limit).map_err(|e| {
        let code = match e.is_too_large() {
            true => codes::FILE_TOO_LARGE,
            false => codes::FILE_UNREADABLE,
        };
        Diagnostic::error(code, format!("cannot read `{}`: {e}", shown(path)))
    })
}

/// A path for a message, with control characters escaped.
pub fn shown(path: &Path) -> String {
    escape_controls(&path.display().to_string())
}

/// `text` with every control character but the newline written as an escape (`\u{1b}`), so
/// that names from untrusted files cannot drive the terminal.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_owned();
    }
    text.chars()
        .map(|c| match c.is_control() && c != '\n' {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Prints diagnostics to standard error and returns the exit code they imply.
pub fn report(sources: &SourceMap, diagnostics: &[Diagnostic]) -> i32 {
    if diagnostics.is_empty() {
        return EXIT_OK;
    }
    render::emit_stderr(sources, diagnostics, std::io::stderr().is_terminal());
    if diagnostics
        .iter()
        .any(|d| d.severity == zkm_diagnostics::Severity::Bug)
    {
        EXIT_BUG
    } else if diagnostics.iter().any(Diagnostic::is_fatal) {
        EXIT_USER
    } else {
        EXIT_OK
    }
}

pub use zkm_runtime::files::io_reason;

/// Prints one line to standard output. A closed pipe (`zkmc ... | head`) is not an error.
/// Control characters in it are escaped.
pub fn out(line: &str) {
    out_raw(&format!("{}\n", escape_controls(line)));
}

/// Prints text to standard output as is, ignoring a closed pipe.
pub fn out_raw(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

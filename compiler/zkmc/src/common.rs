//! Shared CLI plumbing: reading sources, rendering diagnostics, writing files atomically.

use std::io::IsTerminal;
use std::path::Path;

use zkm_diagnostics::{codes, render, Diagnostic, FileId, SourceMap};

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code when the input is wrong (diagnostics were printed).
pub const EXIT_USER: i32 = 1;
/// Exit code for an internal error.
pub const EXIT_BUG: i32 = 3;

/// Reads a source file into a new source map, or returns the diagnostic explaining why not.
pub fn load_source(path: &Path) -> Result<(SourceMap, FileId), (SourceMap, Diagnostic)> {
    let sources = SourceMap::new();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let d = Diagnostic::error(
                codes::FILE_UNREADABLE,
                format!("cannot read `{}`: {e}", path.display()),
            );
            return Err((sources, d));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let mut sources = sources;
            let file = sources.add(path.display().to_string(), text);
            Ok((sources, file))
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let msg = format!(
                "`{}` is not UTF-8 text (invalid byte at offset {at})",
                path.display()
            );
            Err((
                sources,
                Diagnostic::error(codes::FILE_NOT_TEXT, msg)
                    .with_help("zkmc reads `.zkm` source files"),
            ))
        }
    }
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

/// Writes `contents` to `path` atomically (temporary file + rename), creating parent folders.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), Diagnostic> {
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            codes::FILE_UNWRITABLE,
            format!("cannot write `{}`: {e}", path.display()),
        )
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("tmp-zkmc");
    std::fs::write(&tmp, contents).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

/// Prints one line to standard output.
#[allow(clippy::print_stdout)]
pub fn out(line: &str) {
    println!("{line}");
}

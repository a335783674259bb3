//! Shared CLI plumbing: reading sources, rendering diagnostics, writing output files atomically.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use zkm_diagnostics::{codes, render, Diagnostic, FileId, SourceMap};

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
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            codes::FILE_UNREADABLE,
            format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let msg = format!(
            "`{}` is not UTF-8 text (invalid byte at offset {at})",
            path.display()
        );
        Diagnostic::error(codes::FILE_NOT_TEXT, msg).with_help("zkmc reads `.zkm` source files")
    })
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

/// Writes every `(path, contents)` pair into `dir`, creating it if needed, all or nothing.
///
/// Each file is first written under a temporary name; only when all are written are they renamed
/// into place. On failure the temporary files, any file already renamed by this call and a folder
/// this call created are removed, so no partial set of outputs is left behind.
pub fn write_all_atomic(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), Diagnostic> {
    let created = create_dir(dir)?;
    let result = write_then_rename(files);
    if result.is_err() && created {
        let _ = std::fs::remove_dir(dir);
    }
    result
}

/// Creates `dir` and its parents; returns whether it did not exist before.
fn create_dir(dir: &Path) -> Result<bool, Diagnostic> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(false);
    }
    let fail = |reason: String| {
        Diagnostic::error(
            codes::FILE_UNWRITABLE,
            format!(
                "cannot create output directory `{}`: {reason}",
                dir.display()
            ),
        )
    };
    if dir.exists() {
        return Err(fail("a file with that name exists".to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(io_reason(&e)))?;
    Ok(true)
}

fn write_then_rename(files: &[(PathBuf, Vec<u8>)]) -> Result<(), Diagnostic> {
    let fail = |path: &Path, e: std::io::Error| {
        Diagnostic::error(
            codes::FILE_UNWRITABLE,
            format!("cannot write `{}`: {}", path.display(), io_reason(&e)),
        )
    };
    let tmps: Vec<PathBuf> = files.iter().map(|(p, _)| temporary_name(p)).collect();
    for (i, ((path, text), tmp)) in files.iter().zip(&tmps).enumerate() {
        if let Err(e) = std::fs::write(tmp, text) {
            remove_files(&tmps[..=i]);
            return Err(fail(path, e));
        }
    }
    for (i, ((path, _), tmp)) in files.iter().zip(&tmps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            let renamed: Vec<PathBuf> = files[..i].iter().map(|(p, _)| p.clone()).collect();
            remove_files(&renamed);
            remove_files(&tmps[i..]);
            return Err(fail(path, e));
        }
    }
    Ok(())
}

fn remove_files(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

/// `path` with `.tmp-zkmc` appended, unique per output file.
fn temporary_name(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp-zkmc");
    PathBuf::from(name)
}

/// The reason of an IO error for a message: "no such file or directory", without the OS code.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error ").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}

/// Prints one line to standard output. A closed pipe (`zkmc ... | head`) is not an error.
pub fn out(line: &str) {
    out_raw(&format!("{line}\n"));
}

/// Prints text to standard output as is, ignoring a closed pipe.
pub fn out_raw(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

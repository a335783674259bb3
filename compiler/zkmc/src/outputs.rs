//! Output files: default names, the check that an output is not one of the command's inputs,
//! and all-or-nothing writing that keeps the previous files when anything fails.
//!
//! Files are written under temporary names in their own folder (`.NAME.PID.tmp-zkmc`), then
//! renamed into place. A file about to be replaced is first renamed aside, and put back if a
//! later rename fails. The temporary files of a command are registered while they exist, and an
//! interrupt (Ctrl-C, `kill`) removes them before zkmc exits.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zkm_diagnostics::{codes, Diagnostic};

use crate::common::{io_reason, shown};

/// Temporary files that exist now, removed on an interrupt.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the interrupt handler that removes pending temporary files (once per process).
pub fn install_interrupt_cleanup() {
    let _ = ctrlc::set_handler(|| {
        remove_files(&take_pending());
        std::process::exit(130);
    });
}

fn take_pending() -> Vec<PathBuf> {
    match PENDING.lock() {
        Ok(mut list) => std::mem::take(&mut *list),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    }
}

fn set_pending(paths: &[PathBuf]) {
    let mut list = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    list.clear();
    list.extend_from_slice(paths);
}

/// The default name of an output derived from the model's file name: `examples/m/m.zkm` and
/// `out/m.air.json` both give `m` + `suffix`, in the current folder. Characters other than ASCII
/// letters, digits, `_` and `-` become `_`, so the name is one plain file name.
pub fn default_name(model: &Path, suffix: &str) -> PathBuf {
    let file = model.file_name().map(|f| f.to_string_lossy().into_owned());
    let file = file.unwrap_or_default();
    let stem = [".air.json", ".json", ".zkm"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))
        .unwrap_or(&file);
    PathBuf::from(format!("{}{suffix}", sanitize(stem)))
}

/// `name` as a plain file name: ASCII letters, digits, `_` and `-` kept, everything else `_`,
/// at most 100 characters, `model` when nothing is left.
pub fn sanitize(name: &str) -> String {
    let clean: String = name
        .chars()
        .take(100)
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                true => c,
                false => '_',
            },
        )
        .collect();
    match clean.trim_matches('_').is_empty() {
        true => "model".to_owned(),
        false => clean,
    }
}

/// Refuses (E0005) an output path that is the same file as one of `inputs` (compared as files:
/// links and other spellings of a path are caught).
pub fn refuse_clobber(outputs: &[&Path], inputs: &[&Path]) -> Result<(), Diagnostic> {
    for out in outputs {
        for input in inputs {
            if same_file::is_same_file(out, input).unwrap_or(false) {
                let msg = format!(
                    "the output `{}` is the input `{}`: writing it would destroy the input",
                    shown(out),
                    shown(input)
                );
                return Err(Diagnostic::error(codes::OUTPUT_IS_INPUT, msg)
                    .with_help("choose another output path with `-o`"));
            }
        }
    }
    Ok(())
}

/// Writes every `(path, contents)` pair into `dir`, creating it if needed, all or nothing: on
/// failure no temporary file is left, files this call replaced are restored, and a folder it
/// created is removed.
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
            format!("cannot create output directory `{}`: {reason}", shown(dir)),
        )
    };
    if dir.exists() {
        return Err(fail("a file with that name exists".to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(io_reason(&e)))?;
    Ok(true)
}

fn unwritable(path: &Path, reason: &str) -> Diagnostic {
    Diagnostic::error(
        codes::FILE_UNWRITABLE,
        format!("cannot write `{}`: {reason}", shown(path)),
    )
}

fn write_then_rename(files: &[(PathBuf, Vec<u8>)]) -> Result<(), Diagnostic> {
    for (path, _) in files {
        if path.is_dir() {
            return Err(unwritable(path, "a directory with that name exists"));
        }
    }
    let tmps: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| temporary_name(p, "tmp"))
        .collect();
    set_pending(&tmps);
    let written = write_temporaries(files, &tmps);
    hold_for_tests();
    let result = written.and_then(|()| rename_all(files, &tmps));
    if result.is_err() {
        remove_files(&tmps);
    }
    set_pending(&[]);
    result
}

/// Test hook: `ZKMC_TEST_HOLD_WRITES_MS=N` waits N ms (at most a minute) between writing the
/// temporary files and renaming them, so that a test can interrupt zkmc while they exist.
fn hold_for_tests() {
    let ms = std::env::var("ZKMC_TEST_HOLD_WRITES_MS").ok();
    if let Some(ms) = ms.and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

fn write_temporaries(files: &[(PathBuf, Vec<u8>)], tmps: &[PathBuf]) -> Result<(), Diagnostic> {
    for ((path, bytes), tmp) in files.iter().zip(tmps) {
        std::fs::write(tmp, bytes).map_err(|e| {
            let reason = format!("its temporary `{}`: {}", shown(tmp), io_reason(&e));
            unwritable(path, &reason)
        })?;
    }
    Ok(())
}

/// Renames the temporaries into place; on a failure puts back every file already replaced.
fn rename_all(files: &[(PathBuf, Vec<u8>)], tmps: &[PathBuf]) -> Result<(), Diagnostic> {
    // (target, the previous file moved aside, if there was one)
    let mut done: Vec<(&Path, Option<PathBuf>)> = Vec::new();
    for ((path, _), tmp) in files.iter().zip(tmps) {
        match replace(path, tmp) {
            Ok(backup) => done.push((path, backup)),
            Err(e) => {
                restore(&done);
                return Err(unwritable(path, &io_reason(&e)));
            }
        }
    }
    for (_, backup) in &done {
        if let Some(b) = backup {
            let _ = std::fs::remove_file(b);
        }
    }
    Ok(())
}

/// Moves an existing `path` aside, then renames `tmp` to `path`; returns where the previous
/// file went.
fn replace(path: &Path, tmp: &Path) -> std::io::Result<Option<PathBuf>> {
    let backup = match path.is_file() {
        true => {
            let b = temporary_name(path, "old");
            std::fs::rename(path, &b)?;
            Some(b)
        }
        false => None,
    };
    if let Err(e) = std::fs::rename(tmp, path) {
        if let Some(b) = &backup {
            let _ = std::fs::rename(b, path);
        }
        return Err(e);
    }
    Ok(backup)
}

/// Undoes the renames of `done`: each new file is removed and the previous one put back.
fn restore(done: &[(&Path, Option<PathBuf>)]) {
    for (path, backup) in done.iter().rev() {
        let _ = std::fs::remove_file(path);
        if let Some(b) = backup {
            let _ = std::fs::rename(b, path);
        }
    }
}

fn remove_files(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

/// `.NAME.PID.KIND-zkmc` beside `path`: unique per process and output file.
fn temporary_name(path: &Path, kind: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = format!(
        ".{}.{}.{kind}-zkmc",
        name.unwrap_or_default(),
        std::process::id()
    );
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_come_from_the_file_name() {
        let name = |p: &str| default_name(Path::new(p), ".proof");
        assert_eq!(name("examples/m/mlp.zkm"), PathBuf::from("mlp.proof"));
        assert_eq!(name("out/mlp.air.json"), PathBuf::from("mlp.proof"));
        assert_eq!(name("../../x/a b;c.zkm"), PathBuf::from("a_b_c.proof"));
        assert_eq!(name("/"), PathBuf::from("model.proof"));
        assert_eq!(name(".."), PathBuf::from("model.proof"));
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zkmc-outputs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn outputs_clobber_inputs_failed_build_keeps_the_previous_files() {
        let dir = scratch("keep");
        let (a, b) = (dir.join("m.air.json"), dir.join("m.air.txt"));
        std::fs::write(&a, "old artifact").unwrap();
        std::fs::write(&b, "old listing").unwrap();
        let files = vec![(a.clone(), b"new".to_vec()), (b.clone(), b"new".to_vec())];
        let tmps: Vec<PathBuf> = files
            .iter()
            .map(|(p, _)| temporary_name(p, "tmp"))
            .collect();
        std::fs::write(&tmps[0], "new artifact").unwrap();
        // The second temporary is missing: its rename fails after the first one succeeded.
        assert!(rename_all(&files, &tmps).is_err());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old artifact");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old listing");
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["m.air.json", "m.air.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_at_an_output_path_is_named_as_such() {
        let dir = scratch("dir");
        let target = dir.join("p.proof");
        std::fs::create_dir(&target).unwrap();
        let e = write_all_atomic(&dir, &[(target.clone(), b"x".to_vec())]).unwrap_err();
        assert!(
            e.message.ends_with("a directory with that name exists"),
            "{}",
            e.message
        );
        // A directory where a temporary name would go does not matter: names are per process.
        std::fs::remove_dir(&target).unwrap();
        std::fs::create_dir(dir.join("p.proof.tmp-zkmc")).unwrap();
        write_all_atomic(&dir, &[(target.clone(), b"x".to_vec())]).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
        // This process's own temporary name taken by a directory: the error names it.
        std::fs::create_dir(temporary_name(&target, "tmp")).unwrap();
        let e = write_all_atomic(&dir, &[(target.clone(), b"y".to_vec())]).unwrap_err();
        assert!(e.message.contains("its temporary `"), "{}", e.message);
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sanitized_names_never_leave_the_folder() {
        for hostile in [
            "../../PWNED",
            "/etc/passwd",
            "a\u{1b}[31m",
            "..",
            "",
            "\u{0}",
        ] {
            let s = sanitize(hostile);
            assert!(!s.contains('/') && !s.contains('.') && !s.is_empty(), "{s}");
            assert!(s.chars().all(|c| c.is_ascii_graphic()), "{s:?}");
        }
    }
}

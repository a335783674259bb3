//! Tidy: repository-wide checks run by `cargo test`.
//!
//! - every hand-written `.rs` file starts with a `//!` module doc;
//! - every diagnostic code in [`codes::ALL`] has a `## CODE:` section in `spec/diagnostics.md`,
//!   and every section there is a code;
//! - every code appears as `[CODE]` in at least one `.snap` file (UI, example and CLI snapshots),
//!   except the few in [`UNSNAPSHOTTED_CODES`];
//! - no pending insta snapshot (`.snap.new`, `.pending-snap`) is left in the tree;
//! - no source file is longer than [`MAX_LINES`] lines;
//! - the verifier's dependency closure (its manifest and those of the workspace crates it uses)
//!   names no crate in [`NOT_IN_VERIFIER`].
//!
//! Each failure lists every offending file or code.

use std::path::{Path, PathBuf};

use zkm_diagnostics::codes;

/// Folders whose `.rs` files must start with `//!` (those that do not exist are skipped).
const DOC_ROOTS: &[&str] = &["compiler", "runtime", "stdlib", "tests", "gpu-kernels"];

/// Folders never searched: build outputs, VCS data, caches.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules", "__pycache__"];

/// Extensions of hand-written source files, for the length limit.
const SOURCE_EXTENSIONS: &[&str] = &["rs", "lalrpop", "zkm", "py", "toml"];

/// The longest a source file may be.
const MAX_LINES: usize = 500;

/// Codes no snapshot can show yet, each with the reason.
const UNSNAPSHOTTED_CODES: &[(&str, &str)] = &[
    // An internal error: a test that produced one would be a failing test.
    ("E0000", "internal error"),
    // Only reachable on a machine without any GPU adapter; CI always has Mesa lavapipe.
    ("E0706", "no usable GPU"),
];

/// Crates the standalone verifier must never depend on, directly or through a workspace crate:
/// the compiler front end, the prover, the GPU stack and the weight-file readers.
const NOT_IN_VERIFIER: &[&str] = &[
    "zkm-syntax",
    "zkm-compiler",
    "zkm-stdlib",
    "zkm-runtime",
    "zkm-gpu-kernels",
    "winterfell",
    "winter-prover",
    "wgpu",
    "naga",
    "safetensors",
    "npyz",
    "lalrpop",
    "logos",
];

// CHECKS
// ================================================================================================

#[test]
fn verifier_depends_on_no_front_end_prover_gpu_or_weight_format() {
    let root = root();
    let crates = workspace_crates(&read(&root.join("Cargo.toml")));
    let mut todo = vec!["zkm-verifier".to_owned()];
    let (mut seen, mut named) = (Vec::new(), Vec::new());
    while let Some(name) = todo.pop() {
        if seen.contains(&name) {
            continue;
        }
        let dir = &crates
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a workspace crate")
            .1;
        for dep in dependencies(&read(&root.join(dir).join("Cargo.toml"))) {
            if crates.iter().any(|(n, _)| *n == dep) {
                todo.push(dep.clone());
            }
            named.push((name.clone(), dep));
        }
        seen.push(name);
    }
    assert!(seen.contains(&"zkm-air".to_owned()), "closure: {seen:?}");
    let bad: Vec<String> = named
        .iter()
        .filter(|(_, dep)| NOT_IN_VERIFIER.contains(&dep.as_str()))
        .map(|(by, dep)| format!("{dep} (through {by})"))
        .collect();
    assert!(bad.is_empty(), "zkm-verifier depends on {bad:?}");
}

#[test]
fn rust_files_start_with_module_doc() {
    let offenders: Vec<String> = DOC_ROOTS
        .iter()
        .flat_map(|dir| files_under(&root().join(dir)))
        .filter(|p| has_extension(p, "rs") && !is_generated(p))
        .filter(|p| !read(p).starts_with("//!"))
        .map(|p| rel(&p))
        .collect();
    assert!(
        offenders.is_empty(),
        "these .rs files do not start with a `//!` module doc:\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn every_code_has_a_spec_section_and_back() {
    let spec = read(&root().join("spec/diagnostics.md"));
    let sections = spec_sections(&spec);
    let all: Vec<&str> = codes::ALL.iter().map(|c| c.0).collect();
    let undocumented: Vec<&str> = all
        .iter()
        .copied()
        .filter(|c| !sections.contains(c))
        .collect();
    let unknown: Vec<&str> = sections
        .iter()
        .copied()
        .filter(|c| !all.contains(c))
        .collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "codes in codes::ALL without a `## CODE:` section in spec/diagnostics.md: {undocumented:?}\n\
         sections in spec/diagnostics.md that are not in codes::ALL: {unknown:?}"
    );
}

#[test]
fn every_code_appears_in_a_snapshot() {
    let snaps: Vec<(PathBuf, String)> = files_under(&root())
        .into_iter()
        .filter(|p| has_extension(p, "snap"))
        .map(|p| {
            let text = read(&p);
            (p, text)
        })
        .collect();
    let shown = |code: &str| {
        let tag = format!("[{code}]");
        snaps.iter().any(|(_, text)| text.contains(&tag))
    };
    let allowed = |code: &str| UNSNAPSHOTTED_CODES.iter().any(|(c, _)| *c == code);
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.0)
        .filter(|c| !allowed(c) && !shown(c))
        .collect();
    let stale: Vec<&str> = UNSNAPSHOTTED_CODES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| shown(c))
        .collect();
    assert!(
        missing.is_empty(),
        "no `.snap` file shows these codes as `[CODE]` ({} snapshots searched); add a UI case \
         under tests/ui/ or a CLI case in compiler/zkmc/tests/cli.rs that produces each: \
         {missing:?}",
        snaps.len()
    );
    assert!(
        stale.is_empty(),
        "these codes are in UNSNAPSHOTTED_CODES but a snapshot shows them now; remove them from \
         the list: {stale:?}"
    );
}

#[test]
fn no_pending_snapshots() {
    let pending: Vec<String> = files_under(&root())
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".snap.new") || name.ends_with(".pending-snap")
        })
        .map(|p| rel(&p))
        .collect();
    assert!(
        pending.is_empty(),
        "pending insta snapshots; review them with `cargo insta review` (or delete them):\n  {}",
        pending.join("\n  ")
    );
}

/// The workspace denies `unsafe` code; the one allowed exception is the allocator setting in
/// `runtime/src/memory.rs` (ARCHITECTURE.md); allowing unsafe code anywhere else fails here.
#[test]
fn unsafe_code_only_where_allowed() {
    const ALLOWED: &[&str] = &["runtime/src/memory.rs"];
    let needle = ["allow(", "unsafe_code)"].concat();
    let offenders: Vec<String> = files_under(&root())
        .into_iter()
        .filter(|p| has_extension(p, "rs") && !is_generated(p))
        .filter(|p| read(p).contains(&needle))
        .map(|p| rel(&p))
        .filter(|r| !ALLOWED.contains(&r.as_str()))
        .collect();
    assert!(
        offenders.is_empty(),
        "`unsafe` code allowed outside {ALLOWED:?}:\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn no_long_source_files() {
    let long: Vec<String> = files_under(&root())
        .into_iter()
        .filter(|p| SOURCE_EXTENSIONS.iter().any(|e| has_extension(p, e)))
        .filter(|p| !is_generated(p))
        .filter_map(|p| {
            let lines = read(&p).lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", rel(&p)))
        })
        .collect();
    assert!(
        long.is_empty(),
        "source files longer than {MAX_LINES} lines; split them:\n  {}",
        long.join("\n  ")
    );
}

// HELPERS
// ================================================================================================

fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

/// `path` relative to the repository root, with `/` separators.
fn rel(path: &Path) -> String {
    let root = root();
    let rel = path.strip_prefix(&root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Every file under `dir` (none if it does not exist), outside [`SKIPPED_DIRS`], sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                    stack.push(path);
                }
            } else if kind.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e == ext)
}

/// Text of a file; non-UTF-8 bytes are replaced (none of the checks needs them).
fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Generated files say so (`@generated`) in their first lines.
fn is_generated(path: &Path) -> bool {
    read(path).lines().take(5).any(|l| l.contains("@generated"))
}

/// The codes of the `## E....:` headings of `spec/diagnostics.md`.
fn spec_sections(spec: &str) -> Vec<&str> {
    spec.lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split_once(':').map(|(code, _)| code))
        .filter(|c| {
            c.len() == 5 && c.starts_with('E') && c[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect()
}

/// `(name, folder)` of every workspace crate with a `path` in `[workspace.dependencies]`.
fn workspace_crates(manifest: &str) -> Vec<(String, String)> {
    let lines = manifest.lines().filter(|l| l.contains("path = \""));
    let parse = |l: &str| {
        let name = l.split('=').next()?.trim().to_owned();
        let path = l.split("path = \"").nth(1)?.split('"').next()?.to_owned();
        Some((name, path))
    };
    lines.filter_map(parse).collect()
}

/// The crate names in a manifest's `[dependencies]` section.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
        } else if in_deps && !line.is_empty() && !line.starts_with('#') {
            let key = line.split(['=', '.']).next().unwrap_or("").trim();
            out.push(key.to_owned());
        }
    }
    out
}

//! UI tests: what users see for each `.zkm` case.
//!
//! Every `tests/ui/<stage>/<case>.zkm` is added to a [`SourceMap`] as `ui/<stage>/<case>.zkm`,
//! checked by [`zkm_compiler::driver::check`], and its rendered diagnostics are snapshotted in
//! `tests/tests/snapshots/` as
//!
//! ```text
//! ----- SOURCE CODE
//! <the .zkm text>
//! ----- DIAGNOSTICS
//! <rendered diagnostics, or "(none)">
//! ```
//!
//! Each case file starts with a `// ` comment saying what it tests. Add a case by adding a file;
//! create its snapshot with `INSTA_UPDATE=always cargo test -p zkm-tests --test ui` and read it.

use std::path::Path;

use zkm_diagnostics::{render, SourceMap};

#[test]
fn ui() {
    insta::glob!("../ui", "**/*.zkm", |path| {
        let text = std::fs::read_to_string(path).expect("UI cases are UTF-8 text files");
        insta::assert_snapshot!(check(&display_name(path), &text));
    });
}

/// Runs the driver on one case and lays out the snapshot.
fn check(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let (_, diags) = zkm_compiler::driver::check(&mut sources, file);
    let rendered = if diags.is_empty() {
        "(none)\n".to_owned()
    } else {
        render::render(&sources, &diags)
    };
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    format!("----- SOURCE CODE\n{text}{newline}----- DIAGNOSTICS\n{rendered}")
}

/// `ui/<stage>/<case>.zkm`, independent of where the repository is checked out.
fn display_name(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let root = root.canonicalize().unwrap_or(root);
    let rel = path.strip_prefix(&root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("ui/{}", parts.join("/"))
}

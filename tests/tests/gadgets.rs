//! Per-gadget programs as data: every `tests/programs/<case>.zkm`, with `<case>.json` holding
//! `{"input": {...}, "weights": {...}}`, is compiled and run; its honest trace must satisfy every
//! constraint and reproduce the exact integer reference the witness computes. Then every main
//! column each gadget owns (its contract's `columns()`, addressed by role) is corrupted, one cell
//! at a time on the gadget's first rows, and the checker must catch the corruption on at least
//! one of them. The snapshot is the table of what catches each role; a role the checker never
//! catches is a soundness bug. Auxiliary columns are not corrupted here: the checker builds them
//! from the main trace (the soundness suite forces dishonest proofs instead). Add a case by
//! adding the two files and accepting the snapshot.

use std::path::Path;

use zkm_air::check::check;
use zkm_air::field::felt;
use zkm_air::gadgets::Owned;
use zkm_air::program::Segment;
use zkm_air::{Artifact, Trace};
use zkm_diagnostics::{render, SourceMap};

/// Rows corrupted per column (from row 0).
const ROWS: usize = 4;

fn compile(path: &Path) -> Artifact {
    let text = std::fs::read_to_string(path).expect("program");
    let mut sources = SourceMap::new();
    let name = path.file_name().expect("file name").to_string_lossy();
    let file = sources.add(format!("tests/programs/{name}"), text);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    artifact.expect("artifact")
}

fn honest_trace(path: &Path, artifact: &Artifact) -> Trace {
    let data = std::fs::read_to_string(path.with_extension("json")).expect("<case>.json");
    let data: serde_json::Value = serde_json::from_str(&data).expect("case data is JSON");
    let (input, weights) = (data["input"].to_string(), data["weights"].to_string());
    let loaded = zkm_runtime::load(&artifact.program, &input, &weights).expect("data loads");
    zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness")
}

/// What corrupting one owned column on rows `0..ROWS` does: one line for the table.
fn corrupt_column(artifact: &Artifact, honest: &Trace, gadget: usize, col: &Owned) -> String {
    let p = &artifact.program;
    // A gadget's rows of a shared column (stacked, or a product bank's) are named by an alias
    // that says where they start; its own columns start at its placement.
    let alias = p
        .aliases
        .iter()
        .find(|a| a.column == col.column && a.gadget as usize == gadget);
    let placement = p.placements.get(gadget).map_or(0, |&o| o as usize);
    let first = alias.map_or(placement, |a| a.first_row as usize);
    let name = alias.map_or(&p.main_columns[col.column as usize].name, |a| &a.name);
    let mut caught = Vec::new();
    for row in 0..ROWS.min(p.trace_len - 1) {
        let mut trace = honest.clone();
        trace.main[col.column as usize][first + row] += felt(1);
        let failures = check(p, &trace);
        if let Some(first) = failures.first() {
            caught.push(format!("row {row}: `{}`", first.label));
        }
    }
    assert!(
        !caught.is_empty(),
        "gadget {gadget} ({}): corrupting `{name}` (role {}) on rows 0..{ROWS} is never caught",
        p.gadgets[gadget].op_name(),
        col.role
    );
    let op = p.gadgets[gadget].op_name();
    format!("{op:<16} {:<16} {name:<30} {}", col.role, caught.join("; "))
}

fn run_case(path: &Path) -> String {
    let artifact = compile(path);
    let honest = honest_trace(path, &artifact);
    let failures = check(&artifact.program, &honest);
    assert!(failures.is_empty(), "honest trace fails: {failures:?}");
    let mut lines = vec![format!(
        "{}: {} rows x {} main columns, gadgets: {}",
        artifact.program.name,
        artifact.program.trace_len,
        artifact.program.main_columns.len(),
        gadget_list(&artifact)
    )];
    for (g, gadget) in artifact.program.gadgets.iter().enumerate() {
        let owned = gadget.columns().into_iter();
        for col in owned.filter(|c| c.segment == Segment::Main) {
            lines.push(corrupt_column(&artifact, &honest, g, &col));
        }
    }
    lines.join("\n")
}

fn gadget_list(artifact: &Artifact) -> String {
    let ops: Vec<&str> = artifact
        .program
        .gadgets
        .iter()
        .map(|g| g.op_name())
        .collect();
    ops.join(", ")
}

#[test]
fn every_owned_column_is_constrained() {
    insta::glob!("../programs", "*.zkm", |path| {
        insta::assert_snapshot!(run_case(path));
    });
}

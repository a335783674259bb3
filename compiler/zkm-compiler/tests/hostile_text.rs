//! Hostile text: what the rendered diagnostics of strange files look like.
//!
//! Huge identifiers and lines must give a short rendering, control characters must never reach
//! the output raw, and old Mac line endings and byte order marks must read like any other file.

use zkm_diagnostics::{render, SourceMap};

/// Checks `src` and renders its diagnostics.
fn rendered(src: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add("hostile.zkm", src);
    let (_, diags) = zkm_compiler::driver::check(&mut sources, file);
    render::render(&sources, &diags)
}

#[test]
fn huge_identifier_renders_a_short_window() {
    let name = "a".repeat(1 << 20);
    let out = rendered(&format!("model m {{\n    let {name} = 1;\n}}\n"));
    assert!(out.contains("error[E0103]"), "{out}");
    assert!(out.contains("hostile.zkm:2:9"), "{out}");
    assert!(out.len() < 1000, "{} bytes rendered", out.len());
    assert!(out.contains('…'));
}

#[test]
fn label_far_into_a_huge_line_keeps_its_column() {
    let pad = " ".repeat(100_000);
    let out = rendered(&format!("model m {{{pad}input x: fixed<16, 8>; # }}"));
    assert!(out.contains("hostile.zkm:1:100033"), "{out}");
    assert!(out.len() < 1000, "{} bytes rendered", out.len());
}

#[test]
fn control_characters_never_reach_the_output() {
    // An escape sequence that would clear the screen, in an unknown-character run and in a
    // comment on the same line.
    let out = rendered("model m { \u{1b}[2J } // \u{7}\u{202e}\n");
    assert!(out.contains("error[E0101]"), "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(!out.contains('\u{202e}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "{out}");
}

#[test]
fn cr_line_endings_give_the_right_lines() {
    // Before: the first comment ran to the end of the file, "no model in this file".
    let src = "// old Mac\rmodel m {\r    input x: fixed<16, 8>;\r    output y: fixed<16, 8>;\r    y = z;\r}\r";
    let out = rendered(src);
    assert!(out.contains("error[E0301]: cannot find `z`"), "{out}");
    assert!(out.contains("hostile.zkm:5:9"), "{out}");
    assert!(out.contains("5 │     y = z;"), "{out}");
}

#[test]
fn bom_gives_no_diagnostic_and_columns_without_it() {
    let valid = "\u{feff}model m { input x: fixed<16, 8>; output y: fixed<16, 8>; y = x; }";
    assert_eq!(rendered(valid), "");
    let out = rendered("\u{feff}model m { output y: fixed<16, 8>; y = z; }");
    assert!(out.contains("hostile.zkm:1:39"), "{out}");
}

//! Unit tests of semantic analysis on small models: the IR of a valid model, and a few
//! properties that UI snapshots do not show.

use zkm_diagnostics::{render, Diagnostic, SourceMap};

use crate::ir::Program;

/// Runs `driver::check` on `src`; returns the program, the rendered diagnostics and the map.
fn run(src: &str) -> (Option<Program>, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("test.zkm", src);
    let (program, diags) = crate::driver::check(&mut sources, file);
    (program, diags, sources)
}

/// The IR listing of a valid model (panics with the rendered diagnostics otherwise).
fn ir(src: &str) -> String {
    let (program, diags, sources) = run(src);
    match program {
        Some(p) if diags.is_empty() => super::dump(&p, &sources),
        _ => panic!(
            "expected a valid model:\n{}",
            render::render(&sources, &diags)
        ),
    }
}

/// The codes of the diagnostics of `src`, in order.
fn codes(src: &str) -> Vec<&'static str> {
    run(src).1.iter().map(|d| d.code.0).collect()
}

#[test]
fn ir_of_a_small_mlp() {
    insta::assert_snapshot!(ir(r#"
use std::nn;

fn layer(x, w: fixed<16, 8>[4, 3], b) {
    relu(rescale_clamp(x @ w + b, fixed<16, 8>))
}

/// A tiny classifier.
model tiny {
    input x: fixed<16, 8>[4];
    param w1: fixed<16, 8>[4, 3];
    param b1: fixed<32, 16>[3];
    public output class: int<8>;
    output score: fixed<24, 8>;
    let h = layer(x, w1, b1);
    let centred = h - 0.5;
    class = nn::classify(centred * 2);
    score = rescale(sum(h), fixed<24, 8>);
}
"#));
}

#[test]
fn literals_take_the_other_operands_scale() {
    let listing = ir(r#"
model m {
    input x: fixed<16, 8>[2];
    output y: fixed<20, 8>[2];
    y = x + 0.25 - (1 + 0.5);
}
"#);
    assert!(listing.contains("const 64 : [] frac 8"), "{listing}");
    assert!(listing.contains("const 384 : [] frac 8"), "{listing}");
}

#[test]
fn stdlib_is_added_once_and_spans_point_into_it() {
    let src = "use std::nn;\nuse std::nn::dense;\nmodel m {\n input x: int<8>[2];\n param w: int<8>[2, 2];\n param b: int<16>[2];\n output y: int<24>[2];\n y = dense(x, w, b) + std::nn::dense(x, w, b) - nn::dense(x, w, b);\n}\n";
    let (program, diags, sources) = run(src);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    assert_eq!(sources.name(zkm_diagnostics::FileId(1)), "std/nn.zkm");
    assert_eq!(sources.name(zkm_diagnostics::FileId(2)), "<unknown>");
    let listing = super::dump(&program.expect("valid"), &sources);
    assert!(
        listing.contains("matmul %0, %1 : [2] frac 0 range [-32512, 32768] @ std/nn.zkm:9:5"),
        "{listing}"
    );
}

#[test]
fn errors_are_reported_once_and_independently() {
    // The unknown name poisons `h`; its uses report nothing more. The scale error is separate.
    let src = r#"
model m {
    input x: fixed<16, 8>[4];
    input s: fixed<16, 4>[4];
    output y: fixed<16, 8>[4];
    output z: fixed<16, 8>[4];
    let h = relu(xx);
    y = h + h * h;
    z = x + s;
}
"#;
    assert_eq!(codes(src), ["E0301", "E0402"]);
}

#[test]
fn errors_inside_a_function_are_reported_once_per_call_site_problem() {
    let src = r#"
fn f(a) { a + 1.1 }
model m {
    input x: fixed<16, 8>[4];
    output y: fixed<16, 8>[4];
    output z: fixed<16, 8>[4];
    y = f(x);
    z = f(x);
}
"#;
    // Two calls, each with its own call-site label.
    assert_eq!(codes(src), ["E0409", "E0409"]);
}

#[test]
fn uncalled_functions_are_still_resolved() {
    let src = "fn unused(a) { a + b }\nfn rec(a) { rec(a) }\nmodel m { input x: int<8>; output y: int<8>; y = x; }";
    assert_eq!(codes(src), ["E0301", "E0306"]);
}

#[test]
fn no_program_when_there_is_an_error() {
    let (program, diags, _) = run("model m { input x: int<8>; output y: int<4>; y = x; }");
    assert!(program.is_none());
    assert_eq!(
        diags.iter().map(|d| d.code.0).collect::<Vec<_>>(),
        ["E0502"]
    );
}

#[test]
fn deep_chains_of_inlined_calls_are_cut_off_without_overflowing_the_stack() {
    // 64 functions, each nesting the next call 200 levels deep (`((f(x) + x) + x) ...`).
    let mut src = String::from("fn f64(x) { x }\n");
    for i in 0..64 {
        let body = format!("f{}(x){}", i + 1, " + x".repeat(200));
        src.push_str(&format!("fn f{i}(x) {{ {body} }}\n"));
    }
    src.push_str("model m { input x: int<8>; output y: int<8>; y = f0(x); }\n");
    assert_eq!(codes(&src), ["E0306"]);
}

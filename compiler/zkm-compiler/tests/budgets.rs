//! Hostile sources: models that expand exponentially through inlining, and very long files.
//!
//! The sources are generated here (never committed). Each test is named after the defect it
//! guards against and would have run out of memory or time before the budgets and the linear
//! scopes existed. No test measures time: the budget tests check the code and the call chain,
//! the scaling tests that a file with tens of thousands of statements checks completely.

use zkm_diagnostics::{render, Diagnostic, SourceMap};

/// Runs `driver::check` on `src`: the diagnostics and their rendering.
fn check(src: &str) -> (bool, Vec<Diagnostic>, String) {
    let mut sources = SourceMap::new();
    let file = sources.add("hostile.zkm", src);
    let (program, diags) = zkm_compiler::driver::check(&mut sources, file);
    let text = render::render(&sources, &diags);
    (program.is_some(), diags, text)
}

/// Runs `driver::build` on `src`: the diagnostics and their rendering.
fn build(src: &str) -> (bool, Vec<Diagnostic>, String) {
    let mut sources = SourceMap::new();
    let file = sources.add("hostile.zkm", src);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let text = render::render(&sources, &diags);
    (artifact.is_some(), diags, text)
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.0).collect()
}

/// `levels` functions `f_i(x) = body(f_{i-1})` over `f_0(x) = relu(x)`, and a model calling the
/// last one.
fn tower(levels: usize, body: impl Fn(&str) -> String) -> String {
    let mut src = String::from("fn f_0(x) { relu(x) }\n");
    for i in 1..levels {
        src += &format!("fn f_{i}(x) {{ {} }}\n", body(&format!("f_{}", i - 1)));
    }
    let last = levels - 1;
    src + &format!(
        "model m {{\n    input x: fixed<16, 8>[4];\n    output y: fixed<16, 8>[4];\n    \
         y = f_{last}(x);\n}}\n"
    )
}

/// Asserts one E0603 whose primary label is the call in the model and whose note names the
/// chain of calls from the outermost.
fn assert_budget_error(src: &str, outermost: &str) {
    let (ok, diags, text) = check(src);
    assert!(!ok);
    assert_eq!(codes(&diags), ["E0603"], "{text}");
    assert!(text.contains(&format!("this call to `{outermost}` expands to more than")));
    assert!(text.contains(&format!("the chain of inlined calls: `{outermost}` → ")));
}

#[test]
fn budget_exponential_nested_calls() {
    let src = tower(30, |g| format!("{g}({g}(x))"));
    assert_budget_error(&src, "f_29");
    let (_, _, text) = check(&src);
    assert!(text.contains("`f_29` → `f_28` → `f_27` → … ("), "{text}");
}

#[test]
fn budget_exponential_sum_of_calls() {
    assert_budget_error(&tower(40, |g| format!("{g}(x) + {g}(x)")), "f_39");
}

#[test]
fn budget_exponential_let_chain_in_functions() {
    let src = tower(40, |g| format!("let a = {g}(x); let b = {g}(a); b"));
    assert_budget_error(&src, "f_39");
}

#[test]
fn budget_exponential_calls_that_create_no_nodes() {
    // Identity functions create no IR node: only the inlined-expression budget stops them.
    let src = tower(40, |g| format!("{g}({g}(x))")).replace("relu(x)", "x");
    assert_budget_error(&src, "f_39");
}

#[test]
fn budget_leaves_a_model_within_it_alone() {
    // 2^12 relu nodes: far below the budget.
    let (ok, diags, text) = check(&tower(13, |g| format!("{g}({g}(x))")));
    assert!(ok && diags.is_empty(), "{text}");
}

#[test]
fn budget_lowering_stops_at_the_trace_width() {
    // 2^15 gadgets pass semantic analysis but can never fit the prover's 255 columns: the
    // lowering stops at the first gadget beyond them instead of lowering all of them.
    let (ok, diags, text) = build(&tower(16, |g| format!("{g}({g}(x))")));
    assert!(!ok);
    assert_eq!(codes(&diags), ["E0602"], "{text}");
    assert!(text.contains("more than"), "{text}");
}

/// A model with `n` chained `let`s, each adding one node.
fn chained_lets(n: usize) -> String {
    let mut src = String::from("model m {\n    input x: fixed<16, 8>[4];\n    output y: fixed<16, 8>[4];\n    let a0 = x;\n");
    for i in 1..n {
        src += &format!("    let a{i} = relu(a{});\n", i - 1);
    }
    src + &format!("    y = a{};\n}}\n", n - 1)
}

#[test]
fn scale_chained_lets_are_linear() {
    let (ok, diags, text) = check(&chained_lets(50_000));
    assert!(ok && diags.is_empty(), "{}", &text[..text.len().min(2000)]);
}

#[test]
fn scale_many_declarations_are_linear() {
    let mut src = String::from("model m {\n");
    for i in 0..50_000 {
        src += &format!("    input x{i}: fixed<16, 8>;\n");
    }
    src += "    output y: fixed<16, 8>;\n    y = x49999;\n}\n";
    let (ok, diags, text) = check(&src);
    assert!(ok && diags.is_empty(), "{}", &text[..text.len().min(2000)]);
}

#[test]
fn scale_many_names_defined_later_are_linear() {
    // Every `let` reads a name defined by the next one: 20k "defined later" notes, and as
    // many suggestions as the suggestion budget allows.
    let n = 20_000;
    let mut src =
        String::from("model m {\n    input x: fixed<16, 8>;\n    output y: fixed<16, 8>;\n");
    for i in 0..n {
        src += &format!("    let a{i} = a{};\n", i + 1);
    }
    src += &format!("    let a{n} = x;\n    y = a0;\n}}\n");
    let (ok, diags, _) = check(&src);
    assert!(!ok);
    assert_eq!(diags.len(), n);
    assert!(diags.iter().all(|d| d.code.0 == "E0301"));
    assert!(diags
        .iter()
        .all(|d| d.notes.iter().any(|n| n.contains("defined later"))));
}

//! `parse` must never panic or overflow the stack, whatever the input.
//!
//! These tests run on the default test thread (2 MiB stack) on purpose. Each builds its input in
//! code, parses it, drops the AST and checks the diagnostic codes.

use zkm_diagnostics::{codes, Code, Diagnostic, FileId};
use zkm_syntax::{ast::Module, parse, MAX_DIAGNOSTICS};

fn run(text: &str) -> (Module, Vec<Diagnostic>) {
    parse(FileId(0), text)
}

fn codes_of(diags: &[Diagnostic]) -> Vec<Code> {
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn empty_input() {
    let (module, diags) = run("");
    assert_eq!(module, Module::default());
    assert!(diags.is_empty());
}

#[test]
fn whitespace_and_comments_only() {
    let (module, diags) = run("  \n// nothing\n/* here */\n");
    assert!(module.items.is_empty());
    assert!(diags.is_empty());
}

#[test]
fn identifier_of_200_000_chars() {
    let name = "a".repeat(200_000);
    let (module, diags) = run(&format!("model m {{ let {name} = 1; }}"));
    assert_eq!(codes_of(&diags), vec![codes::IDENT_TOO_LONG]);
    assert_eq!(
        module.items.len(),
        1,
        "lexing and parsing go on after E0103"
    );
}

#[test]
fn nested_parentheses_20_000() {
    let text = format!(
        "fn f(x) {{ {}x{} }}",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let (module, diags) = run(&text);
    assert_eq!(codes_of(&diags), vec![codes::NESTING_TOO_DEEP]);
    assert!(module.items.is_empty());
    // The primary label points at the first opener beyond the limit (the 66th bracket of the
    // file, counting the `{`).
    let start = diags[0].labels[0].span.start as usize;
    assert_eq!(&text[start..start + 1], "(");
    assert_eq!(text[..start].matches(['(', '{']).count(), 65);
}

#[test]
fn unclosed_parentheses_20_000() {
    let (_, diags) = run(&"(".repeat(20_000));
    assert_eq!(codes_of(&diags), vec![codes::NESTING_TOO_DEEP]);
}

#[test]
fn unary_minus_20_000() {
    let text = format!("fn f(x) {{ {}x }}", "- ".repeat(20_000));
    let (_, diags) = run(&text);
    assert_eq!(codes_of(&diags), vec![codes::NESTING_TOO_DEEP]);
}

#[test]
fn sum_of_100_000_terms() {
    let terms = vec!["a"; 100_000].join("+");
    let (module, diags) = run(&format!("fn f(a) {{ {terms} }}"));
    assert_eq!(
        codes_of(&diags),
        vec![codes::NESTING_TOO_DEEP],
        "reported once"
    );
    drop(module);
}

#[test]
fn nesting_at_the_limits_is_accepted() {
    let parens = format!("fn f(x) {{ {}x{} }}", "(".repeat(63), ")".repeat(63));
    assert!(run(&parens).1.is_empty());
    let minus = format!("fn f(x) {{ {}x }}", "-".repeat(64));
    assert!(run(&minus).1.is_empty());
    let sum = vec!["a"; 256].join("+");
    assert!(run(&format!("fn f(a) {{ {sum} }}")).1.is_empty());
}

#[test]
fn too_many_errors_are_capped() {
    let text = "model m {\n".to_owned() + &"let = ;\n".repeat(500) + "}\n";
    let (_, diags) = run(&text);
    assert_eq!(diags.len(), MAX_DIAGNOSTICS + 1);
    assert!(diags[MAX_DIAGNOSTICS]
        .message
        .starts_with("too many errors"));
}

#[test]
fn control_characters_and_nul() {
    let (_, diags) = run("model m {\0\u{1}\u{7f} }\u{feff}");
    assert_eq!(
        codes_of(&diags),
        vec![codes::UNKNOWN_CHARACTER, codes::UNKNOWN_CHARACTER]
    );
}

/// A small deterministic xorshift generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..200 {
        let len = (rng.next() % 2_000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let (_, diags) = run(&text);
        assert!(diags.len() <= MAX_DIAGNOSTICS + 1);
    }
}

#[test]
fn random_tokens_never_panic() {
    const PIECES: &[&str] = &[
        "model", "fn", "use", "let", "input", "param", "output", "public", "int", "fixed", "x",
        "nn", "::", "(", ")", "[", "]", "{", "}", "<", ">", ",", ";", ":", "=", "+", "-", "*", "@",
        "1", "2.5", "3x", "///d\n", "//!d\n", "/*", "*/", "\n", " ", "$",
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let len = (rng.next() % 200) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(rng.next() as usize) % PIECES.len()])
            .collect();
        let (_, diags) = run(&text);
        assert!(diags.len() <= MAX_DIAGNOSTICS + 1);
    }
}

#[test]
fn many_cascading_errors_on_one_line() {
    // Every `c = d` after the first is a missing-`;` error on the same line: all but the first
    // are cascades. Converting them must stay linear in the file size.
    let text = format!("model m {{ {} }}", "a = b ".repeat(50_000));
    let (_, diags) = run(&text);
    assert_eq!(codes_of(&diags), vec![codes::UNEXPECTED_TOKEN]);
}

#[test]
fn cr_line_endings_end_line_comments() {
    // Old Mac files end lines with a lone `\r`: a `//` comment stops there.
    let text = "// a comment\rmodel m {\r  input x: fixed<16, 8>;\r  output y: fixed<16, 8>;\r  y = x; // done\r}\r";
    let (module, diags) = run(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(module.items.len(), 1);
}

#[test]
fn bom_at_the_start_is_skipped_with_spans_intact() {
    let text = "\u{feff}model m { input x: fixed<16, 8>; output y: fixed<16, 8>; y = x; }";
    let (module, diags) = run(text);
    assert!(diags.is_empty(), "{diags:?}");
    let Some(zkm_syntax::ast::Item::Model(m)) = module.items.first() else {
        panic!("expected the model");
    };
    let name = m.name.span;
    assert_eq!(&text[name.start as usize..name.end as usize], "m");
}

#[test]
fn a_bom_after_the_start_is_still_an_unknown_character() {
    let (_, diags) = run("model m { \u{feff} }");
    assert!(codes_of(&diags).contains(&codes::UNKNOWN_CHARACTER));
}

#[test]
fn statements_300_000_parse_without_recursion() {
    // Statement lists are built iteratively: a long body neither overflows the stack nor
    // takes quadratic time.
    let mut text = String::from("model m { input x: fixed<16, 8>; output y: fixed<16, 8>;\n");
    for i in 0..300_000 {
        text += &format!("let a{i} = x;\n");
    }
    text += "y = x; }";
    let (module, diags) = run(&text);
    assert!(diags.is_empty());
    let Some(zkm_syntax::ast::Item::Model(m)) = module.items.first() else {
        panic!("expected the model");
    };
    assert_eq!(m.body.len(), 300_003);
}

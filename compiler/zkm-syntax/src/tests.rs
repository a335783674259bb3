//! Snapshot tests of the parser: each test parses a snippet and snapshots a compact AST dump
//! followed by the rendered diagnostics.

use std::fmt::Write;

use zkm_diagnostics::{render, SourceMap, Span, Spanned};

use crate::ast::*;

/// Parses `src` and renders the AST dump plus any diagnostics.
fn check(src: &str) -> String {
    let mut sources = SourceMap::new();
    let file = sources.add("test.zkm", src);
    let (module, diags) = crate::parse(file, src);
    let mut out = Dump::default();
    out.module(&module);
    if !diags.is_empty() {
        out.buf.push_str("----- DIAGNOSTICS\n");
        out.buf.push_str(&render::render(&sources, &diags));
    }
    out.buf
}

/// A compact, indented AST dump with `@start..end` spans.
#[derive(Default)]
struct Dump {
    buf: String,
    indent: usize,
}

impl Dump {
    fn line(&mut self, text: impl AsRef<str>, span: Span) {
        let pad = "  ".repeat(self.indent);
        let _ = writeln!(
            self.buf,
            "{pad}{} @{}..{}",
            text.as_ref(),
            span.start,
            span.end
        );
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }

    fn docs(&mut self, docs: &[String]) {
        for d in docs {
            let _ = writeln!(self.buf, "{}doc {d:?}", "  ".repeat(self.indent));
        }
    }

    fn module(&mut self, m: &Module) {
        self.docs(&m.docs);
        for item in &m.items {
            match item {
                Item::Use(u) => self.line(format!("use {}", path(&u.path)), u.span),
                Item::Fn(f) => self.fn_decl(f),
                Item::Model(m) => self.model(m),
            }
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        self.docs(&f.docs);
        self.line(format!("fn {}", f.name.name), f.span);
        self.nested(|d| {
            for p in &f.params {
                let ty =
                    p.ty.as_ref()
                        .map(|t| format!(": {}", ty(t)))
                        .unwrap_or_default();
                d.line(format!("param {}{ty}", p.name.name), p.span);
            }
            d.line("block", f.body.span);
            d.nested(|d| {
                f.body.stmts.iter().for_each(|s| d.stmt(s));
                if let Some(r) = &f.body.result {
                    d.line("result", r.span);
                    d.nested(|d| d.expr(r));
                }
            });
        });
    }

    fn model(&mut self, m: &ModelDecl) {
        self.docs(&m.docs);
        self.line(format!("model {}", m.name.name), m.span);
        self.nested(|d| {
            for s in &m.body {
                match s {
                    ModelStmt::Decl(t) => d.decl(t),
                    ModelStmt::Let(s) => d.stmt(s),
                    ModelStmt::Assign(a) => {
                        d.line(format!("assign {}", a.target.name), a.span);
                        d.nested(|d| d.expr(&a.value));
                    }
                }
            }
        });
    }

    fn decl(&mut self, t: &TensorDecl) {
        self.docs(&t.docs);
        let vis = t
            .visibility
            .as_ref()
            .map(|v| format!("{:?} ", v.node))
            .unwrap_or_default();
        let text = format!("decl {vis}{:?} {}: {}", t.kind, t.name.name, ty(&t.ty));
        self.line(text.to_lowercase(), t.span);
    }

    fn stmt(&mut self, s: &Stmt) {
        self.line(format!("let {}", s.name.name), s.span);
        self.nested(|d| d.expr(&s.value));
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Path(p) => self.line(format!("path {}", path(p)), e.span),
            ExprKind::Number(n) => self.line(format!("number {n}"), e.span),
            ExprKind::Error => self.line("error", e.span),
            ExprKind::Neg(x) => {
                self.line("neg", e.span);
                self.nested(|d| d.expr(x));
            }
            ExprKind::Binary(op, l, r) => {
                self.line(format!("binary {op:?}"), e.span);
                self.nested(|d| {
                    d.expr(l);
                    d.expr(r);
                });
            }
            ExprKind::Call { callee, args } => {
                self.line(format!("call {}", path(callee)), e.span);
                self.nested(|d| args.iter().for_each(|a| d.arg(a)));
            }
        }
    }

    fn arg(&mut self, a: &Arg) {
        match a {
            Arg::Expr(e) => self.expr(e),
            Arg::Type(t) => self.line(format!("type {}", ty(t)), t.span),
            Arg::Shape(dims, span) => self.line(format!("shape {}", shape(dims)), *span),
        }
    }
}

fn path(p: &Path) -> String {
    p.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

fn shape(dims: &[Spanned<u64>]) -> String {
    let dims: Vec<String> = dims.iter().map(|d| d.node.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

fn ty(t: &TensorType) -> String {
    let scalar = match &t.scalar {
        ScalarType::Int { bits } => format!("int<{}>", bits.node),
        ScalarType::Fixed { bits, frac } => format!("fixed<{}, {}>", bits.node, frac.node),
    };
    if t.shape.is_empty() {
        scalar
    } else {
        format!("{scalar}{}", shape(&t.shape))
    }
}

// HAPPY PATH
// ================================================================================================

#[test]
fn empty_file() {
    insta::assert_snapshot!(check(""), @"");
}

#[test]
fn file_docs_and_uses() {
    insta::assert_snapshot!(check(
        "//! The file.\n//! Second line.\nuse std::nn;\nuse std::nn::dense;\n"
    ));
}

#[test]
fn full_model() {
    insta::assert_snapshot!(check(
        "/// Classifies digits.
model digits_mlp {
    /// pixels scaled to [0, 1]
    private input x: fixed<8, 6>[64];
    public param w1: fixed<8, 6>[64, 32];
    committed param w2: fixed<8, 6>[32, 10,];
    param b1: fixed<16, 12>[32];
    public output class: int<8>;
    let h = relu(rescale_clamp(x @ w1 + b1, fixed<16, 8>));
    let z = nn::dense(h, w2, b2);
    class = argmax(z);
}
"
    ));
}

#[test]
fn fn_untyped_and_typed_params() {
    insta::assert_snapshot!(check(
        "fn dense(x, w, b,) {
    let y = x @ w;
    y + b
}
fn f(x: fixed<16, 8>[64], w) { x }
fn g() { }
"
    ));
}

#[test]
fn precedence() {
    insta::assert_snapshot!(check("fn f(a, b, c) { a + b * c - -a @ b }"));
}

#[test]
fn parens_override_precedence() {
    insta::assert_snapshot!(check("fn f(a, b, c) { (a + b) * c }"));
}

#[test]
fn call_arguments() {
    insta::assert_snapshot!(check(
        "fn f(x) { reshape(rescale(x, int<8>, fixed<16, 8>[2, 2]), [8, 8,], 0.25, 3,) }"
    ));
}

#[test]
fn comments_are_skipped() {
    insta::assert_snapshot!(check(
        "// a comment\n/* block\n comment */ fn f(x) { x /* inline */ } //// not a doc\n"
    ));
}

#[test]
fn empty_model_body() {
    insta::assert_snapshot!(check("model m {}"));
}

// ERRORS
// ================================================================================================

#[test]
fn missing_semicolon_recovers_in_place() {
    insta::assert_snapshot!(check("model m {\n    let a = x\n    let b = y;\n}\n"));
}

#[test]
fn two_errors_in_one_file() {
    insta::assert_snapshot!(check(
        "model m {\n    let = 1;\n    let b = (;\n    let c = 2;\n}\n"
    ));
}

#[test]
fn unclosed_brace_at_eof() {
    insta::assert_snapshot!(check("model m {\n    let a = x;\n"));
}

#[test]
fn unknown_characters_merge() {
    insta::assert_snapshot!(check("fn f(x) { x $$$ + ¤ }"));
}

#[test]
fn huge_dimension() {
    insta::assert_snapshot!(check("model m { input x: int<8>[99999999999999999999]; }"));
}

#[test]
fn wrong_type_argument_count() {
    insta::assert_snapshot!(check("model m { input x: fixed<16>; input y: int<8, 2>; }"));
}

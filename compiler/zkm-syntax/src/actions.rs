//! Helpers called by the grammar's actions, so that `grammar.lalrpop` stays declarative.
//!
//! [`Ctx`] is the grammar's one parameter. It collects the recovered syntax errors (converted to
//! diagnostics afterwards by `parser.rs`) and the diagnostics that actions find directly: numbers
//! that do not fit `u64` (E0102), wrong type-argument counts (E0201) and expressions nested
//! deeper than [`MAX_EXPR_DEPTH`] (E0204).
//!
//! Expressions are built as [`DExpr`]: an [`Expr`] with its depth computed bottom-up. A
//! too-deep expression is reported once and replaced by [`ExprKind::Error`]; the replacement is
//! *poisoned*, so every expression built on top of it is replaced too without another report.

use lalrpop_util::ErrorRecovery;
use zkm_diagnostics::{codes, Diagnostic, FileId, Span, Spanned};

use crate::{
    ast::{Arg, BinOp, Expr, ExprKind, Ident, Path, ScalarType, TensorType},
    lexer::{LexError, Token},
};

/// The deepest expression tree the parser builds.
pub const MAX_EXPR_DEPTH: u32 = 256;

/// Depth marker of an expression replaced because it was too deep.
const POISONED: u32 = u32::MAX;

/// A syntax error the grammar recovered from.
pub(crate) type Recovery<'s> = ErrorRecovery<usize, Token<'s>, LexError>;

/// Parser state shared by all grammar actions.
#[derive(Debug)]
pub(crate) struct Ctx<'s> {
    /// The file being parsed.
    pub(crate) file: FileId,
    /// Recovered syntax errors, in the order found.
    pub(crate) errors: Vec<Recovery<'s>>,
    /// Diagnostics found directly by actions.
    pub(crate) diags: Vec<Diagnostic>,
}

/// An expression with its depth (or [`POISONED`]).
#[derive(Debug)]
pub(crate) struct DExpr {
    expr: Expr,
    depth: u32,
}

/// A call argument with its depth.
#[derive(Debug)]
pub(crate) struct DArg {
    arg: Arg,
    depth: u32,
}

impl<'s> Ctx<'s> {
    /// A fresh context for `file`.
    pub(crate) fn new(file: FileId) -> Self {
        Ctx {
            file,
            errors: Vec::new(),
            diags: Vec::new(),
        }
    }

    /// The span `lo..hi` in the current file.
    pub(crate) fn span(&self, lo: usize, hi: usize) -> Span {
        Span::new(self.file, lo, hi)
    }

    /// Records a recovered syntax error.
    pub(crate) fn recover(&mut self, e: Recovery<'s>) {
        self.errors.push(e);
    }

    /// An identifier.
    pub(crate) fn ident(&self, lo: usize, name: &str, hi: usize) -> Ident {
        Ident {
            name: name.to_owned(),
            span: self.span(lo, hi),
        }
    }

    /// A path from its first segment and the rest.
    pub(crate) fn path(&self, first: Ident, rest: Vec<Ident>) -> Path {
        let end = rest.last().map_or(first.span, |i| i.span);
        let span = first.span.to(end);
        let mut segments = Vec::with_capacity(rest.len() + 1);
        segments.push(first);
        segments.extend(rest);
        Path { segments, span }
    }

    /// A doc comment line without its `///` or `//!` marker and one following space.
    pub(crate) fn doc(&self, line: &str) -> String {
        let text = line.get(3..).unwrap_or("");
        text.strip_prefix(' ').unwrap_or(text).trim_end().to_owned()
    }

    // EXPRESSIONS
    // ============================================================================================

    /// A leaf expression (path or number).
    pub(crate) fn leaf(&self, kind: ExprKind, span: Span) -> DExpr {
        DExpr {
            expr: Expr { kind, span },
            depth: 1,
        }
    }

    /// A number literal, kept as written.
    pub(crate) fn number(&self, lo: usize, text: &str, hi: usize) -> DExpr {
        self.leaf(ExprKind::Number(text.to_owned()), self.span(lo, hi))
    }

    /// A malformed number (already reported by the lexer).
    pub(crate) fn bad_number(&self, lo: usize, hi: usize) -> DExpr {
        self.leaf(ExprKind::Error, self.span(lo, hi))
    }

    /// A parenthesized expression: same node and depth, span widened to the parentheses.
    pub(crate) fn paren(&self, lo: usize, mut e: DExpr, hi: usize) -> DExpr {
        e.expr.span = self.span(lo, hi);
        e
    }

    /// `a op b`.
    pub(crate) fn binary(&mut self, op: BinOp, l: DExpr, r: DExpr) -> DExpr {
        let span = l.expr.span.to(r.expr.span);
        let depth = l.depth.max(r.depth);
        let kind = ExprKind::Binary(op, Box::new(l.expr), Box::new(r.expr));
        self.node(kind, span, depth)
    }

    /// `-e`.
    pub(crate) fn neg(&mut self, lo: usize, e: DExpr) -> DExpr {
        let span = self.span(lo, e.expr.span.end as usize);
        self.node(ExprKind::Neg(Box::new(e.expr)), span, e.depth)
    }

    /// `callee(args)`.
    pub(crate) fn call(&mut self, callee: Path, args: Vec<DArg>, hi: usize) -> DExpr {
        let span = self.span(callee.span.start as usize, hi);
        let depth = args.iter().map(|a| a.depth).max().unwrap_or(0);
        // Exact capacity: a list's first push reserves four slots, and a model of a million
        // one-argument calls would keep three empty ones per call.
        let mut exact = Vec::with_capacity(args.len());
        exact.extend(args.into_iter().map(|a| a.arg));
        let args = exact;
        self.node(ExprKind::Call { callee, args }, span, depth)
    }

    /// A node one level above children of depth `child_depth`, checked against the limit.
    fn node(&mut self, kind: ExprKind, span: Span, child_depth: u32) -> DExpr {
        if child_depth == POISONED {
            return DExpr {
                expr: Expr {
                    kind: ExprKind::Error,
                    span,
                },
                depth: POISONED,
            };
        }
        let depth = child_depth + 1;
        if depth <= MAX_EXPR_DEPTH {
            return DExpr {
                expr: Expr { kind, span },
                depth,
            };
        }
        self.diags.push(
            Diagnostic::error(
                codes::NESTING_TOO_DEEP,
                format!("expression nested deeper than {MAX_EXPR_DEPTH} levels"),
            )
            .with_primary(span, "this expression is too deeply nested")
            .with_help("split the expression into several `let` statements"),
        );
        DExpr {
            expr: Expr {
                kind: ExprKind::Error,
                span,
            },
            depth: POISONED,
        }
    }

    /// The finished expression.
    pub(crate) fn expr(&self, e: DExpr) -> Expr {
        e.expr
    }

    /// An expression argument.
    pub(crate) fn arg_expr(&self, e: DExpr) -> DArg {
        DArg {
            arg: Arg::Expr(e.expr),
            depth: e.depth,
        }
    }

    /// A type or shape argument.
    pub(crate) fn arg(&self, arg: Arg) -> DArg {
        DArg { arg, depth: 1 }
    }

    // TYPES
    // ============================================================================================

    /// A type-argument or dimension number; must be a whole number that fits `u64`.
    pub(crate) fn dim(&mut self, lo: usize, text: &str, hi: usize) -> Spanned<u64> {
        let span = self.span(lo, hi);
        let value = text.parse::<u64>().unwrap_or_else(|_| {
            self.diags.push(bad_dim(span, text));
            0
        });
        Spanned::new(value, span)
    }

    /// A malformed dimension (already reported by the lexer).
    pub(crate) fn bad_dim(&self, lo: usize, hi: usize) -> Spanned<u64> {
        Spanned::new(0, self.span(lo, hi))
    }

    /// `int<W>`; `args` must hold exactly one number.
    pub(crate) fn int_type(&mut self, args: Vec<Spanned<u64>>, span: Span) -> ScalarType {
        let mut args = self.type_args("int", "int<W>", args, 1, span).into_iter();
        ScalarType::Int {
            bits: args.next().unwrap_or_else(|| Spanned::new(0, span)),
        }
    }

    /// `fixed<W, F>`; `args` must hold exactly two numbers.
    pub(crate) fn fixed_type(&mut self, args: Vec<Spanned<u64>>, span: Span) -> ScalarType {
        let mut args = self
            .type_args("fixed", "fixed<W, F>", args, 2, span)
            .into_iter();
        let bits = args.next().unwrap_or_else(|| Spanned::new(0, span));
        let frac = args.next().unwrap_or_else(|| Spanned::new(0, span));
        ScalarType::Fixed { bits, frac }
    }

    fn type_args(
        &mut self,
        name: &str,
        form: &str,
        args: Vec<Spanned<u64>>,
        want: usize,
        span: Span,
    ) -> Vec<Spanned<u64>> {
        if args.len() != want {
            self.diags
                .push(wrong_arity(name, form, args.len(), want, span));
        }
        args
    }

    /// A tensor type: scalar plus optional shape.
    pub(crate) fn tensor_type(
        &self,
        lo: usize,
        scalar: ScalarType,
        shape: Option<Vec<Spanned<u64>>>,
        hi: usize,
    ) -> TensorType {
        TensorType {
            scalar,
            shape: shape.unwrap_or_default(),
            span: self.span(lo, hi),
        }
    }
}

fn bad_dim(span: Span, text: &str) -> Diagnostic {
    let (message, label) = if text.bytes().all(|b| b.is_ascii_digit()) {
        (
            format!("number `{}` is too large", crate::lexer::quote(text)),
            "must fit in 64 bits",
        )
    } else {
        (
            format!("expected a whole number, found `{text}`"),
            "not a whole number",
        )
    };
    Diagnostic::error(codes::BAD_NUMBER, message)
        .with_primary(span, label)
        .with_note("type arguments and dimensions are whole numbers below 2^64")
}

fn wrong_arity(name: &str, form: &str, got: usize, want: usize, span: Span) -> Diagnostic {
    let args = if want == 1 { "argument" } else { "arguments" };
    let was = if got == 1 { "was" } else { "were" };
    let help = match name {
        "int" => "write the bit width, for example `int<8>`",
        _ => "write the bit width and the fractional bits, for example `fixed<16, 8>`",
    };
    Diagnostic::error(
        codes::UNEXPECTED_TOKEN,
        format!("`{name}` takes {want} type {args} but {got} {was} given"),
    )
    .with_primary(span, format!("expected `{form}`"))
    .with_help(help)
}

/// The recovered items of a list without the gaps left by syntax errors, in a vector of exactly
/// their number (the parser's own vector grows by doubling and would keep up to half of it empty).
pub(crate) fn somes<T>(items: Vec<Option<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.iter().flatten().count());
    out.extend(items.into_iter().flatten());
    out
}

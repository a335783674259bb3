//! The abstract syntax tree of a `.zkm` file.
//!
//! Every node carries the [`Span`] of the source text it came from. The tree may contain
//! [`ExprKind::Error`] nodes where the parser recovered from a syntax error; later stages skip
//! them silently because the syntax error was already reported.

use zkm_diagnostics::Span;

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A `::`-separated path such as `std::nn::dense` or `relu`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The segments, at least one.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

/// One parsed source file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    /// `//!` doc comment lines at the top of the file.
    pub docs: Vec<String>,
    /// Items in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `use std::nn;` or `use std::nn::dense;`
    Use(UseDecl),
    /// `fn name(params) { body }`
    Fn(FnDecl),
    /// `model name { ... }`
    Model(ModelDecl),
}

/// A `use` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct UseDecl {
    /// The imported path.
    pub path: Path,
    /// The whole declaration.
    pub span: Span,
}

/// A function declaration. Functions are generic over their arguments' types and shapes and are
/// inlined at every call.
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    /// `///` doc comment lines.
    pub docs: Vec<String>,
    /// The function name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<Param>,
    /// The body; its `result` is the returned value.
    pub body: Block,
    /// The whole declaration.
    pub span: Span,
}

/// A function parameter, optionally annotated with a type.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Parameter name.
    pub name: Ident,
    /// Optional annotation; checked at every call.
    pub ty: Option<TensorType>,
    /// The whole parameter.
    pub span: Span,
}

/// `{ let a = ...; ...; result }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The `let` statements.
    pub stmts: Vec<Stmt>,
    /// The final expression (the block's value). `None` only after a syntax error.
    pub result: Option<Expr>,
    /// The whole block including braces.
    pub span: Span,
}

/// A model declaration: the unit that is compiled and proved.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelDecl {
    /// `///` doc comment lines.
    pub docs: Vec<String>,
    /// Model name.
    pub name: Ident,
    /// Declarations and statements in source order.
    pub body: Vec<ModelStmt>,
    /// The whole declaration.
    pub span: Span,
}

/// A statement inside a model body.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelStmt {
    /// `private input x: fixed<16, 8>[64];`
    Decl(TensorDecl),
    /// `let h = ...;`
    Let(Stmt),
    /// `y = ...;` (assigns an output)
    Assign(Assign),
}

/// The role of a declared tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclKind {
    /// `input`: data supplied when proving.
    Input,
    /// `param`: weights, biases and other trained parameters.
    Param,
    /// `output`: a result of the model.
    Output,
}

/// Who learns a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Part of the public statement: the verifier sees it.
    Public,
    /// Known only to the prover.
    Private,
    /// Private, but a hash commitment to it is public.
    Committed,
}

/// `[visibility] (input|param|output) name: type;`
#[derive(Clone, Debug, PartialEq)]
pub struct TensorDecl {
    /// `///` doc comment lines.
    pub docs: Vec<String>,
    /// The written visibility, if any (defaults are applied by semantic analysis).
    pub visibility: Option<Spanned<Visibility>>,
    /// input, param or output.
    pub kind: DeclKind,
    /// The declared name.
    pub name: Ident,
    /// Element type and shape.
    pub ty: TensorType,
    /// The whole declaration.
    pub span: Span,
}

/// A value with a span (re-exported for convenience).
pub use zkm_diagnostics::Spanned;

/// `let name = value;`
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// The bound name.
    pub name: Ident,
    /// The bound value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// `name = value;` inside a model body.
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    /// The output being assigned.
    pub target: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// A numeric element type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScalarType {
    /// `int<W>`: signed integer of W bits.
    Int {
        /// Bit width W.
        bits: Spanned<u64>,
    },
    /// `fixed<W, F>`: signed W-bit integer q representing q / 2^F.
    Fixed {
        /// Bit width W.
        bits: Spanned<u64>,
        /// Fractional bits F.
        frac: Spanned<u64>,
    },
}

/// An element type with an optional static shape: `fixed<16, 8>[10, 64]`; no brackets = scalar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorType {
    /// Element type.
    pub scalar: ScalarType,
    /// Dimensions, outermost first; empty for a scalar.
    pub shape: Vec<Spanned<u64>>,
    /// The whole type.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` (elementwise)
    Mul,
    /// `@` (matrix product)
    MatMul,
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Its source range.
    pub span: Span,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A name or path: `x`, `nn::dense` (only valid as a callee when it has several segments).
    Path(Path),
    /// An integer or decimal literal, as written (e.g. `"3"`, `"0.25"`).
    Number(String),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `callee(args)`; builtins such as `relu` are ordinary calls resolved later.
    Call {
        /// The called function.
        callee: Path,
        /// Arguments.
        args: Vec<Arg>,
    },
    /// A placeholder where the parser recovered from a syntax error.
    Error,
}

/// A call argument: an expression, a type (`rescale(x, fixed<16, 8>)`) or a shape
/// (`reshape(x, [8, 8])`).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// An ordinary value.
    Expr(Expr),
    /// A scalar type such as `fixed<16, 8>` or `int<8>`.
    Type(TensorType),
    /// A shape literal `[d1, d2, ...]`.
    Shape(Vec<Spanned<u64>>, Span),
}

impl Arg {
    /// The span of the argument.
    pub fn span(&self) -> Span {
        match self {
            Arg::Expr(e) => e.span,
            Arg::Type(t) => t.span,
            Arg::Shape(_, s) => *s,
        }
    }
}

//! Every user-facing message of semantic analysis, in one place.
//!
//! Each function builds one [`Diagnostic`] (code, message, labels, notes, help) from plain
//! facts; the passes decide *when* to report, this file decides *what it says*. Messages about
//! values are in the submodules `values` (literals, shapes, scales) and `ranges`.

use zkm_diagnostics::{codes, Diagnostic, Span};
use zkm_syntax::ast;

use super::builtins::{ArgKind, Builtin};
use super::resolve::LocalKind;
use super::types::{MAX_BITS, MAX_ELEMENTS, MAX_FRAC};
use super::world::{is_std_module, Callee, PathError};
use crate::ir::DeclKind;

// FILE STRUCTURE
// ================================================================================================

/// No items at all (E0003).
pub(crate) fn no_model() -> Diagnostic {
    Diagnostic::error(codes::EMPTY_SOURCE, "no model in this file").with_help(
        "declare one: `model name { input x: fixed<16, 8>[4]; output y: ...; y = ...; }`",
    )
}

/// Items but no `model` (E0003).
pub(crate) fn missing_model(first_item: Span) -> Diagnostic {
    Diagnostic::error(codes::EMPTY_SOURCE, "no model in this file")
        .with_primary(
            first_item,
            "only functions and imports are defined in this file",
        )
        .with_help("add a `model name { ... }` item: it is the unit that is compiled and proved")
}

/// A second `model` (E0307).
pub(crate) fn extra_model(second: Span, first: Span) -> Diagnostic {
    Diagnostic::error(codes::MODEL_COUNT, "a file may contain only one model")
        .with_primary(second, "second model")
        .with_secondary(first, "first model defined here")
        .with_help("put each model in its own file; share code between them with functions")
}

// NAMES
// ================================================================================================

/// Where and as what a local name was defined.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Defined {
    /// Declaration, `let` or parameter.
    pub kind: LocalKind,
    /// The defining identifier.
    pub span: Span,
}

fn kind_phrase(kind: LocalKind) -> &'static str {
    match kind {
        LocalKind::Decl(DeclKind::Input) => "an input",
        LocalKind::Decl(DeclKind::Param) => "a `param`",
        LocalKind::Decl(DeclKind::Output) => "an output",
        LocalKind::Let => "a `let` binding",
        LocalKind::Param => "a function parameter",
    }
}

/// An unknown name (E0301), with a later definition or a close name.
pub(crate) fn unknown_name(
    name: &ast::Ident,
    hint: Option<String>,
    later: Option<(Span, usize)>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_NAME,
        format!("cannot find `{}` in this scope", name.name),
    )
    .with_primary(name.span, "not found in this scope");
    match (later, hint) {
        (Some((span, line)), _) => d.with_secondary(span, "defined here, after its use").with_note(format!(
            "`{}` is defined later, at line {line}; statements run in order, so move the use below it",
            name.name
        )),
        (None, Some(h)) => d.with_help(format!("did you mean `{h}`?")),
        (None, None) => d,
    }
}

/// A module path whose first segment is not imported (E0301).
pub(crate) fn unknown_module(m: &ast::Ident, hint: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_NAME,
        format!("cannot find module `{}` in this scope", m.name),
    )
    .with_primary(m.span, "not an imported module");
    if is_std_module(&m.name) {
        return d.with_help(format!("import it first: `use std::{};`", m.name));
    }
    match hint {
        Some(h) => d.with_help(format!("did you mean `{h}`?")),
        None => d,
    }
}

/// A name defined twice in one scope (E0302).
pub(crate) fn duplicate_name(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_NAME,
        format!("the name `{name}` is defined more than once"),
    )
    .with_primary(span, format!("`{name}` redefined here"))
    .with_secondary(first, "first defined here")
    .with_help("names cannot be shadowed or redefined; choose a new name")
}

/// A `use` or path naming no stdlib module or function (E0303).
pub(crate) fn unknown_import(path: &ast::Path, e: PathError) -> Diagnostic {
    let text = path_text(path);
    let d = |msg: String| Diagnostic::error(codes::UNKNOWN_IMPORT, msg);
    match e {
        PathError::UnknownModule(first) => d(format!(
            "cannot import `{text}`: only `std` can be imported"
        ))
        .with_primary(first.span, "not `std`")
        .with_help("the standard library is the only module source, e.g. `use std::nn;`"),
        PathError::IsModule(_) => d(format!("`use {text};` imports nothing"))
            .with_primary(path.span, "names the whole standard library")
            .with_help("import a module (`use std::nn;`) or a function (`use std::nn::dense;`)"),
        PathError::NoStdModule(m, all) => {
            let d = d(format!("there is no module `{}` in `std`", m.name))
                .with_primary(m.span, "unknown module");
            suggestion_or_list(d, &m.name, &all, "modules")
        }
        PathError::NoItem {
            module,
            item,
            candidates,
        } => {
            let msg = format!("there is no function `{}` in `{module}`", item.name);
            let d = d(msg).with_primary(item.span, format!("not found in `{module}`"));
            suggestion_or_list(d, &item.name, &candidates, "functions")
        }
        PathError::Unknown => {
            d(format!("cannot resolve `{text}`")).with_primary(path.span, "unknown path")
        }
    }
}

fn suggestion_or_list(d: Diagnostic, name: &str, all: &[String], what: &str) -> Diagnostic {
    match super::suggest::closest(name, all.iter().map(String::as_str)) {
        Some(h) => d.with_help(format!("did you mean `{h}`?")),
        None => {
            let mut all = all.to_vec();
            all.sort();
            let list: Vec<String> = all.iter().map(|n| format!("`{n}`")).collect();
            d.with_note(format!("available {what}: {}", list.join(", ")))
        }
    }
}

fn path_text(path: &ast::Path) -> String {
    let segs: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
    segs.join("::")
}

// OUTPUTS
// ================================================================================================

/// An output never assigned (E0304).
pub(crate) fn output_not_assigned(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::OUTPUT_NOT_ASSIGNED,
        format!("output `{name}` is never assigned"),
    )
    .with_primary(span, "declared here but never assigned")
    .with_help(format!("assign it once in the model body: `{name} = ...;`"))
}

/// An output assigned a second time (E0305).
pub(crate) fn assigned_twice(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::OUTPUT_ASSIGNED_TWICE,
        format!("output `{name}` is assigned more than once"),
    )
    .with_primary(span, "assigned again here")
    .with_secondary(first, "first assigned here")
    .with_help("assign each output exactly once; build the value step by step with `let`")
}

/// An assignment to a non-output (E0308).
pub(crate) fn not_an_output(name: &str, span: Span, def: Defined) -> Diagnostic {
    let what = kind_phrase(def.kind);
    let help = match def.kind {
        LocalKind::Let => {
            "`let` bindings cannot be reassigned; bind the new value to a new name".to_string()
        }
        _ => "only outputs can be assigned; declare an `output` for this value and assign that"
            .to_string(),
    };
    Diagnostic::error(
        codes::NOT_AN_OUTPUT,
        format!("cannot assign to `{name}`: it is {what}, not an output"),
    )
    .with_primary(span, "not an output")
    .with_secondary(def.span, format!("`{name}` is defined as {what} here"))
    .with_help(help)
}

/// An output read before its assignment (E0309); `later` is the assignment, if any.
pub(crate) fn output_read(name: &ast::Ident, decl: Span, later: Option<Span>) -> Diagnostic {
    let n = &name.name;
    let d = Diagnostic::error(
        codes::WRONG_KIND,
        format!("output `{n}` is read before it is assigned"),
    )
    .with_primary(name.span, "read here")
    .with_secondary(decl, "declared as an output here");
    match later {
        Some(at) => d
            .with_secondary(at, "assigned here, after the read")
            .with_help("statements run in order: move the assignment above the read"),
        None => d.with_help(format!("an output has a value only after `{n} = ...;`")),
    }
}

// KINDS AND CALLS
// ================================================================================================

/// A function, builtin or module used as a value (E0309).
pub(crate) fn not_a_value(path: &ast::Path, callee: Option<Callee>) -> Diagnostic {
    let text = path_text(path);
    let (what, help) = match callee {
        Some(_) => ("a function", format!("call it: `{text}(...)`")),
        None => (
            "a module",
            format!("call one of its functions: `{text}::name(...)`"),
        ),
    };
    Diagnostic::error(
        codes::WRONG_KIND,
        format!("`{text}` is {what}, not a value"),
    )
    .with_primary(path.span, "used as a value")
    .with_help(help)
}

/// A local value called like a function (E0309).
pub(crate) fn not_a_function(name: &ast::Ident, def: Defined) -> Diagnostic {
    Diagnostic::error(
        codes::WRONG_KIND,
        format!("`{}` is a value, not a function", name.name),
    )
    .with_primary(name.span, "called here")
    .with_secondary(
        def.span,
        format!(
            "`{}` is defined as {} here",
            name.name,
            kind_phrase(def.kind)
        ),
    )
}

/// A module called like a function (E0309).
pub(crate) fn module_called(path: &ast::Path) -> Diagnostic {
    let text = path_text(path);
    Diagnostic::error(
        codes::WRONG_KIND,
        format!("`{text}` is a module, not a function"),
    )
    .with_primary(path.span, "called here")
    .with_help(format!("call one of its functions: `{text}::name(...)`"))
}

/// Wrong number or kinds of arguments to a builtin (E0404).
pub(crate) fn builtin_arguments(b: Builtin, args: &[ast::Arg], call: Span) -> Diagnostic {
    let params = b.params();
    let msg = format!(
        "wrong arguments for `{}`: expected `{}`",
        b.name(),
        b.signature()
    );
    let d = Diagnostic::error(codes::BAD_ARGUMENTS, msg);
    if args.len() != params.len() {
        let label = format!(
            "{} supplied, {} expected",
            count(args.len(), "argument"),
            params.len()
        );
        return d.with_primary(call, label);
    }
    let bad = args.iter().zip(params).find(|(a, k)| !arg_fits(a, **k));
    match bad {
        Some((a, k)) => d.with_primary(a.span(), expected_kind(a, *k)),
        None => d.with_primary(call, "here"),
    }
}

fn arg_fits(a: &ast::Arg, k: ArgKind) -> bool {
    match (a, k) {
        (ast::Arg::Expr(_), ArgKind::Value) | (ast::Arg::Shape(..), ArgKind::Shape) => true,
        (ast::Arg::Type(t), ArgKind::Type) => t.shape.is_empty(),
        (ast::Arg::Expr(e), ArgKind::Int) => super::builtins::int_literal(e).is_some(),
        _ => false,
    }
}

fn expected_kind(a: &ast::Arg, k: ArgKind) -> &'static str {
    match (a, k) {
        (_, ArgKind::Value) => "expected a value",
        (ast::Arg::Type(_), ArgKind::Type) => "expected a scalar type: remove the shape",
        (_, ArgKind::Type) => "expected a type such as `fixed<16, 8>`",
        (_, ArgKind::Shape) => "expected a shape such as `[8, 8]`",
        (_, ArgKind::Int) => "expected a whole number such as `1` (at most 65536)",
    }
}

/// A type or shape passed to a function (E0404).
pub(crate) fn fn_type_argument(f: &ast::FnDecl, at: Span) -> Diagnostic {
    let name = &f.name.name;
    Diagnostic::error(
        codes::BAD_ARGUMENTS,
        format!("`{name}` takes values, not types or shapes"),
    )
    .with_primary(at, "not a value")
    .with_secondary(f.name.span, format!("`{}` defined here", fn_signature(f)))
}

/// A function called with the wrong number of arguments (E0404).
pub(crate) fn fn_arity(f: &ast::FnDecl, given: usize, call: Span) -> Diagnostic {
    let name = &f.name.name;
    let want = f.params.len();
    let msg = format!(
        "`{name}` takes {} but {given} {} supplied",
        count(want, "argument"),
        were(given)
    );
    Diagnostic::error(codes::BAD_ARGUMENTS, msg)
        .with_primary(call, format!("{} supplied", count(given, "argument")))
        .with_secondary(f.name.span, format!("`{}` defined here", fn_signature(f)))
}

fn fn_signature(f: &ast::FnDecl) -> String {
    let params: Vec<&str> = f.params.iter().map(|p| p.name.name.as_str()).collect();
    format!("{}({})", f.name.name, params.join(", "))
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn were(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}

/// A cycle of calls (E0306). `cycle` lists the functions in call order, starting with the one
/// called at `span`; `calls` are the other calls of the cycle as (caller, callee, span).
pub(crate) fn recursion(
    cycle: &[String],
    span: Span,
    calls: &[(String, String, Span)],
) -> Diagnostic {
    let first = cycle.first().map_or("", String::as_str);
    let msg = match cycle.get(1..).unwrap_or(&[]) {
        [] => format!("function `{first}` calls itself"),
        rest => format!(
            "function `{first}` calls itself through {}",
            name_list(rest)
        ),
    };
    let mut d = Diagnostic::error(codes::RECURSIVE_CALL, msg).with_primary(span, "recursive call");
    for (caller, callee, s) in calls {
        d = d.with_secondary(*s, format!("`{caller}` calls `{callee}` here"));
    }
    d.with_note(
        "functions are inlined at every call, so a recursive function can never be expanded",
    )
}

fn name_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => quoted.join(""),
    }
}

/// Inlining nested too deeply (E0306).
pub(crate) fn call_too_deep(name: &str, depth: usize, call: Span) -> Diagnostic {
    Diagnostic::error(
        codes::RECURSIVE_CALL,
        format!("calls nested more than {depth} deep"),
    )
    .with_primary(call, format!("this call to `{name}` is too deep"))
    .with_help("functions are inlined; flatten the chain of calls")
}

/// Expressions nested too deeply through inlined calls (E0306).
pub(crate) fn nesting_too_deep(depth: usize, at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::RECURSIVE_CALL,
        "inlined function bodies nest too deeply",
    )
    .with_primary(
        at,
        format!("expressions nest more than {depth} levels deep here"),
    )
    .with_help("split long expressions into `let` statements, or flatten the chain of calls")
}

/// The secondary label at an inlined call site.
pub(crate) fn in_call(name: &str) -> String {
    format!("in this call to `{name}`")
}

// TYPES
// ================================================================================================

/// A width outside `1..=48` (E0405).
pub(crate) fn bad_width(span: Span, bits: u64) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_TYPE,
        format!("a type cannot be {bits} bits wide"),
    )
    .with_primary(span, format!("the width must be between 1 and {MAX_BITS}"))
}

/// Fractional bits above 40 (E0405).
pub(crate) fn bad_frac(span: Span, frac: u64) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_TYPE,
        format!("a type cannot have {frac} fractional bits"),
    )
    .with_primary(
        span,
        format!("at most {MAX_FRAC} fractional bits are supported"),
    )
}

/// More fractional bits than total bits (E0405).
pub(crate) fn frac_above_width(span: Span, frac: u64, bits: u64) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_TYPE,
        format!("`fixed<{bits}, {frac}>` has more fractional bits than bits"),
    )
    .with_primary(span, format!("must be at most the width, {bits}"))
    .with_help(format!(
        "the fractional bits are part of the width (F ≤ W): write `fixed<{frac}, {frac}>` or a wider type"
    ))
}

/// A zero dimension (E0405).
pub(crate) fn zero_dim(span: Span) -> Diagnostic {
    Diagnostic::error(codes::BAD_TYPE, "tensor dimensions must be at least 1")
        .with_primary(span, "zero-sized dimension")
}

/// Too many elements (E0405).
pub(crate) fn too_many_elements(span: Span, total: u64) -> Diagnostic {
    Diagnostic::error(
        codes::BAD_TYPE,
        format!("a tensor may have at most 2^24 = {MAX_ELEMENTS} elements"),
    )
    .with_primary(span, format!("this shape has {total} elements"))
}

// Messages about values live in `errors/values.rs` (literals, shapes, scales) and
// `errors/ranges.rs` (field bound, rescales, declared types).
mod budget;
mod conv;
mod ranges;
mod values;

pub(crate) use budget::*;
pub(crate) use conv::*;
pub(crate) use ranges::*;
pub(crate) use values::*;

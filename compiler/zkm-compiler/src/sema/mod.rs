//! Semantic analysis: name resolution, function inlining, type, shape and scale checking, and
//! static range analysis, producing the typed tensor IR.
//!
//! The passes, in order:
//! 1. [`world`]: find the model, load the stdlib modules the file reaches, register functions
//!    and imports (E0003, E0302, E0303, E0307);
//! 2. [`resolve`] and [`calls`]: resolve every name and callee in every body and check output
//!    assignments, arities and recursion (E0301–E0309, E0404, E0405);
//! 3. [`eval`] with [`model`], [`ops`], [`builtins`] and [`inline`]: evaluate the model body,
//!    inlining calls, into IR nodes whose shapes, scales ([`types`]) and ranges ([`range`]) are
//!    checked as they are built (E04xx, E05xx).
//!
//! All wording lives in [`errors`]. After an error the offending expression evaluates to a
//! poison value that every later check accepts silently, so each mistake is reported once
//! while independent mistakes are all reported.

mod budget;
mod builtins;
mod calls;
mod conv;
mod divide;
mod dump;
mod errors;
mod eval;
mod inline;
mod later;
mod literal;
mod model;
mod ops;
mod range;
mod report;
mod resolve;
mod suggest;
mod tables;
mod types;
mod walk;
mod world;

#[cfg(test)]
mod tests;

use zkm_diagnostics::{Diagnostic, Diagnostics, SourceMap};
use zkm_syntax::ast;

use crate::ir::Program;

pub use dump::dump;

/// Analyzes the single `model` of `module`. Stdlib modules named by `use` are parsed and added
/// to `sources`. Returns `None` when an error was reported.
pub fn analyze(
    sources: &mut SourceMap,
    module: &ast::Module,
    diags: &mut Diagnostics,
) -> Option<Program> {
    let mut rep = report::Reporter::new();
    let model = find_model(module, &mut rep);
    let std = world::load_std(sources, module, &mut rep);
    let world = world::World::build(module, &std, &mut rep);
    let sources: &SourceMap = sources;
    let mut resolver = resolve::Resolver::new(&world, sources, &mut rep);
    resolver.functions();
    if let Some(m) = model {
        resolver.model(m);
    }
    let edges = std::mem::take(&mut resolver.edges);
    calls::check_recursion(&world, &edges, &mut rep);
    let program = model.map(|m| evaluate(&world, sources, &mut rep, m));
    let failed = rep.has_errors();
    rep.finish(model.map(|m| m.span.file), diags);
    program.filter(|_| !failed)
}

/// The one model of the file, reporting none (E0003) or several (E0307).
fn find_model<'a>(
    module: &'a ast::Module,
    rep: &mut report::Reporter,
) -> Option<&'a ast::ModelDecl> {
    let models: Vec<&ast::ModelDecl> = module
        .items
        .iter()
        .filter_map(|i| match i {
            ast::Item::Model(m) => Some(m),
            _ => None,
        })
        .collect();
    match (models.first(), module.items.first()) {
        (_, None) => rep.push(errors::no_model()),
        (None, Some(item)) => rep.push(errors::missing_model(item_span(item))),
        (Some(first), _) => {
            for extra in models.iter().skip(1) {
                rep.push(errors::extra_model(extra.name.span, first.name.span));
            }
        }
    }
    models.first().copied()
}

fn item_span(item: &ast::Item) -> zkm_diagnostics::Span {
    match item {
        ast::Item::Use(u) => u.span,
        ast::Item::Fn(f) => f.name.span,
        ast::Item::Model(m) => m.name.span,
    }
}

/// Evaluates the model into a [`Program`].
fn evaluate(
    world: &world::World<'_>,
    sources: &SourceMap,
    rep: &mut report::Reporter,
    m: &ast::ModelDecl,
) -> Program {
    let mut ev = eval::Eval::new(world, sources, rep);
    let parts = ev.model(m);
    if ev.silent && !ev.rep.has_errors() {
        ev.rep.push(Diagnostic::bug(
            "sema: an expression failed without a diagnostic",
        ));
    }
    Program {
        name: m.name.name.clone(),
        doc: m.docs.join("\n"),
        span: m.span,
        decls: parts.decls,
        nodes: ev.nodes,
        outputs: parts.outputs,
    }
}

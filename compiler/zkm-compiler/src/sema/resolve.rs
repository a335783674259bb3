//! Name resolution: every name and callee in the model body and in every function body.
//!
//! Statements run in order, so a name is visible only after its definition (E0301, with a note
//! when it is defined later). Also checked here, because they depend only on names: duplicate
//! definitions (E0302), output assignment rules (E0304, E0305, E0308), names used as the wrong
//! kind of thing or outputs read before their assignment (E0309), call arity (E0404) and written types in calls and annotations
//! (E0405). Calls between functions are recorded for the recursion check.

use std::collections::HashMap;

use zkm_diagnostics::{SourceMap, Span};
use zkm_syntax::ast;

use super::errors::{self, Defined};
use super::later::{Later, Stmts};
use super::report::Reporter;
use super::suggest;
use super::types;
use super::world::{Callee, FnId, ModId, PathError, World, USER};
use crate::ir::DeclKind;

/// A call from one function to another, for the recursion check.
pub(crate) type CallEdge = (FnId, FnId, Span);

/// What kind of local a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalKind {
    /// An input, param or output declaration.
    Decl(DeclKind),
    /// A `let` binding.
    Let,
    /// A function parameter.
    Param,
}

/// A local definition in scope.
#[derive(Clone, Copy, Debug)]
struct Local<'a> {
    name: &'a str,
    span: Span,
    kind: LocalKind,
}

/// How many name comparisons "did you mean" suggestions may cost in one compilation; once
/// spent, further unknown names get no suggestion (a file with very many unknown names among
/// very many definitions would otherwise take quadratic time).
const SUGGESTION_BUDGET: usize = 1_000_000;

/// The locals in scope: by name, and the outputs in declaration order.
#[derive(Debug, Default)]
struct Scope<'a> {
    by_name: HashMap<&'a str, Local<'a>>,
    outputs: Vec<Local<'a>>,
}

/// The name resolver.
#[derive(Debug)]
pub(crate) struct Resolver<'w, 'a> {
    world: &'w World<'a>,
    sources: &'w SourceMap,
    rep: &'w mut Reporter,
    module: ModId,
    current_fn: Option<FnId>,
    scope: Scope<'a>,
    later: Later<'a>,
    /// Output name → span of its first assignment.
    assigned: HashMap<&'a str, Span>,
    /// Name comparisons left for suggestions.
    suggestions_left: usize,
    /// Calls between functions.
    pub edges: Vec<CallEdge>,
}

impl<'w, 'a> Resolver<'w, 'a> {
    /// A resolver over `world`.
    pub(crate) fn new(world: &'w World<'a>, sources: &'w SourceMap, rep: &'w mut Reporter) -> Self {
        Resolver {
            world,
            sources,
            rep,
            module: USER,
            current_fn: None,
            scope: Scope::default(),
            later: Later::none(),
            assigned: HashMap::new(),
            suggestions_left: SUGGESTION_BUDGET,
            edges: Vec::new(),
        }
    }

    /// Resolves the body of every function of every module.
    pub(crate) fn functions(&mut self) {
        let world = self.world;
        for (id, f) in world.fns.iter().enumerate() {
            self.module = f.module;
            self.current_fn = Some(id);
            self.scope = Scope::default();
            self.later = Later::none();
            for p in &f.decl.params {
                if let Some(t) = &p.ty {
                    self.check_type(types::tensor_type(t).err());
                }
                self.define(&p.name, LocalKind::Param);
            }
            self.block(&f.decl.body);
        }
        self.current_fn = None;
        self.module = USER;
    }

    fn block(&mut self, block: &'a ast::Block) {
        self.later.start(Stmts::Block(&block.stmts));
        for (i, stmt) in block.stmts.iter().enumerate() {
            self.later.at(i);
            self.expr(&stmt.value);
            self.define(&stmt.name, LocalKind::Let);
        }
        self.later.end();
        if let Some(e) = &block.result {
            self.expr(e);
        }
    }

    /// Resolves the model body and checks that every output is assigned exactly once.
    pub(crate) fn model(&mut self, model: &'a ast::ModelDecl) {
        self.scope = Scope::default();
        self.scope.by_name.reserve(model.body.len());
        self.later.start(Stmts::Model(&model.body));
        for (i, stmt) in model.body.iter().enumerate() {
            self.later.at(i);
            match stmt {
                ast::ModelStmt::Decl(d) => self.define(&d.name, LocalKind::Decl(d.kind)),
                ast::ModelStmt::Let(s) => {
                    self.expr(&s.value);
                    self.define(&s.name, LocalKind::Let);
                }
                ast::ModelStmt::Assign(a) => {
                    self.expr(&a.value);
                    self.assign_target(&a.target);
                }
            }
        }
        self.later = Later::none();
        self.unassigned_outputs();
    }

    /// Adds a local, reporting a duplicate (E0302).
    fn define(&mut self, name: &'a ast::Ident, kind: LocalKind) {
        if let Some(first) = self.local(&name.name) {
            self.rep
                .push(errors::duplicate_name(&name.name, name.span, first.span));
            return;
        }
        let local = Local {
            name: &name.name,
            span: name.span,
            kind,
        };
        if kind == LocalKind::Decl(DeclKind::Output) {
            self.scope.outputs.push(local);
        }
        self.scope.by_name.insert(&name.name, local);
    }

    fn local(&self, name: &str) -> Option<Local<'a>> {
        self.scope.by_name.get(name).copied()
    }

    fn assign_target(&mut self, target: &'a ast::Ident) {
        let name = target.name.as_str();
        match self.local(name) {
            Some(l) if l.kind == LocalKind::Decl(DeclKind::Output) => {
                match self.assigned.get(name) {
                    Some(&first) => self
                        .rep
                        .push(errors::assigned_twice(name, target.span, first)),
                    None => {
                        self.assigned.insert(name, target.span);
                    }
                }
            }
            Some(l) => self
                .rep
                .push(errors::not_an_output(name, target.span, self.defined(l))),
            None => {
                let outputs: Vec<&str> = self.scope.outputs.iter().map(|l| l.name).collect();
                let hint = self.suggest(name, &outputs);
                self.unknown(target, hint);
            }
        }
    }

    fn unassigned_outputs(&mut self) {
        for o in std::mem::take(&mut self.scope.outputs) {
            if !self.assigned.contains_key(o.name) {
                self.rep.push(errors::output_not_assigned(o.name, o.span));
            }
        }
    }

    fn defined(&self, l: Local<'_>) -> Defined {
        Defined {
            kind: l.kind,
            span: l.span,
        }
    }

    /// Reports an unknown name (E0301), noting a later definition if there is one.
    fn unknown(&mut self, name: &ast::Ident, hint: Option<String>) {
        let later = self
            .later_definition(&name.name)
            .map(|s| (s, self.sources.line_col(s.file, s.start).0));
        self.rep.push(errors::unknown_name(name, hint, later));
    }

    fn later_definition(&mut self, name: &str) -> Option<Span> {
        self.later.definition(name)
    }

    fn later_assignment(&mut self, name: &str) -> Option<Span> {
        self.later.assignment(name)
    }

    /// The closest of `candidates` to `name`, while the suggestion budget lasts.
    fn suggest(&mut self, name: &str, candidates: &[&str]) -> Option<String> {
        let Some(left) = self.suggestions_left.checked_sub(candidates.len()) else {
            self.suggestions_left = 0;
            return None;
        };
        self.suggestions_left = left;
        suggest::closest(name, candidates.iter().copied())
    }

    fn expr(&mut self, e: &'a ast::Expr) {
        match &e.kind {
            ast::ExprKind::Path(p) => self.value_path(p),
            ast::ExprKind::Number(_) | ast::ExprKind::Error => {}
            ast::ExprKind::Neg(x) => self.expr(x),
            ast::ExprKind::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ast::ExprKind::Call { callee, args } => {
                self.callee(callee, args, e.span);
                self.args(args);
            }
        }
    }

    /// A path used as a value: a local (not an output), never a function or module.
    fn value_path(&mut self, p: &'a ast::Path) {
        let [name] = p.segments.as_slice() else {
            return match self.world.callee(self.module, p) {
                Ok(c) => self.rep.push(errors::not_a_value(p, Some(c))),
                Err(PathError::IsModule(_)) => self.rep.push(errors::not_a_value(p, None)),
                Err(e) => self.path_error(p, e),
            };
        };
        match self.local(&name.name) {
            Some(l) if l.kind == LocalKind::Decl(DeclKind::Output) => {
                if !self.assigned.contains_key(name.name.as_str()) {
                    let later = self.later_assignment(&name.name);
                    self.rep.push(errors::output_read(name, l.span, later));
                }
            }
            Some(_) => {}
            None => match self.world.callee(self.module, p) {
                Ok(c) => self.rep.push(errors::not_a_value(p, Some(c))),
                Err(PathError::IsModule(_)) => self.rep.push(errors::not_a_value(p, None)),
                Err(_) => {
                    let hint = self.value_suggestion(&name.name);
                    self.unknown(name, hint);
                }
            },
        }
    }

    fn value_suggestion(&mut self, name: &str) -> Option<String> {
        if self.suggestions_left == 0 {
            return None;
        }
        let callable = self.world.callable_names(self.module);
        let locals = self.scope.by_name.keys().copied();
        let names: Vec<&str> = locals.chain(callable.iter().map(String::as_str)).collect();
        self.suggest(name, &names)
    }

    /// A callee: a function or builtin, with the right number and kind of arguments.
    fn callee(&mut self, p: &'a ast::Path, args: &'a [ast::Arg], span: Span) {
        if let [name] = p.segments.as_slice() {
            if let Some(l) = self.local(&name.name) {
                return self.rep.push(errors::not_a_function(name, self.defined(l)));
            }
        }
        match self.world.callee(self.module, p) {
            Ok(Callee::Builtin(b)) if !b.accepts(args) => {
                self.rep.push(errors::builtin_arguments(b, args, span))
            }
            Ok(Callee::Builtin(_)) => {}
            Ok(Callee::Fn(id)) => self.fn_call(id, args, span),
            Err(e) => self.path_error(p, e),
        }
    }

    fn fn_call(&mut self, id: FnId, args: &[ast::Arg], span: Span) {
        let Some(f) = self.world.func(id) else { return };
        if let Some(bad) = args.iter().find(|a| !matches!(a, ast::Arg::Expr(_))) {
            self.rep.push(errors::fn_type_argument(f.decl, bad.span()));
        } else if args.len() != f.decl.params.len() {
            self.rep.push(errors::fn_arity(f.decl, args.len(), span));
        }
        if let Some(caller) = self.current_fn {
            self.edges.push((caller, id, span));
        }
    }

    fn path_error(&mut self, p: &ast::Path, e: PathError) {
        match e {
            PathError::Unknown => {
                if let Some(name) = p.segments.first() {
                    if self.suggestions_left == 0 {
                        return self.unknown(name, None);
                    }
                    let names = self.world.callable_names(self.module);
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = self.suggest(&name.name, &names);
                    self.unknown(name, hint);
                }
            }
            PathError::UnknownModule(m) => {
                let mods = self.world.module_names(self.module);
                let mods: Vec<&str> = mods.iter().map(String::as_str).collect();
                let hint = self.suggest(&m.name, &mods);
                self.rep.push(errors::unknown_module(&m, hint));
            }
            PathError::IsModule(_) => self.rep.push(errors::module_called(p)),
            other => self.rep.push(errors::unknown_import(p, other)),
        }
    }

    /// Resolves value arguments and validates written types and shapes.
    fn args(&mut self, args: &'a [ast::Arg]) {
        for a in args {
            match a {
                ast::Arg::Expr(e) => self.expr(e),
                ast::Arg::Type(t) => self.check_type(types::num_type(&t.scalar).err()),
                ast::Arg::Shape(dims, s) => self.check_type(types::shape(dims, *s).err()),
            }
        }
    }

    fn check_type(&mut self, err: Option<zkm_diagnostics::Diagnostic>) {
        if let Some(d) = err {
            self.rep.push(d);
        }
    }
}

//! The evaluator: walks expressions, builds IR nodes and checks every node's range against the
//! field bound.
//!
//! Evaluation runs after name resolution, so a name or callee that does not resolve here was
//! already reported: it evaluates silently to [`Value::Poison`], which satisfies every check
//! and stops the same mistake from being reported again downstream.

use std::collections::HashMap;

use zkm_diagnostics::{Diagnostic, SourceMap, Span};
use zkm_syntax::ast;

use super::budget::{Budget, Exceeded};
use super::errors::{self, LitScale};
use super::literal::Lit;
use super::range;
use super::report::Reporter;
use super::world::{Callee, FnId, ModId, World};
use crate::ir::{Interval, Node, NodeId, Op};

/// The value of an expression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value {
    /// A tensor node of the graph.
    Node(NodeId),
    /// A number literal (or literals folded together), not yet given a scale.
    Lit(Lit),
    /// The result of an erroneous expression; every check accepts it silently.
    Poison,
}

/// One active inlined call.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    /// The called function.
    pub func: FnId,
    /// Its name, for labels.
    pub name: String,
    /// The call expression in the caller.
    pub call: Span,
}

/// Values bound by name in one function body or in the model body.
#[derive(Clone, Debug, Default)]
pub(crate) struct Env {
    vars: HashMap<String, Value>,
}

impl Env {
    /// An empty environment with room for `n` names.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Env {
            vars: HashMap::with_capacity(n),
        }
    }

    /// Binds a name. Names cannot be redefined (resolution reports it), so a second binding
    /// is ambiguous and binds poison: later uses are then accepted silently.
    pub(crate) fn bind(&mut self, name: &str, value: Value) {
        match self.vars.get_mut(name) {
            Some(slot) => *slot = Value::Poison,
            None => {
                self.vars.insert(name.to_string(), value);
            }
        }
    }

    /// Replaces the value bound to `name` (an output, once assigned).
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        if let Some(slot) = self.vars.get_mut(name) {
            *slot = value;
        }
    }

    /// The value bound to a name.
    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        self.vars.get(name).copied()
    }
}

/// The deepest nesting of inlined calls.
pub(crate) const MAX_CALL_DEPTH: usize = 64;

/// The deepest nesting of expressions, counted across inlined calls (one file's expressions
/// nest at most 256 deep; this bounds the evaluator's stack use).
pub(crate) const MAX_EVAL_DEPTH: usize = 1024;

/// Evaluation state: the graph under construction, the call stack and the diagnostics.
#[derive(Debug)]
pub(crate) struct Eval<'w, 'a> {
    /// Modules and functions.
    pub world: &'w World<'a>,
    /// Source text, for quoting operands in suggestions.
    pub sources: &'w SourceMap,
    /// Diagnostics.
    pub rep: &'w mut Reporter,
    /// The graph, in topological order.
    pub nodes: Vec<Node>,
    /// Active inlined calls, outermost first.
    pub stack: Vec<Frame>,
    /// Set when a failure was passed over silently, expecting an earlier report.
    pub silent: bool,
    /// Current expression nesting, counted across inlined calls.
    depth: usize,
    /// Set once the nesting limit has been reported.
    too_deep: bool,
    /// The running counts of the compile budgets.
    budget: Budget,
}

impl<'w, 'a> Eval<'w, 'a> {
    /// A fresh evaluator.
    pub(crate) fn new(world: &'w World<'a>, sources: &'w SourceMap, rep: &'w mut Reporter) -> Self {
        Eval {
            world,
            sources,
            rep,
            nodes: Vec::new(),
            stack: Vec::new(),
            silent: false,
            depth: 0,
            too_deep: false,
            budget: Budget::default(),
        }
    }

    /// Reports a diagnostic, adding the call sites of the active inlined calls.
    pub(crate) fn report(&mut self, mut d: Diagnostic) {
        for frame in self.stack.iter().rev() {
            d = d.with_secondary(frame.call, errors::in_call(&frame.name));
        }
        self.rep.push(d);
    }

    /// Reports and returns [`Value::Poison`].
    pub(crate) fn fail(&mut self, d: Diagnostic) -> Value {
        self.report(d);
        Value::Poison
    }

    /// A failure that an earlier pass has reported.
    pub(crate) fn quiet_poison(&mut self) -> Value {
        self.silent = true;
        Value::Poison
    }

    /// The node `id` (a copy), or `None` after reporting an internal error.
    pub(crate) fn node(&mut self, id: NodeId) -> Option<Node> {
        let node = self.nodes.get(id).cloned();
        if node.is_none() {
            self.rep.push(Diagnostic::bug(format!(
                "sema: reference to missing node %{id}"
            )));
        }
        node
    }

    /// Appends a node after checking that its range stays within the field bound (E0501);
    /// `range == None` means the bound overflowed even `i128`.
    pub(crate) fn push(
        &mut self,
        op: Op,
        shape: Vec<usize>,
        frac: u32,
        range: Option<Interval>,
        span: Span,
    ) -> Value {
        if self.budget.exhausted() {
            return Value::Poison;
        }
        if let Some(what) = self.budget.node(self.nodes.len()) {
            return self.exceeded(what, span);
        }
        match range {
            Some(r) if range::field_safe(r) => {
                self.nodes.push(Node {
                    op,
                    shape,
                    frac,
                    range: r,
                    span,
                });
                Value::Node(self.nodes.len() - 1)
            }
            _ => self.fail(errors::field_overflow(&op, range, span)),
        }
    }

    /// A literal as a constant node at the scale `scale` imposes (E0409 if not exact there).
    pub(crate) fn lit_at(&mut self, lit: Lit, scale: LitScale<'_>) -> Value {
        let Some(frac) = scale.frac() else {
            return self.lit_min(lit);
        };
        match lit.code_at(frac) {
            Ok(q) => self.push(
                Op::Const(q),
                vec![],
                frac,
                Some(Interval::point(q)),
                lit.span,
            ),
            Err(e) => self.fail(errors::bad_literal(lit, e, scale)),
        }
    }

    /// A literal as a constant node at the smallest exact fractional bits.
    pub(crate) fn lit_min(&mut self, lit: Lit) -> Value {
        match lit.smallest_exact() {
            Ok((q, frac)) => self.push(
                Op::Const(q),
                vec![],
                frac,
                Some(Interval::point(q)),
                lit.span,
            ),
            Err(e) => self.fail(errors::bad_literal(lit, e, LitScale::Free)),
        }
    }

    /// The node of a value, turning a literal into a constant at its smallest exact scale;
    /// `None` for poison.
    pub(crate) fn as_node(&mut self, v: Value) -> Option<NodeId> {
        match v {
            Value::Node(id) => Some(id),
            Value::Lit(lit) => match self.lit_min(lit) {
                Value::Node(id) => Some(id),
                _ => None,
            },
            Value::Poison => None,
        }
    }

    /// Evaluates an expression of module `m` in `env`.
    pub(crate) fn expr(&mut self, env: &Env, m: ModId, e: &ast::Expr) -> Value {
        if self.budget.exhausted() {
            return Value::Poison;
        }
        if !self.stack.is_empty() {
            if let Some(what) = self.budget.inlined_expr() {
                return self.exceeded(what, e.span);
            }
        }
        if self.depth >= MAX_EVAL_DEPTH {
            if std::mem::replace(&mut self.too_deep, true) {
                return Value::Poison;
            }
            return self.fail(errors::nesting_too_deep(MAX_EVAL_DEPTH, e.span));
        }
        self.depth += 1;
        let v = self.eval_expr(env, m, e);
        self.depth -= 1;
        v
    }

    /// Reports the budget `what` exceeded at `at` (E0603), naming the active inlined calls.
    fn exceeded(&mut self, what: Exceeded, at: Span) -> Value {
        let chain: Vec<(&str, Span)> = self
            .stack
            .iter()
            .map(|f| (f.name.as_str(), f.call))
            .collect();
        self.rep.push(errors::budget_exceeded(what, &chain, at));
        Value::Poison
    }

    fn eval_expr(&mut self, env: &Env, m: ModId, e: &ast::Expr) -> Value {
        match &e.kind {
            ast::ExprKind::Path(p) => match p.segments.as_slice() {
                [name] => env.get(&name.name).unwrap_or_else(|| self.quiet_poison()),
                _ => self.quiet_poison(),
            },
            ast::ExprKind::Number(text) => match Lit::parse(text, e.span) {
                Ok(lit) => Value::Lit(lit),
                Err(err) => self.fail(errors::malformed_literal(text, err, e.span)),
            },
            ast::ExprKind::Neg(x) => {
                let v = self.expr(env, m, x);
                self.neg(v, e.span)
            }
            ast::ExprKind::Binary(op, a, b) => {
                let va = self.expr(env, m, a);
                let vb = self.expr(env, m, b);
                self.binary(*op, (va, a.span), (vb, b.span), e.span)
            }
            ast::ExprKind::Call { callee, args } => self.call(env, m, callee, args, e.span),
            ast::ExprKind::Error => Value::Poison,
        }
    }

    /// Evaluates a call: a builtin or an inlined function.
    fn call(
        &mut self,
        env: &Env,
        m: ModId,
        callee: &ast::Path,
        args: &[ast::Arg],
        span: Span,
    ) -> Value {
        if let [name] = callee.segments.as_slice() {
            if env.get(&name.name).is_some() {
                return self.quiet_poison();
            }
        }
        match self.world.callee(m, callee) {
            Ok(Callee::Builtin(b)) => self.builtin(env, m, b, args, span),
            Ok(Callee::Fn(id)) => self.call_fn(env, m, id, args, span),
            Err(_) => self.quiet_poison(),
        }
    }

    /// Evaluates a block: its `let`s in order, then its result.
    pub(crate) fn block(&mut self, env: &mut Env, m: ModId, block: &ast::Block) -> Value {
        for stmt in &block.stmts {
            let v = self.expr(env, m, &stmt.value);
            env.bind(&stmt.name.name, v);
        }
        match &block.result {
            Some(e) => self.expr(env, m, e),
            None => Value::Poison,
        }
    }

    /// The source text of a span if it is short and on one line (for suggestions).
    pub(crate) fn snippet(&self, span: Span) -> Option<String> {
        let text = self.sources.text(span.file).get(span.range())?;
        (text.len() <= 32 && !text.contains('\n')).then(|| text.to_string())
    }
}

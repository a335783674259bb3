//! Inlining of function calls.
//!
//! Functions are generic: a call binds the parameters to the argument values and evaluates the
//! body, so every check runs per call site. Nodes created inside keep the spans of the body's
//! expressions; diagnostics raised inside get a secondary label at each active call site.
//! An annotated parameter (`x: fixed<16, 8>[64]`) requires an argument of exactly that shape
//! and scale whose range fits the type.

use crate::ir::TypeRange as _;
use zkm_diagnostics::Span;
use zkm_syntax::ast;

use super::errors::{self, LitScale};
use super::eval::{Env, Eval, Frame, Value, MAX_CALL_DEPTH};
use super::range;
use super::types;
use super::world::{FnId, ModId};
use crate::ir::NumType;

impl Eval<'_, '_> {
    /// Inlines a call of function `id` with `args` (evaluated in the caller's `env`).
    pub(crate) fn call_fn(
        &mut self,
        env: &Env,
        m: ModId,
        id: FnId,
        args: &[ast::Arg],
        span: Span,
    ) -> Value {
        let Some(f) = self.world.func(id) else {
            return self.quiet_poison();
        };
        let Some(exprs) = value_args(args, f.decl.params.len()) else {
            return self.quiet_poison();
        };
        if self.stack.iter().any(|fr| fr.func == id) {
            // Recursion, reported by the call-graph check.
            return self.quiet_poison();
        }
        if self.stack.len() >= MAX_CALL_DEPTH {
            return self.fail(errors::call_too_deep(
                &f.decl.name.name,
                MAX_CALL_DEPTH,
                span,
            ));
        }
        let mut inner = Env::default();
        for (param, e) in f.decl.params.iter().zip(exprs) {
            let v = self.expr(env, m, e);
            let v = self.check_param(&f.decl.name.name, param, v, e.span);
            inner.bind(&param.name.name, v);
        }
        self.stack.push(Frame {
            func: id,
            name: f.decl.name.name.clone(),
            call: span,
        });
        let result = self.block(&mut inner, f.module, &f.decl.body);
        self.stack.pop();
        result
    }

    /// Checks an argument against its parameter's annotation, if any. A literal argument
    /// becomes a constant at the annotated scale.
    fn check_param(&mut self, func: &str, p: &ast::Param, v: Value, at: Span) -> Value {
        let Some(t) = &p.ty else { return v };
        let (ty, shape) = match types::tensor_type(t) {
            Ok(x) => x,
            Err(d) => return self.fail(d),
        };
        let id = match v {
            Value::Poison => return Value::Poison,
            Value::Lit(lit) => match self.lit_at(lit, LitScale::Declared(&p.name.name, ty)) {
                Value::Node(id) => id,
                other => return other,
            },
            Value::Node(id) => id,
        };
        let Some(n) = self.node(id) else {
            return Value::Poison;
        };
        let want = Expected {
            func,
            param: p,
            ty,
            shape: &shape,
            at,
        };
        if n.shape != shape {
            return self.fail(errors::param_shape(&want, &n));
        }
        if n.frac != ty.frac {
            return self.fail(errors::param_scale(&want, &n));
        }
        if !range::within(n.range, ty.range()) {
            return self.fail(errors::param_overflow(&want, &n));
        }
        Value::Node(id)
    }
}

/// The argument expressions if they are all values and there are `n` of them (otherwise
/// resolution reported E0404).
fn value_args(args: &[ast::Arg], n: usize) -> Option<Vec<&ast::Expr>> {
    let exprs: Option<Vec<&ast::Expr>> = args
        .iter()
        .map(|a| match a {
            ast::Arg::Expr(e) => Some(e),
            _ => None,
        })
        .collect();
    exprs.filter(|e| e.len() == n)
}

/// What an annotated parameter expects, for messages.
#[derive(Debug)]
pub(crate) struct Expected<'p> {
    /// The function's name.
    pub func: &'p str,
    /// The parameter.
    pub param: &'p ast::Param,
    /// Its element type.
    pub ty: NumType,
    /// Its shape.
    pub shape: &'p [usize],
    /// The argument expression.
    pub at: Span,
}

//! Evaluation of the model body: declarations, `let`s and output assignments, in order.
//!
//! Inputs and parameters become `Load` nodes where they are declared. An output assignment
//! must match the declared shape and scale exactly (E0408) and its range must fit the declared
//! type (E0502). Name errors (unknown, duplicate, unassigned outputs...) were reported by
//! resolution; here they are passed over silently.

use crate::ir::TypeRange as _;
use std::collections::{HashMap, HashSet};

use zkm_diagnostics::Span;
use zkm_syntax::ast;

use super::errors::{self, LitScale};
use super::eval::{Env, Eval, Value};
use super::range;
use super::types;
use super::world::USER;
use crate::ir::{Decl, DeclId, DeclKind, NodeId, Op, Visibility};

/// The declarations and output assignments of an evaluated model.
#[derive(Debug, Default)]
pub(crate) struct ModelParts {
    /// Declarations in order.
    pub decls: Vec<Decl>,
    /// Assigned outputs.
    pub outputs: Vec<(DeclId, NodeId, Span)>,
}

/// Walk state of the model body.
#[derive(Debug, Default)]
struct State {
    parts: ModelParts,
    env: Env,
    /// Declared outputs by name.
    output_ids: HashMap<String, DeclId>,
    /// Outputs already assigned (successfully or not).
    assigned: HashSet<DeclId>,
}

impl Eval<'_, '_> {
    /// Evaluates the statements of `model` in order.
    pub(crate) fn model(&mut self, model: &ast::ModelDecl) -> ModelParts {
        let mut st = State {
            env: Env::with_capacity(model.body.len()),
            ..State::default()
        };
        for stmt in &model.body {
            match stmt {
                ast::ModelStmt::Decl(d) => self.declare(d, &mut st),
                ast::ModelStmt::Let(s) => {
                    let v = self.expr(&st.env, USER, &s.value);
                    st.env.bind(&s.name.name, v);
                }
                ast::ModelStmt::Assign(a) => self.assign(a, &mut st),
            }
        }
        st.parts
    }

    /// A declaration: a [`Decl`], and a `Load` node for inputs and parameters.
    fn declare(&mut self, d: &ast::TensorDecl, st: &mut State) {
        let name = &d.name.name;
        let (ty, shape) = match types::tensor_type(&d.ty) {
            Ok(t) => t,
            Err(diag) => {
                self.report(diag);
                st.env.bind(name, Value::Poison);
                return;
            }
        };
        let id = st.parts.decls.len();
        let visibility = d
            .visibility
            .as_ref()
            .map_or(default_visibility(d.kind), |v| v.node);
        let doc = d.docs.join("\n");
        let decl = Decl {
            name: name.clone(),
            kind: d.kind,
            visibility,
            ty,
            shape,
            doc,
            span: d.span,
        };
        let value = match d.kind {
            DeclKind::Output => {
                st.output_ids.entry(name.clone()).or_insert(id);
                Value::Poison
            }
            _ => self.push(
                Op::Load(id),
                decl.shape.clone(),
                ty.frac,
                Some(ty.range()),
                d.span,
            ),
        };
        st.parts.decls.push(decl);
        st.env.bind(name, value);
    }

    /// `name = value;`: checks the value against the output's declaration.
    fn assign(&mut self, a: &ast::Assign, st: &mut State) {
        let v = self.expr(&st.env, USER, &a.value);
        // Unknown targets, non-outputs and repeated assignments were reported by resolution.
        let Some(&id) = st.output_ids.get(&a.target.name) else {
            return;
        };
        if !st.assigned.insert(id) {
            return;
        }
        let Some(decl) = st.parts.decls.get(id).cloned() else {
            return;
        };
        let node = match v {
            Value::Poison => return,
            Value::Lit(lit) => self.lit_at(lit, LitScale::Declared(&decl.name, decl.ty)),
            node => node,
        };
        let Value::Node(node) = node else { return };
        if self.output_fits(&decl, node, a.value.span) {
            st.parts.outputs.push((id, node, a.span));
            // From here on the output's name reads the assigned value.
            st.env.set(&a.target.name, Value::Node(node));
        }
    }

    /// Checks shape, scale (E0408) and range (E0502) of a value assigned to `decl`.
    fn output_fits(&mut self, decl: &Decl, node: NodeId, at: Span) -> bool {
        let Some(n) = self.node(node) else {
            return false;
        };
        if n.shape != decl.shape || n.frac != decl.ty.frac {
            self.report(errors::output_type(decl, &n, at));
            return false;
        }
        if !range::within(n.range, decl.ty.range()) {
            self.report(errors::output_overflow(decl, &n, at));
            return false;
        }
        true
    }
}

/// input → private, param → private, output → public.
fn default_visibility(kind: DeclKind) -> Visibility {
    match kind {
        DeclKind::Input | DeclKind::Param => Visibility::Private,
        DeclKind::Output => Visibility::Public,
    }
}

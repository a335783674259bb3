//! Read-only traversals of the syntax tree that several passes share.

use zkm_syntax::ast;

/// Collects the callee path of every call in `module` (model bodies and function bodies).
pub(crate) fn callee_paths<'a>(module: &'a ast::Module, out: &mut Vec<&'a ast::Path>) {
    for item in &module.items {
        match item {
            ast::Item::Use(_) => {}
            ast::Item::Fn(f) => block_paths(&f.body, out),
            ast::Item::Model(m) => {
                for stmt in &m.body {
                    match stmt {
                        ast::ModelStmt::Decl(_) => {}
                        ast::ModelStmt::Let(s) => expr_paths(&s.value, out),
                        ast::ModelStmt::Assign(a) => expr_paths(&a.value, out),
                    }
                }
            }
        }
    }
}

fn block_paths<'a>(block: &'a ast::Block, out: &mut Vec<&'a ast::Path>) {
    for stmt in &block.stmts {
        expr_paths(&stmt.value, out);
    }
    if let Some(result) = &block.result {
        expr_paths(result, out);
    }
}

fn expr_paths<'a>(expr: &'a ast::Expr, out: &mut Vec<&'a ast::Path>) {
    match &expr.kind {
        ast::ExprKind::Path(_) | ast::ExprKind::Number(_) | ast::ExprKind::Error => {}
        ast::ExprKind::Neg(e) => expr_paths(e, out),
        ast::ExprKind::Binary(_, a, b) => {
            expr_paths(a, out);
            expr_paths(b, out);
        }
        ast::ExprKind::Call { callee, args } => {
            out.push(callee);
            for arg in args {
                if let ast::Arg::Expr(e) = arg {
                    expr_paths(e, out);
                }
            }
        }
    }
}

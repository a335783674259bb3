//! The recursion check over the call graph of all functions.
//!
//! Functions are inlined at every call, so a cycle in the call graph (direct or indirect
//! recursion) can never be inlined. Each cycle is reported once (E0306), at the call that
//! closes it, with the other calls of the cycle as context.

use zkm_diagnostics::Span;

use super::errors;
use super::report::Reporter;
use super::resolve::CallEdge;
use super::world::{FnId, World};

/// Reports every cycle among `edges` (found by depth-first search: one per back edge).
pub(crate) fn check_recursion(world: &World<'_>, edges: &[CallEdge], rep: &mut Reporter) {
    let n = world.fns.len();
    let mut out: Vec<Vec<(FnId, Span)>> = vec![Vec::new(); n];
    for &(from, to, span) in edges {
        if let Some(list) = out.get_mut(from) {
            list.push((to, span));
        }
    }
    let mut state = vec![Mark::New; n];
    for root in 0..n {
        if state[root] == Mark::New {
            dfs(world, &out, root, &mut state, rep);
        }
    }
}

/// DFS colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    New,
    OnStack,
    Done,
}

/// An iterative depth-first search from `root`; `path` holds the calls leading to the top.
fn dfs(
    world: &World<'_>,
    out: &[Vec<(FnId, Span)>],
    root: FnId,
    state: &mut [Mark],
    rep: &mut Reporter,
) {
    let mut stack: Vec<(FnId, usize)> = vec![(root, 0)];
    let mut path: Vec<(FnId, Span)> = Vec::new();
    state[root] = Mark::OnStack;
    while let Some(top) = stack.last_mut() {
        let (node, next) = *top;
        let Some(&(to, span)) = out.get(node).and_then(|l| l.get(next)) else {
            state[node] = Mark::Done;
            stack.pop();
            path.pop();
            continue;
        };
        top.1 += 1;
        match state.get(to).copied() {
            Some(Mark::New) => {
                state[to] = Mark::OnStack;
                stack.push((to, 0));
                path.push((to, span));
            }
            Some(Mark::OnStack) => report_cycle(world, &stack, &path, to, span, rep),
            _ => {}
        }
    }
}

/// Reports the cycle closed by the call `to` at `span` from the top of `stack`.
fn report_cycle(
    world: &World<'_>,
    stack: &[(FnId, usize)],
    path: &[(FnId, Span)],
    to: FnId,
    span: Span,
    rep: &mut Reporter,
) {
    let Some(start) = stack.iter().position(|&(f, _)| f == to) else {
        return;
    };
    let name = |id: FnId| {
        world
            .func(id)
            .map_or_else(String::new, |f| f.decl.name.name.clone())
    };
    let cycle: Vec<String> = stack[start..].iter().map(|&(f, _)| name(f)).collect();
    // `path[i]` is the call that pushed `stack[i + 1]`.
    let calls: Vec<(String, String, Span)> = path
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .zip(&stack[start..])
        .map(|(&(callee, s), &(caller, _))| (name(caller), name(callee), s))
        .collect();
    rep.push(errors::recursion(&cycle, span, &calls));
}

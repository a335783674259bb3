//! The statements after the one being resolved, indexed by name, to explain "defined later"
//! and "assigned later" in unknown-name diagnostics.
//!
//! The index is built on the first question about a statement list, so a list without
//! unknown names costs nothing, and each question after that is a hash lookup and a binary
//! search instead of a scan of the remaining statements.

use std::collections::HashMap;

use zkm_diagnostics::Span;
use zkm_syntax::ast;

/// A statement list being resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stmts<'a> {
    /// No list (function parameters, a block's result).
    None,
    /// The model body.
    Model(&'a [ast::ModelStmt]),
    /// A function body.
    Block(&'a [ast::Stmt]),
}

/// Statement positions by name, in order.
type Positions<'a> = HashMap<&'a str, Vec<(usize, Span)>>;

/// The statements after position `at` of the current list.
#[derive(Debug)]
pub(crate) struct Later<'a> {
    stmts: Stmts<'a>,
    at: usize,
    /// Definitions and output assignments by name, built on first use.
    index: Option<(Positions<'a>, Positions<'a>)>,
}

impl<'a> Later<'a> {
    /// No statements.
    pub(crate) fn none() -> Self {
        Later {
            stmts: Stmts::None,
            at: 0,
            index: None,
        }
    }

    /// Starts a statement list (dropping the index of the previous one).
    pub(crate) fn start(&mut self, stmts: Stmts<'a>) {
        *self = Later {
            stmts,
            ..Later::none()
        };
    }

    /// Moves to statement `at` of the current list; "later" means after it.
    pub(crate) fn at(&mut self, at: usize) {
        self.at = at;
    }

    /// Leaves the list (a block's result expression has no later statements).
    pub(crate) fn end(&mut self) {
        self.at = usize::MAX;
    }

    /// The first definition of `name` after the current statement.
    pub(crate) fn definition(&mut self, name: &str) -> Option<Span> {
        let at = self.at;
        first_after(&self.index().0, name, at)
    }

    /// The first assignment of output `name` after the current statement (model body only).
    pub(crate) fn assignment(&mut self, name: &str) -> Option<Span> {
        let at = self.at;
        first_after(&self.index().1, name, at)
    }

    fn index(&mut self) -> &(Positions<'a>, Positions<'a>) {
        let stmts = self.stmts;
        self.index.get_or_insert_with(|| build(stmts))
    }
}

fn first_after(positions: &Positions<'_>, name: &str, at: usize) -> Option<Span> {
    let list = positions.get(name)?;
    let i = list.partition_point(|&(k, _)| k <= at);
    list.get(i).map(|&(_, s)| s)
}

fn build(stmts: Stmts<'_>) -> (Positions<'_>, Positions<'_>) {
    let (mut defs, mut assigns) = (Positions::new(), Positions::new());
    match stmts {
        Stmts::None => {}
        Stmts::Model(list) => {
            for (i, s) in list.iter().enumerate() {
                let (map, name) = match s {
                    ast::ModelStmt::Decl(d) => (&mut defs, &d.name),
                    ast::ModelStmt::Let(l) => (&mut defs, &l.name),
                    ast::ModelStmt::Assign(a) => (&mut assigns, &a.target),
                };
                map.entry(name.name.as_str())
                    .or_default()
                    .push((i, name.span));
            }
        }
        Stmts::Block(list) => {
            for (i, s) in list.iter().enumerate() {
                let entry = defs.entry(s.name.name.as_str()).or_default();
                entry.push((i, s.name.span));
            }
        }
    }
    (defs, assigns)
}

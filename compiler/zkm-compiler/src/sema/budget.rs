//! The compile budgets of evaluation, enforced while the graph is built.
//!
//! Functions are inlined at every call, so a few hundred bytes of source can describe an
//! exponentially large model (`fn f1(x) { f0(f0(x)) }`, and so on). Two counters stop that
//! early, at the first overflow, instead of after the whole model was built:
//!
//! - [`MAX_NODES`]: IR nodes of the model, inlined or not (memory);
//! - [`MAX_INLINED_EXPRS`]: expressions evaluated inside inlined function bodies (time; calls
//!   of functions that create no nodes, like `fn id(x) { x }`, count too).
//!
//! Expressions of the model body itself are not counted: their number is bounded by the
//! length of the source. Once a budget is exceeded (E0603) every further expression evaluates
//! silently to poison, so the rest of the model is walked in linear time.

/// The most IR nodes a model may have.
pub(crate) const MAX_NODES: usize = 2_000_000;

/// The most expressions evaluated inside inlined function bodies, over the whole model.
pub(crate) const MAX_INLINED_EXPRS: usize = 1_000_000;

/// Which budget ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// [`MAX_NODES`].
    Nodes,
    /// [`MAX_INLINED_EXPRS`].
    InlinedExprs,
}

impl Exceeded {
    /// The limit that was exceeded.
    pub(crate) fn limit(self) -> usize {
        match self {
            Exceeded::Nodes => MAX_NODES,
            Exceeded::InlinedExprs => MAX_INLINED_EXPRS,
        }
    }

    /// What the limit counts, in a message ("IR nodes").
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Exceeded::Nodes => "operations",
            Exceeded::InlinedExprs => "inlined expressions",
        }
    }
}

/// The running counts of one evaluation.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    /// Expressions evaluated inside inlined calls so far.
    inlined: usize,
    /// Set once a budget was exceeded (and reported).
    exhausted: bool,
}

impl Budget {
    /// True once a budget was exceeded: evaluation then stops.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Counts one expression evaluated inside an inlined call; `Some` when that exceeds the
    /// budget for the first time.
    pub(crate) fn inlined_expr(&mut self) -> Option<Exceeded> {
        self.inlined += 1;
        self.check(self.inlined > MAX_INLINED_EXPRS, Exceeded::InlinedExprs)
    }

    /// Checks that one more node fits after `nodes` existing ones; `Some` when it does not,
    /// for the first time.
    pub(crate) fn node(&mut self, nodes: usize) -> Option<Exceeded> {
        self.check(nodes >= MAX_NODES, Exceeded::Nodes)
    }

    fn check(&mut self, over: bool, what: Exceeded) -> Option<Exceeded> {
        if !over || self.exhausted {
            return None;
        }
        self.exhausted = true;
        Some(what)
    }
}

//! A compact evaluation tape for the constraints of one segment: only the expression nodes they
//! reach, renumbered densely, evaluated in order over any field the prover or verifier needs.

use zkm_air::expr::{Expr, ExprArena, ExprId};
use zkm_air::field::{Felt, FieldElement};

/// A leaf of the tape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Leaf {
    /// Main column, next row?
    Main(usize, bool),
    /// Auxiliary column, next row?
    Aux(usize, bool),
    /// Periodic column.
    Periodic(usize),
    /// Random element.
    Rand(usize),
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Const(Felt),
    Leaf(Leaf),
    Add(u32, u32),
    Sub(u32, u32),
    Mul(u32, u32),
    Neg(u32),
}

/// The nodes reachable from a set of roots, in evaluation order.
#[derive(Clone, Debug)]
pub(crate) struct Tape {
    ops: Vec<Op>,
    roots: Vec<u32>,
}

impl Tape {
    /// Collects the nodes that `roots` reach.
    pub(crate) fn new(arena: &ExprArena, roots: &[ExprId]) -> Self {
        let mut needed = vec![false; arena.len()];
        for &r in roots {
            needed[r as usize] = true;
        }
        for id in (0..arena.len()).rev() {
            if needed[id] {
                for child in children(arena.get(id as ExprId)) {
                    needed[child as usize] = true;
                }
            }
        }
        let mut index = vec![u32::MAX; arena.len()];
        let mut ops = Vec::new();
        for id in (0..arena.len()).filter(|&i| needed[i]) {
            index[id] = ops.len() as u32;
            ops.push(translate(arena.get(id as ExprId), &index));
        }
        let roots = roots.iter().map(|&r| index[r as usize]).collect();
        Tape { ops, roots }
    }

    /// Evaluates every root into `out`, reading leaves through `leaf`.
    pub(crate) fn eval<E: FieldElement<BaseField = Felt>>(
        &self,
        leaf: impl Fn(Leaf) -> E,
        out: &mut [E],
    ) {
        let mut v: Vec<E> = Vec::with_capacity(self.ops.len());
        for op in &self.ops {
            let x = match *op {
                Op::Const(c) => E::from(c),
                Op::Leaf(l) => leaf(l),
                Op::Add(a, b) => v[a as usize] + v[b as usize],
                Op::Sub(a, b) => v[a as usize] - v[b as usize],
                Op::Mul(a, b) => v[a as usize] * v[b as usize],
                Op::Neg(a) => -v[a as usize],
            };
            v.push(x);
        }
        for (o, &r) in out.iter_mut().zip(&self.roots) {
            *o = v[r as usize];
        }
    }
}

fn children(e: Expr) -> Vec<ExprId> {
    match e {
        Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) => vec![a, b],
        Expr::Neg(a) => vec![a],
        _ => vec![],
    }
}

fn translate(e: Expr, index: &[u32]) -> Op {
    let i = |x: ExprId| index[x as usize];
    match e {
        Expr::Const(c) => Op::Const(Felt::new(c)),
        Expr::Main { col, next } => Op::Leaf(Leaf::Main(col as usize, next)),
        Expr::Aux { col, next } => Op::Leaf(Leaf::Aux(col as usize, next)),
        Expr::Periodic(p) => Op::Leaf(Leaf::Periodic(p as usize)),
        Expr::Rand(r) => Op::Leaf(Leaf::Rand(r as usize)),
        Expr::Add(a, b) => Op::Add(i(a), i(b)),
        Expr::Sub(a, b) => Op::Sub(i(a), i(b)),
        Expr::Mul(a, b) => Op::Mul(i(a), i(b)),
        Expr::Neg(a) => Op::Neg(i(a)),
    }
}

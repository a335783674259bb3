//! The one interpreter of compiled expressions. A [`Tape`] holds the expression nodes that a set of
//! roots reaches, renumbered densely, and evaluates them in order (iteratively, each node once)
//! over any field. The witness generator (bus terms), the auxiliary-segment builder, the checker
//! and the Winterfell adapter all evaluate through it; [`Frames`] loads one row and the next from a
//! column-major trace for the callers that hold whole columns.

mod lanes;
mod mixed;

pub use lanes::{LaneScratch, LANES};

use crate::expr::{Env, Expr, ExprArena, ExprId};
use crate::field::{Felt, FieldElement};
use crate::program::{AirProgram, Segment};

/// A leaf of the tape: what an expression reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// Main column, on the next row when `true`.
    Main(usize, bool),
    /// Auxiliary column, on the next row when `true`.
    Aux(usize, bool),
    /// Periodic column on the current row.
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

/// The nodes reachable from a list of roots, in evaluation order.
#[derive(Clone, Debug)]
pub struct Tape {
    ops: Vec<Op>,
    roots: Vec<u32>,
    /// The same nodes compiled for [`Tape::eval_mixed`].
    mixed: mixed::Mixed,
    /// And for [`Tape::eval_lanes`], compiled on its first use (only the prover's constraint
    /// evaluator needs it; the verifier, the checker and the bus tapes never do).
    lanes: std::sync::OnceLock<lanes::Lanes>,
}

impl Tape {
    /// Collects the nodes that `roots` reach. Operands have smaller ids than their node (checked
    /// by [`crate::validate`] for artifacts read from disk), so one backward pass marks them.
    pub fn new(arena: &ExprArena, roots: &[ExprId]) -> Self {
        let mut needed = vec![false; arena.len()];
        for &r in roots {
            needed[r as usize] = true;
        }
        for id in (0..arena.len()).rev() {
            if needed[id] {
                for child in children(arena.get(id as ExprId)).into_iter().flatten() {
                    needed[child as usize] = true;
                }
            }
        }
        // Identical nodes (same operation on the same, already merged, operands) are evaluated
        // once: gadgets rebuild common subexpressions such as `α − (value + β·tag)`.
        let mut index = vec![u32::MAX; arena.len()];
        let mut ops = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for id in (0..arena.len()).filter(|&i| needed[i]) {
            let op = translate(arena.get(id as ExprId), &index);
            index[id] = *seen.entry(key(op)).or_insert_with(|| {
                ops.push(op);
                (ops.len() - 1) as u32
            });
        }
        let roots: Vec<u32> = roots.iter().map(|&r| index[r as usize]).collect();
        let mixed = mixed::Mixed::new(&ops, &roots);
        Tape {
            ops,
            roots,
            mixed,
            lanes: std::sync::OnceLock::new(),
        }
    }

    /// The tape of every transition constraint of `segment`, in program order.
    pub fn constraints(program: &AirProgram, segment: Segment) -> Self {
        let roots: Vec<ExprId> = program
            .constraints
            .iter()
            .filter(|c| c.segment == segment)
            .map(|c| c.expr)
            .collect();
        Tape::new(&program.exprs, &roots)
    }

    /// The tape of every bus term's multiplicity, term after term.
    pub fn bus_mults(program: &AirProgram) -> Self {
        let roots: Vec<ExprId> = program.bus.iter().map(|t| t.mult).collect();
        Tape::new(&program.exprs, &roots)
    }

    /// The tape of every bus term's `[tag, value]`, term after term (evaluated only on rows where
    /// some multiplicity is non-zero).
    pub fn bus_keys(program: &AirProgram) -> Self {
        let roots: Vec<ExprId> = program.bus.iter().flat_map(|t| [t.tag, t.value]).collect();
        Tape::new(&program.exprs, &roots)
    }

    /// Number of roots (the length `eval` writes).
    pub fn num_roots(&self) -> usize {
        self.roots.len()
    }

    /// Evaluates every root into `out`, reading leaves through `leaf`; `scratch` is reused
    /// between calls to avoid allocating.
    pub fn eval<E: FieldElement<BaseField = Felt>>(
        &self,
        leaf: impl Fn(Leaf) -> E,
        scratch: &mut Vec<E>,
        out: &mut [E],
    ) {
        scratch.clear();
        scratch.reserve(self.ops.len());
        for op in &self.ops {
            let x = match *op {
                Op::Const(c) => E::from(c),
                Op::Leaf(l) => leaf(l),
                Op::Add(a, b) => scratch[a as usize] + scratch[b as usize],
                Op::Sub(a, b) => scratch[a as usize] - scratch[b as usize],
                Op::Mul(a, b) => scratch[a as usize] * scratch[b as usize],
                Op::Neg(a) => -scratch[a as usize],
            };
            scratch.push(x);
        }
        for (o, &r) in out.iter_mut().zip(&self.roots) {
            *o = scratch[r as usize];
        }
    }

    /// Evaluates every root into `out` like [`Tape::eval`], computing the nodes that read only
    /// main cells, periodic values and constants in `F` (Winterfell's main frame: the base field
    /// on the constraint-evaluation domain) and lifting them into `E` only where an
    /// extension-field node reads them (a product with one base operand is `mul_base`).
    pub fn eval_mixed<F, E>(
        &self,
        base_leaf: impl Fn(Leaf) -> F,
        ext_leaf: impl Fn(Leaf) -> E,
        out: &mut [E],
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + crate::field::ExtensionOf<F>,
    {
        self.mixed.eval(base_leaf, ext_leaf, out);
    }

    /// Evaluates every root on `n ≤ LANES` rows at once, as [`Tape::eval_mixed`] does on one, and
    /// adds `Σ_j coefs[j]·root_j` of row `l` to `acc[l]`: `base_leaf(leaf, dst)` and
    /// `ext_leaf(leaf, dst)` write a leaf's value on each of the `n` rows into `dst`.
    pub fn eval_lanes<F, E>(
        &self,
        n: usize,
        base_leaf: impl Fn(Leaf, &mut [F]),
        ext_leaf: impl Fn(Leaf, &mut [E]),
        coefs: &[E],
        acc: &mut [E],
        scratch: &mut LaneScratch<F, E>,
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + crate::field::ExtensionOf<F>,
    {
        let lanes = self
            .lanes
            .get_or_init(|| lanes::Lanes::new(&self.ops, &self.roots));
        lanes.eval_combined(n, base_leaf, ext_leaf, coefs, acc, scratch);
    }

    /// Evaluates every root on one row given as an [`Env`].
    pub fn eval_env<E: FieldElement<BaseField = Felt>>(
        &self,
        env: &Env<'_, E>,
        scratch: &mut Vec<E>,
        out: &mut [E],
    ) {
        let leaf = |l: Leaf| match l {
            Leaf::Main(c, next) => env.main[next as usize][c],
            Leaf::Aux(c, next) => env.aux[next as usize][c],
            Leaf::Periodic(i) => env.periodic[i],
            Leaf::Rand(i) => env.rand[i],
        };
        self.eval(leaf, scratch, out);
    }
}

/// A hashable identity of a translated node.
fn key(op: Op) -> (u8, u64, u64) {
    let leaf = |l: Leaf| match l {
        Leaf::Main(c, next) => (1, c as u64, next as u64),
        Leaf::Aux(c, next) => (2, c as u64, next as u64),
        Leaf::Periodic(i) => (3, i as u64, 0),
        Leaf::Rand(i) => (4, i as u64, 0),
    };
    match op {
        Op::Const(c) => (0, c.as_int(), 0),
        Op::Leaf(l) => leaf(l),
        Op::Add(a, b) => (5, a as u64, b as u64),
        Op::Sub(a, b) => (6, a as u64, b as u64),
        Op::Mul(a, b) => (7, a as u64, b as u64),
        Op::Neg(a) => (8, a as u64, 0),
    }
}

fn children(e: Expr) -> [Option<ExprId>; 2] {
    match e {
        Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) => [Some(a), Some(b)],
        Expr::Neg(a) => [Some(a), None],
        _ => [None, None],
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

/// One row and the next of a column-major trace, lifted to `E`, with the periodic values of the
/// row: what an [`Env`] borrows.
#[derive(Debug)]
pub struct Frames<E> {
    main: [Vec<E>; 2],
    aux: [Vec<E>; 2],
    periodic: Vec<E>,
}

impl<E: FieldElement<BaseField = Felt>> Frames<E> {
    /// Buffers sized for `program`.
    pub fn new(program: &AirProgram) -> Self {
        let (m, a) = (program.main_columns.len(), program.aux_columns.len());
        Frames {
            main: [vec![E::ZERO; m], vec![E::ZERO; m]],
            aux: [vec![E::ZERO; a], vec![E::ZERO; a]],
            periodic: vec![E::ZERO; program.periodic.len()],
        }
    }

    /// Loads `row` and the next row (wrapping) of `main` and `aux` (`aux` may be empty: its
    /// cells then read as zero), and the periodic values of `row`.
    pub fn load(&mut self, program: &AirProgram, main: &[Vec<Felt>], aux: &[Vec<E>], row: usize) {
        let n = program.trace_len;
        for (k, r) in [row, (row + 1) % n].into_iter().enumerate() {
            for (o, c) in self.main[k].iter_mut().zip(main) {
                *o = E::from(c[r]);
            }
            for (o, c) in self.aux[k].iter_mut().zip(aux) {
                *o = c[r];
            }
        }
        for (o, col) in self.periodic.iter_mut().zip(&program.periodic) {
            *o = E::from(Felt::new(col.values[row % col.values.len()]));
        }
    }

    /// The loaded row as an [`Env`] with random elements `rand`.
    pub fn env<'a>(&'a self, rand: &'a [E]) -> Env<'a, E> {
        Env {
            main: [&self.main[0], &self.main[1]],
            aux: [&self.aux[0], &self.aux[1]],
            periodic: &self.periodic,
            rand,
        }
    }
}

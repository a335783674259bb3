//! The tape compiled for evaluating up to [`LANES`] rows at once: each node runs as one tight loop
//! over the rows of a block, so the cost of dispatching a node is paid once per block instead of
//! once per row. The prover's constraint evaluator uses it over the constraint-evaluation domain.
//!
//! Nodes that read only main cells, periodic values and constants are computed in the base field
//! `F`; the rest in the extension `E` (a product with one base operand is `mul_base`, a sum or a
//! difference with one base operand lifts it lane by lane). Scratch slots are reused once a node's
//! last reader has run (linear scan over the evaluation order), so the scratch of a block stays a
//! few hundred slots even for tapes of thousands of nodes. Every node runs over all [`LANES`]
//! lanes of its slot (fixed-size loops the compiler unrolls without bounds checks); on a partial
//! block the lanes past its rows hold stale values that nothing reads back.

use super::{Leaf, Op};
use crate::field::{ExtensionOf, Felt, FieldElement};

/// Rows evaluated together.
pub const LANES: usize = 32;

/// A node's value: a base-field slot or an extension slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Base(u32),
    Ext(u32),
}

/// One node: its operands' slots and its own (last), specialised by operand fields.
#[derive(Clone, Copy, Debug)]
enum LOp {
    BConst(Felt, u32),
    BLeaf(Leaf, u32),
    BAdd(u32, u32, u32),
    BSub(u32, u32, u32),
    BMul(u32, u32, u32),
    BNeg(u32, u32),
    ELeaf(Leaf, u32),
    EAdd(u32, u32, u32),
    /// Extension plus base.
    EAddB(u32, u32, u32),
    ESub(u32, u32, u32),
    /// Extension minus base.
    ESubB(u32, u32, u32),
    /// Base minus extension.
    BSubE(u32, u32, u32),
    EMul(u32, u32, u32),
    /// Extension times base.
    EMulB(u32, u32, u32),
    ENeg(u32, u32),
}

/// The compiled tape, its roots' slots and the scratch it needs.
#[derive(Clone, Debug)]
pub(super) struct Lanes {
    ops: Vec<LOp>,
    roots: Vec<Slot>,
    base_slots: usize,
    ext_slots: usize,
}

/// Scratch of one evaluating thread, reused from block to block.
#[derive(Debug)]
pub struct LaneScratch<F, E> {
    fs: Vec<F>,
    es: Vec<E>,
}

impl<F: FieldElement, E: FieldElement> LaneScratch<F, E> {
    /// Empty scratch; the first evaluation sizes it.
    pub fn new() -> Self {
        LaneScratch {
            fs: Vec::new(),
            es: Vec::new(),
        }
    }
}

impl<F: FieldElement, E: FieldElement> Default for LaneScratch<F, E> {
    fn default() -> Self {
        Self::new()
    }
}

/// Slot allocation with reuse.
#[derive(Default)]
struct Alloc {
    free: Vec<u32>,
    next: u32,
}

impl Alloc {
    fn take(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

impl Lanes {
    /// Compiles `ops` (in evaluation order, operands before their node) with the roots `roots`.
    pub(super) fn new(ops: &[Op], roots: &[u32]) -> Self {
        let mut last_use = vec![0usize; ops.len()];
        for (k, op) in ops.iter().enumerate() {
            for a in operands(*op).into_iter().flatten() {
                last_use[a as usize] = k;
            }
        }
        for &r in roots {
            last_use[r as usize] = usize::MAX;
        }
        let (mut base, mut ext) = (Alloc::default(), Alloc::default());
        let mut slot: Vec<Slot> = Vec::with_capacity(ops.len());
        let mut out = Vec::with_capacity(ops.len());
        for (k, &op) in ops.iter().enumerate() {
            // The node's slot is taken before its operands' slots are freed, so it never is one
            // of them (a block's operands and result are disjoint slices).
            let (lop, s) = lower(op, &slot, &mut base, &mut ext);
            let mut freed = operands(op);
            if freed[0] == freed[1] {
                freed[1] = None;
            }
            for a in freed.into_iter().flatten() {
                if last_use[a as usize] == k {
                    match slot[a as usize] {
                        Slot::Base(s) => base.free.push(s),
                        Slot::Ext(s) => ext.free.push(s),
                    }
                }
            }
            slot.push(s);
            out.push(lop);
        }
        Lanes {
            ops: out,
            roots: roots.iter().map(|&r| slot[r as usize]).collect(),
            base_slots: base.next as usize,
            ext_slots: ext.next as usize,
        }
    }

    /// Evaluates the roots on `n ≤ LANES` rows and adds `Σ_j coefs[j]·root_j` to `acc[l]` for
    /// each row `l`. `base_leaf(leaf, dst)` and `ext_leaf(leaf, dst)` write a leaf's value on
    /// each of the `n` rows into `dst`.
    pub(super) fn eval_combined<F, E>(
        &self,
        n: usize,
        base_leaf: impl Fn(Leaf, &mut [F]),
        ext_leaf: impl Fn(Leaf, &mut [E]),
        coefs: &[E],
        acc: &mut [E],
        scratch: &mut LaneScratch<F, E>,
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + ExtensionOf<F>,
    {
        assert!(
            n <= LANES && acc.len() >= n,
            "a block has at most {LANES} rows"
        );
        scratch.fs.resize(self.base_slots * LANES, F::ZERO);
        scratch.es.resize(self.ext_slots * LANES, E::ZERO);
        let (fs, es) = (&mut scratch.fs, &mut scratch.es);
        let at = |s: u32| s as usize * LANES;
        for op in &self.ops {
            match *op {
                LOp::BConst(c, o) => fs[at(o)..at(o) + n].fill(F::from(c)),
                LOp::BLeaf(l, o) => base_leaf(l, &mut fs[at(o)..at(o) + n]),
                LOp::ELeaf(l, o) => ext_leaf(l, &mut es[at(o)..at(o) + n]),
                LOp::BAdd(a, b, o) => lanes2(fs, a, b, o, |x, y| x + y),
                LOp::BSub(a, b, o) => lanes2(fs, a, b, o, |x, y| x - y),
                LOp::BMul(a, b, o) => lanes2(fs, a, b, o, |x, y| x * y),
                LOp::BNeg(a, o) => lanes2(fs, a, a, o, |x, _| -x),
                LOp::EAdd(a, b, o) => lanes2(es, a, b, o, |x, y| x + y),
                LOp::ESub(a, b, o) => lanes2(es, a, b, o, |x, y| x - y),
                LOp::EMul(a, b, o) => lanes2(es, a, b, o, |x, y| x * y),
                LOp::ENeg(a, o) => lanes2(es, a, a, o, |x, _| -x),
                LOp::EAddB(a, b, o) => mixed(es, fs, a, b, o, |x, y| x + E::from(y)),
                LOp::ESubB(a, b, o) => mixed(es, fs, a, b, o, |x, y| x - E::from(y)),
                LOp::BSubE(a, b, o) => mixed(es, fs, b, a, o, |x, y| E::from(y) - x),
                LOp::EMulB(a, b, o) => mixed(es, fs, a, b, o, |x, y| x.mul_base(y)),
            }
        }
        for (&root, &c) in self.roots.iter().zip(coefs) {
            match root {
                Slot::Base(s) => {
                    for (a, &v) in acc[..n].iter_mut().zip(&fs[at(s)..at(s) + n]) {
                        *a += c.mul_base(v);
                    }
                }
                Slot::Ext(s) => {
                    for (a, &v) in acc[..n].iter_mut().zip(&es[at(s)..at(s) + n]) {
                        *a += c * v;
                    }
                }
            }
        }
    }
}

/// Slot `o` of `v` (as a block) and the slots before and after it: operands are read from the
/// latter two while the block of `o` is written.
#[inline(always)]
fn split_at_slot<T>(v: &mut [T], o: u32) -> (&[T], &mut [T; LANES], &[T]) {
    let (lo, rest) = v.split_at_mut(o as usize * LANES);
    let (out, hi) = rest.split_at_mut(LANES);
    let out: &mut [T; LANES] = out.try_into().expect("scratch holds whole blocks");
    (lo, out, hi)
}

/// The block of slot `k ≠ o` given the slices before and after slot `o`.
#[inline(always)]
fn block<'v, T>(lo: &'v [T], hi: &'v [T], k: u32, o: u32) -> &'v [T; LANES] {
    let (k, o) = (k as usize, o as usize);
    let s = if k < o {
        &lo[k * LANES..][..LANES]
    } else {
        &hi[(k - o - 1) * LANES..][..LANES]
    };
    s.try_into().expect("scratch holds whole blocks")
}

/// `v[o] = f(v[a], v[b])` lane by lane over whole blocks (lanes past a partial block's rows
/// hold stale values and are never read back); `o` is neither operand.
#[inline(always)]
fn lanes2<T: Copy>(v: &mut [T], a: u32, b: u32, o: u32, f: impl Fn(T, T) -> T) {
    let (lo, out, hi) = split_at_slot(v, o);
    let (x, y) = (block(lo, hi, a, o), block(lo, hi, b, o));
    for l in 0..LANES {
        out[l] = f(x[l], y[l]);
    }
}

/// `e[o] = f(e[a], b[bi])`: an extension operand and a base one.
#[inline(always)]
fn mixed<F: Copy, E: Copy>(e: &mut [E], b: &[F], a: u32, bi: u32, o: u32, f: impl Fn(E, F) -> E) {
    let (lo, out, hi) = split_at_slot(e, o);
    let x = block(lo, hi, a, o);
    let y: &[F; LANES] = b[bi as usize * LANES..][..LANES]
        .try_into()
        .expect("scratch holds whole blocks");
    for l in 0..LANES {
        out[l] = f(x[l], y[l]);
    }
}

fn operands(op: Op) -> [Option<u32>; 2] {
    match op {
        Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => [Some(a), Some(b)],
        Op::Neg(a) => [Some(a), None],
        Op::Const(_) | Op::Leaf(_) => [None, None],
    }
}

/// The specialised node of `op` given its operands' slots, and its own slot.
fn lower(op: Op, slot: &[Slot], base: &mut Alloc, ext: &mut Alloc) -> (LOp, Slot) {
    let s = |k: u32| slot[k as usize];
    let is_base = match op {
        Op::Const(_) | Op::Leaf(Leaf::Main(..) | Leaf::Periodic(_)) => true,
        Op::Leaf(_) => false,
        Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => {
            matches!((s(a), s(b)), (Slot::Base(_), Slot::Base(_)))
        }
        Op::Neg(a) => matches!(s(a), Slot::Base(_)),
    };
    let o = if is_base { base.take() } else { ext.take() };
    let lop = match op {
        Op::Const(c) => LOp::BConst(c, o),
        Op::Leaf(l) if is_base => LOp::BLeaf(l, o),
        Op::Leaf(l) => LOp::ELeaf(l, o),
        Op::Add(a, b) => match (s(a), s(b)) {
            (Slot::Base(x), Slot::Base(y)) => LOp::BAdd(x, y, o),
            (Slot::Ext(x), Slot::Ext(y)) => LOp::EAdd(x, y, o),
            (Slot::Ext(x), Slot::Base(y)) | (Slot::Base(y), Slot::Ext(x)) => LOp::EAddB(x, y, o),
        },
        Op::Sub(a, b) => match (s(a), s(b)) {
            (Slot::Base(x), Slot::Base(y)) => LOp::BSub(x, y, o),
            (Slot::Ext(x), Slot::Ext(y)) => LOp::ESub(x, y, o),
            (Slot::Ext(x), Slot::Base(y)) => LOp::ESubB(x, y, o),
            (Slot::Base(x), Slot::Ext(y)) => LOp::BSubE(x, y, o),
        },
        Op::Mul(a, b) => match (s(a), s(b)) {
            (Slot::Base(x), Slot::Base(y)) => LOp::BMul(x, y, o),
            (Slot::Ext(x), Slot::Ext(y)) => LOp::EMul(x, y, o),
            (Slot::Ext(x), Slot::Base(y)) | (Slot::Base(y), Slot::Ext(x)) => LOp::EMulB(x, y, o),
        },
        Op::Neg(a) => match s(a) {
            Slot::Base(x) => LOp::BNeg(x, o),
            Slot::Ext(x) => LOp::ENeg(x, o),
        },
    };
    let slot = if is_base { Slot::Base(o) } else { Slot::Ext(o) };
    (lop, slot)
}

#[cfg(test)]
mod tests {
    use super::super::Tape;
    use super::*;
    use crate::expr::{Expr, ExprArena, ExprId};
    use crate::field::Ext;

    /// A pseudo-random DAG over main, auxiliary, periodic and random leaves, with constants,
    /// shared subexpressions, squares and negations: the lane interpreter must give, row by row,
    /// what the one-row interpreter gives, for every block length.
    #[test]
    fn lanes_agree_with_the_row_interpreter() {
        let mut arena = ExprArena::default();
        let mut nodes: Vec<ExprId> = Vec::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for c in 0..4u16 {
            for next_row in [false, true] {
                nodes.push(arena.push(Expr::Main {
                    col: c,
                    next: next_row,
                }));
                nodes.push(arena.push(Expr::Aux {
                    col: c % 2,
                    next: next_row,
                }));
            }
        }
        nodes.push(arena.push(Expr::Periodic(0)));
        nodes.push(arena.push(Expr::Rand(0)));
        nodes.push(arena.push(Expr::Rand(1)));
        nodes.push(arena.constant(-3));
        for _ in 0..300 {
            let (a, b) = (nodes[next(nodes.len())], nodes[next(nodes.len())]);
            let id = match next(5) {
                0 => arena.add(a, b),
                1 => arena.sub(a, b),
                2 => arena.mul(a, b),
                3 => arena.mul(a, a),
                _ => arena.push(Expr::Neg(a)),
            };
            nodes.push(id);
        }
        let roots: Vec<ExprId> = (0..12).map(|k| nodes[nodes.len() - 1 - 7 * k]).collect();
        let tape = Tape::new(&arena, &roots);
        let cell = |leaf: Leaf, row: usize| -> Ext {
            let (kind, c, nx) = match leaf {
                Leaf::Main(c, nx) => (1u64, c as u64, nx as u64),
                Leaf::Aux(c, nx) => (2, c as u64, nx as u64),
                Leaf::Periodic(i) => (3, i as u64, 0),
                Leaf::Rand(i) => return Ext::new(Felt::new(11 + i as u64), Felt::new(5)),
            };
            let base = Felt::new(kind * 1000 + c * 100 + nx * 10 + row as u64 * 7 + 1);
            match kind {
                2 => Ext::new(base, base * base),
                _ => Ext::from(base),
            }
        };
        let coefs: Vec<Ext> = (0..roots.len() as u64)
            .map(|j| Ext::new(Felt::new(j + 2), Felt::new(3 * j + 1)))
            .collect();
        let mut scratch = LaneScratch::<Felt, Ext>::new();
        for n in [1, 5, LANES] {
            let mut acc = vec![Ext::ZERO; n];
            let base = |leaf: Leaf, dst: &mut [Felt]| {
                for (row, d) in dst.iter_mut().enumerate() {
                    *d = cell(leaf, row).base_element(0);
                }
            };
            let ext = |leaf: Leaf, dst: &mut [Ext]| {
                for (row, d) in dst.iter_mut().enumerate() {
                    *d = cell(leaf, row);
                }
            };
            tape.eval_lanes(n, base, ext, &coefs, &mut acc, &mut scratch);
            for (row, &got) in acc.iter().enumerate() {
                let mut out = vec![Ext::ZERO; roots.len()];
                tape.eval(|leaf| cell(leaf, row), &mut Vec::new(), &mut out);
                let want = out
                    .iter()
                    .zip(&coefs)
                    .fold(Ext::ZERO, |s, (&v, &c)| s + c * v);
                assert_eq!(got, want, "row {row} of a block of {n}");
            }
        }
        let lanes = tape.lanes.get().expect("compiled on first use");
        assert!(lanes.ext_slots < tape.ops.len() / 2, "slots are reused");
    }
}

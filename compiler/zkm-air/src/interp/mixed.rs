//! The tape compiled for Winterfell's constraint evaluation, where the main frame is in a field
//! `F` and the auxiliary frame and random elements in an extension `E` of it. Nodes that read no
//! auxiliary cell and no random element are computed in `F`; the rest in `E`, with a product of
//! an extension value and a base value done as `mul_base`. Each node writes to the next slot of
//! its field's scratch: one push per node, into two buffers allocated once per row and never
//! zero-filled.

use super::{Leaf, Op};
use crate::field::{ExtensionOf, Felt, FieldElement};

/// A node's value: slot `i` of the base-field scratch, or of the extension scratch.
#[derive(Clone, Copy, Debug)]
enum Ref {
    Base(u32),
    Ext(u32),
}

/// One node of the compiled tape, in evaluation order.
#[derive(Clone, Copy, Debug)]
enum MOp {
    BConst(Felt),
    BLeaf(Leaf),
    BAdd(u32, u32),
    BSub(u32, u32),
    BMul(u32, u32),
    BNeg(u32),
    ELeaf(Leaf),
    EAdd(Ref, Ref),
    ESub(Ref, Ref),
    EMul(u32, u32),
    EMulBase(u32, u32),
    ENeg(u32),
}

/// The compiled tape and where its roots' values are.
#[derive(Clone, Debug)]
pub(super) struct Mixed {
    ops: Vec<MOp>,
    roots: Vec<Ref>,
    base_len: usize,
    ext_len: usize,
}

impl Mixed {
    /// Compiles `ops` (in evaluation order) with the roots `roots`.
    pub(super) fn new(ops: &[Op], roots: &[u32]) -> Self {
        let (mut refs, mut out) = (Vec::with_capacity(ops.len()), Vec::with_capacity(ops.len()));
        let (mut nb, mut ne) = (0u32, 0u32);
        for op in ops {
            let r = |k: u32| refs[k as usize];
            let m = match *op {
                Op::Const(c) => MOp::BConst(c),
                Op::Leaf(l @ (Leaf::Main(..) | Leaf::Periodic(_))) => MOp::BLeaf(l),
                Op::Leaf(l) => MOp::ELeaf(l),
                Op::Add(a, b) => match (r(a), r(b)) {
                    (Ref::Base(x), Ref::Base(y)) => MOp::BAdd(x, y),
                    (x, y) => MOp::EAdd(x, y),
                },
                Op::Sub(a, b) => match (r(a), r(b)) {
                    (Ref::Base(x), Ref::Base(y)) => MOp::BSub(x, y),
                    (x, y) => MOp::ESub(x, y),
                },
                Op::Mul(a, b) => match (r(a), r(b)) {
                    (Ref::Base(x), Ref::Base(y)) => MOp::BMul(x, y),
                    (Ref::Ext(x), Ref::Base(y)) | (Ref::Base(y), Ref::Ext(x)) => {
                        MOp::EMulBase(x, y)
                    }
                    (Ref::Ext(x), Ref::Ext(y)) => MOp::EMul(x, y),
                },
                Op::Neg(a) => match r(a) {
                    Ref::Base(x) => MOp::BNeg(x),
                    Ref::Ext(x) => MOp::ENeg(x),
                },
            };
            let is_base = matches!(
                m,
                MOp::BConst(_)
                    | MOp::BLeaf(_)
                    | MOp::BAdd(..)
                    | MOp::BSub(..)
                    | MOp::BMul(..)
                    | MOp::BNeg(_)
            );
            refs.push(if is_base {
                nb += 1;
                Ref::Base(nb - 1)
            } else {
                ne += 1;
                Ref::Ext(ne - 1)
            });
            out.push(m);
        }
        let roots = roots.iter().map(|&r| refs[r as usize]).collect();
        Mixed {
            ops: out,
            roots,
            base_len: nb as usize,
            ext_len: ne as usize,
        }
    }

    /// Evaluates every root into `out` (see [`super::Tape::eval_mixed`]).
    pub(super) fn eval<F, E>(
        &self,
        base_leaf: impl Fn(Leaf) -> F,
        ext_leaf: impl Fn(Leaf) -> E,
        out: &mut [E],
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + ExtensionOf<F>,
    {
        let mut fs: Vec<F> = Vec::with_capacity(self.base_len);
        let mut es: Vec<E> = Vec::with_capacity(self.ext_len);
        {
            let (fs, es) = (&mut fs, &mut es);
            let get = |fs: &[F], es: &[E], r: Ref| match r {
                Ref::Base(i) => E::from(fs[i as usize]),
                Ref::Ext(i) => es[i as usize],
            };
            for op in &self.ops {
                match *op {
                    MOp::BConst(c) => fs.push(F::from(c)),
                    MOp::BLeaf(l) => fs.push(base_leaf(l)),
                    MOp::BAdd(a, b) => fs.push(fs[a as usize] + fs[b as usize]),
                    MOp::BSub(a, b) => fs.push(fs[a as usize] - fs[b as usize]),
                    MOp::BMul(a, b) => fs.push(fs[a as usize] * fs[b as usize]),
                    MOp::BNeg(a) => fs.push(-fs[a as usize]),
                    MOp::ELeaf(l) => es.push(ext_leaf(l)),
                    MOp::EAdd(a, b) => es.push(get(fs, es, a) + get(fs, es, b)),
                    MOp::ESub(a, b) => es.push(get(fs, es, a) - get(fs, es, b)),
                    MOp::EMul(a, b) => es.push(es[a as usize] * es[b as usize]),
                    MOp::EMulBase(a, b) => es.push(es[a as usize].mul_base(fs[b as usize])),
                    MOp::ENeg(a) => es.push(-es[a as usize]),
                }
            }
            for (o, &r) in out.iter_mut().zip(&self.roots) {
                *o = get(fs, es, r);
            }
        }
    }
}

//! Constraint expressions: an arena of nodes over trace cells, periodic columns, random
//! elements and constants, with exact symbolic degrees and evaluation over any extension field.

use serde::{Deserialize, Serialize};

use crate::field::{canonical, signed, Felt};

/// Index of a node in an [`ExprArena`].
pub type ExprId = u32;

/// The largest base degree [`Degree`] records; products saturate here.
pub const MAX_BASE: u32 = 1 << 16;
/// The most periodic factors [`Degree`] records; products keep the first ones.
pub const MAX_CYCLES: usize = 256;

/// One node of a constraint expression. Operands always have smaller ids than the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Expr {
    /// A field constant (canonical representative).
    Const(u64),
    /// A main-trace cell: column `col` on the current row, or on the next row if `next`.
    Main {
        /// Column index in the main segment.
        col: u16,
        /// Next row (`'` in listings).
        next: bool,
    },
    /// An auxiliary-trace cell (extension field).
    Aux {
        /// Column index in the auxiliary segment.
        col: u16,
        /// Next row.
        next: bool,
    },
    /// The value of periodic column `i` on the current row.
    Periodic(u16),
    /// The auxiliary random element `i` (drawn after the main trace is committed).
    Rand(u16),
    /// Sum.
    Add(ExprId, ExprId),
    /// Difference.
    Sub(ExprId, ExprId),
    /// Product.
    Mul(ExprId, ExprId),
    /// Negation.
    Neg(ExprId),
}

/// The degree of an expression in the sense Winterfell uses: a degree in trace columns plus one
/// entry per periodic-column factor (its cycle length).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Degree {
    /// Degree in trace cells (main and auxiliary).
    pub base: u32,
    /// Cycle lengths of the periodic-column factors.
    pub cycles: Vec<u32>,
}

impl Degree {
    /// The degree of the composed polynomial over a trace of `n` rows (Winterfell's
    /// `get_evaluation_degree`).
    pub fn evaluation_degree(&self, n: usize) -> usize {
        let mut d = (self.base as usize).saturating_mul(n.saturating_sub(1));
        for &c in &self.cycles {
            let c = (c as usize).max(1);
            d = d.saturating_add((n / c).saturating_mul(c - 1));
        }
        d
    }

    fn product(&self, other: &Degree) -> Degree {
        // Saturating and capped: a DAG of squarings doubles the degree at every level, and an
        // artifact may hold one. Any degree near the caps is refused by validation anyway.
        let mut cycles = self.cycles.clone();
        let room = MAX_CYCLES.saturating_sub(cycles.len());
        cycles.extend(other.cycles.iter().take(room));
        Degree {
            base: self.base.saturating_add(other.base).min(MAX_BASE),
            cycles,
        }
    }

    fn max(&self, other: &Degree, n: usize) -> Degree {
        if other.evaluation_degree(n) > self.evaluation_degree(n) {
            other.clone()
        } else {
            self.clone()
        }
    }
}

/// An append-only arena of expression nodes shared by all constraints of a program.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExprArena {
    nodes: Vec<Expr>,
}

impl ExprArena {
    /// Appends a node and returns its id.
    pub fn push(&mut self, e: Expr) -> ExprId {
        self.nodes.push(e);
        (self.nodes.len() - 1) as ExprId
    }

    /// The node with id `id`.
    pub fn get(&self, id: ExprId) -> Expr {
        self.nodes[id as usize]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node was added.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A constant from a signed integer.
    pub fn constant(&mut self, v: i128) -> ExprId {
        self.push(Expr::Const(canonical(v)))
    }

    /// `a + b`.
    pub fn add(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.push(Expr::Add(a, b))
    }

    /// `a − b`.
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.push(Expr::Sub(a, b))
    }

    /// `a · b`.
    pub fn mul(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.push(Expr::Mul(a, b))
    }

    /// `c · a` for an integer constant `c`.
    pub fn scale(&mut self, c: i128, a: ExprId) -> ExprId {
        if c == 1 {
            return a;
        }
        let k = self.constant(c);
        self.mul(k, a)
    }

    /// The sum of several expressions (`0` when empty).
    pub fn sum(&mut self, terms: &[ExprId]) -> ExprId {
        let mut it = terms.iter();
        let Some(&first) = it.next() else {
            return self.constant(0);
        };
        it.fold(first, |acc, &t| self.add(acc, t))
    }

    /// True when node `id` is affine in trace cells: sums, differences and negations of cells
    /// and constants, and products in which one side is a constant. Bounded: a deeper node than
    /// 64 levels answers false.
    pub fn is_affine(&self, id: ExprId) -> bool {
        self.affine_within(id, 64)
    }

    fn affine_within(&self, id: ExprId, depth: u32) -> bool {
        let Some(depth) = depth.checked_sub(1) else {
            return false;
        };
        match self.nodes.get(id as usize) {
            Some(Expr::Const(_) | Expr::Main { .. } | Expr::Aux { .. }) => true,
            Some(&Expr::Add(a, b) | &Expr::Sub(a, b)) => {
                self.affine_within(a, depth) && self.affine_within(b, depth)
            }
            Some(&Expr::Neg(a)) => self.affine_within(a, depth),
            Some(&Expr::Mul(a, b)) => {
                match (self.nodes.get(a as usize), self.nodes.get(b as usize)) {
                    (Some(Expr::Const(_)), _) => self.affine_within(b, depth),
                    (_, Some(Expr::Const(_))) => self.affine_within(a, depth),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Degrees of every node for a trace of `n` rows; `periods[i]` is the cycle length of
    /// periodic column `i`.
    pub fn degrees(&self, n: usize, periods: &[u32]) -> Vec<Degree> {
        let mut out: Vec<Degree> = Vec::with_capacity(self.nodes.len());
        for e in &self.nodes {
            let d = match *e {
                Expr::Const(_) | Expr::Rand(_) => Degree::default(),
                Expr::Main { .. } | Expr::Aux { .. } => Degree {
                    base: 1,
                    cycles: vec![],
                },
                Expr::Periodic(i) => Degree {
                    base: 0,
                    cycles: vec![periods[i as usize]],
                },
                Expr::Add(a, b) | Expr::Sub(a, b) => out[a as usize].max(&out[b as usize], n),
                Expr::Mul(a, b) => out[a as usize].product(&out[b as usize]),
                Expr::Neg(a) => out[a as usize].clone(),
            };
            out.push(d);
        }
        out
    }

    /// Renders expression `id` in infix with the given names for cells and random elements.
    pub fn render(&self, id: ExprId, names: &dyn Fn(Expr) -> String) -> String {
        self.render_prec(id, names, 0)
    }

    fn render_prec(&self, id: ExprId, names: &dyn Fn(Expr) -> String, prec: u8) -> String {
        let e = self.get(id);
        let (text, own) = match e {
            Expr::Const(c) => (signed(Felt::new(c)).to_string(), 3),
            Expr::Add(a, b) => (self.binary(a, b, " + ", names, 1), 1),
            Expr::Sub(a, b) => {
                let l = self.render_prec(a, names, 1);
                (format!("{l} - {}", self.render_prec(b, names, 2)), 1)
            }
            Expr::Mul(a, b) => (self.binary(a, b, "·", names, 2), 2),
            Expr::Neg(a) => (format!("-{}", self.render_prec(a, names, 3)), 3),
            leaf => (names(leaf), 3),
        };
        let negative_const = matches!(e, Expr::Const(_)) && text.starts_with('-');
        if own < prec || (negative_const && prec > 0) {
            format!("({text})")
        } else {
            text
        }
    }

    fn binary(
        &self,
        a: ExprId,
        b: ExprId,
        op: &str,
        names: &dyn Fn(Expr) -> String,
        prec: u8,
    ) -> String {
        format!(
            "{}{op}{}",
            self.render_prec(a, names, prec),
            self.render_prec(b, names, prec)
        )
    }
}

/// The values an expression can read on one row.
#[derive(Debug)]
pub struct Env<'a, E> {
    /// Main segment: `[current row, next row]`.
    pub main: [&'a [E]; 2],
    /// Auxiliary segment: `[current row, next row]`.
    pub aux: [&'a [E]; 2],
    /// Periodic column values on the current row.
    pub periodic: &'a [E],
    /// Random elements.
    pub rand: &'a [E],
}

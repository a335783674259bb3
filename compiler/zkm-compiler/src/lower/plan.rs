//! The lowering pre-pass: tensor aliasing, per-element read counts and stored weights.

use zkm_diagnostics::Diagnostic;

use crate::ir::{NodeId, Op, Program};

/// What the pre-pass decided.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// For each node, the node whose tensor it shares (itself, or the source of a reshape; for
    /// loads, the first load of the same declaration).
    pub(crate) root: Vec<NodeId>,
    /// Reads per element, indexed by root node.
    pub(crate) reads: Vec<u32>,
    /// Public declarations used only as the matrix of one product, which is then checked with
    /// a random linear combination and never enters the trace.
    pub(crate) public_product: Vec<bool>,
    /// For an addition node: the checked product and public bias it is folded from.
    pub(crate) fold: Vec<Option<Fold>>,
    /// The trace length private products size their lanes for.
    pub(crate) row_target: usize,
    /// The shortest trace every tensor region fits in.
    pub(crate) min_rows: usize,
    /// Random rows reserved at the end of the trace for zero-knowledge (0 for all-public models).
    pub(crate) random_rows: usize,
    /// Product nodes folded into the addition that reads them (no gadget of their own).
    pub(crate) folded: Vec<bool>,
    /// Public biases folded into a checked product, by declaration.
    folded_bias: Vec<bool>,
    /// Private declarations stored inside the single matrix product that reads them (public
    /// ones reach it over the bus from the verifier).
    pub(crate) stored_in_dense: Vec<bool>,
}

impl Plan {
    /// True for a public bias folded into a checked product (it needs no gadget of its own).
    pub(crate) fn is_folded_bias(&self, d: usize) -> bool {
        self.folded_bias.get(d).copied().unwrap_or(false)
    }
}

/// A public bias folded into a checked product.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fold {
    /// The product node.
    pub(crate) product: NodeId,
    /// The bias declaration.
    pub(crate) bias: usize,
}

impl Plan {
    /// The same plan with another row target.
    pub(crate) fn with_target(&self, row_target: usize) -> Plan {
        Plan {
            row_target,
            ..self.clone()
        }
    }
}

/// Computes the plan.
pub(crate) fn plan(p: &Program, random_rows: Option<u32>) -> Result<Plan, Diagnostic> {
    let root = roots(p);
    let (decl_uses, matrix_of_matmul) = decl_uses(p);
    let private = |d: usize| p.decls[d].visibility != crate::ir::Visibility::Public;
    let only_matrix = |d: usize| matrix_of_matmul[d] && decl_uses[d] == 1;
    let committed = |d: usize| p.decls[d].visibility == crate::ir::Visibility::Committed;
    let stored_in_dense: Vec<bool> = (0..p.decls.len())
        .map(|d| only_matrix(d) && private(d))
        .collect();
    let public_product: Vec<bool> = (0..p.decls.len())
        .map(|d| only_matrix(d) && !private(d))
        .collect();
    let mut reads = vec![0u32; p.nodes.len()];
    let by_combination: Vec<bool> = public_product
        .iter()
        .zip(&stored_in_dense)
        .map(|(a, b)| *a || *b)
        .collect();
    for (id, n) in p.nodes.iter().enumerate() {
        // A private kernel's convolution gathers its input: it is not read once per element.
        let checked = match n.op {
            Op::Conv2d { .. } => checked_product(p, id, &public_product),
            _ => checked_product(p, id, &by_combination),
        };
        for (k, &a) in n.op.operands().iter().enumerate() {
            let per_element = if checked {
                1
            } else {
                reads_per_element(p, id, a, k)
            };
            reads[root[a]] = reads[root[a]].saturating_add(per_element);
        }
    }
    for &(_, node, _) in &p.outputs {
        reads[root[node]] = reads[root[node]].saturating_add(1);
    }
    // The commitment gadget reads every element of a committed declaration once: an input or
    // parameter where it is loaded, an output from the tensor assigned to it.
    for (id, n) in p.nodes.iter().enumerate() {
        if matches!(n.op, Op::Load(d) if committed(d)) && root[id] == id {
            reads[id] = reads[id].saturating_add(1);
        }
    }
    for &(d, node, _) in &p.outputs {
        if committed(d) {
            reads[root[node]] = reads[root[node]].saturating_add(1);
        }
    }
    let (fold, folded) = folds(p, &root, &reads, &public_product, &decl_uses);
    let mut folded_bias = vec![false; p.decls.len()];
    for f in fold.iter().flatten() {
        folded_bias[f.bias] = true;
    }
    let random_rows = match (random_rows, (0..p.decls.len()).any(private)) {
        (Some(r), _) => r as usize,
        (None, true) => zkm_air::zk::RESERVED_RANDOM_ROWS as usize,
        (None, false) => 0,
    };
    let row_target = row_target(p, &by_combination, &stored_in_dense, random_rows);
    let min_rows = tensor_rows(p, &by_combination, &stored_in_dense, random_rows);
    Ok(Plan {
        root,
        reads,
        stored_in_dense,
        public_product,
        fold,
        folded,
        folded_bias,
        row_target,
        min_rows,
        random_rows,
    })
}

/// Finds `W·x + b` with a checked public product whose only reader is the addition and a public
/// bias used nowhere else: the bias is then folded into the product check.
fn folds(
    p: &Program,
    root: &[NodeId],
    reads: &[u32],
    public_product: &[bool],
    uses: &[u32],
) -> (Vec<Option<Fold>>, Vec<bool>) {
    let mut fold = vec![None; p.nodes.len()];
    let mut folded = vec![false; p.nodes.len()];
    for (id, n) in p.nodes.iter().enumerate() {
        let Op::Add(a, b) = n.op else { continue };
        for (prod, bias) in [(a, b), (b, a)] {
            let Op::Load(d) = p.nodes[bias].op else {
                continue;
            };
            let public = p.decls[d].visibility == crate::ir::Visibility::Public;
            let fits = p.nodes[bias].shape == n.shape && p.nodes[prod].shape == n.shape;
            let ok = public && fits && uses[d] == 1 && reads[root[prod]] == 1 && root[prod] == prod;
            let ok = ok && matches!(p.nodes[prod].op, Op::MatMul(..));
            if ok && checked_product(p, prod, public_product) && !folded[prod] {
                fold[id] = Some(Fold {
                    product: prod,
                    bias: d,
                });
                folded[prod] = true;
                break;
            }
        }
    }
    (fold, folded)
}

/// Weights per row a private product aims for when it sets the trace length.
const MACS_PER_ROW: usize = 16;

/// The trace length to aim for: every tensor in the trace fits in a region (plus the dead row and
/// `random` random rows), the range table fits, and the largest private product runs at about
/// [`MACS_PER_ROW`] weights per row. `checked[d]` marks matrices that never enter the trace as a
/// tensor, `stored[d]` the private ones among them (stored in product lanes).
fn row_target(p: &Program, checked: &[bool], stored: &[bool], random: usize) -> usize {
    let products = p.nodes.iter().filter_map(|n| match n.op {
        Op::MatMul(a, b) => [a, b].into_iter().find_map(|x| match p.nodes[x].op {
            Op::Load(d) if stored[d] => Some(p.decls[d].len().div_ceil(MACS_PER_ROW)),
            _ => None,
        }),
        _ => None,
    });
    // Products size their lanes to fit below the target, so their rows only need to fit the
    // power of two itself; tensor regions need a spare row (see `tensor_rows`).
    // Products size their lanes to fit below the target minus the random rows.
    tensor_rows(p, checked, stored, random).max(products.max().unwrap_or(0).next_power_of_two())
}

/// The shortest power-of-two trace in which every tensor region fits below the dead row, with
/// `random` random rows after it (`stored[d]`: a private kernel in the trace).
fn tensor_rows(p: &Program, checked: &[bool], stored: &[bool], random: usize) -> usize {
    let in_trace = |n: &&crate::ir::Node| !matches!(n.op, Op::Load(d) if checked[d]);
    // A public kernel's check reads the bias on the rows after the input's; a private kernel's
    // gadget has its blocks and filler rows.
    let rows = |n: &crate::ir::Node| match n.op {
        Op::Conv2d {
            kernel, geometry, ..
        } if matches!(p.nodes[kernel].op, Op::Load(d) if stored[d]) => n
            .len()
            .max(zkm_air::gadgets::ConvLayout::of(&geometry).rows()),
        Op::Conv2d { x, geometry, .. } => n.len().max(p.nodes[x].len() + geometry.out_channels),
        _ => n.len(),
    };
    let longest = p.nodes.iter().filter(in_trace).map(rows).max().unwrap_or(1);
    (longest.max(zkm_air::range::TABLE_ROWS) + 1 + random).next_power_of_two()
}

/// How often each declaration is used, and whether it is ever the matrix of a product.
fn decl_uses(p: &Program) -> (Vec<u32>, Vec<bool>) {
    let mut uses = vec![0u32; p.decls.len()];
    let mut matrix = vec![false; p.decls.len()];
    for (id, n) in p.nodes.iter().enumerate() {
        for (k, &a) in n.op.operands().iter().enumerate() {
            if let Op::Load(d) = p.nodes[a].op {
                uses[d] += 1;
                matrix[d] |= is_matrix_operand(p, id, k);
            }
        }
    }
    for &(_, node, _) in &p.outputs {
        if let Op::Load(d) = p.nodes[node].op {
            uses[d] += 1;
        }
    }
    (uses, matrix)
}

/// True when node `id` is a product (or convolution) whose public matrix is checked by a random
/// combination (its vector operand is then read once per element).
fn checked_product(p: &Program, id: NodeId, public_product: &[bool]) -> bool {
    match p.nodes[id].op {
        Op::Conv2d { kernel, .. } => {
            return matches!(p.nodes[kernel].op, Op::Load(d) if public_product[d]);
        }
        Op::AvgPool2d { .. } => return true,
        _ => {}
    }
    let Op::MatMul(a, b) = p.nodes[id].op else {
        return false;
    };
    [(a, 0), (b, 1)].iter().any(|&(x, k)| match p.nodes[x].op {
        Op::Load(d) => public_product[d] && is_matrix_operand(p, id, k),
        _ => false,
    })
}

/// Reshapes alias their operand; loads of one declaration alias each other.
fn roots(p: &Program) -> Vec<NodeId> {
    let mut root: Vec<NodeId> = (0..p.nodes.len()).collect();
    let mut first_load = vec![None; p.decls.len()];
    for (id, n) in p.nodes.iter().enumerate() {
        match n.op {
            Op::Reshape(a) => root[id] = root[a],
            Op::Load(d) => root[id] = *first_load[d].get_or_insert(id),
            _ => {}
        }
    }
    root
}

/// True when operand `k` of node `id` is the matrix of a matrix-vector product or the kernel
/// of a convolution.
fn is_matrix_operand(p: &Program, id: NodeId, k: usize) -> bool {
    if let Op::Conv2d { .. } = p.nodes[id].op {
        return k == 1;
    }
    let Op::MatMul(a, b) = p.nodes[id].op else {
        return false;
    };
    let (ra, rb) = (p.nodes[a].shape.len(), p.nodes[b].shape.len());
    (k == 1 && ra == 1 && rb == 2) || (k == 0 && ra == 2 && rb == 1)
}

/// How many times node `id` reads each element of its operand `a` (operand position `k`).
fn reads_per_element(p: &Program, id: NodeId, a: NodeId, k: usize) -> u32 {
    let node = &p.nodes[id];
    let operand = &p.nodes[a];
    if matches!(operand.op, Op::Const(_)) {
        return 0;
    }
    match node.op {
        Op::Const(_) | Op::Load(_) | Op::Reshape(_) => 0,
        Op::MatMul(..) if is_matrix_operand(p, id, k) => 1,
        // A private kernel's gadget gathers every input element equally often.
        Op::Conv2d { geometry, .. } if k == 0 => zkm_air::gadgets::ConvLayout::of(&geometry).reads,
        Op::MatMul(..) => node.len() as u32,
        Op::Add(..) | Op::Sub(..) | Op::Mul(..) if operand.len() == 1 && node.len() > 1 => {
            node.len() as u32
        }
        // The divisor is received on every row.
        Op::DivScalar { .. } if k == 1 => node.len() as u32,
        _ => 1,
    }
}

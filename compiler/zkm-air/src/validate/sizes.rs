//! Names, sizes and shared columns of an untrusted program: every length that drives an
//! allocation is bounded and computed with checked arithmetic, every name that reaches a file
//! name or a terminal is a plain identifier, and expressions are small enough for the recursive
//! listing renderer.

use crate::expr::Expr;
use crate::program::{AirProgram, NumType, PublicKind};
use crate::range::TABLE_ROWS;

/// The most public values a program may declare (128 MiB of field elements).
pub const MAX_PUBLIC_LEN: usize = 1 << 24;
/// The longest name (program, declaration, tensor, public slot), in bytes.
pub const MAX_NAME_LEN: usize = 255;
/// The deepest expression a constraint or bus term may have.
pub const MAX_EXPR_DEPTH: u32 = 1024;
/// The most nodes a constraint or bus term may have when its shared nodes are counted once per
/// use (what the listing prints).
pub const MAX_EXPR_TREE: u64 = 1 << 16;
/// The widest declared type, in bits (the compiler's own limit is lower).
pub const MAX_TYPE_BITS: u32 = 63;

/// Program, declaration, tensor and public-slot names are identifiers.
pub(super) fn check_names(p: &AirProgram) -> Result<(), String> {
    let names = std::iter::once(("program", &p.name))
        .chain(p.decls.iter().map(|d| ("declaration", &d.name)))
        .chain(p.tensors.iter().map(|t| ("tensor", &t.name)))
        .chain(p.public.iter().map(|s| ("public value", &s.name)));
    for (what, name) in names {
        if !is_identifier(name) {
            return Err(format!(
                "{what} name {name:?} is not an identifier (ASCII letters, digits and `_`, \
                 at most {MAX_NAME_LEN} bytes)"
            ));
        }
    }
    Ok(())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && name.len() <= MAX_NAME_LEN && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The element count of `shape`, when it is at most `limit`.
fn elements(shape: &[usize], limit: usize) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= limit)
}

/// Declarations, tensors and public slots have bounded shapes and sane types; public slots lie
/// inside a bounded public vector (offsets added with checked arithmetic) and their length is
/// their shape's.
pub(super) fn check_shapes(p: &AirProgram) -> Result<(), String> {
    if p.public_len > MAX_PUBLIC_LEN {
        return Err(format!(
            "{} public values; zkmc allows at most {MAX_PUBLIC_LEN}",
            p.public_len
        ));
    }
    // Every tensor lives in the trace or in the public vector.
    let cells = p.trace_len.saturating_mul(p.width());
    let limit = cells.saturating_add(p.public_len);
    for d in &p.decls {
        elements(&d.shape, limit).ok_or_else(|| too_big("declaration", &d.name))?;
        check_type(&d.name, d.ty)?;
    }
    for t in &p.tensors {
        elements(&t.shape, limit).ok_or_else(|| too_big("tensor", &t.name))?;
    }
    for s in &p.public {
        let len = match s.kind {
            // A digest: four field elements, whatever the committed tensor's shape.
            PublicKind::Commitment => 4,
            _ => {
                elements(&s.shape, p.public_len).ok_or_else(|| too_big("public value", &s.name))?
            }
        };
        let end = s.offset.checked_add(s.len).map(|e| e as usize);
        if len != s.len as usize || end.is_none_or(|e| e > p.public_len) {
            return Err(format!(
                "public value `{}` does not fit the public vector",
                s.name
            ));
        }
        check_type(&s.name, s.ty)?;
    }
    for t in &p.public_bus {
        let end = t.offset.checked_add(t.len).map(|e| e as usize);
        if end.is_none_or(|e| e > p.public_len) {
            return Err(format!(
                "public bus term `{}` lies outside the public vector",
                t.label
            ));
        }
    }
    Ok(())
}

fn too_big(what: &str, name: &str) -> String {
    format!("{what} `{name}` has more elements than the trace and the public values hold")
}

fn check_type(name: &str, ty: NumType) -> Result<(), String> {
    if !(1..=MAX_TYPE_BITS).contains(&ty.bits) || ty.frac > ty.bits {
        return Err(format!(
            "`{name}` has a type of {} bits with {} fractional bits",
            ty.bits, ty.frac
        ));
    }
    Ok(())
}

/// The row counter, the selectors and the shared range table name existing main columns and
/// periodic columns, and fit the trace.
pub(super) fn check_globals(p: &AirProgram) -> Result<(), String> {
    let main = p.main_columns.len();
    let g = &p.globals;
    let selectors_ok = g
        .selectors
        .iter()
        .all(|&(col, len)| (col as usize) < main && (len as usize) < p.trace_len);
    let table_ok = g.range8.is_none_or(|t| {
        let periodic = [t.periodic, t.periodic_hi]
            .iter()
            .all(|&i| (i as usize) < p.periodic.len());
        let mults = [t.mult, t.mult_hi].iter().all(|&c| (c as usize) < main);
        periodic && mults && p.trace_len >= TABLE_ROWS
    });
    if (g.row as usize) >= main || !selectors_ok || !table_ok {
        return Err("the shared columns (row counter, selectors, range table) do not fit".into());
    }
    Ok(())
}

/// Constraints and bus terms are at most [`MAX_EXPR_DEPTH`] deep and [`MAX_EXPR_TREE`] nodes
/// large counted as a tree (one forward pass over the topologically ordered arena, saturating).
pub(super) fn check_expr_sizes(p: &AirProgram) -> Result<(), String> {
    let mut depth: Vec<u32> = Vec::with_capacity(p.exprs.len());
    let mut tree: Vec<u64> = Vec::with_capacity(p.exprs.len());
    for id in 0..p.exprs.len() {
        let (d, t) = match p.exprs.get(id as u32) {
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) => {
                let (a, b) = (a as usize, b as usize);
                (depth[a].max(depth[b]), tree[a].saturating_add(tree[b]))
            }
            Expr::Neg(a) => (depth[a as usize], tree[a as usize]),
            _ => (0, 0),
        };
        depth.push(d.saturating_add(1));
        tree.push(t.saturating_add(1));
    }
    let roots = p.constraints.iter().map(|c| (c.expr, &c.label));
    let terms = p.bus.iter().flat_map(|t| {
        [t.mult, t.tag, t.value]
            .into_iter()
            .map(move |e| (e, &t.label))
    });
    for (e, label) in roots.chain(terms) {
        let e = e as usize;
        if depth[e] > MAX_EXPR_DEPTH || tree[e] > MAX_EXPR_TREE {
            return Err(format!(
                "`{label}` has an expression {} deep and {} nodes large; at most \
                 {MAX_EXPR_DEPTH} and {MAX_EXPR_TREE}",
                depth[e], tree[e]
            ));
        }
    }
    Ok(())
}

/// Placements are one row per gadget inside the trace; aliases name existing main columns and
/// rows inside the trace.
pub(super) fn check_stacking(p: &AirProgram) -> Result<(), String> {
    let n = p.trace_len as u64;
    if !p.placements.is_empty() && p.placements.len() != p.gadgets.len() {
        return Err(format!(
            "{} placements for {} gadgets",
            p.placements.len(),
            p.gadgets.len()
        ));
    }
    if let Some(g) = p.placements.iter().position(|&o| u64::from(o) >= n) {
        return Err(format!("gadget {g} is placed below the last row"));
    }
    for a in &p.aliases {
        let end = u64::from(a.first_row) + u64::from(a.rows);
        if a.column as usize >= p.main_columns.len()
            || end > n
            || a.gadget as usize >= p.gadgets.len()
        {
            return Err(format!(
                "stacked region `{}` lies outside the main trace",
                a.name.escape_debug()
            ));
        }
    }
    Ok(())
}

/// Public products' regions lie inside the trace and do not overlap on a shared `X`; products
/// sharing `X` share `U`, and every `U` is pinned by a keys assertion (`gadgets/product_bank.rs`).
pub(super) fn check_product_banks(p: &AirProgram) -> Result<(), String> {
    use crate::gadgets::Gadget;
    use crate::program::{AssertValue, Segment};
    let mut regions: Vec<(u16, u16, usize, usize)> = Vec::new();
    for g in &p.gadgets {
        let Gadget::PublicProduct(q) = g else {
            continue;
        };
        let end = q.x_at.checked_add(q.region_len());
        if end.is_none_or(|e| e > p.trace_len) {
            return Err("a public product's region lies outside the trace".into());
        }
        regions.push((q.x_col, q.aux[0], q.x_at, q.x_at + q.region_len()));
    }
    regions.sort_unstable();
    for w in regions.windows(2) {
        let ((xa, ua, _, end), (xb, ub, start, _)) = (w[0], w[1]);
        if xa == xb && (ua != ub || start < end) {
            return Err("public products' regions of one shared column overlap".into());
        }
    }
    let pinned = |u: u16| {
        p.assertions.iter().any(|a| {
            a.segment == Segment::Aux
                && a.column == u
                && matches!(a.value, AssertValue::ProductKeys(_))
        })
    };
    match regions.iter().find(|r| !pinned(r.1)) {
        Some(_) => Err("a public product's keys column is not pinned".into()),
        None => Ok(()),
    }
}

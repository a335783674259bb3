//! Structural checks of an [`AirProgram`] read from an untrusted artifact file: every index the
//! checker, prover and verifier follow must be in range, so that an edited artifact (whose hash
//! anyone can recompute) is rejected with an error instead of making zkmc panic.
//!
//! Gadget column indices, tensors and public ranges are checked through the gadget contract;
//! [`winterfell`] mirrors every assertion Winterfell makes on an AIR, and [`sizes`] bounds every
//! length that drives an allocation and every name that reaches a file name or a terminal.
//! The checks run in an order where each may rely on the ones before (indices before degrees,
//! degrees before the exemption bound).

mod sizes;
mod winterfell;

pub use sizes::{MAX_EXPR_DEPTH, MAX_EXPR_TREE, MAX_NAME_LEN, MAX_PUBLIC_LEN};
pub use winterfell::{BLOWUP, MAX_TRACE_WIDTH};

use crate::expr::Expr;
use crate::program::{AirProgram, AssertValue, Segment};

/// Checks the program's indices; the error names the first problem found.
pub fn validate(p: &AirProgram) -> Result<(), String> {
    let n = p.trace_len;
    if !n.is_power_of_two() || !(8..=crate::builder::MAX_TRACE_LEN).contains(&n) {
        return Err(format!(
            "trace length {n} is not a power of two in 8..=2^24"
        ));
    }
    if p.num_rand != 3 {
        return Err(format!("{} random elements (zkmc uses 3)", p.num_rand));
    }
    for (i, c) in p.periodic.iter().enumerate() {
        let len = c.values.len();
        if !len.is_power_of_two() || len < 2 || len > n {
            return Err(format!("periodic column {i} has period {len}"));
        }
    }
    winterfell::check_layout(p)?;
    check_exprs(p)?;
    check_roots(p)?;
    sizes::check_expr_sizes(p)?;
    sizes::check_names(p)?;
    sizes::check_shapes(p)?;
    sizes::check_globals(p)?;
    sizes::check_stacking(p)?;
    check_zk(p)?;
    check_assertions(p)?;
    winterfell::check_overlaps(p)?;
    winterfell::check_constraints(p)?;
    winterfell::check_bus_terms(p)?;
    if let Some(z) = &p.zk {
        winterfell::check_exemptions(p, z.exemptions())?;
    }
    check_gadgets(p)?;
    sizes::check_product_banks(p)
}

/// Expression nodes read only earlier nodes and existing cells.
fn check_exprs(p: &AirProgram) -> Result<(), String> {
    let (main, aux) = (p.main_columns.len(), p.aux_columns.len());
    for id in 0..p.exprs.len() {
        let ok = match p.exprs.get(id as u32) {
            Expr::Const(_) => true,
            Expr::Main { col, .. } => (col as usize) < main,
            Expr::Aux { col, .. } => (col as usize) < aux,
            Expr::Periodic(i) => (i as usize) < p.periodic.len(),
            Expr::Rand(i) => (i as usize) < p.num_rand,
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) => a < id as u32 && b < id as u32,
            Expr::Neg(a) => a < id as u32,
        };
        if !ok {
            return Err(format!(
                "expression node {id} refers to something that does not exist"
            ));
        }
    }
    Ok(())
}

/// A zero-knowledge layout fits the trace: Winterfell's exemption bound `r + 1 ≤ n/2 + 1`, the
/// masks are auxiliary columns, and no assertion reaches a random row except a column the
/// verifier pins in full.
fn check_zk(p: &AirProgram) -> Result<(), String> {
    let Some(z) = &p.zk else {
        return Ok(());
    };
    let n = p.trace_len;
    let r = z.random_rows as usize;
    if r == 0 || n < crate::zk::MIN_ZK_TRACE_LEN || z.exemptions() > n / 2 + 1 {
        return Err(format!("{r} random rows do not fit a trace of {n} rows"));
    }
    let aux = p.aux_columns.len();
    let cols = [z.deep, z.quotient, z.gate];
    if cols.iter().any(|&c| c as usize >= aux) || z.periodic as usize >= p.periodic.len() {
        return Err("the zero-knowledge masks refer to missing columns".into());
    }
    let late = p
        .assertions
        .iter()
        .find(|a| a.row as usize > p.last_row() && !matches!(a.value, AssertValue::ProductKeys(_)));
    if let Some(a) = late {
        return Err(format!("assertion `{}` pins a random row", a.label));
    }
    Ok(())
}

/// Constraints, bus terms and the LogUp layout point at existing nodes, terms and columns.
fn check_roots(p: &AirProgram) -> Result<(), String> {
    let nodes = p.exprs.len() as u32;
    let constraint_roots = p.constraints.iter().map(|c| c.expr);
    let bus_roots = p.bus.iter().flat_map(|t| [t.mult, t.tag, t.value]);
    if constraint_roots.chain(bus_roots).any(|e| e >= nodes) {
        return Err("a constraint or bus term refers to a missing expression".into());
    }
    let terms = p
        .bus_columns
        .iter()
        .flatten()
        .any(|&t| t as usize >= p.bus.len());
    let helpers = p.globals.bus_first as usize + p.bus_columns.len();
    if terms
        || helpers > p.aux_columns.len()
        || p.globals.running_sum as usize >= p.aux_columns.len().max(1)
    {
        return Err("the LogUp layout refers to missing terms or columns".into());
    }
    let tensors = p
        .public_bus
        .iter()
        .any(|t| t.tensor.index() >= p.tensors.len());
    if tensors {
        return Err("a public bus term refers to a missing tensor".into());
    }
    Ok(())
}

/// Assertions pin existing cells to existing public values or gadgets.
fn check_assertions(p: &AirProgram) -> Result<(), String> {
    for a in &p.assertions {
        let width = match a.segment {
            Segment::Main => p.main_columns.len(),
            Segment::Aux => p.aux_columns.len(),
        };
        let value_ok = match a.value {
            AssertValue::Public(i) => (i as usize) < p.public_len,
            AssertValue::ProductKeys(g) | AssertValue::ProductOffset(g) => {
                (g as usize) < p.gadgets.len()
            }
            AssertValue::Const(_) | AssertValue::PublicBusSum => true,
        };
        if a.column as usize >= width || a.row as usize >= p.trace_len || !value_ok {
            return Err(format!(
                "assertion `{}` pins a cell or value that does not exist",
                a.label
            ));
        }
    }
    Ok(())
}

/// Every column, tensor and public range a gadget declares through its contract
/// ([`crate::gadgets::GadgetOp`]) exists.
fn check_gadgets(p: &AirProgram) -> Result<(), String> {
    let (main, aux) = (p.main_columns.len(), p.aux_columns.len());
    for (i, g) in p.gadgets.iter().enumerate() {
        let columns = g.columns().into_iter().all(|c| match c.segment {
            Segment::Main => (c.column as usize) < main,
            Segment::Aux => (c.column as usize) < aux,
        });
        let tensors = g.tensors().into_iter().all(|t| t.index() < p.tensors.len());
        let publics = g.public_ranges().into_iter().all(|r| r.end <= p.public_len);
        if !(columns && tensors && publics) {
            return Err(format!(
                "gadget {i} ({}) refers to a missing column, tensor or public value",
                g.op_name()
            ));
        }
        if let crate::gadgets::Gadget::PublicProduct(pp) = g {
            check_conv(pp, p.trace_len).map_err(|why| format!("gadget {i} (conv): {why}"))?;
        }
        if let crate::gadgets::Gadget::MaxPool(m) = g {
            check_max_pool(m, p).map_err(|why| format!("gadget {i} (max pool): {why}"))?;
        }
        if let crate::gadgets::Gadget::DivScalar(d) = g {
            if d.shift > 62 {
                return Err(format!("gadget {i} (divide): a shift of {} bits", d.shift));
            }
        }
        if let crate::gadgets::Gadget::TableFn(t) = g {
            check_table(t, p).map_err(|why| format!("gadget {i} (table): {why}"))?;
        }
        if let crate::gadgets::Gadget::PrivateConv(pc) = g {
            check_private_conv(pc, p).map_err(|why| format!("gadget {i} (private conv): {why}"))?;
        }
    }
    Ok(())
}

/// A convolution's shape is consistent with its product check, fits the trace, and keeps the
/// verifier's key computation bounded.
fn check_conv(pp: &crate::gadgets::PublicProduct, trace_len: usize) -> Result<(), String> {
    let Some(conv) = &pp.conv else {
        return Ok(());
    };
    let g = &conv.geometry;
    if g.output().is_none() {
        return Err("the convolution's shape has no output".into());
    }
    if g.input_len() != pp.n || g.output_len() != pp.m {
        return Err("the convolution's shape does not match its input and output lengths".into());
    }
    if pp.n + g.out_channels >= trace_len || pp.m >= trace_len {
        return Err("the convolution does not fit in the trace".into());
    }
    if g.macs() > crate::gadgets::MAX_CONV_TAPS {
        return Err(format!(
            "{} taps (at most {})",
            g.macs(),
            crate::gadgets::MAX_CONV_TAPS
        ));
    }
    Ok(())
}

/// A private-kernel convolution: a real convolution whose blocks, filler rows and outputs fit
/// the trace, with periodic columns that exist and a kernel width the witness can shift by.
fn check_private_conv(pc: &crate::gadgets::PrivateConv, p: &AirProgram) -> Result<(), String> {
    let g = &pc.geometry;
    if g.pool || g.output().is_none() {
        return Err("the convolution's shape has no output".into());
    }
    if g.macs() > crate::gadgets::MAX_CONV_TAPS {
        return Err(format!(
            "{} taps (at most {})",
            g.macs(),
            crate::gadgets::MAX_CONV_TAPS
        ));
    }
    let [oh, ow] = g.output().unwrap_or([0, 0]);
    let taps = g.in_channels * g.kernel[0] * g.kernel[1];
    // The fewest block rows any lane count gives (the layout's own count is checked below).
    let lanes = crate::gadgets::CONV_MAX_LANES;
    let blocks = (taps + 1).saturating_mul((oh * ow).div_ceil(lanes).max(g.out_channels));
    let sizes = [blocks, g.output_len(), g.input_len()];
    if sizes.iter().any(|&len| len >= p.trace_len) {
        return Err("the convolution does not fit in the trace".into());
    }
    let lanes = pc.xv.len();
    if !lanes.is_power_of_two() || lanes > crate::gadgets::CONV_MAX_LANES {
        return Err(format!(
            "{lanes} gather lanes (a power of two up to {} expected)",
            crate::gadgets::CONV_MAX_LANES
        ));
    }
    if pc.periodic.len() != lanes {
        return Err(format!(
            "{} gather lanes with {lanes} gather columns",
            pc.periodic.len()
        ));
    }
    // Bounded now: at most one gather per block row plus the filler rows.
    let layout = pc.layout();
    if layout.rows() >= p.trace_len {
        return Err("the convolution's gathers do not fit in the trace".into());
    }
    let kg = pc.committed.map(|(_, kg)| kg);
    let periodic = pc.periodic.iter().flatten().chain(&kg);
    if periodic.clone().any(|&c| c as usize >= p.periodic.len()) {
        return Err("a periodic column is missing".into());
    }
    if !(1..=62).contains(&pc.k_decl.bits) {
        return Err(format!("a {}-bit kernel", pc.k_decl.bits));
    }
    Ok(())
}

/// A table function: a known function, and entries that exist in its periodic column and fit
/// the trace.
fn check_table(t: &crate::gadgets::TableFn, p: &AirProgram) -> Result<(), String> {
    if t.function as usize >= crate::gadgets::TABLE_FNS.len() {
        return Err(format!("unknown function {}", t.function));
    }
    let values = p.periodic.get(t.ty as usize).map_or(0, |c| c.values.len());
    if t.len == 0 || t.len > values || t.len > crate::gadgets::MAX_TABLE_ROWS {
        return Err(format!("{} entries in a column of {values}", t.len));
    }
    Ok(())
}

/// A max pool: a pooling shape whose input (every element gathered once) fits the trace, with
/// its periodic index column.
fn check_max_pool(m: &crate::gadgets::MaxPool, p: &AirProgram) -> Result<(), String> {
    let g = &m.geometry;
    if !g.pool || g.output().is_none() || g.padding != 0 {
        return Err("not a pooling shape".into());
    }
    if g.input_len() >= p.trace_len || g.macs() >= p.trace_len {
        return Err("the pool does not fit in the trace".into());
    }
    if m.idx as usize >= p.periodic.len() {
        return Err("its periodic column is missing".into());
    }
    Ok(())
}

//! The LogUp argument that balances the bus, laid out in the auxiliary segment.
//!
//! With random `α, β` and `d_t = α − (value_t + β·tag_t)`, each helper column `h` covers a group
//! of bus terms `G`: `h·Π_{t∈G} d_t − Σ_{t∈G} σ_t·m_t·Π_{u∈G, u≠t} d_u = 0`
//! (`h = Σ_t σ_t·m_t / d_t`), where `σ = +1` for sends and `−1` for receives. Terms are sorted by
//! degree and packed while that constraint stays within degree 4 (the zero-knowledge mask's
//! degree): three range lookups of affine values, or two tensor reads, share one column (degree
//! 7 and six lookups in a program with a commitment, whose permutation rounds have degree 7). The
//! running sum `S` has `S[0] = 0`, `S' − S − Σ h = 0` and
//! `S[L] = −Σ public terms` on the dead row `L` (the last row, or the last before the random rows
//! of a zero-knowledge trace): every row before it is summed, and no term is active from it on
//! (regions always end before it), so sends and receives cancel.

use crate::builder::{AirBuilder, LAST_ROW};
use crate::expr::{Degree, Expr, ExprId};
use crate::program::{AssertValue, Column, Direction, Segment};

/// Highest `base + #cycles` degree allowed for a helper-column constraint, unless the program
/// already has a constraint of degree above 4 ([`helper_degree_limit`]). Measured on the
/// 1024-256-128-10 private model: 4 (three lookups per column) proves in 2.8 s with 60 auxiliary
/// columns, 3 (pairs) in 3.0–3.1 s with 80.
pub(crate) const MAX_HELPER_DEGREE: u32 = 4;

/// The helper degree limit of a program: [`MAX_HELPER_DEGREE`], or one less than its highest
/// constraint degree when that is higher (a commitment's permutation rounds, degree 7 times a
/// periodic factor, already need the constraint-evaluation blowup 8 and a 7-column composition:
/// degree-7 helpers hold six lookups each and change neither).
fn helper_degree_limit(b: &AirBuilder, degrees: &[Degree]) -> u32 {
    let constraints = &b.prog_ref().constraints;
    let top = constraints.iter().map(|c| cost(&degrees[c.expr as usize]));
    top.max()
        .unwrap_or(0)
        .saturating_sub(1)
        .max(MAX_HELPER_DEGREE)
}

/// Adds the helper columns, the running sum, their constraints and assertions.
pub(crate) fn lay_out(b: &mut AirBuilder) {
    let n = b.prog_mut().trace_len;
    let periods = b.prog_mut().periods();
    let degrees = b.prog_mut().exprs.degrees(n, &periods);
    let gated = b
        .stack
        .as_ref()
        .map(|s| s.gated_terms.clone())
        .unwrap_or_default();
    let mut shared = vec![false; b.prog_mut().bus.len()];
    for g in &gated {
        shared[g.term as usize] = true;
    }
    let plain: Vec<u32> = (0..shared.len() as u32)
        .filter(|&t| !shared[t as usize])
        .collect();
    let limit = helper_degree_limit(b, &degrees);
    let groups = pack(b.prog_ref(), &plain, &degrees, limit);
    let columns = crate::shared_bus::columns(b, &gated, &degrees, limit);
    let first = b.prog_mut().aux_columns.len() as u16;
    b.prog_mut().globals.bus_first = first;
    let alpha = b.e().push(Expr::Rand(0));
    let beta = b.e().push(Expr::Rand(1));
    let mut helpers = Vec::with_capacity(groups.len() + columns.len());
    for group in &groups {
        helpers.push(helper_column(b, group, alpha, beta));
    }
    for column in &columns {
        helpers.push(crate::shared_bus::helper_column(b, column, alpha, beta));
    }
    running_sum(b, &helpers);
    let shared_groups = columns.iter().map(crate::shared_bus::SharedColumn::terms);
    b.prog_mut().bus_columns = groups.into_iter().chain(shared_groups).collect();
}

fn cost(d: &Degree) -> u32 {
    d.base + d.cycles.len() as u32
}

/// Groups the terms into helper columns: terms sorted by their cost, then packed greedily while
/// the group's constraint stays within degree `max`.
pub(crate) fn pack(
    program: &crate::program::AirProgram,
    terms: &[u32],
    degrees: &[Degree],
    max: u32,
) -> Vec<Vec<u32>> {
    let bus = &program.bus;
    let key = |i: u32| {
        let t = &bus[i as usize];
        cost(&degrees[t.value as usize]).max(cost(&degrees[t.tag as usize]))
    };
    let mult = |i: u32| cost(&degrees[bus[i as usize].mult as usize]);
    let mut order = terms.to_vec();
    order.sort_by_key(|&i| (key(i), mult(i)));
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for i in order {
        let fits = groups.last().is_some_and(|g| {
            let mut with = g.clone();
            with.push(i);
            helper_degree(&with, key, mult) <= max
        });
        match groups.last_mut() {
            Some(g) if fits => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
}

/// The degree of a helper constraint over `group`: `h·Π d_i` has `1 + Σ key_i`, and each
/// `m_i·Π_{j≠i} d_j` has `mult_i + Σ_{j≠i} key_j`.
fn helper_degree(group: &[u32], key: impl Fn(u32) -> u32, mult: impl Fn(u32) -> u32) -> u32 {
    let keys: u32 = group.iter().map(|&t| key(t)).sum();
    let terms = group.iter().map(|&t| mult(t) + keys - key(t));
    terms.fold(1 + keys, u32::max)
}

/// `d = α − (value + β·tag)` and the signed multiplicity `σ·m` of term `t`.
pub(crate) fn denominator(
    b: &mut AirBuilder,
    t: u32,
    alpha: ExprId,
    beta: ExprId,
) -> (ExprId, ExprId) {
    let term = b.prog_mut().bus[t as usize].clone();
    let bt = b.e().mul(beta, term.tag);
    let key = b.e().add(term.value, bt);
    let d = b.e().sub(alpha, key);
    let m = match term.direction {
        Direction::Send => term.mult,
        Direction::Receive => b.e().push(Expr::Neg(term.mult)),
    };
    (d, m)
}

fn helper_column(b: &mut AirBuilder, group: &[u32], alpha: ExprId, beta: ExprId) -> ExprId {
    let (col, h, loc) = new_helper(b, group);
    let expr = fraction_identity(b, h, group, alpha, beta);
    b.set_loc(loc);
    b.push_constraint(&format!("bus{col}.fractions"), expr, Segment::Aux, None);
    h
}

/// A new helper column for `terms`, described by their labels: its index, its cell and the
/// location of its first term.
pub(crate) fn new_helper(b: &mut AirBuilder, terms: &[u32]) -> (u16, ExprId, crate::program::Loc) {
    let model = b.model_loc();
    let prog = b.prog_mut();
    let col = prog.aux_columns.len() as u16;
    let loc = terms.first().map_or(model, |&t| prog.bus[t as usize].loc);
    let labels: Vec<String> = terms
        .iter()
        .map(|&t| prog.bus[t as usize].label.clone())
        .collect();
    let name = format!("bus{col}");
    let meaning = format!("LogUp terms: {}", labels.join("; "));
    prog.aux_columns.push(Column { name, meaning, loc });
    let h = b.e().push(Expr::Aux { col, next: false });
    (col, h, loc)
}

/// `h·Π_i d_i − Σ_i m_i·Π_{j≠i} d_j` over the terms of `group`: zero exactly when
/// `h = Σ_i m_i/d_i` (all `d_i ≠ 0`).
pub(crate) fn fraction_identity(
    b: &mut AirBuilder,
    h: ExprId,
    group: &[u32],
    alpha: ExprId,
    beta: ExprId,
) -> ExprId {
    let fractions: Vec<(ExprId, ExprId)> = group
        .iter()
        .map(|&t| denominator(b, t, alpha, beta))
        .collect();
    if fractions.len() > 3 {
        return nested_identity(b, h, &fractions);
    }
    let mut lhs = h;
    for &(d, _) in &fractions {
        lhs = b.e().mul(lhs, d);
    }
    let mut rhs = Vec::with_capacity(fractions.len());
    for (i, &(_, m)) in fractions.iter().enumerate() {
        let mut term = m;
        for (j, &(d, _)) in fractions.iter().enumerate() {
            if j != i {
                term = b.e().mul(term, d);
            }
        }
        rhs.push(term);
    }
    let rhs = b.e().sum(&rhs);
    b.e().sub(lhs, rhs)
}

/// The same polynomial for a group of more than three terms, in about `3n` products instead of
/// `n²`: with `P_k = d_1⋯d_k` and `N_k = N_{k−1}·d_k + m_k·P_{k−1}` (`N_1 = m_1`),
/// `N_n = Σ_t m_t·Π_{u≠t} d_u`, and the identity is `h·P_n − N_n` (degrees as the expanded form).
fn nested_identity(b: &mut AirBuilder, h: ExprId, fractions: &[(ExprId, ExprId)]) -> ExprId {
    let (mut p, mut n) = fractions[0];
    for &(d, m) in &fractions[1..] {
        let kept = b.e().mul(n, d);
        let added = b.e().mul(m, p);
        n = b.e().add(kept, added);
        p = b.e().mul(p, d);
    }
    let lhs = b.e().mul(h, p);
    b.e().sub(lhs, n)
}

fn running_sum(b: &mut AirBuilder, helpers: &[ExprId]) {
    let loc = b.model_loc();
    b.set_loc(loc);
    let prog = b.prog_mut();
    let col = prog.aux_columns.len() as u16;
    let meaning = "LogUp running sum of all helper columns on earlier rows".to_owned();
    prog.aux_columns.push(Column {
        name: "bus.sum".into(),
        meaning,
        loc,
    });
    prog.globals.running_sum = col;
    let s = b.e().push(Expr::Aux { col, next: false });
    let s_next = b.e().push(Expr::Aux { col, next: true });
    let step = b.e().sub(s_next, s);
    let total = b.e().sum(helpers);
    let c = b.e().sub(step, total);
    b.push_constraint("bus.sum.step", c, Segment::Aux, None);
    let zero = AssertValue::Const(0);
    b.push_assertion(Segment::Aux, col, 0, zero, "bus sum starts at 0".into());
    let label = "bus balances with the public terms".into();
    b.push_assertion(
        Segment::Aux,
        col,
        LAST_ROW,
        AssertValue::PublicBusSum,
        label,
    );
}

//! The LogUp argument that balances the bus, laid out in the auxiliary segment.
//!
//! With random `α, β` and `d_t = α − (value_t + β·tag_t)`, each helper column `h` covers one or
//! two bus terms: `h·d_1 − σ_1·m_1 = 0` (`h = σ_1·m_1 / d_1`) or
//! `h·d_1·d_2 − σ_1·m_1·d_2 − σ_2·m_2·d_1 = 0` (`h = σ_1·m_1/d_1 + σ_2·m_2/d_2`), where `σ = +1`
//! for sends and `−1` for receives. The running sum `S` has `S[0] = 0`, `S' − S − Σ h = 0` and
//! `S[L] = −Σ public terms` on the dead row `L` (the last row, or the last before the random rows
//! of a zero-knowledge trace): every row before it is summed, and no term is active from it on
//! (regions always end before it), so sends and receives cancel.

use crate::builder::{AirBuilder, LAST_ROW};
use crate::expr::{Degree, Expr, ExprId};
use crate::program::{AssertValue, Column, Direction, Segment};

/// Highest `base + #cycles` degree allowed for a helper-column constraint.
const MAX_PAIR_COST: u32 = 3;

/// Adds the helper columns, the running sum, their constraints and assertions.
pub(crate) fn lay_out(b: &mut AirBuilder) {
    let n = b.prog_mut().trace_len;
    let periods = b.prog_mut().periods();
    let degrees = b.prog_mut().exprs.degrees(n, &periods);
    let groups = group_terms(b, &degrees);
    let first = b.prog_mut().aux_columns.len() as u16;
    b.prog_mut().globals.bus_first = first;
    let alpha = b.e().push(Expr::Rand(0));
    let beta = b.e().push(Expr::Rand(1));
    let mut helpers = Vec::with_capacity(groups.len());
    for group in &groups {
        helpers.push(helper_column(b, group, alpha, beta));
    }
    running_sum(b, &helpers);
    b.prog_mut().bus_columns = groups;
}

fn cost(d: &Degree) -> u32 {
    d.base + d.cycles.len() as u32
}

/// Greedily pairs consecutive terms while the pair constraint stays within degree 3.
fn group_terms(b: &mut AirBuilder, degrees: &[Degree]) -> Vec<Vec<u32>> {
    let terms = &b.prog_mut().bus;
    let key = |i: usize| {
        let t = &terms[i];
        cost(&degrees[t.value as usize]).max(cost(&degrees[t.tag as usize]))
    };
    let mult = |i: usize| cost(&degrees[terms[i].mult as usize]);
    let mut groups = Vec::new();
    let mut i = 0;
    while i < terms.len() {
        let pair = i + 1 < terms.len()
            && 1 + key(i) + key(i + 1) <= MAX_PAIR_COST
            && mult(i) + key(i + 1) <= MAX_PAIR_COST
            && mult(i + 1) + key(i) <= MAX_PAIR_COST;
        if pair {
            groups.push(vec![i as u32, i as u32 + 1]);
            i += 2;
        } else {
            groups.push(vec![i as u32]);
            i += 1;
        }
    }
    groups
}

/// `d = α − (value + β·tag)` and the signed multiplicity `σ·m` of term `t`.
fn denominator(b: &mut AirBuilder, t: u32, alpha: ExprId, beta: ExprId) -> (ExprId, ExprId) {
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
    let prog = b.prog_mut();
    let col = prog.aux_columns.len() as u16;
    let first = &prog.bus[group[0] as usize];
    let loc = first.loc;
    let labels: Vec<String> = group
        .iter()
        .map(|&t| prog.bus[t as usize].label.clone())
        .collect();
    let name = format!("bus{col}");
    let meaning = format!("LogUp terms: {}", labels.join("; "));
    prog.aux_columns.push(Column { name, meaning, loc });
    let h = b.e().push(Expr::Aux { col, next: false });
    let (d1, m1) = denominator(b, group[0], alpha, beta);
    let expr = if let Some(&second) = group.get(1) {
        let (d2, m2) = denominator(b, second, alpha, beta);
        let hd = b.e().mul(h, d1);
        let hdd = b.e().mul(hd, d2);
        let t1 = b.e().mul(m1, d2);
        let t2 = b.e().mul(m2, d1);
        let rhs = b.e().add(t1, t2);
        b.e().sub(hdd, rhs)
    } else {
        let hd = b.e().mul(h, d1);
        b.e().sub(hd, m1)
    };
    b.set_loc(loc);
    b.push_constraint(&format!("bus{col}.fractions"), expr, Segment::Aux, None);
    h
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

//! The checks that mirror what Winterfell 0.13 asserts when it builds an AIR context, a trace
//! layout or its assertions: an artifact that fails one of them would make the prover or the
//! verifier panic, so it is refused here with a message instead.

use std::collections::HashMap;

use crate::expr::{Degree, Expr};
use crate::program::{AirProgram, AssertValue, Assertion, Segment};

/// Winterfell's limit on the total number of trace columns.
pub const MAX_TRACE_WIDTH: usize = 255;

/// The blowup factor every zkmc proof uses (the verifier's `BLOWUP`): a constraint of base
/// degree `b` with `k` periodic factors needs a blowup of at least `b + k - 1`.
pub const BLOWUP: usize = 8;

/// Segment widths, constraint and assertion counts per segment (Winterfell needs at least one
/// of each in both segments, since zkmc always has an auxiliary segment).
pub(super) fn check_layout(p: &AirProgram) -> Result<(), String> {
    let (main, aux) = (p.main_columns.len(), p.aux_columns.len());
    if main == 0 || aux == 0 {
        return Err(format!(
            "{main} main and {aux} auxiliary columns; zkmc programs have both segments"
        ));
    }
    if main + aux > MAX_TRACE_WIDTH {
        return Err(format!(
            "{} trace columns; Winterfell allows at most {MAX_TRACE_WIDTH}",
            main + aux
        ));
    }
    for seg in [Segment::Main, Segment::Aux] {
        let name = segment_name(seg);
        if !p.constraints.iter().any(|c| c.segment == seg) {
            return Err(format!("no {name} transition constraint"));
        }
        if !p.assertions.iter().any(|a| a.segment == seg) {
            return Err(format!("no {name} assertion"));
        }
    }
    Ok(())
}

fn segment_name(seg: Segment) -> &'static str {
    match seg {
        Segment::Main => "main",
        Segment::Aux => "auxiliary",
    }
}

/// Every constraint's recorded degree is the degree of its expression (the verifier trusts the
/// record), reads a trace cell, fits the blowup factor, and a main-segment constraint reads no
/// auxiliary cell or random element (Winterfell evaluates it without them).
pub(super) fn check_constraints(p: &AirProgram) -> Result<(), String> {
    let degrees = p.exprs.degrees(p.trace_len, &p.periods());
    let reads_aux = reads_aux_or_rand(p);
    for c in &p.constraints {
        let actual = &degrees[c.expr as usize];
        if actual != &c.degree {
            return Err(format!(
                "constraint `{}` records degree {} but its expression has degree {}",
                c.label,
                show(&c.degree),
                show(actual)
            ));
        }
        if actual.base == 0 {
            return Err(format!("constraint `{}` reads no trace cell", c.label));
        }
        let needed = actual.base as usize + actual.cycles.len() - 1;
        if needed > BLOWUP {
            return Err(format!(
                "constraint `{}` has degree {}, more than the blowup factor {BLOWUP} admits",
                c.label,
                show(actual)
            ));
        }
        if c.segment == Segment::Main && reads_aux[c.expr as usize] {
            return Err(format!(
                "main constraint `{}` reads the auxiliary segment or a random element",
                c.label
            ));
        }
    }
    Ok(())
}

/// Bus terms are evaluated on the main trace alone, before the random elements exist.
pub(super) fn check_bus_terms(p: &AirProgram) -> Result<(), String> {
    let reads_aux = reads_aux_or_rand(p);
    for t in &p.bus {
        if [t.mult, t.tag, t.value]
            .iter()
            .any(|&e| reads_aux[e as usize])
        {
            return Err(format!(
                "bus term `{}` reads the auxiliary segment or a random element",
                t.label
            ));
        }
    }
    Ok(())
}

/// Per node: whether it reaches an auxiliary cell or a random element (one forward pass; the
/// arena is topologically ordered, which `check_exprs` established).
fn reads_aux_or_rand(p: &AirProgram) -> Vec<bool> {
    let mut out = Vec::with_capacity(p.exprs.len());
    for id in 0..p.exprs.len() {
        let v = match p.exprs.get(id as u32) {
            Expr::Aux { .. } | Expr::Rand(_) => true,
            Expr::Const(_) | Expr::Main { .. } | Expr::Periodic(_) => false,
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) => {
                out[a as usize] || out[b as usize]
            }
            Expr::Neg(a) => out[a as usize],
        };
        out.push(v);
    }
    out
}

fn show(d: &Degree) -> String {
    if d.cycles.is_empty() {
        d.base.to_string()
    } else {
        format!("{} with {} periodic factors", d.base, d.cycles.len())
    }
}

/// No two assertions pin the same cell; a product-keys assertion pins its whole column (two
/// sequence assertions in Winterfell), so nothing else may pin a cell of that column.
pub(super) fn check_overlaps(p: &AirProgram) -> Result<(), String> {
    let column = |a: &Assertion| (a.segment == Segment::Main, a.column);
    let is_keys = |a: &&Assertion| matches!(a.value, AssertValue::ProductKeys(_));
    let mut pinned: HashMap<(bool, u16), &str> = HashMap::new();
    for a in p.assertions.iter().filter(is_keys) {
        if let Some(other) = pinned.insert(column(a), &a.label) {
            return Err(same_cell(other, &a.label));
        }
    }
    let mut cells: HashMap<(bool, u16, u32), &str> = HashMap::new();
    for a in p.assertions.iter().filter(|a| !is_keys(a)) {
        if let Some(other) = pinned.get(&column(a)) {
            return Err(same_cell(other, &a.label));
        }
        let (main, col) = column(a);
        if let Some(other) = cells.insert((main, col, a.row), &a.label) {
            return Err(same_cell(other, &a.label));
        }
    }
    Ok(())
}

fn same_cell(a: &str, b: &str) -> String {
    format!("assertions `{a}` and `{b}` pin the same cell")
}

/// Winterfell's bound on transition exemptions: the composition degree must still fit the
/// constraint evaluation domain (`ce_domain − 1 + n − eval_degree ≥ exemptions` per constraint).
pub(super) fn check_exemptions(p: &AirProgram, exemptions: usize) -> Result<(), String> {
    let n = p.trace_len;
    let ce_blowup = p.ce_blowup();
    for c in &p.constraints {
        let eval = c.degree.evaluation_degree(n);
        let max = (n * ce_blowup - 1 + n).saturating_sub(eval);
        if exemptions > max {
            return Err(format!(
                "{exemptions} transition exemptions leave no room for constraint `{}`",
                c.label
            ));
        }
    }
    let divisor = n.saturating_sub(exemptions);
    let top = p.constraints.iter().map(|c| c.degree.evaluation_degree(n));
    let columns = top.map(|e| e.saturating_sub(divisor).div_ceil(n)).max();
    let columns = columns.unwrap_or(1).max(1);
    if p.zk.is_some() && !crate::zk::mask_rank_holds(n, columns) {
        return Err(format!(
            "a zero-knowledge trace of {n} rows is too short for a composition of {columns} columns"
        ));
    }
    Ok(())
}

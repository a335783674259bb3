//! The debug constraint checker: evaluates every constraint, assertion and bus term of a program
//! on a trace and reports every failure with its row and `.zkm` location, instead of stopping at
//! the first.

use std::collections::BTreeMap;

use zkm_diagnostics::{codes, Diagnostic, FileId, Span};

use crate::builder::TAG_SHIFT;
use crate::expr::Env;
use crate::field::{signed, Ext, Felt, FieldElement};
use crate::program::{AirProgram, AssertValue, Direction, Loc, Segment};
use crate::witness::{for_each_bus_value, load_periodic, load_row, Trace};

/// What kind of check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// A transition constraint.
    Constraint,
    /// A boundary assertion.
    Assertion,
    /// The bus does not balance.
    Bus,
}

/// One failing check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Kind of check.
    pub kind: FailureKind,
    /// The constraint's, assertion's or bus term's label.
    pub label: String,
    /// Where it comes from in the `.zkm` source.
    pub loc: Loc,
    /// First failing row.
    pub row: usize,
    /// Number of failing rows (1 for assertions and bus tuples).
    pub count: usize,
    /// Extra detail (values involved).
    pub detail: String,
}

impl Failure {
    /// The failure as a diagnostic pointing at its source.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let (code, what) = match self.kind {
            FailureKind::Constraint => (codes::CONSTRAINT_FAILED, "constraint"),
            FailureKind::Assertion => (codes::ASSERTION_FAILED, "assertion"),
            FailureKind::Bus => (codes::BUS_UNBALANCED, "bus term"),
        };
        let rows = if self.count > 1 {
            format!(" (and {} more rows)", self.count - 1)
        } else {
            String::new()
        };
        let span = Span::new(
            FileId(self.loc.file),
            self.loc.start as usize,
            self.loc.end as usize,
        );
        Diagnostic::error(
            code,
            format!("{what} `{}` fails at row {}{rows}", self.label, self.row),
        )
        .with_primary(span, "enforced here")
        .with_note(self.detail.clone())
    }
}

/// Random elements for the checker's auxiliary trace, derived from the trace itself so that a
/// trace cannot be crafted against them (any values work for an honest trace).
fn checker_rand(program: &AirProgram, trace: &Trace) -> Vec<Ext> {
    let mut bytes = program.name.as_bytes().to_vec();
    for v in trace.main.iter().flatten().chain(&trace.public) {
        bytes.extend_from_slice(&v.as_int().to_le_bytes());
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(&bytes);
    let mut words = [0u64; 6];
    let mut reader = hasher.finalize_xof();
    for w in &mut words {
        let mut buf = [0u8; 8];
        reader.fill(&mut buf);
        *w = u64::from_le_bytes(buf);
    }
    let e = |i: usize| Ext::new(Felt::new(words[i]), Felt::new(words[i + 1]));
    vec![e(0), e(2), e(4)]
}

/// Checks a trace against its program and returns every failure (empty when it satisfies all).
pub fn check(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let mut failures = main_constraints(program, trace);
    failures.extend(main_assertions(program, trace));
    let bus = bus_balance(program, trace);
    let balanced = bus.is_empty();
    failures.extend(bus);
    if balanced {
        failures.extend(aux_checks(program, trace));
    }
    failures
}

fn main_constraints(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let n = program.trace_len;
    let aux_zero = vec![Ext::ZERO; program.aux_columns.len()];
    let rand = vec![Ext::ZERO; program.num_rand];
    let w = trace.main.len();
    let (mut cur, mut nxt) = (vec![Felt::ZERO; w], vec![Felt::ZERO; w]);
    let (mut cur_e, mut nxt_e) = (vec![Ext::ZERO; w], vec![Ext::ZERO; w]);
    let mut periodic = vec![Ext::ZERO; program.periodic.len()];
    let mut values = Vec::new();
    let mut fails: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let main: Vec<(usize, u32)> = program
        .constraints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.segment == Segment::Main)
        .map(|(i, c)| (i, c.expr))
        .collect();
    for row in 0..n - 1 {
        load_row(&trace.main, row, &mut cur);
        load_row(&trace.main, row + 1, &mut nxt);
        lift(&cur, &mut cur_e);
        lift(&nxt, &mut nxt_e);
        load_periodic(program, row, &mut periodic);
        let env = Env {
            main: [&cur_e, &nxt_e],
            aux: [&aux_zero, &aux_zero],
            periodic: &periodic,
            rand: &rand,
        };
        program.exprs.eval_all(&env, &mut values);
        for &(i, root) in &main {
            if values[root as usize] != Ext::ZERO {
                fails.entry(i).or_insert((row, 0)).1 += 1;
            }
        }
    }
    constraint_failures(program, fails, "evaluates to a non-zero value")
}

fn constraint_failures(
    program: &AirProgram,
    fails: BTreeMap<usize, (usize, usize)>,
    why: &str,
) -> Vec<Failure> {
    fails
        .into_iter()
        .map(|(i, (row, count))| {
            let c = &program.constraints[i];
            let shown = program
                .exprs
                .render(c.expr, &|e| crate::listing::cell_name(program, e));
            Failure {
                kind: FailureKind::Constraint,
                label: c.label.clone(),
                loc: c.loc,
                row,
                count,
                detail: format!("{shown} = 0 {why} on row {row}"),
            }
        })
        .collect()
}

fn main_assertions(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let mut out = Vec::new();
    for a in program
        .assertions
        .iter()
        .filter(|a| a.segment == Segment::Main)
    {
        let actual = trace.main[a.column as usize][a.row as usize];
        let expected = match a.value {
            AssertValue::Const(c) => Felt::new(c),
            AssertValue::Public(i) => trace.public[i as usize],
            AssertValue::PublicBusSum
            | AssertValue::ProductKeys(_)
            | AssertValue::ProductOffset(_) => continue,
        };
        if actual != expected {
            let col = &program.main_columns[a.column as usize].name;
            out.push(Failure {
                kind: FailureKind::Assertion,
                label: a.label.clone(),
                loc: a.loc,
                row: a.row as usize,
                count: 1,
                detail: format!(
                    "{col}[{}] is {} but must be {}",
                    a.row,
                    signed(actual),
                    signed(expected)
                ),
            });
        }
    }
    out
}

/// Net multiplicity of every bus tuple, with a term (preferably a receive) and row touching it.
fn bus_balance(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let mut net: BTreeMap<(u64, u64), (Felt, usize, usize)> = BTreeMap::new();
    add_public_terms(program, &trace.public, &mut net);
    for_each_bus_value(program, &trace.main, &mut |row, ti, mult, tag, value| {
        let term = &program.bus[ti];
        let signed_mult = if term.direction == Direction::Send {
            mult
        } else {
            -mult
        };
        let entry = net
            .entry((tag.as_int(), value.as_int()))
            .or_insert((Felt::ZERO, ti, row));
        entry.0 += signed_mult;
        if term.direction == Direction::Receive {
            (entry.1, entry.2) = (ti, row);
        }
    });
    net.into_iter()
        .filter(|(_, (m, _, _))| *m != Felt::ZERO)
        .take(20)
        .map(|((tag, value), (m, ti, row))| bus_failure(program, tag, value, m, ti, row))
        .collect()
}

/// Adds the verifier's public bus terms (marked with term index `usize::MAX`).
fn add_public_terms(
    program: &AirProgram,
    public: &[Felt],
    net: &mut BTreeMap<(u64, u64), (Felt, usize, usize)>,
) {
    for t in &program.public_bus {
        let m = Felt::new(t.reads as u64);
        let m = if t.direction == Direction::Send {
            m
        } else {
            -m
        };
        for i in 0..t.len as u64 {
            let tag = ((t.tensor as u64) << TAG_SHIFT) + i;
            let v = public
                .get(t.offset as usize + i as usize)
                .copied()
                .unwrap_or(Felt::ZERO);
            net.entry((tag, v.as_int()))
                .or_insert((Felt::ZERO, usize::MAX, 0))
                .0 += m;
        }
    }
}

fn bus_failure(
    program: &AirProgram,
    tag: u64,
    value: u64,
    m: Felt,
    ti: usize,
    row: usize,
) -> Failure {
    let (label, loc) = match program.bus.get(ti) {
        Some(term) => (term.label.clone(), term.loc),
        None => public_term_origin(program, tag),
    };
    let what = describe_tag(program, tag);
    let v = signed(Felt::new(value));
    let net = signed(m);
    let detail = if net > 0 {
        format!("{what} = {v} is sent {net} more time(s) than it is received")
    } else {
        format!(
            "{what} = {v} is received {} more time(s) than it is sent",
            -net
        )
    };
    Failure {
        kind: FailureKind::Bus,
        label,
        loc,
        row,
        count: 1,
        detail,
    }
}

/// The label and location of the public bus term of the tensor in `tag`.
fn public_term_origin(program: &AirProgram, tag: u64) -> (String, Loc) {
    let tensor = (tag >> TAG_SHIFT) as u32;
    let term = program.public_bus.iter().find(|t| t.tensor == tensor);
    term.map_or_else(
        || ("public value".into(), Loc::default()),
        |t| (t.label.clone(), t.loc),
    )
}

fn describe_tag(program: &AirProgram, tag: u64) -> String {
    if tag == 0 {
        return "8-bit range table entry".into();
    }
    let (id, index) = (tag >> TAG_SHIFT, tag & ((1 << TAG_SHIFT) - 1));
    match program.tensors.get((id as usize).wrapping_sub(1)) {
        Some(t) => format!("{}[{index}]", t.name),
        None => format!("tag {tag}"),
    }
}

fn aux_checks(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let rand = checker_rand(program, trace);
    let aux = crate::aux::build(program, &trace.main, &trace.public, &rand);
    let n = program.trace_len;
    let w = trace.main.len();
    let (mut cur, mut nxt) = (vec![Felt::ZERO; w], vec![Felt::ZERO; w]);
    let (mut cur_e, mut nxt_e) = (vec![Ext::ZERO; w], vec![Ext::ZERO; w]);
    let (mut acur, mut anxt) = (vec![Ext::ZERO; aux.len()], vec![Ext::ZERO; aux.len()]);
    let mut periodic = vec![Ext::ZERO; program.periodic.len()];
    let mut values = Vec::new();
    let mut fails: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for row in 0..n - 1 {
        load_row(&trace.main, row, &mut cur);
        load_row(&trace.main, row + 1, &mut nxt);
        lift(&cur, &mut cur_e);
        lift(&nxt, &mut nxt_e);
        load_row(&aux, row, &mut acur);
        load_row(&aux, row + 1, &mut anxt);
        load_periodic(program, row, &mut periodic);
        let env = Env {
            main: [&cur_e, &nxt_e],
            aux: [&acur, &anxt],
            periodic: &periodic,
            rand: &rand,
        };
        program.exprs.eval_all(&env, &mut values);
        for (i, c) in program
            .constraints
            .iter()
            .enumerate()
            .filter(|(_, c)| c.segment == Segment::Aux)
        {
            if values[c.expr as usize] != Ext::ZERO {
                fails.entry(i).or_insert((row, 0)).1 += 1;
            }
        }
    }
    let mut out = constraint_failures(program, fails, "evaluates to a non-zero value");
    out.extend(aux_assertions(program, trace, &aux, &rand));
    out
}

/// Checks the auxiliary assertions against the built auxiliary columns.
fn aux_assertions(
    program: &AirProgram,
    trace: &Trace,
    aux: &[Vec<Ext>],
    rand: &[Ext],
) -> Vec<Failure> {
    let mut out = Vec::new();
    for a in program
        .assertions
        .iter()
        .filter(|a| a.segment == Segment::Aux)
    {
        let col = &aux[a.column as usize];
        let (holds, row) = match a.value {
            AssertValue::Const(c) => (
                col[a.row as usize] == Ext::from(Felt::new(c)),
                a.row as usize,
            ),
            AssertValue::Public(i) => (
                col[a.row as usize] == Ext::from(trace.public[i as usize]),
                a.row as usize,
            ),
            AssertValue::PublicBusSum => {
                let expected = -crate::logup::public_sum(program, &trace.public, rand);
                (col[a.row as usize] == expected, a.row as usize)
            }
            AssertValue::ProductKeys(g) => product_keys_hold(program, g, col, &trace.public, rand),
            AssertValue::ProductOffset(g) => {
                let expected = product_offset(program, g, &trace.public, rand);
                (col[a.row as usize] == expected, a.row as usize)
            }
        };
        if !holds {
            let detail = format!("{} does not hold", a.label);
            let (label, loc) = (a.label.clone(), a.loc);
            out.push(Failure {
                kind: FailureKind::Assertion,
                label,
                loc,
                row,
                count: 1,
                detail,
            });
        }
    }
    out
}

/// The value a product check's `D` column must end at.
pub fn product_offset<E: crate::field::FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    g: u32,
    public: &[Felt],
    rand: &[E],
) -> E {
    match program.gadgets.get(g as usize) {
        Some(crate::gadgets::Gadget::PublicProduct(p)) => {
            p.offset(public, rand[crate::gadgets::GAMMA as usize])
        }
        _ => E::ZERO,
    }
}

/// Whether a product check's key column equals the verifier's keys, and the first differing row.
fn product_keys_hold(
    program: &AirProgram,
    g: u32,
    col: &[Ext],
    public: &[Felt],
    rand: &[Ext],
) -> (bool, usize) {
    let Some(crate::gadgets::Gadget::PublicProduct(p)) = program.gadgets.get(g as usize) else {
        return (false, 0);
    };
    let pinned = crate::gadgets::pinned_column(p, program.trace_len, public, rand);
    match pinned.iter().zip(col).position(|(a, b)| a != b) {
        Some(row) => (false, row),
        None => (true, 0),
    }
}

fn lift(base: &[Felt], out: &mut [Ext]) {
    for (o, b) in out.iter_mut().zip(base) {
        *o = Ext::from(*b);
    }
}

//! The debug constraint checker: evaluates every constraint, assertion and bus term of a program
//! on a trace and reports every failure with its row and `.zkm` location, instead of stopping at
//! the first.

use std::collections::BTreeMap;

use zkm_diagnostics::{codes, Diagnostic, FileId, Span};

use crate::boundary::{public_tuples, resolve, Pinned};
use crate::builder::TAG_SHIFT;
use crate::field::{signed, Ext, Felt, FieldElement};
use crate::interp::{Frames, Tape};
use crate::program::{AirProgram, Direction, Loc, Segment};
use crate::witness::{for_each_bus_value, Trace};

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
    // Main constraints read no auxiliary cell and no random element: base-field arithmetic.
    failing_rows::<Felt>(program, &trace.main, &[], &[], Segment::Main)
}

/// Rows one task checks.
const ROWS_PER_TASK: usize = 512;

/// Every failing constraint of `segment` with its first failing row and failing-row count.
/// Blocks of rows are checked apart (on every core with the `parallel` feature) and their
/// counts merged in row order, so the result does not depend on the split.
fn failing_rows<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    aux: &[Vec<E>],
    rand: &[E],
    segment: Segment,
) -> Vec<Failure> {
    let tape = Tape::constraints(program, segment);
    let index: Vec<usize> = (0..program.constraints.len())
        .filter(|&i| program.constraints[i].segment == segment)
        .collect();
    let zeros = vec![E::ZERO; program.num_rand];
    let rand = if rand.is_empty() { &zeros[..] } else { rand };
    // Transition constraints hold on every row before the dead row (Winterfell exempts the rest).
    let last = program.last_row();
    let blocks: Vec<std::ops::Range<usize>> = (0..last)
        .step_by(ROWS_PER_TASK)
        .map(|start| start..(start + ROWS_PER_TASK).min(last))
        .collect();
    let check_block = |rows: std::ops::Range<usize>| {
        let mut frames = Frames::<E>::new(program);
        let (mut scratch, mut values) = (Vec::new(), vec![E::ZERO; tape.num_roots()]);
        let mut fails: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for row in rows {
            frames.load(program, main, aux, row);
            tape.eval_env(&frames.env(rand), &mut scratch, &mut values);
            for (k, v) in values.iter().enumerate() {
                if *v != E::ZERO {
                    fails.entry(index[k]).or_insert((row, 0)).1 += 1;
                }
            }
        }
        fails
    };
    let mut fails: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for block in crate::par::map(blocks, &check_block) {
        for (constraint, (row, count)) in block {
            fails.entry(constraint).or_insert((row, 0)).1 += count;
        }
    }
    constraint_failures(program, fails, "evaluates to a non-zero value")
}

fn constraint_failures(
    program: &AirProgram,
    fails: BTreeMap<usize, (usize, usize)>,
    why: &str,
) -> Vec<Failure> {
    let cells = crate::listing::CellNames::new(program);
    fails
        .into_iter()
        .map(|(i, (row, count))| {
            let c = &program.constraints[i];
            let shown = program.exprs.render(c.expr, &|e| cells.name(c.gadget, e));
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
    assertion_failures(program, trace, Segment::Main, &[], &[])
}

/// Every assertion of `segment` that the trace (`trace.main`, or `aux`) does not satisfy.
fn assertion_failures(
    program: &AirProgram,
    trace: &Trace,
    segment: Segment,
    aux: &[Vec<Ext>],
    rand: &[Ext],
) -> Vec<Failure> {
    let mut out = Vec::new();
    for a in program.assertions.iter().filter(|a| a.segment == segment) {
        let c = a.column as usize;
        let cell = |row: usize| match segment {
            Segment::Main => Ext::from(trace.main[c][row]),
            Segment::Aux => aux[c][row],
        };
        let (row, expected) = match resolve(program, a, &trace.public, rand) {
            Pinned::Cell(v) => (a.row as usize, Some(v)),
            Pinned::Column(vs) => match (0..vs.len()).find(|&r| vs[r] != cell(r)) {
                Some(row) => (row, None),
                None => continue,
            },
        };
        let actual = cell(row);
        if expected.is_none_or(|e| e != actual) {
            out.push(assertion_failure(
                program, a, segment, row, actual, expected,
            ));
        }
    }
    out
}

fn assertion_failure(
    program: &AirProgram,
    a: &crate::program::Assertion,
    segment: Segment,
    row: usize,
    actual: Ext,
    expected: Option<Ext>,
) -> Failure {
    let detail = match (segment, expected) {
        (Segment::Main, Some(e)) => {
            let col = &program.main_columns[a.column as usize].name;
            let base = |v: Ext| signed(v.base_element(0));
            format!("{col}[{row}] is {} but must be {}", base(actual), base(e))
        }
        _ => format!("{} does not hold", a.label),
    };
    Failure {
        kind: FailureKind::Assertion,
        label: a.label.clone(),
        loc: a.loc,
        row,
        count: 1,
        detail,
    }
}

/// Net multiplicity of every bus tuple, with a term (preferably the first receive, in row order)
/// and row touching it.
fn bus_balance(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let mut net: BTreeMap<(u64, u64), (Felt, usize, usize)> = BTreeMap::new();
    let mut received: std::collections::BTreeSet<(u64, u64)> = Default::default();
    add_public_terms(program, &trace.public, &mut net);
    for_each_bus_value(program, &trace.main, &mut |row, ti, mult, tag, value| {
        let term = &program.bus[ti];
        let signed_mult = if term.direction == Direction::Send {
            mult
        } else {
            -mult
        };
        let key = (tag.as_int(), value.as_int());
        let entry = net.entry(key).or_insert((Felt::ZERO, ti, row));
        entry.0 += signed_mult;
        if term.direction == Direction::Receive && mult != Felt::ZERO && received.insert(key) {
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
    for (tag, v, m) in public_tuples(program, public) {
        net.entry((tag.as_int(), v.as_int()))
            .or_insert((Felt::ZERO, usize::MAX, 0))
            .0 += m;
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
    let term = program.public_bus.iter().find(|t| t.tensor.get() == tensor);
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

/// Every failing auxiliary constraint and assertion for a given auxiliary segment (`aux[c][r]`)
/// and random elements: what the verifier's checks amount to on a prover's own aux segment.
/// The checker builds the honest one ([`check`]); soundness tests pass edited ones.
pub fn aux_failures(
    program: &AirProgram,
    trace: &Trace,
    aux: &[Vec<Ext>],
    rand: &[Ext],
) -> Vec<Failure> {
    let mut out = failing_rows(program, &trace.main, aux, rand, Segment::Aux);
    out.extend(assertion_failures(program, trace, Segment::Aux, aux, rand));
    out
}

fn aux_checks(program: &AirProgram, trace: &Trace) -> Vec<Failure> {
    let rand = checker_rand(program, trace);
    let aux = crate::aux::build(program, &trace.main, &trace.public, &rand);
    aux_failures(program, trace, &aux, &rand)
}

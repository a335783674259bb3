//! The human-readable AIR listing for auditors: header, columns with provenance, periodic
//! columns, public inputs, boundary assertions, bus terms and every transition constraint in
//! infix with its degree and source location.

use std::fmt::Write;

use crate::artifact::Artifact;
use crate::expr::{Degree, Expr};
use crate::program::{AirProgram, AssertValue, Assertion, Direction, Loc, PublicKind, Segment};

/// Renders the listing of an artifact.
pub fn render(artifact: &Artifact) -> String {
    let p = &artifact.program;
    let mut out = String::new();
    header(&mut out, artifact);
    columns(&mut out, p);
    stacked(&mut out, p);
    periodic(&mut out, p);
    public(&mut out, p);
    assertions(&mut out, p);
    bus(&mut out, p);
    constraints(&mut out, p);
    out
}

/// Display names of cells as a gadget sees them: a shared column is shown by the name the
/// gadget gave it (`relu10.out` rather than `stack3`, `dense7.x` rather than `products.x`).
#[derive(Debug)]
pub struct CellNames<'a> {
    p: &'a AirProgram,
    aliases: std::collections::HashMap<(u16, u32), &'a str>,
}

impl<'a> CellNames<'a> {
    /// The names of `p`'s cells.
    pub fn new(p: &'a AirProgram) -> Self {
        let aliases = p
            .aliases
            .iter()
            .map(|a| ((a.column, a.gadget), a.name.as_str()))
            .collect();
        CellNames { p, aliases }
    }

    /// The name of leaf `e` in an expression of `gadget` (`None`: a global one).
    pub fn name(&self, gadget: Option<u32>, e: Expr) -> String {
        if let (Expr::Main { col, next }, Some(g)) = (e, gadget) {
            if let Some(name) = self.aliases.get(&(col, g)) {
                return format!("{name}{}", if next { "'" } else { "" });
            }
        }
        cell_name(self.p, e)
    }
}

/// The display name of a leaf expression (`col'` for the next row).
pub fn cell_name(p: &AirProgram, e: Expr) -> String {
    let tick = |next: bool| if next { "'" } else { "" };
    match e {
        Expr::Main { col, next } => format!("{}{}", p.main_columns[col as usize].name, tick(next)),
        Expr::Aux { col, next } => format!("{}{}", p.aux_columns[col as usize].name, tick(next)),
        Expr::Periodic(i) => p.periodic[i as usize].name.clone(),
        Expr::Rand(0) => "α".into(),
        Expr::Rand(1) => "β".into(),
        Expr::Rand(2) => "γ".into(),
        Expr::Rand(i) => format!("rand{i}"),
        _ => String::new(),
    }
}

fn loc(p: &AirProgram, l: Loc) -> String {
    let file = p.files.get(l.file as usize).map_or("?", String::as_str);
    format!("{file}:{}:{}", l.line, l.col)
}

fn header(out: &mut String, a: &Artifact) {
    let p = &a.program;
    let (main, aux) = (p.main_columns.len(), p.aux_columns.len());
    let n_main = p
        .constraints
        .iter()
        .filter(|c| c.segment == Segment::Main)
        .count();
    let _ = writeln!(out, "; zkmc AIR listing");
    let _ = writeln!(out, "model         {}", p.name);
    let _ = writeln!(
        out,
        "artifact      {} v{}  blake3:{}",
        a.format, a.version, a.hash
    );
    let _ = writeln!(
        out,
        "field         Goldilocks, p = 2^64 - 2^32 + 1; aux segment over its quadratic extension"
    );
    let _ = writeln!(
        out,
        "trace         {} rows x {} columns (main {main}, aux {aux})",
        p.trace_len,
        main + aux
    );
    let _ = writeln!(out, "max degree    {}", p.max_degree());
    let _ = writeln!(
        out,
        "constraints   {n_main} main + {} aux transition, {} boundary assertions, {} bus terms",
        p.constraints.len() - n_main,
        p.assertions.len(),
        p.bus.len()
    );
    let _ = writeln!(
        out,
        "random        α, β (LogUp), γ (product checks), drawn after the main trace is committed"
    );
    let _ = match &p.zk {
        Some(z) => writeln!(
            out,
            "zero-know.    on: rows {}..{} uniformly random, dead row {}, transitions enforced on \
             rows 0..{} ({} exemptions); masks zk.deep, zk.quotient, zk.gate; salted commitments",
            p.last_row() + 1,
            p.trace_len,
            p.last_row(),
            p.last_row(),
            z.exemptions()
        ),
        None => writeln!(out, "zero-know.    off: every value is public"),
    };
}

fn columns(out: &mut String, p: &AirProgram) {
    let _ = writeln!(out, "\n== columns");
    let _ = writeln!(out, "{:<6} {:<22} {:<52} source", "#", "name", "meaning");
    let main = p
        .main_columns
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("m{i}"), c));
    let aux = p
        .aux_columns
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("a{i}"), c));
    for (id, c) in main.chain(aux) {
        let _ = writeln!(
            out,
            "{id:<6} {:<22} {:<52} {}",
            c.name,
            c.meaning,
            loc(p, c.loc)
        );
    }
}

/// Which gadget owns which rows of each shared column.
fn stacked(out: &mut String, p: &AirProgram) {
    if p.aliases.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n== stacked regions (gadgets sharing a column, each on its own rows)"
    );
    let _ = writeln!(
        out,
        "{:<6} {:<13} {:<22} {:<44} source",
        "#", "rows", "name", "meaning"
    );
    let mut aliases: Vec<_> = p.aliases.iter().collect();
    aliases.sort_by_key(|a| (a.column, a.first_row));
    for a in aliases {
        let rows = format!("{}..{}", a.first_row, a.first_row + a.rows);
        let _ = writeln!(
            out,
            "m{:<5} {rows:<13} {:<22} {:<44} {}",
            a.column,
            a.name,
            a.meaning,
            loc(p, a.loc)
        );
    }
}

fn periodic(out: &mut String, p: &AirProgram) {
    let _ = writeln!(out, "\n== periodic columns");
    if p.periodic.is_empty() {
        let _ = writeln!(out, "(none)");
    }
    for (i, c) in p.periodic.iter().enumerate() {
        let first: Vec<String> = c.values.iter().take(4).map(u64::to_string).collect();
        let last = c.values.last().copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "p{i:<5} {:<22} period {:<6} values {}, ..., {last}",
            c.name,
            c.values.len(),
            first.join(", ")
        );
    }
}

fn public(out: &mut String, p: &AirProgram) {
    let _ = writeln!(out, "\n== public inputs ({} elements)", p.public_len);
    for s in &p.public {
        let kind = match s.kind {
            PublicKind::Input => "input",
            PublicKind::Param => "param",
            PublicKind::Output => "output",
            PublicKind::Commitment => "commitment (RPO-256 digest, enforced by the commit gadget)",
        };
        let range = format!("[{}, {})", s.offset, s.offset + s.len);
        let ty = s.ty;
        let _ = writeln!(
            out,
            "{range:<16} {:<10} {kind:<8} {ty}{:?}   {}",
            s.name,
            s.shape,
            loc(p, s.loc)
        );
    }
}

fn assertions(out: &mut String, p: &AirProgram) {
    let _ = writeln!(out, "\n== boundary assertions ({})", p.assertions.len());
    let mut i = 0;
    while i < p.assertions.len() {
        let run = run_length(&p.assertions[i..]);
        let a = &p.assertions[i];
        let col = column_name(p, a.segment, a.column);
        let text = if run > 1 {
            let values: Vec<AssertValue> =
                p.assertions[i..i + run].iter().map(|a| a.value).collect();
            format!(
                "{col}[{}..={}] = {}",
                a.row,
                a.row + run as u32 - 1,
                value_list(&values)
            )
        } else {
            format!("{col}[{}] = {}", a.row, value_text(a.value))
        };
        let _ = writeln!(out, "{text:<58} ; {:<40} {}", a.label, loc(p, a.loc));
        i += run;
    }
}

fn value_text(v: AssertValue) -> String {
    match v {
        AssertValue::Const(c) => crate::field::signed(crate::field::Felt::new(c)).to_string(),
        AssertValue::Public(k) => format!("public[{k}]"),
        AssertValue::PublicBusSum => "-(public bus terms)".into(),
        AssertValue::ProductKeys(_) => {
            "keys of every public product on its rows, 0 elsewhere (two sequences)".into()
        }
        AssertValue::ProductOffset(g) => format!("-Σ γ^i·b_i of gadget {g} (0 without bias)"),
    }
}

/// `public[a..=b]` for consecutive elements, otherwise the first three and the last.
fn value_list(values: &[AssertValue]) -> String {
    let idx: Vec<Option<u32>> = values
        .iter()
        .map(|v| match v {
            AssertValue::Public(k) => Some(*k),
            _ => None,
        })
        .collect();
    if let (Some(Some(first)), Some(Some(last))) = (idx.first(), idx.last()) {
        if idx
            .iter()
            .enumerate()
            .all(|(n, k)| *k == Some(first + n as u32))
        {
            return format!("public[{first}..={last}]");
        }
    }
    let shown: Vec<String> = values.iter().take(3).map(|v| value_text(*v)).collect();
    let last = values.last().map(|v| value_text(*v)).unwrap_or_default();
    format!("{}, ..., {last}", shown.join(", "))
}

/// Length of the run of assertions with the same column and label on consecutive rows.
fn run_length(rest: &[Assertion]) -> usize {
    let first = &rest[0];
    let mut n = 1;
    while let Some(a) = rest.get(n) {
        let same = a.segment == first.segment && a.column == first.column && a.label == first.label;
        if !(same && a.row == first.row + n as u32) {
            break;
        }
        n += 1;
    }
    n
}

fn column_name(p: &AirProgram, seg: Segment, col: u16) -> String {
    match seg {
        Segment::Main => p.main_columns[col as usize].name.clone(),
        Segment::Aux => p.aux_columns[col as usize].name.clone(),
    }
}

fn bus(out: &mut String, p: &AirProgram) {
    let _ = writeln!(out, "\n== bus terms (LogUp over α, β: tensor[index] is tag tensor_id·2^32 + index; [busN] = helper column)");
    let cells = CellNames::new(p);
    for (c, group) in p.bus_columns.iter().enumerate() {
        for &t in group {
            let t = &p.bus[t as usize];
            let names = |e| cells.name(Some(t.gadget), e);
            let dir = if t.direction == Direction::Send {
                "send"
            } else {
                "recv"
            };
            let m = p.exprs.render(t.mult, &names);
            let tag = tag_text(p, t.tag, &names);
            let v = p.exprs.render(t.value, &names);
            let text = format!("[bus{c}] {dir} {m} × {tag} = {v}");
            let _ = writeln!(out, "{text:<72} ; {:<36} {}", t.label, loc(p, t.loc));
        }
    }
    for t in &p.public_bus {
        let dir = if t.direction == Direction::Send {
            "send"
        } else {
            "recv"
        };
        let name = p
            .tensors
            .get(t.tensor.index())
            .map_or("?", |x| x.name.as_str());
        let (a, b) = (t.offset, t.offset + t.len);
        let text = format!(
            "[verifier] {dir} {} × {name}[i] = public[{a} + i], i < {}",
            t.reads, t.len
        );
        let _ = writeln!(
            out,
            "{text:<72} ; {:<36} {} (public[{a}..{b}))",
            t.label,
            loc(p, t.loc)
        );
    }
}

/// A tag as `tensor[index]` (or `range8`) instead of its raw arithmetic.
fn tag_text(p: &AirProgram, tag: crate::expr::ExprId, names: &dyn Fn(Expr) -> String) -> String {
    let shift = crate::builder::TAG_SHIFT;
    match p.exprs.get(tag) {
        Expr::Const(0) => "range8".into(),
        Expr::Add(base, index) => match p.exprs.get(base) {
            Expr::Const(c) if c >> shift > 0 && c & ((1 << shift) - 1) == 0 => {
                let name = p
                    .tensors
                    .get((c >> shift) as usize - 1)
                    .map_or("?", |t| t.name.as_str());
                format!("{name}[{}]", p.exprs.render(index, names))
            }
            _ => p.exprs.render(tag, names),
        },
        _ => p.exprs.render(tag, names),
    }
}

fn constraints(out: &mut String, p: &AirProgram) {
    let _ = writeln!(
        out,
        "\n== transition constraints (each = 0 on every row but the last)"
    );
    let cells = CellNames::new(p);
    for (i, c) in p.constraints.iter().enumerate() {
        let names = |e| cells.name(c.gadget, e);
        let seg = if c.segment == Segment::Main {
            "main"
        } else {
            "aux "
        };
        let expr = p.exprs.render(c.expr, &names);
        let text = format!("c{i:<4} {seg} deg {:<3} {expr} = 0", degree(&c.degree));
        let _ = writeln!(out, "{text:<72} ; {} @ {}", c.label, loc(p, c.loc));
    }
}

fn degree(d: &Degree) -> String {
    if d.cycles.is_empty() {
        d.base.to_string()
    } else {
        format!("{}+p", d.base)
    }
}

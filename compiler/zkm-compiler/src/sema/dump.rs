//! A compact, stable text listing of a [`Program`], one line per node, for tests and
//! debugging: `%3 = add %1, %2 : [10] frac 12 range [-5, 9] @ 7:9`.

use std::fmt::Write;

use zkm_diagnostics::{SourceMap, Span};

use crate::ir::{Op, Program};

/// Lists the declarations, nodes and outputs of `program`. Locations in the model's own file
/// are `line:col`; locations in other files (stdlib) are `file:line:col`.
pub fn dump(program: &Program, sources: &SourceMap) -> String {
    let loc = |span: Span| {
        let (line, col) = sources.line_col(span.file, span.start);
        if span.file == program.span.file {
            format!("{line}:{col}")
        } else {
            format!("{}:{line}:{col}", sources.name(span.file))
        }
    };
    let mut out = format!("model {}\n", program.name);
    for (i, d) in program.decls.iter().enumerate() {
        let vis = format!("{:?}", d.visibility).to_lowercase();
        let kind = format!("{:?}", d.kind).to_lowercase();
        let ty = super::types::fmt_decl_type(d.ty, &d.shape);
        let _ = writeln!(
            out,
            "decl {i}: {vis} {kind} {}: {ty} @ {}",
            d.name,
            loc(d.span)
        );
    }
    for (i, n) in program.nodes.iter().enumerate() {
        let shape = super::types::fmt_shape(&n.shape);
        let (op, range) = (op_text(&n.op, program), n.range);
        let _ = writeln!(
            out,
            "%{i} = {op} : {shape} frac {} range [{}, {}] @ {}",
            n.frac,
            range.lo,
            range.hi,
            loc(n.span)
        );
    }
    for (d, n, span) in &program.outputs {
        let name = program.decls.get(*d).map_or("?", |d| d.name.as_str());
        let _ = writeln!(out, "output {name} = %{n} @ {}", loc(*span));
    }
    out
}

fn op_text(op: &Op, program: &Program) -> String {
    match op {
        Op::Load(d) => format!(
            "load {}",
            program.decls.get(*d).map_or("?", |d| d.name.as_str())
        ),
        Op::Const(q) => format!("const {q}"),
        Op::Add(a, b) => format!("add %{a}, %{b}"),
        Op::Sub(a, b) => format!("sub %{a}, %{b}"),
        Op::Mul(a, b) => format!("mul %{a}, %{b}"),
        Op::MatMul(a, b) => format!("matmul %{a}, %{b}"),
        Op::Neg(a) => format!("neg %{a}"),
        Op::Rescale {
            arg,
            ty,
            clamp: false,
        } => format!("rescale %{arg} to {ty}"),
        Op::Rescale {
            arg,
            ty,
            clamp: true,
        } => format!("rescale_clamp %{arg} to {ty}"),
        Op::Unary(i, a) => format!("{} %{a}", zkm_air::gadgets::UNARY_OPS[*i as usize].name),
        Op::Argmax(a) => format!("argmax %{a}"),
        Op::Sum(a) => format!("sum %{a}"),
        Op::Reshape(a) => format!("reshape %{a}"),
        Op::Conv2d {
            x,
            kernel,
            bias,
            geometry: g,
        } => format!(
            "conv2d %{x}, %{kernel}, %{bias} stride {} padding {}",
            g.stride, g.padding
        ),
        Op::AvgPool2d { x, geometry: g } => format!("avg_pool2d %{x} window {}", g.kernel[0]),
        Op::DivScalar { num, den, shift } => format!("div %{num}, %{den} shift {shift}"),
        Op::MaxPool2d { x, geometry: g } => format!("max_pool2d %{x} window {}", g.kernel[0]),
        Op::Table {
            function,
            arg,
            out_frac,
        } => format!(
            "{} %{arg} to {out_frac} fractional bits",
            zkm_air::gadgets::TABLE_FNS[*function as usize].name
        ),
    }
}

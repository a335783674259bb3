//! Lowering: the typed tensor IR becomes an [`Artifact`] (AIR program + witness gadgets).
//!
//! A pre-pass ([`plan`]) decides which tensors travel on the bus, how often each element is
//! read, and which parameters are stored directly inside a matrix-product gadget. Then every
//! node becomes one gadget ([`ops`]), in IR order, and every output an output gadget.

mod budget;
mod ops;
mod plan;
mod products;

use zkm_air::gadgets::{Commit, Committed, Output, Store};
use zkm_air::{AirBuilder, Artifact, Loc, PublicKind, PublicSlot, TensorId};
use zkm_diagnostics::{codes, Diagnostic, SourceMap, Span};

use crate::ir::{Program, Visibility};
use plan::Plan;

/// Lowers a checked program.
///
/// Private matrix products can trade rows for lanes, so the lowering tries a few trace lengths
/// (the plan's target and up to three halvings of it) and keeps the program with the fewest
/// trace cells, counting auxiliary (extension-field) columns twice; when none fits Winterfell's
/// width, or while a doubling keeps the trace length (fewer lanes in the same rows), it tries up
/// to three doublings. Each length is lowered with row-local gadgets on their own columns and
/// stacked on shared ones (`spec/lowering.md`, stacked layouts).
///
/// `random_rows` overrides the zero-knowledge rule (see `driver::build_with_random_rows`).
///
/// # Errors
/// When the program uses a construct the lowering does not support yet, or the trace would
/// exceed the prover's limits.
pub fn lower(
    program: &Program,
    sources: &SourceMap,
    random_rows: Option<u32>,
) -> Result<Artifact, Vec<Diagnostic>> {
    let plan = plan::plan(program, random_rows).map_err(|d| vec![d])?;
    budget::check_rows(plan.min_rows, program.span).map_err(|d| vec![d])?;
    let shorter = (0..4).map(|k| plan.row_target >> k);
    // Longer targets: fewer weight lanes, narrower.
    let longer = (1..4).map(|k| plan.row_target << k);
    let mut best: Option<zkm_air::AirProgram> = None;
    let mut first_error = None;
    for target in shorter.chain(longer).filter(|&t| t >= plan.min_rows) {
        // A target past the best trace's length makes a longer trace: stop there.
        if best.as_ref().is_some_and(|b| target > b.trace_len) {
            break;
        }
        for stacked in [false, true] {
            match lower_with(program, sources, plan.with_target(target), stacked) {
                Ok(air) if best.as_ref().is_none_or(|b| cells(&air) < cells(b)) => best = Some(air),
                Ok(_) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    match best {
        // What every reader of the artifact will check: a failure is a bug of the lowering.
        Some(air) => match zkm_air::validate::validate(&air) {
            Ok(()) => Ok(Artifact::new(air)),
            Err(why) => Err(vec![Diagnostic::bug(format!(
                "the compiled program fails artifact validation: {why}"
            ))]),
        },
        None => Err(first_error.unwrap_or_else(|| vec![Diagnostic::bug("no lowering attempted")])),
    }
}

/// Trace cells, auxiliary columns counted twice.
fn cells(p: &zkm_air::AirProgram) -> usize {
    p.trace_len * (p.main_columns.len() + 2 * p.aux_columns.len())
}

/// One lowering for `plan`'s row target; `stacked` puts row-local gadgets on shared columns
/// below the dead row (`zkm_air::stack`).
fn lower_with(
    program: &Program,
    sources: &SourceMap,
    plan: Plan,
    stacked: bool,
) -> Result<zkm_air::AirProgram, Vec<Diagnostic>> {
    let usable = plan.row_target.saturating_sub(plan.random_rows + 1);
    let mut cx = Lowering::new(program, sources, plan);
    cx.b.limit_product_banks(usable);
    if stacked {
        cx.b.enable_stacking(usable);
    }
    cx.public_slots();
    for id in 0..program.nodes.len() {
        cx.node(id).map_err(|d| vec![d])?;
        let (rows, exprs) = (cx.plan.row_target, cx.b.e().len());
        budget::check(&cx.usage, rows, exprs, program.nodes[id].span).map_err(|d| vec![d])?;
    }
    cx.outputs().map_err(|d| vec![d])?;
    cx.commitments().map_err(|d| vec![d])?;
    cx.b.finish()
        .map_err(|e| vec![layout_error(e, program.span)])
}

/// State of one lowering.
pub(crate) struct Lowering<'a> {
    pub(crate) program: &'a Program,
    sources: &'a SourceMap,
    pub(crate) plan: Plan,
    pub(crate) b: AirBuilder,
    /// Bus tensor of each node (after aliasing), once emitted.
    pub(crate) tensor_of: Vec<Option<TensorId>>,
    /// Bus tensor of each declaration, once stored.
    decl_tensor: Vec<Option<TensorId>>,
    /// Public vector offset of each declaration, if public.
    pub(crate) public_of: Vec<Option<usize>>,
    /// Public vector offset of each committed declaration's digest.
    digest_of: Vec<Option<usize>>,
    /// What has been allocated so far, for the budgets.
    usage: budget::Usage,
}

impl<'a> Lowering<'a> {
    fn new(program: &'a Program, sources: &'a SourceMap, plan: Plan) -> Self {
        let files = sources.names();
        let model = loc(sources, program.span);
        let mut b = AirBuilder::new(&program.name, files, model);
        // Zero-knowledge whenever anything is private or committed (`spec/zk.md`).
        if plan.random_rows > 0 {
            b.zero_knowledge(plan.random_rows as u32);
        }
        Lowering {
            program,
            sources,
            plan,
            b,
            tensor_of: vec![None; program.nodes.len()],
            decl_tensor: vec![None; program.decls.len()],
            public_of: vec![None; program.decls.len()],
            digest_of: vec![None; program.decls.len()],
            usage: budget::Usage::default(),
        }
    }

    /// The artifact location of a span.
    pub(crate) fn loc(&self, span: Span) -> Loc {
        loc(self.sources, span)
    }

    /// How output `decl` reads: a class index when `argmax` computes it; `None` for inputs and
    /// parameters.
    fn output_kind(&self, decl: usize) -> Option<zkm_air::OutputKind> {
        if self.program.decls[decl].kind != crate::ir::DeclKind::Output {
            return None;
        }
        let assigned = self.program.outputs.iter().find(|o| o.0 == decl);
        let node = assigned.map(|&(_, n, _)| &self.program.nodes[n].op);
        let class = matches!(node, Some(crate::ir::Op::Argmax(_)));
        Some(match class {
            true => zkm_air::OutputKind::Class,
            false => zkm_air::OutputKind::Values,
        })
    }

    /// Reserves public slots in declaration order: public inputs, parameters and outputs, and a
    /// digest slot per committed declaration.
    fn public_slots(&mut self) {
        for (i, d) in self.program.decls.iter().enumerate() {
            self.b.decl(zkm_air::DeclInfo {
                name: d.name.clone(),
                kind: decl_kind(d.kind),
                visibility: visibility(d.visibility),
                shape: d.shape.clone(),
                ty: d.ty,
                output: self.output_kind(i),
                loc: self.loc(d.span),
            });
            let kind = match (d.visibility, d.kind) {
                (Visibility::Private, _) => continue,
                (Visibility::Committed, _) => PublicKind::Commitment,
                (_, crate::ir::DeclKind::Input) => PublicKind::Input,
                (_, crate::ir::DeclKind::Param) => PublicKind::Param,
                (_, crate::ir::DeclKind::Output) => PublicKind::Output,
            };
            let (shape, len) = match kind {
                PublicKind::Commitment => (vec![], 4),
                _ => (d.shape.clone(), d.len() as u32),
            };
            let (ty, loc) = (d.ty, self.loc(d.span));
            let slot = PublicSlot {
                name: d.name.clone(),
                kind,
                shape,
                ty,
                offset: 0,
                len,
                loc,
            };
            let offset = self.b.public_slot(slot);
            match kind {
                PublicKind::Commitment => self.digest_of[i] = Some(offset),
                _ => self.public_of[i] = Some(offset),
            }
        }
    }

    /// The bus tensor holding declaration `decl`, storing it on first use.
    pub(crate) fn decl_tensor(&mut self, decl: usize, node: usize) -> TensorId {
        if let Some(t) = self.decl_tensor[decl] {
            return t;
        }
        let d = &self.program.decls[decl];
        let span = d.span;
        let t = self.new_tensor(node, d.name.clone(), span);
        let (name, bits, public) = (d.name.clone(), d.ty.bits, self.public_of[decl]);
        let loc = self.loc(span);
        let lower = |b: &mut zkm_air::AirBuilder| Store::lower(b, &name, t, bits, public);
        match public {
            None => self.b.stacked_gadget(loc, d.len(), lower),
            Some(_) => self.b.gadget(loc, lower),
        }
        self.decl_tensor[decl] = Some(t);
        t
    }

    /// Registers the bus tensor produced by `node` (reads from the plan).
    pub(crate) fn new_tensor(&mut self, node: usize, name: String, span: Span) -> TensorId {
        let n = &self.program.nodes[node];
        self.usage.tensors += 1;
        let info = zkm_air::TensorInfo {
            name,
            shape: n.shape.clone(),
            frac: n.frac,
            range: (clamp_i64(n.range.lo), clamp_i64(n.range.hi)),
            reads: self.plan.reads[self.plan.root[node]],
            loc: self.loc(span),
        };
        self.b.tensor(info)
    }

    fn outputs(&mut self) -> Result<(), Diagnostic> {
        for &(decl, node, span) in &self.program.outputs.clone() {
            let Some(src) = self.tensor_of[self.plan.root[node]] else {
                let help = "outputs must be computed from inputs or parameters";
                return Err(unsupported(span, "an output assigned a constant", help));
            };
            let d = &self.program.decls[decl];
            let public = self.public_of[decl];
            let (name, loc) = (d.name.clone(), self.loc(span));
            let lower = |b: &mut zkm_air::AirBuilder| Output::lower(b, &name, src, public);
            match public {
                None => self.b.stacked_gadget(loc, d.len(), lower),
                Some(_) => self.b.gadget(loc, lower),
            }
        }
        Ok(())
    }
}

impl Lowering<'_> {
    /// The bus tensor assigned to output `decl`.
    fn output_source(&self, decl: usize) -> Option<TensorId> {
        let assigned = self.program.outputs.iter().find(|o| o.0 == decl)?;
        self.tensor_of[self.plan.root[assigned.1]]
    }

    /// One commitment gadget for every committed declaration, after every other gadget: each
    /// digest slot is then the in-AIR RPO-256 digest of the tensor and its nonce.
    fn commitments(&mut self) -> Result<(), Diagnostic> {
        let mut committed = Vec::new();
        for (i, d) in self.program.decls.iter().enumerate() {
            let Some(digest) = self.digest_of[i] else {
                continue;
            };
            let tensor = match d.kind {
                crate::ir::DeclKind::Output => self.output_source(i),
                _ => self.decl_tensor[i],
            };
            let Some(tensor) = tensor else {
                let help = "use the declaration in the model, or remove it";
                return Err(unsupported(
                    d.span,
                    "a committed declaration the model never reads",
                    help,
                ));
            };
            let (name, bits) = (d.name.clone(), d.ty.bits);
            committed.push(Committed {
                name,
                tensor,
                bits,
                digest,
            });
        }
        if !committed.is_empty() {
            let loc = self.b.model_loc();
            self.b.gadget(loc, |b| Commit::lower(b, &committed));
        }
        Ok(())
    }
}

fn loc(sources: &SourceMap, span: Span) -> Loc {
    let (line, col) = sources.line_col(span.file, span.start);
    Loc {
        file: span.file.0,
        start: span.start,
        end: span.end,
        line: line as u32,
        col: col as u32,
    }
}

fn clamp_i64(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

fn layout_error(e: zkm_air::LayoutError, span: Span) -> Diagnostic {
    let msg = match e {
        zkm_air::LayoutError::TooWide { columns } => format!(
            "the compiled trace needs {columns} columns; the prover allows at most {}",
            zkm_air::builder::MAX_TRACE_WIDTH
        ),
        zkm_air::LayoutError::TooLong { rows } => format!(
            "the compiled trace needs {rows} rows; zkmc allows at most {}",
            zkm_air::builder::MAX_TRACE_LEN
        ),
    };
    Diagnostic::error(codes::TRACE_TOO_LARGE, msg)
        .with_primary(span, "this model")
        .with_help("split the model into smaller layers, or use fewer elementwise operations")
}

/// An "unsupported by the lowering" diagnostic.
pub(crate) fn unsupported(span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        codes::UNSUPPORTED_LOWERING,
        format!("{what} cannot be lowered to AIR yet"),
    )
    .with_primary(span, "not supported by the lowering")
    .with_help(help.to_owned())
}

/// The boundary's name for a declaration kind.
fn decl_kind(k: crate::ir::DeclKind) -> zkm_air::DeclKind {
    match k {
        crate::ir::DeclKind::Input => zkm_air::DeclKind::Input,
        crate::ir::DeclKind::Param => zkm_air::DeclKind::Param,
        crate::ir::DeclKind::Output => zkm_air::DeclKind::Output,
    }
}

/// The boundary's name for a visibility.
fn visibility(v: Visibility) -> zkm_air::Visibility {
    match v {
        Visibility::Public => zkm_air::Visibility::Public,
        Visibility::Private => zkm_air::Visibility::Private,
        Visibility::Committed => zkm_air::Visibility::Committed,
    }
}

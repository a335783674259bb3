//! `zkmc prove MODEL [--input F] [--weights F] [-o PROOF] [--json]`: run the model on its data,
//! check the trace, prove it and write the proof file.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use zkm_diagnostics::{codes, Diagnostic, SourceMap};
use zkm_runtime::api::{self, Proved};
use zkm_runtime::stark;

use crate::cli::{BackendArg, ProveCommand};
use crate::common::{out, report, EXIT_OK};
use crate::outputs::{default_name, refuse_clobber, write_all_atomic};
use crate::pipeline::{
    committed_outputs, compile, data_path, outputs, outputs_json, print_outputs, witness,
};

/// Runs the command and returns the exit code.
pub fn run(cmd: &ProveCommand) -> i32 {
    match prove(cmd) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

fn prove(cmd: &ProveCommand) -> Result<(), i32> {
    let start = Instant::now();
    let progress = Progress::new(!cmd.json && std::io::stderr().is_terminal());
    progress.stage("compiling");
    crate::limits::check_security(cmd.security, cmd.insecure_test_security)
        .map_err(|d| report(&SourceMap::new(), &[d]))?;
    crate::limits::warn_insecure(cmd.security);
    let (mut sources, artifact) = compile(&cmd.model)?;
    let estimate = zkm_runtime::stark::estimate_memory(&artifact.program);
    let limit = crate::limits::memory_limit(cmd.max_memory);
    crate::limits::check_memory(estimate, limit, cmd.max_memory.is_some())
        .map_err(|d| report(&sources, &[d]))?;
    progress.stage("running the model and checking the trace");
    let input = data_path(&cmd.model, &cmd.input, "input.json");
    let weights = crate::pipeline::weights_path(&cmd.model, &cmd.weights);
    let openings = data_path(&cmd.model, &cmd.openings, "openings.json");
    let path = cmd
        .out
        .clone()
        .unwrap_or_else(|| default_name(&cmd.model, ".proof"));
    refuse_clobber(&[&path], &[&cmd.model, &input, &weights, &openings])
        .map_err(|d| report(&sources, &[d]))?;
    let nonces = crate::committed::Nonces::File(&openings);
    let (trace, quant) = witness(&mut sources, &artifact, (&input, &weights), nonces, false)?;
    let selected = select_backend(cmd.backend, &artifact.program)?;
    progress.stage("proving");
    let mut config = api::ProveConfig::new(cmd.security).on(selected.gpu.clone());
    if let Some(threads) = cmd.threads {
        config = config.threads(usize::from(threads));
    }
    if let Some(seed) = cmd.seed {
        config = config.seeded(seed);
    }
    let proved = api::prove_with(&artifact, &trace, &config)
        .map_err(|e| report(&sources, &crate::errors::prove_error(&e)))?;
    if let Some(why) = &proved.fallback {
        notice(&format!(
            "the GPU failed ({why}); the trace was extended on the CPU instead"
        ));
    }
    let bytes = proved.file.to_bytes();
    write_proof(&sources, &path, &bytes)?;
    progress.done();
    let worst = quant
        .max_error
        .iter()
        .cloned()
        .fold(("".to_string(), 0f64), |a, b| if b.1 > a.1 { b } else { a });
    let committed = committed_outputs(&artifact, &trace);
    if cmd.json {
        print_json(
            &artifact,
            &trace,
            &proved,
            bytes.len(),
            &path,
            start.elapsed().as_secs_f64(),
        );
    } else {
        summary(&artifact, &proved, bytes.len(), &path, &worst);
        out(&format!("  device     {}", selected.device));
        print_outputs(&outputs(&artifact, &trace.public));
        if !committed.is_empty() {
            out("committed outputs (private; the proof shows their digests, your openings their nonces):");
            print_outputs(&committed);
        }
    }
    Ok(())
}

/// Opens the requested backend, printing the one-line notice `auto` may produce.
fn select_backend(
    arg: BackendArg,
    program: &zkm_air::AirProgram,
) -> Result<stark::backend::Selected, i32> {
    let backend = match arg {
        BackendArg::Cpu => stark::backend::Backend::Cpu,
        BackendArg::Gpu => stark::backend::Backend::Gpu,
        BackendArg::Auto => stark::backend::Backend::Auto,
    };
    let software = |s: &stark::backend::Selected| {
        arg == BackendArg::Gpu
            && stark::backend::is_software(&s.device)
            && std::env::var("ZKM_ALLOW_SOFTWARE_GPU").as_deref() != Ok("1")
    };
    let selected = stark::backend::select_for(backend, program)
        .and_then(|s| match software(&s) {
            true => Err(format!(
                "the only adapter, `{}`, is a software rasteriser: it runs the shaders on the \
                 CPU, slower than the CPU path (set ZKM_ALLOW_SOFTWARE_GPU=1 to use it anyway)",
                s.device
            )),
            false => Ok(s),
        })
        .map_err(|why| {
            let d = Diagnostic::error(codes::NO_GPU, format!("--backend gpu: {why}"))
                .with_help("use --backend cpu, or install a Vulkan, Metal or DX12 driver");
            report(&SourceMap::new(), &[d])
        })?;
    if let Some(n) = &selected.notice {
        notice(n);
    }
    Ok(selected)
}

#[allow(clippy::print_stderr)]
fn notice(line: &str) {
    eprintln!("note: {line}");
}

fn write_proof(sources: &SourceMap, path: &std::path::Path, bytes: &[u8]) -> Result<(), i32> {
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    write_all_atomic(&dir, &[(path.to_path_buf(), bytes.to_vec())])
        .map_err(|d| report(sources, &[d]))
}

fn summary(
    artifact: &zkm_air::Artifact,
    p: &Proved,
    size: usize,
    path: &std::path::Path,
    worst: &(String, f64),
) {
    let prog = &artifact.program;
    out(&format!("proved model `{}`", prog.name));
    out(&format!(
        "  trace      {} rows x {} columns (main {}, aux {})",
        prog.trace_len,
        prog.width(),
        prog.main_columns.len(),
        prog.aux_columns.len()
    ));
    out(&format!(
        "  prove      {:.1} ms",
        p.time.as_secs_f64() * 1e3
    ));
    out(&format!("  zk         {}", zk_line(prog)));
    out(&format!(
        "  proof      {} ({:.1} KB)",
        path.display(),
        size as f64 / 1024.0
    ));
    let s = p.security;
    out(&format!(
        "  security   {} bits conjectured, {} bits proven (list decoding; {} unique decoding)",
        s.conjectured, s.proven_ldr, s.proven_udr
    ));
    if !worst.0.is_empty() {
        out(&format!(
            "  quantized  largest error {:.3e} (in `{}`)",
            worst.1, worst.0
        ));
    }
}

/// Whether the proof hides the private values, in words.
fn zk_line(prog: &zkm_air::AirProgram) -> String {
    match prog.random_rows() {
        0 => "off (every value is public)".into(),
        r => format!("on ({r} random rows, salted commitments)"),
    }
}

fn print_json(
    artifact: &zkm_air::Artifact,
    trace: &zkm_air::Trace,
    p: &Proved,
    size: usize,
    path: &std::path::Path,
    total: f64,
) {
    let outs = outputs_json(&outputs(artifact, &trace.public));
    let committed = outputs_json(&committed_outputs(artifact, trace));
    let v = serde_json::json!({
        "model": artifact.program.name,
        "artifact": artifact.hash,
        "proof": path.display().to_string(),
        "proof_bytes": size,
        "prove_ms": p.time.as_secs_f64() * 1e3,
        "zero_knowledge": artifact.program.is_zero_knowledge(),
        "committed_outputs": committed,
        "total_ms": total * 1e3,
        "security": {"conjectured": p.security.conjectured, "proven_ldr": p.security.proven_ldr, "proven_udr": p.security.proven_udr},
        "outputs": outs,
    });
    out(&v.to_string());
}

/// A one-line progress display on a terminal (nothing otherwise).
struct Progress {
    on: bool,
}

impl Progress {
    fn new(on: bool) -> Self {
        Progress { on }
    }

    #[allow(clippy::print_stderr)]
    fn stage(&self, what: &str) {
        if self.on {
            eprint!("\r\x1b[2K{what}...");
        }
    }

    #[allow(clippy::print_stderr)]
    fn done(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}

//! `zkmc run FILE`: compile, load inputs and weights, fill the trace and check every constraint.

use std::path::{Path, PathBuf};

use zkm_diagnostics::{codes, Diagnostic, FileId, SourceMap, Span};

use crate::cli::RunCommand;
use crate::common::{io_reason, load_source, out, report, EXIT_OK, EXIT_USER};

/// Runs the command and returns the exit code.
pub fn run(cmd: &RunCommand) -> i32 {
    let (mut sources, file) = match load_source(&cmd.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let code = report(&sources, &diags);
    let Some(artifact) = artifact.filter(|_| code == EXIT_OK) else {
        return code;
    };
    let dir = cmd.file.parent().unwrap_or(Path::new("."));
    let input = cmd.input.clone().unwrap_or_else(|| dir.join("input.json"));
    let weights = cmd
        .weights
        .clone()
        .unwrap_or_else(|| dir.join("weights.json"));
    let (input_text, weights_text) =
        match (read(&mut sources, &input), read(&mut sources, &weights)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(d), _) | (_, Err(d)) => return report(&sources, &[d]),
        };
    let program = &artifact.program;
    let loaded = match zkm_runtime::load(program, &input_text.1, &weights_text.1) {
        Ok(l) => l,
        Err(e) => {
            let which = if e.in_weights {
                &weights_text
            } else {
                &input_text
            };
            return report(&sources, &[input_diagnostic(&sources, which.0, e)]);
        }
    };
    let trace = match zkm_air::witness::generate(program, &loaded.inputs) {
        Ok(t) => t,
        Err(e) => {
            return report(
                &sources,
                &[Diagnostic::error(codes::BAD_INPUT, e.to_string())],
            )
        }
    };
    let failures = zkm_air::check::check(program, &trace);
    if !failures.is_empty() {
        let ds: Vec<Diagnostic> = failures.iter().map(|f| f.to_diagnostic()).collect();
        report(&sources, &ds);
        return EXIT_USER;
    }
    print_outputs(program, &trace);
    let constraints = program.constraints.len();
    out(&format!(
        "ok: all {constraints} constraints, {} assertions and the bus hold on {} rows",
        program.assertions.len(),
        program.trace_len
    ));
    EXIT_OK
}

fn read(sources: &mut SourceMap, path: &PathBuf) -> Result<(FileId, String), Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostic::error(
            codes::FILE_UNREADABLE,
            format!("cannot read `{}`: {}", path.display(), io_reason(&e)),
        )
    })?;
    Ok((sources.add(path.display().to_string(), text.clone()), text))
}

fn input_diagnostic(sources: &SourceMap, file: FileId, e: zkm_runtime::InputError) -> Diagnostic {
    let d = Diagnostic::error(e.code, e.message);
    let Some((line, col)) = e.line_col else {
        return d.with_note(format!("in {}", sources.name(file)));
    };
    let text = sources.text(file);
    let offset: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + col.saturating_sub(1);
    let offset = offset.min(text.len());
    d.with_primary(Span::new(file, offset, offset), "here")
}

fn print_outputs(program: &zkm_air::AirProgram, trace: &zkm_air::Trace) {
    for g in &program.gadgets {
        let zkm_air::gadgets::Gadget::Output(o) = g else {
            continue;
        };
        let Some(d) = program.decls.iter().find(|d| d.name == o.name) else {
            continue;
        };
        let vals = &trace.tensors[o.source as usize - 1];
        let scale = 2f64.powi(d.frac as i32);
        let shown: Vec<String> = vals
            .iter()
            .map(|&v| {
                if d.frac == 0 {
                    v.to_string()
                } else {
                    format!("{:.4}", v as f64 / scale)
                }
            })
            .collect();
        out(&format!("{} = [{}]", o.name, shown.join(", ")));
    }
}

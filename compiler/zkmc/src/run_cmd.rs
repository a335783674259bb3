//! `zkmc run FILE`: compile, load inputs and weights, fill the trace and check every constraint.

use crate::cli::RunCommand;
use crate::common::{out, EXIT_OK};
use crate::pipeline::{compile, data_path, outputs, print_outputs, witness};

/// Runs the command and returns the exit code.
pub fn run(cmd: &RunCommand) -> i32 {
    let (mut sources, artifact) = match compile(&cmd.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let input = data_path(&cmd.file, &cmd.input, "input.json");
    let weights = crate::pipeline::weights_path(&cmd.file, &cmd.weights);
    // `run` checks the trace only: committed declarations get throwaway nonces unless their
    // openings are next to the model.
    let openings = data_path(&cmd.file, &None, "openings.json");
    let nonces = match openings.exists() {
        true => crate::committed::Nonces::File(&openings),
        false => crate::committed::Nonces::Fresh,
    };
    let trace = match witness(&mut sources, &artifact, (&input, &weights), nonces, true) {
        Ok((t, _)) => t,
        Err(code) => return code,
    };
    let program = &artifact.program;
    print_outputs(&outputs(&artifact, &trace.public));
    let constraints = program.constraints.len();
    out(&format!(
        "ok: all {constraints} constraints, {} assertions and the bus hold on {} rows",
        program.assertions.len(),
        program.trace_len
    ));
    EXIT_OK
}

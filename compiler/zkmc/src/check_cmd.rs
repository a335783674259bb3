//! `zkmc check FILE`: parse and type-check only.

use crate::cli::CheckCommand;
use crate::common::{load_source, out, report, EXIT_OK};

/// Runs the command and returns the exit code.
pub fn run(cmd: &CheckCommand) -> i32 {
    let (mut sources, file) = match load_source(&cmd.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (program, diags) = zkm_compiler::driver::check(&mut sources, file);
    let code = report(&sources, &diags);
    if let (Some(p), EXIT_OK) = (program, code) {
        let ops = p.nodes.len();
        out(&format!(
            "ok: model `{}` ({} declarations, {ops} operations)",
            p.name,
            p.decls.len()
        ));
    }
    code
}

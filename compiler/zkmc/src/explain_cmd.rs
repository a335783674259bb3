//! `zkmc explain CODE`: prints the code's section of `spec/diagnostics.md`.

use zkm_diagnostics::{codes, Diagnostic, SourceMap};

use crate::cli::ExplainCommand;
use crate::common::{out, report, EXIT_OK};

const SPEC: &str = include_str!("../../../spec/diagnostics.md");

/// Runs the command and returns the exit code.
pub fn run(cmd: &ExplainCommand) -> i32 {
    let code = cmd.code.trim().to_uppercase();
    match section(&code) {
        Some(text) => {
            out(text.trim_end());
            EXIT_OK
        }
        None => {
            let d = Diagnostic::error(
                codes::UNKNOWN_CODE,
                format!("unknown diagnostic code `{}`", cmd.code),
            )
            .with_help("codes look like `E0301`; the full list is in spec/diagnostics.md");
            report(&SourceMap::new(), &[d])
        }
    }
}

/// The text of `## CODE...` up to the next `## ` heading.
fn section(code: &str) -> Option<&'static str> {
    let start = SPEC.find(&format!("\n## {code}:"))? + 1;
    let rest = &SPEC[start..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    Some(&rest[..end])
}

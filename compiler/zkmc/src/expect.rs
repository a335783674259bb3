//! What a verifier can require of a verified statement beyond the proof itself: the digest of a
//! committed declaration (`--expect NAME=HEX`) and the public inputs (`--input F`). A mismatch is
//! a rejection (`E0704`), reported after the proof itself verified.

use zkm_diagnostics::{codes, Diagnostic, SourceMap};
use zkm_runtime::api::Statement;

use crate::cli::VerifyCommand;
use crate::common::report;
use crate::pipeline::{input_diagnostic, read};

/// Checks every `--expect` and the `--input` file against `statement`.
pub fn check(
    sources: &mut SourceMap,
    cmd: &VerifyCommand,
    artifact: &zkm_air::Artifact,
    statement: &Statement,
) -> Result<(), i32> {
    let mut problems = Vec::new();
    for e in &cmd.expect {
        if let Some(d) = digest(cmd, statement, e) {
            problems.push(d);
        }
    }
    if let Some(path) = &cmd.input {
        let file = read(sources, path, zkm_runtime::files::DATA_LIMIT)?;
        let wanted = zkm_runtime::inputs::load_public_inputs(&artifact.program, sources.text(file))
            .map_err(|e| report(sources, &[input_diagnostic(sources, file, e)]))?;
        for (name, codes) in &wanted {
            let got = statement.value(name).map(|v| &v.codes);
            if got != Some(codes) {
                let i = got.map_or(0, |g| {
                    g.iter().zip(codes).take_while(|(a, b)| a == b).count()
                });
                problems.push(rejected(
                    cmd,
                    format!(
                    "the proof's public input `{name}` differs from `{}` (first at element {i})",
                    path.display()
                ),
                ));
            }
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(report(&SourceMap::new(), &problems)),
    }
}

/// The problem with one `NAME=HEX`, if any.
fn digest(cmd: &VerifyCommand, statement: &Statement, spec: &str) -> Option<Diagnostic> {
    let Some((name, hex)) = spec.split_once('=') else {
        return Some(
            Diagnostic::error(
                codes::BAD_INPUT,
                format!("`--expect {spec}` is not NAME=HEX"),
            )
            .with_help(
                "for example `--expect w1=3f2a…` with the 64 hex digits `zkmc commit` printed",
            ),
        );
    };
    let digests = statement.digests();
    let Some((_, got)) = digests.iter().find(|(n, _)| n == name) else {
        let names: Vec<String> = digests.iter().map(|(n, _)| format!("`{n}`")).collect();
        let list = if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        };
        return Some(
            Diagnostic::error(
                codes::BAD_INPUT,
                format!("`--expect {name}=…`: the model commits no `{name}`"),
            )
            .with_note(format!("committed declarations: {list}")),
        );
    };
    let hex = hex.trim().to_ascii_lowercase();
    (*got != hex).then(|| {
        rejected(
            cmd,
            format!("the proof's digest of `{name}` is {got}, not the expected {hex}"),
        )
        .with_help(
            "the proof was made with other data (or another nonce) than the commitment you expect",
        )
    })
}

fn rejected(cmd: &VerifyCommand, why: String) -> Diagnostic {
    Diagnostic::error(
        codes::PROOF_REJECTED,
        format!("proof `{}` rejected: {why}", cmd.proof.display()),
    )
}

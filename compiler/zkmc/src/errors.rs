//! The one place where the runtime's and the verifier's typed errors become diagnostics: a code,
//! a message and, where the user can act, help.

use std::path::Path;

use zkm_diagnostics::{codes, Diagnostic};
use zkm_runtime::api::{ProveError, VerifyError};

/// Diagnostics for a failed proof: one per failing check for an unsatisfied trace.
pub fn prove_error(e: &ProveError) -> Vec<Diagnostic> {
    match e {
        ProveError::Unsatisfied(fails) => fails.iter().map(|f| f.to_diagnostic()).collect(),
        ProveError::InsufficientSecurity { .. } => {
            vec![Diagnostic::error(
                codes::SECURITY_UNREACHABLE,
                e.to_string(),
            )]
        }
        ProveError::Malformed(_) => vec![Diagnostic::error(codes::BAD_ARTIFACT, e.to_string())],
        ProveError::Threads(_) => vec![Diagnostic::error(codes::NO_THREADS, e.to_string())],
        ProveError::PublicLength { .. } | ProveError::Stark(_) | ProveError::Randomness(_) => {
            vec![Diagnostic::bug(e.to_string())]
        }
    }
}

/// The diagnostic for a rejected proof file.
pub fn verify_error(proof: &Path, e: &VerifyError) -> Diagnostic {
    let d = Diagnostic::error(
        codes::PROOF_REJECTED,
        format!("proof `{}` rejected: {e}", proof.display()),
    );
    match e {
        VerifyError::WrongParams | VerifyError::ParamCount { .. } => d.with_help(
            "the verifier needs the model's public parameters exactly as the prover used them: pass them with `--weights FILE`",
        ),
        VerifyError::WrongModel => d.with_help(
            "verify against the model (or built artifact) the proof was made for; any change to the model changes its hash",
        ),
        VerifyError::InsufficientSecurity { .. } => d.with_help(
            "prove again with a higher `--security`, or lower `--security` when verifying",
        ),
        VerifyError::ArtifactCorrupt => Diagnostic::error(codes::BAD_ARTIFACT, e.to_string()),
        _ => d,
    }
}

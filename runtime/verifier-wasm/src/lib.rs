//! The WebAssembly binding of `zkm-verifier`: one function, [`verify`], that takes the built
//! artifact (`<model>.air.json` text), the public parameters (the weights JSON, or `""` when the
//! model has none) and the proof file's bytes, and returns the verdict as JSON text — the
//! statement when the proof is accepted, the error's kind and message when it is not. Built with
//! `wasm-bindgen` for `wasm32-unknown-unknown`; `tests/node.sh` runs it under Node.js.

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use zkm_air::Artifact;
use zkm_verifier::{Statement, VerifyError};

/// Verifies `proof` (proof-file bytes) against the artifact JSON and the public parameters JSON,
/// requiring `min_bits` of conjectured security (0 for the default, 100). Returns JSON:
/// `{"verified": true, "model", "artifact_hash", "security", "values": [...]}` or
/// `{"verified": false, "error": {"kind", "message"}}`.
#[wasm_bindgen]
pub fn verify(artifact_json: &str, params_json: &str, proof: &[u8], min_bits: u32) -> String {
    let min_bits = if min_bits == 0 {
        zkm_verifier::DEFAULT_SECURITY
    } else {
        min_bits
    };
    let verdict = match run(artifact_json, params_json, proof, min_bits) {
        Ok(statement) => accepted(&statement),
        Err((kind, message)) => json!({
            "verified": false,
            "error": {"kind": kind, "message": message},
        }),
    };
    verdict.to_string()
}

/// The version of this binding (the workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn run(
    artifact_json: &str,
    params_json: &str,
    proof: &[u8],
    min_bits: u32,
) -> Result<Statement, (&'static str, String)> {
    let artifact =
        Artifact::from_json(artifact_json).map_err(|e| ("BadArtifact", e.to_string()))?;
    let params = zkm_verifier::params::from_json(&artifact.program, params_json)
        .map_err(|e| ("BadParams", e.to_string()))?;
    zkm_verifier::verify(&artifact, proof, &params, min_bits)
        .map_err(|e: VerifyError| (e.kind(), e.to_string()))
}

fn accepted(s: &Statement) -> Value {
    let values: Vec<Value> = s
        .values
        .iter()
        .map(|v| {
            json!({
                "name": v.name,
                "kind": format!("{:?}", v.kind).to_lowercase(),
                "shape": v.shape,
                "codes": v.codes,
                "values": v.reals(),
            })
        })
        .collect();
    json!({
        "verified": true,
        "model": s.model,
        "artifact_hash": s.artifact_hash,
        "security": {
            "conjectured": s.security.conjectured,
            "proven_ldr": s.security.proven_ldr,
            "proven_udr": s.security.proven_udr,
        },
        "values": values,
    })
}

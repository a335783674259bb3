//! The fixed model the proof, artifact and data targets work against: a three-input,
//! two-output product with public weights and a private input (so its proof is zero-knowledge),
//! proved once per process with a fixed seed.

use std::sync::OnceLock;

use zkm_air::field::Felt;
use zkm_air::Artifact;
use zkm_diagnostics::SourceMap;
use zkm_verifier::Statement;

/// The fixture's model.
pub const TINY_SOURCE: &str = "model tiny {
    input x: fixed<8, 4>[3];
    param w: fixed<8, 4>[3, 2];
    output y: fixed<17, 8>[2];
    y = x @ w;
}
";

/// The same model with committed weights (for the openings reader).
const TINY_COMMITTED: &str = "model tiny_committed {
    input x: fixed<8, 4>[3];
    committed param w: fixed<8, 4>[3, 2];
    output y: fixed<17, 8>[2];
    y = x @ w;
}
";

/// The fixture's input file.
pub const TINY_INPUT: &str = r#"{"x": [1.0, -0.5, 2.0]}"#;
/// The fixture's weights file.
pub const TINY_WEIGHTS: &str = r#"{"w": [[0.5, 1.0], [-1.0, 0.25], [0.0, 2.0]]}"#;

/// Everything the targets compare against.
#[derive(Debug)]
pub struct Fixture {
    /// The model's artifact.
    pub artifact: Artifact,
    /// The committed variant's artifact.
    pub committed: Artifact,
    /// Its public parameters, in slot order.
    pub params: Vec<Felt>,
    /// A genuine proof file's bytes (seed 1).
    pub proof: Vec<u8>,
    /// What the genuine proof states.
    pub statement: Statement,
}

/// The fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(make)
}

fn build(source: &str) -> Artifact {
    let mut sources = SourceMap::new();
    let file = sources.add("tiny.zkm", source);
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    match artifact {
        Some(a) => a,
        None => panic!("the fixture does not compile: {diags:?}"),
    }
}

fn make() -> Fixture {
    let artifact = build(TINY_SOURCE);
    let committed = build(TINY_COMMITTED);
    let program = &artifact.program;
    let loaded = zkm_runtime::load(program, TINY_INPUT, TINY_WEIGHTS).expect("fixture data");
    let trace = zkm_air::witness::generate(program, &loaded.inputs).expect("fixture trace");
    let config = zkm_runtime::api::ProveConfig::new(100).seeded(1);
    let proved = zkm_runtime::api::prove_with(&artifact, &trace, &config).expect("fixture proof");
    let proof = proved.file.to_bytes();
    let params =
        zkm_runtime::inputs::load_public_params(program, TINY_WEIGHTS).expect("fixture params");
    let statement =
        zkm_verifier::verify(&artifact, &proof, &params, 80).expect("the fixture verifies");
    Fixture {
        artifact,
        committed,
        params,
        proof,
        statement,
    }
}

//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// zkmc: compile `.zkm` models to AIR programs and prove their inference with STARKs.
#[derive(Debug, Parser)]
#[command(name = "zkmc", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and type-check a model (no output files).
    Check(CheckCommand),
    /// Compile a model to an AIR artifact and its listing.
    Build(BuildCommand),
    /// Run a model on its inputs, fill the trace and check every constraint on it.
    Run(RunCommand),
    /// Commit a model's committed inputs and weights: print their digests, write their openings.
    Commit(CommitCommand),
    /// Prove a model's inference on its inputs and write a proof file.
    Prove(ProveCommand),
    /// Verify a proof file against a model.
    Verify(VerifyCommand),
    /// Explain a diagnostic code, e.g. `zkmc explain E0502`.
    Explain(ExplainCommand),
    /// Import an ONNX model: write a `.zkm` model, its weights and a sample input, with
    /// calibrated fixed-point types.
    #[cfg(feature = "onnx")]
    Import(ImportCommand),
    /// Run a model's quantized inference over a dataset and compare it with the float model.
    #[cfg(feature = "onnx")]
    Eval(EvalCommand),
}

/// `--weights` of `zkmc import`.
#[cfg(feature = "onnx")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeightsArg {
    /// The verifier reads the weights.
    Public,
    /// The weights are hidden by the zero-knowledge proof.
    Private,
    /// Hidden, with a public digest in the statement.
    Committed,
}

/// `zkmc import MODEL.onnx -o DIR [--calibrate DATA] [--weights public|private|committed]`
#[cfg(feature = "onnx")]
#[derive(Debug, Args)]
pub struct ImportCommand {
    /// The `.onnx` file.
    pub model: PathBuf,
    /// The directory to write `<name>.zkm`, `weights.safetensors` and `input.json` into.
    #[arg(short, long)]
    pub out_dir: PathBuf,
    /// Sample inputs to calibrate activation ranges on (an input JSON as `zkmc prove` reads, a
    /// JSON array of them, or EZKL's `input_data` rows).
    #[arg(long)]
    pub calibrate: Option<PathBuf>,
    /// Who sees the weights.
    #[arg(long, value_enum, default_value_t = WeightsArg::Public)]
    pub weights: WeightsArg,
    /// The model's name (default: the ONNX file's name).
    #[arg(long)]
    pub name: Option<String>,
}

/// `zkmc eval MODEL --data DATA [--onnx MODEL.onnx] [--weights F] [--json]`
#[cfg(feature = "onnx")]
#[derive(Debug, Args)]
pub struct EvalCommand {
    /// The `.zkm` model, or an artifact built by `zkmc build` (`.air.json`).
    pub model: PathBuf,
    /// The samples: an input JSON, a JSON array of them, or EZKL's `input_data` rows.
    #[arg(long)]
    pub data: PathBuf,
    /// The float model to compare with, run by the ONNX runtime `tract`.
    #[arg(long)]
    pub onnx: Option<PathBuf>,
    /// Weights (default: `weights.json`, else `weights.safetensors`, next to the model).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `zkmc check FILE`
#[derive(Debug, Args)]
pub struct CheckCommand {
    /// The `.zkm` file.
    pub file: PathBuf,
}

/// What `build --emit` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// The AIR listing.
    Air,
}

/// `zkmc build FILE [-o DIR] [--emit air]`
#[derive(Debug, Args)]
pub struct BuildCommand {
    /// The `.zkm` file.
    pub file: PathBuf,
    /// Output directory for `<model>.air.json` and `<model>.air.txt` (default: `out`).
    #[arg(short, long)]
    pub out_dir: Option<PathBuf>,
    /// Print this to standard output instead of writing files.
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,
}

/// `zkmc run FILE [--input F] [--weights F]`
#[derive(Debug, Args)]
pub struct RunCommand {
    /// The `.zkm` file.
    pub file: PathBuf,
    /// Input JSON (default: `input.json` next to the model).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Weights JSON (default: `weights.json` next to the model).
    #[arg(long)]
    pub weights: Option<PathBuf>,
}

/// `zkmc commit MODEL [--input F] [--weights F] [-o OPENINGS] [--seed N] [--json]`
#[derive(Debug, Args)]
pub struct CommitCommand {
    /// The `.zkm` model, or an artifact built by `zkmc build` (`.air.json`).
    pub model: PathBuf,
    /// Input JSON (default: `input.json` next to the model).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Weights JSON, safetensors or `.npy` folder (default: `weights.json` next to the model).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// The openings file to write (default: `openings.json` next to the model). Keep it private:
    /// it opens the digests.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Derive the nonces from this seed instead of the operating system's generator (for tests:
    /// a digest hides low-entropy data only while its nonce is secret).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `zkmc explain CODE`
#[derive(Debug, Args)]
pub struct ExplainCommand {
    /// A diagnostic code such as `E0301`.
    pub code: String,
}

/// `zkmc prove MODEL [--input F] [--weights F] [-o PROOF] [--json]`
#[derive(Debug, Args)]
pub struct ProveCommand {
    /// The `.zkm` model, or an artifact built by `zkmc build` (`.air.json`).
    pub model: PathBuf,
    /// Input JSON (default: `input.json` next to the model).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Weights JSON (default: `weights.json` next to the model).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Openings of the committed declarations, from `zkmc commit` (default: `openings.json`
    /// next to the model; only read when the model commits something).
    #[arg(long)]
    pub openings: Option<PathBuf>,
    /// The proof file to write (default: `<model>.proof`).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Conjectured security target in bits (at least 80).
    #[arg(long, default_value_t = zkm_runtime::stark::DEFAULT_SECURITY)]
    pub security: u32,
    /// Allow `--security` below 80 bits, for tests: such proofs can be forged.
    #[arg(long)]
    pub insecure_test_security: bool,
    /// Refuse to prove when the estimated peak memory exceeds this many MB (default: the
    /// machine's physical memory).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_memory: Option<u64>,
    /// Where the trace LDE and commitment run: `auto` uses a hardware GPU when one exists and the
    /// main trace has at least 2^18 cells (smaller traces prove faster on the CPU).
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    pub backend: BackendArg,
    /// Prover threads (default: one per core). The proof is the same for any number.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Derive the zero-knowledge randomness from this seed instead of the operating system's
    /// generator: the same seed gives the same proof bytes (on every backend). A seeded proof
    /// hides private values only as well as the seed is kept secret.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `--backend`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// The CPU.
    Cpu,
    /// A GPU (an error when none can be opened).
    Gpu,
    /// A hardware GPU when one exists and the trace is large enough to gain, else the CPU.
    Auto,
}

/// `zkmc verify MODEL PROOF [--weights F] [--json]`
#[derive(Debug, Args)]
pub struct VerifyCommand {
    /// The `.zkm` model, or an artifact built by `zkmc build` (`.air.json`).
    pub model: PathBuf,
    /// The proof file.
    pub proof: PathBuf,
    /// Weights JSON holding the public parameters (default: `weights.json` next to the model).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Require the digest of committed declaration NAME to be HEX (repeatable).
    #[arg(long, value_name = "NAME=HEX")]
    pub expect: Vec<String>,
    /// Require the proof's public inputs to be the ones in this input JSON.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Minimum conjectured security in bits (at least 80).
    #[arg(long, default_value_t = zkm_runtime::stark::DEFAULT_SECURITY)]
    pub security: u32,
    /// Allow `--security` below 80 bits, for tests: such proofs can be forged.
    #[arg(long)]
    pub insecure_test_security: bool,
}

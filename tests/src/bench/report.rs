//! The Markdown report: the machine context, one table row per (model, weight visibility), and
//! the notes that say how each column was measured.

use super::measure::{Measurement, Row, PROVE_RUNS, VERIFY_RUNS};

/// The table header and its separator line.
pub const HEADER: &str = "| model | weights | zk | MACs | trace rows x cols (main+aux) \
                          | cells/MAC | witness ms | prove ms 1 thread | prove ms all | ns/MAC \
                          | verify ms | proof KB | peak RSS MB | estimate MB | security bits \
                          (conj/proven) |\n\
                          |---|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|";

/// Number of measured columns in [`HEADER`] (after model, weights and zk).
const COLUMNS: usize = 12;

/// The machine the numbers come from: `nproc`, the CPU model and `RAYON_NUM_THREADS`.
pub fn machine_context() -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let rayon = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into());
    format!("Machine: nproc {nproc}, CPU {cpu}, RAYON_NUM_THREADS {rayon}")
}

/// One table line for `row`.
pub fn line(row: &Row) -> String {
    let cells = match &row.outcome {
        Ok(m) => measured(m),
        Err(e) => failed(e),
    };
    format!(
        "| {} | {} | {} | {} |",
        row.model,
        row.weights,
        if row.zk { "on" } else { "off" },
        cells.join(" | ")
    )
}

fn measured(m: &Measurement) -> Vec<String> {
    vec![
        m.macs.to_string(),
        format!("{} x {} ({}+{})", m.rows, m.main + m.aux, m.main, m.aux),
        format!("{:.1}", m.cells_per_mac()),
        format!("{:.1}", m.witness_ms),
        format!("{:.1}", m.prove_1t_ms),
        format!("{:.1} ({})", m.prove_ms, m.threads),
        format!("{:.0}", m.ns_per_mac()),
        format!("{:.2}", m.verify_ms),
        format!("{:.1}", m.proof_bytes as f64 / 1024.0),
        format!("{:.0}", m.peak_rss_mb),
        format!("{:.0} ({:+.0}%)", m.estimate_mb, m.estimate_error() * 100.0),
        format!("{}/{}", m.conjectured_bits, m.proven_bits),
    ]
}

/// The header of the proof-size table ([`parts_line`]).
pub const PARTS_HEADER: &str = "| model | weights | zk | trace values | trace openings \
                                | composition | FRI values | FRI openings | FRI remainder | OOD \
                                | other | proof |\n\
                                |---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|";

/// One line of the proof-size table: each part of `row`'s proof in KiB.
pub fn parts_line(row: &Row) -> Option<String> {
    let m = row.outcome.as_ref().ok()?;
    let p = &m.parts;
    let kb = |b: usize| format!("{:.1}", b as f64 / 1024.0);
    let parts = [
        p.trace_values,
        p.trace_openings,
        p.composition,
        p.fri_values,
        p.fri_openings,
        p.remainder,
        p.ood,
        p.other,
        m.proof_bytes,
    ];
    let cells: Vec<String> = parts.into_iter().map(kb).collect();
    let zk = if row.zk { "on" } else { "off" };
    Some(format!(
        "| {} | {} | {zk} | {} |",
        row.model,
        row.weights,
        cells.join(" | ")
    ))
}

/// The error in the first numeric column, dashes in the others.
fn failed(error: &str) -> Vec<String> {
    let mut cells = vec!["—".to_string(); COLUMNS];
    cells[0] = format!(
        "**error:** {}",
        error.replace('|', "\\|").replace('\n', " ")
    );
    cells
}

/// The notes printed under the table.
pub fn notes() -> String {
    [
        "- MACs = Σ n_in·n_out over the weight matrices.".to_string(),
        "- cells/MAC = rows·(main + 2·aux)/MACs: auxiliary columns hold quadratic-extension \
         elements and count double."
            .to_string(),
        "- witness ms: one `zkm_air::witness::generate` run (loading and the constraint checker \
         excluded; the checker runs once, untimed, and must pass)."
            .to_string(),
        format!(
            "- prove ms: median of {PROVE_RUNS} `api::prove_with` runs, timed as it times itself \
             (Winterfell only, including its copy of the main trace), on one prover thread \
             (`ProveConfig::threads(1)`) and on rayon's global pool (its thread count in \
             parentheses); ns/MAC = all-thread prove ns / MACs."
        ),
        format!(
            "- verify ms: median of {VERIFY_RUNS} runs of a `zkm_verifier::Verifier` prepared once \
             (the artifact's own integrity is checked when it is loaded): artifact hash, \
             parameter digest, public widths and trace shape, then Winterfell's verifier."
        ),
        "- weights: `committed` declares the weight matrices `committed param` (biases public): \
         the commit gadget hashes them with RPO-256 in the AIR; nonces are committed before \
         the timed runs."
            .to_string(),
        "- zk: `on` is the compiler's rule (every model here has a private input: 45 random \
         rows, the masks, salted commitments, fresh OS randomness per proof); `off` compiles the \
         same model without random rows, for the zero-knowledge overhead."
            .to_string(),
        "- proof KB: the proof file (`ProofFile::to_bytes`), KiB.".to_string(),
        "- peak RSS MB: `VmHWM` (MiB) of a fresh child process per row, covering compile, load, \
         witness, checker, every proof and verification."
            .to_string(),
        "- estimate MB: `stark::estimate_memory` (what `zkmc prove --max-memory` compares \
         against), and its error relative to the peak RSS."
            .to_string(),
        "- security: conjectured / proven (list-decoding regime) bits at the default 100-bit \
         target (`zkm_verifier::options_for(100)`)."
            .to_string(),
    ]
    .join("\n")
}

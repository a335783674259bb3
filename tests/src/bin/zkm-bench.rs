//! `zkm-bench`: proving benchmark of zkmc models, printed as a Markdown table.
//!
//! ```text
//! cargo run --release -p zkm-tests --bin zkm-bench [-- --quick] [-- --model NAME]...
//! ```
//!
//! Every (model, weight visibility, zero-knowledge on/off) triple runs in a fresh child process
//! (this binary re-invoked with `--one NAME VIS ZK`) so its peak RSS is its own; the child prints
//! one JSON [`Row`] and the parent prints it as a table line. Zero-knowledge `off` compiles the
//! same model without random rows (`build_with_random_rows(.., Some(0))`), for the overhead. `--quick` runs only the small models marked for CI smoke
//! use; `--model NAME` (repeatable) picks models by name. After the table, a second table gives
//! the owned cells per multiply-accumulate of every product and convolution (`--layers` prints
//! only that one, which needs no proving).

use std::io::Write as _;
use std::process::{Command, ExitCode, Stdio};

use zkm_tests::bench::measure::{self, Row};
use zkm_tests::bench::models::{self, Spec, Visibility, MODELS};
use zkm_tests::bench::{layers, report};

const USAGE: &str = "usage: zkm-bench [--quick] [--layers] [--model NAME]...\n       \
                     zkm-bench --one NAME public|private|committed on|off   (internal: one child measurement)";

/// What the command line asks for.
#[derive(Debug)]
enum Mode {
    /// Run `models` in child processes and print the table (`true`: only the layer costs).
    Table(Vec<Spec>, bool),
    /// Measure one triple in this process and print its JSON row.
    One(Spec, Visibility, bool),
    /// Print the usage.
    Help,
}

fn main() -> ExitCode {
    // As `zkmc` does, so the peak RSS measured is the one `zkmc prove` has.
    zkm_runtime::memory::single_malloc_arena();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--").collect();
    match parse(&args) {
        Ok(Mode::Table(specs, false)) => table(&specs),
        Ok(Mode::Table(specs, true)) => layer_table(&specs),
        Ok(Mode::One(spec, vis, zk)) => one(spec, vis, zk),
        Ok(Mode::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zkm-bench: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<Mode, String> {
    let (mut quick, mut only_layers) = (false, false);
    let mut named = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--layers" => only_layers = true,
            "--model" => named.push(model(it.next())?),
            "--one" => {
                let spec = model(it.next())?;
                let vis = it.next().map(String::as_str).and_then(Visibility::parse);
                let vis = vis.ok_or("--one needs a visibility: public, private or committed")?;
                let zk = match it.next().map(String::as_str) {
                    Some("on") => true,
                    Some("off") => false,
                    _ => return Err("--one needs zero-knowledge on or off".into()),
                };
                return Ok(Mode::One(spec, vis, zk));
            }
            "-h" | "--help" => return Ok(Mode::Help),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let specs = if named.is_empty() {
        MODELS
            .iter()
            .copied()
            .filter(|m| m.quick || !quick)
            .collect()
    } else {
        named
    };
    Ok(Mode::Table(specs, only_layers))
}

/// The owned cells per multiply-accumulate of every layer, public and private weights, ZK on.
fn layer_table(specs: &[Spec]) -> ExitCode {
    println!("Cells per MAC by layer (owned columns over the whole trace, a public product's");
    println!("rows of its bank's columns, auxiliary twice; the shared LogUp helper columns and");
    println!("range tables are not counted):\n");
    println!("{}", layers::HEADER);
    let mut ok = true;
    for &spec in specs {
        for vis in [Visibility::Public, Visibility::Private] {
            let artifact = models::materialize(spec, vis).and_then(|m| measure::compile(&m, true));
            match artifact {
                Ok(a) => {
                    let costs = layers::layer_costs(&a);
                    println!("{}", layers::table(spec.name, vis.as_str(), &costs));
                }
                Err(e) => {
                    ok = false;
                    eprintln!("zkm-bench: {}: {e}", spec.name);
                }
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn model(name: Option<&String>) -> Result<Spec, String> {
    let name = name.ok_or("--model and --one need a model name")?;
    models::find(name).ok_or_else(|| {
        let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        format!("unknown model `{name}` (known: {})", known.join(", "))
    })
}

/// Child: measure one triple and print its row as one JSON line.
fn one(spec: Spec, vis: Visibility, zk: bool) -> ExitCode {
    let row = measure::run(spec, vis, zk);
    match serde_json::to_string(&row) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("zkm-bench: cannot encode the result: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parent: run every pair in a child and print the table line by line as rows arrive.
fn table(specs: &[Spec]) -> ExitCode {
    println!("{}\n", report::machine_context());
    println!("{}", report::HEADER);
    let mut all_ok = true;
    let mut rows = Vec::new();
    for &spec in specs {
        for vis in Visibility::ALL {
            // Committed data is only meaningful with zero-knowledge (its digest hides it).
            let modes: &[bool] = match vis {
                Visibility::Committed => &[true],
                _ => &[true, false],
            };
            for &zk in modes {
                let z = if zk { "on" } else { "off" };
                eprintln!(
                    "zkm-bench: {} ({} weights, zk {z})...",
                    spec.name,
                    vis.as_str()
                );
                let row = child(spec, vis, zk);
                all_ok &= row.outcome.is_ok();
                println!("{}", report::line(&row));
                let _ = std::io::stdout().flush();
                rows.push(row);
            }
        }
    }
    println!("\n{}", report::notes());
    println!("\nProof size by part, KiB (`zkm_verifier::anatomy`; openings are salts and Merkle");
    println!("paths; `other` is the file header, public values, commitments and lengths):\n");
    println!("{}", report::PARTS_HEADER);
    rows.iter()
        .filter_map(report::parts_line)
        .for_each(|l| println!("{l}"));
    println!();
    all_ok &= layer_table(specs) == ExitCode::SUCCESS;
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `--one` in a fresh process; a child that crashes or prints no row becomes an error row.
fn child(spec: Spec, vis: Visibility, zk: bool) -> Row {
    let failed = |why: String| Row {
        model: spec.name.to_string(),
        weights: vis.as_str().to_string(),
        zk,
        outcome: Err(why),
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return failed(format!("cannot find this executable: {e}")),
    };
    let output = Command::new(exe)
        .args([
            "--one",
            spec.name,
            vis.as_str(),
            if zk { "on" } else { "off" },
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => return failed(format!("cannot start the child process: {e}")),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = stdout.lines().rev().find(|l| l.starts_with('{'));
    match json.map(serde_json::from_str::<Row>) {
        Some(Ok(row)) if output.status.success() => row,
        Some(Err(e)) => failed(format!("unreadable child output: {e}")),
        _ => failed(format!("child process failed ({})", output.status)),
    }
}

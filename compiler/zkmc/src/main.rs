//! `zkmc`: the command-line front end. The only crate that prints or exits.

mod build_cmd;
mod check_cmd;
mod cli;
mod commit_cmd;
mod committed;
mod common;
mod errors;
#[cfg(feature = "onnx")]
mod eval_cmd;
mod expect;
mod explain_cmd;
#[cfg(feature = "onnx")]
mod import_cmd;
mod limits;
mod outputs;
mod pipeline;
mod prove_cmd;
mod run_cmd;
mod verify_cmd;

use clap::Parser;

fn main() {
    zkm_runtime::memory::single_malloc_arena();
    quiet_graphics_stack();
    let cli = cli::Cli::parse();
    global_thread_pool();
    outputs::install_interrupt_cleanup();
    let code = match cli.command {
        cli::Command::Check(c) => check_cmd::run(&c),
        cli::Command::Build(c) => build_cmd::run(&c),
        cli::Command::Run(c) => run_cmd::run(&c),
        cli::Command::Commit(c) => commit_cmd::run(&c),
        cli::Command::Prove(c) => prove_cmd::run(&c),
        cli::Command::Verify(c) => verify_cmd::run(&c),
        cli::Command::Explain(c) => explain_cmd::run(&c),
        #[cfg(feature = "onnx")]
        cli::Command::Import(c) => import_cmd::run(&c),
        #[cfg(feature = "onnx")]
        cli::Command::Eval(c) => eval_cmd::run(&c),
    };
    std::process::exit(code);
}

/// Mesa's Vulkan device-selection layer connects to the Wayland display while wgpu lists the
/// adapters, and without a desktop session libwayland prints "XDG_RUNTIME_DIR is invalid or not
/// set" on stderr. zkmc picks its adapter itself, so the layer is switched off (the user's own
/// `NODEVICE_SELECT` wins). Runs first in `main`, before any other thread exists.
fn quiet_graphics_stack() {
    if cfg!(target_os = "linux") && std::env::var_os("NODEVICE_SELECT").is_none() {
        std::env::set_var("NODEVICE_SELECT", "1");
    }
}

/// Starts rayon's global pool now, or, where no thread can be started, makes the main thread
/// its only worker: Winterfell's parallel code (the verifier's FFTs included) would otherwise
/// start it lazily and panic. Proving uses a pool of its own (`api::ProveConfig::threads`).
/// (rayon allows one attempt at the global pool, so a trial thread decides which.)
fn global_thread_pool() {
    let builder = rayon::ThreadPoolBuilder::new();
    let builder = match std::thread::Builder::new().spawn(|| {}) {
        Ok(trial) => {
            let _ = trial.join();
            builder
        }
        Err(_) => builder.num_threads(1).use_current_thread(),
    };
    let _ = builder.build_global();
}

//! `zkmc`: the command-line front end. The only crate that prints or exits.

mod build_cmd;
mod check_cmd;
mod cli;
mod commit_cmd;
mod committed;
mod common;
mod errors;
mod expect;
mod explain_cmd;
mod limits;
mod outputs;
mod pipeline;
mod prove_cmd;
mod run_cmd;
mod verify_cmd;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    outputs::install_interrupt_cleanup();
    let code = match cli.command {
        cli::Command::Check(c) => check_cmd::run(&c),
        cli::Command::Build(c) => build_cmd::run(&c),
        cli::Command::Run(c) => run_cmd::run(&c),
        cli::Command::Commit(c) => commit_cmd::run(&c),
        cli::Command::Prove(c) => prove_cmd::run(&c),
        cli::Command::Verify(c) => verify_cmd::run(&c),
        cli::Command::Explain(c) => explain_cmd::run(&c),
    };
    std::process::exit(code);
}

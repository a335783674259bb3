//! `zkmc build FILE [-o DIR] [--emit air]`: compile to an artifact and its listing.

use std::path::PathBuf;

use crate::cli::{BuildCommand, Emit};
use crate::common::{load_source, out, report, EXIT_OK};
use crate::outputs::{default_name, refuse_clobber, write_all_atomic};

/// Runs the command and returns the exit code.
pub fn run(cmd: &BuildCommand) -> i32 {
    let (mut sources, file) = match load_source(&cmd.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    let code = report(&sources, &diags);
    let Some(artifact) = artifact.filter(|_| code == EXIT_OK) else {
        return code;
    };
    let listing = zkm_air::listing::render(&artifact);
    if cmd.emit == Some(Emit::Air) {
        crate::common::out_raw(&listing);
        return EXIT_OK;
    }
    let dir = cmd.out_dir.clone().unwrap_or_else(|| PathBuf::from("out"));
    let json_path = dir.join(default_name(&cmd.file, ".air.json"));
    let txt_path = dir.join(default_name(&cmd.file, ".air.txt"));
    if let Err(d) = refuse_clobber(&[&json_path, &txt_path], &[&cmd.file]) {
        return report(&sources, &[d]);
    }
    let files = [
        (json_path.clone(), artifact.to_json().into_bytes()),
        (txt_path.clone(), listing.into_bytes()),
    ];
    if let Err(d) = write_all_atomic(&dir, &files) {
        return report(&sources, &[d]);
    }
    summary(&artifact, &json_path, &txt_path);
    EXIT_OK
}

fn summary(a: &zkm_air::Artifact, json: &std::path::Path, txt: &std::path::Path) {
    let p = &a.program;
    out(&format!("built model `{}`", p.name));
    out(&format!(
        "  trace      {} rows x {} columns (main {}, aux {})",
        p.trace_len,
        p.width(),
        p.main_columns.len(),
        p.aux_columns.len()
    ));
    out(&format!(
        "  cells      {} main + {} aux",
        p.trace_len * p.main_columns.len(),
        p.trace_len * p.aux_columns.len()
    ));
    out(&format!("  degree     {} (max)", p.max_degree()));
    let memory = zkm_runtime::stark::estimate_memory(p) >> 20;
    out(&format!(
        "  memory     about {memory} MB to prove (estimate)"
    ));
    out(&format!(
        "  artifact   {} (blake3:{})",
        json.display(),
        &a.hash[..16]
    ));
    out(&format!("  listing    {}", txt.display()));
}

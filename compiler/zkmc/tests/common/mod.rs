//! Helpers shared by the CLI snapshot suites: running the real `zkmc` binary in a scratch
//! folder, normalising paths and timings, and the case data.

#![allow(dead_code)]

pub use std::path::{Path, PathBuf};
pub use std::process::Command;
pub use std::sync::atomic::{AtomicUsize, Ordering};

// CASE DATA
// ================================================================================================

pub const LINEAR: &str = "examples/linear_digits/linear_digits.zkm";
pub const MLP: &str = "examples/mlp_digits/mlp_digits.zkm";

/// Bytes 0x00..=0xff, four times.
pub fn garbage() -> Vec<u8> {
    (0..=255u8).cycle().take(4 * 256).collect()
}

/// A model whose only expression is `1` inside `depth` pairs of parentheses.
pub fn deep_parens(depth: usize) -> Vec<u8> {
    let expr = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    format!("model m {{ output y: int<8>; y = {expr}; }}\n").into_bytes()
}

/// A model whose input has a name of `len` characters.
pub fn long_ident(len: usize) -> Vec<u8> {
    let name = "x".repeat(len);
    format!("model m {{\n    input {name}: int<8>;\n    output y: int<8>;\n    y = {name};\n}}\n")
        .into_bytes()
}

/// A model applying `relu` `n` times in a row, each in its own `let`.
pub fn relu_chain(n: usize) -> Vec<u8> {
    let lets: String = (1..=n)
        .map(|i| format!("    let t{i} = relu(t{});\n", i - 1))
        .collect();
    let body = format!("    let t0 = a;\n{lets}    y = t{n};\n");
    format!("model m {{\n    input a: int<8>[4];\n    output y: int<8>[4];\n{body}}}\n")
        .into_bytes()
}

/// An input file for `linear_digits` whose first pixel is `v` and the others 0.
pub fn input_with_first(v: f64) -> Vec<u8> {
    let mut xs = vec![0.0f64; 64];
    xs[0] = v;
    serde_json::json!({ "x": xs }).to_string().into_bytes()
}

// HARNESS
// ================================================================================================

/// Status code of a clap usage error.
pub const EXIT_USAGE: i32 = 2;
/// Lines longer than this are cut in snapshots (the count of cut characters is kept).
pub const MAX_LINE: usize = 300;

/// Runs `zkmc args` in the repository root with a fresh scratch folder holding `files` (a name
/// ending in `/` makes a folder), checks the invariants every run must keep and lays out the
/// snapshot.
pub fn run_cli(args: &[&str], files: &[(&str, &[u8])]) -> String {
    let mut session = Session::new(files);
    session.run(args);
    session.finish()
}

/// Several runs of `zkmc` sharing one scratch folder, with edits of its files in between. The
/// snapshot of a single run is laid out as described at the top; with several runs, each
/// section starts with `$ zkmc ARGS`.
pub struct Session {
    tmp: PathBuf,
    tmp_str: String,
    sections: Vec<(String, String)>,
}

impl Session {
    pub fn new(files: &[(&str, &[u8])]) -> Self {
        let tmp = scratch_dir();
        for (name, bytes) in files {
            match name.strip_suffix('/') {
                Some(dir) => std::fs::create_dir_all(tmp.join(dir)).expect("create dir"),
                None => std::fs::write(tmp.join(name), bytes).expect("write case file"),
            }
        }
        let tmp_str = tmp.display().to_string();
        Session {
            tmp,
            tmp_str,
            sections: Vec::new(),
        }
    }

    /// Runs `zkmc args` (`<TMP>` in an argument is the scratch folder).
    pub fn run(&mut self, args: &[&str]) {
        let before = files_in(&self.tmp);
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("<TMP>", &self.tmp_str))
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_zkmc"))
            .args(&args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .output()
            .expect("zkmc runs");
        let status = output.status.code().expect("zkmc exits with a status");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let left = files_in(&self.tmp);
        check_invariants(status, &stderr, &left, &before);
        let normalize = |s: &str| {
            let s = s
                .replace(&self.tmp_str, "<TMP>")
                .replace(&root_str(), "<ROOT>");
            cut_long_lines(&pretty_json(&normalize_times(&s)))
        };
        let shown = format!(
            "status: {status}\nfiles: {}\n----- stderr\n{}----- stdout\n{}",
            left.join(", "),
            normalize(&stderr),
            normalize(&stdout)
        );
        self.sections.push((normalize(&args.join(" ")), shown));
    }

    /// Rewrites the scratch file `name` with `f`.
    pub fn edit(&self, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
        let path = self.tmp.join(name);
        let mut bytes = std::fs::read(&path).expect("read scratch file");
        f(&mut bytes);
        std::fs::write(&path, bytes).expect("write scratch file");
    }

    pub fn finish(self) -> String {
        let _ = std::fs::remove_dir_all(&self.tmp);
        if let [(_, only)] = &self.sections[..] {
            return only.clone();
        }
        let shown: Vec<String> = self
            .sections
            .iter()
            .map(|(args, shown)| format!("$ zkmc {args}\n{shown}"))
            .collect();
        shown.join("\n")
    }
}

/// Replaces durations, which vary between runs: `12.3 ms` and `(1.23 ms)` become `<MS> ms`, and
/// JSON values of keys ending in `_ms` become `"<MS>"`.
pub fn normalize_times(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let len = from
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
            .unwrap_or(from.len());
        let (number, after) = from.split_at(len);
        let json_ms = before.ends_with("_ms\":");
        let prev_is_word = before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if json_ms {
            out.push_str("\"<MS>\"");
        } else if after.starts_with(" ms") && !prev_is_word {
            out.push_str("<MS>");
        } else {
            out.push_str(number);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Shows each line that is a JSON object (`--json` output) pretty-printed.
pub fn pretty_json(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches('\n');
            let parsed = serde_json::from_str::<serde_json::Value>(body);
            match parsed {
                Ok(v) if body.starts_with('{') => {
                    let pretty = serde_json::to_string_pretty(&v).expect("JSON prints");
                    format!("{pretty}{}", &line[body.len()..])
                }
                _ => line.to_owned(),
            }
        })
        .collect()
}

/// `before`: the scratch folder's files before the run (a failing run must add none).
pub fn check_invariants(status: i32, stderr: &str, left: &[String], before: &[String]) {
    assert!(!stderr.contains("panicked"), "zkmc panicked:\n{stderr}");
    assert!(
        matches!(status, 0 | 1 | EXIT_USAGE),
        "unexpected status {status}:\n{stderr}"
    );
    if status == 0 {
        return;
    }
    if status != EXIT_USAGE {
        assert!(has_code(stderr), "no diagnostic code in:\n{stderr}");
    }
    let written: Vec<&String> = left.iter().filter(|f| !before.contains(f)).collect();
    assert!(written.is_empty(), "a failing run wrote {written:?}");
}

/// True when `stderr` holds `error[E....]`.
pub fn has_code(stderr: &str) -> bool {
    stderr.match_indices("error[E").any(|(i, _)| {
        let rest = &stderr.as_bytes()[i + 7..];
        rest.len() >= 5 && rest[..4].iter().all(u8::is_ascii_digit) && rest[4] == b']'
    })
}

/// Keeps the first `n` lines of the stdout section.
pub fn head(snapshot: &str, n: usize) -> String {
    let marker = "----- stdout\n";
    let Some(at) = snapshot.find(marker) else {
        return snapshot.to_owned();
    };
    let (before, stdout) = snapshot.split_at(at + marker.len());
    let lines: Vec<&str> = stdout.lines().collect();
    let kept = lines[..n.min(lines.len())].join("\n");
    let more = lines.len().saturating_sub(n);
    format!("{before}{kept}\n... ({more} more lines)\n")
}

pub fn cut_long_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches('\n');
            let count = body.chars().count();
            if count <= MAX_LINE {
                return line.to_owned();
            }
            let kept: String = body.chars().take(MAX_LINE).collect();
            let nl = if line.ends_with('\n') { "\n" } else { "" };
            format!("{kept}<... {} more characters>{nl}", count - MAX_LINE)
        })
        .collect()
}

/// Paths of the files and folders under `dir`, relative to it, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read scratch dir").flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).expect("under dir");
            found.push(rel.display().to_string());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    found
}

pub fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("zkmc-cli-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn root_str() -> String {
    let root = root();
    root.canonicalize().unwrap_or(root).display().to_string()
}

/// The scratch folder of a [`Session`], for tests that make files `run_cli` cannot (sparse
/// files, links).
impl Session {
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }
}

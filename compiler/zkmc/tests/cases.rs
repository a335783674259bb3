//! CLI cases as files: every `tests/cases/<name>.cli` runs the real `zkmc` binary once, and the
//! snapshot holds what a user sees (exit status, files left, stderr, stdout; see `common`).
//!
//! A case file is a few directive lines, each starting with `// `:
//! - `// args: ARG ARG …` (required): the arguments, split on spaces; `<TMP>` is the case's
//!   scratch folder, paths without it are relative to the repository root;
//! - `// file: NAME`: the lines up to the next directive are the content of `<TMP>/NAME`;
//! - `// dir: NAME`: creates the folder `<TMP>/NAME`;
//! - any other `//` line before the first `file:` is a description.
//!
//! Inputs that are generated (binary garbage, 20,000 nested parentheses, …) stay in `cli.rs`.
//! Create or update the snapshots with `INSTA_UPDATE=always cargo test -p zkmc --test cases` and
//! read them.

mod common;

use common::run_cli;

/// A parsed case file.
#[derive(Debug, Default)]
struct Case {
    args: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

fn parse(text: &str) -> Case {
    let mut case = Case::default();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        let directive = line.strip_prefix("// ");
        let file = directive.and_then(|d| d.strip_prefix("file: "));
        let dir = directive.and_then(|d| d.strip_prefix("dir: "));
        let args = directive.and_then(|d| d.strip_prefix("args: "));
        if file.is_some() || dir.is_some() || args.is_some() {
            close(&mut case, open.take());
        }
        match (file, dir, args, &mut open) {
            (Some(name), ..) => open = Some((name.to_owned(), vec![])),
            (_, Some(name), ..) => case.files.push((format!("{name}/"), vec![])),
            (_, _, Some(a), _) => case.args = a.split(' ').map(str::to_owned).collect(),
            (_, _, _, Some((_, lines))) => lines.push(line),
            _ => {}
        }
    }
    close(&mut case, open);
    assert!(!case.args.is_empty(), "a case needs a `// args:` line");
    case
}

fn close(case: &mut Case, open: Option<(String, Vec<&str>)>) {
    if let Some((name, lines)) = open {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        case.files.push((name, text.into_bytes()));
    }
}

#[test]
fn cases() {
    insta::glob!("cases", "*.cli", |path| {
        let case = parse(&std::fs::read_to_string(path).expect("case file"));
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let files: Vec<(&str, &[u8])> = case
            .files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        insta::assert_snapshot!(run_cli(&args, &files));
    });
}

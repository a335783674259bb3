//! CLI regression tests of the hardening issue whose inputs cannot be case files: huge and
//! special files, artifacts edited with a recomputed hash, interrupted writes. The defect each
//! test guards against is in its name; the cases under `tests/cases/hardening_*.cli` cover the
//! rest. Snapshots are laid out as in `cli.rs`.

mod common;

use common::*;

const LINEAR: &str = "examples/linear_digits/linear_digits.zkm";

#[test]
fn no_size_limit_on_reads_huge_proof_is_refused_from_its_size() {
    let mut s = Session::new(&[]);
    let big = std::fs::File::create(s.path("huge.proof")).expect("create");
    big.set_len(1 << 30).expect("sparse 1 GiB file");
    s.run(&["verify", LINEAR, "<TMP>/huge.proof"]);
    insta::assert_snapshot!(s.finish());
}

#[cfg(unix)]
#[test]
fn no_size_limit_on_reads_dev_zero_everywhere() {
    let mut s = Session::new(&[]);
    s.run(&["check", "/dev/zero"]);
    s.run(&["verify", LINEAR, "/dev/zero"]);
    s.run(&["run", LINEAR, "--input", "/dev/zero"]);
    s.run(&["run", LINEAR, "--weights", "/dev/zero"]);
    insta::assert_snapshot!(s.finish());
}

#[test]
fn errors_name_the_wrong_file_checker_on_a_built_artifact() {
    let mut s = Session::new(&[]);
    s.run(&["build", LINEAR, "-o", "<TMP>"]);
    // A constant of the first constraint changed, the hash recomputed: the checker fails. Its
    // span points into the `.zkm` file, which `run` on an artifact never read; it used to be
    // drawn in input.json, the first file read.
    let path = s.path("linear_digits.air.json");
    let text = std::fs::read_to_string(&path).expect("artifact");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut program: zkm_air::AirProgram =
        serde_json::from_value(json["program"].clone()).expect("program");
    let edited = edit_first_constant(&mut program);
    assert!(edited, "the artifact has a constant");
    let artifact = zkm_air::Artifact::new(program);
    std::fs::write(&path, artifact.to_json()).expect("write artifact");
    let input = "examples/linear_digits/input.json";
    let weights = "examples/linear_digits/weights.json";
    s.run(&[
        "run",
        "<TMP>/linear_digits.air.json",
        "--input",
        input,
        "--weights",
        weights,
    ]);
    let shown = s.finish();
    assert!(!shown.contains("input.json:"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn control_characters_in_names_artifact_format_is_escaped() {
    let mut s = Session::new(&[]);
    s.run(&["build", LINEAR, "-o", "<TMP>"]);
    // An escape sequence and a bell in the format name: E0704's message echoes the format, and
    // used to send them to the terminal raw.
    let path = s.path("linear_digits.air.json");
    let text = std::fs::read_to_string(&path).expect("artifact");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    json["format"] = "zkmc-air\u{1b}[2J\u{7}".into();
    std::fs::write(&path, json.to_string()).expect("write artifact");
    s.run(&["verify", "<TMP>/linear_digits.air.json", "<TMP>/none.proof"]);
    let shown = s.finish();
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

/// Adds one to the first constant node of the expression arena; false when there is none.
fn edit_first_constant(program: &mut zkm_air::AirProgram) -> bool {
    let mut json = serde_json::to_value(&program.exprs).expect("arena");
    let Some(nodes) = json["nodes"].as_array_mut() else {
        return false;
    };
    let Some(c) = nodes.iter_mut().find_map(|n| n.get_mut("Const")) else {
        return false;
    };
    *c = (c.as_i64().unwrap_or(0) + 1).into();
    program.exprs = serde_json::from_value(json).expect("arena");
    true
}

/// A `.npy` file of little-endian `f8` values.
fn npy(shape: &[usize], values: &[f64]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| format!("{d}, ")).collect();
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}",
        dims.concat().trim_end()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[test]
fn errors_name_the_wrong_file_out_of_range_npy_weight() {
    let model = b"model m {\n    input x: fixed<8, 4>[3];\n    param w: fixed<8, 4>[3, 2];\n    output y: fixed<17, 8>[2];\n    y = x @ w;\n}\n";
    let w = npy(&[3, 2], &[0.5, 1.0, -1.0, 1e9, 0.0, 2.0]);
    let shown = run_cli(
        &[
            "run",
            "<TMP>/m.zkm",
            "--input",
            "<TMP>/in.json",
            "--weights",
            "<TMP>/w",
        ],
        &[
            ("m.zkm", model),
            ("in.json", b"{\"x\": [1.0, -0.5, 2.0]}"),
            ("w/", b""),
            ("w/w.npy", &w),
        ],
    );
    assert!(shown.contains("in <TMP>/w"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[cfg(unix)]
#[test]
fn interrupted_write_leaves_no_temporary_file() {
    let dir = scratch_dir();
    // The hook holds zkmc between writing its temporary files and renaming them; an interrupt
    // then used to leave them behind.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zkmc"))
        .args(["build", LINEAR, "-o"])
        .arg(&dir)
        .env("ZKMC_TEST_HOLD_WRITES_MS", "30000")
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start zkmc");
    let temporaries = |d: &std::path::Path| -> Vec<String> {
        files_in(d)
            .into_iter()
            .filter(|f| f.ends_with(".tmp-zkmc"))
            .collect()
    };
    let start = std::time::Instant::now();
    while temporaries(&dir).is_empty() {
        assert!(
            start.elapsed().as_secs() < 60,
            "zkmc never wrote its temporaries"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(files_in(&dir), Vec::<String>::new(), "files left behind");
}

#[test]
fn gpu_probe_prints_no_xdg_runtime_dir_warning() {
    // Listing the adapters made Mesa's device-selection layer have libwayland print
    // "XDG_RUNTIME_DIR is invalid or not set" twice where no desktop session exists. `--backend
    // gpu` always probes; on a software adapter it then stops with E0706, on a hardware GPU it
    // proves: either way, nothing from the graphics stack.
    let dir = scratch_dir();
    let input = "examples/linear_digits/input.json";
    let weights = "examples/linear_digits/weights.json";
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zkmc"))
        .args(["prove", LINEAR, "--input", input, "--weights", weights])
        .args(["--backend", "gpu", "-o"])
        .arg(dir.join("p.proof"))
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("NODEVICE_SELECT")
        .env_remove("ZKM_ALLOW_SOFTWARE_GPU")
        .current_dir(root())
        .output()
        .expect("run zkmc");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
    assert!(
        output.status.success() || stderr.contains("E0706"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[cfg(target_os = "linux")]
#[test]
fn prover_threads_that_cannot_start_are_a_coded_error() {
    // A 256 TiB minimum stack for new threads: no thread can be started. `--threads 2` is then
    // a coded error; without `--threads` zkmc proves on the main thread alone. Either used to
    // panic in rayon's global pool.
    let dir = scratch_dir();
    let prove = |extra: &[&str], out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zkmc"))
            .args(["prove", LINEAR, "--backend", "cpu", "-o"])
            .arg(dir.join(out))
            .args(extra)
            .env("RUST_MIN_STACK", (1u64 << 48).to_string())
            .current_dir(root())
            .output()
            .expect("run zkmc")
    };
    let refused = prove(&["--threads", "2"], "p.proof");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let first = stderr.lines().next().unwrap_or("");
    let shown = first.split(" threads: ").next().unwrap_or(first);
    insta::assert_snapshot!(format!(
        "status: {:?}\n{shown} threads: <reason>",
        refused.status.code()
    ));
    assert!(!dir.join("p.proof").exists(), "a proof file was written");
    let alone = prove(&[], "q.proof");
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(alone.status.success(), "{stderr}");
    assert!(
        dir.join("q.proof").exists(),
        "no proof from the main thread alone"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

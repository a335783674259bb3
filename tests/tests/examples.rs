//! Every bundled example compiles, its AIR listing is snapshotted, its honest trace satisfies
//! every constraint, its outputs match the reference computed by the training script, and each
//! kind of corrupted witness is caught by the checker with the constraint and `.zkm` location.

use zkm_air::check::{check, Failure};
use zkm_air::{Artifact, Trace};
use zkm_diagnostics::{render, SourceMap};
use zkm_tests::fixtures::{self, honest_trace, root};

fn build(name: &str) -> (SourceMap, Artifact) {
    fixtures::build_with_sources(name)
}

fn expected_logits(name: &str) -> (Vec<i128>, i128) {
    let path = root()
        .join("examples")
        .join(name)
        .join("expected_output.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("file")).expect("json");
    let q = &v["quantized"];
    let logits = q["logits"]
        .as_array()
        .expect("logits")
        .iter()
        .map(|x| x.as_i64().expect("int") as i128)
        .collect();
    (logits, q["class"].as_i64().expect("class") as i128)
}

/// The values of output `name` in the trace.
fn output(artifact: &Artifact, trace: &Trace, name: &str) -> Vec<i128> {
    let g = artifact.program.gadgets.iter().find_map(|g| match g {
        zkm_air::gadgets::Gadget::Output(o) if o.name == name => Some(o),
        _ => None,
    });
    trace.tensors[g.expect("output").source.index()].clone()
}

fn rendered(sources: &SourceMap, failures: &[Failure]) -> String {
    let ds: Vec<_> = failures.iter().map(Failure::to_diagnostic).collect();
    render::render(sources, &ds)
}

fn example_runs(name: &str) {
    let (_, artifact) = build(name);
    insta::assert_snapshot!(
        format!("{name}_listing"),
        zkm_air::listing::render(&artifact)
    );
    let trace = honest_trace(name, &artifact);
    let failures = check(&artifact.program, &trace);
    assert!(failures.is_empty(), "honest trace fails: {failures:?}");
    let (logits, class) = expected_logits(name);
    assert_eq!(output(&artifact, &trace, "logits"), logits);
    assert_eq!(output(&artifact, &trace, "class"), vec![class]);
}

#[test]
fn mlp_digits_runs() {
    example_runs("mlp_digits");
}

#[test]
fn linear_digits_runs() {
    example_runs("linear_digits");
}

#[test]
fn cnn_digits_runs() {
    example_runs("cnn_digits");
}

#[test]
fn lenet_digits_runs() {
    example_runs("lenet_digits");
}

#[test]
fn artifact_round_trips_and_rejects_tampering() {
    let artifacts = [
        build("linear_digits").1,
        build("mlp_digits").1,
        build_private("mlp_digits").1,
    ];
    for artifact in &artifacts {
        let json = artifact.to_json();
        assert_eq!(&Artifact::from_json(&json).expect("reads back"), artifact);
    }
    let json = artifacts[0].to_json();
    let tampered = json.replacen("\"trace_len\":", "\"trace_len\":1", 1);
    assert!(Artifact::from_json(&tampered).is_err());
    assert!(Artifact::from_json("{}").is_err());
}

/// An edited artifact whose hash was recomputed (anyone can) but whose indices point nowhere is
/// refused when read, before any stage could index out of bounds.
#[test]
fn artifact_with_dangling_indices_is_refused() {
    let program = &build("mlp_digits").1.program;
    use zkm_air::gadgets::Gadget;
    let edits: [fn(&mut zkm_air::AirProgram); 7] = [
        |p| p.constraints[0].expr = u32::MAX,
        |p| p.assertions[0].column = 999,
        |p| p.bus_columns[0][0] = 9999,
        |p| p.main_columns.truncate(3),
        |p| {
            p.gadgets.iter_mut().for_each(|g| {
                if let Gadget::Relu(r) = g {
                    r.0.sign.range.limbs[0] = 999
                }
            })
        },
        |p| {
            p.gadgets.iter_mut().for_each(|g| {
                if let Gadget::Relu(r) = g {
                    r.0.input = zkm_air::TensorId::from_index(9999)
                }
            })
        },
        |p| {
            p.gadgets.iter_mut().for_each(|g| {
                if let Gadget::PublicProduct(q) = g {
                    q.weights = 1 << 30
                }
            })
        },
    ];
    for (k, edit) in edits.iter().enumerate() {
        let mut p = program.clone();
        edit(&mut p);
        let json = Artifact::new(p).to_json();
        let err = Artifact::from_json(&json).expect_err("dangling index accepted");
        assert!(
            err.to_string().contains("not a zkmc artifact"),
            "edit {k}: {err}"
        );
    }
}

/// A product bank whose regions overlap, run past the trace, or whose keys column nothing
/// pins is refused: the verifier would otherwise pin one product's rows to another's keys, or
/// leave `U` to the prover.
#[test]
fn artifact_with_a_broken_product_bank_is_refused() {
    use zkm_air::gadgets::Gadget;
    use zkm_air::program::AssertValue;
    let program = &build("mlp_digits").1.program;
    fn second(p: &mut zkm_air::AirProgram) -> &mut usize {
        let mut products = p.gadgets.iter_mut().filter_map(|g| match g {
            Gadget::PublicProduct(q) => Some(q),
            _ => None,
        });
        &mut products.nth(1).expect("a second public product").x_at
    }
    type Edit = fn(&mut zkm_air::AirProgram);
    let edits: [(Edit, &str); 3] = [
        (|p| *second(p) -= 1, "overlap"),
        (|p| *second(p) = p.trace_len - 1, "outside the trace"),
        (
            |p| {
                p.assertions
                    .retain(|a| !matches!(a.value, AssertValue::ProductKeys(_)))
            },
            "not pinned",
        ),
    ];
    for (edit, why) in edits {
        let mut p = program.clone();
        edit(&mut p);
        let json = Artifact::new(p).to_json();
        let err = Artifact::from_json(&json).expect_err("broken product bank accepted");
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
}

/// A convolution whose recorded shape disagrees with its product check, or whose key
/// computation would be unbounded, is refused before any verifier work.
#[test]
fn artifact_with_an_inconsistent_convolution_is_refused() {
    use zkm_air::gadgets::Gadget;
    let program = &build("cnn_digits").1.program;
    let edits: [fn(&mut zkm_air::gadgets::ConvGeometry); 4] = [
        |g| g.out_channels += 1,
        |g| g.stride = 0,
        |g| g.input = [1 << 40, 1 << 40],
        |g| g.padding = 7,
    ];
    for (k, edit) in edits.iter().enumerate() {
        let mut p = program.clone();
        let convs = p.gadgets.iter_mut().filter_map(|g| match g {
            Gadget::PublicProduct(q) => q.conv.as_mut(),
            _ => None,
        });
        let mut edited = 0;
        for conv in convs {
            edit(&mut conv.geometry);
            edited += 1;
        }
        assert_eq!(edited, 2, "the example has a convolution and a pool");
        let json = Artifact::new(p).to_json();
        let err = Artifact::from_json(&json).expect_err("inconsistent convolution accepted");
        assert!(err.to_string().contains("conv"), "edit {k}: {err}");
    }
}

/// The same for a private kernel's gadget (the CNN with every parameter private).
#[test]
fn artifact_with_an_inconsistent_private_convolution_is_refused() {
    use zkm_air::gadgets::{Gadget, PrivateConv};
    let program = &build_private("cnn_digits").1.program;
    let edits: [fn(&mut PrivateConv); 5] = [
        |c| c.geometry.out_channels += 1 << 20,
        |c| c.geometry.input = [1 << 40, 1 << 40],
        |c| c.geometry.pool = true,
        |c| c.periodic[0][0] = 999,
        |c| c.k_decl.bits = 0,
    ];
    for (k, edit) in edits.iter().enumerate() {
        let mut p = program.clone();
        let mut edited = 0;
        for g in &mut p.gadgets {
            if let Gadget::PrivateConv(c) = g {
                edit(c);
                edited += 1;
            }
        }
        assert_eq!(edited, 1, "the private CNN has one private convolution");
        let json = Artifact::new(p).to_json();
        let err = Artifact::from_json(&json).expect_err("inconsistent convolution accepted");
        assert!(err.to_string().contains("private conv"), "edit {k}: {err}");
    }
}

/// Compiles the example with every `public param` made private.
fn build_private(name: &str) -> (SourceMap, Artifact) {
    let rel = format!("examples/{name}/{name}.zkm");
    let text = std::fs::read_to_string(root().join(&rel)).expect("example source");
    let mut sources = SourceMap::new();
    let file = sources.add(
        format!("{name}_private.zkm"),
        text.replace("public param", "private param"),
    );
    let (artifact, diags) = zkm_compiler::driver::build(&mut sources, file);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    (sources, artifact.expect("artifact"))
}

/// Where a corruption is applied.
enum Cell {
    /// A main column (by exact name) on a row.
    Main(&'static str, usize),
    /// An element of the public vector: the `k`-th value of the named public slot.
    Public(&'static str, usize),
}

/// Adds `delta` to one cell of an honest trace and returns the rendered checker failures.
fn corrupt_in(built: (SourceMap, Artifact), name: &str, cell: Cell, delta: i64) -> String {
    let (sources, artifact) = built;
    let mut trace = honest_trace(name, &artifact);
    let p = &artifact.program;
    let target = match cell {
        Cell::Main(column, row) => {
            let found = p.find_column(column);
            let (col, first) = found.unwrap_or_else(|| panic!("no column {column}"));
            &mut trace.main[col as usize][first + row]
        }
        Cell::Public(slot, k) => {
            let s = p
                .public
                .iter()
                .find(|s| s.name == slot)
                .expect("public slot");
            &mut trace.public[s.offset as usize + k]
        }
    };
    *target += zkm_air::field::felt(delta);
    let failures = check(p, &trace);
    assert!(!failures.is_empty(), "the corruption went unnoticed");
    rendered(&sources, &failures)
}

fn corrupt(name: &str, cell: Cell, delta: i64) -> String {
    corrupt_in(build(name), name, cell, delta)
}

macro_rules! corruption {
    ($test:ident, $example:literal, $cell:expr, $delta:expr) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(corrupt($example, $cell, $delta));
        }
    };
}

corruption!(
    corrupt_product_sum,
    "mlp_digits",
    Cell::Main("affine8.z", 3),
    1
);
corruption!(
    corrupt_product_input,
    "mlp_digits",
    Cell::Main("affine8.x", 9),
    1
);
corruption!(
    corrupt_public_weight,
    "mlp_digits",
    Cell::Public("w1", 130),
    1
);
corruption!(corrupt_public_bias, "mlp_digits", Cell::Public("b2", 5), -1);
corruption!(
    corrupt_rescale_rounding,
    "mlp_digits",
    Cell::Main("rescale_clamp9.y0", 2),
    1
);
corruption!(
    corrupt_clamp_flag,
    "mlp_digits",
    Cell::Main("rescale_clamp9.hi", 4),
    1
);
corruption!(
    corrupt_relu_sign,
    "mlp_digits",
    Cell::Main("relu10.sign", 0),
    1
);
corruption!(
    corrupt_relu_output,
    "mlp_digits",
    Cell::Main("relu10.out", 7),
    3
);
corruption!(
    corrupt_conv_output,
    "cnn_digits",
    Cell::Main("conv2d5.z", 100),
    1
);
corruption!(
    corrupt_conv_bias_row,
    "cnn_digits",
    Cell::Main("conv2d5.x", 65),
    1
);
corruption!(
    corrupt_pool_sum,
    "cnn_digits",
    Cell::Main("avg_pool2d8.z", 5),
    -1
);
corruption!(
    corrupt_argmax_index,
    "linear_digits",
    Cell::Main("argmax6.idx", 0),
    1
);
corruption!(
    corrupt_private_input_range,
    "linear_digits",
    Cell::Main("x", 2),
    1000
);
corruption!(
    corrupt_public_output,
    "linear_digits",
    Cell::Public("class", 0),
    1
);

#[test]
fn private_weights_run_and_corruptions_are_caught() {
    let (_, artifact) = build_private("mlp_digits");
    let trace = honest_trace("mlp_digits", &artifact);
    assert!(check(&artifact.program, &trace).is_empty());
    let (logits, class) = expected_logits("mlp_digits");
    assert_eq!(output(&artifact, &trace, "logits"), logits);
    assert_eq!(output(&artifact, &trace, "class"), vec![class]);
    let weight = corrupt_in(
        build_private("mlp_digits"),
        "mlp_digits",
        Cell::Main("dense7.w0", 0),
        1,
    );
    insta::assert_snapshot!("corrupt_private_weight", weight);
    let key = corrupt_in(
        build_private("mlp_digits"),
        "mlp_digits",
        Cell::Main("dense7.G", 1),
        1,
    );
    insta::assert_snapshot!("corrupt_private_block_flag", key);
}

/// The checker counts failing rows in blocks (on every core); a constraint failing in two
/// blocks is reported once, with its first failing row and every failing row counted.
#[test]
fn failing_rows_are_counted_across_row_blocks() {
    let (_, artifact) = build("lenet_digits");
    let p = &artifact.program;
    let mut trace = honest_trace("lenet_digits", &artifact);
    let (row_col, _) = p.find_column("row").expect("row counter");
    for row in [100, 1500] {
        trace.main[row_col as usize][row] += zkm_air::field::felt(1);
    }
    let failures = check(p, &trace);
    let step: Vec<_> = failures.iter().filter(|f| f.label == "row.step").collect();
    assert_eq!(step.len(), 1, "{failures:?}");
    // Each changed cell breaks the step into it and the step out of it.
    assert_eq!((step[0].row, step[0].count), (99, 4), "{failures:?}");
}

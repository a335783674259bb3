//! Artifacts edited with a recomputed hash (anyone can recompute it): each edit used to crash,
//! loop or over-allocate in `run`, `prove` or `verify`, or made Winterfell panic; now validation
//! refuses it with a message naming what is wrong. The test names say which defect each covers.

use zkm_air::expr::Expr;
use zkm_air::program::{AssertValue, Column};
use zkm_air::{AirProgram, Artifact, ArtifactError};

/// The linear example's program, compiled once per test.
fn program() -> AirProgram {
    zkm_tests::fixtures::build("linear_digits").program
}

/// The program of `source`, compiled as file `name`.
fn compiled(name: &str, source: &str) -> AirProgram {
    let mut sources = zkm_diagnostics::SourceMap::new();
    let file = sources.add(name, source);
    let built = zkm_compiler::driver::build(&mut sources, file).0;
    built.expect("builds").program
}

/// Re-hashes an edited program and reads it back as a user's file would be read.
fn reload(program: AirProgram) -> Result<Artifact, ArtifactError> {
    Artifact::from_json(&Artifact::new(program).to_json())
}

/// Asserts that the edit is refused as malformed, with `expected` in the message.
fn refused(edit: impl FnOnce(&mut AirProgram), expected: &str) {
    let mut p = program();
    edit(&mut p);
    match reload(p) {
        Err(ArtifactError::Malformed(why)) => {
            assert!(why.contains(expected), "`{why}` does not say `{expected}`")
        }
        other => panic!("accepted or refused for another reason: {other:?}"),
    }
}

#[test]
fn the_unedited_program_passes() {
    assert!(reload(program()).is_ok());
}

#[test]
fn unvalidated_globals_row_counter() {
    refused(|p| p.globals.row = 5000, "shared columns");
}

#[test]
fn unvalidated_globals_range_table() {
    refused(
        |p| {
            let t = p.globals.range8.as_mut().expect("range table");
            t.periodic_hi = 400;
        },
        "shared columns",
    );
}

#[test]
fn unvalidated_globals_selector_longer_than_the_trace() {
    refused(|p| p.globals.selectors[0].1 = 1 << 20, "shared columns");
}

#[test]
fn bus_term_reading_an_aux_cell() {
    refused(
        |p| {
            let aux = p.exprs.push(Expr::Aux {
                col: 0,
                next: false,
            });
            p.bus[0].value = aux;
        },
        "bus term",
    );
}

#[test]
fn bus_term_reading_a_random_element() {
    refused(
        |p| {
            let r = p.exprs.push(Expr::Rand(0));
            p.bus[0].mult = r;
        },
        "random element",
    );
}

#[test]
fn main_constraint_reading_a_random_element() {
    refused(
        |p| {
            let c = p
                .constraints
                .iter()
                .position(|c| c.segment == zkm_air::Segment::Main);
            let c = &mut p.constraints[c.expect("main constraint")];
            let r = p.exprs.push(Expr::Rand(1));
            let e = p.exprs.mul(r, c.expr);
            c.expr = e;
        },
        "reads the auxiliary segment or a random element",
    );
}

#[test]
fn public_slot_offset_plus_len_wraps_in_u32() {
    refused(
        |p| p.public[0].offset = u32::MAX - 3,
        "does not fit the public vector",
    );
}

#[test]
fn public_len_of_2_to_the_40() {
    refused(|p| p.public_len = 1 << 40, "public values");
}

#[test]
fn tensor_shape_whose_product_overflows() {
    refused(
        |p| p.tensors[0].shape = vec![usize::MAX, 3],
        "more elements",
    );
}

#[test]
fn declared_type_of_zero_bits() {
    refused(|p| p.decls[0].ty.bits = 0, "0 bits");
}

#[test]
fn million_deep_expression_chain() {
    let start = std::time::Instant::now();
    refused(
        |p| {
            let mut e = p.exprs.push(Expr::Main {
                col: 0,
                next: false,
            });
            for _ in 0..1_000_000 {
                e = p.exprs.push(Expr::Neg(e));
            }
            p.constraints[0].expr = e;
        },
        "deep",
    );
    // Linear walkers: the recursive ones overflowed the stack here.
    assert!(start.elapsed().as_secs() < 60);
}

#[test]
fn forty_deep_dag_of_self_additions() {
    refused(
        |p| {
            let mut e = p.exprs.push(Expr::Main {
                col: 0,
                next: false,
            });
            for _ in 0..40 {
                e = p.exprs.add(e, e);
            }
            p.constraints[0].expr = e;
        },
        "nodes large",
    );
}

#[test]
fn forty_deep_dag_of_self_products_has_a_bounded_degree() {
    // Squaring 40 times: the degree record used to double its list of periodic factors at every
    // level (exponential memory) and its base overflowed.
    let mut arena = zkm_air::expr::ExprArena::default();
    let mut e = arena.push(Expr::Periodic(0));
    let cell = arena.push(Expr::Main {
        col: 0,
        next: false,
    });
    e = arena.mul(e, cell);
    for _ in 0..40 {
        e = arena.mul(e, e);
    }
    let degrees = arena.degrees(256, &[128]);
    let d = &degrees[e as usize];
    assert_eq!(d.base, zkm_air::expr::MAX_BASE);
    assert_eq!(d.cycles.len(), zkm_air::expr::MAX_CYCLES);
}

#[test]
fn winterfell_duplicate_assertions() {
    refused(
        |p| {
            let first = p.assertions[0].clone();
            p.assertions.push(first);
        },
        "pin the same cell",
    );
}

#[test]
fn winterfell_assertion_beside_a_pinned_column() {
    refused(
        |p| {
            let mut keys = p.assertions[0].clone();
            keys.value = AssertValue::ProductKeys(0);
            keys.row = 0;
            p.assertions.push(keys);
        },
        "pin the same cell",
    );
}

#[test]
fn winterfell_no_constraints() {
    refused(|p| p.constraints.clear(), "no main transition constraint");
}

#[test]
fn winterfell_no_assertions() {
    refused(|p| p.assertions.clear(), "no main assertion");
}

#[test]
fn winterfell_no_aux_constraint() {
    refused(
        |p| {
            p.constraints
                .retain(|c| c.segment == zkm_air::Segment::Main)
        },
        "no auxiliary transition constraint",
    );
}

#[test]
fn winterfell_degree_1000() {
    refused(
        |p| {
            let cell = p.exprs.push(Expr::Main {
                col: 0,
                next: false,
            });
            let mut e = cell;
            for _ in 1..1000 {
                e = p.exprs.mul(e, cell);
            }
            let degree = p.exprs.degrees(p.trace_len, &p.periods())[e as usize].clone();
            assert_eq!(degree.base, 1000);
            p.constraints[0].expr = e;
            p.constraints[0].degree = degree;
        },
        "more than the blowup factor",
    );
}

#[test]
fn recorded_degree_that_is_not_the_expression_s() {
    refused(|p| p.constraints[0].degree.base += 1, "records degree");
}

#[test]
fn winterfell_cycle_length_3() {
    refused(|p| p.periodic[0].values.truncate(3), "period 3");
}

#[test]
fn winterfell_more_than_255_columns() {
    refused(
        |p| {
            let spare = Column {
                name: "spare".into(),
                meaning: String::new(),
                loc: Default::default(),
            };
            while p.width() <= 255 {
                p.main_columns.push(spare.clone());
            }
        },
        "at most 255",
    );
}

#[test]
fn default_proof_path_from_a_name_with_dot_dot() {
    refused(|p| p.name = "../../PWNED".into(), "not an identifier");
}

#[test]
fn control_characters_in_names_of_declarations() {
    refused(
        |p| p.decls[0].name = "x\u{1b}[2J".into(),
        "not an identifier",
    );
}

#[test]
fn library_prove_validates_an_artifact_it_did_not_read() {
    // A library caller builds the artifact itself: `Artifact::new` neither reads nor validates.
    let good = zkm_tests::fixtures::build("linear_digits");
    let trace = zkm_tests::fixtures::honest_trace("linear_digits", &good);
    let mut p = good.program.clone();
    p.assertions.clear();
    let bad = Artifact::new(p);
    let err = zkm_runtime::api::prove(&bad, &trace, 100).expect_err("refused");
    assert!(
        matches!(err, zkm_runtime::api::ProveError::Malformed(ref why) if why.contains("assertion")),
        "{err}"
    );
}

#[test]
fn witness_generation_of_an_unvalidated_program_fails_without_panicking() {
    // Validation cannot know every gadget field; a store longer than the trace used to index
    // past the column. Generation now reports the gadget.
    let good = zkm_tests::fixtures::build("linear_digits");
    let mut json: serde_json::Value = serde_json::to_value(&good.program).expect("program as JSON");
    let store = &mut json["gadgets"][0]["Store"];
    assert!(store.is_object(), "the first gadget stores the input");
    store["len"] = 1000.into();
    let p: AirProgram = serde_json::from_value(json).expect("edited program");
    let mut inputs = zkm_air::Inputs::default();
    for d in &p.decls {
        inputs.values.insert(d.name.clone(), vec![0; 1000]);
    }
    let err = zkm_air::witness::generate(&p, &inputs).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("gadget 0 (store)"), "{text}");
}

/// A table function whose entry count or periodic column points nowhere would make the witness
/// slice or clamp out of bounds.
#[test]
fn table_function_entries_outside_their_column() {
    use zkm_air::gadgets::{Gadget, TableFn};
    let source = "model t {\n    input x: fixed<8, 4>[3];\n    output y: fixed<16, 14>[3];\n    y = sigmoid(x);\n}\n";
    let program = compiled("t.zkm", source);
    let edits: [fn(&mut TableFn); 4] = [
        |t| t.len = 0,
        |t| t.len = 1 << 20,
        |t| t.ty = 999,
        |t| t.function = 200,
    ];
    for (k, edit) in edits.iter().enumerate() {
        let mut p = program.clone();
        for g in &mut p.gadgets {
            if let Gadget::TableFn(t) = g {
                edit(t);
            }
        }
        match reload(p) {
            Err(ArtifactError::Malformed(why)) => assert!(why.contains("table"), "edit {k}: {why}"),
            other => panic!("edit {k} accepted or refused for another reason: {other:?}"),
        }
    }
}

/// A max pool whose shape makes the witness allocate past the trace, or a division whose shift
/// overflows the witness's arithmetic.
#[test]
fn max_pool_shapes_and_division_shifts_out_of_bounds() {
    use zkm_air::gadgets::Gadget;
    let source = "model t {\n    input x: fixed<8, 4>[1, 4, 4];\n    input z: fixed<8, 4>[3];\n    output y: fixed<8, 4>[1, 2, 2];\n    output p: fixed<16, 14>[3];\n    y = max_pool2d(x, 2);\n    p = softmax(z);\n}\n";
    let program = compiled("t.zkm", source);
    let edits: [fn(&mut Gadget) -> bool; 4] = [
        |g| match g {
            Gadget::MaxPool(m) => {
                m.geometry.input = [1 << 40, 1 << 40];
                true
            }
            _ => false,
        },
        |g| match g {
            Gadget::MaxPool(m) => {
                m.geometry.pool = false;
                true
            }
            _ => false,
        },
        |g| match g {
            Gadget::MaxPool(m) => {
                m.idx = 999;
                true
            }
            _ => false,
        },
        |g| match g {
            Gadget::DivScalar(d) => {
                d.shift = 200;
                true
            }
            _ => false,
        },
    ];
    for (k, edit) in edits.iter().enumerate() {
        let mut p = program.clone();
        let edited = p.gadgets.iter_mut().map(edit).filter(|&e| e).count();
        assert!(edited >= 1, "edit {k} found no gadget");
        match reload(p) {
            Err(ArtifactError::Malformed(why)) => {
                assert!(
                    why.contains("max pool") || why.contains("divide"),
                    "edit {k}: {why}"
                )
            }
            other => panic!("edit {k} accepted or refused for another reason: {other:?}"),
        }
    }
}

/// A private convolution's gather lanes are its `XV` columns: a count that is not a power of two,
/// above the most the layout takes, or without one periodic pair per lane would make the witness
/// and the verifier index past the layout.
#[test]
fn private_conv_gather_lanes_out_of_shape() {
    use zkm_air::gadgets::{Gadget, PrivateConv};
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/programs/conv2d_private.zkm"
    ))
    .expect("the test program");
    let program = compiled("conv2d_private.zkm", &source);
    type Edit = fn(&mut PrivateConv);
    let edits: [(Edit, &str); 3] = [
        (
            |pc| {
                pc.xv.push(pc.xv[0]);
                pc.periodic.push(pc.periodic[0]);
            },
            "a power of two",
        ),
        (
            |pc| {
                pc.xv = vec![pc.xv[0]; 32];
                pc.periodic = vec![pc.periodic[0]; 32];
            },
            "a power of two up to 16",
        ),
        (
            |pc| {
                let more = pc.xv.clone();
                pc.xv.extend(more);
            },
            "gather columns",
        ),
    ];
    for (k, (edit, expected)) in edits.iter().enumerate() {
        let mut p = program.clone();
        let mut edited = 0;
        for g in &mut p.gadgets {
            if let Gadget::PrivateConv(pc) = g {
                edit(pc);
                edited += 1;
            }
        }
        assert_eq!(edited, 1, "edit {k}");
        match reload(p) {
            Err(ArtifactError::Malformed(why)) => {
                assert!(why.contains(expected), "edit {k}: `{why}`")
            }
            other => panic!("edit {k} accepted or refused for another reason: {other:?}"),
        }
    }
}

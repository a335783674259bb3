//! The product checks' soundness: a wrong matrix product, convolution or pool sum — with its
//! consumer adjusted so that the bus balances, or with a private kernel's values swapped so that
//! every range lookup does too — is caught by the product's own random combination alone, and a
//! proof forced past the checker is rejected. Also the max pool's choice of the maximum.
//!
//! Run with `--release` (proof tier).

mod common;

use common::*;

/// The column holding the first matrix product's result: the accumulator `dense*.A` of a
/// lane-wise dot product, or the claimed product `affine*.z` of a random-combination check.
fn matmul_column(artifact: &Artifact) -> (usize, String) {
    let cols = &artifact.program.main_columns;
    let patterns = [
        ("dense", ".A"),
        ("affine", ".z"),
        ("product", ".z"),
        ("matmul", ".z"),
    ];
    let found = patterns.iter().find_map(|(prefix, suffix)| {
        let i = cols
            .iter()
            .position(|c| c.name.starts_with(prefix) && c.name.ends_with(suffix))?;
        Some((i, cols[i].name.clone()))
    });
    found.unwrap_or_else(|| {
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        panic!("no matrix product column among {names:?}")
    })
}

#[test]
fn dishonest_matmul_sum_is_rejected() {
    let ex = example("mlp_digits");
    let (col, name) = matmul_column(&ex.artifact);
    let mut trace = ex.trace.clone();
    trace.main[col][3] += felt(1);
    check_fails(ex, &trace, gadget_of(&name));
    forced_proof_is_rejected(ex, &trace);
}

/// A wrong product whose consumer is changed to match, so that the bus balances and only the
/// product's own random-combination check can catch it: `z[r] + 1`, `z[s] − 1` and the
/// consumer's input likewise, on two rows whose consumer remainders (looked up directly, an
/// affine function of the input) differ by one, so that the two remainders swap and every range
/// lookup keeps its multiplicity. The rows are found by trying pairs on the checker.
#[test]
fn dishonest_matmul_sum_with_consistent_consumer_is_rejected() {
    let ex = example("mlp_digits");
    let (z, name) = matmul_column(&ex.artifact);
    // The product's consumer: the first rescale, possibly stacked (its rows start at `first`).
    let (consumer, _, first) = column(&ex.artifact, "rescale", ".in");
    consistent_consumer_tamper(ex, (z, &name), (consumer, first));
}

/// The same attack on the convolution and on the average pool of the CNN example: each is
/// checked by its own random combination over the convolution's (or pool's) linear map.
#[test]
fn dishonest_conv_and_pool_sums_with_consistent_consumers_are_rejected() {
    let ex = example("cnn_digits");
    for (product, consumer) in [("conv2d", "rescale_clamp"), ("avg_pool2d", "rescale9")] {
        let (z, name, _) = column(&ex.artifact, product, ".z");
        let (consumer, _, first) = column(&ex.artifact, consumer, ".in");
        consistent_consumer_tamper(ex, (z, &name), (consumer, first));
    }
}

/// A private kernel: two kernel values swapped with the outputs kept are caught by the in-trace
/// random combination alone (every value stays in range), and so is a wrong output whose
/// consumer is adjusted to match; each forced proof is rejected. The example's proof verifies.
#[test]
fn dishonest_private_kernel_convolutions_are_rejected() {
    let ex = example("cnn_digits_private_kernel");
    let statement = verify(&ex.artifact, &ex.file, &ex.params).expect("the honest proof verifies");
    assert_eq!(statement.model, "cnn_digits");
    let (k, name, _) = column(&ex.artifact, "conv2d", ".k");
    let gadget = gadget_of(&name).to_owned();
    let value = |r: usize| zkm_air::field::signed(ex.trace.main[k][r]);
    // Rows 0..CO of block 0 hold K[co][0]: swapping two different values keeps every range
    // lookup's multiplicity, so only the product check can see it.
    let (r, s) = (0..8)
        .flat_map(|r| (0..8).map(move |s| (r, s)))
        .find(|&(r, s)| value(r) != value(s))
        .expect("two different kernel values");
    let mut trace = ex.trace.clone();
    trace.main[k].swap(r, s);
    let failures = check_fails(ex, &trace, &gadget);
    assert!(
        failures.iter().all(|f| f.label.starts_with(&gadget)),
        "{:?}",
        failures.iter().map(|f| &f.label).collect::<Vec<_>>()
    );
    forced_proof_is_rejected(ex, &trace);
    let (z, zname, _) = column(&ex.artifact, "conv2d", ".z");
    let (consumer, _, first) = column(&ex.artifact, "rescale_clamp", ".in");
    consistent_consumer_tamper(ex, (z, &zname), (consumer, first));
}

/// Private weights: two weights of a lane swapped (every range lookup keeps its multiplicity)
/// and an `X` changed inside a block (the product sums `PW·S·X` row by row, so every row of the
/// block must hold the block's input) are each caught by the private product's own constraints
/// alone, and each forced proof is rejected.
#[test]
fn dishonest_private_weight_products_are_rejected() {
    let ex = example("mlp_digits_private_weights");
    verify(&ex.artifact, &ex.file, &ex.params).expect("the honest proof verifies");
    let (lane, name, _) = column(&ex.artifact, "dense", ".w0");
    let gadget = gadget_of(&name).to_owned();
    let only_the_product = |failures: &[zkm_air::check::Failure]| {
        let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
        assert!(labels.iter().all(|l| l.starts_with(&gadget)), "{labels:?}");
    };
    let (x, _, _) = column(&ex.artifact, &gadget, ".x");
    let (g, _, _) = column(&ex.artifact, &gadget, ".G");
    let main = &ex.trace.main;
    // Two different weights of one block (one input x_j, not 0: a weight times 0 changes no
    // output, and such a swap is no lie).
    let (r, s) = (0..190)
        .map(|r| (r, r + 1))
        .find(|&(r, s)| {
            main[g][r] == felt(0) && main[x][r] != felt(0) && main[lane][r] != main[lane][s]
        })
        .expect("two different weights in one block");
    let mut trace = ex.trace.clone();
    trace.main[lane].swap(r, s);
    only_the_product(&check_fails(ex, &trace, &gadget));
    forced_proof_is_rejected(ex, &trace);
    // Row 0 is not the last row of block 0 (the first layer's blocks have several rows).
    assert_eq!(main[g][0], felt(0), "block 0 has more than one row");
    let mut trace = ex.trace.clone();
    trace.main[x][0] += felt(1);
    let failures = check_fails(ex, &trace, &gadget);
    only_the_product(&failures);
    assert!(failures
        .iter()
        .any(|f| f.label == format!("{gadget}.x_in_block")));
    forced_proof_is_rejected(ex, &trace);
}

/// Moves one unit between two outputs of product column `z` (named `name`) and between the
/// matching inputs of its consumer (`consumer`, rows from `first`), then forces a proof.
fn consistent_consumer_tamper(
    ex: &Example,
    (z, name): (usize, &str),
    (consumer, first): (usize, usize),
) {
    let gadget = gadget_of(name).to_owned();
    let tamper = |r: usize, s: usize, d: i64| {
        let mut trace = ex.trace.clone();
        let (cr, cs) = (first + r, first + s);
        for (col, row, delta) in [(z, r, d), (z, s, -d), (consumer, cr, d), (consumer, cs, -d)] {
            trace.main[col][row] += felt(delta);
        }
        trace
    };
    let only_the_product_fails = |t: &Trace| {
        let failures = check(&ex.artifact.program, t);
        !failures.is_empty() && failures.iter().all(|f| f.label.starts_with(&gadget))
    };
    // Remainders that differ by `d` (a power of two below the rescale's divisor) need outputs
    // that differ by an odd multiple of `d`: only such pairs are worth a run of the checker.
    let value = |r: usize| zkm_air::field::signed(ex.trace.main[z][r]);
    let fits =
        |r: usize, s: usize, d: i64| (value(s) - value(r)).rem_euclid(2 * d as i128) == d as i128;
    let outputs = product_outputs(ex, z).min(256);
    let found = [1, 2, 4].into_iter().find_map(|d| {
        (0..outputs)
            .flat_map(|r| (0..outputs).map(move |s| (r, s)))
            .filter(|&(r, s)| fits(r, s, d))
            .find(|&(r, s)| only_the_product_fails(&tamper(r, s, d)))
            .map(|(r, s)| (r, s, d))
    });
    let (r, s, d) = found.unwrap_or_else(|| panic!("{name}: no two rows to swap remainders"));
    let trace = tamper(r, s, d);
    let failures = check_fails(ex, &trace, &gadget);
    let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
    eprintln!("{name}[{r}] + {d}, {name}[{s}] - {d}, consumer adjusted: {labels:?}");
    forced_proof_is_rejected(ex, &trace);
}

/// The number of outputs of the product check whose claimed-output column is `z`.
fn product_outputs(ex: &Example, z: usize) -> usize {
    use zkm_air::gadgets::Gadget;
    let found = ex.artifact.program.gadgets.iter().find_map(|g| match g {
        Gadget::PublicProduct(p) if p.z_col as usize == z => Some(p.m),
        Gadget::PrivateConv(c) if c.main[3] as usize == z => Some(c.geometry.output_len()),
        _ => None,
    });
    found.expect("a product check owns the column")
}

/// A max pool that claims the second-largest element of a window (its `max` column and the
/// output's consumer changed to match, the choice moved to that element's row): the gap to the
/// true maximum is negative, so its range lookup fails, and the forced proof is rejected.
#[test]
fn a_max_pool_claiming_a_smaller_element_is_rejected() {
    let ex = Example::program("max_pool");
    verify(&ex.artifact, &ex.file, &ex.params).expect("the honest proof verifies");
    let (xv, name, first) = column(&ex.artifact, "max_pool2d", ".xv");
    let (m, _, _) = column(&ex.artifact, "max_pool2d", ".max");
    let (choice, _, _) = column(&ex.artifact, "max_pool2d", ".S");
    let (above, _, _) = column(&ex.artifact, "max_pool2d", ".CS");
    let (consumer, _, out_first) = column(&ex.artifact, "out.y", "");
    let value = |c: usize, r: usize| zkm_air::field::signed(ex.trace.main[c][r]);
    // Window 0 is rows first..first + 4; pick its smallest element as the claimed maximum.
    let rows = first..first + 4;
    let low = rows.clone().min_by_key(|&r| value(xv, r)).expect("rows");
    let claimed = value(xv, low);
    assert!(
        claimed < value(m, first),
        "the window has two different values"
    );
    let mut trace = ex.trace.clone();
    for r in rows.clone() {
        trace.main[m][r] = felt(claimed as i64);
        trace.main[choice][r] = felt((r == low) as i64);
        trace.main[above][r] = felt((r > low) as i64);
    }
    trace.main[consumer][out_first] = felt(claimed as i64);
    let failures = check_fails(&ex, &trace, gadget_of(&name));
    let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
    assert!(labels.iter().any(|l| l.contains(".gap")), "{labels:?}");
    forced_proof_is_rejected(&ex, &trace);
}

/// A table function whose output is changed (and its consumer with it): the pair is no longer a
/// table entry, the lookup fails, and the forced proof is rejected.
#[test]
fn a_table_output_that_is_not_an_entry_is_rejected() {
    let ex = Example::program("table_fns");
    verify(&ex.artifact, &ex.file, &ex.params).expect("the honest proof verifies");
    let (out, name, first) = column(&ex.artifact, "sigmoid", ".out");
    let (consumer, _, out_first) = column(&ex.artifact, "out.s", "");
    let mut trace = ex.trace.clone();
    trace.main[out][first + 1] += felt(1);
    trace.main[consumer][out_first + 1] += felt(1);
    let failures = check_fails(&ex, &trace, gadget_of(&name));
    let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
    assert!(labels.iter().any(|l| l.contains("table")), "{labels:?}");
    forced_proof_is_rejected(&ex, &trace);
}

/// A softmax whose division is off by one in one quotient (its consumer changed to match): the
/// division constraint fails, and the forced proof is rejected.
#[test]
fn a_softmax_quotient_off_by_one_is_rejected() {
    let ex = Example::program("softmax");
    verify(&ex.artifact, &ex.file, &ex.params).expect("the honest proof verifies");
    let (y, name, first) = column(&ex.artifact, "div", ".y");
    let (consumer, _, out_first) = column(&ex.artifact, "out.p", "");
    let mut trace = ex.trace.clone();
    trace.main[y][first] += felt(1);
    trace.main[consumer][out_first] += felt(1);
    let failures = check_fails(&ex, &trace, gadget_of(&name));
    let labels: Vec<&String> = failures.iter().map(|f| &f.label).collect();
    assert!(
        labels.iter().any(|l| l.ends_with(".division")),
        "{labels:?}"
    );
    forced_proof_is_rejected(&ex, &trace);
}

/// Product banks: the public products of `mlp_digits` share one `X` column, each on its own
/// region. One unit added on the last row of a region or on the first row of the next is caught
/// as the owner's fault only (its read of `x`, its sum), never its neighbour's, whose gate keeps
/// the shared rows out of its sum; each forced proof is rejected.
#[test]
fn corrupted_rows_at_a_product_bank_boundary_are_the_owners_fault() {
    let ex = example("mlp_digits");
    let p = &ex.artifact.program;
    let bank =
        |a: &&zkm_air::program::ColumnAlias| p.main_columns[a.column as usize].name == "products.x";
    let mut regions: Vec<_> = p.aliases.iter().filter(bank).collect();
    regions.sort_by_key(|a| a.first_row);
    assert!(regions.len() >= 3, "three products share the bank");
    for pair in regions.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert_eq!(a.first_row + a.rows, b.first_row, "regions are packed");
        let last_of_a = (a, b, (a.first_row + a.rows - 1) as usize);
        let first_of_b = (b, a, b.first_row as usize);
        for (owner, neighbour, row) in [last_of_a, first_of_b] {
            let mut trace = ex.trace.clone();
            trace.main[owner.column as usize][row] += felt(1);
            let failures = check_fails(ex, &trace, gadget_of(&owner.name));
            let theirs = gadget_of(&neighbour.name);
            let blamed: Vec<&str> = failures.iter().map(|f| f.label.as_str()).collect();
            assert!(
                blamed.iter().all(|l| !l.starts_with(theirs)),
                "row {row} of {}: {theirs} is blamed too: {blamed:?}",
                owner.name
            );
            forced_proof_is_rejected(ex, &trace);
        }
    }
}

//! Stacked layouts (`compiler/zkm-air/src/stack.rs`, `shared_bus.rs`): gadgets sharing a main
//! column each own their rows, and a LogUp helper column shared by several shelves carries each
//! shelf's fractions on that shelf's rows and nothing elsewhere. The dishonest cases edit rows
//! where two gadgets meet, and shared helper columns, and the checker (which evaluates the
//! constraints the verifier checks) must catch every one.

use zkm_air::check::{aux_failures, check, Failure};
use zkm_air::field::{Ext, Felt, FieldElement};
use zkm_air::{AirProgram, Trace};
use zkm_tests::fixtures::{build, honest_trace};

fn labels(failures: &[Failure]) -> Vec<&str> {
    failures.iter().map(|f| f.label.as_str()).collect()
}

fn gadget(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[test]
fn mlp_digits_is_stacked() {
    let p = &build("mlp_digits").program;
    let shared = p
        .aliases
        .iter()
        .map(|a| a.column)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(
        shared.len() * 2 <= p.aliases.len(),
        "{} aliases on {} shared columns",
        p.aliases.len(),
        shared.len()
    );
    assert!(p.constraints.iter().any(|c| c.label.ends_with(".outside")));
}

#[test]
fn a_cell_where_two_gadgets_meet_is_caught_by_its_owner_only() {
    let artifact = build("mlp_digits");
    let p = &artifact.program;
    let honest = honest_trace("mlp_digits", &artifact);
    let meeting = zkm_tests::fixtures::meeting_regions(p);
    let (col, end, lower, upper) = meeting.expect("two stacked regions meeting in one column");
    for (row, owner, other) in [(end - 1, &lower, &upper), (end, &upper, &lower)] {
        let mut t = honest.clone();
        t.main[col][row] += Felt::new(1);
        let failures = check(p, &t);
        let seen = labels(&failures);
        assert!(
            seen.iter().any(|l| l.starts_with(gadget(owner))),
            "row {row} of `{owner}` changed; failures: {seen:?}"
        );
        let others = seen
            .iter()
            .filter(|l| l.starts_with(&format!("{}.", gadget(other))));
        assert_eq!(
            others.count(),
            0,
            "`{other}` blamed for row {row}: {seen:?}"
        );
    }
}

/// The honest auxiliary segment for fixed random elements.
fn honest_aux(p: &AirProgram, t: &Trace) -> (Vec<Vec<Ext>>, Vec<Ext>) {
    let e = |a: u64, b: u64| Ext::new(Felt::new(a), Felt::new(b));
    let rand = vec![e(0x1234_5678, 99), e(0x9abc_def0, 7), e(0x0fed_cba9, 3)];
    let aux = zkm_air::aux::build(p, &t.main, &t.public, &rand);
    (aux, rand)
}

/// Recomputes the running sum from the helper columns, as a prover editing helpers would.
fn resum(p: &AirProgram, aux: &mut [Vec<Ext>]) {
    let (first, count) = (p.globals.bus_first as usize, p.bus_columns.len());
    let sum = p.globals.running_sum as usize;
    for row in 0..p.last_row() {
        let step = (first..first + count).fold(Ext::ZERO, |acc, c| acc + aux[c][row]);
        aux[sum][row + 1] = aux[sum][row] + step;
    }
}

/// A shared helper column (it has a `.outside` constraint) and the first row of each of its
/// terms' regions.
fn shared_helper(p: &AirProgram) -> (usize, Vec<usize>) {
    let first = p.globals.bus_first as usize;
    let (k, terms) = p
        .bus_columns
        .iter()
        .enumerate()
        .find(|(k, _)| {
            let name = format!("bus{}.outside", first + k);
            p.constraints.iter().any(|c| c.label == name)
        })
        .expect("a shared helper column");
    let mut starts: Vec<usize> = terms
        .iter()
        .map(|&t| p.placements[p.bus[t as usize].gadget as usize] as usize)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    (first + k, starts)
}

/// Rows below the dead row that no stacked region reaches.
fn beyond_regions(p: &AirProgram) -> Vec<usize> {
    let end = p
        .aliases
        .iter()
        .map(|a| (a.first_row + a.rows) as usize)
        .max();
    (end.unwrap_or(0)..p.last_row()).collect()
}

#[test]
fn shared_helper_outside_its_regions_is_caught() {
    let artifact = build("mlp_digits");
    let p = &artifact.program;
    let t = honest_trace("mlp_digits", &artifact);
    let (col, _) = shared_helper(p);
    let outside = beyond_regions(p);
    assert!(outside.len() >= 2, "no rows outside the stacked regions");
    // Two rows no slot covers.
    moved_value_is_caught(&artifact, &t, col, (outside[0], outside[1]), "outside");
}

#[test]
fn shared_helper_moved_between_shelves_is_caught() {
    let artifact = build("mlp_digits");
    let p = &artifact.program;
    let t = honest_trace("mlp_digits", &artifact);
    let (col, starts) = shared_helper(p);
    assert!(
        starts.len() >= 2,
        "the shared column serves one shelf: {starts:?}"
    );
    let rows = (starts[0], starts[starts.len() - 1]);
    moved_value_is_caught(&artifact, &t, col, rows, "fractions");
}

/// Adds δ to helper `col` on one row and takes it from another (the total, and so the final sum,
/// is unchanged; the running sum is recomputed): constraint `bus<col>.<which>` must fail.
fn moved_value_is_caught(
    artifact: &zkm_air::Artifact,
    t: &Trace,
    col: usize,
    (a, b): (usize, usize),
    which: &str,
) {
    let p = &artifact.program;
    let (mut aux, rand) = honest_aux(p, t);
    assert!(
        aux_failures(p, t, &aux, &rand).is_empty(),
        "honest aux fails"
    );
    let delta = Ext::new(Felt::new(5), Felt::new(1));
    aux[col][a] += delta;
    aux[col][b] -= delta;
    resum(p, &mut aux);
    let failures = aux_failures(p, t, &aux, &rand);
    let name = format!("bus{col}.{which}");
    assert!(
        labels(&failures).contains(&name.as_str()),
        "rows {a} and {b}: {:?}",
        labels(&failures)
    );
}

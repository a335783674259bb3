//! Zero-knowledge (`spec/zk.md`): what a proof reveals about private values, attacked the way a
//! verifier could. A model with a private 40-bit input `x` and the public output `|x|` has two
//! witnesses with one statement, `x` and `−x`. For every proof the tests replay the transcript
//! (query positions, the out-of-domain point `z`) and check:
//! - the rank test: the revealed functionals of a column, restricted to its random rows, have
//!   full rank (`q_u + 4` for base-field columns: the opened positions plus both coordinates of
//!   `z` and `g·z`; `q_u + 2` over the extension for auxiliary columns);
//! - the linear distinguisher: the opened and out-of-domain values of every column on which the
//!   witnesses differ are consistent with both witnesses;
//! - the guess confirmation: the main-trace root recomputed from the true witness never matches.
//!
//! Negative controls show the attacks work: with zero-knowledge off, and with too few random
//! rows (which the verifier also refuses), the distinguisher identifies the witness, and
//! without zero-knowledge the recomputed root matches.

mod common;
#[path = "zk/mask.rs"]
mod mask;
#[path = "zk/view.rs"]
mod view;

use common::*;
use view::*;

const SOURCE: &str = "model zk_leak {
    input x: int<40>[16];
    output y: int<41>[16];
    y = abs(x);
}
";

/// The model with `random_rows` random rows (`None`: the compiler's rule).
fn artifact(random_rows: Option<u32>) -> Artifact {
    let mut sources = SourceMap::new();
    let file = sources.add("zk_leak.zkm".to_string(), SOURCE.to_string());
    let (artifact, diags) =
        zkm_compiler::driver::build_with_random_rows(&mut sources, file, random_rows);
    assert!(diags.is_empty(), "{}", render::render(&sources, &diags));
    artifact.expect("artifact")
}

/// Sixteen random 40-bit values, and their negations.
fn witnesses(seed: u64) -> (Vec<i64>, Vec<i64>) {
    let mut rng = Lcg(seed);
    let x: Vec<i64> = (0..16)
        .map(|_| {
            (rng.next() % (1 << 39)) as i64 * if rng.next().is_multiple_of(2) { 1 } else { -1 }
        })
        .collect();
    let neg = x.iter().map(|v| -v).collect();
    (x, neg)
}

fn trace_of(a: &Artifact, x: &[i64]) -> Trace {
    let input = serde_json::json!({ "x": x }).to_string();
    let loaded = zkm_runtime::load(&a.program, &input, "{}").expect("input loads");
    zkm_air::witness::generate(&a.program, &loaded.inputs).expect("witness")
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
}

/// Proves `x` with `config`, then returns the proof file and the attacker's view of it.
fn prove_view(a: &Artifact, trace: &Trace, config: &api::ProveConfig) -> (ProofFile, View) {
    let file = api::prove_with(a, trace, config).expect("proof").file;
    let view = View::replay(a, &file);
    (file, view)
}

#[test]
fn every_proof_hides_which_witness_was_used() {
    let a = artifact(None);
    assert_eq!(a.program.random_rows(), 45);
    for seed in 0..4 {
        let (x, neg) = witnesses(seed);
        let (ta, tb) = (trace_of(&a, &x), trace_of(&a, &neg));
        assert_eq!(ta.public, tb.public, "one statement for both witnesses");
        let config = api::ProveConfig::new(BITS);
        let (file, view) = prove_view(&a, &ta, &config);
        verify(&a, &file, &[]).expect("verifies");
        let q = view.positions.len();
        assert_eq!(view.base_rank(&a), q + 4, "base-field rank, proof {seed}");
        assert_eq!(view.ext_rank(&a), q + 2, "extension rank, proof {seed}");
        let differing = differing_columns(&a, &ta, &tb);
        assert!(differing.len() >= 3, "{differing:?}");
        for &c in &differing {
            assert!(
                view.consistent(&a, c, &ta.main[c]),
                "true witness, column {c}"
            );
            assert!(
                view.consistent(&a, c, &tb.main[c]),
                "other witness, column {c}"
            );
        }
        assert_ne!(view.main_root, recomputed_root(&a, &ta), "guess confirmed");
    }
}

#[test]
fn without_zero_knowledge_both_attacks_succeed() {
    let a = artifact(Some(0));
    assert!(!a.program.is_zero_knowledge());
    let (x, neg) = witnesses(11);
    let (ta, tb) = (trace_of(&a, &x), trace_of(&a, &neg));
    let (file, view) = prove_view(&a, &ta, &api::ProveConfig::new(BITS));
    verify(&a, &file, &[]).expect("a proof without zero-knowledge still verifies");
    let differing = differing_columns(&a, &ta, &tb);
    for &c in &differing {
        assert!(
            view.consistent(&a, c, &ta.main[c]),
            "true witness, column {c}"
        );
        assert!(
            !view.consistent(&a, c, &tb.main[c]),
            "column {c} hides the witness"
        );
    }
    assert_eq!(
        view.main_root,
        recomputed_root(&a, &ta),
        "guess not confirmed"
    );
}

#[test]
fn too_few_random_rows_leak_and_are_refused() {
    let a = artifact(Some(8));
    let (x, neg) = witnesses(12);
    let (ta, tb) = (trace_of(&a, &x), trace_of(&a, &neg));
    let (file, view) = prove_view(&a, &ta, &api::ProveConfig::new(BITS).seeded(3));
    assert!(view.base_rank(&a) < view.positions.len() + 4);
    let identified = differing_columns(&a, &ta, &tb)
        .into_iter()
        .filter(|&c| view.consistent(&a, c, &ta.main[c]) && !view.consistent(&a, c, &tb.main[c]))
        .count();
    assert!(identified > 0, "8 random rows hid the witness");
    let err = verify(&a, &file, &[]).expect_err("too few random rows");
    assert!(
        matches!(
            err,
            VerifyError::TooFewRandomRows {
                expected: 8,
                needed: 33
            }
        ),
        "{err}"
    );
}

/// The replay is right: a seeded proof's out-of-domain values are the seeded random trace's
/// polynomials at the replayed `z` (and the openings verify at the replayed positions, checked
/// inside `View::replay`).
#[test]
fn the_replayed_transcript_is_the_proofs() {
    let a = artifact(None);
    let (x, _) = witnesses(5);
    let t = trace_of(&a, &x);
    let (_, view) = prove_view(&a, &t, &api::ProveConfig::new(BITS).seeded(9));
    let rng = stark::ZkRng::new(stark::Randomness::Seed(9)).expect("seeded");
    let mut main = t.main.clone();
    stark::zk::randomize_main(&a.program, &mut main, &rng);
    for (c, col) in main.iter().enumerate() {
        assert_eq!(evaluate(col, view.z), view.ood_main[c], "column {c} at z");
    }
}

/// The quotient mask (`zk/mask.rs`): the prover's `B = zk.gate`, reproduced from the seed and
/// checked against the proof's out-of-domain value, gives the `A`-map the rank the design
/// states, in every proof.
#[test]
fn the_quotient_mask_has_the_designed_rank() {
    let a = artifact(None);
    let p = &a.program;
    let (n, zk) = (p.trace_len, p.zk.clone().expect("zero-knowledge"));
    for seed in 30..33 {
        let (x, _) = witnesses(seed);
        let t = trace_of(&a, &x);
        let config = api::ProveConfig::new(BITS).seeded(seed);
        let (_, view) = prove_view(&a, &t, &config);
        // The prover's draws in order: main random rows, one salt per main-tree leaf, then the
        // auxiliary random rows and masks.
        let rng = stark::ZkRng::new(stark::Randomness::Seed(seed)).expect("seeded");
        let mut main = t.main.clone();
        stark::zk::randomize_main(p, &mut main, &rng);
        for _ in 0..8 * n {
            rng.salt();
        }
        let zero = <zkm_air::field::Ext as winterfell::math::FieldElement>::ZERO;
        let mut aux = vec![vec![zero; n]; p.aux_columns.len()];
        stark::zk::randomize_aux(p, &mut aux, &rng);
        let b = &aux[zk.gate as usize];
        let gate_at_z = evaluate_ext(b, view.z);
        assert_eq!(gate_at_z, view.ood_aux[zk.gate as usize], "B reproduced");
        let (r, pairs) = mask::a_map_rank(&view, b, p.last_row(), 3);
        let q = view.positions.len();
        assert_eq!(r, 4 * (q + 2) - 1 - pairs, "proof {seed}: {pairs} pairs");
    }
}

fn evaluate_ext(values: &[zkm_air::field::Ext], x: zkm_air::field::Ext) -> zkm_air::field::Ext {
    let l = view::lagrange(values.len(), x);
    l.iter()
        .zip(values)
        .fold(Default::default(), |acc, (l, v)| acc + *l * *v)
}

/// A 40-bit private value is a 64-bit field element once negative; no private value's canonical
/// encoding occurs in the STARK proof, nor a negative one anywhere in the file (a positive `x`
/// is its own public `|x|`, which the file's statement carries by design).
#[test]
fn private_values_never_appear_in_proof_bytes() {
    let a = artifact(None);
    for seed in 20..24 {
        let (x, _) = witnesses(seed);
        let file = api::prove(&a, &trace_of(&a, &x), BITS).expect("proof").file;
        let (stark_bytes, file_bytes) = (file.proof.to_bytes(), file.to_bytes());
        for v in &x {
            let needle = felt(*v).as_int().to_le_bytes();
            let occurs = |bytes: &[u8]| bytes.windows(8).any(|w| w == needle);
            assert!(!occurs(&stark_bytes), "{v} occurs in the STARK proof");
            assert!(
                *v > 0 || !occurs(&file_bytes),
                "{v} occurs in the proof file"
            );
        }
    }
}

/// Main columns on whose computation rows the two traces differ.
fn differing_columns(a: &Artifact, ta: &Trace, tb: &Trace) -> Vec<usize> {
    let rows = a.program.last_row() + 1;
    (0..ta.main.len())
        .filter(|&c| ta.main[c][..rows] != tb.main[c][..rows])
        .collect()
}

/// The salt counts of the FRI layers' openings in serialized FRI-proof bytes, and the byte offset
/// of each count.
fn fri_salt_counts(fri: &[u8]) -> Vec<(usize, u32)> {
    let word = |at: usize| u32::from_le_bytes(fri[at..at + 4].try_into().expect("4 bytes"));
    let (mut at, mut out) = (1, Vec::new());
    for _ in 0..fri[0] {
        at += 4 + word(at) as usize;
        let paths = word(at) as usize;
        out.push((at + 4, word(at + 4)));
        at += 4 + paths;
    }
    out
}

/// Trace and composition trees are salted, FRI layers not (`spec/zk.md` §3.4), and the verifier
/// holds proofs to exactly that: a salt added to a FRI opening is refused.
#[test]
fn fri_layers_are_unsalted_and_must_stay_so() {
    let ex = example("cnn_digits");
    assert!(ex.artifact.program.is_zero_knowledge());
    let (a, file, params) = (&ex.artifact, &ex.file, &ex.params);
    let fri = winter_utils::Serializable::to_bytes(&file.proof.fri_proof);
    let counts = fri_salt_counts(&fri);
    assert!(!counts.is_empty(), "the proof has FRI layers");
    assert!(counts.iter().all(|&(_, c)| c == 0), "{counts:?}");
    // One 16-byte salt slipped into the first FRI opening (count 1, paths 16 bytes longer).
    let (at, _) = counts[0];
    let mut forged = fri[..at].to_vec();
    forged.extend_from_slice(&1u32.to_le_bytes());
    forged.extend_from_slice(&[7u8; 16]);
    forged.extend_from_slice(&fri[at + 4..]);
    let len_at = at - 4;
    let paths = u32::from_le_bytes(fri[len_at..at].try_into().expect("4 bytes")) + 16;
    forged[len_at..at].copy_from_slice(&paths.to_le_bytes());
    let mut bad = file.clone();
    bad.proof.fri_proof = winter_utils::Deserializable::read_from_bytes(&forged).expect("parses");
    let err = zkm_verifier::verify(a, &bad.to_bytes(), params, BITS).expect_err("refused");
    assert!(
        format!("{err:?}").contains("FRI opening with 1 salts"),
        "{err:?}"
    );
    assert!(zkm_verifier::verify(a, &file.to_bytes(), params, BITS).is_ok());
}

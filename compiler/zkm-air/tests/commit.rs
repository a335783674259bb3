//! The commitment gadget on hand-built programs: private stores of random tensors and one
//! `Commit` of them. An honest trace satisfies the checker and its public digests equal
//! winter-crypto's `Rp64_256::hash_elements` of the encoding of `spec/commitment.md`, computed
//! here independently of the gadget; a wrong digest, a changed nonce, swapped values, a spliced
//! chain and a corrupted cell of any owned column are each reported.

use winter_crypto::{hashers::Rp64_256, ElementHasher};
use zkm_air::check::{check, Failure, FailureKind};
use zkm_air::field::{Felt, FieldElement, MODULUS};
use zkm_air::gadgets::{Commit, Committed, Gadget, GadgetOp, Output, Store};
use zkm_air::{
    AirBuilder, AirProgram, Inputs, Loc, NumType, PublicKind, PublicSlot, TensorInfo, Trace,
    WitnessError,
};

/// One committed tensor of a test program: name, width, length, and whether a private output
/// also reads it.
#[derive(Clone, Copy)]
struct Spec {
    name: &'static str,
    bits: u32,
    len: usize,
    also_output: bool,
}

fn spec(name: &'static str, bits: u32, len: usize) -> Spec {
    let also_output = false;
    Spec {
        name,
        bits,
        len,
        also_output,
    }
}

/// splitmix64: a deterministic stream of test values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A code of `bits` signed bits, hitting both ends of the range now and then.
    fn code(&mut self, bits: u32) -> i64 {
        let half = 1i64 << (bits - 1);
        match self.next() % 8 {
            0 => -half,
            1 => half - 1,
            _ => (self.next() % (2 * half as u64)) as i64 - half,
        }
    }
}

/// A program storing every spec privately and committing them all; the digest offsets.
fn program(specs: &[Spec]) -> (AirProgram, Vec<usize>) {
    let loc = Loc::default();
    let mut b = AirBuilder::new("commit_case", vec!["commit.zkm".into()], loc);
    let mut decls = Vec::new();
    for s in specs {
        let half = 1i64 << (s.bits - 1);
        let reads = 1 + u32::from(s.also_output);
        let info = TensorInfo {
            name: s.name.into(),
            shape: vec![s.len],
            frac: 0,
            range: (-half, half - 1),
            reads,
            loc,
        };
        let t = b.tensor(info);
        let ty = NumType {
            bits: s.bits,
            frac: 0,
        };
        let slot = PublicSlot {
            name: s.name.into(),
            kind: PublicKind::Commitment,
            shape: vec![],
            ty,
            offset: 0,
            len: 4,
            loc,
        };
        let digest = b.public_slot(slot);
        b.gadget(loc, |b| Store::lower(b, s.name, t, s.bits, None));
        if s.also_output {
            let out = format!("{}_out", s.name);
            b.gadget(loc, |b| Output::lower(b, &out, t, None));
        }
        let (name, bits) = (s.name.to_owned(), s.bits);
        decls.push(Committed {
            name,
            tensor: t,
            bits,
            digest,
        });
    }
    b.gadget(loc, |b| Commit::lower(b, &decls));
    let offsets = decls.iter().map(|d| d.digest).collect();
    (b.finish().expect("layout"), offsets)
}

/// Random values and nonces for every spec.
fn inputs(specs: &[Spec], seed: u64) -> Inputs {
    let mut rng = Rng(seed);
    let mut inputs = Inputs::default();
    for s in specs {
        let values = (0..s.len).map(|_| rng.code(s.bits)).collect();
        inputs.values.insert(s.name.into(), values);
        inputs.nonces.insert(s.name.into(), rng.next() % MODULUS);
    }
    inputs
}

/// The digest of `spec/commitment.md`, written from the text: offset codes, `⌊63/bits⌋` per
/// element little end first, then the nonce, hashed with `Rp64_256::hash_elements`.
fn reference_digest(values: &[i64], bits: u32, nonce: u64) -> Vec<Felt> {
    let k = (63 / bits) as usize;
    let mut sequence = Vec::new();
    for chunk in values.chunks(k) {
        let mut e = 0u64;
        for (j, &v) in chunk.iter().enumerate() {
            let u = (v + (1i64 << (bits - 1))) as u64;
            assert!(u < 1 << bits, "test values fit their width");
            e += u << (bits as usize * j);
        }
        sequence.push(Felt::new(e));
    }
    sequence.push(Felt::new(nonce));
    Rp64_256::hash_elements(&sequence).as_elements().to_vec()
}

fn generate(p: &AirProgram, inputs: &Inputs) -> Trace {
    zkm_air::witness::generate(p, inputs).expect("witness")
}

fn commit_gadget(p: &AirProgram) -> &Commit {
    let found = p.gadgets.iter().find_map(|g| match g {
        Gadget::Commit(c) => Some(c),
        _ => None,
    });
    found.expect("a commit gadget")
}

fn kinds(failures: &[Failure]) -> Vec<FailureKind> {
    failures.iter().map(|f| f.kind).collect()
}

/// Builds, fills and checks `specs`, and compares every digest with the reference.
fn honest(specs: &[Spec], seed: u64) -> (AirProgram, Vec<usize>, Inputs, Trace) {
    let (p, offsets) = program(specs);
    let inputs = inputs(specs, seed);
    let trace = generate(&p, &inputs);
    let failures = check(&p, &trace);
    assert!(failures.is_empty(), "honest trace fails: {failures:#?}");
    for (s, &at) in specs.iter().zip(&offsets) {
        let (values, nonce) = (&inputs.values[s.name], inputs.nonces[s.name]);
        let expected = reference_digest(values, s.bits, nonce);
        assert_eq!(trace.public[at..at + 4], expected[..], "{} digest", s.name);
        let library = zkm_air::gadgets::digest(values, s.bits, Felt::new(nonce));
        assert_eq!(library[..], expected[..], "{} library digest", s.name);
    }
    (p, offsets, inputs, trace)
}

#[test]
fn digests_equal_hash_elements_of_the_encoding() {
    let lengths = [1, 6, 7, 8, 9, 55, 56, 57, 63, 100, 113];
    for bits in [8, 16, 32] {
        for (i, len) in lengths.into_iter().enumerate() {
            let seed = 1000 * bits as u64 + i as u64;
            honest(&[spec("w", bits, len)], seed);
        }
    }
}

#[test]
fn odd_widths_pack_and_hash() {
    for (bits, len) in [(1, 70), (3, 50), (5, 13), (21, 10), (31, 5), (48, 17)] {
        honest(&[spec("w", bits, len)], bits as u64);
    }
}

#[test]
fn several_chains_share_the_gadget() {
    let mut x = spec("x", 16, 7);
    x.also_output = true;
    let specs = [spec("w", 8, 100), x, spec("b", 32, 9), spec("z", 5, 130)];
    let (p, _, _, _) = honest(&specs, 7);
    let c = commit_gadget(&p);
    assert_eq!(c.chains.len(), 4);
    for pair in c.chains.windows(2) {
        assert_eq!(pair[0].end(), pair[1].start);
    }
    // Four chains' nonce rows, first absorb rows and slot rows take marks columns.
    assert!(c.marks.len() >= 3, "{} marks columns", c.marks.len());
}

/// Every column of a gadget whose row indicators are marks columns (five chains of odd
/// lengths) is constrained on every probed row, the marks columns included.
#[test]
fn marks_columns_are_constrained() {
    let specs = [
        spec("a", 8, 150),
        spec("b", 8, 60),
        spec("c", 8, 22),
        spec("d", 8, 70),
        spec("e", 8, 9),
    ];
    let (p, _, _, honest) = honest(&specs, 21);
    let c = commit_gadget(&p);
    assert!(c.marks.len() >= 3, "{} marks columns", c.marks.len());
    for m in &c.marks {
        for row in probe_rows(c) {
            let mut trace = honest.clone();
            trace.main[m.col as usize][row] += Felt::ONE;
            assert!(
                !check(&p, &trace).is_empty(),
                "corrupting {} on row {row} is not caught",
                p.main_columns[m.col as usize].name
            );
        }
    }
}

#[test]
fn a_wrong_public_digest_is_reported() {
    let specs = [spec("w", 8, 20), spec("x", 16, 9)];
    let (p, offsets, _, honest) = honest(&specs, 11);
    for &at in &offsets {
        for i in 0..4 {
            let mut trace = honest.clone();
            trace.public[at + i] += Felt::ONE;
            let failures = check(&p, &trace);
            assert_eq!(kinds(&failures), [FailureKind::Assertion], "{failures:#?}");
            assert!(failures[0].label.contains(&format!("digest[{i}]")));
        }
    }
}

#[test]
fn a_changed_nonce_is_reported() {
    let specs = [spec("w", 8, 30)];
    let (p, offsets, inputs, honest) = honest(&specs, 12);
    let at = offsets[0];
    let mut other = inputs.clone();
    *other.nonces.get_mut("w").expect("nonce") += 1;
    let mut trace = generate(&p, &other);
    assert_ne!(trace.public[at..at + 4], honest.public[at..at + 4]);
    trace.public[at..at + 4].copy_from_slice(&honest.public[at..at + 4]);
    assert!(!check(&p, &trace).is_empty(), "another nonce, same digest");
    let c = commit_gadget(&p);
    let mut trace = honest.clone();
    trace.main[c.values[0] as usize][c.chains[0].nonce_row()] += Felt::ONE;
    assert!(!check(&p, &trace).is_empty(), "nonce cell changed");
}

#[test]
fn swapped_values_are_reported() {
    let specs = [spec("w", 8, 40)];
    let (p, offsets, inputs, honest) = honest(&specs, 13);
    let at = offsets[0];
    let values = &inputs.values["w"];
    let (i, j) = (
        3,
        (4..40).find(|&j| values[j] != values[3]).expect("distinct"),
    );
    let mut swapped = inputs.clone();
    swapped.values.get_mut("w").expect("values").swap(i, j);
    let mut trace = generate(&p, &swapped);
    assert_ne!(trace.public[at..at + 4], honest.public[at..at + 4]);
    trace.public[at..at + 4].copy_from_slice(&honest.public[at..at + 4]);
    assert!(!check(&p, &trace).is_empty(), "swapped tensor, same digest");
    let c = commit_gadget(&p);
    let k = c.chains[0].per_element();
    let mut trace = honest.clone();
    let (a, b) = ((c.values[i % k], i / k), (c.values[j % k], j / k));
    let tmp = trace.main[a.0 as usize][a.1];
    trace.main[a.0 as usize][a.1] = trace.main[b.0 as usize][b.1];
    trace.main[b.0 as usize][b.1] = tmp;
    let failures = check(&p, &trace);
    assert!(
        kinds(&failures).contains(&FailureKind::Bus),
        "{failures:#?}"
    );
}

/// The rows where each owned column is corrupted: the discarded first permutation and its
/// absorb row, each chain's first permutation row, nonce row and digest row, and the first row
/// after the region. (Every cell of every row was checked once; each check costs a full pass.)
fn probe_rows(c: &Commit) -> Vec<usize> {
    let mut rows = vec![0, 3, 7, c.region];
    for chain in &c.chains {
        rows.extend([chain.start + 8, chain.nonce_row(), chain.digest_row()]);
    }
    rows.sort_unstable();
    rows.dedup();
    rows
}

#[test]
fn every_owned_column_is_constrained() {
    let specs = [spec("w", 8, 9), spec("x", 16, 4)];
    let (p, _, _, honest) = honest(&specs, 14);
    let c = commit_gadget(&p);
    for col in c.columns() {
        for row in probe_rows(c) {
            let mut trace = honest.clone();
            trace.main[col.column as usize][row] += Felt::ONE;
            let failures = check(&p, &trace);
            assert!(
                !failures.is_empty(),
                "corrupting {} (role {}) on row {row} is not caught",
                p.main_columns[col.column as usize].name,
                col.role
            );
        }
    }
}

#[test]
fn layout_costs() {
    for (bits, len, k, perms, marks) in [(8, 100, 7, 2, 0), (16, 100, 3, 5, 1), (32, 100, 1, 13, 1)]
    {
        let (p, _) = program(&[spec("w", bits, len)]);
        let c = commit_gadget(&p);
        assert_eq!(c.chains[0].per_element(), k);
        assert_eq!(c.chains[0].perms(), perms);
        assert_eq!(c.region, 8 + 8 * perms);
        // One chain: its slot and nonce rows take selectors; the absorb rows that continue it
        // (rows 8 to its end) take one marks column where both thresholds would be new
        // selectors (not at 2 permutations: row 16 is the nonce row's end).
        assert_eq!(c.marks.len(), marks, "{bits}-bit");
        assert_eq!(
            c.columns().len(),
            12 + k + 7 + marks,
            "state; slots (slot 0 also holds the nonce); buffer; marks"
        );
        let receives = p
            .bus
            .iter()
            .filter(|t| t.label.starts_with("commit"))
            .count();
        assert_eq!(receives, k);
    }
}

#[test]
fn nonces_must_be_given_and_canonical() {
    let specs = [spec("w", 8, 5)];
    let (p, _) = program(&specs);
    let mut inputs = inputs(&specs, 15);
    inputs.nonces.clear();
    let err = zkm_air::witness::generate(&p, &inputs).expect_err("no nonce");
    assert_eq!(err, WitnessError::MissingNonce { name: "w".into() });
    inputs.nonces.insert("w".into(), MODULUS);
    let err = zkm_air::witness::generate(&p, &inputs).expect_err("non-canonical nonce");
    let expected = WitnessError::NonCanonicalNonce {
        name: "w".into(),
        value: MODULUS,
    };
    assert_eq!(err, expected);
}

#[test]
fn packing_puts_offset_codes_little_end_first() {
    use zkm_air::gadgets::{pack, per_element};
    let widths = [
        (1, 63),
        (3, 21),
        (8, 7),
        (16, 3),
        (21, 3),
        (22, 2),
        (32, 1),
        (48, 1),
    ];
    for (bits, k) in widths {
        assert_eq!(per_element(bits), k, "{bits} bits");
    }
    let f = Felt::new;
    assert_eq!(pack(&[], 8), vec![]);
    assert_eq!(pack(&[-128, 127, 0], 8), vec![f(255 << 8 | 128 << 16)]);
    let codes: Vec<i64> = (0..8).map(|i| i - 4).collect();
    let first = (0..7).map(|j| (j + 124) << (8 * j)).sum::<u64>();
    assert_eq!(pack(&codes, 8), vec![f(first), f(131)]);
    let packed = pack(&[-1, 0, 1, 5], 16);
    assert_eq!(packed, vec![f(32767 | 32768 << 16 | 32769 << 32), f(32773)]);
    let extremes = pack(&[-(1 << 31), (1 << 31) - 1], 32);
    assert_eq!(extremes, vec![f(0), f((1 << 32) - 1)]);
    assert_eq!(pack(&[127; 7], 8), vec![f((1 << 56) - 1)]);
    assert_eq!(pack(&[0; 63], 1), vec![f((1 << 63) - 1)]);
    assert_eq!(pack(&[-1; 64], 1), vec![f(0), f(0)]);
}

#[test]
fn digest_hex_is_the_serialized_element_digest() {
    let d = [
        Felt::new(1),
        Felt::new(0x0102_0304_0506_0708),
        Felt::new(0),
        Felt::new(MODULUS - 1),
    ];
    let hex = zkm_air::gadgets::digest_hex(&d);
    let expected = concat!(
        "0100000000000000",
        "0807060504030201",
        "0000000000000000",
        "00000000ffffffff"
    );
    assert_eq!(hex, expected);
}

/// The worked example of `spec/commitment.md` §5.
#[test]
fn the_spec_example_digest() {
    use zkm_air::gadgets::{digest, digest_hex, sequence};
    let values = [-1, 0, 1, 2, -128, 127, 5, 9];
    let nonce = Felt::new(42);
    let seq: Vec<u64> = sequence(&values, 8, nonce)
        .iter()
        .map(|e| e.as_int())
        .collect();
    assert_eq!(seq, [0x0085_ff00_8281_807f, 0x89, 0x2a]);
    let d = digest(&values, 8, nonce);
    assert_eq!(d[..], reference_digest(&values, 8, 42)[..]);
    let hex = "1c99012801719c072e8468264032f344fa8c72b60ac38db6749ddcdeedd35af8";
    assert_eq!(digest_hex(&d), hex);
    let (p, offsets, mut inputs, _) = honest(&[spec("w", 8, 8)], 16);
    inputs.values.insert("w".into(), values.to_vec());
    inputs.nonces.insert("w".into(), 42);
    let trace = generate(&p, &inputs);
    assert!(check(&p, &trace).is_empty());
    assert_eq!(trace.public[offsets[0]..offsets[0] + 4], d[..]);
}

/// A prover who uses values `B` but shows the digest of values `A` (equal but for the last one)
/// by copying `A`'s last permutation into `B`'s trace breaks the chain at the absorb row.
#[test]
fn a_spliced_chain_is_reported() {
    let specs = [spec("w", 8, 100)];
    let (p, offsets, inputs, trace_a) = honest(&specs, 17);
    let mut other = inputs.clone();
    let values = other.values.get_mut("w").expect("values");
    values[99] = if values[99] == 0 { 1 } else { 0 };
    let mut trace = generate(&p, &other);
    let c = commit_gadget(&p);
    let last = c.chains[0].end();
    for &col in &c.perm.s {
        let col = col as usize;
        trace.main[col][last..last + 8].copy_from_slice(&trace_a.main[col][last..last + 8]);
    }
    let at = offsets[0];
    trace.public[at..at + 4].copy_from_slice(&trace_a.public[at..at + 4]);
    let failures = check(&p, &trace);
    let labels: Vec<&str> = failures.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["commit.s10_absorb"], "{failures:#?}");
    assert_eq!(failures[0].row, last - 1);
}

//! GPU vs CPU oracles (winter-math LDE, winter-crypto BLAKE3 leaves and Merkle tree), bit-exact.
//!
//! Without an adapter the tests print `skipping: no GPU adapter (...)` and pass, unless
//! `ZKM_REQUIRE_GPU=1`, which turns a missing adapter into a failure.

use std::sync::OnceLock;
use winter_crypto::hashers::Blake3_256;
use winter_crypto::{build_merkle_nodes, Digest, ElementHasher, MerkleTree};
use winter_math::fft::{evaluate_poly_with_offset, get_twiddles};
use winter_math::{FieldElement, StarkField};
use winter_utils::Deserializable;
use zkm_gpu_kernels::{DigestLen, Felt, Gpu, GpuError};

type H = Blake3_256<Felt>;
type Dg = <H as winter_crypto::Hasher>::Digest;

const P: u64 = 0xffff_ffff_0000_0001;
/// Edge values (canonical integers) for coefficients and evaluations.
const EDGES: [u64; 10] = [
    0,
    1,
    2,
    P - 1,
    P - 2,
    (1 << 32) - 1,
    1 << 32,
    (1 << 32) + 1,
    u64::MAX - (1 << 32) + 1,
    1 << 63,
];

/// The shared device, or `None` (after printing why) when no adapter exists and none is required.
fn gpu() -> Option<&'static Gpu> {
    static GPU: OnceLock<Result<Gpu, GpuError>> = OnceLock::new();
    let opened = GPU.get_or_init(|| {
        let g = Gpu::new();
        if let Ok(g) = &g {
            eprintln!(
                "GPU adapter: {} (software: {})",
                g.adapter_name(),
                g.is_software()
            );
        }
        g
    });
    match opened {
        Ok(g) => Some(g),
        Err(e) => {
            if std::env::var("ZKM_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("ZKM_REQUIRE_GPU=1 but no GPU is usable: {e}");
            }
            eprintln!("skipping: no GPU adapter ({e})");
            None
        }
    }
}

/// Deterministic splitmix64 stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A random element, an edge value one time in eight.
    fn felt(&mut self) -> Felt {
        let r = self.next();
        if r.is_multiple_of(8) {
            Felt::new(EDGES[(r >> 3) as usize % EDGES.len()])
        } else {
            Felt::new(r)
        }
    }
    fn columns(&mut self, cols: usize, len: usize) -> Vec<Vec<Felt>> {
        (0..cols)
            .map(|_| (0..len).map(|_| self.felt()).collect())
            .collect()
    }
}

fn cpu_lde(coeffs: &[Vec<Felt>], blowup: usize) -> Vec<Vec<Felt>> {
    let tw = get_twiddles::<Felt>(coeffs[0].len());
    coeffs
        .iter()
        .map(|c| evaluate_poly_with_offset(c, &tw, Felt::GENERATOR, blowup))
        .collect()
}

/// `digest` with its last 7 bytes cleared (BLAKE3 cut to 200 bits).
fn cut(mut digest: [u8; 32]) -> [u8; 32] {
    digest[25..].fill(0);
    digest
}

/// CPU leaves and nodes with digests cut to 25 bytes, written from scratch: leaf = cut(BLAKE3 of
/// the row's canonical bytes), parent = cut(BLAKE3 of the two 32-byte children), in
/// winter-crypto's node layout (`nodes[1]` the root, `nodes[0]` zero).
fn cpu_commit_cut(columns: &[Vec<Felt>]) -> (Vec<[u8; 32]>, Vec<[u8; 32]>) {
    let rows = columns[0].len();
    let leaves: Vec<[u8; 32]> = (0..rows)
        .map(|r| {
            let bytes: Vec<u8> = columns
                .iter()
                .flat_map(|c| c[r].as_int().to_le_bytes())
                .collect();
            cut(*blake3::hash(&bytes).as_bytes())
        })
        .collect();
    let mut nodes = vec![[0u8; 32]; rows];
    for i in (1..rows).rev() {
        let (l, r) = match 2 * i >= rows {
            true => (leaves[2 * i - rows], leaves[2 * i + 1 - rows]),
            false => (nodes[2 * i], nodes[2 * i + 1]),
        };
        nodes[i] = cut(*blake3::hash(&[l, r].concat()).as_bytes());
    }
    (leaves, nodes)
}

/// CPU leaves (hash of each row) and nodes (winter-crypto's layout).
fn cpu_commit(columns: &[Vec<Felt>], len: DigestLen) -> (Vec<[u8; 32]>, Vec<[u8; 32]>) {
    if len == DigestLen::Cut25 {
        return cpu_commit_cut(columns);
    }
    let rows = columns[0].len();
    let leaves: Vec<_> = (0..rows)
        .map(|r| H::hash_elements(&columns.iter().map(|c| c[r]).collect::<Vec<_>>()))
        .collect();
    let nodes = build_merkle_nodes::<H>(&leaves);
    let tree = MerkleTree::<H>::new(leaves.clone()).expect("tree");
    assert_eq!(tree.root().as_bytes(), nodes[1].as_bytes());
    (
        leaves.iter().map(Digest::as_bytes).collect(),
        nodes.iter().map(Digest::as_bytes).collect(),
    )
}

fn assert_columns_eq(gpu: &[Vec<Felt>], cpu: &[Vec<Felt>], what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: column count");
    for (c, (g, e)) in gpu.iter().zip(cpu).enumerate() {
        assert_eq!(g.len(), e.len(), "{what}: column {c} length");
        if let Some(r) = g.iter().zip(e).position(|(a, b)| a.inner() != b.inner()) {
            panic!("{what}: column {c} row {r}: gpu {} cpu {}", g[r], e[r]);
        }
    }
}

fn assert_commit_eq(
    gpu: &(Vec<[u8; 32]>, Vec<[u8; 32]>),
    columns: &[Vec<Felt>],
    len: DigestLen,
    what: &str,
) {
    let (leaves, nodes) = cpu_commit(columns, len);
    if let Some(r) = gpu.0.iter().zip(&leaves).position(|(a, b)| a != b) {
        panic!("{what}: leaf {r} differs ({} columns)", columns.len());
    }
    assert_eq!(gpu.0.len(), leaves.len(), "{what}: leaf count");
    if let Some(k) = gpu.1.iter().zip(&nodes).position(|(a, b)| a != b) {
        panic!("{what}: node {k} differs ({} columns)", columns.len());
    }
    assert_eq!(gpu.1.len(), nodes.len(), "{what}: node count");
}

/// Checks `lde` against winter-math for `cols` random columns of `n` coefficients.
fn check_lde(gpu: &Gpu, rng: &mut Rng, n: usize, blowup: usize, cols: usize) {
    let coeffs = rng.columns(cols, n);
    let got = gpu.lde(&coeffs, blowup).expect("gpu lde");
    assert_columns_eq(
        &got,
        &cpu_lde(&coeffs, blowup),
        &format!("lde n={n} b={blowup} cols={cols}"),
    );
}

/// Checks `commit_rows` against winter-crypto for `cols` random columns of `rows` values.
fn check_commit(gpu: &Gpu, rng: &mut Rng, rows: usize, cols: usize) {
    check_commit_len(gpu, rng, rows, cols, DigestLen::Full);
}

/// [`check_commit`] keeping `len` of each digest.
fn check_commit_len(gpu: &Gpu, rng: &mut Rng, rows: usize, cols: usize, len: DigestLen) {
    let columns = rng.columns(cols, rows);
    let got = gpu.commit_rows(&columns, len).expect("gpu commit");
    let what = format!("commit rows={rows} cols={cols} {len:?}");
    assert_commit_eq(&got, &columns, len, &what);
}

/// Checks `lde_and_commit` against both oracles.
fn check_lde_commit(gpu: &Gpu, rng: &mut Rng, n: usize, blowup: usize, cols: usize) {
    let coeffs = rng.columns(cols, n);
    let (lde, leaves, nodes) = gpu
        .lde_and_commit(&coeffs, blowup, DigestLen::Full)
        .expect("gpu lde_and_commit");
    let what = format!("lde_and_commit n={n} b={blowup} cols={cols}");
    assert_columns_eq(&lde, &cpu_lde(&coeffs, blowup), &what);
    assert_commit_eq(&(leaves, nodes.clone()), &lde, DigestLen::Full, &what);
    let tree = MerkleTree::<H>::from_raw_parts(
        nodes
            .iter()
            .map(|n| Dg::read_from_bytes(n).expect("digest"))
            .collect(),
        lde_leaves(&lde),
    )
    .expect("from_raw_parts");
    assert_eq!(tree.root().as_bytes(), nodes[1]);
}

fn lde_leaves(lde: &[Vec<Felt>]) -> Vec<Dg> {
    (0..lde[0].len())
        .map(|r| H::hash_elements(&lde.iter().map(|c| c[r]).collect::<Vec<_>>()))
        .collect()
}

#[test]
fn lde_matches_winter_math() {
    let Some(gpu) = gpu() else { return };
    let mut rng = Rng(1);
    for n in [8, 64, 1024] {
        for blowup in [2, 4, 8] {
            for cols in [1, 3, 8, 17] {
                check_lde(gpu, &mut rng, n, blowup, cols);
            }
        }
    }
    check_lde(gpu, &mut rng, 2, 1, 2);
    check_lde(gpu, &mut rng, 1 << 14, 8, 3);
    check_lde(gpu, &mut rng, 1 << 14, 2, 1);
}

#[test]
fn commit_matches_winter_crypto() {
    let Some(gpu) = gpu() else { return };
    let mut rng = Rng(2);
    for cols in [1, 2, 3, 7, 8, 9, 16, 17, 127, 128, 129, 136, 200, 255] {
        check_commit(gpu, &mut rng, 64, cols);
    }
    check_commit(gpu, &mut rng, 2, 5);
    // independent oracle: blake3 of the canonical little-endian bytes of row 0
    let columns = rng.columns(150, 4);
    let bytes: Vec<u8> = columns
        .iter()
        .flat_map(|c| c[0].as_int().to_le_bytes())
        .collect();
    let (leaves, _) = gpu
        .commit_rows(&columns, DigestLen::Full)
        .expect("gpu commit");
    assert_eq!(leaves[0], *blake3::hash(&bytes).as_bytes());
    check_commit(gpu, &mut rng, 1024, 129);
    check_commit(gpu, &mut rng, 1 << 14, 17);
}

#[test]
fn cut_digests_match_the_oracle() {
    let Some(gpu) = gpu() else { return };
    let mut rng = Rng(6);
    // One-chunk and multi-chunk rows (more than 128 columns), the smallest tree, a deep one.
    for (rows, cols) in [
        (64, 1),
        (64, 9),
        (64, 129),
        (64, 200),
        (2, 3),
        (1 << 12, 17),
    ] {
        check_commit_len(gpu, &mut rng, rows, cols, DigestLen::Cut25);
    }
    // Batched columns: leaves cut only once the last group is absorbed.
    let small = Gpu::new()
        .expect("second device")
        .with_binding_limit(1 << 20);
    check_commit_len(&small, &mut rng, 1 << 12, 200, DigestLen::Cut25);
    let coeffs = rng.columns(17, 1 << 12);
    let (lde, leaves, nodes) = small
        .lde_and_commit(&coeffs, 8, DigestLen::Cut25)
        .expect("gpu lde_and_commit");
    assert_commit_eq(
        &(leaves, nodes),
        &lde,
        DigestLen::Cut25,
        "cut lde_and_commit",
    );
}

#[test]
fn lde_and_commit_is_consistent() {
    let Some(gpu) = gpu() else { return };
    let mut rng = Rng(3);
    for (n, blowup, cols) in [
        (8, 2, 1),
        (64, 8, 3),
        (64, 4, 129),
        (1024, 2, 200),
        (1024, 8, 8),
        (1 << 14, 8, 8),
    ] {
        check_lde_commit(gpu, &mut rng, n, blowup, cols);
    }
}

#[test]
fn edge_values_are_exact() {
    let Some(gpu) = gpu() else { return };
    let pairs: Vec<Vec<Felt>> = (0..EDGES.len())
        .map(|i| {
            (0..64)
                .map(|j| Felt::new(EDGES[(i + j * 3 + j / 10) % EDGES.len()]))
                .collect()
        })
        .collect();
    assert_columns_eq(
        &gpu.lde(&pairs, 4).expect("lde"),
        &cpu_lde(&pairs, 4),
        "edge lde",
    );
    for len in [DigestLen::Full, DigestLen::Cut25] {
        assert_commit_eq(
            &gpu.commit_rows(&pairs, len).expect("commit"),
            &pairs,
            len,
            "edge commit",
        );
    }
    let same: Vec<Vec<Felt>> = EDGES.iter().map(|&e| vec![Felt::new(e); 16]).collect();
    assert_columns_eq(
        &gpu.lde(&same, 8).expect("lde"),
        &cpu_lde(&same, 8),
        "constant edge lde",
    );
}

#[test]
fn batched_columns_match() {
    let Some(_) = gpu() else { return };
    let small = Gpu::new()
        .expect("second device")
        .with_binding_limit(1 << 20);
    let mut rng = Rng(4);
    // 2^13 rows: 16 columns per slab, groups of 16 (multi-chunk rows span groups).
    check_lde_commit(&small, &mut rng, 1 << 10, 8, 40);
    check_commit(&small, &mut rng, 1 << 12, 200);
    // 2^15 rows: 4 columns per slab, 8-column groups hashed through row tiles.
    check_lde_commit(&small, &mut rng, 1 << 12, 8, 17);
}

#[test]
fn rejects_unsupported_shapes() {
    let Some(gpu) = gpu() else { return };
    let wide = vec![vec![Felt::ONE; 4]; 256];
    assert!(matches!(
        gpu.commit_rows(&wide, DigestLen::Full),
        Err(GpuError::Unsupported(_))
    ));
    assert!(matches!(
        gpu.lde(&[vec![Felt::ONE; 3]], 2),
        Err(GpuError::Unsupported(_))
    ));
    assert!(matches!(
        gpu.lde(&[vec![Felt::ONE; 4], vec![Felt::ONE; 8]], 2),
        Err(GpuError::Unsupported(_))
    ));
    assert!(matches!(
        gpu.commit_rows(&[vec![Felt::ONE; 1]], DigestLen::Cut25),
        Err(GpuError::Unsupported(_))
    ));
    assert!(gpu.lde(&wide, 2).is_ok(), "lde has no width limit");
}

#[test]
fn largest_domain_2_pow_22() {
    let Some(gpu) = gpu() else { return };
    // 2^22 rows: 32 MiB per column, so on 128 MiB bindings 4 columns per slab and tiled hashing.
    check_lde_commit(gpu, &mut Rng(5), 1 << 19, 8, 9);
}

#[test]
fn gpu_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Gpu>();
}

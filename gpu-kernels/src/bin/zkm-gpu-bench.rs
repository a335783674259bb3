//! Benchmark: trace LDE (blowup 8) + BLAKE3 Merkle commitment, CPU (winter-math / winter-crypto,
//! single thread) vs GPU (upload / compute / download), printed as a Markdown table.
//!
//! Run: `cargo run --release -p zkm-gpu-kernels --bin zkm-gpu-bench`.

use std::time::{Duration, Instant};
use winter_crypto::hashers::Blake3_256;
use winter_crypto::{Digest, ElementHasher, MerkleTree};
use winter_math::fft::{evaluate_poly_with_offset, get_twiddles};
use winter_math::StarkField;
use zkm_gpu_kernels::{DigestLen, Felt, Gpu, Timings};

type H = Blake3_256<Felt>;
const BLOWUP: usize = 8;

/// Deterministic pseudo-random columns of `len` elements.
fn columns(cols: usize, len: usize, seed: u64) -> Vec<Vec<Felt>> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Felt::new(s ^ (s >> 29))
    };
    (0..cols)
        .map(|_| (0..len).map(|_| next()).collect())
        .collect()
}

/// CPU reference: LDE of every column, then the Merkle tree over row hashes; returns the root.
fn cpu(coeffs: &[Vec<Felt>]) -> [u8; 32] {
    let tw = get_twiddles::<Felt>(coeffs[0].len());
    let lde: Vec<Vec<Felt>> = coeffs
        .iter()
        .map(|c| evaluate_poly_with_offset(c, &tw, Felt::GENERATOR, BLOWUP))
        .collect();
    let mut row = vec![Felt::default(); lde.len()];
    let leaves = (0..lde[0].len())
        .map(|r| {
            row.iter_mut().zip(&lde).for_each(|(x, c)| *x = c[r]);
            H::hash_elements(&row)
        })
        .collect();
    MerkleTree::<H>::new(leaves)
        .expect("tree")
        .root()
        .as_bytes()
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// One table row: times the CPU and the GPU on the same input and checks the roots agree.
fn bench(gpu: &Gpu, rows: usize, cols: usize) -> String {
    let coeffs = columns(cols, rows / BLOWUP, (rows * 1000 + cols) as u64);
    let t = Instant::now();
    let root = cpu(&coeffs);
    let cpu_time = t.elapsed();
    let t = Instant::now();
    let ((_, _, nodes), tm): (_, Timings) = gpu
        .lde_and_commit_timed(&coeffs, BLOWUP, DigestLen::Full)
        .expect("gpu");
    let total = t.elapsed();
    assert_eq!(
        nodes[1], root,
        "GPU and CPU roots differ at {rows} x {cols}"
    );
    format!(
        "| 2^{} | {cols} | {} | {} | {} | {} | {} | {:.2}x |",
        rows.ilog2(),
        ms(cpu_time),
        ms(tm.upload),
        ms(tm.compute),
        ms(tm.download),
        ms(total),
        cpu_time.as_secs_f64() / total.as_secs_f64()
    )
}

fn main() {
    let gpu = match Gpu::new() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("zkm-gpu-bench: {e}");
            std::process::exit(1);
        }
    };
    println!("Adapter: {}\n", gpu.adapter_name());
    println!("LDE (blowup {BLOWUP}, coset offset 7) + Blake3_256 Merkle commitment; CPU = winter-math + winter-crypto, 1 thread.\n");
    println!("| LDE rows | columns | CPU ms | GPU upload ms | GPU compute ms | GPU download ms | GPU total ms | CPU/GPU |");
    println!("|---|---|---|---|---|---|---|---|");
    let warm = columns(8, 64, 1);
    gpu.lde_and_commit(&warm, BLOWUP, DigestLen::Full)
        .expect("warm-up");
    for rows in [1 << 14, 1 << 16, 1 << 18] {
        for cols in [8, 32, 64, 128] {
            println!("{}", bench(&gpu, rows, cols));
        }
    }
    // the shape of a 2^14-row, 130-column trace after blowup 8 (two column batches on 128 MiB bindings)
    println!("{}", bench(&gpu, 1 << 17, 130));
}

//! `avg_pool2d` over windows whose area is not a power of two: the quantized outputs equal the
//! exact window average rounded half up, `⌊(2s + k²) / (2k²)⌋` of the window sum `s`, for random
//! codes over the whole input type (both signs, the extremes included) and several windows, and
//! the checker accepts the trace.

mod common;

use zkm_air::PublicKind;

/// Runs `avg_pool2d(x, k)` on `codes` (an `[c, h, w]` input of type `fixed<bits, 4>`) and returns
/// the output codes.
fn pooled(shape: [usize; 3], bits: u32, k: usize, codes: &[i64]) -> Vec<i64> {
    let [c, h, w] = shape;
    let (oh, ow) = (h / k, w / k);
    let source = format!(
        "model pool {{\n    private input x: fixed<{bits}, 4>[{c}, {h}, {w}];\n    \
         public output y: fixed<{bits}, 4>[{c}, {oh}, {ow}];\n    y = avg_pool2d(x, {k});\n}}\n"
    );
    let artifact = common::compile("pool.zkm", source);
    let values: Vec<String> = codes
        .iter()
        .map(|q| format!("{}", *q as f64 / 16.0))
        .collect();
    // EZKL's layout: one flat row per input.
    let input = format!("{{\"input_data\": [[{}]]}}", values.join(", "));
    let loaded = zkm_runtime::load(&artifact.program, &input, "{}").expect("input loads");
    let trace = zkm_air::witness::generate(&artifact.program, &loaded.inputs).expect("witness");
    let failures = zkm_air::check::check(&artifact.program, &trace);
    assert!(failures.is_empty(), "{} constraints fail", failures.len());
    let outputs = zkm_runtime::api::public_values(&artifact, &trace.public);
    let y = outputs
        .iter()
        .find(|v| v.kind == PublicKind::Output)
        .expect("output y");
    y.codes.clone()
}

/// The exact average of each window, rounded half up.
fn reference(shape: [usize; 3], k: usize, codes: &[i64]) -> Vec<i64> {
    let [c, h, w] = shape;
    let d = (k * k) as i64;
    let mut out = Vec::new();
    for ch in 0..c {
        for r in 0..h / k {
            for q in 0..w / k {
                let s: i64 = (0..k * k)
                    .map(|e| codes[(ch * h + r * k + e / k) * w + q * k + e % k])
                    .sum();
                out.push((2 * s + d).div_euclid(2 * d));
            }
        }
    }
    out
}

#[test]
fn divided_averages_are_exact() {
    let mut rng = common::Rng(0x5eed);
    for (shape, bits, k) in [
        ([2, 7, 7], 8, 3),
        ([1, 10, 11], 12, 5),
        ([3, 6, 6], 16, 6),
        ([1, 7, 7], 16, 7),
    ] {
        let n = shape.iter().product::<usize>();
        let half = 1i64 << (bits - 1);
        let mut codes: Vec<i64> = (0..n)
            .map(|_| (rng.next() % (2 * half as u64)) as i64 - half)
            .collect();
        // The extremes: a window of the type's minimum and one of its maximum.
        for (e, v) in [(0, -half), (1, half - 1)] {
            let base = e * k;
            for i in 0..k * k {
                if base + i % k < shape[2] {
                    codes[(i / k) * shape[2] + base + i % k] = v;
                }
            }
        }
        assert_eq!(
            pooled(shape, bits, k, &codes),
            reference(shape, k, &codes),
            "{shape:?} k = {k}"
        );
    }
}

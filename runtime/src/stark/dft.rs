//! The main segment's low-degree extension on the CPU with Plonky3's parallel radix-2 DFT
//! (`p3-dft` over `p3-goldilocks`), the same values Winterfell's own FFT computes, about four
//! times faster (on one core: 90 against 356 ms for 4096 rows × 147 columns).
//!
//! Both libraries evaluate on the same domains (the trace domain `⟨ω_n⟩` and the LDE coset
//! `offset·⟨ω_N⟩`) but from different generators: Plonky3's generator of order `2^b` is
//! `ω^K` for Winterfell's `ω` and an odd `K` ([`dlog`]). So Plonky3's row `i` is Winterfell's row
//! `K·i mod 2^b` on either domain: the trace rows are gathered in that order before the inverse
//! DFT (which then yields exactly Winterfell's coefficients), and the LDE rows are put back in
//! Winterfell's order after the coset DFT. Field elements cross as canonical integers. The rows
//! are then hashed as Winterfell hashes them, so the commitment is the same bit for bit (test
//! `matches_winterfell` below; every proof test runs through this path).

use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
use p3_field::{PrimeCharacteristicRing, PrimeField64, TwoAdicField};
use p3_goldilocks::Goldilocks;
use p3_matrix::bitrev::BitReversibleMatrix;
use p3_matrix::dense::RowMajorMatrix;
use std::ops::Range;

use rayon::prelude::*;
use winter_math::{FieldElement, StarkField};
use winterfell::matrix::ColMatrix;
use zkm_air::field::Felt;

/// Rows per parallel task when converting and hashing.
const ROWS_PER_TASK: usize = 256;

/// A main segment extended on the CPU: its coefficients (column-major) and its LDE (row-major,
/// Winterfell's row order).
pub(crate) struct Extended {
    /// The trace polynomials' coefficients, one column each.
    pub(crate) polys: ColMatrix<Felt>,
    /// The LDE, row `r` at `lde[r·width .. (r+1)·width]`.
    pub(crate) lde: Vec<Felt>,
}

/// Columns extended together: the DFT's working matrix is this wide, so the peak memory stays
/// that of the LDE itself plus one block.
const BLOCK: usize = 16;

/// The coefficients and the LDE (blowup `blowup`, coset `offset`) of `main`, [`BLOCK`] columns at
/// a time.
pub(crate) fn extend(main: &ColMatrix<Felt>, blowup: usize, offset: Felt) -> Extended {
    let (n, width) = (main.num_rows(), main.num_cols());
    let big = n * blowup;
    let dft = Radix2DitParallel::<Goldilocks>::default();
    let shift = Goldilocks::from_u64(offset.as_int());
    let (k, k_big) = (exponent(n), exponent(big));
    let mut lde = vec![Felt::ZERO; big * width];
    let mut polys = Vec::with_capacity(width);
    for first in (0..width).step_by(BLOCK) {
        let block = first..width.min(first + BLOCK);
        let mut coeffs = dft.idft_batch(gather(main, block.clone(), k));
        polys.extend(columns(&coeffs, n, block.len()));
        coeffs.pad_to_height(big, Goldilocks::ZERO);
        let evals = dft.coset_dft_batch(coeffs, shift).bit_reverse_rows();
        scatter(&evals.values, &mut lde, (width, block), k_big);
    }
    let polys = ColMatrix::new(polys);
    Extended { polys, lde }
}

/// The coefficients of `main`'s columns (for the GPU path, which extends them itself).
#[cfg(any(feature = "gpu", test))]
pub(crate) fn interpolate(main: &ColMatrix<Felt>) -> ColMatrix<Felt> {
    let (n, width) = (main.num_rows(), main.num_cols());
    let dft = Radix2DitParallel::<Goldilocks>::default();
    let k = exponent(n);
    let mut polys = Vec::with_capacity(width);
    for first in (0..width).step_by(BLOCK) {
        let block = first..width.min(first + BLOCK);
        let coeffs = dft.idft_batch(gather(main, block.clone(), k));
        polys.extend(columns(&coeffs, n, block.len()));
    }
    ColMatrix::new(polys)
}

/// An extension-field segment's LDE, row-major over its base-field coordinates (row `r` is
/// `data[r·per_row .. (r+1)·per_row]`, read as extension elements).
pub(crate) struct ExtRows<E: FieldElement<BaseField = Felt>> {
    data: Vec<Felt>,
    per_row: usize,
    field: std::marker::PhantomData<E>,
}

impl<E: FieldElement<BaseField = Felt>> ExtRows<E> {
    /// Row `r`.
    pub(crate) fn row(&self, r: usize) -> &[E] {
        let start = r * self.per_row;
        E::slice_from_base_elements(&self.data[start..start + self.per_row])
    }

    /// Every row, in order (in parallel).
    pub(crate) fn par_rows(&self) -> impl IndexedParallelIterator<Item = &[E]> {
        self.data
            .par_chunks(self.per_row.max(1))
            .map(|row| E::slice_from_base_elements(row))
    }
}

/// The coefficients and the LDE of an extension-field segment: the DFTs have base-field twiddles,
/// so each coordinate is extended on its own, as a base-field column.
pub(crate) fn extend_ext<E: FieldElement<BaseField = Felt>>(
    segment: &ColMatrix<E>,
    blowup: usize,
    offset: Felt,
) -> (ColMatrix<E>, ExtRows<E>) {
    let d = E::EXTENSION_DEGREE;
    let coords: Vec<Vec<Felt>> = (0..segment.num_cols())
        .flat_map(|c| {
            let base = E::slice_as_base_elements(segment.get_column(c));
            (0..d).map(move |k| base.iter().skip(k).step_by(d).copied().collect())
        })
        .collect();
    let extended = extend(&ColMatrix::new(coords), blowup, offset);
    let polys = (0..segment.num_cols())
        .map(|c| {
            let parts: Vec<&[Felt]> = (0..d)
                .map(|k| extended.polys.get_column(c * d + k))
                .collect();
            let n = parts.first().map_or(0, |p| p.len());
            let interleaved: Vec<Felt> = (0..n)
                .flat_map(|i| parts.iter().map(move |p| p[i]))
                .collect();
            E::slice_from_base_elements(&interleaved).to_vec()
        })
        .collect();
    let rows = ExtRows {
        data: extended.lde,
        per_row: segment.num_cols() * d,
        field: std::marker::PhantomData,
    };
    (ColMatrix::new(polys), rows)
}

/// `K mod 2^b` for a domain of size `size = 2^b`: Plonky3's generator is Winterfell's `ω^K`.
fn exponent(size: usize) -> usize {
    let bits = size.trailing_zeros();
    let theirs = Goldilocks::two_adic_generator(bits as usize).as_canonical_u64();
    dlog(Felt::new(theirs), Felt::get_root_of_unity(bits), bits) as usize
}

/// The `K < 2^bits` with `w^K = g`, for `w` of order `2^bits` and `g` in its group
/// (Pohlig–Hellman: one bit of `K` per step, from the lowest).
fn dlog(g: Felt, w: Felt, bits: u32) -> u64 {
    let mut k = 0u64;
    for i in 0..bits {
        let rest = g * w.exp(k).inv();
        let probe = rest.exp(1u64 << (bits - 1 - i));
        if probe != Felt::ONE {
            k |= 1 << i;
        }
    }
    k
}

/// Plonky3's input for columns `block`: its row `i` is Winterfell's trace row `k·i mod n`.
fn gather(main: &ColMatrix<Felt>, block: Range<usize>, k: usize) -> RowMajorMatrix<Goldilocks> {
    let n = main.num_rows();
    let cols: Vec<&[Felt]> = block.map(|c| main.get_column(c)).collect();
    let width = cols.len().max(1);
    let mut values = vec![Goldilocks::ZERO; n * width];
    values
        .par_chunks_mut(ROWS_PER_TASK * width)
        .enumerate()
        .for_each(|(task, chunk)| {
            for (j, row) in chunk.chunks_mut(width).enumerate() {
                let src = (k * (task * ROWS_PER_TASK + j)) % n;
                for (cell, col) in row.iter_mut().zip(&cols) {
                    *cell = Goldilocks::from_u64(col[src].as_int());
                }
            }
        });
    RowMajorMatrix::new(values, width)
}

/// The coefficients, column by column, as Winterfell elements.
fn columns(coeffs: &RowMajorMatrix<Goldilocks>, n: usize, width: usize) -> Vec<Vec<Felt>> {
    (0..width)
        .into_par_iter()
        .map(|c| {
            let column = coeffs.values[c..].iter().step_by(width).take(n);
            column.map(|v| Felt::new(v.as_canonical_u64())).collect()
        })
        .collect()
}

/// Writes one block's LDE into columns `block` of Winterfell's rows (`lde`, `width` wide) from
/// Plonky3's bit-reversed rows (`raw[bitrev(i)]` is its evaluation `i`): Winterfell's row `j` is
/// Plonky3's evaluation `j·k⁻¹ mod N`.
fn scatter(raw: &[Goldilocks], lde: &mut [Felt], (width, block): (usize, Range<usize>), k: usize) {
    let big = lde.len() / width.max(1);
    let bits = big.trailing_zeros();
    let inv = inverse_mod_pow2(k as u64, bits) as usize;
    let (mask, bw) = (big - 1, block.len());
    lde.par_chunks_mut(ROWS_PER_TASK * width.max(1))
        .enumerate()
        .for_each(|(task, chunk)| {
            for (r, row) in chunk.chunks_mut(width.max(1)).enumerate() {
                let j = task * ROWS_PER_TASK + r;
                let at = reverse_bits(j.wrapping_mul(inv) & mask, bits) * bw;
                let cells = &mut row[block.clone()];
                for (cell, v) in cells.iter_mut().zip(&raw[at..at + bw]) {
                    *cell = Felt::new(v.as_canonical_u64());
                }
            }
        });
}

/// `i` with its low `bits` bits reversed.
fn reverse_bits(i: usize, bits: u32) -> usize {
    match bits {
        0 => 0,
        _ => i.reverse_bits() >> (usize::BITS - bits),
    }
}

/// The inverse of odd `k` modulo `2^bits` (Newton's iteration doubles the correct bits).
fn inverse_mod_pow2(k: u64, bits: u32) -> u64 {
    let mut x = 1u64;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(k.wrapping_mul(x)));
    }
    match bits {
        64 => x,
        _ => x & ((1u64 << bits) - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use winterfell::matrix::RowMatrix;
    use winterfell::StarkDomain;

    fn trace(n: usize, width: usize) -> ColMatrix<Felt> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let cols = (0..width)
            .map(|_| {
                (0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        Felt::new(x)
                    })
                    .collect()
            })
            .collect();
        ColMatrix::new(cols)
    }

    /// The coefficients and every LDE row equal Winterfell's, for several sizes and widths.
    #[test]
    fn matches_winterfell() {
        for (n, width) in [(8, 1), (64, 3), (256, 17), (1024, 5), (128, 40)] {
            let main = trace(n, width);
            let polys = main.interpolate_columns();
            let domain_offset = Felt::GENERATOR;
            let ours = extend(&main, 8, domain_offset);
            for c in 0..width {
                assert_eq!(
                    ours.polys.get_column(c),
                    polys.get_column(c),
                    "n {n} column {c}"
                );
            }
            let theirs = RowMatrix::evaluate_polys::<8>(&polys, 8);
            for r in 0..n * 8 {
                assert_eq!(
                    &ours.lde[r * width..(r + 1) * width],
                    theirs.row(r),
                    "n {n} row {r}"
                );
            }
        }
    }

    /// The trace LDE commits both segments to Winterfell's roots, and opens the same rows.
    #[test]
    fn commits_like_winterfell() {
        use winter_math::fields::QuadExtension;
        use winterfell::{DefaultTraceLde, PartitionOptions, TraceInfo, TraceLde};
        use zkm_verifier::hash::Short;
        type E = QuadExtension<Felt>;
        let (n, width) = (256, 9);
        let main = trace(n, width);
        let base = trace(n, 4);
        let pair = |c: usize| -> Vec<E> {
            let (a, b) = (base.get_column(2 * c), base.get_column(2 * c + 1));
            a.iter().zip(b).map(|(&x, &y)| E::new(x, y)).collect()
        };
        let aux = ColMatrix::new(vec![pair(0), pair(1)]);
        let info = TraceInfo::new_multi_segment(width, 2, 1, n, vec![]);
        let twiddles = winter_math::fft::get_twiddles::<Felt>(n);
        let domain = StarkDomain::from_twiddles(twiddles, 8, Felt::GENERATOR);
        zkm_verifier::salted::with_unsalted(|| {
            let part = PartitionOptions::default();
            let (mut theirs, _) = DefaultTraceLde::<E, Short, zkm_verifier::Commitment<Short>>::new(
                &info, &main, &domain, part,
            );
            let extended = extend(&main, 8, Felt::GENERATOR);
            let mut ours = crate::stark::lde::ZkmTraceLde::<E, Short>::commit_rows(
                &info,
                extended.lde,
                width,
                8,
            );
            assert_eq!(
                ours.get_main_trace_commitment(),
                theirs.get_main_trace_commitment()
            );
            let (our_polys, our_root) = ours.set_aux_trace(&aux, &domain);
            let (their_polys, their_root) = theirs.set_aux_trace(&aux, &domain);
            assert_eq!(our_root, their_root);
            assert_eq!(our_polys.get_column(1), their_polys.get_column(1));
            let positions = [0, 5, 1000, 2047];
            assert_eq!(
                format!("{:?}", ours.query(&positions)),
                format!("{:?}", theirs.query(&positions))
            );
        });
    }

    /// An extension-field segment extends as Winterfell extends it.
    #[test]
    fn extension_columns_match_winterfell() {
        use winter_math::fields::QuadExtension;
        type E = QuadExtension<Felt>;
        let (n, width) = (64, 3);
        let base = trace(n, 2 * width);
        let cols: Vec<Vec<E>> = (0..width)
            .map(|c| {
                let (a, b) = (base.get_column(2 * c), base.get_column(2 * c + 1));
                a.iter().zip(b).map(|(&x, &y)| E::new(x, y)).collect()
            })
            .collect();
        let segment = ColMatrix::new(cols);
        let polys = segment.interpolate_columns();
        let (ours, rows) = extend_ext(&segment, 8, Felt::GENERATOR);
        for c in 0..width {
            assert_eq!(ours.get_column(c), polys.get_column(c), "column {c}");
        }
        let theirs = RowMatrix::evaluate_polys::<8>(&polys, 8);
        for r in 0..n * 8 {
            assert_eq!(rows.row(r), theirs.row(r), "row {r}");
        }
    }

    /// The discrete logarithm and the inverse modulo a power of two are right.
    #[test]
    fn exponents_are_consistent() {
        for bits in [1u32, 3, 12, 20] {
            let k = exponent(1 << bits) as u64;
            assert_eq!(k % 2, 1, "the generator's exponent is odd");
            let w = Felt::get_root_of_unity(bits);
            let theirs = Goldilocks::two_adic_generator(bits as usize).as_canonical_u64();
            assert_eq!(w.exp(k).as_int(), theirs);
            assert_eq!(
                k.wrapping_mul(inverse_mod_pow2(k, bits)) & ((1 << bits) - 1),
                1
            );
        }
    }
}

//! 2-D convolution as a structured linear map, for the public-kernel product check
//! ([`super::PublicProduct`] with a [`Conv`]).
//!
//! Channels first: input `x[ci][h][w]` (`CI × H × W`), kernel `K[co][ci][kh][kw]`, bias `b[co]`,
//! output `z[co][oh][ow]` (`CO × OH × OW`) with `OH = (H + 2·pad − KH) / stride + 1` (and the
//! same for widths):
//!
//! `z[co][oh][ow] = b[co] + Σ_{ci,kh,kw} K[co][ci][kh][kw] · x[ci][oh·stride + kh − pad][ow·stride + kw − pad]`
//!
//! where an index outside the input reads 0 (zero padding). A *sum pool* (`pool`, for
//! `avg_pool2d`) is the same map with `CO = CI`, channel `c` reading channel `c` only, every
//! kernel value 1 and no bias. A *tap* is one term of that sum
//! with both indices inside; the map is linear in `(x, b)`, so the random-combination check of a
//! public matrix applies unchanged with keys `u` over `x`'s elements followed by `b`'s:
//! `u[in] = Σ_{taps (out, in, k)} γ^out·K[k]` and `u[n + co] = Σ_{out in channel co} γ^out`.

use serde::{Deserialize, Serialize};

use crate::builder::TensorId;
use crate::field::{Felt, FieldElement};

/// The most taps a convolution may have: the verifier visits each once to compute its keys.
pub const MAX_CONV_TAPS: usize = 1 << 28;

/// Shape of a 2-D convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConvGeometry {
    /// Input channels `CI`.
    pub in_channels: usize,
    /// Input height `H` and width `W`.
    pub input: [usize; 2],
    /// Output channels `CO`.
    pub out_channels: usize,
    /// Kernel height `KH` and width `KW`.
    pub kernel: [usize; 2],
    /// Step between windows, in both directions (at least 1).
    pub stride: usize,
    /// Zero rows and columns added on every side.
    pub padding: usize,
    /// A sum pool: output channel `c` reads input channel `c` with every kernel value 1 (no
    /// kernel in the public vector, no bias).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pool: bool,
}

/// A convolution inside a public product check: its shape and the bias tensor it adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conv {
    /// The shape.
    pub geometry: ConvGeometry,
    /// The bias (`[CO]`), received on the rows after the input's; none for a sum pool.
    pub bias: Option<TensorId>,
}

impl Conv {
    /// Rows of `X` after the input's that hold the bias (its output channels; 0 without one).
    pub fn bias_rows(&self) -> usize {
        match self.bias {
            Some(_) => self.geometry.out_channels,
            None => 0,
        }
    }
}

impl ConvGeometry {
    /// Output height and width, or `None` when the (padded) input is smaller than the kernel,
    /// the stride is 0, a size is 0, or the padding is not smaller than the kernel.
    pub fn output(&self) -> Option<[usize; 2]> {
        let [h, w] = self.input;
        let [kh, kw] = self.kernel;
        let sizes = [self.in_channels, self.out_channels, h, w, kh, kw];
        if self.stride == 0 || sizes.contains(&0) || self.padding >= kh.min(kw) {
            return None;
        }
        if self.pool && self.in_channels != self.out_channels {
            return None;
        }
        let side = |len: usize, k: usize| {
            let padded = len.checked_add(self.padding.checked_mul(2)?)?;
            Some(padded.checked_sub(k)? / self.stride + 1)
        };
        Some([side(h, kh)?, side(w, kw)?])
    }

    /// Elements of the input, `CI·H·W`.
    pub fn input_len(&self) -> usize {
        product(&[self.in_channels, self.input[0], self.input[1]])
    }

    /// Elements of the output, `CO·OH·OW` (0 for an invalid shape).
    pub fn output_len(&self) -> usize {
        self.output()
            .map_or(0, |[oh, ow]| product(&[self.out_channels, oh, ow]))
    }

    /// Elements of the kernel, `CO·CI·KH·KW` (0 for a sum pool, whose kernel is implicit).
    pub fn kernel_len(&self) -> usize {
        if self.pool {
            return 0;
        }
        product(&[
            self.out_channels,
            self.in_channels,
            self.kernel[0],
            self.kernel[1],
        ])
    }

    /// Multiply-accumulates counted as if padding were real input, `output_len · CI·KH·KW`
    /// (`output_len · KH·KW` for a sum pool; saturating): an upper bound on the taps.
    pub fn macs(&self) -> usize {
        let channels = if self.pool { 1 } else { self.in_channels };
        let per_output = product(&[channels, self.kernel[0], self.kernel[1]]);
        self.output_len().saturating_mul(per_output)
    }

    /// Calls `f(out, in, k)` for every tap: output element `out`, input element `in`, kernel
    /// element `k` (all row-major indices; `k` is meaningless for a sum pool). Nothing for an
    /// invalid shape.
    pub fn for_each_tap(&self, f: impl FnMut(usize, usize, usize)) {
        self.for_each_tap_of(0..self.out_channels, f);
    }

    /// [`Self::for_each_tap`] restricted to the output channels `channels`.
    pub fn for_each_tap_of(
        &self,
        channels: std::ops::Range<usize>,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        let Some([oh_len, ow_len]) = self.output() else {
            return;
        };
        let ([h_len, w_len], [kh_len, kw_len]) = (self.input, self.kernel);
        let (s, pad) = (self.stride, self.padding);
        for co in channels.start..channels.end.min(self.out_channels) {
            for oh in 0..oh_len {
                for ow in 0..ow_len {
                    let out = (co * oh_len + oh) * ow_len + ow;
                    let channels = match self.pool {
                        true => co..co + 1,
                        false => 0..self.in_channels,
                    };
                    for ci in channels {
                        for kh in 0..kh_len {
                            let Some(h) = (oh * s + kh).checked_sub(pad).filter(|&h| h < h_len)
                            else {
                                continue;
                            };
                            for kw in 0..kw_len {
                                let Some(w) = (ow * s + kw).checked_sub(pad).filter(|&w| w < w_len)
                                else {
                                    continue;
                                };
                                let input = (ci * h_len + h) * w_len + w;
                                let k = ((co * self.in_channels + ci) * kh_len + kh) * kw_len + kw;
                                f(out, input, k);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The convolution of integers: `z = conv(x, kernel) + bias` (exact; an empty bias adds
    /// nothing, and a sum pool ignores `kernel`).
    pub fn apply(&self, x: &[i128], kernel: &[i128], bias: &[i128]) -> Vec<i128> {
        let per_channel = self.output_len() / self.out_channels.max(1);
        let mut z: Vec<i128> = (0..self.output_len())
            .map(|out| bias.get(out / per_channel.max(1)).copied().unwrap_or(0))
            .collect();
        match self.pool {
            true => self.for_each_tap(|out, input, _| z[out] += x[input]),
            false => self.for_each_tap(|out, input, k| z[out] += kernel[k] * x[input]),
        }
        z
    }

    /// The keys of the random-combination check: `u[in] = Σ γ^out·K[k]` over the taps reading
    /// input `in`, then (with a bias) `u[n + co] = Σ γ^out` over channel `co`'s outputs.
    /// `powers[out] = γ^out`; `kernel` holds the public kernel values.
    ///
    /// With `P` positions, `out = co·P + p` and `γ^out = γ^(co·P)·γ^p`, so a convolution's keys
    /// are `u[in] = Σ_(p, t) A_t·γ^p` over output channel 0's taps, with
    /// `A_t = Σ_co γ^(co·P)·K[co][t]`: `CO·T + taps/CO` multiplications instead of one per tap.
    pub fn keys<E: FieldElement<BaseField = Felt>>(
        &self,
        kernel: &[Felt],
        powers: &[E],
        bias: bool,
    ) -> Vec<E> {
        let n = self.input_len();
        let mut u = vec![E::ZERO; n];
        if kernel.len() != self.kernel_len() || powers.len() < self.output_len() {
            return u;
        }
        let positions = self.output_len() / self.out_channels.max(1);
        if self.pool {
            self.for_each_tap(|out, input, _| u[input] += powers[out]);
        } else {
            let taps = self.in_channels * self.kernel[0] * self.kernel[1];
            let a: Vec<E> = (0..taps)
                .map(|t| {
                    let per_channel = kernel[t..].iter().step_by(taps);
                    let channel_powers = powers.iter().step_by(positions.max(1));
                    per_channel
                        .zip(channel_powers)
                        .fold(E::ZERO, |acc, (&k, &g)| acc + g.mul_base(k))
                })
                .collect();
            self.spread(&a, powers, &mut u);
        }
        if !bias {
            return u;
        }
        u.resize(n + self.out_channels, E::ZERO);
        for (co, key) in u[n..].iter_mut().enumerate() {
            let channel = &powers[co * positions..(co + 1) * positions];
            *key = channel.iter().fold(E::ZERO, |acc, &p| acc + p);
        }
        u
    }
}

impl ConvGeometry {
    /// `u[in] += Σ_(p, t reading in) a[t]·γ^p` over output channel 0's positions `p`. With
    /// `p = oh·OW + ow`, `γ^p = G^oh·γ^ow` (`G = γ^OW`) and a tap's row and column apart, so the
    /// sum splits: `R[ci][kh][w] = Σ_kw a[ci][kh][kw]·γ^ow(w, kw)`, then
    /// `u[ci][h][w] = Σ_kh G^oh(h, kh)·R[ci][kh][w]`: `CI·KH·W·(KW + H)` multiplications instead
    /// of one per tap and position.
    fn spread<E: FieldElement<BaseField = Felt>>(&self, a: &[E], powers: &[E], u: &mut [E]) {
        let Some([oh_len, ow_len]) = self.output() else {
            return;
        };
        let ([h_len, w_len], [kh_len, kw_len]) = (self.input, self.kernel);
        // The output index `o` whose window's offset `k` reads input index `i`, if any.
        let (s, pad) = (self.stride, self.padding);
        let reads = |i: usize, k: usize, len: usize| {
            let o = (i + pad).checked_sub(k)?;
            (o % s == 0 && o / s < len).then_some(o / s)
        };
        let mut row = vec![E::ZERO; kh_len * w_len];
        for ci in 0..self.in_channels {
            row.fill(E::ZERO);
            for kh in 0..kh_len {
                for w in 0..w_len {
                    let mut sum = E::ZERO;
                    for kw in 0..kw_len {
                        if let Some(ow) = reads(w, kw, ow_len) {
                            sum += a[(ci * kh_len + kh) * kw_len + kw] * powers[ow];
                        }
                    }
                    row[kh * w_len + w] = sum;
                }
            }
            for h in 0..h_len {
                let keys = &mut u[(ci * h_len + h) * w_len..][..w_len];
                for kh in 0..kh_len {
                    let Some(oh) = reads(h, kh, oh_len) else {
                        continue;
                    };
                    let g = powers[oh * ow_len];
                    for (key, &r) in keys.iter_mut().zip(&row[kh * w_len..][..w_len]) {
                        *key += g * r;
                    }
                }
            }
        }
    }
}

/// The product of `sizes`, saturating (shapes come from untrusted artifacts too).
fn product(sizes: &[usize]) -> usize {
    sizes.iter().fold(1usize, |acc, &s| acc.saturating_mul(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(stride: usize, padding: usize) -> ConvGeometry {
        ConvGeometry {
            in_channels: 2,
            input: [5, 4],
            out_channels: 3,
            kernel: [3, 2],
            stride,
            padding,
            pool: false,
        }
    }

    /// The textbook definition, one output at a time with explicit zero padding.
    #[allow(clippy::needless_range_loop)]
    fn naive(g: &ConvGeometry, x: &[i128], k: &[i128], b: &[i128]) -> Vec<i128> {
        let [oh_len, ow_len] = g.output().unwrap();
        let ([h_len, w_len], [kh_len, kw_len]) = (g.input, g.kernel);
        let mut z = Vec::new();
        for co in 0..g.out_channels {
            for oh in 0..oh_len {
                for ow in 0..ow_len {
                    let mut acc = b[co];
                    for ci in 0..g.in_channels {
                        for kh in 0..kh_len {
                            for kw in 0..kw_len {
                                let h = (oh * g.stride + kh) as isize - g.padding as isize;
                                let w = (ow * g.stride + kw) as isize - g.padding as isize;
                                let inside = (0..h_len as isize).contains(&h)
                                    && (0..w_len as isize).contains(&w);
                                if inside {
                                    let xi = (ci * h_len + h as usize) * w_len + w as usize;
                                    let ki =
                                        ((co * g.in_channels + ci) * kh_len + kh) * kw_len + kw;
                                    acc += k[ki] * x[xi];
                                }
                            }
                        }
                    }
                    z.push(acc);
                }
            }
        }
        z
    }

    #[test]
    fn apply_matches_the_definition_for_strides_and_padding() {
        for (stride, padding) in [(1, 0), (1, 1), (2, 0), (2, 1), (3, 1)] {
            let g = geometry(stride, padding);
            let x: Vec<i128> = (0..g.input_len() as i128).map(|v| v * 7 % 11 - 5).collect();
            let k: Vec<i128> = (0..g.kernel_len() as i128).map(|v| v * 5 % 9 - 4).collect();
            let b = vec![3, -2, 10];
            assert_eq!(
                g.apply(&x, &k, &b),
                naive(&g, &x, &k, &b),
                "{stride} {padding}"
            );
        }
    }

    #[test]
    fn output_sizes_follow_the_formula_and_reject_bad_shapes() {
        assert_eq!(geometry(1, 0).output(), Some([3, 3]));
        assert_eq!(geometry(1, 1).output(), Some([5, 5]));
        assert_eq!(geometry(2, 1).output(), Some([3, 3]));
        assert_eq!(geometry(0, 0).output(), None);
        // Padding as wide as the kernel would add outputs that read only zeros.
        assert_eq!(geometry(1, 2).output(), None);
        let big = ConvGeometry {
            kernel: [6, 2],
            ..geometry(1, 0)
        };
        assert_eq!(big.output(), None);
    }

    #[test]
    fn keys_combine_the_kernel_as_the_product_check_needs() {
        for (stride, padding) in [(1, 0), (1, 1), (2, 0), (2, 1), (3, 1)] {
            keys_combine_the_kernel(geometry(stride, padding));
            let square = ConvGeometry {
                input: [7, 6],
                kernel: [3, 3],
                ..geometry(stride, padding)
            };
            keys_combine_the_kernel(square);
        }
    }

    /// Σ_out γ^out·z[out] must equal Σ_in u[in]·x[in] + Σ_co u[n+co]·b[co].
    fn keys_combine_the_kernel(g: ConvGeometry) {
        use crate::field::{Ext as QuadFelt, ExtensionOf as _};
        let x: Vec<i128> = (0..g.input_len() as i128).map(|v| v % 5 - 2).collect();
        let k: Vec<i128> = (0..g.kernel_len() as i128).map(|v| v % 7 - 3).collect();
        let b: Vec<i128> = (0..g.out_channels as i128).map(|v| 4 - 3 * v).collect();
        let gamma = QuadFelt::new(Felt::new(12345), Felt::new(678));
        let powers: Vec<QuadFelt> =
            std::iter::successors(Some(QuadFelt::ONE), |p| Some(*p * gamma))
                .take(g.output_len())
                .collect();
        let felt = crate::field::felt_i128;
        let kernel: Vec<Felt> = k.iter().map(|&v| felt(v)).collect();
        let u = g.keys(&kernel, &powers, true);
        let z = g.apply(&x, &k, &b);
        let lhs = z
            .iter()
            .zip(&powers)
            .fold(QuadFelt::ZERO, |acc, (&zv, &p)| acc + p.mul_base(felt(zv)));
        let inputs = x.iter().chain(&b);
        let rhs = inputs.zip(&u).fold(QuadFelt::ZERO, |acc, (&v, &key)| {
            acc + key.mul_base(felt(v))
        });
        assert_eq!(lhs, rhs, "{g:?}");
    }

    #[test]
    fn a_sum_pool_adds_each_window_of_its_own_channel() {
        let g = ConvGeometry {
            in_channels: 2,
            input: [4, 5],
            out_channels: 2,
            kernel: [2, 2],
            stride: 2,
            padding: 0,
            pool: true,
        };
        assert_eq!(g.output(), Some([2, 2]));
        let x: Vec<i128> = (0..g.input_len() as i128).collect();
        // Channel 0 is 0..20 row-major in rows of 5; the last column is in no window.
        let z = g.apply(&x, &[], &[]);
        assert_eq!(z, vec![12, 20, 52, 60, 92, 100, 132, 140]);
        assert_eq!(g.kernel_len(), 0);
        assert_eq!(g.macs(), 8 * 4);
    }
}

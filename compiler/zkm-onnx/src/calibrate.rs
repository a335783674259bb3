//! Calibration: the fixed-point type of every tensor, from the weights' magnitudes and the
//! activation ranges — observed on sample inputs (times a safety margin) when there are some,
//! and never wider than the static bound that rules overflow out.
//!
//! - Weights: 8 significant bits, `W = max(8, F)`, `F` the largest (≤ 16) with
//!   `max|w|·2^F ≤ 127`.
//! - Bias: at the scale of its product (`F_x + F_w`, as the language requires), wide enough.
//! - The input: 8 bits when every sample is exact at the 8-bit type's scale (`exact_byte`), else
//!   as an activation.
//! - Activations (input, products, sums): 16 bits, `F` the largest (≤ 16) with
//!   `M·2^F ≤ 2^15 − 1`, where `M` is `min(margin · observed max, static bound)` (the static bound
//!   alone without samples, the input then assumed within ±1).
//! - ReLU, poolings and reshapes keep their input's type; `sigmoid`, `tanh` and `softmax` give
//!   14 fractional bits (the compiler's table rule).

use crate::errors::{self, Problem};
use crate::float;
use crate::graph::{Graph, Op, Source};

/// The factor between the largest observed activation and the largest representable one.
pub const MARGIN: f64 = 2.0;
/// Activation width.
pub const ACT_BITS: u32 = 16;
/// The bound assumed for the input without samples.
pub const ASSUMED_INPUT: f64 = 1.0;
/// Output fractional bits of the table functions.
pub const TABLE_FRAC: u32 = 14;
const MAX_FRAC: u32 = 16;
const MAX_BIAS_BITS: u32 = 48;
const MAX_WEIGHT_BITS: u32 = 16;
const MAX_ACT_BITS: u32 = 24;

/// `fixed<bits, frac>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// Width `W`.
    pub bits: u32,
    /// Fractional bits `F`.
    pub frac: u32,
}

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fixed<{}, {}>", self.bits, self.frac)
    }
}

/// The types of a product's weights and bias.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightTypes {
    /// The weights' type.
    pub w: Fixed,
    /// The bias's type.
    pub b: Fixed,
    /// The largest rounding error of a weight, `max |w − q/2^F|`.
    pub w_error: f64,
}

/// What calibration chose for one tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chosen {
    /// Its type.
    pub ty: Fixed,
    /// The largest magnitude seen on the samples (`None` without samples).
    pub observed: Option<f64>,
    /// The static bound on its magnitude.
    pub bound: f64,
    /// Weight types, for products.
    pub weights: Option<WeightTypes>,
}

/// The types of the whole graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The input.
    pub input: Chosen,
    /// Each layer's output.
    pub layers: Vec<Chosen>,
    /// How many samples were run.
    pub samples: usize,
}

impl Calibration {
    /// The chosen type of `s`.
    pub fn of(&self, s: Source) -> Fixed {
        match s {
            Source::Input => self.input.ty,
            Source::Layer(i) => self.layers[i].ty,
        }
    }
}

/// Calibrates `g` on `samples` (each the input's values, row-major; may be empty).
///
/// # Errors
/// A bias too large for 48 bits at its product's scale.
pub fn calibrate(g: &Graph, samples: &[Vec<f64>]) -> Result<Calibration, Problem> {
    let runs: Vec<Vec<Vec<f64>>> = samples.iter().map(|x| float::run(g, x)).collect();
    let max_of = |s: Source| -> Option<f64> {
        (!samples.is_empty()).then(|| {
            samples
                .iter()
                .zip(&runs)
                .flat_map(|(x, outs)| float::value(s, x, outs).iter().map(|v| v.abs()))
                .fold(0.0, f64::max)
        })
    };
    let input_observed = max_of(Source::Input);
    let input_bound = input_observed.unwrap_or(ASSUMED_INPUT);
    let wide = activation("the input", input_bound * MARGIN)?;
    let input = Chosen {
        ty: exact_byte(samples, input_bound * MARGIN).unwrap_or(wide),
        observed: input_observed,
        bound: input_bound * MARGIN,
        weights: None,
    };
    let mut cal = Calibration {
        input,
        layers: Vec::new(),
        samples: samples.len(),
    };
    for (i, layer) in g.layers.iter().enumerate() {
        let bound_in = |k: usize| match layer.args[k] {
            Source::Input => cal.input.bound,
            Source::Layer(j) => cal.layers[j].bound,
        };
        let observed = max_of(Source::Layer(i));
        let budget = |bound: f64| observed.map_or(bound, |o| (o * MARGIN).min(bound));
        let ty_in = cal.of(layer.args[0]);
        let chosen = match &layer.op {
            Op::Dense { w, b } => {
                let n = b.len();
                let bound = (0..n)
                    .map(|j| {
                        (0..w.shape[0])
                            .map(|r| w.data[r * n + j].abs())
                            .sum::<f64>()
                            * bound_in(0)
                            + b[j].abs()
                    })
                    .fold(0.0, f64::max);
                product(&layer.name, bound, budget(bound), ty_in, &w.data, b)?
            }
            Op::Conv { k, b, .. } => {
                let per = k.data.len() / b.len().max(1);
                let bound = (0..b.len())
                    .map(|c| {
                        k.data[c * per..(c + 1) * per]
                            .iter()
                            .map(|v| v.abs())
                            .sum::<f64>()
                            * bound_in(0)
                            + b[c].abs()
                    })
                    .fold(0.0, f64::max);
                product(&layer.name, bound, budget(bound), ty_in, &k.data, b)?
            }
            Op::Add => {
                let bound = bound_in(0) + bound_in(1);
                plain(activation(&layer.name, budget(bound))?, bound)
            }
            Op::Sigmoid | Op::Tanh | Op::Softmax => plain(
                Fixed {
                    bits: ACT_BITS,
                    frac: TABLE_FRAC,
                },
                1.0,
            ),
            Op::Relu | Op::MaxPool(_) | Op::AvgPool(_) | Op::Reshape => plain(ty_in, bound_in(0)),
        };
        cal.layers.push(Chosen { observed, ..chosen });
    }
    Ok(cal)
}

fn plain(ty: Fixed, bound: f64) -> Chosen {
    Chosen {
        ty,
        observed: None,
        bound,
        weights: None,
    }
}

fn product(
    name: &str,
    bound: f64,
    budget: f64,
    x: Fixed,
    w: &[f64],
    b: &[f64],
) -> Result<Chosen, Problem> {
    let max_w = w.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    let wf = frac_for(max_w, 8);
    let wt = Fixed {
        bits: 8.max(wf).max(bits_for(max_w * 2f64.powi(wf as i32))),
        frac: wf,
    };
    if wt.bits > MAX_WEIGHT_BITS {
        return Err(errors::graph(format!(
            "the weights of `{name}` reach {max_w:.3e}, beyond a {MAX_WEIGHT_BITS}-bit fixed-point type"
        )));
    }
    let w_error = w
        .iter()
        .map(|v| (v - quantize(*v, wf)).abs())
        .fold(0.0, f64::max);
    let bf = x.frac + wf;
    let max_b = b.iter().fold(0.0, |m: f64, v| m.max(v.abs())) * 2f64.powi(bf as i32);
    let needed = bits_for(max_b);
    let bits = needed.max(bf).max(16).saturating_add(7) / 8 * 8;
    if bits > MAX_BIAS_BITS {
        return Err(errors::graph(format!(
            "the bias of `{name}` needs {needed} bits at its product's scale 2^-{bf} (at most {MAX_BIAS_BITS})"
        )));
    }
    Ok(Chosen {
        ty: activation(name, budget)?,
        observed: None,
        bound,
        weights: Some(WeightTypes {
            w: wt,
            b: Fixed { bits, frac: bf },
            w_error,
        }),
    })
}

/// An 8-bit input type when every sample value is a multiple of `2^-F` for an `F` at which
/// magnitudes up to `m` still fit 8 bits (pixel intensities `k/16`, say): the input is then
/// quantized exactly, and its range check needs one 8-bit limb instead of two.
fn exact_byte(samples: &[Vec<f64>], m: f64) -> Option<Fixed> {
    let frac = frac_for(m, 8);
    let exact = |v: f64| (v * 2f64.powi(frac as i32)).fract() == 0.0;
    let all_exact = !samples.is_empty() && samples.iter().flatten().all(|&v| exact(v));
    (all_exact && frac <= 8).then_some(Fixed { bits: 8, frac })
}

/// A 16-bit activation type holding magnitudes up to `m` (wider, up to 24 bits, when even no
/// fractional bits would fit).
fn activation(name: &str, m: f64) -> Result<Fixed, Problem> {
    let frac = frac_for(m, ACT_BITS);
    let bits = ACT_BITS.max(bits_for(m * 2f64.powi(frac as i32)));
    if bits > MAX_ACT_BITS {
        return Err(errors::graph(format!(
            "`{name}` may reach {m:.3e}, beyond what a {MAX_ACT_BITS}-bit fixed-point type holds; give --calibrate data, or scale the model's inputs or weights"
        )));
    }
    Ok(Fixed { bits, frac })
}

/// The signed width holding integer codes up to `m` in magnitude.
fn bits_for(m: f64) -> u32 {
    match m.ceil() {
        c if c.is_finite() && c < 2f64.powi(62) => 64 - (c as u64).leading_zeros() + 1,
        _ => u32::MAX,
    }
}

/// The largest `F ≤ 16` with `m·2^F ≤ 2^(bits−1) − 1`.
pub fn frac_for(m: f64, bits: u32) -> u32 {
    let top = f64::from((1u32 << (bits - 1)) - 1);
    (0..=MAX_FRAC)
        .rev()
        .find(|&f| m * 2f64.powi(f as i32) <= top)
        .unwrap_or(0)
}

/// `v` rounded to `F` fractional bits as the runtime does (`floor(v·2^F + 1/2)`).
pub fn quantize(v: f64, frac: u32) -> f64 {
    let s = 2f64.powi(frac as i32);
    (v * s + 0.5).floor() / s
}

#[cfg(test)]
mod tests {
    use super::frac_for;

    #[test]
    fn fractional_bits_fit_the_magnitude() {
        assert_eq!(frac_for(2.0, 16), 13);
        assert_eq!(frac_for(1.0, 8), 6);
        assert_eq!(frac_for(0.9, 8), 7);
        assert_eq!(frac_for(0.05, 8), 11);
        assert_eq!(frac_for(0.0, 16), 16);
        assert_eq!(frac_for(1e9, 16), 0);
    }

    #[test]
    fn widths_hold_the_codes() {
        use super::bits_for;
        assert_eq!(bits_for(127.0), 8);
        assert_eq!(bits_for(128.0), 9);
        assert_eq!(bits_for(0.0), 1);
        assert_eq!(bits_for(f64::INFINITY), u32::MAX);
    }
}

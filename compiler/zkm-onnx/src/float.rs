//! The imported graph evaluated in `f64`: the float reference that calibration measures
//! activation ranges on.

use crate::graph::{Graph, Op, Source};

/// Every layer's output for one input sample (row-major, batch removed).
pub fn run(g: &Graph, x: &[f64]) -> Vec<Vec<f64>> {
    let mut outs: Vec<Vec<f64>> = Vec::with_capacity(g.layers.len());
    for layer in &g.layers {
        let arg = |k: usize| -> &[f64] {
            match layer.args[k] {
                Source::Input => x,
                Source::Layer(i) => &outs[i],
            }
        };
        let shape_in = g.shape(layer.args[0]);
        let y = match &layer.op {
            Op::Dense { w, b } => dense(arg(0), &w.data, b),
            Op::Conv { k, b, stride, pad } => {
                conv(arg(0), shape_in, &k.data, &k.shape, b, (*stride, *pad))
            }
            Op::Relu => arg(0).iter().map(|v| v.max(0.0)).collect(),
            Op::Sigmoid => arg(0).iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
            Op::Tanh => arg(0).iter().map(|v| v.tanh()).collect(),
            Op::Softmax => softmax(arg(0)),
            Op::MaxPool(k) => pool(arg(0), shape_in, *k, f64::max, f64::NEG_INFINITY, 1.0),
            Op::AvgPool(k) => pool(
                arg(0),
                shape_in,
                *k,
                |a, v| a + v,
                0.0,
                1.0 / (k * k) as f64,
            ),
            Op::Reshape => arg(0).to_vec(),
            Op::Add => arg(0).iter().zip(arg(1)).map(|(a, b)| a + b).collect(),
        };
        outs.push(y);
    }
    outs
}

/// The value of `s` among a sample's layer outputs.
pub fn value<'a>(s: Source, x: &'a [f64], outs: &'a [Vec<f64>]) -> &'a [f64] {
    match s {
        Source::Input => x,
        Source::Layer(i) => &outs[i],
    }
}

fn dense(x: &[f64], w: &[f64], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut y = b.to_vec();
    for (i, xi) in x.iter().enumerate() {
        for (j, yj) in y.iter_mut().enumerate() {
            *yj += xi * w[i * n + j];
        }
    }
    y
}

fn conv(
    x: &[f64],
    xs: &[usize],
    k: &[f64],
    ks: &[usize],
    b: &[f64],
    (stride, pad): (usize, usize),
) -> Vec<f64> {
    let (ci, h, w) = (xs[0], xs[1], xs[2]);
    let (co, kk) = (ks[0], ks[2]);
    let oh = (h + 2 * pad - kk) / stride + 1;
    let ow = (w + 2 * pad - kk) / stride + 1;
    let mut y = vec![0.0; co * oh * ow];
    for o in 0..co {
        for r in 0..oh {
            for c in 0..ow {
                let mut acc = b[o];
                for i in 0..ci {
                    for dr in 0..kk {
                        for dc in 0..kk {
                            let (yy, xx) = (
                                (r * stride + dr) as isize - pad as isize,
                                (c * stride + dc) as isize - pad as isize,
                            );
                            if yy < 0 || xx < 0 || yy as usize >= h || xx as usize >= w {
                                continue;
                            }
                            let xv = x[(i * h + yy as usize) * w + xx as usize];
                            acc += xv * k[((o * ci + i) * kk + dr) * kk + dc];
                        }
                    }
                }
                y[(o * oh + r) * ow + c] = acc;
            }
        }
    }
    y
}

fn pool(
    x: &[f64],
    xs: &[usize],
    k: usize,
    f: impl Fn(f64, f64) -> f64,
    init: f64,
    scale: f64,
) -> Vec<f64> {
    let (ch, h, w) = (xs[0], xs[1], xs[2]);
    let (oh, ow) = (h / k, w / k);
    let mut y = Vec::with_capacity(ch * oh * ow);
    for c in 0..ch {
        for r in 0..oh {
            for q in 0..ow {
                let mut acc = init;
                for dr in 0..k {
                    for dq in 0..k {
                        acc = f(acc, x[(c * h + r * k + dr) * w + q * k + dq]);
                    }
                }
                y.push(acc * scale);
            }
        }
    }
    y
}

fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

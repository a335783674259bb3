//! What `zkmc import` prints: what was kept, folded and left out, and the calibration table
//! (each tensor's type, observed and bounded magnitude, resolution, and the weights' rounding).

use std::fmt::Write as _;

use crate::calibrate::{Calibration, Chosen, MARGIN};
use crate::emit::Names;
use crate::graph::{Graph, Source};
use crate::names::shown;

/// The import summary and the per-tensor calibration table.
pub fn text(g: &Graph, cal: &Calibration, names: &Names) -> String {
    let mut s = String::new();
    let folded: usize = g.layers.iter().map(|l| l.nodes.len() - 1).sum();
    let _ = writeln!(
        s,
        "{} layers from {} nodes ({folded} folded into their products, {} removed as no-ops, {} computed at import)",
        g.layers.len(),
        g.layers.len() + folded + g.removed.len() + g.folded_constants,
        g.removed.len(),
        g.folded_constants
    );
    if !g.dropped_outputs.is_empty() {
        let _ = writeln!(
            s,
            "left out: output{} {} and the {} node{} that only they need",
            plural(g.dropped_outputs.len()),
            quoted(&g.dropped_outputs),
            g.unused_nodes.len(),
            plural(g.unused_nodes.len())
        );
    }
    let how = match cal.samples {
        0 => "static bounds (no --calibrate data; input assumed within ±1)".to_string(),
        n => format!(
            "{n} sample{} with a {MARGIN}× margin, within static bounds",
            plural(n)
        ),
    };
    let _ = writeln!(s, "calibration: {how}");
    if let Some(coarse) = coarsest(g, cal) {
        let _ = writeln!(
            s,
            "note: `{coarse}` gets a step of {}; sample inputs (--calibrate) give tighter ranges and finer steps",
            num(2f64.powi(-(cal.layers.iter().map(|c| c.ty.frac).min().unwrap_or(0) as i32)))
        );
    }
    let _ = writeln!(
        s,
        "  {:<24} {:<18} {:<15} {:>10} {:>10} {:>10}  weights",
        "tensor", "op", "type", "max |v|", "bound", "step"
    );
    row(&mut s, &names.input, "input", &cal.input);
    for (i, layer) in g.layers.iter().enumerate() {
        let name = if Source::Layer(i) == g.output {
            format!("{} → {}", layer.name, names.output)
        } else {
            layer.name.clone()
        };
        row(&mut s, &name, &shown(&layer.nodes[0].0), &cal.layers[i]);
    }
    s
}

/// Without samples, the layer with the fewest fractional bits when that is under 4.
fn coarsest(g: &Graph, cal: &Calibration) -> Option<String> {
    if cal.samples > 0 {
        return None;
    }
    let (i, c) = cal
        .layers
        .iter()
        .enumerate()
        .min_by_key(|(_, c)| c.ty.frac)?;
    (c.ty.frac < 4).then(|| g.layers[i].name.clone())
}

fn row(s: &mut String, name: &str, op: &str, c: &Chosen) {
    let observed = c.observed.map_or("-".into(), num);
    let step = num(2f64.powi(-(c.ty.frac as i32)));
    let weights = c.weights.map_or(String::new(), |w| {
        format!("{} (rounding ≤ {}), bias {}", w.w, num(w.w_error), w.b)
    });
    let _ = writeln!(
        s,
        "  {name:<24} {op:<18} {:<15} {observed:>10} {:>10} {step:>10}  {weights}",
        c.ty.to_string(),
        num(c.bound)
    );
}

fn num(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if (0.01..10000.0).contains(&v.abs()) {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.2e}")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn quoted(v: &[String]) -> String {
    v.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

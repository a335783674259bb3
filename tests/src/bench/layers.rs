//! Cells per multiply-accumulate by layer: for every matrix product and convolution of a model,
//! its multiply-accumulates and the trace cells of the columns it owns (auxiliary columns count
//! twice: they hold F_p² elements), over the whole trace, except a public product's bank
//! columns, of which it owns its region's rows. LogUp helper columns and range-check tables are
//! shared by all gadgets and not counted, so a layer's figure is a floor.

use zkm_air::gadgets::{Gadget, Owned};
use zkm_air::program::Segment;
use zkm_air::Artifact;

/// One layer's cost.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerCost {
    /// The gadget's name (its columns' prefix, e.g. `conv2d5`).
    pub name: String,
    /// The kind of layer: `dense`, `conv`, `private conv`, …
    pub kind: &'static str,
    /// Multiply-accumulates.
    pub macs: u64,
    /// Owned cells, auxiliary ones twice.
    pub cells: u64,
}

impl LayerCost {
    /// Owned cells per multiply-accumulate.
    pub fn cells_per_mac(&self) -> f64 {
        self.cells as f64 / self.macs.max(1) as f64
    }
}

/// The cost of every product and convolution of `artifact`, in gadget order.
pub fn layer_costs(artifact: &Artifact) -> Vec<LayerCost> {
    let p = &artifact.program;
    let rows = p.trace_len as u64;
    let taps = |g: &zkm_air::gadgets::ConvGeometry| {
        let mut n = 0u64;
        g.for_each_tap(|_, _, _| n += 1);
        n
    };
    let mut out = Vec::new();
    for g in &p.gadgets {
        let (kind, macs) = match g {
            Gadget::PublicProduct(q) => match &q.conv {
                Some(c) if c.geometry.pool => continue,
                Some(c) => ("conv, public kernel", taps(&c.geometry)),
                None => ("dense, public weights", (q.n * q.m) as u64),
            },
            Gadget::PrivateProduct(q) => (
                "dense, weights in the trace",
                (q.dims[0] * q.dims[1]) as u64,
            ),
            Gadget::PrivateConv(c) => ("conv, kernel in the trace", taps(&c.geometry)),
            Gadget::Dense(d) => ("dense, weights on the bus", (d.n * d.m) as u64),
            _ => continue,
        };
        let columns = g.columns();
        // A public product owns only its region of its bank's `X` and `U`.
        let height = |c: &Owned| match g {
            Gadget::PublicProduct(q) if in_bank(q, c) => q.region_len() as u64,
            _ => rows,
        };
        let cells = columns.iter().map(|c| match c.segment {
            Segment::Main => height(c),
            Segment::Aux => 2 * height(c),
        });
        let own = columns.iter().find(|c| match g {
            Gadget::PublicProduct(q) => !in_bank(q, c),
            _ => true,
        });
        let name = own.map_or_else(String::new, |c| {
            let col = match c.segment {
                Segment::Main => &p.main_columns[c.column as usize].name,
                Segment::Aux => &p.aux_columns[c.column as usize].name,
            };
            col.split('.').next().unwrap_or(col).to_string()
        });
        out.push(LayerCost {
            name,
            kind,
            macs,
            cells: cells.sum(),
        });
    }
    out
}

/// True when `c` is one of the bank columns (`X`, `U`) that public product `q` shares.
fn in_bank(q: &zkm_air::gadgets::PublicProduct, c: &Owned) -> bool {
    match c.segment {
        Segment::Main => c.column == q.x_col,
        Segment::Aux => c.column == q.aux[0],
    }
}

/// The Markdown table of `costs` for `model` with `weights` visibility.
pub fn table(model: &str, weights: &str, costs: &[LayerCost]) -> String {
    let mut lines = Vec::new();
    for c in costs {
        lines.push(format!(
            "| {model} | {weights} | {} | {} | {} | {} | {:.2} |",
            c.name,
            c.kind,
            c.macs,
            c.cells,
            c.cells_per_mac()
        ));
    }
    lines.join("\n")
}

/// The header of [`table`].
pub const HEADER: &str = "| model | weights | layer | kind | MACs | owned cells | cells/MAC |\n\
                          |---|---|---|---|--:|--:|--:|";

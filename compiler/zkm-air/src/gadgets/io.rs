//! Inputs, parameters and outputs.
//!
//! Public tensors have no columns: the verifier itself sends each public input or parameter
//! element on the bus (once per reader) and receives each public output element, from the public
//! values (see `PublicBusTerm`). Private tensors live in a column — element `i` on row `i` — and
//! private inputs and parameters are range-checked to their declared width:
//! `s·(value + 2^(W−1) − Σ limbs) = 0` with 8-bit limbs.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::program::Direction;
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

use super::contract::{limbs, GadgetOp, Owned};

/// An input or parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// Declared name.
    pub name: String,
    /// The tensor it sends.
    pub tensor: TensorId,
    /// The value column (private tensors only).
    pub value: Option<u16>,
    /// Element count.
    pub len: usize,
    /// Declared width in bits.
    pub bits: u32,
    /// Offset in the public vector, for public tensors.
    pub public: Option<usize>,
    /// Range check (private tensors only).
    pub range: Option<RangeCheck>,
}

impl Store {
    /// Lowers a stored tensor.
    pub fn lower(
        b: &mut AirBuilder,
        name: &str,
        tensor: TensorId,
        bits: u32,
        public: Option<usize>,
    ) -> Self {
        let len = b.tensor_info(tensor).map_or(0, |t| t.len());
        let mut g = Store {
            name: name.to_owned(),
            tensor,
            value: None,
            len,
            bits,
            public,
            range: None,
        };
        if let Some(offset) = public {
            b.public_bus(Direction::Send, tensor, offset, format!("public {name}[i]"));
            return g;
        }
        let value = b.main_col(name.to_owned(), format!("{name}[i] on row i"));
        let s = b.gate(len);
        let (v, row) = (b.cur(value), b.row());
        b.send_tensor(tensor, row, v, s, format!("{name}[i]"));
        let half = b.e().constant(1i128 << (bits - 1));
        let shifted = b.e().add(v, half);
        g.range = Some(b.range_check(&format!("{name}.range"), shifted, bits, s));
        g.value = Some(value);
        g
    }

    /// Copies the supplied values into the column or the public vector.
    fn fill_rows(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let vals = w.input(&self.name, self.len, self.bits)?;
        for (i, &v) in vals.iter().enumerate() {
            if let Some(col) = self.value {
                w.set_int(col, i, v);
            }
            if let Some(off) = self.public {
                w.set_public(off + i, v);
            }
            if let Some(rc) = &self.range {
                rc.fill(w, i, v + (1i128 << (self.bits - 1)));
            }
        }
        w.set_tensor(self.tensor, vals);
        Ok(())
    }
}

/// A model output. Public: the verifier receives each element from the public values. Private:
/// column `out.name` receives element `i` on row `i`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Declared name.
    pub name: String,
    /// The tensor assigned to it.
    pub source: TensorId,
    /// The value column (private outputs only).
    pub value: Option<u16>,
    /// Element count.
    pub len: usize,
    /// Offset in the public vector, for public outputs.
    pub public: Option<usize>,
}

impl Output {
    /// Lowers an output.
    pub fn lower(b: &mut AirBuilder, name: &str, source: TensorId, public: Option<usize>) -> Self {
        let len = b.tensor_info(source).map_or(0, |t| t.len());
        let mut g = Output {
            name: name.to_owned(),
            source,
            value: None,
            len,
            public,
        };
        if let Some(offset) = public {
            b.public_bus(
                Direction::Receive,
                source,
                offset,
                format!("public output {name}[i]"),
            );
            return g;
        }
        let value = b.main_col(format!("out.{name}"), format!("output {name}[i] on row i"));
        let s = b.gate(len);
        let (v, row) = (b.cur(value), b.row());
        let src = b.tensor_name(source);
        b.recv_tensor(source, row, v, s, format!("output {name} reads {src}[i]"));
        g.value = Some(value);
        g
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.source).to_vec();
        for (i, &v) in vals.iter().enumerate() {
            if let Some(col) = self.value {
                w.set_int(col, i, v);
            }
            if let Some(off) = self.public {
                w.set_public(off + i, v);
            }
        }
    }
}

impl GadgetOp for Store {
    fn op(&self) -> &'static str {
        "store"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w)
    }

    fn columns(&self) -> Vec<Owned> {
        let mut cols: Vec<Owned> = self
            .value
            .map(|c| Owned::main(c, "value"))
            .into_iter()
            .collect();
        cols.extend(self.range.iter().flat_map(|r| limbs("range", r)));
        cols
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.tensor]
    }

    fn public_ranges(&self) -> Vec<std::ops::Range<usize>> {
        self.public
            .map(|at| at..at + self.len)
            .into_iter()
            .collect()
    }
}

impl GadgetOp for Output {
    fn op(&self) -> &'static str {
        "output"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        self.value
            .map(|c| Owned::main(c, "value"))
            .into_iter()
            .collect()
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.source]
    }

    fn public_ranges(&self) -> Vec<std::ops::Range<usize>> {
        self.public
            .map(|at| at..at + self.len)
            .into_iter()
            .collect()
    }
}

//! Inputs, parameters and outputs: storing them in columns, pinning public ones to the public
//! input vector, and range-checking private ones to their declared width.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::range::RangeCheck;
use crate::witness::{Witness, WitnessError};

/// An input or parameter: column `value` holds element `i` on row `i`.
///
/// Sends `(x[i], i)` once per reader. Public: `value[i] = public[offset + i]` (assertions).
/// Private: `s·(value + 2^(W−1) − Σ limbs) = 0` with 8-bit limbs, so `value` fits `W` bits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// Declared name.
    pub name: String,
    /// The tensor it sends.
    pub tensor: TensorId,
    /// The value column.
    pub value: u16,
    /// Element count.
    pub len: usize,
    /// Declared width in bits.
    pub bits: u32,
    /// Offset in the public vector, for public tensors.
    pub public: Option<usize>,
    /// Range check, for private and committed tensors.
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
        let value = b.main_col(name.to_owned(), format!("{name}[i] on row i"));
        let sel = b.selector(len);
        let (s, v, row) = (b.cur(sel), b.cur(value), b.row());
        b.send_tensor(tensor, row, v, s, format!("{name}[i]"));
        let range = match public {
            Some(offset) => {
                for i in 0..len {
                    b.assert_public(value, i, offset + i, format!("{name} is public"));
                }
                None
            }
            None => {
                let half = b.e().constant(1i128 << (bits - 1));
                let shifted = b.e().add(v, half);
                Some(b.range_check(&format!("{name}.range"), shifted, bits, s))
            }
        };
        Store {
            name: name.to_owned(),
            tensor,
            value,
            len,
            bits,
            public,
            range,
        }
    }

    /// Copies the supplied values into the column and the public vector.
    pub(crate) fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        let vals = w.input(&self.name, self.len, self.bits)?;
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.value, i, v);
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

/// A model output: column `value` receives element `i` of the assigned tensor on row `i`;
/// public outputs are pinned with `value[i] = public[offset + i]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Declared name.
    pub name: String,
    /// The tensor assigned to it.
    pub source: TensorId,
    /// The value column.
    pub value: u16,
    /// Element count.
    pub len: usize,
    /// Offset in the public vector, for public outputs.
    pub public: Option<usize>,
}

impl Output {
    /// Lowers an output.
    pub fn lower(b: &mut AirBuilder, name: &str, source: TensorId, public: Option<usize>) -> Self {
        let len = b.tensor_info(source).map_or(0, |t| t.len());
        let value = b.main_col(format!("out.{name}"), format!("output {name}[i] on row i"));
        let sel = b.selector(len);
        let (s, v, row) = (b.cur(sel), b.cur(value), b.row());
        let src = b.tensor_name(source);
        b.recv_tensor(source, row, v, s, format!("output {name} reads {src}[i]"));
        if let Some(offset) = public {
            for i in 0..len {
                b.assert_public(value, i, offset + i, format!("output {name} is public"));
            }
        }
        Output {
            name: name.to_owned(),
            source,
            value,
            len,
            public,
        }
    }

    pub(crate) fn fill(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.source).to_vec();
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.value, i, v);
            if let Some(off) = self.public {
                w.set_public(off + i, v);
            }
        }
    }
}

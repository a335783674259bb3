//! Sum of all elements.
//!
//! Column `acc` holds the sum of the elements on earlier rows: `acc[0] = 0` and
//! `acc' − acc − s·v = 0` (degree 2). The last row of the region sends `acc + v`.

use serde::{Deserialize, Serialize};

use crate::builder::{AirBuilder, TensorId};
use crate::witness::{Witness, WitnessError};

use super::contract::{GadgetOp, Owned};

/// Columns of a sum gadget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sum {
    /// Input tensor.
    pub input: TensorId,
    /// Output tensor (one element).
    pub out: TensorId,
    /// Element count of the input.
    pub len: usize,
    /// Received input column.
    pub v_col: u16,
    /// Running sum of earlier rows.
    pub acc: u16,
}

impl Sum {
    /// Lowers `out = sum(input)`.
    pub fn lower(b: &mut AirBuilder, input: TensorId, out: TensorId, name: &str) -> Self {
        let len = b.tensor_info(input).map_or(0, |t| t.len());
        let sel = b.selector(len);
        let s = b.cur(sel);
        let v_col = b.main_col(format!("{name}.in"), "summed element");
        let acc = b.main_col(format!("{name}.acc"), "sum of the elements on earlier rows");
        let (v, a, a_next, row) = (b.cur(v_col), b.cur(acc), b.next(acc), b.row());
        let src = b.tensor_name(input);
        b.recv_tensor(input, row, v, s, format!("{name} reads {src}[i]"));
        let step = b.e().sub(a_next, a);
        let sv = b.e().mul(s, v);
        let c = b.e().sub(step, sv);
        b.constraint(&format!("{name}.accumulate"), c);
        b.assert_const(acc, 0, 0, format!("{name} starts at 0"));
        let last = b.last_row(sel);
        let total = b.e().add(a, v);
        let zero = b.e().constant(0);
        b.send_tensor(out, zero, total, last, format!("{name} result"));
        Sum {
            input,
            out,
            len,
            v_col,
            acc,
        }
    }

    fn fill_rows(&self, w: &mut Witness<'_>) {
        let vals = w.tensor(self.input).to_vec();
        let mut acc = 0i128;
        for (i, &v) in vals.iter().enumerate() {
            w.set_int(self.v_col, i, v);
            w.set_int(self.acc, i, acc);
            acc += v;
        }
        let n = w.program.trace_len;
        for row in vals.len()..n {
            w.set_int(self.acc, row, acc);
        }
        w.set_tensor(self.out, vec![acc]);
    }
}

impl GadgetOp for Sum {
    fn op(&self) -> &'static str {
        "sum"
    }

    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError> {
        self.fill_rows(w);
        Ok(())
    }

    fn columns(&self) -> Vec<Owned> {
        vec![Owned::main(self.v_col, "in"), Owned::main(self.acc, "acc")]
    }

    fn tensors(&self) -> Vec<TensorId> {
        vec![self.input, self.out]
    }
}

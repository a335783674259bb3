//! Witness generation: runs every gadget's fill in order to build the main trace and the public
//! input vector from quantized inputs and parameters.

use std::collections::BTreeMap;

use crate::field::{felt_i128, Felt, FieldElement};
use crate::gadgets::Gadget;
use crate::interp::{Frames, Tape};
use crate::program::{AirProgram, TensorId};

/// Quantized values of the model's inputs and parameters, by declared name, row-major, and the
/// prover's private nonces of committed declarations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Integer codes by tensor name.
    pub values: BTreeMap<String, Vec<i64>>,
    /// The nonce of each committed declaration, by name: a canonical field element (below the
    /// modulus) absorbed after the values, so that the digest hides low-entropy data
    /// (`spec/commitment.md`).
    pub nonces: BTreeMap<String, u64>,
}

/// Why a witness could not be generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WitnessError {
    /// An input or parameter has no values.
    Missing {
        /// Declared name.
        name: String,
    },
    /// An input or parameter has the wrong number of values.
    WrongLength {
        /// Declared name.
        name: String,
        /// Declared element count.
        expected: usize,
        /// Supplied element count.
        got: usize,
    },
    /// A value does not fit its declared type.
    OutOfRange {
        /// Declared name.
        name: String,
        /// Row-major element index.
        index: usize,
        /// The value.
        value: i64,
        /// Declared bit width.
        bits: u32,
    },
    /// The program made a gadget fail: an index outside the trace, the public vector or a
    /// tensor (only an edited artifact can do this; validation refuses the kinds it knows).
    Malformed {
        /// What went wrong, and in which gadget.
        what: String,
    },
    /// A committed declaration has no nonce.
    MissingNonce {
        /// Declared name.
        name: String,
    },
    /// A nonce is not a canonical field element (it is not below the modulus).
    NonCanonicalNonce {
        /// Declared name.
        name: String,
        /// The nonce given.
        value: u64,
    },
}

impl std::fmt::Display for WitnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WitnessError::Missing { name } => write!(f, "no values given for `{name}`"),
            WitnessError::WrongLength {
                name,
                expected,
                got,
            } => {
                write!(f, "`{name}` needs {expected} values but {got} were given")
            }
            WitnessError::OutOfRange {
                name,
                index,
                value,
                bits,
            } => write!(
                f,
                "`{name}`[{index}] = {value} does not fit in {bits} signed bits"
            ),
            WitnessError::Malformed { what } => {
                write!(f, "the compiled program is malformed: {what}")
            }
            WitnessError::MissingNonce { name } => {
                write!(f, "no nonce given for the committed `{name}`")
            }
            WitnessError::NonCanonicalNonce { name, value } => write!(
                f,
                "the nonce {value} of `{name}` is not below the field modulus 2^64 - 2^32 + 1"
            ),
        }
    }
}

/// A filled main trace (column-major) and the public input vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// `main[column][row]`.
    pub main: Vec<Vec<Felt>>,
    /// The public input vector (public inputs, parameters and outputs, in slot order).
    pub public: Vec<Felt>,
    /// The exact integer value of every bus tensor (indexed by [`TensorId::index`]).
    pub tensors: Vec<Vec<i128>>,
}

/// The state of witness generation, handed to each gadget's `fill`.
#[derive(Debug)]
pub struct Witness<'a> {
    /// The program being filled.
    pub program: &'a AirProgram,
    /// The inputs.
    pub inputs: &'a Inputs,
    main: Vec<Vec<Felt>>,
    tensors: Vec<Vec<i128>>,
    public: Vec<Felt>,
    /// The first write outside the trace or the public vector, reported after the gadget.
    fault: Option<String>,
    /// The current gadget's first row (its placement): `set` writes row `offset + row`.
    offset: usize,
}

impl<'a> Witness<'a> {
    /// Writes one main-trace cell: row `row` of the current gadget's region.
    pub fn set(&mut self, col: u16, row: usize, v: Felt) {
        let row = row.saturating_add(self.offset);
        match self.main.get_mut(col as usize).and_then(|c| c.get_mut(row)) {
            Some(cell) => *cell = v,
            None => self.fault(format!(
                "a write to column {col}, row {row}, outside the trace"
            )),
        }
    }

    fn fault(&mut self, what: String) {
        self.fault.get_or_insert(what);
    }

    /// Writes one main-trace cell from a signed integer.
    pub fn set_int(&mut self, col: u16, row: usize, v: i128) {
        self.set(col, row, felt_i128(v));
    }

    /// The values of a tensor computed by an earlier gadget.
    pub fn tensor(&self, id: TensorId) -> &[i128] {
        self.tensors.get(id.index()).map_or(&[], Vec::as_slice)
    }

    /// Stores the values of the tensor produced by the current gadget.
    pub fn set_tensor(&mut self, id: TensorId, values: Vec<i128>) {
        match self.tensors.get_mut(id.index()) {
            Some(t) => *t = values,
            None => self.fault(format!("a write to the missing tensor {id}")),
        }
    }

    /// Writes one element of the public input vector.
    pub fn set_public(&mut self, index: usize, v: i128) {
        match self.public.get_mut(index) {
            Some(cell) => *cell = felt_i128(v),
            None => self.fault(format!(
                "a write to public value {index}, outside the vector"
            )),
        }
    }

    /// The quantized values of input or parameter `name`, checked against its length and width.
    ///
    /// # Errors
    /// When the values are missing, of the wrong length, or out of the declared range.
    pub fn input(&self, name: &str, len: usize, bits: u32) -> Result<Vec<i128>, WitnessError> {
        let vals = self
            .inputs
            .values
            .get(name)
            .ok_or(WitnessError::Missing { name: name.into() })?;
        if vals.len() != len {
            let (expected, got) = (len, vals.len());
            return Err(WitnessError::WrongLength {
                name: name.into(),
                expected,
                got,
            });
        }
        let half = 1i64 << (bits - 1);
        if let Some((index, &value)) = vals
            .iter()
            .enumerate()
            .find(|(_, v)| !(-half..half).contains(*v))
        {
            return Err(WitnessError::OutOfRange {
                name: name.into(),
                index,
                value,
                bits,
            });
        }
        Ok(vals.iter().map(|&v| v as i128).collect())
    }

    /// The nonce of committed declaration `name`.
    ///
    /// # Errors
    /// When it is missing or not below the field modulus.
    pub fn nonce(&self, name: &str) -> Result<Felt, WitnessError> {
        let name = name.to_owned();
        match self.inputs.nonces.get(&name) {
            None => Err(WitnessError::MissingNonce { name }),
            Some(&value) if value >= crate::field::MODULUS => {
                Err(WitnessError::NonCanonicalNonce { name, value })
            }
            Some(&value) => Ok(Felt::new(value)),
        }
    }

    /// Calls `f(row, term index, mult, tag, value)` for every bus term on every row before the
    /// dead row where `mult ≠ 0`.
    pub fn for_each_bus_value(&self, mut f: impl FnMut(usize, usize, Felt, Felt, Felt)) {
        for_each_bus_value(self.program, &self.main, &mut f);
    }
}

/// Evaluates every bus term on every row the LogUp running sum adds up (those before the dead
/// row), calling `f` where `mult ≠ 0`.
pub fn for_each_bus_value(
    program: &AirProgram,
    main: &[Vec<Felt>],
    f: &mut dyn FnMut(usize, usize, Felt, Felt, Felt),
) {
    let (mult_tape, key_tape) = (Tape::bus_mults(program), Tape::bus_keys(program));
    let mut frames = Frames::<Felt>::new(program);
    let mut scratch = Vec::new();
    let mut mults = vec![Felt::ZERO; mult_tape.num_roots()];
    let mut keys = vec![Felt::ZERO; key_tape.num_roots()];
    for row in 0..program.last_row() {
        frames.load(program, main, &[], row);
        mult_tape.eval_env(&frames.env(&[]), &mut scratch, &mut mults);
        if mults.iter().all(|&m| m == Felt::ZERO) {
            continue;
        }
        key_tape.eval_env(&frames.env(&[]), &mut scratch, &mut keys);
        for (i, (&m, k)) in mults.iter().zip(keys.chunks_exact(2)).enumerate() {
            if m != Felt::ZERO {
                f(row, i, m, k[0], k[1]);
            }
        }
    }
}

/// Generates the main trace and public vector of `program` for `inputs`.
///
/// # Errors
/// When an input is missing, has the wrong length, or does not fit its declared type.
pub fn generate(program: &AirProgram, inputs: &Inputs) -> Result<Trace, WitnessError> {
    let n = program.trace_len;
    let mut w = Witness {
        program,
        inputs,
        main: vec![vec![Felt::ZERO; n]; program.main_columns.len()],
        tensors: vec![Vec::new(); program.tensors.len()],
        public: vec![Felt::ZERO; program.public_len],
        fault: None,
        offset: 0,
    };
    crate::globals::fill(program, &mut w.main);
    for (i, g) in program.gadgets.iter().enumerate() {
        w.offset = program.placements.get(i).map_or(0, |&o| o as usize);
        fill_isolated(&mut w, i, g)?;
    }
    w.offset = 0;
    crate::range::fill_table(&mut w);
    if let Some(what) = w.fault.take() {
        return Err(WitnessError::Malformed { what });
    }
    Ok(Trace {
        main: w.main,
        public: w.public,
        tensors: w.tensors,
    })
}

/// Runs one gadget's witness generation. Validation refuses every malformed program it knows
/// of; a gadget that still indexes outside its data on an edited artifact becomes an error
/// naming the gadget instead of a panic (the panic message is not printed).
fn fill_isolated(w: &mut Witness<'_>, i: usize, g: &Gadget) -> Result<(), WitnessError> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.fill(w)));
    std::panic::set_hook(previous);
    let malformed = |what: String| WitnessError::Malformed {
        what: format!("gadget {i} ({}) {what}", g.op_name()),
    };
    match run {
        Ok(Ok(())) => match w.fault.take() {
            Some(what) => Err(malformed(format!("made {what}"))),
            None => Ok(()),
        },
        Ok(Err(e)) => Err(e),
        Err(_) => Err(malformed("failed on data its own fields describe".into())),
    }
}

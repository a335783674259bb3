//! The compiled AIR program: trace layout, constraints, assertions, bus terms, public inputs and
//! the gadgets that generate the witness. This is the one serializable boundary between the
//! compiler and the runtime.

use serde::{Deserialize, Serialize};

use crate::expr::{Degree, ExprArena, ExprId};
use crate::gadgets::Gadget;
pub use crate::types::{DeclKind, NumType, OutputKind, Visibility};

/// A source location, self-contained so that listings need no source files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Loc {
    /// Index into [`AirProgram::files`].
    pub file: u32,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// Identifies a tensor on the bus. Ids start at 1 (tag 0 is the range table's), serialized as
/// that number; [`TensorId::index`] is the tensor's position in [`AirProgram::tensors`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TensorId(std::num::NonZeroU32);

impl TensorId {
    /// The id of the tensor at `index` in [`AirProgram::tensors`].
    pub fn from_index(index: usize) -> Self {
        let id = u32::try_from(index + 1).unwrap_or(u32::MAX);
        TensorId(std::num::NonZeroU32::MIN.saturating_add(id - 1))
    }

    /// The position in [`AirProgram::tensors`].
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    /// The id as a number (1-based).
    pub fn get(self) -> u32 {
        self.0.get()
    }

    /// `id·2^32`: the bus tag of the tensor's element 0.
    pub fn tag_base(self) -> u64 {
        (self.0.get() as u64) << crate::builder::TAG_SHIFT
    }
}

impl std::fmt::Display for TensorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// Which trace segment a column or constraint belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    /// Main segment: base-field columns committed first.
    Main,
    /// Auxiliary segment: extension-field columns built after the random elements are drawn.
    Aux,
}

/// One trace column with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Unique name, e.g. `dense1.acc`.
    pub name: String,
    /// What the column holds, in words.
    pub meaning: String,
    /// The `.zkm` source it came from.
    pub loc: Loc,
}

/// A periodic column: a fixed sequence repeated over the trace (Winterfell's only fixed data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodicColumn {
    /// Name.
    pub name: String,
    /// Values of one period (power-of-two length ≥ 2), canonical field elements.
    pub values: Vec<u64>,
}

/// A transition constraint: `expr = 0` between each row and the next, on every row but the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// Root of the expression that must vanish.
    pub expr: ExprId,
    /// Main constraints read only main columns and periodic values; aux ones may read anything.
    pub segment: Segment,
    /// Exact symbolic degree.
    pub degree: Degree,
    /// Short label, e.g. `relu.sign_boolean`.
    pub label: String,
    /// Index of the gadget that emitted it (in [`AirProgram::gadgets`]); `None` for global ones.
    pub gadget: Option<u32>,
    /// The `.zkm` source it enforces.
    pub loc: Loc,
}

/// The value a boundary assertion pins a cell to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssertValue {
    /// A constant (canonical field element).
    Const(u64),
    /// Element `i` of the public input vector.
    Public(u32),
    /// Minus the sum of the public bus terms' fractions (computed by the verifier from the public
    /// values and the random elements; see [`PublicBusTerm`]).
    PublicBusSum,
    /// The whole column holds the verifier's keys of every public product on it, each on its
    /// own rows, and 0 elsewhere (see `gadgets::PublicProduct`); `g` is the product that pins
    /// it (the first of its bank); the row is ignored.
    ProductKeys(u32),
    /// `−Σ_i γ^i·b_i` for the folded bias of product-check gadget `g` (0 without a bias).
    ProductOffset(u32),
}

/// A boundary assertion: `column[row] = value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assertion {
    /// Segment of the column.
    pub segment: Segment,
    /// Column index within the segment.
    pub column: u16,
    /// Row.
    pub row: u32,
    /// Value.
    pub value: AssertValue,
    /// Label, e.g. `x public value`.
    pub label: String,
    /// Source.
    pub loc: Loc,
}

/// Direction of a bus term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Adds `mult` copies of the tuple to the bus.
    Send,
    /// Removes `mult` copies.
    Receive,
}

/// One term of the LogUp bus: on every row, `mult` copies of the tuple `(tag, value)` are sent
/// or received. Over the whole trace, sends and receives must cancel. Tags name a tensor element
/// (`tensor_id·2^32 + index`) or a lookup table (`0` for the 8-bit range table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusTerm {
    /// Send or receive.
    pub direction: Direction,
    /// Multiplicity (a main-segment expression; 0 on rows where the term is off).
    pub mult: ExprId,
    /// Tag of the tuple.
    pub tag: ExprId,
    /// Value of the tuple.
    pub value: ExprId,
    /// Label, e.g. `relu1 reads h1[i]`.
    pub label: String,
    /// Index of the emitting gadget.
    pub gadget: u32,
    /// Source.
    pub loc: Loc,
}

/// Bus terms whose tuples the verifier supplies itself from public values: element `i` of
/// `tensor` with value `public[offset + i]`, `reads` times, for `i < len`. Public inputs,
/// parameters and outputs reach the trace this way, without columns or assertions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicBusTerm {
    /// Send (public inputs and parameters) or receive (public outputs).
    pub direction: Direction,
    /// The tensor.
    pub tensor: TensorId,
    /// First public element.
    pub offset: u32,
    /// Number of elements.
    pub len: u32,
    /// Multiplicity of each element.
    pub reads: u32,
    /// Label.
    pub label: String,
    /// Source.
    pub loc: Loc,
}

/// What a range of the public input vector holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PublicKind {
    /// Values of a public input.
    Input,
    /// Values of a public parameter.
    Param,
    /// Values of a public output.
    Output,
    /// The 4-element RPO-256 digest of a committed tensor, computed by the commit gadget
    /// (`spec/commitment.md`).
    Commitment,
}

/// A named range of the public input vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSlot {
    /// The declared tensor's name.
    pub name: String,
    /// What it holds.
    pub kind: PublicKind,
    /// Declared shape (empty for scalars and digests).
    pub shape: Vec<usize>,
    /// The values' type.
    pub ty: NumType,
    /// First element in the public vector.
    pub offset: u32,
    /// Number of elements.
    pub len: u32,
    /// Declaration site.
    pub loc: Loc,
}

/// A declared input, parameter or output, as the runtime needs it to load and quantize data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclInfo {
    /// Declared name.
    pub name: String,
    /// Input, parameter or output.
    pub kind: DeclKind,
    /// Public, private or committed.
    pub visibility: Visibility,
    /// Shape.
    pub shape: Vec<usize>,
    /// Element type.
    pub ty: NumType,
    /// How an output reads (`None` for inputs and parameters).
    pub output: Option<OutputKind>,
    /// Declaration site.
    pub loc: Loc,
}

impl DeclInfo {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for an empty tensor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A tensor flowing through the bus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorInfo {
    /// Display name (`x`, `h1`, or `%7` for anonymous intermediates).
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Fractional bits.
    pub frac: u32,
    /// Smallest and largest integer value (static range analysis).
    pub range: (i64, i64),
    /// How many times each element is received over the bus.
    pub reads: u32,
    /// Where it is computed.
    pub loc: Loc,
}

impl TensorInfo {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for an empty tensor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A compiled model: everything the prover and verifier need, and the witness program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AirProgram {
    /// Model name.
    pub name: String,
    /// Source file names referenced by [`Loc::file`].
    pub files: Vec<String>,
    /// Trace length (a power of two ≥ 8).
    pub trace_len: usize,
    /// Main-segment columns.
    pub main_columns: Vec<Column>,
    /// Auxiliary-segment columns (extension field).
    pub aux_columns: Vec<Column>,
    /// Number of auxiliary random elements: `α`, `β` (LogUp) and `γ` (product checks).
    pub num_rand: usize,
    /// Periodic columns.
    pub periodic: Vec<PeriodicColumn>,
    /// All constraint expressions.
    pub exprs: ExprArena,
    /// Transition constraints, main ones first.
    pub constraints: Vec<Constraint>,
    /// Boundary assertions.
    pub assertions: Vec<Assertion>,
    /// Bus and lookup terms, balanced by the LogUp columns in the auxiliary segment.
    pub bus: Vec<BusTerm>,
    /// Bus terms supplied by the verifier from public values.
    pub public_bus: Vec<PublicBusTerm>,
    /// Tensors on the bus, indexed by [`TensorId::index`].
    pub tensors: Vec<TensorInfo>,
    /// Every declared input, parameter and output.
    pub decls: Vec<DeclInfo>,
    /// The public input vector's layout.
    pub public: Vec<PublicSlot>,
    /// Number of elements of the public input vector.
    pub public_len: usize,
    /// The gadgets, in witness-generation order.
    pub gadgets: Vec<Gadget>,
    /// Columns shared by all gadgets (row counter, selectors, range table).
    pub globals: Globals,
    /// The auxiliary layout: for each LogUp helper column, the bus terms it sums.
    pub bus_columns: Vec<Vec<u32>>,
    /// The zero-knowledge layout, when the proof must hide private values (`spec/zk.md`).
    pub zk: Option<crate::zk::ZkLayout>,
    /// The first row of each gadget's region (0 unless stacked on a shared column; see
    /// `stack.rs`), one per gadget; empty means all 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placements: Vec<u32>,
    /// The names stacked gadgets gave their columns (`relu10.out`), with the shared column and
    /// the rows they occupy there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<ColumnAlias>,
}

/// A stacked gadget's name for rows `first_row .. first_row + rows` of a shared main column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnAlias {
    /// The name the gadget gave the column.
    pub name: String,
    /// The shared main column.
    pub column: u16,
    /// The first row of the gadget's region.
    pub first_row: u32,
    /// Rows in the region.
    pub rows: u32,
    /// What the column holds, as the gadget describes it.
    pub meaning: String,
    /// The gadget's source location.
    pub loc: Loc,
    /// The gadget that named the rows (index in [`AirProgram::gadgets`]).
    pub gadget: u32,
}

/// The 8-bit range table's columns: two halves on rows `0..128`, `range8` (value `row mod 128`)
/// with multiplicities `mult` and `range8_hi` (value `128 + row mod 128`) with `mult_hi`, so the
/// table stays clear of the dead row and the random rows of a 256-row trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range8 {
    /// Periodic column `row mod 128`.
    pub periodic: u16,
    /// Multiplicities of `range8`.
    pub mult: u16,
    /// Periodic column `128 + row mod 128`.
    pub periodic_hi: u16,
    /// Multiplicities of `range8_hi`.
    pub mult_hi: u16,
}

/// Columns shared by every gadget.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Globals {
    /// The row counter column: `row[i] = i`.
    pub row: u16,
    /// Region selectors: `(column, length)`; the column is 1 on rows `0..length`, 0 after.
    pub selectors: Vec<(u16, u32)>,
    /// The 8-bit range table, if any lookup uses it.
    pub range8: Option<Range8>,
    /// The LogUp running-sum column in the auxiliary segment.
    pub running_sum: u16,
    /// The first LogUp helper column (helpers are contiguous, one per `bus_columns` entry).
    pub bus_first: u16,
}

impl AirProgram {
    /// Number of main plus auxiliary columns.
    pub fn width(&self) -> usize {
        self.main_columns.len() + self.aux_columns.len()
    }

    /// Winterfell's constraint-evaluation blowup for this program: over its transition
    /// constraints, the smallest power of two (at least 2) at or above `base + periodic factors
    /// − 1` (8 with a commitment's degree-7 rounds, 4 otherwise).
    pub fn ce_blowup(&self) -> usize {
        let bound = |c: &Constraint| {
            let d = c.degree.base as usize + c.degree.cycles.len();
            d.saturating_sub(1).next_power_of_two().max(2)
        };
        self.constraints.iter().map(bound).max().unwrap_or(2)
    }

    /// The main column a gadget named `name` (`relu10.out`) and the row its region starts on:
    /// its own column from row 0, or a shared column from the stacked gadget's first row.
    pub fn find_column(&self, name: &str) -> Option<(u16, usize)> {
        let own = self.main_columns.iter().position(|c| c.name == name);
        let own = own.map(|c| (c as u16, 0));
        let alias = || {
            let a = self.aliases.iter().find(|a| a.name == name)?;
            Some((a.column, a.first_row as usize))
        };
        own.or_else(alias)
    }

    /// The largest degree (in trace columns plus periodic factors) of any constraint.
    pub fn max_degree(&self) -> usize {
        let n = self.trace_len;
        let eval = self
            .constraints
            .iter()
            .map(|c| c.degree.evaluation_degree(n))
            .max();
        eval.unwrap_or(0).div_ceil(n - 1)
    }

    /// The periodic column cycle lengths, in order.
    pub fn periods(&self) -> Vec<u32> {
        self.periodic
            .iter()
            .map(|p| p.values.len() as u32)
            .collect()
    }
}

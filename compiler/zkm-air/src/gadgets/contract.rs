//! The gadget contract: what every operation tells the rest of zkmc about itself, so that no
//! other code needs to know a gadget's shape. A gadget's file implements [`GadgetOp`] (witness
//! fill, auxiliary fill, the columns it owns by role, the tensors and public values it touches)
//! next to its `lower`; one line in `gadgets/mod.rs` registers it in [`super::Gadget`].

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::builder::TensorId;
use crate::field::{Felt, FieldElement};
use crate::program::{AirProgram, Segment};
use crate::witness::{Witness, WitnessError};

/// The widest comparison (sign bit, range check, rounding) any gadget may rely on, in bits: a
/// range check of a Goldilocks element proves an ordering only well below the field's 64 bits.
/// Each gadget states its own width (`Relu::compare_bits`, …) and the lowering refuses more.
pub const MAX_COMPARE_BITS: u32 = 60;

/// A declared tensor a gadget reads directly (not over the bus): its name and width.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclRef {
    /// Declared name.
    pub name: String,
    /// Declared width in bits.
    pub bits: u32,
}

/// A public bias folded into a product check: the declaration and where its values start in the
/// public vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedBias {
    /// The bias declaration.
    pub decl: DeclRef,
    /// Offset of its values in the public vector.
    pub offset: usize,
}

/// A column a gadget owns, with its role inside the gadget (`"sign"`, `"range.limb0"`, …): what
/// listings, validation and the per-role corruption tests address it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owned {
    /// Main or auxiliary segment.
    pub segment: Segment,
    /// Column index in its segment.
    pub column: u16,
    /// Role within the gadget.
    pub role: String,
}

impl Owned {
    /// A main column with a role.
    pub fn main(column: u16, role: impl Into<String>) -> Self {
        let (segment, role) = (Segment::Main, role.into());
        Owned {
            segment,
            column,
            role,
        }
    }

    /// An auxiliary column with a role.
    pub fn aux(column: u16, role: impl Into<String>) -> Self {
        let (segment, role) = (Segment::Aux, role.into());
        Owned {
            segment,
            column,
            role,
        }
    }
}

/// What a gadget's auxiliary fill reads and writes, once the random elements are drawn.
#[derive(Debug)]
pub struct AuxFill<'a, E> {
    /// The program.
    pub program: &'a AirProgram,
    /// The main trace, `main[column][row]`.
    pub main: &'a [Vec<Felt>],
    /// The public vector.
    pub public: &'a [Felt],
    /// The random elements `[α, β, γ]`.
    pub rand: &'a [E],
    /// The auxiliary columns to fill, `aux[column][row]`.
    pub aux: &'a mut [Vec<E>],
}

/// The contract of a gadget (see the module doc). Lowering is each gadget's own `lower`
/// function, called through `AirBuilder::gadget`.
pub trait GadgetOp {
    /// A short name of the operation, as shown in listings.
    fn op(&self) -> &'static str;

    /// Fills the gadget's main columns, its public values and its output tensor.
    ///
    /// # Errors
    /// Missing or out-of-range inputs (only gadgets that read declared data can fail).
    fn fill(&self, w: &mut Witness<'_>) -> Result<(), WitnessError>;

    /// Fills the gadget's auxiliary columns (none by default; the bus columns are filled by
    /// `aux::build`).
    fn fill_aux<E: FieldElement<BaseField = Felt>>(&self, _fill: &mut AuxFill<'_, E>) {}

    /// Every column the gadget owns, with its role.
    fn columns(&self) -> Vec<Owned>;

    /// Every bus tensor it reads or writes.
    fn tensors(&self) -> Vec<TensorId>;

    /// The ranges of the public vector it writes.
    fn public_ranges(&self) -> Vec<Range<usize>> {
        vec![]
    }

    /// For a saturating gadget: its output tensor and how many of its elements hit a bound,
    /// read from a filled trace's tensors (`Trace::tensors`). `None` for every other gadget.
    fn saturated(&self, _tensors: &[Vec<i128>]) -> Option<(TensorId, usize)> {
        None
    }
}

/// The columns of a range check under `role`: `role.limb0`, `role.limb1`, …
pub(crate) fn limbs(role: &str, range: &crate::range::RangeCheck) -> Vec<Owned> {
    let limbs = range.limbs.iter().enumerate();
    limbs
        .map(|(i, &c)| Owned::main(c, format!("{role}.limb{i}")))
        .collect()
}

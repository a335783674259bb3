//! The verifier's side of the program: the one resolution of every boundary assertion to field
//! values from the public vector and the random elements. The checker and the Winterfell adapter
//! both call [`resolve`]; nothing else interprets an [`AssertValue`].

use crate::field::{Felt, FieldElement};
use crate::gadgets::{Gadget, GAMMA};
use crate::program::{AirProgram, AssertValue, Assertion, Direction};

/// What one assertion pins its column to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pinned<E> {
    /// One cell (on the assertion's row).
    Cell(E),
    /// The whole column, row by row.
    Column(Vec<E>),
}

/// The values assertion `a` pins, for public vector `public` and random elements `rand` (empty
/// for main-segment assertions, which never read them).
pub fn resolve<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    a: &Assertion,
    public: &[Felt],
    rand: &[E],
) -> Pinned<E> {
    let public_at = |i: u32| public.get(i as usize).copied().unwrap_or(Felt::ZERO);
    match a.value {
        AssertValue::Const(c) => Pinned::Cell(E::from(Felt::new(c))),
        AssertValue::Public(i) => Pinned::Cell(E::from(public_at(i))),
        AssertValue::PublicBusSum => Pinned::Cell(-public_sum(program, public, rand)),
        AssertValue::ProductOffset(g) => Pinned::Cell(product_offset(program, g, public, rand)),
        AssertValue::ProductKeys(_) => Pinned::Column(crate::gadgets::pinned_column(
            program, a.column, public, rand,
        )),
    }
}

/// The value a product check's `D` column must end at (`−Σ_i γ^i·b_i`, 0 without a bias).
fn product_offset<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    g: u32,
    public: &[Felt],
    rand: &[E],
) -> E {
    match (program.gadgets.get(g as usize), rand.get(GAMMA as usize)) {
        (Some(Gadget::PublicProduct(p)), Some(&gamma)) => p.offset(public, gamma),
        _ => E::ZERO,
    }
}

/// The public bus tuples `(tag, value, signed multiplicity)` the verifier supplies: element `i`
/// of each public term's tensor with value `public[offset + i]`.
pub fn public_tuples(program: &AirProgram, public: &[Felt]) -> Vec<(Felt, Felt, Felt)> {
    let mut out = Vec::new();
    for t in &program.public_bus {
        let base = t.tensor.tag_base();
        let reads = Felt::new(t.reads as u64);
        let m = match t.direction {
            Direction::Send => reads,
            Direction::Receive => -reads,
        };
        for i in 0..t.len as u64 {
            let at = (t.offset as u64 + i) as usize;
            let v = public.get(at).copied().unwrap_or(Felt::ZERO);
            out.push((Felt::new(base + i), v, m));
        }
    }
    out
}

/// The sum of the public bus terms' fractions `σ·reads / (α − (v + β·tag))` for random elements
/// `rand = [α, β, …]`; the LogUp running sum must end at its negation.
pub fn public_sum<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    public: &[Felt],
    rand: &[E],
) -> E {
    let (Some(&alpha), Some(&beta)) = (rand.first(), rand.get(1)) else {
        return E::ZERO;
    };
    let tuples = public_tuples(program, public);
    let denominators: Vec<E> = tuples
        .iter()
        .map(|&(tag, v, _)| alpha - (E::from(v) + beta * E::from(tag)))
        .collect();
    let inverses = winter_math::batch_inversion(&denominators);
    tuples
        .iter()
        .zip(inverses)
        .fold(E::ZERO, |acc, (&(_, _, m), inv)| acc + inv.mul_base(m))
}

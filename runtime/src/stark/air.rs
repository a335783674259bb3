//! The Winterfell `Air` that interprets a compiled [`AirProgram`]. The program travels inside the
//! public inputs; its hash and the public values are what the transcript absorbs, so a proof is
//! bound to exactly one compiled model and one set of public values.

use std::sync::Arc;

use winterfell::math::{ExtensionOf, FieldElement, ToElements};
use winterfell::{
    Air, AirContext, Assertion, AuxRandElements, EvaluationFrame, ProofOptions, TraceInfo,
    TransitionConstraintDegree,
};
use zkm_air::field::Felt;
use zkm_air::program::{AssertValue, Segment};
use zkm_air::AirProgram;

use super::tape::{Leaf, Tape};

/// The public inputs of a proof: the compiled program, and the statement the transcript absorbs.
#[derive(Clone, Debug)]
pub struct PublicInputs {
    /// The compiled program (not absorbed itself: its hash is).
    pub program: Arc<AirProgram>,
    /// The public input vector, laid out as `program.public` describes.
    pub values: Vec<Felt>,
    /// What Fiat–Shamir absorbs: the artifact hash and the public parameters' digest (eight
    /// 32-bit words each), then every public value that is not a parameter.
    pub statement: Vec<Felt>,
}

impl ToElements<Felt> for PublicInputs {
    fn to_elements(&self) -> Vec<Felt> {
        self.statement.clone()
    }
}

/// The interpreted AIR.
pub struct ZkmAir {
    context: AirContext<Felt>,
    inputs: PublicInputs,
    main: Tape,
    aux: Tape,
    periodic: Vec<Vec<Felt>>,
}

impl std::fmt::Debug for ZkmAir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkmAir")
            .field("model", &self.inputs.program.name)
            .finish_non_exhaustive()
    }
}

/// A product check's key column as two sequence assertions (even and odd rows).
fn key_sequences<E: FieldElement<BaseField = Felt>>(
    p: &AirProgram,
    g: u32,
    col: usize,
    values: &[Felt],
    rand: &[E],
) -> Vec<Assertion<E>> {
    let Some(zkm_air::gadgets::Gadget::PublicProduct(gadget)) = p.gadgets.get(g as usize) else {
        return vec![];
    };
    let keys = zkm_air::gadgets::pinned_column(gadget, p.trace_len, values, rand);
    let even = keys.iter().step_by(2).copied().collect();
    let odd = keys.iter().skip(1).step_by(2).copied().collect();
    vec![
        Assertion::sequence(col, 0, 2, even),
        Assertion::sequence(col, 1, 2, odd),
    ]
}

/// Winterfell assertions one program assertion becomes (a key column is two sequences).
fn assertion_count(a: &zkm_air::program::Assertion) -> usize {
    if matches!(a.value, AssertValue::ProductKeys(_)) {
        2
    } else {
        1
    }
}

fn degrees(program: &AirProgram, seg: Segment) -> Vec<TransitionConstraintDegree> {
    let segment = program.constraints.iter().filter(|c| c.segment == seg);
    segment
        .map(|c| {
            let cycles: Vec<usize> = c.degree.cycles.iter().map(|&x| x as usize).collect();
            let base = c.degree.base.max(1) as usize;
            if cycles.is_empty() {
                TransitionConstraintDegree::new(base)
            } else {
                TransitionConstraintDegree::with_cycles(base, cycles)
            }
        })
        .collect()
}

fn roots(program: &AirProgram, seg: Segment) -> Vec<u32> {
    program
        .constraints
        .iter()
        .filter(|c| c.segment == seg)
        .map(|c| c.expr)
        .collect()
}

impl ZkmAir {
    /// The base-field value of a constant or public assertion.
    fn value(&self, v: AssertValue) -> Felt {
        match v {
            AssertValue::Const(c) => Felt::new(c),
            AssertValue::Public(i) => self
                .inputs
                .values
                .get(i as usize)
                .copied()
                .unwrap_or(Felt::ZERO),
            AssertValue::PublicBusSum
            | AssertValue::ProductKeys(_)
            | AssertValue::ProductOffset(_) => Felt::ZERO,
        }
    }
}

impl Air for ZkmAir {
    type BaseField = Felt;
    type PublicInputs = PublicInputs;

    fn new(trace_info: TraceInfo, inputs: PublicInputs, options: ProofOptions) -> Self {
        let p = inputs.program.clone();
        let main_asserts = p
            .assertions
            .iter()
            .filter(|a| a.segment == Segment::Main)
            .count();
        let aux = p.assertions.iter().filter(|a| a.segment == Segment::Aux);
        let aux_asserts = aux.map(assertion_count).sum();
        let context = AirContext::new_multi_segment(
            trace_info,
            degrees(&p, Segment::Main),
            degrees(&p, Segment::Aux),
            main_asserts,
            aux_asserts,
            options,
        );
        let periodic = p
            .periodic
            .iter()
            .map(|c| c.values.iter().map(|&v| Felt::new(v)).collect())
            .collect();
        ZkmAir {
            context,
            main: Tape::new(&p.exprs, &roots(&p, Segment::Main)),
            aux: Tape::new(&p.exprs, &roots(&p, Segment::Aux)),
            periodic,
            inputs,
        }
    }

    fn context(&self) -> &AirContext<Felt> {
        &self.context
    }

    fn evaluate_transition<E: FieldElement<BaseField = Felt>>(
        &self,
        frame: &EvaluationFrame<E>,
        periodic_values: &[E],
        result: &mut [E],
    ) {
        let (cur, next) = (frame.current(), frame.next());
        let leaf = |l: Leaf| match l {
            Leaf::Main(c, false) => cur[c],
            Leaf::Main(c, true) => next[c],
            Leaf::Periodic(i) => periodic_values[i],
            Leaf::Aux(..) | Leaf::Rand(_) => E::ZERO,
        };
        self.main.eval(leaf, result);
    }

    fn evaluate_aux_transition<F, E>(
        &self,
        main_frame: &EvaluationFrame<F>,
        aux_frame: &EvaluationFrame<E>,
        periodic_values: &[F],
        aux_rand_elements: &AuxRandElements<E>,
        result: &mut [E],
    ) where
        F: FieldElement<BaseField = Felt>,
        E: FieldElement<BaseField = Felt> + ExtensionOf<F>,
    {
        let (cur, next) = (main_frame.current(), main_frame.next());
        let (acur, anext) = (aux_frame.current(), aux_frame.next());
        let rand = aux_rand_elements.rand_elements();
        let leaf = |l: Leaf| match l {
            Leaf::Main(c, false) => E::from(cur[c]),
            Leaf::Main(c, true) => E::from(next[c]),
            Leaf::Aux(c, false) => acur[c],
            Leaf::Aux(c, true) => anext[c],
            Leaf::Periodic(i) => E::from(periodic_values[i]),
            Leaf::Rand(i) => rand[i],
        };
        self.aux.eval(leaf, result);
    }

    fn get_assertions(&self) -> Vec<Assertion<Felt>> {
        let p = &self.inputs.program;
        let main = p.assertions.iter().filter(|a| a.segment == Segment::Main);
        main.map(|a| Assertion::single(a.column as usize, a.row as usize, self.value(a.value)))
            .collect()
    }

    fn get_aux_assertions<E: FieldElement<BaseField = Felt>>(
        &self,
        rand: &AuxRandElements<E>,
    ) -> Vec<Assertion<E>> {
        let p = &self.inputs.program;
        let (values, rand) = (&self.inputs.values, rand.rand_elements());
        let mut out = Vec::new();
        for a in p.assertions.iter().filter(|a| a.segment == Segment::Aux) {
            let (col, row) = (a.column as usize, a.row as usize);
            let v = match a.value {
                AssertValue::PublicBusSum => -zkm_air::logup::public_sum(p, values, rand),
                AssertValue::ProductOffset(g) => zkm_air::check::product_offset(p, g, values, rand),
                AssertValue::ProductKeys(g) => {
                    out.extend(key_sequences(p, g, col, values, rand));
                    continue;
                }
                other => E::from(self.value(other)),
            };
            out.push(Assertion::single(col, row, v));
        }
        out
    }

    fn get_periodic_column_values(&self) -> Vec<Vec<Felt>> {
        self.periodic.clone()
    }
}

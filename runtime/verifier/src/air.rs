//! The Winterfell `Air` that interprets a compiled [`AirProgram`] through `zkm-air`'s one
//! interpreter ([`Tape`]) and its one resolution of boundary values ([`resolve`]). The program
//! travels inside the public inputs; its hash and the public values are what the transcript
//! absorbs, so a proof is bound to exactly one compiled model and one set of public values.

use std::sync::Arc;

use winter_air::{
    Air, AirContext, Assertion, AuxRandElements, EvaluationFrame, ProofOptions, TraceInfo,
    TransitionConstraintDegree,
};
use winter_math::{ExtensionOf, FieldElement, ToElements};
use zkm_air::boundary::{resolve, Pinned};
use zkm_air::field::Felt;
use zkm_air::interp::Leaf;
use zkm_air::program::Segment;
use zkm_air::AirProgram;

use crate::prepared::Prepared;

/// The public inputs of a proof: the compiled program (prepared), and the statement the
/// transcript absorbs.
#[derive(Clone, Debug)]
pub struct PublicInputs {
    /// The compiled program with its tapes (not absorbed itself: its hash is).
    pub prepared: Arc<Prepared>,
    /// The public input vector, laid out as `program.public` describes.
    pub values: Vec<Felt>,
    /// What Fiat–Shamir absorbs: the artifact hash and the public parameters' digest (eight
    /// 32-bit words each), then every public value that is not a parameter.
    pub statement: Vec<Felt>,
}

impl PublicInputs {
    /// The compiled program.
    pub fn program(&self) -> &AirProgram {
        &self.prepared.program
    }
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
}

impl std::fmt::Debug for ZkmAir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkmAir")
            .field("model", &self.inputs.program().name)
            .finish_non_exhaustive()
    }
}

/// Winterfell assertions for one program assertion: a single cell, or a pinned column as two
/// sequence assertions (even and odd rows; Winterfell's sequences need a power-of-two stride
/// dividing the trace length and at least two values).
fn to_winterfell<E: FieldElement<BaseField = Felt>>(
    col: usize,
    row: usize,
    pinned: Pinned<E>,
) -> Vec<Assertion<E>> {
    match pinned {
        Pinned::Cell(v) => vec![Assertion::single(col, row, v)],
        Pinned::Column(values) => {
            let even = values.iter().step_by(2).copied().collect();
            let odd = values.iter().skip(1).step_by(2).copied().collect();
            vec![
                Assertion::sequence(col, 0, 2, even),
                Assertion::sequence(col, 1, 2, odd),
            ]
        }
    }
}

/// Winterfell assertions one program assertion becomes.
fn assertion_count(a: &zkm_air::program::Assertion) -> usize {
    match a.value {
        zkm_air::program::AssertValue::ProductKeys(_) => 2,
        _ => 1,
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

impl ZkmAir {
    /// The Winterfell assertions of one segment.
    fn assertions<E: FieldElement<BaseField = Felt>>(
        &self,
        segment: Segment,
        rand: &[E],
    ) -> Vec<Assertion<E>> {
        let p = self.inputs.program();
        let values = &self.inputs.values;
        let own = p.assertions.iter().filter(|a| a.segment == segment);
        own.flat_map(|a| {
            let pinned = resolve(p, a, values, rand);
            to_winterfell(a.column as usize, a.row as usize, pinned)
        })
        .collect()
    }
}

impl Air for ZkmAir {
    type BaseField = Felt;
    type PublicInputs = PublicInputs;

    fn new(trace_info: TraceInfo, inputs: PublicInputs, options: ProofOptions) -> Self {
        let p = inputs.program();
        let count = |seg: Segment| -> usize {
            let own = p.assertions.iter().filter(|a| a.segment == seg);
            own.map(assertion_count).sum()
        };
        let mut context = AirContext::new_multi_segment(
            trace_info,
            degrees(p, Segment::Main),
            degrees(p, Segment::Aux),
            count(Segment::Main),
            count(Segment::Aux),
            options,
        );
        // Zero-knowledge: no transition constraint on the dead row and the random rows.
        if let Some(zk) = &p.zk {
            context = context.set_num_transition_exemptions(zk.exemptions());
        }
        ZkmAir { context, inputs }
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
        let prepared = &self.inputs.prepared;
        let leaf = |l: Leaf| match l {
            Leaf::Main(c, false) => cur[c],
            Leaf::Main(c, true) => next[c],
            Leaf::Periodic(i) => prepared.periodic.value(periodic_values, i),
            Leaf::Aux(..) | Leaf::Rand(_) => E::ZERO,
        };
        // Every leaf of a main constraint is in the main frame's field.
        prepared.main.eval_mixed(leaf, |_| E::ZERO, result);
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
        let prepared = &self.inputs.prepared;
        let base = |l: Leaf| match l {
            Leaf::Main(c, false) => cur[c],
            Leaf::Main(c, true) => next[c],
            Leaf::Periodic(i) => prepared.periodic.value(periodic_values, i),
            Leaf::Aux(..) | Leaf::Rand(_) => F::ZERO,
        };
        let ext = |l: Leaf| match l {
            Leaf::Aux(c, false) => acur[c],
            Leaf::Aux(c, true) => anext[c],
            Leaf::Rand(i) => rand[i],
            Leaf::Main(..) | Leaf::Periodic(_) => E::ZERO,
        };
        prepared.aux.eval_mixed(base, ext, result);
    }

    fn get_assertions(&self) -> Vec<Assertion<Felt>> {
        self.assertions::<Felt>(Segment::Main, &[])
    }

    fn get_aux_assertions<E: FieldElement<BaseField = Felt>>(
        &self,
        rand: &AuxRandElements<E>,
    ) -> Vec<Assertion<E>> {
        self.assertions(Segment::Aux, rand.rand_elements())
    }

    /// The distinct periodic columns (see [`Prepared`]).
    fn get_periodic_column_values(&self) -> Vec<Vec<Felt>> {
        self.inputs.prepared.periodic.columns.clone()
    }

    /// The polynomials of those columns, interpolated once per prepared model instead of once
    /// per proof (Winterfell's default interpolates on every call).
    fn get_periodic_column_polys(&self) -> Vec<Vec<Felt>> {
        self.inputs.prepared.periodic_polys().to_vec()
    }
}

//! The prover's constraint evaluator: the composition polynomial's values over the
//! constraint-evaluation (CE) domain, computed block by block with the lane interpreter
//! ([`Tape::eval_lanes`]) instead of one interpreted row at a time.
//!
//! At CE step `i` (point `x`), with the main and auxiliary frames read from the trace LDE:
//! `H(x) = (Σ_j a_j·C_j(x)) · Π_e (x − e) / (x^n − 1) + Σ_groups (Σ_c b_c·(T_c(x) − v_c(x))) / D_g(x)`,
//! the transition constraints `C_j` with coefficients `a_j` over the transition divisor (`e` the
//! exempted points) and the boundary groups of [`super::boundary`]. These are the field elements
//! Winterfell's default evaluator computes (field arithmetic is exact, the order of the sums does
//! not matter), so proofs are byte-identical; debug builds check that against it on every proof.
//! Blocks run on every prover thread; the values do not depend on the thread count.

use std::sync::Arc;

use rayon::prelude::*;
use winter_air::{Air, AuxRandElements, ConstraintCompositionCoefficients, EvaluationFrame};
use winter_math::{fft, ExtensionOf, FieldElement};
use winterfell::{CompositionPolyTrace, ConstraintEvaluator, StarkDomain, TraceLde};
use zkm_air::field::Felt;
use zkm_air::interp::{LaneScratch, Leaf, LANES};
use zkm_air::program::Segment;
use zkm_verifier::{Prepared, ZkmAir};

use super::boundary::{inverse_numerator, Boundary};

/// CE rows per parallel task (a multiple of [`LANES`]).
const CHUNK: usize = 16 * LANES;

/// Evaluates a [`ZkmAir`]'s constraints over the CE domain.
#[derive(Debug)]
pub struct ZkmEvaluator<'a, E: FieldElement<BaseField = Felt>> {
    air: &'a ZkmAir,
    prepared: Arc<Prepared>,
    aux_rand: Option<AuxRandElements<E>>,
    coefficients: ConstraintCompositionCoefficients<E>,
}

impl<'a, E: FieldElement<BaseField = Felt>> ZkmEvaluator<'a, E> {
    /// An evaluator of `air` (whose program `prepared` holds) with the verifier's random
    /// elements and composition coefficients.
    pub fn new(
        air: &'a ZkmAir,
        prepared: Arc<Prepared>,
        aux_rand: Option<AuxRandElements<E>>,
        coefficients: ConstraintCompositionCoefficients<E>,
    ) -> Self {
        ZkmEvaluator {
            air,
            prepared,
            aux_rand,
            coefficients,
        }
    }
}

/// What every block reads: coefficients, divisor values, periodic values, boundary groups.
struct Shared<'s, E: FieldElement<BaseField = Felt>> {
    prepared: &'s Prepared,
    rand: &'s [E],
    main_coef: Vec<E>,
    aux_coef: Vec<E>,
    exemptions: Vec<Felt>,
    /// `1 / (x^n − 1)` with its period on the CE domain.
    transition_inverse: Vec<Felt>,
    /// The distinct periodic columns' values on the CE domain (each with its own period).
    periodic: Vec<Vec<Felt>>,
    boundary: Boundary<E>,
    has_aux: bool,
}

impl<E> ConstraintEvaluator<E> for ZkmEvaluator<'_, E>
where
    E: FieldElement<BaseField = Felt> + ExtensionOf<Felt>,
{
    type Air = ZkmAir;

    fn evaluate<T: TraceLde<E>>(
        self,
        trace: &T,
        domain: &StarkDomain<Felt>,
    ) -> CompositionPolyTrace<E> {
        let air = self.air;
        let transition = air.get_transition_constraints(&self.coefficients.transition);
        let rand = self
            .aux_rand
            .as_ref()
            .map(|r| r.rand_elements())
            .unwrap_or(&[]);
        let shared = Shared {
            prepared: &self.prepared,
            rand,
            main_coef: transition.main_constraint_coef(),
            aux_coef: transition.aux_constraint_coef(),
            exemptions: transition.divisor().exemptions().to_vec(),
            transition_inverse: inverse_numerator(transition.divisor(), domain),
            periodic: periodic_values(air),
            boundary: Boundary::new(
                air,
                self.aux_rand.as_ref(),
                &self.coefficients.boundary,
                domain,
            ),
            has_aux: air.trace_info().is_multi_segment(),
        };
        let mut values = vec![E::ZERO; domain.ce_domain_size()];
        values
            .par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(k, chunk)| shared.chunk(air, trace, domain, k * CHUNK, chunk));
        #[cfg(debug_assertions)]
        {
            let reference = winterfell::DefaultConstraintEvaluator::new(
                air,
                self.aux_rand.clone(),
                self.coefficients.clone(),
            );
            let expected = reference.evaluate(trace, domain).into_inner();
            assert!(
                expected == values,
                "the lane evaluator disagrees with Winterfell's default constraint evaluator"
            );
        }
        CompositionPolyTrace::new(values)
    }
}

impl<E> Shared<'_, E>
where
    E: FieldElement<BaseField = Felt> + ExtensionOf<Felt>,
{
    /// Fills `out` with the composition values of CE steps `start..start + out.len()`.
    fn chunk<T: TraceLde<E>>(
        &self,
        air: &ZkmAir,
        trace: &T,
        domain: &StarkDomain<Felt>,
        start: usize,
        out: &mut [E],
    ) {
        let info = air.trace_info();
        let mut main: Vec<EvaluationFrame<Felt>> = (0..LANES)
            .map(|_| EvaluationFrame::new(info.main_trace_width()))
            .collect();
        let aux_width = if self.has_aux {
            info.aux_segment_width()
        } else {
            0
        };
        let mut aux: Vec<EvaluationFrame<E>> = (0..LANES)
            .map(|_| EvaluationFrame::new(aux_width))
            .collect();
        let (mut main_scratch, mut aux_scratch) = (LaneScratch::new(), LaneScratch::new());
        let shift = domain.ce_to_lde_blowup().trailing_zeros();
        let mut acc = [E::ZERO; LANES];
        for (b, block) in out.chunks_mut(LANES).enumerate() {
            let step0 = start + b * LANES;
            let n = block.len();
            for l in 0..n {
                trace.read_main_trace_frame_into((step0 + l) << shift, &mut main[l]);
                if self.has_aux {
                    trace.read_aux_trace_frame_into((step0 + l) << shift, &mut aux[l]);
                }
            }
            acc[..n].fill(E::ZERO);
            let base = |leaf: Leaf, dst: &mut [Felt]| self.base_leaf(leaf, &main, step0, dst);
            let tapes = (
                self.prepared.tape(Segment::Main),
                self.prepared.tape(Segment::Aux),
            );
            let no_ext = |_: Leaf, dst: &mut [E]| dst.fill(E::ZERO);
            tapes.0.eval_lanes(
                n,
                base,
                no_ext,
                &self.main_coef,
                &mut acc,
                &mut main_scratch,
            );
            if self.has_aux {
                let ext = |leaf: Leaf, dst: &mut [E]| self.ext_leaf(leaf, &aux, dst);
                tapes
                    .1
                    .eval_lanes(n, base, ext, &self.aux_coef, &mut acc, &mut aux_scratch);
            }
            for (l, slot) in block.iter_mut().enumerate() {
                let step = step0 + l;
                let x = domain.get_ce_x_at(step);
                let kept = self.exemptions.iter().fold(Felt::ONE, |r, &e| r * (x - e));
                let inverse = self.transition_inverse[step % self.transition_inverse.len()];
                let aux_row: &[E] = if self.has_aux { aux[l].current() } else { &[] };
                *slot = acc[l].mul_base(kept * inverse)
                    + self.boundary.eval(main[l].current(), aux_row, x, step);
            }
        }
    }

    /// A main-frame or periodic leaf on the block's rows.
    fn base_leaf(
        &self,
        leaf: Leaf,
        main: &[EvaluationFrame<Felt>],
        step0: usize,
        dst: &mut [Felt],
    ) {
        match leaf {
            Leaf::Main(c, next) => cells(main, c, next, dst),
            Leaf::Periodic(i) => {
                let (j, offset) = self.prepared.periodic_source(i);
                let column = &self.periodic[j];
                for (l, d) in dst.iter_mut().enumerate() {
                    *d = column[(step0 + l) % column.len()] + offset;
                }
            }
            Leaf::Aux(..) | Leaf::Rand(_) => dst.fill(Felt::ZERO),
        }
    }

    /// An auxiliary-frame leaf or a random element on the block's rows.
    fn ext_leaf(&self, leaf: Leaf, aux: &[EvaluationFrame<E>], dst: &mut [E]) {
        match leaf {
            Leaf::Aux(c, next) => cells(aux, c, next, dst),
            Leaf::Rand(i) => dst.fill(self.rand[i]),
            Leaf::Main(..) | Leaf::Periodic(_) => dst.fill(E::ZERO),
        }
    }
}

/// Column `c` of each frame's current row (its next row when `next`) into `dst`, frame by frame.
fn cells<T: FieldElement>(frames: &[EvaluationFrame<T>], c: usize, next: bool, dst: &mut [T]) {
    for (d, f) in dst.iter_mut().zip(frames) {
        *d = if next { f.next()[c] } else { f.current()[c] };
    }
}

/// The distinct periodic columns' values on the CE domain: column `j` of `m` values has the
/// polynomial `p_j`, and its value at CE step `i` is `p_j((offset·g^i)^(n/m))`, which repeats every
/// `m·ce_blowup` steps (as Winterfell's prover tabulates it).
fn periodic_values(air: &ZkmAir) -> Vec<Vec<Felt>> {
    let n = air.trace_length();
    air.get_periodic_column_polys()
        .iter()
        .map(|poly| {
            let cycles = (n / poly.len()) as u64;
            let offset = air.domain_offset().exp(cycles);
            let twiddles = fft::get_twiddles::<Felt>(poly.len());
            fft::evaluate_poly_with_offset(poly, &twiddles, offset, air.ce_blowup_factor())
        })
        .collect()
}

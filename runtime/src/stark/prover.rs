//! The Winterfell prover for compiled programs: a two-segment trace, the LogUp auxiliary segment
//! built by [`zkm_air::aux::build`] (with its random rows and mask columns for zero-knowledge
//! programs), zkmc's constraint evaluator, and Winterfell's LDE and composition over
//! `zkm_verifier::Commitment` with the hash `H`: salted trace and composition trees for
//! zero-knowledge proofs, unsalted trees otherwise.

use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{
    AuxRandElements, CompositionPoly, CompositionPolyTrace, ConstraintCompositionCoefficients,
    DefaultConstraintCommitment, EvaluationFrame, PartitionOptions, ProofOptions, Prover,
    StarkDomain, Trace, TraceInfo, TracePolyTable,
};
use zkm_air::field::Felt;

use super::zk::ZkRng;
use zkm_verifier::hash::ZkmHasher;
pub use zkm_verifier::{Coin, Commitment, Hasher};
use zkm_verifier::{PublicInputs, ZkmAir};

/// A filled main trace with the shape of its auxiliary segment.
#[derive(Debug)]
pub struct ZkmTrace {
    info: TraceInfo,
    main: ColMatrix<Felt>,
}

impl ZkmTrace {
    /// Wraps the main columns of a compiled program's trace.
    pub fn new(program: &zkm_air::AirProgram, main: Vec<Vec<Felt>>) -> Self {
        let info = TraceInfo::new_multi_segment(
            program.main_columns.len(),
            program.aux_columns.len(),
            program.num_rand,
            program.trace_len,
            vec![],
        );
        ZkmTrace {
            info,
            main: ColMatrix::new(main),
        }
    }
}

impl Trace for ZkmTrace {
    type BaseField = Felt;

    fn info(&self) -> &TraceInfo {
        &self.info
    }

    fn main_segment(&self) -> &ColMatrix<Felt> {
        &self.main
    }

    fn read_main_frame(&self, row: usize, frame: &mut EvaluationFrame<Felt>) {
        let next = (row + 1) % self.info.length();
        self.main.read_row_into(row, frame.current_mut());
        self.main.read_row_into(next, frame.next_mut());
    }
}

/// Proves one compiled program with one set of public inputs, committing with
/// `zkm_verifier::Commitment` over the hash `H`.
#[derive(Debug)]
pub struct ZkmProver<H> {
    options: ProofOptions,
    inputs: PublicInputs,
    gpu: Option<super::backend::GpuHandle>,
    /// The zero-knowledge randomness (random rows of the auxiliary segment and masks).
    rng: Option<ZkRng>,
    /// Set when the GPU failed and the CPU took over (the reason).
    fallback: std::sync::Mutex<Option<String>>,
    hash: std::marker::PhantomData<H>,
}

impl<H: ZkmHasher> ZkmProver<H> {
    /// A prover with the given options and public inputs, on the CPU.
    pub fn new(options: ProofOptions, inputs: PublicInputs) -> Self {
        ZkmProver {
            options,
            inputs,
            gpu: None,
            rng: None,
            fallback: std::sync::Mutex::new(None),
            hash: std::marker::PhantomData,
        }
    }

    /// The same prover filling the auxiliary random rows and masks from `rng`.
    pub fn with_rng(mut self, rng: Option<ZkRng>) -> Self {
        self.rng = rng;
        self
    }

    /// The same prover extending and committing the main trace on `gpu`.
    pub fn with_gpu(mut self, gpu: Option<super::backend::GpuHandle>) -> Self {
        self.gpu = gpu;
        self
    }

    /// Why the GPU was abandoned for the CPU during the last proof, if it was.
    pub fn fallback(&self) -> Option<String> {
        self.fallback.lock().ok().and_then(|f| f.clone())
    }
}

impl<H: ZkmHasher> Prover for ZkmProver<H> {
    type BaseField = Felt;
    type Air = ZkmAir;
    type Trace = ZkmTrace;
    type HashFn = H;
    type VC = Commitment<H>;
    type RandomCoin = super::GrindCoin<H>;
    type TraceLde<E: FieldElement<BaseField = Felt>> = super::lde::ZkmTraceLde<E, H>;
    type ConstraintCommitment<E: FieldElement<BaseField = Felt>> =
        DefaultConstraintCommitment<E, H, Commitment<H>>;
    type ConstraintEvaluator<'a, E: FieldElement<BaseField = Felt>> =
        super::evaluator::ZkmEvaluator<'a, E>;

    fn get_pub_inputs(&self, _trace: &ZkmTrace) -> PublicInputs {
        self.inputs.clone()
    }

    fn options(&self) -> &ProofOptions {
        &self.options
    }

    fn new_trace_lde<E: FieldElement<BaseField = Felt>>(
        &self,
        trace_info: &TraceInfo,
        main_trace: &ColMatrix<Felt>,
        domain: &StarkDomain<Felt>,
        partition_option: PartitionOptions,
    ) -> (Self::TraceLde<E>, TracePolyTable<E>) {
        if let Some(gpu) = &self.gpu {
            match super::backend::gpu_trace_lde(gpu, trace_info, main_trace, domain) {
                Ok(done) => return done,
                Err(why) => {
                    if let Ok(mut f) = self.fallback.lock() {
                        *f = Some(why);
                    }
                }
            }
        }
        // zkmc's options never partition rows (the verifier's guard refuses proofs that do).
        debug_assert_eq!(partition_option, PartitionOptions::default());
        let blowup = domain.trace_to_lde_blowup();
        let extended = super::dft::extend(main_trace, blowup, domain.offset());
        let width = main_trace.num_cols();
        let lde = super::lde::ZkmTraceLde::commit_rows(trace_info, extended.lde, width, blowup);
        (lde, TracePolyTable::new(extended.polys))
    }

    fn new_evaluator<'a, E: FieldElement<BaseField = Felt>>(
        &self,
        air: &'a ZkmAir,
        aux_rand_elements: Option<AuxRandElements<E>>,
        composition_coefficients: ConstraintCompositionCoefficients<E>,
    ) -> Self::ConstraintEvaluator<'a, E> {
        let prepared = self.inputs.prepared.clone();
        super::evaluator::ZkmEvaluator::new(
            air,
            prepared,
            aux_rand_elements,
            composition_coefficients,
        )
    }

    fn build_constraint_commitment<E: FieldElement<BaseField = Felt>>(
        &self,
        composition_poly_trace: CompositionPolyTrace<E>,
        num_constraint_composition_columns: usize,
        domain: &StarkDomain<Felt>,
        partition_options: PartitionOptions,
    ) -> (Self::ConstraintCommitment<E>, CompositionPoly<E>) {
        let committed = DefaultConstraintCommitment::new(
            composition_poly_trace,
            num_constraint_composition_columns,
            domain,
            partition_options,
        );
        // Only FRI layers are committed after the composition: they need no salts
        // (`zkm_verifier::salted`).
        if self.rng.is_some() {
            zkm_verifier::salted::unsalted_from_here();
        }
        committed
    }

    fn build_aux_trace<E: FieldElement<BaseField = Felt>>(
        &self,
        trace: &ZkmTrace,
        rand: &AuxRandElements<E>,
    ) -> ColMatrix<E> {
        let main: Vec<Vec<Felt>> = trace.main.columns().map(|c| c.to_vec()).collect();
        let inputs = &self.inputs;
        let program = inputs.program();
        // Helper columns chunk by chunk on every prover thread (the order of the results, and so
        // the bytes, do not depend on the thread count).
        let run = |chunks: Vec<std::ops::Range<usize>>, f: &(dyn Fn(_) -> _ + Sync)| {
            use rayon::prelude::*;
            chunks.into_par_iter().map(f).collect()
        };
        let values = &inputs.values;
        let mut aux = zkm_air::aux::build_with(program, &main, values, rand.rand_elements(), run);
        if let Some(rng) = &self.rng {
            super::zk::randomize_aux(program, &mut aux, rng);
        }
        ColMatrix::new(aux)
    }
}

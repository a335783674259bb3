//! The trace low-degree extension and its commitment. The main segment is extended on the CPU by
//! Plonky3's DFT (`dft.rs`) or on a GPU through `zkm-gpu-kernels` (feature `gpu`), and kept
//! row-major; the auxiliary segment (a few extension-field columns) is extended on the CPU by the
//! same DFT. Both paths produce Winterfell's LDE and Merkle tree bit for bit (salted leaves
//! included), so a proof does not depend on the path. Rows are always hashed whole: zkmc's
//! options never partition them, and the verifier's guard refuses proofs that do.

use rayon::prelude::*;
use winter_air::proof::Queries;
use winterfell::crypto::VectorCommitment;
use winterfell::math::FieldElement;
use winterfell::matrix::ColMatrix;
use winterfell::{EvaluationFrame, StarkDomain, TraceInfo, TraceLde};
use zkm_air::field::Felt;

use zkm_verifier::hash::ZkmHasher;

use super::dft::ExtRows;

/// A digest of the hash `H`.
type Digest<H> = <H as winterfell::crypto::Hasher>::Digest;

/// The commitment of every proof (`zkm_verifier::Commitment`) over the hash `H`.
type Commitment<H> = zkm_verifier::Commitment<H>;

/// The commitment to the rows whose hashes (`leaves`) the GPU computed: salted exactly as the CPU
/// path salts its own (same salt stream, same order), so proofs stay byte-identical across
/// backends; unsalted, with the GPU's internal Merkle nodes.
///
/// # Errors
/// When the GPU's tree is inconsistent or the commitment cannot be built.
fn from_gpu<H: ZkmHasher>(
    leaves: Vec<Digest<H>>,
    nodes: Vec<Digest<H>>,
) -> Result<Commitment<H>, String> {
    match zkm_verifier::salted::is_unsalted() {
        true => Commitment::from_nodes(leaves, nodes)
            .map_err(|e| format!("GPU Merkle tree rejected: {e:?}")),
        false => Commitment::new(leaves).map_err(|e| format!("salted commitment: {e:?}")),
    }
}

/// The commitment to rows of `E`: leaf `r` is the hash of row `r` (as Winterfell commits rows),
/// salted with zero-knowledge. Panics, as Winterfell's own commitment does, when it cannot be
/// built (no salt source where salts are due: a bug of the prover's setup).
fn commit<'a, E, H, I>(rows: I, what: &str) -> Commitment<H>
where
    E: FieldElement<BaseField = Felt> + 'a,
    H: ZkmHasher,
    I: IndexedParallelIterator<Item = &'a [E]>,
{
    let leaves: Vec<Digest<H>> = rows.map(|row| H::hash_elements(row)).collect();
    Commitment::new(leaves).unwrap_or_else(|e| panic!("committing the {what}: {e:?}"))
}

/// The trace LDE of one proof: the main segment row-major (from Plonky3's DFT or the GPU) and the
/// auxiliary segment once it is set.
pub struct ZkmTraceLde<E: FieldElement<BaseField = Felt>, H: ZkmHasher> {
    /// Row-major main LDE: row `r` is `main[r·width .. (r+1)·width]`.
    main: Vec<Felt>,
    width: usize,
    main_tree: Commitment<H>,
    aux: Option<(ExtRows<E>, Commitment<H>)>,
    blowup: usize,
    info: TraceInfo,
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> std::fmt::Debug for ZkmTraceLde<E, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZkmTraceLde")
            .field("width", &self.width)
            .field("blowup", &self.blowup)
            .finish_non_exhaustive()
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> ZkmTraceLde<E, H> {
    /// Builds the main segment from the GPU's column-major LDE and tree.
    ///
    /// # Errors
    /// When the GPU's digests or tree are inconsistent.
    pub fn from_gpu(
        info: &TraceInfo,
        lde: Vec<Vec<Felt>>,
        leaves: Vec<[u8; 32]>,
        nodes: Vec<[u8; 32]>,
        blowup: usize,
    ) -> Result<Self, String> {
        let digests = |v: Vec<[u8; 32]>| -> Result<Vec<Digest<H>>, String> {
            v.iter().map(H::from_gpu).collect()
        };
        let tree = from_gpu(digests(leaves)?, digests(nodes)?)?;
        let (width, rows) = (lde.len(), lde.first().map_or(0, Vec::len));
        let mut main = vec![Felt::ZERO; width * rows];
        for (c, col) in lde.iter().enumerate() {
            for (r, v) in col.iter().enumerate() {
                main[r * width + c] = *v;
            }
        }
        Ok(Self::from_rows(info, main, width, tree, blowup))
    }

    /// Commits a row-major main LDE (`main[r·width .. (r+1)·width]` is row `r`).
    pub fn commit_rows(info: &TraceInfo, main: Vec<Felt>, width: usize, blowup: usize) -> Self {
        let tree = commit::<Felt, H, _>(main.par_chunks(width.max(1)), "main trace");
        Self::from_rows(info, main, width, tree, blowup)
    }

    fn from_rows(
        info: &TraceInfo,
        main: Vec<Felt>,
        width: usize,
        main_tree: Commitment<H>,
        blowup: usize,
    ) -> Self {
        ZkmTraceLde {
            main,
            width,
            main_tree,
            aux: None,
            blowup,
            info: info.clone(),
        }
    }

    fn row(&self, r: usize) -> &[Felt] {
        &self.main[r * self.width..(r + 1) * self.width]
    }

    fn rows(&self) -> usize {
        self.main.len() / self.width.max(1)
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> TraceLde<E> for ZkmTraceLde<E, H> {
    type HashFn = H;
    type VC = Commitment<H>;

    fn get_main_trace_commitment(&self) -> Digest<H> {
        self.main_tree.commitment()
    }

    /// Extends the auxiliary segment with Plonky3's DFT and commits its rows.
    fn set_aux_trace(
        &mut self,
        aux: &ColMatrix<E>,
        domain: &StarkDomain<Felt>,
    ) -> (ColMatrix<E>, Digest<H>) {
        let (polys, rows) = super::dft::extend_ext(aux, self.blowup, domain.offset());
        let tree = commit::<E, H, _>(rows.par_rows(), "aux trace");
        let root = tree.commitment();
        self.aux = Some((rows, tree));
        (polys, root)
    }

    fn read_main_trace_frame_into(&self, step: usize, frame: &mut EvaluationFrame<Felt>) {
        let next = (step + self.blowup) % self.rows();
        frame.current_mut().copy_from_slice(self.row(step));
        frame.next_mut().copy_from_slice(self.row(next));
    }

    fn read_aux_trace_frame_into(&self, step: usize, frame: &mut EvaluationFrame<E>) {
        if let Some((lde, _)) = &self.aux {
            let next = (step + self.blowup) % self.rows();
            frame.current_mut().copy_from_slice(lde.row(step));
            frame.next_mut().copy_from_slice(lde.row(next));
        }
    }

    fn query(&self, positions: &[usize]) -> Vec<Queries> {
        let rows: Vec<Vec<Felt>> = positions.iter().map(|&p| self.row(p).to_vec()).collect();
        let (_, proof) = self
            .main_tree
            .open_many(positions)
            .unwrap_or_else(|e| panic!("opening the main trace tree: {e:?}"));
        let mut out = vec![Queries::new::<H, Felt, Commitment<H>>(proof, rows)];
        if let Some((lde, tree)) = &self.aux {
            let rows: Vec<Vec<E>> = positions.iter().map(|&p| lde.row(p).to_vec()).collect();
            let (_, proof) = tree
                .open_many(positions)
                .unwrap_or_else(|e| panic!("opening the aux trace tree: {e:?}"));
            out.push(Queries::new::<H, E, Commitment<H>>(proof, rows));
        }
        out
    }

    fn trace_len(&self) -> usize {
        self.rows()
    }

    fn blowup(&self) -> usize {
        self.blowup
    }

    fn trace_info(&self) -> &TraceInfo {
        &self.info
    }
}

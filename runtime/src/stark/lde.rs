//! The trace low-degree extension and its commitment. The main segment is extended on the CPU by
//! Plonky3's DFT (`dft.rs`) or on a GPU through `zkm-gpu-kernels` (feature `gpu`), and kept
//! row-major ([`RowsTraceLde`]); Winterfell's default ([`ZkmTraceLde::Cpu`]) remains for a
//! partitioned row hash. All produce the same LDE and the same Merkle tree bit for bit (salted
//! leaves included), so a proof does not depend on the path. The auxiliary segment (a few
//! extension-field columns) is extended as Winterfell does, on the CPU.

use winter_air::proof::Queries;
use winterfell::crypto::VectorCommitment;
use winterfell::math::FieldElement;
use winterfell::matrix::{ColMatrix, RowMatrix};
use winterfell::{
    DefaultTraceLde, EvaluationFrame, PartitionOptions, StarkDomain, TraceInfo, TraceLde,
};
use zkm_air::field::Felt;

use zkm_verifier::hash::ZkmHasher;

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

/// The trace LDE of one proof: Winterfell's default, or a row-major main segment.
pub enum ZkmTraceLde<E: FieldElement<BaseField = Felt>, H: ZkmHasher> {
    /// Winterfell's default (a partitioned row hash).
    Cpu(DefaultTraceLde<E, H, Commitment<H>>),
    /// Main segment extended by Plonky3's DFT or on the GPU.
    Rows(RowsTraceLde<E, H>),
}

/// A main segment whose LDE and Merkle tree were built outside Winterfell (Plonky3's DFT on the
/// CPU, or the GPU); the auxiliary segment is built on the CPU exactly as Winterfell's default
/// does.
pub struct RowsTraceLde<E: FieldElement<BaseField = Felt>, H: ZkmHasher> {
    /// Row-major main LDE: row `r` is `main[r·width .. (r+1)·width]`.
    main: Vec<Felt>,
    width: usize,
    main_tree: Commitment<H>,
    aux: Option<(AuxLde<E>, Commitment<H>)>,
    blowup: usize,
    info: TraceInfo,
    partition: PartitionOptions,
    hash: std::marker::PhantomData<H>,
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> std::fmt::Debug for ZkmTraceLde<E, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ZkmTraceLde::Cpu(_) => "ZkmTraceLde::Cpu",
            ZkmTraceLde::Rows(_) => "ZkmTraceLde::Rows",
        })
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> std::fmt::Debug for RowsTraceLde<E, H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowsTraceLde")
            .field("width", &self.width)
            .field("blowup", &self.blowup)
            .finish_non_exhaustive()
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> RowsTraceLde<E, H> {
    /// Builds the main segment from the GPU's column-major LDE and tree.
    pub fn new(
        info: &TraceInfo,
        lde: Vec<Vec<Felt>>,
        leaves: Vec<[u8; 32]>,
        nodes: Vec<[u8; 32]>,
        blowup: usize,
        partition: PartitionOptions,
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
        Ok(Self::from_rows(info, main, width, tree, blowup, partition))
    }

    /// Commits a row-major main LDE (`main[r·width .. (r+1)·width]` is row `r`) as Winterfell
    /// commits rows: leaf `r` is the hash of row `r`, salted with zero-knowledge.
    ///
    /// # Errors
    /// When the commitment cannot be built.
    pub fn commit_rows(
        info: &TraceInfo,
        main: Vec<Felt>,
        width: usize,
        blowup: usize,
        partition: PartitionOptions,
    ) -> Result<Self, String> {
        use rayon::prelude::*;
        let leaves: Vec<Digest<H>> = main
            .par_chunks(width.max(1))
            .map(|row| <H as winterfell::crypto::ElementHasher>::hash_elements(row))
            .collect();
        let tree = Commitment::new(leaves).map_err(|e| format!("trace commitment: {e:?}"))?;
        Ok(Self::from_rows(info, main, width, tree, blowup, partition))
    }

    fn from_rows(
        info: &TraceInfo,
        main: Vec<Felt>,
        width: usize,
        tree: Commitment<H>,
        blowup: usize,
        partition: PartitionOptions,
    ) -> Self {
        RowsTraceLde {
            main,
            width,
            main_tree: tree,
            aux: None,
            blowup,
            info: info.clone(),
            partition,
            hash: std::marker::PhantomData,
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
        match self {
            ZkmTraceLde::Cpu(l) => l.get_main_trace_commitment(),
            ZkmTraceLde::Rows(g) => g.main_tree.commitment(),
        }
    }

    fn set_aux_trace(
        &mut self,
        aux: &ColMatrix<E>,
        domain: &StarkDomain<Felt>,
    ) -> (ColMatrix<E>, Digest<H>) {
        match self {
            ZkmTraceLde::Cpu(l) => l.set_aux_trace(aux, domain),
            ZkmTraceLde::Rows(g) => g.set_aux(aux, domain),
        }
    }

    fn read_main_trace_frame_into(&self, step: usize, frame: &mut EvaluationFrame<Felt>) {
        match self {
            ZkmTraceLde::Cpu(l) => l.read_main_trace_frame_into(step, frame),
            ZkmTraceLde::Rows(g) => {
                let next = (step + g.blowup) % g.rows();
                frame.current_mut().copy_from_slice(g.row(step));
                frame.next_mut().copy_from_slice(g.row(next));
            }
        }
    }

    fn read_aux_trace_frame_into(&self, step: usize, frame: &mut EvaluationFrame<E>) {
        match self {
            ZkmTraceLde::Cpu(l) => l.read_aux_trace_frame_into(step, frame),
            ZkmTraceLde::Rows(g) => {
                if let Some((lde, _)) = &g.aux {
                    let next = (step + g.blowup) % g.rows();
                    frame.current_mut().copy_from_slice(lde.row(step));
                    frame.next_mut().copy_from_slice(lde.row(next));
                }
            }
        }
    }

    fn query(&self, positions: &[usize]) -> Vec<Queries> {
        match self {
            ZkmTraceLde::Cpu(l) => l.query(positions),
            ZkmTraceLde::Rows(g) => g.query(positions),
        }
    }

    fn trace_len(&self) -> usize {
        match self {
            ZkmTraceLde::Cpu(l) => l.trace_len(),
            ZkmTraceLde::Rows(g) => g.rows(),
        }
    }

    fn blowup(&self) -> usize {
        match self {
            ZkmTraceLde::Cpu(l) => l.blowup(),
            ZkmTraceLde::Rows(g) => g.blowup,
        }
    }

    fn trace_info(&self) -> &TraceInfo {
        match self {
            ZkmTraceLde::Cpu(l) => l.trace_info(),
            ZkmTraceLde::Rows(g) => &g.info,
        }
    }
}

/// The auxiliary segment's LDE: Plonky3's (rows hashed whole), or Winterfell's.
enum AuxLde<E: FieldElement<BaseField = Felt>> {
    Dft(super::dft::ExtRows<E>),
    Winterfell(RowMatrix<E>),
}

impl<E: FieldElement<BaseField = Felt>> AuxLde<E> {
    fn row(&self, r: usize) -> &[E] {
        match self {
            AuxLde::Dft(rows) => rows.row(r),
            AuxLde::Winterfell(m) => m.row(r),
        }
    }
}

impl<E: FieldElement<BaseField = Felt>, H: ZkmHasher> RowsTraceLde<E, H> {
    /// Extends and commits the auxiliary segment (Plonky3's DFT unless rows are hashed in
    /// partitions, as Winterfell does then).
    fn set_aux(
        &mut self,
        aux: &ColMatrix<E>,
        domain: &StarkDomain<Felt>,
    ) -> (ColMatrix<E>, Digest<H>) {
        use rayon::prelude::*;
        let whole = self.partition.partition_size::<E>(aux.num_cols()) >= aux.num_cols();
        let (polys, lde, tree) = match whole {
            true => {
                let (polys, rows) = super::dft::extend_ext(aux, self.blowup, domain.offset());
                let leaves: Vec<Digest<H>> = rows
                    .par_rows()
                    .map(|row| <H as winterfell::crypto::ElementHasher>::hash_elements(row))
                    .collect();
                let tree = Commitment::new(leaves)
                    .unwrap_or_else(|e| panic!("committing the aux trace: {e:?}"));
                (polys, AuxLde::Dft(rows), tree)
            }
            false => {
                let polys = aux.interpolate_columns();
                let lde = RowMatrix::evaluate_polys_over::<8>(&polys, domain);
                let tree: Commitment<H> = lde.commit_to_rows::<H, Commitment<H>>(self.partition);
                (polys, AuxLde::Winterfell(lde), tree)
            }
        };
        let root = tree.commitment();
        self.aux = Some((lde, tree));
        (polys, root)
    }

    fn query(&self, positions: &[usize]) -> Vec<Queries> {
        let rows: Vec<Vec<Felt>> = positions.iter().map(|&p| self.row(p).to_vec()).collect();
        let (_, proof) = self
            .main_tree
            .open_many(positions)
            .unwrap_or_else(|e| panic!("opening the GPU trace tree: {e:?}"));
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
}

//! The salted vector commitment of zero-knowledge proofs: a Merkle tree over
//! `leaf_i = H(item_i ‖ salt_i)` with a fresh uniform 16-byte salt per leaf (128 bits: testing a
//! guess of an unopened leaf's item against its digest takes about 2^128 hashes, above every
//! security level zkmc proves at), the salts of opened leaves travelling in the opening proof.
//! Winterfell's prover and verifier take the commitment as a type parameter (`Prover::VC`,
//! `verify::<…, VC>`), so the stock pipeline commits the trace, the composition columns and every
//! FRI layer with it, unchanged.
//!
//! A revealed digest (a root, a sibling leaf or node on an authentication path) then says nothing
//! about the rows under it, and recomputing a root from a guessed witness never matches.
//!
//! FRI layers need no salt: the DEEP mask makes the whole FRI transcript one a simulator produces
//! exactly (`spec/zk.md` §3.4). The prover calls [`unsalted_from_here`] once the composition is
//! committed, so the FRI trees that follow are plain Merkle trees over their items, and their
//! openings carry no salts (a salt count of 0; [`crate::guard`] requires salts exactly in the
//! trace and composition openings).
//!
//! A proof without zero-knowledge uses the same type with no salts anywhere ([`with_unsalted`]):
//! one vector commitment for every proof, so the verifier is instantiated once per hash.
//!
//! Salts come from a per-thread source the prover installs around one proof
//! ([`with_salt_source`]); building a salted tree without one is an error. Verifying needs none.

use std::cell::{Cell, RefCell};

use winter_crypto::{BatchMerkleProof, Digest as _, MerkleTree, MerkleTreeError, VectorCommitment};
use winter_utils::{ByteReader, ByteWriter, Deserializable, DeserializationError, Serializable};

use crate::hash::ZkmHasher;

/// A digest of the commitment hash `H`.
type Digest<H> = <H as winter_crypto::Hasher>::Digest;

/// Bytes of one salt.
pub const SALT_BYTES: usize = 16;

/// One leaf's salt.
pub type Salt = [u8; SALT_BYTES];

/// Where salts come from: [`SALT_BYTES`] fresh uniform bytes per call.
pub type SaltSource = Box<dyn FnMut() -> Salt>;

thread_local! {
    static SOURCE: RefCell<Option<SaltSource>> = const { RefCell::new(None) };
    static UNSALTED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with `source` providing the salts of every tree built on this thread, and removes
/// it afterwards (also when `f` panics).
pub fn with_salt_source<R>(source: SaltSource, f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            SOURCE.with(|s| s.borrow_mut().take());
            UNSALTED.with(|u| u.set(false));
        }
    }
    SOURCE.with(|s| *s.borrow_mut() = Some(source));
    UNSALTED.with(|u| u.set(false));
    let _reset = Reset;
    f()
}

/// Within [`with_salt_source`], makes every later tree on this thread unsalted (the FRI layers
/// of the proof being made); the next proof starts salted again.
pub fn unsalted_from_here() {
    UNSALTED.with(|u| u.set(true));
}

/// Runs `f` with every tree built on this thread unsalted (a proof without zero-knowledge: its
/// trees are plain Merkle trees, opened with a salt count of 0), and restores salting after.
pub fn with_unsalted<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            UNSALTED.with(|u| u.set(self.0));
        }
    }
    let _reset = Reset(UNSALTED.with(|u| u.replace(true)));
    f()
}

/// Whether trees built on this thread now are unsalted.
pub fn is_unsalted() -> bool {
    UNSALTED.with(Cell::get)
}

/// `count` salts, none for an unsalted tree, or `None` without a source.
fn draw_salts(count: usize) -> Option<Vec<Salt>> {
    if is_unsalted() {
        return Some(Vec::new());
    }
    SOURCE.with(|s| {
        let source = &mut *s.borrow_mut();
        let source = source.as_mut()?;
        Some((0..count).map(|_| source()).collect())
    })
}

/// `H(item ‖ salt)`: the hash of the item's 32 bytes (zero-padded when shorter) and the salt's 16.
fn leaf<H: ZkmHasher>(item: &Digest<H>, salt: &Salt) -> Digest<H> {
    let mut bytes = [0u8; 32 + SALT_BYTES];
    bytes[..32].copy_from_slice(&item.as_bytes());
    bytes[32..].copy_from_slice(salt);
    H::hash(&bytes)
}

/// A Merkle tree of the hash `H` over salted leaves (or, with no salts, over the items).
#[derive(Debug)]
pub struct Salted<H: ZkmHasher> {
    tree: MerkleTree<H>,
    items: Vec<Digest<H>>,
    salts: Vec<Salt>,
}

impl<H: ZkmHasher> Salted<H> {
    /// An unsalted tree from its items and internal nodes in Winterfell's layout (`nodes[1]` the
    /// root), as a GPU computed them.
    ///
    /// # Errors
    /// When the item count is not a power of two of at least 2, or the node count differs from
    /// it. The node values are taken as given (the GPU's kernels are checked against the CPU by
    /// `gpu-kernels/tests/differential.rs`).
    pub fn from_nodes(items: Vec<Digest<H>>, nodes: Vec<Digest<H>>) -> Result<Self, SaltedError> {
        if nodes.len() != items.len() {
            return Err(SaltedError::NodeCount);
        }
        let tree = MerkleTree::from_raw_parts(nodes, items.clone()).map_err(SaltedError::Tree)?;
        let salts = Vec::new();
        Ok(Salted { tree, items, salts })
    }
}

/// Why a salted tree could not be built or opened, or an opening does not verify.
#[derive(Debug)]
pub enum SaltedError {
    /// No salt source is installed on this thread.
    NoSaltSource,
    /// An opening carries a different number of salts than positions.
    SaltCount,
    /// A tree's internal nodes are not as many as its items.
    NodeCount,
    /// The Merkle tree's own error.
    Tree(MerkleTreeError),
}

/// An opening of several leaves: their salts (in position order; none in an unsalted tree) and the
/// batch path.
#[derive(Debug)]
pub struct SaltedProof<H: ZkmHasher> {
    salts: Vec<Salt>,
    paths: BatchMerkleProof<H>,
}

impl<H: ZkmHasher> Serializable for SaltedProof<H> {
    fn write_into<W: ByteWriter>(&self, target: &mut W) {
        target.write_u32(self.salts.len() as u32);
        for s in &self.salts {
            target.write_bytes(s);
        }
        self.paths.write_into(target);
    }
}

impl<H: ZkmHasher> Deserializable for SaltedProof<H> {
    fn read_from<R: ByteReader>(source: &mut R) -> Result<Self, DeserializationError> {
        let count = source.read_u32()? as usize;
        source.check_eor(count.saturating_mul(SALT_BYTES))?;
        let salts = (0..count)
            .map(|_| source.read_array::<SALT_BYTES>())
            .collect::<Result<_, _>>()?;
        let paths = BatchMerkleProof::read_from(source)?;
        Ok(SaltedProof { salts, paths })
    }
}

impl<H: ZkmHasher> VectorCommitment<H> for Salted<H> {
    type Options = ();
    type Proof = (Option<Salt>, Vec<Digest<H>>);
    type MultiProof = SaltedProof<H>;
    type Error = SaltedError;

    fn with_options(items: Vec<Digest<H>>, _options: ()) -> Result<Self, SaltedError> {
        let salts = draw_salts(items.len()).ok_or(SaltedError::NoSaltSource)?;
        let leaves = match salts.is_empty() {
            true => items.clone(),
            false => items
                .iter()
                .zip(&salts)
                .map(|(i, s)| leaf::<H>(i, s))
                .collect(),
        };
        let tree = MerkleTree::new(leaves).map_err(SaltedError::Tree)?;
        Ok(Salted { tree, items, salts })
    }

    fn commitment(&self) -> Digest<H> {
        *self.tree.root()
    }

    fn domain_len(&self) -> usize {
        1 << self.tree.depth()
    }

    fn get_proof_domain_len(proof: &Self::Proof) -> usize {
        1 << proof.1.len()
    }

    fn get_multiproof_domain_len(proof: &SaltedProof<H>) -> usize {
        1 << proof.paths.depth
    }

    fn open(&self, index: usize) -> Result<(Digest<H>, Self::Proof), SaltedError> {
        let (_, path) = self.tree.prove(index).map_err(SaltedError::Tree)?;
        Ok((self.items[index], (self.salts.get(index).copied(), path)))
    }

    fn open_many(
        &self,
        indexes: &[usize],
    ) -> Result<(Vec<Digest<H>>, SaltedProof<H>), SaltedError> {
        let (_, paths) = self.tree.prove_batch(indexes).map_err(SaltedError::Tree)?;
        let items = indexes.iter().map(|&i| self.items[i]).collect();
        let salts = match self.salts.is_empty() {
            true => Vec::new(),
            false => indexes.iter().map(|&i| self.salts[i]).collect(),
        };
        Ok((items, SaltedProof { salts, paths }))
    }

    fn verify(
        commitment: Digest<H>,
        index: usize,
        item: Digest<H>,
        proof: &Self::Proof,
    ) -> Result<(), SaltedError> {
        let leaf = proof.0.map_or(item, |salt| leaf::<H>(&item, &salt));
        MerkleTree::<H>::verify(commitment, index, leaf, &proof.1).map_err(SaltedError::Tree)
    }

    fn verify_many(
        commitment: Digest<H>,
        indexes: &[usize],
        items: &[Digest<H>],
        proof: &SaltedProof<H>,
    ) -> Result<(), SaltedError> {
        let salted = !proof.salts.is_empty();
        if (salted && proof.salts.len() != items.len()) || items.len() != indexes.len() {
            return Err(SaltedError::SaltCount);
        }
        let leaves: Vec<Digest<H>> = match salted {
            true => items
                .iter()
                .zip(&proof.salts)
                .map(|(i, s)| leaf::<H>(i, s))
                .collect(),
            false => items.to_vec(),
        };
        MerkleTree::<H>::verify_batch(&commitment, indexes, &leaves, &proof.paths)
            .map_err(SaltedError::Tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Hasher;
    use winter_crypto::Hasher as _;

    type Salted = super::Salted<Hasher>;
    type SaltedProof = super::SaltedProof<Hasher>;

    fn items(n: u8) -> Vec<Digest<Hasher>> {
        (0..n).map(|i| Hasher::hash(&[i])).collect()
    }

    fn counter() -> SaltSource {
        let mut k = 0u8;
        Box::new(move || {
            k = k.wrapping_add(1);
            [k; SALT_BYTES]
        })
    }

    #[test]
    fn opens_and_verifies_and_rejects_a_changed_salt() {
        let tree = with_salt_source(counter(), || Salted::new(items(16))).expect("tree");
        let (got, proof) = tree.open_many(&[1, 4, 9]).expect("open");
        assert_eq!(got, vec![items(16)[1], items(16)[4], items(16)[9]]);
        let root = tree.commitment();
        Salted::verify_many(root, &[1, 4, 9], &got, &proof).expect("verifies");
        let bytes = proof.to_bytes();
        let back = SaltedProof::read_from_bytes(&bytes).expect("parses");
        Salted::verify_many(root, &[1, 4, 9], &got, &back).expect("verifies after a round trip");
        let mut bad = SaltedProof::read_from_bytes(&bytes).expect("parses");
        bad.salts[0] = [0; SALT_BYTES];
        assert!(Salted::verify_many(root, &[1, 4, 9], &got, &bad).is_err());
        bad.salts.pop();
        assert!(matches!(
            Salted::verify_many(root, &[1, 4, 9], &got, &bad),
            Err(SaltedError::SaltCount)
        ));
        // Without its salts the opening no longer verifies: the leaves are not the items.
        bad.salts.clear();
        assert!(Salted::verify_many(root, &[1, 4, 9], &got, &bad).is_err());
    }

    #[test]
    fn trees_after_unsalted_from_here_are_plain_merkle_trees() {
        let (salted, plain) = with_salt_source(counter(), || {
            let salted = Salted::new(items(8)).expect("tree");
            unsalted_from_here();
            (salted, Salted::new(items(8)).expect("tree"))
        });
        let unsalted = MerkleTree::<Hasher>::new(items(8)).expect("tree");
        assert_eq!(plain.commitment(), *unsalted.root());
        assert_ne!(salted.commitment(), *unsalted.root());
        let (got, proof) = plain.open_many(&[2, 5]).expect("open");
        assert!(proof.salts.is_empty());
        Salted::verify_many(plain.commitment(), &[2, 5], &got, &proof).expect("verifies");
        // The next proof starts salted again.
        let again = with_salt_source(counter(), || Salted::new(items(8))).expect("tree");
        assert_eq!(again.commitment(), salted.commitment());
    }

    #[test]
    fn proofs_without_zero_knowledge_build_plain_trees_and_only_inside_their_scope() {
        let plain = with_unsalted(|| Salted::new(items(8))).expect("tree");
        let tree = MerkleTree::<Hasher>::new(items(8)).expect("tree");
        assert_eq!(plain.commitment(), *tree.root());
        let nodes = winter_crypto::build_merkle_nodes::<Hasher>(&items(8));
        let from_gpu = Salted::from_nodes(items(8), nodes).expect("a tree");
        assert_eq!(from_gpu.commitment(), *tree.root());
        assert!(matches!(
            Salted::new(items(8)),
            Err(SaltedError::NoSaltSource)
        ));
    }

    #[test]
    fn same_items_fresh_salts_give_another_root() {
        let a = with_salt_source(counter(), || Salted::new(items(8))).expect("tree");
        let mut k = 100u8;
        let other: SaltSource = Box::new(move || {
            k += 1;
            [k; SALT_BYTES]
        });
        let b = with_salt_source(other, || Salted::new(items(8))).expect("tree");
        assert_ne!(a.commitment(), b.commitment());
        let unsalted = MerkleTree::<Hasher>::new(items(8)).expect("tree");
        assert_ne!(a.commitment(), *unsalted.root());
    }

    #[test]
    fn no_source_no_tree_and_truncated_openings_fail() {
        assert!(matches!(
            Salted::new(items(8)),
            Err(SaltedError::NoSaltSource)
        ));
        let huge = [0xff, 0xff, 0xff, 0x7f];
        assert!(SaltedProof::read_from_bytes(&huge).is_err());
    }
}

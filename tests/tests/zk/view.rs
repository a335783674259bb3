//! What a verifier sees of a proof, replayed from the proof alone: the query positions, the
//! out-of-domain point `z`, the opened main rows and the out-of-domain main frame; and the linear
//! algebra the zero-knowledge tests run on it.

use winter_air::proof::merge_ood_evaluations;
use winterfell::crypto::{ElementHasher, MerkleTree, RandomCoin, VectorCommitment};
use winterfell::math::{ExtensionOf, FieldElement, StarkField, ToElements};
use winterfell::matrix::ColMatrix;
use winterfell::{
    Air, DefaultTraceLde, PartitionOptions, Proof, StarkDomain, Trace as _, TraceLde,
};
use zkm_air::field::{Ext, Felt};
use zkm_air::Artifact;
use zkm_runtime::api::ProofFile;
use zkm_runtime::stark::{self, Coin, Hasher};
use zkm_verifier::{Commitment, ZkmAir};

/// A BLAKE3 digest.
pub type Digest = <Hasher as winterfell::crypto::Hasher>::Digest;

/// The attacker's view of one proof.
pub struct View {
    /// Distinct query positions in the LDE domain, sorted.
    pub positions: Vec<usize>,
    /// The out-of-domain point.
    pub z: Ext,
    /// The opened main rows, one per position.
    pub rows: Vec<Vec<Felt>>,
    /// Every main column at `z` and at `g·z`.
    pub ood_main: Vec<Ext>,
    pub ood_main_next: Vec<Ext>,
    /// Every auxiliary column at `z`.
    pub ood_aux: Vec<Ext>,
    /// The main-trace commitment.
    pub main_root: Digest,
}

/// The AIR a proof of `a` with public values `public` is checked against.
fn air_for(a: &Artifact, proof: &Proof, public: Vec<Felt>) -> ZkmAir {
    let inputs = stark::public_inputs(a, public);
    ZkmAir::new(proof.trace_info().clone(), inputs, proof.options().clone())
}

impl View {
    /// Replays the transcript of `file` (a proof of `a`, a model without public parameters) the
    /// way Winterfell's verifier draws it, and checks the main openings at the replayed positions.
    pub fn replay(a: &Artifact, file: &ProofFile) -> View {
        let proof = &file.proof;
        let public = zkm_verifier::join_public(&a.program, &file.io, &[]).expect("public");
        let inputs = stark::public_inputs(a, public.clone());
        let air = air_for(a, proof, public);
        let mut seed = proof.context.to_elements();
        seed.extend(inputs.to_elements());
        let mut coin = <Coin>::new(&seed);
        let lde = proof.lde_domain_size();
        let layers = proof.options().to_fri_options().num_fri_layers(lde);
        let (trace_roots, constraint_root, fri_roots) = proof
            .commitments
            .clone()
            .parse::<Hasher>(2, layers)
            .expect("commitments");
        coin.reseed(trace_roots[0]);
        air.get_aux_rand_elements::<Ext, _>(&mut coin)
            .expect("α, β, γ");
        coin.reseed(trace_roots[1]);
        air.get_constraint_composition_coefficients::<Ext, _>(&mut coin)
            .expect("coefficients");
        coin.reseed(constraint_root);
        let z: Ext = coin.draw().expect("z");
        let (main_w, aux_w) = (a.program.main_columns.len(), a.program.aux_columns.len());
        let m = air.context().num_constraint_composition_columns();
        let (trace, quotients) = proof
            .ood_frame
            .clone()
            .parse::<Ext>(main_w, aux_w, m)
            .expect("ood");
        coin.reseed(Hasher::hash_elements(&merge_ood_evaluations(
            &trace, &quotients,
        )));
        air.get_deep_composition_coefficients::<Ext, _>(&mut coin)
            .expect("deep coefficients");
        for root in &fri_roots {
            coin.reseed(*root);
            let _: Ext = coin.draw().expect("FRI α");
        }
        let queries = proof.options().num_queries();
        let mut positions = coin
            .draw_integers(queries, lde, proof.pow_nonce)
            .expect("positions");
        positions.sort_unstable();
        positions.dedup();
        let rows = opened::<Commitment>(proof, &positions, main_w, trace_roots[0]);
        View {
            positions,
            z,
            rows,
            ood_main: trace.current_row()[..main_w].to_vec(),
            ood_main_next: trace.next_row()[..main_w].to_vec(),
            ood_aux: trace.current_row()[main_w..].to_vec(),
            main_root: trace_roots[0],
        }
    }

    /// The opened points of the extended domain.
    pub fn points(&self, n: usize) -> Vec<Felt> {
        let lde = 8 * n;
        let root = Felt::get_root_of_unity(lde.ilog2());
        let offset = Felt::GENERATOR;
        self.positions
            .iter()
            .map(|&p| offset * root.exp(p as u64))
            .collect()
    }

    /// The revealed functionals of a base-field column restricted to rows `rows`, as rows of an
    /// F_p matrix: one per opened position, two (coordinates) each for `z` and `g·z`.
    fn base_functionals(&self, n: usize, rows: std::ops::Range<usize>) -> Vec<Vec<Felt>> {
        let mut out: Vec<Vec<Felt>> = self
            .points(n)
            .into_iter()
            .map(|x| lagrange(n, x)[rows.clone()].to_vec())
            .collect();
        for y in [self.z, self.z.mul_base(generator(n))] {
            let l = lagrange(n, y);
            for k in 0..2 {
                out.push(l[rows.clone()].iter().map(|e| coords(*e)[k]).collect());
            }
        }
        out
    }

    /// Rank of the revealed functionals on the random rows, over F_p.
    pub fn base_rank(&self, a: &Artifact) -> usize {
        let n = a.program.trace_len;
        rank(self.base_functionals(n, a.program.last_row() + 1..n))
    }

    /// Rank over the extension of an auxiliary column's revealed functionals on its random rows
    /// (its values are extension elements: one functional per point).
    pub fn ext_rank(&self, a: &Artifact) -> usize {
        let n = a.program.trace_len;
        let random = a.program.last_row() + 1..n;
        let mut m: Vec<Vec<Ext>> = self
            .points(n)
            .into_iter()
            .map(|x| lagrange(n, Ext::from(x))[random.clone()].to_vec())
            .collect();
        for y in [self.z, self.z.mul_base(generator(n))] {
            m.push(lagrange(n, y)[random.clone()].to_vec());
        }
        rank(m)
    }

    /// Whether main column `c`'s revealed values can come from a trace whose computation rows
    /// are `w`'s: the residual after removing `w`'s share lies in the span of the random rows'
    /// functionals.
    pub fn consistent(&self, a: &Artifact, c: usize, w: &[Felt]) -> bool {
        let n = a.program.trace_len;
        let real = 0..a.program.last_row() + 1;
        let known = |l: &[Ext]| -> Ext {
            real.clone()
                .fold(Ext::ZERO, |acc, h| acc + l[h].mul_base(w[h]))
        };
        let mut residual: Vec<Felt> = self
            .points(n)
            .into_iter()
            .zip(&self.rows)
            .map(|(x, row)| {
                let l = lagrange(n, Ext::from(x));
                coords(Ext::from(row[c]) - known(&l))[0]
            })
            .collect();
        for (y, value) in [
            (self.z, self.ood_main[c]),
            (self.z.mul_base(generator(n)), self.ood_main_next[c]),
        ] {
            let r = value - known(&lagrange(n, y));
            residual.extend(coords(r));
        }
        let m = self.base_functionals(n, real.end..n);
        let augmented: Vec<Vec<Felt>> = m
            .iter()
            .zip(&residual)
            .map(|(row, r)| row.iter().copied().chain([*r]).collect())
            .collect();
        let width = n - real.end;
        if width == 0 {
            return residual.iter().all(|r| *r == Felt::ZERO);
        }
        rank(m) == rank(augmented)
    }
}

/// The opened main rows at `positions`, after checking their opening against `root`.
fn opened<V: VectorCommitment<Hasher>>(
    proof: &Proof,
    positions: &[usize],
    width: usize,
    root: Digest,
) -> Vec<Vec<Felt>> {
    let lde = proof.lde_domain_size();
    let (paths, table) = proof.trace_queries[0]
        .clone()
        .parse::<Felt, Hasher, V>(lde, positions.len(), width)
        .expect("main queries");
    let rows: Vec<Vec<Felt>> = table.rows().map(|r| r.to_vec()).collect();
    let hashes: Vec<Digest> = rows.iter().map(|r| Hasher::hash_elements(r)).collect();
    assert!(
        V::verify_many(root, positions, &hashes, &paths).is_ok(),
        "the openings do not verify at the replayed positions"
    );
    rows
}

/// The main-trace root of `trace` (its random rows as the witness left them) committed without
/// salt: what a verifier guessing the witness would compute.
pub fn recomputed_root(a: &Artifact, trace: &zkm_air::Trace) -> Digest {
    let t = stark::ZkmTrace::new(&a.program, trace.main.clone());
    let options = stark::options_for(super::BITS);
    let inputs = stark::public_inputs(a, trace.public.clone());
    let air = ZkmAir::new(t.info().clone(), inputs, options);
    let domain = StarkDomain::new(&air);
    let main = ColMatrix::new(trace.main.clone());
    let (lde, _) = DefaultTraceLde::<Ext, Hasher, MerkleTree<Hasher>>::new(
        t.info(),
        &main,
        &domain,
        PartitionOptions::default(),
    );
    lde.get_main_trace_commitment()
}

/// The trace domain's generator.
pub fn generator(n: usize) -> Felt {
    Felt::get_root_of_unity(n.ilog2())
}

/// `L_h(x) = g^h·(x^n − 1) / (n·(x − g^h))` for every row `h` (x outside the trace domain).
pub fn lagrange<E: FieldElement<BaseField = Felt>>(n: usize, x: E) -> Vec<E> {
    let g = generator(n);
    let scale = (x.exp((n as u64).into()) - E::ONE) / E::from(Felt::new(n as u64));
    let mut gh = Felt::ONE;
    (0..n)
        .map(|_| {
            let v = scale.mul_base(gh) / (x - E::from(gh));
            gh *= g;
            v
        })
        .collect()
}

/// A column's polynomial at `x`.
pub fn evaluate(col: &[Felt], x: Ext) -> Ext {
    let l = lagrange(col.len(), x);
    l.iter()
        .zip(col)
        .fold(Ext::ZERO, |acc, (l, v)| acc + l.mul_base(*v))
}

/// The two base-field coordinates of an extension element.
fn coords(e: Ext) -> [Felt; 2] {
    let b = Ext::slice_as_base_elements(&[e]).to_vec();
    [b[0], b[1]]
}

/// Row rank by Gaussian elimination.
pub fn rank<E: FieldElement>(mut m: Vec<Vec<E>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| m[i][c] != E::ZERO) else {
            continue;
        };
        m.swap(r, p);
        let inv = m[r][c].inv();
        let pivot: Vec<E> = m[r].iter().map(|v| *v * inv).collect();
        for (i, row) in m.iter_mut().enumerate() {
            if i != r && row[c] != E::ZERO {
                let f = row[c];
                for (v, p) in row.iter_mut().zip(&pivot) {
                    *v -= f * *p;
                }
            }
        }
        m[r] = pivot;
        r += 1;
    }
    r
}

//! The prover's randomness for zero-knowledge proofs (`spec/zk.md`): uniform field elements for
//! the random rows and the mask columns, and the commitment salts, all from one ChaCha20 stream
//! per proof. The stream is seeded from the operating system's CSPRNG, or from `--seed` for
//! reproducible tests and benchmarks (a seeded proof hides only as well as the seed is secret).

use std::sync::{Arc, Mutex};

use rand_chacha::ChaCha20Rng;
use rand_core::{OsRng, RngCore, SeedableRng};
use winterfell::math::FieldElement;
use zkm_air::field::{Felt, MODULUS};
use zkm_air::{AirProgram, Segment};

/// Where a proof's randomness comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Randomness {
    /// The operating system's CSPRNG (the default).
    #[default]
    Os,
    /// Derived from a seed: the same seed gives the same proof, on every backend.
    Seed(u64),
}

/// One proof's random stream, shared by the trace fill and the commitment salts.
#[derive(Clone, Debug)]
pub struct ZkRng(Arc<Mutex<ChaCha20Rng>>);

impl ZkRng {
    /// A stream from `source`.
    ///
    /// # Errors
    /// When the operating system's generator fails.
    pub fn new(source: Randomness) -> Result<Self, String> {
        let rng = match source {
            Randomness::Os => ChaCha20Rng::from_rng(OsRng).map_err(|e| e.to_string())?,
            Randomness::Seed(seed) => {
                let mut key = blake3::Hasher::new_derive_key("zkmc 2026 zero-knowledge seed");
                key.update(&seed.to_le_bytes());
                ChaCha20Rng::from_seed(*key.finalize().as_bytes())
            }
        };
        Ok(ZkRng(Arc::new(Mutex::new(rng))))
    }

    fn with<R>(&self, f: impl FnOnce(&mut ChaCha20Rng) -> R) -> R {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// A uniform base-field element, by rejection sampling (a reduced `u64` would make values
    /// below `2^32 − 1` twice as likely).
    pub fn felt(&self) -> Felt {
        self.with(uniform_felt)
    }

    /// A uniform element of the extension `E`.
    pub fn element<E: FieldElement<BaseField = Felt>>(&self) -> E {
        self.with(|rng| {
            let base: Vec<Felt> = (0..E::EXTENSION_DEGREE)
                .map(|_| uniform_felt(rng))
                .collect();
            E::slice_from_base_elements(&base)[0]
        })
    }

    /// One commitment salt: uniform bytes.
    pub fn salt(&self) -> zkm_verifier::salted::Salt {
        let mut out = zkm_verifier::salted::Salt::default();
        self.with(|rng| rng.fill_bytes(&mut out));
        out
    }

    /// The salt source of this stream, for the salted commitment.
    pub fn salt_source(&self) -> zkm_verifier::salted::SaltSource {
        let me = self.clone();
        Box::new(move || me.salt())
    }
}

fn uniform_felt(rng: &mut impl RngCore) -> Felt {
    loop {
        let v = rng.next_u64();
        if v < MODULUS {
            return Felt::new(v);
        }
    }
}

/// Fills the random rows (after the dead row) of every main column the verifier does not pin.
pub fn randomize_main(program: &AirProgram, main: &mut [Vec<Felt>], rng: &ZkRng) {
    let start = program.last_row() + 1;
    for c in program.randomized_columns(Segment::Main) {
        for cell in &mut main[c][start..] {
            *cell = rng.felt();
        }
    }
}

/// Fills the random rows of every auxiliary column the verifier does not pin, and the mask
/// columns: `zk.deep` and
/// `zk.quotient` uniform on every row, `zk.gate` zero up to the last enforced row and uniform
/// from the dead row on.
pub fn randomize_aux<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    aux: &mut [Vec<E>],
    rng: &ZkRng,
) {
    let Some(zk) = &program.zk else {
        return;
    };
    let dead = program.last_row();
    for c in program.randomized_columns(Segment::Aux) {
        for cell in &mut aux[c][dead + 1..] {
            *cell = rng.element();
        }
    }
    for c in [zk.deep, zk.quotient] {
        for cell in &mut aux[c as usize][..=dead] {
            *cell = rng.element();
        }
    }
    let gate = &mut aux[zk.gate as usize];
    gate[..dead].fill(E::ZERO);
    gate[dead] = rng.element();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// χ² of the top 4 bits of 16,000 sampled elements over 16 bins (15 degrees of freedom; the
    /// 0.1% critical value is 37.7). Also: a seed fixes the stream, and values stay canonical.
    #[test]
    fn sampler_is_uniform_and_seeded() {
        let rng = ZkRng::new(Randomness::Seed(7)).expect("seeded");
        let mut bins = [0u32; 16];
        for _ in 0..16_000 {
            let v = rng.felt().as_int();
            assert!(v < MODULUS);
            bins[(v >> 60) as usize] += 1;
        }
        // The top bin holds values ≥ 15·2^60, of which only those below p exist: its expected
        // share is (p − 15·2^60)/p.
        let p = MODULUS as f64;
        let share = |i: usize| match i {
            15 => (p - 15.0 * 2f64.powi(60)) / p,
            _ => 2f64.powi(60) / p,
        };
        let chi2: f64 = (0..16)
            .map(|i| {
                let e = 16_000.0 * share(i);
                (bins[i] as f64 - e).powi(2) / e
            })
            .sum();
        assert!(chi2 < 37.7, "χ² = {chi2}");
        let again = ZkRng::new(Randomness::Seed(7)).expect("seeded");
        let other = ZkRng::new(Randomness::Seed(8)).expect("seeded");
        let first = ZkRng::new(Randomness::Seed(7)).expect("seeded").felt();
        assert_eq!(first, again.felt());
        assert_ne!(first, other.felt());
        let os = ZkRng::new(Randomness::Os).expect("os");
        assert_ne!(os.salt(), os.salt());
    }

    /// Draws of `p` or more are rejected, not reduced.
    #[test]
    fn out_of_field_draws_are_rejected() {
        struct Script(Vec<u64>);
        impl RngCore for Script {
            fn next_u32(&mut self) -> u32 {
                self.next_u64() as u32
            }
            fn next_u64(&mut self) -> u64 {
                self.0.remove(0)
            }
            fn fill_bytes(&mut self, dest: &mut [u8]) {
                dest.fill(0)
            }
            fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
                dest.fill(0);
                Ok(())
            }
        }
        let mut script = Script(vec![MODULUS, u64::MAX, MODULUS + 5, 5]);
        assert_eq!(uniform_felt(&mut script), Felt::new(5));
        assert!(script.0.is_empty());
    }
}

//! The prover's random coin: Winterfell's `DefaultRandomCoin` with a proof-of-work search that
//! gives the same nonce for any number of threads.
//!
//! With its `concurrent` feature, Winterfell searches the proof-of-work nonce with a parallel
//! `find_any`, which returns whichever valid nonce a thread meets first: proof bytes would then
//! depend on thread timing. [`GrindCoin`] answers `check_leading_zeros` truthfully only for the
//! *smallest* nonce with at least as many leading zeros as the proof's grinding factor (found once
//! per seed, by a search on the prover's threads that still finds the smallest) and 0 for every
//! other nonce, so the parallel search can only return that one nonce: the one a single-threaded
//! prover finds. Every draw is delegated unchanged, and the verifier checks the nonce with the
//! plain coin, so proofs are those of `DefaultRandomCoin`.
//!
//! Winterfell creates the coin itself (`RandomCoin::new` takes only a seed), on the thread that
//! calls its prover: [`with_grinding`] tells the coins created there the proof's grinding factor.
//! A coin created elsewhere searches for [`GRINDING_LARGE`] bits, the most zkmc grinds, whose
//! nonce also meets any smaller factor.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

use winter_crypto::{RandomCoin, RandomCoinError};
use winterfell::math::FieldElement;
use zkm_air::field::Felt;

use zkm_verifier::hash::ZkmHasher;

use super::{Coin, Hasher, GRINDING_LARGE};

thread_local! {
    static BITS: Cell<u32> = const { Cell::new(GRINDING_LARGE) };
}

/// Runs `f` (Winterfell's prover) with the coins it creates on this thread searching for
/// `bits` leading zeros, the proof's grinding factor.
pub fn with_grinding<R>(bits: u32, f: impl FnOnce() -> R) -> R {
    struct Reset(u32);
    impl Drop for Reset {
        fn drop(&mut self) {
            BITS.with(|b| b.set(self.0));
        }
    }
    let _reset = Reset(BITS.with(|b| b.replace(bits)));
    f()
}

/// `DefaultRandomCoin` over the hash `H` with a deterministic proof-of-work search (module
/// docs).
pub struct GrindCoin<H: ZkmHasher = Hasher> {
    inner: Coin<H>,
    /// Leading zeros the proof of work needs.
    bits: u32,
    /// The smallest nonce with at least `bits` leading zeros under the current seed.
    nonce: OnceLock<u64>,
}

impl<H: ZkmHasher> std::fmt::Debug for GrindCoin<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrindCoin")
            .field("bits", &self.bits)
            .field("nonce", &self.nonce.get())
            .finish_non_exhaustive()
    }
}

impl<H: ZkmHasher> GrindCoin<H> {
    /// The smallest nonce (from 1, as Winterfell searches) that meets the grinding factor.
    fn first_nonce(&self) -> u64 {
        *self
            .nonce
            .get_or_init(|| smallest_nonce(&self.inner, self.bits, rayon::current_num_threads()))
    }
}

/// Nonces one searcher tries before moving to its next chunk.
const CHUNK: u64 = 1 << 10;

/// The smallest nonce from 1 with at least `bits` leading zeros, searched by `threads`
/// operating-system threads (the prover pool's size; not rayon tasks, which could steal the
/// prover's own search while this one holds the coin's lock). Searcher `t` scans chunks
/// `t, t + threads, …` up to its chunk's first valid nonce and stops once its next chunk starts
/// past the best nonce found: every chunk below the answer is scanned, so the answer is the
/// smallest valid nonce for any thread count. Where a thread cannot start, one thread searches.
fn smallest_nonce<H: ZkmHasher>(coin: &Coin<H>, bits: u32, threads: usize) -> u64 {
    let valid = |n: u64| coin.check_leading_zeros(n) >= bits;
    if threads < 2 {
        return (1..u64::MAX).find(|&n| valid(n)).unwrap_or(u64::MAX);
    }
    let stride = threads as u64 * CHUNK;
    let best = AtomicU64::new(u64::MAX);
    let stop = AtomicBool::new(false);
    let search = |t: u64| {
        let mut start = 1 + t * CHUNK;
        while start < best.load(Ordering::Acquire) && !stop.load(Ordering::Acquire) {
            if let Some(n) = (start..start + CHUNK).find(|&n| valid(n)) {
                best.fetch_min(n, Ordering::AcqRel);
            }
            start += stride;
        }
    };
    let all_started = std::thread::scope(|scope| {
        let started = (1..threads as u64).all(|t| {
            let search = &search;
            let builder = std::thread::Builder::new();
            builder.spawn_scoped(scope, move || search(t)).is_ok()
        });
        if started {
            search(0);
        } else {
            stop.store(true, Ordering::Release);
        }
        started
    });
    match all_started {
        true => best.into_inner(),
        false => smallest_nonce(coin, bits, 1),
    }
}

impl<H: ZkmHasher> RandomCoin for GrindCoin<H> {
    type BaseField = Felt;
    type Hasher = H;

    fn new(seed: &[Felt]) -> Self {
        GrindCoin {
            inner: Coin::new(seed),
            bits: BITS.with(Cell::get),
            nonce: OnceLock::new(),
        }
    }

    fn reseed(&mut self, data: <H as winter_crypto::Hasher>::Digest) {
        self.inner.reseed(data);
        self.nonce = OnceLock::new();
    }

    fn check_leading_zeros(&self, value: u64) -> u32 {
        match value == self.first_nonce() {
            true => self.inner.check_leading_zeros(value),
            false => 0,
        }
    }

    fn draw<E: FieldElement<BaseField = Felt>>(&mut self) -> Result<E, RandomCoinError> {
        self.inner.draw()
    }

    fn draw_integers(
        &mut self,
        num_values: usize,
        domain_size: usize,
        nonce: u64,
    ) -> Result<Vec<usize>, RandomCoinError> {
        // Reseeds the inner coin with the nonce.
        self.nonce = OnceLock::new();
        self.inner.draw_integers(num_values, domain_size, nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stark::GRINDING;

    /// A coin searching for [`GRINDING`] bits.
    fn coin(seed: &[Felt]) -> GrindCoin {
        with_grinding(GRINDING, || <GrindCoin>::new(seed))
    }

    /// The nonce a sequential search with the plain coin finds for `seed`.
    fn sequential_nonce(seed: &[Felt]) -> u64 {
        let coin = <Coin>::new(seed);
        (1..u64::MAX)
            .find(|&n| coin.check_leading_zeros(n) >= GRINDING)
            .expect("a nonce")
    }

    #[test]
    fn only_the_smallest_valid_nonce_passes() {
        let seed = [Felt::new(7), Felt::new(11)];
        let coin = coin(&seed);
        let plain = <Coin>::new(&seed);
        let first = sequential_nonce(&seed);
        assert!(plain.check_leading_zeros(first) >= GRINDING);
        assert_eq!(
            coin.check_leading_zeros(first),
            plain.check_leading_zeros(first)
        );
        // The next valid nonce of the plain coin is refused by this one.
        let next = (first + 1..u64::MAX)
            .find(|&n| plain.check_leading_zeros(n) >= GRINDING)
            .expect("another valid nonce");
        assert_eq!(coin.check_leading_zeros(next), 0);
    }

    #[test]
    fn the_parallel_search_finds_the_smallest_nonce() {
        for seed in 0..4u64 {
            let coin = <Coin>::new(&[Felt::new(seed), Felt::new(99)]);
            let one = smallest_nonce(&coin, GRINDING, 1);
            assert_eq!(one, sequential_nonce(&[Felt::new(seed), Felt::new(99)]));
            for threads in [2, 3, 8] {
                assert_eq!(
                    smallest_nonce(&coin, GRINDING, threads),
                    one,
                    "seed {seed}, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn a_reseed_moves_the_nonce() {
        let seed = [Felt::new(3)];
        let mut coin = coin(&seed);
        let before = coin.first_nonce();
        let mut plain = <Coin>::new(&seed);
        let data = <Hasher as winter_crypto::Hasher>::hash(b"reseed");
        coin.reseed(data);
        plain.reseed(data);
        let after = coin.first_nonce();
        assert!(plain.check_leading_zeros(after) >= GRINDING);
        assert_ne!(before, after, "the nonce of the old seed was kept");
    }

    #[test]
    fn coins_search_for_the_grinding_of_their_thread() {
        let seed = [Felt::new(5), Felt::new(8)];
        let plain = <Coin>::new(&seed);
        let small = coin(&seed);
        // Outside `with_grinding` (and after it), a coin searches for the largest factor.
        let large = <GrindCoin>::new(&seed);
        assert_eq!((small.bits, large.bits), (GRINDING, GRINDING_LARGE));
        let nonce = large.first_nonce();
        assert!(plain.check_leading_zeros(nonce) >= GRINDING_LARGE);
        assert!(small.first_nonce() <= nonce);
    }
}

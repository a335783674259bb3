//! Work over long slices split into chunks, on every core of the calling rayon pool when the
//! `parallel` feature is on (the runtime turns it on), one after the other without it (the
//! WebAssembly verifier). Callers get the same results either way: each chunk is computed alone
//! and results are combined in chunk order. A slice of one chunk is worked on the calling thread:
//! handing it to a pool thread costs a wake-up (tens of microseconds) and gains nothing.

/// Calls `f(start, chunk)` for every `size`-element chunk of `out` (`start`: the chunk's first
/// index in `out`).
pub fn for_chunks<T: Send>(out: &mut [T], size: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let size = size.max(1);
    if out.len() <= size {
        return f(0, out);
    }
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let chunks = out.par_chunks_mut(size).enumerate();
        chunks.for_each(|(k, c)| f(k * size, c));
    }
    #[cfg(not(feature = "parallel"))]
    for (k, c) in out.chunks_mut(size).enumerate() {
        f(k * size, c);
    }
}

/// The index of the first `size`-element chunk of `items` for which `f` holds.
pub fn first_chunk<T: Sync>(
    items: &[T],
    size: usize,
    f: impl Fn(&[T]) -> bool + Sync + Send,
) -> Option<usize> {
    let size = size.max(1);
    if items.len() <= size {
        return f(items).then_some(0);
    }
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_chunks(size).position_first(f)
    }
    #[cfg(not(feature = "parallel"))]
    items.chunks(size).position(f)
}

/// `f` of every item, in the items' order.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: &(dyn Fn(T) -> R + Sync)) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    items.into_iter().map(f).collect()
}

/// `(a(), b())`, side by side when `worth_it` (else one after the other on this thread).
pub fn join<A: Send, B: Send>(
    worth_it: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    if worth_it {
        return rayon::join(a, b);
    }
    let _ = worth_it;
    (a(), b())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_slice_in_order() {
        let mut out = vec![0usize; 1000];
        for_chunks(&mut out, 64, |start, c| {
            for (k, o) in c.iter_mut().enumerate() {
                *o = start + k;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| i == v));
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(first_chunk(&items, 64, |c| c.contains(&700)), Some(10));
        assert_eq!(
            first_chunk(&items, 64, |c| c.iter().any(|&v| v > 100)),
            Some(1)
        );
        assert_eq!(first_chunk(&items, 64, |c| c.contains(&5000)), None);
        assert_eq!(first_chunk(&items[..10], 64, |c| c.contains(&5)), Some(0));
        assert_eq!(join(true, || 1, || 2), (1, 2));
        assert_eq!(map((0..100).collect(), &|i: u32| i * 2)[99], 198);
        assert_eq!(join(false, || 1, || 2), (1, 2));
    }
}

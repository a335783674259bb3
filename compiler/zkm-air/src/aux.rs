//! Builds the auxiliary segment (LogUp helper columns and running sum) from a main trace and the
//! random elements. The checker and the prover's `build_aux_trace` both use it.

use std::ops::Range;

use crate::field::{Felt, FieldElement};
use crate::gadgets::AuxFill;
use crate::interp::{Frames, Tape};
use crate::program::{AirProgram, Direction};

/// Rows per chunk of the helper-column pass (each chunk inverts its denominators in one batch).
const CHUNK: usize = 512;

/// The values of every helper column on a chunk of rows: `[helper][row − chunk start]`.
pub type HelperChunk<E> = Vec<Vec<E>>;

/// The auxiliary columns (`aux[column][row]`) for random elements `rand = [α, β, γ]`, over any
/// extension `E` of the base field.
pub fn build<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    public: &[Felt],
    rand: &[E],
) -> Vec<Vec<E>> {
    build_with(program, main, public, rand, crate::par::map)
}

/// [`build`], with the helper columns computed chunk by chunk by `run`: it gets the row ranges
/// and the function computing one, may run them in parallel, and returns their results in
/// order. The running sum and the gadgets' own auxiliary columns follow sequentially.
pub fn build_with<E, R>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    public: &[Felt],
    rand: &[E],
    run: R,
) -> Vec<Vec<E>>
where
    E: FieldElement<BaseField = Felt>,
    R: FnOnce(
        Vec<Range<usize>>,
        &(dyn Fn(Range<usize>) -> HelperChunk<E> + Sync),
    ) -> Vec<HelperChunk<E>>,
{
    let n = program.trace_len;
    let chunks: Vec<Range<usize>> = (0..n)
        .step_by(CHUNK)
        .map(|start| start..(start + CHUNK).min(n))
        .collect();
    let tapes = (Tape::bus_mults(program), Tape::bus_keys(program));
    let compute = |rows: Range<usize>| helper_chunk(program, main, rand, &tapes, rows);
    let parts = run(chunks.clone(), &compute);
    let mut aux = vec![vec![E::ZERO; n]; program.aux_columns.len()];
    let (sum_col, first) = (
        program.globals.running_sum as usize,
        program.globals.bus_first as usize,
    );
    let mut running = E::ZERO;
    for (rows, part) in chunks.into_iter().zip(parts) {
        for (local, row) in rows.enumerate() {
            let mut step = E::ZERO;
            for (h, values) in part.iter().enumerate() {
                let v = values.get(local).copied().unwrap_or(E::ZERO);
                aux[first + h][row] = v;
                step += v;
            }
            aux[sum_col][row] = running;
            running += step;
        }
    }
    let mut fill = AuxFill {
        program,
        main,
        public,
        rand,
        aux: &mut aux,
    };
    for g in &program.gadgets {
        g.fill_aux(&mut fill);
    }
    aux
}

/// Every helper column's value on `rows`: the sum of its terms' fractions, with one batch
/// inversion for all the chunk's denominators.
fn helper_chunk<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    rand: &[E],
    (mult_tape, key_tape): &(Tape, Tape),
    rows: Range<usize>,
) -> HelperChunk<E> {
    let mut out = vec![vec![E::ZERO; rows.len()]; program.bus_columns.len()];
    // Bus terms read only main cells, periodic values and constants (validation): their tapes
    // run in the base field, and only the fractions are computed in the extension.
    let mut frames = Frames::<Felt>::new(program);
    let mut scratch = Vec::new();
    let mut mults = vec![Felt::ZERO; mult_tape.num_roots()];
    let mut keys = vec![Felt::ZERO; key_tape.num_roots()];
    let (mut pending, mut denominators) = (Vec::new(), Vec::new());
    for (local, row) in rows.enumerate() {
        frames.load(program, main, &[], row);
        mult_tape.eval_env(&frames.env(&[]), &mut scratch, &mut mults);
        if mults.iter().all(|&m| m == Felt::ZERO) {
            continue;
        }
        key_tape.eval_env(&frames.env(&[]), &mut scratch, &mut keys);
        for (h, group) in program.bus_columns.iter().enumerate() {
            for &t in group {
                if let Some((signed, d)) = fraction_parts(program, t as usize, &mults, &keys, rand)
                {
                    pending.push((h, local, signed));
                    denominators.push(d);
                }
            }
        }
    }
    let inverses = batch_inverse(&denominators);
    for ((h, local, signed), inverse) in pending.into_iter().zip(inverses) {
        out[h][local] += signed * inverse;
    }
    out
}

/// `(σ·m, α − (value + β·tag))` for term `t` on one row, from the bus tapes' values: its
/// fraction is the first over the second. `None` when `m = 0` or the denominator vanishes (the
/// fraction counts as 0).
fn fraction_parts<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    t: usize,
    mults: &[Felt],
    keys: &[Felt],
    rand: &[E],
) -> Option<(E, E)> {
    let [m, tag, value] = [mults[t], keys[2 * t], keys[2 * t + 1]];
    if m == Felt::ZERO {
        return None;
    }
    let m = E::from(m);
    let d = rand[0] - (E::from(value) + rand[1].mul_base(tag));
    if d == E::ZERO {
        return None;
    }
    let signed = if program.bus[t].direction == Direction::Send {
        m
    } else {
        -m
    };
    Some((signed, d))
}

/// The inverses of non-zero `values`, with one field inversion (Montgomery's trick). Sequential
/// on purpose: `winter_math::batch_inversion` runs on rayon's global pool when the prover's
/// `concurrent` feature is on, which panics where threads cannot be started; the prover
/// parallelizes over chunks instead (`build_with`).
fn batch_inverse<E: FieldElement>(values: &[E]) -> Vec<E> {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = E::ONE;
    for &v in values {
        prefix.push(acc);
        acc *= v;
    }
    let mut inv = acc.inv();
    let mut out = vec![E::ZERO; values.len()];
    for (i, &v) in values.iter().enumerate().rev() {
        out[i] = inv * prefix[i];
        inv *= v;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_inverse_inverts_each_value() {
        let values: Vec<Felt> = (1..50u64).map(|i| Felt::new(i * 7919 + 3)).collect();
        let inverses = batch_inverse(&values);
        for (v, i) in values.iter().zip(&inverses) {
            assert_eq!(*v * *i, Felt::ONE);
        }
        assert!(batch_inverse::<Felt>(&[]).is_empty());
    }
}

//! Builds the auxiliary segment (LogUp helper columns and running sum) from a main trace and the
//! random elements. The checker and the prover's `build_aux_trace` both use it.

use crate::field::{Felt, FieldElement};
use crate::gadgets::AuxFill;
use crate::interp::{Frames, Tape};
use crate::program::{AirProgram, Direction};

/// The auxiliary columns (`aux[column][row]`) for random elements `rand = [α, β, γ]`, over any
/// extension `E` of the base field.
pub fn build<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    public: &[Felt],
    rand: &[E],
) -> Vec<Vec<E>> {
    let n = program.trace_len;
    let mut aux = vec![vec![E::ZERO; n]; program.aux_columns.len()];
    let (mult_tape, key_tape) = (Tape::bus_mults(program), Tape::bus_keys(program));
    let mut frames = Frames::<E>::new(program);
    let mut scratch = Vec::new();
    let mut mults = vec![E::ZERO; mult_tape.num_roots()];
    let mut keys = vec![E::ZERO; key_tape.num_roots()];
    let mut row_values = vec![E::ZERO; program.bus_columns.len()];
    let (sum_col, first) = (
        program.globals.running_sum as usize,
        program.globals.bus_first as usize,
    );
    let mut running = E::ZERO;
    for row in 0..n {
        frames.load(program, main, &[], row);
        mult_tape.eval_env(&frames.env(rand), &mut scratch, &mut mults);
        let active = mults.iter().any(|&m| m != E::ZERO);
        if active {
            key_tape.eval_env(&frames.env(rand), &mut scratch, &mut keys);
        }
        for (value, group) in row_values.iter_mut().zip(&program.bus_columns) {
            *value = match active {
                true => group.iter().fold(E::ZERO, |acc, &t| {
                    acc + fraction(program, t as usize, &mults, &keys, rand)
                }),
                false => E::ZERO,
            };
        }
        for (col, value) in aux[first..].iter_mut().zip(&row_values) {
            col[row] = *value;
        }
        aux[sum_col][row] = running;
        running += row_values.iter().fold(E::ZERO, |a, &b| a + b);
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

/// `σ·m / (α − (value + β·tag))` for term `t` on one row, from the bus tapes' values (0 when the
/// denominator vanishes).
fn fraction<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    t: usize,
    mults: &[E],
    keys: &[E],
    rand: &[E],
) -> E {
    let [m, tag, value] = [mults[t], keys[2 * t], keys[2 * t + 1]];
    if m == E::ZERO {
        return E::ZERO;
    }
    let d = rand[0] - (value + rand[1] * tag);
    let signed = if program.bus[t].direction == Direction::Send {
        m
    } else {
        -m
    };
    if d == E::ZERO {
        E::ZERO
    } else {
        signed * d.inv()
    }
}

//! Builds the auxiliary segment (LogUp helper columns and running sum) from a main trace and the
//! random elements. The checker and the prover's `build_aux_trace` both use it.

use crate::expr::Env;
use crate::field::{Felt, FieldElement};
use crate::program::{AirProgram, Direction};
use crate::witness::{eval_one, load_periodic, load_row};

/// The auxiliary columns (`aux[column][row]`) for random elements `rand = [α, β]`, over any
/// extension `E` of the base field.
pub fn build<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    main: &[Vec<Felt>],
    public: &[Felt],
    rand: &[E],
) -> Vec<Vec<E>> {
    let n = program.trace_len;
    let helpers = program.bus_columns.len();
    let mut aux = vec![vec![E::ZERO; n]; program.aux_columns.len()];
    let mut cur = vec![E::ZERO; main.len()];
    let mut nxt = vec![E::ZERO; main.len()];
    let mut periodic = vec![E::ZERO; program.periodic.len()];
    let mut base = vec![Felt::ZERO; main.len()];
    let mut row_values = vec![E::ZERO; helpers];
    let sum_col = program.globals.running_sum as usize;
    let mut running = E::ZERO;
    for row in 0..n {
        load_row(main, row, &mut base);
        lift(&base, &mut cur);
        load_row(main, (row + 1) % n, &mut base);
        lift(&base, &mut nxt);
        load_periodic(program, row, &mut periodic);
        let env = Env {
            main: [&cur, &nxt],
            aux: [&[], &[]],
            periodic: &periodic,
            rand,
        };
        for (value, group) in row_values.iter_mut().zip(&program.bus_columns) {
            *value = group
                .iter()
                .fold(E::ZERO, |acc, &t| acc + fraction(program, t as usize, &env));
        }
        let first = program.globals.bus_first as usize;
        for (col, value) in aux[first..].iter_mut().zip(&row_values) {
            col[row] = *value;
        }
        aux[sum_col][row] = running;
        running += row_values.iter().fold(E::ZERO, |a, &b| a + b);
    }
    for g in &program.gadgets {
        match g {
            crate::gadgets::Gadget::PublicProduct(g) => {
                g.fill_aux(program, main, public, rand, &mut aux)
            }
            crate::gadgets::Gadget::PrivateProduct(g) => g.fill_aux(program, main, rand, &mut aux),
            _ => {}
        }
    }
    aux
}

/// `σ·m / (α − (value + β·tag))` for one term on one row (0 when the denominator vanishes).
fn fraction<E: FieldElement<BaseField = Felt>>(
    program: &AirProgram,
    t: usize,
    env: &Env<'_, E>,
) -> E {
    let term = &program.bus[t];
    let m = eval_one(program, term.mult, env);
    if m == E::ZERO {
        return E::ZERO;
    }
    let key = eval_one(program, term.value, env) + env.rand[1] * eval_one(program, term.tag, env);
    let d = env.rand[0] - key;
    let signed = if term.direction == Direction::Send {
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

fn lift<E: FieldElement<BaseField = Felt>>(base: &[Felt], out: &mut [E]) {
    for (o, b) in out.iter_mut().zip(base) {
        *o = E::from(*b);
    }
}

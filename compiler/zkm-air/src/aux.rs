//! Builds the auxiliary segment (LogUp helper columns and running sum) from a main trace and the
//! random elements. The checker uses it now; the Winterfell prover's `build_aux_trace` will too.

use crate::expr::Env;
use crate::field::{Ext, Felt, FieldElement};
use crate::program::{AirProgram, Direction};
use crate::witness::{eval_one, load_periodic, load_row};

/// The auxiliary columns (`aux[column][row]`) for random elements `rand = [α, β]`.
pub fn build(program: &AirProgram, main: &[Vec<Felt>], rand: &[Ext]) -> Vec<Vec<Ext>> {
    let n = program.trace_len;
    let width = program.aux_columns.len();
    let mut aux = vec![vec![Ext::ZERO; n]; width];
    let mut cur = vec![Ext::ZERO; main.len()];
    let mut nxt = vec![Ext::ZERO; main.len()];
    let mut periodic = vec![Ext::ZERO; program.periodic.len()];
    let mut base = vec![Felt::ZERO; main.len()];
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
        for (c, group) in program.bus_columns.iter().enumerate() {
            aux[c][row] = group
                .iter()
                .map(|&t| fraction(program, t as usize, &env))
                .fold(Ext::ZERO, |a, b| a + b);
        }
    }
    let sum_col = program.globals.running_sum as usize;
    for row in 1..n {
        let prev: Ext = (0..program.bus_columns.len())
            .map(|c| aux[c][row - 1])
            .fold(Ext::ZERO, |a, b| a + b);
        aux[sum_col][row] = aux[sum_col][row - 1] + prev;
    }
    aux
}

/// `σ·m / (α − (value + β·tag))` for one term on one row (0 when the denominator vanishes).
fn fraction(program: &AirProgram, t: usize, env: &Env<'_, Ext>) -> Ext {
    let term = &program.bus[t];
    let m = eval_one(program, term.mult, env);
    if m == Ext::ZERO {
        return Ext::ZERO;
    }
    let key = eval_one(program, term.value, env) + env.rand[1] * eval_one(program, term.tag, env);
    let d = env.rand[0] - key;
    let signed = if term.direction == Direction::Send {
        m
    } else {
        -m
    };
    if d == Ext::ZERO {
        Ext::ZERO
    } else {
        signed * d.inv()
    }
}

fn lift(base: &[Felt], out: &mut [Ext]) {
    for (o, b) in out.iter_mut().zip(base) {
        *o = Ext::from(*b);
    }
}

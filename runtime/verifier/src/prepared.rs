//! What proving and verifying a model need beyond its program, computed once per model: the
//! constraint tapes of both segments and the periodic columns Winterfell interpolates. A
//! [`Verifier`](crate::Verifier) prepares it when it is made, so each proof it checks pays
//! neither for the tapes nor for a copy of the program.
//!
//! Periodic columns that are equal up to an added constant (a gather's lanes read `idx + l`, and
//! several gadgets repeat the same multiplicities) are handed to Winterfell once: the verifier
//! interpolates and evaluates one polynomial per distinct column, and a constraint that reads
//! column `i` reads `distinct[j] + c` instead. The constraints are the program's, unchanged.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use winter_math::{fft, FieldElement};
use zkm_air::field::Felt;
use zkm_air::interp::Tape;
use zkm_air::program::{PeriodicColumn, Segment};
use zkm_air::AirProgram;

/// A program with its tapes and distinct periodic columns.
#[derive(Debug)]
pub struct Prepared {
    /// The compiled program.
    pub program: Arc<AirProgram>,
    /// The main segment's transition constraints.
    pub(crate) main: Tape,
    /// The auxiliary segment's transition constraints.
    pub(crate) aux: Tape,
    /// The periodic columns given to Winterfell.
    pub(crate) periodic: Periodic,
    /// Their polynomials, interpolated on first use and kept for every later proof.
    polys: OnceLock<Vec<Vec<Felt>>>,
}

impl Prepared {
    /// Prepares `program` (already validated: its tapes and periodic columns are well formed).
    pub fn new(program: Arc<AirProgram>) -> Self {
        Prepared {
            main: Tape::constraints(&program, Segment::Main),
            aux: Tape::constraints(&program, Segment::Aux),
            periodic: Periodic::distinct(&program.periodic),
            polys: OnceLock::new(),
            program,
        }
    }

    /// The transition constraints of `segment`, in program order (Winterfell's order).
    pub fn tape(&self, segment: Segment) -> &Tape {
        match segment {
            Segment::Main => &self.main,
            Segment::Aux => &self.aux,
        }
    }

    /// Where the program's periodic column `i` comes from: the distinct column Winterfell sees and
    /// the constant added to it.
    pub fn periodic_source(&self, i: usize) -> (usize, Felt) {
        self.periodic.map[i]
    }

    /// The polynomials of the distinct periodic columns (coefficients, lowest first), as
    /// Winterfell's default `get_periodic_column_polys` computes them, once per model.
    pub(crate) fn periodic_polys(&self) -> &[Vec<Felt>] {
        self.polys.get_or_init(|| self.periodic.interpolate())
    }
}

/// The program's periodic columns as distinct columns plus offsets.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Periodic {
    /// The distinct columns, in order of first appearance.
    pub(crate) columns: Vec<Vec<Felt>>,
    /// Per program column: the distinct column and the constant added to it.
    pub(crate) map: Vec<(usize, Felt)>,
}

impl Periodic {
    /// Groups a program's periodic columns by their values minus their first value.
    pub(crate) fn distinct(periodic: &[PeriodicColumn]) -> Self {
        let mut first: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut columns = Vec::new();
        let mut map = Vec::with_capacity(periodic.len());
        for col in periodic {
            let values: Vec<Felt> = col.values.iter().map(|&v| Felt::new(v)).collect();
            let start = values.first().copied().unwrap_or(Felt::ZERO);
            let shape: Vec<u64> = values.iter().map(|&v| (v - start).as_int()).collect();
            let next = columns.len();
            let j = *first.entry(shape).or_insert(next);
            if j == next {
                columns.push(values);
                map.push((j, Felt::ZERO));
            } else {
                map.push((j, start - columns[j][0]));
            }
        }
        Periodic { columns, map }
    }

    /// Interpolates every distinct column (a power-of-two length, checked by validation), with
    /// one set of inverse twiddles per length.
    fn interpolate(&self) -> Vec<Vec<Felt>> {
        let mut twiddles: HashMap<usize, Vec<Felt>> = HashMap::new();
        let poly = |column: &Vec<Felt>| {
            let mut poly = column.clone();
            let len = poly.len();
            let inv = twiddles
                .entry(len)
                .or_insert_with(|| fft::get_inv_twiddles(len));
            fft::interpolate_poly(&mut poly, inv);
            poly
        };
        self.columns.iter().map(poly).collect()
    }

    /// The value of program column `i` given the distinct columns' values `values`.
    #[inline]
    pub(crate) fn value<F: FieldElement<BaseField = Felt>>(&self, values: &[F], i: usize) -> F {
        let (j, offset) = self.map[i];
        if offset == Felt::ZERO {
            values[j]
        } else {
            values[j] + F::from(offset)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use winter_math::StarkField;

    fn program(columns: &[&[u64]]) -> Vec<PeriodicColumn> {
        let named = columns.iter().enumerate();
        let column = |(i, values): (usize, &&[u64])| PeriodicColumn {
            name: format!("p{i}"),
            values: values.to_vec(),
        };
        named.map(column).collect()
    }

    #[test]
    fn equal_and_shifted_columns_share_one_polynomial() {
        let p = program(&[
            &[0, 8, 16, 28],
            &[1, 9, 17, 29],
            &[1, 1, 0, 0],
            &[0, 8, 16, 28],
        ]);
        let d = Periodic::distinct(&p);
        assert_eq!(d.columns.len(), 2);
        let at = |row: usize| -> Vec<Felt> { d.columns.iter().map(|c| c[row]).collect() };
        for row in 0..4 {
            for (i, col) in p.iter().enumerate() {
                assert_eq!(
                    d.value(&at(row), i),
                    Felt::new(col.values[row]),
                    "{i} {row}"
                );
            }
        }
    }

    #[test]
    fn columns_of_different_lengths_or_shapes_stay_apart() {
        let minus_one = Felt::ZERO - Felt::ONE;
        let p = program(&[&[0, 1], &[0, 1, 0, 1], &[5, 4], &[minus_one.as_int(), 0]]);
        let d = Periodic::distinct(&p);
        assert_eq!(d.columns.len(), 3);
        assert_eq!(d.map[3], (0, minus_one));
    }

    #[test]
    fn interpolated_polynomials_take_the_column_values_on_their_domain() {
        let p = program(&[&[3, 1], &[0, 8, 16, 28], &[7, 0, 0, 0, 0, 0, 5, 9]]);
        let d = Periodic::distinct(&p);
        let polys = d.interpolate();
        for (poly, col) in polys.iter().zip(&d.columns) {
            let g = Felt::get_root_of_unity(col.len().trailing_zeros());
            for (i, &v) in col.iter().enumerate() {
                let x = g.exp(i as u64);
                assert_eq!(winter_math::polynom::eval(poly, x), v);
            }
        }
    }
}

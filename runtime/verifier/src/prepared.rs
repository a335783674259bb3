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
use std::sync::Arc;

use winter_math::FieldElement;
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
}

impl Prepared {
    /// Prepares `program` (already validated: its tapes and periodic columns are well formed).
    pub fn new(program: Arc<AirProgram>) -> Self {
        Prepared {
            main: Tape::constraints(&program, Segment::Main),
            aux: Tape::constraints(&program, Segment::Aux),
            periodic: Periodic::distinct(&program.periodic),
            program,
        }
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
}

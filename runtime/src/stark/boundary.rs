//! Boundary constraints on the constraint-evaluation domain, for the prover's evaluator
//! ([`super::evaluator`]): Winterfell's assertions grouped by divisor, each group's divisor
//! inverted once per distinct value, and value polynomials evaluated as Winterfell's own prover
//! does (a constant; Horner for short polynomials; precomputed over the whole domain for long
//! ones), so the composition values are the same field elements.
//!
//! A group with divisor `x^a − b` adds `(Σ_c cc_c·(T_c(x) − v_c(x))) / (x^a − b)`, where `T_c` is
//! the trace column the assertion pins and `v_c` its value polynomial.

use winter_air::{Air, AuxRandElements, BoundaryConstraint, ConstraintDivisor};
use winter_math::{batch_inversion, fft, ExtensionOf, FieldElement};
use winterfell::StarkDomain;
use zkm_air::field::Felt;

/// Value polynomials with at least this many coefficients are evaluated over the whole domain up
/// front (Winterfell's prover draws the line at the same place).
const LARGE_POLY: usize = 63;

/// FFT twiddles by polynomial length, shared by the long value polynomials of one proof.
type Twiddles = std::collections::HashMap<usize, Vec<Felt>>;

/// What an assertion pins its cell to at a domain point.
enum Value<F> {
    /// A single value.
    Const(F),
    /// A short polynomial in `x·offset`.
    Small { poly: Vec<F>, x_offset: Felt },
    /// A long polynomial's values over the domain, shifted by `step_offset` steps.
    Large { values: Vec<F>, step_offset: usize },
}

/// One assertion with its composition coefficient.
struct Pin<F, E> {
    column: usize,
    cc: E,
    value: Value<F>,
}

impl<F, E> Pin<F, E>
where
    F: FieldElement<BaseField = Felt>,
    E: FieldElement<BaseField = Felt> + ExtensionOf<F>,
{
    fn new<A: Air<BaseField = Felt>>(
        c: &BoundaryConstraint<F, E>,
        air: &A,
        twiddles: &mut Twiddles,
    ) -> Self {
        let poly = c.poly();
        let value = if poly.len() == 1 {
            Value::Const(poly[0])
        } else if poly.len() < LARGE_POLY {
            Value::Small {
                poly: poly.to_vec(),
                x_offset: c.poly_offset().1,
            }
        } else {
            let twiddles = twiddles
                .entry(poly.len())
                .or_insert_with(|| fft::get_twiddles::<Felt>(poly.len()));
            let blowup = air.ce_domain_size() / poly.len();
            Value::Large {
                values: fft::evaluate_poly_with_offset(poly, twiddles, air.domain_offset(), blowup),
                step_offset: c.poly_offset().0 * air.ce_blowup_factor(),
            }
        };
        Pin {
            column: c.column(),
            cc: *c.cc(),
            value,
        }
    }

    /// `cc·(state[column] − v(x))` at CE step `step` (point `x`).
    #[inline]
    fn eval(&self, state: &[F], x: Felt, step: usize) -> E {
        let v = match &self.value {
            Value::Const(v) => *v,
            Value::Small { poly, x_offset } => {
                let x = x * *x_offset;
                poly.iter()
                    .rev()
                    .fold(F::ZERO, |acc, &c| acc.mul_base(x) + c)
            }
            Value::Large {
                values,
                step_offset,
            } => values[(step + values.len() - step_offset) % values.len()],
        };
        self.cc.mul_base(state[self.column] - v)
    }
}

/// Assertions sharing one divisor.
struct Group<E: FieldElement<BaseField = Felt>> {
    divisor: ConstraintDivisor<Felt>,
    /// `1 / (x^a − b)` at CE steps `0..period` (the values repeat with that period).
    inverse: Vec<Felt>,
    main: Vec<Pin<Felt, E>>,
    aux: Vec<Pin<E, E>>,
}

/// Every boundary constraint of a proof.
pub(super) struct Boundary<E: FieldElement<BaseField = Felt>> {
    groups: Vec<Group<E>>,
}

impl<E> Boundary<E>
where
    E: FieldElement<BaseField = Felt> + ExtensionOf<Felt>,
{
    /// The boundary constraints of `air` with composition coefficients `coefs`.
    pub(super) fn new<A: Air<BaseField = Felt>>(
        air: &A,
        rand: Option<&AuxRandElements<E>>,
        coefs: &[E],
        domain: &StarkDomain<Felt>,
    ) -> Self {
        let source = air.get_boundary_constraints(rand, coefs);
        let mut groups: Vec<Group<E>> = Vec::new();
        let mut twiddles = Twiddles::new();
        for g in source.main_constraints() {
            let main = g.constraints().iter();
            let main = main.map(|c| Pin::new(c, air, &mut twiddles)).collect();
            groups.push(Group {
                divisor: g.divisor().clone(),
                inverse: inverse_numerator(g.divisor(), domain),
                main,
                aux: Vec::new(),
            });
        }
        for g in source.aux_constraints() {
            let aux = g.constraints().iter();
            let aux: Vec<_> = aux.map(|c| Pin::new(c, air, &mut twiddles)).collect();
            match groups.iter_mut().find(|m| &m.divisor == g.divisor()) {
                Some(m) => m.aux.extend(aux),
                None => groups.push(Group {
                    divisor: g.divisor().clone(),
                    inverse: inverse_numerator(g.divisor(), domain),
                    main: Vec::new(),
                    aux,
                }),
            }
        }
        Boundary { groups }
    }

    /// The boundary part of the composition at CE step `step` (point `x`), given the current
    /// row's main and auxiliary cells.
    #[inline]
    pub(super) fn eval(&self, main: &[Felt], aux: &[E], x: Felt, step: usize) -> E {
        let mut total = E::ZERO;
        for g in &self.groups {
            let mut sum = E::ZERO;
            for p in &g.main {
                sum += p.eval(main, x, step);
            }
            for p in &g.aux {
                sum += p.eval(aux, x, step);
            }
            total += sum.mul_base(g.inverse[step % g.inverse.len()]);
        }
        total
    }
}

/// `1 / (x^a − b)` for the divisor's numerator `x^a − b` at the CE domain's first
/// `size / a` points (with `x = offset·g^i`, `x^a = offset^a·(g^a)^i` repeats with that period).
/// A divisor of boundary constraints has one numerator term and no exemptions; a transition
/// divisor's exemptions are left to the caller.
pub(super) fn inverse_numerator(
    divisor: &ConstraintDivisor<Felt>,
    domain: &StarkDomain<Felt>,
) -> Vec<Felt> {
    let [(a, b)] = divisor.numerator() else {
        panic!("a divisor with more than one numerator term: {divisor}");
    };
    let size = domain.ce_domain_size();
    let period = (size / a).max(1);
    let step = domain.ce_domain_generator().exp(*a as u64);
    let mut x_a = domain.offset().exp(*a as u64);
    let mut values = Vec::with_capacity(period);
    for _ in 0..period {
        values.push(x_a - *b);
        x_a *= step;
    }
    batch_inversion(&values)
}

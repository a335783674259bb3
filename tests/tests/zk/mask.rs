//! The quotient mask's rank (`spec/zk.md` §3.3, §5): with `B = zk.gate` as the prover drew it,
//! the map from the `n` coefficients of `A = zk.quotient` to everything a proof reveals about `A`
//! and about the mask's quotient `M = p·B·b·A(g·x)` (`B = Z_enf·b`), split into the `m = 3`
//! composition segments, must have rank `(m + 1)(q_u + 2) − 1 − pairs`: full but for the
//! verifier's own out-of-domain equation and one for each pair of opened positions `p`, `p + 8`
//! (`g·x_p` opened as well).

use winterfell::math::{fft, ExtensionOf, FieldElement};
use zkm_air::field::{Ext, Felt};

use super::view::{generator, rank, View};

/// Coefficients of the polynomial through `values` on the trace domain.
pub fn interpolate(values: &[Ext]) -> Vec<Ext> {
    let mut c = values.to_vec();
    let inv = fft::get_inv_twiddles::<Felt>(c.len());
    fft::interpolate_poly(&mut c, &inv);
    c
}

fn mul(a: &[Ext], b: &[Ext]) -> Vec<Ext> {
    let mut out = vec![Ext::ZERO; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += *x * *y;
        }
    }
    out
}

/// `a / d` for a monic `d` dividing `a` exactly.
fn div_exact(a: &[Ext], d: &[Ext]) -> Vec<Ext> {
    let mut rem = a.to_vec();
    let (la, ld) = (a.len(), d.len());
    let mut q = vec![Ext::ZERO; la + 1 - ld];
    for k in (0..q.len()).rev() {
        let c = rem[k + ld - 1];
        q[k] = c;
        for (t, dv) in d.iter().enumerate() {
            rem[k + t] -= c * *dv;
        }
    }
    assert!(
        rem.iter().all(|r| *r == Ext::ZERO),
        "B is not a multiple of Z_enf"
    );
    q
}

/// The polynomial `K = p·B·b` with `p = (3 − x^(n/2))/2` (values `[1, 2]`) and `b = B / Z_enf`.
fn mask_factor(b_values: &[Ext], enforced: usize) -> Vec<Ext> {
    let n = b_values.len();
    let b_poly = interpolate(b_values);
    let g = generator(n);
    let mut z_enf = vec![Ext::ONE];
    let mut gk = Felt::ONE;
    for _ in 0..enforced {
        z_enf = mul(&z_enf, &[Ext::from(-gk), Ext::ONE]);
        gk *= g;
    }
    let top = b_poly.iter().rposition(|c| *c != Ext::ZERO).unwrap_or(0);
    let small = div_exact(&b_poly[..=top], &z_enf);
    let half = Ext::from(Felt::new(2)).inv();
    let mut p = vec![Ext::ZERO; n / 2 + 1];
    p[0] = Ext::from(Felt::new(3)) * half;
    p[n / 2] = -half;
    mul(&mul(&p, &b_poly[..=top]), &small)
}

/// The rank of the `A`-map for the proof seen in `view`, and the count of opened pairs `p, p + 8`.
pub fn a_map_rank(
    view: &View,
    b_values: &[Ext],
    enforced: usize,
    segments: usize,
) -> (usize, usize) {
    let n = b_values.len();
    let k = mask_factor(b_values, enforced);
    let g = generator(n);
    let mut points: Vec<Ext> = view.points(n).into_iter().map(Ext::from).collect();
    points.extend([view.z, view.z.mul_base(g)]);
    let powers: Vec<Vec<Ext>> = points
        .iter()
        .map(|&y| {
            std::iter::successors(Some(Ext::ONE), |p| Some(*p * y))
                .take(n)
                .collect()
        })
        .collect();
    let rows = points.len() * (segments + 1);
    let mut m = vec![vec![Ext::ZERO; n]; rows];
    let mut gi = Felt::ONE;
    for i in 0..n {
        // A = x^i: A at each point, and M = g^i·x^i·K split into segments.
        for (r, pw) in powers.iter().enumerate() {
            m[r][i] = pw[i];
        }
        for (t, kc) in k.iter().enumerate() {
            let deg = t + i;
            let (j, e) = (deg / n, deg % n);
            if j >= segments {
                assert!(
                    *kc == Ext::ZERO,
                    "the mask's quotient exceeds the composition columns"
                );
                continue;
            }
            let c = kc.mul_base(gi);
            for (r, pw) in powers.iter().enumerate() {
                m[points.len() * (j + 1) + r][i] += c * pw[e];
            }
        }
        gi *= g;
    }
    let lde = 8 * n;
    let set: std::collections::BTreeSet<usize> = view.positions.iter().copied().collect();
    let pairs = view
        .positions
        .iter()
        .filter(|&&p| set.contains(&((p + 8) % lde)))
        .count();
    (rank(m), pairs)
}

//! The Goldilocks field and conversions between signed integers and field elements.

pub use winter_math::fields::f64::BaseElement as Felt;
pub use winter_math::fields::QuadExtension;
pub use winter_math::{ExtensionOf, FieldElement, StarkField};

/// The field modulus p = 2^64 − 2^32 + 1.
pub const MODULUS: u64 = 0xffff_ffff_0000_0001;

/// The quadratic extension used for auxiliary columns and random elements.
pub type Ext = QuadExtension<Felt>;

/// Maps a signed integer to the field (negative values wrap to p − |v|).
pub fn felt(v: i64) -> Felt {
    if v >= 0 {
        Felt::new(v as u64)
    } else {
        -Felt::new(v.unsigned_abs())
    }
}

/// Maps an i128 that is known to lie within ±2^63 to the field.
pub fn felt_i128(v: i128) -> Felt {
    let m = MODULUS as i128;
    Felt::new(v.rem_euclid(m) as u64)
}

/// The canonical representative of a field element as a signed integer in (−p/2, p/2].
pub fn signed(x: Felt) -> i128 {
    let v = x.as_int();
    if v > MODULUS / 2 {
        v as i128 - MODULUS as i128
    } else {
        v as i128
    }
}

/// A canonical u64 encoding of a signed constant, as stored in the artifact.
pub fn canonical(v: i128) -> u64 {
    felt_i128(v).as_int()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_round_trip() {
        for v in [-5i64, 0, 7, i32::MIN as i64, 1 << 40] {
            assert_eq!(signed(felt(v)), v as i128);
            assert_eq!(signed(felt_i128(v as i128)), v as i128);
        }
    }
}

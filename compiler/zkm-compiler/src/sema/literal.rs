//! Number literals as exact decimal values.
//!
//! A literal such as `0.25` is kept exact (`25 / 10^2`) until it meets a tensor: in `a + lit`
//! it takes `a`'s fractional bits `F` and becomes the integer code `lit * 2^F`, which must be
//! exact. Arithmetic between two literals is folded exactly here.

use zkm_diagnostics::Span;

use super::range::FIELD_BOUND;

/// The most decimal digits after the point a literal may carry (keeps `10^d` inside `i128`).
const MAX_DECIMALS: u32 = 30;

/// The largest fractional bits a literal may be given on its own.
const MAX_LITERAL_FRAC: u32 = 62;

/// An exact decimal number `num / 10^exp10`, in lowest terms (`num` not divisible by 10 when
/// `exp10 > 0`), with the span of the expression it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lit {
    /// The digits as an integer.
    pub num: i128,
    /// The power of ten dividing `num`.
    pub exp10: u32,
    /// The literal (or folded literal expression) in the source.
    pub span: Span,
}

/// Why a literal cannot become a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LitError {
    /// The text is not a decimal number.
    Malformed,
    /// The magnitude exceeds `2^62` (at the requested scale).
    TooLarge,
    /// Too many decimal digits, or folding overflowed.
    TooPrecise,
    /// Not a multiple of `2^-frac` (or of any power of two up to the limit).
    Inexact,
}

impl Lit {
    /// Parses the digits of a literal as written (`"3"`, `"0.25"`, `"1_000"`).
    pub(crate) fn parse(text: &str, span: Span) -> Result<Lit, LitError> {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let (int, frac) = clean.split_once('.').unwrap_or((&clean, ""));
        let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if int.is_empty() || !all_digits(int) || !all_digits(frac) {
            return Err(LitError::Malformed);
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > MAX_DECIMALS as usize {
            return Err(LitError::TooPrecise);
        }
        let int_val = digits_value(int).ok_or(LitError::TooLarge)?;
        if int_val > FIELD_BOUND {
            return Err(LitError::TooLarge);
        }
        let exp10 = frac.len() as u32;
        let frac_val = if frac.is_empty() {
            0
        } else {
            digits_value(frac).ok_or(LitError::TooLarge)?
        };
        let num = int_val
            .checked_mul(pow10(exp10)?)
            .and_then(|n| n.checked_add(frac_val));
        Ok(Lit {
            num: num.ok_or(LitError::TooPrecise)?,
            exp10,
            span,
        })
    }

    /// The integer code of this value at `frac` fractional bits: `self * 2^frac`.
    pub(crate) fn code_at(self, frac: u32) -> Result<i128, LitError> {
        let scale = 1i128
            .checked_shl(frac)
            .filter(|_| frac < 126)
            .ok_or(LitError::TooLarge)?;
        let scaled = self.num.checked_mul(scale).ok_or(LitError::TooLarge)?;
        let den = pow10(self.exp10)?;
        if scaled % den != 0 {
            return Err(LitError::Inexact);
        }
        let q = scaled / den;
        if q.abs() > FIELD_BOUND {
            return Err(LitError::TooLarge);
        }
        Ok(q)
    }

    /// The smallest fractional bits at which this value is exact, with its code there.
    pub(crate) fn smallest_exact(self) -> Result<(i128, u32), LitError> {
        for frac in 0..=MAX_LITERAL_FRAC {
            match self.code_at(frac) {
                Ok(q) => return Ok((q, frac)),
                Err(LitError::Inexact) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(LitError::Inexact)
    }

    /// The multiple of `2^-frac` nearest to this value (halves round up), as a literal.
    pub(crate) fn nearest(self, frac: u32) -> Option<Lit> {
        let scaled = self
            .num
            .checked_mul(1i128.checked_shl(frac).filter(|_| frac < 100)?)?;
        let den = pow10(self.exp10).ok()?;
        let q = (scaled.checked_add(den / 2)?).div_euclid(den);
        let num = q.checked_mul(5i128.checked_pow(frac)?)?;
        Some(
            Lit {
                num,
                exp10: frac,
                span: self.span,
            }
            .normalized(),
        )
    }

    /// `-self`.
    pub(crate) fn neg(self, span: Span) -> Result<Lit, LitError> {
        let num = self.num.checked_neg().ok_or(LitError::TooPrecise)?;
        Ok(Lit {
            num,
            exp10: self.exp10,
            span,
        })
    }

    /// `self + other` (`other` negated first when `negate_other`).
    pub(crate) fn add(self, other: Lit, negate_other: bool, span: Span) -> Result<Lit, LitError> {
        let exp10 = self.exp10.max(other.exp10);
        let a = self.num.checked_mul(pow10(exp10 - self.exp10)?);
        let b = other.num.checked_mul(pow10(exp10 - other.exp10)?);
        let (a, b) = (
            a.ok_or(LitError::TooPrecise)?,
            b.ok_or(LitError::TooPrecise)?,
        );
        let b = if negate_other {
            b.checked_neg()
        } else {
            Some(b)
        };
        let num = b
            .and_then(|b| a.checked_add(b))
            .ok_or(LitError::TooPrecise)?;
        Ok(Lit { num, exp10, span }.normalized())
    }

    /// `self * other`.
    pub(crate) fn mul(self, other: Lit, span: Span) -> Result<Lit, LitError> {
        let num = self
            .num
            .checked_mul(other.num)
            .ok_or(LitError::TooPrecise)?;
        let lit = Lit {
            num,
            exp10: self.exp10 + other.exp10,
            span,
        }
        .normalized();
        if lit.exp10 > MAX_DECIMALS {
            return Err(LitError::TooPrecise);
        }
        Ok(lit)
    }

    /// Removes trailing decimal zeros.
    fn normalized(mut self) -> Lit {
        while self.exp10 > 0 && self.num % 10 == 0 {
            self.num /= 10;
            self.exp10 -= 1;
        }
        self
    }
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.num.unsigned_abs().to_string();
        let sign = if self.num < 0 { "-" } else { "" };
        let d = self.exp10 as usize;
        if d == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = d + 1);
        let (int, frac) = padded.split_at(padded.len() - d);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// `10^e` for `e <= 38`.
fn pow10(e: u32) -> Result<i128, LitError> {
    10i128.checked_pow(e).ok_or(LitError::TooPrecise)
}

/// The value of a string of ASCII digits, `None` on overflow.
fn digits_value(s: &str) -> Option<i128> {
    s.bytes().try_fold(0i128, |acc, b| {
        acc.checked_mul(10)?.checked_add(i128::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Lit {
        Lit::parse(s, Span::default()).expect("valid literal")
    }

    #[test]
    fn parses_and_prints_exactly() {
        assert_eq!(lit("0.250").to_string(), "0.25");
        assert_eq!(lit("3").to_string(), "3");
        assert_eq!(lit("1_000.5").to_string(), "1000.5");
        assert_eq!(
            lit("0.05").neg(Span::default()).map(|l| l.to_string()),
            Ok("-0.05".into())
        );
        assert_eq!(Lit::parse("1e5", Span::default()), Err(LitError::Malformed));
        assert_eq!(
            Lit::parse("9223372036854775808", Span::default()),
            Err(LitError::TooLarge)
        );
    }

    #[test]
    fn codes_are_exact_or_rejected() {
        assert_eq!(lit("0.25").code_at(8), Ok(64));
        assert_eq!(lit("0.25").code_at(1), Err(LitError::Inexact));
        assert_eq!(lit("0.1").code_at(12), Err(LitError::Inexact));
        assert_eq!(lit("0.25").smallest_exact(), Ok((1, 2)));
        assert_eq!(lit("3").smallest_exact(), Ok((3, 0)));
        assert_eq!(lit("0.1").smallest_exact(), Err(LitError::Inexact));
        assert_eq!(
            lit("0.1").nearest(8).map(|l| l.to_string()),
            Some("0.1015625".into())
        );
    }

    #[test]
    fn folding_is_exact() {
        let s = Span::default();
        assert_eq!(
            lit("0.1").mul(lit("10"), s).map(|l| l.smallest_exact()),
            Ok(Ok((1, 0)))
        );
        assert_eq!(
            lit("2").add(lit("0.5"), true, s).map(|l| l.to_string()),
            Ok("1.5".into())
        );
    }
}

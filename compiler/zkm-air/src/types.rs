//! The typed vocabulary of the boundary: what a declaration is ([`DeclKind`]), who sees it
//! ([`Visibility`]), how an output reads ([`OutputKind`]) and its fixed-point type ([`NumType`]).
//! The compiler maps its syntax onto these; the runtime, the verifier and the CLI match on them.

use serde::{Deserialize, Serialize};

/// What a declaration is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclKind {
    /// `input`: data the model runs on.
    Input,
    /// `param`: weights and biases.
    Param,
    /// `output`: a result of the model.
    Output,
}

/// Who sees a declaration's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Part of the statement.
    Public,
    /// Known to the prover only.
    Private,
    /// Known to the prover; the statement carries a digest.
    Committed,
}

/// How an output's values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    /// Numbers (fixed-point values).
    Values,
    /// A class index (the result of `argmax`).
    Class,
}

/// A signed fixed-point element type: a `bits`-bit two's-complement integer `q` standing for
/// `q / 2^frac`; `int<W>` is `frac == 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NumType {
    /// Total width W in bits, sign included.
    pub bits: u32,
    /// Fractional bits F (0..=bits).
    pub frac: u32,
}

impl NumType {
    /// The smallest and largest integer code: `[-2^(W-1), 2^(W-1) - 1]`.
    pub fn bounds(self) -> (i128, i128) {
        let half = 1i128 << (self.bits.clamp(1, 126) - 1);
        (-half, half - 1)
    }

    /// True when integer code `q` fits the type.
    pub fn holds(self, q: i128) -> bool {
        let (lo, hi) = self.bounds();
        (lo..=hi).contains(&q)
    }

    /// The real value of integer code `q`.
    pub fn real(self, q: i128) -> f64 {
        q as f64 / 2f64.powi(self.frac as i32)
    }
}

impl std::fmt::Display for NumType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.frac == 0 {
            write!(f, "int<{}>", self.bits)
        } else {
            write!(f, "fixed<{}, {}>", self.bits, self.frac)
        }
    }
}

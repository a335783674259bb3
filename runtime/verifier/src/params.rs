//! Public parameters from JSON, for verifiers that have no weight-file readers (the WebAssembly
//! binding): an object mapping each public `param` to nested arrays of numbers in its declared
//! shape, quantized to its declared type with `q = floor(v·2^F + 1/2)`, returned in slot order.
//! Other entries (private parameters) are ignored: a verifier may be handed the whole weights
//! file or only its public part.

use serde_json::Value;
use zkm_air::field::{felt, Felt};
use zkm_air::{AirProgram, PublicKind, PublicSlot};

/// Why the public parameters could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamsError {
    /// Not a JSON object (the parser's message).
    Json(String),
    /// A public parameter is missing.
    Missing(String),
    /// A parameter's nested arrays do not have its declared shape.
    Shape {
        /// The parameter.
        name: String,
        /// Its declared shape.
        declared: Vec<usize>,
    },
    /// A value is not a finite number that fits the declared type.
    Value {
        /// The parameter.
        name: String,
        /// Row-major element index.
        index: usize,
    },
}

impl std::fmt::Display for ParamsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamsError::Json(e) => write!(f, "public parameters: {e}"),
            ParamsError::Missing(n) => write!(f, "no values for the public parameter `{n}`"),
            ParamsError::Shape { name, declared } => {
                write!(f, "`{name}` must be nested arrays of shape {declared:?}")
            }
            ParamsError::Value { name, index } => {
                write!(f, "`{name}`[{index}] is not a number that fits its type")
            }
        }
    }
}

impl std::error::Error for ParamsError {}

/// The quantized public parameters of `program` from the JSON text `json`, in slot order.
///
/// # Errors
/// Malformed JSON, a missing parameter, a shape other than declared, or a value out of range.
pub fn from_json(program: &AirProgram, json: &str) -> Result<Vec<Felt>, ParamsError> {
    let slots = program
        .public
        .iter()
        .filter(|s| s.kind == PublicKind::Param);
    let slots: Vec<&PublicSlot> = slots.collect();
    if slots.is_empty() {
        return Ok(vec![]);
    }
    let value: Value = serde_json::from_str(json).map_err(|e| ParamsError::Json(e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(ParamsError::Json("expected a JSON object".into()));
    };
    let mut out = Vec::new();
    for s in slots {
        let v = obj
            .get(&s.name)
            .ok_or_else(|| ParamsError::Missing(s.name.clone()))?;
        let flat = values(v, &s.shape).ok_or_else(|| ParamsError::Shape {
            name: s.name.clone(),
            declared: s.shape.clone(),
        })?;
        for (index, &x) in flat.iter().enumerate() {
            let q = quantize(x, s.ty.frac, s.ty.bits).ok_or_else(|| ParamsError::Value {
                name: s.name.clone(),
                index,
            })?;
            out.push(felt(q));
        }
    }
    Ok(out)
}

/// The numbers of `v` in row-major order: nested arrays of exactly `shape`, or a flat list of
/// the right length (the forms `zkmc prove` accepts).
fn values(v: &Value, shape: &[usize]) -> Option<Vec<f64>> {
    let mut out = Vec::new();
    if flatten(v, shape, &mut out).is_some() {
        return Some(out);
    }
    out.clear();
    let len = shape.iter().product();
    flatten(v, &[len], &mut out).map(|_| out)
}

/// Appends the numbers of `v` in row-major order if it has exactly `shape` (a scalar may also
/// be a one-element array); `None` otherwise.
fn flatten(v: &Value, shape: &[usize], out: &mut Vec<f64>) -> Option<()> {
    match (v, shape.split_first()) {
        (Value::Number(n), None) => out.push(n.as_f64()?),
        (Value::Array(items), None) if items.len() == 1 => flatten(&items[0], &[], out)?,
        (Value::Array(items), Some((&len, rest))) if items.len() == len => {
            for item in items {
                flatten(item, rest, out)?;
            }
        }
        _ => return None,
    }
    Some(())
}

/// `floor(v·2^frac + 1/2)` if it is finite and fits `bits` signed bits.
fn quantize(v: f64, frac: u32, bits: u32) -> Option<i64> {
    let q = (v * 2f64.powi(frac as i32) + 0.5).floor();
    let half = 2f64.powi(bits.clamp(1, 63) as i32 - 1);
    (q.is_finite() && q >= -half && q < half).then_some(q as i64)
}

#[cfg(test)]
mod tests {
    use super::{quantize, values};

    fn flat(json: &str, shape: &[usize]) -> Option<Vec<f64>> {
        values(&serde_json::from_str(json).expect("JSON"), shape)
    }

    #[test]
    fn nested_arrays_must_have_the_declared_shape() {
        assert_eq!(
            flat("[[1, 2, 3], [4, 5, 6]]", &[2, 3]),
            Some(vec![1., 2., 3., 4., 5., 6.])
        );
        assert_eq!(
            flat("[[1, 2], [3, 4], [5, 6]]", &[2, 3]),
            None,
            "transposed"
        );
        assert_eq!(flat("[[1, 2, 3], [4, 5]]", &[2, 3]), None, "ragged");
        assert_eq!(
            flat("[1, 2, 3, 4, 5, 6]", &[2, 3]),
            Some(vec![1., 2., 3., 4., 5., 6.])
        );
        assert_eq!(flat("[1, 2, 3, 4, 5]", &[2, 3]), None, "too short");
        assert_eq!(flat("7", &[]), Some(vec![7.]));
        assert_eq!(flat("[7]", &[]), Some(vec![7.]));
        assert_eq!(flat("\"7\"", &[]), None);
    }

    #[test]
    fn quantization_rounds_half_up_and_checks_the_width() {
        assert_eq!(quantize(0.5, 1, 8), Some(1));
        assert_eq!(quantize(-0.75, 1, 8), Some(-1));
        assert_eq!(quantize(63.5, 1, 8), Some(127));
        assert_eq!(quantize(64.0, 1, 8), None);
        assert_eq!(quantize(-64.0, 1, 8), Some(-128));
        assert_eq!(quantize(f64::NAN, 0, 8), None);
        assert_eq!(quantize(f64::INFINITY, 0, 60), None);
    }
}

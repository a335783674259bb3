//! Input and weight files: JSON with one entry per declared tensor (nested arrays of numbers in
//! row-major order), or EZKL's `{"input_data": [[...], ...]}` layout for inputs. Floats are
//! quantized to their declared fixed-point type with `q = floor(v·2^F + 1/2)`.

use std::collections::BTreeMap;

use crate::json_data::{self, Layout};
use zkm_air::{AirProgram, DeclInfo, DeclKind, Inputs};
use zkm_diagnostics::{codes, Code};

/// A problem with an input or weight file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// `E0701` (malformed or missing) or `E0702` (value out of range).
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// 1-based line and column in the file, when the problem has one.
    pub line_col: Option<(usize, usize)>,
    /// True when the problem is in the weights file, false for the input file.
    pub in_weights: bool,
    /// How to fix it, when there is something specific to say.
    pub help: Option<String>,
}

impl InputError {
    pub(crate) fn bad(message: String) -> Self {
        InputError {
            code: codes::BAD_INPUT,
            message,
            line_col: None,
            in_weights: false,
            help: None,
        }
    }
}

/// The largest quantization error of each loaded tensor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuantReport {
    /// `(tensor name, largest |q/2^F − v|)`, in declaration order.
    pub max_error: Vec<(String, f64)>,
}

/// Quantized inputs and parameters with their quantization report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    /// Integer codes by tensor name.
    pub inputs: Inputs,
    /// Quantization errors.
    pub report: QuantReport,
}

/// Loads the inputs (`input_json`) and parameters (`weights_json`) of `program`.
///
/// # Errors
/// Malformed JSON, a missing or unknown tensor, a wrong element count, a non-number, or a value
/// that does not fit its declared type.
pub fn load(
    program: &AirProgram,
    input_json: &str,
    weights_json: &str,
) -> Result<Loaded, InputError> {
    let params: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .collect();
    let weight_map = tensor_map(weights_json, &params).map_err(|mut e| {
        e.in_weights = true;
        e
    })?;
    load_with(program, input_json, weight_map)
}

/// [`load`] with the weights already read into flattened values per tensor name (from JSON,
/// safetensors or `.npy` files: see [`crate::weights`]).
///
/// # Errors
/// As [`load`].
pub fn load_with(
    program: &AirProgram,
    input_json: &str,
    weight_map: BTreeMap<String, Vec<f64>>,
) -> Result<Loaded, InputError> {
    let mut loaded = Loaded::default();
    let inputs: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Input)
        .collect();
    let params: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .collect();
    let input_map = tensor_map(input_json, &inputs)?;
    for (decls, map, weights) in [(&inputs, &input_map, false), (&params, &weight_map, true)] {
        for d in decls.iter() {
            let mark = |mut e: InputError| {
                e.in_weights = weights;
                e
            };
            let missing = || InputError::bad(format!("no values for `{}`", d.name));
            let values = map.get(&d.name).ok_or_else(missing).map_err(mark)?;
            let (codes, err) = quantize(d, values).map_err(mark)?;
            loaded.inputs.values.insert(d.name.clone(), codes);
            loaded.report.max_error.push((d.name.clone(), err));
        }
    }
    Ok(loaded)
}

/// Parses a JSON file into flattened values per tensor name, accepting EZKL's layout.
///
/// Named tensors must be nested exactly as declared (a scalar may be a number or a one-element
/// list); EZKL's `input_data` rows are flat, as EZKL writes them, or nested as declared, one per
/// declaration and no more.
pub(crate) fn tensor_map(
    text: &str,
    decls: &[&DeclInfo],
) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    if decls.is_empty() && text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let layout = json_data::parse(text).map_err(|e| InputError {
        line_col: e.line_col,
        ..InputError::bad(e.message)
    })?;
    let mut out = BTreeMap::new();
    match layout {
        Layout::Named(tensors) => {
            for (name, t) in tensors {
                let Some(d) = decls.iter().find(|d| d.name == name) else {
                    let known: Vec<&str> = decls.iter().map(|d| d.name.as_str()).collect();
                    return Err(InputError::bad(format!(
                        "unknown tensor `{}` (expected: {})",
                        json_data::escape(&name),
                        known.join(", ")
                    )));
                };
                let scalar = d.shape.is_empty() && t.shape == [1];
                if t.shape != d.shape && !scalar {
                    return Err(shape_mismatch(
                        d,
                        &t.shape,
                        "the file holds nested arrays of shape",
                    ));
                }
                out.insert(name, t.values);
            }
        }
        Layout::Ezkl(rows) => {
            if rows.len() > decls.len() {
                let names: Vec<&str> = decls.iter().map(|d| d.name.as_str()).collect();
                return Err(InputError::bad(format!(
                    "`input_data` holds {} arrays but the model reads {} here ({})",
                    rows.len(),
                    decls.len(),
                    names.join(", ")
                )));
            }
            for (d, t) in decls.iter().zip(rows) {
                let flat = t.shape.len() == 1 && t.shape[0] == d.len();
                if t.shape != d.shape && !flat {
                    let what = "its `input_data` row holds nested arrays of shape";
                    return Err(shape_mismatch(d, &t.shape, what));
                }
                out.insert(d.name.clone(), t.values);
            }
        }
    }
    Ok(out)
}

/// E0701 for data of shape `found` where `d` is declared; when the file holds the transpose of a
/// declared matrix, says so and shows both fixes.
pub(crate) fn shape_mismatch(d: &DeclInfo, found: &[usize], what: &str) -> InputError {
    let (declared, name) = (&d.shape, &d.name);
    let message = format!("`{name}` is declared {declared:?} but {what} {found:?}");
    let mut e = InputError::bad(message);
    if declared.len() == 2 && found == [declared[1], declared[0]] {
        let (n, m) = (declared[0], declared[1]);
        e.help = Some(format!(
            "the file holds the transpose (as PyTorch stores [out, in] weights): either declare `{name}` as `[{m}, {n}]` and write the product the other way round (`{name} @ x` instead of `x @ {name}`), or transpose the matrix in the file"
        ));
    }
    e
}

/// Quantizes to `d`'s type; returns the codes and the largest quantization error.
fn quantize(d: &DeclInfo, values: &[f64]) -> Result<(Vec<i64>, f64), InputError> {
    if values.len() != d.len() {
        let msg = format!(
            "`{}` is declared with {} elements {:?} but the file gives {}",
            d.name,
            d.len(),
            d.shape,
            values.len()
        );
        return Err(InputError::bad(msg));
    }
    let scale = 2f64.powi(d.ty.frac as i32);
    let half = 1i64 << (d.ty.bits - 1);
    let mut max_err = 0f64;
    let mut out = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        let q = (v * scale + 0.5).floor();
        if !q.is_finite() || q < -(half as f64) || q >= half as f64 {
            let (lo, hi) = (-(half as f64) / scale, (half - 1) as f64 / scale);
            let message = format!(
                "`{}`[{i}] = {v} does not fit its type {} (range [{lo}, {hi}]); {}",
                d.name,
                d.ty,
                fitting_type(d, values)
            );
            let code = codes::INPUT_OUT_OF_RANGE;
            return Err(InputError {
                code,
                message,
                line_col: None,
                in_weights: false,
                help: None,
            });
        }
        max_err = max_err.max((q / scale - v).abs());
        out.push(q as i64);
    }
    Ok((out, max_err))
}

/// The largest magnitude in `values` and the narrowest type with the same fractional bits that
/// holds every value (or why none does).
fn fitting_type(d: &DeclInfo, values: &[f64]) -> String {
    let finite = values.iter().filter(|v| v.is_finite());
    let largest = finite.fold(0f64, |m, v| m.max(v.abs()));
    let scale = 2f64.powi(d.ty.frac as i32);
    let code = (largest * scale + 0.5).floor() + 1.0;
    let bits = (code.log2().ceil() as u32 + 1).max(1);
    let head = format!("the largest magnitude in `{}` is {largest}", d.name);
    if values.iter().any(|v| !v.is_finite()) {
        return format!("{head}, and the tensor holds NaN or infinity, which no type can hold");
    }
    if bits > 48 {
        return format!("{head}, more than any type with {} fractional bits holds (48 bits at most): scale the data down", d.ty.frac);
    }
    let ty = zkm_air::NumType {
        bits,
        frac: d.ty.frac,
    };
    format!("{head}: `{ty}` would hold every value")
}

/// Loads only the public inputs from `input_json` (which may hold private ones too), quantized,
/// by name: what a verifier compares with a statement (`zkmc verify --input`).
///
/// # Errors
/// As [`load`], for the input file, and a missing public input.
pub fn load_public_inputs(
    program: &AirProgram,
    input_json: &str,
) -> Result<BTreeMap<String, Vec<i64>>, InputError> {
    let public = |d: &DeclInfo| d.visibility == zkm_air::Visibility::Public;
    Ok(inputs_where(program, input_json, public)?.1)
}

/// Every input from `input_json`: the values as read and quantized, by name (`zkmc eval`, which
/// quantizes the parameters once and the inputs per sample).
///
/// # Errors
/// As [`load`], for the input file.
#[allow(clippy::type_complexity)]
pub fn load_inputs(
    program: &AirProgram,
    input_json: &str,
) -> Result<(BTreeMap<String, Vec<f64>>, BTreeMap<String, Vec<i64>>), InputError> {
    inputs_where(program, input_json, |_| true)
}

/// The inputs `keep` selects, read from `input_json` (every declared input must be there) and
/// quantized.
#[allow(clippy::type_complexity)]
fn inputs_where(
    program: &AirProgram,
    input_json: &str,
    keep: impl Fn(&DeclInfo) -> bool,
) -> Result<(BTreeMap<String, Vec<f64>>, BTreeMap<String, Vec<i64>>), InputError> {
    let all: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Input)
        .collect();
    let mut map = tensor_map(input_json, &all)?;
    let mut codes = BTreeMap::new();
    for d in all.iter().filter(|d| keep(d)) {
        let missing = || InputError::bad(format!("no values for `{}`", d.name));
        let values = map.get(&d.name).ok_or_else(missing)?;
        codes.insert(d.name.clone(), quantize(d, values)?.0);
    }
    map.retain(|name, _| codes.contains_key(name));
    Ok((map, codes))
}

/// Loads only the public parameters (what a verifier needs) from `weights_json`, in slot order.
///
/// # Errors
/// As [`load`], for the weights file.
pub fn load_public_params(
    program: &AirProgram,
    weights_json: &str,
) -> Result<Vec<zkm_air::field::Felt>, InputError> {
    let all: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .collect();
    let map = tensor_map(weights_json, &all).map_err(|mut e| {
        e.in_weights = true;
        e
    })?;
    public_params_from(program, &map)
}

/// The public parameters, quantized, in slot order, from weights already read (see
/// [`crate::weights::read`]).
///
/// # Errors
/// A missing parameter or a value that does not fit its type.
pub fn public_params_from(
    program: &AirProgram,
    map: &BTreeMap<String, Vec<f64>>,
) -> Result<Vec<zkm_air::field::Felt>, InputError> {
    let mut out = Vec::new();
    let slots = program
        .public
        .iter()
        .filter(|s| s.kind == zkm_air::PublicKind::Param);
    for slot in slots {
        let Some(d) = program
            .decls
            .iter()
            .find(|d| d.name == slot.name && d.kind == DeclKind::Param)
        else {
            continue;
        };
        let missing = || InputError::bad(format!("no values for `{}`", d.name));
        let values = map.get(&d.name).ok_or_else(missing)?;
        let (codes, _) = quantize(d, values)?;
        out.extend(codes.into_iter().map(zkm_air::field::felt));
    }
    Ok(out)
}

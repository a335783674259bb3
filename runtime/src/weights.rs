//! Weight files in the formats trained models come in: JSON (named nested arrays), safetensors
//! (one file, named tensors of any float or integer dtype), or a folder of `NAME.npy` files (one
//! array per parameter). Each becomes flattened row-major values per tensor name, checked against
//! the declared shapes.

use std::collections::BTreeMap;
use std::path::Path;

use zkm_air::{AirProgram, DeclInfo, DeclKind};

use crate::files::{read_limited, ReadError, DATA_LIMIT};
use crate::inputs::{tensor_map, InputError};
use crate::json_data::escape;

/// Reads the parameters of `program` from `path` (a `.json` or `.safetensors` file, or a folder
/// of `.npy` files).
///
/// # Errors
/// An unreadable or malformed file, a missing or unknown tensor, or a shape other than declared.
pub fn read(program: &AirProgram, path: &Path) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    let params = params(program);
    let result = if path.is_dir() {
        npy_folder(path, &params)
    } else if path.extension().is_some_and(|e| e == "safetensors") {
        safetensors_file(path, &params)
    } else {
        let bytes = read_limited(path, DATA_LIMIT).map_err(|e| unreadable(path, &e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| InputError::bad(format!("`{}` is not UTF-8 text", path.display())))?;
        tensor_map(&text, &params)
    };
    result.map_err(|mut e| {
        e.in_weights = true;
        e
    })
}

fn unreadable(path: &Path, e: &ReadError) -> InputError {
    InputError::bad(format!("cannot read `{}`: {e}", path.display()))
}

/// Checks a tensor's shape against its declaration.
fn check_shape(d: &DeclInfo, shape: &[usize], source: &str) -> Result<(), InputError> {
    let declared = &d.shape;
    let (found, total) = (shape.to_vec(), shape.iter().product::<usize>());
    // A scalar may also be stored as a one-element vector.
    let same = found == *declared || (total == d.len() && found.len() <= 1 && declared.len() <= 1);
    if same {
        return Ok(());
    }
    let what = format!("{source} holds shape");
    Err(crate::inputs::shape_mismatch(d, &found, &what))
}

fn safetensors_file(
    path: &Path,
    params: &[&DeclInfo],
) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    let bytes = read_limited(path, DATA_LIMIT).map_err(|e| unreadable(path, &e))?;
    safetensors_bytes(&bytes, params, &path.display().to_string())
}

/// The parameters of `program` from the bytes of a safetensors file (`label` names the file in
/// messages).
///
/// # Errors
/// As [`read`].
pub fn from_safetensors(
    program: &AirProgram,
    bytes: &[u8],
    label: &str,
) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    safetensors_bytes(bytes, &params(program), label)
}

fn params(program: &AirProgram) -> Vec<&DeclInfo> {
    program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .collect()
}

fn safetensors_bytes(
    bytes: &[u8],
    params: &[&DeclInfo],
    label: &str,
) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    let tensors = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| InputError::bad(format!("`{label}` is not a safetensors file: {e}")))?;
    let mut out = BTreeMap::new();
    for (name, view) in tensors.tensors() {
        let Some(d) = params.iter().find(|d| d.name == name) else {
            return Err(InputError::bad(format!(
                "unknown tensor `{}` in {label}",
                escape(&name)
            )));
        };
        check_shape(d, view.shape(), "the safetensors file")?;
        let values = safetensors_values(&name, view.dtype(), view.data())?;
        out.insert(name, values);
    }
    Ok(out)
}

/// Little-endian values of one safetensors tensor as `f64`.
fn safetensors_values(
    name: &str,
    dtype: safetensors::Dtype,
    data: &[u8],
) -> Result<Vec<f64>, InputError> {
    use safetensors::Dtype;
    let take = |n: usize| data.chunks_exact(n);
    let values = match dtype {
        Dtype::F64 => take(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect(),
        Dtype::F32 => take(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64)
            .collect(),
        Dtype::I64 => take(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f64)
            .collect(),
        Dtype::I32 => take(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap_or([0; 4])) as f64)
            .collect(),
        Dtype::I16 => take(2)
            .map(|c| i16::from_le_bytes(c.try_into().unwrap_or([0; 2])) as f64)
            .collect(),
        Dtype::I8 => data.iter().map(|&b| b as i8 as f64).collect(),
        other => {
            return Err(InputError::bad(format!(
                "`{name}` has unsupported dtype {other:?} (use f32, f64 or a signed integer type)"
            )))
        }
    };
    Ok(values)
}

fn npy_folder(dir: &Path, params: &[&DeclInfo]) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    let mut out = BTreeMap::new();
    for d in params {
        let path = dir.join(format!("{}.npy", d.name));
        let bytes = read_limited(&path, DATA_LIMIT).map_err(|e| unreadable(&path, &e))?;
        let values = npy_bytes(d, &bytes, &path.display().to_string())?;
        out.insert(d.name.clone(), values);
    }
    Ok(out)
}

/// The values of parameter `name` of `program` from the bytes of a `.npy` file (`label` names
/// the file in messages).
///
/// # Errors
/// As [`read`]; also when `program` has no parameter `name`.
pub fn from_npy(
    program: &AirProgram,
    name: &str,
    bytes: &[u8],
    label: &str,
) -> Result<Vec<f64>, InputError> {
    let params = params(program);
    let Some(d) = params.iter().find(|d| d.name == name) else {
        return Err(InputError::bad(format!("no parameter `{}`", escape(name))));
    };
    npy_bytes(d, bytes, label)
}

fn npy_bytes(d: &DeclInfo, bytes: &[u8], label: &str) -> Result<Vec<f64>, InputError> {
    check_npy_header(bytes).map_err(|why| InputError::bad(format!("`{label}` {why}")))?;
    let mut cursor = std::io::Cursor::new(bytes);
    let npy = npyz::NpyFile::new(&mut cursor)
        .map_err(|e| InputError::bad(format!("`{label}` is not a .npy file: {e}")))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&n| n as usize).collect();
    if npy.order() != npyz::Order::C {
        return Err(InputError::bad(format!(
            "`{label}` is stored in Fortran order; save it in C order"
        )));
    }
    check_shape(d, &shape, &format!("`{label}`"))?;
    let values = npy_values(label, npy)?;
    let trailing = bytes.len() as u64 - cursor.position().min(bytes.len() as u64);
    if trailing > 0 {
        return Err(InputError::bad(format!(
            "`{label}` has {trailing} bytes after its array's data"
        )));
    }
    Ok(values)
}

/// Checks what npyz trusts in a `.npy` header: the header length must fit in the file (npyz
/// allocates it before reading) and the shape's element count must fit in 64 bits (npyz
/// multiplies it unchecked). Headers it cannot find are left to npyz to refuse.
fn check_npy_header(bytes: &[u8]) -> Result<(), &'static str> {
    let header = match bytes.get(6) {
        Some(1) => bytes
            .get(8..10)
            .map(|l| (10usize, u16::from_le_bytes([l[0], l[1]]) as usize)),
        Some(_) => bytes
            .get(8..12)
            .map(|l| (12, u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize)),
        None => None,
    };
    let Some((at, len)) = header else {
        return Ok(());
    };
    let Some(text) = bytes.get(at..at.saturating_add(len)) else {
        return Err("has a header longer than the file");
    };
    // npyz parses the header as a Python literal with a backtracking parser that takes
    // exponential time on nested brackets and escapes; a plain array's header is one flat dict
    // with one shape tuple, so anything else is refused first.
    let plain = |c: &u8| c.is_ascii_alphanumeric() || b" \t\n'\"{}():,<>|=._-".contains(c);
    let count = |b: u8| text.iter().filter(|&&c| c == b).count();
    if !text.iter().all(plain) || count(b'{') > 1 || count(b'(') > 1 {
        return Err("has a header that is not a plain array's (one dict, one shape tuple)");
    }
    let text = String::from_utf8_lossy(text);
    let Some(tuple) = text
        .split_once("'shape'")
        .and_then(|(_, rest)| rest.split_once('('))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside)
    else {
        return Ok(());
    };
    let dims = tuple.split(',').map(str::trim).filter(|t| !t.is_empty());
    let product = dims
        .map(|t| t.parse::<u64>().ok())
        .try_fold(1u64, |acc, dim| {
            dim.map_or(Some(acc), |dim| acc.checked_mul(dim))
        });
    match product {
        Some(_) => Ok(()),
        None => Err("declares a shape whose element count does not fit in 64 bits"),
    }
}

/// The values of a `.npy` array of any float or signed integer dtype, as `f64`.
fn npy_values<R: std::io::Read>(path: &str, npy: npyz::NpyFile<R>) -> Result<Vec<f64>, InputError> {
    let bad = |e: std::io::Error| InputError::bad(format!("`{path}`: {e}"));
    let descr = npy.dtype().descr();
    let values = match descr
        .trim_matches(['\'', '"'])
        .trim_start_matches(['<', '|', '='])
    {
        "f8" => npy.into_vec::<f64>().map_err(bad)?,
        "f4" => npy
            .into_vec::<f32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        "i8" => npy
            .into_vec::<i64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        "i4" => npy
            .into_vec::<i32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        "i2" => npy
            .into_vec::<i16>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        "i1" => npy
            .into_vec::<i8>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        other => {
            let msg = format!(
                "`{path}` has dtype {}; use little-endian float or signed integers",
                escape(other)
            );
            return Err(InputError::bad(msg));
        }
    };
    Ok(values)
}

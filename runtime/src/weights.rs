//! Weight files in the formats trained models come in: JSON (named nested arrays), safetensors
//! (one file, named tensors of any float or integer dtype), or a folder of `NAME.npy` files (one
//! array per parameter). Each becomes flattened row-major values per tensor name, checked against
//! the declared shapes.

use std::collections::BTreeMap;
use std::path::Path;

use zkm_air::{AirProgram, DeclInfo, DeclKind};

use crate::files::{read_limited, ReadError, DATA_LIMIT};
use crate::inputs::{tensor_map, InputError};

/// Reads the parameters of `program` from `path` (a `.json` or `.safetensors` file, or a folder
/// of `.npy` files).
///
/// # Errors
/// An unreadable or malformed file, a missing or unknown tensor, or a shape other than declared.
pub fn read(program: &AirProgram, path: &Path) -> Result<BTreeMap<String, Vec<f64>>, InputError> {
    let params: Vec<&DeclInfo> = program
        .decls
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .collect();
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
    let tensors = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| {
        InputError::bad(format!(
            "`{}` is not a safetensors file: {e}",
            path.display()
        ))
    })?;
    let mut out = BTreeMap::new();
    for (name, view) in tensors.tensors() {
        let Some(d) = params.iter().find(|d| d.name == name) else {
            return Err(InputError::bad(format!(
                "unknown tensor `{name}` in {}",
                path.display()
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
        let mut cursor = std::io::Cursor::new(&bytes[..]);
        let npy = npyz::NpyFile::new(&mut cursor).map_err(|e| {
            InputError::bad(format!("`{}` is not a .npy file: {e}", path.display()))
        })?;
        let shape: Vec<usize> = npy.shape().iter().map(|&n| n as usize).collect();
        if npy.order() != npyz::Order::C {
            return Err(InputError::bad(format!(
                "`{}` is stored in Fortran order; save it in C order",
                path.display()
            )));
        }
        check_shape(d, &shape, &format!("`{}`", path.display()))?;
        out.insert(d.name.clone(), npy_values(&path, npy)?);
        let trailing = bytes.len() as u64 - cursor.position().min(bytes.len() as u64);
        if trailing > 0 {
            let msg = format!(
                "`{}` has {trailing} bytes after its array's data",
                path.display()
            );
            return Err(InputError::bad(msg));
        }
    }
    Ok(out)
}

/// The values of a `.npy` array of any float or signed integer dtype, as `f64`.
fn npy_values<R: std::io::Read>(
    path: &Path,
    npy: npyz::NpyFile<R>,
) -> Result<Vec<f64>, InputError> {
    let bad = |e: std::io::Error| InputError::bad(format!("`{}`: {e}", path.display()));
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
                "`{}` has dtype {other}; use little-endian float or signed integers",
                path.display()
            );
            return Err(InputError::bad(msg));
        }
    };
    Ok(values)
}

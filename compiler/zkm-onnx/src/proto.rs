//! Reading the ONNX protobuf: the model message (decoded by `tract-onnx`'s generated `prost`
//! types, never by hand), tensors as `f64` arrays, node attributes, and value shapes.

use tract_onnx::pb::{self, attribute_proto::AttributeType, tensor_proto::DataType};
use tract_onnx::prelude::Framework;

use crate::errors::{self, Problem};

/// The largest number of elements one initializer may hold (as a tensor of the language).
pub const MAX_ELEMENTS: usize = 1 << 24;

/// A dense float tensor, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// Values.
    pub data: Vec<f64>,
}

impl Array {
    /// A tensor of `shape` filled with zeros.
    pub fn zeros(shape: Vec<usize>) -> Self {
        let len = shape.iter().product();
        Array {
            shape,
            data: vec![0.0; len],
        }
    }

    /// The largest absolute value (0 for an empty tensor).
    pub fn max_abs(&self) -> f64 {
        self.data.iter().fold(0.0, |m, v| m.max(v.abs()))
    }
}

/// Decodes an ONNX model from its bytes.
///
/// # Errors
/// Bytes that are not an ONNX `ModelProto`, or a model without a graph.
pub fn decode(bytes: &[u8]) -> Result<pb::ModelProto, Problem> {
    let model = tract_onnx::onnx()
        .proto_model_for_read(&mut &bytes[..])
        .map_err(|e| errors::bad_onnx(format!("not an ONNX model: {}", root_cause(&e))))?;
    if model.graph.is_none() {
        return Err(errors::bad_onnx("the model has no graph".into()));
    }
    Ok(model)
}

fn root_cause(e: &tract_onnx::prelude::TractError) -> String {
    e.root_cause().to_string()
}

/// The values of an initializer or constant tensor as `f64`.
///
/// # Errors
/// External data, an unsupported element type, a size that disagrees with the dimensions, or a
/// value that is not finite.
pub fn array(t: &pb::TensorProto) -> Result<Array, String> {
    if t.data_location == Some(pb::tensor_proto::DataLocation::External as i32) {
        return Err("its data is stored in an external file (re-export the model with the weights inside the .onnx file)".into());
    }
    let shape = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("dimension {d} is negative")))
        .collect::<Result<Vec<_>, _>>()?;
    let len = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| format!("shape {shape:?} has more than 2^24 elements"))?;
    let data = values(t, len)?;
    if data.len() != len {
        return Err(format!(
            "holds {} values but its shape {shape:?} has {len}",
            data.len()
        ));
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(format!("element {i} is {} (not a finite number)", data[i]));
    }
    Ok(Array { shape, data })
}

fn values(t: &pb::TensorProto, len: usize) -> Result<Vec<f64>, String> {
    let raw = &t.raw_data;
    let from_raw = |width: usize, f: &dyn Fn(&[u8]) -> f64| -> Result<Vec<f64>, String> {
        if raw.len() != len.saturating_mul(width) {
            return Err(format!(
                "holds {} bytes of data but its shape needs {}",
                raw.len(),
                len.saturating_mul(width)
            ));
        }
        Ok(raw.chunks_exact(width).map(f).collect())
    };
    let le4 = |b: &[u8]| [b[0], b[1], b[2], b[3]];
    let le8 = |b: &[u8]| [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
    match DataType::try_from(t.data_type) {
        Ok(DataType::Float) if !raw.is_empty() => {
            from_raw(4, &|b| f64::from(f32::from_le_bytes(le4(b))))
        }
        Ok(DataType::Float) => Ok(t.float_data.iter().map(|&v| f64::from(v)).collect()),
        Ok(DataType::Double) if !raw.is_empty() => from_raw(8, &|b| f64::from_le_bytes(le8(b))),
        Ok(DataType::Double) => Ok(t.double_data.clone()),
        Ok(DataType::Int64) if !raw.is_empty() => {
            from_raw(8, &|b| i64::from_le_bytes(le8(b)) as f64)
        }
        Ok(DataType::Int64) => Ok(t.int64_data.iter().map(|&v| v as f64).collect()),
        Ok(DataType::Int32) if !raw.is_empty() => {
            from_raw(4, &|b| f64::from(i32::from_le_bytes(le4(b))))
        }
        Ok(DataType::Int32) => Ok(t.int32_data.iter().map(|&v| f64::from(v)).collect()),
        Ok(other) => Err(format!(
            "has element type {} (supported: float, double, int32, int64)",
            other.as_str_name()
        )),
        Err(_) => Err(format!("has unknown element type {}", t.data_type)),
    }
}

/// A node attribute, by name.
pub fn attr<'a>(node: &'a pb::NodeProto, name: &str) -> Option<&'a pb::AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// An integer attribute, or `default` when absent.
pub fn int_attr(node: &pb::NodeProto, name: &str, default: i64) -> Result<i64, String> {
    match attr(node, name) {
        None => Ok(default),
        Some(a) if a.r#type == AttributeType::Int as i32 => Ok(a.i),
        Some(_) => Err(format!("attribute `{name}` is not an integer")),
    }
}

/// A float attribute, or `default` when absent.
pub fn float_attr(node: &pb::NodeProto, name: &str, default: f64) -> Result<f64, String> {
    match attr(node, name) {
        None => Ok(default),
        Some(a) if a.r#type == AttributeType::Float as i32 && a.f.is_finite() => Ok(f64::from(a.f)),
        Some(_) => Err(format!("attribute `{name}` is not a finite float")),
    }
}

/// An integer-list attribute, or `None` when absent.
pub fn ints_attr(node: &pb::NodeProto, name: &str) -> Result<Option<Vec<i64>>, String> {
    match attr(node, name) {
        None => Ok(None),
        Some(a) if a.r#type == AttributeType::Ints as i32 => Ok(Some(a.ints.clone())),
        Some(_) => Err(format!("attribute `{name}` is not a list of integers")),
    }
}

/// A string attribute, or `default` when absent.
pub fn string_attr(node: &pb::NodeProto, name: &str, default: &str) -> Result<String, String> {
    match attr(node, name) {
        None => Ok(default.into()),
        Some(a) if a.r#type == AttributeType::String as i32 => {
            Ok(String::from_utf8_lossy(&a.s).into_owned())
        }
        Some(_) => Err(format!("attribute `{name}` is not a string")),
    }
}

/// A dimension of a value's declared shape: a number, or a symbol (`batch`, `N`, …), or unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A named or unknown size.
    Symbolic(String),
}

/// The element type and shape of a graph input or output (`None` when not a tensor).
pub fn value_type(v: &pb::ValueInfoProto) -> Option<(i32, Vec<Dim>)> {
    use pb::tensor_shape_proto::dimension::Value;
    let Some(pb::type_proto::Value::TensorType(t)) = v.r#type.as_ref()?.value.as_ref() else {
        return None;
    };
    let dims = t.shape.as_ref().map_or(Vec::new(), |s| {
        s.dim
            .iter()
            .map(|d| match &d.value {
                Some(Value::DimValue(n)) => Dim::Fixed(*n),
                Some(Value::DimParam(p)) => Dim::Symbolic(p.clone()),
                None => Dim::Symbolic(String::new()),
            })
            .collect()
    });
    Some((t.elem_type, dims))
}

/// True for the float element type.
pub fn is_float(elem_type: i32) -> bool {
    elem_type == DataType::Float as i32 || elem_type == DataType::Double as i32
}

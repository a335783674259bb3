//! Calibration samples in the input formats `zkmc prove` reads: an object naming the input
//! (`{"x": [...]}`, by the generated name or the ONNX name), a JSON array of such objects, or the
//! EZKL layout `{"input_data": [[...], ...]}` with one flat sample per row.

use serde_json::Value as Json;

use crate::errors::{self, Problem};

/// The samples in `text`, each with `len` values, for an input called `names` (either key).
///
/// # Errors
/// Malformed JSON, an unknown key, a sample with the wrong number of values, or a value that is
/// not a number of magnitude below 2^53.
pub fn parse(text: &str, names: &[&str], len: usize) -> Result<Vec<Vec<f64>>, Problem> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| errors::bad_data(format!("calibration data is not valid JSON: {e}")))?;
    let objects: Vec<&Json> = match &json {
        Json::Array(items) => items.iter().collect(),
        _ => vec![&json],
    };
    if objects.is_empty() {
        return Err(errors::bad_data("calibration data holds no samples".into()));
    }
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let at = |what: String| errors::bad_data(format!("calibration sample {i}: {what}"));
        let Json::Object(map) = obj else {
            return Err(at("not a JSON object".into()));
        };
        if let Some(rows) = map.get("input_data") {
            let Json::Array(rows) = rows else {
                return Err(at("`input_data` is not an array".into()));
            };
            for (r, row) in rows.iter().enumerate() {
                out.push(flat(row, len).map_err(|e| at(format!("row {r} of `input_data` {e}")))?);
            }
            continue;
        }
        let value = names.iter().find_map(|n| map.get(*n));
        let (Some(value), 1) = (value, map.len()) else {
            let keys: Vec<&String> = map.keys().collect();
            return Err(at(format!(
                "expected one key, `{}`, found {keys:?}",
                names.first().copied().unwrap_or("")
            )));
        };
        out.push(flat(value, len).map_err(|e| at(format!("`{}` {e}", names[0])))?);
    }
    Ok(out)
}

/// The numbers of a nested array, row-major.
fn flat(v: &Json, len: usize) -> Result<Vec<f64>, String> {
    let mut out = Vec::with_capacity(len);
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Json::Array(items) => stack.extend(items.iter().rev()),
            Json::Number(n) => {
                let x = n
                    .as_f64()
                    .filter(|x| x.abs() < 9.0e15)
                    .ok_or("holds a number too large")?;
                out.push(x);
            }
            other => return Err(format!("holds {other}, not a number")),
        }
        if out.len() > len {
            break;
        }
    }
    if out.len() != len {
        return Err(format!("holds {} values; the input has {len}", out.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn three_layouts() {
        let one = parse(r#"{"x": [[1, 2], [3, 4]]}"#, &["x"], 4).unwrap();
        assert_eq!(one, vec![vec![1.0, 2.0, 3.0, 4.0]]);
        let many = parse(r#"[{"X": [1, 2]}, {"X": [3, 4]}]"#, &["x", "X"], 2).unwrap();
        assert_eq!(many.len(), 2);
        let ezkl = parse(r#"{"input_data": [[1, 2], [3, 4]]}"#, &["x"], 2).unwrap();
        assert_eq!(ezkl[1], vec![3.0, 4.0]);
    }

    #[test]
    fn bad_samples_are_refused() {
        for bad in [
            r#"{"x": [1]}"#,
            r#"{"y": [1, 2]}"#,
            r#"[]"#,
            r#"{"x": [1, "a"]}"#,
            "{",
            r#"{"x": [1e300, 1]}"#,
        ] {
            assert!(parse(bad, &["x"], 2).is_err(), "{bad}");
        }
    }
}

//! A strict, streaming reader of JSON input and weight files.
//!
//! The text is parsed once, straight into one flat `Vec<f64>` per tensor with the shape its
//! nesting spells: no JSON tree is built and no string is made per element (an element costs
//! its 8 bytes). Strict means: a ragged array, a key given twice, EZKL's `input_data` beside
//! named tensors, and anything after the top-level object are errors, each with its line and
//! column. Whether a shape is the declared one is decided by the caller ([`crate::inputs`]).

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One tensor as the file spells it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tensor {
    /// The nesting: `[]` for a bare number, `[2, 3]` for two rows of three numbers.
    pub shape: Vec<usize>,
    /// The numbers in row-major order.
    pub values: Vec<f64>,
}

/// The two layouts a data file may have.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Layout {
    /// `{"x": [...], "w": [[...]]}`: tensors by name, in file order.
    Named(Vec<(String, Tensor)>),
    /// EZKL's `{"input_data": [[...], ...]}`: tensors by position.
    Ezkl(Vec<Tensor>),
}

/// A parse error: the message and, for errors tied to a place, its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub line_col: Option<(usize, usize)>,
}

/// Parses a data file.
///
/// # Errors
/// Invalid JSON, a top level that is not an object, a non-number element, a ragged array, a
/// duplicate key, mixed layouts, or trailing characters.
pub(crate) fn parse(text: &str) -> Result<Layout, ParseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let layout = de.deserialize_map(TopVisitor).map_err(error)?;
    de.end().map_err(error)?;
    Ok(layout)
}

/// A serde_json error as a message (without serde_json's "at line … column …" suffix, which is
/// returned separately) and a place.
fn error(e: serde_json::Error) -> ParseError {
    let place = (e.line(), e.column());
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", place.0, place.1);
    let bare = text.strip_suffix(&suffix).unwrap_or(&text);
    let message = match e.classify() {
        serde_json::error::Category::Data => bare.to_owned(),
        _ => format!("invalid JSON: {bare}"),
    };
    ParseError {
        message,
        line_col: (place.0 > 0).then_some(place),
    }
}

/// The top-level object.
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Layout;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object mapping tensor names to arrays")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Layout, A::Error> {
        let mut named: Vec<(String, Tensor)> = Vec::new();
        let mut ezkl: Option<Vec<Tensor>> = None;
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "`{}` is given twice",
                    escape(&key)
                )));
            }
            if key == "input_data" {
                ezkl = Some(map.next_value_seed(EzklSeed)?);
            } else {
                let tensor = map.next_value_seed(TensorSeed { name: &key })?;
                named.push((key, tensor));
            }
            if ezkl.is_some() && !named.is_empty() {
                return Err(de::Error::custom(
                    "the file mixes EZKL's `input_data` list with named tensors: use one layout",
                ));
            }
        }
        Ok(match ezkl {
            Some(list) => Layout::Ezkl(list),
            None => Layout::Named(named),
        })
    }
}

/// EZKL's list of tensors.
struct EzklSeed;

impl<'de> DeserializeSeed<'de> for EzklSeed {
    type Value = Vec<Tensor>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Tensor>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EzklSeed {
    type Value = Vec<Tensor>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`input_data` as a list of arrays, one per input")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Tensor>, A::Error> {
        let mut out = Vec::new();
        loop {
            let name = format!("input_data[{}]", out.len());
            match seq.next_element_seed(TensorSeed { name: &name })? {
                Some(t) => out.push(t),
                None => return Ok(out),
            }
        }
    }
}

/// One tensor: a number or nested arrays of numbers.
struct TensorSeed<'n> {
    name: &'n str,
}

impl<'de> DeserializeSeed<'de> for TensorSeed<'_> {
    type Value = Tensor;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Tensor, D::Error> {
        let mut walk = Walk {
            name: self.name,
            values: Vec::new(),
            dims: Vec::new(),
            leaf_depth: None,
            index: Vec::new(),
        };
        Level { walk: &mut walk }.deserialize(d)?;
        walk.finish()
    }
}

/// The state of one tensor's walk: what has been read and the shape seen so far.
struct Walk<'n> {
    name: &'n str,
    values: Vec<f64>,
    /// The length of every array at each depth, once one has ended there.
    dims: Vec<Option<usize>>,
    /// The depth at which numbers appear.
    leaf_depth: Option<usize>,
    /// The position being read (for messages only).
    index: Vec<usize>,
}

impl Walk<'_> {
    /// `name[1][2]` for the element being read.
    fn place(&self) -> String {
        let idx: String = self.index.iter().map(|i| format!("[{i}]")).collect();
        format!("{}{idx}", escape(self.name))
    }

    fn ragged<E: de::Error>(&self) -> E {
        E::custom(format!(
            "`{}` is a ragged array: every row must have the same length and depth (at `{}`)",
            escape(self.name),
            self.place()
        ))
    }

    fn number<E: de::Error>(&mut self, v: f64) -> Result<(), E> {
        let depth = self.index.len();
        if *self.leaf_depth.get_or_insert(depth) != depth {
            return Err(self.ragged());
        }
        self.values.push(v);
        Ok(())
    }

    fn end_array<E: de::Error>(&mut self, len: usize) -> Result<(), E> {
        let depth = self.index.len();
        if self.dims.len() <= depth {
            self.dims.resize(depth + 1, None);
        }
        match self.dims[depth] {
            Some(d) if d != len => Err(self.ragged()),
            _ => {
                self.dims[depth] = Some(len);
                Ok(())
            }
        }
    }

    fn finish<E: de::Error>(self) -> Result<Tensor, E> {
        let shape: Vec<usize> = self.dims.iter().map(|d| d.unwrap_or(0)).collect();
        if self.leaf_depth.is_some_and(|d| d != shape.len()) {
            return Err(self.ragged());
        }
        Ok(Tensor {
            shape,
            values: self.values,
        })
    }
}

/// One level of nesting of a tensor.
struct Level<'w, 'n> {
    walk: &'w mut Walk<'n>,
}

impl<'de> DeserializeSeed<'de> for Level<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Level<'_, '_> {
    fn not_a_number<E: de::Error>(&self, kind: &str) -> E {
        E::custom(format!(
            "`{}` is {kind}, expected a number",
            self.walk.place()
        ))
    }
}

impl<'de> Visitor<'de> for Level<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or an array of numbers")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.walk.number(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.walk.number(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.walk.number(v as f64)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walk = self.walk;
        walk.index.push(0);
        while seq.next_element_seed(Level { walk: &mut *walk })?.is_some() {
            if let Some(i) = walk.index.last_mut() {
                *i += 1;
            }
        }
        let len = walk.index.pop().unwrap_or(0);
        walk.end_array(len)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_number("a boolean"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_number("a string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_a_number("null"))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_a_number("an object"))
    }
}

/// A name from the file for a message: control characters escaped, long names cut.
pub(crate) fn escape(name: &str) -> String {
    const MAX: usize = 64;
    let mut out: String = name
        .chars()
        .take(MAX)
        .flat_map(|c| match c.is_control() {
            true => c.escape_default().collect::<Vec<_>>(),
            false => vec![c],
        })
        .collect();
    if name.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(text: &str) -> Vec<(String, Tensor)> {
        match parse(text).unwrap() {
            Layout::Named(v) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nesting_gives_the_shape() {
        let v = named(r#"{"a": 1.5, "b": [[1, 2, 3], [4, 5, 6]], "c": [], "d": [[], []]}"#);
        let shapes: Vec<&[usize]> = v.iter().map(|(_, t)| t.shape.as_slice()).collect();
        assert_eq!(shapes, [&[][..], &[2, 3], &[0], &[2, 0]]);
        assert_eq!(v[1].1.values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn ragged_arrays_are_refused() {
        for text in [
            r#"{"a": [[1, 2], [3]]}"#,
            r#"{"a": [[1], 2]}"#,
            r#"{"a": [1, [2]]}"#,
            r#"{"a": [[[1]], [[2], [3]]]}"#,
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains("ragged"), "{text}: {e:?}");
            assert!(e.line_col.is_some());
        }
    }

    #[test]
    fn duplicate_keys_mixed_layouts_and_trailing_bytes_are_refused() {
        let e = parse(r#"{"a": [1], "a": [2]}"#).unwrap_err();
        assert_eq!(e.message, "`a` is given twice");
        let e = parse(r#"{"input_data": [[1]], "a": [2]}"#).unwrap_err();
        assert!(e.message.contains("mixes"), "{e:?}");
        let e = parse(r#"{"a": [1]} x"#).unwrap_err();
        assert!(
            e.message.starts_with("invalid JSON: trailing characters"),
            "{e:?}"
        );
        assert_eq!(e.line_col, Some((1, 12)));
    }

    #[test]
    fn a_non_number_is_named_by_its_place() {
        let e = parse(r#"{"w": [[1, 2], [3, "x"]]}"#).unwrap_err();
        assert_eq!(e.message, "`w[1][1]` is a string, expected a number");
        let e = parse(r#"{"input_data": [[1], [null]]}"#).unwrap_err();
        assert_eq!(e.message, "`input_data[1][0]` is null, expected a number");
    }

    #[test]
    fn ezkl_layout_keeps_every_row() {
        let Layout::Ezkl(rows) = parse(r#"{"input_data": [[1, 2], [3]]}"#).unwrap() else {
            panic!()
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].values, [3.0]);
    }

    #[test]
    fn names_with_control_characters_are_escaped() {
        let e = parse("{\"a\\u001b[31m\": [1], \"a\\u001b[31m\": [1]}").unwrap_err();
        assert_eq!(e.message, "`a\\u{1b}[31m` is given twice");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{e:?}");
    }
}

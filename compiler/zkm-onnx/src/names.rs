//! Identifiers for the generated model: ONNX names made into the language's identifiers, never a
//! keyword or a builtin.

/// Words an identifier may not be: the keywords, the builtins and the standard library's
/// functions.
const RESERVED: &[&str] = &[
    "use",
    "fn",
    "model",
    "input",
    "param",
    "output",
    "let",
    "public",
    "private",
    "committed",
    "int",
    "fixed",
    "argmax",
    "sum",
    "rescale",
    "rescale_clamp",
    "reshape",
    "flatten",
    "conv2d",
    "avg_pool2d",
    "max_pool2d",
    "softmax",
    "relu",
    "abs",
    "sigmoid",
    "tanh",
    "gelu",
    "exp",
    "dense",
    "dense_relu_q8",
    "classify",
    "class",
];

/// `name` as an identifier: lower case, runs of other characters as one `_`, no leading digit
/// or underscore, at most 48 characters, and a `_` appended to a reserved word.
pub fn identifier(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_string();
    out.truncate(48);
    if out.is_empty() {
        out = "v".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'v');
    }
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// An ONNX string (a node, tensor or producer name) as it may appear inside a generated comment
/// or the summary: control characters and line separators escaped, so it can never end the
/// comment line, and at most 64 characters.
pub fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 64 {
            out.push('…');
            break;
        }
        match c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
            true => out.extend(c.escape_default()),
            false => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{identifier, shown};

    #[test]
    fn shown_names_stay_on_one_line() {
        assert_eq!(shown("a\nb\rc"), "a\\nb\\rc");
        assert_eq!(shown(&"x".repeat(70)).chars().count(), 65);
    }

    #[test]
    fn onnx_names_become_identifiers() {
        assert_eq!(identifier("/conv1/Conv"), "conv1_conv");
        assert_eq!(identifier("Relu"), "relu_");
        assert_eq!(identifier("input"), "input_");
        assert_eq!(identifier("0"), "v0");
        assert_eq!(identifier("::"), "v");
        assert_eq!(identifier("onnx::Gemm_12"), "onnx_gemm_12");
    }
}

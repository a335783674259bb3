//! Text that reaches the terminal: control characters escaped, very long words shortened.
//!
//! Messages quote user input (names, literals, characters), and rendered diagnostics quote
//! source lines; neither may carry a raw control character (an escape sequence would be
//! interpreted by the terminal) or a bidirectional override (which reorders what is shown).

/// Words (runs of non-blank characters) of a message longer than this many characters are
/// cut there and end with `…`.
pub const MAX_WORD_CHARS: usize = 80;

/// True for characters that are escaped instead of shown: control characters other than tab
/// and line feed, and the invisible bidirectional formatting characters.
pub(crate) fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends `c` to `out`, escaped (`\u{1b}`) when it is unsafe.
pub(crate) fn push_char(out: &mut String, c: char) {
    if is_unsafe(c) {
        out.extend(c.escape_debug());
    } else {
        out.push(c);
    }
}

/// A message, label or note with unsafe characters escaped and long words shortened.
pub(crate) fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut word = 0usize;
    for c in text.chars() {
        if c.is_whitespace() {
            word = 0;
        } else {
            word += 1;
            if word == MAX_WORD_CHARS + 1 {
                out.push('…');
            }
            if word > MAX_WORD_CHARS {
                continue;
            }
        }
        push_char(&mut out, c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(message("name `a\u{1b}[2Jb`"), "name `a\\u{1b}[2Jb`");
        assert_eq!(message("x\u{202e}y\0"), "x\\u{202e}y\\0");
        assert_eq!(message("tab\tand\nnewline"), "tab\tand\nnewline");
    }

    #[test]
    fn long_words_are_shortened() {
        let long = "x".repeat(1000);
        let shown = message(&format!("cannot find `{long}` here"));
        assert_eq!(shown, format!("cannot find `{}… here", "x".repeat(79)));
    }
}

//! The set of source files of one compilation, with line/column lookup.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (old Mac files). A UTF-8 byte order mark at the
//! start of a file is not part of its first line, so columns on that line count from the first
//! character after it.

/// Identifies one file inside a [`SourceMap`].
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct FileId(pub u32);

/// The UTF-8 byte order mark.
pub const BOM: &str = "\u{feff}";

/// One source file: its name, text and line starts.
#[derive(Debug)]
pub(crate) struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the first character of every line.
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(name: String, text: String) -> Self {
        let line_starts = line_starts(&text);
        SourceFile {
            name,
            text,
            line_starts,
        }
    }

    /// The display name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The 0-based line holding byte `offset` (the last line for offsets past the end).
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte range of line `line`'s characters, without its line break.
    pub(crate) fn line_content(&self, line: usize) -> std::ops::Range<usize> {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let next = self.line_starts.get(line + 1).copied();
        let end = next.map_or(self.text.len(), |n| n - break_len(&self.text, n));
        start..end.max(start)
    }

    /// 0-based column (in characters) of byte `offset` on line `line`.
    pub(crate) fn column(&self, line: usize, offset: usize) -> usize {
        let range = self.line_content(line);
        let end = offset.clamp(range.start, range.end.max(range.start));
        let end = floor_boundary(&self.text, end);
        self.text[range.start..end].chars().count()
    }
}

/// Line starts: 0 (or 3 after a byte order mark), then after every line break.
fn line_starts(text: &str) -> Vec<usize> {
    let first = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let mut starts = vec![first];
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let is_break = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if is_break {
            starts.push(i + 1);
        }
    }
    starts
}

/// Length of the line break that ends just before `next_start`.
fn break_len(text: &str, next_start: usize) -> usize {
    let before = text
        .as_bytes()
        .get(next_start.saturating_sub(2)..next_start);
    if before == Some(b"\r\n".as_slice()) {
        2
    } else {
        1
    }
}

/// The largest character boundary at or below `at`.
pub(crate) fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// All source files seen by one compilation (the user's files and embedded stdlib modules).
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. `name` is shown in diagnostics and listings.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True if no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Display names of all files, indexed by [`FileId`].
    pub fn names(&self) -> Vec<String> {
        self.files.iter().map(|f| f.name.clone()).collect()
    }

    /// The text of a file (empty for an unknown id).
    pub fn text(&self, file: FileId) -> &str {
        self.file(file).map_or("", SourceFile::text)
    }

    /// The display name of a file.
    pub fn name(&self, file: FileId) -> &str {
        self.file(file).map_or("<unknown>", SourceFile::name)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        let Some(f) = self.file(file) else {
            return (1, 1);
        };
        let line = f.line_index(offset as usize);
        (line + 1, f.column(line, offset as usize) + 1)
    }

    /// `name:line:col` of a span's start, as printed in AIR listings.
    pub fn location(&self, span: crate::Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), line, col)
    }

    /// One file, for rendering.
    pub(crate) fn file(&self, file: FileId) -> Option<&SourceFile> {
        self.files.get(file.0 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<(usize, usize)> {
        let mut map = SourceMap::new();
        let f = map.add("t", text);
        (0..text.len() as u32).map(|o| map.line_col(f, o)).collect()
    }

    #[test]
    fn line_breaks_are_lf_crlf_and_lone_cr() {
        assert_eq!(lines_of("a\nb")[2], (2, 1));
        assert_eq!(lines_of("a\r\nb")[3], (2, 1));
        assert_eq!(lines_of("a\rb\rc")[4], (3, 1));
        let f = SourceFile::new("t".into(), "ab\r\ncd\ref".into());
        assert_eq!(f.line_content(0), 0..2);
        assert_eq!(f.line_content(1), 4..6);
        assert_eq!(f.line_content(2), 7..9);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = format!("{BOM}model m");
        assert_eq!(lines_of(&text)[BOM.len()], (1, 1));
        assert_eq!(lines_of(&text)[BOM.len() + 6], (1, 7));
    }
}

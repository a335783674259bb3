//! The set of source files of one compilation, with line/column lookup.

use codespan_reporting::files::{Files, SimpleFiles};

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

/// All source files seen by one compilation (the user's files and embedded stdlib modules).
#[derive(Debug, Default)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    count: usize,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id. `name` is shown in diagnostics and listings.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = self.files.add(name.into(), text.into());
        self.count += 1;
        FileId(u32::try_from(id).unwrap_or(u32::MAX))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True if no file was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Display names of all files, indexed by [`FileId`].
    pub fn names(&self) -> Vec<String> {
        (0..self.count)
            .map(|i| self.name(FileId(i as u32)).to_owned())
            .collect()
    }

    /// The text of a file (empty for an unknown id).
    pub fn text(&self, file: FileId) -> &str {
        self.files
            .get(file.0 as usize)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// The display name of a file.
    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file.0 as usize)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileId, offset: u32) -> (usize, usize) {
        let id = file.0 as usize;
        let offset = offset as usize;
        let line = self.files.line_index(id, offset).unwrap_or(0);
        let col = self.files.column_number(id, line, offset).unwrap_or(1);
        (line + 1, col)
    }

    /// `name:line:col` of a span's start, as printed in AIR listings.
    pub fn location(&self, span: crate::Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), line, col)
    }

    /// The underlying codespan file database, for rendering.
    pub(crate) fn files(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}

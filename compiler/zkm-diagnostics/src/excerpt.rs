//! What the renderer shows of the files one diagnostic points at: only the labelled lines,
//! with unsafe characters escaped and long lines cut to a window around their labels.
//!
//! An [`Excerpt`] is a small codespan file database holding, per file, a *view* text made of
//! those lines. It answers line numbers and columns of the original file, so the rendered
//! `file:line:col` and gutter numbers are the real ones, and [`Excerpt::range`] moves label
//! spans into the view. Its size is bounded by the number of labels, never by the size of the
//! file: a 10 MB line is shown as [`WINDOW_CHARS`] characters.

use std::ops::Range;

use codespan_reporting::files::{Error, Files};

use crate::clean;
use crate::source::SourceFile;
use crate::{Diagnostic, FileId, SourceMap, Span};

/// Lines longer than this many characters are shown as a window around their first label.
pub const MAX_LINE_CHARS: usize = 120;

/// Characters shown of a shortened line.
pub const WINDOW_CHARS: usize = 100;

/// Characters a shortened line shows before its first label.
const CONTEXT_CHARS: usize = 20;

/// Marks the cut ends of a shortened line.
const ELLIPSIS: &str = "…";

/// Lines a multi-line label shows after its first and before its last line (codespan's
/// `start_context_lines` and `end_context_lines`).
const START_CONTEXT: usize = 3;
const END_CONTEXT: usize = 1;

/// A line shown for context only, without a label point.
const NO_POINT: usize = usize::MAX;

/// The view of the files of one diagnostic.
#[derive(Debug)]
pub(crate) struct Excerpt<'s> {
    files: Vec<ViewFile<'s>>,
}

/// The view of one file.
#[derive(Debug)]
struct ViewFile<'s> {
    id: FileId,
    src: &'s SourceFile,
    text: String,
    /// Shown lines, by original line index.
    lines: Vec<ViewLine>,
}

/// One shown line.
#[derive(Debug)]
struct ViewLine {
    /// Original 0-based line index.
    line: usize,
    /// View byte range, without the line feed.
    view: Range<usize>,
    /// Original 0-based column of the first shown character.
    col0: usize,
    /// `(original offset, view offset)` at every shown character boundary, in order.
    marks: Vec<(usize, usize)>,
}

impl<'s> Excerpt<'s> {
    /// The view of every file `d`'s labels point at.
    pub(crate) fn new(sources: &'s SourceMap, d: &Diagnostic) -> Self {
        let mut groups: Vec<(FileId, Vec<Span>)> = Vec::new();
        for l in &d.labels {
            match groups.iter_mut().find(|(f, _)| *f == l.span.file) {
                Some((_, spans)) => spans.push(l.span),
                None => groups.push((l.span.file, vec![l.span])),
            }
        }
        let files = groups
            .into_iter()
            .filter_map(|(id, spans)| Some(ViewFile::new(id, sources.file(id)?, &spans)))
            .collect();
        Excerpt { files }
    }

    /// The view file and byte range of a label span (`None` for a file not in the map).
    pub(crate) fn range(&self, span: Span) -> Option<(usize, Range<usize>)> {
        let i = self.files.iter().position(|f| f.id == span.file)?;
        let f = &self.files[i];
        let (start, end) = (f.map(span.start as usize), f.map(span.end as usize));
        Some((i, start..end.max(start)))
    }

    fn file(&self, id: usize) -> Result<&ViewFile<'s>, Error> {
        self.files.get(id).ok_or(Error::FileMissing)
    }
}

impl<'s> ViewFile<'s> {
    fn new(id: FileId, src: &'s SourceFile, spans: &[Span]) -> Self {
        // (line, label point on it), `NO_POINT` for a context line.
        let mut wanted: Vec<(usize, usize)> = Vec::new();
        for s in spans {
            let (start, end) = (s.start as usize, s.end as usize);
            let (first, last) = (src.line_index(start), src.line_index(end));
            wanted.push((first, start));
            wanted.push((last, end));
            let context = (first + 1..=last.min(first + START_CONTEXT))
                .chain(last.saturating_sub(END_CONTEXT).max(first)..last);
            wanted.extend(context.map(|l| (l, NO_POINT)));
        }
        wanted.sort_unstable();
        // codespan shows a single line between two shown ones instead of eliding it.
        let gaps: Vec<(usize, usize)> = wanted
            .windows(2)
            .filter(|w| w[1].0 == w[0].0 + 2)
            .map(|w| (w[0].0 + 1, NO_POINT))
            .collect();
        wanted.extend(gaps);
        wanted.sort_unstable();
        let mut view = ViewFile {
            id,
            src,
            text: String::new(),
            lines: Vec::new(),
        };
        for (k, &(line, point)) in wanted.iter().enumerate() {
            // `wanted` is sorted, so the first entry of a line holds its first label point.
            if k == 0 || wanted[k - 1].0 != line {
                view.push_line(line, (point != NO_POINT).then_some(point));
            }
        }
        view
    }

    /// Appends original line `line`, windowed around byte `point` when it is long.
    fn push_line(&mut self, line: usize, point: Option<usize>) {
        let text = self.src.text();
        let content = self.src.line_content(line);
        let window = window(text, content.clone(), point.unwrap_or(content.start));
        let start = self.text.len();
        if window.start > content.start {
            self.text.push_str(ELLIPSIS);
        }
        let mut marks = Vec::with_capacity(window.len() + 1);
        for (i, c) in text[window.clone()].char_indices() {
            marks.push((window.start + i, self.text.len()));
            clean::push_char(&mut self.text, c);
        }
        marks.push((window.end, self.text.len()));
        if window.end < content.end {
            self.text.push_str(ELLIPSIS);
        }
        let col0 = self.src.column(line, window.start);
        self.lines.push(ViewLine {
            line,
            view: start..self.text.len(),
            col0,
            marks,
        });
        self.text.push('\n');
    }

    /// The view offset of original byte `offset` (clamped into its line's window).
    fn map(&self, offset: usize) -> usize {
        let line = self.src.line_index(offset);
        let Some(v) = self.line(line) else {
            return self.text.len();
        };
        let (Some(first), Some(last)) = (v.marks.first(), v.marks.last()) else {
            return v.view.start;
        };
        if offset < first.0 {
            return v.view.start;
        }
        if offset > last.0 {
            return v.view.end;
        }
        let k = v.marks.partition_point(|m| m.0 <= offset);
        v.marks[k.saturating_sub(1)].1
    }

    fn line(&self, line: usize) -> Option<&ViewLine> {
        let k = self.lines.binary_search_by_key(&line, |v| v.line).ok()?;
        self.lines.get(k)
    }
}

/// The part of `content` shown: all of it when short, else [`WINDOW_CHARS`] characters
/// starting [`CONTEXT_CHARS`] before `point`.
fn window(text: &str, content: Range<usize>, point: usize) -> Range<usize> {
    let line = &text[content.clone()];
    if line.len() <= MAX_LINE_CHARS || line.chars().nth(MAX_LINE_CHARS).is_none() {
        return content;
    }
    let point = crate::source::floor_boundary(text, point.clamp(content.start, content.end));
    let before = text[content.start..point]
        .char_indices()
        .rev()
        .take(CONTEXT_CHARS);
    let start = before.last().map_or(point, |(i, _)| content.start + i);
    let shown = text[start..content.end].char_indices().nth(WINDOW_CHARS);
    start..shown.map_or(content.end, |(i, _)| start + i)
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        Ok(self.file(id)?.src.name())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte: usize) -> Result<usize, Error> {
        let f = self.file(id)?;
        let k = f.lines.partition_point(|v| v.view.start <= byte);
        f.lines
            .get(k.saturating_sub(1))
            .map(|v| v.line)
            .ok_or(Error::IndexTooLarge {
                given: byte,
                max: 0,
            })
    }

    fn column_number(&'a self, id: usize, line: usize, byte: usize) -> Result<usize, Error> {
        let f = self.file(id)?;
        let Some(v) = f.line(line) else {
            return Ok(1);
        };
        let k = v.marks.partition_point(|m| m.1 <= byte).saturating_sub(1);
        let (first, at) = (
            v.marks.first().map_or(0, |m| m.0),
            v.marks.get(k).map_or(0, |m| m.0),
        );
        let text = f.src.text();
        Ok(v.col0
            + text
                .get(first..at.max(first))
                .map_or(0, |t| t.chars().count())
            + 1)
    }

    fn line_range(&'a self, id: usize, line: usize) -> Result<Range<usize>, Error> {
        let f = self.file(id)?;
        if let Some(v) = f.line(line) {
            return Ok(v.view.start..v.view.end + 1);
        }
        // A line between the shown lines of a multi-line label: empty, where it would be.
        let k = f.lines.partition_point(|v| v.line < line);
        let at = f.lines.get(k).map_or(f.text.len(), |v| v.view.start);
        Ok(at..at)
    }
}

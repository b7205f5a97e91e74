//! Source text of a workflow definition, and mapping byte offsets to lines and columns.

use std::fmt;
use std::path::{Path, PathBuf};

/// A half-open byte range `start..end` into a [`Source`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// The language a definition is written in, chosen from the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// JSON (`.json`, `.asl.json`, and anything that is not YAML).
    Json,
    /// YAML (`.yaml`, `.yml`), as SAM and the Serverless Framework write definitions.
    Yaml,
}

impl SourceFormat {
    /// Picks the format from a file name: `.yaml`/`.yml` are YAML, everything else JSON.
    pub fn from_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") => SourceFormat::Yaml,
            _ => SourceFormat::Json,
        }
    }
}

/// One workflow definition: where it came from and its text.
#[derive(Clone, Debug)]
pub struct Source {
    path: PathBuf,
    text: String,
    format: SourceFormat,
    line_starts: Vec<usize>,
}

impl Source {
    /// A source with the given display path and text; the format follows the path's extension.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let path = path.into();
        let format = SourceFormat::from_path(&path);
        Self::with_format(path, text, format)
    }

    /// A source whose format is given explicitly.
    pub fn with_format(path: impl Into<PathBuf>, text: impl Into<String>, format: SourceFormat) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Source { path: path.into(), text, format, line_starts }
    }

    /// Reads a file from disk; the path is kept as given for messages.
    pub fn read(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        Ok(Self::new(path, text))
    }

    /// The path used in messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The format the text is parsed as.
    pub fn format(&self) -> SourceFormat {
        self.format
    }

    /// The 1-based line and column (in characters) of a byte offset.
    /// Offsets past the end map to the end of the text.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        LineCol { line: line + 1, column: column + 1 }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let s = Source::new("a.json", "{\n  \"é\": 1\n}");
        assert_eq!(s.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(s.line_col(4), LineCol { line: 2, column: 3 });
        // the byte after "é" (2 bytes) is column 5
        assert_eq!(s.line_col(7), LineCol { line: 2, column: 5 });
        assert_eq!(s.line_col(1000), LineCol { line: 3, column: 2 });
        assert_eq!(s.line_text(2), "  \"é\": 1");
    }

    #[test]
    fn format_follows_extension() {
        assert_eq!(Source::new("a.asl.yaml", "").format(), SourceFormat::Yaml);
        assert_eq!(Source::new("a.asl.YML", "").format(), SourceFormat::Yaml);
        assert_eq!(Source::new("a.asl.json", "").format(), SourceFormat::Json);
    }
}

//! Source files and positions.
//!
//! Every diagnostic points into a [`SourceFile`] by byte span; line and column are computed
//! here, with the column counted in characters (1-based), as editors and rustc do, so that a
//! position after Chinese text is right.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A text file read for the site, with its path as shown to the user.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators (e.g. `content/2020/report.yaml`).
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
    /// Where each line starts, computed on the first position asked for (most files never
    /// need one: they have no problem to point at).
    line_starts: Arc<OnceLock<Box<[usize]>>>,
}

/// Offsets just after each `\n`.
fn after_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// A resolved position: 1-based line and 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl SourceFile {
    /// A source file from its display name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(after_newlines(&self.text));
            starts.into_boxed_slice()
        })
    }

    /// The same file shown under another name (a body's folder in a platform).
    pub fn renamed(&self, name: &str) -> SourceFile {
        SourceFile {
            name: name.to_string(),
            text: self.text.clone(),
            line_starts: self.line_starts.clone(),
        }
    }

    /// Line and column of a byte offset (clamped into the text and to a character boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char(offset.min(self.text.len()));
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end]
            .char_indices()
            .nth(char_col)
            .map_or(start + end, |(i, _)| start + i)
    }

    /// The span clamped into the text and snapped to character boundaries.
    pub fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let start = self.floor_char(span.start.min(self.text.len()));
        let mut end = span.end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }

    /// The text of one 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return "";
        };
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end].trim_end_matches('\r')
    }

    fn floor_char(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let f = SourceFile::new("a.yaml", "年度: 2020\n  总计: 5\n");
        let at = f.text.find('5').unwrap();
        assert_eq!(f.line_col(at), LineCol { line: 2, column: 7 });
        assert_eq!(f.offset_of(2, 6), at);
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_text(2), "  总计: 5");
    }

    #[test]
    fn offsets_inside_a_character_are_snapped() {
        let f = SourceFile::new("a", "总计");
        assert_eq!(f.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(f.clamp(1..2), 0..3);
        assert_eq!(f.clamp(10..20), 6..6);
    }
}

//! The importer's view of a source file: text lines and table grids, with source line numbers.
//!
//! A text file is one [`Line`] per line (empty lines kept: some layouts use them to separate
//! table rows). An HTML page is its block-level text, one [`Line`] per paragraph or line break,
//! and one [`Grid`] per data table, with rowspan/colspan already expanded.

/// A line of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// 1-based line in the source file.
    pub no: usize,
    /// The text, as published (not trimmed).
    pub text: String,
}

/// One cell of an HTML table, as written (before expansion).
#[derive(Debug, Clone)]
pub(crate) struct GridCell {
    /// The cell's text; `<br>` and paragraphs inside the cell become `\n`.
    pub text: String,
    /// 1-based source line of the `<td>`.
    pub line: usize,
    /// Top-left grid position.
    pub row: usize,
    /// Top-left grid column.
    pub col: usize,
    /// Columns covered.
    pub colspan: usize,
}

/// An HTML table expanded to a grid: `slots[row][col]` is the index of the cell covering it.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    /// 1-based source line of the `<table>`.
    pub line: usize,
    /// The cells, in document order.
    pub cells: Vec<GridCell>,
    /// Every grid position and the cell covering it (`None` where the table is ragged).
    pub slots: Vec<Vec<Option<usize>>>,
}

impl Grid {
    /// Expand rows of (text, line, rowspan, colspan) into a grid.
    pub(crate) fn expand(line: usize, rows: Vec<Vec<(String, usize, usize, usize)>>) -> Grid {
        const MAX_SPAN: usize = 200;
        // Report tables have a few dozen columns and rows. A page whose cells and spans ask for
        // more is not a report table, and must not make the grid exhaust memory (a 140 KB page
        // of wide spans over empty rows once asked for tens of gigabytes).
        const MAX_WIDTH: usize = 256;
        const MAX_ROWS: usize = 10_000;
        let rows: Vec<_> = rows.into_iter().take(MAX_ROWS).collect();
        let nrows = rows.len();
        let mut slots: Vec<Vec<Option<usize>>> = vec![Vec::new(); nrows];
        let mut cells = Vec::new();
        for (r, row) in rows.into_iter().enumerate() {
            let mut c = 0;
            for (text, line, rowspan, colspan) in row {
                while slots[r].get(c).is_some_and(Option::is_some) {
                    c += 1;
                }
                if c >= MAX_WIDTH {
                    break;
                }
                // rowspan="0" spans the rest of the table.
                let rowspan = if rowspan == 0 { nrows - r } else { rowspan };
                let rowspan = rowspan.clamp(1, nrows - r);
                let colspan = colspan.clamp(1, MAX_SPAN).min(MAX_WIDTH - c);
                let id = cells.len();
                cells.push(GridCell {
                    text,
                    line,
                    row: r,
                    col: c,
                    colspan,
                });
                for slot_row in slots.iter_mut().skip(r).take(rowspan) {
                    if slot_row.len() < c + colspan {
                        slot_row.resize(c + colspan, None);
                    }
                    for s in &mut slot_row[c..c + colspan] {
                        if s.is_none() {
                            *s = Some(id);
                        }
                    }
                }
                c += colspan;
            }
        }
        let width = slots.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut slots {
            row.resize(width, None);
        }
        Grid { line, cells, slots }
    }

    /// Number of columns.
    pub(crate) fn width(&self) -> usize {
        self.slots.first().map_or(0, Vec::len)
    }

    /// The distinct cells of a row, left to right.
    pub(crate) fn row_cells(&self, r: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for id in self.slots[r].iter().flatten() {
            if !out.contains(id) {
                out.push(*id);
            }
        }
        out
    }

    /// The grid columns a cell covers.
    pub(crate) fn cols_of(&self, id: usize) -> std::ops::Range<usize> {
        let c = &self.cells[id];
        c.col..(c.col + c.colspan).min(self.width())
    }

    /// The rows as text lines (`a | b | c`), for tables that hold no report data (page metadata,
    /// layout) or that the grid mapper cannot read.
    pub(crate) fn as_lines(&self) -> Vec<Line> {
        let mut out = Vec::new();
        for r in 0..self.slots.len() {
            let ids: Vec<usize> = self
                .row_cells(r)
                .into_iter()
                .filter(|&id| self.cells[id].row == r)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let texts: Vec<String> = ids
                .iter()
                .map(|&id| self.cells[id].text.replace('\n', ""))
                .collect();
            out.push(Line {
                no: self.cells[ids[0]].line,
                text: texts.join(" | ") + " |",
            });
        }
        out
    }
}

/// A piece of the document, in reading order.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A line of text.
    Line(Line),
    /// A table.
    Grid(Grid),
}

impl Item {
    /// The source line the item starts on.
    pub(crate) fn line_no(&self) -> usize {
        match self {
            Item::Line(l) => l.no,
            Item::Grid(g) => g.line,
        }
    }
}

/// The items of a text file: one line each.
pub(crate) fn text_items(text: &str) -> Vec<Item> {
    text.split('\n')
        .enumerate()
        .map(|(i, t)| {
            Item::Line(Line {
                no: i + 1,
                text: t.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_spans_stay_bounded() {
        // One row of 2,000 cells spanning 200 columns each, over 50,000 empty rows: unbounded,
        // the grid would hold 20 billion slots.
        let mut rows = vec![
            (0..2000)
                .map(|_| ("1".to_string(), 1, 1, 200))
                .collect::<Vec<_>>(),
        ];
        rows.extend((0..50_000).map(|_| vec![("2".to_string(), 2, 1, 1)]));
        let g = Grid::expand(1, rows);
        assert_eq!(g.width(), 256);
        assert_eq!(g.slots.len(), 10_000);
        assert_eq!(g.cells[g.slots[0][255].unwrap()].text, "1");
    }

    #[test]
    fn spans_expand() {
        // ┌───────┬───┐
        // │ a (2) │ b │
        // ├───┬───┼───┤   a: colspan 2; c: rowspan 2
        // │ c │ d │ e │
        // │   │ f │ g │
        let rows = vec![
            vec![("a".into(), 1, 1, 2), ("b".into(), 1, 1, 1)],
            vec![
                ("c".into(), 2, 2, 1),
                ("d".into(), 2, 1, 1),
                ("e".into(), 2, 1, 1),
            ],
            vec![("f".into(), 3, 1, 1), ("g".into(), 3, 1, 1)],
        ];
        let g = Grid::expand(1, rows);
        let text = |r: usize, c: usize| g.cells[g.slots[r][c].unwrap()].text.clone();
        assert_eq!(g.width(), 3);
        assert_eq!([text(0, 0), text(0, 1), text(0, 2)], ["a", "a", "b"]);
        assert_eq!([text(2, 0), text(2, 1), text(2, 2)], ["c", "f", "g"]);
        assert_eq!(g.cols_of(0), 0..2);
    }
}

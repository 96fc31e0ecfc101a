//! The extent of a worksheet's cells, from its XML, before a reader lays it out.
//!
//! Spreadsheet readers (calamine) hold a sheet as a dense range from its first to
//! its last cell: one cell at row 999,999,999 makes that a billion cells. A
//! [`SheetExtent`] is fed the sheet XML as it is inflated and counts the `<c`
//! elements and the rows and columns their `r="C12"` references span, so the
//! caller can tell a sparse sheet from a dense one without a parser.
use pyo3::prelude::*;

/// Bytes kept from the end of one piece for a reference cut by the next.
const CARRY: usize = 256;

/// Running counts over a worksheet's XML.
#[pyclass(module = "dlp._core")]
#[derive(Default)]
pub struct SheetExtent {
    carry: Vec<u8>,
    /// `<c` elements seen.
    #[pyo3(get)]
    cells: u64,
    #[pyo3(get)]
    min_row: u64,
    #[pyo3(get)]
    max_row: u64,
    #[pyo3(get)]
    min_col: u64,
    #[pyo3(get)]
    max_col: u64,
}

/// `(column, row)` of a reference such as `C12` at the start of `s` (0-based column).
fn reference(s: &[u8]) -> Option<(u64, u64)> {
    let mut col: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_uppercase() && i < 8 {
        col = col * 26 + u64::from(s[i] - b'A') + 1;
        i += 1;
    }
    let mut row: u64 = 0;
    let digits = i;
    while i < s.len() && s[i].is_ascii_digit() && i - digits < 12 {
        row = row * 10 + u64::from(s[i] - b'0');
        i += 1;
    }
    (i > digits && col > 0 && s.get(i) == Some(&b'"')).then(|| (col - 1, row))
}

impl SheetExtent {
    fn cell(&mut self, col: u64, row: u64) {
        if self.cells == 0 {
            (self.min_row, self.max_row, self.min_col, self.max_col) = (row, row, col, col);
        } else {
            self.min_row = self.min_row.min(row);
            self.max_row = self.max_row.max(row);
            self.min_col = self.min_col.min(col);
            self.max_col = self.max_col.max(col);
        }
        self.cells += 1;
    }

    fn scan(&mut self, data: &[u8], upto: usize) -> usize {
        let mut at = 0;
        for i in memchr::memmem::find_iter(data, b"<c ") {
            if i >= upto {
                return i;
            }
            // The reference is the `r` attribute among the element's first few.
            let end = data[i..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(data.len(), |e| i + e);
            let tag = &data[i..end];
            let found = memchr::memmem::find(tag, b" r=\"").and_then(|r| reference(&tag[r + 4..]));
            match found {
                Some((col, row)) => self.cell(col, row),
                None => self.cells += 1,
            }
            at = i + 3;
        }
        at.max(upto)
    }
}

#[pymethods]
impl SheetExtent {
    #[new]
    fn new() -> SheetExtent {
        SheetExtent::default()
    }

    /// Count the cells in the next piece of the sheet's XML.
    fn feed(&mut self, py: Python<'_>, piece: &[u8]) {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(piece);
        let upto = data.len().saturating_sub(CARRY);
        let next = py.detach(|| self.scan(&data, upto));
        self.carry = data[next.min(data.len())..].to_vec();
    }

    /// Count what is left at the end of the XML.
    fn finish(&mut self, py: Python<'_>) {
        let data = std::mem::take(&mut self.carry);
        py.detach(|| self.scan(&data, data.len()));
    }

    /// Cells a dense range from the first to the last referenced cell would hold.
    #[getter]
    fn area(&self) -> u128 {
        if self.cells == 0 {
            return 0;
        }
        u128::from(self.max_row - self.min_row + 1) * u128::from(self.max_col - self.min_col + 1)
    }
}

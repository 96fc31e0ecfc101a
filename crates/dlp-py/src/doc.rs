//! Document text for the core: what an extractor read, packed into buffers with a
//! compact location map, scanned and reported without a Python object per cell or
//! per finding.
//!
//! A [`DocText`] holds one stretch of an input's *extracted text* (segments joined
//! by their separators, as `dlp.extract.pack` documents it): the last
//! [`DocText::roll`]'s look-behind, then the segments added since. Each segment
//! points into a small table of *places* (a sheet, a package part and paragraph,
//! a page: the JSON fields its findings' locations carry); spreadsheet cells add
//! their row and column. Spreadsheet rows come in whole (a list of Python values
//! per row, rendered here as people see them), so a dense workbook costs a few
//! nanoseconds per cell. [`scan_doc`] scans the buffer and writes its findings as
//! JSON Lines, counting them in the file's tally by sheet row or by line.
use dlp_engine::engine::Hit;
use dlp_engine::report::{self, Lines, Place as Output, Record, Tally as CoreTally};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString};

use crate::{Engine, Tally};

/// No column: the segment is not a spreadsheet cell.
const NO_CELL: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Loc {
    place: u32,
    row: u32,
    col: u32,
}

#[derive(Debug, Clone)]
struct Place {
    /// JSON members after `"line":N` (`,"sheet":"S"`, `,"page":3` ...).
    json: Vec<u8>,
    /// The sheet name, for spreadsheet rows in the tally.
    sheet: Option<String>,
}

/// One buffer of an input's extracted text and where each piece of it comes from.
#[pyclass(module = "dlp._core")]
pub struct DocText {
    limit: usize,
    lookbehind: usize,
    buf: Vec<u8>,
    /// Bytes of look-behind at the start of `buf` (reported by the previous buffer).
    tail: usize,
    starts: Vec<usize>,
    locs: Vec<Loc>,
    places: Vec<Place>,
    origin: usize,
    line_base: usize,
    empty: bool,
}

fn push_text(buf: &mut Vec<u8>, text: &str) {
    // As `dlp.extract.pack`: no-break and ideographic spaces read as spaces, CR goes.
    for ch in text.chars() {
        match ch {
            '\r' => {}
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{3000}' => buf.push(b' '),
            c => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
}

/// A number as people see it in a cell: integers without `.0`, no exponent.
fn push_float(buf: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        let text = if value.is_nan() {
            "nan"
        } else if value > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        buf.extend_from_slice(text.as_bytes());
    } else if value.fract() == 0.0 && value.abs() < 9.0e18 {
        buf.extend_from_slice(format!("{}", value as i64).as_bytes());
    } else {
        // Rust's Display is the shortest round-trip form and never uses an exponent.
        buf.extend_from_slice(format!("{value}").as_bytes());
    }
}

fn cell_name(out: &mut Vec<u8>, col: u32, row: u32) {
    let mut letters = [0u8; 8];
    let mut i = letters.len();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        i -= 1;
        letters[i] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    out.extend_from_slice(&letters[i..]);
    out.extend_from_slice(row.to_string().as_bytes());
}

impl DocText {
    fn segment(&mut self, sep: &[u8], loc: Loc) {
        if !self.empty {
            self.buf.extend_from_slice(sep);
        }
        self.starts.push(self.buf.len());
        self.locs.push(loc);
    }

    /// Undo a segment whose text turned out empty.
    fn drop_segment(&mut self, mark: usize, was_empty: bool) {
        self.buf.truncate(mark);
        self.starts.pop();
        self.locs.pop();
        self.empty = was_empty;
    }

    fn full(&self) -> bool {
        self.buf.len() - self.tail >= self.limit
    }

    fn loc_at(&self, pos: usize) -> Option<Loc> {
        let i = self.starts.partition_point(|&s| s <= pos);
        self.locs.get(i.saturating_sub(1)).copied()
    }

    /// Append one cell's value; false when it renders empty.
    fn push_value(&mut self, value: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let before = self.buf.len();
        if let Ok(s) = value.cast::<PyString>() {
            push_text(&mut self.buf, &s.to_cow()?);
        } else if value.is_instance_of::<PyBool>() {
            let text: &[u8] = if value.is_truthy()? {
                b"TRUE"
            } else {
                b"FALSE"
            };
            self.buf.extend_from_slice(text);
        } else if value.is_instance_of::<PyInt>() {
            self.buf
                .extend_from_slice(value.str()?.to_cow()?.as_bytes());
        } else if let Ok(f) = value.cast::<PyFloat>() {
            push_float(&mut self.buf, f.value());
        } else {
            let text = other.call1((value,))?;
            push_text(&mut self.buf, &text.cast::<PyString>()?.to_cow()?);
        }
        Ok(self.buf.len() > before)
    }
}

type Located = (usize, usize, u32, Option<String>);

#[pymethods]
impl DocText {
    /// A buffer of about `limit` bytes of new text after up to `lookbehind` bytes of the last.
    #[new]
    fn new(limit: usize, lookbehind: usize) -> DocText {
        DocText {
            limit: limit.max(1),
            lookbehind,
            buf: Vec::new(),
            tail: 0,
            starts: Vec::new(),
            locs: Vec::new(),
            places: Vec::new(),
            origin: 0,
            line_base: 0,
            empty: true,
        }
    }

    /// Register a place: its location members as JSON (`,"page":3`) and, for a
    /// sheet, its name. Returns its index.
    #[pyo3(signature = (json, sheet=None))]
    fn place(&mut self, json: &[u8], sheet: Option<String>) -> u32 {
        self.places.push(Place {
            json: json.to_vec(),
            sheet,
        });
        (self.places.len() - 1) as u32
    }

    /// Add a piece of text at `place` after separator `sep`; true when the buffer is full.
    fn add_text(&mut self, text: &str, place: u32, sep: &str) -> bool {
        let mark = self.buf.len();
        let was_empty = self.empty;
        self.segment(
            sep.as_bytes(),
            Loc {
                place,
                row: 0,
                col: NO_CELL,
            },
        );
        let before = self.buf.len();
        push_text(&mut self.buf, text);
        if self.buf.len() == before {
            self.drop_segment(mark, was_empty);
        } else {
            self.empty = false;
        }
        self.full()
    }

    /// Add spreadsheet rows of values (None for an empty cell): row `first_row + i`
    /// (1-based), column `first_col + j` (0-based), at sheet `place`. Cells of a row
    /// are separated by tabs, rows by newlines; empty cells and rows are left out.
    /// Values other than str, bool, int and float go through `other` (a callable
    /// that renders them as text). True when the buffer is full.
    fn add_rows(
        &mut self,
        rows: &Bound<'_, PyList>,
        first_row: u32,
        first_col: u32,
        place: u32,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        for (i, row) in rows.iter().enumerate() {
            let row_number = first_row.saturating_add(i as u32);
            let mut sep: &[u8] = b"\n";
            for (j, value) in row.try_iter()?.enumerate() {
                let value = value?;
                if value.is_none() {
                    continue;
                }
                let mark = self.buf.len();
                let was_empty = self.empty;
                self.segment(
                    sep,
                    Loc {
                        place,
                        row: row_number,
                        col: first_col.saturating_add(j as u32),
                    },
                );
                if self.push_value(&value, other)? {
                    self.empty = false;
                    sep = b"\t";
                } else {
                    self.drop_segment(mark, was_empty);
                }
            }
        }
        Ok(self.full())
    }

    /// Bytes of new text (after the look-behind).
    #[getter]
    fn size(&self) -> usize {
        self.buf.len() - self.tail
    }

    /// Where the new text starts in the buffer (the look-behind's length).
    #[getter]
    fn emit_from(&self) -> usize {
        self.tail
    }

    /// The buffer: look-behind and new text.
    fn buffer<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.buf)
    }

    /// `(offset, line, place, cell)` of sorted buffer positions: the offset and line
    /// in the extracted text, the place index and the cell name (`C12`) if any.
    fn locate(&self, positions: Vec<usize>) -> Vec<Located> {
        let mut out = Vec::with_capacity(positions.len());
        let mut line = self.line_base + 1;
        let mut counted = 0;
        for p in positions {
            let p = p.min(self.buf.len());
            if p > counted {
                line += memchr::memchr_iter(b'\n', &self.buf[counted..p]).count();
                counted = p;
            }
            let (place, cell) = match self.loc_at(p) {
                Some(loc) if loc.col != NO_CELL => {
                    let mut name = Vec::new();
                    cell_name(&mut name, loc.col, loc.row);
                    (loc.place, Some(String::from_utf8_lossy(&name).into_owned()))
                }
                Some(loc) => (loc.place, None),
                None => (0, None),
            };
            out.push((self.origin + p, line, place, cell));
        }
        out
    }

    /// After a scan: keep the last `lookbehind` bytes as context for the next buffer.
    /// The table of places is cut down to the one the look-behind belongs to (now
    /// index 0), so it never grows past one buffer's places; returns that place's
    /// former index (None when there is none).
    fn roll(&mut self) -> Option<u32> {
        self.origin += self.buf.len();
        self.line_base += memchr::memchr_iter(b'\n', &self.buf).count();
        let mut cut = self.buf.len().saturating_sub(self.lookbehind);
        while cut < self.buf.len() && (0x80..0xC0).contains(&self.buf[cut]) {
            cut += 1;
        }
        let kept = self.buf.len() - cut;
        self.origin -= kept;
        self.line_base -= memchr::memchr_iter(b'\n', &self.buf[cut..]).count();
        self.buf.drain(..cut);
        self.tail = kept;
        let last = self.locs.last().copied();
        self.starts.clear();
        self.locs.clear();
        let place = last.map(|loc| loc.place);
        match last.and_then(|loc| {
            self.places
                .get(loc.place as usize)
                .cloned()
                .map(|p| (loc, p))
        }) {
            Some((loc, kept_place)) => {
                // The look-behind belongs to the last segment (its hits were reported).
                self.places = vec![kept_place];
                self.starts.push(0);
                self.locs.push(Loc { place: 0, ..loc });
            }
            None => self.places.clear(),
        }
        place
    }

    /// A new section (a sheet) starts: no look-behind into it.
    fn section(&mut self) {
        self.origin += self.buf.len();
        self.line_base += memchr::memchr_iter(b'\n', &self.buf).count();
        self.buf.clear();
        self.tail = 0;
        self.starts.clear();
        self.locs.clear();
        self.places.clear();
    }
}

/// Where the hits of one buffer are: its bytes, the newlines before it, input offsets
/// of buffer positions, and (documents) the location map.
struct Frame<'a> {
    buf: &'a [u8],
    line_base: usize,
    offset: &'a mut dyn FnMut(usize) -> usize,
    doc: Option<&'a DocText>,
}

fn render(
    engine: &Engine,
    frame: Frame<'_>,
    hits: &[Hit],
    path_json: &[u8],
    member_json: Option<&[u8]>,
    tally: &mut CoreTally,
    out: &mut Vec<u8>,
) {
    let Frame {
        buf,
        line_base,
        offset,
        doc,
    } = frame;
    // The input offset and line, then (documents) the place and the cell; a cell's
    // finding counts in its sheet row.
    let locate = move |start: usize, line: usize, out: &mut Vec<u8>| {
        out.extend_from_slice(offset(start).to_string().as_bytes());
        out.extend_from_slice(b",\"line\":");
        out.extend_from_slice(line.to_string().as_bytes());
        let mut record = Record::Line(line as u64);
        let loc = doc.and_then(|d| d.loc_at(start).map(|l| (d, l)));
        if let Some((doc, loc)) = loc {
            if let Some(place) = doc.places.get(loc.place as usize) {
                out.extend_from_slice(&place.json);
                if loc.col != NO_CELL {
                    out.extend_from_slice(b",\"cell\":\"");
                    cell_name(out, loc.col, loc.row);
                    out.push(b'"');
                    record =
                        Record::Row(place.sheet.clone().unwrap_or_default(), u64::from(loc.row));
                }
            }
        }
        record
    };
    let mut place = Output {
        path_json,
        member_json,
        origin: 0,
        line_base,
        locate: Some(Box::new(locate)),
    };
    let mut lines = Lines::new(line_base);
    let (templates, core) = (&engine.templates, &engine.core);
    report::render(
        hits, buf, &mut place, templates, core, tally, &mut lines, out,
    );
}

/// What `scan_doc` returns: the JSONL (None when YARA must run first), the triggered
/// signature rules, and the number of findings.
type DocScan<'py> = (Option<Bound<'py, PyBytes>>, Vec<u32>, usize);

/// Scan the new text of `doc` with `engine` and report its findings as JSON Lines,
/// counted in `tally` (a cell's finding by its sheet row, others by line). When the
/// buffer holds a literal of a signature rule not in `seen`, nothing is scanned and
/// the records are None: the caller runs YARA and scans the buffer the Python way.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (engine, doc, header, today, path_json, member_json, tally, seen))]
pub fn scan_doc<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    doc: &Bound<'py, DocText>,
    header: u64,
    today: u32,
    path_json: &[u8],
    member_json: Option<&[u8]>,
    tally: &Bound<'py, Tally>,
    seen: Vec<u32>,
) -> PyResult<DocScan<'py>> {
    let engine = engine.get();
    let doc_ref = doc.borrow();
    let doc: &DocText = &doc_ref;
    let mut tally = tally.borrow_mut();
    let inner = &mut tally.inner;
    let (out, triggered, found) = py.detach(|| {
        let buf = &doc.buf;
        let (triggered, hits) =
            engine
                .core
                .scan_unless(buf, header, doc.tail, buf.len(), today, |fired| {
                    fired.iter().any(|r| !seen.contains(r))
                });
        let Some(hits) = hits else {
            return (None, triggered, 0);
        };
        let mut out = Vec::with_capacity(hits.len() * 220);
        let mut offset = |p: usize| doc.origin + p;
        let frame = Frame {
            buf,
            line_base: doc.line_base,
            offset: &mut offset,
            doc: Some(doc),
        };
        render(
            engine,
            frame,
            &hits,
            path_json,
            member_json,
            inner,
            &mut out,
        );
        (Some(out), triggered, hits.len())
    });
    Ok((out.map(|o| PyBytes::new(py, &o)), triggered, found))
}

/// Input offsets of positions in UTF-8 text transcoded from another encoding: each
/// character adds its width there (`widths`: per BMP code point; `wide`: others).
struct Widths<'a> {
    buf: &'a [u8],
    widths: &'a [u8],
    wide: usize,
    pos: usize,
    offset: usize,
}

impl Widths<'_> {
    fn at(&mut self, p: usize) -> usize {
        if p < self.pos {
            self.pos = 0;
            self.offset = 0;
        }
        let text = String::from_utf8_lossy(&self.buf[self.pos..p.min(self.buf.len())]);
        for ch in text.chars() {
            let c = ch as usize;
            self.offset += if c < 0x10000 {
                usize::from(self.widths.get(c).copied().unwrap_or(1))
            } else {
                self.wide
            };
        }
        self.pos = p;
        self.offset
    }
}

/// Like `Engine.scan_jsonl`, for a window of text transcoded to UTF-8 from another
/// encoding: record offsets are input byte offsets, `origin` plus the widths (in
/// the input's encoding) of the characters before the hit. `widths` holds each BMP
/// code point's width, `wide` that of the others.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (engine, buf, header, emit_from, emit_to, today, path_json, member_json, origin, line_base, tally, seen, widths, wide))]
pub fn scan_transcoded<'py>(
    py: Python<'py>,
    engine: &Bound<'py, Engine>,
    buf: &[u8],
    header: u64,
    emit_from: usize,
    emit_to: usize,
    today: u32,
    path_json: &[u8],
    member_json: Option<&[u8]>,
    origin: usize,
    line_base: usize,
    tally: &Bound<'py, Tally>,
    seen: Vec<u32>,
    widths: &[u8],
    wide: usize,
) -> PyResult<DocScan<'py>> {
    let engine = engine.get();
    let mut tally = tally.borrow_mut();
    let inner = &mut tally.inner;
    let (out, triggered, found) = py.detach(|| {
        let (triggered, hits) =
            engine
                .core
                .scan_unless(buf, header, emit_from, emit_to, today, |fired| {
                    fired.iter().any(|r| !seen.contains(r))
                });
        let Some(hits) = hits else {
            return (None, triggered, 0);
        };
        let mut out = Vec::with_capacity(hits.len() * 200);
        let mut widths = Widths {
            buf,
            widths,
            wide,
            pos: 0,
            offset: 0,
        };
        let mut offset = |p: usize| origin + widths.at(p);
        let frame = Frame {
            buf,
            line_base,
            offset: &mut offset,
            doc: None,
        };
        render(
            engine,
            frame,
            &hits,
            path_json,
            member_json,
            inner,
            &mut out,
        );
        (Some(out), triggered, hits.len())
    });
    Ok((out.map(|o| PyBytes::new(py, &o)), triggered, found))
}

//! `dlp._core`: the PyO3 glue around `dlp-engine`.
//!
//! A narrow boundary, as orjson's: an [`Engine`] is built once from a spec that
//! `dlp.engine.core` assembles from the detector modules, and then takes whole
//! buffers; the GIL is released while it scans. A [`Tally`] holds a file's
//! policy counts.
use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

use dlp_engine::edm::{self as edm, Edm, Layout};
use dlp_engine::engine::{DetectorSpec, Engine as CoreEngine, EngineSpec, Hit, Severity};
use dlp_engine::fingerprint::{hex, parse_hex, Fingerprinter};
use dlp_engine::keywords::{Keyword, Trigger};
use dlp_engine::mask::Mask;
use dlp_engine::report::{self, Lines, Place, Record, Tally as CoreTally, Templates};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

mod checks_py;
mod doc;
mod sheet;

fn value_error(message: String) -> PyErr {
    PyValueError::new_err(message)
}

fn item<'py>(spec: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    spec.get_item(key)?
        .ok_or_else(|| value_error(format!("engine spec lacks {key:?}")))
}

/// An optional list of words, ASCII lower-cased (labels).
fn words(spec: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<Vec<u8>>> {
    Ok(match spec.get_item(key)? {
        Some(list) => list
            .extract::<Vec<String>>()?
            .into_iter()
            .map(|w| w.to_ascii_lowercase().into_bytes())
            .collect(),
        None => Vec::new(),
    })
}

fn detector_from_py(spec: &Bound<'_, PyDict>) -> PyResult<DetectorSpec> {
    let followers: Vec<String> = item(spec, "followers")?.extract()?;
    let severity: String = item(spec, "severity")?.extract()?;
    Ok(DetectorSpec {
        name: item(spec, "name")?.extract()?,
        patterns: item(spec, "patterns")?.extract()?,
        priority: item(spec, "priority")?.extract()?,
        joiners: item(spec, "joiners")?.extract::<String>()?.into_bytes(),
        followers: followers.into_iter().map(String::into_bytes).collect(),
        allow_extension: item(spec, "allow_extension")?.extract()?,
        extend_left: item(spec, "extend_left")?.extract::<String>()?.into_bytes(),
        extend_left_max: item(spec, "extend_left_max")?.extract()?,
        checks: dlp_engine::checks::Program::parse(&checks_py::steps_from_py(&item(
            spec, "checks",
        )?)?)
        .map_err(value_error)?,
        mask: Mask::parse(&checks_py::step_from_py(&item(spec, "mask")?)?).map_err(value_error)?,
        context: item(spec, "context")?.extract()?,
        requires_context: item(spec, "requires_context")?.extract()?,
        labels: words(spec, "labels")?,
        refuted_by: words(spec, "refuted_by")?,
        base_confidence: item(spec, "base_confidence")?.extract()?,
        context_confidence: item(spec, "context_confidence")?.extract()?,
        severity: Severity::parse(&severity).map_err(value_error)?,
    })
}

/// Open an EDM index: `(path, fanout offset, records, name filter bits,
/// name-column flags)`; `key`: the fingerprint key.
fn edm_from_py(spec: &Bound<'_, PyAny>, key: &[u8]) -> PyResult<Option<Edm>> {
    if spec.is_none() {
        return Ok(None);
    }
    let (path, fanout_at, records, filter_bits, names): (String, usize, usize, u64, Vec<bool>) =
        spec.extract()?;
    let file =
        File::open(&path).map_err(|e| value_error(format!("cannot open EDM index {path}: {e}")))?;
    // SAFETY: the index is opened read-only and dlp never writes to an index it
    // scans with; a file truncated under us is the same hazard as for Python's
    // mmap, which the previous implementation used.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|e| value_error(format!("cannot map EDM index {path}: {e}")))?;
    let layout = Layout {
        fanout_at,
        records,
        filter_bits,
    };
    Edm::new(Arc::new(map), layout, names, &Fingerprinter::new(key))
        .map(Some)
        .map_err(value_error)
}

/// The compiled scanning engine of one `Scanner`: immutable, shared between threads.
#[pyclass(frozen, module = "dlp._core")]
struct Engine {
    core: CoreEngine,
    templates: Templates,
}

/// What `scan_jsonl` returns: the JSONL pieces (None when YARA must run first), the
/// triggered signature rules, and the number of findings.
type JsonlScan<'py> = (Option<Vec<Bound<'py, PyBytes>>>, Vec<u32>, usize);

type HitTuple = (
    u16,
    usize,
    usize,
    String,
    String,
    String,
    f64,
    Option<u16>,
    Option<String>,
);

fn hit_tuple(hit: Hit) -> HitTuple {
    let fingerprint = String::from_utf8_lossy(&hex(&hit.fingerprint)).into_owned();
    (
        hit.detector,
        hit.start,
        hit.end,
        hit.value,
        hit.masked,
        fingerprint,
        hit.confidence,
        hit.column,
        hit.written,
    )
}

#[pymethods]
impl Engine {
    #[new]
    fn new(spec: &Bound<'_, PyDict>) -> PyResult<Engine> {
        let detectors = item(spec, "detectors")?
            .cast_into::<PyList>()?
            .iter()
            .map(|d| detector_from_py(d.cast::<PyDict>()?))
            .collect::<PyResult<Vec<_>>>()?;
        let keywords: Vec<(String, u64)> = item(spec, "keywords")?.extract()?;
        let triggers: Vec<(Vec<u8>, bool, u32)> = item(spec, "triggers")?.extract()?;
        let fingerprints: Vec<String> = item(spec, "allow_fingerprints")?.extract()?;
        let columns: Vec<String> = item(spec, "edm_columns")?.extract()?;
        let key: Vec<u8> = item(spec, "key")?.extract()?;
        let edm = edm_from_py(&item(spec, "edm")?, &key)?;
        let core = CoreEngine::new(EngineSpec {
            detectors,
            keywords: keywords
                .into_iter()
                .map(|(word, categories)| Keyword { word, categories })
                .collect(),
            categories: item(spec, "categories")?.extract()?,
            triggers: triggers
                .into_iter()
                .map(|(literal, caseless, rule)| Trigger {
                    literal,
                    caseless,
                    rule,
                })
                .collect(),
            tables: checks_py::tables_from_py(&item(spec, "tables")?)?,
            key,
            allow_fingerprints: fingerprints
                .iter()
                .map(|f| {
                    parse_hex(f).ok_or_else(|| value_error(format!("not a fingerprint: {f:?}")))
                })
                .collect::<PyResult<Vec<_>>>()?,
            allow_regexes: item(spec, "allow_regexes")?.extract()?,
            edm,
        })
        .map_err(value_error)?;
        let reveal: bool = item(spec, "reveal")?.extract()?;
        let templates = Templates::new(&core, &columns, reveal);
        Ok(Engine { core, templates })
    }

    /// Keyword categories (bit set) in `buf`.
    fn categories_in(&self, py: Python<'_>, buf: &[u8]) -> u64 {
        py.detach(|| self.core.categories_in(buf))
    }

    /// The keyed fingerprint (hex) of a normalised value.
    fn fingerprint(&self, value: &str) -> String {
        String::from_utf8_lossy(&hex(&self.core.fingerprint(value))).into_owned()
    }

    /// True when the allowlist accepts a normalised value.
    fn allows(&self, value: &str) -> bool {
        self.core.allows(value)
    }

    /// The hits of `buf` starting in `[emit_from, emit_to)` as tuples
    /// `(detector index or 65535 for EDM, start, end, value, masked, fingerprint,
    /// confidence, EDM column index, EDM value as written)`, and the indexes of
    /// signature rules whose literals occur in `buf`.
    fn scan(
        &self,
        py: Python<'_>,
        buf: &[u8],
        header: u64,
        emit_from: usize,
        emit_to: usize,
        today: u32,
    ) -> (Vec<HitTuple>, Vec<u32>) {
        let scan = py.detach(|| self.core.scan(buf, header, emit_from, emit_to, today));
        (
            scan.hits.into_iter().map(hit_tuple).collect(),
            scan.triggered,
        )
    }

    /// Like `scan`, but the hits come as JSON Lines `finding` records (bytes) and
    /// are counted in `tally`. `origin`: input offset of `buf[0]`; `line_base`:
    /// newlines before it. When `buf` holds a literal of a signature rule not in
    /// `seen` (rule indexes), nothing is scanned and the records are None: the
    /// caller runs YARA and scans the buffer with `scan`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (buf, header, emit_from, emit_to, today, path_json, member_json, origin, line_base, tally, seen))]
    fn scan_jsonl<'py>(
        &self,
        py: Python<'py>,
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
    ) -> PyResult<JsonlScan<'py>> {
        let mut tally = tally.borrow_mut();
        let inner = &mut tally.inner;
        let mut out = RENDERED.with(|r| std::mem::take(&mut *r.borrow_mut()));
        out.clear();
        let (rendered, triggered, found) = py.detach(|| {
            let mut place = Place {
                path_json,
                member_json,
                origin,
                line_base,
                locate: None,
            };
            let mut lines = Lines::new(line_base);
            let mut found = 0;
            let (triggered, ran) = self.core.scan_chunks(
                buf,
                header,
                emit_from,
                emit_to,
                today,
                |fired| fired.iter().any(|r| !seen.contains(r)),
                |hits| {
                    found += hits.len();
                    report::render(
                        &hits,
                        buf,
                        &mut place,
                        &self.templates,
                        &self.core,
                        inner,
                        &mut lines,
                        &mut out,
                    );
                },
            );
            (ran, triggered, found)
        });
        let pieces = rendered.then(|| pieces(&out).map(|p| PyBytes::new(py, p)).collect());
        RENDERED.with(|r| *r.borrow_mut() = out);
        Ok((pieces, triggered, found))
    }
}

/// Bytes of JSONL handed to Python in one `bytes` object: well under glibc's
/// largest mmap threshold, so the pieces are served from reused heap memory
/// instead of freshly zeroed pages.
const PIECE: usize = 4 << 20;

thread_local! {
    /// The render buffer, kept between calls of a thread (its pages stay mapped).
    static RENDERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `out` cut after newlines into pieces of about [`PIECE`] bytes.
fn pieces(out: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = out;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = if rest.len() <= PIECE {
            rest.len()
        } else {
            memchr_newline(&rest[PIECE..]).map_or(rest.len(), |i| PIECE + i + 1)
        };
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// A file's policy counts (see `dlp.policy`).
#[pyclass(module = "dlp._core")]
#[derive(Default)]
struct Tally {
    inner: CoreTally,
}

fn record_from_py(record: &Bound<'_, PyAny>) -> PyResult<Record> {
    if let Ok(line) = record.extract::<u64>() {
        return Ok(Record::Line(line));
    }
    let (sheet, row): (String, u64) = record.extract()?;
    Ok(Record::Row(sheet, row))
}

/// A finding's fingerprint as a digest: its 64 hex digits, or (for fingerprints
/// made elsewhere, such as tests' labels) a hash of the text, which counts
/// distinct values the same way.
fn digest_from_py(fingerprint: &str) -> PyResult<[u8; 32]> {
    Ok(parse_hex(fingerprint).unwrap_or_else(|| {
        dlp_engine::fingerprint::Fingerprinter::new(b"").digest(fingerprint.as_bytes())
    }))
}

#[pymethods]
impl Tally {
    #[new]
    fn new() -> Tally {
        Tally::default()
    }

    /// One finding of a personal-data detector in `record` (a line number, or a
    /// `(sheet, row)` pair).
    fn add(
        &mut self,
        detector: &str,
        fingerprint: &str,
        record: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.inner.add(
            detector,
            &digest_from_py(fingerprint)?,
            record_from_py(record)?,
        );
        Ok(())
    }

    /// One EDM finding of master column `column` (`name`: a name column).
    fn add_edm(
        &mut self,
        fingerprint: &str,
        record: &Bound<'_, PyAny>,
        column: u16,
        name: bool,
    ) -> PyResult<()> {
        self.inner.add_edm(
            &digest_from_py(fingerprint)?,
            record_from_py(record)?,
            column,
            name,
        );
        Ok(())
    }

    /// Rows with two or more kinds (closes every open record).
    fn close(&mut self) -> u64 {
        self.inner.close()
    }

    /// Add another part of the same file (no record spans both).
    fn merge(&mut self, other: &Bound<'_, Tally>) {
        if let Ok(mut other) = other.try_borrow_mut() {
            self.inner.merge(&mut other.inner);
        } else {
            // merging a tally into itself: its own counts, closed
            let mut copy = self.inner.clone();
            self.inner.merge(&mut copy);
        }
    }

    /// Distinct values per detector.
    fn distinct(&self) -> HashMap<String, usize> {
        self.inner.distinct().into_iter().collect()
    }

    /// Findings per detector.
    fn found(&self) -> HashMap<String, u64> {
        self.inner.found().into_iter().collect()
    }

    /// Registered values: (fingerprint, EDM column index), in the order first seen.
    fn registered(&self) -> Vec<(String, u16)> {
        self.inner
            .registered()
            .iter()
            .map(|(d, c)| (String::from_utf8_lossy(&hex(d)).into_owned(), *c))
            .collect()
    }

    fn __getstate__<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (values, found, rows, registered) = self.inner.parts();
        let registered: Vec<(Vec<u8>, u16)> = registered
            .into_iter()
            .map(|(d, c)| (d.to_vec(), c))
            .collect();
        (values, found, rows, registered).into_pyobject(py)
    }

    fn __setstate__(&mut self, state: &Bound<'_, PyAny>) -> PyResult<()> {
        #[allow(clippy::type_complexity)]
        let (values, found, rows, registered): (
            Vec<(String, Vec<u64>)>,
            Vec<(String, u64)>,
            u64,
            Vec<(Vec<u8>, u16)>,
        ) = state.extract()?;
        let registered = registered
            .into_iter()
            .map(|(d, c)| {
                let digest: [u8; 32] = d
                    .try_into()
                    .map_err(|_| value_error("bad tally state".into()))?;
                Ok((digest, c))
            })
            .collect::<PyResult<Vec<_>>>()?;
        self.inner = CoreTally::from_parts(values, found, rows, registered);
        Ok(())
    }
}

/// Newlines in `buf[start:end]` (bounds clamped), counted with SIMD where the CPU
/// has it (CPython's `bytes.count` looks at one byte at a time).
/// The name filter of an EDM index being built: `bits` bits (a power of two),
/// set for the names added (normalised values of name columns) under `key`.
#[pyclass(module = "dlp._core")]
struct NameFilter {
    fingerprinter: Fingerprinter,
    bits: Vec<u8>,
}

#[pymethods]
impl NameFilter {
    #[new]
    fn new(key: &[u8], bits: u64) -> PyResult<NameFilter> {
        if !bits.is_power_of_two() || bits < 8 {
            return Err(value_error(format!(
                "filter bits must be a power of two, not {bits}"
            )));
        }
        let size = usize::try_from(bits / 8).map_err(|_| value_error("filter too large".into()))?;
        Ok(NameFilter {
            fingerprinter: Fingerprinter::new(key),
            bits: vec![0; size],
        })
    }

    /// Add names.
    fn add(&mut self, py: Python<'_>, names: Vec<String>) {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (bits, fingerprinter) = (&mut self.bits, &self.fingerprinter);
        py.detach(|| edm::add_names(bits, fingerprinter, &names));
    }

    /// The filter's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bits)
    }
}

/// Bits of the name filter for `names` names.
#[pyfunction]
fn edm_filter_bits(names: u64) -> u64 {
    edm::filter_bits_for(names)
}

#[pyfunction]
#[pyo3(signature = (buf, start=0, end=None))]
fn newlines(py: Python<'_>, buf: &[u8], start: usize, end: Option<usize>) -> usize {
    let end = end.unwrap_or(buf.len()).min(buf.len());
    let start = start.min(end);
    py.detach(|| memchr::memchr_iter(b'\n', &buf[start..end]).count())
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(newlines, m)?)?;
    m.add_function(wrap_pyfunction!(edm_filter_bits, m)?)?;
    m.add_class::<NameFilter>()?;
    m.add_class::<Engine>()?;
    m.add_class::<Tally>()?;
    m.add_class::<doc::DocText>()?;
    m.add_class::<sheet::SheetExtent>()?;
    m.add_function(wrap_pyfunction!(doc::scan_doc, m)?)?;
    m.add_function(wrap_pyfunction!(doc::scan_transcoded, m)?)?;
    m.add("EDM_DETECTOR", dlp_engine::engine::EDM_DETECTOR)?;
    checks_py::register(m)?;
    Ok(())
}

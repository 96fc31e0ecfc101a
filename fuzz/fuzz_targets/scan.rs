//! Fuzz `Engine::scan` and `report::render` with the engine the product ships.
//!
//! The engine is built once from `fuzz/spec.json` (written by
//! `fuzz/export_spec.py` from what `dlp.engine.core.Core` hands `dlp._core`), the
//! same way `crates/dlp-py/src/lib.rs` builds it from the Python dict.
//!
//! Input layout (inputs shorter than 13 bytes are all buffer, header 0, full range):
//!
//! | bytes  | meaning                                                              |
//! |--------|----------------------------------------------------------------------|
//! | 0..8   | header keyword-category bits (u64 LE)                                |
//! | 8      | flags: bit 0 emit range (0, usize::MAX); bits 1-2 `today`; bit 3     |
//! |        | a container member; bit 4 reveal; bit 5 non-zero origin / line base  |
//! | 9..11  | emit_from (u16 LE; taken modulo buf.len() + 1)                       |
//! | 11..13 | emit_to (u16 LE; taken modulo buf.len() + 2, 0xFFFF: usize::MAX)     |
//! | 13..   | the buffer                                                           |
#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use dlp_engine::checks::{Arg, Program, StepSpec, Tables};
use dlp_engine::engine::{DetectorSpec, Engine, EngineSpec, Hit, Severity, EDM_DETECTOR};
use dlp_engine::fingerprint::{hex, parse_hex};
use dlp_engine::keywords::{Keyword, Trigger};
use dlp_engine::mask::Mask;
use dlp_engine::report::{self, Lines, Place, Tally, Templates};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const SPEC: &str = include_str!("../spec.json");
const DATES: [u32; 4] = [20250615, 20000229, 19491231, 20991231];
const PATH_JSON: &[u8] = b"\"dir/\\u0001\xe6\x96\x87\xe4\xbb\xb6.txt\"";
const MEMBER_JSON: &[u8] = b"\"a.zip/b\\\".csv\"";

struct Fixture {
    engine: Engine,
    /// Without and with `--reveal`.
    templates: [Templates; 2],
    names: Vec<String>,
}

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or_else(|| panic!("spec.json lacks {key:?}"))
}

fn string(v: &Value) -> String {
    v.as_str().expect("a string").to_string()
}

fn bytes(v: &Value) -> Vec<u8> {
    let hex = get(v, "bytes").as_str().expect("bytes as hex");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn arg(v: &Value) -> Arg {
    match v {
        Value::String(s) => Arg::Str(s.clone()),
        Value::Number(n) => Arg::Int(n.as_i64().expect("an int argument")),
        Value::Array(items) => Arg::Strs(items.iter().map(string).collect()),
        other => panic!("bad step argument {other}"),
    }
}

fn step(v: &Value) -> StepSpec {
    let items = v.as_array().expect("a step is a list");
    StepSpec {
        op: string(&items[0]),
        args: items[1..].iter().map(arg).collect(),
    }
}

/// A detector's list of words (absent: none), as bytes.
fn words(d: &Value, key: &str) -> Vec<Vec<u8>> {
    d.get(key)
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |items| items.iter().map(|w| string(w).into_bytes()).collect())
}

fn detector(d: &Value, tables: &Tables) -> DetectorSpec {
    let steps: Vec<StepSpec> = get(d, "checks").as_array().unwrap().iter().map(step).collect();
    let checks = Program::parse(&steps).expect("checks parse");
    checks.check_tables(tables).expect("checks' tables exist");
    DetectorSpec {
        name: string(get(d, "name")),
        patterns: get(d, "patterns").as_array().unwrap().iter().map(string).collect(),
        priority: get(d, "priority").as_i64().unwrap() as i32,
        joiners: string(get(d, "joiners")).into_bytes(),
        followers: get(d, "followers")
            .as_array()
            .unwrap()
            .iter()
            .map(|f| string(f).into_bytes())
            .collect(),
        allow_extension: get(d, "allow_extension").as_bool().unwrap(),
        extend_left: string(get(d, "extend_left")).into_bytes(),
        extend_left_max: get(d, "extend_left_max").as_u64().unwrap() as usize,
        checks,
        mask: Mask::parse(&step(get(d, "mask"))).expect("mask parses"),
        context: get(d, "context").as_u64().unwrap(),
        requires_context: get(d, "requires_context").as_bool().unwrap(),
        base_confidence: get(d, "base_confidence").as_f64().unwrap(),
        context_confidence: get(d, "context_confidence").as_f64().unwrap(),
        severity: Severity::parse(get(d, "severity").as_str().unwrap()).unwrap(),
        labels: words(d, "labels"),
        refuted_by: words(d, "refuted_by"),
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let spec: Value = serde_json::from_str(SPEC).expect("spec.json is JSON");
        assert!(get(&spec, "edm").is_null(), "the fuzz spec has no EDM index");
        let tables: HashMap<String, Vec<String>> = get(&spec, "tables")
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_array().unwrap().iter().map(string).collect()))
            .collect();
        let tables = Tables::new(tables);
        let detectors: Vec<DetectorSpec> = get(&spec, "detectors")
            .as_array()
            .unwrap()
            .iter()
            .map(|d| detector(d, &tables))
            .collect();
        let names = detectors.iter().map(|d| d.name.clone()).collect();
        let engine = Engine::new(EngineSpec {
            detectors,
            keywords: get(&spec, "keywords")
                .as_array()
                .unwrap()
                .iter()
                .map(|k| Keyword {
                    word: string(&k[0]),
                    categories: k[1].as_u64().unwrap(),
                })
                .collect(),
            categories: get(&spec, "categories").as_u64().unwrap() as usize,
            triggers: get(&spec, "triggers")
                .as_array()
                .unwrap()
                .iter()
                .map(|t| Trigger {
                    literal: bytes(&t[0]),
                    caseless: t[1].as_bool().unwrap(),
                    rule: t[2].as_u64().unwrap() as u32,
                })
                .collect(),
            tables,
            key: bytes(get(&spec, "key")),
            allow_fingerprints: get(&spec, "allow_fingerprints")
                .as_array()
                .unwrap()
                .iter()
                .map(|f| parse_hex(f.as_str().unwrap()).expect("a fingerprint"))
                .collect(),
            allow_regexes: get(&spec, "allow_regexes").as_array().unwrap().iter().map(string).collect(),
            edm: None,
        })
        .expect("the shipped spec compiles");
        let columns: Vec<String> = get(&spec, "edm_columns").as_array().unwrap().iter().map(string).collect();
        let templates = [Templates::new(&engine, &columns, false), Templates::new(&engine, &columns, true)];
        // The key and the HMAC agree with Python's.
        let meta = get(&spec, "_meta");
        let fp = engine.fingerprint(get(meta, "check_value").as_str().unwrap());
        assert_eq!(
            std::str::from_utf8(&hex(&fp)).unwrap(),
            get(meta, "check_fingerprint").as_str().unwrap(),
            "fingerprint differs from Python's"
        );
        Fixture {
            engine,
            templates,
            names,
        }
    })
}

struct Input<'a> {
    header: u64,
    flags: u8,
    emit_from: usize,
    emit_to: usize,
    buf: &'a [u8],
}

fn split(data: &[u8]) -> Input<'_> {
    if data.len() < 13 {
        return Input { header: 0, flags: 1, emit_from: 0, emit_to: usize::MAX, buf: data };
    }
    let header = u64::from_le_bytes(data[..8].try_into().unwrap());
    let flags = data[8];
    let lo = u16::from_le_bytes([data[9], data[10]]) as usize;
    let hi = u16::from_le_bytes([data[11], data[12]]);
    let buf = &data[13..];
    let (emit_from, emit_to) = if flags & 1 != 0 {
        (0, usize::MAX)
    } else {
        let to = if hi == u16::MAX { usize::MAX } else { hi as usize % (buf.len() + 2) };
        (lo % (buf.len() + 1), to)
    };
    Input { header, flags, emit_from, emit_to, buf }
}

fn same(a: &Hit, b: &Hit) -> bool {
    (a.detector, a.start, a.end, &a.value, &a.masked, a.fingerprint, a.column, &a.written)
        == (b.detector, b.start, b.end, &b.value, &b.masked, b.fingerprint, b.column, &b.written)
        && a.confidence.to_bits() == b.confidence.to_bits()
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let engine = &fx.engine;
    let input = split(data);
    let buf = input.buf;
    let today = DATES[((input.flags >> 1) & 3) as usize];
    let scan = engine.scan(buf, input.header, input.emit_from, input.emit_to, today);

    // Triggered rules: ascending, each once.
    assert!(scan.triggered.windows(2).all(|w| w[0] < w[1]), "triggered not ascending: {:?}", scan.triggered);

    let hits = &scan.hits;
    for (i, hit) in hits.iter().enumerate() {
        assert!(hit.start < hit.end && hit.end <= buf.len(), "hit {i} span {}..{} in {} bytes", hit.start, hit.end, buf.len());
        assert!(input.emit_from <= hit.start && hit.start < input.emit_to, "hit {i} at {} outside emit range {}..{}", hit.start, input.emit_from, input.emit_to);
        assert_ne!(hit.detector, EDM_DETECTOR, "EDM hit without an EDM index");
        assert!((hit.detector as usize) < fx.names.len(), "detector index {}", hit.detector);
        assert_eq!(hit.fingerprint, engine.fingerprint(&hit.value), "hit {i}: fingerprint is not of the value");
        assert!(!engine.allows(&hit.value), "hit {i}: allowlisted value {:?} reported", hit.value);
        if hit.value.chars().count() > 4 {
            assert_ne!(hit.masked, hit.value, "hit {i} ({}): the mask reveals the whole value {:?}", fx.names[hit.detector as usize], hit.value);
        }
        assert!(hit.confidence > 0.0 && hit.confidence <= 1.0, "confidence {}", hit.confidence);
        if i > 0 {
            let prev = &hits[i - 1];
            assert!(prev.start <= hit.start, "hits not sorted by start: {} then {}", prev.start, hit.start);
            assert!(prev.end <= hit.start, "hits overlap: {}..{} and {}..{}", prev.start, prev.end, hit.start, hit.end);
        }
    }

    // The emit range only filters: a partial range gives the full scan's hits that start in it.
    if !(input.emit_from == 0 && input.emit_to == usize::MAX) {
        let full = engine.scan(buf, input.header, 0, usize::MAX, today);
        let expected: Vec<&Hit> = full
            .hits
            .iter()
            .filter(|h| input.emit_from <= h.start && h.start < input.emit_to)
            .collect();
        assert_eq!(expected.len(), hits.len(), "emit range is not a filter of the full scan");
        assert!(expected.iter().zip(hits).all(|(a, b)| same(a, b)), "emit range changes hits");
        assert_eq!(full.triggered, scan.triggered);
    }

    // JSON Lines: one valid `finding` per hit, consistent with the hit.
    let reveal = input.flags & 0x10 != 0;
    let member = (input.flags & 0x08 != 0).then_some(MEMBER_JSON);
    let (origin, line_base) = if input.flags & 0x20 != 0 { (4 << 20, 12345) } else { (0, 0) };
    let mut place = Place { path_json: PATH_JSON, member_json: member, origin, line_base, locate: None };
    let mut tally = Tally::default();
    let mut out = Vec::new();
    let templates = &fx.templates[usize::from(reveal)];
    let mut lines = Lines::new(line_base);
    report::render(hits, buf, &mut place, templates, engine, &mut tally, &mut lines, &mut out);
    // Rendering in two pieces, as the core does chunk by chunk, writes the same lines.
    let (first, second) = hits.split_at(hits.len() / 2);
    let (mut halves, mut lines, mut tally2) = (Vec::new(), Lines::new(line_base), Tally::default());
    report::render(first, buf, &mut place, templates, engine, &mut tally2, &mut lines, &mut halves);
    report::render(second, buf, &mut place, templates, engine, &mut tally2, &mut lines, &mut halves);
    assert_eq!(halves, out, "rendering in pieces differs");
    let text = std::str::from_utf8(&out).expect("JSONL is UTF-8");
    assert!(hits.is_empty() == text.is_empty() && (text.is_empty() || text.ends_with('\n')));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), hits.len(), "one line per hit");
    for (line, hit) in lines.iter().zip(hits) {
        let rec: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}"));
        assert_eq!(rec["type"], "finding", "{line}");
        assert_eq!(rec["path"], "dir/\u{1}文件.txt", "{line}");
        match member {
            Some(_) => assert_eq!(rec["member"], "a.zip/b\".csv", "{line}"),
            None => assert!(rec.get("member").is_none(), "{line}"),
        }
        assert_eq!(rec["detector"], fx.names[hit.detector as usize].as_str(), "{line}");
        assert_eq!(rec["masked"], hit.masked.as_str(), "{line}");
        assert_eq!(rec["fingerprint"], std::str::from_utf8(&hex(&hit.fingerprint)).unwrap(), "{line}");
        assert_eq!(rec["confidence"].as_f64(), Some(hit.confidence), "{line}");
        let severity = engine.detectors()[hit.detector as usize].severity.name();
        assert_eq!(rec["severity"], severity, "{line}");
        assert_eq!(rec["location"]["offset"].as_u64(), Some((origin + hit.start) as u64), "{line}");
        let newlines = buf[..hit.start].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(rec["location"]["line"].as_u64(), Some((line_base + 1 + newlines) as u64), "{line}");
        if reveal {
            assert_eq!(rec["value"], hit.value.as_str(), "{line}");
        } else {
            assert!(rec.get("value").is_none(), "value without reveal: {line}");
        }
    }

    // The tally counts every hit under its detector.
    let mut per: BTreeMap<String, u64> = BTreeMap::new();
    for hit in hits {
        *per.entry(fx.names[hit.detector as usize].clone()).or_default() += 1;
    }
    assert_eq!(tally.found(), per.into_iter().collect::<Vec<_>>(), "tally counts");
    let distinct: usize = tally.distinct().iter().map(|(_, n)| n).sum();
    assert!(distinct <= hits.len());
    tally.close();
});

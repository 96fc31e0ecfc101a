"""The plain-text lane: a window of UTF-8 text to JSON Lines in C.

On a dense customer list nearly all the time of a scan went to Python work per
value found: validating it, building a finding, its fingerprint, its JSON line
and its policy counts. ``dlp scan -f jsonl`` on plain UTF-8 text now hands each
window to :mod:`dlp._native` instead, which runs the same steps as
:meth:`dlp.engine.matcher.Matcher.match`, :meth:`dlp.scanner.Scanner._scan_window`,
:func:`dlp.output.jsonl.render` and :class:`dlp.policy.Policy` (the Python code
stays the reference) and returns the window's JSONL bytes, while a
:class:`~dlp._native.Tally` keeps the file's policy counts.

What the lane does not do, Python still does, with the same output:

* a window that holds a full-width digit, or a signature-rule literal of a rule
  not yet reported for the input, goes the Python way (folding, YARA);
* a candidate in a form a C validator does not handle (``+86 138 ...``) is
  decided by the detector's Python validator, and a detector without a ``native``
  kind uses its Python validator and mask for every candidate;
* documents, containers, other encodings, the allowlist, EDM, baselines,
  ``--reveal``, text and SARIF reports: the lane is not used at all.

Built against libhs, the lane also finds the candidates itself: the bounded detector
patterns with the DFA of :mod:`dlp.engine.automaton`, the rest with a Hyperscan database
of its own (see :meth:`Lane._load_database`); otherwise the ``hyperscan`` package's
matches are fed to it.

The C extension is optional (``setup.py``): without it, or with the YARA engine,
:meth:`Lane.build` returns None and every window goes the Python way.
``tests/test_native_lane.py`` holds both paths to the same bytes.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from dlp.detector import Detector, Edges
from dlp.engine.automaton import build as build_automaton
from dlp.engine.automaton import leading_byte
from dlp.engine.candidates import EDGE, HyperscanCandidates
from dlp.engine.keywords import merge
from dlp.errors import ValidationError

if TYPE_CHECKING:
    from dlp.engine.matcher import Matcher
    from dlp.extract.stream import Window
    from dlp.findings import Finding

try:
    from dlp import _native
except ImportError:  # built without a C compiler or OpenSSL headers
    _native = None  # type: ignore[assignment]

NATIVE_KINDS = {
    "cn_mobile": 1,
    "cn_resident_id": 2,
    "cn_landline": 3,
    "cn_plate": 4,
    "email": 5,
    "cn_uscc": 6,
    "bank_card": 7,
    "cn_resident_id_legacy": 8,
}
"""C validators in dlp._native, by the name a detector gives in ``Detector.native``."""
MASK_PYTHON, MASK_EDGES, MASK_LANDLINE, MASK_EMAIL = range(4)
NATIVE_MASKS = {"cn_landline": MASK_LANDLINE, "email": MASK_EMAIL}
"""Native kinds whose mask is also done in C (others: ``edges`` masks are)."""
MAX_CATEGORIES = 64
MAX_DETECTORS = 64


def available() -> bool:
    """True when the C extension is installed."""
    return _native is not None


def mask_kind(det: Detector) -> tuple[int, int, int]:
    """(kind, head, tail) of the C mask standing for ``det.mask``."""
    if isinstance(det.mask, Edges):
        return MASK_EDGES, det.mask.head, det.mask.tail
    if det.native in NATIVE_MASKS:
        return NATIVE_MASKS[det.native], 0, 0
    return MASK_PYTHON, 0, 0


class Lane:
    """The C lane of one :class:`~dlp.engine.matcher.Matcher` (same detectors, keywords, key)."""

    def __init__(self, matcher: Matcher, engine: HyperscanCandidates, key: bytes) -> None:
        from dlp.data import load_table
        from dlp.detectors._util import _today

        assert _native is not None
        self._engine = engine
        self._today = _today
        detectors = list(matcher.detectors)
        index = {d.name: i for i, d in enumerate(detectors)}
        categories = tuple(sorted(matcher.keyword_categories))
        bit = {c: 1 << i for i, c in enumerate(categories)}
        self._bits = bit
        patterns = [
            (index[name], lead, int(i in engine._char_start))
            for i, (name, lead) in enumerate(zip(engine._names, engine._leads, strict=True))
        ]
        rules = sorted(set(engine._triggers.values()))
        self._rules = rules
        rule_index = {r: i for i, r in enumerate(rules)}
        rest: list[tuple[int, int, int]] = []
        for ident in range(len(engine._names), engine._fullwidth + 1):
            if ident in engine._gates:
                category, length = engine._gates[ident]
                rest.append((0, categories.index(category), length))
            elif ident in engine._triggers:
                rest.append((1, rule_index[engine._triggers[ident]], 0))
            else:
                rest.append((2, 0, 0))
        specs = []
        for det in detectors:
            kind, head, tail = mask_kind(det)
            specs.append(
                (
                    NATIVE_KINDS.get(det.native, 0),
                    det.priority,
                    det.left_chars,
                    det.extend_left_max,
                    det.joiner_bytes,
                    det.allow_extension,
                    det.follower_bytes,
                    det.requires_context,
                    sum(bit.get(c, 0) for c in det.context),
                    kind,
                    head,
                    tail,
                    det.validate,
                    det.mask,
                    det.unverifiable,
                    orjson.dumps(det.name),
                    orjson.dumps(det.base_confidence),
                    orjson.dumps(det.context_confidence),
                    orjson.dumps(det.severity.value),
                )
            )
        tables = (load_table("cn_mobile_prefixes"), load_table("cn_regions"), load_table("cn_area_codes"))
        self._native = _native.Lane(
            key,
            patterns,
            (engine._ungated, rest, engine._fullwidth),
            specs,
            categories,
            tables,
            (ValidationError, ValueError, IndexError, KeyError),
        )
        reach = matcher.context_reach
        keywords = matcher.keywords

        def find_keywords(data: bytes, spans: list[tuple[int, int]]) -> dict[str, list[int]]:
            return keywords.find_in(data, merge(spans, matcher.context_before, reach))

        self._keywords = find_keywords
        self.automaton_ids: frozenset[int] = frozenset()
        """Pattern ids the C side finds with its DFA instead of Hyperscan."""
        self.anchored_ids: frozenset[int] = frozenset()
        """Pattern ids whose match start the C side finds from their first byte."""
        self._scans = getattr(_native, "HYPERSCAN", None) is not None and self._load_database(engine)

    def _load_database(self, engine: HyperscanCandidates) -> bool:
        """Give the C side the engine's candidate scan: the bounded detector patterns as
        one DFA (:mod:`dlp.engine.automaton`) and the rest as a Hyperscan database,
        compiled by the Hyperscan library it links (cached on disk like the engine's
        own); False when that fails."""
        import hashlib

        import hyperscan

        from dlp.engine.candidates import _save_bytes
        from dlp.engine.rules import default_cache_dir

        assert _native is not None
        bounded = [
            (i, engine.expressions[i].decode("ascii"))
            for i in range(len(engine._names))
            if engine._leads[i] and engine.flags[i] == hyperscan.HS_FLAG_SOM_LEFTMOST
        ]
        dfa, taken = build_automaton(bounded)
        in_dfa = set(taken)
        ids = [i for i in range(len(engine.expressions)) if i not in in_dfa]
        expressions = [engine.expressions[i] for i in ids]
        flags = [engine.flags[i] for i in ids]
        anchors = []  # patterns whose start the C side finds from their first byte
        for k, i in enumerate(ids):
            if i < len(engine._names) and flags[k] == hyperscan.HS_FLAG_SOM_LEFTMOST:
                byte = leading_byte(engine.expressions[i].decode("ascii"))
                if byte is not None:
                    anchors.append((i, byte))
                    flags[k] = 0
        digest = hashlib.sha256(repr((_native.HYPERSCAN, expressions, flags, ids)).encode())
        path = (engine.cache_dir or default_cache_dir()) / f"hs-native-{digest.hexdigest()[:32]}.db"
        loaded = False
        with contextlib.suppress(OSError):
            loaded = self._native.load(path.read_bytes())
        if not loaded:
            try:
                blob = self._native.compile(expressions, flags, ids)
            except (ValueError, RuntimeError):
                return False
            _save_bytes(path, blob)
        self._native.anchors(anchors)
        if dfa is not None:
            self._native.automaton(
                list(dfa.ids),
                dfa.classes,
                dfa.nclasses,
                list(dfa.transitions),
                list(dfa.accepts),
                list(dfa.leads),
                list(dfa.trails),
            )
        self.automaton_ids = frozenset(taken)
        self.anchored_ids = frozenset(i for i, _ in anchors)
        return True

    @classmethod
    def build(cls, matcher: Matcher, key: bytes) -> Lane | None:
        """The lane for ``matcher``, or None where it cannot run (no C extension, the
        YARA engine, more detectors or keyword categories than it counts)."""
        engine = matcher.candidate_engine
        if _native is None or not isinstance(engine, HyperscanCandidates):
            return None
        if len(matcher.detectors) > MAX_DETECTORS or len(matcher.keyword_categories) > MAX_CATEGORIES:
            return None
        return cls(matcher, engine, key)

    def header_bits(self, header: frozenset[str]) -> int:
        return sum(self._bits.get(c, 0) for c in header)

    def scan(self, window: Window, header: int, seen_rules: set[str], out: LaneOutput) -> bool:
        """Add the JSONL of ``window``'s hits to ``out``; False (nothing added) when the
        window must go the Python way: a full-width digit, or YARA to run."""
        data = window.buf
        engine = self._engine
        collector = self._native.collector()
        if self._scans:  # the C side scans: no Python call per match
            self._native.scan(collector, data)
        else:
            feed(engine, data, collector)
        fullwidth, triggered = self._native.flags(collector)
        if fullwidth:
            return False
        if engine._yara is not None and (
            engine._always_yara or any(self._rules[r] not in seen_rules for r in triggered)
        ):
            return False
        pieces, counted = self._native.finish(
            collector,
            data,
            header,
            window.emit_from,
            window.emit_to,
            window.line_base,
            window._origin,
            window._counted,
            self._today.compact(),
            self._keywords,
            out.tally,
            out.path_json,
        )
        window._counted = counted
        out.add_chunks(pieces)
        return True


def feed(engine: HyperscanCandidates, data: bytes, collector: Any) -> None:
    """Hand the matches of ``engine``'s database in ``data`` to ``collector`` through the
    hyperscan package, as :meth:`HyperscanCandidates._scan` scans (in place, then the
    edges with a sentinel; the collector's mode says how to store each scan's matches)."""
    db = engine._db
    size = len(data)
    if size <= 2 * EDGE:
        collector.mode(0)
        db.scan(b"\n" + data + b"\n", collector)
        return
    collector.mode(1)
    db.scan(data, collector)
    collector.mode(2)
    db.scan(b"\n" + data[:EDGE], collector)
    collector.mode(3, size - EDGE + 1)
    db.scan(data[-EDGE:] + b"\n", collector)


class LaneOutput:
    """The JSONL of one plain-text input as the lane (and the Python way, for the
    windows the lane leaves to it) writes it, with the input's policy tally.

    Signature findings are kept apart (``signatures``: their chunk index and rule),
    so a segment's report can give the parent each rule's line separately. With
    ``flush``, the chunks are handed over whenever they reach ``piece`` bytes.
    """

    def __init__(
        self, path: str, flush: Callable[[LanePiece], None] | None = None, piece: int = 1 << 22
    ) -> None:
        assert _native is not None
        self.path = path
        self.path_json = orjson.dumps(path)
        self.tally: Any = _native.Tally()
        self.chunks: list[bytes] = []
        self.signatures: list[tuple[int, str]] = []
        self.found = 0
        self._signature_counts: Counter[str] = Counter()
        self._flushed: dict[str, int] = {}
        self._size = 0
        self._flush = flush
        self._piece = piece

    def set_flush(self, flush: Callable[[LanePiece], None]) -> None:
        """Hand the chunks over to ``flush`` whenever they reach the piece size."""
        self._flush = flush

    def add_chunks(self, chunks: Sequence[bytes]) -> None:
        for chunk in chunks:
            self.chunks.append(chunk)
            self._size += len(chunk)
            if self._flush is not None and self._size >= self._piece:
                self._flush(self.take())

    def add_findings(self, findings: Sequence[Finding]) -> None:
        """Findings of a window the Python way: rendered and counted as the lane would."""
        from dlp.findings import ScanResult
        from dlp.output.jsonl import render
        from dlp.policy import is_personal

        plain: list[Finding] = []
        for finding in findings:
            if is_personal(finding.detector):
                plain.append(finding)
                self.tally.add(finding.detector, finding.fingerprint, finding.location.line)
                continue
            if plain:
                self.add_chunks([render(ScanResult(self.path, tuple(plain)))])
                plain = []
            self.signatures.append((len(self.chunks), finding.detector))
            self._signature_counts[finding.detector] += 1
            self.add_chunks([render(ScanResult(self.path, (finding,)))])
        if plain:
            self.add_chunks([render(ScanResult(self.path, tuple(plain)))])
        self.found += len(findings)

    def counts(self) -> Counter[str]:
        """Findings per detector so far, signature rules included."""
        counts = Counter(self.tally.found())
        counts.update(self._signature_counts)
        return counts

    def take(self) -> LanePiece:
        """The chunks so far (and their findings per detector), handed over."""
        counts = self.counts()
        piece = LanePiece(b"".join(self.chunks), counts - Counter(self._flushed))
        self._flushed = dict(counts)
        self.chunks = []
        self.signatures = []
        self._size = 0
        return piece

    @property
    def any(self) -> bool:
        """True when the input has findings (of any detector or rule)."""
        return bool(self.found or self.tally.found())


class LanePiece:
    """Rendered JSONL of part of an input and its findings per detector."""

    __slots__ = ("counts", "rendered")

    def __init__(self, rendered: bytes, counts: Counter[str]) -> None:
        self.rendered = rendered
        self.counts = counts

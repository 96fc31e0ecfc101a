"""Turn one buffer of UTF-8 bytes into validated hits.

1. YARA finds candidates for every detector pattern, signature rule hits, and
   the keywords that detectors requiring context are gated on. Gated detectors'
   patterns then run only in windows around those keywords (or over the whole
   buffer when the input's header line holds them), like gitleaks' keyword
   prefilter: a card-number pattern has no literal to anchor on and would
   otherwise cost more than every other pattern together.
2. Candidates that start or end inside a longer run of ASCII letters or digits,
   or sit in a decimal number, are dropped (bytes compared, nothing decoded).
3. Each remaining candidate is decoded and validated: an explicit verdict.
4. Overlapping hits are resolved: the longer span wins, then the detector's priority.
5. Context keywords (pyahocorasick, only in windows around the surviving hits)
   set the confidence; detectors that require context drop hits without it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import yara

from dlp.detector import Detector, Severity, Verdict, keep_edges
from dlp.engine.candidates import Anchors, Candidates, make_engine
from dlp.engine.keywords import KeywordIndex, merge
from dlp.engine.normalise import fold
from dlp.engine.rules import RuleFile
from dlp.errors import ValidationError

_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset(b"0123456789")
_CONTINUERS = frozenset(b".-_")  # joiners that can continue a token after its end
_DOT = ord(".")
_HYPHEN = ord("-")

CONTEXT_BEFORE = 64  # bytes (about 20 Chinese characters)
CONTEXT_AFTER = 24
MAX_GATED = 64  # longest match a gated detector's pattern can produce
SIGNATURE_SEVERITIES = {s.value: s for s in Severity}


@dataclass(slots=True)
class Hit:
    """A validated value in buffer coordinates.

    Not frozen: a frozen dataclass sets each field through ``object.__setattr__``,
    which made building one cost four times as much, once per value found. Hits
    live only inside a scan; nothing changes them after they are made."""

    detector: str
    start: int
    end: int
    value: str
    masked: str
    confidence: float
    severity: Severity


def boundary_ok(buf: bytes, start: int, end: int, allow_extension: bool, joiners: bytes = b"") -> bool:
    """False when the span is part of a longer token (letters, digits, a decimal)."""
    if start > 0:
        prev = buf[start - 1]
        if prev in _ALNUM or prev in joiners:
            return False
        if prev in (_DOT, _HYPHEN) and start > 1 and buf[start - 2] in _DIGITS:
            return False
    if end < len(buf):
        nxt = buf[end]
        continues = nxt in joiners and nxt in _CONTINUERS
        if nxt in _ALNUM or (continues and end + 1 < len(buf) and buf[end + 1] in _ALNUM):
            return False
        digit_follows = end + 1 < len(buf) and buf[end + 1] in _DIGITS
        if digit_follows and (nxt == _DOT or (nxt == _HYPHEN and not allow_extension)):
            return False
    return True


def _extend_left(data: bytes, start: int, det: Detector) -> int:
    """Move ``start`` left over ``det.extend_left`` bytes; -1 when none or too many."""
    allowed = det.left_bytes
    low = max(0, start - det.extend_left_max)
    segment = data[low:start]
    pos = start - (len(segment) - len(segment.rstrip(det.left_chars)))  # C-level walk
    if pos == start or (pos == low and pos > 0 and data[pos - 1] in allowed):
        return -1
    return pos


def _first(candidate: tuple) -> int:  # type: ignore[type-arg]
    return candidate[0]


def _resolve(cluster: list[tuple[int, int, Detector, str, Verdict]]) -> list[tuple]:
    """Keep non-overlapping candidates: longest first, then highest priority."""
    if len(cluster) == 1:
        return cluster
    kept: list[tuple] = []
    for cand in sorted(cluster, key=lambda c: (c[0] - c[1], -c[2].priority, c[0])):
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    return kept


Candidate = tuple[int, int, Detector, str, Verdict]


class Matcher:
    """Stateless once built; safe to share between threads."""

    def __init__(
        self,
        detectors: Sequence[Detector],
        signatures: Sequence[RuleFile],
        keyword_lists: Mapping[str, tuple[str, ...]],
        *,
        timeout: int,
        cache_dir: Path | None = None,
        engine: str = "auto",
    ) -> None:
        ungated = [d for d in detectors if not d.requires_context]
        gated = [d for d in detectors if d.requires_context]
        self._gated = tuple(gated)
        gate_categories = {c for d in gated for c in d.context if c in keyword_lists}
        gates = {c: keyword_lists[c] for c in sorted(gate_categories)}
        self._engine = make_engine(
            engine, ungated, gated, gates, signatures, timeout=timeout, cache_dir=cache_dir
        )
        self._detectors: Mapping[str, Detector] = {d.name: d for d in detectors}
        # Per detector, what the validation loop needs, looked up once per candidate.
        self._plans = {
            d.name: (
                d,
                d.priority,
                bool(d.extend_left),
                d.allow_extension,
                d.joiner_bytes,
                d.follower_bytes if d.followers else (),
                d.validate,
                d.unverifiable,
            )
            for d in detectors
        }
        self._near_edge = _ALNUM | {_DOT, _HYPHEN} | {b for d in detectors for b in d.joiner_bytes}
        keyword_engine = "hyperscan" if self._engine.name == "hyperscan" else "ahocorasick"
        self._keywords = KeywordIndex(keyword_lists, keyword_engine, cache_dir)
        self._keyword_reach = self._keywords.longest
        self.keyword_categories = frozenset(keyword_lists)
        self.detectors = tuple(detectors)

    # What the C lane (dlp.engine.lane) is built from.

    @property
    def candidate_engine(self) -> object:
        return self._engine

    @property
    def keywords(self) -> KeywordIndex:
        return self._keywords

    context_before = CONTEXT_BEFORE

    @property
    def context_reach(self) -> int:
        """How far past a hit's end context keywords are looked for (their start, plus their length)."""
        return CONTEXT_AFTER + self._keyword_reach

    @property
    def engine(self) -> str:
        """Name of the candidate engine in use (``hyperscan`` or ``yara``)."""
        return self._engine.name

    def match(
        self, buf: bytes, *, header: frozenset[str] = frozenset(), seen: AbstractSet[str] = frozenset()
    ) -> tuple[list[Hit], list[Hit]]:
        """Validated detector hits and signature hits in ``buf`` (sorted by start).

        ``header`` holds keyword categories seen in the input's first line (a CSV
        header); they count as context for every candidate. Signature rules named
        in ``seen`` (``yara:<rule>``, already reported for this input) may be left out.
        """
        engine = self._engine
        folded = None if engine.detects_fullwidth else fold(buf)
        data = folded.buf if folded is not None else buf
        found, anchors, signature_matches, fullwidth, gated = engine.find(data, seen)
        if fullwidth:  # the engine looked for full-width digits itself: fold, then again
            folded = fold(buf)
            if folded is not None:
                data = folded.buf
                found, anchors, signature_matches, _, gated = engine.find(data, seen)
        signatures = [self._signature_hit(m) for m in signature_matches]
        candidates: list[Candidate] = []
        self._validate(data, found, candidates)
        if self._gated:
            self._validate(data, self._gated_candidates(data, anchors, header, gated), candidates)
        if not candidates:
            return [], self._map(signatures, folded)
        candidates.sort(key=_first)
        kept: list[Candidate] = []
        cluster: list[Candidate] = []
        cluster_end = -1
        shuffled = False
        for cand in candidates:
            if cand[0] >= cluster_end and cluster:
                if len(cluster) == 1:
                    kept.append(cluster[0])
                else:
                    kept.extend(_resolve(cluster))
                    shuffled = True
                cluster = []
            cluster.append(cand)
            cluster_end = max(cluster_end, cand[1]) if len(cluster) > 1 else cand[1]
        kept.extend(_resolve(cluster))
        if shuffled or len(cluster) > 1:
            kept.sort(key=_first)
        hits = self._with_context(data, kept, header)
        return self._map(hits, folded), self._map(signatures, folded)

    def _gated_candidates(
        self, data: bytes, anchors: Anchors, header: frozenset[str], gated: Candidates | None
    ) -> Candidates:
        """Candidates of detectors that need context, where their own keywords are.

        A detector runs over the whole buffer when the input's header line holds one
        of its keywords, else only in windows around its keywords' positions.
        ``gated``: the engine's candidates over the whole buffer, if it found them
        in its main pass (else it is asked for the windows).
        """
        everywhere = {d.name for d in self._gated if not header.isdisjoint(d.context)}
        spans: dict[str, list[tuple[int, int]]] = {}
        for det in self._gated:
            if det.name in everywhere:
                continue
            positions = [(p, p) for c in det.context for p in anchors.get(c, ())]
            if positions:
                spans[det.name] = merge(positions, CONTEXT_AFTER + MAX_GATED, CONTEXT_BEFORE + MAX_GATED)
        if not everywhere and not spans:
            return []
        if gated is not None:
            found = gated
        else:
            whole = [(0, len(data))]
            search = whole if everywhere else merge([s for per in spans.values() for s in per], 0, 0)
            found = self._engine.find_gated(data, search)
        starts = {name: [low for low, _ in per] for name, per in spans.items()}
        kept: Candidates = []
        for cand in found:
            name, start = cand[0], cand[1]
            if name in everywhere:
                kept.append(cand)
            elif name in spans:
                i = bisect_right(starts[name], start) - 1
                if i >= 0 and start < spans[name][i][1]:
                    kept.append(cand)
        return kept

    def _validate(self, data: bytes, found: Candidates, out: list[Candidate]) -> None:
        """Boundary-check and validate raw candidates, appending the survivors to ``out``.

        A candidate whose exact span a higher-priority detector has already
        confirmed is not validated: overlap resolution would drop it anyway (same
        length, lower priority). Resident IDs are also USCC-shaped, so this halves
        the validation work on ID-heavy lists. The same candidate reported twice is
        validated twice and resolved to one.
        """
        plans = self._plans
        confirmed: dict[tuple[int, int], int] = {}
        unknown = Verdict.UNKNOWN
        confirm = Verdict.CONFIRM
        near_edge = self._near_edge
        size = len(data)
        for name, start, end in found:
            det, priority, extend, allow_extension, joiners, followers, validate, unverifiable = plans[name]
            if extend:
                start = _extend_left(data, start, det)
                if start < 0:
                    continue
            span = (start, end)
            if confirmed.get(span, -1) > priority:
                continue
            # Most candidates sit between bytes that cannot continue a token: only
            # those next to a letter, digit, joiner, dot or hyphen need the full rule.
            if (
                (start > 0 and data[start - 1] in near_edge) or (end < size and data[end] in near_edge)
            ) and not boundary_ok(data, start, end, allow_extension, joiners):
                continue
            if followers and data.startswith(followers, end):
                continue
            try:
                value = validate(data[start:end].decode("utf-8", "replace"))
            except (ValidationError, ValueError, IndexError, KeyError):
                continue
            if unverifiable is not None and unverifiable(value):
                out.append((start, end, det, value, unknown))
            else:
                out.append((start, end, det, value, confirm))
                if priority > confirmed.get(span, -1):
                    confirmed[span] = priority

    def _with_context(self, data: bytes, kept: list[Candidate], header: frozenset[str]) -> list[Hit]:
        in_header = {d.name: not header.isdisjoint(d.context) for d in self._detectors.values()}
        if all(in_header[c[2].name] for c in kept):  # a list whose header names every kind
            keyword_hits: dict[str, list[int]] = {}
        else:
            windows = merge([(c[0], c[1]) for c in kept], CONTEXT_BEFORE, self.context_reach)
            keyword_hits = self._keywords.find_in(data, windows)
        hits: list[Hit] = []
        append = hits.append
        unknown = Verdict.UNKNOWN
        for start, end, det, value, verdict in kept:
            context = in_header[det.name]
            if not context:
                low, high = start - CONTEXT_BEFORE, end + CONTEXT_AFTER
                for category in det.context:
                    positions = keyword_hits.get(category)
                    if positions:
                        i = bisect_left(positions, low)
                        if i < len(positions) and positions[i] <= high:
                            context = True
                            break
                if not context and (det.requires_context or verdict is unknown):
                    continue
            confidence = det.context_confidence if context else det.base_confidence
            append(Hit(det.name, start, end, value, det.mask(value), confidence, det.severity))
        return hits

    def header_context(self, first_line: bytes) -> frozenset[str]:
        """Keyword categories in an input's first line."""
        return frozenset(self._keywords.find(first_line))

    def _signature_hit(self, match: yara.Match) -> Hit:
        meta = match.meta or {}
        severity = SIGNATURE_SEVERITIES.get(str(meta.get("severity", "")).lower(), Severity.MEDIUM)
        start, end, text = 0, 0, ""
        instances = [i for s in match.strings for i in s.instances]
        if instances:
            first = min(instances, key=lambda i: i.offset)
            start, end = first.offset, first.offset + first.matched_length
            text = first.matched_data.decode("utf-8", "replace")
        return Hit(f"yara:{match.rule}", start, end, text, keep_edges(text, 1, 1), 0.5, severity)

    @staticmethod
    def _map(hits: list[Hit], folded) -> list[Hit]:  # type: ignore[no-untyped-def]
        if folded is None or not hits:
            return hits
        return [
            Hit(
                h.detector,
                folded.source(h.start),
                folded.source(h.end),
                h.value,
                h.masked,
                h.confidence,
                h.severity,
            )
            for h in hits
        ]

"""Turn one buffer of UTF-8 bytes into validated hits.

1. YARA finds candidates for every detector pattern (and signature rule hits).
2. Candidates that start or end inside a longer run of ASCII letters or digits,
   or sit in a decimal number, are dropped (bytes compared, nothing decoded).
3. Each remaining candidate is decoded and validated: an explicit verdict.
4. Overlapping hits are resolved: the longer span wins, then the detector's priority.
5. Context keywords (one Aho-Corasick pass, only when there are hits) set the
   confidence; detectors that require context drop hits without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yara

from dlp.detector import Detector, Severity, Verdict, keep_edges
from dlp.engine.keywords import KeywordIndex, near
from dlp.engine.normalise import fold
from dlp.engine.rules import DETECTOR_NAMESPACE
from dlp.errors import ScanTimeout

_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset(b"0123456789")
_DOT = ord(".")
_HYPHEN = ord("-")

CONTEXT_BEFORE = 64  # bytes (about 20 Chinese characters)
CONTEXT_AFTER = 24
MAX_CANDIDATE = 400  # longest match any pattern can produce (e-mail addresses)
SIGNATURE_SEVERITIES = {s.value: s for s in Severity}


@dataclass(frozen=True, slots=True)
class Hit:
    """A validated value in buffer coordinates."""

    detector: str
    start: int
    end: int
    value: str
    masked: str
    confidence: float
    severity: Severity


def boundary_ok(
    buf: bytes, start: int, end: int, allow_extension: bool, joiners: bytes = b""
) -> bool:
    """False when the span is part of a longer token (letters, digits, a decimal)."""
    if start > 0:
        prev = buf[start - 1]
        if prev in _ALNUM or prev in joiners:
            return False
        if prev in (_DOT, _HYPHEN) and start > 1 and buf[start - 2] in _DIGITS:
            return False
    if end < len(buf):
        nxt = buf[end]
        if nxt in _ALNUM or (nxt in joiners and end + 1 < len(buf) and buf[end + 1] in _ALNUM):
            return False
        if end + 1 < len(buf) and buf[end + 1] in _DIGITS:
            if nxt == _DOT or (nxt == _HYPHEN and not allow_extension):
                return False
    return True


def _resolve(cluster: list[tuple[int, int, Detector, str, Verdict]]) -> list[tuple]:
    """Keep non-overlapping candidates: longest first, then highest priority."""
    if len(cluster) == 1:
        return cluster
    kept: list[tuple] = []
    for cand in sorted(cluster, key=lambda c: (c[0] - c[1], -c[2].priority, c[0])):
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    return kept


class Matcher:
    """Stateless once built; safe to share between threads."""

    def __init__(
        self,
        rules: yara.Rules,
        detectors: Sequence[Detector],
        keywords: KeywordIndex,
        *,
        timeout: int,
    ) -> None:
        self._rules = rules
        self._detectors: Mapping[str, Detector] = {d.name: d for d in detectors}
        self._keywords = keywords
        self._timeout = timeout

    def match(
        self, buf: bytes, *, header: frozenset[str] = frozenset()
    ) -> tuple[list[Hit], list[Hit]]:
        """Validated detector hits and signature hits in ``buf`` (sorted by start).

        ``header`` holds keyword categories seen in the input's first line (a CSV
        header); they count as context for every candidate.
        """
        folded = fold(buf)
        data = folded.buf if folded is not None else buf
        try:
            matches = self._rules.match(data=data, timeout=self._timeout)
        except yara.TimeoutError:
            raise ScanTimeout("signature engine timed out on a chunk") from None
        candidates: list[tuple[int, int, Detector, str, Verdict]] = []
        signatures: list[Hit] = []
        seen: set[tuple[int, int, str]] = set()
        for match in matches:
            if match.namespace != DETECTOR_NAMESPACE:
                signatures.append(self._signature_hit(match))
                continue
            det = self._detectors.get(match.rule)
            if det is None:
                continue
            for string in match.strings:
                for inst in string.instances:
                    start = inst.offset
                    end = start + inst.matched_length
                    key = (start, end, det.name)
                    if key in seen or not boundary_ok(
                        data, start, end, det.allow_extension, det.joiners.encode()
                    ):
                        continue
                    seen.add(key)
                    check = det.check(data[start:end].decode("utf-8", "replace"))
                    if check.verdict is not Verdict.REJECT:
                        candidates.append((start, end, det, check.value, check.verdict))
        if not candidates:
            return [], self._map(signatures, folded)
        candidates.sort(key=lambda c: c[0])
        kept: list[tuple] = []
        cluster: list[tuple] = []
        cluster_end = -1
        for cand in candidates:
            if cand[0] >= cluster_end and cluster:
                kept.extend(_resolve(cluster))
                cluster = []
            cluster.append(cand)
            cluster_end = max(cluster_end, cand[1]) if len(cluster) > 1 else cand[1]
        kept.extend(_resolve(cluster))
        kept.sort(key=lambda c: c[0])
        hits = self._with_context(data, kept, header)
        return self._map(hits, folded), self._map(signatures, folded)

    def _with_context(
        self, data: bytes, kept: list[tuple], header: frozenset[str]
    ) -> list[Hit]:
        keyword_hits = self._keywords.find(data)
        hits: list[Hit] = []
        for start, end, det, value, verdict in kept:
            context = any(c in header for c in det.context) or near(
                keyword_hits, det.context, start, end, CONTEXT_BEFORE, CONTEXT_AFTER
            )
            if not context and (det.requires_context or verdict is Verdict.UNKNOWN):
                continue
            confidence = det.context_confidence if context else det.base_confidence
            hits.append(
                Hit(det.name, start, end, value, det.mask(value), confidence, det.severity)
            )
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
        return Hit(
            f"yara:{match.rule}", start, end, text, keep_edges(text, 1, 1), 0.5, severity
        )

    @staticmethod
    def _map(hits: list[Hit], folded) -> list[Hit]:  # type: ignore[no-untyped-def]
        if folded is None or not hits:
            return hits
        return [
            Hit(h.detector, folded.source(h.start), folded.source(h.end), h.value, h.masked,
                h.confidence, h.severity)
            for h in hits
        ]

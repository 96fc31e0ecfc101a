"""Candidate engines: where detector patterns and gate keywords match in a buffer.

Two interchangeable backends return the same candidates (``tests`` run both and
compare their findings):

* :class:`HyperscanCandidates` (when the ``hyperscan`` wheel is installed, i.e.
  Linux x86-64): every pattern in one Hyperscan pass at GB/s. The boundary rule
  (no ASCII letter or digit right before or after a value) is folded into each
  pattern as a consumed byte of class ``[^0-9A-Za-z]``; the first and last KiB of
  the buffer are scanned once more with a newline sentinel so values at the edges
  still have a boundary byte (the buffer itself is scanned in place). That way
  Hyperscan reports only candidates that can pass the boundary check, not every
  overlapping sub-match inside long digit runs. Detectors with ``char_patterns``
  (plates) use those instead of ``patterns``.
* :class:`YaraCandidates`, everywhere: the YARA rule set built from the same
  patterns; YARA reports every start offset and the matcher drops the ones that
  fail the boundary check.

Signature rules (``signatures/*.yar`` and ``--rules``) always run in YARA. With
Hyperscan, the literal strings of rule files that :mod:`dlp.engine.prefilter` can
read are looked for in the same pass, and YARA runs on a buffer only when one of
them occurs for a rule not yet reported for the input (or when some rule file
cannot be prefiltered). The same pass also says whether the buffer holds a
full-width digit, so ordinary text is not searched a second time for one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import threading
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, Protocol

import yara

from dlp.detector import Detector
from dlp.engine.prefilter import triggers
from dlp.engine.rules import (
    DETECTOR_NAMESPACE,
    GATE_PREFIX,
    RuleFile,
    compile_rules,
    default_cache_dir,
    detector_source,
    keyword_source,
    yara_regex,
)
from dlp.errors import ConfigError, ScanTimeout

GATED_NAMESPACE = "gated"
EDGE = 1024
"""Bytes at each end of a buffer that Hyperscan scans a second time with a sentinel
(longer than any value a pattern can match that touches the end)."""
ENGINES = ("auto", "hyperscan", "yara")

Candidates = list[tuple[str, int, int]]  # (detector name, start, end)
Anchors = dict[str, list[int]]  # keyword category -> positions of its keywords
Found = tuple[Candidates, Anchors, list[Any], bool, Candidates | None]
SIGNATURE_PREFIX = "yara:"


class CandidateEngine(Protocol):
    name: str
    detects_fullwidth: bool
    """True when :meth:`find` reports full-width digits (else the caller looks)."""

    def find(self, data: bytes, seen: AbstractSet[str] = frozenset()) -> Found:
        """Ungated candidates, gate keyword positions by category, YARA signature
        matches (rules in ``seen``, ``yara:<rule>``, may be left out), whether
        ``data`` holds a full-width digit (always False unless ``detects_fullwidth``),
        and the gated detectors' candidates over all of ``data`` when the same pass
        found them (else None: ask :meth:`find_gated` for the spans that matter)."""

    def find_gated(self, data: bytes, spans: list[tuple[int, int]]) -> Candidates:
        """Candidates of gated detectors inside ``spans`` (offsets into ``data``)."""


def hyperscan_available() -> bool:
    return importlib.util.find_spec("hyperscan") is not None


def make_engine(
    kind: str,
    ungated: Sequence[Detector],
    gated: Sequence[Detector],
    gates: Mapping[str, tuple[str, ...]],
    signatures: Sequence[RuleFile],
    *,
    timeout: int,
    cache_dir: Path | None,
) -> CandidateEngine:
    """The engine ``kind`` (``auto`` picks Hyperscan when it is installed)."""
    if kind not in ENGINES:
        raise ConfigError(f"unknown engine {kind!r}; choose one of {', '.join(ENGINES)}")
    if kind == "hyperscan" or (kind == "auto" and hyperscan_available()):
        try:
            return HyperscanCandidates(
                ungated, gated, gates, signatures, timeout=timeout, cache_dir=cache_dir
            )
        except ImportError:
            if kind == "hyperscan":
                raise ConfigError("engine 'hyperscan' requested but hyperscan is not installed") from None
    return YaraCandidates(ungated, gated, gates, signatures, timeout=timeout, cache_dir=cache_dir)


def _run(rules: yara.Rules, data: bytes, timeout: int) -> list[Any]:
    try:
        return rules.match(data=data, timeout=timeout)
    except yara.TimeoutError:
        raise ScanTimeout("signature engine timed out on a chunk") from None


class YaraCandidates:
    name = "yara"
    detects_fullwidth = False

    def __init__(
        self,
        ungated: Sequence[Detector],
        gated: Sequence[Detector],
        gates: Mapping[str, tuple[str, ...]],
        signatures: Sequence[RuleFile],
        *,
        timeout: int,
        cache_dir: Path | None,
    ) -> None:
        main = {DETECTOR_NAMESPACE: detector_source(ungated) + keyword_source(gates)}
        self._rules = compile_rules(main, signatures, cache_dir=cache_dir)
        self._gated = (
            compile_rules({GATED_NAMESPACE: detector_source(gated)}, cache_dir=cache_dir) if gated else None
        )
        self._timeout = timeout

    def find(self, data: bytes, seen: AbstractSet[str] = frozenset()) -> Found:
        found: Candidates = []
        anchors: Anchors = {}
        signatures = []
        for match in _run(self._rules, data, self._timeout):
            if match.namespace != DETECTOR_NAMESPACE:
                signatures.append(match)
            elif match.rule.startswith(GATE_PREFIX):
                anchors.setdefault(match.rule[len(GATE_PREFIX) :], []).extend(
                    i.offset for s in match.strings for i in s.instances
                )
            else:
                rule = match.rule
                found.extend(
                    (rule, i.offset, i.offset + i.matched_length) for s in match.strings for i in s.instances
                )
        return found, anchors, signatures, False, None

    def find_gated(self, data: bytes, spans: list[tuple[int, int]]) -> Candidates:
        found: Candidates = []
        if self._gated is None:
            return found
        for low, high in spans:
            for match in _run(self._gated, data[low:high], self._timeout):
                rule = match.rule
                found.extend(
                    (rule, low + i.offset, low + i.offset + i.matched_length)
                    for s in match.strings
                    for i in s.instances
                )
        return found


def _bounded(detector: Detector, pattern: str, inside: bool = False) -> bytes:
    """A detector pattern with a consumed boundary byte on each side.

    Patterns whose match starts inside the value (``inside``: the matcher extends
    them to the left, or they are ``char_patterns``) get no leading byte.
    """
    joiners = "".join("\\" + c for c in detector.joiners)
    lead = "" if detector.extend_left or inside else f"[^0-9A-Za-z{joiners}]"
    # A joiner after a value may end a sentence ("... zhao@example.com."): whether it
    # continues the value is the matcher's boundary check, as in the YARA engine.
    return f"{lead}(?:{yara_regex(pattern)})[^0-9A-Za-z]".encode("ascii")


class _Database:
    """A compiled Hyperscan block-mode database with per-thread scratch space."""

    def __init__(self, expressions: list[bytes], flags: list[int], cache_dir: Path | None) -> None:
        import hyperscan

        self._hs = hyperscan
        digest = hashlib.sha256(repr((hyperscan.__version__, expressions, flags)).encode())
        path = (cache_dir or default_cache_dir()) / f"hs-{digest.hexdigest()[:32]}.db"
        self.db = None
        with contextlib.suppress(OSError, hyperscan.error):
            self.db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        if self.db is None:
            self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self.db.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=flags,
            )
            _save_bytes(path, hyperscan.dumpb(self.db))
        self._local = threading.local()

    def scan(self, data: bytes, on_match: Any) -> None:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hs.Scratch(self.db)
        self.db.scan(data, match_event_handler=on_match, scratch=scratch)


def _literal(raw: bytes) -> bytes:
    return b"".join(b"\\x%02x" % b for b in raw)


def _save_bytes(path: Path, blob: bytes) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hs-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)
    except OSError:
        pass


class HyperscanCandidates:
    name = "hyperscan"
    detects_fullwidth = True

    def __init__(
        self,
        ungated: Sequence[Detector],
        gated: Sequence[Detector],
        gates: Mapping[str, tuple[str, ...]],
        signatures: Sequence[RuleFile],
        *,
        timeout: int,
        cache_dir: Path | None,
    ) -> None:
        import hyperscan

        som = hyperscan.HS_FLAG_SOM_LEFTMOST
        once = hyperscan.HS_FLAG_SINGLEMATCH
        self._names: list[str] = []
        self._leads: list[int] = []  # 1 when the pattern consumes a leading boundary byte
        self._char_start: set[int] = set()  # ids of char_patterns: start is a char's last byte
        expressions: list[bytes] = []
        for det in ungated:
            self._add_patterns(det, expressions)
        self._ungated = len(expressions)
        # Gated detectors' patterns run in the same pass: one scan of a buffer costs
        # less than a second one, and the matcher keeps the candidates near keywords.
        for det in gated:
            self._add_patterns(det, expressions)
        flags = [som] * len(expressions)
        # Past the detector patterns, an id stands for a gate keyword (category,
        # length), a signature trigger (rule) or the full-width digit probe.
        self._gates: dict[int, tuple[str, int]] = {}
        self._triggers: dict[int, str] = {}
        for category, words in gates.items():
            for word in words:
                raw = word.encode("utf-8")
                self._gates[len(expressions)] = (category, len(raw))
                expressions.append(_literal(raw))
                flags.append(hyperscan.HS_FLAG_CASELESS if word.isascii() else 0)
        self._always_yara = False
        for rule_file in signatures:
            found = triggers(rule_file.source)
            if found is None:
                self._always_yara = True
                continue
            for trigger in found:
                self._triggers[len(expressions)] = SIGNATURE_PREFIX + trigger.rule
                expressions.append(_literal(trigger.literal))
                flags.append(once | (hyperscan.HS_FLAG_CASELESS if trigger.caseless else 0))
        self._fullwidth = len(expressions)
        expressions.append(rb"\xef\xbc[\x90-\x99]")
        flags.append(once)
        self._db = _Database(expressions, flags, cache_dir)
        self.expressions, self.flags, self.cache_dir = expressions, flags, cache_dir
        self._yara = compile_rules({}, signatures, cache_dir=cache_dir) if signatures else None
        self._timeout = timeout

    def _add_patterns(self, det: Detector, expressions: list[bytes]) -> None:
        """Add ``det``'s patterns (its ``char_patterns`` when it has them)."""
        inside = bool(det.char_patterns)
        for pattern in det.char_patterns or det.patterns:
            if inside:
                self._char_start.add(len(expressions))
            self._names.append(det.name)
            self._leads.append(0 if det.extend_left or inside else 1)
            expressions.append(_bounded(det, pattern, inside))

    def _scan(self, db: _Database, data: bytes) -> list[tuple[int, int, int]]:
        """Matches as if ``data`` had a newline sentinel at each end (coordinates
        included), without copying it: the buffer is scanned as it is, and its first
        and last ``EDGE`` bytes once more with a sentinel, for the values that touch
        an end (they have no boundary byte there otherwise)."""
        hits: list[tuple[int, int, int]] = []
        append = hits.append
        size = len(data)
        if size <= 2 * EDGE:

            def on_match(ident: int, start: int, end: int, flags: int, context: object) -> None:
                append((ident, start, end))

            db.scan(b"\n" + data + b"\n", on_match)
            return hits

        def shifted(ident: int, start: int, end: int, flags: int, context: object) -> None:
            append((ident, start + 1, end + 1))

        db.scan(data, shifted)
        count, leads = len(self._names), self._leads
        heads: list[tuple[int, int, int]] = []

        def head(ident: int, start: int, end: int, flags: int, context: object) -> None:
            if ident < count and start == 0 and leads[ident]:  # value starts at data[0]
                heads.append((ident, start, end))

        db.scan(b"\n" + data[:EDGE], head)
        if heads:
            # The in-place scan, with no boundary byte before data[0], reported the same
            # pattern and end with a later start ("+0086 ..." from its "0086"); in a
            # sentinel buffer only the leftmost start of a match is reported.
            shadowed = {(ident, end) for ident, _, end in heads}
            hits = [hit for hit in hits if (hit[0], hit[2]) not in shadowed]
            append = hits.append
            hits.extend(heads)
        base = size - EDGE + 1

        def tail(ident: int, start: int, end: int, flags: int, context: object) -> None:
            if ident < count and end == EDGE + 1:  # value ends at the end of data
                append((ident, start + base, end + base))

        db.scan(data[-EDGE:] + b"\n", tail)
        return hits

    def find(self, data: bytes, seen: AbstractSet[str] = frozenset()) -> Found:
        found: Candidates = []
        gated: Candidates = []
        anchors: Anchors = {}
        names = self._names
        leads = self._leads
        ungated = self._ungated
        count = len(names)
        gates = self._gates
        fullwidth = False
        triggered = self._always_yara
        char_start = self._char_start
        for ident, start, end in self._scan(self._db, data):
            if ident < count:
                # sentinel-buffer [start, end) includes a boundary byte on each side
                # (on the left only when leads[ident]); minus the leading sentinel
                # that is data[start - 1 + lead : end - 2].
                first = start - 1 + leads[ident]
                if ident in char_start:  # back from the character's last byte to its first
                    low = max(0, first - 3)
                    while first > low and 0x80 <= data[first] < 0xC0:
                        first -= 1
                cand = (names[ident], first, end - 2)
                (found if ident < ungated else gated).append(cand)
            elif ident in gates:
                category, length = gates[ident]
                anchors.setdefault(category, []).append(end - 1 - length)
            elif ident == self._fullwidth:
                fullwidth = True
            elif not triggered:
                triggered = self._triggers[ident] not in seen
        signatures = _run(self._yara, data, self._timeout) if triggered and self._yara is not None else []
        return found, anchors, signatures, fullwidth, gated

    def find_gated(self, data: bytes, spans: list[tuple[int, int]]) -> Candidates:
        """Gated candidates starting inside ``spans`` (from the one pass of :meth:`find`)."""
        lows = [low for low, _ in spans]
        found: Candidates = []
        for cand in self.find(data)[4] or ():
            i = bisect_right(lows, cand[1]) - 1
            if i >= 0 and cand[1] < spans[i][1]:
                found.append(cand)
        return found

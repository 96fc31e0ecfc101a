"""The native core (:mod:`dlp._core`) as the scanner uses it.

:class:`Core` assembles the engine's spec from what Python declares: each
detector module's patterns, boundary rules, validation program and mask
(:mod:`dlp.checks`), the keyword lists, the lookup tables, the signature rules'
literal triggers (:mod:`dlp.engine.prefilter`), the fingerprint key, the
allowlist and an EDM index. The core then does everything per candidate, for
every kind of text, with the GIL released: full-width folding, boundaries,
validation, context, overlap resolution, masks, fingerprints, ``--reveal``
values, EDM lookups, the allowlist, and (for plain text reported as JSON Lines)
the records and the policy tally. YARA runs in Python, only on a buffer that
holds a literal of a rule not yet reported for the input (or for rule files the
prefilter cannot read).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yara

from dlp import _core
from dlp.detector import Detector, Severity, keep_edges
from dlp.engine.prefilter import triggers
from dlp.engine.rules import RuleFile, compile_rules
from dlp.errors import ConfigError, ScanTimeout

EDM = "edm"
SIGNATURE_PREFIX = "yara:"
SEVERITIES = {s.value: s for s in Severity}
TABLES = ("cn_mobile_prefixes", "cn_regions", "cn_area_codes")


@dataclass(slots=True)
class Hit:
    """A reported value in buffer coordinates.

    ``fingerprint`` is the keyed fingerprint of ``value``; EDM hits also carry the
    master ``column`` and the value as ``written`` in the input."""

    detector: str
    start: int
    end: int
    value: str
    masked: str
    confidence: float
    severity: Severity
    fingerprint: str = ""
    column: str | None = None
    written: str | None = None


def load_keyword_lists() -> dict[str, tuple[str, ...]]:
    """Category name -> keywords, from ``dlp.signatures/keywords/*.txt``."""
    lists: dict[str, tuple[str, ...]] = {}
    for entry in sorted(files("dlp.signatures").joinpath("keywords").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        words = []
        for raw in entry.read_text(encoding="utf-8").splitlines():
            word = raw.strip()
            if word and not word.startswith("#"):
                words.append(word)
        lists[entry.name[:-4]] = tuple(words)
    return lists


_CELL_SPLIT = re.compile(r"[,\t;|，]")


def header_cells(line: bytes) -> list[str]:
    """The cells of a header line, stripped of spaces, quotes and a BOM, lower-cased;
    empty when the line has fewer than two cells."""
    text = line.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0] if line else ""
    cells = [c.strip().strip("\"'").strip().lower() for c in _CELL_SPLIT.split(text)]
    return cells if len(cells) >= 2 else []


@cache
def _tables() -> dict[str, list[str]]:
    from dlp.data import load_table

    return {name: list(load_table(name)) for name in TABLES}


def detector_spec(det: Detector, bits: Mapping[str, int]) -> dict[str, Any]:
    """What the core is told of one detector."""
    return {
        "name": det.name,
        "patterns": list(det.patterns),
        "priority": det.priority,
        "joiners": det.joiners,
        "followers": list(det.followers),
        "allow_extension": det.allow_extension,
        "extend_left": det.extend_left,
        "extend_left_max": det.extend_left_max,
        "checks": [step.spec() for step in det.checks],
        "mask": det.masking.spec(),
        "context": sum(bits.get(c, 0) for c in det.context),
        "requires_context": det.requires_context,
        "labels": list(det.labels),
        "refuted_by": list(det.refuted_by),
        "base_confidence": det.base_confidence,
        "context_confidence": det.context_confidence,
        "severity": det.severity.value,
    }


class Core:
    """The engine of one scanner: detectors, keywords, signatures, key and filters.

    Immutable once built; share it between threads."""

    def __init__(
        self,
        detectors: Sequence[Detector],
        signatures: Sequence[RuleFile],
        keyword_lists: Mapping[str, tuple[str, ...]],
        *,
        key: bytes,
        reveal: bool = False,
        allowlist: Any = None,
        edm: Any = None,
        timeout: int = 60,
        cache_dir: Any = None,
    ) -> None:
        categories = sorted(keyword_lists)
        if len(categories) > 64:
            raise ConfigError("at most 64 keyword categories")
        self._bits = {c: 1 << i for i, c in enumerate(categories)}
        self._names = [d.name for d in detectors]
        # Categories of detectors that need their label: a header line gives them only
        # through a cell naming the column (see `header_context`).
        self._cell_words = {
            c: tuple(w.lower() for w in keyword_lists.get(c, ()))
            for d in detectors
            if d.labels
            for c in d.context
        }
        self._severity = [d.severity for d in detectors]
        keywords = [
            (word, self._bits[category]) for category, words in keyword_lists.items() for word in words
        ]
        self.rules: list[str] = []  # signature rules with literal triggers, by trigger index
        rule_index: dict[str, int] = {}
        trigger_specs: list[tuple[bytes, bool, int]] = []
        self.always_yara = False
        for rule_file in signatures:
            found = triggers(rule_file.source)
            if found is None:
                self.always_yara = True
                continue
            for trigger in found:
                name = SIGNATURE_PREFIX + trigger.rule
                if name not in rule_index:
                    rule_index[name] = len(self.rules)
                    self.rules.append(name)
                trigger_specs.append((trigger.literal, trigger.caseless, rule_index[name]))
        self._yara = compile_rules({}, signatures, cache_dir=cache_dir, key=key) if signatures else None
        self._timeout = timeout
        edm_spec = None
        columns: list[str] = []
        if edm is not None:
            columns = [c.name for c in edm.columns]
            names = [c.kind == "name" for c in edm.columns]
            edm_spec = (str(edm.path), edm.fanout_at, edm.records, edm.name_filter_bits, names)
        self.edm_columns = tuple(columns)
        spec = {
            "detectors": [detector_spec(d, self._bits) for d in detectors],
            "keywords": keywords,
            "categories": len(categories),
            "triggers": trigger_specs,
            "tables": _tables(),
            "key": key,
            "reveal": reveal,
            "allow_fingerprints": sorted(allowlist.fingerprints) if allowlist else [],
            "allow_regexes": [r.pattern for r in allowlist.regexes] if allowlist else [],
            "edm": edm_spec,
            "edm_columns": columns,
        }
        try:
            self.engine = _core.Engine(spec)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    # -- header context ---------------------------------------------------------

    def header_context(self, line: bytes) -> frozenset[str]:
        """Keyword categories in an input's first line (a CSV header).

        A category of a detector that needs its label (``Detector.labels``) counts only
        when the line is a row of cells (comma, tab, semicolon or ``|`` separated) and a
        cell ends with one of the category's keywords (``微信号``, ``客户QQ``): a column
        of those values, not a word in a sentence or an address (``@qq.com``)."""
        bits = self.engine.categories_in(line)
        found = {c for c, bit in self._bits.items() if bits & bit}
        if found & self._cell_words.keys():
            cells = header_cells(line)
            for category in found & self._cell_words.keys():
                words = self._cell_words[category]
                if not any(cell.endswith(words) for cell in cells):
                    found.discard(category)
        return frozenset(found)

    def bits(self, header: frozenset[str]) -> int:
        """The bit set of keyword categories ``header``."""
        return sum(self._bits.get(c, 0) for c in header)

    # -- scanning ---------------------------------------------------------------

    def needs_yara(self, triggered: Sequence[int], seen: set[str]) -> bool:
        """True when YARA must run on a buffer whose literals triggered these rules."""
        if self._yara is None:
            return False
        return self.always_yara or any(self.rules[i] not in seen for i in triggered)

    def hits(self, buf: bytes, header: int, lo: int, hi: int, today: int) -> tuple[list[Hit], list[int]]:
        """Hits of ``buf`` starting in ``[lo, hi)`` (sorted) and the triggered rules."""
        raw, triggered = self.engine.scan(buf, header, lo, hi, today)
        names, severities, columns = self._names, self._severity, self.edm_columns
        out = []
        for det, start, end, value, masked, fingerprint, confidence, column, written in raw:
            if column is None:
                out.append(
                    Hit(names[det], start, end, value, masked, confidence, severities[det], fingerprint)
                )
            else:
                out.append(
                    Hit(
                        EDM,
                        start,
                        end,
                        value,
                        masked,
                        confidence,
                        Severity.HIGH,
                        fingerprint,
                        columns[column],
                        written,
                    )
                )
        return out, triggered

    def signatures(self, buf: bytes, seen: set[str]) -> list[Hit]:
        """Signature-rule hits in ``buf`` (YARA), except rules in ``seen``."""
        assert self._yara is not None
        try:
            matches = self._yara.match(data=buf, timeout=self._timeout)
        except yara.TimeoutError:
            raise ScanTimeout("signature engine timed out on a chunk") from None
        out = []
        for match in matches:
            name = SIGNATURE_PREFIX + match.rule
            if name in seen:
                continue
            meta = match.meta or {}
            severity = SEVERITIES.get(str(meta.get("severity", "")).lower(), Severity.MEDIUM)
            start, end, text = 0, 0, ""
            instances = [i for s in match.strings for i in s.instances]
            if instances:
                first = min(instances, key=lambda i: i.offset)
                start, end = first.offset, first.offset + first.matched_length
                text = first.matched_data.decode("utf-8", "replace")
            out.append(
                Hit(
                    name,
                    start,
                    end,
                    text,
                    keep_edges(text, 1, 1),
                    0.5,
                    severity,
                    self.engine.fingerprint(text),
                )
            )
        return out

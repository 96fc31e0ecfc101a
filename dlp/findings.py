"""Findings and per-input results.

A :class:`Finding` never holds the raw value unless the scanner was asked to
reveal it: it carries a masked form for people and a keyed fingerprint
(HMAC-SHA256 under the deployment key) for machines, so the same value can be
correlated across files and hosts without being stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dlp.detector import Severity


def printable(text: str) -> str:
    """``text`` as valid Unicode for reports: bytes that were not valid UTF-8 in a
    file name (a GBK-named file on a USB drive reaches Python as surrogate escapes)
    are shown as ``\\xNN`` escapes, so JSON writers never fail on them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def fingerprint(key: bytes, value: str) -> str:
    """Keyed fingerprint of a normalised value (hex HMAC-SHA256): what the core's
    ``Engine.fingerprint`` computes, here with the standard library."""
    return hmac.digest(key, value.encode("utf-8"), "sha256").hex()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding starts: byte ``offset`` in the input and 1-based ``line``.

    Inside documents (spreadsheets, Word, PDF, e-mail, HTML, JSON ...) ``offset``
    and ``line`` count in the text dlp extracted from the input (UTF-8, segments
    separated by tabs and newlines; for HTML/XML/JSON lines are the source lines),
    and the optional fields say where in the document: ``sheet`` and ``cell``
    (spreadsheets), ``part`` (package part, MIME part or PDF), ``paragraph``
    (1-based, within the part) and ``page`` (1-based); text read by OCR has the
    ``box`` of its line in the picture. Unset fields are omitted.

    ``name`` is true for a value found in the file's (or member's) *name*, not in its
    content: then ``offset`` is the byte offset in the UTF-8 name and ``line`` is 1.
    """

    offset: int
    line: int
    sheet: str | None = None
    cell: str | None = None
    part: str | None = None
    paragraph: int | None = None
    page: int | None = None
    name: bool = False
    box: tuple[int, int, int, int] | None = None
    """Text read by OCR: the box of its line, ``(x0, y0, x1, y1)`` in the picture's pixels."""

    def as_dict(self) -> dict[str, Any]:
        if self.name:
            return {"name": True, "offset": self.offset, "line": self.line}
        record: dict[str, Any] = {"offset": self.offset, "line": self.line}
        if (self.cell, self.part, self.page, self.sheet, self.paragraph, self.box) == (None,) * 6:
            return record  # plain text: the common case, and the hot one
        for name in ("sheet", "cell", "part", "paragraph", "page"):
            value = getattr(self, name)
            if value is not None:
                record[name] = value
        if self.box is not None:
            record["box"] = list(self.box)
        return record


@dataclass(frozen=True, slots=True)
class Finding:
    detector: str
    path: str
    location: Location
    masked: str
    fingerprint: str
    confidence: float
    severity: Severity
    member: str | None = None
    value: str | None = field(default=None, repr=False)
    """The normalised raw value; only set when the scanner reveals values (for
    ``edm`` findings: the value as written in the input)."""
    column: str | None = None
    """The customer-master column an ``edm`` finding matched (None for other detectors)."""

    def as_record(self) -> dict[str, Any]:
        """The JSONL record (``type: finding``); ``value`` only when revealed, ``column`` for EDM."""
        record: dict[str, Any] = {"type": "finding", "path": self.path}
        if self.member is not None:
            record["member"] = self.member
        record["detector"] = self.detector
        if self.column is not None:
            record["column"] = self.column
        record.update(
            masked=self.masked,
            fingerprint=self.fingerprint,
            confidence=self.confidence,
            severity=self.severity.value,
            location=self.location.as_dict(),
        )
        if self.value is not None:
            record["value"] = self.value
        return record


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an input could not be scanned, or only partly (``partial``)."""

    reason: str
    message: str
    partial: bool = False
    member: str | None = None
    """The container member the problem is about (``inner.zip!bad.xlsx``), if any."""

    def as_record(self, path: str, member: str | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"type": "error", "path": path}
        member = member if member is not None else self.member
        if member is not None:
            record["member"] = member
        record.update(reason=self.reason, message=self.message, partial=self.partial)
        return record


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one input produced."""

    path: str
    findings: tuple[Finding, ...] = ()
    problems: tuple[Problem, ...] = ()
    size: int = 0
    encoding: str | None = None
    skipped: str | None = None
    more: bool = False
    """True on every piece but the last when a large input's findings are streamed in
    pieces (:meth:`dlp.Scanner.scan_entry_pieces`); the last piece carries the problems."""
    """Set (to a reason such as ``symlink``) when the input was deliberately not scanned."""

    @property
    def complete(self) -> bool:
        """True when the whole input was scanned."""
        return not self.problems and self.skipped is None

    def __reduce__(self) -> tuple[Any, ...]:
        rest = (self.problems, self.size, self.encoding, self.skipped, self.more)
        return (_result, (self.path, _pack(self.findings), rest))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)


# Pickling a ScanResult: its findings travel as one list of plain tuples (pickled in
# C) and are rebuilt here by setting their slots directly, several times faster than
# pickling each frozen dataclass (worker processes send findings in bulk).
_SEVERITY = {s.value: s for s in Severity}
_LOCATION_FIELDS = ("offset", "line", "sheet", "cell", "part", "paragraph", "page", "name", "box")
_FINDING_FIELDS = ("detector", "path", "masked", "fingerprint", "confidence", "member", "value", "column")
_SET_LOCATION = tuple(Location.__dict__[n].__set__ for n in _LOCATION_FIELDS)
_SET_FINDING = tuple(Finding.__dict__[n].__set__ for n in _FINDING_FIELDS)
_SET_FINDING_LOCATION = Finding.__dict__["location"].__set__
_SET_FINDING_SEVERITY = Finding.__dict__["severity"].__set__


def plain_findings(
    path: str,
    member: str | None,
    hits: Sequence[Any],
    offsets: Sequence[int],
    lines: Sequence[int],
    reveal: bool,
) -> list[Finding]:
    """Findings in plain text, one per hit (``detector``, ``value``, ``masked``,
    ``fingerprint``, ``confidence``, ``severity``) at the given offsets and lines, built by setting
    their slots directly: the dataclass constructors of a frozen class cost twice
    as much, and the scanner makes one finding per value found."""
    new = object.__new__
    s_det, s_path, s_masked, s_fp, s_conf, s_member, s_value, s_column = _SET_FINDING
    s_off, s_line, s_sheet, s_cell, s_part, s_para, s_page, s_name, s_box = _SET_LOCATION
    s_sev, s_loc = _SET_FINDING_SEVERITY, _SET_FINDING_LOCATION
    out = []
    append = out.append
    for hit, offset, line in zip(hits, offsets, lines, strict=True):
        location = new(Location)
        s_off(location, offset)
        s_line(location, line)
        s_sheet(location, None)
        s_cell(location, None)
        s_part(location, None)
        s_para(location, None)
        s_page(location, None)
        s_name(location, False)
        s_box(location, None)
        finding = new(Finding)
        s_det(finding, hit.detector)
        s_path(finding, path)
        s_masked(finding, hit.masked)
        s_fp(finding, hit.fingerprint)
        s_conf(finding, hit.confidence)
        s_member(finding, member)
        s_value(finding, hit.value if reveal else None)
        s_column(finding, None)
        s_sev(finding, hit.severity)
        s_loc(finding, location)
        append(finding)
    return out


def _pack(findings: tuple[Finding, ...]) -> list[tuple[Any, ...]]:
    return [
        (
            *(getattr(f, n) for n in _FINDING_FIELDS),
            f.severity.value,
            *(getattr(f.location, n) for n in _LOCATION_FIELDS),
        )
        for f in findings
    ]


def _unpack(packed: list[tuple[Any, ...]]) -> tuple[Finding, ...]:
    new = object.__new__
    s_det, s_path, s_masked, s_fp, s_conf, s_member, s_value, s_column = _SET_FINDING
    s_off, s_line, s_sheet, s_cell, s_part, s_para, s_page, s_name, s_box = _SET_LOCATION
    out = []
    for det, path, masked, fp, conf, member, value, column, sev, *where in packed:
        offset, line, sheet, cell, part, paragraph, page, in_name, box = where
        location = new(Location)
        s_off(location, offset)
        s_line(location, line)
        s_sheet(location, sheet)
        s_cell(location, cell)
        s_part(location, part)
        s_para(location, paragraph)
        s_page(location, page)
        s_name(location, in_name)
        s_box(location, box)
        finding = new(Finding)
        s_det(finding, det)
        s_path(finding, path)
        s_masked(finding, masked)
        s_fp(finding, fp)
        s_conf(finding, conf)
        s_member(finding, member)
        s_value(finding, value)
        s_column(finding, column)
        _SET_FINDING_SEVERITY(finding, _SEVERITY[sev])
        _SET_FINDING_LOCATION(finding, location)
        out.append(finding)
    return tuple(out)


def _result(path: str, packed: list[tuple[Any, ...]], rest: tuple[Any, ...]) -> ScanResult:
    return ScanResult(path, _unpack(packed), *rest)

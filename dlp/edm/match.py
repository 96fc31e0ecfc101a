"""Exact data match at scan time: which validated values belong to registered customers.

Every value a detector validated is looked up by its keyed hash; each master
column holding it gives one ``edm`` hit (same span, ``column`` set). Names are
secondary elements, as in Purview's EDM: Chinese names have no spaces around
them, so every 2-4 character window of the CJK runs within :data:`NAME_REACH`
characters of a registered value, on the same line, is looked up in the name
columns, and a name is reported only when it belongs to the same customer (row)
as that value. A common name next to an unregistered number is not a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dlp.detector import Severity, keep_edges
from dlp.edm.index import EdmIndex
from dlp.engine.matcher import Hit

NAME_REACH = 32  # characters either side of a registered value
NAME_LENGTHS = (2, 3, 4)
EDM_CONFIDENCE = 1.0
NAME_CONFIDENCE = 0.9
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]{2,}")


@dataclass(slots=True)
class EdmHit(Hit):
    """A hit on the customer master: ``column`` names the master column, ``written``
    is the value as it appears in the scanned text (``value`` stays normalised, so
    the fingerprint equals the detector finding's)."""

    column: str = ""
    written: str = ""


def _encoded(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


class EdmMatcher:
    """Adds ``edm`` hits to a window's validated hits. Read-only; one per scanner."""

    def __init__(self, index: EdmIndex) -> None:
        self.index = index
        self._names = frozenset(i for i, c in enumerate(index.columns) if c.kind == "name")

    @classmethod
    def open(cls, path: Path, key: bytes) -> EdmMatcher:
        """Open the index at ``path`` (ConfigError if it is not one or the key differs)."""
        return cls(EdmIndex(path, key))

    def extend(self, buf: bytes, hits: list[Hit]) -> list[Hit]:
        """``hits`` plus the EDM hits among and around them (buffer coordinates)."""
        extra: list[Hit] = []
        seen: set[tuple[int, int, int]] = set()
        cache: dict[str, list[tuple[int, int]]] = {}
        columns = self.index.columns
        for hit in hits:
            records = self.index.lookup_value(hit.value)
            rows = {row for col, row in records if col not in self._names}
            if not rows:
                continue
            written = buf[hit.start : hit.end].decode("utf-8", "replace")
            for col in sorted({col for col, _ in records if col not in self._names}):
                extra.append(
                    EdmHit(
                        detector="edm",
                        start=hit.start,
                        end=hit.end,
                        value=hit.value,
                        masked=hit.masked,
                        confidence=EDM_CONFIDENCE,
                        severity=Severity.HIGH,
                        column=columns[col].name,
                        written=written,
                    )
                )
            if self._names:
                extra.extend(self._names_near(buf, hit, rows, seen, cache))
        return [*hits, *extra] if extra else hits

    def _names_near(
        self,
        buf: bytes,
        hit: Hit,
        rows: set[int],
        seen: set[tuple[int, int, int]],
        cache: dict[str, list[tuple[int, int]]],
    ) -> Iterator[Hit]:
        for start, window in _windows(buf, hit.start, hit.end):
            name = unicodedata.normalize("NFKC", window)
            records = cache.get(name)
            if records is None:
                records = cache[name] = self.index.lookup_value(name)
            for col, row in records:
                if col in self._names and row in rows and (start, len(window), col) not in seen:
                    seen.add((start, len(window), col))
                    yield EdmHit(
                        detector="edm",
                        start=start,
                        end=start + _encoded(window),
                        value=name,
                        masked=keep_edges(name, 1, 0),
                        confidence=NAME_CONFIDENCE,
                        severity=Severity.HIGH,
                        column=self.index.columns[col].name,
                        written=window,
                    )


def _windows(buf: bytes, start: int, end: int) -> Iterator[tuple[int, str]]:
    """``(byte offset, text)`` of every 2-4 character CJK window near ``buf[start:end]``."""
    line_start = buf.rfind(b"\n", 0, start) + 1
    line_end = buf.find(b"\n", end)
    if line_end < 0:
        line_end = len(buf)
    low = max(line_start, start - 4 * NAME_REACH)
    while low < start and 0x80 <= buf[low] < 0xC0:  # not inside a character
        low += 1
    before = buf[low:start].decode("utf-8", "surrogateescape")[-NAME_REACH:]
    after = buf[end : min(line_end, end + 4 * NAME_REACH)].decode("utf-8", "surrogateescape")
    for base, text in ((start - _encoded(before), before), (end, after[:NAME_REACH])):
        for run in _CJK.finditer(text):
            run_at = base + _encoded(text[: run.start()])
            chars = run.group()
            for i in range(len(chars) - 1):
                offset = run_at + _encoded(chars[:i])
                for size in NAME_LENGTHS:
                    if i + size <= len(chars):
                        yield offset, chars[i : i + size]

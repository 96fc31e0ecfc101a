"""Pack extracted text segments into bounded UTF-8 buffers for the core.

Segments are joined with their separators into the *extracted text* of an input;
a :class:`Buffer` holds a stretch of it (about ``limit`` bytes, cut only between
segments) preceded by up to ``LOOKBEHIND`` bytes of the previous buffer, so
context words and the boundary byte before a value are visible, as in the plain
text path. Hits starting in the look-behind were reported by the previous buffer.
A new :class:`~dlp.extract.base.Section` starts a new buffer without look-behind.

Locations: ``offset`` and ``line`` count in the extracted text; the segment a hit
starts in gives the structured fields (sheet, cell, part, paragraph, page).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from dlp.extract.base import Segment, Where
from dlp.extract.stream import LOOKBEHIND

_SPACES = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ", "\r": None})


@dataclass(slots=True)
class Buffer:
    buf: bytes
    emit_from: int
    starts: list[int]  # buffer position of each segment's text
    wheres: list[Where]
    origin: int  # extracted-text offset of buf[0]
    line_base: int  # newlines in the extracted text before buf[0]
    header: str | None  # section header text (None: no section declared)

    def place(self, positions: list[int]) -> list[tuple[int, int, Where]]:
        """(offset, line, where) of sorted buffer positions."""
        out = []
        last, line = 0, self.line_base + 1
        for p in positions:
            line += self.buf.count(b"\n", last, p)
            last = p
            i = bisect_right(self.starts, p) - 1
            out.append((self.origin + p, line, self.wheres[i] if i >= 0 else self.wheres[0]))
        return out


class Packer:
    """Collects segments; :meth:`add` and :meth:`flush` yield full buffers."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._starts: list[int] = []
        self._wheres: list[Where] = []
        self._size = 0
        self._tail = b""
        self._origin = 0  # extracted-text offset of the next buffer's first new byte
        self._lines = 0  # newlines before it
        self._header: str | None = None
        self._empty = True

    def section(self, header: str) -> Iterator[Buffer]:
        yield from self.flush()
        self._tail = b""
        self._header = header

    def add(self, segment: Segment) -> Iterator[Buffer]:
        text = segment.text.translate(_SPACES)
        if not text:
            return
        sep = b"" if self._empty else segment.sep.encode()
        data = text.encode("utf-8", "surrogatepass")
        if self._size and self._size + len(sep) + len(data) > self._limit:
            yield from self.flush()
        self._parts.append(sep)
        self._size += len(sep)
        self._starts.append(self._size)
        self._wheres.append(segment.where)
        self._parts.append(data)
        self._size += len(data)
        self._empty = False

    def flush(self) -> Iterator[Buffer]:
        if not self._size:
            return
        body = b"".join(self._parts)
        tail = self._tail
        buf = tail + body
        starts = [s + len(tail) for s in self._starts]
        wheres = self._wheres
        if tail:
            starts.insert(0, 0)
            wheres = [wheres[0], *wheres]
        yield Buffer(
            buf,
            len(tail),
            starts,
            wheres,
            self._origin - len(tail),
            self._lines - tail.count(b"\n"),
            self._header,
        )
        self._origin += len(body)
        self._lines += body.count(b"\n")
        cut = max(0, len(buf) - LOOKBEHIND)
        while cut < len(buf) and 0x80 <= buf[cut] < 0xC0:
            cut += 1
        self._tail = buf[cut:]
        self._parts, self._starts, self._wheres, self._size = [], [], [], 0

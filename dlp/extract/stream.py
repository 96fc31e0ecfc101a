"""Stream an input as overlapping UTF-8 windows with a map back to input offsets.

A window holds ``buf`` (UTF-8 bytes) and the range ``[emit_from, emit_to)`` of
positions whose hits belong to this window. Consecutive windows overlap: each
starts ``LOOKBEHIND`` bytes before the previous window's ``emit_to`` (for context
words and the boundary byte) and hits starting in the last ``MARGIN`` bytes of a
window are left to the next one, where the bytes after them are visible. So a
value spanning a chunk boundary is found exactly once, and memory stays at about
two chunks whatever the input size.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dlp._core import newlines
from dlp.extract.encoding import Encoding

LOOKBEHIND = 256
MARGIN = 1024


@dataclass(slots=True)
class Window:
    buf: bytes
    emit_from: int
    emit_to: int
    line_base: int  # newlines before buf[0]
    _origin: int  # input offset of buf[0] (raw) or of the window's first text
    _codec: str | None  # None for raw windows; the codec to re-encode with otherwise
    _counted: tuple[int, int] = (0, 0)  # (position, newlines in buf before it) already counted

    def newlines_before(self, pos: int) -> int:
        """Newlines in ``buf[:pos]``, counting on from the furthest position counted so far."""
        done, count = self._counted
        if pos >= done:
            count += newlines(self.buf, done, pos)
        else:
            count = newlines(self.buf, 0, pos)
        self._counted = (pos, count)
        return count

    def offsets(self, positions: list[int]) -> list[int]:
        """Input byte offsets of sorted buffer positions (at character starts)."""
        if self._codec is None:
            return [self._origin + p for p in positions]
        out = []
        last, orig = 0, self._origin
        for p in positions:
            orig += len(self.buf[last:p].decode("utf-8", "replace").encode(self._codec, "replace"))
            last = p
            out.append(orig)
        return out

    def lines(self, positions: list[int]) -> list[int]:
        """1-based line numbers of sorted buffer positions."""
        base = self.line_base + 1
        return [base + self.newlines_before(p) for p in positions]


def _char_start(buf: bytes, pos: int) -> int:
    """Move ``pos`` forward to the start of a UTF-8 character."""
    while pos < len(buf) and 0x80 <= buf[pos] < 0xC0:
        pos += 1
    return pos


def windows(
    stream: BinaryIO,
    encoding: Encoding,
    chunk_size: int,
    first: bytes = b"",
    *,
    origin: int = 0,
    emit_from: int = 0,
    emit_until: int | None = None,
    line_base: int = 0,
) -> Iterator[Window]:
    """Yield windows over the rest of ``stream``; ``first`` holds bytes already read.

    For a segment of a larger UTF-8 input (raw encodings only): ``origin`` is the
    input offset of the stream's first byte, hits are emitted from stream position
    ``emit_from`` to input offset ``emit_until`` (the bytes around are context), and
    ``line_base`` counts the newlines before the stream's first byte.
    """
    codec = None if encoding.raw else encoding.name
    if codec is not None and (origin or emit_from or emit_until is not None):
        raise ValueError("segments are for raw (UTF-8) input only")
    decoder = None if codec is None else codecs.getincrementaldecoder(codec)("replace")
    consumed = 0  # input bytes handed to the decoder
    carry = b""
    carry_origin = origin  # input offset of carry[0] (of buf[0] in the next window)
    block = first or stream.read(chunk_size)
    if codec is not None and encoding.bom:
        block = block[encoding.bom :]
        consumed = carry_origin = encoding.bom
    while True:
        ahead = stream.read(chunk_size)
        final = not ahead
        if decoder is not None:
            consumed += len(block)
            block = decoder.decode(block, final=final).encode("utf-8")
        buf = carry + block
        emit_to = len(buf) if final else max(emit_from, len(buf) - MARGIN)
        if emit_until is not None:
            emit_to = max(emit_from, min(emit_to, emit_until - carry_origin))
        window = Window(buf, emit_from, emit_to, line_base, carry_origin, codec)
        yield window
        if final:
            return
        cut = _char_start(buf, max(0, emit_to - LOOKBEHIND))
        carry = buf[cut:]
        if decoder is None:
            carry_origin += cut
        else:
            held = len(decoder.getstate()[0])
            carry_origin = consumed - held - len(carry.decode("utf-8", "replace").encode(codec, "replace"))
        line_base += window.newlines_before(cut)  # goes on from the findings' line count
        emit_from = emit_to - cut
        block = ahead

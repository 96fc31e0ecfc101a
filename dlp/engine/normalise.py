"""Fold full-width forms to ASCII in UTF-8 bytes, keeping a map back to the input.

Only the full-width block U+FF01-U+FF5E (digits, letters, + - ( ) and so on) and
the ideographic space U+3000 are folded: that is what NFKC does to them, and
what people type in Chinese input methods. The fold runs only on chunks that
contain a full-width digit, so ordinary text costs one C-level search.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_FULLWIDTH_DIGIT = re.compile(rb"\xef\xbc[\x90-\x99]")
_FOLDABLE = re.compile(rb"\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]|\xe3\x80\x80")


def _ascii(match: re.Match[bytes]) -> bytes:
    code = ord(match.group().decode("utf-8"))
    return b" " if code == 0x3000 else bytes((code - 0xFEE0,))


class Folded:
    """A folded buffer and the offset map from folded positions to input positions."""

    __slots__ = ("_dst", "_src", "buf")

    def __init__(self, buf: bytes, dst: list[int], src: list[int]) -> None:
        self.buf = buf
        self._dst = dst
        self._src = src

    def source(self, pos: int) -> int:
        """Input offset of folded offset ``pos``."""
        i = bisect_right(self._dst, pos) - 1
        if i < 0:
            return pos
        return self._src[i] + (pos - self._dst[i])


def fold(buf: bytes) -> Folded | None:
    """Fold ``buf`` if it holds full-width digits; None when nothing needs folding."""
    if _FULLWIDTH_DIGIT.search(buf) is None:
        return None
    pieces: list[bytes] = []
    dst: list[int] = []
    src: list[int] = []
    last = 0
    out = 0
    for match in _FOLDABLE.finditer(buf):
        start, end = match.span()
        pieces.append(buf[last:start])
        out += start - last
        pieces.append(_ascii(match))
        out += 1
        dst.append(out)
        src.append(end)
        last = end
    pieces.append(buf[last:])
    return Folded(b"".join(pieces), dst, src)

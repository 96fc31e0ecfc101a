"""JSON and JSON Lines: the text with string escapes decoded.

``json.dumps`` writes Chinese as ``\\u624b\\u673a`` by default, which hides both
the values and the words around them from a byte-level scan. The input is
streamed line by line and every escape in it is decoded (``\\uXXXX`` with
surrogate pairs, ``\\/``, ``\\"``, ``\\\\``); ``\\n``, ``\\r`` and ``\\t`` become
blanks so line numbers stay those of the source. Keys, strings and numbers are
all scanned; nothing is parsed, so a damaged or partial JSON file is read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Segment
from dlp.extract.textstream import at_line_ends, decoded

_ESCAPE = re.compile(
    r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|(.))"
)
_SIMPLE = {"n": " ", "r": " ", "t": " ", "b": " ", "f": " ", "/": "/", '"': '"', "\\": "\\"}


def _replace(match: re.Match[str]) -> str:
    high, low, single, char = match.groups()
    if high is not None:
        return (chr(int(high, 16)) + chr(int(low, 16))).encode("utf-16", "surrogatepass").decode("utf-16")
    if single is not None:
        code = int(single, 16)
        return " " if 0xD800 <= code < 0xE000 or code < 0x20 else chr(code)
    return _SIMPLE.get(char, char)


def unescape(text: str) -> str:
    r"""Decode JSON string escapes in ``text``.

    >>> unescape(r'{"\u624b\u673a": "138\/1234", "x": "a\"b"}')
    '{"手机": "138/1234", "x": "a"b"}'
    """
    return _ESCAPE.sub(_replace, text) if "\\" in text else text


def extract(source: BinaryIO, ctx: Context) -> Iterator[Segment]:
    for piece in at_line_ends(decoded(source)):
        ctx.check_time()
        yield Segment(unescape(piece), sep="")

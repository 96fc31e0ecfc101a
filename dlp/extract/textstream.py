"""Decode a text-like input (HTML, XML, JSON) chunk by chunk, and cut text at line ends.

The encoding is sniffed from the first bytes (:func:`dlp.extract.encoding.sniff`:
BOMs, UTF-8, GB18030, UTF-16 ...), then the input is decoded incrementally, so a
large file never sits in memory whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.encoding import SAMPLE_SIZE, sniff

CHUNK = 1024 * 1024
MAX_LINE = 4 * CHUNK
_CUT_AFTER = ('"', ",", ">", " ", "\t")


def decoded(source: BinaryIO, chunk: int = CHUNK) -> Iterator[str]:
    """The text of ``source``, in pieces of about ``chunk`` bytes."""
    first = source.read(chunk)
    encoding = sniff(first[:SAMPLE_SIZE])
    decoder = codecs.getincrementaldecoder(encoding.name)("replace")
    block = first[encoding.bom :]
    while block:
        text = decoder.decode(block)
        if text:
            yield text
        block = source.read(chunk)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def at_line_ends(pieces: Iterator[str]) -> Iterator[str]:
    """Regroup text so that every piece but the last ends with a newline.

    A line longer than ``MAX_LINE`` (minified JSON or HTML) is cut after a quote,
    comma, ``>`` or blank instead, never inside a token.
    """
    carry = ""
    for piece in pieces:
        text = carry + piece
        cut = text.rfind("\n") + 1
        if cut == 0 and len(text) > MAX_LINE:
            cut = max(text.rfind(c) for c in _CUT_AFTER) + 1 or len(text)
        if cut:
            yield text[:cut]
        carry = text[cut:]
    if carry:
        yield carry

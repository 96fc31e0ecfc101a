"""Single-stream compression: gzip (.gz, .tgz), bzip2 and xz.

The decompressed stream is guarded (its bytes count against the limits and its
growth over the compressed bytes read is the ratio a bomb trips). When it starts
with a tar header it is read as a tar archive whose members are reported
directly (``backup.tar.gz`` member ``dir/contacts.csv``); otherwise it is one
member named after the file without its suffix (``contacts.csv.gz`` member
``contacts.csv``).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract import tararchive
from dlp.extract.base import Context, Corrupt, Item, Member, Prefixed

_SUFFIXES = {".gz": "", ".tgz": ".tar", ".bz2": "", ".tbz2": ".tar", ".xz": "", ".txz": ".tar"}
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, ValueError)


class _Consumed(io.RawIOBase):
    """Counts the compressed bytes the decompressor has read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def inner_name(name: str) -> str:
    """``contacts.csv.gz`` -> ``contacts.csv``; ``x.tgz`` -> ``x.tar``."""
    base = os.path.basename(name.split("!")[-1])
    stem, suffix = os.path.splitext(base)
    if suffix.lower() in _SUFFIXES and stem:
        return stem + _SUFFIXES[suffix.lower()]
    return stem or "data"


def extract(source: BinaryIO, ctx: Context) -> Iterator[Item]:
    consumed = _Consumed(source)
    raw = io.BufferedReader(consumed)
    opener = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}[ctx.kind]
    with opener(fileobj=raw) if ctx.kind == "gzip" else opener(raw) as decompressed:  # type: ignore[operator]
        stream = ctx.guard(decompressed, lambda: consumed.count)
        try:
            head = _read_head(stream)
        except _READ_ERRORS:
            raise Corrupt(f"not a readable {ctx.kind} stream (damaged or truncated)") from None
        whole = io.BufferedReader(Prefixed(head, stream), 64 * 1024)  # type: ignore[arg-type]
        if tararchive.is_tar(head):
            yield from tararchive.extract(whole, ctx, accounted=True)  # type: ignore[arg-type]
            return
        yield Member(inner_name(ctx.name), lambda: whole, accounted=True)  # type: ignore[arg-type,return-value]


def _read_head(stream: BinaryIO) -> bytes:
    head = b""
    while len(head) < tararchive.BLOCK:
        more = stream.read(tararchive.BLOCK - len(head))
        if not more:
            break
        head += more
    return head

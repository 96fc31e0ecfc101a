"""Tar archives (plain; compressed ones arrive here through :mod:`dlp.extract.compressed`).

The archive is read as a stream (``tarfile`` mode ``r|``): members come in the
order they are stored and each is scanned before the next is read, so nothing is
held in memory and a tar read from a pipe or from inside a .tar.gz works alike.
Only regular files are members; links, folders and devices are skipped.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from typing import BinaryIO

from dlp.extract.base import Context, Corrupt, Item, Member

BLOCK = 512


def is_tar(head: bytes) -> bool:
    """True when ``head`` (at least 512 bytes) starts with a valid tar header."""
    if len(head) < BLOCK:
        return False
    if head[257:262] == b"ustar":
        return True
    try:
        stored = int(head[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    block = head[:BLOCK]
    return stored == sum(block[:148]) + 8 * 32 + sum(block[156:])


def extract(source: BinaryIO, ctx: Context, *, accounted: bool = False) -> Iterator[Item]:
    try:
        archive = tarfile.open(fileobj=source, mode="r|")  # noqa: SIM115 - closed below
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise Corrupt(f"not a readable tar archive ({type(exc).__name__})") from None
    with archive:
        members = iter(archive)
        while True:
            try:
                info = next(members)
            except StopIteration:
                return
            except (tarfile.TarError, EOFError, OSError):
                raise Corrupt("truncated or damaged tar archive") from None
            ctx.check_time()
            if not info.isfile():
                continue
            yield Member(
                info.name,
                lambda info=info: _open(archive, info),
                size=info.size,
                accounted=accounted,
            )


def _open(archive: tarfile.TarFile, info: tarfile.TarInfo) -> BinaryIO:
    stream = archive.extractfile(info)
    if stream is None:
        raise Corrupt(f"{info.name}: no data")
    return stream  # type: ignore[return-value]

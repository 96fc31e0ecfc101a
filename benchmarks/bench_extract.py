"""Extraction per format: text stream windows, then documents and archives.

``test_windows_*`` drains :func:`dlp.extract.stream.windows` over 4 MiB (raw UTF-8,
and the same text in GB18030, which is transcoded). ``test_extract_*`` drains a
document extractor (xlsx, docx, pdf, zip members read in full); they are skipped
when the extractor module or the library that writes the fixture is missing.
``test_scan_*`` is :meth:`dlp.Scanner.scan_file` on the same documents, skipped
while the scanner does not yet open that format (no findings).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest

import dlp
from dlp.extract.encoding import sniff
from dlp.extract.stream import windows

CHUNK = 1024 * 1024
ROUNDS = 5
ZIP_BASED = "dlp.extract.ziparchive"  # office files are zips told apart by their members
EXTRACTORS = {"xlsx": ZIP_BASED, "docx": ZIP_BASED, "zip": ZIP_BASED, "pdf": "dlp.extract.pdf"}


def _drain_windows(data: bytes) -> int:
    first = data[:CHUNK]
    stream = io.BytesIO(data)
    stream.seek(len(first))
    return sum(len(w.buf) for w in windows(stream, sniff(first[: 64 * 1024]), CHUNK, first))


def test_windows_utf8(benchmark, prose_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    assert benchmark.pedantic(_drain_windows, (prose_buffer,), rounds=ROUNDS, warmup_rounds=1) > 0


def test_windows_gb18030(benchmark, csv_buffer: bytes) -> None:  # type: ignore[no-untyped-def]
    data = csv_buffer.decode("utf-8").encode("gb18030")
    assert sniff(data[: 64 * 1024]).name.lower().replace("-", "") in ("gb18030", "gbk", "gb2312")
    assert benchmark.pedantic(_drain_windows, (data,), rounds=ROUNDS, warmup_rounds=1) > 0


class NullContext:
    """The least an extractor may ask of its scan: no limits, no time budget."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.encrypted_seen: list[str] = []

    def check_time(self) -> None:
        return None

    def check_package(self, *args: Any) -> None:
        return None

    def guard(self, stream: BinaryIO, compressed: Callable[[], int] | None = None) -> BinaryIO:
        return stream

    def encrypted(self, kind: str, detail: str) -> None:
        self.encrypted_seen.append(kind)


def _extract_all(extract: Callable[..., Any], path: Path, kind: str) -> int:
    """Characters of text extracted (archive members are read to their end)."""
    chars = 0
    with open(path, "rb") as source:
        for item in extract(source, NullContext(str(path), kind)):
            text = getattr(item, "text", None)
            if text is not None:
                chars += len(text)
            elif callable(getattr(item, "open", None)):
                with item.open() as member:
                    while block := member.read(CHUNK):
                        chars += len(block)
    return chars


@pytest.mark.parametrize("kind", sorted(EXTRACTORS))
def test_extract(benchmark, kind: str, documents: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    if kind not in documents:
        pytest.skip(f"cannot write a {kind} fixture here (library missing)")
    module = pytest.importorskip(EXTRACTORS[kind])
    path = documents[kind]
    chars = benchmark.pedantic(_extract_all, (module.extract, path, kind), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info.update(file_bytes=path.stat().st_size, chars=chars)
    assert chars > 0


@pytest.mark.parametrize("kind", sorted(EXTRACTORS))
def test_scan(benchmark, kind: str, documents: dict[str, Path], scanner: dlp.Scanner) -> None:  # type: ignore[no-untyped-def]
    if kind not in documents:
        pytest.skip(f"cannot write a {kind} fixture here (library missing)")
    path = documents[kind]
    try:
        importlib.import_module(EXTRACTORS[kind])
    except ImportError:
        pytest.skip(f"no {kind} extractor in this version")
    if not any(not f.detector.startswith("yara:") for f in scanner.scan_file(path).findings):
        pytest.skip(f"the scanner does not open {kind} files yet")
    result = benchmark.pedantic(scanner.scan_file, (path,), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info.update(file_bytes=path.stat().st_size, findings=len(result.findings))

"""Chunked streaming: values across chunk boundaries and window edges are found exactly once.

With ``chunk_size=65536`` the scanner reads 64 KiB blocks; each window reports hits
starting before ``MARGIN`` bytes from its end and keeps ``LOOKBEHIND`` more bytes
for the next window. The filler here is ASCII, so in UTF-8 and GB18030 those edges
sit at the same input offsets and in UTF-16 at twice the distance; every value is
placed at every byte (or UTF-16 unit) position across each edge.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import dlp
from dlp.detectors import all_detectors
from dlp.extract.stream import LOOKBEHIND, MARGIN

CHUNK = 65536
HEADER = "说明：以下为测试数据\n"
FILLER = "the quick brown fox jumps over a lazy dog, again and again ....\n"
CONFIDENCE = {d.name: d.context_confidence for d in all_detectors()}


@dataclass(frozen=True)
class Plant:
    context: str
    written: str
    detector: str
    value: str


PLANTS = (
    Plant("身份证号：", "11010519491231002x", "cn_resident_id", "11010519491231002X"),
    Plant("手机：", "+86 138-1234-5678", "cn_mobile", "13812345678"),
    Plant("银行卡号：", "6222 0212 3456 7890 128", "bank_card", "6222021234567890128"),
    Plant("邮箱 ", "Zhang.San@Example.COM", "email", "zhang.san@example.com"),
)
CODECS = {"utf-8": 1, "gb18030": 1, "utf-16-le": 2}


def filler(size: int, codec: str) -> bytes:
    unit = CODECS[codec]
    assert size >= 0 and size % unit == 0, size
    chars = size // unit
    text = (FILLER * (chars // len(FILLER) + 1))[:chars]
    return text.encode(codec)


def build(codec: str, starts: list[int], total: int) -> bytes:
    """A document in ``codec`` with ``PLANTS[i].written`` starting at byte ``starts[i]``."""
    out = HEADER.encode(codec)
    for plant, start in zip(PLANTS, starts, strict=True):
        before = ("\n" + plant.context).encode(codec)
        out += filler(start - len(out) - len(before), codec) + before
        assert len(out) == start
        out += (plant.written + " \n").encode(codec)
    return out + filler(max(0, total - len(out)), codec)


def expected(data: bytes, codec: str, starts: list[int]) -> list[tuple[str, str, int, int, float]]:
    return [
        (p.detector, p.value, s, data[:s].decode(codec).count("\n") + 1, CONFIDENCE[p.detector])
        for p, s in zip(PLANTS, starts, strict=True)
    ]


def findings(result: dlp.ScanResult) -> list[tuple[str, str, int, int, float]]:
    return [(f.detector, f.value or "", f.location.offset, f.location.line, f.confidence) for f in result]


def edge_cases() -> Iterator[object]:
    for codec, unit in CODECS.items():
        for edge_name, back in (("block", 0), ("margin", MARGIN), ("lookbehind", MARGIN + LOOKBEHIND)):
            longest = max(len(p.written) for p in PLANTS)
            for delta in range(-(longest + 2), 3):
                yield pytest.param(codec, back * unit, delta * unit, id=f"{codec}-{edge_name}{delta:+d}")


@pytest.fixture(scope="module")
def chunked(make_scanner) -> dlp.Scanner:  # type: ignore[no-untyped-def]
    return make_scanner(chunk_size=CHUNK)


def test_window_constants_are_what_this_test_assumes() -> None:
    assert MARGIN + LOOKBEHIND < CHUNK // 4


@pytest.mark.parametrize(("codec", "back", "delta"), list(edge_cases()))
def test_values_across_every_edge(chunked: dlp.Scanner, codec: str, back: int, delta: int) -> None:
    # value i straddles (or touches) the edge before the end of block i+1
    starts = [CHUNK * (i + 1) - back + delta for i in range(len(PLANTS))]
    data = build(codec, starts, CHUNK * (len(PLANTS) + 1) + 100)
    result = chunked.scan_stream(io.BytesIO(data), name="edges")
    assert result.problems == ()
    assert result.encoding == codec
    assert findings(result) == expected(data, codec, starts)


def test_a_single_10_mb_line(scanner: dlp.Scanner) -> None:
    size = 10 * 1024 * 1024
    pieces = [" 13812345678 ", " 11010519491231002X ", " zhao@example.com "]
    positions = [0, size // 2 + 3, size - len(pieces[2])]
    data = bytearray(b"x " * (size // 2))
    for pos, piece in zip(positions, pieces, strict=True):
        data[pos : pos + len(piece)] = piece.encode()
    result = scanner.scan_bytes(bytes(data), name="long-line")
    assert result.size == size
    assert [(f.detector, f.location.offset, f.location.line) for f in result] == [
        ("cn_mobile", 1, 1),
        ("cn_resident_id", positions[1] + 1, 1),
        ("email", positions[2] + 1, 1),
    ]


def test_three_chunks_with_values_at_the_very_start_and_end(chunked: dlp.Scanner, tmp_path: Path) -> None:
    body = filler(3 * CHUNK - 100, "utf-8")
    data = b"13912345678\n" + body + b"\n11010519491231002X"
    path = tmp_path / "three-chunks.txt"
    path.write_bytes(data)
    result = chunked.scan_file(path)
    assert result.size == len(data) and 2 * CHUNK < len(data) <= 3 * CHUNK
    assert [(f.value, f.location.offset, f.location.line) for f in result] == [
        ("13912345678", 0, 1),
        ("11010519491231002X", len(data) - 18, data.count(b"\n") + 1),
    ]


class Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek, no tell, and reads shorter than asked."""

    def __init__(self, data: bytes, piece: int) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._piece = piece

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        size = self._piece if size < 0 else min(size, self._piece)
        chunk = bytes(self._data[self._pos : self._pos + size])
        self._pos += len(chunk)
        return chunk

    def seek(self, *args: object) -> int:
        raise io.UnsupportedOperation("not seekable")

    def tell(self) -> int:
        raise io.UnsupportedOperation("not seekable")


@pytest.mark.parametrize("codec", list(CODECS))
@pytest.mark.parametrize("piece", [CHUNK, 4093, 997])
def test_unseekable_stream_with_short_reads(chunked: dlp.Scanner, codec: str, piece: int) -> None:
    unit = CODECS[codec]
    starts = [CHUNK * (i + 1) - (MARGIN + 7) * unit for i in range(len(PLANTS))]
    data = build(codec, starts, CHUNK * 5 + 51 * unit)
    result = chunked.scan_stream(Unseekable(data, piece), name="-")
    assert result.size == len(data)
    assert findings(result) == expected(data, codec, starts)


def test_scan_stream_over_a_real_pipe(chunked: dlp.Scanner) -> None:
    starts = [CHUNK * (i + 1) - 5 for i in range(len(PLANTS))]
    data = build("gb18030", starts, CHUNK * 6)
    read_fd, write_fd = os.pipe()

    def feed() -> None:
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            assert not pipe.seekable()
            result = chunked.scan_stream(pipe, name="-")
    finally:
        writer.join()
    assert result.encoding == "gb18030" and result.size == len(data)
    assert findings(result) == expected(data, "gb18030", starts)

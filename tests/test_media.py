"""Pictures, sound and video have no text to scan without OCR: skipped, not errors."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

from click.testing import CliRunner

import dlp
from dlp.cli import main


def _png() -> bytes:
    rows = b"".join(b"\x00" + bytes([i % 256] * 30) for i in range(30))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30, 30, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_a_picture_is_skipped_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(_png())
    result = dlp.Scanner(dlp.ScanConfig(key=b"media-test-key-0123")).scan_file(path)
    assert result.skipped == "media"
    assert not result.problems and not result.findings


def test_a_folder_of_pictures_exits_clean(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(_png())
    (tmp_path / "renamed.dat").write_bytes(_png())
    outcome = CliRunner().invoke(main, ["scan", "-f", "jsonl", "-q", "-j", "1", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    records = [json.loads(line) for line in outcome.output.splitlines()]
    skipped = [r for r in records if r["type"] == "skipped"]
    assert [r["reason"] for r in skipped] == ["media", "media"]
    assert not [r for r in records if r["type"] == "error"]


def test_a_picture_inside_an_archive_does_not_hide_the_rest(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("scan.png", _png())
        archive.writestr("contacts.txt", "手机 13812345678")
    result = dlp.Scanner(dlp.ScanConfig(key=b"media-test-key-0123")).scan_bytes(
        buffer.getvalue(), name="x.zip"
    )
    assert [f.detector for f in result.findings] == ["cn_mobile"]
    assert not result.problems

"""The same content in every supported encoding gives the same findings at the right bytes."""

from __future__ import annotations

import codecs
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

import dlp
from dlp import synthetic


@dataclass(frozen=True)
class Planted:
    detector: str
    value: str
    written: str
    line: int


def _content() -> tuple[str, list[Planted]]:
    """A customer-list-like text (header line, rows) and the values planted in it."""
    rng = random.Random(2024)
    lines = ["序号,姓名,手机,身份证号,邮箱,车牌,电话"]
    planted: list[Planted] = []
    for row in range(1, 16):
        line = len(lines) + 1
        mobile = synthetic.mobile(rng)
        mobile_written = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}" if row % 3 == 0 else mobile
        if row % 5 == 0:
            mobile_written = mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        rid = synthetic.resident_id(rng)
        rid_written = rid.lower() if row % 4 == 0 else rid
        email = synthetic.email(rng)
        plate = synthetic.plate(rng)
        area, subscriber = synthetic.landline(rng)
        tel = f"{area}-{subscriber}"
        cells = [str(row), synthetic.chinese_name(rng), mobile_written, rid_written, email, plate, tel]
        lines.append(",".join(cells))
        planted += [
            Planted("cn_mobile", mobile, mobile_written, line),
            Planted("cn_resident_id", rid, rid_written, line),
            Planted("email", email.lower(), email, line),
            Planted("cn_plate", plate, plate, line),
            Planted("cn_landline", area + subscriber, tel, line),
        ]
        if row % 4 == 1:
            lines.append(f"备注：客户说明，{synthetic.prose(rng, 30)}")
    return "\n".join(lines) + "\n", planted


TEXT, PLANTED = _content()

# name -> (how to write the file, codec to decode a slice of it, BOM length)
ENCODINGS = {
    "utf-8": ("utf-8", "utf-8", 0),
    "utf-8-bom": ("utf-8-sig", "utf-8", 3),
    "gb18030": ("gb18030", "gb18030", 0),
    "gbk": ("gbk", "gbk", 0),
    "utf-16-le-bom": ("utf-16-le", "utf-16-le", 2),
    "utf-16-be-bom": ("utf-16-be", "utf-16-be", 2),
    "utf-16-le": ("utf-16-le", "utf-16-le", 0),
    "utf-16-be": ("utf-16-be", "utf-16-be", 0),
    "utf-32-bom": ("utf-32-le", "utf-32-le", 4),
}
BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
BOMS["utf-32-le"] = codecs.BOM_UTF32_LE


def encode(text: str, name: str) -> bytes:
    codec, decode_codec, bom = ENCODINGS[name]
    data = text.encode(codec)
    if bom and not data.startswith(BOMS[decode_codec]):
        data = BOMS[decode_codec] + data
    return data


def expected() -> list[tuple[str, str, int]]:
    return sorted((p.detector, p.value, p.line) for p in PLANTED)


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_same_findings_in_every_encoding(scanner: dlp.Scanner, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"customers-{name}.csv"
    data = encode(TEXT, name)
    path.write_bytes(data)
    result = scanner.scan_file(path)
    assert result.problems == ()
    found = [f for f in result.findings if not f.detector.startswith("yara:")]
    assert sorted((f.detector, f.value or "", f.location.line) for f in found) == expected()
    decode_codec = ENCODINGS[name][1]
    written = {(p.detector, p.value, p.line): p.written for p in PLANTED}
    for f in found:
        text_from_offset = data[f.location.offset :].decode(decode_codec, "replace")
        assert text_from_offset.startswith(written[(f.detector, f.value or "", f.location.line)]), (name, f)
    # every value of this encoding is found at a distinct place, and in file order
    offsets = [f.location.offset for f in found]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_fingerprints_do_not_depend_on_the_encoding(masked_scanner: dlp.Scanner, name: str) -> None:
    reference = masked_scanner.scan_bytes(TEXT.encode("utf-8"))
    other = masked_scanner.scan_bytes(encode(TEXT, name))
    assert [f.fingerprint for f in other.findings] == [f.fingerprint for f in reference.findings]
    assert all(f.value is None for f in other.findings)


def test_crlf_line_endings(scanner: dlp.Scanner) -> None:
    data = TEXT.replace("\n", "\r\n").encode("gb18030")
    result = scanner.scan_bytes(data)
    assert sorted((f.detector, f.value or "", f.location.line) for f in result.findings) == expected()


def test_binary_junk_is_reported_not_crashed(scanner: dlp.Scanner, tmp_path: Path) -> None:
    for seed in range(4):
        junk = random.Random(seed).randbytes(50_000) + b"\x00" * 16
        path = tmp_path / f"junk{seed}.bin"
        path.write_bytes(junk)
        result = scanner.scan_file(path)
        assert [p.reason for p in result.problems] == ["binary"]
        assert result.problems[0].partial
        assert not result.complete


def test_text_embedded_in_binary_is_still_found(scanner: dlp.Scanner) -> None:
    junk = random.Random(7).randbytes(30_000)
    embedded = "手机 13812345678\n".encode()
    data = junk[:10_000] + b"\x00\n" + embedded + junk[10_000:]
    result = scanner.scan_bytes(data)
    assert [p.reason for p in result.problems] == ["binary"]
    assert [(f.value, f.location.offset) for f in result.findings if f.detector == "cn_mobile"] == [
        ("13812345678", 10_002 + len("手机 ".encode()))
    ]


def _with_invalid_bytes(name: str, bad: bytes) -> bytes:
    """TEXT encoded as ``name`` with ``bad`` inserted after some line breaks."""
    codec = ENCODINGS[name][0]
    out = b""
    for number, line in enumerate(TEXT.splitlines(keepends=True)):
        out += line.encode(codec)
        if number % 6 == 2:
            out += bad
    return out


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("utf-8", b"\xff"),
        ("utf-8", b"\xc3("),
        ("gb18030", b"\xff"),
        ("utf-16-le", b"\x00\xd8"),  # a lone high surrogate
    ],
)
def test_a_few_invalid_bytes_do_not_lose_the_findings(scanner: dlp.Scanner, name: str, bad: bytes) -> None:
    data = _with_invalid_bytes(name, bad)
    result = scanner.scan_bytes(data)
    assert sorted((f.detector, f.value or "") for f in result.findings) == sorted(
        (d, v) for d, v, _ in expected()
    )
    assert result.problems and all(p.partial for p in result.problems)
    assert {p.reason for p in result.problems} == {"decode_errors"}

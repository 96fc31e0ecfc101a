"""OCR-only repairs (dlp.ocr.repair): what they fix, what they leave; ordinary text never sees them."""

from __future__ import annotations

import pytest

import dlp
from dlp.ocr.picture import decode
from dlp.ocr.repair import repair

ID = "11010519491231002X"
ID2 = "440524188001010014"
MOBILE = "13812345678"


@pytest.mark.parametrize(
    ("ocr_text", "repaired"),
    [
        (f"{MOBILE}{ID}", f"{MOBILE} {ID}"),  # two cells glued into one digit run
        (f"{ID}{MOBILE}", f"{ID} {MOBILE}"),
        (f"{MOBILE}13912345678", f"{MOBILE} 13912345678"),
        (f"{ID}35", f"{ID} 35"),  # a right-aligned age glued to the ID
        (f"2024{ID2}", f"2024 {ID2}"),
        ("京|A12345 粤IB·D12345 沪丨C88888", "京A12345 粤B·D12345 沪C88888"),
        ("电话 l38l2345678", f"电话 {MOBILE}"),  # look-alike letters in a valid value
    ],
)
def test_repairs(ocr_text: str, repaired: str) -> None:
    assert repair(ocr_text) == repaired


@pytest.mark.parametrize(
    "ocr_text",
    [
        "订单号 20240517138123456789",  # a mobile-shaped part of an order number stays glued
        "1715923456789",  # a millisecond timestamp
        "6222021234567890123",  # a bank account number
        "余额 13800.00 流水 1101051949",
        "Hello World l0O",
        "京IA",  # too short to be a plate
        f"手机{MOBILE}",
        ID,
    ],
)
def test_leaves_what_is_not_certain(ocr_text: str) -> None:
    assert repair(ocr_text) == ocr_text


def test_ordinary_text_is_not_repaired(scanner: dlp.Scanner) -> None:
    """The same glued text from a file (not OCR) finds nothing: repairs are for OCR text only."""
    found = scanner.scan_text(f"编号 {MOBILE}{ID}\n车牌 京|A12345\n").findings
    assert found == ()


def test_a_declared_bomb_is_refused_before_decoding() -> None:
    import io
    import struct
    import zlib

    from dlp.extract.base import LimitHit

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 10^10 pixels declared
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    with pytest.raises(LimitHit) as hit:
        decode(io.BytesIO(png), max_pixels=1_000_000, max_declared=50_000_000, label="bomb.png")
    assert hit.value.reason == "limit_pixels"


def test_a_large_picture_is_scaled_down_to_the_cap() -> None:
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(data, "PNG")
    picture = decode(io.BytesIO(data.getvalue()), max_pixels=1_200_000, max_declared=10**8, label="x.png")
    assert picture.image.width * picture.image.height <= 1_200_000
    assert picture.size == (4000, 3000) and picture.scale == pytest.approx(4000 / picture.image.width)

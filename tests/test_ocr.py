"""dlp scan --ocr: pictures of every supported format, pictures in documents, a scanned PDF, the budgets.

These tests read real pictures with the real engine (the ``ocr`` extra, which CI
installs); one OCR scanner serves the session and the pictures are few and small.
"""

from __future__ import annotations

import email.message
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import dlp
from dlp.ocr.engine import available

TEST_KEY = b"dlp-test-suite-key-0123456789abcdef"  # conftest's key
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
MOBILE = "13912345678"
ID = "11010519491231002X"

needs_ocr = pytest.mark.skipif(
    not available() or not FONT.exists(), reason="needs the ocr extra and fonts-noto-cjk"
)


def picture(lines: list[str], size: tuple[int, int] = (420, 110)):  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 22)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((16, 14 + 40 * i), line, font=font, fill="black")
    return image


def encoded(image, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    data = io.BytesIO()
    image.save(data, fmt)
    return data.getvalue()


@pytest.fixture(scope="session")
def ocr_scanner(cache_home: Path) -> dlp.Scanner:
    return dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, reveal=True, cache_dir=cache_home, ocr=True))


def values(result: dlp.ScanResult) -> set[tuple[str, str | None]]:
    return {(f.detector, f.value) for f in result.findings}


@needs_ocr
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF"])
def test_each_picture_format(ocr_scanner: dlp.Scanner, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "shot.bin"  # the content decides, not the name
    path.write_bytes(encoded(picture([f"手机 {MOBILE}"]), fmt))
    result = ocr_scanner.scan_file(path)
    assert values(result) == {("cn_mobile", MOBILE)}
    box = result.findings[0].location.box
    assert box is not None and 0 <= box[0] < box[2] <= 420 and 0 <= box[1] < box[3] <= 110
    record = result.findings[0].as_record()
    assert record["location"]["box"] == list(box)


@needs_ocr
def test_pictures_inside_documents_mails_and_archives(ocr_scanner: dlp.Scanner, tmp_path: Path) -> None:
    import docx

    png = encoded(picture([f"身份证 {ID}"]), "PNG")
    (tmp_path / "p.png").write_bytes(png)
    document = docx.Document()
    document.add_paragraph("附件如下")
    document.add_picture(str(tmp_path / "p.png"))
    document.save(tmp_path / "a.docx")
    found = ocr_scanner.scan_file(tmp_path / "a.docx")
    assert values(found) == {("cn_resident_id", ID)}
    assert found.findings[0].member == "word/media/image1.png"

    message = email.message.EmailMessage()
    message["Subject"] = "名单"
    message.set_content("见附件")
    message.add_attachment(png, maintype="image", subtype="png", filename="list.png")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("mail.eml", message.as_bytes())
    found = ocr_scanner.scan_bytes(archive.getvalue(), name="out.zip")
    assert values(found) == {("cn_resident_id", ID)}
    assert found.findings[0].member is not None and found.findings[0].member.startswith("mail.eml!")


@needs_ocr
def test_a_scanned_pdf(ocr_scanner: dlp.Scanner, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    picture(["客户", f"电话 {MOBILE}"], (500, 130)).save(path, "PDF", resolution=100)
    result = ocr_scanner.scan_file(path)
    assert values(result) == {("cn_mobile", MOBILE)}
    location = result.findings[0].location
    assert location.page == 1 and location.box is not None


@needs_ocr
def test_ocr_repairs_apply_to_picture_text(ocr_scanner: dlp.Scanner, tmp_path: Path) -> None:
    path = tmp_path / "glued.png"
    path.write_bytes(encoded(picture([f"{MOBILE}{ID}"], (520, 70)), "PNG"))
    assert values(ocr_scanner.scan_file(path)) == {("cn_mobile", MOBILE), ("cn_resident_id", ID)}


@needs_ocr
def test_budgets(make_scanner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    png = encoded(picture([f"手机 {MOBILE}"]), "PNG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.png", png)
        zf.writestr("b.png", png)
        zf.writestr("notes.txt", "手机 13812345678")
    one = make_scanner(ocr=True, ocr_max_images=1)
    result = one.scan_bytes(archive.getvalue(), name="two.zip")
    assert [p.reason for p in result.problems] == ["limit_images"]
    assert result.problems[0].member == "b.png" and result.problems[0].partial
    assert sorted(f.value for f in result.findings) == ["13812345678", MOBILE]  # the text member still counts

    spent = make_scanner(ocr=True, ocr_max_images_total=1)
    first, second = (spent.scan_bytes(png, name=n) for n in ("1.png", "2.png"))
    assert values(first) == {("cn_mobile", MOBILE)} and not first.problems
    assert not second.findings and [p.reason for p in second.problems] == ["limit_images"]

    slow = make_scanner(ocr=True, ocr_timeout=1e-6)
    timed = slow.scan_bytes(png, name="slow.png")
    assert [(p.reason, p.partial) for p in timed.problems] == [("limit_ocr_time", True)]

    small = make_scanner(ocr=True, ocr_max_pixels=20_000)  # 420 x 110 goes down to ~276 x 72
    scaled = small.scan_bytes(encoded(picture([f"手机 {MOBILE}"]), "PNG"), name="big.png")
    assert all(f.location.box[2] <= 420 for f in scaled.findings)  # boxes in the picture's own pixels


@needs_ocr
def test_cli_ocr_switch(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "shot.png").write_bytes(encoded(picture([f"手机 {MOBILE}"]), "PNG"))
    without = cli(["scan", "-f", "jsonl", "-q", "-j", "1", str(tmp_path)])
    assert without.exit_code == 0 and '"reason":"media"' in without.out
    with_ocr = cli(["scan", "--ocr", "-f", "jsonl", "-q", "-j", "1", str(tmp_path)])
    assert with_ocr.exit_code == 1
    finding = next(json.loads(line) for line in with_ocr.out.splitlines() if '"finding"' in line)
    assert finding["detector"] == "cn_mobile" and len(finding["location"]["box"]) == 4


BLOCK_EXTRA = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("rapidocr", "onnxruntime"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
import importlib.util
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name in ("rapidocr", "onnxruntime") else real(name, *a)
from dlp.cli import run
sys.argv = ["dlp", "scan", "--ocr", "-q", sys.argv[1]]
run()
"""


def test_without_the_extra_ocr_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("nothing")
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_EXTRA, str(tmp_path)], capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stderr
    assert b"pip install 'dlp[ocr]'" in done.stderr
    monkeypatch.setattr("dlp.ocr.engine.available", lambda: False)
    with pytest.raises(dlp.ConfigError, match=r"pip install 'dlp\[ocr\]'"):
        dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, ocr=True))

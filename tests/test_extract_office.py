"""Spreadsheets, Word and PowerPoint files: every place text hides, located by sheet/cell or part/paragraph.

Fixtures are built in code (openpyxl, python-docx, python-pptx through the
builders of ``benchmarks/accuracy_documents.py``) from synthetic values.
"""

from __future__ import annotations

import random
from pathlib import Path

import benchmark_modules
import pytest

import dlp
from dlp import synthetic
from dlp.extract.base import cell_text

docs = benchmark_modules.load("accuracy_documents")


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-office-0123456789", reveal=True, cache_dir=cache))


@pytest.fixture()
def rng() -> random.Random:
    return random.Random(7)


def _by_value(result: dlp.ScanResult) -> dict[str, dlp.Finding]:
    return {f.value: f for f in result.findings if f.value is not None}


def test_cell_text_renders_numbers_exactly() -> None:
    assert cell_text(13812345678.0) == "13812345678"
    assert cell_text(13812345678) == "13812345678"
    assert cell_text(12345678901234567890) == "12345678901234567890"
    assert cell_text(1.5e-7) == "0.00000015"
    assert cell_text(2.5e20) == "250000000000000000000"
    assert cell_text(1234.5) == "1234.5"
    assert cell_text(False) == "FALSE"


def test_xlsx_every_sheet_numeric_cells_and_locations(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, hidden_id, card = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.bank_card(rng, 16)
    very_hidden_mail = synthetic.email(rng)
    data = docs.xlsx_bytes(
        [
            (
                "客户",
                [["姓名", "手机", "备注"], ["王伟", float(mobile), "无"], ["李娜", None, 12345.5]],
                "visible",
            ),
            ("备份", [["证件"], [hidden_id]], "hidden"),
            ("卡", [["银行卡号"], [int(card)]], "visible"),
            ("x", [["mail"], [very_hidden_mail]], "veryHidden"),
        ]
    )
    found = _by_value(scanner.scan_bytes(data, name="customers.xlsx"))
    assert set(found) == {mobile, hidden_id, card, very_hidden_mail}
    loc = found[mobile].location
    assert (loc.sheet, loc.cell) == ("客户", "B2")
    assert found[mobile].confidence == 0.95  # the header 手机 counts as context
    assert (found[hidden_id].location.sheet, found[hidden_id].location.cell) == ("备份", "A2")
    assert found[card].detector == "bank_card"  # needs context: the sheet's header gives it
    record = found[mobile].as_record()
    assert record["location"]["sheet"] == "客户" and record["location"]["cell"] == "B2"
    assert "page" not in record["location"]


def test_xlsx_row_is_one_line_of_context(scanner: dlp.Scanner, rng: random.Random) -> None:
    card = synthetic.bank_card(rng, 19)
    rows = [["编号", "说明"]] + [[i, "x"] for i in range(50)] + [["银行卡号", card]]
    found = _by_value(scanner.scan_bytes(docs.xlsx_bytes([("s", rows, "visible")]), name="a.xlsx"))
    assert found[card].location.cell == "B52"


def test_renamed_xlsx_is_read_as_a_workbook(scanner: dlp.Scanner, rng: random.Random, tmp_path: Path) -> None:
    mobile = synthetic.mobile(rng)
    path = tmp_path / "报名表.dat"
    path.write_bytes(docs.xlsx_bytes([("报名", [["手机"], [int(mobile)]], "visible")]))
    result = scanner.scan_file(path)
    assert [f.value for f in result.findings] == [mobile]
    assert result.findings[0].location.sheet == "报名"
    assert result.complete


def test_docx_runs_tables_headers_footers_textboxes(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid, table_mobile = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.mobile(rng)
    company, box_mail = synthetic.uscc(rng), synthetic.email(rng)
    area, sub = synthetic.landline(rng)
    data = docs.docx_bytes(
        [["合同"], ["甲方手机：", mobile[:4], mobile[4:9], mobile[9:], "，身份证：", rid[:10], rid[10:]]],
        table=[["姓名", "手机"], ["王伟", table_mobile]],
        header=f"统一社会信用代码 {company}",
        footer=f"电话 {area}-{sub}",
        textbox=f"邮箱 {box_mail}",
    )
    result = scanner.scan_bytes(data, name="contract.docx")
    found = _by_value(result)
    assert set(found) == {mobile, rid, table_mobile, company, area + sub, box_mail}
    assert [f.value for f in result.findings].count(box_mail) == 1  # the VML fallback copy is skipped
    assert (found[mobile].location.part, found[mobile].location.paragraph) == ("word/document.xml", 2)
    assert found[company].location.part.startswith("word/header")
    assert found[area + sub].location.part.startswith("word/footer")
    assert found[table_mobile].location.part == "word/document.xml"


def test_pptx_slides_and_tables(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    data = docs.pptx_bytes([["客户"], [f"手机 {mobile}"]], table=[["姓名", "身份证"], ["李娜", rid]])
    found = _by_value(scanner.scan_bytes(data, name="deck.pptx"))
    assert set(found) == {mobile, rid}
    assert found[mobile].location.part == "ppt/slides/slide2.xml"
    assert found[rid].location.part == "ppt/slides/slide2.xml"


def test_truncated_workbook_is_a_corrupt_record(scanner: dlp.Scanner, rng: random.Random) -> None:
    data = docs.xlsx_bytes([("s", [["手机"], [synthetic.mobile(rng)]], "visible")])
    result = scanner.scan_bytes(data[: len(data) // 2], name="half.xlsx")
    assert result.findings == ()
    assert [p.reason for p in result.problems] == ["corrupt"]
    assert "zip" in result.problems[0].message


def test_damaged_sheet_xml_is_a_corrupt_record(scanner: dlp.Scanner) -> None:
    good = docs.xlsx_bytes([("s", [["a"]], "visible")])
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(
                info, b"<worksheet><sheetData><row" if info.filename.endswith("sheet1.xml") else body
            )
    result = scanner.scan_bytes(out.getvalue(), name="bad.xlsx")
    assert [p.reason for p in result.problems] == ["corrupt"]


def test_opendocument_text(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>'
        f"<text:p>手机<text:s/><text:span>{mobile[:5]}</text:span>{mobile[5:]}</text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>身份证</text:p></table:table-cell>"
        f"<table:table-cell><text:p>{rid}</text:p></table:table-cell></table:table-row></table:table>"
        "</office:text></office:body></office:document-content>"
    )
    data = docs.zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content.encode()}
    )
    found = {f.value: f for f in scanner.scan_bytes(data, name="合同.odt").findings}
    assert set(found) == {mobile, rid}
    assert (found[mobile].location.part, found[mobile].location.paragraph) == ("content.xml", 1)
    assert found[rid].location.paragraph == 3

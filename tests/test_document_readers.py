"""Spreadsheets through python-calamine, PDFs through PDFium, and both through the core's
batched path: numbers, merged cells, cached formula values, OpenDocument sheets, a
sparse sheet declaring row 999,999,999, a PDF stream bomb, two-column pages, damaged
files, and the JSONL the core writes for documents (the same records as the API's).

Workbooks whose XML matters (formulas with cached values, merged ranges, far cells)
are written here as XML; values are synthetic.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
import zlib
from pathlib import Path

import benchmark_modules
import pytest
from click.testing import CliRunner

import dlp
from dlp import synthetic
from dlp.cli import main as cli

docs = benchmark_modules.load("accuracy_documents")

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
    'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx_xml(sheet_data: str, tail: str = "") -> bytes:
    """A one-sheet workbook (sheet 名单) whose ``<sheetData>`` is ``sheet_data``."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>{tail}</worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def ods_bytes(rows: list[list[tuple[str, str]]], raw_rows: str = "") -> bytes:
    """An OpenDocument spreadsheet; cells are (value type, value); ``raw_rows``: more rows as XML."""
    body = []
    for row in rows:
        cells = []
        for kind, value in row:
            if kind == "float":
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}'
                    "</text:p></table:table-cell>"
                )
            else:
                cells.append(
                    '<table:table-cell office:value-type="string">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
        body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="客户">'
        + "".join(body)
        + raw_rows
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def pdf_pages(contents: list[bytes]) -> bytes:
    """A PDF (Helvetica) whose pages have these content streams, Flate-compressed."""
    objects = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for content in contents:
        stream = zlib.compress(content)
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream)
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, obj))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-readers-0123456789", reveal=True, cache_dir=cache))


@pytest.fixture()
def rng() -> random.Random:
    return random.Random(14)


def _by_value(result: dlp.ScanResult) -> dict[str, dlp.Finding]:
    return {f.value: f for f in result.findings if f.value is not None}


def test_numbers_formulas_and_merged_cells(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, other, rid = synthetic.mobile(rng), synthetic.mobile(rng), synthetic.resident_id(rng)
    rows = (
        '<row r="1">' + _inline("A1", "姓名") + _inline("B1", "手机") + _inline("C1", "身份证号") + "</row>"
        f'<row r="2">{_inline("A2", "王伟")}<c r="B2"><v>{mobile}</v></c>{_inline("C2", rid)}</row>'
        # a formula: its cached value is what is read
        f'<row r="3">{_inline("A3", "李娜")}<c r="B3"><f>B2+1-1</f><v>{other}</v></c>'
        '<c r="D3"><v>42.0</v></c></row>'
        f'<row r="5">{_inline("A5", "合并")}</row>'
    )
    merged = '<mergeCells count="1"><mergeCell ref="A5:C6"/></mergeCells>'
    result = scanner.scan_bytes(xlsx_xml(rows, merged), name="book.xlsx")
    found = _by_value(result)
    assert set(found) == {mobile, other, rid}
    assert (found[mobile].location.sheet, found[mobile].location.cell) == ("名单", "B2")
    assert found[other].location.cell == "B3"
    assert found[rid].location.cell == "C2"
    assert found[mobile].confidence == 0.95  # 手机 in the header is its context
    assert result.complete


def test_number_cells_render_as_people_see_them(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    data = docs.xlsx_bytes(
        [("s", [["手机", "金额", "编号"], [int(mobile), 2.0, "0013812345678"]], "visible")]
    )
    result = scanner.scan_bytes(data, name="n.xlsx")
    assert [f.value for f in result.findings] == [mobile]
    # the extracted text itself: the integer float has no ".0", the text cell stays text
    from dlp._core import DocText

    doc = DocText(1 << 20, 0)
    place = doc.place(b',"sheet":"s"', "s")
    doc.add_rows([[13812345678.0, 2.0, 0.5, True, "0013812345678", None, 7]], 1, 0, place, str)
    assert doc.buffer() == b"13812345678\t2\t0.5\tTRUE\t0013812345678\t7"
    assert [cell for *_, cell in doc.locate([0, 12, 14, 18, 23, 37])] == ["A1", "B1", "C1", "D1", "E1", "G1"]


def test_opendocument_spreadsheet(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    data = ods_bytes([[("string", "手机"), ("string", "身份证号")], [("float", mobile), ("string", rid)]])
    result = scanner.scan_bytes(data, name="list.ods")
    found = _by_value(result)
    assert set(found) == {mobile, rid}
    assert (found[mobile].location.sheet, found[mobile].location.cell) == ("客户", "A2")
    assert found[rid].location.cell == "B2"


def test_sparse_sheet_far_row_is_reported_without_materialising(
    scanner: dlp.Scanner, rng: random.Random
) -> None:
    mobile = synthetic.mobile(rng)
    rows = (
        f'<row r="1">{_inline("A1", "手机")}</row>'
        f'<row r="999999999"><c r="C999999999"><v>{mobile}</v></c></row>'
        f'<row r="5"><c r="XFD5" t="inlineStr"><is><t>备注</t></is></c></row>'
    )
    data = xlsx_xml(rows, "")
    assert len(data) < 5000
    result = scanner.scan_bytes(data, name="far.xlsx")
    found = _by_value(result)
    assert set(found) == {mobile}
    assert (found[mobile].location.sheet, found[mobile].location.cell) == ("名单", "C999999999")
    assert result.complete


def test_ods_rows_past_a_billion_repeats_are_reported(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    far = (
        '<table:table-row table:number-rows-repeated="999999997"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        f'<table:table-cell office:value-type="float" office:value="{mobile}"><text:p>{mobile}</text:p>'
        "</table:table-cell></table:table-row>"
    )
    data = ods_bytes([[("string", "手机"), ("string", rid)]], far)
    result = scanner.scan_bytes(data, name="far.ods")
    found = _by_value(result)
    assert set(found) == {mobile, rid}
    assert found[mobile].location.cell == "C999999999" and found[rid].location.cell == "B1"
    assert result.complete


def test_sheet_xml_bomb_is_stopped_by_the_ratio(scanner: dlp.Scanner) -> None:
    filler = "<row>" + "<c/>" * 1000 + "</row>"
    data = xlsx_xml(_inline("A1", "x") + filler * 5000, "")
    result = scanner.scan_bytes(data, name="bomb.xlsx")
    assert [p.reason for p in result.problems] == ["limit_ratio"]


def test_pdf_stream_bomb_is_a_ratio_limit_record(tmp_path: Path) -> None:
    packer = zlib.compressobj(9)
    parts = [packer.compress(b" " * (1 << 20)) for _ in range(64)]
    parts.append(packer.compress(b"BT /F1 10 Tf 40 800 Td (Tel 13812345678) Tj ET") + packer.flush())
    stream = b"".join(parts)
    extra = b"9 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
    data = pdf_pages([b"BT ET"]).replace(b"1.4\n", b"1.4\n" + extra + stream + b"\nendstream\nendobj\n", 1)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(data)
    run = CliRunner().invoke(
        cli, ["scan", str(path), "-f", "jsonl", "-q", "--no-config", "--file-timeout", "5"]
    )
    records = [json.loads(line) for line in run.output.splitlines()]
    errors = [r for r in records if r["type"] == "error"]
    assert [(e["reason"], e["partial"]) for e in errors] == [("limit_ratio", True)]
    assert run.exit_code == 3


def test_two_column_pdf_page(scanner: dlp.Scanner, rng: random.Random) -> None:
    left, right = synthetic.mobile(rng), synthetic.resident_id(rng)
    content = (
        b"BT /F1 10 Tf 40 800 Td (Left column: Tel %s) Tj ET "
        b"BT /F1 10 Tf 320 800 Td (Right column: ID %s) Tj ET "
        b"BT /F1 10 Tf 40 780 Td (more left text) Tj ET "
        b"BT /F1 10 Tf 320 780 Td (more right text) Tj ET" % (left.encode(), right.encode())
    )
    result = scanner.scan_bytes(
        pdf_pages([b"BT /F1 10 Tf 40 800 Td (cover) Tj ET", content]), name="cols.pdf"
    )
    found = _by_value(result)
    assert set(found) == {left, right}
    assert found[left].location.page == 2 and found[right].location.page == 2


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "pdf", "docx", "xls"])
def test_damaged_files_of_each_format_are_corrupt_records(
    scanner: dlp.Scanner, rng: random.Random, fmt: str
) -> None:
    mobile = synthetic.mobile(rng)
    whole = {
        "xlsx": lambda: docs.xlsx_bytes([("s", [["手机"], [mobile]], "visible")]),
        "ods": lambda: ods_bytes([[("string", "手机")], [("float", mobile)]]),
        "pdf": lambda: pdf_pages([b"BT /F1 10 Tf 40 800 Td (Tel %s) Tj ET" % mobile.encode()]),
        "docx": lambda: docs.docx_bytes([f"手机 {mobile}"]),
        "xls": lambda: docs.xls_bytes([("s", [["手机"], [float(mobile)]], False)]),
    }[fmt]()
    damaged = whole[: len(whole) // 3] + bytes(64)
    result = scanner.scan_bytes(damaged, name=f"cut.{fmt}")
    assert [p.reason for p in result.problems] == ["corrupt"]
    assert not result.complete


def test_document_jsonl_from_the_core_equals_the_api_records(tmp_path: Path, rng: random.Random) -> None:
    rows = [["姓名", "手机", "身份证号", "邮箱"]]
    rows += [
        ["王伟", int(synthetic.mobile(rng)), synthetic.resident_id(rng), synthetic.email(rng)]
        for _ in range(300)
    ]
    book = docs.xlsx_bytes([("客户", rows, "visible"), ("隐藏", rows[:20], "hidden")])
    pdf = docs.pdf_bytes(
        [["客户登记表", f"手机：{synthetic.mobile(rng)}"], [f"身份证号 {synthetic.resident_id(rng)}"]]
    )
    archive = docs.zip_bytes({"list.xlsx": book, "form.pdf": pdf, "a.csv": "手机\n13812345678\n".encode()})
    (tmp_path / "in").mkdir()
    for name, data in (("list.xlsx", book), ("form.pdf", pdf), ("all.zip", archive)):
        (tmp_path / "in" / name).write_bytes(data)
    key = "k" * 32
    run = CliRunner(env={"DLP_KEY": key}).invoke(
        cli, ["scan", str(tmp_path / "in"), "-f", "jsonl", "-q", "--no-config", "-j", "1"]
    )
    records = [json.loads(line) for line in run.output.splitlines()]
    cli_findings = sorted(json.dumps(r, sort_keys=True) for r in records if r["type"] == "finding")
    scanner = dlp.Scanner(dlp.ScanConfig(key=key.encode(), cache_dir=tmp_path / "cache"))
    api = []
    for result in scanner.scan_paths([tmp_path / "in"]):
        api += [json.dumps(f.as_record(), sort_keys=True) for f in result.findings]
    assert len(cli_findings) > 600
    assert cli_findings == sorted(api)
    verdicts = {(r["path"].rsplit("/", 1)[-1], r.get("member")): r for r in records if r["type"] == "file"}
    assert verdicts[("list.xlsx", None)]["verdict"] == "customer_list"
    assert verdicts[("list.xlsx", None)]["rows"] == 319  # sheet rows with two or more kinds: 300 + 19 hidden
    assert verdicts[("all.zip", "list.xlsx")]["rows"] == 319
    assert verdicts[("all.zip", "a.csv")]["verdict"] == "contains_pii"


def test_pdf_parsing_child_is_reaped_and_stopped_by_the_time_budget(
    tmp_path: Path, rng: random.Random
) -> None:
    import os

    mobile = synthetic.mobile(rng)
    page = b"BT /F1 10 Tf 40 800 Td (Tel %s) Tj ET" % mobile.encode()
    scanner = dlp.Scanner(dlp.ScanConfig(key=b"test-key-readers-0123456789", cache_dir=tmp_path / "c"))
    result = scanner.scan_bytes(pdf_pages([page] * 3), name="three.pdf")
    assert [(f.detector, f.location.page) for f in result.findings] == [("cn_mobile", p) for p in (1, 2, 3)]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the parsing child was waited for
    many = pdf_pages([page] * 3000)
    hurried = dlp.Scanner(
        dlp.ScanConfig(key=b"test-key-readers-0123456789", cache_dir=tmp_path / "c", file_timeout=0.05)
    )
    result = hurried.scan_bytes(many, name="long.pdf")
    assert [p.reason for p in result.problems] == ["limit_time"]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_email_of_50000_parts_is_read_to_its_last_part(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    lines = ["From: a@example.com", "Subject: =?utf-8?b?5a6i5oi3?=", "MIME-Version: 1.0"]
    lines += ['Content-Type: multipart/mixed; boundary="B"', ""]
    for i in range(50_000):
        lines += ["--B", "Content-Type: text/plain", "", f"part {i}"]
    lines += ["--B", "Content-Type: text/plain", "", f"手机 {mobile}", "--B--", ""]
    result = scanner.scan_bytes("\n".join(lines).encode(), name="many.eml")
    found = _by_value(result)
    assert found[mobile].location.part == "50001"
    assert result.complete


def test_doc_text_keeps_only_the_look_behinds_place_after_a_scan() -> None:
    from dlp._core import DocText

    doc = DocText(16, 4)
    places = [doc.place(b',"paragraph":%d' % i) for i in range(1000)]
    assert doc.add_text("the first paragraph", places[-1], "\n")  # full
    assert doc.roll() == 999  # the table is cut down to that place, now index 0
    fresh = doc.place(b',"paragraph":1000')
    assert fresh == 1
    doc.add_text("13812345678", fresh, "\n")
    assert doc.buffer() == b"raph\n13812345678"
    assert [(place, line) for _, line, place, _ in doc.locate([0, 5])] == [(0, 1), (1, 2)]

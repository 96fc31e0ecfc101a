"""PDF, e-mail, HTML, XML and JSON: decoded text, located by page, MIME part or source line."""

from __future__ import annotations

import json
import random

import benchmark_modules
import pytest

import dlp
from dlp import synthetic
from dlp.extract.jsontext import unescape
from dlp.extract.markup import to_text
from dlp.extract.sniff import sniff_kind

docs = benchmark_modules.load("accuracy_documents")
_ZIP = docs.zip_bytes({"a.csv": b"x"})


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-formats-0123456789", reveal=True, cache_dir=cache))


@pytest.fixture()
def rng() -> random.Random:
    return random.Random(11)


def _values(result: dlp.ScanResult) -> list[str]:
    return [f.value for f in result.findings if f.value is not None and not f.detector.startswith("yara:")]


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (b"%PDF-1.4\n", "x.bin", "pdf"),
        (_ZIP, "a.txt", "zip"),
        (b"\x1f\x8b\x08\x00" + bytes(6), "x", "gzip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old.doc", "ole"),
        ("手机 13812345678\n".encode(), "notes.txt", "text"),
        ("<div>手机</div>\n".encode(), "frag.html", "html"),  # libmagic says text/plain: the name hints
        (b"<!DOCTYPE html><html><body>x</body></html>", "page.txt", "html"),
        (b'{"a": 1}', "data", "json"),
        (b"From: a@example.com\nTo: b@example.com\nSubject: x\n\nhi\n", "m.eml", "eml"),
        ("姓名,手机\n王伟,13812345678\n".encode("gb18030"), "x.csv", "text"),
        ("手机 13812345678".encode("utf-16"), "x.txt", "text"),
    ],
)
def test_sniff_kind_by_content(head: bytes, name: str, kind: str) -> None:
    assert sniff_kind(head, name) == kind


def test_pdf_with_cjk_font_by_page(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid, mail = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.email(rng)
    data = docs.pdf_bytes([["客户登记表", f"手机：{mobile}"], ["第二页", f"身份证号 {rid}", f"邮箱 {mail}"]])
    result = scanner.scan_bytes(data, name="form.pdf")
    found = {f.value: f for f in result.findings}
    assert set(_values(result)) == {mobile, rid, mail}
    assert found[mobile].location.page == 1 and found[rid].location.page == 2
    assert result.complete


def test_encrypted_pdf_is_a_finding(scanner: dlp.Scanner, rng: random.Random) -> None:
    data = docs.pdf_bytes([[f"手机 {synthetic.mobile(rng)}"]])
    secret = b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >> /ID [<%s> <%s>] /Root" % (
        b"11" * 32,
        b"22" * 32,
        b"33" * 16,
        b"33" * 16,
    )
    result = scanner.scan_bytes(data.replace(b"/Root", secret, 1), name="locked.pdf")
    assert [(f.detector, f.masked, f.severity.value) for f in result.findings] == [
        ("encrypted_container", "encrypted pdf", "medium")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + bytes(range(256)) * 40,
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog",
    ],
    ids=["junk", "cut"],
)
def test_damaged_pdf_is_a_corrupt_record(scanner: dlp.Scanner, data: bytes) -> None:
    result = scanner.scan_bytes(data, name="bad.pdf")
    assert result.findings == ()
    assert [p.reason for p in result.problems] == ["corrupt"]


def test_eml_headers_bodies_and_attachments(scanner: dlp.Scanner, rng: random.Random) -> None:
    sender, body_mobile, html_id = synthetic.email(rng), synthetic.mobile(rng), synthetic.resident_id(rng)
    sheet_mobile = synthetic.mobile(rng)
    sheet = docs.xlsx_bytes([("名单", [["手机"], [int(sheet_mobile)]], "visible")])
    data = docs.eml_bytes(
        sender=sender,
        to="ops@example.com",
        subject="客户名单",
        body=f"客户手机 {body_mobile}，详见附件。",
        html=f"<p>身份证&nbsp;{html_id}</p>",
        attachments=[("名单.xlsx", sheet)],
    )
    result = scanner.scan_bytes(data, name="mail.eml")
    found = {f.value: f for f in result.findings}
    assert set(_values(result)) == {sender, "ops@example.com", body_mobile, html_id, sheet_mobile}
    assert found[sender].location.part == "headers"
    assert found[body_mobile].location.part == "1.1"  # multipart/mixed > alternative > text/plain
    assert found[sheet_mobile].member == "名单.xlsx" and found[sheet_mobile].location.sheet == "名单"
    assert found[body_mobile].member is None


def test_html_entities_inline_tags_comments_scripts(scanner: dlp.Scanner, rng: random.Random) -> None:
    m1, m2, m3, m4, card = (synthetic.mobile(rng) for _ in range(5))
    page = (
        "<!DOCTYPE html>\n<html><body>\n"
        f"<p>手机&nbsp;{m1[:3]}&nbsp;{m1[3:7]}&nbsp;{m1[7:]}</p>\n"
        f"<p>电话 <b>{m2[:3]}</b>{m2[3:]}</p><!-- 备用手机 {m3} -->\n"
        f'<script>var phone = "{m4}";</script>\n'
        f'<a href="tel:{card}">x</a>\n'
        f"<td>{m1}</td><td>{m2}</td>\n"
        "</body></html>\n"
    )
    result = scanner.scan_bytes(page.encode(), name="page.html")
    values = _values(result)
    assert {m1, m2, m3, m4, card} <= set(values)
    lines = {f.value: f.location.line for f in result.findings if f.value == m3}
    assert lines == {m3: 4}  # lines are the source's


def test_markup_to_text() -> None:
    text = to_text("<p>手机&nbsp;<b>138</b>1234 5678</p><!-- 备注 -->")
    assert "手机\xa01381234 5678" in text and "备注" in text
    assert to_text('<r><m v="x@example.com"/><n>1</n><n>2</n></r>', xml=True).split() == [
        "x@example.com",
        "1",
        "2",
    ]


def test_xml_attributes_and_elements(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    xml = f'<?xml version="1.0"?>\n<customers><c phone="{mobile}"><id>{rid}</id></c></customers>\n'
    assert set(_values(scanner.scan_bytes(xml.encode(), name="export.xml"))) == {mobile, rid}


def test_json_escapes_decoded(scanner: dlp.Scanner, rng: random.Random) -> None:
    card, mobile = synthetic.bank_card(rng, 16), synthetic.mobile(rng)
    text = json.dumps([{"备注": "无", "手机": mobile}, {"银行卡号": card}], ensure_ascii=True, indent=1)
    assert "\\u" in text
    result = scanner.scan_bytes(text.encode(), name="export.json")
    assert set(_values(result)) == {mobile, card}
    assert {f.confidence for f in result.findings if f.value == mobile} == {0.95}  # 手机 decoded: context
    assert unescape(r'{"k": "a\"b\\c\/d\ud83d\ude00\n"}') == '{"k": "a"b\\c/d\U0001f600 "}'


def test_plain_text_path_is_unchanged(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    data = f"姓名,手机\n王伟,{mobile}\n".encode()
    result = scanner.scan_bytes(data, name="list.csv")
    assert [(f.value, f.location.offset, f.location.line) for f in result.findings] == [(mobile, 21, 2)]
    assert result.encoding == "utf-8"
    assert result.findings[0].location.as_dict() == {"offset": 21, "line": 2}

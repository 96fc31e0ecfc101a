"""Archives and other containers: members scanned recursively, named ``outer!inner`` style."""

from __future__ import annotations

import gzip
import io
import random
import tarfile
from pathlib import Path

import benchmark_modules
import pytest

import dlp
from dlp import synthetic

docs = benchmark_modules.load("accuracy_documents")


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-containers-012345", reveal=True, cache_dir=cache))


@pytest.fixture()
def rng() -> random.Random:
    return random.Random(5)


def _csv(mobile: str) -> bytes:
    return f"姓名,手机\n王伟,{mobile}\n".encode()


def _members(result: dlp.ScanResult) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for f in result.findings:
        if not f.detector.startswith("yara:"):
            out.setdefault(f.member, []).append(f.value or "")
    return out


def test_zip_in_zip_member_names(scanner: dlp.Scanner, rng: random.Random) -> None:
    a, b, c = (synthetic.mobile(rng) for _ in range(3))
    sheet = docs.xlsx_bytes([("s", [["手机"], [int(c)]], "visible")])
    inner = docs.zip_bytes({"contacts.csv": _csv(b), "表/客户.xlsx": sheet})
    outer = docs.zip_bytes({"top.csv": _csv(a), "inner.zip": inner})
    result = scanner.scan_bytes(outer, name="outer.zip")
    assert _members(result) == {"top.csv": [a], "inner.zip!contacts.csv": [b], "inner.zip!表/客户.xlsx": [c]}
    record = next(f for f in result.findings if f.value == b).as_record()
    assert record["path"] == "outer.zip" and record["member"] == "inner.zip!contacts.csv"
    assert result.complete


def test_gbk_member_names(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    result = scanner.scan_bytes(docs.zip_bytes({"客户名单.csv": _csv(mobile)}, gbk_names=True), name="a.zip")
    assert _members(result) == {"客户名单.csv": [mobile]}


def test_tar_gz_members_are_direct(scanner: dlp.Scanner, rng: random.Random) -> None:
    a, b = synthetic.mobile(rng), synthetic.mobile(rng)
    data = docs.tar_gz_bytes({"export/a.csv": _csv(a), "b.zip": docs.zip_bytes({"b.csv": _csv(b)})})
    result = scanner.scan_bytes(data, name="backup.tgz")
    assert _members(result) == {"export/a.csv": [a], "b.zip!b.csv": [b]}


def test_plain_tar_and_gz(scanner: dlp.Scanner, rng: random.Random) -> None:
    a, b = synthetic.mobile(rng), synthetic.mobile(rng)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo("a.csv")
        info.size = len(_csv(a))
        archive.addfile(info, io.BytesIO(_csv(a)))
    assert _members(scanner.scan_bytes(out.getvalue(), name="a.tar")) == {"a.csv": [a]}
    assert _members(scanner.scan_bytes(gzip.compress(_csv(b)), name="list.csv.gz")) == {"list.csv": [b]}


def test_renamed_zip_and_stdin_like_stream(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    data = docs.zip_bytes({"x.csv": _csv(mobile)})

    class Pipe(io.RawIOBase):  # not seekable, like standard input
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    result = scanner.scan_stream(io.BufferedReader(Pipe()), name="-")
    assert _members(result) == {"x.csv": [mobile]}
    assert _members(scanner.scan_bytes(data, name="photo.jpg")) == {"x.csv": [mobile]}


def test_encrypted_zip_is_a_finding_and_the_rest_is_scanned(scanner: dlp.Scanner, rng: random.Random) -> None:
    locked = docs.zipcrypto_bytes({"secret.csv": _csv(synthetic.mobile(rng))}, b"pw")
    mobile = synthetic.mobile(rng)
    outer = docs.zip_bytes({"locked.zip": locked, "open.csv": _csv(mobile)})
    result = scanner.scan_bytes(outer, name="usb.zip")
    encrypted = [f for f in result.findings if f.detector == "encrypted_container"]
    assert [(f.member, f.masked, f.severity.value) for f in encrypted] == [
        ("locked.zip", "encrypted zip (1 of 1 members)", "medium")
    ]
    import hashlib

    assert encrypted[0].value == hashlib.sha256(locked).hexdigest()  # revealed: the container's SHA-256
    assert _members(result)["open.csv"] == [mobile]


def test_encrypted_office_document_is_a_finding(scanner: dlp.Scanner, rng: random.Random) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = docs.xlsx_bytes([("s", [["手机"], [synthetic.mobile(rng)]], "visible")])
    sealed = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("pw", sealed)
    assert msoffcrypto.OfficeFile(io.BytesIO(sealed.getvalue())).is_encrypted()
    result = scanner.scan_bytes(sealed.getvalue(), name="工资.xlsx")
    assert [(f.detector, f.masked) for f in result.findings] == [("encrypted_container", "encrypted office")]
    assert result.problems == ()


def test_corrupt_member_is_named_and_the_rest_is_scanned(scanner: dlp.Scanner, rng: random.Random) -> None:
    sheet = docs.xlsx_bytes([("s", [["手机"], [synthetic.mobile(rng)]], "visible")])
    mobile = synthetic.mobile(rng)
    outer = docs.zip_bytes(
        {"bad.xlsx": sheet[:300], "junk.pdf": b"%PDF-1.4\n" + bytes(900), "ok.csv": _csv(mobile)}
    )
    result = scanner.scan_bytes(outer, name="mixed.zip")
    assert _members(result) == {"ok.csv": [mobile]}
    problems = {(p.member, p.reason) for p in result.problems}
    assert problems == {("bad.xlsx", "corrupt"), ("junk.pdf", "corrupt")}
    records = [p.as_record("mixed.zip") for p in result.problems]
    assert all(r["member"] in r["message"] and r["partial"] for r in records)


def test_eml_attachment_zip(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    data = docs.eml_bytes(
        sender="a@example.com",
        to="b@example.com",
        subject="备份",
        body="见附件",
        attachments=[("备份.zip", docs.zip_bytes({"c.csv": _csv(mobile)}))],
    )
    result = scanner.scan_bytes(data, name="mail.eml")
    assert _members(result)["备份.zip!c.csv"] == [mobile]


def test_docx_embedded_workbook_is_a_member(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile = synthetic.mobile(rng)
    document = docs.docx_bytes([["见附表"]])
    sheet = docs.xlsx_bytes([("s", [["手机"], [int(mobile)]], "visible")])
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(io.BytesIO(document)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", sheet)
    result = scanner.scan_bytes(out.getvalue(), name="report.docx")
    assert _members(result) == {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": [mobile]}


def test_encrypted_is_an_error_record_when_detectors_are_chosen(tmp_path: Path) -> None:
    config = dlp.ScanConfig(
        key=b"test-key-containers-012345", detectors=frozenset({"cn_mobile"}), cache_dir=tmp_path
    )
    locked = docs.zipcrypto_bytes({"a.csv": _csv("13812345678")}, b"pw")
    result = dlp.Scanner(config).scan_bytes(locked, name="locked.zip")
    assert result.findings == ()
    assert [(p.reason, p.message) for p in result.problems] == [
        ("encrypted", "encrypted zip (1 of 1 members): cannot be read")
    ]

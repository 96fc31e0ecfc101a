"""OLE2 compound files: Excel 97-2003, legacy Word text, Outlook messages, encrypted Office files.

The compound files are written in code (``ole_bytes`` and ``xls_bytes`` in
``benchmarks/accuracy_documents.py``), so no binary fixture is checked in.
"""

from __future__ import annotations

import random

import benchmark_modules
import pytest

import dlp
from dlp import synthetic

docs = benchmark_modules.load("accuracy_documents")


@pytest.fixture(scope="module")
def scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    cache = tmp_path_factory.mktemp("cache")
    return dlp.Scanner(dlp.ScanConfig(key=b"test-key-ole-0123456789ab", reveal=True, cache_dir=cache))


@pytest.fixture()
def rng() -> random.Random:
    return random.Random(13)


def test_xls_sheets_cells_and_numbers(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    data = docs.xls_bytes(
        [("客户", [["姓名", "手机"], ["王伟", float(mobile)]], False), ("备份", [["证件"], [rid]], True)]
    )
    result = scanner.scan_bytes(data, name="old.xls")
    found = {f.value: f for f in result.findings}
    assert set(found) == {mobile, rid}
    assert (found[mobile].location.sheet, found[mobile].location.cell) == ("客户", "B2")
    assert found[mobile].confidence == 0.95  # header 手机
    assert (found[rid].location.sheet, found[rid].location.cell) == ("备份", "A2")  # a hidden sheet
    assert result.complete


def test_encrypted_xls_is_a_finding(scanner: dlp.Scanner, rng: random.Random) -> None:
    data = docs.xls_bytes([("s", [["手机"], [float(synthetic.mobile(rng))]], False)], encrypted=True)
    result = scanner.scan_bytes(data, name="工资.xls")
    assert [(f.detector, f.masked) for f in result.findings] == [("encrypted_container", "encrypted office")]


def test_truncated_xls_is_a_corrupt_record(scanner: dlp.Scanner, rng: random.Random) -> None:
    data = docs.xls_bytes([("s", [["手机"], [float(synthetic.mobile(rng))]], False)])
    result = scanner.scan_bytes(data[:3000], name="cut.xls")
    assert result.findings == ()
    assert [p.reason for p in result.problems] == ["corrupt"]


def test_legacy_word_text_runs(scanner: dlp.Scanner, rng: random.Random) -> None:
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    text = f"甲方手机：{mobile}，身份证 {rid}".encode("utf-16-le")
    data = docs.ole_bytes({"WordDocument": bytes(100) + text + bytes(50), "1Table": b"\x01" * 600})
    found = {f.value: f for f in scanner.scan_bytes(data, name="合同.doc").findings}
    assert set(found) == {mobile, rid}
    assert found[mobile].location.part == "WordDocument"


def test_outlook_message_properties_and_attachments(scanner: dlp.Scanner, rng: random.Random) -> None:
    body_mobile = synthetic.mobile(rng)
    rows = [synthetic.mobile(rng) for _ in range(300)]
    attachment = ("姓名,手机\n" + "".join(f"王伟,{m}\n" for m in rows)).encode()
    assert len(attachment) > 4096  # no NUL padding from the fixture writer
    data = docs.ole_bytes(
        {
            "__substg1.0_0037001F": "客户名单".encode("utf-16-le"),
            "__substg1.0_1000001F": f"手机 {body_mobile}".encode("utf-16-le"),
            "__attach_version1.0_#00000000/__substg1.0_3707001F": "名单.csv".encode("utf-16-le"),
            "__attach_version1.0_#00000000/__substg1.0_37010102": attachment,
        }
    )
    result = scanner.scan_bytes(data, name="mail.msg")
    by_member: dict[str | None, set[str]] = {}
    for f in result.findings:
        if f.detector == "cn_mobile":
            by_member.setdefault(f.member, set()).add(f.value or "")
    assert by_member == {None: {body_mobile}, "名单.csv": set(rows)}
    assert result.complete

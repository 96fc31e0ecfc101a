"""Per-file verdicts: threshold edges, what counts as a row, what is not personal data, --fail-on."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.detector import Severity
from dlp.errors import ConfigError
from dlp.findings import Finding, Location, ScanResult
from dlp.policy import CLEAN, CONTAINS_PII, CUSTOMER_LIST, Policy, Thresholds


def finding(detector: str, value: str, line: int = 1, member: str | None = None, **where: str) -> Finding:
    return Finding(
        detector=detector,
        path="f.txt",
        location=Location(0, line, **where),
        masked="*",
        fingerprint=f"{detector}:{value}",
        confidence=0.9,
        severity=Severity.MEDIUM,
        member=member,
    )


def judge(findings: list[Finding], **thresholds: int) -> tuple[str, dict[str, int], int]:
    (verdict,) = Policy(Thresholds(**thresholds)).evaluate(ScanResult("f.txt", findings=tuple(findings)))
    return verdict.verdict, dict(verdict.counts), verdict.rows


def test_defaults_are_50_values_10_rows_10_customers() -> None:
    assert Thresholds() == Thresholds(distinct_values=50, rows=10, customers=10)


@pytest.mark.parametrize(
    ("n", "expected"), [(1, CONTAINS_PII), (3, CONTAINS_PII), (49, CONTAINS_PII), (50, CUSTOMER_LIST)]
)
def test_distinct_values_edge(n: int, expected: str) -> None:
    found = [finding("cn_mobile", str(i), line=i) for i in range(n)]
    verdict, counts, rows = judge(found)
    assert (verdict, counts, rows) == (expected, {"cn_mobile": n}, 0)


def test_repeated_values_count_once() -> None:
    found = [finding("cn_mobile", str(i % 10), line=i) for i in range(200)]
    assert judge(found) == (CONTAINS_PII, {"cn_mobile": 10}, 0)


def test_distinct_values_are_per_detector_not_summed() -> None:
    found = [
        finding(d, str(i), line=i + 100 * k) for k, d in enumerate(("cn_mobile", "email")) for i in range(30)
    ]
    assert judge(found)[0] == CONTAINS_PII


@pytest.mark.parametrize(("n", "expected"), [(9, CONTAINS_PII), (10, CUSTOMER_LIST)])
def test_rows_with_two_kinds_edge(n: int, expected: str) -> None:
    found = []
    for i in range(n):
        found += [finding("cn_mobile", f"m{i}", line=i + 1), finding("cn_resident_id", f"r{i}", line=i + 1)]
    found.append(finding("cn_mobile", "alone", line=500))  # one kind only: not a row
    found += [finding("email", "twice", line=600), finding("email", "twice2", line=600)]  # same kind twice
    verdict, _, rows = judge(found)
    assert (verdict, rows) == (expected, n)


def test_spreadsheet_rows_come_from_the_cell_not_the_line() -> None:
    found = []
    for row in range(2, 12):  # ten rows; each value on its own extracted line
        found.append(finding("cn_mobile", f"m{row}", line=2 * row, sheet="客户", cell=f"B{row}"))
        found.append(finding("cn_resident_id", f"r{row}", line=2 * row + 1, sheet="客户", cell=f"C{row}"))
    found.append(finding("email", "x", line=99, sheet="其他", cell="B2"))  # another sheet, row 2
    verdict, _, rows = judge(found)
    assert (verdict, rows) == (CUSTOMER_LIST, 10)


def test_signatures_and_encrypted_containers_are_not_personal_data() -> None:
    found = [finding("yara:dlp_marker_customer_list", "客户名单"), finding("encrypted_container", "x")]
    assert judge(found) == (CLEAN, {}, 0)
    found += [finding("yara:dlp_marker_confidential", f"{i}", line=i) for i in range(100)]
    assert judge(found)[0] == CLEAN
    found.append(finding("cn_mobile", "1"))
    assert judge(found) == (CONTAINS_PII, {"cn_mobile": 1}, 0)


def test_custom_thresholds_and_their_validation() -> None:
    found = [finding("cn_mobile", str(i), line=i) for i in range(5)]
    assert judge(found, distinct_values=5)[0] == CUSTOMER_LIST
    assert judge(found, distinct_values=6)[0] == CONTAINS_PII
    for bad in ({"rows": 0}, {"customers": -1}, {"distinct_values": True}):
        with pytest.raises(ConfigError):
            Thresholds(**bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        Policy(fail_on="sometimes")


def test_one_verdict_per_container_member() -> None:
    found = [finding("cn_mobile", str(i), line=i, member="a.csv") for i in range(60)]
    found.append(finding("email", "x", member="b.txt"))
    verdicts = Policy().evaluate(ScanResult("pack.zip", findings=tuple(found)))
    assert [(v.member, v.verdict) for v in verdicts] == [("a.csv", CUSTOMER_LIST), ("b.txt", CONTAINS_PII)]
    assert verdicts[0].as_record() == {
        "type": "file",
        "path": "pack.zip",
        "member": "a.csv",
        "verdict": CUSTOMER_LIST,
        "counts": {"cn_mobile": 60},
        "rows": 0,
    }
    assert Policy().evaluate(ScanResult("empty.txt")) == []


@pytest.mark.parametrize(
    ("fail_on", "verdicts", "findings", "fails"),
    [
        ("any", {}, 1, True),
        ("any", {}, 0, False),
        ("pii", {CLEAN: 1}, 1, False),
        ("pii", {CONTAINS_PII: 1}, 1, True),
        ("customer_list", {CONTAINS_PII: 3}, 3, False),
        ("customer_list", {CUSTOMER_LIST: 1}, 1, True),
        ("never", {CUSTOMER_LIST: 1}, 1, False),
    ],
)
def test_fail_on(fail_on: str, verdicts: dict[str, int], findings: int, fails: bool) -> None:
    assert Policy(fail_on=fail_on).fails(findings, verdicts) is fails


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    rng = random.Random(4)
    folder = tmp_path / "docs"
    folder.mkdir()
    rows = [
        f"{synthetic.chinese_name(rng)},{synthetic.mobile(rng)},{synthetic.resident_id(rng)}"
        for _ in range(60)
    ]
    (folder / "list.csv").write_text("姓名,手机,身份证号\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "memo.txt").write_text(f"请联系 {synthetic.mobile(rng)}。\n", encoding="utf-8")
    (folder / "plain.txt").write_text("今天天气很好。\n", encoding="utf-8")
    (folder / "marked.txt").write_text("内部资料，严禁外传。\n", encoding="utf-8")
    return folder


def test_jsonl_file_records_follow_each_files_findings(cli, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-f", "jsonl", "-q", "-j", "1", str(corpus)])
    assert run.exit_code == 1
    records = [json.loads(line) for line in run.out.splitlines()]
    files = {Path(r["path"]).name: r for r in records if r["type"] == "file"}
    assert set(files) == {"list.csv", "memo.txt", "marked.txt"}  # plain.txt has no findings, no record
    assert files["list.csv"]["verdict"] == CUSTOMER_LIST and files["list.csv"]["rows"] == 60
    assert files["list.csv"]["counts"] == {"cn_mobile": 60, "cn_resident_id": 60}
    assert files["memo.txt"]["verdict"] == CONTAINS_PII
    assert files["marked.txt"] == {
        "type": "file",
        "path": str(corpus / "marked.txt"),
        "verdict": CLEAN,
        "counts": {},
        "rows": 0,
    }
    for i, record in enumerate(records):  # each file record comes right after that file's findings
        if record["type"] == "file":
            assert records[i - 1]["type"] == "finding" and records[i - 1]["path"] == record["path"]
            assert all(r["path"] != record["path"] for r in records[i + 1 :] if r["type"] == "finding")
    assert records[-1]["verdicts"] == {CLEAN: 1, CONTAINS_PII: 1, CUSTOMER_LIST: 1}
    assert "customers" not in files["list.csv"]  # only with an EDM index


def test_text_report_and_summary_show_verdicts(cli, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-j", "1", "--no-progress", str(corpus)])
    verdict_lines = [line for line in run.out.splitlines() if " VERDICT " in line]
    assert len(verdict_lines) == 3
    assert any(
        "list.csv" in line and "customer_list" in line and "60 row(s)" in line for line in verdict_lines
    )
    assert "Files: " in run.err and "customer_list 1" in run.err


@pytest.mark.parametrize(
    ("names", "fail_on", "code"),
    [
        (["memo.txt"], None, 1),
        (["marked.txt"], None, 1),  # any finding, as before
        (["marked.txt"], "pii", 0),
        (["memo.txt"], "pii", 1),
        (["memo.txt"], "customer_list", 0),
        (["memo.txt", "list.csv"], "customer_list", 1),
        (["list.csv"], "never", 0),
        (["plain.txt"], "pii", 0),
    ],
)
def test_exit_codes_follow_fail_on(
    cli, corpus: Path, names: list[str], fail_on: str | None, code: int
) -> None:  # type: ignore[no-untyped-def]
    args = ["scan", "-q", "-j", "1", *(str(corpus / n) for n in names)]
    if fail_on:
        args += ["--fail-on", fail_on]
    assert cli(args).exit_code == code


def test_not_failing_still_reports_incomplete_scans(cli, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    big = corpus / "big.txt"
    big.write_text("x" * 5000, encoding="utf-8")
    run = cli(
        [
            "scan",
            "-q",
            "-j",
            "1",
            "--fail-on",
            "never",
            "--max-file-size",
            "1K",
            str(big),
            str(corpus / "memo.txt"),
        ]
    )
    assert run.exit_code == 3


def test_rows_of_a_scanned_workbook_are_its_sheet_rows(make_scanner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    openpyxl = pytest.importorskip("openpyxl")
    rng = random.Random(14)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "身份证号"])
    for _ in range(12):
        sheet.append([synthetic.chinese_name(rng), synthetic.mobile(rng), synthetic.resident_id(rng)])
    path = tmp_path / "客户.xlsx"
    book.save(path)
    (verdict,) = Policy().evaluate(make_scanner(reveal=False).scan_file(path))
    assert (verdict.verdict, verdict.rows) == (CUSTOMER_LIST, 12)

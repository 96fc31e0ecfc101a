"""The fast JSONL path writes exactly what ``orjson`` writes for the same records."""

from __future__ import annotations

import orjson

from dlp.detector import Severity
from dlp.findings import Finding, Location, Problem, ScanResult
from dlp.output.jsonl import render
from dlp.policy import FileVerdict

FP = "0123456789abcdef" * 4


def _finding(**changes: object) -> Finding:
    fields: dict[str, object] = dict(
        detector="cn_mobile",
        path='d/客户 "名单"\\\n.csv',
        location=Location(12, 3),
        masked="138****5678",
        fingerprint=FP,
        confidence=0.95,
        severity=Severity.MEDIUM,
    )
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def _expected(result: ScanResult, verdicts: list[FileVerdict]) -> bytes:
    records = [f.as_record() for f in result.findings]
    records += [p.as_record(result.path) for p in result.problems]
    if result.skipped is not None:
        records.append({"type": "skipped", "path": result.path, "reason": result.skipped})
    records += [v.as_record() for v in verdicts]
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def test_plain_and_structured_findings_render_like_orjson() -> None:
    findings = (
        _finding(),
        _finding(detector="cn_plate", masked="京A***45", confidence=0.6, severity=Severity.LOW),
        _finding(detector="yara:marker", masked='a"\\\t\u2028b', confidence=0.5, severity=Severity.HIGH),
        _finding(confidence=1.0, location=Location(0, 1)),
        _finding(member="a.zip!b.csv"),
        _finding(detector="edm", column="phone", value="13812345678"),
        _finding(location=Location(5, 2, sheet="客户", cell="B7")),
        _finding(location=Location(5, 2, part="word/document.xml", paragraph=4)),
        _finding(location=Location(5, 2, page=3)),
    )
    result = ScanResult(findings[0].path, findings, problems=(Problem("limit_time", "slow", True),))
    verdicts = [FileVerdict(result.path, "customer_list", {"cn_mobile": 60}, 12)]
    assert render(result, verdicts) == _expected(result, verdicts)


def test_skipped_and_empty_results() -> None:
    skipped = ScanResult("photo.jpg", skipped="media")
    assert render(skipped) == _expected(skipped, [])
    assert render(ScanResult("empty.txt")) == b""

"""Report writing: 100,000 findings through the JSONL writer (and each record on its own).

The findings come from a real scan of the dense CSV buffer, so their fields look like
the ones a scan of a customer list produces.
"""

from __future__ import annotations

import io

import pytest

import dlp
from dlp.findings import Finding, ScanResult
from dlp.output import Summary, make_writer

FINDINGS = 100_000


@pytest.fixture(scope="module")
def findings(scanner: dlp.Scanner, csv_buffer: bytes) -> tuple[Finding, ...]:
    found: list[Finding] = []
    data = csv_buffer
    while len(found) < FINDINGS:
        found.extend(scanner.scan_bytes(data, name="customers.csv").findings)
    return tuple(found[:FINDINGS])


def _write(fmt: str, findings: tuple[Finding, ...]) -> int:
    out = io.BytesIO()
    writer = make_writer(fmt, out)
    summary = Summary()
    result = ScanResult("customers.csv", findings=findings, size=4 << 20)
    summary.add(result)
    writer.result(result)
    writer.close(summary)
    return out.tell()


def test_jsonl_writer(benchmark, findings: tuple[Finding, ...]) -> None:  # type: ignore[no-untyped-def]
    written = benchmark.pedantic(_write, ("jsonl", findings), rounds=5, warmup_rounds=1)
    benchmark.extra_info.update(findings=len(findings), bytes=written)
    assert written > len(findings) * 50


def test_as_record(benchmark, findings: tuple[Finding, ...]) -> None:  # type: ignore[no-untyped-def]
    """The dict building part alone (no serialisation)."""
    records = benchmark.pedantic(lambda: [f.as_record() for f in findings], rounds=5, warmup_rounds=1)
    assert len(records) == len(findings)

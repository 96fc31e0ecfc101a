"""Large inputs hand their findings over in pieces, so memory does not grow with them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import dlp
from dlp import synthetic
from dlp.output.base import Summary
from dlp.policy import Policy
from dlp.walk import Entry

ROWS = 4000  # about 160 KB: several 64 KiB chunks, each handing over its findings


@pytest.fixture
def customer_file(tmp_path: Path) -> Path:
    rng = random.Random(11)
    rows = ["姓名,手机,身份证号"]
    rows += [
        f"{synthetic.chinese_name(rng)},{synthetic.mobile(rng)},{synthetic.resident_id(rng)}"
        for _ in range(ROWS)
    ]
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _scanner(tmp_path: Path) -> dlp.Scanner:
    config = dlp.ScanConfig(key=b"streaming-test-key", cache_dir=tmp_path / "cache", chunk_size=65536)
    return dlp.Scanner(config)


def test_pieces_carry_every_finding_once(customer_file: Path, tmp_path: Path) -> None:
    scanner = _scanner(tmp_path)
    entry = Entry(str(customer_file), customer_file.stat().st_size)
    whole = scanner.scan_entry(entry)
    pieces = list(scanner.scan_entry_pieces(entry, piece=100))
    assert len(pieces) >= 3
    assert all(p.more for p in pieces[:-1]) and not pieces[-1].more
    streamed = [f for p in pieces for f in p.findings]
    assert len(whole.findings) == 2 * ROWS
    assert streamed == list(whole.findings)
    assert pieces[-1].size == customer_file.stat().st_size


def test_verdict_and_summary_over_pieces_match_the_whole(customer_file: Path, tmp_path: Path) -> None:
    scanner = _scanner(tmp_path)
    entry = Entry(str(customer_file), customer_file.stat().st_size)
    whole = scanner.scan_entry(entry)
    expected = Policy().evaluate(whole)

    policy, summary = Policy(), Summary()
    verdicts = []
    for piece in scanner.scan_entry_pieces(entry, piece=64):
        summary.add(piece)
        verdicts.extend(policy.evaluate(piece))
    assert verdicts == expected
    assert verdicts[0].verdict == "customer_list"
    assert verdicts[0].rows == ROWS
    assert summary.files == 1
    assert summary.total_findings == 2 * ROWS


def test_an_error_in_the_scan_thread_reaches_the_caller(tmp_path: Path) -> None:
    scanner = _scanner(tmp_path)

    def broken(entry: Entry, *, flush: object = None, piece: int = 0, lane: object = None) -> dlp.ScanResult:
        raise RuntimeError("boom")

    scanner.scan_entry = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="boom"):
        list(scanner.scan_entry_pieces(Entry(str(tmp_path / "x"), 1)))

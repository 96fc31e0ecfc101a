"""A large plain text file scanned in segments by the worker pool reports exactly
what one process reports: the same records in the same order (offsets, lines,
confidences, signature hits once per file, the verdict) and the same summary."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

import pytest

import dlp
from dlp import synthetic
from dlp.output.base import Summary
from dlp.parallel import scan_entries, segments
from dlp.report import ReportSpec
from dlp.walk import walk

SEGMENT = 64 * 1024
TEST_KEY = b"segment-test-key-0123456789"


def _lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    for i in range(count):
        words = "".join(rng.choice(synthetic.WORDS) for _ in range(rng.randint(2, 30)))
        kind = rng.randrange(6)
        if kind == 0:
            lines.append(f"{words}手机{synthetic.mobile(rng)}")
        elif kind == 1:
            lines.append(f"{synthetic.resident_id(rng)}{words}")  # a value at the start of a line
        elif kind == 2:
            lines.append(f"{words}，车牌{synthetic.plate(rng)} {synthetic.mobile(rng)}")
        elif kind == 3:
            lines.append(f"{words}{synthetic.mobile(rng)}")  # context, if any, on a nearby line
        elif i % 97 == 0:
            lines.append(f"{words}严禁外传")  # a signature rule, in many segments
        else:
            lines.append(words)
    return lines


def _run(scanner: dlp.Scanner, path: Path, jobs: int, fmt: str = "jsonl") -> tuple[list, dict]:  # type: ignore[type-arg]
    entries = list(walk([str(path)], follow_symlinks=False, exclude=()))
    spec = ReportSpec(fmt=fmt, key=TEST_KEY)
    summary = Summary()
    out: list = []  # type: ignore[type-arg]
    items = 0
    for item in scan_entries(
        scanner, scanner.config, entries, jobs, spec, stream_size=SEGMENT, segment=SEGMENT
    ):
        items += 1
        summary.merge(item.summary)
        if item.rendered is not None:
            out.append(item.rendered)
        else:
            out.extend((f.detector, f.location.offset, f.location.line, f.confidence) for f in item.result)
            out.extend(v.as_record() for v in item.verdicts)
    counts = {"files": summary.files, "bytes": summary.bytes, "findings": dict(summary.findings)}
    counts.update(verdicts=dict(summary.verdicts), problems=dict(summary.problems), items=items)
    return (b"".join(out) if fmt == "jsonl" else out), counts  # type: ignore[return-value]


@pytest.fixture(scope="module")
def pool_scanner(tmp_path_factory: pytest.TempPathFactory) -> dlp.Scanner:
    return dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, cache_dir=tmp_path_factory.mktemp("segments-cache")))


def test_segments_start_after_newlines_and_count_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    rng = random.Random(1)
    data = b"".join(b"x" * rng.randint(0, 300) + b"\n" for _ in range(3000)) + b"tail"
    path.write_bytes(data)
    parts = list(segments(str(path), 10_000, read=4096))
    assert parts[0][0] == 0 and parts[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in pairwise(parts))
    assert all(data[start - 1 : start] == b"\n" for start, _, _ in parts[1:])
    assert all(base == data.count(b"\n", 0, start) for start, _, base in parts)
    assert len(parts) > 20
    path.write_bytes(b"x" * 50_000)  # no newline: one segment
    assert list(segments(str(path), 10_000)) == [(0, 50_000, 0)]


@pytest.mark.parametrize("header", ["", "客户编号,姓名,手机,身份证号,车牌号\n"])
@pytest.mark.parametrize("fmt", ["jsonl", "text"])
def test_segmented_scan_equals_one_process(
    pool_scanner: dlp.Scanner, tmp_path: Path, header: str, fmt: str
) -> None:
    rng = random.Random(len(header))
    path = tmp_path / "export.txt"
    path.write_text(header + "\n".join(_lines(rng, 9000)) + "\n", encoding="utf-8")
    pieces = len(list(segments(str(path), SEGMENT)))
    assert pieces > 8 and pool_scanner.segment_header(str(path)) is not None
    one, one_counts = _run(pool_scanner, path, 1, fmt)
    two, two_counts = _run(pool_scanner, path, 2, fmt)
    assert two == one
    assert two_counts.pop("items") > pieces > one_counts.pop("items")  # it was cut up
    assert two_counts == one_counts
    assert one_counts["findings"]["yara:dlp_marker_confidential"] == 1
    assert sum(one_counts["findings"].values()) > 3000
    assert one_counts["files"] == 1 and sum(one_counts["verdicts"].values()) == 1


def test_gb18030_and_invalid_utf8_are_scanned_whole(pool_scanner: dlp.Scanner, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(("客户 手机13812345678\n" * 20000).encode("gb18030"))
    assert pool_scanner.segment_header(str(gbk)) is None
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text("客户 手机13812345678\n" * 20000, encoding="utf-8")
    assert pool_scanner.segment_header(str(utf8)) == frozenset({"customer", "phone"})
    one, _ = _run(pool_scanner, gbk, 1)
    two, _ = _run(pool_scanner, gbk, 2)
    assert two == one


def test_plain_results_without_a_report_spec(pool_scanner: dlp.Scanner, tmp_path: Path) -> None:
    """``dlp baseline create`` asks for scan results, not reports: segments give the same."""
    path = tmp_path / "export.txt"
    path.write_text("\n".join(_lines(random.Random(3), 6000)) + "\n", encoding="utf-8")
    entries = list(walk([str(path)], follow_symlinks=False, exclude=()))

    def findings(jobs: int) -> tuple[list[tuple[object, ...]], int]:
        results = list(
            scan_entries(
                pool_scanner, pool_scanner.config, entries, jobs, stream_size=SEGMENT, segment=SEGMENT
            )
        )
        found = [
            (r.path, f.detector, f.location.offset, f.location.line, f.fingerprint)
            for r in results
            for f in r
        ]
        assert [r.more for r in results].count(False) == 1 and results[-1].size == path.stat().st_size
        return found, len(results)

    (one, one_items), (two, two_items) = findings(1), findings(2)
    assert two == one and len(one) > 2000
    assert two_items > one_items


def test_a_file_gone_before_its_segments_are_cut_is_a_problem(tmp_path: Path) -> None:
    from dlp.parallel import in_segments
    from dlp.walk import Entry

    gone = Entry(str(tmp_path / "gone.txt"), 50 * SEGMENT)
    [result] = list(in_segments(None, gone, frozenset(), None, 2, SEGMENT))
    assert [(p.reason, p.partial) for p in result.problems] == [("vanished", True)]
    assert not result.findings and not result.more

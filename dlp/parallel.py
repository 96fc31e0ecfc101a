"""Scan many files on all cores.

Each worker process builds its own :class:`~dlp.scanner.Scanner` from the same
frozen config (the compiled rules come from the on-disk cache the parent wrote),
so nothing is shared but the config. Results come back in input order; standard
input and inputs of ``STREAM_SIZE`` or more are scanned by the parent, which
streams their findings in pieces so memory stays bounded.

Given a :class:`~dlp.report.ReportSpec`, every process also reports its own
results (baseline, policy, JSONL rendering) and the parent receives
:class:`~dlp.report.Processed` items instead of results (:mod:`dlp.report`).

A large plain UTF-8 text file (a CRM export, a log) is the exception to "one
file, one process": the parent cuts it at newlines into segments of about
``SEGMENT_SIZE`` (counting the lines before each as it goes), the workers scan
and report them, each with the bytes around it as context, and the parent puts
their reports back in order: each signature rule's first line kept, the policy
counts merged into one verdict for the file. The output is that of a scan in
one process (``tests/test_parallel_segments.py``).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from dlp.config import ScanConfig
from dlp.findings import Problem, ScanResult, printable
from dlp.report import Processed, Reporter, ReportSpec, SegmentReport
from dlp.scanner import Scanner, read_problem
from dlp.walk import STDIN, Entry

if TYPE_CHECKING:
    from dlp.ocr.quota import Quota

STREAM_SIZE = 16 * 1024 * 1024
"""With a worker pool, inputs this large are scanned in the parent process, which
streams their findings (a worker would hold them all until the input ends)."""
STREAM_SIZE_HERE = 1024 * 1024
"""Without a pool, inputs this large stream their findings in pieces."""
SEGMENT_SIZE = 2 * 1024 * 1024
"""With a pool, a plain text file of ``STREAM_SIZE`` or more is scanned in segments of
about this size, cut at newlines. A segment's report travels to the parent as one
message, and on a dense customer list its JSONL is about 7.5 times the input: at 4 MiB
the messages passed glibc's largest ``mmap`` threshold (32 MiB), so each was mapped
and faulted in afresh on both sides (``dlp scan -j 2`` of the 256 MiB benchmark CSV
spent 5 s in the kernel; at 2 MiB, 2 s, and the run took 5.1-5.5 s instead of 6.1-6.9 s;
sparse prose is the same either way)."""

_worker: Scanner | None = None
_reporter: Reporter | None = None


def _init(config: ScanConfig, spec: ReportSpec | None, quota: Quota | None = None) -> None:
    global _worker, _reporter  # one scanner (and reporter) per worker process, set once at start
    from dlp import tuning

    tuning.tune_allocator()
    _worker = Scanner(config, ocr_quota=quota)  # its OCR engine, if any, is built at the first picture
    _reporter = Reporter(spec) if spec is not None else None
    tuning.tune_gc()


def _scan(batch: list[Entry]) -> list[ScanResult | Processed]:
    assert _worker is not None
    return scan_batch(_worker, _reporter, batch)


def scan_batch(
    scanner: Scanner, reporter: Reporter | None, batch: list[Entry]
) -> list[ScanResult | Processed]:
    """Scan (and with ``reporter``, report) a batch of entries, in order."""
    out: list[ScanResult | Processed] = []
    for entry in batch:
        if reporter is not None:
            out.extend(reporter.scan(scanner, entry))
        else:
            out.append(scanner.scan_entry(entry))
    return out


def _segment(
    path: str, start: int, end: int, line_base: int, header: frozenset[str], reported: frozenset[str]
) -> Any:
    assert _worker is not None
    return scan_segment(_worker, _reporter, path, start, end, line_base, header, reported)


def scan_segment(
    scanner: Scanner,
    reporter: Reporter | None,
    path: str,
    start: int,
    end: int,
    line_base: int,
    header: frozenset[str],
    reported: frozenset[str],
    name: str | None = None,
) -> Any:
    """One segment of a large text file: a :class:`~dlp.report.SegmentReport` with a
    rendering ``reporter``, else a :class:`~dlp.findings.ScanResult` (``name``: the
    path to report, if not ``path``)."""
    shown = path if name is None else name
    if reporter is not None and reporter.lane_for(scanner):
        lane = reporter.lane_output(printable(shown))
        result = scanner.scan_segment(path, start, end, line_base, header, reported, lane=lane, name=name)
        return reporter.segment(result, lane)
    result = scanner.scan_segment(path, start, end, line_base, header, reported, name=name)
    if reporter is not None and reporter.renders:
        return reporter.segment(result)
    return result


def segments(path: str, segment: int = SEGMENT_SIZE, read: int = 1 << 20) -> Iterator[tuple[int, int, int]]:
    """``(start, end, newlines before start)`` of segments of about ``segment`` bytes
    that cover the file, each starting at its beginning or right after a newline (no
    value spans a newline); one pass over the file, as the segments are needed."""
    start = 0
    base = 0  # newlines before ``start``
    with open(path, "rb") as handle:
        pos = 0  # file offset of block[0]
        before = 0  # newlines before pos + i
        while block := handle.read(read):
            i = 0
            while (target := start + segment - pos) < len(block):
                newline = block.find(b"\n", max(i, target))
                if newline < 0:
                    break
                before += block.count(b"\n", i, newline + 1)
                yield start, pos + newline + 1, base
                start, base, i = pos + newline + 1, before, newline + 1
            before += block.count(b"\n", i)
            pos += len(block)
    if start < pos:
        yield start, pos, base


def in_segments(
    submit_segment: Callable[[tuple[Any, ...]], Any],
    entry: Entry,
    header: frozenset[str],
    reporter: Reporter | None,
    jobs: int,
    segment: int,
) -> Iterator[Any]:
    """Scan one large plain text file in segments: in order, a few at a time.

    ``submit_segment(args)`` starts :func:`scan_segment` on ``args`` (path, start, end,
    newlines before start, header, rules reported) somewhere and returns a handle whose
    ``get()`` waits for its result (a worker pool's ``apply_async``, or a cluster's)."""
    name = printable(entry.path)
    pending: deque[Any] = deque()
    reported: set[str] = set()  # signature rules: the first hit of each counts
    problems: list[Problem] = []
    tally: Any = None  # the file's policy counts, merged from the segments' reports
    found = False
    size = 0

    def first_hit(rule: str) -> bool:
        if rule in reported:
            return False
        reported.add(rule)
        return True

    try:
        parts = segments(entry.path, segment)

        def submit() -> None:
            # Rules an earlier segment reported are not looked for again (YARA is
            # the costly part of a chunk where a rule's literal occurs).
            for start, end, base in parts:
                args = (entry.path, start, end, base, header, frozenset(reported))
                pending.append(submit_segment(args))
                return

        for _ in range(jobs + 1):  # enough to keep every worker busy, not the whole file
            submit()
        while pending:
            report = pending.popleft().get()
            submit()
            problems.extend(report.problems)
            if isinstance(report, SegmentReport):
                assert reporter is not None
                out = [report.parts[0]]
                for (rule, line), part in zip(report.signatures, report.parts[1:], strict=True):
                    if first_hit(rule):
                        report.summary.findings[rule] += 1
                        out.append(line)
                    out.append(part)
                if tally is None:
                    tally = report.tally
                else:
                    tally.merge(report.tally)
                found = found or report.found
                yield Processed(0, report.summary, rendered=b"".join(out))
            else:
                kept = [
                    f for f in report.findings if not f.detector.startswith("yara:") or first_hit(f.detector)
                ]
                yield _report(reporter, ScanResult(name, findings=tuple(kept), more=True))
        size = entry.size
    except OSError as exc:
        problems.append(read_problem(exc))
    if reporter is not None and reporter.renders:
        if tally is None:
            tally = reporter.policy.tally(())
        yield reporter.finish(name, size, tuple(problems), tally, found)
    else:
        yield _report(reporter, ScanResult(name, problems=tuple(problems), size=size, encoding="utf-8"))


def _report(reporter: Reporter | None, result: ScanResult) -> Any:
    """``result`` reported (a :class:`~dlp.report.Processed`), or as it is without a reporter."""
    return reporter.process(result) if reporter is not None else result


BATCH_FILES = 16
BATCH_BYTES = 256 * 1024
"""Small files travel to workers in batches of up to this many files or bytes (one
message each way per batch); any larger file goes alone, so that a worker is never
left with a queue of big files while the other one idles at the end of the tree."""


def batches(entries: Sequence[Entry]) -> Iterator[list[Entry]]:
    """``entries`` in order, grouped into batches for the worker pool."""
    batch: list[Entry] = []
    size = 0
    for entry in entries:
        if batch and (len(batch) >= BATCH_FILES or size + entry.size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry.size
    if batch:
        yield batch


def _here(scanner: Scanner, entry: Entry, reporter: Reporter | None) -> Iterator[Any]:
    """Scan in this process; large inputs and stdin stream their findings in pieces."""
    stream = entry.path == STDIN or entry.size >= STREAM_SIZE_HERE
    if reporter is not None:
        yield from reporter.scan(scanner, entry, stream=stream)
    elif stream:
        yield from scanner.scan_entry_pieces(entry)
    else:
        yield scanner.scan_entry(entry)


def scan_entries(
    scanner: Scanner,
    config: ScanConfig,
    entries: Sequence[Entry],
    jobs: int,
    spec: ReportSpec | None = None,
    *,
    stream_size: int = STREAM_SIZE,
    segment: int = SEGMENT_SIZE,
) -> Iterator[Any]:
    """Scan ``entries`` with ``jobs`` processes (in this process when 1 is enough).

    Yields a :class:`~dlp.findings.ScanResult` per result, or with ``spec`` a
    :class:`~dlp.report.Processed` per result. Inputs of ``STREAM_SIZE`` or more,
    and standard input, are scanned here so that their findings stream out in
    pieces; a worker would hold them all until the end.
    """
    reporter = Reporter(spec) if spec is not None else None
    scannable = [e for e in entries if e.skipped is None and e.error is None and e.path != STDIN]
    split: dict[str, frozenset[str]] = {}
    if jobs > 1:
        for entry in scannable:
            if entry.size >= max(stream_size, 2 * segment):
                header = scanner.segment_header(entry.path)
                if header is not None:
                    split[entry.path] = header
    if jobs <= 1 or (len(scannable) <= 1 and not split):
        for entry in entries:
            yield from _here(scanner, entry, reporter)
        return
    local = [e for e in entries if e.path == STDIN or e.size >= stream_size]
    remote_entries = [e for e in entries if not (e.path == STDIN or e.size >= stream_size)]
    jobs = min(jobs, max(len(scannable), 2 if split else 1))
    context = multiprocessing.get_context("spawn" if _threads_running() else None)
    quota = scanner.ocr.quota if scanner.ocr is not None else None  # one picture budget for all workers
    with context.Pool(jobs, initializer=_init, initargs=(config, spec, quota)) as pool:
        remote = pool.imap(_scan, batches(remote_entries))
        for entry in local:
            if entry.path in split:
                submit = lambda args: pool.apply_async(_segment, args)  # noqa: E731
                yield from in_segments(submit, entry, split[entry.path], reporter, jobs, segment)
            else:
                yield from _here(scanner, entry, reporter)
        for batch in remote:
            yield from batch


def _threads_running() -> bool:
    import threading

    return threading.active_count() > 1

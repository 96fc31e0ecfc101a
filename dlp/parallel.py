"""Scan many files on all cores.

Each worker process builds its own :class:`~dlp.scanner.Scanner` from the same
frozen config (the compiled rules come from the on-disk cache the parent wrote),
so nothing is shared but the config. Results come back in input order; standard
input and inputs of ``STREAM_SIZE`` or more are scanned by the parent, which
streams their findings in pieces so memory stays bounded.

Given a :class:`~dlp.report.ReportSpec`, every process also reports its own
results (baseline, policy, JSONL rendering) and the parent receives
:class:`~dlp.report.Processed` items instead of results (:mod:`dlp.report`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from typing import Any

from dlp.config import ScanConfig
from dlp.findings import ScanResult
from dlp.report import Processed, Reporter, ReportSpec
from dlp.scanner import Scanner
from dlp.walk import STDIN, Entry

STREAM_SIZE = 16 * 1024 * 1024
"""With a worker pool, inputs this large are scanned in the parent process, which
streams their findings (a worker would hold them all until the input ends)."""
STREAM_SIZE_HERE = 1024 * 1024
"""Without a pool, inputs this large stream their findings in pieces."""

_worker: Scanner | None = None
_reporter: Reporter | None = None


def _init(config: ScanConfig, spec: ReportSpec | None) -> None:
    global _worker, _reporter  # one scanner (and reporter) per worker process, set once at start
    from dlp import tuning

    tuning.tune_allocator()
    _worker = Scanner(config)
    _reporter = Reporter(spec) if spec is not None else None
    tuning.tune_gc()


def _scan(batch: list[Entry]) -> list[ScanResult | Processed]:
    assert _worker is not None
    out: list[ScanResult | Processed] = []
    for entry in batch:
        result = _worker.scan_entry(entry)
        out.append(_reporter.process(result) if _reporter is not None else result)
    return out


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
    if entry.path == STDIN or entry.size >= STREAM_SIZE_HERE:
        results: Iterator[ScanResult] = scanner.scan_entry_pieces(entry)
    else:
        results = iter((scanner.scan_entry(entry),))
    if reporter is None:
        yield from results
    else:
        for result in results:
            yield reporter.process(result)


def scan_entries(
    scanner: Scanner,
    config: ScanConfig,
    entries: Sequence[Entry],
    jobs: int,
    spec: ReportSpec | None = None,
) -> Iterator[Any]:
    """Scan ``entries`` with ``jobs`` processes (in this process when 1 is enough).

    Yields a :class:`~dlp.findings.ScanResult` per result, or with ``spec`` a
    :class:`~dlp.report.Processed` per result. Inputs of ``STREAM_SIZE`` or more,
    and standard input, are scanned here so that their findings stream out in
    pieces; a worker would hold them all until the end.
    """
    reporter = Reporter(spec) if spec is not None else None
    scannable = [e for e in entries if e.skipped is None and e.error is None and e.path != STDIN]
    if jobs <= 1 or len(scannable) <= 1:
        for entry in entries:
            yield from _here(scanner, entry, reporter)
        return
    local = [e for e in entries if e.path == STDIN or e.size >= STREAM_SIZE]
    remote_entries = [e for e in entries if not (e.path == STDIN or e.size >= STREAM_SIZE)]
    jobs = min(jobs, len(scannable))
    context = multiprocessing.get_context("spawn" if _threads_running() else None)
    with context.Pool(jobs, initializer=_init, initargs=(config, spec)) as pool:
        remote = pool.imap(_scan, batches(remote_entries))
        for entry in local:
            yield from _here(scanner, entry, reporter)
        for batch in remote:
            yield from batch


def _threads_running() -> bool:
    import threading

    return threading.active_count() > 1

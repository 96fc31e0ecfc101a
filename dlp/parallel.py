"""Scan many files on all cores.

Each worker process builds its own :class:`~dlp.scanner.Scanner` from the same
frozen config (the compiled rules come from the on-disk cache the parent wrote),
so nothing is shared but the config. Results come back in input order; standard
input is always read by the parent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence

from dlp.config import ScanConfig
from dlp.findings import ScanResult
from dlp.scanner import Scanner
from dlp.walk import STDIN, Entry

_worker: Scanner | None = None


def _init(config: ScanConfig) -> None:
    global _worker  # one scanner per worker process, set once at start
    _worker = Scanner(config)


def _scan(entry: Entry) -> ScanResult:
    assert _worker is not None
    return _worker.scan_entry(entry)


def scan_entries(
    scanner: Scanner, config: ScanConfig, entries: Sequence[Entry], jobs: int
) -> Iterator[ScanResult]:
    """Scan ``entries`` with ``jobs`` processes (in this process when 1 is enough)."""
    scannable = [e for e in entries if e.skipped is None and e.error is None and e.path != STDIN]
    if jobs <= 1 or len(scannable) <= 1:
        for entry in entries:
            yield scanner.scan_entry(entry)
        return
    jobs = min(jobs, len(scannable))
    context = multiprocessing.get_context("spawn" if _threads_running() else None)
    chunk = max(1, min(16, len(entries) // (jobs * 8)))
    with context.Pool(jobs, initializer=_init, initargs=(config,)) as pool:
        remote = pool.imap(_scan, [e for e in entries if e.path != STDIN], chunksize=chunk)
        if STDIN in (e.path for e in entries):
            yield scanner.scan_entry(Entry(STDIN))
        yield from remote


def _threads_running() -> bool:
    import threading

    return threading.active_count() > 1

"""The client's side of a cluster scan: submit the work in order, yield results in order.

The walked entries become units of work in walk order: runs of small files are
batched by bytes (``batch_bytes``, at most ``batch_files`` files: one task each), and
a large plain UTF-8 text file is cut into segments as ``dlp scan -j`` does
(:func:`dlp.parallel.in_segments`), each segment a task. At most ``window`` batch
tasks are in flight; their results are taken in submission order, written, and
released, so neither the client nor the cluster ever holds the whole report.

Dask reruns the tasks of a worker that dies on another worker, and a task's
result reaches the client once, so the report has every record exactly once. A
batch whose tasks kill ``distributed.scheduler.allowed-failures`` workers in a row
is reported as ``worker_lost`` errors, one per file.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dlp.config import MiB, ScanConfig
from dlp.distributed.stores import is_url
from dlp.distributed.worker import KeyMismatch, ScannerPlugin, key_check, run_batch, run_segment, worker_check
from dlp.errors import ConfigError
from dlp.findings import Problem, ScanResult, printable
from dlp.keys import resolve_key
from dlp.parallel import SEGMENT_SIZE, STREAM_SIZE, in_segments
from dlp.report import Reporter, ReportSpec
from dlp.scanner import Scanner
from dlp.walk import STDIN, Entry

BATCH_BYTES = 2 * MiB
"""Default bytes per task: the scheduler's cost per task (about 5 ms, measured by
``benchmarks/cluster.py``) is small against the scan of 2 MiB (about 0.1 s per core),
and a tree of a few hundred MiB still makes many tasks per worker to balance."""
BATCH_FILES = 2000
"""At most this many files per task (many tiny files: the per-file cost dominates)."""


@dataclass(frozen=True)
class Sizing:
    """How the work is cut: bytes and files per batch task, segment size, tasks in flight."""

    batch_bytes: int = BATCH_BYTES
    batch_files: int = BATCH_FILES
    split_from: int = STREAM_SIZE
    """Plain text files this large or larger are scanned in segments."""
    segment: int = SEGMENT_SIZE
    window: int | None = None
    """Batch tasks (and large files to split) in flight; default: three per worker thread."""

    def __post_init__(self) -> None:
        if self.batch_bytes < 1 or self.batch_files < 1 or self.segment < 64 * 1024:
            raise ConfigError("batch bytes and files must be positive, segments at least 64 KiB")


class WorkerLost(OSError):
    """The workers scanning a segment died too often (reported as the file's read error)."""


class _Handle:
    """A Dask future with the ``get()`` of a pool's async result."""

    def __init__(self, future: Any) -> None:
        self.future = future

    def get(self) -> Any:
        from distributed import KilledWorker

        try:
            return self.future.result()
        except KilledWorker:
            raise WorkerLost(0, "the cluster workers scanning it died") from None
        finally:
            self.future.release()


def _lost(entry: Entry, reporter: Reporter | None) -> Any:
    if entry.skipped is not None:
        result = ScanResult(printable(entry.path), skipped=entry.skipped)
    elif entry.error is not None:
        result = ScanResult(printable(entry.path), problems=(Problem(*entry.error),))
    else:
        result = ScanResult(
            printable(entry.path), problems=(Problem("worker_lost", "the cluster workers scanning it died"),)
        )
    return reporter.process(result) if reporter is not None else result


def scan_entries(
    client: Any,
    scanner: Scanner,
    entries: Iterable[Entry],
    spec: ReportSpec | None = None,
    *,
    sizing: Sizing | None = None,
    worker_key: bool = False,
    tune_workers: bool = False,
) -> Iterator[Any]:
    """Scan ``entries`` on the cluster behind ``client``, in order.

    Yields what :func:`dlp.parallel.scan_entries` yields: a
    :class:`~dlp.findings.ScanResult` per result, or with ``spec`` a
    :class:`~dlp.report.Processed`. ``scanner`` is the client's (it reads the first
    block of large files to decide whether they can be split). With ``worker_key``
    the workers use their own fingerprint key, which must equal the client's. With
    ``tune_workers`` (workers this process started) the workers tune their allocator and
    garbage collector as ``dlp scan -j`` workers do (:mod:`dlp.tuning`).
    Raises :class:`~dlp.distributed.worker.KeyMismatch` when a worker's differs.
    """
    sizing = sizing or Sizing()
    config = scanner.config
    key = resolve_key(config.key)
    check = key_check(key)
    name = f"dlp-scan-{uuid.uuid4().hex}"
    plugin = ScannerPlugin(
        name, replace(config, key=key), spec, os.getcwd(), worker_key=worker_key, tune=tune_workers
    )
    client.register_plugin(plugin)
    try:
        _check_workers(client, name, check)
        yield from _run(client, scanner, entries, spec, sizing, name, check)
    finally:
        with contextlib.suppress(Exception):
            client.unregister_worker_plugin(name)


def _check_workers(client: Any, name: str, check: str) -> None:
    checks = client.run(worker_check, name, on_error="return")
    if not checks:
        raise ConfigError("the cluster has no workers")
    wrong = sorted(address for address, value in checks.items() if value != check)
    if wrong:
        shown = ", ".join(wrong[:5]) + (" ..." if len(wrong) > 5 else "")
        raise KeyMismatch(
            f"{len(wrong)} of {len(checks)} worker(s) ({shown}) have another fingerprint key than "
            "this client, or could not build the scanner (see their logs): refusing to scan"
        )


def _run(
    client: Any,
    scanner: Scanner,
    entries: Iterable[Entry],
    spec: ReportSpec | None,
    sizing: Sizing,
    name: str,
    check: str,
) -> Iterator[Any]:
    reporter = Reporter(spec) if spec is not None else None
    threads = 1
    window = 0
    units = _units(scanner, entries, sizing)
    pending: deque[tuple[str, Any, Any]] = deque()  # batches submitted, large files to split, in order
    submitted = 0

    def fill() -> None:
        nonlocal threads, window, submitted
        while len(pending) < window or not window:
            if submitted % 64 == 0:  # workers come and go: size the window to the cluster now
                threads = sum(client.nthreads().values()) or 1
                window = sizing.window or 3 * threads
            unit = next(units, None)
            if unit is None:
                return
            submitted += 1
            kind, payload = unit
            if kind == "batch":
                future = client.submit(run_batch, name, check, payload, pure=False)
                pending.append(("batch", future, payload))
            else:
                pending.append(("split", None, payload))

    def submit_segment(args: tuple[Any, ...]) -> _Handle:
        return _Handle(client.submit(run_segment, name, check, args, pure=False))

    try:
        fill()
        while pending:
            kind, future, payload = pending.popleft()
            if kind == "batch":
                yield from _batch_result(future, payload, reporter)
            else:
                entry, header = payload
                yield from in_segments(submit_segment, entry, header, reporter, threads, sizing.segment)
            fill()
    finally:
        for _, future, _ in pending:
            if future is not None:
                future.cancel()


def _batch_result(future: Any, batch: list[Entry], reporter: Reporter | None) -> list[Any]:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        return [_lost(entry, reporter) for entry in batch]
    finally:
        future.release()


def _units(scanner: Scanner, entries: Iterable[Entry], sizing: Sizing) -> Iterator[tuple[str, Any]]:
    """``("batch", entries)`` and ``("split", (entry, header))`` in walk order, as the
    entries come: a batch closes at ``batch_files`` files or before it would pass
    ``batch_bytes`` (a larger file goes alone)."""
    batch: list[Entry] = []
    size = 0
    for entry in entries:
        if entry.path == STDIN:
            raise ConfigError("standard input cannot be scanned on a cluster")
        header = None
        large = entry.size >= max(sizing.split_from, 2 * sizing.segment)
        if large and entry.skipped is None and entry.error is None and not is_url(entry.path):
            header = scanner.segment_header(entry.path)
        if header is not None:
            if batch:
                yield "batch", batch
                batch, size = [], 0
            yield "split", (entry, header)
            continue
        if batch and (len(batch) >= sizing.batch_files or size + entry.size > sizing.batch_bytes):
            yield "batch", batch
            batch, size = [], 0
        batch.append(entry)
        size += entry.size
    if batch:
        yield "batch", batch


def scan(
    paths: Iterable[str],
    config: ScanConfig,
    client: Any,
    *,
    sizing: Sizing | None = None,
    worker_key: bool = False,
) -> Iterator[ScanResult]:
    """Scan files, folders and fsspec URLs on a Dask cluster; one result per input, in walk order.

    ``client`` is a ``distributed.Client``. Large plain text files come back in
    pieces (``more=True`` on all but the last), like :meth:`dlp.Scanner.scan_entry_pieces`.
    """
    from dlp.distributed.stores import walk_any

    config = replace_key(config)
    scanner = Scanner(config)
    entries = walk_any(
        [os.fspath(p) for p in paths], follow_symlinks=config.follow_symlinks, exclude=config.exclude
    )
    yield from scan_entries(client, scanner, entries, None, sizing=sizing, worker_key=worker_key)


def replace_key(config: ScanConfig) -> ScanConfig:
    """``config`` with its key resolved (so that every worker gets the same one)."""
    return replace(config, key=resolve_key(config.key))

"""What runs on the Dask workers: a plugin that builds the scanner, and the tasks.

:class:`ScannerPlugin` travels to every worker once per scan (and to workers that
join later). On ``setup`` it builds a :class:`WorkerScanner` from the client's frozen
configuration, so rules compile once per worker process, not once per task; a
worker with several threads gets one scanner (and reporter) per thread, built on
first use. The tasks look the plugin up by the scan's name and run
:func:`dlp.parallel.scan_batch` or :func:`dlp.parallel.scan_segment` with it.

The fingerprint key is the client's (shipped inside the configuration) or, with
``worker_key``, each worker's own (``DLP_KEY`` / ``DLP_KEY_FILE`` in the worker's
environment). Either way every task carries the client's :func:`key_check` and
fails with :class:`KeyMismatch` on a worker whose key differs: findings with
fingerprints under another key would not correlate.
"""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import replace
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from dlp.config import ScanConfig
from dlp.distributed.stores import is_url, open_url
from dlp.engine.lane import LaneOutput
from dlp.errors import ConfigError
from dlp.findings import ScanResult
from dlp.parallel import scan_batch, scan_segment
from dlp.report import Reporter, ReportSpec
from dlp.scanner import PIECE, Flush, Scanner
from dlp.walk import Entry


class KeyMismatch(ConfigError):
    """A worker fingerprints with another key than the client."""


def key_check(key: bytes) -> str:
    """A short public tag of ``key``: equal keys give equal tags, and the tag (an HMAC
    of a constant under the key) tells nothing about the key itself."""
    return hmac.digest(key, b"dlp cluster key check v1", "sha256").hex()[:16]


class WorkerScanner(Scanner):
    """A scanner that reads fsspec URLs, and relative paths under the client's folder."""

    def __init__(self, config: ScanConfig, root: str) -> None:
        super().__init__(config)
        self.root = root

    def resolve(self, path: str) -> str:
        """Where this worker reads ``path`` (as the client named it)."""
        return path if is_url(path) or os.path.isabs(path) else os.path.join(self.root, path)

    def scan_file(
        self,
        path: str | os.PathLike[str],
        *,
        flush: Flush | None = None,
        piece: int = PIECE,
        lane: LaneOutput | None = None,
        name: str | None = None,
    ) -> ScanResult:
        shown = os.fspath(path) if name is None else name
        if not is_url(os.fspath(path)):
            source = self.resolve(os.fspath(path))
            return super().scan_file(source, flush=flush, piece=piece, lane=lane, name=shown)
        handle, size = open_url(os.fspath(path), self.config.max_file_size, self.config.chunk_size)
        with handle:
            return self.scan_stream(
                handle, name=shown, size_hint=size, flush=flush, piece=piece, lane=lane, scan_name=True
            )


class ScannerPlugin(WorkerPlugin):
    """A Dask worker plugin holding one scan's scanners."""

    def __init__(
        self,
        name: str,
        config: ScanConfig,
        spec: ReportSpec | None,
        root: str,
        *,
        worker_key: bool,
        tune: bool = False,
    ) -> None:
        self.name = name
        self.tune = tune
        self.idempotent = False
        self.config = replace(config, key=None) if worker_key else config
        self.spec = spec if spec is None or not worker_key else replace(spec, key=b"")
        self.root = root
        self.worker_key = worker_key
        self.check = ""
        self._local: threading.local | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_local": None}

    def setup(self, worker: Any) -> None:
        from pathlib import Path

        from dlp.keys import ENV_KEY, ENV_KEY_FILE, default_key_file, resolve_key

        if self.config.key is None and not os.environ.get(ENV_KEY):
            key_file = Path(os.environ.get(ENV_KEY_FILE) or default_key_file())
            if not key_file.is_file():  # a worker never makes up a key of its own
                where = getattr(worker, "address", "a worker")
                raise ConfigError(f"{where} has no fingerprint key: set {ENV_KEY} or {ENV_KEY_FILE} there")
        key = resolve_key(self.config.key)
        self.config = replace(self.config, key=key)
        if self.spec is not None and self.worker_key:
            self.spec = replace(self.spec, key=key)
        self.check = key_check(key)
        self._local = threading.local()
        if self.tune:  # worker processes of the dlp command's own (local:N), as dlp.parallel's
            from dlp import tuning

            tuning.tune_allocator()
        self._build()  # this thread's now: a bad configuration shows at once
        if self.tune:
            from dlp import tuning

            tuning.tune_gc()

    def teardown(self, worker: Any) -> None:
        self._local = None

    def _build(self) -> tuple[WorkerScanner, Reporter | None]:
        assert self._local is not None, "the plugin was not set up on this worker"
        built = getattr(self._local, "built", None)
        if built is None:
            built = WorkerScanner(self.config, self.root), Reporter(self.spec) if self.spec else None
            self._local.built = built
        return built


def _plugin(name: str, check: str) -> ScannerPlugin:
    from distributed import get_worker

    worker = get_worker()
    plugin = worker.plugins.get(name)
    if not isinstance(plugin, ScannerPlugin) or plugin._local is None:
        raise ConfigError(f"worker {worker.address} could not set up the scan (see its log)")
    if plugin.check != check:
        raise KeyMismatch(f"worker {worker.address} fingerprints with another key than the client")
    return plugin


def worker_check(name: str, dask_worker: Any = None) -> str:
    """This worker's key check for scan ``name`` (run on every worker by ``Client.run``)."""
    plugin = dask_worker.plugins.get(name) if dask_worker is not None else None
    if not isinstance(plugin, ScannerPlugin) or plugin._local is None:
        return "not set up"
    return plugin.check


def run_batch(name: str, check: str, batch: list[Entry]) -> list[Any]:
    """Task: scan and report a batch of entries in order."""
    scanner, reporter = _plugin(name, check)._build()
    return scan_batch(scanner, reporter, batch)


def run_segment(name: str, check: str, args: tuple[Any, ...]) -> Any:
    """Task: scan and report one segment of a large text file (see :func:`dlp.parallel.in_segments`)."""
    scanner, reporter = _plugin(name, check)._build()
    path, start, end, line_base, header, reported = args
    source = scanner.resolve(path)
    return scan_segment(scanner, reporter, source, start, end, line_base, header, reported, name=path)

"""Scan one settled file and spool its findings, skipping files that have not changed.

Order of checks: a regular file? excluded? same size, mtime and inode as at the
last scan? same keyed content digest? Only then is it scanned. The file is opened
once, with ``O_NOFOLLOW`` and an ``fstat`` check that it is the regular file the
``lstat`` saw (:func:`dlp.safeopen.open_regular`); the digest and the scan read
that one open file. Its findings (wire records, masked values only; paths with
the values found in them masked unless ``raw_paths``) and its new cache row are
committed together; a file that changed while it was scanned is reported as
``changed`` and scanned again. When the spool cannot be written (disk full, I/O
error, locked), the worker keeps the findings, logs it plainly ("spool disk full:
scanning paused") and retries with backoff until it can, or the agent stops.
"""

from __future__ import annotations

import enum
import hmac
import logging
import os
import random
import stat
import threading
from collections.abc import Callable
from typing import BinaryIO

import orjson

from dlp import __version__
from dlp.agents.sender import backoff
from dlp.agents.state import FileSig, StateDB
from dlp.agents.storage import SpoolError
from dlp.agents.wire import finding_record, now_utc
from dlp.findings import ScanResult
from dlp.printable import printable_text
from dlp.safeopen import NotRegular, Replaced, open_regular
from dlp.scanner import Scanner
from dlp.walk import excluded

log = logging.getLogger(__name__)
READ_SIZE = 1024 * 1024
TRANSIENT = frozenset({"vanished", "unreadable", "timeout"})
"""Problems after which a file is not marked as scanned (it is tried again later)."""


class Outcome(enum.Enum):
    SCANNED = "scanned"
    UNCHANGED = "unchanged"
    IGNORED = "ignored"
    GONE = "gone"
    CHANGED = "changed"
    TOO_LARGE = "too_large"
    INTERRUPTED = "interrupted"
    FAILED = "failed"


def keyed_digest(key: bytes, path: str) -> str:
    """HMAC-SHA256 of a file's content (keyed, so a tiny file's digest does not reveal it)."""
    handle, _ = open_regular(path)
    with handle:
        return stream_digest(key, handle)


def stream_digest(key: bytes, stream: BinaryIO) -> str:
    """:func:`keyed_digest` of what is left in an open file."""
    mac = hmac.new(key, digestmod="sha256")
    while chunk := stream.read(READ_SIZE):
        mac.update(chunk)
    return mac.hexdigest()


class SpoolPause:
    """Shared by the workers: says once, plainly, when the spool cannot be written and
    when it can again, and how long to wait before the next try."""

    def __init__(self, max_backoff: float) -> None:
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._failures = 0
        self._max_backoff = max_backoff
        self._rng = random.Random()

    def failed(self, problem: str) -> float:
        """Note a failure; returns the seconds to wait before the next try."""
        with self._lock:
            if problem != self._problem:
                log.error("spool %s: scanning paused, retrying with backoff", problem)
                self._problem = problem
            self._failures += 1
            return backoff(self._failures, self._max_backoff, self._rng)

    def succeeded(self) -> None:
        if self._problem is None:
            return
        with self._lock:
            if self._problem is not None:
                log.warning("spool writable again (was: %s): scanning resumes", self._problem)
                self._problem, self._failures = None, 0


def _sig(st: os.stat_result) -> FileSig:
    return FileSig(st.st_size, st.st_mtime_ns, st.st_ino)


class FileProcessor:
    """Everything the agent does with one path. Thread-safe; raises only on unexpected errors."""

    def __init__(
        self,
        scanner: Scanner,
        state: StateDB,
        *,
        key: bytes,
        host: str,
        ignore: Callable[[str], bool] = lambda path: False,
        stop: threading.Event | None = None,
        raw_paths: bool = False,
        max_backoff: float = 60.0,
    ) -> None:
        self._scanner = scanner
        self._state = state
        self._key = key
        self._host = host
        self._ignore = ignore
        self._stop = stop or threading.Event()
        self._config = scanner.config
        self._raw_paths = raw_paths
        self.pause = SpoolPause(max_backoff)

    def shown(self, path: str) -> str:
        """``path`` as logs show it: values found in it masked, control characters escaped."""
        return printable_text(self.masked(path))

    def masked(self, path: str) -> str:
        """``path`` as it is sent: the values found in it masked (unless ``raw_paths``)."""
        return path if self._raw_paths else self._scanner.mask_values(path)

    def process(self, path: str) -> Outcome:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            self._state.forget(path)
            return Outcome.GONE
        if not stat.S_ISREG(st.st_mode) or self._ignore(path) or excluded(path, self._config.exclude):
            return Outcome.IGNORED
        sig = _sig(st)
        cached = self._state.cached(path)
        if cached is not None and cached.sig == sig:
            return Outcome.UNCHANGED
        if st.st_size > self._config.max_file_size:
            log.warning("%s: %d bytes is over the size limit; not scanned", self.shown(path), st.st_size)
            self._state.remember(path, sig, "")
            return Outcome.TOO_LARGE
        try:
            handle, _ = open_regular(path, expected=st)
        except FileNotFoundError:
            return Outcome.GONE
        except NotRegular:  # swapped for a link, a FIFO ... since the lstat
            return Outcome.IGNORED
        except Replaced:
            return Outcome.CHANGED
        except OSError as exc:
            log.warning("%s: not readable (%s)", self.shown(path), exc.strerror)
            return Outcome.FAILED
        with handle:
            try:
                digest = stream_digest(self._key, handle)
                handle.seek(0)
            except OSError as exc:
                log.warning("%s: not readable (%s)", self.shown(path), exc.strerror)
                return Outcome.FAILED
            if cached is not None and cached.digest == digest:
                self._state.remember(path, sig, digest)  # touched, not changed
                return Outcome.UNCHANGED
            result = self._scanner.scan_stream(handle, name=path, size_hint=st.st_size, scan_name=True)
        if any(p.reason == "vanished" and not p.partial for p in result.problems):
            return Outcome.GONE
        try:
            after = _sig(os.stat(path))
        except FileNotFoundError:
            after = None
        if after != sig:
            return Outcome.CHANGED
        return self._spool(path, sig, digest, result)

    def _spool(self, path: str, sig: FileSig, digest: str, result: ScanResult) -> Outcome:
        time = now_utc()
        records = []
        mask = None if self._raw_paths else self._scanner.mask_values
        for finding in result.findings:
            record = finding_record(finding, host=self._host, agent_version=__version__, time=time, mask=mask)
            records.append((record["id"], orjson.dumps(record)))
        transient = [p.reason for p in result.problems if p.reason in TRANSIENT]
        for problem in result.problems:  # binary content, decoding errors ... are routine: debug
            level = logging.INFO if problem.reason in TRANSIENT else logging.DEBUG
            log.log(
                level,
                "%s: %s (%s)",
                self.shown(path),
                problem.reason,
                "partly scanned" if problem.partial else "not scanned",
            )
        while records and not self._state.wait_for_room(timeout=1.0):
            if self._stop.is_set():
                return Outcome.INTERRUPTED
        cacheable = not transient
        while True:
            try:
                added = self._state.commit_scan(
                    path, sig if cacheable else None, digest if cacheable else None, records
                )
                break
            except SpoolError as exc:  # the findings are kept here and spooled once it works
                if self._stop.wait(self.pause.failed(exc.problem)):
                    return Outcome.INTERRUPTED
        self.pause.succeeded()
        log.log(
            logging.INFO if records else logging.DEBUG,
            "scanned %s: %d finding(s), %d new to the spool",
            self.shown(path),
            len(records),
            added,
        )
        return Outcome.SCANNED

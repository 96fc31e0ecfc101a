"""Scan one settled file and spool its findings, skipping files that have not changed.

Order of checks: a regular file? excluded? same size, mtime and inode as at the
last scan? same keyed content digest? Only then is it scanned. Its findings (wire
records, masked values only) and its new cache row are committed together; a file
that changed while it was scanned is reported as ``changed`` and scanned again.
"""

from __future__ import annotations

import enum
import hmac
import logging
import os
import stat
import threading
from collections.abc import Callable

import orjson

from dlp import __version__
from dlp.agents.state import FileSig, StateDB
from dlp.agents.wire import finding_record, now_utc
from dlp.errors import ScanError
from dlp.findings import ScanResult
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
    mac = hmac.new(key, digestmod="sha256")
    with open(path, "rb") as fh:
        while chunk := fh.read(READ_SIZE):
            mac.update(chunk)
    return mac.hexdigest()


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
    ) -> None:
        self._scanner = scanner
        self._state = state
        self._key = key
        self._host = host
        self._ignore = ignore
        self._stop = stop or threading.Event()
        self._config = scanner.config

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
            log.warning("%s: %d bytes is over the size limit; not scanned", path, st.st_size)
            self._state.remember(path, sig, "")
            return Outcome.TOO_LARGE
        try:
            digest = keyed_digest(self._key, path)
        except FileNotFoundError:
            return Outcome.GONE
        except OSError as exc:
            log.warning("%s: not readable (%s)", path, exc.strerror)
            return Outcome.FAILED
        if cached is not None and cached.digest == digest:
            self._state.remember(path, sig, digest)  # touched, not changed
            return Outcome.UNCHANGED
        try:
            result = self._scanner.scan_file(path)
        except ScanError as exc:
            if exc.reason == "vanished":
                return Outcome.GONE
            log.warning("%s: not scanned (%s)", path, exc.reason)
            return Outcome.FAILED
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
        for finding in result.findings:
            record = finding_record(finding, host=self._host, agent_version=__version__, time=time)
            records.append((record["id"], orjson.dumps(record)))
        transient = [p.reason for p in result.problems if p.reason in TRANSIENT]
        for problem in result.problems:  # binary content, decoding errors ... are routine: debug
            level = logging.INFO if problem.reason in TRANSIENT else logging.DEBUG
            log.log(
                level,
                "%s: %s (%s)",
                path,
                problem.reason,
                "partly scanned" if problem.partial else "not scanned",
            )
        while records and not self._state.wait_for_room(timeout=1.0):
            if self._stop.is_set():
                return Outcome.INTERRUPTED
        cacheable = not transient
        added = self._state.commit_scan(
            path, sig if cacheable else None, digest if cacheable else None, records
        )
        log.log(
            logging.INFO if records else logging.DEBUG,
            "scanned %s: %d finding(s), %d new to the spool",
            path,
            len(records),
            added,
        )
        return Outcome.SCANNED

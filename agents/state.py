"""The agent's state: a durable spool of findings and a content-hash cache, in one SQLite file.

``STATE_DIR/state.db`` (WAL mode) holds three tables:

``spool``
    findings waiting for the collector, as the exact NDJSON line that will be sent.
    A row is deleted only after the collector acknowledged it.
``files``
    per path: size, mtime, inode and a keyed content digest of the last scan, so an
    unchanged file is not scanned again, also after a restart.
``quarantine``
    findings the collector rejected one by one as malformed (kept, never resent).

A scanned file's findings and its cache row are written in one transaction: after a
crash either both are there or neither is (and the file is scanned again), so no
finding can be lost between the two. Nothing raw is stored: records hold masked
values and keyed fingerprints; digests are HMACs under the deployment key.

Every storage failure (disk full, I/O error, locked, damaged) is raised as
:class:`~dlp.agents.storage.SpoolError` with a plain ``problem``, after rolling
back whatever was open; the caller retries with backoff.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dlp.agents.storage import storage
from dlp.agents.wire import now_utc, printable_path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    digest TEXT NOT NULL,
    scanned_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    id TEXT PRIMARY KEY,
    body BLOB NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class FileSig:
    """What a stat says about a file; equal signatures mean "unchanged" without reading it."""

    size: int
    mtime_ns: int
    inode: int


@dataclass(frozen=True, slots=True)
class Cached:
    sig: FileSig
    digest: str


@dataclass(frozen=True, slots=True)
class Spooled:
    seq: int
    id: str
    body: bytes


class StateDB:
    """Thread-safe access to the state file (one connection behind a lock)."""

    def __init__(self, path: Path, *, spool_max: int) -> None:
        self.path = path
        self.spool_max = spool_max
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self.changed = threading.Event()
        """Set whenever findings were added to the spool (wakes the sender)."""
        self._folder = str(path.parent)
        with storage(None, self._folder):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))  # -wal, -shm inherit it
            os.chmod(path, 0o600)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        with storage(self._db, self._folder):
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes; see module doc
            self._db.executescript(SCHEMA)
            self._pending = self._db.execute("SELECT count(*) FROM spool").fetchone()[0]
        self.earlier = self._pending
        """Findings found in the spool when it was opened (left by an earlier run)."""
        self._full = False
        self._released = False
        if self._pending:
            self.changed.set()

    # -- content-hash cache -------------------------------------------------------

    def cached(self, path: str) -> Cached | None:
        with self._lock, storage(self._db, self._folder):
            row = self._db.execute(
                "SELECT size, mtime_ns, inode, digest FROM files WHERE path = ?", (printable_path(path),)
            ).fetchone()
        return Cached(FileSig(*row[:3]), row[3]) if row else None

    def remember(self, path: str, sig: FileSig, digest: str) -> None:
        """Mark ``path`` as scanned with no findings to add."""
        with self._lock, storage(self._db, self._folder):
            self._upsert_file(path, sig, digest)

    def forget(self, path: str) -> None:
        with self._lock, storage(self._db, self._folder):
            self._db.execute("DELETE FROM files WHERE path = ?", (printable_path(path),))

    def _upsert_file(self, path: str, sig: FileSig, digest: str) -> None:
        self._db.execute(
            "INSERT INTO files (path, size, mtime_ns, inode, digest, scanned_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "inode = excluded.inode, digest = excluded.digest, scanned_at = excluded.scanned_at",
            (printable_path(path), sig.size, sig.mtime_ns, sig.inode, digest, now_utc()),
        )

    # -- spool --------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Findings in the spool."""
        with self._lock:
            return self._pending

    def wait_for_room(self, timeout: float) -> bool:
        """Block until the spool is below its cap (True) or ``timeout`` passes (False)."""
        with self._room:
            if self._pending < self.spool_max:
                return True
            if not self._full:
                self._full = True
                log.error(
                    "SPOOL FULL: %d findings wait for the collector (cap %d); scanning is paused "
                    "until the collector accepts findings",
                    self._pending,
                    self.spool_max,
                )
            self._room.wait_for(lambda: self._pending < self.spool_max or self._released, timeout)
            return self._pending < self.spool_max

    def release_waiters(self) -> None:
        """Wake every :meth:`wait_for_room` caller now and from now on (shutdown)."""
        with self._room:
            self._released = True
            self._room.notify_all()

    def commit_scan(
        self, path: str, sig: FileSig | None, digest: str | None, records: Iterable[tuple[str, bytes]]
    ) -> int:
        """Spool a file's findings and (when ``sig`` is given) its cache row, in one transaction.

        ``records`` are ``(id, ndjson_line)`` pairs; returns how many were new to the spool.
        """
        rows = list(records)
        with self._lock:
            with storage(self._db, self._folder):
                self._db.execute("BEGIN IMMEDIATE")
                before = self._db.total_changes
                self._db.executemany("INSERT OR IGNORE INTO spool (id, body) VALUES (?, ?)", rows)
                added = self._db.total_changes - before
                if sig is not None and digest is not None:
                    self._upsert_file(path, sig, digest)
                self._db.execute("COMMIT")
            self._pending += added
        if added:
            self.changed.set()
        return added

    def batch(self, limit: int) -> list[Spooled]:
        """The oldest ``limit`` findings, in spool order."""
        with self._lock, storage(self._db, self._folder):
            rows = self._db.execute(
                "SELECT seq, id, body FROM spool ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [Spooled(*row) for row in rows]

    def ack(self, items: list[Spooled]) -> None:
        """The collector stored these: drop them from the spool."""
        self._remove(items, None)

    def quarantine(self, items: list[Spooled], reason: str) -> None:
        """The collector rejected these as malformed: keep them aside, never resend."""
        self._remove(items, reason)

    def _remove(self, items: list[Spooled], reason: str | None) -> None:
        if not items:
            return
        with self._room:
            with storage(self._db, self._folder):
                self._db.execute("BEGIN IMMEDIATE")
                if reason is not None:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO quarantine (id, body, reason, at) VALUES (?, ?, ?, ?)",
                        [(item.id, item.body, reason, now_utc()) for item in items],
                    )
                before = self._db.total_changes
                self._db.executemany("DELETE FROM spool WHERE seq = ?", [(item.seq,) for item in items])
                removed = self._db.total_changes - before
                self._db.execute("COMMIT")
            self._pending -= removed
            if self._full and self._pending < self.spool_max:
                self._full = False
                log.warning(
                    "spool below its cap again (%d findings waiting); scanning resumes", self._pending
                )
            self._room.notify_all()

    def quarantined(self) -> int:
        with self._lock, storage(self._db, self._folder):
            return self._db.execute("SELECT count(*) FROM quarantine").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.OperationalError):  # busy: SQLite checkpoints on next open
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

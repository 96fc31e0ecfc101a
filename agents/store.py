"""The collector's store: one SQLite file in WAL mode, idempotent on the finding ``id``.

Writers are serialised behind one connection; readers (the HTTP API's queries and
``dlp collector query``) use their own connections and never block the writer.
``seq`` is the insertion order and serves as the paging cursor. The schema is
versioned (:mod:`dlp.agents.migrations`); :mod:`dlp.agents.pgstore` is the same
store on PostgreSQL, and :func:`dlp.agents.backends.open_store` picks one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dlp.agents.migrations import SQLITE, Migration, too_new, upgrade

COLUMNS = (
    "id",
    "host",
    "agent_version",
    "time",
    "received",
    "path",
    "member",
    "detector",
    "column",
    "masked",
    "fingerprint",
    "confidence",
    "severity",
    "offset",
    "line",
    "location",
)
_SELECT = ", ".join(f'"{c}"' for c in COLUMNS)
_INSERT = f"INSERT OR IGNORE INTO findings ({_SELECT}) VALUES ({', '.join(':' + c for c in COLUMNS)})"


@dataclass(frozen=True)
class Filters:
    """Query filters; all optional. ``since`` is a canonical UTC time (see :func:`wire.parse_time`)."""

    host: str | None = None
    detector: str | None = None
    path_prefix: str | None = None
    since: str | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        if self.host is not None:
            clauses.append("host = :host")
            params["host"] = self.host
        if self.detector is not None:
            clauses.append("detector = :detector")
            params["detector"] = self.detector
        if self.path_prefix:
            # A range on the path index; likelihood() tells the planner it is selective
            # (else it walks the whole table in seq order). substr() makes it exact.
            clauses.append("likelihood(path >= :prefix, 0.01) AND substr(path, 1, :prefix_len) = :prefix")
            params.update(prefix=self.path_prefix, prefix_len=len(self.path_prefix))
            following = ord(self.path_prefix[-1]) + 1
            if following == 0xD800:  # surrogates are not characters: U+D7FF is followed by U+E000
                following = 0xE000
            if following <= 0x10FFFF:
                clauses.append("likelihood(path < :prefix_end, 0.01)")
                params["prefix_end"] = self.path_prefix[:-1] + chr(following)
        if self.since is not None:
            clauses.append("time >= :since")
            params["since"] = self.since
        return " AND ".join(clauses) or "1", params


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    else:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return found is not None


def as_record(row: sqlite3.Row | tuple[Any, ...]) -> dict[str, Any]:
    """A stored row (``seq`` first, then :data:`COLUMNS`) as the API's JSON object."""
    values = dict(zip(("seq", *COLUMNS), row, strict=True))
    record = {k: values[k] for k in ("id", "host", "agent_version", "time", "received", "path")}
    if values["member"] is not None:
        record["member"] = values["member"]
    record["detector"] = values["detector"]
    if values["column"] is not None:
        record["column"] = values["column"]
    record.update({k: values[k] for k in ("masked", "fingerprint", "confidence", "severity")})
    record["location"] = orjson.loads(values["location"])
    return record


def iterate_pages(query: Any, filters: Filters, page: int) -> Iterator[dict[str, Any]]:
    """Every finding ``query(filters, limit=, after=)`` matches (a store's ``query``: records
    and the cursor of the next page, or None), fetched ``page`` at a time."""
    after = 0
    while True:
        records, cursor = query(filters, limit=page, after=after)
        yield from records
        if cursor is None:
            return
        after = cursor


class Store:
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    """What the database raises when it fails (the API answers 503 on ``/healthz``)."""

    def __init__(
        self, path: Path, *, readonly: bool = False, migrations: tuple[Migration, ...] = SQLITE
    ) -> None:
        self.path = path
        self.readonly = readonly
        if readonly and not path.is_file():
            raise FileNotFoundError(f"no collector database at {path}")
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        if not readonly:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # -wal and -shm inherit the mode
            self._writer = _connect(path, readonly=False)
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=NORMAL")
            self._writer.execute("PRAGMA wal_autocheckpoint=10000")  # fewer, larger checkpoints
            self._migrate(migrations)
        else:
            self._check_version(migrations)

    def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        db = self._writer
        db.execute("BEGIN IMMEDIATE")
        try:
            has_findings = _has_table(db, "findings")
            upgrade(
                db.execute, lambda sql: db.execute(sql).fetchone(), has_findings, migrations, str(self.path)
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            db.close()
            raise

    def _check_version(self, migrations: tuple[Migration, ...]) -> None:
        db = self._reader()
        if _has_table(db, "schema_version"):
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is not None and row[0] > migrations[-1].version:
                self.close()
                raise too_new(row[0], migrations, str(self.path))

    def _reader(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = _connect(self.path, readonly=True)
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        return db

    def insert(self, records: list[dict[str, Any]], received: str) -> tuple[int, int]:
        """Store validated records in one transaction; returns ``(accepted, duplicates)``."""
        rows = [{**record, "received": received} for record in records]
        with self._write_lock:
            db = self._writer
            db.execute("BEGIN IMMEDIATE")
            try:
                before = db.total_changes
                db.executemany(_INSERT, rows)
                accepted = db.total_changes - before
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return accepted, len(rows) - accepted

    def query(
        self, filters: Filters, *, limit: int | None = None, after: int = 0
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of findings in insertion order after cursor ``after``; returns it and the next cursor."""
        where, params = filters.where()
        sql = f"SELECT seq, {_SELECT} FROM findings WHERE seq > :after AND {where} ORDER BY seq"
        params["after"] = after
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        rows = self._reader().execute(sql, params).fetchall()
        more = limit is not None and len(rows) == limit
        return [as_record(r) for r in rows], (rows[-1][0] if more else None)

    def iterate(self, filters: Filters, *, page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching finding, fetched page by page."""
        return iterate_pages(self.query, filters, page)

    def count(self) -> int:
        return self._reader().execute("SELECT count(*) FROM findings").fetchone()[0]

    def ping(self) -> None:
        """Raises one of :attr:`errors` unless the database answers."""
        self._reader().execute("SELECT 1 FROM findings LIMIT 1").fetchall()

    def close(self) -> None:
        with self._all_lock:
            for db in self._all:
                db.close()
            self._all.clear()
        if not self.readonly:
            with self._write_lock:
                with contextlib.suppress(sqlite3.OperationalError):
                    self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._writer.close()

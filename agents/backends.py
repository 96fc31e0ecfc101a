"""Where the collector keeps findings: ``--db FILE`` (SQLite, the embedded default) or
``--db postgresql://USER@HOST/DB`` (PostgreSQL, for several collectors on one database).

Both stores offer the same methods (``insert``, ``query``, ``iterate``, ``count``,
``ping``, ``close``) and name the exceptions their database raises in ``errors``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

from dlp.agents.pgstore import PostgresStore, is_postgres, shown
from dlp.agents.store import Store

AnyStore: TypeAlias = Store | PostgresStore

__all__ = ["describe", "is_postgres", "open_store"]


def open_store(db: str | Path, *, readonly: bool = False) -> AnyStore:
    """The store behind ``db``: a PostgreSQL URL, else an SQLite file path."""
    if isinstance(db, str) and is_postgres(db):
        return PostgresStore(db, readonly=readonly)
    return Store(Path(db), readonly=readonly)


def describe(db: str | Path) -> str:
    """``db`` for logs and messages (a URL without its password)."""
    return shown(db) if isinstance(db, str) and is_postgres(db) else str(db)

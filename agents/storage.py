"""Storage failures of the agent's state file, named for people.

SQLite reports a full disk, an I/O error or a lock as ``sqlite3.OperationalError``
(and a damaged file as ``sqlite3.DatabaseError``); logged by type alone that
says nothing. :class:`SpoolError` carries a plain ``problem`` ("disk full",
"I/O error", "locked", "read-only", "damaged") from SQLite's result code, so the
agent can log "spool disk full: scanning paused" and retry with backoff.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator

# SQLite primary result codes (https://sqlite.org/rescode.html)
_PROBLEMS = {
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    8: "read-only",  # SQLITE_READONLY
    10: "I/O error",  # SQLITE_IOERR
    11: "damaged",  # SQLITE_CORRUPT
    13: "disk full",  # SQLITE_FULL
    14: "cannot open",  # SQLITE_CANTOPEN
    26: "damaged",  # SQLITE_NOTADB
}
_ERRNO = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk full",
    errno.EFBIG: "disk full",  # over RLIMIT_FSIZE
    errno.EIO: "I/O error",
    errno.EROFS: "read-only",
    errno.EACCES: "cannot open",
}
RETRIED = frozenset({"disk full", "I/O error", "locked"})
"""Problems that pass (room is made, the lock is released): waited out, not given up on."""
_WORDS = (
    ("disk is full", "disk full"),
    ("i/o error", "I/O error"),
    ("locked", "locked"),
    ("readonly", "read-only"),
    ("malformed", "damaged"),
    ("not a database", "damaged"),
    ("unable to open", "cannot open"),
)


class SpoolError(sqlite3.OperationalError):
    """The state file could not be read or written; ``problem`` says why in plain words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def problem_of(exc: BaseException, folder: str | None = None) -> str:
    """Plain words for a storage failure (SQLite's result code, else errno, else the type).

    SQLite reports some writes on a full disk (growing its shared-memory file) as an
    I/O error or as "cannot open": with the ``folder`` of the file, a disk with no free
    block left is called full."""
    problem = _problem_of(exc)
    if problem in ("I/O error", "cannot open") and folder is not None:
        with contextlib.suppress(OSError):
            if os.statvfs(folder).f_bavail == 0:
                return "disk full"
    return problem


def _problem_of(exc: BaseException) -> str:
    if isinstance(exc, SpoolError):
        return exc.problem
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None and code & 0xFF in _PROBLEMS:
        return _PROBLEMS[code & 0xFF]
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        return _ERRNO[exc.errno]
    text = str(exc).lower()  # SQLite's own message: never file content
    return next((plain for words, plain in _WORDS if words in text), type(exc).__name__)


@contextlib.contextmanager
def storage(db: sqlite3.Connection | None, folder: str | None = None) -> Iterator[None]:
    """Turn storage failures inside into :class:`SpoolError`, rolling back what is open.

    SQLite rolls a transaction back by itself on some errors (a full disk); an
    explicit ``ROLLBACK`` then fails, so one is sent only while a transaction is open.
    """
    try:
        yield
    except (sqlite3.OperationalError, OSError) as exc:
        _rollback(db)
        raise SpoolError(problem_of(exc, folder)) from exc
    except sqlite3.DatabaseError as exc:
        _rollback(db)
        if type(exc) is sqlite3.DatabaseError:  # "file is not a database", "malformed"
            raise SpoolError(problem_of(exc, folder)) from exc
        raise
    except BaseException:
        _rollback(db)
        raise


def _rollback(db: sqlite3.Connection | None) -> None:
    if db is not None and db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")

"""Versioned schema of the collector database, for SQLite and PostgreSQL alike.

The version lives in a table of its own, ``schema_version`` (one row). On start a
collector applies, in one transaction and in order, every migration its database
lacks: a newer collector upgrades an older database. A database of a newer
version than this collector knows is refused (:class:`SchemaTooNew`): an older
collector must not write rows a newer schema would not expect. A database created
before versions were recorded (it has ``findings`` but no ``schema_version``) is
version 1, the schema it was created with.

Concurrent collectors starting on one PostgreSQL database take a transaction-level
advisory lock first, so exactly one of them migrates and the others see the result.

>>> [m.version for m in SQLITE], [m.version for m in POSTGRES]
([1], [1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dlp.errors import ConfigError


class SchemaTooNew(ConfigError):
    """The database was made by a newer collector."""


@dataclass(frozen=True)
class Migration:
    """The statements that take a database from ``version - 1`` to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]


SQLITE = (
    Migration(
        1,
        "findings, idempotent on id, with indexes for the query filters",
        (
            """CREATE TABLE IF NOT EXISTS findings (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                host TEXT NOT NULL,
                agent_version TEXT NOT NULL,
                time TEXT NOT NULL,
                received TEXT NOT NULL,
                path TEXT NOT NULL,
                member TEXT,
                detector TEXT NOT NULL,
                "column" TEXT,
                masked TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                confidence REAL NOT NULL,
                severity TEXT NOT NULL,
                offset INTEGER NOT NULL,
                line INTEGER NOT NULL,
                location TEXT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS findings_host ON findings (host, seq)",
            "CREATE INDEX IF NOT EXISTS findings_detector ON findings (detector, seq)",
            "CREATE INDEX IF NOT EXISTS findings_path ON findings (path)",
            "CREATE INDEX IF NOT EXISTS findings_time ON findings (time)",
        ),
    ),
)

POSTGRES = (
    Migration(
        1,
        "findings, idempotent on id, with indexes for the query filters",
        (
            # Texts compared by byte order ("C"): path prefixes as ranges on the index,
            # canonical times in time order, as in SQLite.
            """CREATE TABLE IF NOT EXISTS findings (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                host TEXT NOT NULL,
                agent_version TEXT NOT NULL,
                time TEXT COLLATE "C" NOT NULL,
                received TEXT NOT NULL,
                path TEXT COLLATE "C" NOT NULL,
                member TEXT,
                detector TEXT NOT NULL,
                "column" TEXT,
                masked TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                confidence DOUBLE PRECISION NOT NULL,
                severity TEXT NOT NULL,
                "offset" BIGINT NOT NULL,
                line BIGINT NOT NULL,
                location TEXT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS findings_host ON findings (host, seq)",
            "CREATE INDEX IF NOT EXISTS findings_detector ON findings (detector, seq)",
            "CREATE INDEX IF NOT EXISTS findings_path ON findings (path)",
            "CREATE INDEX IF NOT EXISTS findings_time ON findings (time)",
        ),
    ),
)

VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"


def latest(migrations: Sequence[Migration]) -> int:
    return migrations[-1].version if migrations else 0


def too_new(found: int, migrations: Sequence[Migration], where: str) -> SchemaTooNew:
    return SchemaTooNew(
        f"the collector database {where} has schema version {found}, newer than this collector's "
        f"{latest(migrations)}: upgrade dlp on this host (an older collector must not write to it)"
    )


def upgrade(
    execute: Callable[[str], None],
    query_one: Callable[[str], tuple | None],
    has_findings: bool,
    migrations: Sequence[Migration],
    where: str,
) -> tuple[int, int]:
    """Bring a database to the latest version inside the caller's transaction.

    ``execute`` runs a statement, ``query_one`` fetches one row, ``has_findings`` says
    whether a ``findings`` table exists. Returns ``(version found, version now)``.
    """
    execute(VERSION_TABLE)
    row = query_one("SELECT version FROM schema_version")
    found = row[0] if row is not None else (1 if has_findings else 0)
    if found > latest(migrations):
        raise too_new(found, migrations, where)
    for migration in migrations:
        if migration.version > found:
            for statement in migration.statements:
                execute(statement)
    now = max(found, latest(migrations))
    if row is None:
        execute(f"INSERT INTO schema_version (version) VALUES ({int(now)})")
    elif now != found:
        execute(f"UPDATE schema_version SET version = {int(now)}")
    return found, now

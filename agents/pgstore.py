"""The collector's store on PostgreSQL: what :mod:`dlp.agents.store` does on SQLite,
for several collector processes serving one database (``--db postgresql://...``).

The same table and columns (:mod:`dlp.agents.migrations`), the same idempotency on the
finding ``id`` (``INSERT ... ON CONFLICT (id) DO NOTHING``: a resend, or the same batch
sent to two collectors, is stored once) and the same queries, paged by ``seq``.
Connections come from a pool (psycopg_pool). Every insert transaction first takes a
transaction-level advisory lock, so that batches commit in ``seq`` order across all
collectors: a reader paging with ``cursor`` never skips a row that commits late.
Needs ``pip install 'dlp[postgres]'``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dlp.agents.migrations import POSTGRES, Migration, too_new, upgrade
from dlp.agents.store import COLUMNS, Filters, as_record, iterate_pages
from dlp.agents.wire import BadRecord
from dlp.errors import ConfigError

_SELECT = ", ".join(f'"{c}"' for c in COLUMNS)
_INSERT = (
    f"INSERT INTO findings ({_SELECT}) VALUES ({', '.join(f'%({c})s' for c in COLUMNS)}) "
    "ON CONFLICT (id) DO NOTHING"
)
INSERT_LOCK = 0x646C7001  # "dlp" 1: advisory lock serialising inserts (seq order = commit order)
MIGRATE_LOCK = 0x646C7002  # "dlp" 2: one collector migrates at a time
_TEXT = ("host", "agent_version", "path", "member", "detector", "column", "masked", "severity")


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def shown(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:
        return "postgresql://?"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host') or ''}{port}/{parts.get('dbname') or ''}"


def where(filters: Filters) -> tuple[str, dict[str, Any]]:
    """:meth:`Filters.where` in PostgreSQL's dialect."""
    clauses, params = [], {}
    if filters.host is not None:
        clauses.append("host = %(host)s")
        params["host"] = filters.host
    if filters.detector is not None:
        clauses.append("detector = %(detector)s")
        params["detector"] = filters.detector
    if filters.path_prefix:
        # A range on the path index (byte order: the column is COLLATE "C"); starts_with is exact.
        clauses.append("path >= %(prefix)s AND starts_with(path, %(prefix)s)")
        params["prefix"] = filters.path_prefix
        last = filters.path_prefix[-1]
        if last != "\U0010ffff":
            clauses.append("path < %(prefix_end)s")
            params["prefix_end"] = filters.path_prefix[:-1] + chr(ord(last) + 1)
    if filters.since is not None:
        clauses.append("time >= %(since)s")
        params["since"] = filters.since
    return " AND ".join(clauses) or "TRUE", params


def _reason(exc: Exception, url: str) -> str:
    """The first line of a connection error, without the password should it appear."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    try:
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(url).get("password")
    except Exception:
        password = None
    return reason.replace(str(password), "***") if password else reason


class PostgresStore:
    """:class:`dlp.agents.store.Store`'s interface on a PostgreSQL database."""

    def __init__(
        self,
        url: str,
        *,
        readonly: bool = False,
        migrations: tuple[Migration, ...] = POSTGRES,
        pool_size: int = 8,
        connect_timeout: float = 10.0,
    ) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise ConfigError("a PostgreSQL database needs psycopg: pip install 'dlp[postgres]'") from None
        self.errors: tuple[type[Exception], ...] = (psycopg.Error,)
        self.url = url
        self.readonly = readonly
        options = "-c default_transaction_read_only=on" if readonly else ""
        try:  # one connection first: a wrong address or password fails at once, with its reason
            psycopg.connect(url, connect_timeout=max(1, int(connect_timeout))).close()
        except psycopg.Error as exc:
            raise ConfigError(f"cannot connect to {shown(url)}: {_reason(exc, url)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"options": options, "connect_timeout": max(1, int(connect_timeout))},
            timeout=connect_timeout,
            open=False,
            name="dlp-collector",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except psycopg.Error as exc:
            self._pool.close()
            raise ConfigError(f"cannot connect to {shown(url)}: {_reason(exc, url)}") from None
        try:
            if readonly:
                self._check_version(migrations)
            else:
                self._migrate(migrations)
        except BaseException:
            self._pool.close()
            raise

    def _migrate(self, migrations: tuple[Migration, ...]) -> None:
        with self._pool.connection() as conn:  # one transaction, committed on leaving
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            row = conn.execute("SELECT to_regclass('findings') IS NOT NULL").fetchone()
            upgrade(
                lambda sql: conn.execute(sql),  # type: ignore[arg-type]
                lambda sql: conn.execute(sql).fetchone(),  # type: ignore[arg-type]
                bool(row and row[0]),
                migrations,
                shown(self.url),
            )

    def _check_version(self, migrations: tuple[Migration, ...]) -> None:
        with self._pool.connection() as conn:
            exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
            if exists and exists[0]:
                row = conn.execute("SELECT version FROM schema_version").fetchone()
                if row is not None and row[0] > migrations[-1].version:
                    raise too_new(row[0], migrations, shown(self.url))
            has = conn.execute("SELECT to_regclass('findings') IS NOT NULL").fetchone()
            if not (has and has[0]):
                raise FileNotFoundError(f"no collector database at {shown(self.url)}")

    def insert(self, records: list[dict[str, Any]], received: str) -> tuple[int, int]:
        """Store validated records in one transaction; returns ``(accepted, duplicates)``."""
        rows = [{**record, "received": received} for record in records]
        for row in rows:  # PostgreSQL texts cannot hold NUL; no real path or host does
            if any(row[name] is not None and "\x00" in row[name] for name in _TEXT):
                raise BadRecord("a text field holds a NUL character")
        with self._pool.connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (INSERT_LOCK,))
            cur.executemany(_INSERT, rows)
            accepted = max(cur.rowcount, 0)
        return accepted, len(rows) - accepted

    def query(
        self, filters: Filters, *, limit: int | None = None, after: int = 0
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of findings in insertion order after cursor ``after``; returns it and the next cursor."""
        clause, params = where(filters)
        sql = f"SELECT seq, {_SELECT} FROM findings WHERE seq > %(after)s AND {clause} ORDER BY seq"
        params["after"] = after
        if limit is not None:
            sql += " LIMIT %(limit)s"
            params["limit"] = limit
        with self._pool.connection() as conn:
            rows = conn.execute(sql, params).fetchall()  # type: ignore[arg-type]
        more = limit is not None and len(rows) == limit
        return [as_record(r) for r in rows], (rows[-1][0] if more else None)

    def iterate(self, filters: Filters, *, page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every matching finding, fetched page by page."""
        return iterate_pages(self.query, filters, page)

    def count(self) -> int:
        with self._pool.connection() as conn:
            row = conn.execute("SELECT count(*) FROM findings").fetchone()
        return int(row[0]) if row else 0

    def ping(self) -> None:
        """Raises one of :attr:`errors` unless the database answers."""
        with self._pool.connection() as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        self._pool.close()

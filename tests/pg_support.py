"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, served
on a free loopback port with trust authentication, stopped and deleted at the end.

PostgreSQL will not run as root: as root the server runs as the ``postgres`` user
(Debian's package creates it) through ``runuser``. Where the binaries are missing
the tests skip, except in CI (``CI`` or ``DLP_CI`` set, as ``.ci/run`` does), where
a missing PostgreSQL is a failure: the PostgreSQL tests must never skip silently.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cluster_support import free_port

USER = "dlp"


def in_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("DLP_CI"))


def bindir() -> Path | None:
    """Where initdb and pg_ctl are (Debian keeps them out of PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(candidates):
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def require_postgres() -> Path:
    folder = bindir()
    if folder is None:
        message = "PostgreSQL is not installed (apt-get install -y postgresql)"
        if in_ci():
            pytest.fail(message + ": required in CI")
        pytest.skip(message)
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.fail("psycopg and psycopg_pool are missing: pip install -e '.[test]'")
    return folder


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yields the URL of a fresh cluster's ``postgres`` database (user ``dlp``, no password)."""
    binaries = require_postgres()
    try:
        with throwaway_cluster(binaries) as url:
            yield url
    except StartFailed as exc:
        pytest.fail(str(exc))


class StartFailed(RuntimeError):
    pass


@contextmanager
def throwaway_cluster(binaries: Path) -> Iterator[str]:
    """:func:`postgres_cluster` without pytest (``benchmarks/collector_ingest.py`` uses it)."""
    folder = Path(tempfile.mkdtemp(prefix="dlp-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    log = folder / "server.log"
    run = lambda args: subprocess.run(  # noqa: E731
        _as_server_user(args), check=True, capture_output=True, timeout=120
    )
    try:
        run(
            [str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"]
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=100"
        run(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise StartFailed(
            f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')[-2000:]}"
        ) from None
    try:
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server: str, name: str) -> str:
    """Create database ``name`` on the cluster at ``server``; returns its URL."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"

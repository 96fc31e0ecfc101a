"""The collector on PostgreSQL, as real processes over loopback on a throwaway cluster:
the same answers and queries as on SQLite, one database shared by several collectors,
and versioned schema migrations on both backends.

The cluster is started once for the module (:mod:`pg_support`); each test gets a
database of its own. In CI a missing PostgreSQL fails these tests instead of skipping.
"""

from __future__ import annotations

import gzip
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from pg_support import fresh_database, postgres_cluster
from test_agent_support import (
    KEY,
    TOKEN,
    Proc,
    auth,
    child_env,
    drop_file,
    get_findings,
    pii_text,
    procs,
    sample_records,
    start_agent,
    start_collector,
    wait_for,
)

import dlp
from dlp.agents.migrations import POSTGRES, SQLITE, Migration, SchemaTooNew
from dlp.agents.pgstore import PostgresStore
from dlp.agents.store import Store

__all__ = ["procs"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def database(server: str, request: pytest.FixtureRequest) -> str:
    return fresh_database(server, "t_" + str(abs(hash(request.node.nodeid)))[:12])


def ndjson(records: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{url}/v1/findings", content=body, headers=headers, timeout=10)


def rows(database: str) -> list[tuple[str, ...]]:
    import psycopg

    with psycopg.connect(database) as conn:
        return conn.execute("SELECT id, path, detector, fingerprint FROM findings ORDER BY seq").fetchall()


def run_cli(args: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dlp.cli", *args],
        capture_output=True,
        env=child_env(home),
        timeout=60,
        check=False,
    )


def test_same_answers_and_queries_as_on_sqlite(procs: list[Proc], tmp_path: Path, database: str) -> None:
    _, url = start_collector(procs, tmp_path, db=database, extra=("--max-body", "256K"))  # type: ignore[arg-type]
    assert httpx.get(f"{url}/healthz", timeout=10).json() == {"status": "ok"}
    records = sample_records(40, host="ws-pg-a", path="/media/usb/a.csv", seed=31)
    records += sample_records(25, host="ws-pg-b", path="/srv/share/b.csv", seed=32)
    body = ndjson(records)
    assert post(url, body, {"Authorization": "Bearer wrong"}).status_code == 401
    assert post(url, body, auth()).json() == {"accepted": 65, "duplicates": 0}
    resent = post(url, gzip.compress(body), {**auth(), "Content-Encoding": "gzip"})
    assert resent.json() == {"accepted": 0, "duplicates": 65}
    twice = sample_records(3, host="ws-pg-c", seed=33)
    assert post(url, ndjson(twice + twice), auth()).json() == {"accepted": 3, "duplicates": 3}
    bad = ndjson([*sample_records(2, host="ws-pg-d", seed=34), {"id": "0" * 64}])
    assert post(url, bad, auth()).status_code == 400
    assert post(url, b"x" * 300_000, auth()).status_code == 413
    assert len(rows(database)) == 68  # nothing of a rejected batch

    assert [r["id"] for r in get_findings(url, host="ws-pg-a")] == [r["id"] for r in records[:40]]
    page = httpx.get(f"{url}/v1/findings", params={"limit": 7}, headers=auth(), timeout=10).json()
    assert len(page["findings"]) == 7 and isinstance(page["next_cursor"], int)
    by_prefix = get_findings(url, path_prefix="/srv/share/")
    assert len(by_prefix) == 25 and {r["host"] for r in by_prefix} == {"ws-pg-b"}
    assert all(r["detector"] == "cn_mobile" for r in get_findings(url, detector="cn_mobile"))
    assert len(get_findings(url, host="ws-pg-a", since="2024-06-01T07:59:59Z")) == 40
    assert get_findings(url, host="ws-pg-a", since="2024-06-01T08:00:01+00:00") == []
    assert get_findings(url, path_prefix="/srv/share/b.csvX") == []
    assert get_findings(url, host="ws-pg-a")[0]["location"] == records[0]["location"]

    done = run_cli(
        ["collector", "query", "--db", database, "--format", "jsonl", "--host", "ws-pg-b"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert [orjson.loads(line)["id"] for line in done.stdout.splitlines()] == [r["id"] for r in records[40:]]
    text = run_cli(
        ["collector", "query", "--db", database, "--path-prefix", "/media/", "--limit", "3"], tmp_path
    )
    assert text.returncode == 0 and len(text.stdout.decode().splitlines()) == 3


def test_nul_in_a_text_field_is_a_bad_record(database: str) -> None:
    from dlp.agents.wire import BadRecord, parse_batch

    store = PostgresStore(database)
    try:
        [record] = parse_batch(ndjson(sample_records(1, seed=36)))
        record["path"] = "/a\x00b"
        with pytest.raises(BadRecord):
            store.insert([record], "2024-06-01T08:00:00.000000Z")
    finally:
        store.close()


def test_a_password_never_shows_and_no_server_is_a_usage_error(tmp_path: Path) -> None:
    from cluster_support import free_port

    url = f"postgresql://dlp:s3cret-pw@127.0.0.1:{free_port()}/none?connect_timeout=2"
    done = run_cli(["collector", "query", "--db", url], tmp_path)
    assert done.returncode == 2
    assert b"cannot connect to postgresql://dlp@127.0.0.1" in done.stderr
    assert b"s3cret-pw" not in done.stderr


def test_concurrent_collectors_store_each_finding_once(
    procs: list[Proc], tmp_path: Path, database: str
) -> None:
    """Eight senders post overlapping batches to two collectors at once."""
    homes = [tmp_path / "c1", tmp_path / "c2"]
    urls = []
    for home in homes:
        home.mkdir()
        urls.append(start_collector(procs, home, db=database)[1])  # type: ignore[arg-type]
    records = sample_records(400, host="ws-burst", seed=41)
    rng = random.Random(41)
    errors: list[str] = []

    def sender(n: int) -> None:
        with httpx.Client(timeout=30) as client:
            for _ in range(10):
                start = rng.randrange(0, 350)
                batch = records[start : start + 50]
                reply = client.post(f"{urls[n % 2]}/v1/findings", content=ndjson(batch), headers=auth())
                if reply.status_code != 200:
                    errors.append(reply.text)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for batch_start in range(0, 400, 100):  # and everything once more, so that all are there
        post(urls[1], ndjson(records[batch_start : batch_start + 100]), auth())
    assert errors == []
    stored = [r[0] for r in rows(database)]
    assert sorted(stored) == sorted(r["id"] for r in records)
    assert get_findings(urls[0], host="ws-burst") == get_findings(urls[1], host="ws-burst")


def test_two_collectors_one_killed_and_restarted_every_finding_once(
    procs: list[Proc], tmp_path: Path, database: str, cache_home: Path
) -> None:
    """Two agents watch one folder (same host: the same finding ids) and send to
    different collectors; a third agent watches another folder. Collector 1 is killed
    while files arrive and restarted on its port; afterwards every finding is stored
    exactly once."""
    watch, other = tmp_path / "watch", tmp_path / "other"
    homes = {name: tmp_path / name for name in ("c1", "c2", "a1", "a2", "a3")}
    for folder in (watch, other, *homes.values()):
        folder.mkdir()
    c1, url1 = start_collector(procs, homes["c1"], db=database)  # type: ignore[arg-type]
    _, url2 = start_collector(procs, homes["c2"], db=database)  # type: ignore[arg-type]
    port1 = int(url1.rsplit(":", 1)[1])
    extra = ("--batch-size", "5")
    start_agent(procs, homes["a1"], watch=watch, url=url1, state=homes["a1"] / "state", extra=extra)
    start_agent(procs, homes["a2"], watch=watch, url=url2, state=homes["a2"] / "state", extra=extra)
    start_agent(procs, homes["a3"], watch=other, url=url2, state=homes["a3"] / "state", extra=extra)
    scanner = dlp.Scanner(dlp.ScanConfig(key=KEY.encode(), cache_dir=cache_home))
    rng = random.Random(2025)
    dropped: list[Path] = []

    def drop(folder: Path, count: int, batch: str) -> None:
        for n in range(count):
            dropped.append(drop_file(folder, f"{batch}-{n}.txt", pii_text(rng)[0]))

    def expected() -> set[tuple[str, str, str]]:
        return {(str(p), f.detector, f.fingerprint) for p in dropped for f in scanner.scan_file(p).findings}

    def stored() -> list[tuple[str, str, str]]:
        return [(path, detector, fingerprint) for _, path, detector, fingerprint in rows(database)]

    drop(watch, 4, "first")
    drop(other, 3, "first")
    wait_for(lambda: expected() <= set(stored()), timeout=20, what="the first findings")
    c1.signal(signal.SIGKILL)  # mid-stream: files keep coming
    drop(watch, 4, "second")
    drop(other, 3, "second")
    a1_log = homes["a1"] / "agent.log"
    wait_for(lambda: "collector unreachable" in a1_log.read_text(), timeout=20, what="agent 1 to spool")
    wait_for(lambda: expected() <= set(stored()), timeout=20, what="findings through collector 2")
    start_collector(procs, homes["c1"], db=database, port=port1)  # type: ignore[arg-type]
    drop(watch, 3, "third")
    wait_for(lambda: expected() <= set(stored()), timeout=20, what="every finding")
    want = expected()
    assert len(want) >= 40
    agents = (homes["a1"], homes["a2"], homes["a3"])
    wait_for(lambda: all(_spool_empty(h) for h in agents), timeout=20, what="every agent's spool delivered")
    found = stored()
    assert len(found) == len(set(found)), "a finding is stored twice"
    assert set(found) == want
    assert len(get_findings(url1, path_prefix=str(watch))) == len(get_findings(url2, path_prefix=str(watch)))


def _spool_empty(home: Path) -> bool:
    db = home / "state" / "state.db"
    if not db.exists():
        return False
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM spool").fetchone()[0] == 0


# -- versioned schema, both backends -------------------------------------------------

V2 = Migration(2, "a test migration", ("CREATE TABLE extra_v2 (n INTEGER)",))


def _version_sqlite(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version FROM schema_version").fetchone()[0]


def test_sqlite_database_from_before_versions_is_upgraded_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # what the collector of 0.2.0 created
        for statement in SQLITE[0].statements:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO findings (id, host, agent_version, time, received, path, detector, masked, "
            "fingerprint, confidence, severity, offset, line, location) VALUES "
            "('a', 'h', '0.1', 't', 'r', '/p', 'cn_mobile', '1****', 'ff', 0.9, 'low', 0, 1, '{}')"
        )
    Store(db).close()
    assert _version_sqlite(db) == 1
    Store(db, migrations=(*SQLITE, V2)).close()  # a newer collector
    assert _version_sqlite(db) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM extra_v2").fetchone()[0] == 0
    with pytest.raises(SchemaTooNew, match="schema version 2, newer than this collector's 1"):
        Store(db)
    with pytest.raises(SchemaTooNew):
        Store(db, readonly=True)


def test_postgres_database_is_upgraded_and_a_newer_one_refused(database: str, tmp_path: Path) -> None:
    import psycopg

    PostgresStore(database).close()
    PostgresStore(database, migrations=(*POSTGRES, V2)).close()
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM extra_v2").fetchone()[0] == 0
    with pytest.raises(SchemaTooNew, match="newer than this collector's 1"):
        PostgresStore(database)
    tokens = tmp_path / "tokens"
    tokens.write_text(TOKEN + "\n")
    tokens.chmod(0o600)
    serve = run_cli(["collector", "serve", "--db", database, "--token-file", str(tokens)], tmp_path)
    assert serve.returncode == 2
    assert b"schema version 2, newer than this collector's 1: upgrade dlp" in serve.stderr
    query = run_cli(["collector", "query", "--db", database], tmp_path)
    assert query.returncode == 2 and b"newer than this collector" in query.stderr


def test_in_ci_a_missing_postgresql_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    import pg_support

    monkeypatch.setattr(pg_support, "bindir", lambda: None)
    monkeypatch.setenv("DLP_CI", "1")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        pg_support.require_postgres()
    monkeypatch.delenv("DLP_CI")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        pg_support.require_postgres()

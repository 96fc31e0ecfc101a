"""End to end, as a new user would run it: a collector and an agent as real processes over loopback.

Files with synthetic personal data are dropped into the watched folder; the
collector is killed while more arrive; the agent is killed with SIGKILL and
restarted; the collector comes back on the same port. Afterwards the collector
holds every finding exactly once and no raw value is stored anywhere: not in the
collector's database files, not in the agent's state folder, not in the logs.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import orjson
import pytest
from test_agent_support import (
    KEY,
    TOKEN,
    Proc,
    auth,
    drop_file,
    get_findings,
    pii_text,
    procs,
    raw_leaks,
    start_agent,
    start_collector,
    wait_for,
)

import dlp

__all__ = ["procs"]  # the fixture, imported for this module's tests


def expected_findings(scanner: dlp.Scanner, paths: list[Path]) -> set[tuple[str, str, str]]:
    """What the agent should report for these files, by an in-process scan with the same key."""
    return {
        (str(path), f.detector, f.fingerprint) for path in paths for f in scanner.scan_file(path).findings
    }


def stored(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT path, detector, fingerprint FROM findings").fetchall()


def spooled(state: Path) -> int:
    with sqlite3.connect(state / "state.db") as conn:
        return conn.execute("SELECT count(*) FROM spool").fetchone()[0]


def test_findings_survive_collector_outage_and_agent_crash(
    procs: list[Proc], tmp_path: Path, cache_home: Path
) -> None:
    watch, state, central = tmp_path / "watch", tmp_path / "agent-state", tmp_path / "collector"
    for folder in (watch, central):
        folder.mkdir()
    db = central / "findings.db"
    rng = random.Random(2024)
    raw_values: list[str] = []
    dropped: list[Path] = []

    def drop(count: int, batch: str) -> list[Path]:
        paths = []
        for n in range(count):
            text, values = pii_text(rng)
            raw_values.extend(values)
            paths.append(drop_file(watch, f"{batch}-{n}.txt", text))
        dropped.extend(paths)
        return paths

    scanner = dlp.Scanner(dlp.ScanConfig(key=KEY.encode(), cache_dir=cache_home))
    collector, url = start_collector(procs, central, db=db)
    port = int(url.rsplit(":", 1)[1])
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=state, extra=("--batch-size", "7"))

    # 1. files dropped in arrive as findings
    first = drop(5, "first")
    want = expected_findings(scanner, first)
    assert len(want) >= 15
    wait_for(lambda: want <= set(stored(db)), timeout=15, what="the first files' findings")

    # 2. the collector is killed while more files arrive: they wait in the agent's spool
    collector.kill()
    second = drop(5, "second")
    wait_for(
        lambda: all(f"scanned {p}:" in agent.log() for p in second), timeout=15, what="the agent to scan"
    )
    wait_for(lambda: "collector unreachable" in agent.log(), timeout=15, what="the outage to be noticed")
    assert spooled(state) >= len(expected_findings(scanner, second))

    # 3. the agent dies hard; files keep arriving while it is down; it is restarted
    agent.signal(signal.SIGKILL)
    third = drop(3, "third")
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=state, extra=("--batch-size", "7"))
    wait_for(
        lambda: all(f"scanned {p}:" in agent.log() for p in third), timeout=15, what="the restart's scan"
    )

    # 4. the collector comes back on the same port; everything arrives, exactly once
    collector, _ = start_collector(procs, central, db=db, port=port)
    want = expected_findings(scanner, dropped)
    wait_for(lambda: want <= set(stored(db)), timeout=20, what="every finding at the collector")
    wait_for(lambda: spooled(state) == 0, timeout=10, what="an empty spool")
    rows = stored(db)
    assert len(rows) == len(set(rows)), "a finding is stored twice"
    assert set(rows) == want
    assert len(get_findings(url, path_prefix=str(watch))) == len(want)

    # a new user's mistakes: a wrong token, a malformed body
    body = orjson.dumps({"id": "0" * 64, "host": "x", "path": "/p"}) + b"\n"
    for headers, status in ((auth("wrong-" + TOKEN), 401), ({}, 401), (auth(), 400)):
        assert (
            httpx.post(f"{url}/v1/findings", content=body, headers=headers, timeout=10).status_code == status
        )
    assert len(stored(db)) == len(want)

    # clean shutdown on SIGTERM, then not one raw value in any stored byte
    assert agent.signal(signal.SIGTERM) == 0
    assert collector.signal(signal.SIGTERM) == 0
    assert "stopped; " in agent.log()
    query = subprocess.run(
        [sys.executable, "-m", "dlp.cli", "collector", "query", "--db", str(db), "--format", "jsonl"],
        capture_output=True,
        timeout=60,
        check=True,
    )
    listed = [orjson.loads(line) for line in query.stdout.splitlines()]
    assert {(r["path"], r["detector"], r["fingerprint"]) for r in listed} == want == set(stored(db))
    assert {p.name for p in central.iterdir()} >= {"findings.db"}
    assert raw_leaks(central, raw_values) == []
    assert raw_leaks(state, raw_values) == []
    logs = [tmp_path / "agent.log", central / "collector.log"]
    assert not [v for v in raw_values for log in logs if v in log.read_text(encoding="utf-8")]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_agent_stops_cleanly_on_signals(procs: list[Proc], tmp_path: Path, signum: int) -> None:
    (tmp_path / "watch").mkdir()
    agent = start_agent(
        procs, tmp_path, watch=tmp_path / "watch", url="http://127.0.0.1:9", state=tmp_path / "state"
    )
    wait_for(lambda: "queued 0 existing file(s)" in agent.log(), timeout=15, what="the agent to start")
    assert agent.signal(signum) == 0
    assert "stopping" in agent.log() and "stopped; " in agent.log()

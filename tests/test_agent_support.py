"""Helpers for the agent and collector tests: real child processes, bounded waits, synthetic files.

Imported by ``test_agent*.py``, ``test_collector*.py`` and ``test_e2e_agent_collector.py``;
it holds no tests itself. Every wait is a poll loop with a deadline; every process
started here is killed by the ``procs`` fixture on teardown.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from dlp import synthetic
from dlp.agents.wire import finding_record
from dlp.detector import Severity
from dlp.findings import Finding, Location

TOKEN = "agent-token-0123456789abcdef"
OTHER_TOKEN = "fleet-token-fedcba9876543210"
KEY = "dlp-agent-tests-key-0123456789abcdef"
T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.05, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(interval)


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DLP_KEY=KEY,
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("DLP_KEY_FILE", None)
    return env


def write_tokens(path: Path, *tokens: str) -> Path:
    path.write_text("# agents of the test fleet\n\n" + "".join(f"{t}\n" for t in tokens), encoding="utf-8")
    path.chmod(0o600)
    return path


class Proc:
    """A ``python -m dlp.cli ...`` child with its stderr in a log file."""

    def __init__(self, args: list[str], *, log: Path, env: dict[str, str]) -> None:
        self.args = args
        self.log_path = log
        with open(log, "ab") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "dlp.cli", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, signum: int) -> int:
        """Send ``signum`` and wait (bounded) for the exit; returns the exit status."""
        if self.alive():
            self.popen.send_signal(signum)
        return self.popen.wait(timeout=20)

    def kill(self) -> None:
        if self.alive():
            self.popen.kill()
            self.popen.wait(timeout=20)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    """Collects started processes and kills whatever is still running at teardown."""
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.kill()


def start_collector(
    procs: list[Proc], home: Path, *, db: Path, port: int = 0, extra: tuple[str, ...] = ()
) -> tuple[Proc, str]:
    """Start ``dlp collector serve`` on 127.0.0.1; returns the process and its base URL."""
    tokens = home / "collector-tokens"
    if not tokens.exists():
        write_tokens(tokens, TOKEN, OTHER_TOKEN)
    args = [
        "collector",
        "serve",
        "--listen",
        f"127.0.0.1:{port}",
        "--db",
        str(db),
        "--token-file",
        str(tokens),
    ]
    proc = Proc([*args, *extra], log=home / "collector.log", env=child_env(home))
    procs.append(proc)
    offset = len(proc.log())

    def listening() -> str | None:
        if not proc.alive():
            pytest.fail(f"collector exited:\n{proc.log()}")
        found = re.search(r"listening on (https?://127\.0\.0\.1:\d+)", proc.log()[offset:])
        return found.group(1) if found else None

    url = wait_for(listening, timeout=20, what="the collector to listen")
    return proc, url


def start_agent(
    procs: list[Proc],
    home: Path,
    *,
    watch: Path,
    url: str,
    state: Path,
    extra: tuple[str, ...] = (),
) -> Proc:
    tokens = home / "agent-token"
    if not tokens.exists():
        write_tokens(tokens, TOKEN)
    args = [
        "agent",
        "--watch",
        str(watch),
        "--collector",
        url,
        "--token-file",
        str(tokens),
        "--state-dir",
        str(state),
        "--debounce",
        "0.2",
        "--max-backoff",
        "0.5",
        *extra,
    ]
    proc = Proc(args, log=home / "agent.log", env=child_env(home))
    procs.append(proc)
    return proc


def get_findings(url: str, token: str = TOKEN, **filters: Any) -> list[dict[str, Any]]:
    """Every finding the collector returns for ``filters``, following the cursor."""
    found: list[dict[str, Any]] = []
    params = {k: v for k, v in filters.items() if v is not None}
    params["limit"] = 1000
    while True:
        reply = httpx.get(f"{url}/v1/findings", params=params, headers=auth(token), timeout=10)
        reply.raise_for_status()
        body = reply.json()
        found.extend(body["findings"])
        if body["next_cursor"] is None:
            return found
        params["cursor"] = body["next_cursor"]


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pii_text(rng: random.Random) -> tuple[str, list[str]]:
    """A short document with a mobile number, a resident ID and an e-mail; returns it and the raw values."""
    values = [synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.email(rng)]
    text = (
        f"客户资料\n姓名 {synthetic.chinese_name(rng)} 手机 {values[0]}\n"
        f"身份证号 {values[1]}\n邮箱 {values[2]}\n{synthetic.prose(rng, 60)}\n"
    )
    return text, values


def drop_file(folder: Path, name: str, text: str) -> Path:
    """Write a file the way downloads and copies do: a temporary name, then a rename."""
    final = folder / name
    temp = folder / f".{name}.part"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, final)
    return final


def sample_records(
    n: int, *, host: str = "ws-001", path: str = "/data/list.csv", seed: int = 1
) -> list[dict]:
    """``n`` valid wire records of synthetic findings (fingerprints are random hex)."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        finding = Finding(
            detector=rng.choice(("cn_mobile", "cn_resident_id", "email")),
            path=path,
            location=Location(offset=i * 40, line=i + 1),
            masked="138****5678",
            fingerprint=rng.randbytes(32).hex(),
            confidence=0.95,
            severity=Severity.MEDIUM,
        )
        records.append(finding_record(finding, host=host, agent_version="0.1.0", time="2024-06-01T08:00:00Z"))
    return records


def file_bytes(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every file below ``folder`` with its bytes (SQLite -wal and -shm files included)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def raw_leaks(folder: Path, values: list[str]) -> list[str]:
    """``path: value`` for every raw value found in any file below ``folder`` (UTF-8 or UTF-16)."""
    leaks = []
    for path, data in file_bytes(folder):
        for value in values:
            for encoded in (value.encode("utf-8"), value.encode("utf-16-le")):
                if encoded in data:
                    leaks.append(f"{path.name}: {value[:3]}...")
    return leaks

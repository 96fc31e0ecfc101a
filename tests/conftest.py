"""Shared fixtures: a fixed key, private cache/config folders, scanners and CLI runners.

Nothing a test does may touch the home folder: every test runs with ``DLP_KEY``
set to :data:`TEST_KEY` and ``XDG_CACHE_HOME``/``XDG_CONFIG_HOME`` pointing at
temporary folders (the rule cache folder is shared by the whole session so rules
compile once). The CLI runs in-process through click's ``CliRunner``
(:func:`run_cli`) or as a real child process (:func:`run_cli_subprocess`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import dlp

TEST_KEY = b"dlp-test-suite-key-0123456789abcdef"


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rule-cache folder for the session (compiled rules are reused across tests)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_home: Path) -> Iterator[None]:
    """A fixed fingerprint key and private XDG folders for every test."""
    config_home = tmp_path / "xdg-config"
    config_home.mkdir()
    monkeypatch.setenv("DLP_KEY", TEST_KEY.decode())
    monkeypatch.delenv("DLP_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    yield


@pytest.fixture(scope="session")
def scanner(cache_home: Path) -> dlp.Scanner:
    """A scanner over all detectors that reveals values (tests compare them)."""
    return dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, reveal=True, cache_dir=cache_home))


@pytest.fixture(scope="session")
def masked_scanner(cache_home: Path) -> dlp.Scanner:
    """A scanner that does not reveal values (the default behaviour)."""
    return dlp.Scanner(dlp.ScanConfig(key=TEST_KEY, cache_dir=cache_home))


@pytest.fixture(scope="session")
def make_scanner(cache_home: Path):  # type: ignore[no-untyped-def]
    """Build a revealing scanner with some config fields changed."""

    def build(**changes: object) -> dlp.Scanner:
        fields: dict[str, object] = {"key": TEST_KEY, "reveal": True, "cache_dir": cache_home}
        fields.update(changes)
        return dlp.Scanner(dlp.ScanConfig(**fields))  # type: ignore[arg-type]

    return build


@dataclass(frozen=True)
class CliRun:
    """What one CLI invocation produced."""

    exit_code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8")


def run_cli(args: Sequence[str], *, input: bytes | None = None, cwd: Path | None = None) -> CliRun:
    """Run ``dlp ARGS`` in this process with click's CliRunner (stdout and stderr apart)."""
    from dlp.cli import main as cli_main

    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(cli_main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)
    return CliRun(result.exit_code, result.stdout_bytes, result.stderr_bytes or b"")


def run_cli_subprocess(
    args: Sequence[str],
    *,
    input: bytes | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """Run ``python -m dlp.cli ARGS`` as a child process with this test's environment."""
    child_env = dict(os.environ)
    child_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "dlp.cli", *args],
        input=input if input is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=child_env,
        timeout=timeout,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    """:func:`run_cli` (in-process)."""
    return run_cli


@pytest.fixture
def cli_process():  # type: ignore[no-untyped-def]
    """:func:`run_cli_subprocess` (a real child process)."""
    return run_cli_subprocess

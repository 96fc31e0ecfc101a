"""The agent in this process with real watchdog observers, a real state file and a real collector process."""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_agent_support import (
    KEY,
    TOKEN,
    Proc,
    drop_file,
    get_findings,
    pii_text,
    start_collector,
    wait_for,
)

import dlp
from dlp.agents.agent import Agent, AgentSettings
from dlp.errors import ConfigError
from dlp.scanner import Scanner


@pytest.fixture(scope="module")
def collector_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("collector")
    procs: list[Proc] = []
    try:
        yield start_collector(procs, home, db=home / "findings.db")[1]
    finally:
        for proc in procs:
            proc.kill()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


AgentFactory = Callable[..., Agent]


@pytest.fixture
def make_agent(tmp_path: Path, cache_home: Path) -> Iterator[AgentFactory]:
    started: list[Agent] = []

    def make(url: str, *, scanner: Scanner | None = None, start: bool = True, **changes: object) -> Agent:
        watch = tmp_path / "watch"
        watch.mkdir(exist_ok=True)
        fields: dict[str, object] = {
            "watch": (str(watch),),
            "collector": url,
            "token": TOKEN,
            "state_dir": tmp_path / "state",
            "scan": dlp.ScanConfig(key=KEY.encode(), cache_dir=cache_home),
            "host": "ws-test",
            "debounce": 0.2,
            "max_backoff": 0.5,
            "mount_interval": 0.5,
            "poll_interval": 0.2,
        }
        fields.update(changes)
        agent = Agent(AgentSettings(**fields), scanner=scanner)  # type: ignore[arg-type]
        if start:
            agent.start()
            started.append(agent)
        return agent

    yield make
    for agent in started:
        agent.stop(timeout=5)


def arrived(url: str, folder: Path, count: int) -> Callable[[], list[dict] | None]:
    def check() -> list[dict] | None:
        found = get_findings(url, path_prefix=str(folder) + os.sep)
        return found if len(found) >= count else None

    return check


def test_files_renamed_into_place_arrive_once_under_their_final_name(
    collector_url: str, make_agent: AgentFactory, tmp_path: Path
) -> None:
    agent = make_agent(collector_url)
    watch = Path(agent.roots[0])
    rng = random.Random(1)
    for n in range(3):
        drop_file(watch, f"customers-{n}.txt", pii_text(rng)[0])
    found = wait_for(arrived(collector_url, watch, 12), what="12 findings")
    assert {Path(r["path"]).name for r in found} == {f"customers-{n}.txt" for n in range(3)}
    assert len({r["id"] for r in found}) == len(found) == 12
    assert {r["host"] for r in found} == {"ws-test"}
    assert all(r["agent_version"] == dlp.__version__ for r in found)


def test_existing_files_are_scanned_at_start_and_changes_rescanned(
    collector_url: str, make_agent: AgentFactory, tmp_path: Path
) -> None:
    watch = tmp_path / "watch"
    (watch / "old" / "deep").mkdir(parents=True)
    (watch / "old" / "deep" / "list.txt").write_text(pii_text(random.Random(2))[0], encoding="utf-8")
    agent = make_agent(collector_url)
    wait_for(arrived(collector_url, watch, 4), what="findings of the existing file")
    with open(watch / "old" / "deep" / "list.txt", "a", encoding="utf-8") as fh:  # edited in place
        fh.write("补充 手机 13912345678\n")
    found = wait_for(arrived(collector_url, watch, 5), what="the added finding")
    assert sum(r["masked"] == "139****5678" for r in found) == 1
    assert agent.state.pending == 0 or wait_for(lambda: agent.state.pending == 0, what="an empty spool")


def test_a_folder_moved_in_is_scanned_like_a_new_drive(
    collector_url: str, make_agent: AgentFactory, tmp_path: Path
) -> None:
    agent = make_agent(collector_url)
    outside = tmp_path / "usb-stick"
    (outside / "sub").mkdir(parents=True)
    rng = random.Random(3)
    for n in range(4):
        (outside / "sub" / f"f{n}.csv").write_text(pii_text(rng)[0], encoding="utf-8")
    target = Path(agent.roots[0]) / "usb-stick"
    os.rename(outside, target)  # no event for the files inside: only the folder walk finds them
    found = wait_for(arrived(collector_url, target, 16), what="the moved folder's findings")
    assert {Path(r["path"]).name for r in found} == {f"f{n}.csv" for n in range(4)}


def test_polling_mode_finds_files_written_in_place(
    collector_url: str, make_agent: AgentFactory, tmp_path: Path
) -> None:
    agent = make_agent(collector_url, poll=True)
    watch = Path(agent.roots[0])
    (watch / "direct.txt").write_text(pii_text(random.Random(4))[0], encoding="utf-8")
    wait_for(arrived(collector_url, watch, 4), what="findings in polling mode")


class ExplodingScanner(Scanner):
    def scan_stream(self, stream, **options):  # type: ignore[no-untyped-def]
        if "boom" in options["name"]:
            raise RuntimeError("synthetic failure quoting 13812345678")
        return super().scan_stream(stream, **options)


def test_an_exception_on_one_file_is_logged_and_the_agent_goes_on(
    collector_url: str,
    make_agent: AgentFactory,
    cache_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    scanner = ExplodingScanner(dlp.ScanConfig(key=KEY.encode(), cache_dir=cache_home))
    agent = make_agent(collector_url, scanner=scanner, jobs=1)
    watch = Path(agent.roots[0])
    drop_file(watch, "boom.txt", pii_text(random.Random(5))[0])
    wait_for(lambda: "boom.txt failed (RuntimeError" in caplog.text, what="the failure to be logged")
    drop_file(watch, "fine.txt", pii_text(random.Random(6))[0])
    found = wait_for(arrived(collector_url, watch, 4), what="the next file's findings")
    assert {Path(r["path"]).name for r in found} == {"fine.txt"}
    assert "13812345678" not in caplog.text
    assert all(t.is_alive() for t in agent._threads)


def test_while_the_collector_is_down_findings_wait_in_the_spool(
    dead_url: str, make_agent: AgentFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    agent = make_agent(dead_url, spool_max=4, jobs=1)
    watch = Path(agent.roots[0])
    drop_file(watch, "a.txt", pii_text(random.Random(7))[0])
    wait_for(lambda: agent.state.pending >= 4, what="findings in the spool")
    wait_for(lambda: "collector unreachable" in caplog.text, what="the outage to be logged")
    drop_file(watch, "b.txt", pii_text(random.Random(8))[0])
    wait_for(lambda: "SPOOL FULL" in caplog.text, what="the full spool to be logged")
    assert agent.state.pending == 4  # b.txt waits: scanning is paused, nothing is dropped


def test_a_refused_token_is_logged_and_findings_are_kept(
    collector_url: str, make_agent: AgentFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    agent = make_agent(collector_url, token="not-the-right-token-0123456789")
    drop_file(Path(agent.roots[0]), "a.txt", pii_text(random.Random(9))[0])
    wait_for(lambda: "refused the token (HTTP 401)" in caplog.text, what="the refusal to be logged")
    assert agent.state.pending >= 4
    assert "not-the-right-token" not in caplog.text


def test_one_agent_per_state_folder(collector_url: str, make_agent: AgentFactory) -> None:
    make_agent(collector_url)
    with pytest.raises(ConfigError, match="another agent"):
        make_agent(collector_url, start=False)


def test_settings_are_checked(collector_url: str, make_agent: AgentFactory, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reveal"):
        make_agent(collector_url, start=False, scan=dlp.ScanConfig(key=KEY.encode(), reveal=True))
    with pytest.raises(ConfigError, match="CA file"):
        make_agent(collector_url, start=False, ca_file=str(tmp_path / "no-ca.pem"))
    with pytest.raises(ConfigError, match="not a folder"):
        make_agent(collector_url, start=False, watch=(str(tmp_path / "nowhere"),))


def test_deleted_files_leave_the_cache(collector_url: str, make_agent: AgentFactory) -> None:
    agent = make_agent(collector_url)
    path = drop_file(Path(agent.roots[0]), "short-lived.txt", pii_text(random.Random(10))[0])
    wait_for(lambda: agent.state.cached(str(path)) is not None, what="the file to be cached")
    path.unlink()
    wait_for(lambda: agent.state.cached(str(path)) is None, what="the cache row to go")

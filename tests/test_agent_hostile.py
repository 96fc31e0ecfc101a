"""The agent against real faults and prepared files: a full disk under its spool (a real
tmpfs), files swapped under it, forged names, a damaged state file, a certificate it
cannot verify. Agents and collectors run as real processes over loopback HTTP."""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_agent_support import (
    Proc,
    drop_file,
    get_findings,
    pii_text,
    procs,
    start_agent,
    start_collector,
    wait_for,
)

from dlp import synthetic
from dlp.safeopen import NotRegular, Replaced, open_regular

__all__ = ["procs"]  # the fixture, imported for this module's tests


def _mount_tmpfs(point: Path, size: str) -> bool:
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB file system (tmpfs), unmounted afterwards; skipped where mounting is not allowed."""
    point = tmp_path / "small-disk"
    if shutil.which("mount") is None or not _mount_tmpfs(point, "2m"):
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN) in this environment")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte with one file; returns it."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 512, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while os.write(fd, block):
                    pass
    finally:
        os.close(fd)
    return filler


def log_after(proc: Proc, offset: int) -> str:
    return proc.log()[offset:]


def test_a_full_spool_disk_pauses_scanning_then_everything_arrives(
    tmp_path: Path, small_disk: Path, procs: list[Proc]
) -> None:
    _, url = start_collector(procs, tmp_path, db=tmp_path / "findings.db")
    watch = tmp_path / "watch"
    watch.mkdir()
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=small_disk / "state")
    wait_for(lambda: "queued 0 existing file(s)" in agent.log(), timeout=30, what="the agent to start")
    filler = fill(small_disk)
    rng = random.Random(33)
    for n in range(3):
        drop_file(watch, f"full-{n}.txt", pii_text(rng)[0])
    wait_for(lambda: "spool disk full: scanning paused" in agent.log(), timeout=30, what="the full disk")
    assert get_findings(url) == []  # nothing could be spooled, nothing was lost either
    assert agent.alive()
    offset = len(agent.log())
    filler.unlink()  # room again: the files that could not be spooled are retried
    found = wait_for(lambda: len(get_findings(url)) >= 12 and get_findings(url), timeout=60, what="findings")
    assert {Path(r["path"]).name for r in found} == {f"full-{n}.txt" for n in range(3)}
    assert "scanning resumes" in log_after(agent, offset)
    drop_file(watch, "after.txt", pii_text(rng)[0])  # the sender is still alive
    wait_for(lambda: len(get_findings(url)) == 16, timeout=30, what="the next file's findings")
    assert agent.alive()
    assert "Traceback" not in agent.log() and "OperationalError" not in agent.log()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_full_disk_while_sending_or_starting_is_waited_out(
    tmp_path: Path, small_disk: Path, procs: list[Proc]
) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"  # nothing listens yet: findings stay spooled
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=small_disk / "state")
    drop_file(watch, "early.txt", pii_text(random.Random(34))[0])
    wait_for(lambda: "4 new to the spool" in agent.log(), timeout=30, what="the file to be spooled")
    filler = fill(small_disk)
    start_collector(procs, tmp_path, db=tmp_path / "findings.db", port=port)
    # delivered, but the spool cannot drop them: said plainly, retried (resent as duplicates)
    wait_for(lambda: "spool disk full: sending paused" in agent.log(), timeout=30, what="the full disk")
    assert len(get_findings(url)) == 4
    filler.unlink()
    drop_file(watch, "later.txt", pii_text(random.Random(35))[0])  # the sender is still alive
    wait_for(lambda: len(get_findings(url)) == 8, timeout=30, what="the next file's findings")
    assert agent.signal(15) == 0

    filler = fill(small_disk)  # a restart on a full disk waits instead of giving up
    offset = len(agent.log())
    again = start_agent(procs, tmp_path, watch=watch, url=url, state=small_disk / "state")
    wait_for(lambda: "at start: waiting" in log_after(again, offset), timeout=30, what="the wait")
    assert "spool disk full at start" in log_after(again, offset)
    assert again.alive()
    filler.unlink()
    drop_file(watch, "last.txt", pii_text(random.Random(36))[0])
    wait_for(lambda: len(get_findings(url)) == 12, timeout=30, what="findings after the restart")
    assert "Traceback" not in agent.log()


def test_forged_names_cannot_forge_log_lines_and_values_in_names_are_masked(
    tmp_path: Path, procs: list[Proc]
) -> None:
    _, url = start_collector(procs, tmp_path, db=tmp_path / "findings.db")
    watch = tmp_path / "watch"
    watch.mkdir()
    rng = random.Random(35)
    resident = synthetic.resident_id(rng)
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=tmp_path / "state")
    forged = "a.txt: 0 finding(s)\n2030-01-01 00:00:00 INFO dlp.agents.agent: all clear\x1b[2K.txt"
    drop_file(watch, forged, pii_text(rng)[0])
    drop_file(watch, f"张伟_{resident}.txt", "nothing but words\n")
    found = wait_for(lambda: len(get_findings(url)) >= 5 and get_findings(url), timeout=30, what="findings")
    log = agent.log()
    assert not any(line.startswith("2030-01-01") for line in log.splitlines())
    assert "\x1b" not in log and "\\x0a2030-01-01" in log and "\\x1b[2K" in log
    named = [r for r in found if r["location"].get("name")]
    assert [r["detector"] for r in named] == ["cn_resident_id"]
    assert resident not in str(found) and resident not in log  # masked in paths and logs
    assert f"张伟_{named[0]['masked']}.txt" == Path(named[0]["path"]).name


def test_send_raw_paths_sends_the_name_as_it_is(tmp_path: Path, procs: list[Proc]) -> None:
    _, url = start_collector(procs, tmp_path, db=tmp_path / "findings.db")
    watch = tmp_path / "watch"
    watch.mkdir()
    mobile = synthetic.mobile(random.Random(36))
    start_agent(procs, tmp_path, watch=watch, url=url, state=tmp_path / "state", extra=("--send-raw-paths",))
    drop_file(watch, f"客户_{mobile}.txt", "nothing but words\n")
    found = wait_for(lambda: get_findings(url), timeout=30, what="the finding in the name")
    assert Path(found[0]["path"]).name == f"客户_{mobile}.txt"
    assert found[0]["location"] == {"name": True, "offset": 7, "line": 1}


def test_a_damaged_state_file_is_moved_aside_and_the_agent_runs(tmp_path: Path, procs: list[Proc]) -> None:
    _, url = start_collector(procs, tmp_path, db=tmp_path / "findings.db")
    watch, state = tmp_path / "watch", tmp_path / "state"
    watch.mkdir()
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)
    (state / "state.db").write_bytes(b"SQLite format 3\0" + bytes(random.Random(37).randbytes(8000)))
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=state)
    drop_file(watch, "after-damage.txt", pii_text(random.Random(38))[0])
    wait_for(lambda: len(get_findings(url)) == 4, timeout=30, what="findings")
    assert "is damaged: moved to" in agent.log() and (state / "state.db.damaged-1").exists()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700  # a loose state folder is tightened
    assert "from an earlier run" not in agent.log()


def test_a_fresh_state_folder_claims_no_findings_from_an_earlier_run(
    tmp_path: Path, procs: list[Proc]
) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    drop_file(watch, "waiting.txt", pii_text(random.Random(39))[0])  # found at once by the first scan
    dead = "http://127.0.0.1:9"
    agent = start_agent(procs, tmp_path, watch=watch, url=dead, state=tmp_path / "state")
    wait_for(lambda: "scanned " in agent.log(), timeout=30, what="the first scan")
    assert agent.signal(15) == 0
    assert "from an earlier run" not in agent.log()
    offset = len(agent.log())
    again = start_agent(procs, tmp_path, watch=watch, url=dead, state=tmp_path / "state")
    claimed = "4 finding(s) from an earlier run"
    wait_for(lambda: claimed in log_after(again, offset), timeout=30, what="the restart")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_certificate_the_agent_cannot_verify_is_logged_as_such(tmp_path: Path, procs: list[Proc]) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    extra = ("--tls-cert", str(cert), "--tls-key", str(key))
    _, url = start_collector(procs, tmp_path, db=tmp_path / "tls.db", extra=extra)
    watch = tmp_path / "watch"
    watch.mkdir()
    drop_file(watch, "tls.txt", pii_text(random.Random(40))[0])
    agent = start_agent(procs, tmp_path, watch=watch, url=url, state=tmp_path / "state")
    wait_for(lambda: "TLS certificate verification of the collector failed" in agent.log(), timeout=30)
    assert "self-signed certificate" in agent.log()
    assert agent.alive()


def test_open_regular_refuses_links_fifos_and_swapped_files(tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("电话 13812345678\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(NotRegular):
        open_regular(str(link))
    handle, _ = open_regular(str(link), follow_symlinks=True)
    handle.close()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotRegular):  # at once: O_NONBLOCK, no writer needed
        open_regular(str(fifo))
    checked = os.lstat(target)
    other = tmp_path / "other.txt"
    other.write_text("x\n", encoding="utf-8")
    os.replace(other, target)  # swapped after the check
    with pytest.raises(Replaced):
        open_regular(str(target), expected=checked)
    os.unlink(target)
    os.symlink("/etc/passwd", target)  # and now a link
    with pytest.raises(OSError) as caught:
        open_regular(str(target), expected=checked)
    assert isinstance(caught.value, NotRegular) or caught.value.errno == errno.ELOOP

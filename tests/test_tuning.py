"""Process tuning happens only in the ``dlp`` command's own process."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from dlp import tuning

CHILD = """
import gc
from dlp import tuning
allocator = tuning.tune_allocator()
tuning.tune_gc()
print(allocator, gc.get_threshold() == tuning.GC_THRESHOLDS, gc.get_freeze_count() > 0)
"""


def test_tuning_in_a_child_process() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout
    allocator, thresholds, frozen = out.split()
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert allocator == str(glibc)
    assert thresholds == frozen == "True"


def test_in_process_cli_leaves_the_caller_alone(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("手机 13812345678\n", encoding="utf-8")
    before = gc.get_threshold()
    run = cli(["scan", "-j", "1", "-q", "-f", "jsonl", str(tmp_path)])
    assert run.exit_code == 1
    assert gc.get_threshold() == before != tuning.GC_THRESHOLDS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_command_tunes_its_process(cli_process, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("手机 13812345678\n", encoding="utf-8")
    run = cli_process(["scan", "-j", "1", "-q", "-f", "jsonl", str(tmp_path)])
    assert run.exit_code == 1, run.err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_widen_pipe_grows_a_pipe_and_leaves_files_alone(tmp_path: Path) -> None:
    import fcntl

    limit = int(Path(tuning.PIPE_MAX_SIZE).read_text().strip())
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "wb", closefd=False) as stream:
            assert tuning.widen_pipe(stream)
            assert fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) >= limit
    finally:
        os.close(read_end)
        os.close(write_end)
    with open(tmp_path / "report.jsonl", "wb") as regular:
        assert tuning.widen_pipe(regular) is False


def test_the_command_writes_its_whole_report_into_a_pipe(cli_process, tmp_path: Path) -> None:
    """A real ``dlp`` process (which widens the pipe) writing JSONL into a pipe."""
    lines = "".join(f"手机 1381234{i:04d}\n" for i in range(3000))
    (tmp_path / "many.txt").write_text(lines, encoding="utf-8")
    run = cli_process(["scan", "-j", "1", "-q", "-f", "jsonl", str(tmp_path / "many.txt")])
    assert run.exit_code == 1, run.err
    records = run.stdout.splitlines()
    assert records[-1].startswith(b'{"type":"summary"')
    assert sum(r.startswith(b'{"type":"finding"') for r in records) > 1000

"""Process tuning happens only in the ``dlp`` command's own process."""

from __future__ import annotations

import gc
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

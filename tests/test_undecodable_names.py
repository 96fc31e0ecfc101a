"""File names that are not valid UTF-8 (GBK names on a FAT USB drive) are reported, not fatal."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dlp.cli import main

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="needs byte file names")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    name = "客户名单.txt".encode("gbk")  # not valid UTF-8
    with open(os.path.join(os.fsencode(tmp_path), name), "wb") as fh:
        fh.write("手机 13812345678\n".encode())
    return tmp_path


@pytest.mark.parametrize("fmt", ["jsonl", "sarif", "text"])
def test_every_format_reports_the_file(folder: Path, fmt: str) -> None:
    outcome = CliRunner().invoke(main, ["scan", "-q", "-j", "1", "-f", fmt, str(folder)])
    assert outcome.exit_code == 1, outcome.output
    assert isinstance(outcome.exception, SystemExit)  # a clean exit, no traceback
    if fmt == "jsonl":
        records = [json.loads(line) for line in outcome.output.splitlines()]
        finding = next(r for r in records if r["type"] == "finding")
        assert finding["path"].startswith(str(folder))
        assert "\\xbf" in finding["path"]  # the undecodable byte, shown escaped
    if fmt == "sarif":
        assert json.loads(outcome.output)["runs"][0]["results"]


def test_a_baseline_of_such_a_file_round_trips(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    baseline = tmp_path_factory.mktemp("baseline") / "baseline.json"
    created = CliRunner().invoke(main, ["baseline", "create", str(folder), "-o", str(baseline)])
    assert created.exit_code == 0, created.output
    again = CliRunner().invoke(main, ["scan", "-q", "-j", "1", "--baseline", str(baseline), str(folder)])
    assert again.exit_code == 0, again.output

"""Baselines: created stable and sorted, keyed by path + fingerprint, robust to edits elsewhere."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.baseline import Baseline
from dlp.errors import ConfigError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    rng = random.Random(12)
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "contract.txt").write_text(
        f"甲方电话 {synthetic.mobile(rng)}\n乙方邮箱 {synthetic.email(rng)}\n", encoding="utf-8"
    )
    (root / "notes.txt").write_text(f"身份证 {synthetic.resident_id(rng)}\n", encoding="utf-8")
    return root


def create(cli, *args: str, cwd: Path | None = None) -> int:  # type: ignore[no-untyped-def]
    return cli(["baseline", "create", "-j", "1", *args], cwd=cwd).exit_code


def scan(cli, *args: str, cwd: Path | None = None) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    run = cli(["scan", "-f", "jsonl", "-q", "-j", "1", *args], cwd=cwd)
    return run.exit_code, [json.loads(line) for line in run.out.splitlines()]


def test_create_writes_sorted_stable_entries_without_lines(cli, repo: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = repo / ".dlp-baseline.json"
    assert create(cli, str(repo), "-o", str(out)) == 0
    first = out.read_bytes()
    document = json.loads(first)
    assert document["tool"] == "dlp" and document["version"] == 1
    entries = document["entries"]
    assert [e["path"] for e in entries] == ["docs/contract.txt", "docs/contract.txt", "notes.txt"]
    assert entries == sorted(entries, key=lambda e: (e["path"], e["fingerprint"]))
    assert all(set(e) == {"path", "detector", "fingerprint"} for e in entries)
    assert b"line" not in first and b"offset" not in first
    assert create(cli, ".", "-o", ".dlp-baseline.json", cwd=repo) == 0  # another working directory
    assert out.read_bytes() == first


def test_round_trip_survives_edits_elsewhere_in_the_file(cli, repo: Path) -> None:  # type: ignore[no-untyped-def]
    out = repo / "baseline.json"
    assert create(cli, str(repo), "-o", str(out)) == 0
    code, records = scan(cli, "--baseline", str(out), str(repo))
    assert code == 0 and [r["type"] for r in records] == ["summary"]
    contract = repo / "docs" / "contract.txt"
    contract.write_text(
        "新增的说明\n" * 7 + contract.read_text(encoding="utf-8") + "结尾\n", encoding="utf-8"
    )
    code, records = scan(cli, "--baseline", str(out), str(repo))
    assert code == 0 and [r["type"] for r in records] == ["summary"]
    new = synthetic.mobile(random.Random(99))
    contract.write_text(contract.read_text(encoding="utf-8") + f"新电话 {new}\n", encoding="utf-8")
    code, records = scan(cli, "--baseline", str(out), "--reveal", str(repo))
    assert code == 1
    assert [r["value"] for r in records if r["type"] == "finding"] == [new]
    (verdict,) = [r for r in records if r["type"] == "file"]
    assert verdict["counts"] == {"cn_mobile": 1}  # verdicts judge what is reported
    code, _ = scan(cli, "--baseline", "baseline.json", ".", cwd=repo)  # relative paths from elsewhere
    assert code == 1


def test_the_same_value_in_another_file_is_new(cli, repo: Path) -> None:  # type: ignore[no-untyped-def]
    out = repo / "baseline.json"
    assert create(cli, str(repo / "notes.txt"), "-o", str(out)) == 0
    copy = repo / "copy.txt"
    copy.write_text((repo / "notes.txt").read_text(encoding="utf-8"), encoding="utf-8")
    code, records = scan(cli, "--baseline", str(out), str(repo / "notes.txt"), str(copy))
    assert code == 1
    assert {os.path.basename(r["path"]) for r in records if r["type"] == "finding"} == {"copy.txt"}


def test_bad_baselines_exit_2(cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    out = repo / "baseline.json"
    assert create(cli, str(repo), "-o", str(out)) == 0
    monkeypatch.setenv("DLP_KEY", "a-different-deployment-key-0123")
    run = cli(["scan", "--baseline", str(out), str(repo)])
    assert run.exit_code == 2 and "different key" in run.err
    for text, words in (("{", "not valid JSON"), ('{"tool": "x"}', "not a dlp baseline")):
        out.write_text(text, encoding="utf-8")
        run = cli(["scan", "--baseline", str(out), str(repo)])
        assert run.exit_code == 2 and words in run.err
    assert cli(["scan", "--baseline", str(repo / "nope.json"), str(repo)]).exit_code == 2
    with pytest.raises(ConfigError, match="bad entry"):
        out.write_text('{"tool": "dlp", "version": 1, "entries": [{"path": "a"}]}', encoding="utf-8")
        Baseline.load(out, b"k" * 20)

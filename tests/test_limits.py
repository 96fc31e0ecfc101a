"""Limits against hostile containers: each one hit gives an error record naming it, and the scan goes on.

No test asserts a duration: a limit works when its record appears and nothing
past it was extracted.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import random
import zipfile
from pathlib import Path

import benchmark_modules
import pytest
from click.testing import CliRunner

import dlp
from dlp import synthetic
from dlp.cli import main
from dlp.extract.base import LimitHit
from dlp.extract.limits import Budget

docs = benchmark_modules.load("accuracy_documents")
KEY = b"test-key-limits-0123456789"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dlp.ScanConfig:
    return dlp.ScanConfig(key=KEY, reveal=True, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return docs.zero_bomb_zip(2 << 30)  # 2 GiB of zeros in about 2 MB


def _csv(mobile: str) -> bytes:
    return f"姓名,手机\n王伟,{mobile}\n".encode()


def _reasons(result: dlp.ScanResult) -> list[tuple[str | None, str]]:
    return [(p.member, p.reason) for p in result.problems]


def test_defaults_are_documented() -> None:
    c = dlp.ScanConfig()
    assert (c.max_depth, c.max_archive_bytes, c.max_ratio, c.max_members, c.file_timeout) == (
        5,
        1 << 30,
        100.0,
        100_000,
        120.0,
    )
    for bad in ({"max_ratio": 0.5}, {"file_timeout": 0}, {"max_depth": -1}):
        with pytest.raises(dlp.ConfigError):
            dlp.ScanConfig(**bad)  # type: ignore[arg-type]


def test_zip_bomb_stops_on_ratio(config: dlp.ScanConfig, bomb: bytes) -> None:
    scanner = dlp.Scanner(config)
    assert _reasons(scanner.scan_bytes(bomb, name="bomb.zip")) == [("zeros.bin", "limit_ratio")]
    mobile = synthetic.mobile(random.Random(1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("zeros.zip", bomb)
        archive.writestr("list.csv", _csv(mobile))
    result = scanner.scan_bytes(out.getvalue(), name="outer.zip")
    assert _reasons(result) == [("zeros.zip!zeros.bin", "limit_ratio")]
    assert [f.value for f in result.findings] == [mobile]
    # deflated again, the bomb zip is itself a member that expands too much
    twice = scanner.scan_bytes(docs.zip_bytes({"zeros.zip": bomb}), name="twice.zip")
    assert _reasons(twice) == [("zeros.zip", "limit_ratio")]


def test_bomb_with_a_lying_size_stops_on_bytes_read(config: dlp.ScanConfig) -> None:
    # A member that declares nothing useful (a gzip stream) is stopped by what it produces.
    data = gzip.compress(bytes(64 << 20), compresslevel=1)
    result = dlp.Scanner(config).scan_bytes(data, name="zeros.gz")
    assert ("limit_ratio", None) in {(p.reason, p.member) for p in result.problems}
    small = dataclasses.replace(config, max_ratio=10_000.0, max_archive_bytes=8 << 20)
    result = dlp.Scanner(small).scan_bytes(data, name="zeros.gz")
    assert "limit_bytes" in {p.reason for p in result.problems}
    assert "limit_ratio" not in {p.reason for p in result.problems}


def test_declared_size_over_the_byte_limit(config: dlp.ScanConfig) -> None:
    data = docs.zip_bytes({"big.csv": b"x" * (3 << 20), "small.csv": _csv("13812345678")})
    tight = dataclasses.replace(config, max_archive_bytes=1 << 20, max_ratio=1e9)
    result = dlp.Scanner(tight).scan_bytes(data, name="a.zip")
    assert _reasons(result) == [("big.csv", "limit_bytes")]
    assert [f.member for f in result.findings] == ["small.csv"]


def test_member_count_limit(config: dlp.ScanConfig) -> None:
    rng = random.Random(2)
    data = docs.zip_bytes({f"{i:02d}.csv": _csv(synthetic.mobile(rng)) for i in range(10)})
    result = dlp.Scanner(dataclasses.replace(config, max_members=4)).scan_bytes(data, name="many.zip")
    assert [p.reason for p in result.problems] == ["limit_members"]
    assert len(result.findings) == 4


def test_depth_limit(config: dlp.ScanConfig) -> None:
    mobile = synthetic.mobile(random.Random(3))
    data = _csv(mobile)
    name = "list.csv"
    for level in range(4):
        data, name = docs.zip_bytes({name: data}), f"z{level}.zip"
    # z3.zip > z2.zip > z1.zip > z0.zip > list.csv: list.csv is at depth 4
    deep = dlp.Scanner(dataclasses.replace(config, max_depth=4)).scan_bytes(data, name="top.zip")
    assert [f.member for f in deep.findings] == ["z2.zip!z1.zip!z0.zip!list.csv"]
    shallow = dlp.Scanner(dataclasses.replace(config, max_depth=2)).scan_bytes(data, name="top.zip")
    assert shallow.findings == ()
    assert _reasons(shallow) == [("z2.zip!z1.zip!z0.zip", "limit_depth")]


def test_time_limit(config: dlp.ScanConfig) -> None:
    rows = [["手机"]] + [[synthetic.mobile(random.Random(i))] for i in range(600)]
    data = docs.xlsx_bytes([("s", rows, "visible")])
    result = dlp.Scanner(dataclasses.replace(config, file_timeout=1e-9)).scan_bytes(data, name="slow.xlsx")
    assert [(p.reason, p.partial) for p in result.problems] == [("limit_time", True)]


def test_budget_time_with_a_clock() -> None:
    now = [0.0]
    budget = Budget(dlp.ScanConfig(key=KEY, file_timeout=10), now=lambda: now[0])
    budget.check_time()
    now[0] = 10.5
    with pytest.raises(LimitHit) as caught:
        budget.check_time()
    assert caught.value.reason == "limit_time" and caught.value.fatal


def test_folder_with_bomb_truncated_xlsx_and_junk_pdf(tmp_path: Path, bomb: bytes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "bomb.zip").write_bytes(bomb)
    sheet = docs.xlsx_bytes([("s", [["手机"], [synthetic.mobile(rng)]], "visible")])
    (folder / "客户.xlsx").write_bytes(sheet[: len(sheet) * 2 // 3])
    (folder / "scan.pdf").write_bytes(b"%PDF-1.5\n" + bytes(rng.randrange(256) for _ in range(4000)))
    (folder / "名单.csv").write_text(f"姓名,手机,身份证\n王伟,{mobile},{rid}\n", encoding="utf-8")
    monkeypatch.setenv("DLP_KEY", KEY.decode())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run = CliRunner().invoke(main, ["scan", str(folder), "-f", "jsonl", "--reveal", "-j", "1", "--no-config"])
    assert run.exit_code == 1, run.output
    records = [json.loads(line) for line in run.stdout.splitlines()]
    found = {(Path(r["path"]).name, r["value"]) for r in records if r["type"] == "finding"}
    assert {("名单.csv", mobile), ("名单.csv", rid)} <= found
    errors = {Path(r["path"]).name: r["reason"] for r in records if r["type"] == "error"}
    assert errors == {"bomb.zip": "limit_ratio", "客户.xlsx": "corrupt", "scan.pdf": "corrupt"}
    assert "Traceback" not in run.output

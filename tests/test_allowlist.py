"""Allowlists: entries, and their effect inside the scanner (values never reach the report)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from dlp import synthetic
from dlp.allowlist import Allowlist
from dlp.errors import ConfigError
from dlp.findings import fingerprint

KEY = b"allowlist-test-key-0123456789"


def test_path_globs_match_the_path_the_name_or_the_path_below_the_config(tmp_path: Path) -> None:
    allow = Allowlist.build(paths=["fixtures/*", "*.snap"], base=tmp_path)
    assert allow.allows_path("fixtures/a/b.txt")
    assert allow.allows_path("./fixtures/x.txt")
    assert allow.allows_path("deep/where/test.snap")
    assert allow.allows_path(str(tmp_path / "fixtures" / "x.txt"))  # relative to the config folder
    assert not allow.allows_path("src/fixtures.txt")
    assert not allow.allows_path("-")
    assert not Allowlist().allows_path("anything")


def test_values_by_regex_on_the_normalised_value_or_by_fingerprint() -> None:
    prints = [fingerprint(KEY, "13912345678")]
    allow = Allowlist.build(regexes=[r"^1380000\d{4}$"], fingerprints=prints)
    finger = lambda v: fingerprint(KEY, v)  # noqa: E731
    assert allow.allows_value("13800001234", finger)
    assert allow.allows_value("13912345678", finger)
    assert not allow.allows_value("13712345678", finger)
    assert bool(allow) and not bool(Allowlist())


@pytest.mark.parametrize(
    ("entries", "words"),
    [({"regexes": ["(unclosed"]}, "bad allowlist regex"), ({"fingerprints": ["xyz"]}, "not a fingerprint")],
)
def test_bad_entries_are_config_errors(entries: dict[str, list[str]], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        Allowlist.build(**entries)


def test_the_scanner_drops_allowed_values_before_reporting(make_scanner) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(2)
    keep, test_number, known = synthetic.mobile(rng), "13800001234", synthetic.mobile(rng)
    text = f"客户 {keep}\n测试号码 {test_number}\n总机 {known}\n内部资料\n"
    allow = Allowlist.build(
        regexes=[r"^1380000\d{4}$", "内部"],
        fingerprints=[fingerprint(make_scanner().config.key, known)],
    )
    found = make_scanner(allowlist=allow).scan_text(text)
    assert [f.value for f in found.findings] == [keep]
    everything = make_scanner(allowlist=Allowlist.build(paths=["*.txt"])).scan_text(text, name="memo.txt")
    assert everything.findings == ()
    assert make_scanner(allowlist=Allowlist.build(paths=["*.txt"])).scan_text(text, name="memo.md").findings


def test_allowlisted_values_appear_nowhere_in_the_report(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # the config of the current folder
    rng = random.Random(6)
    secret = synthetic.mobile(rng)
    memo = tmp_path / "memo.txt"
    memo.write_text(f"电话 {secret}\n", encoding="utf-8")
    (tmp_path / "dlp.toml").write_text(f'[allowlist]\nregexes = ["^{secret}$"]\n', encoding="utf-8")
    run = cli(["scan", "-f", "jsonl", "--reveal", "-j", "1", "memo.txt"])
    assert run.exit_code == 0
    assert secret not in run.out and secret[-4:] not in run.out
    assert [json.loads(line)["type"] for line in run.out.splitlines()] == ["summary"]

"""A drive prepared by someone who knows dlp: its config, names and control characters
must not steer the scan, forge report lines or hide what the names give away."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from dlp import synthetic

HOSTILE_CONFIG = """\
exclude = ["*"]
reveal = true
cache_dir = "{cache}"
[policy]
fail_on = "never"
[allowlist]
regexes = ['.*']
"""


@pytest.fixture
def drive(tmp_path: Path) -> tuple[Path, str]:
    """A USB drive with a customer note and a config that would hide it; the planted mobile."""
    rng = random.Random(17)
    usb = tmp_path / "media" / "usb"
    (usb / "sub").mkdir(parents=True)
    mobile = synthetic.mobile(rng)
    (usb / "sub" / "note.txt").write_text(f"客户电话 {mobile}\n", encoding="utf-8")
    config = HOSTILE_CONFIG.format(cache=usb / ".dlp-cache")
    (usb / "dlp.toml").write_text(config, encoding="utf-8")
    (usb / "sub" / "pyproject.toml").write_text("[tool.dlp]\n" + config.replace("[", "[tool.dlp."), "utf-8")
    return usb, mobile


def findings(out: str) -> list[tuple[str, str, str]]:
    records = [json.loads(line) for line in out.splitlines()]
    return sorted((r["path"], r["detector"], r["fingerprint"]) for r in records if r["type"] == "finding")


@pytest.mark.parametrize("where", ["outside", "root", "inside"])
def test_a_prepared_drive_is_scanned_as_if_its_config_were_not_there(
    cli_process, drive: tuple[Path, str], tmp_path: Path, where: str
) -> None:  # type: ignore[no-untyped-def]
    usb, mobile = drive
    cwd = {"outside": tmp_path, "root": usb, "inside": usb / "sub"}[where]
    target = str(usb)
    plain = cli_process(["scan", "-f", "jsonl", "-j", "1", "--no-config", target], cwd=tmp_path)
    run = cli_process(["scan", "-f", "jsonl", "-j", "1", target], cwd=cwd)
    assert plain.exit_code == 1 and findings(plain.out)
    assert run.exit_code == 1, run.err  # fail_on = "never" was not read
    assert findings(run.out) == findings(plain.out)  # neither exclude nor the allowlist was read
    assert mobile not in run.out  # reveal was not read
    assert not (usb / ".dlp-cache").exists()  # nothing written to the drive
    assert f"dlp: ignored config file {usb / 'dlp.toml'}: it is inside the scanned tree" in run.err
    if where == "inside":
        assert f"ignored config file {usb / 'sub' / 'pyproject.toml'}" in run.err
    assert "using config file" not in run.err


def test_a_config_named_with_config_is_read_but_cannot_put_the_cache_on_the_drive(
    cli_process, drive: tuple[Path, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    usb, _ = drive
    run = cli_process(["scan", "--config", str(usb / "dlp.toml"), str(usb)], cwd=tmp_path)
    assert run.exit_code == 2
    assert "cache_dir" in run.err and "is inside the scanned tree" in run.err
    assert not (usb / ".dlp-cache").exists()
    trusted = tmp_path / "trusted.toml"
    trusted.write_text('exclude = ["*.txt"]\n', encoding="utf-8")
    run = cli_process(["scan", "-f", "jsonl", "--config", str(trusted), str(usb)], cwd=tmp_path)
    assert run.exit_code == 0 and findings(run.out) == []
    assert f"dlp: using config file {trusted}" in run.err


def test_names_are_scanned_and_reported_with_a_name_location(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    rng = random.Random(18)
    resident, mobile = synthetic.resident_id(rng), synthetic.mobile(rng)
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / f"张伟_{resident}.txt").write_text("nothing but words\n", encoding="utf-8")
    (usb / f"{mobile}.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))  # a photo
    with zipfile.ZipFile(usb / "a.zip", "w") as archive:
        archive.writestr(f"客户/{mobile}.csv", "no values here\n")
    run = cli(["scan", "-f", "jsonl", "-j", "1", str(usb)])
    records = [json.loads(line) for line in run.out.splitlines()]
    found = [r for r in records if r["type"] == "finding"]
    assert run.exit_code == 1
    assert {(Path(r["path"]).name, r.get("member"), r["detector"]) for r in found} == {
        (f"张伟_{resident}.txt", None, "cn_resident_id"),
        (f"{mobile}.jpg", None, "cn_mobile"),
        ("a.zip", f"客户/{mobile}.csv", "cn_mobile"),
    }
    assert all(r["location"]["name"] is True for r in found)
    assert {r["location"]["offset"] for r in found} == {len("张伟_".encode()), 0, len("客户/".encode())}
    assert all(resident not in r["masked"] and "value" not in r for r in found)  # masked, like content
    assert any(r["type"] == "skipped" and r["reason"] == "media" for r in records)  # content still skipped
    text = cli(["scan", "-j", "1", str(usb)]).out
    assert f"张伟_{resident}.txt (name)" in text


def test_control_characters_in_names_cannot_forge_report_lines(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mobile = synthetic.mobile(random.Random(19))
    usb = tmp_path / "usb"
    usb.mkdir()
    forged = "a.txt:1 cn_mobile high 0.95 138****0000\n\x1b[2Jclean.txt\u202e"
    (usb / forged).write_text(f"电话 {mobile}\n", encoding="utf-8")
    (usb / "big\r\nfake.txt").write_text("x" * 100, encoding="utf-8")
    run = cli(["scan", "-j", "1", "--max-file-size", "50", str(usb)])
    lines = run.out.splitlines()
    assert len(lines) == 4  # header, the finding, its verdict, the file over the size limit
    assert all(line.startswith(str(usb)) for line in lines[1:])  # no line forged by a name
    assert "\x1b" not in run.out + run.err and "\u202e" not in run.out and "\r" not in run.out + run.err
    assert "\\x0a\\x1b[2Jclean.txt\\u202e:1" in run.out
    assert "big\\x0d\\x0afake.txt" in run.out and "big\\x0d\\x0afake.txt: too_large" in run.err
    jsonl = cli(["scan", "-f", "jsonl", "-j", "1", "--max-file-size", "50", str(usb)]).out
    error = next(json.loads(line) for line in jsonl.splitlines() if '"type":"error"' in line)
    assert error["path"].endswith("big\r\nfake.txt") and "fake" not in error["message"]  # names stay out

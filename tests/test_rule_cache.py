"""The compiled-rule cache is signed, private and checked: a tampered file is never loaded."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dlp.engine.rulecache import MAGIC, RuleCache
from tests.conftest import TEST_KEY

# Runs in a child process, so that a YARA loader crash (what an unchecked cache did)
# fails this test instead of killing the test run.
FLIPPER = r"""
import json, os, sys
from pathlib import Path
import dlp

folder, key, step = Path(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
text = "机密文件 联系人电话 13812345678 邮箱 zhang.wei@example.cn"

def scan():
    scanner = dlp.Scanner(dlp.ScanConfig(key=key, cache_dir=folder))
    return sorted((f.detector, f.fingerprint) for f in scanner.scan_text(text).findings)

expected = scan()
files = sorted(p for p in folder.iterdir() if p.name.endswith(".yarc"))
assert files, "no cache file written"
flips = 0
for path in files:
    original = path.read_bytes()
    for offset in range(0, len(original), step):
        damaged = bytearray(original)
        damaged[offset] ^= 0x5A
        path.write_bytes(bytes(damaged))
        assert scan() == expected, offset
        assert path.read_bytes() != bytes(damaged), "a damaged file was kept"
        flips += 1
    path.write_bytes(original[: len(original) // 2])  # truncated
    assert scan() == expected
print(json.dumps({"files": len(files), "flips": flips, "findings": expected}))
"""


def test_flipping_bytes_in_every_cache_file_never_crashes_and_keeps_the_findings(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-c", FLIPPER, str(folder), TEST_KEY.decode(), "97"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = done.stdout.strip().splitlines()[-1]
    assert '"flips": ' in report and '"files": 1' in report
    assert "yara:dlp_marker_confidential" in report and "cn_mobile" in report
    flips = int(report.split('"flips": ')[1].split(",")[0])
    assert flips >= 50  # every 97th byte of a file of some kilobytes, header and MAC included
    assert all(path.read_bytes().startswith(MAGIC) for path in folder.iterdir())  # rebuilt, signed


def test_a_file_signed_under_another_key_is_not_loaded(tmp_path: Path) -> None:
    import yara

    rules = yara.compile(source='rule r { strings: $a = "x" condition: $a }')
    mine = RuleCache.open(tmp_path / "c", TEST_KEY)
    theirs = RuleCache.open(tmp_path / "c", b"another-key-0123456789")
    assert mine is not None and theirs is not None
    theirs.save("rules-x", rules)
    os.replace(theirs.path("rules-x"), mine.path("rules-x"))  # the other key's file under my name
    assert mine.load("rules-x") is None
    assert not mine.path("rules-x").exists()  # discarded
    mine.save("rules-x", rules)
    assert mine.load("rules-x") is not None


def test_the_cache_folder_is_private(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o777)
    os.chmod(loose, 0o777)
    assert RuleCache.open(loose, TEST_KEY) is not None
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    fresh = tmp_path / "a" / "b" / "dlp"
    assert RuleCache.open(fresh, TEST_KEY) is not None
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    link = tmp_path / "link"
    link.symlink_to(loose)
    assert RuleCache.open(link, TEST_KEY) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_owned_by_someone_else_is_not_used(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 65534, 65534)
    assert RuleCache.open(foreign, TEST_KEY) is None

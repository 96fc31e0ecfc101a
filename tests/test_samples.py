"""The bundled sample folder ``tests/samples``: reproducible, and reported as the README says.

``tests/samples/regenerate.py`` is run with :mod:`runpy` (not imported) so that no
``__pycache__`` lands in the folder a new user scans.
"""

from __future__ import annotations

import collections
import runpy
from pathlib import Path

import pytest
from click.testing import CliRunner

import dlp
from dlp.cli import main

SAMPLES = Path(__file__).resolve().parent / "samples"
KEY = b"samples-test-key-0123456789"

EXPECTED = {
    ("customers_gb18030.csv", "cn_mobile"): 30,
    ("customers_gb18030.csv", "cn_resident_id"): 30,
    ("customers_gb18030.csv", "cn_plate"): 30,
    ("customers_gb18030.csv", "email"): 30,
    ("contract.txt", "cn_landline"): 2,
    ("contract.txt", "cn_uscc"): 2,
    ("contract.txt", "bank_card"): 1,
    ("contract.txt", "yara:dlp_marker_confidential"): 1,
    ("wechat_export_utf16.txt", "cn_mobile"): 8,
    ("wechat_export_utf16.txt", "email"): 4,
    ("wechat_export_utf16.txt", "cn_plate"): 1,
    ("wechat_export_utf16.txt", "cn_resident_id"): 1,
    ("wechat_export_utf16.txt", "wechat_id"): 8,  # 微信号 labels (issue 16)
    ("clipboard_dump", "cn_mobile"): 5,
    ("clipboard_dump", "cn_landline"): 2,
    ("clipboard_dump", "cn_resident_id"): 3,
    ("clipboard_dump", "cn_resident_id_legacy"): 1,
    ("clipboard_dump", "cn_plate"): 1,
    ("clipboard_dump", "bank_card"): 1,
    ("clipboard_dump", "email"): 1,
}
ENCODINGS = {
    "customers_gb18030.csv": "gb18030",
    "contract.txt": "utf-8",
    "wechat_export_utf16.txt": "utf-16-le",
    "clipboard_dump": "utf-8",
    "decoys.log": "utf-8",
    "notes/clean.md": "utf-8",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dlp.ScanResult]:
    config = dlp.ScanConfig(key=KEY, cache_dir=tmp_path_factory.mktemp("cache"))
    scanned = dlp.Scanner(config).scan_paths([SAMPLES])
    return {Path(r.path).relative_to(SAMPLES).as_posix(): r for r in scanned}


def test_samples_are_what_the_generator_writes() -> None:
    built = runpy.run_path(str(SAMPLES / "regenerate.py"), run_name="samples_regenerate")["build"]()
    assert sorted(built) == sorted(ENCODINGS)
    for rel, data in built.items():
        on_disk = (SAMPLES / rel).read_bytes()
        assert on_disk == data, f"{rel} is stale: run python tests/samples/regenerate.py"


def test_each_sample_gives_its_expected_findings(results: dict[str, dlp.ScanResult]) -> None:
    found = collections.Counter((rel, f.detector) for rel, r in results.items() for f in r.findings)
    assert dict(found) == EXPECTED


def test_decoys_notes_and_generator_give_nothing(results: dict[str, dlp.ScanResult]) -> None:
    for rel in ("decoys.log", "notes/clean.md", "regenerate.py"):
        assert results[rel].findings == (), rel


def test_samples_scan_completely_in_their_encodings(results: dict[str, dlp.ScanResult]) -> None:
    for rel, encoding in ENCODINGS.items():
        assert results[rel].complete, rel
        assert results[rel].encoding == encoding, rel


def test_offsets_point_into_the_original_bytes(results: dict[str, dlp.ScanResult]) -> None:
    raw = (SAMPLES / "customers_gb18030.csv").read_bytes()
    for finding in results["customers_gb18030.csv"].findings:
        if finding.detector == "cn_resident_id":
            start = finding.location.offset
            assert raw[start : start + 18].isdigit() or raw[start : start + 17].isdigit()
            assert raw[start - 1 : start] == b","


def test_cli_exit_codes_on_the_samples(tmp_path: Path) -> None:
    env = {"DLP_KEY": KEY.decode(), "XDG_CACHE_HOME": str(tmp_path)}
    runner = CliRunner()
    everything = runner.invoke(main, ["scan", str(SAMPLES), "-j", "1", "-q"], env=env)
    assert everything.exit_code == 1, everything.output
    clean = [str(SAMPLES / "decoys.log"), str(SAMPLES / "notes")]
    nothing = runner.invoke(main, ["scan", *clean, "-j", "1", "-q"], env=env)
    assert nothing.exit_code == 0, nothing.output
